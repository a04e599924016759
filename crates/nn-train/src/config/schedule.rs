//! [`Schedule`]: how the learning rate changes over epochs, with its checks.

use crate::error::{Result, bad};
use serde::{Deserialize, Serialize};

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

impl Schedule {
    /// Its rates are finite and positive, its steps ascending, its plateau factor in (0, 1).
    pub(super) fn check(&self) -> Result<()> {
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
