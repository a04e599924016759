//! Building a matrix a column at a time, and splitting it into parts of rows, without a second copy of
//! it: what lets a large file's dataset be made and split in little more memory than the matrix itself.

use super::Matrix;
use crate::Scalar;
use faer::Mat;
use std::mem::MaybeUninit;

impl<T: Scalar> Matrix<T> {
    /// A `rows × 0` matrix with room for `cols` columns, to be grown by [`push_col`](Self::push_col). The
    /// room is allocated but not written, so the memory it takes grows with the columns pushed.
    pub fn with_capacity(rows: usize, cols: usize) -> Self {
        let mut inner = Mat::with_capacity(rows, cols);
        inner.resize_with(rows, 0, |_, _| T::ZERO);
        Matrix { inner }
    }

    /// Appends a column whose entry `i` is `f(i)`, within the room of
    /// [`with_capacity`](Self::with_capacity) (beyond it, the matrix is moved to a larger allocation).
    pub fn push_col(&mut self, mut f: impl FnMut(usize) -> T) {
        let (rows, cols) = self.shape();
        self.inner.resize_with(rows, cols + 1, |i, _| f(i));
    }

    /// A `rows × Σ width` matrix built a group of columns at a time, on up to `threads` threads: group `g`
    /// is `groups[g].0` columns, after those of the groups before it, and `fill(groups[g].1, columns)` writes
    /// them (each column is `rows` zeros when it is handed over). The first error in group order is returned.
    ///
    /// Each thread takes a run of whole groups, about as many columns as the others, and each column's memory
    /// is first touched (so faulted in) by the thread that fills it: building a large matrix from a table is
    /// mostly those faults, which a serial fill (`from_fn`, [`push_col`](Self::push_col)) would take one at a
    /// time. A group's item is given away, so an item that owns its source (a table's column) frees it as soon
    /// as it is written. The entries do not depend on `threads`.
    pub fn try_from_column_groups<G, E, F>(
        rows: usize,
        groups: Vec<(usize, G)>,
        threads: usize,
        fill: F,
    ) -> Result<Self, E>
    where
        G: Send,
        E: Send,
        F: Fn(G, &mut [&mut [T]]) -> Result<(), E> + Sync,
    {
        let cols: usize = groups.iter().map(|g| g.0).sum();
        let mut inner = Mat::<T>::with_capacity(rows, cols);
        let stride = inner.col_stride().unsigned_abs();
        if rows == 0 || cols == 0 {
            for (width, item) in groups {
                let mut empty: Vec<&mut [T]> = (0..width).map(|_| <&mut [T]>::default()).collect();
                fill(item, &mut empty)?;
            }
            return Ok(Matrix::zeros(rows, cols));
        }
        // The runs of groups: a group goes to the thread whose share of the columns holds its middle.
        let threads = threads.clamp(1, groups.len());
        let mut runs: Vec<Vec<(usize, G)>> = (0..threads).map(|_| Vec::new()).collect();
        let mut before = 0;
        for group in groups {
            let t = ((2 * before + group.0) * threads / (2 * cols)).min(threads - 1);
            before += group.0;
            runs[t].push(group);
        }
        // Each run's columns of the room, in order.
        let mut rest = uninit_columns(&mut inner, stride * cols);
        let mut parts = Vec::with_capacity(threads);
        for run in &runs {
            let width: usize = run.iter().map(|g| g.0).sum();
            let (part, tail) = rest.split_at_mut(width * stride);
            parts.push(part);
            rest = tail;
        }
        let fill = &fill;
        let mut results: Vec<Result<(), E>> = Vec::with_capacity(threads);
        let mut jobs = runs.into_iter().zip(parts);
        let first = jobs.next().expect("at least one thread");
        std::thread::scope(|scope| {
            let others: Vec<_> = jobs
                .map(|(run, part)| scope.spawn(move || fill_run(run, part, rows, stride, fill)))
                .collect();
            results.push(fill_run(first.0, first.1, rows, stride, fill));
            for handle in others {
                match handle.join() {
                    Ok(r) => results.push(r),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
        results.into_iter().collect::<Result<Vec<()>, E>>()?;
        set_columns(&mut inner, rows, cols);
        Ok(Matrix { inner })
    }

    /// Splits the rows into parts: part `k` holds the rows `parts[k]`, in that order. The first part keeps
    /// this matrix's storage (its rows are reordered in place, then the matrix is cut to them), and each
    /// other part is a new matrix. So the memory used at most is this matrix, the later parts, and one
    /// column; a row may appear in several parts, or in none.
    ///
    /// # Panics
    /// If `parts` is empty or an index is out of range.
    pub fn into_row_parts(mut self, parts: &[&[usize]]) -> Vec<Matrix<T>> {
        assert!(!parts.is_empty(), "into_row_parts: no parts");
        let m = self.rows();
        assert!(
            parts.iter().flat_map(|p| p.iter()).all(|&i| i < m),
            "into_row_parts: a row index is out of range ({m} rows)"
        );
        let mut later: Vec<Matrix<T>> = (parts[1..].iter())
            .map(|p| Matrix::zeros(p.len(), self.cols()))
            .collect();
        let first = parts[0];
        let mut column = vec![T::ZERO; first.len()];
        for j in 0..self.cols() {
            let src = self.col(j);
            for (part, rows) in later.iter_mut().zip(&parts[1..]) {
                for (d, &i) in part.col_mut(j).iter_mut().zip(rows.iter()) {
                    *d = src[i];
                }
            }
            for (d, &i) in column.iter_mut().zip(first) {
                *d = src[i];
            }
            // The first part's rows may need more than the matrix has (a row repeated): grow it once.
            if first.len() > m {
                self.resize_rows(first.len());
            }
            self.col_mut(j)[..first.len()].copy_from_slice(&column);
        }
        self.resize_rows(first.len());
        let mut out = Vec::with_capacity(parts.len());
        out.push(self);
        out.append(&mut later);
        out
    }
}

/// Group after group of `run`, each given its columns of `part` (`stride` entries a column), zeroed.
fn fill_run<T: Scalar, G, E>(
    run: Vec<(usize, G)>,
    part: &mut [MaybeUninit<T>],
    rows: usize,
    stride: usize,
    fill: &(impl Fn(G, &mut [&mut [T]]) -> Result<(), E> + Sync),
) -> Result<(), E> {
    let mut columns = part.chunks_exact_mut(stride);
    for (width, item) in run {
        let mut group: Vec<&mut [T]> = (columns.by_ref().take(width))
            .map(|column| zeroed(&mut column[..rows]))
            .collect();
        fill(item, &mut group)?;
    }
    Ok(())
}

/// `column` with every entry written as zero.
#[allow(unsafe_code)]
fn zeroed<T: Scalar>(column: &mut [MaybeUninit<T>]) -> &mut [T] {
    for x in column.iter_mut() {
        x.write(T::ZERO);
    }
    // SAFETY: every entry was just written, and `MaybeUninit<T>` has `T`'s layout.
    unsafe { &mut *(column as *mut [MaybeUninit<T>] as *mut [T]) }
}

/// The first `len` entries of `inner`'s allocation, which `Mat::with_capacity` made and nothing has written.
#[allow(unsafe_code)]
fn uninit_columns<T: Scalar>(inner: &mut Mat<T>, len: usize) -> &mut [MaybeUninit<T>] {
    // SAFETY: `inner` has no columns yet and room for `len` entries (`len` is the column stride times at most
    // its column capacity), one allocation that `inner` keeps borrowed for the slice's life; a
    // `MaybeUninit` may be uninitialised.
    unsafe { std::slice::from_raw_parts_mut(inner.as_ptr_mut().cast::<MaybeUninit<T>>(), len) }
}

/// Gives `inner` its dimensions once its first `rows` entries of each of its first `cols` columns are written.
#[allow(unsafe_code)]
fn set_columns<T: Scalar>(inner: &mut Mat<T>, rows: usize, cols: usize) {
    // SAFETY: `Mat::with_capacity(rows, cols)` made the room for these dimensions, and
    // `try_from_column_groups` zeroed every entry of the `cols` columns' first `rows` rows (`fill_run`,
    // `zeroed`) before handing them on.
    unsafe { inner.set_dims(rows, cols) }
}

#[cfg(test)]
mod tests {
    use super::Matrix;
    use proptest::prelude::*;

    #[test]
    fn columns_pushed_make_the_matrix_from_fn_makes() {
        let mut a = Matrix::<f64>::with_capacity(5, 3);
        assert_eq!(a.shape(), (5, 0));
        for j in 0..3 {
            a.push_col(|i| (10 * i + j) as f64);
        }
        assert_eq!(a, Matrix::from_fn(5, 3, |i, j| (10 * i + j) as f64));
        // Past the room asked for, it still grows.
        a.push_col(|i| i as f64);
        assert_eq!(a.col(3), &[0.0, 1.0, 2.0, 3.0, 4.0]);
    }

    /// Group `g` of `widths` as `try_from_column_groups` fills it: entry `(i, j)` is `100 i + j`, after
    /// checking that each column came zeroed; group `fails` (if any) fails with its index.
    fn groups_of(
        rows: usize,
        widths: &[usize],
        threads: usize,
        fails: &[usize],
    ) -> Result<Matrix<f64>, usize> {
        let mut first = 0;
        let groups: Vec<(usize, (usize, usize))> = (widths.iter().enumerate())
            .map(|(g, &w)| {
                first += w;
                (w, (g, first - w))
            })
            .collect();
        Matrix::try_from_column_groups(rows, groups, threads, |(g, first), columns| {
            assert!(
                columns
                    .iter()
                    .all(|c| c.len() == rows && c.iter().all(|&x| x == 0.0))
            );
            if fails.contains(&g) {
                return Err(g);
            }
            for (k, column) in columns.iter_mut().enumerate() {
                for (i, x) in column.iter_mut().enumerate() {
                    *x = (100 * i + first + k) as f64;
                }
            }
            Ok(())
        })
    }

    #[test]
    fn column_groups_at_the_edges() {
        // No rows, no columns, empty groups, more threads than groups.
        for (rows, widths, threads) in [
            (0, vec![2, 0, 3], 2),
            (4, vec![], 3),
            (4, vec![0, 0], 2),
            (3, vec![0, 2, 0, 1], 8),
            (1, vec![5], 4),
        ] {
            let cols: usize = widths.iter().sum();
            let expected = Matrix::from_fn(rows, cols, |i, j| (100 * i + j) as f64);
            assert_eq!(groups_of(rows, &widths, threads, &[]), Ok(expected));
        }
        // An empty matrix still reports its groups' errors.
        assert_eq!(groups_of(0, &[1, 1], 2, &[1]), Err(1));
    }

    #[test]
    #[should_panic(expected = "a group panicked")]
    fn a_panic_in_a_group_on_another_thread_reaches_the_caller() {
        let groups = vec![(1, 0), (1, 1), (1, 2), (1, 3)];
        let _ = Matrix::<f64>::try_from_column_groups(8, groups, 2, |g, _| -> Result<(), ()> {
            assert!(g != 3, "a group panicked");
            Ok(())
        });
    }

    proptest! {
        #[test]
        fn column_groups_fill_what_from_fn_fills_on_any_threads(
            rows in 0usize..70,
            widths in prop::collection::vec(0usize..5, 0..8),
            threads in 1usize..5,
        ) {
            let cols: usize = widths.iter().sum();
            let expected = Matrix::from_fn(rows, cols, |i, j| (100 * i + j) as f64);
            prop_assert_eq!(groups_of(rows, &widths, threads, &[]), Ok(expected));
        }

        #[test]
        fn column_groups_give_the_first_error_in_group_order(
            widths in prop::collection::vec(1usize..4, 2..8),
            threads in 1usize..5,
            a in 0usize..8,
            b in 0usize..8,
        ) {
            let fails = [a % widths.len(), b % widths.len()];
            let first = *fails.iter().min().expect("two");
            prop_assert_eq!(groups_of(9, &widths, threads, &fails), Err(first));
        }

        #[test]
        fn row_parts_equal_selected_rows(
            rows in 1usize..40,
            cols in 0usize..5,
            parts in prop::collection::vec(prop::collection::vec(0usize..1000, 0..60), 1..4),
        ) {
            let a = Matrix::<f64>::from_fn(rows, cols, |i, j| (i * 7 + j * 1000) as f64);
            let parts: Vec<Vec<usize>> = (parts.into_iter())
                .map(|p| p.into_iter().map(|i| i % rows).collect())
                .collect();
            let slices: Vec<&[usize]> = parts.iter().map(Vec::as_slice).collect();
            let expected: Vec<Matrix<f64>> = slices.iter().map(|p| a.select_rows(p)).collect();
            prop_assert_eq!(a.into_row_parts(&slices), expected);
        }
    }
}
