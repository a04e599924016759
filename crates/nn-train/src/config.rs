//! [`TrainConfig`], checked once into a [`ValidConfig`] that the loop trusts.

use crate::augment::Shift;
use crate::error::{Result, TrainError};
use crate::select::{Part, Selection};
use nn_linalg::Threads;
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

/// How the learning rate changes over epochs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Schedule {
    /// The same rate throughout.
    #[default]
    Constant,
    /// `(epoch, lr)`: from after `epoch` on, use `lr`. The report's is `[(5000, 0.04)]` from 0.1.
    Steps {
        /// Ascending epochs with their new rates.
        steps: Vec<(usize, f64)>,
    },
    /// Multiply the rate by `factor` when the monitored loss (validation if any, else training) has not
    /// decreased at all for `patience` epochs (the selection's `min_delta` plays no part here); never below
    /// `min_lr`.
    Plateau {
        /// In (0, 1).
        factor: f64,
        /// Epochs without improvement.
        patience: usize,
        /// Floor.
        min_lr: f64,
    },
}

impl Schedule {
    /// For people: `"0.1, then 0.04 after epoch 5000"`.
    pub fn describe(&self, lr: f64) -> String {
        match self {
            Schedule::Constant => format!("{lr} constant"),
            Schedule::Steps { steps } => {
                let mut s = lr.to_string();
                for (e, r) in steps {
                    s.push_str(&format!(", then {r} after epoch {e}"));
                }
                s
            }
            Schedule::Plateau {
                factor,
                patience,
                min_lr,
            } => {
                format!("{lr}, ×{factor} after {patience} epochs without improvement (≥ {min_lr})")
            }
        }
    }
}

/// How each sample's loss is weighted by its class, in the training and the validation loss.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClassWeight {
    /// Every sample weighs 1.
    #[default]
    None,
    /// A sample of class c weighs n/(k·n_c), with n_c of the n training samples in class c of k: every class
    /// then carries the same total weight (scikit-learn's `class_weight="balanced"`). A class with no
    /// training sample weighs 1.
    Balanced,
    /// A sample of class c weighs `w[c]` (finite, ≥ 0), one weight per class in the order of the class
    /// indices.
    Given(Vec<f64>),
}

impl ClassWeight {
    /// Per class, the weight of its samples, from the training part's labels over `classes` classes; empty
    /// (all 1) for [`ClassWeight::None`].
    pub fn weights(&self, labels: &[usize], classes: usize) -> Vec<f64> {
        match self {
            ClassWeight::None => Vec::new(),
            ClassWeight::Given(w) => w.clone(),
            ClassWeight::Balanced => {
                let mut counts = vec![0usize; classes];
                for &c in labels {
                    if let Some(n) = counts.get_mut(c) {
                        *n += 1;
                    }
                }
                let n = labels.len() as f64;
                counts
                    .iter()
                    .map(|&n_c| match n_c {
                        0 => 1.0,
                        n_c => n / (classes as f64 * n_c as f64),
                    })
                    .collect()
            }
        }
    }
}

impl std::str::FromStr for ClassWeight {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "none" => Ok(ClassWeight::None),
            "balanced" => Ok(ClassWeight::Balanced),
            list => {
                let weights = list
                    .split(',')
                    .map(|w| match w.trim().parse::<f64>() {
                        Ok(w) if w.is_finite() && w >= 0.0 => Ok(w),
                        _ => Err(format!(
                            "class weight {w:?}: expected none, balanced, or one weight (a number >= 0) per class, comma-separated"
                        )),
                    })
                    .collect::<std::result::Result<Vec<f64>, String>>()?;
                Ok(ClassWeight::Given(weights))
            }
        }
    }
}

impl std::fmt::Display for ClassWeight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClassWeight::None => f.write_str("none"),
            ClassWeight::Balanced => f.write_str("balanced"),
            ClassWeight::Given(w) => {
                let w: Vec<String> = w.iter().map(f64::to_string).collect();
                f.write_str(&w.join(","))
            }
        }
    }
}

/// Everything that defines a training run, as the user gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Epochs to run in total.
    pub epochs: usize,
    /// Initial learning rate.
    pub lr: f64,
    /// How it changes.
    pub schedule: Schedule,
    /// The optimiser.
    pub optimizer: Optimizer,
    /// Samples per step; `None` is full batch (the report's).
    pub batch_size: Option<usize>,
    /// L2 penalty λ on non-bias weights.
    pub lambda: f64,
    /// Seed of the weights and of mini-batch shuffling.
    pub seed: u64,
    /// Which epoch's weights are kept.
    pub selection: Selection,
    /// Stop after this many epochs without improvement of the selection metric.
    pub patience: Option<usize>,
    /// Smallest change that counts as improvement.
    pub min_delta: f64,
    /// Threads for matrix products.
    pub threads: Threads,
    /// The instruction-set level of the products and element-wise passes; `None` leaves the process's (the
    /// widest the CPU has unless [`nn_linalg::simd::pin`]ned). Every level gives the same bits.
    #[serde(default)]
    pub simd: Option<nn_linalg::simd::Level>,
    /// Inverted dropout on the hidden layers while training: the probability of dropping a unit's output,
    /// in [0, 1); 0 is off. The masks follow from the seed, the epoch and the step alone.
    pub dropout: f64,
    /// Random shifts of the training images (mini-batch and full-batch first-order training; not L-BFGS),
    /// drawn from the seed, the epoch and the step alone. `None` is off.
    #[serde(default)]
    pub shift: Option<Shift>,
    /// How each sample's loss is weighted by its class.
    #[serde(default)]
    pub class_weight: ClassWeight,
    /// Draw a new order of the training samples for the mini-batches of every epoch (else they are taken in
    /// the data's order).
    #[serde(default = "yes")]
    pub shuffle: bool,
}

fn yes() -> bool {
    true
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 1000,
            lr: 0.1,
            schedule: Schedule::Constant,
            optimizer: Optimizer::Gd,
            batch_size: None,
            lambda: 0.0,
            seed: 0,
            selection: Selection::VAL_LOSS,
            patience: None,
            min_delta: 0.0,
            threads: Threads::All,
            simd: None,
            dropout: 0.0,
            shift: None,
            class_weight: ClassWeight::None,
            shuffle: true,
        }
    }
}

/// A [`TrainConfig`] that passed [`TrainConfig::validate`]: the loop never checks it again.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidConfig(TrainConfig, Vec<String>);

impl std::ops::Deref for ValidConfig {
    type Target = TrainConfig;
    fn deref(&self) -> &TrainConfig {
        &self.0
    }
}

impl ValidConfig {
    /// The configuration as given (with a batch size clipped to the training part).
    pub fn into_inner(self) -> TrainConfig {
        self.0
    }

    /// What validation changed, one line each (a batch larger than the training part, clipped to it).
    pub fn notes(&self) -> &[String] {
        &self.1
    }
}

pub(crate) fn bad<T: std::fmt::Debug>(field: &'static str, value: T, expected: &str) -> TrainError {
    TrainError::Config {
        field,
        value: format!("{value:?}"),
        expected: expected.into(),
    }
}

impl TrainConfig {
    /// Checks every field against the data it will run on: `train_rows` samples, and which optional parts
    /// exist.
    pub fn validate(
        mut self,
        train_rows: usize,
        has_validation: bool,
        has_test: bool,
    ) -> Result<ValidConfig> {
        if self.epochs == 0 {
            return Err(bad("epochs", self.epochs, "must be at least 1"));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(bad("lr", self.lr, "must be finite and > 0"));
        }
        if !(self.dropout >= 0.0 && self.dropout < 1.0) {
            return Err(bad("dropout", self.dropout, "must be in [0, 1)"));
        }
        if let Some(level) = self.simd.filter(|l| !l.available()) {
            let has: Vec<&str> = (nn_linalg::simd::Level::ALL.into_iter())
                .filter(|l| l.available())
                .map(|l| l.name())
                .collect();
            let expected = format!("a level this CPU has: {}", has.join(", "));
            return Err(bad("simd", level.name(), &expected));
        }
        if let Some(shift) = self.shift
            && shift.max == 0
        {
            return Err(bad("shift", 0, "must be at least 1 pixel"));
        }
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            return Err(bad("lambda", self.lambda, "must be finite and ≥ 0"));
        }
        if !(self.min_delta.is_finite() && self.min_delta >= 0.0) {
            return Err(bad("min_delta", self.min_delta, "must be finite and ≥ 0"));
        }
        if self.batch_size == Some(0) {
            return Err(bad("batch_size", 0, "must be at least 1"));
        }
        // A batch larger than the training part is the whole part (as scikit-learn clips it), so that one
        // setting serves data sets of any size.
        let mut notes = Vec::new();
        if let Some(b) = self.batch_size
            && b > train_rows
        {
            notes.push(format!(
                "batch size {b} is larger than the {train_rows} training samples; each step uses all {train_rows}"
            ));
            self.batch_size = Some(train_rows);
        }
        self.optimizer.check()?;
        if let Optimizer::Lbfgs { .. } = self.optimizer {
            if let Some(b) = self.batch_size
                && b < train_rows
            {
                return Err(bad(
                    "batch_size",
                    b,
                    "L-BFGS trains on the full batch: its curvature pairs and line search need one objective",
                ));
            }
            if self.dropout > 0.0 {
                return Err(bad(
                    "dropout",
                    self.dropout,
                    "L-BFGS needs a deterministic objective; dropout changes it at every step",
                ));
            }
            if let Some(shift) = self.shift {
                return Err(bad(
                    "shift",
                    shift.max,
                    "L-BFGS needs a deterministic objective; shifted images change it at every step",
                ));
            }
            if self.schedule != Schedule::Constant {
                return Err(bad(
                    "schedule",
                    self.schedule.describe(self.lr),
                    "L-BFGS's line search sets each step; give a constant first step (--lr)",
                ));
            }
        }
        self.schedule.check()?;
        self.check_selection(has_validation, has_test)?;
        if self.patience == Some(0) {
            return Err(bad("patience", 0, "must be at least 1"));
        }
        if self.patience.is_some() && self.selection == Selection::Last {
            return Err(bad(
                "patience",
                self.patience,
                "early stopping needs a metric to watch; choose a selection other than last",
            ));
        }
        Ok(ValidConfig(self, notes))
    }

    /// The selection's part exists in the data.
    fn check_selection(&self, has_validation: bool, has_test: bool) -> Result<()> {
        if let Selection::Best { part, .. } = self.selection {
            let missing = match part {
                Part::Validation => !has_validation,
                Part::Test => !has_test,
                Part::Train => false,
            };
            if missing {
                return Err(bad(
                    "selection",
                    self.selection.name(),
                    &format!("needs a {part:?} part; split the data to have one").to_lowercase(),
                ));
            }
        }
        Ok(())
    }
}

impl Optimizer {
    /// Its hyper-parameters are in range.
    fn check(&self) -> Result<()> {
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

impl Schedule {
    /// Its rates are finite and positive, its steps ascending, its plateau factor in (0, 1).
    fn check(&self) -> Result<()> {
        match self {
            Schedule::Constant => {}
            Schedule::Steps { steps } => {
                if let Some(&(e, lr)) = steps.iter().find(|(_, lr)| !(lr.is_finite() && *lr > 0.0))
                {
                    return Err(bad(
                        "lr step",
                        format!("{e}:{lr}"),
                        "rates must be finite and > 0",
                    ));
                }
                if steps.windows(2).any(|w| w[0].0 >= w[1].0) {
                    return Err(bad("lr steps", steps, "epochs must be strictly increasing"));
                }
            }
            Schedule::Plateau { factor, min_lr, .. } => {
                if !(*factor > 0.0 && *factor < 1.0) {
                    return Err(bad("plateau factor", factor, "must be in (0, 1)"));
                }
                if !(min_lr.is_finite() && *min_lr >= 0.0) {
                    return Err(bad("plateau min_lr", min_lr, "must be finite and ≥ 0"));
                }
            }
        }
        Ok(())
    }
}
