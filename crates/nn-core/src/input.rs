//! [`Input`]: the samples a gradient reads, with their packed copy if any.

use nn_linalg::{Matrix, Packed, Scalar};

/// The samples a gradient reads: their matrix, and optionally the same matrix packed for the first layer's
/// forward product ([`Packed`], our own kernel; the same bits as without). A full-batch trainer packs its
/// training inputs once per run; everything else passes a plain `&Matrix`.
#[derive(Clone, Copy, Debug)]
pub struct Input<'x, T: Scalar> {
    pub(crate) x: &'x Matrix<T>,
    pub(crate) packed: Option<&'x Packed<T>>,
}

impl<'x, T: Scalar> From<&'x Matrix<T>> for Input<'x, T> {
    fn from(x: &'x Matrix<T>) -> Self {
        Input { x, packed: None }
    }
}

impl<'x, T: Scalar> Input<'x, T> {
    /// `x` with its packed copy, if any. A `packed` of another shape than `x` is not used.
    pub fn new(x: &'x Matrix<T>, packed: Option<&'x Packed<T>>) -> Self {
        let packed = packed.filter(|p| p.rows() == x.rows() && p.cols() == x.cols());
        Input { x, packed }
    }
}
