//! Running elementwise loops with the best vector instructions this CPU has, chosen at run time.
//!
//! A [`Kernel`] is a struct holding its slices, with an `#[inline(always)]` [`Kernel::run`]. [`dispatch`] hands it
//! to pulp's dispatcher (the one faer itself uses), which calls it from a function compiled for AVX2 + FMA where
//! the CPU has them; because every level is `#[inline(always)]`, the kernel's loops are compiled inside that
//! function and vectorised. (A closure is not enough: once the loops are inlined into it, it is too large to be
//! inlined into the dispatcher, and it stays plain SSE2 code; `perf annotate` showed exactly that.)
//!
//! Results are bit-identical on every path: the loops do the same IEEE operations in the same order (no
//! fast-math, no reassociation, no FMA contraction), only several lanes at a time.

use crate::Scalar;

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

/// Runs `kernel` compiled for the widest instruction set the CPU has.
#[inline(always)]
pub fn dispatch<K: Kernel>(kernel: K) -> K::Output {
    pulp::Arch::new().dispatch(Dispatched(kernel))
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
