//! Running elementwise loops with the best vector instructions this CPU has, chosen at run time.
//!
//! A [`Kernel`] is a struct holding its slices, with an `#[inline(always)]` [`Kernel::run`]. [`dispatch`] hands it
//! to pulp's dispatcher (the one faer itself uses), which calls it from a function compiled for AVX-512
//! (x86-64-v4: F, BW, DQ, VL) where the CPU has it, else for AVX2 + FMA where it has those; because every level is `#[inline(always)]`, the kernel's loops are compiled inside that
//! function and vectorised. (A closure is not enough: once the loops are inlined into it, it is too large to be
//! inlined into the dispatcher, and it stays plain SSE2 code; `perf annotate` showed exactly that.)
//!
//! Results are bit-identical on every path: the loops do the same IEEE operations in the same order (no
//! fast-math, no reassociation, no FMA contraction), only several lanes at a time; the forward product's
//! fused multiply-adds are fused at every level (pulp's portable path calls `f64::mul_add`). The general
//! products keep one order at every level too (`product.rs`). [`pin`] and [`pinned`] run them at a chosen
//! [`Level`]: that changes the speed, not the bits, which `tests/levels.rs` checks level by level.

use crate::Scalar;
use std::sync::atomic::{AtomicU8, Ordering};

/// An instruction-set level of this crate's vector kernels and products. Its text and serialised form is its
/// [`name`](Level::name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Plain Rust on scalars (any CPU).
    Portable,
    /// AVX2 and FMA (x86-64-v3).
    Avx2,
    /// AVX-512 F, BW, DQ and VL (x86-64-v4).
    Avx512,
}

impl Level {
    /// Every level, narrowest first.
    pub const ALL: [Level; 3] = [Level::Portable, Level::Avx2, Level::Avx512];

    /// The level's name: `portable`, `avx2` or `avx512`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Portable => "portable",
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
        }
    }

    /// The widest level this CPU has.
    pub fn widest() -> Level {
        match pulp::Arch::new() {
            #[cfg(target_arch = "x86_64")]
            pulp::Arch::V4(_) => Level::Avx512,
            #[cfg(target_arch = "x86_64")]
            pulp::Arch::V3(_) => Level::Avx2,
            _ => Level::Portable,
        }
    }

    /// pulp's dispatcher for this level, if this CPU has it.
    fn arch(self) -> Option<pulp::Arch> {
        match self {
            Level::Portable => Some(pulp::Arch::Scalar),
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => pulp::x86::V3::try_new().map(pulp::Arch::V3),
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => pulp::x86::V4::try_new().map(pulp::Arch::V4),
            #[cfg(not(target_arch = "x86_64"))]
            _ => None,
        }
    }

    /// Whether this CPU has the level.
    pub fn available(self) -> bool {
        self.arch().is_some()
    }
}

text_names!(Level, "SIMD level");

/// The pinned level plus one, or 0 for the widest.
static PINNED: AtomicU8 = AtomicU8::new(0);

/// Runs this crate's vector kernels at `level` from now on, in the whole process (`None`: the widest the CPU
/// has, the default). Refused, with the level, when the CPU does not have it. A matrix already packed for
/// [`crate::ops::matmul_packed`] keeps the level it was packed at.
pub fn pin(level: Option<Level>) -> Result<(), Level> {
    let code = match level {
        Some(l) if !l.available() => return Err(l),
        Some(l) => Level::ALL.iter().position(|&x| x == l).map_or(0, |i| i + 1),
        None => 0,
    };
    PINNED.store(code as u8, Ordering::Relaxed);
    Ok(())
}

/// Runs `work` with the kernels at `level` (`None`: at the level they run at now), then puts back the level
/// pinned before, also if `work` panics. Refused, with the level, when the CPU does not have it. The pin is
/// process-wide: work on other threads that runs meanwhile runs at this level too.
pub fn pinned<R>(level: Option<Level>, work: impl FnOnce() -> R) -> Result<R, Level> {
    struct Restore(u8);
    impl Drop for Restore {
        fn drop(&mut self) {
            PINNED.store(self.0, Ordering::Relaxed);
        }
    }
    let _restore = Restore(PINNED.load(Ordering::Relaxed));
    if level.is_some() {
        pin(level)?;
    }
    Ok(work())
}

/// The level the kernels run at now.
pub fn level() -> Level {
    match PINNED.load(Ordering::Relaxed) {
        0 => Level::widest(),
        code => Level::ALL[usize::from(code) - 1],
    }
}

/// pulp's dispatcher for [`level`].
pub(crate) fn arch() -> pulp::Arch {
    level().arch().unwrap_or(pulp::Arch::Scalar)
}

/// A loop nest to run under [`dispatch`]. Implement [`run`](Kernel::run) with `#[inline(always)]`.
pub trait Kernel {
    /// What the kernel returns.
    type Output;
    /// The loops. Must be `#[inline(always)]` to be vectorised.
    fn run(self) -> Self::Output;
}

struct Dispatched<K>(K);

impl<K: Kernel> pulp::WithSimd for Dispatched<K> {
    type Output = K::Output;
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> K::Output {
        self.0.run()
    }
}

/// Runs `kernel` compiled for the widest instruction set the CPU has, or the [`pin`]ned one.
#[inline(always)]
pub fn dispatch<K: Kernel>(kernel: K) -> K::Output {
    arch().dispatch(Dispatched(kernel))
}

/// Σ xs with eight interleaved partial sums, combined pairwise at the end. Deterministic (the order depends only
/// on the length) and vectorisable, unlike a single running sum, whose every addition waits for the previous one.
#[inline(always)]
pub fn sum<T: Scalar>(xs: &[T]) -> T {
    let mut acc = [T::ZERO; 8];
    let chunks = xs.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    for (a, &x) in acc.iter_mut().zip(tail) {
        *a += x;
    }
    ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
}
