//! [`Standardizer`]: z-scores fitted on the training rows, applied to every split and stored with the model.

use nn_linalg::Matrix;
use serde::{Deserialize, Serialize};

/// Per-column mean and standard deviation of the rows it was fitted on.
///
/// The fields are private so a fitted standardiser keeps equal lengths and scales > 0; one decoded from a
/// model file is checked by the model loader (`ModelFile::check` in nn-train) before use.
///
/// A column with zero variance (the digits' blank border pixels) gets a scale of 1, so it maps to 0 instead of
/// NaN or infinity.
///
/// ```
/// use nn_data::Standardizer;
/// use nn_linalg::Matrix;
/// let train = Matrix::from_row_major(3, 2, &[1., 5., 2., 5., 3., 5.]);
/// let s = Standardizer::fit(&train);
/// let mut z = train.clone();
/// s.transform(&mut z);
/// assert_eq!(z.col(1), &[0., 0., 0.]);        // constant column → 0
/// assert!((z.get(0, 0) + 1.224744871391589).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

impl Standardizer {
    /// Fits on `x` (the training rows only).
    pub fn fit(x: &Matrix<f64>) -> Self {
        let m = x.rows().max(1) as f64;
        let mut mean = Vec::with_capacity(x.cols());
        let mut scale = Vec::with_capacity(x.cols());
        for j in 0..x.cols() {
            let col = x.col(j);
            let mu = col.iter().sum::<f64>() / m;
            let var = col.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / m;
            let sd = var.sqrt();
            mean.push(mu);
            scale.push(if sd > 1e-12 * (1.0 + mu.abs()) {
                sd
            } else {
                1.0
            });
        }
        Standardizer { mean, scale }
    }

    /// The identity transform for `n` columns (for models trained on raw features).
    pub fn identity(n: usize) -> Self {
        Standardizer {
            mean: vec![0.0; n],
            scale: vec![1.0; n],
        }
    }

    /// Column means.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Column standard deviations (population, i.e. divided by m), or 1 where that is 0.
    pub fn scale(&self) -> &[f64] {
        &self.scale
    }

    /// Columns it expects.
    pub fn len(&self) -> usize {
        self.mean.len()
    }

    /// Whether it has no columns.
    pub fn is_empty(&self) -> bool {
        self.mean.is_empty()
    }

    /// Whether it changes nothing (mean 0 and scale 1 everywhere): a model trained on raw features.
    pub fn is_identity(&self) -> bool {
        self.mean.iter().all(|&m| m == 0.0) && self.scale.iter().all(|&s| s == 1.0)
    }

    /// `x ← (x − mean) / scale`, in place.
    ///
    /// # Panics
    /// If `x` has a different number of columns than the fitted data.
    pub fn transform(&self, x: &mut Matrix<f64>) {
        assert_eq!(
            x.cols(),
            self.len(),
            "standardizer fitted on {} columns",
            self.len()
        );
        for j in 0..x.cols() {
            let (mu, inv) = (self.mean[j], 1.0 / self.scale[j]);
            for v in x.col_mut(j) {
                *v = (*v - mu) * inv;
            }
        }
    }

    /// Maps standardised values back to the original units (for plots in raw feature units).
    pub fn inverse(&self, column: usize, z: f64) -> f64 {
        z * self.scale[column] + self.mean[column]
    }
}
