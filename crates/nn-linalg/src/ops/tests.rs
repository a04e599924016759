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
            matmul_tn(&mut got, &a, &b, &mut scratch, threads, usize::MAX);
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

/// A run whose passes do not pay for the timing takes the second form untimed and keeps nothing, with the
/// same bits; one whose passes do times the two forms and keeps the choice, which later calls take.
#[test]
fn only_enough_passes_time_the_weight_gradient() {
    let _held = crate::test_values::hold_level();
    let (m, k, n) = (1700, 263, 17);
    let (a, b) = (filled::<f64>(m, k, 31), filled::<f64>(m, n, 32));
    let mut want = Matrix::zeros(k, n);
    matmul(&mut want, Accum::Replace, a.t(), &b, 1.0, Threads::Single);

    let (mut got, mut scratch) = (Matrix::zeros(k, n), Matrix::zeros(0, 0));
    matmul_tn(&mut got, &a, &b, &mut scratch, Threads::Single, 1);
    assert_eq!(got, want);
    assert_eq!(scratch.shape(), (n, k), "the second form ran");
    assert_eq!(super::matmul_tn_transposes::<f64>(m, k, n), None);

    let (mut got, mut scratch) = (Matrix::zeros(k, n), Matrix::zeros(0, 0));
    matmul_tn(&mut got, &a, &b, &mut scratch, Threads::Single, 10_000);
    assert_eq!(got, want);
    let timed = super::matmul_tn_transposes::<f64>(m, k, n);
    assert_eq!(timed, Some(scratch.shape() == (n, k)));
    // Kept: a short run now takes the timed form.
    let (mut got, mut scratch) = (Matrix::zeros(k, n), Matrix::zeros(0, 0));
    matmul_tn(&mut got, &a, &b, &mut scratch, Threads::Single, 1);
    assert_eq!(got, want);
    assert_eq!(timed, Some(scratch.shape() == (n, k)));
}
