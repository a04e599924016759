//! The shape check of a product, shared by `ops::matmul` and `gemm::matmul_packed`.

use crate::{Matrix, Scalar};

/// Panics unless `dst (m×n) ← lhs (m×k) · rhs (k×n)` chains, where `rhs` has `rhs_rows` rows: a product whose
/// shapes do not chain is a bug in the caller (`what` names the function).
pub(crate) fn assert_chains<T: Scalar>(
    what: &str,
    (m, k, n): (usize, usize, usize),
    rhs_rows: usize,
    dst: &Matrix<T>,
) {
    assert!(
        rhs_rows == k && dst.shape() == (m, n),
        "{what}: {m}×{k} · {rhs_rows}×{n} into {}×{} (shapes after any transposition)",
        dst.rows(),
        dst.cols()
    );
}
