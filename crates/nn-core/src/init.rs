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

/// How weights are drawn. Biases always start at 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// Glorot & Bengio (2010), eq. 16: W ~ U(−r, r) with r = √(6 / (n_in + n_out)), which keeps the variance
    /// of activations and of back-propagated gradients roughly constant across layers.
    #[default]
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
}

impl Init {
    /// The rules `--init` offers, in the order `--help` lists them.
    pub const CHOICES: [Init; 4] = [
        Init::XavierUniform,
        Init::XavierNormal,
        Init::HeUniform,
        Init::HeNormal,
    ];

    /// The name on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Init::XavierUniform => "xavier-uniform",
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

    /// Layers for the widths `[n_input, hidden…, n_outputs]`, drawn layer by layer, each weight matrix
    /// row-major, from one ChaCha8 stream.
    pub fn layers<T: Scalar>(self, widths: &[usize], seed: u64) -> Vec<Layer<T>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        widths
            .windows(2)
            .map(|w| {
                let (n_in, n_out) = (w[0], w[1]);
                let fan = (n_in + n_out) as f64;
                let count = n_in * n_out;
                let row_major: Vec<T> = match self {
                    Init::XavierUniform | Init::HeUniform => {
                        let r = match self {
                            Init::HeUniform => (6.0 / n_in as f64).sqrt(),
                            _ => (6.0 / fan).sqrt(),
                        };
                        let d = Uniform::new_inclusive(-r, r).expect("r is finite and positive");
                        (0..count)
                            .map(|_| T::from_f64(d.sample(&mut rng)))
                            .collect()
                    }
                    Init::XavierNormal | Init::LecunNormal | Init::HeNormal => {
                        let variance = match self {
                            Init::XavierNormal => 2.0 / fan,
                            Init::HeNormal => 2.0 / n_in as f64,
                            _ => 1.0 / n_in as f64,
                        };
                        let d =
                            Normal::new(0.0, variance.sqrt()).expect("σ is finite and positive");
                        (0..count)
                            .map(|_| T::from_f64(d.sample(&mut rng)))
                            .collect()
                    }
                };
                Layer {
                    weights: Matrix::from_row_major(n_in, n_out, &row_major),
                    bias: vec![T::ZERO; n_out],
                }
            })
            .collect()
    }
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

    /// Each rule's spread, within 3% (25 600 draws: the standard error of a std estimate is about 0.5%).
    #[test]
    fn each_rule_draws_with_its_spread() {
        let cases = [
            (
                Init::XavierUniform,
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
