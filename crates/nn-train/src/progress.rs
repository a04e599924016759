//! [`Progress`]: what a run carries from one epoch to the next besides its weights.

use crate::epoch::EpochReport;
use crate::optimizer::OptimizerState;
use crate::select::{LrSchedule, Selector};
use nn_core::Network;
use nn_linalg::Scalar;
use serde::{Deserialize, Serialize};

/// Everything the loop carries from one epoch to the next besides the weights. Saved in model files:
/// with it, stopping after epoch k and resuming gives the same bits as never stopping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Progress<T: Scalar = f64> {
    /// Epochs completed.
    pub epoch: usize,
    /// The optimiser's memory.
    pub optimizer: OptimizerState<T>,
    /// The learning-rate schedule's state.
    pub schedule: LrSchedule,
    /// The model selector's state.
    pub selector: Selector,
    /// The selected weights so far, and the report of their epoch.
    pub best: Option<(Network<T>, EpochReport)>,
    /// Every epoch's report so far.
    pub history: Vec<EpochReport>,
}

impl<T: Scalar> Progress<T> {
    /// The same progress in another precision (exact from f32 to f64 and back).
    pub fn cast<U: Scalar>(&self) -> Progress<U> {
        Progress {
            epoch: self.epoch,
            optimizer: self.optimizer.cast(),
            schedule: self.schedule.clone(),
            selector: self.selector.clone(),
            best: self.best.as_ref().map(|(n, r)| (n.cast(), *r)),
            history: self.history.clone(),
        }
    }
}
