//! [`Layer`]: one fully connected layer's weights and biases, the unit that the network, its gradients, the
//! optimisers' state and the initialiser all share.

use nn_linalg::{Matrix, Scalar};
use serde::{Deserialize, Serialize};

/// One fully connected layer: `Z (m×n_out) = A (m×n_in) · W (n_in×n_out) + b`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Layer<T: Scalar = f64> {
    /// `n_in × n_out`. Column j holds the incoming weights of unit j.
    pub weights: Matrix<T>,
    /// `n_out` biases.
    pub bias: Vec<T>,
}

impl<T: Scalar> Layer<T> {
    /// A layer of zeros: also the shape of its gradient.
    pub fn zeros(n_in: usize, n_out: usize) -> Self {
        Layer {
            weights: Matrix::zeros(n_in, n_out),
            bias: vec![T::ZERO; n_out],
        }
    }

    /// Inputs.
    pub fn n_in(&self) -> usize {
        self.weights.rows()
    }

    /// Units.
    pub fn n_out(&self) -> usize {
        self.weights.cols()
    }

    /// This layer as the course's Θ: `n_out × (n_in + 1)`, bias in column 0.
    pub fn to_theta(&self) -> Matrix<T> {
        Matrix::from_fn(self.n_out(), self.n_in() + 1, |j, i| {
            if i == 0 {
                self.bias[j]
            } else {
                self.weights.get(i - 1, j)
            }
        })
    }

    /// The same layer in another precision.
    pub fn cast<U: Scalar>(&self) -> Layer<U> {
        Layer {
            weights: self.weights.cast(),
            bias: self.bias.iter().map(|&b| U::from_f64(b.to_f64())).collect(),
        }
    }
}
