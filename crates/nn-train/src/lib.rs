//! Training for `nn`: a validated configuration, optimisers, the training loop with its events, model
//! selection and early stopping, and crash-safe checkpoints.

/// The README's example, compiled and run as a doctest.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
