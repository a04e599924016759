//! The network core of `nn`: layers, activations, losses computed from logits, Xavier initialisation,
//! hand-written backprop, and the numerical gradient check.
//!
//! - [`Network`] and [`Architecture`]: `n_input → hidden… → n_outputs`, sigmoid (or tanh) hidden layers and a
//!   sigmoid or softmax [`Output`]; built by [`Init`] from a seed, or from the course's Θ matrices.
//! - [`Network::gradient_with`]: forward pass, loss and backward pass into a reusable [`Workspace`] and
//!   [`Gradients`]. The maths is written out in the [`backprop`] module.
//! - [`check_gradients`]: central differences against backprop, per layer.
//!
//! Classes are indices `0..k`. One sigmoid unit distinguishes classes 0 and 1; `k` sigmoid units are the
//! course's one-vs-all; a softmax needs `k ≥ 2`.
//!
//! ```
//! use nn_core::{Network, Output};
//! use nn_linalg::Matrix;
//!
//! // The report's dummy problem: three samples, hidden layers [2, 2, 3], one sigmoid output.
//! let x = Matrix::from_row_major(3, 3, &[1., 2., 3., 4., 5., 6., 7., 8., 9.]);
//! let y = [1, 0, 1];
//! let mut net = Network::<f64>::xavier(3, &[2, 2, 3], 1, Output::Sigmoid, 0)?;
//! let (before, grads) = net.gradient(&x, &y, 0.0)?;
//! net.gradient_descent_step(&grads, 0.5);
//! assert!(net.evaluate(&x, &y, 0.0)?.cost() < before.cost());
//!
//! let check = nn_core::check_gradients(&net, &x, &y, 0.0, 1e-5)?;
//! assert!(check.max_abs_diff() < 1e-9);
//! # Ok::<(), nn_core::CoreError>(())
//! ```

// A library never panics on input a user can pass in; tests may unwrap (clippy.toml allows it there).
#![warn(clippy::unwrap_used)]

mod activation;
pub mod backprop;
mod blocked;
mod dropout;
mod error;
mod gradcheck;
mod init;
mod input;
mod layer;
mod network;
mod objective;
mod one_call;
mod output;
mod targets;
mod workspace;

pub use activation::{
    Activation, Output, bce_and_sigmoid, bce_with_logit, gelu, gelu_derivative, sigmoid,
};
pub use blocked::EVALUATION_BLOCK;
pub use dropout::{Dropout, GOLDEN_GAMMA, mix64, splitmix64};
pub use error::{CoreError, Result};
pub use gradcheck::{
    GradCheck, LayerCheck, check_gradients, check_weighted_gradients, report_dummy_problem,
};
pub use init::Init;
pub use input::Input;
pub use layer::Layer;
pub use network::{Architecture, Network, unroll_theta};
pub use objective::{Evaluation, L2};
pub use targets::Targets;
pub use workspace::{Gradients, Workspace};
