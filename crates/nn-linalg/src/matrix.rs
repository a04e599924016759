//! [`Matrix`]: a dense, column-major matrix whose rows are samples.

use crate::Scalar;
use faer::Mat;

mod in_place;

/// A dense matrix of `f32` or `f64`, stored column-major. By convention its rows are samples and its columns
/// are features or units.
///
/// Column `j` is one contiguous slice ([`Matrix::col`]), which is what the fused elementwise kernels of
/// `nn-core` iterate over.
///
/// ```
/// use nn_linalg::Matrix;
/// let a = Matrix::<f64>::from_row_major(2, 3, &[1., 2., 3., 4., 5., 6.]);
/// assert_eq!(a.get(1, 0), 4.0);
/// assert_eq!(a.col(2), &[3.0, 6.0]);
/// ```
#[derive(Clone, PartialEq)]
pub struct Matrix<T: Scalar = f64> {
    pub(crate) inner: Mat<T>,
}

impl<T: Scalar> Matrix<T> {
    /// A `rows × cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Matrix {
            inner: Mat::zeros(rows, cols),
        }
    }

    /// A matrix whose entry `(i, j)` is `f(i, j)`.
    pub fn from_fn(rows: usize, cols: usize, f: impl FnMut(usize, usize) -> T) -> Self {
        Matrix {
            inner: Mat::from_fn(rows, cols, f),
        }
    }

    /// A matrix from row-major data, as text files and most people write it.
    ///
    /// # Panics
    /// If `data.len() != rows * cols`.
    pub fn from_row_major(rows: usize, cols: usize, data: &[T]) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "from_row_major: {rows}×{cols} needs {} values",
            rows * cols
        );
        Self::from_fn(rows, cols, |i, j| data[i * cols + j])
    }

    /// A matrix from column-major data, as MATLAB files store it.
    ///
    /// # Panics
    /// If `data.len() != rows * cols`.
    pub fn from_col_major(rows: usize, cols: usize, data: &[T]) -> Self {
        match Self::try_from_col_major(rows, cols, data) {
            Some(m) => m,
            None => panic!(
                "from_col_major: {rows}×{cols} does not match the {} values given",
                data.len()
            ),
        }
    }

    /// [`from_col_major`](Self::from_col_major) for sizes that come from outside (files): `None` unless
    /// `rows × cols` (computed without overflow) equals `data.len()`.
    pub fn try_from_col_major(rows: usize, cols: usize, data: &[T]) -> Option<Self> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return None;
        }
        Some(Self::from_fn(rows, cols, |i, j| data[j * rows + i]))
    }

    /// Number of rows (samples).
    #[inline]
    pub fn rows(&self) -> usize {
        self.inner.nrows()
    }

    /// Number of columns.
    #[inline]
    pub fn cols(&self) -> usize {
        self.inner.ncols()
    }

    /// `(rows, cols)`.
    #[inline]
    pub fn shape(&self) -> (usize, usize) {
        (self.rows(), self.cols())
    }

    /// Entry `(i, j)`.
    ///
    /// # Panics
    /// If the index is out of bounds.
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> T {
        self.inner[(i, j)]
    }

    /// Sets entry `(i, j)`.
    ///
    /// # Panics
    /// If the index is out of bounds.
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, value: T) {
        self.inner[(i, j)] = value;
    }

    /// Column `j` as a contiguous slice of length [`rows`](Self::rows).
    #[inline]
    pub fn col(&self, j: usize) -> &[T] {
        self.inner.col_as_slice(j)
    }

    /// Column `j` as a mutable contiguous slice.
    #[inline]
    pub fn col_mut(&mut self, j: usize) -> &mut [T] {
        self.inner.col_as_slice_mut(j)
    }

    /// Row `i` as a new vector.
    pub fn row_to_vec(&self, i: usize) -> Vec<T> {
        (0..self.cols()).map(|j| self.inner[(i, j)]).collect()
    }

    /// All entries, row by row.
    pub fn to_row_major(&self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.rows() * self.cols());
        for i in 0..self.rows() {
            out.extend((0..self.cols()).map(|j| self.inner[(i, j)]));
        }
        out
    }

    /// All entries, column by column.
    pub fn to_col_major(&self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.rows() * self.cols());
        for j in 0..self.cols() {
            out.extend_from_slice(self.col(j));
        }
        out
    }

    /// Changes the number of rows, keeping the columns. Rows that are kept keep their values; new rows are
    /// zero. Shrinking, and growing back to a size the matrix has held before, does not allocate: this is
    /// how a mini-batch workspace follows the batch size.
    pub fn resize_rows(&mut self, rows: usize) {
        let cols = self.cols();
        self.inner.resize_with(rows, cols, |_, _| T::ZERO);
    }

    /// Sets every entry to `value`.
    pub fn fill(&mut self, value: T) {
        for j in 0..self.cols() {
            self.col_mut(j).fill(value);
        }
    }

    /// Copies `src` into `self`; the shapes must match.
    pub fn copy_from(&mut self, src: &Matrix<T>) {
        assert_eq!(self.shape(), src.shape(), "copy_from: shape mismatch");
        self.inner.copy_from(&src.inner);
    }

    /// The same matrix in another precision.
    pub fn cast<U: Scalar>(&self) -> Matrix<U> {
        Matrix::from_fn(self.rows(), self.cols(), |i, j| {
            U::from_f64(self.get(i, j).to_f64())
        })
    }

    /// The transpose, as a new matrix.
    pub fn transpose(&self) -> Matrix<T> {
        Matrix::from_fn(self.cols(), self.rows(), |i, j| self.get(j, i))
    }

    /// Copies the rows listed in `indices`, in that order, into `dst`, which is resized to
    /// `indices.len()` rows (without allocating when it has held that many before).
    pub fn gather_rows_into(&self, indices: &[usize], dst: &mut Matrix<T>) {
        assert_eq!(dst.cols(), self.cols(), "gather_rows_into: column count");
        dst.resize_rows(indices.len());
        for j in 0..self.cols() {
            let src = self.col(j);
            for (d, &i) in dst.col_mut(j).iter_mut().zip(indices) {
                *d = src[i];
            }
        }
    }

    /// Copies the columns listed in `indices`, in that order, into the rows of `dst`, which is resized to
    /// `indices.len()` rows (without allocating when it has held that many before): `dst = selfᵀ[indices, :]`.
    ///
    /// With samples stored as the columns of `self` (the transpose of a data matrix), this gathers shuffled
    /// samples reading each one as one contiguous run, eight samples at a time so that the writes into each
    /// column of `dst` are contiguous too; a row gather from a column-major matrix instead touches a new
    /// cache line for every value.
    pub fn gather_cols_as_rows_into(&self, indices: &[usize], dst: &mut Matrix<T>) {
        assert_eq!(dst.cols(), self.rows(), "gather_cols_as_rows_into: width");
        dst.resize_rows(indices.len());
        const GROUP: usize = 8;
        for (g, group) in indices.chunks(GROUP).enumerate() {
            let src: [&[T]; GROUP] =
                std::array::from_fn(|t| self.col(group.get(t).copied().unwrap_or(group[0])));
            let at = g * GROUP;
            #[allow(clippy::needless_range_loop)]
            // j picks dst's column and the entry of every source
            for j in 0..self.rows() {
                let out = &mut dst.col_mut(j)[at..at + group.len()];
                for (t, o) in out.iter_mut().enumerate() {
                    *o = src[t][j];
                }
            }
        }
    }

    /// Copies rows `start..start + count` into `dst`, which is resized to `count` rows (without allocating
    /// when it has held that many before): a contiguous run of each column, so one `memcpy` per column.
    pub fn copy_rows_into(&self, start: usize, count: usize, dst: &mut Matrix<T>) {
        assert_eq!(dst.cols(), self.cols(), "copy_rows_into: column count");
        dst.resize_rows(count);
        for j in 0..self.cols() {
            dst.col_mut(j)
                .copy_from_slice(&self.col(j)[start..start + count]);
        }
    }

    /// A new matrix holding the rows listed in `indices`, in that order.
    pub fn select_rows(&self, indices: &[usize]) -> Matrix<T> {
        let mut out = Matrix::zeros(indices.len(), self.cols());
        self.gather_rows_into(indices, &mut out);
        out
    }

    /// The first `n` columns, as a new matrix.
    pub fn select_columns(&self, n: usize) -> Matrix<T> {
        Matrix::from_fn(self.rows(), n.min(self.cols()), |i, j| self.get(i, j))
    }

    /// Sum of squares of all entries.
    pub fn sum_squares(&self) -> T {
        (0..self.cols())
            .map(|j| self.col(j).iter().map(|&x| x * x).sum::<T>())
            .sum()
    }

    /// Whether every entry is finite.
    pub fn all_finite(&self) -> bool {
        (0..self.cols()).all(|j| self.col(j).iter().all(|x| x.is_finite()))
    }

    /// Largest `|a − b|` over all entries; the shapes must match.
    pub fn max_abs_diff(&self, other: &Matrix<T>) -> T {
        assert_eq!(self.shape(), other.shape(), "max_abs_diff: shape mismatch");
        let mut m = T::ZERO;
        for j in 0..self.cols() {
            for (&a, &b) in self.col(j).iter().zip(other.col(j)) {
                m = m.max((a - b).abs());
            }
        }
        m
    }
}

impl<T: Scalar> std::fmt::Debug for Matrix<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Matrix<{}> {}×{} [", T::NAME, self.rows(), self.cols())?;
        for i in 0..self.rows() {
            write!(f, "  ")?;
            for j in 0..self.cols() {
                write!(f, "{:>12.6} ", self.get(i, j))?;
            }
            writeln!(f)?;
        }
        write!(f, "]")
    }
}

/// Serialised as `{ rows, cols, data }` with `data` column-major.
impl<T: Scalar> serde::Serialize for Matrix<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Matrix", 3)?;
        st.serialize_field("rows", &self.rows())?;
        st.serialize_field("cols", &self.cols())?;
        st.serialize_field("data", &self.to_col_major())?;
        st.end()
    }
}

impl<'de, T: Scalar> serde::Deserialize<'de> for Matrix<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(rename = "Matrix")]
        struct Raw<T> {
            rows: usize,
            cols: usize,
            data: Vec<T>,
        }
        let raw = Raw::<T>::deserialize(d)?;
        // A dimension is bounded by the values present: a forged 0 × 2⁶⁰ "empty" matrix would otherwise pass the
        // product check and then take forever to build (found by `cargo fuzz run model_file`).
        let bound = raw.data.len().max(EMPTY_DIM_LIMIT);
        if raw.rows > bound
            || raw.cols > bound
            || raw.rows.checked_mul(raw.cols) != Some(raw.data.len())
        {
            return Err(serde::de::Error::custom(format!(
                "matrix of {}×{} holds {} values",
                raw.rows,
                raw.cols,
                raw.data.len()
            )));
        }
        Matrix::try_from_col_major(raw.rows, raw.cols, &raw.data)
            .ok_or_else(|| serde::de::Error::custom("matrix shape and values disagree"))
    }
}

/// The largest dimension a deserialised matrix without values may have.
const EMPTY_DIM_LIMIT: usize = 4096;
