//! `nn sweep`: plans a sweep from a spec, runs its jobs here or as a Slurm array, and reports on it. The
//! bookkeeping is `nn-sweep`'s; a job runs in process from its [`nn::Settings`], through the library's
//! training or cross-validation ([`job`]).

use super::common::{locate, out};
use crate::args::{SweepAction, SweepArgs, SweepRunArgs};
use anyhow::{Context, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use nn_sweep::leaderboard::{DEFAULT_METRICS, format_score, higher_is_better};
use nn_sweep::run::{Finished, run_local, run_one};
use nn_sweep::{JobResult, JobState, Plan, Spec, Sweep};
use std::path::{Path, PathBuf};
use std::time::Instant;

mod job;
mod report;
mod slurm;

use job::{describe, executor};
use report::{report, status};

pub fn run(a: SweepArgs) -> Result<()> {
    match a.action {
        Some(SweepAction::RunOne {
            dir,
            index,
            threads,
        }) => run_one_task(&dir, index, threads),
        Some(SweepAction::Status { dir }) => status(&dir),
        Some(SweepAction::Report { dir, metric, top }) => {
            let sweep = Sweep::open(&dir)?;
            out(&report(&sweep, metric.as_deref(), top)?)
        }
        None => start(a.run),
    }
}

/// `nn sweep SPEC --out DIR`: checks the spec, writes the plan, runs or submits the pending jobs.
fn start(a: SweepRunArgs) -> Result<()> {
    let (Some(spec_path), Some(dir)) = (&a.spec, &a.out) else {
        bail!(
            "nn sweep needs a spec and a directory: nn sweep SPEC.toml --out DIR (or: nn sweep status|report|run-one DIR)"
        );
    };
    let spec = Spec::read(spec_path)?;
    let data = find_data(&spec)?;
    let mut plan = Plan::new(&spec, data);
    if let Some(logdir) = &a.logdir {
        if plan.folds.is_some() {
            bail!("--logdir: a cross-validated sweep (folds) trains no single run to log");
        }
        plan.logdir =
            Some(std::path::absolute(logdir).with_context(|| logdir.display().to_string())?);
    }
    check_jobs(&plan, spec_path)?;
    let sweep = Sweep::create(dir, plan)?;
    match a.runner.as_str() {
        "slurm" => slurm::submit(&sweep, &a),
        _ => run_here(&sweep, &a),
    }
}

/// Every job's settings must hold together, and the columns it names exist, before any job starts (the
/// columns are checked once for each distinct set of data settings).
fn check_jobs(plan: &Plan, spec_path: &Path) -> Result<()> {
    let mut checked = std::collections::HashSet::new();
    for job in &plan.jobs {
        let in_job = |e: anyhow::Error| {
            anyhow!(
                "{}: job {} ({}): {e:#}",
                spec_path.display(),
                job.index,
                describe(job)
            )
        };
        let settings = plan.settings(job).map_err(|e| in_job(e.into()))?;
        if checked.insert(format!("{:?}", settings.data)) {
            nn::Data::file(&plan.data_path)
                .settings(&settings.data)
                .check_columns()
                .map_err(|e| in_job(e.into()))?;
        }
    }
    Ok(())
}

/// The dataset: beside the spec, else where `nn train --data` looks. Checked before any job starts.
fn find_data(spec: &Spec) -> Result<PathBuf> {
    let beside = spec
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join(&spec.data);
    let found = if beside.is_file() {
        beside
    } else {
        locate(Path::new(&spec.data)).with_context(|| format!("{}: data", spec.path.display()))?
    };
    std::path::absolute(&found).with_context(|| format!("{}", found.display()))
}

/// `--runner local`: the pending jobs on this machine's cores, with a progress bar; then the leaderboard.
fn run_here(sweep: &Sweep, a: &SweepRunArgs) -> Result<()> {
    let threads = a.threads_per_job.max(1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = a.workers.unwrap_or((cores / threads).max(1));
    let total = sweep.plan.jobs.len();
    let bar = progress_bar(a.quiet, total, sweep.counts()[2]);
    let metric = sweep.plan.metric.clone();
    let mut best = Best::default();
    let started = Instant::now();
    let execute = executor(&sweep.plan, threads);
    let summary = run_local(
        sweep,
        workers,
        threads,
        a.retry_failed,
        &execute,
        &mut |f: &Finished<'_>| {
            bar.inc(1);
            match &f.outcome {
                Ok(result) => best.see(result, metric.as_deref(), f.job),
                Err(e) => bar.println(format!(
                    "job {} ({}) failed: {e}",
                    f.job.index,
                    describe(f.job)
                )),
            }
            if let Some(message) = best.message() {
                bar.set_message(message);
            }
        },
    )?;
    bar.finish_and_clear();
    if !a.quiet {
        eprintln!(
            "ran {} jobs in {:.1} s on {workers} worker{} ({} already done{}); results in {}",
            summary.ran,
            started.elapsed().as_secs_f64(),
            if workers == 1 { "" } else { "s" },
            summary.skipped,
            if a.retry_failed { "" } else { " or failed" },
            sweep.dir.display()
        );
    }
    let counts = sweep.counts();
    if counts[2] > 0 {
        let text = report(sweep, None, 10)?;
        if !a.quiet {
            out(&text)?;
        }
    }
    if counts[3] > 0 {
        bail!(
            "{} of {} jobs failed (nn sweep status {} lists them; --retry-failed reruns them)",
            counts[3],
            total,
            sweep.dir.display()
        );
    }
    Ok(())
}

/// The bar of finished jobs (hidden when quiet), starting from those done before.
fn progress_bar(quiet: bool, total: usize, done_before: usize) -> ProgressBar {
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} jobs, {elapsed} elapsed, ETA {eta}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_position(done_before as u64);
    bar.reset_eta();
    bar
}

/// The best job so far, by the sweep's metric: its score, the metric's name and the job in words.
#[derive(Default)]
struct Best(Option<(f64, String, String)>);

impl Best {
    fn see(&mut self, result: &JobResult, metric: Option<&str>, job: &nn_sweep::Job) {
        let Some((name, value)) = headline(result, metric) else {
            return;
        };
        let better = self.0.as_ref().is_none_or(|(b, _, _)| {
            if higher_is_better(&name) {
                value > *b
            } else {
                value < *b
            }
        });
        if better {
            self.0 = Some((value, name, describe(job)));
        }
    }

    fn message(&self) -> Option<String> {
        let (value, name, job) = self.0.as_ref()?;
        let shown = format_score(
            name,
            nn_sweep::leaderboard::MeanStd {
                mean: *value,
                std: 0.0,
            },
        );
        Some(format!(
            "best {name} {} ({job})",
            shown.split(" ±").next().unwrap_or_default()
        ))
    }
}

/// The metric a finished job is ranked by, and its value (the mean over folds for cross-validation).
fn headline(result: &JobResult, metric: Option<&str>) -> Option<(String, f64)> {
    let has = |m: &str| result.scores.iter().all(|s| s.contains_key(m));
    let name = match metric {
        Some(m) => m.to_string(),
        None => DEFAULT_METRICS.iter().find(|m| has(m))?.to_string(),
    };
    let values: Vec<f64> = result
        .scores
        .iter()
        .filter_map(|s| s.get(&name).copied())
        .collect();
    (!values.is_empty()).then(|| (name, values.iter().sum::<f64>() / values.len() as f64))
}

/// `nn sweep run-one DIR --index I`: what Slurm array task I runs.
fn run_one_task(dir: &Path, index: usize, threads: Option<usize>) -> Result<()> {
    let sweep = Sweep::open(dir)?;
    let job = sweep.job(index)?;
    if sweep.state(job) == JobState::Done {
        eprintln!("job {index} ({}) is already done", describe(job));
        return Ok(());
    }
    let threads = threads
        .or_else(|| std::env::var("SLURM_CPUS_PER_TASK").ok()?.parse().ok())
        .unwrap_or(1);
    let execute = executor(&sweep.plan, threads);
    match run_one(&sweep, job, threads, &execute)? {
        None => {
            eprintln!(
                "job {index} ({}) is being run by another process, or has just finished",
                describe(job)
            );
            Ok(())
        }
        Some(Ok(_)) => Ok(()),
        Some(Err(e)) => bail!("job {index} ({}) failed: {e}", describe(job)),
    }
}
