//! The numerical gradient check of the report's §4.1: central differences over every weight and bias.
//!
//! For each parameter θ, N = (J(θ + ε) − J(θ − ε)) / 2ε, whose error is O(ε²). Backprop's analytic gradient
//! A should agree with N to about ε² relative, i.e. ~1e-10 for ε = 1e-5. It runs in f64 only: in f32 the
//! cancellation in J(θ + ε) − J(θ − ε) leaves too few digits to judge.

use crate::error::{CoreError, Result};
use crate::network::Network;
use crate::targets::Targets;
use crate::workspace::Workspace;
use nn_linalg::{Matrix, Threads};
use serde::Serialize;

/// How one layer's analytic gradient compares with the numerical one.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LayerCheck {
    /// 1-based layer index.
    pub layer: usize,
    /// Weights and biases checked.
    pub parameters: usize,
    /// max |A − N| over the layer's parameters.
    pub max_abs_diff: f64,
    /// ‖A − N‖ / ‖A + N‖ over the layer (0 when both are zero).
    pub relative_error: f64,
}

/// The result of [`check_gradients`], per layer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradCheck {
    /// The step ε.
    pub epsilon: f64,
    /// Input side first.
    pub layers: Vec<LayerCheck>,
}

impl GradCheck {
    /// The largest |A − N| over all layers.
    pub fn max_abs_diff(&self) -> f64 {
        self.layers
            .iter()
            .map(|l| l.max_abs_diff)
            .fold(0.0, f64::max)
    }

    /// The largest per-layer relative error.
    pub fn max_relative_error(&self) -> f64 {
        self.layers
            .iter()
            .map(|l| l.relative_error)
            .fold(0.0, f64::max)
    }
}

/// The report's dummy problem for its gradient check (section 4.1): `X = [[1,2,3],[4,5,6],[7,8,9]]` and
/// labels `[1, 0, 1]`.
pub fn report_dummy_problem() -> (Matrix<f64>, Vec<usize>) {
    let x = Matrix::from_row_major(3, 3, &[1., 2., 3., 4., 5., 6., 7., 8., 9.]);
    (x, vec![1, 0, 1])
}

/// Compares backprop's gradient of J at `(x, targets, λ)` with central differences of step `epsilon`.
pub fn check_gradients<'a>(
    net: &Network<f64>,
    x: &Matrix<f64>,
    targets: impl Into<Targets<'a, f64>>,
    lambda: f64,
    epsilon: f64,
) -> Result<GradCheck> {
    check_weighted_gradients(net, x, targets, &[], lambda, epsilon)
}

/// [`check_gradients`] of the objective whose samples are weighted by their class
/// ([`Workspace::weigh_classes`]).
pub fn check_weighted_gradients<'a>(
    net: &Network<f64>,
    x: &Matrix<f64>,
    targets: impl Into<Targets<'a, f64>>,
    class_weights: &[f64],
    lambda: f64,
    epsilon: f64,
) -> Result<GradCheck> {
    let labels = targets.into();
    if x.rows() == 0 {
        return Err(CoreError::NoSamples("a gradient check"));
    }
    let l2 = crate::L2::new(lambda, x.rows());
    let mut ws = Workspace::new(net.architecture(), x.rows(), Threads::Single);
    ws.weigh_classes(class_weights)?;
    let mut analytic = crate::Gradients::zeros(net.architecture());
    net.gradient_with(x, labels, l2, &mut ws, &mut analytic, None)?;
    let mut probe = net.clone();
    let mut cost = |probe: &Network<f64>| -> Result<f64> {
        Ok(probe.evaluate_with(x, labels, l2, &mut ws)?.cost())
    };

    let mut layers = Vec::with_capacity(net.layers().len());
    for (l, grad) in analytic.layers.iter().enumerate() {
        let mut pairs = Vec::with_capacity(grad.bias.len() * (grad.n_in() + 1));
        // Each parameter is nudged in place and restored exactly, so later probes see the original network.
        for i in 0..grad.n_in() {
            for j in 0..grad.n_out() {
                let original = probe.layers()[l].weights.get(i, j);
                probe.layers_mut()[l].weights.set(i, j, original + epsilon);
                let plus = cost(&probe)?;
                probe.layers_mut()[l].weights.set(i, j, original - epsilon);
                let minus = cost(&probe)?;
                probe.layers_mut()[l].weights.set(i, j, original);
                pairs.push((grad.weights.get(i, j), (plus - minus) / (2.0 * epsilon)));
            }
        }
        for j in 0..grad.n_out() {
            let original = probe.layers()[l].bias[j];
            probe.layers_mut()[l].bias[j] = original + epsilon;
            let plus = cost(&probe)?;
            probe.layers_mut()[l].bias[j] = original - epsilon;
            let minus = cost(&probe)?;
            probe.layers_mut()[l].bias[j] = original;
            pairs.push((grad.bias[j], (plus - minus) / (2.0 * epsilon)));
        }
        let max_abs_diff = pairs.iter().map(|(a, n)| (a - n).abs()).fold(0.0, f64::max);
        let diff_norm = pairs
            .iter()
            .map(|(a, n)| (a - n).powi(2))
            .sum::<f64>()
            .sqrt();
        let sum_norm = pairs
            .iter()
            .map(|(a, n)| (a + n).powi(2))
            .sum::<f64>()
            .sqrt();
        layers.push(LayerCheck {
            layer: l + 1,
            parameters: pairs.len(),
            max_abs_diff,
            relative_error: if sum_norm == 0.0 {
                diff_norm
            } else {
                diff_norm / sum_norm
            },
        });
    }
    Ok(GradCheck { epsilon, layers })
}
