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
}

impl Init {
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
                    Init::XavierUniform => {
                        let r = (6.0 / fan).sqrt();
                        let d = Uniform::new_inclusive(-r, r).expect("r is finite and positive");
                        (0..count)
                            .map(|_| T::from_f64(d.sample(&mut rng)))
                            .collect()
                    }
                    Init::XavierNormal => {
                        let d =
                            Normal::new(0.0, (2.0 / fan).sqrt()).expect("σ is finite and positive");
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
