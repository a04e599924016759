//! Model selection, early stopping and the plateau schedule, as pure deciders over epoch reports: they return
//! what should happen; the loop does it. Tests drive them without a loop.

use crate::config::Schedule;
use crate::epoch::{EpochReport, Metric, Part};
use serde::{Deserialize, Serialize};

/// How the model that is kept is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selection {
    /// The weights after the last epoch.
    Last,
    /// The epoch with the best `metric` on `part`.
    Best {
        /// Where.
        part: Part,
        /// What.
        metric: Metric,
    },
}

impl Selection {
    /// The default: lowest validation loss.
    pub const VAL_LOSS: Selection = Selection::Best {
        part: Part::Validation,
        metric: Metric::Loss,
    };
    /// The report's protocol: best test accuracy. This selects on the test set, so its test figures are
    /// optimistic; results chosen this way are labelled as such.
    pub const TEST_ACC: Selection = Selection::Best {
        part: Part::Test,
        metric: Metric::Accuracy,
    };

    /// Every rule's name, in the order `--help` lists them.
    pub const NAMES: [&'static str; 13] = [
        "last",
        "val-loss",
        "val-acc",
        "val-f1",
        "val-r2",
        "test-acc",
        "test-loss",
        "test-f1",
        "test-r2",
        "train-loss",
        "train-acc",
        "train-f1",
        "train-r2",
    ];

    /// Parses the [`NAMES`](Self::NAMES): `last`, or a part (`train`, `val`, `test`) and a metric (`loss`,
    /// `acc`, `f1`, `r2`).
    pub fn parse(s: &str) -> Option<Selection> {
        if s == "last" {
            return Some(Selection::Last);
        }
        let (p, m) = s.split_once('-')?;
        let part = match p {
            "train" => Part::Train,
            "val" => Part::Validation,
            "test" => Part::Test,
            _ => return None,
        };
        let metric = match m {
            "loss" => Metric::Loss,
            "acc" => Metric::Accuracy,
            "r2" => Metric::R2,
            "f1" => Metric::F1,
            _ => return None,
        };
        Some(Selection::Best { part, metric })
    }

    /// The name [`parse`](Self::parse) reads.
    pub fn name(&self) -> String {
        match self {
            Selection::Last => "last".into(),
            Selection::Best { part, metric } => format!(
                "{}-{}",
                match part {
                    Part::Train => "train",
                    Part::Validation => "val",
                    Part::Test => "test",
                },
                match metric {
                    Metric::Loss => "loss",
                    Metric::Accuracy => "acc",
                    Metric::R2 => "r2",
                    Metric::F1 => "f1",
                }
            ),
        }
    }

    /// Whether this chooses the model on the test set (the report's protocol).
    pub fn uses_test_set(&self) -> bool {
        matches!(
            self,
            Selection::Best {
                part: Part::Test,
                ..
            }
        )
    }
}

impl std::str::FromStr for Selection {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Selection::parse(s).ok_or_else(|| {
            format!(
                "unknown selection rule '{s}' (expected one of: {})",
                Selection::NAMES.join(", ")
            )
        })
    }
}

impl std::fmt::Display for Selection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// What the selector decided about one epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Keep this epoch's weights as the selected model.
    pub is_best: bool,
    /// Stop training after this epoch.
    pub stop: bool,
}

/// Tracks the best epoch by the selection metric and counts epochs since it improved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Selector {
    selection: Selection,
    patience: Option<usize>,
    min_delta: f64,
    best_score: Option<f64>,
    best_epoch: usize,
    since_best: usize,
}

impl Selector {
    /// A selector that has seen nothing.
    pub fn new(selection: Selection, patience: Option<usize>, min_delta: f64) -> Self {
        Selector {
            selection,
            patience,
            min_delta,
            best_score: None,
            best_epoch: 0,
            since_best: 0,
        }
    }

    /// The epoch selected so far (0 before any).
    pub fn best_epoch(&self) -> usize {
        self.best_epoch
    }

    /// Judges `report`. With [`Selection::Last`] every epoch is "best" and nothing stops.
    ///
    /// An epoch that beats the best score at all is the new best (the first epoch always is). Patience
    /// counts the epochs since one beat the best by more than `min_delta`, as scikit-learn's MLP counts
    /// against its `tol`: a score that keeps creeping down by less than that stops the run, and its lowest
    /// point is kept. (Counting from the last best that beat the one before by `min_delta`, as a selection
    /// that only moves by that much would, let a creeping score reset the count every few epochs: breast
    /// cancer then trained far longer than scikit-learn and lost 0.14 points of accuracy to it.)
    pub fn observe(&mut self, report: &EpochReport) -> Decision {
        let Selection::Best { part, metric } = self.selection else {
            self.best_epoch = report.epoch;
            return Decision {
                is_best: true,
                stop: false,
            };
        };
        let score = report.score(part, metric).unwrap_or(f64::INFINITY);
        let (improved, progressed) = match self.best_score {
            None => (true, true),
            Some(best) => (score < best, score < best - self.min_delta),
        };
        if improved {
            self.best_score = Some(score);
            self.best_epoch = report.epoch;
        }
        if progressed {
            self.since_best = 0;
        } else {
            self.since_best = self.since_best.saturating_add(1); // also from a crafted resume state
        }
        Decision {
            is_best: improved,
            stop: self.patience.is_some_and(|p| self.since_best >= p),
        }
    }
}

/// The learning-rate schedule's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LrSchedule {
    schedule: Schedule,
    base: f64,
    current: f64,
    plateau_best: Option<f64>,
    plateau_wait: usize,
}

impl LrSchedule {
    /// Starts at `lr`.
    pub fn new(schedule: Schedule, lr: f64) -> Self {
        LrSchedule {
            schedule,
            base: lr,
            current: lr,
            plateau_best: None,
            plateau_wait: 0,
        }
    }

    /// Whether every rate it can return is finite and positive (checked when a model file is loaded).
    pub(crate) fn rates_are_sound(&self) -> bool {
        let ok = |r: f64| r.is_finite() && r > 0.0;
        let steps_ok = match &self.schedule {
            Schedule::Steps { steps } => steps.iter().all(|&(_, r)| ok(r)),
            _ => true,
        };
        ok(self.base) && ok(self.current) && steps_ok
    }

    /// The rate for (1-based) `epoch`.
    pub fn lr_for(&self, epoch: usize) -> f64 {
        match &self.schedule {
            Schedule::Steps { steps } => steps
                .iter()
                .rev()
                .find(|(e, _)| epoch > *e)
                .map_or(self.base, |&(_, lr)| lr),
            _ => self.current,
        }
    }

    /// Feeds the monitored loss after an epoch (used by the plateau schedule only).
    pub fn observe(&mut self, monitored_loss: f64) {
        if let Schedule::Plateau {
            factor,
            patience,
            min_lr,
        } = self.schedule
        {
            match self.plateau_best {
                Some(best) if monitored_loss >= best => {
                    self.plateau_wait = self.plateau_wait.saturating_add(1);
                    if self.plateau_wait >= patience.max(1) {
                        self.current = (self.current * factor).max(min_lr);
                        self.plateau_wait = 0;
                    }
                }
                _ => {
                    self.plateau_best = Some(monitored_loss);
                    self.plateau_wait = 0;
                }
            }
        }
    }
}
