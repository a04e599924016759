//! `nn eval`: a model's (or course Θ weights') loss, accuracy, classification report, ROC AUC (two classes) and
//! confusion matrix on a dataset.

use super::common::{load_for_model, out};
use crate::args::EvalArgs;
use anyhow::{Context, Result, bail};
use nn_data::LabelScheme;
use nn_linalg::Matrix;
use nn_train::ModelFile;
use nn_train::metrics::{Confusion, RegressionScores, roc_auc, wilson_interval};

/// A classifier's evaluation on the data, before it is rendered.
struct Evaluated {
    eval: nn_core::Evaluation,
    predicted: Vec<usize>,
    dataset: nn_data::Dataset,
    names: Vec<String>,
    /// What was evaluated, in words.
    what: String,
    proba: Matrix<f64>,
}

pub fn run(a: EvalArgs) -> Result<()> {
    let s = &a.data.settings;
    if s.chooses_columns() || s.header != nn::Header::Auto {
        bail!(
            "nn eval reads the data as the model reads it (the columns, header and missing-value rule it was \
             trained with); --target, --features, --drop, --missing and --header do not apply"
        );
    }
    let evaluated = if let Some(theta) = &a.theta {
        theta_set(&a, theta)?
    } else {
        let path = a.model.as_ref().context("--model or --theta is required")?;
        let model_file = ModelFile::load(path)?;
        let data = load_for_model(&a.data, &model_file, a.json)?;
        if let Some(truth) = data.values() {
            return regression(&a, path, &model_file, &data, truth);
        }
        model(path, &model_file, data)?
    };
    render(&a, &evaluated)
}

/// The Θ set becomes a model as `nn import` makes it: the course's convention is that output unit k−1 stands
/// for label k of y (ten units are the course's digits, label 10 being digit 0), and one unit is binary with
/// labels 0 and 1.
fn theta_set(a: &EvalArgs, theta: &std::path::Path) -> Result<Evaluated> {
    let thetas = super::export::read_thetas(theta, &a.theta_vars)?;
    let units = thetas.last().map_or(0, Matrix::rows);
    let scheme = a.data.settings.labels.unwrap_or(match units {
        1 => LabelScheme::Auto,
        10 => LabelScheme::Digits10,
        _ => LabelScheme::OneBased,
    });
    let model = nn_export::theta::import(&thetas, scheme)
        .with_context(|| format!("reading {} as course-format Θ", theta.display()))?;
    let data = load_for_model(&a.data, &model, a.json)?;
    if data.classes().len() > model.classes.len() {
        bail!(
            "the data has {} classes, the Θ set's output {}",
            data.classes().len(),
            model.classes.len()
        );
    }
    let net = &model.network;
    let lambda = a.lambda.unwrap_or(0.0);
    Ok(Evaluated {
        eval: net.evaluate(data.x(), data.labels(), lambda)?,
        predicted: net.predict(data.x())?,
        proba: net.predict_proba(data.x())?,
        what: format!(
            "Θ weights {} ({}), λ = {lambda}, raw features",
            theta.display(),
            net.architecture().describe()
        ),
        names: model.classes.names().to_vec(),
        dataset: data,
    })
}

/// A classifier's model file on the data.
fn model(
    path: &std::path::Path,
    model_file: &ModelFile,
    data: nn_data::Dataset,
) -> Result<Evaluated> {
    if data.classes().len() > model_file.classes.len() {
        bail!(
            "the data has {} classes, the model {}",
            data.classes().len(),
            model_file.classes.len()
        );
    }
    let (eval, predicted) = nn_train::job::evaluate(model_file, data.x(), data.labels())?;
    Ok(Evaluated {
        eval,
        predicted,
        proba: nn_train::job::predict_proba(model_file, data.x())?,
        what: format!(
            "model {} ({}, epoch {})",
            path.display(),
            model_file.network.architecture().describe(),
            model_file.epoch
        ),
        names: model_file.classes.names().to_vec(),
        dataset: data,
    })
}

/// Cost, accuracy with its interval, ROC AUC for two classes, the classification report and the confusion
/// matrix, as text or JSON.
fn render(a: &EvalArgs, e: &Evaluated) -> Result<()> {
    let (eval, names, proba) = (&e.eval, &e.names, &e.proba);
    let confusion = Confusion::new(names.len(), e.dataset.labels(), &e.predicted);
    let report = confusion.report();
    // For two classes, the ROC AUC of P(class 1): the last column (one sigmoid unit, or the second of two).
    let auc = (names.len() == 2)
        .then(|| {
            let scores: Vec<f64> = (0..proba.rows())
                .map(|i| proba.get(i, proba.cols() - 1))
                .collect();
            let positive: Vec<bool> = e.dataset.labels().iter().map(|&c| c == 1).collect();
            roc_auc(&scores, &positive)
        })
        .flatten();
    let (lo, hi) = wilson_interval(eval.correct, eval.samples);
    if a.json {
        let v = serde_json::json!({
            "cost": eval.cost(),
            "loss": eval.loss,
            "penalty": eval.penalty,
            "accuracy": eval.accuracy(),
            "correct": eval.correct,
            "total": eval.samples,
            "wilson95": [lo, hi],
            "classes": names,
            "confusion": confusion.counts,
            "report": report,
            "roc_auc": auc,
        });
        return out(&format!("{v}\n"));
    }
    out(&format!(
        "{}\ndata {}: {} samples\n\ncost      {:.6}  (loss {:.6} + penalty {:.6})\naccuracy  {:.2}%  ({}/{}; 95% Wilson interval {:.1}%–{:.1}%){}\n\n{}\n{}",
        e.what,
        a.data.data.display(),
        eval.samples,
        eval.cost(),
        eval.loss,
        eval.penalty,
        100.0 * eval.accuracy(),
        eval.correct,
        eval.samples,
        100.0 * lo,
        100.0 * hi,
        auc.map_or(String::new(), |v| format!(
            "\nROC AUC   {v:.4}  (P(class {}) as the score)",
            names[1]
        )),
        report.render(names),
        confusion.render(names)
    ))
}

/// A regression model's errors on the data, in the target's units.
fn regression(
    a: &EvalArgs,
    path: &std::path::Path,
    model_file: &ModelFile,
    data: &nn_data::Dataset,
    truth: &[f64],
) -> Result<()> {
    let predicted = nn_train::job::predict_values(model_file, data.x())?;
    let scores = RegressionScores::new(truth, predicted.col(0));
    let target = model_file.classes.name(0);
    if a.json {
        let v = serde_json::json!({
            "model": path.display().to_string(),
            "data": data.source().display().to_string(),
            "task": "regression",
            "target": target,
            "samples": scores.samples,
            "mse": scores.mse,
            "rmse": scores.mse.sqrt(),
            "mae": scores.mae,
            "r2": scores.r2,
        });
        return out(&format!("{v}\n"));
    }
    out(&format!(
        "model {} ({}, epoch {}) on {}: {} samples, target '{target}'\n  MSE {:.6}  RMSE {:.6}  MAE {:.6}  R² {:.4}\n",
        path.display(),
        model_file.network.architecture().describe(),
        model_file.epoch,
        data.source().display(),
        scores.samples,
        scores.mse,
        scores.mse.sqrt(),
        scores.mae,
        scores.r2
    ))
}
