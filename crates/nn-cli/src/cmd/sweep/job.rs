//! One sweep job, run in this process from its [`nn::Settings`]: trained as `nn train` trains (its model file
//! and per-epoch metrics in the job's folder, its TensorBoard run in the sweep's `--logdir`), or
//! cross-validated as `nn cv` does; then its scores, named as the selection rules name them.

use crate::cmd::common::epochs_capped;
use crate::cmd::train::write_metrics;
use anyhow::Result;
use nn_cli::report::ClassCounts;
use nn_sweep::{Job, JobResult, Plan};
use nn_train::tensorboard::TensorBoard;
use nn_train::{ModelFile, PartMetrics, Status, TrainEvent};
use std::collections::BTreeMap;
use std::path::Path;

/// Runs `job` in `dir` with `threads` threads, and reads its scores.
fn execute(plan: &Plan, job: &Job, dir: &Path, threads: usize) -> Result<JobResult> {
    let settings = plan.settings(job)?;
    let mut spec = epochs_capped(settings.spec);
    spec.threads = threads;
    let data = nn::Data::file(&plan.data_path).settings(&settings.data);
    let (scores, stopped) = match plan.folds {
        None => {
            let model_file = train(plan, job, dir, &spec, &data)?;
            (
                vec![model_file_scores(&model_file)],
                stopped(&model_file.status),
            )
        }
        Some(k) => (cross_validate(&spec, &data, k)?, None),
    };
    Ok(JobResult {
        id: job.id.clone(),
        params: job.params.clone(),
        seed: job.seed,
        scores,
        stopped,
    })
}

/// Trains the job's network, writing `model.nnm` and `metrics.csv` in `dir`. A run that diverged still
/// keeps the weights it selected before: its scores are a result (a high rate that diverges belongs on the
/// leaderboard). Any other error fails the job.
fn train(
    plan: &Plan,
    job: &Job,
    dir: &Path,
    spec: &nn::Spec,
    data: &nn::Data,
) -> Result<ModelFile> {
    let loaded = nn::training_data(spec, data, None)?;
    let dataset = loaded.dataset;
    let resolved = spec.job(nn::shape(&dataset))?;
    let mut counts = ClassCounts::default();
    let logdir = (plan.logdir.as_ref()).map(|l| l.join(run_name(job)));
    let mut board = (logdir.as_deref()).map(|dir| TensorBoard::for_dataset(dir, &dataset));
    let outcome = nn::train(
        &resolved,
        dataset,
        None,
        None,
        None,
        &mut |e: &TrainEvent| {
            counts.event(e);
            if let Some(b) = board.as_mut() {
                b.event(e);
            }
        },
    )?;
    let model = dir.join("model.nnm");
    outcome.model_file.save(&model)?;
    write_metrics(&dir.join("metrics.csv"), &outcome, &counts)?;
    match outcome.error {
        Some(e) if !matches!(outcome.model_file.status, Status::Diverged { .. }) => Err(e.into()),
        _ => Ok(outcome.model_file),
    }
}

/// Each fold's scores on the rows it held out, and its selected epoch.
fn cross_validate(
    spec: &nn::Spec,
    data: &nn::Data,
    k: usize,
) -> Result<Vec<BTreeMap<String, f64>>> {
    let run = nn::cross_validate(spec, data, k)?;
    Ok((run.folds.iter())
        .map(|s| {
            let mut m: BTreeMap<String, f64> = (s.scores.named().into_iter())
                .filter_map(|(name, v)| Some((cv_name(name), v?)))
                .collect();
            m.insert("epoch".into(), s.selected_epoch as f64);
            m
        })
        .collect())
}

fn cv_name(metric: &str) -> String {
    match metric {
        "accuracy" => "cv-acc".into(),
        "macro_f1" => "cv-f1".into(),
        "roc_auc" => "cv-auc".into(),
        other => format!("cv-{}", other.replace('_', "-")),
    }
}

/// The selected epoch's scores of every part, named as the selection rules name them (`val-acc`, …).
fn model_file_scores(c: &ModelFile) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    m.insert("epoch".to_string(), c.epoch as f64);
    let Some(report) = &c.metrics else { return m };
    let parts: [(&str, Option<&PartMetrics>); 3] = [
        ("train", Some(&report.train)),
        ("val", report.validation.as_ref()),
        ("test", report.test.as_ref()),
    ];
    for (part, metrics) in parts {
        let Some(p) = metrics else { continue };
        m.insert(format!("{part}-loss"), p.loss);
        match p.r2 {
            Some(r2) => {
                m.insert(format!("{part}-r2"), r2);
            }
            None => {
                m.insert(format!("{part}-acc"), p.accuracy);
            }
        }
        if let Some(f1) = p.f1 {
            m.insert(format!("{part}-f1"), f1);
        }
        if let Some(mae) = p.mae {
            // In the target's units.
            let scale = c.target_scale.as_ref().map_or(1.0, |s| s.scale()[0]);
            m.insert(format!("{part}-mae"), mae * scale);
        }
    }
    m
}

fn stopped(status: &Status) -> Option<String> {
    match status {
        Status::Finished {
            epochs_run,
            early_stopped: true,
        } => Some(format!("stopped early after epoch {epochs_run}")),
        Status::Diverged { epoch, cause } => Some(format!("diverged at epoch {epoch}: {cause}")),
        _ => None,
    }
}

/// A job's TensorBoard run folder: its swept values and seed, as the sweep names the job (`lr=0.1 hidden=4,4
/// seed=1`; a `/` in a value becomes `_`).
fn run_name(job: &Job) -> String {
    describe(job).replace(['/', '\\'], "_")
}

/// The swept values of a job, as `lr=0.1 hidden=8 seed=1`.
pub(super) fn describe(job: &Job) -> String {
    let mut parts: Vec<String> = job.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.push(format!("seed={}", job.seed));
    parts.join(" ")
}

pub(super) fn executor(
    plan: &Plan,
    threads: usize,
) -> impl Fn(&Job, &Path) -> Result<JobResult, String> + Sync + '_ {
    move |job, dir| {
        execute(plan, job, dir, threads).map_err(|e| {
            e.chain()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(": ")
        })
    }
}
