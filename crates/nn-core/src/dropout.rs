//! [`Dropout`]: inverted dropout's masks, drawn from a key with SplitMix64 and ChaCha8.

use nn_linalg::{Matrix, Scalar};
use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};

/// Inverted dropout on the hidden layers of one training pass.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dropout {
    /// The probability of dropping a hidden unit's output, in [0, 1).
    pub p: f64,
    /// Picks the masks: hidden layer l's mask is drawn from ChaCha8 seeded with a mix of `key` and l, one
    /// `u32` per unit and sample, column by column, so the same key gives the same masks on any machine and
    /// at any thread count. A trainer derives it from the seed, the epoch and the step.
    pub key: u64,
}

impl Dropout {
    /// Fills `mask` with 1/(1 − p) where a draw keeps the unit (probability 1 − p) and 0 elsewhere.
    pub(crate) fn draw<T: Scalar>(self, layer: usize, mask: &mut Matrix<T>) {
        let mut rng = ChaCha8Rng::seed_from_u64(splitmix64(self.key ^ splitmix64(layer as u64)));
        // Keep when u < (1 − p)·2³², u uniform on 0..2³².
        let threshold = ((1.0 - self.p) * 4_294_967_296.0) as u64;
        let kept = T::from_f64(1.0 / (1.0 - self.p));
        for j in 0..mask.cols() {
            for v in mask.col_mut(j) {
                *v = if u64::from(rng.next_u32()) < threshold {
                    kept
                } else {
                    T::ZERO
                };
            }
        }
    }
}

/// SplitMix64's increment, the golden ratio's fractional bits (Steele, Lea & Flood, 2014).
pub const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output step (Steele, Lea & Flood, 2014): one increment by [`GOLDEN_GAMMA`], then [`mix64`].
pub fn splitmix64(z: u64) -> u64 {
    mix64(z.wrapping_add(GOLDEN_GAMMA))
}

/// SplitMix64's finaliser (Stafford's "variant 13"): spreads a key's bits over the whole word.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropout_masks_keep_one_minus_p_scaled_by_its_inverse() {
        let mut mask = Matrix::<f64>::zeros(400, 50);
        let d = Dropout { p: 0.3, key: 5 };
        d.draw(0, &mut mask);
        let values: Vec<f64> = (0..50).flat_map(|j| mask.col(j).to_vec()).collect();
        let kept = values.iter().filter(|&&v| v != 0.0).count() as f64 / values.len() as f64;
        // 20,000 draws: the kept share's standard deviation is √(0.21/20000) ≈ 0.0032.
        assert!((kept - 0.7).abs() < 0.02, "{kept}");
        assert!(values.iter().all(|&v| v == 0.0 || v == 1.0 / 0.7));
        // Same key and layer: same mask; another layer: another.
        let mut again = Matrix::<f64>::zeros(400, 50);
        d.draw(0, &mut again);
        assert_eq!(again, mask);
        d.draw(1, &mut again);
        assert_ne!(again, mask);
    }
}
