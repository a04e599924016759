//! Training for `nn`: a validated configuration, optimisers, the training loop with its events, model
//! selection and early stopping, and crash-safe checkpoints.
