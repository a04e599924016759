//! Where every random draw of a training run comes from.
//!
//! Each draw is keyed by the run's seed and by its place in the run (the epoch, and the step within it), never
//! by a generator carried from one step to the next. So a resumed run draws exactly what an uninterrupted one
//! draws, and the draws do not depend on the thread count. The keys seed ChaCha8 ([`rand::rngs::ChaCha8Rng`]).
//!
//! - the mini-batch order of an epoch: [`shuffle_seed`];
//! - the dropout masks and the image shifts of a step: [`step_key`], with a [`Draw`] that keeps their
//!   streams apart.

use nn_core::{GOLDEN_GAMMA, mix64, splitmix64};

/// What a step's key draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draw {
    /// The dropout masks of the hidden layers.
    Dropout,
    /// The offsets of the image shifts ([`Shift`](crate::Shift)).
    Shifts,
}

impl Draw {
    /// Eight ASCII bytes per draw, mixed into the seed so that two draws never share a key.
    const fn tag(self) -> u64 {
        match self {
            Draw::Dropout => 0x6472_6f70_6f75_7421, // "dropout!"
            Draw::Shifts => 0x7368_6966_7473_2121,  // "shifts!!"
        }
    }
}

/// The seed of the mini-batch shuffle of 1-based `epoch`.
pub fn shuffle_seed(seed: u64, epoch: usize) -> u64 {
    mix64(seed ^ (epoch as u64).wrapping_mul(GOLDEN_GAMMA))
}

/// The key of `draw` at step `step` (0-based, within the epoch) of 1-based `epoch`.
pub fn step_key(draw: Draw, seed: u64, epoch: usize, step: usize) -> u64 {
    splitmix64(splitmix64(seed ^ draw.tag()) ^ splitmix64(epoch as u64) ^ (step as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys' values, computed apart from this code (a few lines of Python over the formulas above). They
    /// must never change: a model file's run resumes by drawing them again.
    #[test]
    fn keys_keep_their_values() {
        assert_eq!(shuffle_seed(42, 7), 0x53ad_348a_f3dd_af4b);
        assert_eq!(step_key(Draw::Dropout, 42, 7, 3), 0x2547_8b53_d117_2ae2);
        assert_eq!(step_key(Draw::Shifts, 42, 7, 3), 0xb771_968f_36f1_96ea);
    }
}
