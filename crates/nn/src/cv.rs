//! [`cross_validate`]: K-fold cross-validation of a [`Spec`] on [`Data`], for classifiers and regressions.

use crate::data::Data;
use crate::error::{Error, Result};
use crate::model::shape;
use crate::scores::Scores;
use crate::spec::Spec;
use nn_linalg::Threads;
use nn_train::Precision;
use nn_train::job::cross_validate as run_folds;
use nn_train::metrics::MeanStd;
use serde::Serialize;

/// One fold's model, scored on the rows it held out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FoldScores {
    /// 1-based.
    pub fold: usize,
    /// The rows it trained on (its training and validation parts).
    pub train_rows: usize,
    /// The rows it held out.
    pub test_rows: usize,
    /// The epoch whose weights it kept.
    pub selected_epoch: usize,
    /// The network's inputs: the features after one-hot encoding with the categories of this fold's training
    /// rows (a category only held-out rows have gets no input).
    pub inputs: usize,
    /// Its scores on the held-out rows.
    #[serde(flatten)]
    pub scores: Scores,
}

/// A cross-validation's folds, and what was cross-validated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CrossValidation {
    /// Each fold's scores.
    pub folds: Vec<FoldScores>,
    /// The network, described (e.g. `2-4-4-1, sigmoid hidden, sigmoid output`).
    pub network: String,
    /// Rows in all.
    pub samples: usize,
}

impl CrossValidation {
    /// The mean and sample standard deviation over the folds of every score that each fold has.
    pub fn summary(&self) -> Vec<(&'static str, MeanStd)> {
        let named: Vec<_> = self.folds.iter().map(|f| f.scores.named()).collect();
        let Some(first) = named.first() else {
            return Vec::new();
        };
        (first.iter().enumerate())
            .filter_map(|(k, (name, _))| {
                let values: Option<Vec<f64>> = named.iter().map(|n| n[k].1).collect();
                Some((*name, MeanStd::of(&values?)))
            })
            .collect()
    }
}

/// Trains `spec` `k` times, each time on all folds but one, and scores it on the fold held out. Everything
/// fitted (a text file's categories and fill values, the standardiser) sees the fold's training rows only;
/// within them, `spec.split.validation` form the validation part that selection and early stopping use
/// (`spec.split.train` is not used). With `spec.stratify`, each fold keeps every class's share (a regression
/// has no classes to keep). The folds are drawn with `spec.seed` and run side by side, one per core
/// (`spec.threads`, 0 for all), one thread each: the result is the same bits at any count.
pub fn cross_validate(spec: &Spec, data: &Data, k: usize) -> Result<CrossValidation> {
    let source = data.for_folds()?;
    let (labels, regression) = source.labels()?;
    if regression && spec.stratify {
        return Err(Error::setting(
            "stratify",
            true,
            "a regression target has no classes to keep the shares of",
        ));
    }
    let folds = nn_data::folds(&labels, k, spec.stratify, spec.seed)?;
    // The network's shape, from the whole file read once (the features' count does not depend on the rows a
    // pipeline is fitted on, nor the classes, which come from every row).
    let whole = source.fit(&(0..labels.len()).collect::<Vec<_>>())?;
    let job = spec.job(shape(&whole))?;
    let workers = Threads::from_count(spec.threads).count();
    let data_for = |rows: &[usize]| source.fit(rows);
    let outcomes = match job.precision {
        Precision::F64 => run_folds::<f64>(&folds, &data_for, &job, workers)?,
        Precision::F32 => run_folds::<f32>(&folds, &data_for, &job, workers)?,
    };
    let folds = outcomes
        .iter()
        .map(|o| {
            Ok(FoldScores {
                fold: o.fold + 1,
                train_rows: o.train_rows,
                test_rows: o.held_out.len(),
                selected_epoch: o.model_file.epoch,
                inputs: o.model_file.network.architecture().n_input,
                scores: Scores::of(&o.model_file, &o.held_out)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let network = outcomes
        .first()
        .map(|o| o.model_file.network.architecture().describe())
        .unwrap_or_default();
    Ok(CrossValidation {
        folds,
        network,
        samples: labels.len(),
    })
}
