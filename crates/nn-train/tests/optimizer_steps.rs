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
//!
//! Then whole runs against maths done independently: AdamW against Adam, and L-BFGS against Newton's method.

use crate::common;
use nn_core::{Architecture, Gradients, Layer, Network, Output};
use nn_linalg::Matrix;
use nn_train::*;

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

/// AdamW is Adam plus a decoupled shrink of the non-bias weights: with a zero gradient one step multiplies every
/// weight by exactly 1 − lr·λ_w and leaves the biases; with λ_w = 0 it is Adam bit for bit.
#[test]
fn adamw_decays_weights_only_and_is_adam_without_decay() {
    use nn_core::Gradients;
    let mut net = Network::<f64>::xavier(3, &[4], 2, Output::Softmax, 5).unwrap();
    for layer in net.layers_mut() {
        layer.bias.iter_mut().for_each(|b| *b = 0.5);
    }
    let zero = Gradients::zeros(net.architecture());
    let (lr, decay) = (0.1, 0.2);
    let adamw = Optimizer::AdamW {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weight_decay: decay,
    };
    let mut decayed = net.clone();
    OptimizerState::new(&adamw, &decayed).step(&adamw, &mut decayed, &zero, lr);
    for (after, before) in decayed.layers().iter().zip(net.layers()) {
        assert_eq!(after.bias, before.bias);
        for j in 0..before.n_out() {
            for (a, b) in after.weights.col(j).iter().zip(before.weights.col(j)) {
                assert_eq!(*a, b * (1.0 - lr * decay));
            }
        }
    }
    // Without decay, on a real gradient, the same bits as Adam.
    let x = Matrix::from_fn(6, 3, |i, j| ((i * 3 + j) as f64 * 0.7).sin());
    let (_, grads) = net.gradient(&x, &[0, 1, 0, 1, 1, 0], 0.0).unwrap();
    let no_decay = Optimizer::AdamW {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weight_decay: 0.0,
    };
    let (mut a, mut b) = (net.clone(), net.clone());
    OptimizerState::new(&no_decay, &a).step(&no_decay, &mut a, &grads, lr);
    OptimizerState::new(&Optimizer::ADAM, &b).step(&Optimizer::ADAM, &mut b, &grads, lr);
    assert_eq!(a, b);
}

/// The optimum of logistic regression on (x, labels), two features, with the penalty λ on the weights, by 50
/// Newton steps.
#[allow(clippy::needless_range_loop)] // the Newton step is written with indices, as in the maths
fn newton_optimum(x: &Matrix<f64>, labels: &[usize], lambda: f64) -> [f64; 3] {
    // Newton on θ = (w₁, w₂, b): g = Aᵀ(p − y)/n + (λ/n)(w, 0), H = Aᵀ diag(p(1 − p)) A/n + (λ/n) diag(1, 1, 0).
    let n = labels.len() as f64;
    let mut theta = [0.0f64; 3];
    for _ in 0..50 {
        let mut g = [0.0; 3];
        let mut h = [[0.0; 3]; 3];
        for i in 0..labels.len() {
            let a = [x.get(i, 0), x.get(i, 1), 1.0];
            let z: f64 = (0..3).map(|k| a[k] * theta[k]).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            for r in 0..3 {
                g[r] += a[r] * (p - labels[i] as f64) / n;
                for c in 0..3 {
                    h[r][c] += a[r] * a[c] * p * (1.0 - p) / n;
                }
            }
        }
        for k in 0..2 {
            g[k] += lambda / n * theta[k];
            h[k][k] += lambda / n;
        }
        // Solve H·Δ = g by Cramer's rule.
        let det = |m: [[f64; 3]; 3]| {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        };
        let d = det(h);
        for k in 0..3 {
            let mut hk = h;
            for r in 0..3 {
                hk[r][k] = g[r];
            }
            theta[k] -= det(hk) / d;
        }
    }
    theta
}

/// L-BFGS on a convex problem, logistic regression with an L2 penalty (no hidden layer), reaches the optimum
/// that Newton's method finds independently (written out here with its 3×3 Hessian) to 1e-8, and says it
/// converged.
#[test]
fn lbfgs_reaches_the_newton_optimum_of_logistic_regression() {
    let train = common::moons(60, 0);
    let labels = train.y.labels().unwrap().to_vec();
    let lambda = 0.5;
    let theta = newton_optimum(&train.x, &labels, lambda);
    let config = TrainConfig {
        epochs: 1000,
        lr: 1.0,
        optimizer: Optimizer::Lbfgs {
            history: 5,
            tolerance: 1e-12,
        },
        lambda,
        selection: Selection::Last,
        ..TrainConfig::default()
    };
    let net = Network::xavier(2, &[], 1, Output::Sigmoid, 3).unwrap();
    let mut t = Trainer::new(config.validate(60, false, false).unwrap(), net);
    let mut stopped = None;
    let data = TrainData {
        train,
        validation: None,
        test: None,
        scaling: None,
    };
    t.run(&data, &mut |e| {
        if let TrainEvent::Stopped { reason, epoch } = e {
            stopped = Some((*reason, *epoch));
        }
    })
    .unwrap();
    let layer = &t.network().layers()[0];
    let found = [
        layer.weights.get(0, 0),
        layer.weights.get(1, 0),
        layer.bias[0],
    ];
    for k in 0..3 {
        assert!(
            (found[k] - theta[k]).abs() < 1e-8,
            "θ{k}: L-BFGS {} vs Newton {}",
            found[k],
            theta[k]
        );
    }
    let (reason, epoch) = stopped.expect("L-BFGS stops on convergence");
    assert!(matches!(reason, StopReason::Converged(_)), "{reason:?}");
    assert!(epoch < 100, "converged only after {epoch} iterations");
}

#[test]
fn lbfgs_refuses_mini_batches_dropout_and_schedules() {
    let base = TrainConfig {
        optimizer: Optimizer::LBFGS,
        selection: Selection::Last,
        ..TrainConfig::default()
    };
    let err = |c: TrainConfig| c.validate(60, false, false).unwrap_err().to_string();
    assert!(
        err(TrainConfig {
            batch_size: Some(10),
            ..base.clone()
        })
        .contains("L-BFGS trains on the full batch")
    );
    assert!(
        err(TrainConfig {
            dropout: 0.2,
            ..base.clone()
        })
        .contains("dropout = 0.2")
    );
    let shift = Shift {
        max: 1,
        height: 6,
        width: 10,
    };
    assert!(
        err(TrainConfig {
            shift: Some(shift),
            ..base.clone()
        })
        .contains("shifted images change it")
    );
    // A schedule: L-BFGS's line search sets each step, so a schedule of the rate is refused, steps or plateau.
    for schedule in [
        Schedule::Steps {
            steps: vec![(5, 0.5)],
        },
        Schedule::Plateau {
            factor: 0.5,
            patience: 3,
            min_lr: 0.0,
        },
    ] {
        let e = err(TrainConfig {
            schedule,
            ..base.clone()
        });
        assert!(e.contains("L-BFGS's line search sets each step"), "{e}");
    }
    let history0 = TrainConfig {
        optimizer: Optimizer::Lbfgs {
            history: 0,
            tolerance: 1e-5,
        },
        ..base.clone()
    };
    assert!(err(history0).contains("history = 0: must be at least 1"));
    assert!(base.validate(60, false, false).is_ok());
}
