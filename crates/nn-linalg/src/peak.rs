//! A register-only loop of fused multiply-adds, run through the same runtime dispatch as this crate's vector
//! kernels ([`crate::simd`]: pulp's, which picks AVX-512 where the CPU has it, else AVX2 + FMA), so it
//! measures the widest FMA the CPU has. Timed by the caller, it
//! measures a core's FMA throughput now, the ceiling of any arithmetic on it: lanes × 2 flops × FMA units ×
//! clock.

/// Independent accumulators per round: enough to hide a 4-cycle FMA latency on two FMA units.
const ACC: usize = 12;

/// One precision's loop: `ACC` independent chains of `x ← x·a + b`, `iters` rounds.
struct FmaLoop {
    iters: u64,
    f32: bool,
}

impl pulp::WithSimd for FmaLoop {
    /// A value derived from every accumulator (so the work cannot be optimised away), and the lanes.
    type Output = (f64, usize);

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> (f64, usize) {
        if self.f32 {
            let (a, b) = (simd.splat_f32s(0.999_999), simd.splat_f32s(1e-7));
            let mut acc = [simd.splat_f32s(1.0); ACC];
            for _ in 0..self.iters {
                for x in acc.iter_mut() {
                    *x = simd.mul_add_f32s(*x, a, b);
                }
            }
            let total: f32 = acc.iter().map(|&x| simd.reduce_sum_f32s(x)).sum();
            (f64::from(total), S::F32_LANES)
        } else {
            let (a, b) = (simd.splat_f64s(0.999_999), simd.splat_f64s(1e-7));
            let mut acc = [simd.splat_f64s(1.0); ACC];
            for _ in 0..self.iters {
                for x in acc.iter_mut() {
                    *x = simd.mul_add_f64s(*x, a, b);
                }
            }
            (
                acc.iter().map(|&x| simd.reduce_sum_f64s(x)).sum(),
                S::F64_LANES,
            )
        }
    }
}

/// Runs `iters` rounds of the FMA loop in f32 or f64 on the calling thread; returns the floating-point
/// operations done (an FMA counts two) and a value computed from the results, which the caller should pass to
/// [`std::hint::black_box`].
pub fn fma_loop(iters: u64, f32: bool) -> (f64, f64) {
    let (value, lanes) = crate::simd::arch().dispatch(FmaLoop {
        iters: std::hint::black_box(iters),
        f32,
    });
    ((iters as f64) * (ACC * lanes * 2) as f64, value)
}

/// The instruction set the dispatch picks on this CPU (or the pinned one), for reports.
pub fn dispatch_isa() -> &'static str {
    match crate::simd::level() {
        crate::simd::Level::Avx512 => "AVX-512F",
        crate::simd::Level::Avx2 => "AVX2+FMA",
        crate::simd::Level::Portable => "scalar",
    }
}

#[cfg(test)]
mod tests {
    /// The loop really runs: every accumulator of every lane follows x ← 0.999999·x + 10⁻⁷ from 1 for `iters`
    /// rounds, so the value returned is ACC × lanes × xₙ with xₙ = aⁿ + b(1 − aⁿ)/(1 − a); and the operations
    /// counted are iters × ACC × lanes × 2 with the same lanes, a power of two from the vector width.
    #[test]
    fn counts_its_operations_and_runs_every_round() {
        let (a, b) = (0.999_999_f64, 1e-7_f64);
        for iters in [10u64, 1000] {
            let (flops, value) = super::fma_loop(iters, false);
            let x = (0..iters).fold(1.0, |x, _| x * a + b);
            let lanes = value / (super::ACC as f64 * x);
            assert!(
                (lanes - lanes.round()).abs() < 1e-9,
                "{value} is not ACC × lanes × xₙ"
            );
            let lanes = lanes.round();
            assert!(
                [1.0, 2.0, 4.0, 8.0].contains(&lanes),
                "{lanes} lanes of f64"
            );
            assert_eq!(flops, iters as f64 * super::ACC as f64 * lanes * 2.0);
        }
        // f32: the same recurrence in single precision, to its rounding.
        let (flops, value) = super::fma_loop(100, true);
        let x = (0..100).fold(1.0f32, |x, _| x.mul_add(0.999_999, 1e-7));
        let lanes = (value / (super::ACC as f64 * f64::from(x))).round();
        assert!(
            [1.0, 4.0, 8.0, 16.0].contains(&lanes),
            "{lanes} lanes of f32"
        );
        assert_eq!(flops, 100.0 * super::ACC as f64 * lanes * 2.0);
    }
}
