//! Building a matrix a column at a time, and splitting it into parts of rows, without a second copy of
//! it: what lets a large file's dataset be made and split in little more memory than the matrix itself.

use super::Matrix;
use crate::Scalar;
use faer::Mat;

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

    proptest! {
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
