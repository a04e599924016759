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

fn close(found: f64, expected: f64, what: &str) {
    assert!(
        (found - expected).abs() <= 1e-15 * expected.abs().max(1.0),
        "{what}: {found} against {expected}"
    );
}

/// Every optimiser's (weight, bias) after the two steps, against the module's hand-computed values. AdamW
/// decays the weight, not the bias.
#[test]
fn optimisers_match_their_hand_computed_steps() {
    let nesterov = Optimizer::Momentum {
        momentum: 0.9,
        nesterov: true,
    };
    let adamw = Optimizer::AdamW {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weight_decay: 0.01,
    };
    let adam = 0.436_610_356_546_036_75;
    for (name, opt, w, b) in [
        ("momentum", Optimizer::MOMENTUM, 0.502, 0.502),
        ("Nesterov", nesterov, 0.5218, 0.5218),
        (
            "Adam (Algorithm 1, with its bias correction)",
            Optimizer::ADAM,
            adam,
            adam,
        ),
        ("AdamW", adamw, 0.435_710_856_541_036_7, adam),
    ] {
        let (found_w, found_b) = two_steps(opt);
        close(found_w, w, name);
        close(found_b, b, name);
    }
}
