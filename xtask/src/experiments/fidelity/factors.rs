//! The factors that fidelity tries ([`Factor`]), and one factor's result against the report ([`FactorResult`]).

use crate::experiments::results::{RunMetrics, verdict};
use crate::experiments::spec::{Experiment, Specs};
use serde::Serialize;

/// One setting changed from the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Factor {
    /// The report's protocol as the specs write it.
    Baseline,
    /// Xavier normal: σ² = 2 / (n_in + n_out).
    XavierNormal,
    /// LeCun normal: σ² = 1 / n_in.
    LecunNormal,
    /// Biases drawn from the weights' uniform range instead of 0.
    DrawnBiases,
    /// The standardiser fitted on all samples, test part included.
    StandardizeAll,
    /// This λ instead of the spec's.
    Lambda(f64),
    /// The loss summed over the training samples instead of averaged: its gradient, and so every step, is m
    /// times larger (the learning rates are multiplied by the training part's size).
    SummedLoss,
    /// This many epochs instead of the spec's (binary set only).
    Epochs(usize),
}

impl Factor {
    pub fn describe(self) -> String {
        match self {
            Factor::Baseline => "baseline (the specs' report protocol)".into(),
            Factor::XavierNormal => "Xavier normal, σ² = 2/(n_in + n_out)".into(),
            Factor::LecunNormal => "LeCun normal, σ² = 1/n_in".into(),
            Factor::DrawnBiases => "biases drawn like the weights, not 0".into(),
            Factor::StandardizeAll => "standardiser fitted on all samples".into(),
            Factor::Lambda(l) => format!("λ = {l}"),
            Factor::SummedLoss => "loss summed over samples (steps × m)".into(),
            Factor::Epochs(n) => format!("{n} epochs"),
        }
    }
}

/// The factors tried on an experiment: shorter runs only where the report does not state the length.
pub(super) fn factors(specs: &Specs, e: &Experiment) -> Vec<Factor> {
    let mut f = vec![
        Factor::Baseline,
        Factor::XavierNormal,
        Factor::LecunNormal,
        Factor::DrawnBiases,
        Factor::StandardizeAll,
        Factor::Lambda(specs.fidelity.lambda),
        Factor::SummedLoss,
    ];
    if e.output == nn_core::Output::Sigmoid {
        f.extend(
            specs
                .fidelity
                .binary_epochs
                .iter()
                .map(|&n| Factor::Epochs(n)),
        );
    }
    f
}

/// One factor on one experiment, over the seeds, against the report.
#[derive(Debug, Serialize)]
pub struct FactorResult {
    pub experiment: String,
    pub factor: Factor,
    pub runs: Vec<RunMetrics>,
    pub failed: Vec<String>,
    pub checks: Vec<verdict::Check>,
    /// How many of the report's figures lie inside the range of our seeds.
    pub inside: usize,
    /// The mean over figures of |our mean − report| / |report|: the tie-breaker.
    pub distance: f64,
}

impl FactorResult {
    pub(super) fn new(
        e: &Experiment,
        factor: Factor,
        runs: Vec<RunMetrics>,
        failed: Vec<String>,
    ) -> Self {
        let checks = verdict::checks(&e.report, &runs);
        let inside = checks
            .iter()
            .filter(|c| c.place == verdict::Place::Inside)
            .count();
        let mean =
            |f: fn(&RunMetrics) -> f64| runs.iter().map(f).sum::<f64>() / runs.len().max(1) as f64;
        let r = &e.report;
        let pairs = [
            (mean(|m| m.train_loss), r.train_loss),
            (mean(|m| m.train_accuracy), r.train_accuracy),
            (mean(|m| m.test_loss), r.test_loss),
            (mean(|m| m.test_accuracy), r.test_accuracy),
            (mean(|m| m.best_epoch as f64), r.best_epoch as f64),
        ];
        let distance = pairs
            .iter()
            .map(|(o, r)| (o - r).abs() / r.abs())
            .sum::<f64>()
            / 5.0;
        let distance = if runs.is_empty() {
            f64::INFINITY
        } else {
            distance
        };
        FactorResult {
            experiment: e.id.clone(),
            factor,
            runs,
            failed,
            checks,
            inside,
            distance,
        }
    }
}
