//! K-fold cross-validation: the same job trained K times, each time on all folds but one and scored on the
//! fold held out.
//!
//! Nothing fitted sees the held-out fold: the caller's `data_for` fits its preprocessing (a CSV pipeline's
//! categories and fill values) on the fold's training rows, and [`run_job`] fits the standardiser on the
//! training part of those rows (less the validation share that selection and early stopping use). Each fold
//! trains on one thread, so folds run side by side on the cores and give the same bits whatever the number of
//! workers.

use super::run::run_job;
use super::spec::JobSpec;
use crate::error::Result;
use crate::model_file::ModelFile;
use nn_data::{Dataset, SplitSpec};
use nn_linalg::{Scalar, Threads};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What one fold gave.
#[derive(Debug)]
pub struct FoldOutcome {
    /// Its index, from 0.
    pub fold: usize,
    /// Rows it trained on (training and validation parts together).
    pub train_rows: usize,
    /// The model it selected.
    pub model_file: ModelFile,
    /// The held-out rows, read with the preprocessing fitted on the training rows, for the caller to score.
    pub held_out: Dataset,
}

/// Trains `spec` once per fold of `folds` (the held-out rows of each; see [`nn_data::folds`]), `workers` folds
/// at a time, and returns each fold's model with its held-out rows.
///
/// `data_for(train_rows)` returns every row, with any preprocessing fitted on `train_rows` only. Within the
/// training rows, `spec.split.validation` of them (drawn with `spec.split`'s seed and stratification) form
/// the validation part; `spec.split.train` is not used.
pub fn cross_validate<T: Scalar>(
    folds: &[Vec<usize>],
    data_for: &(dyn Fn(&[usize]) -> nn_data::Result<Dataset> + Sync),
    spec: &JobSpec,
    workers: usize,
) -> Result<Vec<FoldOutcome>> {
    let n: usize = folds.iter().map(Vec::len).sum();
    let mut spec = spec.clone();
    spec.split = SplitSpec {
        train: 1.0 - spec.split.validation,
        ..spec.split
    };
    spec.config.threads = Threads::Single;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<FoldOutcome>>>> =
        Mutex::new((0..folds.len()).map(|_| None).collect());
    let work = || {
        loop {
            let fold = next.fetch_add(1, Ordering::Relaxed);
            if fold >= folds.len() {
                break;
            }
            let outcome = one_fold::<T>(fold, folds, n, data_for, &spec);
            results.lock().unwrap_or_else(|e| e.into_inner())[fold] = Some(outcome);
        }
    };
    std::thread::scope(|s| {
        for _ in 0..workers.clamp(1, folds.len().max(1)) {
            s.spawn(work);
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every fold ran"))
        .collect()
}

fn one_fold<T: Scalar>(
    fold: usize,
    folds: &[Vec<usize>],
    n: usize,
    data_for: &(dyn Fn(&[usize]) -> nn_data::Result<Dataset> + Sync),
    spec: &JobSpec,
) -> Result<FoldOutcome> {
    let mut held_out = vec![false; n];
    for &i in &folds[fold] {
        held_out[i] = true;
    }
    let parts = nn_data::Split {
        train: (0..n).filter(|&i| !held_out[i]).collect(),
        validation: Vec::new(),
        test: folds[fold].clone(),
    };
    let [train, _, test] = data_for(&parts.train)?.into_parts(&parts);
    let outcome = run_job::<T>(train, spec, None, None, None, &mut |_| {})?;
    if let Some(e) = outcome.error {
        return Err(e);
    }
    Ok(FoldOutcome {
        fold,
        train_rows: parts.train.len(),
        model_file: outcome.model_file,
        held_out: test,
    })
}
