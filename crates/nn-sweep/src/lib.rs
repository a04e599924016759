//! Hyper-parameter sweeps: the study the report could not afford ("I did not experiment with
//! hyperparameters … due to the long training times").
//!
//! A sweep goes through four steps, one module each:
//!
//! 1. [`spec`]: a TOML file names the data, the fixed `nn train` flags and a search space (grids, lists of
//!    points, random draws) times a list of seeds. [`Spec::expand`] turns it into [`Job`]s, each with a stable
//!    id: a hash of everything that decides its result.
//! 2. [`store`]: a sweep directory holds the plan (`sweep.json`) and one folder per job, `jobs/<id>/`, whose
//!    `result.json` (written atomically, last) marks it done. Rerunning skips finished jobs.
//! 3. [`run`] runs the pending jobs on this machine's cores; [`slurm`] writes (and submits) a Slurm job array
//!    whose task *i* runs job *i*. This crate does not train: the caller passes the function that runs a job
//!    (the `nn` binary runs `nn train` or `nn cv` in process), so both runners produce the same files.
//! 4. [`leaderboard`]: groups the results by configuration, mean ± std over seeds (and folds), sorted by the
//!    chosen metric, as Markdown, CSV and JSON, and the best configuration as an `nn train` command.

pub mod error;
pub mod leaderboard;
pub mod run;
pub mod slurm;
pub mod spec;
pub mod store;

pub use error::{Result, SweepError};
pub use leaderboard::{Leaderboard, Row};
pub use spec::{Job, Spec, Value};
pub use store::{JobResult, JobState, Plan, Sweep};
