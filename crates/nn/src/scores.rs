//! [`Scores`]: how well a model does on labelled rows, for a classifier or a regression.

use crate::error::Result;
use nn_data::Dataset;
use nn_train::ModelFile;
use nn_train::job;
use nn_train::metrics::{Confusion, RegressionScores, roc_auc};
use serde::Serialize;

/// A model's scores on rows with a known target.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "task", rename_all = "kebab-case")]
pub enum Scores {
    /// A classifier's.
    Classes(ClassScores),
    /// A regression's, in the target's units.
    Values {
        /// Mean squared error.
        mse: f64,
        /// Mean absolute error.
        mae: f64,
        /// The coefficient of determination, 1 − SSE/SST with the rows' own mean (scikit-learn's `r2_score`).
        r2: f64,
    },
}

/// A classifier's scores (see [`Scores::Classes`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassScores {
    /// Mean cross-entropy (without the penalty).
    pub loss: f64,
    /// The fraction classified correctly.
    pub accuracy: f64,
    /// F1 averaged over the classes.
    pub macro_f1: f64,
    /// F1 averaged over the classes, weighted by their support.
    pub weighted_f1: f64,
    /// The area under the ROC curve (two classes only).
    pub roc_auc: Option<f64>,
    /// `counts[t][p]`: rows of class t predicted as p.
    pub confusion: Vec<Vec<usize>>,
}

impl Scores {
    /// The scores of the model in `model_file` on `data` (read as the model reads data).
    pub(crate) fn of(model_file: &ModelFile, data: &Dataset) -> Result<Scores> {
        if let Some(truth) = data.values() {
            let predicted = job::predict_values(model_file, data.x())?;
            let s = RegressionScores::new(truth, predicted.col(0));
            return Ok(Scores::Values {
                mse: s.mse,
                mae: s.mae,
                r2: s.r2,
            });
        }
        let k = model_file.classes.len();
        if let Some(&c) = data.labels().iter().find(|&&c| c >= k) {
            return Err(crate::Error::input(format!(
                "{}: class '{}' is not one of the model's {k} classes",
                data.source().display(),
                data.classes().name(c)
            )));
        }
        let (evaluation, predicted) = job::evaluate(model_file, data.x(), data.labels())?;
        let confusion = Confusion::new(k, data.labels(), &predicted);
        let report = confusion.report();
        let roc_auc = (k == 2)
            .then(|| {
                let p = job::predict_proba(model_file, data.x())?;
                let scores: Vec<f64> = (0..p.rows()).map(|i| p.get(i, p.cols() - 1)).collect();
                let positive: Vec<bool> = data.labels().iter().map(|&c| c == 1).collect();
                Ok::<_, crate::Error>(roc_auc(&scores, &positive))
            })
            .transpose()?
            .flatten();
        Ok(Scores::Classes(ClassScores {
            loss: evaluation.loss,
            accuracy: evaluation.accuracy(),
            macro_f1: report.macro_avg.f1,
            weighted_f1: report.weighted_avg.f1,
            roc_auc,
            confusion: confusion.counts,
        }))
    }

    /// Every score by name, `None` where this model has none (ROC AUC beyond two classes).
    pub fn named(&self) -> Vec<(&'static str, Option<f64>)> {
        match *self {
            Scores::Classes(ref c) => vec![
                ("loss", Some(c.loss)),
                ("accuracy", Some(c.accuracy)),
                ("macro_f1", Some(c.macro_f1)),
                ("weighted_f1", Some(c.weighted_f1)),
                ("roc_auc", c.roc_auc),
            ],
            Scores::Values { mse, mae, r2 } => {
                vec![("mse", Some(mse)), ("mae", Some(mae)), ("r2", Some(r2))]
            }
        }
    }

    /// The fraction classified correctly (`None` for a regression).
    pub fn accuracy(&self) -> Option<f64> {
        match self {
            Scores::Classes(c) => Some(c.accuracy),
            Scores::Values { .. } => None,
        }
    }
}
