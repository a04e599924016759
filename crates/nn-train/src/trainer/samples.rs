//! The data a run trains on: [`Samples`] (features and targets) for each part, in [`TrainData`].

use nn_core::Targets;
use nn_data::Standardizer;
use nn_linalg::{Matrix, Scalar};

/// Samples and their targets.
#[derive(Clone, Debug, PartialEq)]
pub struct Samples<T: Scalar = f64> {
    /// `m × n` features (already standardised if wanted).
    pub x: Matrix<T>,
    /// What the network learns to predict for each row.
    pub y: Y<T>,
}

/// The targets of `m` samples, owned: class indices, or (regression) `m × k` values, column-major and
/// already standardised if wanted.
#[derive(Clone, Debug, PartialEq)]
pub enum Y<T: Scalar = f64> {
    /// `m` class indices.
    Classes(Vec<usize>),
    /// `m·k` values, column-major.
    Values(Vec<T>),
}

impl<T: Scalar> Y<T> {
    /// Borrowed, as the network takes them.
    pub fn targets(&self) -> Targets<'_, T> {
        match self {
            Y::Classes(c) => Targets::Classes(c),
            Y::Values(v) => Targets::Values(v),
        }
    }

    /// The class indices (`None` for regression).
    pub fn labels(&self) -> Option<&[usize]> {
        match self {
            Y::Classes(c) => Some(c),
            Y::Values(_) => None,
        }
    }

    /// In precision `U`.
    pub fn cast<U: Scalar>(&self) -> Y<U> {
        match self {
            Y::Classes(c) => Y::Classes(c.clone()),
            Y::Values(v) => Y::Values(v.iter().map(|&t| U::from_f64(t.to_f64())).collect()),
        }
    }
}

impl<T: Scalar> Samples<T> {
    /// Samples with class labels.
    pub fn classes(x: Matrix<T>, labels: Vec<usize>) -> Self {
        Samples {
            x,
            y: Y::Classes(labels),
        }
    }

    /// The mean over samples of Σⱼ (yⱼ − ȳⱼ)² (regression; `None` for classes): the loss ½‖z − y‖² of
    /// predicting every output's mean, times 2. R² = 1 − 2·loss / this.
    pub fn target_spread(&self) -> Option<f64> {
        let Y::Values(v) = &self.y else {
            return None;
        };
        let m = self.x.rows();
        if m == 0 {
            return Some(0.0);
        }
        let mut total = 0.0;
        for column in v.chunks(m) {
            let mean = column.iter().map(|t| t.to_f64()).sum::<f64>() / m as f64;
            total += column
                .iter()
                .map(|t| (t.to_f64() - mean).powi(2))
                .sum::<f64>();
        }
        Some(total / m as f64)
    }
}

/// The parts a run trains and reports on.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainData<T: Scalar = f64> {
    /// What the optimiser sees.
    pub train: Samples<T>,
    /// For model selection and early stopping.
    pub validation: Option<Samples<T>>,
    /// For reporting (and for the report's test-set selection).
    pub test: Option<Samples<T>>,
    /// How the features were standardised (`None`: they are in the file's units). Image shifts
    /// ([`TrainConfig::shift`](crate::TrainConfig::shift)) move pixels in the file's units.
    pub scaling: Option<Standardizer>,
}
