//! [`Factor`]: one factor of a product, a matrix as it is or transposed in place.

use crate::{Matrix, Scalar};

/// One factor of a product: a matrix as it is, or its transpose ([`Matrix::t`]), which is read in place.
#[derive(Clone, Copy, Debug)]
pub struct Factor<'a, T: Scalar> {
    matrix: &'a Matrix<T>,
    transposed: bool,
}

impl<'a, T: Scalar> From<&'a Matrix<T>> for Factor<'a, T> {
    fn from(matrix: &'a Matrix<T>) -> Self {
        Factor {
            matrix,
            transposed: false,
        }
    }
}

impl<T: Scalar> Matrix<T> {
    /// This matrix transposed, as a factor of [`matmul`](crate::ops::matmul): no copy is made.
    pub fn t(&self) -> Factor<'_, T> {
        Factor {
            matrix: self,
            transposed: true,
        }
    }
}

impl<'a, T: Scalar> Factor<'a, T> {
    pub(crate) fn as_ref(self) -> faer::MatRef<'a, T> {
        if self.transposed {
            self.matrix.inner.transpose()
        } else {
            self.matrix.inner.as_ref()
        }
    }
}
