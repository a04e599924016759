//! Aggregating runs over seeds into rows, and results.json; results.md is written by `markdown`, the plots
//! and docs/report.md by `figures`.

pub mod figures;
mod markdown;
pub mod verdict;

mod run;
pub use run::{RunMetrics, RunResult};

use super::course::CourseCheck;
use super::floor::Floor;
use super::spec::{Experiment, ReportFigures, Specs, Variant};
use nn_train::Precision;
use nn_train::metrics::wilson_interval;
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;
use verdict::Check;

/// Mean and (sample) standard deviation.
fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// The runs of one experiment in one variant, over seeds.
#[derive(Debug, Serialize)]
pub struct Row {
    pub experiment: String,
    pub title: String,
    pub variant: Variant,
    pub seeds: usize,
    pub train_loss: (f64, f64),
    pub train_accuracy: (f64, f64),
    pub test_loss: (f64, f64),
    pub test_accuracy: (f64, f64),
    pub pooled_correct: usize,
    pub pooled_total: usize,
    pub pooled_wilson95: (f64, f64),
    pub best_epoch: (f64, f64),
    pub seconds: (f64, f64),
    pub runs: Vec<RunResult>,
    /// Runs that diverged or failed, as "seed s: cause"; they are left out of every figure above.
    pub problems: Vec<String>,
}

/// One experiment as the report states it, with our assumptions and the verdict on each of its figures.
pub struct Replay {
    pub id: String,
    pub title: String,
    pub report: ReportFigures,
    pub assumptions: Vec<String>,
    /// The report's figures against our runs under its protocol.
    pub checks: Vec<Check>,
}

/// The report's gradient check beside ours: the same network, data and ε, our weights from seed 0 (the
/// report's initial weights are not known).
#[derive(Debug, Serialize)]
pub struct GradcheckComparison {
    pub architecture: String,
    pub epsilon: f64,
    pub report_max_abs_diff: Vec<f64>,
    pub ours_max_abs_diff: Vec<f64>,
}

impl GradcheckComparison {
    /// Runs our check on the report's dummy problem.
    fn run(specs: &Specs) -> anyhow::Result<Self> {
        let g = &specs.gradcheck;
        let (x, y) = nn_core::report_dummy_problem();
        let net = nn_core::Network::<f64>::xavier(3, &g.hidden, 1, nn_core::Output::Sigmoid, 0)?;
        let check = nn_core::check_gradients(&net, &x, &y, 0.0, g.epsilon)?;
        Ok(GradcheckComparison {
            architecture: net.architecture().describe(),
            epsilon: g.epsilon,
            report_max_abs_diff: g.report_max_abs_diff.clone(),
            ours_max_abs_diff: check.layers.iter().map(|l| l.max_abs_diff).collect(),
        })
    }
}

/// The texts of results.md that come from the specs.
pub struct Texts {
    pub protocol: String,
    pub beyond: String,
    pub variant_names: Vec<(Variant, String)>,
}

impl Texts {
    fn name(&self, v: Variant) -> &str {
        self.variant_names
            .iter()
            .find(|(w, _)| *w == v)
            .map_or("", |(_, n)| n.as_str())
    }
}

pub struct Summary {
    pub rows: Vec<Row>,
    pub replays: Vec<Replay>,
    pub gradcheck: GradcheckComparison,
    /// The course's weights on its digits (set by the replay; absent in unit tests).
    pub course: Option<CourseCheck>,
    /// The runs' wall time beside their arithmetic floor (set by the replay; absent in unit tests).
    pub floor: Option<Floor>,
    pub texts: Texts,
    pub seeds: u64,
    pub wall: Duration,
    pub workers: usize,
    pub epochs_scale: f64,
    pub precision: Precision,
}

impl Row {
    /// "5 seeds", or "4 of 5 seeds" when some did not finish.
    fn seeds_text(&self) -> String {
        let all = self.runs.len();
        if self.seeds == all {
            format!("{all} seed(s)")
        } else {
            format!("{} of {all} seeds", self.seeds)
        }
    }
}

impl Row {
    /// An experiment's variant over its seeds' runs: means and standard deviations of the finished runs,
    /// the pooled test count, and what went wrong in the others.
    fn of(e: &Experiment, variant: Variant, runs: Vec<RunResult>) -> Row {
        let finished: Vec<RunMetrics> = runs.iter().filter_map(|r| r.metrics).collect();
        let problems = (runs.iter())
            .filter(|r| r.metrics.is_none())
            .map(|r| {
                format!(
                    "seed {}: {} ({})",
                    r.seed,
                    r.status,
                    r.problem.as_deref().unwrap_or("")
                )
            })
            .collect();
        let get = |f: fn(&RunMetrics) -> f64| mean_std(&finished.iter().map(f).collect::<Vec<_>>());
        let (c, t) =
            (finished.iter()).fold((0, 0), |(c, t), r| (c + r.test_correct, t + r.test_total));
        Row {
            experiment: e.id.clone(),
            title: match (&e.modern, variant) {
                (Some(m), Variant::Modern) => format!("{} — {}", e.title, m.label),
                _ => e.title.clone(),
            },
            variant,
            seeds: finished.len(),
            train_loss: get(|r| r.train_loss),
            train_accuracy: get(|r| r.train_accuracy),
            test_loss: get(|r| r.test_loss),
            test_accuracy: get(|r| r.test_accuracy),
            pooled_correct: c,
            pooled_total: t,
            pooled_wilson95: wilson_interval(c, t),
            best_epoch: get(|r| r.best_epoch as f64),
            seconds: get(|r| r.seconds),
            runs,
            problems,
        }
    }
}

impl Summary {
    pub fn new(
        specs: &Specs,
        results: &[RunResult],
        seeds: u64,
        wall: Duration,
        workers: usize,
        epochs_scale: f64,
        precision: Precision,
    ) -> anyhow::Result<Self> {
        let mut rows = Vec::new();
        for e in &specs.experiment {
            for variant in Variant::ALL {
                let runs: Vec<RunResult> = (results.iter())
                    .filter(|r| r.experiment == e.id && r.variant == variant)
                    .cloned()
                    .collect();
                if !runs.is_empty() {
                    rows.push(Row::of(e, variant, runs));
                }
            }
        }
        let replays = specs
            .experiment
            .iter()
            .map(|e| {
                let ours: Vec<RunMetrics> = rows
                    .iter()
                    .find(|r| r.experiment == e.id && r.variant == Variant::Report)
                    .map_or(Vec::new(), |r| {
                        r.runs.iter().filter_map(|r| r.metrics).collect()
                    });
                Replay {
                    id: e.id.clone(),
                    title: e.title.clone(),
                    report: e.report.clone(),
                    assumptions: e.assumptions.clone(),
                    checks: verdict::checks(&e.report, &ours),
                }
            })
            .collect();
        let texts = Texts {
            protocol: specs.protocol.description.clone(),
            beyond: specs.beyond.description.clone(),
            variant_names: Variant::ALL
                .iter()
                .map(|&v| (v, specs.variant_name(v).to_string()))
                .collect(),
        };
        Ok(Summary {
            rows,
            replays,
            gradcheck: GradcheckComparison::run(specs)?,
            course: None,
            floor: None,
            texts,
            seeds,
            wall,
            workers,
            epochs_scale,
            precision,
        })
    }

    fn row(&self, id: &str, v: Variant) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.experiment == id && r.variant == v)
    }

    pub fn json(&self) -> serde_json::Value {
        let runs: Vec<serde_json::Value> = self
            .rows
            .iter()
            .flat_map(|row| {
                let report = self
                    .replays
                    .iter()
                    .find(|r| r.id == row.experiment)
                    .map(|r| r.report.clone())
                    .unwrap_or_default();
                row.runs.iter().map(move |r| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    v["selection"] = serde_json::json!(if r.variant == Variant::Report {
                        "test-acc (test-set selection)"
                    } else {
                        "val-loss"
                    });
                    v["report"] = serde_json::to_value(&report).unwrap_or_default();
                    v
                })
            })
            .collect();
        serde_json::json!({
            "seeds": self.seeds,
            "epochs_scale": self.epochs_scale,
            "precision": self.precision,
            "wall_seconds": self.wall.as_secs_f64(),
            "cores": self.workers,
            "summary": self.rows.iter().map(|r| serde_json::json!({
                "experiment": r.experiment, "variant": r.variant, "seeds": r.seeds,
                "test_accuracy_mean": r.test_accuracy.0, "test_accuracy_std": r.test_accuracy.1,
                "test_loss_mean": r.test_loss.0, "train_accuracy_mean": r.train_accuracy.0, "train_loss_mean": r.train_loss.0,
                "pooled_correct": r.pooled_correct, "pooled_total": r.pooled_total, "pooled_wilson95": r.pooled_wilson95,
                "best_epoch_mean": r.best_epoch.0, "seconds_mean": r.seconds.0,
                "not_finished": r.problems,
            })).collect::<Vec<_>>(),
            "fidelity": self.replays.iter().map(|r| serde_json::json!({
                "experiment": r.id, "report": r.report, "checks": r.checks,
            })).collect::<Vec<_>>(),
            "gradcheck": self.gradcheck,
            "course": self.course,
            "floor": self.floor,
            "runs": runs,
        })
    }

    /// The short table printed at the end of a run.
    pub fn table_text(&self) -> String {
        let mut s = String::from(
            "experiment  variant     test accuracy (mean ± std)   pooled            best epoch   s/run\n",
        );
        for r in &self.rows {
            let _ = writeln!(
                s,
                "{:<11} {:<11} {:>7.2}% ± {:<5.2}            {:>5}/{:<5}      {:>8.0}   {:>6.2}",
                r.experiment,
                format!("{:?}", r.variant).to_lowercase(),
                100.0 * r.test_accuracy.0,
                100.0 * r.test_accuracy.1,
                r.pooled_correct,
                r.pooled_total,
                r.best_epoch.0,
                r.seconds.0
            );
        }
        s
    }
}

#[cfg(test)]
mod tests;
