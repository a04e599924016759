//! `nn cv`: K-fold cross-validation with `nn train`'s model and training flags, through
//! [`nn::cross_validate`]; classifiers and regressions alike.

use super::common::{data_of, out};
use crate::args::CvArgs;
use anyhow::{Result, bail};
use nn::{CrossValidation, FoldScores, Scores};

/// Trains and scores every fold `a` asks for.
pub(super) fn cross_validation(
    a: &CvArgs,
    given: &dyn Fn(&str) -> bool,
) -> Result<CrossValidation> {
    for flag in [
        "out",
        "resume",
        "save_every",
        "metrics",
        "plots",
        "log_every",
        "logdir",
    ] {
        if given(flag) {
            bail!(
                "nn cv does not take --{}: it trains one model per fold and keeps none",
                flag.replace('_', "-")
            );
        }
    }
    let data = data_of(&a.train.data)?;
    let spec = super::common::epochs_capped(a.train.spec.clone());
    Ok(nn::cross_validate(&spec, &data, a.folds)?)
}

pub fn run(a: CvArgs, given: &dyn Fn(&str) -> bool) -> Result<()> {
    let t = &a.train;
    let cv = cross_validation(&a, given)?;
    let summary = cv.summary();
    if a.json {
        let of = |pick: fn(&nn::MeanStd) -> f64| -> serde_json::Map<String, serde_json::Value> {
            (summary.iter())
                .map(|(name, s)| (name.to_string(), serde_json::json!(pick(s))))
                .collect()
        };
        let v = serde_json::json!({
            "folds": cv.folds,
            "k": a.folds,
            "stratified": t.spec.stratify,
            "seed": t.spec.seed,
            "mean": of(|s| s.mean),
            "std": of(|s| s.std),
        });
        return out(&format!("{v}\n"));
    }
    let mut s = format!(
        "{}-fold{} cross-validation of {} on {} ({} samples, seed {})\n\n",
        a.folds,
        if t.spec.stratify { " stratified" } else { "" },
        cv.network,
        t.data.data.display(),
        cv.samples,
        t.spec.seed
    );
    let regression = matches!(
        cv.folds.first().map(|f| &f.scores),
        Some(Scores::Values { .. })
    );
    s.push_str(if regression {
        "fold  train+val  test  epoch           MSE           MAE        R²\n"
    } else {
        "fold  train+val  test  epoch      loss  accuracy  macro-F1  weighted-F1   ROC AUC\n"
    });
    for f in &cv.folds {
        s.push_str(&fold_line(f));
    }
    s.push('\n');
    for (name, m) in &summary {
        let shown = if *name == "accuracy" {
            format!("{:.2}% ± {:.2}%", 100.0 * m.mean, 100.0 * m.std)
        } else {
            format!("{:.4} ± {:.4}", m.mean, m.std)
        };
        s.push_str(&format!(
            "{name:<12} {shown}  (mean ± sample std over {} folds)\n",
            cv.folds.len()
        ));
    }
    out(&s)
}

/// One row of the folds' table.
fn fold_line(f: &FoldScores) -> String {
    let head = format!(
        "{:>4} {:>10} {:>5} {:>6}",
        f.fold, f.train_rows, f.test_rows, f.selected_epoch
    );
    match &f.scores {
        Scores::Classes(c) => format!(
            "{head} {:>9.4} {:>8.2}% {:>9.4} {:>12.4} {:>9}\n",
            c.loss,
            100.0 * c.accuracy,
            c.macro_f1,
            c.weighted_f1,
            c.roc_auc.map_or("—".to_string(), |v| format!("{v:.4}"))
        ),
        Scores::Values { mse, mae, r2 } => {
            format!("{head} {mse:>13.6} {mae:>13.6} {r2:>9.4}\n")
        }
    }
}
