//! The weight gradient's two forms.

use super::{Accum, matmul, matmul_tn};
use crate::test_values::{at_every_level, filled};
use crate::{Matrix, Scalar, Threads};

/// `aᵀ·b` and `(bᵀ·a)ᵀ` give the same bits at every level this CPU has, on one thread and split, over
/// depths of one, several and a ragged number of blocks; and `matmul_tn` gives them whichever form it
/// times faster (its shapes here are over the size it times).
#[test]
fn both_forms_of_the_weight_gradient_give_the_same_bits_at_every_level() {
    fn one<T: Scalar>(m: usize, k: usize, n: usize) {
        let (a, b) = (filled::<T>(m, k, 21), filled::<T>(m, n, 22));
        let mut want = Matrix::zeros(k, n);
        matmul(
            &mut want,
            Accum::Replace,
            a.t(),
            &b,
            T::ONE,
            Threads::Single,
        );
        for threads in [Threads::Single, Threads::from_count(2)] {
            let mut gt = Matrix::zeros(n, k);
            matmul(&mut gt, Accum::Replace, b.t(), &a, T::ONE, threads);
            assert!(
                gt.transpose() == want,
                "{} (bᵀ·a)ᵀ, {m}×{k}, {n} columns, {threads:?}, {:?}",
                T::NAME,
                crate::simd::level()
            );
            let mut got = filled::<T>(k, n, 23);
            let mut scratch = Matrix::zeros(0, 0);
            matmul_tn(&mut got, &a, &b, &mut scratch, threads);
            // The choice is kept, and reported as the form that ran: the scratch is used only by the second.
            let transposed = super::matmul_tn_transposes::<T>(m, k, n);
            assert_eq!(transposed, Some(scratch.shape() == (n, k)));
            assert!(
                got == want,
                "{} matmul_tn, {m}×{k}, {n} columns, {threads:?}, {:?}",
                T::NAME,
                crate::simd::level()
            );
        }
    }
    at_every_level(
        &[
            (1, 3, 2),
            (513, 17, 5),
            (1100, 29, 33),
            (4000, 400, 64),
            (5000, 301, 10),
            (2000, 784, 100),
        ],
        |m, k, n| {
            one::<f64>(m, k, n);
            one::<f32>(m, k, n);
        },
    );
}
