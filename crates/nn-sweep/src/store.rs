//! The sweep directory:
//!
//! ```text
//! DIR/sweep.json            the plan: the spec's settings and every job, in array-index order
//! DIR/jobs/<id>/job.json    the job, written when it starts
//! DIR/jobs/<id>/model.nnm   its model (validation-split sweeps), metrics.csv its epochs
//! DIR/jobs/<id>/result.json its scores: written atomically, last, so its presence means "done"
//! DIR/jobs/<id>/error.txt   why it failed
//! DIR/jobs/<id>/time.json   how long it ran, and on which host (kept apart: it differs from run to run)
//! ```
//!
//! A job's folder is named by its id, a hash of its configuration, so a rerun, a changed spec that keeps some
//! points, or a Slurm task all find the same finished jobs.

use crate::error::{Result, SweepError};
use crate::spec::{Job, SlurmSpec, Spec, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The plan's file name in the sweep directory.
pub const PLAN_FILE: &str = "sweep.json";
/// The version of the plan's layout this build writes and reads.
pub const PLAN_FORMAT: u32 = 1;

/// What a sweep runs: written by `nn sweep SPEC --out DIR`, read by every runner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// [`PLAN_FORMAT`].
    pub format: u32,
    /// The spec file it was made from.
    pub spec: PathBuf,
    /// The dataset as the spec names it (part of every job's id).
    pub data: String,
    /// The dataset file found for it.
    pub data_path: PathBuf,
    /// K of K-fold cross-validation, or `None` for the validation split.
    pub folds: Option<usize>,
    /// The leaderboard's metric, if the spec names one.
    pub metric: Option<String>,
    /// The fixed flags.
    pub fixed: BTreeMap<String, Value>,
    /// The swept flags' names.
    pub swept: Vec<String>,
    /// Slurm settings from the spec.
    pub slurm: SlurmSpec,
    /// Every job; `jobs[i].index == i`.
    pub jobs: Vec<Job>,
    /// Where `nn train` jobs write TensorBoard event files, each in a run folder named by its settings
    /// (`nn sweep --logdir`); not part of any job's id.
    #[serde(default)]
    pub logdir: Option<PathBuf>,
}

impl Plan {
    /// The plan of `spec`, whose dataset was found at `data_path`.
    pub fn new(spec: &Spec, data_path: PathBuf) -> Plan {
        Plan {
            format: PLAN_FORMAT,
            spec: spec.path.clone(),
            data: spec.data.clone(),
            data_path,
            folds: spec.folds,
            metric: spec.metric.clone(),
            fixed: spec.fixed.clone(),
            swept: spec.swept(),
            slurm: spec.slurm.clone(),
            jobs: spec.expand(),
            logdir: None,
        }
    }

    /// The settings by name of a job whose swept values are `params`: the fixed settings, then `params`.
    ///
    /// A sweep scored on the validation split ranks its jobs there, so a job that gives neither a split nor
    /// a selection selects on the validation loss, which gives it the default validation part (a
    /// classification's own default, scikit-learn's rule, has none, and would be ranked on its training
    /// loss).
    pub fn named(&self, params: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
        let mut named = self.fixed.clone();
        named.extend(params.clone());
        if self.folds.is_none() && !named.contains_key("split") && !named.contains_key("select") {
            named.insert("select".into(), Value::Text("val-loss".into()));
        }
        named
    }

    /// The settings `job` runs with: [`named`](Self::named) and its seed (checked when the spec was read,
    /// value by value; this checks the whole, for the rules between settings).
    pub fn settings(&self, job: &Job) -> std::result::Result<nn::Settings, nn::NamedError> {
        let named = self.named(&job.params);
        // A spec's seeds are TOML integers, which are i64.
        let seed = Value::Int(i64::try_from(job.seed).unwrap_or(i64::MAX));
        let pairs = named.iter().map(|(k, v)| (k.as_str(), v));
        nn::Settings::from_named(pairs.chain([("seed", &seed)]))
    }
}

/// Where a job is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Not started.
    Pending,
    /// Started and not finished: running now, or its process was killed (a rerun runs it again).
    Started,
    /// Finished: `result.json` is written.
    Done,
    /// Failed, with the error it reported (rerun with `--retry-failed`).
    Failed(String),
}

impl JobState {
    /// One word for tables.
    pub fn name(&self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Started => "started",
            JobState::Done => "done",
            JobState::Failed(_) => "failed",
        }
    }

    /// Whether a runner runs a job in this state (`retry_failed`: failed jobs too).
    pub fn runnable(&self, retry_failed: bool) -> bool {
        match self {
            JobState::Pending | JobState::Started => true,
            JobState::Done => false,
            JobState::Failed(_) => retry_failed,
        }
    }
}

/// A finished job's scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    /// The job's id.
    pub id: String,
    /// Its swept flags' values.
    pub params: BTreeMap<String, Value>,
    /// Its seed.
    pub seed: u64,
    /// One set of named scores per evaluation: the selected epoch's parts (`val-acc`, `test-loss`, …,
    /// and `epoch`) for a validation-split job, one per fold (`cv-acc`, `cv-loss`, …) for cross-validation.
    pub scores: Vec<BTreeMap<String, f64>>,
    /// Why training stopped (early stopping, convergence), if it stopped before its last epoch.
    pub stopped: Option<String>,
}

/// A sweep directory and its plan.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The directory.
    pub dir: PathBuf,
    /// Its plan.
    pub plan: Plan,
}

const RESULT: &str = "result.json";
const ERROR: &str = "error.txt";
const JOB: &str = "job.json";
const TIME: &str = "time.json";

impl Sweep {
    /// Makes (or updates) the sweep in `dir` with `plan`. Finished jobs of an earlier plan stay, and count for
    /// this one if their ids are in it.
    pub fn create(dir: &Path, plan: Plan) -> Result<Sweep> {
        let jobs = dir.join("jobs");
        std::fs::create_dir_all(&jobs).map_err(SweepError::io(&jobs))?;
        let sweep = Sweep {
            dir: dir.to_path_buf(),
            plan,
        };
        write_json(&dir.join(PLAN_FILE), &sweep.plan)?;
        Ok(sweep)
    }

    /// Opens the sweep in `dir`.
    pub fn open(dir: &Path) -> Result<Sweep> {
        let path = dir.join(PLAN_FILE);
        if !path.is_file() {
            return Err(SweepError::Sweep {
                path: dir.to_path_buf(),
                message: format!(
                    "not a sweep directory (no {PLAN_FILE}; `nn sweep SPEC --out {}` makes one)",
                    dir.display()
                ),
            });
        }
        let plan: Plan = read_json(&path)?;
        if plan.format != PLAN_FORMAT {
            return Err(SweepError::Sweep {
                path,
                message: format!(
                    "plan format {}, this nn reads format {PLAN_FORMAT}",
                    plan.format
                ),
            });
        }
        Ok(Sweep {
            dir: dir.to_path_buf(),
            plan,
        })
    }

    /// The folder of `job`'s files.
    pub fn job_dir(&self, job: &Job) -> PathBuf {
        self.dir.join("jobs").join(&job.id)
    }

    /// Where `job` is.
    pub fn state(&self, job: &Job) -> JobState {
        let dir = self.job_dir(job);
        if dir.join(RESULT).is_file() {
            JobState::Done
        } else if let Ok(e) = std::fs::read_to_string(dir.join(ERROR)) {
            JobState::Failed(e.trim().to_string())
        } else if dir.join(JOB).is_file() {
            JobState::Started
        } else {
            JobState::Pending
        }
    }

    /// The job at array index `index`.
    pub fn job(&self, index: usize) -> Result<&Job> {
        self.plan.jobs.get(index).ok_or_else(|| SweepError::Sweep {
            path: self.dir.clone(),
            message: format!(
                "no job {index}: the plan has {} (indices 0 to {})",
                self.plan.jobs.len(),
                self.plan.jobs.len().saturating_sub(1)
            ),
        })
    }

    /// Claims `job` for this process: its lock ([`nn_train::OutputLock`], `DIR/.locks/.<id>.lock`, outside
    /// the job's folder so that a killed holder leaves nothing among the job's files), held until the claim
    /// is dropped; `None` if another process holds it.
    pub fn claim(&self, job: &Job) -> Result<Option<nn_train::OutputLock>> {
        let locks = self.dir.join(".locks");
        std::fs::create_dir_all(&locks).map_err(SweepError::io(&locks))?;
        match nn_train::OutputLock::acquire(&locks.join(&job.id)) {
            Ok(lock) => Ok(Some(lock)),
            Err(nn_train::LockError::Held { .. }) => Ok(None),
            Err(nn_train::LockError::Io { lock, source }) => {
                Err(SweepError::Io { path: lock, source })
            }
        }
    }

    /// Marks `job` started (its folder and `job.json`; an earlier failure, and the temporary files of a
    /// process killed while writing, are cleared) and returns its folder. The caller holds the job's claim
    /// ([`Sweep::claim`]), so no live process is writing those temporary files.
    pub fn begin(&self, job: &Job) -> Result<PathBuf> {
        let dir = self.job_dir(job);
        std::fs::create_dir_all(&dir).map_err(SweepError::io(&dir))?;
        for entry in std::fs::read_dir(&dir).map_err(SweepError::io(&dir))? {
            let path = entry.map_err(SweepError::io(&dir))?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // `nn_train::write_atomically`'s temporary files: `.<name>.tmp-<pid>`.
            if name.starts_with('.') && name.contains(".tmp-") {
                std::fs::remove_file(&path).map_err(SweepError::io(&path))?;
            }
        }
        let error = dir.join(ERROR);
        if error.exists() {
            std::fs::remove_file(&error).map_err(SweepError::io(&error))?;
        }
        write_json(&dir.join(JOB), job)?;
        Ok(dir)
    }

    /// Records `job`'s result (atomically: a killed writer leaves the job unfinished, never half-written).
    pub fn finish(&self, job: &Job, result: &JobResult) -> Result<()> {
        write_json(&self.job_dir(job).join(RESULT), result)
    }

    /// Records how long `job` ran (seconds) and where: apart from its result, which must not depend on the
    /// machine or the hour.
    pub fn record_time(&self, job: &Job, seconds: f64, threads: usize) -> Result<()> {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|h| h.trim().to_string())
            .unwrap_or_default();
        let time = serde_json::json!({ "seconds": seconds, "threads": threads, "host": host });
        write_json(&self.job_dir(job).join(TIME), &time)
    }

    /// How long `job` ran, in seconds, if it is recorded.
    pub fn time(&self, job: &Job) -> Option<f64> {
        let text = std::fs::read_to_string(self.job_dir(job).join(TIME)).ok()?;
        serde_json::from_str::<serde_json::Value>(&text).ok()?["seconds"].as_f64()
    }

    /// Records why `job` failed.
    pub fn fail(&self, job: &Job, error: &str) -> Result<()> {
        let path = self.job_dir(job).join(ERROR);
        nn_train::write_atomically(&path, format!("{error}\n").as_bytes())
            .map_err(SweepError::io(path))
    }

    /// `job`'s result, if it is done.
    pub fn result(&self, job: &Job) -> Result<Option<JobResult>> {
        let path = self.job_dir(job).join(RESULT);
        if !path.is_file() {
            return Ok(None);
        }
        read_json(&path).map(Some)
    }

    /// The results of every finished job of the plan, in plan order.
    pub fn results(&self) -> Result<Vec<JobResult>> {
        let mut out = Vec::new();
        for job in &self.plan.jobs {
            out.extend(self.result(job)?);
        }
        Ok(out)
    }

    /// How many jobs are in each state: pending, started, done, failed.
    pub fn counts(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for job in &self.plan.jobs {
            counts[match self.state(job) {
                JobState::Pending => 0,
                JobState::Started => 1,
                JobState::Done => 2,
                JobState::Failed(_) => 3,
            }] += 1;
        }
        counts
    }
}

/// Writes `value` as pretty JSON, atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(|source| SweepError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    text.push('\n');
    nn_train::write_atomically(path, text.as_bytes()).map_err(SweepError::io(path))
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(SweepError::io(path))?;
    serde_json::from_str(&text).map_err(|source| SweepError::Json {
        path: path.to_path_buf(),
        source,
    })
}
