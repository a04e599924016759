//! Each optimiser's update against a step computed by hand, on a network of one weight and one bias (both
//! 0.5) given the gradients 0.2 and then −0.4, at learning rate 0.1. A loss that merely falls would not tell
//! Adam from Adam without its bias correction; these values do.
//!
//! Where the expected values come from (worked by hand, and checked with Python's floats):
//! - momentum and Nesterov: PyTorch's `torch.optim.SGD` (dampening 0), v ← μv + g; θ ← θ − lr·v, and with
//!   `nesterov=True` θ ← θ − lr·(g + μv), μ = 0.9:
//!   momentum: v₁ = 0.2, θ₁ = 0.48; v₂ = 0.18 − 0.4 = −0.22, θ₂ = 0.48 + 0.022 = 0.502;
//!   Nesterov: θ₁ = 0.5 − 0.1·(0.2 + 0.18) = 0.462; v₂ = −0.22, θ₂ = 0.462 + 0.1·(0.4 + 0.198) = 0.5218.
//! - Adam: Kingma & Ba (2015), Algorithm 1, β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸: step 1 m̂ = 0.2, v̂ = 0.04,
//!   θ₁ = 0.5 − 0.1·0.2/(0.2 + ε) ≈ 0.4; step 2 m₂ = −0.022, m̂ = −0.022/0.19, v₂ = 0.00019996,
//!   v̂ = 0.00019996/0.001999, θ₂ = θ₁ + 0.1·0.115789…/0.316275… = 0.43661035654603675.
//! - AdamW: Loshchilov & Hutter (2019), Algorithm 2, as PyTorch's `AdamW` applies it: before each Adam step the
//!   weight (not the bias) shrinks by 1 − lr·λ_w, λ_w = 0.01: θ = 0.4357108565410367; the bias follows Adam.

use nn_core::{Architecture, Gradients, Layer, Network, Output};
use nn_linalg::Matrix;
use nn_train::{Optimizer, OptimizerState};

fn one_weight() -> Network<f64> {
    let arch = Architecture::new(1, &[], 1, Output::Sigmoid);
    let layer = Layer {
        weights: Matrix::from_fn(1, 1, |_, _| 0.5),
        bias: vec![0.5],
    };
    Network::from_layers(arch, vec![layer]).unwrap()
}

fn grads(g: f64) -> Gradients<f64> {
    Gradients {
        layers: vec![Layer {
            weights: Matrix::from_fn(1, 1, |_, _| g),
            bias: vec![g],
        }],
    }
}

/// (weight, bias) after the steps 0.2 then −0.4.
fn two_steps(opt: Optimizer) -> (f64, f64) {
    let mut net = one_weight();
    let mut state = OptimizerState::new(&opt, &net);
    for g in [0.2, -0.4] {
        state.step(&opt, &mut net, &grads(g), 0.1);
    }
    let layer = &net.layers()[0];
    (layer.weights.get(0, 0), layer.bias[0])
}

fn close(found: f64, expected: f64) {
    assert!(
        (found - expected).abs() <= 1e-15 * expected.abs().max(1.0),
        "{found} against {expected}"
    );
}

#[test]
fn momentum_matches_the_hand_computed_steps() {
    let (w, b) = two_steps(Optimizer::MOMENTUM);
    close(w, 0.502);
    close(b, 0.502);
}

#[test]
fn nesterov_matches_the_hand_computed_steps() {
    let (w, b) = two_steps(Optimizer::Momentum {
        momentum: 0.9,
        nesterov: true,
    });
    close(w, 0.5218);
    close(b, 0.5218);
}

#[test]
fn adam_matches_algorithm_1_with_its_bias_correction() {
    let (w, b) = two_steps(Optimizer::ADAM);
    close(w, 0.436_610_356_546_036_75);
    close(b, 0.436_610_356_546_036_75);
}

#[test]
fn adamw_decays_the_weight_not_the_bias() {
    let (w, b) = two_steps(Optimizer::AdamW {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weight_decay: 0.01,
    });
    close(w, 0.435_710_856_541_036_7);
    close(b, 0.436_610_356_546_036_75);
}
