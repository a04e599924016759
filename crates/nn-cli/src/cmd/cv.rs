//! `nn cv`: K-fold cross-validation with `nn train`'s model and training flags.

use super::{load, locate, out, pipeline_options};
use crate::args::CvArgs;
use anyhow::{Result, bail};
use nn_data::{Dataset, FileKind, LabelScheme, Selected, Table};
use nn_linalg::Threads;
use nn_train::Precision;
use nn_train::job::{FoldOutcome, cross_validate};
use nn_train::metrics::{Confusion, roc_auc};

/// A fold's data from its training rows (every row, preprocessing fitted on the training rows).
type DataFor<'a> = dyn Fn(&[usize]) -> nn_data::Result<Dataset> + Sync + 'a;

/// The scores of one fold.
#[derive(Clone, Debug, serde::Serialize)]
pub(super) struct Scores {
    fold: usize,
    train_rows: usize,
    test_rows: usize,
    pub(super) selected_epoch: usize,
    loss: f64,
    accuracy: f64,
    macro_f1: f64,
    weighted_f1: f64,
    roc_auc: Option<f64>,
}

impl Scores {
    fn of(o: &FoldOutcome, classes: usize) -> Scores {
        let report = Confusion::new(classes, &o.labels, &o.predicted).report();
        let roc_auc = (classes == 2)
            .then(|| {
                let scores: Vec<f64> = (0..o.proba.rows())
                    .map(|i| o.proba.get(i, o.proba.cols() - 1))
                    .collect();
                let positive: Vec<bool> = o.labels.iter().map(|&c| c == 1).collect();
                roc_auc(&scores, &positive)
            })
            .flatten();
        Scores {
            fold: o.fold + 1,
            train_rows: o.train_rows,
            test_rows: o.labels.len(),
            selected_epoch: o.checkpoint.epoch,
            loss: o.evaluation.loss,
            accuracy: o.evaluation.accuracy(),
            macro_f1: report.macro_avg.f1,
            weighted_f1: report.weighted_avg.f1,
            roc_auc,
        }
    }

    /// The metrics averaged over folds, by name.
    pub(super) fn metrics(&self) -> Vec<(&'static str, Option<f64>)> {
        vec![
            ("loss", Some(self.loss)),
            ("accuracy", Some(self.accuracy)),
            ("macro_f1", Some(self.macro_f1)),
            ("weighted_f1", Some(self.weighted_f1)),
            ("roc_auc", self.roc_auc),
        ]
    }
}

/// The folds of a cross-validation, scored.
pub(super) struct CvRun {
    /// Each fold's scores.
    pub scores: Vec<Scores>,
    /// The network, described.
    pub network: String,
    /// Samples in all.
    pub samples: usize,
}

/// Trains and scores every fold `a` asks for.
pub(super) fn cross_validation(a: &CvArgs, given: &dyn Fn(&str) -> bool) -> Result<CvRun> {
    let t = &a.train;
    for flag in [
        "out",
        "resume",
        "save_every",
        "metrics",
        "plots",
        "log_every",
    ] {
        if given(flag) {
            bail!(
                "nn cv does not take --{}: it trains one model per fold and keeps none",
                flag.replace('_', "-")
            );
        }
    }
    let path = locate(&t.data.data)?;
    let table;
    let dataset;
    let opts = pipeline_options(&t.data);
    // The labels the folds are drawn from, and how a fold's data is made from its training rows.
    let (labels, classes, features, data_for): (Vec<usize>, usize, usize, Box<DataFor<'_>>) =
        if FileKind::of(&path) == FileKind::Text {
            table = Table::read(&path, &t.data.table.read_options())?;
            let selected = Selected::new(&table, &opts)?;
            if selected.is_regression() {
                bail!(
                    "nn cv scores classifiers; target '{}' is read as regression (nn train reports MSE, MAE and R² on a held-out part; --task classification if its values are classes)",
                    selected.target_name()
                );
            }
            let labels = selected.labels().to_vec();
            let classes = selected.classes().len();
            // Before one-hot encoding; an image's pixels are numbers, so the same count.
            let features = selected.input_names().len();
            let (table, opts) = (&table, &opts);
            (
                labels,
                classes,
                features,
                Box::new(move |rows| Ok(Selected::new(table, opts)?.fit(rows)?.1)),
            )
        } else {
            dataset = load(&t.data, LabelScheme::Auto)?;
            let dataset = &dataset;
            (
                dataset.labels().to_vec(),
                dataset.classes().len(),
                dataset.features(),
                Box::new(move |_| Ok(dataset.clone())),
            )
        };
    let spec = super::train::spec_from(t, features, classes, false)?;
    let folds = nn_data::folds(&labels, a.folds, t.stratify, t.seed)?;
    let workers = Threads::from_count(t.threads).count();
    let outcomes = match spec.precision {
        Precision::F64 => cross_validate::<f64>(&folds, &*data_for, &spec, workers)?,
        Precision::F32 => cross_validate::<f32>(&folds, &*data_for, &spec, workers)?,
    };
    let scores: Vec<Scores> = outcomes.iter().map(|o| Scores::of(o, classes)).collect();
    let network = spec
        .architecture(
            outcomes[0].checkpoint.network.architecture().n_input,
            classes,
        )
        .describe();
    Ok(CvRun {
        scores,
        network,
        samples: labels.len(),
    })
}

pub fn run(a: CvArgs, given: &dyn Fn(&str) -> bool) -> Result<()> {
    let t = &a.train;
    let CvRun {
        scores,
        network,
        samples,
    } = cross_validation(&a, given)?;
    let summary = summarise(&scores);
    if a.json {
        let mean: serde_json::Map<String, serde_json::Value> = summary
            .iter()
            .map(|(name, mean, _)| (name.to_string(), serde_json::json!(mean)))
            .collect();
        let std: serde_json::Map<String, serde_json::Value> = summary
            .iter()
            .map(|(name, _, std)| (name.to_string(), serde_json::json!(std)))
            .collect();
        let v = serde_json::json!({
            "folds": scores,
            "k": a.folds,
            "stratified": t.stratify,
            "seed": t.seed,
            "mean": mean,
            "std": std,
        });
        return out(&format!("{v}\n"));
    }
    let mut s = format!(
        "{}-fold{} cross-validation of {} on {} ({} samples, seed {})\n\n",
        a.folds,
        if t.stratify { " stratified" } else { "" },
        network,
        t.data.data.display(),
        samples,
        t.seed
    );
    s.push_str(
        "fold  train+val  test  epoch      loss  accuracy  macro-F1  weighted-F1   ROC AUC\n",
    );
    for f in &scores {
        s.push_str(&format!(
            "{:>4} {:>10} {:>5} {:>6} {:>9.4} {:>8.2}% {:>9.4} {:>12.4} {:>9}\n",
            f.fold,
            f.train_rows,
            f.test_rows,
            f.selected_epoch,
            f.loss,
            100.0 * f.accuracy,
            f.macro_f1,
            f.weighted_f1,
            f.roc_auc.map_or("—".to_string(), |v| format!("{v:.4}"))
        ));
    }
    s.push('\n');
    for (name, mean, std) in &summary {
        let shown = if *name == "accuracy" {
            format!("{:.2}% ± {:.2}%", 100.0 * mean, 100.0 * std)
        } else {
            format!("{mean:.4} ± {std:.4}")
        };
        s.push_str(&format!(
            "{name:<12} {shown}  (mean ± sample std over {} folds)\n",
            scores.len()
        ));
    }
    out(&s)
}

/// Mean and sample standard deviation of each metric that every fold has.
fn summarise(scores: &[Scores]) -> Vec<(&'static str, f64, f64)> {
    let Some(first) = scores.first() else {
        return Vec::new();
    };
    first
        .metrics()
        .iter()
        .enumerate()
        .filter_map(|(k, (name, _))| {
            let values: Option<Vec<f64>> = scores.iter().map(|s| s.metrics()[k].1).collect();
            let s = nn_sweep::leaderboard::MeanStd::of(&values?);
            Some((*name, s.mean, s.std))
        })
        .collect()
}
