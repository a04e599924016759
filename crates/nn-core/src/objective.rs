//! What training minimises and what a pass measures: the [`L2`] penalty and the [`Evaluation`] of a pass.

/// The L2 weight penalty λ/(2n)·Σ W² of the objective (bias weights are not penalised).
///
/// `n` is the number of samples the objective is defined over: the whole training part. With it, the same λ
/// is the same objective `J = (1/n)·Σᵢ loss(xᵢ) + λ/(2n)·Σ W²` at any batch size: a mini-batch of `m` samples
/// is a `m/n` share of the data and of the penalty, so its gradient `(1/m)·Σ ∇loss + (λ/n)·W` estimates ∇J
/// without bias. Full-batch training has `m = n`: the course's `λ/(2m)`. Every part of the data (train,
/// validation, test) reports its cost with the same `n`, so costs differ between parts by their loss alone.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct L2 {
    /// λ ≥ 0.
    pub lambda: f64,
    /// The samples the objective is defined over.
    pub n: usize,
}

impl L2 {
    /// No penalty.
    pub const NONE: L2 = L2 { lambda: 0.0, n: 1 };

    /// λ over an objective of `n` samples.
    pub fn new(lambda: f64, n: usize) -> Self {
        L2 { lambda, n }
    }

    /// The coefficient of W in the gradient: λ/n.
    pub fn decay(&self) -> f64 {
        self.lambda / self.n as f64
    }

    /// λ/(2n)·`sum_squares` (0 when λ = 0 or n = 0).
    pub fn penalty(&self, sum_squares: impl FnOnce() -> f64) -> f64 {
        if self.lambda == 0.0 || self.n == 0 {
            0.0
        } else {
            self.lambda / (2.0 * self.n as f64) * sum_squares()
        }
    }
}

/// What one pass over a set of samples measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Evaluation {
    /// Samples seen.
    pub samples: usize,
    /// Mean loss over the samples, without the penalty: cross-entropy, or ½‖z − y‖² for regression.
    pub loss: f64,
    /// The weight penalty λ/(2n)·Σ W² (see [`L2`]).
    pub penalty: f64,
    /// Samples whose most probable class is their label (0 for regression).
    pub correct: usize,
    /// Mean over the samples of Σⱼ |zⱼ − yⱼ| (regression; 0 for classification).
    pub abs_error: f64,
}

impl Evaluation {
    /// J = loss + penalty, the quantity gradient descent minimises.
    pub fn cost(&self) -> f64 {
        self.loss + self.penalty
    }

    /// correct / samples (0 for no samples).
    pub fn accuracy(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.correct as f64 / self.samples as f64
        }
    }
}
