//! The events the loop emits to its observer, and why a run stopped.

use crate::epoch::EpochReport;
use crate::progress::Progress;
use nn_core::Network;
use nn_linalg::Scalar;
use serde::{Deserialize, Serialize};

/// Why training ended before its last epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// `patience` epochs passed without improvement.
    EarlyStopping {
        /// The patience that ran out.
        patience: usize,
    },
    /// L-BFGS converged (or can make no more progress).
    Converged(crate::lbfgs::Convergence),
    /// The caller asked the run to stop ([`Trainer::run_until`](crate::Trainer::run_until)).
    Interrupted,
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
    /// After every epoch of a classifier, just before `Epoch`: each part's per-class
    /// `[correct, predicted, actual]` counts from this epoch's pass (the counts its `PartMetrics` were computed
    /// from; [`ClassificationReport::from_counts`](crate::metrics::ClassificationReport::from_counts) turns
    /// them into per-class precision, recall and F1).
    Classes {
        /// The epoch.
        epoch: usize,
        /// The training part's counts (summed over the epoch's mini-batches).
        train: &'a [[usize; 3]],
        /// The validation part's, if the run has one.
        validation: Option<&'a [[usize; 3]]>,
        /// The test part's, if the run has one.
        test: Option<&'a [[usize; 3]]>,
    },
    /// After every epoch.
    Epoch(&'a EpochReport),
    /// After an epoch that became the best so far, with its weights (for writing a model file).
    NewBest {
        /// The epoch's report.
        report: &'a EpochReport,
        /// The weights selected at this epoch (`None` in the precision-free form, see
        /// [`without_weights`](Self::without_weights)).
        network: Option<&'a Network<T>>,
    },
    /// After every epoch, once the loop's state is complete (after `NewBest`, before `Stopped`): the current
    /// weights and everything a resume from this epoch needs. A model file writer saves from here.
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

impl<'a, T: Scalar> TrainEvent<'a, T> {
    /// The event without the weights it may carry, in the precision-free form an observer of a run of either
    /// precision takes: [`NewBest`](TrainEvent::NewBest) without its network, and `None` for
    /// [`Snapshot`](TrainEvent::Snapshot), which exists to write model files.
    pub fn without_weights(&self) -> Option<TrainEvent<'a>> {
        Some(match *self {
            TrainEvent::Start {
                first_epoch,
                epochs,
            } => TrainEvent::Start {
                first_epoch,
                epochs,
            },
            TrainEvent::Classes {
                epoch,
                train,
                validation,
                test,
            } => TrainEvent::Classes {
                epoch,
                train,
                validation,
                test,
            },
            TrainEvent::Epoch(r) => TrainEvent::Epoch(r),
            TrainEvent::Stopped { epoch, reason } => TrainEvent::Stopped { epoch, reason },
            TrainEvent::End {
                selected_epoch,
                epochs_run,
            } => TrainEvent::End {
                selected_epoch,
                epochs_run,
            },
            TrainEvent::NewBest { report, .. } => TrainEvent::NewBest {
                report,
                network: None,
            },
            TrainEvent::Snapshot { .. } => return None,
        })
    }
}
