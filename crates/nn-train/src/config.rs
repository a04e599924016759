//! [`TrainConfig`], checked once into a [`ValidConfig`] that the loop trusts.

mod class_weight;
mod optimizers;
mod schedule;

pub use class_weight::ClassWeight;
pub use optimizers::Optimizer;
pub use schedule::Schedule;

use crate::augment::Shift;
use crate::epoch::Part;
use crate::error::{Result, bad};
use crate::select::Selection;
use nn_linalg::Threads;
use serde::{Deserialize, Serialize};

/// Everything that defines a training run, as the user gives it.
///
/// A model file records it as JSON inside its job record (`Training::job`); a field missing there (a setting
/// added after the file was written) reads as its default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
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

impl TrainConfig {
    /// Checks every field against the data it will run on: `train_rows` samples, and which optional parts
    /// exist.
    pub fn validate(
        mut self,
        train_rows: usize,
        has_validation: bool,
        has_test: bool,
    ) -> Result<ValidConfig> {
        self.check_ranges()?;
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
        self.check_lbfgs(train_rows)?;
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

    /// Each number in its range, and a SIMD level this CPU has.
    fn check_ranges(&self) -> Result<()> {
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
        Ok(())
    }

    /// L-BFGS needs one deterministic objective: the full batch, no dropout, no shifts, a constant rate.
    fn check_lbfgs(&self, train_rows: usize) -> Result<()> {
        let Optimizer::Lbfgs { .. } = self.optimizer else {
            return Ok(());
        };
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
        Ok(())
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
