//! Aggregating runs over seeds, and writing results.md, results.json, the plots and docs/report.md.

use super::spec::{Experiment, ReportFigures, Specs, Variant};
use anyhow::{Context, Result};
use nn_cli::plots;
use nn_data::{Dataset, PixelOrder};
use nn_train::Precision;
use nn_train::job::JobOutcome;
use nn_train::metrics::{Confusion, wilson_interval};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

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
        let Some(m) = o.checkpoint.metrics else {
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

pub struct Summary {
    pub rows: Vec<Row>,
    pub reports: Vec<(String, String, ReportFigures, Vec<String>, String)>,
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

impl Summary {
    pub fn new(
        specs: &Specs,
        results: &[RunResult],
        seeds: u64,
        wall: Duration,
        workers: usize,
        epochs_scale: f64,
        precision: Precision,
    ) -> Self {
        let mut rows = Vec::new();
        for e in &specs.experiment {
            for variant in Variant::ALL {
                let runs: Vec<RunResult> = results
                    .iter()
                    .filter(|r| r.experiment == e.id && r.variant == variant)
                    .cloned()
                    .collect();
                if runs.is_empty() {
                    continue;
                }
                let finished: Vec<RunMetrics> = runs.iter().filter_map(|r| r.metrics).collect();
                let problems = runs
                    .iter()
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
                let get = |f: fn(&RunMetrics) -> f64| {
                    mean_std(&finished.iter().map(f).collect::<Vec<_>>())
                };
                let (c, t) = finished
                    .iter()
                    .fold((0, 0), |(c, t), r| (c + r.test_correct, t + r.test_total));
                rows.push(Row {
                    experiment: e.id.clone(),
                    title: e.title.clone(),
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
                });
            }
        }
        let reports = specs
            .experiment
            .iter()
            .map(|e| {
                (
                    e.id.clone(),
                    e.title.clone(),
                    e.report.clone(),
                    e.assumptions.clone(),
                    e.figures.clone(),
                )
            })
            .collect();
        Summary {
            rows,
            reports,
            seeds,
            wall,
            workers,
            epochs_scale,
            precision,
        }
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
                    .reports
                    .iter()
                    .find(|r| r.0 == row.experiment)
                    .map(|r| r.2.clone())
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

    /// results.md; figure paths are prefixed with `fig_prefix`.
    pub fn markdown(&self, figures: &[(String, String, String)], fig_prefix: &str) -> String {
        let pct = |(m, s): (f64, f64)| format!("{:.2}% ± {:.2}", 100.0 * m, 100.0 * s);
        let num = |(m, s): (f64, f64)| format!("{m:.4} ± {s:.4}");
        let opt_pct =
            |v: Option<f64>| v.map_or("not stated".to_string(), |v| format!("{:.2}%", 100.0 * v));
        let opt_num = |v: Option<f64>| v.map_or("not stated".to_string(), |v| format!("{v:.4}"));
        let mut s = String::new();
        let _ = writeln!(s, "## The report's protocol, side by side\n");
        let _ = writeln!(
            s,
            "80/20 shuffled split, standardised features, full-batch gradient descent, and the epoch with the best **test** \
             accuracy kept — the report's protocol. Choosing the epoch on the test set makes these test figures optimistic: \
             they are labelled *test-set selection*. Ours: mean ± standard deviation over {} seed(s) (seed s drives the split \
             and the initial weights); *pooled* adds the test counts of all seeds, with a 95% Wilson interval. Every run \
             trains in {}{}.\n",
            self.seeds,
            self.precision.name(),
            match self.precision {
                Precision::F32 =>
                    " (the report's numpy used f64; `--precision f64` replays in f64)",
                Precision::F64 => ", as the report's numpy did",
            }
        );
        let _ = writeln!(
            s,
            "| task | source | train loss | train acc | test loss | test acc | test count (95% CI) | best epoch |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
        for (id, title, rep, _, _) in &self.reports {
            let count = match (rep.test_correct, rep.test_total) {
                (Some(c), Some(t)) => {
                    let (lo, hi) = wilson_interval(c, t);
                    format!("{c}/{t} ({:.1}–{:.1}%)", 100.0 * lo, 100.0 * hi)
                }
                _ => "not stated".into(),
            };
            let note = rep
                .note
                .as_ref()
                .map_or(String::new(), |n| format!(" ({n})"));
            let _ = writeln!(
                s,
                "| {title} | report{note} | {} | {} | {} | {} | {count} | {} |",
                opt_num(rep.train_loss),
                opt_pct(rep.train_accuracy),
                opt_num(rep.test_loss),
                opt_pct(rep.test_accuracy),
                rep.best_epoch
                    .map_or("not stated".into(), |e| e.to_string())
            );
            if let Some(r) = self.row(id, Variant::Report) {
                let _ = writeln!(
                    s,
                    "| | nn, test-set selection, {} | {} | {} | {} | {} | {}/{} ({:.1}–{:.1}%) | {:.0} ± {:.0} |",
                    r.seeds_text(),
                    num(r.train_loss),
                    pct(r.train_accuracy),
                    num(r.test_loss),
                    pct(r.test_accuracy),
                    r.pooled_correct,
                    r.pooled_total,
                    100.0 * r.pooled_wilson95.0,
                    100.0 * r.pooled_wilson95.1,
                    r.best_epoch.0,
                    r.best_epoch.1
                );
            }
        }
        let _ = writeln!(
            s,
            "\nWhere the report is silent, the specs (`experiments/report.toml`) assume:\n"
        );
        for (_, title, _, assumptions, _) in &self.reports {
            let _ = writeln!(s, "- {title}: {}.", assumptions.join("; "));
        }
        let _ = writeln!(s, "\n## Beyond the report\n");
        let _ = writeln!(
            s,
            "The same networks with the epoch chosen on a **validation** split (60/20/20: the test part keeps the report's \
             size and plays no part in any choice made in training), then trained with Adam on mini-batches. These test figures are \
             honest estimates. Time is per run, one core each.\n"
        );
        let _ = writeln!(
            s,
            "| task | variant | test acc | test count (95% CI) | test loss | best epoch | time to train |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|");
        for r in self.rows.iter().filter(|r| r.variant != Variant::Report) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {}/{} ({:.1}–{:.1}%) | {} | {:.0} ± {:.0} | {:.2} s |",
                r.title,
                r.variant.describe(),
                pct(r.test_accuracy),
                r.pooled_correct,
                r.pooled_total,
                100.0 * r.pooled_wilson95.0,
                100.0 * r.pooled_wilson95.1,
                num(r.test_loss),
                r.best_epoch.0,
                r.best_epoch.1,
                r.seconds.0
            );
        }
        let problems: Vec<String> = self
            .rows
            .iter()
            .flat_map(|r| {
                r.problems
                    .iter()
                    .map(move |p| format!("- {} ({}), {p}", r.title, r.variant.describe()))
            })
            .collect();
        if !problems.is_empty() {
            let _ = writeln!(
                s,
                "\n**Runs that did not finish** (left out of every figure above):\n\n{}",
                problems.join("\n")
            );
        }
        let _ = writeln!(s, "\n## Figures (seed 0, the report's protocol)\n");
        for (caption, file, cf) in figures {
            let _ = writeln!(
                s,
                "**{caption}** ({cf})\n\n![{caption}]({fig_prefix}{file})\n"
            );
        }
        let _ = writeln!(
            s,
            "---\n{} runs in {} in {:.1} s of wall time on {} cores{}.",
            self.rows.iter().map(|r| r.seeds).sum::<usize>(),
            self.precision.name(),
            self.wall.as_secs_f64(),
            self.workers,
            if self.epochs_scale != 1.0 {
                format!(", epochs scaled by {}", self.epochs_scale)
            } else {
                String::new()
            }
        );
        s
    }
}

/// The report's figures for the seed-0 run of each experiment: (caption, file, which report figure).
pub fn plots(
    out: &Path,
    specs: &Specs,
    datasets: &[Dataset],
    showcases: &[(usize, JobOutcome)],
) -> Result<Vec<(String, String, String)>> {
    let mut figures = Vec::new();
    for (i, o) in showcases {
        let e = &specs.experiment[*i];
        let d = &datasets[*i];
        let ckpt = &o.checkpoint;
        let file = format!("{}-curves.svg", e.id);
        let title = format!(
            "{} — seed 0, selected epoch {} (test-set selection)",
            e.title, ckpt.epoch
        );
        plots::curves(&out.join(&file), o.history(), &title, ckpt.epoch)?;
        figures.push((
            format!("{}: loss and accuracy per epoch", e.title),
            file,
            format!("cf. the report's {}", e.figures),
        ));
        let test = d.select(&o.prepared.split.test);
        if d.features() == 2 {
            let mut is_train = vec![false; d.len()];
            for &r in &o.prepared.split.train {
                is_train[r] = true;
            }
            let file = format!("{}-boundary.svg", e.id);
            plots::decision_boundary(
                &out.join(&file),
                ckpt,
                &d.x,
                &d.labels,
                &is_train,
                &format!("{}: decision boundary (seed 0)", e.title),
            )?;
            figures.push((
                format!("{}: decision boundary in raw feature units", e.title),
                file,
                format!("cf. the report's {}", e.figures),
            ));
        } else {
            let (_, predicted) = nn_train::job::evaluate(ckpt, &test.x, &test.labels)?;
            let names = &ckpt.classes.names;
            let confusion = Confusion::new(names.len(), &test.labels, &predicted);
            let wrong = plots::misclassified_images(
                &test,
                &predicted,
                names,
                20,
                PixelOrder::ColumnMajor,
                48,
            );
            let file = format!("{}-misclassified.svg", e.id);
            plots::image_grid(
                &out.join(&file),
                &wrong,
                &format!(
                    "misclassified test digits (seed 0): true → predicted, {} of {}",
                    test.len() - confusion.correct(),
                    test.len()
                ),
            )?;
            figures.push((
                "Misclassified test digits".into(),
                file,
                "cf. the report's Figure 11".into(),
            ));
            let file = format!("{}-errors-per-class.svg", e.id);
            plots::class_error_bars(
                &out.join(&file),
                names,
                &confusion.errors_per_class(),
                &test.class_counts(),
                "misclassified test digits per class (seed 0)",
            )?;
            figures.push((
                "Misclassifications per class".into(),
                file,
                "cf. the report's Figure 12".into(),
            ));
            let file = format!("{}-confusion.svg", e.id);
            plots::confusion_heatmap(
                &out.join(&file),
                names,
                &confusion,
                "confusion matrix, test part (seed 0)",
            )?;
            figures.push(("Confusion matrix".into(), file, "new".into()));
        }
    }
    Ok(figures)
}

/// docs/report.md and docs/figures/, from this run.
pub fn write_docs(
    root: &Path,
    out: &Path,
    summary: &Summary,
    figures: &[(String, String, String)],
) -> Result<()> {
    let fig_dir = root.join("docs/figures");
    std::fs::create_dir_all(&fig_dir)?;
    for (_, file, _) in figures {
        std::fs::copy(out.join(file), fig_dir.join(file))
            .with_context(|| format!("copying {file}"))?;
    }
    let intro = include_str!("report_intro.md");
    let discussion = include_str!("report_discussion.md");
    let text = format!(
        "{intro}\n{}\n{discussion}",
        summary.markdown(figures, "figures/")
    );
    std::fs::write(root.join("docs/report.md"), text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nn_core::{Activation, Output};
    use nn_data::{ClassMap, SplitSpec};
    use nn_linalg::{Matrix, Threads};
    use nn_train::job::{JobSpec, run_job};
    use nn_train::{Selection, TrainConfig};

    /// A run whose learning rate makes it diverge, as run_job reports it.
    fn diverged_outcome() -> JobOutcome {
        let x = Matrix::from_fn(20, 2, |i, j| ((i * (j + 1)) as f64).sin());
        let labels = (0..20).map(|i| i % 2).collect();
        let data = Dataset::new(x, labels, ClassMap::zero_based(2), Path::new("d.txt")).unwrap();
        let spec = JobSpec {
            hidden: vec![3],
            output: Output::Sigmoid,
            activation: Activation::Sigmoid,
            config: TrainConfig {
                epochs: 50,
                lr: 1e308,
                selection: Selection::TEST_ACC,
                threads: Threads::Single,
                ..TrainConfig::default()
            },
            split: SplitSpec::report(0),
            standardize: true,
            precision: Precision::F64,
        };
        run_job::<f64>(&data, &spec, None, None, &mut |_| {}).unwrap()
    }

    #[test]
    fn a_diverged_run_is_reported_as_such_and_left_out_of_the_figures() {
        let specs = Specs::load(&crate::workspace_root().join("experiments/report.toml")).unwrap();
        let exp1 = &specs.experiment[0];
        let outcome = diverged_outcome();
        assert!(outcome.error.is_some());
        let diverged = RunResult::new(exp1, Variant::Report, 1, &outcome);
        assert_eq!(diverged.status, "diverged");
        assert!(diverged.metrics.is_none());
        let problem = diverged.problem.clone().unwrap();
        assert!(problem.contains("diverged at epoch"), "{problem}");
        let finished = RunResult {
            seed: 0,
            status: "finished",
            problem: None,
            metrics: Some(RunMetrics {
                train_loss: 0.5,
                train_accuracy: 0.75,
                test_loss: 0.6,
                test_accuracy: 0.5,
                test_correct: 12,
                test_total: 24,
                best_epoch: 7,
                epochs_run: 10,
                seconds: 0.1,
            }),
            ..diverged.clone()
        };
        let summary = Summary::new(
            &specs,
            &[finished, diverged],
            2,
            Duration::from_secs(1),
            1,
            1.0,
            Precision::F64,
        );
        let row = summary.row("exp1", Variant::Report).unwrap();
        assert_eq!((row.seeds, row.runs.len()), (1, 2));
        assert_eq!(row.test_accuracy.0, 0.5, "the diverged run adds nothing");
        assert_eq!((row.pooled_correct, row.pooled_total), (12, 24));
        let md = summary.markdown(&[], "");
        assert!(md.contains("1 of 2 seeds"), "{md}");
        assert!(
            md.contains("**Runs that did not finish**") && md.contains("seed 1: diverged ("),
            "{md}"
        );
        let json = summary.json();
        let runs = json["runs"].as_array().unwrap();
        let bad = runs.iter().find(|r| r["seed"] == 1).unwrap();
        assert_eq!(bad["status"], "diverged");
        assert!(
            bad.get("test_accuracy").is_none(),
            "no default-valued figures: {bad}"
        );
        assert!(
            bad["problem"]
                .as_str()
                .unwrap()
                .contains("diverged at epoch")
        );
    }
}
