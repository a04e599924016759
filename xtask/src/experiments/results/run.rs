//! [`RunResult`]: one run of the replay, and the figures of a finished one ([`RunMetrics`]).

use crate::experiments::spec::{Experiment, Variant};
use nn_train::job::JobOutcome;
use serde::Serialize;

/// One run: its figures at the selected epoch if it finished, else how it ended.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub experiment: String,
    pub variant: Variant,
    pub seed: u64,
    /// `finished`, `diverged` or `failed`.
    pub status: &'static str,
    /// For a run that did not finish: the epoch (if it diverged) and the cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Absent unless the run finished: a run that diverged or failed has no figures, not default ones.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<RunMetrics>,
}

/// The figures of a finished run at its selected epoch.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RunMetrics {
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub train_correct: usize,
    pub train_total: usize,
    pub test_loss: f64,
    pub test_accuracy: f64,
    pub test_correct: usize,
    pub test_total: usize,
    pub best_epoch: usize,
    pub epochs_run: usize,
    pub seconds: f64,
}

impl RunResult {
    pub fn new(e: &Experiment, variant: Variant, seed: u64, o: &JobOutcome) -> Self {
        let base = RunResult {
            experiment: e.id.clone(),
            variant,
            seed,
            status: "finished",
            problem: None,
            metrics: None,
        };
        if let Some(err) = &o.error {
            return RunResult {
                status: "diverged",
                problem: Some(err.to_string()),
                ..base
            };
        }
        let Some(m) = o.model_file.metrics else {
            return RunResult {
                status: "failed",
                problem: Some("no epoch was selected".into()),
                ..base
            };
        };
        let Some(test) = m.test else {
            return RunResult {
                status: "failed",
                problem: Some("the run has no test part".into()),
                ..base
            };
        };
        RunResult {
            metrics: Some(RunMetrics {
                train_loss: m.train.loss,
                train_accuracy: m.train.accuracy,
                train_correct: m.train.correct,
                train_total: m.train.total,
                test_loss: test.loss,
                test_accuracy: test.accuracy,
                test_correct: test.correct,
                test_total: test.total,
                best_epoch: m.epoch,
                epochs_run: o.history().len(),
                seconds: o.elapsed.as_secs_f64(),
            }),
            ..base
        }
    }

    /// A run that ended in an error before producing anything.
    pub fn failed(e: &Experiment, variant: Variant, seed: u64, err: &anyhow::Error) -> Self {
        let chain: Vec<String> = err.chain().map(ToString::to_string).collect();
        RunResult {
            experiment: e.id.clone(),
            variant,
            seed,
            status: "failed",
            problem: Some(chain.join(": ")),
            metrics: None,
        }
    }

    pub fn line(&self) -> String {
        let head = format!(
            "{:<7} {:<10} seed {:<2}",
            self.experiment,
            format!("{:?}", self.variant).to_lowercase(),
            self.seed,
        );
        match (&self.metrics, &self.problem) {
            (Some(m), _) => format!(
                "{head} test {:6.2}% ({}/{}) at epoch {:>5}, {:.2} s",
                100.0 * m.test_accuracy,
                m.test_correct,
                m.test_total,
                m.best_epoch,
                m.seconds
            ),
            (None, p) => format!(
                "{head} {}: {}",
                self.status.to_uppercase(),
                p.as_deref().unwrap_or("")
            ),
        }
    }
}
