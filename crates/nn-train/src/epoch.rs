//! What each epoch measured: [`PartMetrics`] per part of the data, [`EpochReport`] per epoch, and the names
//! of the parts and metrics that selection reads ([`Part`], [`Metric`]).

use nn_core::Evaluation;
use serde::{Deserialize, Serialize};

/// Which part of the data a metric is read on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// Training samples.
    Train,
    /// Validation samples.
    Validation,
    /// Test samples.
    Test,
}

/// Which metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Mean cross-entropy (without the λ term); lower is better.
    Loss,
    /// Fraction correct; higher is better.
    Accuracy,
    /// R², regression only; higher is better.
    R2,
    /// Macro-averaged F1, classification only; higher is better.
    F1,
}

/// Loss and accuracy (or R²) on one part of the data.
///
/// Model files of format 4 and before stored the first five fields only; the `legacy` module reads those.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PartMetrics {
    /// Mean loss, without the λ term: cross-entropy, or for regression ½·mean squared error in standardised
    /// target units.
    pub loss: f64,
    /// Loss plus the λ term: the objective J.
    pub cost: f64,
    /// Fraction correct (0 for regression).
    pub accuracy: f64,
    /// Samples correct.
    pub correct: usize,
    /// Samples.
    pub total: usize,
    /// The coefficient of determination R² = 1 − SSE/SST of this part (regression only).
    pub r2: Option<f64>,
    /// Mean absolute error, in standardised target units (regression only; times the target's scale it is
    /// in the target's units).
    pub mae: Option<f64>,
    /// The macro-averaged F1 over the classes (classification only; see [`crate::metrics::macro_f1`]).
    pub f1: Option<f64>,
}

impl PartMetrics {
    /// The metrics of an evaluation; `spread` is the part's [`Samples::target_spread`](crate::Samples::target_spread)
    /// (regression), from which R² follows; `counts` the pass's per-class counts
    /// ([`Workspace::class_counts`](nn_core::Workspace::class_counts), empty for regression), from which the
    /// macro-F1 follows.
    pub fn new(e: Evaluation, spread: Option<f64>, counts: &[[usize; 3]]) -> Self {
        PartMetrics {
            loss: e.loss,
            cost: e.cost(),
            accuracy: e.accuracy(),
            correct: e.correct,
            total: e.samples,
            r2: spread.map(|s| r_squared(e.loss, s)),
            mae: spread.map(|_| e.abs_error),
            f1: (!counts.is_empty()).then(|| crate::metrics::macro_f1(counts)),
        }
    }

    /// Mean squared error in standardised target units (regression: twice the loss ½·MSE).
    pub fn mse(&self) -> f64 {
        2.0 * self.loss
    }
}

impl From<Evaluation> for PartMetrics {
    /// The loss and accuracy of `e` alone (no R², MAE or F1).
    fn from(e: Evaluation) -> Self {
        PartMetrics::new(e, None, &[])
    }
}

/// Reading [`PartMetrics`] from model files written before it had `r2` (format 4 and before).
///
/// bincode stores a struct as its fields in order, with no names or count, so a body's layout depends on the
/// format version. The model file decoder sets the version being read for the duration of a decode
/// ([`legacy::reading`]); `PartMetrics` reads five fields for versions before 5 and six after. Every other
/// reader (JSON) sees the current layout.
pub(crate) mod legacy {
    use std::cell::Cell;

    thread_local! {
        static READING: Cell<Option<u32>> = const { Cell::new(None) };
    }

    /// Marks this thread as decoding a body of format `version` until the guard drops.
    pub fn reading(version: u32) -> Guard {
        let before = READING.with(|r| r.replace(Some(version)));
        Guard(before)
    }

    /// Restores the previous state on drop.
    pub struct Guard(Option<u32>);

    impl Drop for Guard {
        fn drop(&mut self) {
            READING.with(|r| r.set(self.0));
        }
    }

    /// Whether the body being decoded predates `PartMetrics::r2`.
    pub(crate) fn before_r2() -> bool {
        READING.with(|r| r.get()).is_some_and(|v| v < 5)
    }
}

impl<'de> Deserialize<'de> for PartMetrics {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// The current layout (serde's remote derive: the fields of `PartMetrics`, in order).
        #[derive(Deserialize)]
        #[serde(remote = "PartMetrics")]
        struct Current {
            loss: f64,
            cost: f64,
            accuracy: f64,
            correct: usize,
            total: usize,
            r2: Option<f64>,
            mae: Option<f64>,
            f1: Option<f64>,
        }
        /// The layout of formats 2 to 4.
        #[derive(Deserialize)]
        struct V4 {
            loss: f64,
            cost: f64,
            accuracy: f64,
            correct: usize,
            total: usize,
        }
        if !legacy::before_r2() {
            return Current::deserialize(d);
        }
        let V4 {
            loss,
            cost,
            accuracy,
            correct,
            total,
        } = V4::deserialize(d)?;
        Ok(PartMetrics {
            loss,
            cost,
            accuracy,
            correct,
            total,
            r2: None,
            mae: None,
            f1: None,
        })
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

    /// `metric` on `part`, oriented so that lower is better (accuracy and R² are negated).
    pub fn score(&self, part: Part, metric: Metric) -> Option<f64> {
        self.part(part).map(|m| match metric {
            Metric::Loss => m.loss,
            Metric::Accuracy => -m.accuracy,
            Metric::R2 => -m.r2.unwrap_or(f64::NEG_INFINITY),
            Metric::F1 => -m.f1.unwrap_or(f64::NEG_INFINITY),
        })
    }
}

/// R² = 1 − SSE/SST from the loss ½·SSE/m and the spread SST/m (0 spread: no variance to explain, 0).
pub(crate) fn r_squared(loss: f64, spread: f64) -> f64 {
    if spread > 0.0 {
        1.0 - 2.0 * loss / spread
    } else {
        0.0
    }
}
