//! [`Network`]: the layers of a multi-layer perceptron, its architecture, and course-format interop.

use crate::activation::{Activation, Output};
use crate::error::{CoreError, Result};
use crate::init::Init;
use crate::layer::Layer;
use nn_linalg::{Matrix, Scalar};
use serde::{Deserialize, Serialize};

/// The shape of a network: `n_input → hidden… → n_outputs`, the report's
/// `NeuralNet(n_input, hidden_layers, n_outputs, output)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    /// Features per sample.
    pub n_input: usize,
    /// Widths of the hidden layers; empty gives logistic (sigmoid) or softmax regression.
    pub hidden: Vec<usize>,
    /// Output units.
    pub n_outputs: usize,
    /// Activation of every hidden layer.
    pub activation: Activation,
    /// The output layer and its loss.
    pub output: Output,
}

impl Architecture {
    /// The widest layer accepted (inputs included): 2²⁰ units.
    pub const MAX_WIDTH: usize = 1 << 20;
    /// The most trainable parameters accepted: 2²⁴ (16.8 million; 128 MiB per copy of the weights in f64).
    /// Training keeps several copies (current, selected, optimiser state), and the model file holds them all.
    pub const MAX_PARAMETERS: usize = 1 << 24;

    /// Sigmoid hidden layers, as in the report.
    pub fn new(n_input: usize, hidden: &[usize], n_outputs: usize, output: Output) -> Self {
        Architecture {
            n_input,
            hidden: hidden.to_vec(),
            n_outputs,
            activation: Activation::Sigmoid,
            output,
        }
    }

    /// Checks that every layer has units, that a softmax has at least two, and that widths and the parameter
    /// count are within [`MAX_WIDTH`](Self::MAX_WIDTH) and [`MAX_PARAMETERS`](Self::MAX_PARAMETERS).
    pub fn validate(&self) -> Result<()> {
        if let Some(&width) = self.widths().iter().max()
            && width > Self::MAX_WIDTH
        {
            return Err(CoreError::TooLarge {
                what: "units in one layer",
                count: width as u128,
                limit: Self::MAX_WIDTH,
            });
        }
        let parameters = self.parameter_count_u128();
        if parameters > Self::MAX_PARAMETERS as u128 {
            return Err(CoreError::TooLarge {
                what: "trainable parameters",
                count: parameters,
                limit: Self::MAX_PARAMETERS,
            });
        }
        if self.n_input == 0 || self.n_outputs == 0 {
            return Err(CoreError::EmptyEnds {
                n_input: self.n_input,
                n_outputs: self.n_outputs,
            });
        }
        if let Some(index) = self.hidden.iter().position(|&w| w == 0) {
            return Err(CoreError::EmptyHidden { index });
        }
        if self.output == Output::Softmax && self.n_outputs < 2 {
            return Err(CoreError::SoftmaxTooNarrow(self.n_outputs));
        }
        // Backprop reads the derivative off the output's sign (see `Activation`): the slope must be positive.
        if let Activation::LeakyRelu { slope } = self.activation
            && !(slope > 0.0 && slope < 1.0)
        {
            return Err(CoreError::LeakySlope(slope));
        }
        Ok(())
    }

    /// Every layer width, input first: `[n_input, hidden…, n_outputs]`.
    pub fn widths(&self) -> Vec<usize> {
        let mut w = Vec::with_capacity(self.hidden.len() + 2);
        w.push(self.n_input);
        w.extend_from_slice(&self.hidden);
        w.push(self.n_outputs);
        w
    }

    /// Number of classes the output distinguishes (2 for a single sigmoid unit).
    pub fn classes(&self) -> usize {
        self.output.classes(self.n_outputs)
    }

    /// Number of trainable parameters (weights and biases); saturates at `usize::MAX` for an architecture that
    /// [`validate`](Self::validate) would refuse.
    pub fn parameter_count(&self) -> usize {
        usize::try_from(self.parameter_count_u128()).unwrap_or(usize::MAX)
    }

    fn parameter_count_u128(&self) -> u128 {
        self.widths()
            .windows(2)
            .map(|w| (w[0] as u128 + 1) * w[1] as u128)
            .sum()
    }

    /// Multiply-adds × 2 of one forward and backward pass over `m` samples, counting the matrix products only.
    /// A·W forward, δ·Wᵀ backward (all layers but the first) and Aᵀ·δ for the weight gradient.
    pub fn flops_per_pass(&self, m: usize) -> usize {
        self.widths()
            .windows(2)
            .enumerate()
            .map(|(l, w)| {
                let products = if l == 0 { 2 } else { 3 };
                products * 2 * m * w[0] * w[1]
            })
            .sum()
    }

    /// `"2-4-4-1 sigmoid"`-style summary.
    pub fn describe(&self) -> String {
        let widths: Vec<String> = self.widths().iter().map(ToString::to_string).collect();
        format!(
            "{} ({} hidden, {} output)",
            widths.join("-"),
            self.activation.describe(),
            self.output.name()
        )
    }
}

/// A multi-layer perceptron: sigmoid (or tanh, or ReLU-family) hidden layers and a sigmoid or softmax output.
///
/// ```
/// use nn_core::{Network, Output};
/// let net = Network::<f64>::xavier(2, &[4, 4], 1, Output::Sigmoid, 42).unwrap();
/// assert_eq!(net.architecture().describe(), "2-4-4-1 (sigmoid hidden, sigmoid output)");
/// assert_eq!(net.architecture().parameter_count(), 3 * 4 + 5 * 4 + 5 * 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Network<T: Scalar = f64> {
    arch: Architecture,
    layers: Vec<Layer<T>>,
}

impl<T: Scalar> Network<T> {
    /// A network initialised by `init` from a ChaCha8 stream seeded with `seed`.
    pub fn new(arch: Architecture, init: Init, seed: u64) -> Result<Self> {
        arch.validate()?;
        let layers = init.layers(&arch.widths(), seed);
        Ok(Network { arch, layers })
    }

    /// The report's `NeuralNet(n_input, hidden, n_outputs, output)` with Xavier-uniform weights.
    pub fn xavier(
        n_input: usize,
        hidden: &[usize],
        n_outputs: usize,
        output: Output,
        seed: u64,
    ) -> Result<Self> {
        Self::new(
            Architecture::new(n_input, hidden, n_outputs, output),
            Init::XavierUniform,
            seed,
        )
    }

    /// A network from explicit layers, checked against the architecture.
    pub fn from_layers(arch: Architecture, layers: Vec<Layer<T>>) -> Result<Self> {
        let net = Network { arch, layers };
        net.validate()?;
        Ok(net)
    }

    /// Checks the architecture, that every layer's shape follows from it, and that every parameter is finite.
    /// Run on everything read from disk.
    pub fn validate(&self) -> Result<()> {
        self.arch.validate()?;
        let widths = self.arch.widths();
        if self.layers.len() != widths.len() - 1 {
            return Err(CoreError::LayerShape {
                layer: self.layers.len(),
                what: "layer count",
                found: self.layers.len().to_string(),
                expected: (widths.len() - 1).to_string(),
            });
        }
        for (l, (layer, w)) in self.layers.iter().zip(widths.windows(2)).enumerate() {
            if layer.weights.shape() != (w[0], w[1]) {
                return Err(CoreError::LayerShape {
                    layer: l + 1,
                    what: "weights",
                    found: format!("{}×{}", layer.weights.rows(), layer.weights.cols()),
                    expected: format!("{}×{}", w[0], w[1]),
                });
            }
            if layer.bias.len() != w[1] {
                return Err(CoreError::LayerShape {
                    layer: l + 1,
                    what: "bias",
                    found: layer.bias.len().to_string(),
                    expected: w[1].to_string(),
                });
            }
            self.check_layer_finite(l)?;
        }
        Ok(())
    }

    /// `Err(NonFinite)` if layer `l` (0-based) holds a NaN or infinity.
    pub fn check_layer_finite(&self, l: usize) -> Result<()> {
        let layer = &self.layers[l];
        if !layer.weights.all_finite() {
            return Err(CoreError::NonFinite {
                layer: l + 1,
                what: "weight",
            });
        }
        if !layer.bias.iter().all(|b| b.is_finite()) {
            return Err(CoreError::NonFinite {
                layer: l + 1,
                what: "bias",
            });
        }
        Ok(())
    }

    /// The architecture.
    pub fn architecture(&self) -> &Architecture {
        &self.arch
    }

    /// The layers, input side first.
    pub fn layers(&self) -> &[Layer<T>] {
        &self.layers
    }

    /// The layers, mutably; their shapes must not change.
    pub fn layers_mut(&mut self) -> &mut [Layer<T>] {
        &mut self.layers
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.arch.classes()
    }

    /// Copies every weight and bias of `other`, which must have the same architecture, without allocating.
    ///
    /// # Panics
    /// If the architectures differ.
    pub fn copy_params_from(&mut self, other: &Network<T>) {
        assert_eq!(
            self.arch, other.arch,
            "copy_params_from: architectures differ"
        );
        for (dst, src) in self.layers.iter_mut().zip(&other.layers) {
            dst.weights.copy_from(&src.weights);
            dst.bias.copy_from_slice(&src.bias);
        }
    }

    /// The same network in another precision.
    pub fn cast<U: Scalar>(&self) -> Network<U> {
        Network {
            arch: self.arch.clone(),
            layers: self.layers.iter().map(Layer::cast).collect(),
        }
    }

    /// Σ W² over the non-bias weights of every layer, in f64.
    pub fn weight_sum_squares(&self) -> f64 {
        self.layers
            .iter()
            .map(|l| l.weights.sum_squares().to_f64())
            .sum()
    }

    /// Builds a network from the course's Θ matrices: one per layer, `n_out × (n_in + 1)`, bias in column 0.
    /// Hidden layers are sigmoid, as in the course.
    pub fn from_theta(thetas: &[Matrix<T>], output: Output) -> Result<Self> {
        let first = thetas.first().ok_or(CoreError::NoTheta)?;
        if first.cols() < 2 {
            return Err(CoreError::ThetaShape {
                index: 1,
                rows: first.rows(),
                cols: first.cols(),
                expected_rows: "any".into(),
                expected_cols: 2,
            });
        }
        let mut n_in = first.cols() - 1;
        let mut layers = Vec::with_capacity(thetas.len());
        let mut hidden = Vec::new();
        for (l, theta) in thetas.iter().enumerate() {
            if theta.cols() != n_in + 1 || theta.rows() == 0 {
                return Err(CoreError::ThetaShape {
                    index: l + 1,
                    rows: theta.rows(),
                    cols: theta.cols(),
                    expected_rows: "≥ 1".into(),
                    expected_cols: n_in + 1,
                });
            }
            let n_out = theta.rows();
            layers.push(Layer {
                weights: Matrix::from_fn(n_in, n_out, |i, j| theta.get(j, i + 1)),
                bias: (0..n_out).map(|j| theta.get(j, 0)).collect(),
            });
            if l + 1 < thetas.len() {
                hidden.push(n_out);
            }
            n_in = n_out;
        }
        let arch = Architecture::new(first.cols() - 1, &hidden, n_in, output);
        Self::from_layers(arch, layers)
    }

    /// The course's Θ matrices: `n_out × (n_in + 1)` per layer, bias in column 0.
    pub fn to_theta(&self) -> Vec<Matrix<T>> {
        self.layers.iter().map(Layer::to_theta).collect()
    }

    /// Every parameter in the course's unrolled order: each Θ column-major, Θ1 first.
    pub fn unrolled_theta(&self) -> Vec<T> {
        unroll_theta(&self.layers)
    }
}

/// The course's unrolled parameter vector of `layers`: each layer's Θ column-major, input side first.
pub fn unroll_theta<T: Scalar>(layers: &[Layer<T>]) -> Vec<T> {
    layers
        .iter()
        .flat_map(|l| l.to_theta().to_col_major())
        .collect()
}
