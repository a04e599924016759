//! `nn sweep`'s flags and actions.

use clap::builder::PossibleValuesParser;
use clap::{Args, Subcommand};
use std::path::PathBuf;

const SWEEP_EXAMPLES: &str = "\
Examples:
  nn sweep experiments/sweep-binary.toml --out sweeps/binary            # all jobs on this machine's cores
  nn sweep status sweeps/binary                                         # jobs by state, failures with errors
  nn sweep report sweeps/binary                                         # leaderboard, plots, best command
  nn sweep experiments/sweep-binary.toml --out sweeps/binary --runner slurm --partition short --time 00:10:00
  nn sweep run-one sweeps/binary --index 7                              # what Slurm array task 7 runs
Rerunning a sweep skips the jobs that finished (--retry-failed reruns failed ones); a job killed midway runs
again. Each job writes DIR/jobs/<id>/ (model.nnm, metrics.csv, result.json), its id a hash of its settings.
The spec's format is documented in docs/sweeps.md.";

/// The help heading of `nn sweep`'s Slurm flags.
const SLURM: &str = "Slurm (--runner slurm; these override the spec's [slurm] table)";

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, after_help = SWEEP_EXAMPLES)]
pub struct SweepArgs {
    #[command(subcommand)]
    pub action: Option<SweepAction>,
    #[command(flatten)]
    pub run: SweepRunArgs,
}

/// What `nn sweep SPEC --out DIR` takes.
#[derive(Args, Debug)]
pub struct SweepRunArgs {
    /// The sweep's spec: data, fixed nn train flags, the search space, seeds (see docs/sweeps.md).
    #[arg(value_name = "SPEC.toml")]
    pub spec: Option<PathBuf>,
    /// The sweep directory (made if missing; a rerun skips the jobs finished there).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where jobs run: here, or as a Slurm job array submitted with sbatch.
    #[arg(long, value_parser = PossibleValuesParser::new(["local", "slurm"]), default_value = "local")]
    pub runner: String,
    /// Jobs at once with --runner local (default: cores ÷ --threads-per-job).
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Threads of each job with --runner local (results are the same bits at any count).
    #[arg(long, default_value_t = 1, value_name = "T")]
    pub threads_per_job: usize,
    /// Run failed jobs again (by default they stay failed, with their error).
    #[arg(long)]
    pub retry_failed: bool,
    /// Each job writes TensorBoard event files into its own run folder of DIR, named by its settings as the
    /// sweep names the job ("DIR/hidden=4,4 lr=0.1 seed=1"), so that `tensorboard --logdir DIR` compares them
    /// (not with folds).
    #[arg(long, value_name = "DIR")]
    pub logdir: Option<PathBuf>,
    /// No progress bar and no leaderboard, only errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Slurm: write DIR/sweep.sbatch but do not submit it.
    #[arg(long, help_heading = SLURM)]
    pub dry_run: bool,
    /// Slurm: wait until every task has ended (polling squeue), then show the status; fails if a job failed.
    #[arg(long, help_heading = SLURM)]
    pub wait: bool,
    /// Slurm: #SBATCH --partition.
    #[arg(long, help_heading = SLURM)]
    pub partition: Option<String>,
    /// Slurm: #SBATCH --account.
    #[arg(long, help_heading = SLURM)]
    pub account: Option<String>,
    /// Slurm: #SBATCH --time, the limit per task (e.g. 00:10:00).
    #[arg(long, help_heading = SLURM)]
    pub time: Option<String>,
    /// Slurm: #SBATCH --cpus-per-task (default 1); each task trains with that many threads.
    #[arg(long, value_name = "N", help_heading = SLURM)]
    pub cpus_per_task: Option<usize>,
    /// Slurm: #SBATCH --mem per task (default 1G).
    #[arg(long, help_heading = SLURM)]
    pub mem: Option<String>,
    /// Slurm: at most P tasks at once (--array=…%P).
    #[arg(long, value_name = "P", help_heading = SLURM)]
    pub max_parallel: Option<usize>,
    /// Slurm: a further #SBATCH line (repeatable), e.g. --sbatch-line "--qos=low".
    #[arg(long = "sbatch-line", value_name = "LINE", allow_hyphen_values = true, help_heading = SLURM)]
    pub sbatch_lines: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum SweepAction {
    /// Run job INDEX of the sweep in DIR (what Slurm array task INDEX runs).
    RunOne {
        /// The sweep directory.
        dir: PathBuf,
        /// The job's index in DIR/sweep.json.
        #[arg(long)]
        index: usize,
        /// Threads (default: $SLURM_CPUS_PER_TASK, else 1).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Jobs by state (done, failed, started, pending), and each failed job's error.
    Status {
        /// The sweep directory.
        dir: PathBuf,
    },
    /// The leaderboard (mean ± std over seeds and folds) as Markdown, the best configuration as an nn train
    /// command; writes DIR/report/leaderboard.{md,csv,json} and one SVG per swept flag.
    Report {
        /// The sweep directory.
        dir: PathBuf,
        /// Rank by this score (default: the spec's metric, else val-acc, val-r2 or cv-acc).
        #[arg(long)]
        metric: Option<String>,
        /// Rows shown (the CSV and JSON hold all).
        #[arg(long, default_value_t = 20)]
        top: usize,
    },
}
