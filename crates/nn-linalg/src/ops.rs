//! Operations that write into a preallocated output, so that a training loop allocates nothing.
//!
//! Elementwise operations run as [`Kernel`]s under [`dispatch`], so their loops use the CPU's widest vector instructions;
//! sums use [`sum`]'s fixed, vectorisable order.
//!
//! Shapes are written `rows×cols`. Every function checks its shapes and panics on a mismatch: a mismatch here
//! is a bug in the caller, never bad user input (`nn-core` validates user input before it reaches this layer).

pub use crate::factor::Factor;
pub use crate::gemm::matmul_packed;
use crate::simd::{Kernel, dispatch, sum};
use crate::{Matrix, Scalar, Threads};

pub use crate::product::Accum;

/// `dst ← [dst +] α · lhs · rhs` in `parts` blocks of the output: rows if it has at least as many rows as
/// columns, else columns, halved recursively under `rayon::join`. Each block is one sequential product at the
/// pinned level (`product.rs`), so
/// every element is the same dot product as on one thread, bit for bit; and unlike faer's own parallel product,
/// which allocates small task blocks on every call, this allocates nothing.
fn split_product<T: Scalar>(
    dst: faer::MatMut<'_, T>,
    accum: Accum,
    lhs: faer::MatRef<'_, T>,
    rhs: faer::MatRef<'_, T>,
    alpha: T,
    parts: usize,
) {
    if parts <= 1 || dst.nrows().max(dst.ncols()) < 2 {
        crate::product::product(dst, accum, lhs, rhs, alpha);
        return;
    }
    let first = parts / 2;
    let (one, other) = if dst.nrows() >= dst.ncols() {
        let mid = dst.nrows() * first / parts;
        let (top, bottom) = dst.split_at_row_mut(mid);
        let (lhs_top, lhs_bottom) = lhs.split_at_row(mid);
        ((top, lhs_top, rhs), (bottom, lhs_bottom, rhs))
    } else {
        let mid = dst.ncols() * first / parts;
        let (left, right) = dst.split_at_col_mut(mid);
        let (rhs_left, rhs_right) = rhs.split_at_col(mid);
        ((left, lhs, rhs_left), (right, lhs, rhs_right))
    };
    rayon::join(
        || split_product(one.0, accum, one.1, one.2, alpha, first),
        || split_product(other.0, accum, other.1, other.2, alpha, parts - first),
    );
}

/// `dst (m×n) ← [dst +] α · A (m×k) · B (k×n)`, where A and B are matrices or transposes (`x.t()`): the
/// forward product `A·W`, the weight gradient `Aᵀ·δ` and the back-propagated error `δ·Wᵀ` are all this.
///
/// # Panics
/// If the shapes do not chain (a bug in the caller: shapes come from validated architectures).
pub fn matmul<'a, 'b, T: Scalar>(
    dst: &mut Matrix<T>,
    accum: Accum,
    a: impl Into<Factor<'a, T>>,
    b: impl Into<Factor<'b, T>>,
    alpha: T,
    threads: Threads,
) {
    let (lhs, rhs) = (a.into().as_ref(), b.into().as_ref());
    let (m, k, n) = (lhs.nrows(), lhs.ncols(), rhs.ncols());
    crate::shapes::assert_chains("matmul", (m, k, n), rhs.nrows(), dst);
    split_product(
        dst.inner.as_mut(),
        accum,
        lhs,
        rhs,
        alpha,
        threads.parts_for(2 * m * n * k),
    );
}

/// `dst (k×n) ← aᵀ · b`, for `a` (m×k) and `b` (m×n): a weight gradient `Aᵀ·δ`, over the samples.
///
/// Two forms give the same bits: the product of `aᵀ` and `b`, and that of `bᵀ` and `a` into `scratch`
/// (n×k), then copied, transposed, into `dst`. Each element is the same chain over the samples in both,
/// since a fused multiply-add's product does not depend on the order of its factors. The second form reads
/// `a` (the big operand, the inputs) the way it is stored, column by column, where the first has to repack
/// it transposed. On an Intel Xeon (Ice Lake) with AVX-512 the second was 1.2–1.4× as fast on the digits' and
/// MNIST's shapes; under AVX2 there it was 1.2× on the digits' and level on MNIST's (docs/performance.md). So
/// the first call for a shape times both on up to 4,096 samples and keeps the faster for the process
/// ([`Packed::fastest_tile`](crate::Packed::fastest_tile) does the same for the forward kernel), if the
/// caller's `uses` (how many products of this shape are to come: a run's gradient passes) come to at least
/// ten times the timing's own; a shorter run takes the second form untimed, the one that timed faster, or
/// within 4%, on every CPU and shape measured so far (on the Ice Lake Xeon, 0.96–1.41× the first's speed;
/// the AMD Zen 4 chose it in every timing of the digits' and MNIST's shapes). A product under 2²²
/// multiply-adds takes the first form untimed. `scratch` is resized on the first call that needs it, and
/// reused after.
///
/// # Panics
/// If the shapes do not chain (a bug in the caller).
pub fn matmul_tn<T: Scalar>(
    dst: &mut Matrix<T>,
    a: &Matrix<T>,
    b: &Matrix<T>,
    scratch: &mut Matrix<T>,
    threads: Threads,
    uses: usize,
) {
    let (m, k, n) = (a.rows(), a.cols(), b.cols());
    crate::shapes::assert_chains("matmul_tn", (k, m, n), b.rows(), dst);
    let swapped = m * k * n >= crate::tuning::MIN_WORK && transposed_is_faster(a, b, uses);
    if !swapped {
        matmul(dst, Accum::Replace, a.t(), b, T::ONE, threads);
        return;
    }
    if scratch.shape() != (n, k) {
        *scratch = Matrix::zeros(n, k);
    }
    matmul(scratch, Accum::Replace, b.t(), a, T::ONE, threads);
    for j in 0..n {
        for (f, g) in dst.col_mut(j).iter_mut().enumerate() {
            *g = scratch.get(j, f);
        }
    }
}

/// Which form [`matmul_tn`] uses for `m` samples, `k` inputs and `n` outputs in `T` at the current level, for
/// reports: `Some(true)` for `(bᵀ·a)ᵀ`, `Some(false)` for `aᵀ·b` (also for a product too small to be timed),
/// `None` if no call of that shape has timed them yet (a call that does not time them takes `(bᵀ·a)ᵀ`).
pub fn matmul_tn_transposes<T: Scalar>(m: usize, k: usize, n: usize) -> Option<bool> {
    if m * k * n < crate::tuning::MIN_WORK {
        return Some(false);
    }
    crate::tuning::kept(tn_key::<T>(m, k, n)).map(|choice| choice == 1)
}

/// What [`matmul_tn`]'s choice for `m` samples, `k` inputs and `n` outputs is kept under.
fn tn_key<T: Scalar>(m: usize, k: usize, n: usize) -> crate::tuning::Key {
    crate::tuning::Key {
        what: "weight gradient",
        shape: (m.min(crate::tuning::ROWS), k, n),
        scalar: T::NAME,
        level: crate::simd::level(),
    }
}

/// Whether [`matmul_tn`] takes its second form (`(bᵀ·a)ᵀ`) for this shape here: the faster of the two,
/// timed on the first call for the shape whose `uses` pay for the timing, then kept; the second form until
/// then.
fn transposed_is_faster<T: Scalar>(a: &Matrix<T>, b: &Matrix<T>, uses: usize) -> bool {
    let rows = a.rows().min(crate::tuning::ROWS);
    let (k, n) = (a.cols(), b.cols());
    let key = tn_key::<T>(a.rows(), k, n);
    let choice = crate::tuning::fastest(key, 2, (uses, a.rows()), 1, || {
        let a = Matrix::from_fn(rows, k, |i, j| a.get(i, j));
        let b = Matrix::from_fn(rows, n, |i, j| b.get(i, j));
        let (mut g, mut gt) = (Matrix::zeros(k, n), Matrix::zeros(n, k));
        move |form| match form {
            0 => matmul(&mut g, Accum::Replace, a.t(), &b, T::ONE, Threads::Single),
            _ => matmul(&mut gt, Accum::Replace, b.t(), &a, T::ONE, Threads::Single),
        }
    });
    choice == 1
}

/// A block of whole columns of a [`Matrix`], handed to one thread by [`for_column_blocks`].
pub struct ColumnsMut<'a, T: Scalar> {
    inner: faer::MatMut<'a, T>,
    first: usize,
}

impl<T: Scalar> ColumnsMut<'_, T> {
    /// The matrix column that is column 0 of this block.
    pub fn first(&self) -> usize {
        self.first
    }

    /// Number of columns in the block.
    pub fn cols(&self) -> usize {
        self.inner.ncols()
    }

    /// Column `j` of the block (matrix column `first() + j`) as a contiguous slice.
    #[inline]
    pub fn col_mut(&mut self, j: usize) -> &mut [T] {
        faer::reborrow::ReborrowMut::rb_mut(&mut self.inner)
            .col_mut(j)
            .try_as_col_major_mut()
            .expect("a Matrix stores its columns contiguously")
            .as_slice_mut()
    }
}

/// Calls `work` on blocks of whole columns that together cover `a`: one block for small matrices or one thread,
/// otherwise one block per thread, run under `rayon::join`. For elementwise work whose result does not depend
/// on how columns are grouped, so the bits are those of one thread. Allocates nothing.
pub fn for_column_blocks<T: Scalar>(
    a: &mut Matrix<T>,
    threads: Threads,
    work: &(impl Fn(ColumnsMut<'_, T>) + Sync),
) {
    let parts = column_parts(a, threads);
    split_columns(a.inner.as_mut(), 0, parts, work);
}

fn split_columns<T: Scalar>(
    a: faer::MatMut<'_, T>,
    first: usize,
    parts: usize,
    work: &(impl Fn(ColumnsMut<'_, T>) + Sync),
) {
    if parts <= 1 {
        return work(ColumnsMut { inner: a, first });
    }
    let half = parts / 2;
    let mid = a.ncols() * half / parts;
    let (left, right) = a.split_at_col_mut(mid);
    rayon::join(
        || split_columns(left, first, half, work),
        || split_columns(right, first + mid, parts - half, work),
    );
}

/// `dst[i, j] += row[j]` for every row `i`: the bias add.
pub fn add_row_broadcast<T: Scalar>(dst: &mut Matrix<T>, row: &[T]) {
    assert_eq!(row.len(), dst.cols(), "add_row_broadcast: row length");
    struct K<'a, T: Scalar>(&'a mut Matrix<T>, &'a [T]);
    impl<T: Scalar> Kernel for K<'_, T> {
        type Output = ();
        #[inline(always)]
        fn run(self) {
            for (j, &r) in self.1.iter().enumerate() {
                for x in self.0.col_mut(j) {
                    *x += r;
                }
            }
        }
    }
    dispatch(K(dst, row))
}

/// `out[j] ← [out[j] +] Σᵢ a[i, j]`: the bias gradient. Each column's sum is [`sum`]'s fixed order; the columns
/// are split between `threads` as [`for_column_blocks`] splits them, so the result is the same on any count.
pub fn col_sums<T: Scalar>(out: &mut [T], accum: Accum, a: &Matrix<T>, threads: Threads) {
    assert_eq!(out.len(), a.cols(), "col_sums: output length");
    struct K<'a, T: Scalar>(&'a mut [T], Accum, &'a Matrix<T>, usize);
    impl<T: Scalar> Kernel for K<'_, T> {
        type Output = ();
        #[inline(always)]
        fn run(self) {
            for (j, o) in self.0.iter_mut().enumerate() {
                let s = sum(self.2.col(self.3 + j));
                *o = match self.1 {
                    Accum::Replace => s,
                    Accum::Add => *o + s,
                };
            }
        }
    }
    fn split<T: Scalar>(out: &mut [T], first: usize, parts: usize, accum: Accum, a: &Matrix<T>) {
        if parts <= 1 {
            return dispatch(K(out, accum, a, first));
        }
        let half = parts / 2;
        let mid = out.len() * half / parts;
        let (left, right) = out.split_at_mut(mid);
        rayon::join(
            || split(left, first, half, accum, a),
            || split(right, first + mid, parts - half, accum, a),
        );
    }
    split(out, 0, column_parts(a, threads), accum, a);
}

/// How many blocks of whole columns elementwise work on `a` is split into: one per thread, and one for a
/// small matrix or a single thread.
fn column_parts<T: Scalar>(a: &Matrix<T>, threads: Threads) -> usize {
    if a.rows() * a.cols() < Threads::MIN_PARALLEL_ELEMENTS {
        1
    } else {
        threads.count().min(a.cols())
    }
}

/// `a[i, j] ← f(a[i, j])`
#[inline(always)]
pub fn map_inplace<T: Scalar, F: FnMut(T) -> T>(a: &mut Matrix<T>, f: F) {
    struct K<'a, T: Scalar, F>(&'a mut Matrix<T>, F);
    impl<T: Scalar, F: FnMut(T) -> T> Kernel for K<'_, T, F> {
        type Output = ();
        #[inline(always)]
        fn run(mut self) {
            for j in 0..self.0.cols() {
                for x in self.0.col_mut(j) {
                    *x = (self.1)(*x);
                }
            }
        }
    }
    dispatch(K(a, f))
}

/// `dst[i, j] ← f(a[i, j])`
#[inline(always)]
pub fn map_into<T: Scalar, F: FnMut(T) -> T>(dst: &mut Matrix<T>, a: &Matrix<T>, mut f: F) {
    assert_eq!(dst.shape(), a.shape(), "map_into: shape mismatch");
    zip_map_inplace(dst, a, |_, x| f(x));
}

/// `dst[i, j] ← f(dst[i, j], a[i, j])`
#[inline(always)]
pub fn zip_map_inplace<T: Scalar, F: FnMut(T, T) -> T>(dst: &mut Matrix<T>, a: &Matrix<T>, f: F) {
    assert_eq!(dst.shape(), a.shape(), "zip_map_inplace: shape mismatch");
    struct K<'a, T: Scalar, F>(&'a mut Matrix<T>, &'a Matrix<T>, F);
    impl<T: Scalar, F: FnMut(T, T) -> T> Kernel for K<'_, T, F> {
        type Output = ();
        #[inline(always)]
        fn run(mut self) {
            for j in 0..self.1.cols() {
                for (d, &x) in self.0.col_mut(j).iter_mut().zip(self.1.col(j)) {
                    *d = (self.2)(*d, x);
                }
            }
        }
    }
    dispatch(K(dst, a, f))
}

/// `dst[i, j] ← f(dst[i, j], a[i, j])`, as [`zip_map_inplace`], with the columns split between `threads` as
/// [`for_column_blocks`] splits them: every element's result is the same on any count. For the backward
/// pass's big elementwise products (δ ⊙ f′, δ ⊙ the dropout mask).
pub fn zip_map_columns<T: Scalar, F: Fn(T, T) -> T + Sync>(
    dst: &mut Matrix<T>,
    a: &Matrix<T>,
    threads: Threads,
    f: F,
) {
    assert_eq!(dst.shape(), a.shape(), "zip_map_columns: shape mismatch");
    struct K<'a, 'b, T: Scalar, F>(ColumnsMut<'b, T>, &'a Matrix<T>, &'a F);
    impl<T: Scalar, F: Fn(T, T) -> T> Kernel for K<'_, '_, T, F> {
        type Output = ();
        #[inline(always)]
        fn run(mut self) {
            for j in 0..self.0.cols() {
                let src = self.1.col(self.0.first() + j);
                for (d, &x) in self.0.col_mut(j).iter_mut().zip(src) {
                    *d = (self.2)(*d, x);
                }
            }
        }
    }
    for_column_blocks(dst, threads, &|block| dispatch(K(block, a, &f)));
}

/// `dst ← dst ⊙ a`, the Hadamard (elementwise) product.
pub fn hadamard_inplace<T: Scalar>(dst: &mut Matrix<T>, a: &Matrix<T>) {
    zip_map_inplace(dst, a, |d, x| d * x);
}

/// `dst ← dst + α·a`
pub fn axpy<T: Scalar>(dst: &mut Matrix<T>, alpha: T, a: &Matrix<T>) {
    zip_map_inplace(dst, a, |d, x| d + alpha * x);
}

#[cfg(test)]
mod tests;
