//! Weight initialisation from a seeded, portable random stream.
//!
//! The stream is ChaCha8 ([`rand::rngs::ChaCha8Rng`]) seeded with `seed_from_u64(seed)`. ChaCha8's output
//! is defined by the cipher, not the platform, so the same seed gives the same weights on every machine.

use crate::layer::Layer;
use nn_linalg::{Matrix, Scalar};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Uniform};
use serde::{Deserialize, Serialize};

/// How weights are drawn. Biases start at 0, except under [`Init::XavierUniformBiases`]. There is no
/// `Default`: which rule a run uses when none is named is decided in one place, `nn::Spec`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// Glorot & Bengio (2010), eq. 16: W ~ U(−r, r) with r = √(6 / (n_in + n_out)), which keeps the variance
    /// of activations and of back-propagated gradients roughly constant across layers.
    XavierUniform,
    /// The normal variant: W ~ N(0, σ²) with σ² = 2 / (n_in + n_out).
    XavierNormal,
    /// LeCun et al. (1998), "Efficient BackProp", §4.6: W ~ N(0, σ²) with σ² = 1 / n_in, the scaling a numpy
    /// `randn(n_out, n_in) * sqrt(1 / n_in)` gives (often called Xavier in tutorials).
    LecunNormal,
    /// He et al. (2015), "Delving deep into rectifiers", §2.2: W ~ U(−r, r) with r = √(6 / n_in), i.e.
    /// variance 2 / n_in, which keeps the variance of ReLU activations constant across layers.
    HeUniform,
    /// He et al. (2015), the normal variant: W ~ N(0, σ²) with σ² = 2 / n_in.
    HeNormal,
    /// Xavier-uniform for the weights and the biases alike, each drawn from U(−r, r) with the layer's
    /// r = √(6 / (n_in + n_out)): the draw of scikit-learn's MLP (`_init_coef` in `_multilayer_perceptron.py`,
    /// for every hidden activation but the logistic). On iris it closed a gap of 0.17 points of accuracy to
    /// scikit-learn's MLP (docs/performance.md).
    // Last: model files name a rule by its position here.
    XavierUniformBiases,
}

impl Init {
    /// The rules `--init` offers, in the order `--help` lists them.
    pub const CHOICES: [Init; 5] = [
        Init::XavierUniformBiases,
        Init::XavierUniform,
        Init::XavierNormal,
        Init::HeUniform,
        Init::HeNormal,
    ];

    /// The name on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Init::XavierUniform => "xavier-uniform",
            Init::XavierUniformBiases => "xavier-uniform-biases",
            Init::XavierNormal => "xavier-normal",
            Init::LecunNormal => "lecun-normal",
            Init::HeUniform => "he-uniform",
            Init::HeNormal => "he-normal",
        }
    }

    /// The customary initialisation for a hidden activation: He for the ReLU family, Xavier-uniform for
    /// sigmoid and tanh (the report's, so its runs keep their bits).
    pub fn for_activation(activation: crate::Activation) -> Init {
        if activation.is_relu_family() {
            Init::HeUniform
        } else {
            Init::XavierUniform
        }
    }

    /// Layers for the widths `[n_input, hidden…, n_outputs]`, drawn layer by layer from one ChaCha8 stream:
    /// each weight matrix row-major, then (under [`Init::XavierUniformBiases`]) its biases.
    pub fn layers<T: Scalar>(self, widths: &[usize], seed: u64) -> Vec<Layer<T>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        widths
            .windows(2)
            .map(|w| {
                let (n_in, n_out) = (w[0], w[1]);
                let fan = (n_in + n_out) as f64;
                let count = n_in * n_out;
                let (row_major, bias): (Vec<T>, Vec<T>) = match self {
                    Init::XavierUniform | Init::XavierUniformBiases | Init::HeUniform => {
                        let r = match self {
                            Init::HeUniform => (6.0 / n_in as f64).sqrt(),
                            _ => (6.0 / fan).sqrt(),
                        };
                        let d = Uniform::new_inclusive(-r, r).expect("r is finite and positive");
                        let weights = draws(&d, &mut rng, count);
                        let bias = match self {
                            Init::XavierUniformBiases => draws(&d, &mut rng, n_out),
                            _ => vec![T::ZERO; n_out],
                        };
                        (weights, bias)
                    }
                    Init::XavierNormal | Init::LecunNormal | Init::HeNormal => {
                        let variance = match self {
                            Init::XavierNormal => 2.0 / fan,
                            Init::HeNormal => 2.0 / n_in as f64,
                            _ => 1.0 / n_in as f64,
                        };
                        let d =
                            Normal::new(0.0, variance.sqrt()).expect("σ is finite and positive");
                        (draws(&d, &mut rng, count), vec![T::ZERO; n_out])
                    }
                };
                Layer {
                    weights: Matrix::from_row_major(n_in, n_out, &row_major),
                    bias,
                }
            })
            .collect()
    }
}

/// `count` values of `d`, in the stream's order.
fn draws<T: Scalar>(d: &impl Distribution<f64>, rng: &mut ChaCha8Rng, count: usize) -> Vec<T> {
    (0..count).map(|_| T::from_f64(d.sample(rng))).collect()
}

impl std::str::FromStr for Init {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::CHOICES
            .into_iter()
            .chain([Init::LecunNormal])
            .find(|v| v.name() == s)
            .ok_or_else(|| {
                let names = Self::CHOICES.map(Self::name).join(", ");
                format!("unknown initialisation '{s}' (expected one of: {names})")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample standard deviation of a 400×64 layer's weights.
    fn weight_std(init: Init) -> f64 {
        let layers = init.layers::<f64>(&[400, 64], 3);
        let w: Vec<f64> = (0..64)
            .flat_map(|j| layers[0].weights.col(j).to_vec())
            .collect();
        let mean = w.iter().sum::<f64>() / w.len() as f64;
        (w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (w.len() - 1) as f64).sqrt()
    }

    /// The biases are drawn only under `xavier-uniform-biases`, from the weights' range and after them, so
    /// that the first layer's weights are xavier-uniform's to the bit (the later layers' come after biases
    /// in the stream, so they differ).
    #[test]
    fn only_xavier_uniform_biases_draws_biases() {
        let r = (6.0_f64 / (400.0 + 64.0)).sqrt();
        let with = Init::XavierUniformBiases.layers::<f64>(&[400, 64], 5);
        let without = Init::XavierUniform.layers::<f64>(&[400, 64], 5);
        assert_eq!(
            with[0].weights.to_row_major(),
            without[0].weights.to_row_major()
        );
        let b = &with[0].bias;
        assert!(b.iter().all(|v| v.abs() <= r), "{b:?}");
        let spread = b.iter().map(|v| v * v).sum::<f64>() / b.len() as f64;
        // U(−r, r) has variance r²/3; 64 draws put the mean square within a factor of 2 of it.
        assert!(spread > r * r / 6.0 && spread < r * r / 1.5, "{spread}");
        for init in Init::CHOICES.into_iter().chain([Init::LecunNormal]) {
            if init != Init::XavierUniformBiases {
                let layers = init.layers::<f64>(&[3, 4, 2], 5);
                assert!(layers.iter().all(|l| l.bias.iter().all(|&v| v == 0.0)));
            }
        }
    }

    /// Each rule's spread, within 3% (25 600 draws: the standard error of a std estimate is about 0.5%).
    #[test]
    fn each_rule_draws_with_its_spread() {
        let cases = [
            (
                Init::XavierUniform,
                (6.0_f64 / 464.0).sqrt() / 3.0_f64.sqrt(),
            ),
            (
                Init::XavierUniformBiases,
                (6.0_f64 / 464.0).sqrt() / 3.0_f64.sqrt(),
            ),
            (Init::XavierNormal, (2.0_f64 / 464.0).sqrt()),
            (Init::LecunNormal, (1.0_f64 / 400.0).sqrt()),
            (Init::HeUniform, (2.0_f64 / 400.0).sqrt()),
            (Init::HeNormal, (2.0_f64 / 400.0).sqrt()),
        ];
        for (init, expected) in cases {
            let s = weight_std(init);
            assert!(
                (s / expected - 1.0).abs() < 0.03,
                "{init:?}: {s} vs {expected}"
            );
        }
    }
}
