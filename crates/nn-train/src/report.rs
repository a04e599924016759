//! What each epoch measured, and the events the loop emits to its observer.

use crate::progress::Progress;
use crate::select::{Metric, Part};
use nn_core::{Evaluation, Network};
use nn_linalg::Scalar;
use serde::{Deserialize, Serialize};

/// Loss and accuracy on one part of the data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PartMetrics {
    /// Mean cross-entropy, without the λ term.
    pub loss: f64,
    /// Loss plus the λ term: the objective J.
    pub cost: f64,
    /// Fraction correct.
    pub accuracy: f64,
    /// Samples correct.
    pub correct: usize,
    /// Samples.
    pub total: usize,
}

impl From<Evaluation> for PartMetrics {
    fn from(e: Evaluation) -> Self {
        PartMetrics {
            loss: e.loss,
            cost: e.cost(),
            accuracy: e.accuracy(),
            correct: e.correct,
            total: e.samples,
        }
    }
}

/// The metrics of one epoch, measured on the weights after that epoch's updates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    /// 1-based epoch.
    pub epoch: usize,
    /// The learning rate used in this epoch.
    pub lr: f64,
    /// On the training part.
    pub train: PartMetrics,
    /// On the validation part, if there is one.
    pub validation: Option<PartMetrics>,
    /// On the test part, if there is one.
    pub test: Option<PartMetrics>,
}

impl EpochReport {
    /// The metrics of `part`, if it exists.
    pub fn part(&self, part: Part) -> Option<&PartMetrics> {
        match part {
            Part::Train => Some(&self.train),
            Part::Validation => self.validation.as_ref(),
            Part::Test => self.test.as_ref(),
        }
    }

    /// `metric` on `part`, oriented so that lower is better (accuracy is negated).
    pub fn score(&self, part: Part, metric: Metric) -> Option<f64> {
        self.part(part).map(|m| match metric {
            Metric::Loss => m.loss,
            Metric::Accuracy => -m.accuracy,
        })
    }
}

/// Why training ended before its last epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// `patience` epochs passed without improvement.
    EarlyStopping {
        /// The patience that ran out.
        patience: usize,
    },
}

/// What the loop tells its observer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TrainEvent<'a, T: Scalar = f64> {
    /// Before the first epoch of this run (after a resume, `first_epoch` > 1).
    Start {
        /// The epoch about to run.
        first_epoch: usize,
        /// The last epoch planned.
        epochs: usize,
    },
    /// After every epoch.
    Epoch(&'a EpochReport),
    /// After an epoch that became the best so far, with its weights (for writing a checkpoint).
    NewBest {
        /// The epoch's report.
        report: &'a EpochReport,
        /// The weights selected at this epoch.
        network: &'a Network<T>,
    },
    /// After every epoch, once the loop's state is complete (after `NewBest`, before `Stopped`): the current
    /// weights and everything a resume from this epoch needs. A checkpoint writer saves from here.
    Snapshot {
        /// The weights after this epoch.
        network: &'a Network<T>,
        /// The loop's state after this epoch.
        progress: &'a Progress<T>,
    },
    /// Training stops early.
    Stopped {
        /// The last epoch run.
        epoch: usize,
        /// Why.
        reason: StopReason,
    },
    /// After the last epoch.
    End {
        /// The epoch whose weights are kept.
        selected_epoch: usize,
        /// Epochs run in total.
        epochs_run: usize,
    },
}
