//! [`Targets`]: what the output layer is trained towards, class indices or real values.

use nn_linalg::Scalar;

/// The targets of `m` samples: a class index each (sigmoid and softmax outputs), or `k` real values each (the
/// identity output of regression), column-major as an `m×k` matrix (`values[j·m + i]` is sample `i`'s
/// target for unit `j`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Targets<'a, T: Scalar = f64> {
    /// One class index per sample.
    Classes(&'a [usize]),
    /// `m·k` values, column-major.
    Values(&'a [T]),
}

impl<'a, T: Scalar> Targets<'a, T> {
    /// The class indices, if these are classes.
    pub fn classes(self) -> Option<&'a [usize]> {
        match self {
            Targets::Classes(c) => Some(c),
            Targets::Values(_) => None,
        }
    }

    /// The values, if these are values.
    pub fn values(self) -> Option<&'a [T]> {
        match self {
            Targets::Values(v) => Some(v),
            Targets::Classes(_) => None,
        }
    }

    /// How many numbers there are: samples for classes, samples × outputs for values.
    pub fn len(self) -> usize {
        match self {
            Targets::Classes(c) => c.len(),
            Targets::Values(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl<'a, T: Scalar> From<&'a [usize]> for Targets<'a, T> {
    fn from(labels: &'a [usize]) -> Self {
        Targets::Classes(labels)
    }
}

impl<'a, T: Scalar> From<&'a Vec<usize>> for Targets<'a, T> {
    fn from(labels: &'a Vec<usize>) -> Self {
        Targets::Classes(labels)
    }
}

impl<'a, T: Scalar, const N: usize> From<&'a [usize; N]> for Targets<'a, T> {
    fn from(labels: &'a [usize; N]) -> Self {
        Targets::Classes(labels)
    }
}
