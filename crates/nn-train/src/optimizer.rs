//! The optimisers' updates and state. Every update is one fused pass over each parameter array.

use crate::config::Optimizer;
use nn_core::{Gradients, Layer, Network};
use nn_linalg::Scalar;
use nn_linalg::simd::{Kernel, dispatch};
use serde::{Deserialize, Serialize};

/// What an optimiser remembers between steps: saved in model files so that a resume is exact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub enum OptimizerState<T: Scalar = f64> {
    /// Nothing.
    Gd,
    /// The velocity v, shaped like the layers.
    Momentum {
        /// v.
        velocity: Vec<Layer<T>>,
    },
    /// First and second moment estimates and the step count.
    Adam {
        /// m.
        m: Vec<Layer<T>>,
        /// v.
        v: Vec<Layer<T>>,
        /// Steps taken.
        t: u64,
    },
    /// L-BFGS's memory: a ring of `history` curvature pairs, and the cost and gradient at the current weights.
    Lbfgs {
        /// sₖ = θₖ₊₁ − θₖ, one vector of every parameter per slot.
        s: Vec<Vec<T>>,
        /// yₖ = ∇Jₖ₊₁ − ∇Jₖ.
        y: Vec<Vec<T>>,
        /// Pairs held (≤ the slots).
        len: usize,
        /// The slot the next pair goes to.
        next: usize,
        /// ∇J at the current weights (empty before the first iteration).
        gradient: Vec<T>,
        /// J at the current weights.
        cost: f64,
    },
}

fn zeros_like<T: Scalar>(net: &Network<T>) -> Vec<Layer<T>> {
    net.layers()
        .iter()
        .map(|l| Layer::zeros(l.n_in(), l.n_out()))
        .collect()
}

/// Applies `f(θ, g, slots)` to every parameter array θ of `net` (a column of weights, or a bias), with its
/// gradient g and its `N` arrays of optimiser state (momentum's velocity; Adam's m and v), all of one length:
/// layer by layer, the weights column by column, then the biases.
fn for_each_param<T: Scalar, const N: usize>(
    net: &mut Network<T>,
    grads: &Gradients<T>,
    mut state: [&mut [Layer<T>]; N],
    mut f: impl FnMut(&mut [T], &[T], [&mut [T]; N]),
) {
    let mut apply = |theta: &mut [T], g: &[T], slots: [&mut [T]; N]| {
        let n = theta.len();
        assert!(
            g.len() == n && slots.iter().all(|s| s.len() == n),
            "optimiser state of the network's shape"
        );
        f(theta, g, slots)
    };
    for (l, (layer, g)) in net.layers_mut().iter_mut().zip(&grads.layers).enumerate() {
        for j in 0..layer.n_out() {
            let slots = state.each_mut().map(|s| s[l].weights.col_mut(j));
            apply(layer.weights.col_mut(j), g.weights.col(j), slots);
        }
        let slots = state.each_mut().map(|s| s[l].bias.as_mut_slice());
        apply(&mut layer.bias, &g.bias, slots);
    }
}

/// One Adam update of a parameter array, under [`dispatch`] so that the square roots and divisions run
/// several lanes at a time (compiled as plain SSE2 otherwise: two lanes).
struct AdamKernel<'a, T> {
    theta: &'a mut [T],
    g: &'a [T],
    m: &'a mut [T],
    v: &'a mut [T],
    /// β₁, β₂, the step size α_t and ε̂ (see [`OptimizerState::step`]).
    b1: T,
    b2: T,
    alpha: T,
    eps_hat: T,
}

impl<T: Scalar> Kernel for AdamKernel<'_, T> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        let (b1, b2, alpha, eps_hat) = (self.b1, self.b2, self.alpha, self.eps_hat);
        let (c1, c2) = (T::ONE - b1, T::ONE - b2);
        let moments = self.m.iter_mut().zip(self.v.iter_mut());
        for ((w, &g), (m, v)) in self.theta.iter_mut().zip(self.g).zip(moments) {
            *m = b1 * *m + c1 * g;
            *v = b2 * *v + c2 * g * g;
            *w -= alpha * *m / (v.sqrt() + eps_hat);
        }
    }
}

impl<T: Scalar> OptimizerState<T> {
    /// The name of the optimiser this state belongs to: `gd`, `momentum` (also Nesterov's) or `adam`.
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerState::Gd => "gd",
            OptimizerState::Momentum { .. } => "momentum",
            OptimizerState::Adam { .. } => "adam",
            OptimizerState::Lbfgs { .. } => "lbfgs",
        }
    }

    /// Fresh state for `opt` on `net`'s shapes.
    pub fn new(opt: &Optimizer, net: &Network<T>) -> Self {
        match opt {
            Optimizer::Gd => OptimizerState::Gd,
            Optimizer::Momentum { .. } => OptimizerState::Momentum {
                velocity: zeros_like(net),
            },
            Optimizer::Adam { .. } | Optimizer::AdamW { .. } => OptimizerState::Adam {
                m: zeros_like(net),
                v: zeros_like(net),
                t: 0,
            },
            &Optimizer::Lbfgs { history, .. } => {
                let n = net.architecture().parameter_count();
                OptimizerState::Lbfgs {
                    s: vec![vec![T::ZERO; n]; history],
                    y: vec![vec![T::ZERO; n]; history],
                    len: 0,
                    next: 0,
                    gradient: Vec::with_capacity(n),
                    cost: 0.0,
                }
            }
        }
    }

    /// The same state in another precision (exact from f32 to f64 and back).
    pub fn cast<U: Scalar>(&self) -> OptimizerState<U> {
        let cast_layers = |ls: &[Layer<T>]| ls.iter().map(Layer::cast).collect();
        match self {
            OptimizerState::Gd => OptimizerState::Gd,
            OptimizerState::Momentum { velocity } => OptimizerState::Momentum {
                velocity: cast_layers(velocity),
            },
            OptimizerState::Adam { m, v, t } => OptimizerState::Adam {
                m: cast_layers(m),
                v: cast_layers(v),
                t: *t,
            },
            OptimizerState::Lbfgs {
                s,
                y,
                len,
                next,
                gradient,
                cost,
            } => {
                let cast = |v: &Vec<T>| v.iter().map(|&x| U::from_f64(x.to_f64())).collect();
                let mut g: Vec<U> = Vec::with_capacity(gradient.capacity());
                g.extend(gradient.iter().map(|&x| U::from_f64(x.to_f64())));
                OptimizerState::Lbfgs {
                    s: s.iter().map(cast).collect(),
                    y: y.iter().map(cast).collect(),
                    len: *len,
                    next: *next,
                    gradient: g,
                    cost: *cost,
                }
            }
        }
    }

    /// One update of `net` by `grads` at learning rate `lr`.
    pub fn step(&mut self, opt: &Optimizer, net: &mut Network<T>, grads: &Gradients<T>, lr: f64) {
        let lr_t = T::from_f64(lr);
        match (self, opt) {
            (OptimizerState::Gd, _) => net.gradient_descent_step(grads, lr_t),
            (
                OptimizerState::Momentum { velocity },
                &Optimizer::Momentum { momentum, nesterov },
            ) => {
                let mu = T::from_f64(momentum);
                for_each_param(net, grads, [velocity], |w, g, [v]| {
                    for ((w, &g), v) in w.iter_mut().zip(g).zip(v.iter_mut()) {
                        // v ← μv + g;  θ ← θ − lr·v   (Nesterov: θ ← θ − lr·(g + μv))
                        *v = mu * *v + g;
                        *w -= lr_t * if nesterov { g + mu * *v } else { *v };
                    }
                });
            }
            (OptimizerState::Adam { m, v, t }, opt) => {
                let [beta1, beta2, epsilon] = opt
                    .adam_parameters()
                    .expect("Adam state belongs to an Adam kind");
                if let Optimizer::AdamW { weight_decay, .. } = *opt {
                    // Decoupled decay of the non-bias weights, before the Adam step: W ← (1 − lr·λ_w)·W.
                    let keep = T::from_f64(1.0 - lr * weight_decay);
                    for layer in net.layers_mut() {
                        for j in 0..layer.n_out() {
                            for w in layer.weights.col_mut(j) {
                                *w *= keep;
                            }
                        }
                    }
                }
                *t = t.saturating_add(1); // a crafted resume state may hold u64::MAX
                // Bias corrections folded into the step size: α_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ) (Kingma & Ba, §2).
                let ti = i32::try_from(*t).unwrap_or(i32::MAX);
                let alpha =
                    T::from_f64(lr * (1.0 - beta2.powi(ti)).sqrt() / (1.0 - beta1.powi(ti)));
                let (b1, b2, eps) = (T::from_f64(beta1), T::from_f64(beta2), T::from_f64(epsilon));
                let eps_hat = eps * T::from_f64((1.0 - beta2.powi(ti)).sqrt());
                // m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  θ ← θ − α_t·m / (√v + ε̂)
                for_each_param(net, grads, [m, v], |theta, g, [m, v]| {
                    dispatch(AdamKernel {
                        theta,
                        g,
                        m,
                        v,
                        b1,
                        b2,
                        alpha,
                        eps_hat,
                    })
                });
            }
            _ => unreachable!(
                "optimizer state is created from the same config it is stepped with; L-BFGS steps in the trainer"
            ),
        }
    }
}
