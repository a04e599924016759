//! Operations that write into a preallocated output, so that a training loop allocates nothing.
//!
//! Shapes are written `rows×cols`. Every function checks its shapes and panics on a mismatch: a mismatch here
//! is a bug in the caller, never bad user input (`nn-core` validates user input before it reaches this layer).

use crate::{Matrix, Scalar, Threads};

/// What a product does with the previous contents of its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accum {
    /// `dst ← α·op(A)·op(B)`
    Replace,
    /// `dst ← dst + α·op(A)·op(B)`
    Add,
}

impl Accum {
    fn faer(self) -> faer::Accum {
        match self {
            Accum::Replace => faer::Accum::Replace,
            Accum::Add => faer::Accum::Add,
        }
    }
}

/// `dst (m×n) ← [dst +] α · A (m×k) · B (k×n)`
pub fn matmul<T: Scalar>(
    dst: &mut Matrix<T>,
    accum: Accum,
    a: &Matrix<T>,
    b: &Matrix<T>,
    alpha: T,
    threads: Threads,
) {
    let (m, k, n) = (a.rows(), a.cols(), b.cols());
    assert!(
        b.rows() == k && dst.shape() == (m, n),
        "matmul: {m}×{k} · {}×{n} into {:?}",
        b.rows(),
        dst.shape()
    );
    let par = threads.par_for(2 * m * n * k);
    faer::linalg::matmul::matmul(
        dst.inner.as_mut(),
        accum.faer(),
        a.inner.as_ref(),
        b.inner.as_ref(),
        alpha,
        par,
    );
}

/// `dst (k×n) ← [dst +] α · Aᵀ · B`, for A (m×k) and B (m×n). This is the weight gradient `Aᵀ·δ`.
pub fn matmul_tn<T: Scalar>(
    dst: &mut Matrix<T>,
    accum: Accum,
    a: &Matrix<T>,
    b: &Matrix<T>,
    alpha: T,
    threads: Threads,
) {
    let (m, k, n) = (a.rows(), a.cols(), b.cols());
    assert!(
        b.rows() == m && dst.shape() == (k, n),
        "matmul_tn: ({m}×{k})ᵀ · {}×{n} into {:?}",
        b.rows(),
        dst.shape()
    );
    let par = threads.par_for(2 * m * n * k);
    faer::linalg::matmul::matmul(
        dst.inner.as_mut(),
        accum.faer(),
        a.inner.transpose(),
        b.inner.as_ref(),
        alpha,
        par,
    );
}

/// `dst (m×k) ← [dst +] α · A · Bᵀ`, for A (m×n) and B (k×n). This is the back-propagated error `δ·Wᵀ`.
pub fn matmul_nt<T: Scalar>(
    dst: &mut Matrix<T>,
    accum: Accum,
    a: &Matrix<T>,
    b: &Matrix<T>,
    alpha: T,
    threads: Threads,
) {
    let (m, n, k) = (a.rows(), a.cols(), b.rows());
    assert!(
        b.cols() == n && dst.shape() == (m, k),
        "matmul_nt: {m}×{n} · ({k}×{})ᵀ into {:?}",
        b.cols(),
        dst.shape()
    );
    let par = threads.par_for(2 * m * n * k);
    faer::linalg::matmul::matmul(
        dst.inner.as_mut(),
        accum.faer(),
        a.inner.as_ref(),
        b.inner.transpose(),
        alpha,
        par,
    );
}

/// `dst[i, j] += row[j]` for every row `i`: the bias add.
pub fn add_row_broadcast<T: Scalar>(dst: &mut Matrix<T>, row: &[T]) {
    assert_eq!(row.len(), dst.cols(), "add_row_broadcast: row length");
    for (j, &r) in row.iter().enumerate() {
        for x in dst.col_mut(j) {
            *x += r;
        }
    }
}

/// `out[j] ← [out[j] +] Σᵢ a[i, j]`: the bias gradient.
pub fn col_sums<T: Scalar>(out: &mut [T], accum: Accum, a: &Matrix<T>) {
    assert_eq!(out.len(), a.cols(), "col_sums: output length");
    for (j, o) in out.iter_mut().enumerate() {
        let s: T = a.col(j).iter().copied().sum();
        *o = match accum {
            Accum::Replace => s,
            Accum::Add => *o + s,
        };
    }
}

/// `a[i, j] ← f(a[i, j])`
pub fn map_inplace<T: Scalar>(a: &mut Matrix<T>, mut f: impl FnMut(T) -> T) {
    for j in 0..a.cols() {
        for x in a.col_mut(j) {
            *x = f(*x);
        }
    }
}

/// `dst[i, j] ← f(a[i, j])`
pub fn map_into<T: Scalar>(dst: &mut Matrix<T>, a: &Matrix<T>, mut f: impl FnMut(T) -> T) {
    assert_eq!(dst.shape(), a.shape(), "map_into: shape mismatch");
    for j in 0..a.cols() {
        for (d, &x) in dst.col_mut(j).iter_mut().zip(a.col(j)) {
            *d = f(x);
        }
    }
}

/// `dst[i, j] ← f(dst[i, j], a[i, j])`
pub fn zip_map_inplace<T: Scalar>(
    dst: &mut Matrix<T>,
    a: &Matrix<T>,
    mut f: impl FnMut(T, T) -> T,
) {
    assert_eq!(dst.shape(), a.shape(), "zip_map_inplace: shape mismatch");
    for j in 0..a.cols() {
        for (d, &x) in dst.col_mut(j).iter_mut().zip(a.col(j)) {
            *d = f(*d, x);
        }
    }
}

/// `dst ← dst ⊙ a`, the Hadamard (elementwise) product.
pub fn hadamard_inplace<T: Scalar>(dst: &mut Matrix<T>, a: &Matrix<T>) {
    zip_map_inplace(dst, a, |d, x| d * x);
}

/// `dst ← dst + α·a`
pub fn axpy<T: Scalar>(dst: &mut Matrix<T>, alpha: T, a: &Matrix<T>) {
    zip_map_inplace(dst, a, |d, x| d + alpha * x);
}
