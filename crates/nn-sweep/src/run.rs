//! Running jobs: one (a Slurm task's `run-one`), or all pending ones on this machine's cores.

use crate::error::Result;
use crate::spec::Job;
use crate::store::{JobResult, Sweep};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Runs a job: given the job and its folder, trains and scores it, or says why it could not (one line).
pub type Executor<'a> = dyn Fn(&Job, &Path) -> std::result::Result<JobResult, String> + Sync + 'a;

/// Runs `job` of `sweep` with `execute` (whose jobs train on `threads` threads) and records its result or its
/// error, and its time. `Ok(Some(Err(e)))` is a job that failed (recorded); `Ok(None)` a job that another
/// process is running (it holds the job's lock) or has finished meanwhile; `Err` is a sweep directory that
/// could not be written.
///
/// The job is claimed with an advisory lock ([`Sweep::claim`]), so workers on
/// one folder, here or Slurm tasks on a shared file system, never run a job twice, and only the
/// holder clears the temporary files a killed writer of the job left.
pub fn run_one(
    sweep: &Sweep,
    job: &Job,
    threads: usize,
    execute: &Executor<'_>,
) -> Result<Option<std::result::Result<JobResult, String>>> {
    let Some(_claim) = sweep.claim(job)? else {
        return Ok(None);
    };
    if sweep.state(job) == crate::store::JobState::Done {
        return Ok(None);
    }
    let dir = sweep.begin(job)?;
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| execute(job, &dir)))
        .unwrap_or_else(|panic| {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!(
                "internal error (a bug in nn; please report it): {msg}"
            ))
        });
    sweep.record_time(job, started.elapsed().as_secs_f64(), threads)?;
    match &outcome {
        Ok(result) => sweep.finish(job, result)?,
        Err(e) => sweep.fail(job, e)?,
    }
    Ok(Some(outcome))
}

/// A finished job, as the local runner reports it.
#[derive(Debug)]
pub struct Finished<'a> {
    /// The job.
    pub job: &'a Job,
    /// Its result, or why it failed.
    pub outcome: std::result::Result<JobResult, String>,
    /// How long it ran.
    pub elapsed: Duration,
}

/// What [`run_local`] did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Jobs run now.
    pub ran: usize,
    /// Jobs already done (or failed, without `retry_failed`) and skipped.
    pub skipped: usize,
    /// The jobs that failed now: array index and error.
    pub failed: Vec<(usize, String)>,
}

/// Runs every runnable job of `sweep` (pending, started but unfinished, and with `retry_failed` failed ones)
/// on `workers` threads, each job on `threads` threads, calling `on_finish` on this thread as each ends.
/// Results do not depend on the number of workers: each job's result depends only on its configuration.
pub fn run_local(
    sweep: &Sweep,
    workers: usize,
    threads: usize,
    retry_failed: bool,
    execute: &Executor<'_>,
    on_finish: &mut dyn FnMut(&Finished<'_>),
) -> Result<Summary> {
    let todo: Vec<&Job> = sweep
        .plan
        .jobs
        .iter()
        .filter(|j| sweep.state(j).runnable(retry_failed))
        .collect();
    let mut summary = Summary {
        skipped: sweep.plan.jobs.len() - todo.len(),
        ..Summary::default()
    };
    let next = AtomicUsize::new(0);
    let (send, receive) = mpsc::channel::<Result<Option<Finished<'_>>>>();
    std::thread::scope(|s| {
        for _ in 0..workers.clamp(1, todo.len().max(1)) {
            let send = send.clone();
            let (todo, next) = (&todo, &next);
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = todo.get(i) else { break };
                    let started = Instant::now();
                    let finished = match run_one(sweep, job, threads, execute) {
                        Ok(None) => Ok(None),
                        Ok(Some(outcome)) => Ok(Some(Finished {
                            job,
                            outcome,
                            elapsed: started.elapsed(),
                        })),
                        Err(e) => Err(e),
                    };
                    let stop = finished.is_err();
                    if send.send(finished).is_err() || stop {
                        // The directory cannot be written: stop taking jobs; the error is reported below.
                        next.store(todo.len(), Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
        drop(send);
        let mut first_error = None;
        for finished in receive {
            match finished {
                // Another process holds the job, or finished it after this one looked.
                Ok(None) => summary.skipped += 1,
                Ok(Some(f)) => {
                    summary.ran += 1;
                    if let Err(e) = &f.outcome {
                        summary.failed.push((f.job.index, e.clone()));
                    }
                    on_finish(&f);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    })?;
    Ok(summary)
}
