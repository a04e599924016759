//! [`Optimizer`]: the optimiser and its hyper-parameters, with their checks.

use crate::error::{Result, bad};
use serde::{Deserialize, Serialize};

/// The optimiser and its hyper-parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Optimizer {
    /// θ ← θ − lr·g: the report's update.
    Gd,
    /// v ← μv + g; θ ← θ − lr·v (Nesterov: θ ← θ − lr·(g + μv)).
    Momentum {
        /// μ in [0, 1).
        momentum: f64,
        /// Nesterov's look-ahead form.
        nesterov: bool,
    },
    /// Kingma & Ba (2015), Algorithm 1, with bias correction.
    Adam {
        /// β₁ in [0, 1).
        beta1: f64,
        /// β₂ in [0, 1).
        beta2: f64,
        /// ε > 0.
        epsilon: f64,
    },
    /// Adam with decoupled weight decay (Loshchilov & Hutter, 2019, Algorithm 2, as PyTorch's `AdamW`):
    /// before each Adam step, W ← W − lr·λ_w·W. The decay is applied to the non-bias weights only, like the L2
    /// penalty, and is not part of the loss.
    AdamW {
        /// β₁ in [0, 1).
        beta1: f64,
        /// β₂ in [0, 1).
        beta2: f64,
        /// ε > 0.
        epsilon: f64,
        /// λ_w ≥ 0, the decay per unit of learning rate.
        weight_decay: f64,
    },
    /// Limited-memory BFGS (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Algorithm 7.4 and 7.5) for
    /// full-batch training, with a backtracking (Armijo) line search that starts from the learning rate: one
    /// iteration per epoch. It stops when the gradient's largest component falls to `tolerance`, or when no
    /// step along the search direction makes progress (see [`crate::lbfgs`]).
    Lbfgs {
        /// Curvature pairs (s, y) remembered, ≥ 1.
        history: usize,
        /// The gradient norm (max |gᵢ|) that counts as converged, > 0.
        tolerance: f64,
    },
}

impl Optimizer {
    /// Momentum 0.9, classical.
    pub const MOMENTUM: Optimizer = Optimizer::Momentum {
        momentum: 0.9,
        nesterov: false,
    };
    /// Adam with the paper's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    pub const ADAM: Optimizer = Optimizer::Adam {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
    };

    /// AdamW with Adam's defaults and PyTorch's default decay, λ_w = 0.01.
    pub const ADAMW: Optimizer = Optimizer::AdamW {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weight_decay: 0.01,
    };

    /// The names [`from_name`](Self::from_name) takes, in the order `--help` lists them.
    pub const NAMES: [&'static str; 6] = ["gd", "momentum", "nesterov", "adam", "adamw", "lbfgs"];

    /// L-BFGS with 10 pairs (SciPy's default `maxcor`) and a gradient tolerance of 10⁻⁵ (SciPy's `gtol`).
    pub const LBFGS: Optimizer = Optimizer::Lbfgs {
        history: 10,
        tolerance: 1e-5,
    };

    /// Short name.
    pub fn name(&self) -> &'static str {
        match self {
            Optimizer::Gd => "gd",
            Optimizer::Momentum { nesterov: true, .. } => "nesterov",
            Optimizer::Momentum { .. } => "momentum",
            Optimizer::Adam { .. } => "adam",
            Optimizer::AdamW { .. } => "adamw",
            Optimizer::Lbfgs { .. } => "lbfgs",
        }
    }

    /// β₁, β₂ and ε of Adam and AdamW, to read or set.
    pub fn adam_parameters_mut(&mut self) -> Option<[&mut f64; 3]> {
        match self {
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            }
            | Optimizer::AdamW {
                beta1,
                beta2,
                epsilon,
                ..
            } => Some([beta1, beta2, epsilon]),
            _ => None,
        }
    }

    /// β₁, β₂ and ε of Adam and AdamW.
    pub fn adam_parameters(&self) -> Option<[f64; 3]> {
        let mut copy = *self;
        copy.adam_parameters_mut().map(|p| p.map(|v| *v))
    }

    /// The customary learning rate of this optimiser, for when none is given: 0.1 for gradient descent with or
    /// without momentum (the report's Exp 3 rate), 0.001 for Adam (Kingma & Ba, 2015, Algorithm 1), and for
    /// L-BFGS 1, the full quasi-Newton step its line search tries first.
    pub fn default_lr(&self) -> f64 {
        match self {
            Optimizer::Gd | Optimizer::Momentum { .. } => 0.1,
            Optimizer::Adam { .. } | Optimizer::AdamW { .. } => 0.001,
            Optimizer::Lbfgs { .. } => 1.0,
        }
    }

    /// The optimiser called `name`, with `momentum` for the momentum kinds and the paper's defaults for Adam.
    pub fn from_name(name: &str, momentum: f64) -> Option<Optimizer> {
        let all = [
            Optimizer::Gd,
            Optimizer::Momentum {
                momentum,
                nesterov: false,
            },
            Optimizer::Momentum {
                momentum,
                nesterov: true,
            },
            Optimizer::ADAM,
            Optimizer::ADAMW,
            Optimizer::LBFGS,
        ];
        all.into_iter().find(|o| o.name() == name)
    }
}

impl Optimizer {
    /// Its hyper-parameters are in range.
    pub(super) fn check(&self) -> Result<()> {
        match *self {
            Optimizer::Gd => {}
            Optimizer::Momentum { momentum, .. } if !(0.0..1.0).contains(&momentum) => {
                return Err(bad("momentum", momentum, "must be in [0, 1)"));
            }
            Optimizer::Adam { .. } | Optimizer::AdamW { .. } => {
                let [beta1, beta2, epsilon] = self.adam_parameters().expect("an Adam kind");
                if let Optimizer::AdamW { weight_decay, .. } = *self
                    && !(weight_decay.is_finite() && weight_decay >= 0.0)
                {
                    return Err(bad("weight_decay", weight_decay, "must be finite and ≥ 0"));
                }
                if !(0.0..1.0).contains(&beta1) {
                    return Err(bad("beta1", beta1, "must be in [0, 1)"));
                }
                if !(0.0..1.0).contains(&beta2) {
                    return Err(bad("beta2", beta2, "must be in [0, 1)"));
                }
                if !(epsilon.is_finite() && epsilon > 0.0) {
                    return Err(bad("epsilon", epsilon, "must be finite and > 0"));
                }
            }
            Optimizer::Momentum { .. } => {}
            Optimizer::Lbfgs { history, tolerance } => {
                if history == 0 {
                    return Err(bad("history", history, "must be at least 1"));
                }
                if !(tolerance.is_finite() && tolerance > 0.0) {
                    return Err(bad("tolerance", tolerance, "must be finite and > 0"));
                }
            }
        }
        Ok(())
    }
}
