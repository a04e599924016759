//! `cargo xtask`: the project's automation, one module per task (see `cargo xtask --help`). Errors end in
//! one line and exit code 1, like `nn`'s.

use clap::{Args, Parser, Subcommand};
use nn_train::Precision;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xtask::{bench, csv_bench, data, experiments, tidy, workspace_root};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Project automation for nn")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Checks the workspace's structural rules (e.g. only nn-linalg depends on faer).
    Tidy,
    /// Replays every experiment of the report beside its figures, with plots (the main job). Writes
    /// results.md, results.json and the plots to target/experiments unless --out says otherwise; --docs also
    /// rewrites docs/report.md and docs/figures/.
    Experiments(RunArgs),
    /// Tests the plausible causes of the gaps between the report's figures and ours, one setting at a time.
    /// Writes fidelity.md and fidelity.json to target/fidelity unless --out says otherwise; --docs also
    /// rewrites docs/fidelity.md.
    Fidelity(RunArgs),
    /// Times training epochs against their matrix products alone (medians; 1 thread and all threads).
    Bench {
        /// One JSON object per case and thread setting.
        #[arg(long)]
        json: bool,
        /// Only cases whose name contains this.
        #[arg(long)]
        case: Option<String>,
        /// Time each case in nn and in every peer found (numpy, PyTorch: bench/*_epoch.py), interleaved
        /// round by round, and print the ratios.
        #[arg(long)]
        compare: bool,
        /// Rounds of --compare.
        #[arg(long, default_value_t = 5, requires = "compare")]
        rounds: usize,
        /// The Python with numpy and/or torch for --compare (default: $NN_PYTHON, else python3).
        #[arg(long, requires = "compare")]
        python: Option<PathBuf>,
    },
    /// Times reading a large CSV (1,000,000 × 12, two text columns) against pandas on the same file,
    /// interleaved: to the table (against read_csv) and to the f64 feature matrix (against read_csv,
    /// get_dummies and to_numpy); reports peak memory against the file's size.
    BenchCsv {
        /// Rows of the generated table.
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        /// Rounds, each timing nn then pandas.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// The Python with pandas (default: $NN_PYTHON, else python3).
        #[arg(long)]
        python: Option<PathBuf>,
    },
    /// (Used by bench-csv: loads FILE in this process and prints its seconds to the table and to the
    /// dataset, and its peak memory.)
    #[command(hide = true)]
    BenchCsvLoad { file: PathBuf },
    /// Fills ./data with verified copies of the datasets (from ../shared/data, or downloaded).
    Data {
        /// Copy from this folder instead of ../shared/data.
        #[arg(long)]
        from: Option<PathBuf>,
        /// Download every file from `URL/NAME` instead of the manifest's URLs.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
}

/// The settings of a set of runs of the report's experiments.
#[derive(Args)]
struct RunArgs {
    /// Where the results go (default: target/experiments or target/fidelity).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seeds per run, 0..N-1 (default: 5 for experiments, 3 for fidelity).
    #[arg(long)]
    seeds: Option<u64>,
    /// Multiply every epoch count (e.g. 0.01 for a smoke run).
    #[arg(long, default_value_t = 1.0)]
    epochs_scale: f64,
    /// Floating-point precision of every run. f32 is faster, and the test f32_runs_track_f64_runs checks that
    /// it tracks f64; the report's numpy ran in f64.
    #[arg(long, default_value = "f32")]
    precision: Precision,
    /// Only the experiment with this id (repeatable; default: all). `sweep` runs the hyper-parameter study
    /// of experiments/sweep-*.toml instead (minutes; not part of the default replay).
    #[arg(long, value_name = "ID")]
    only: Vec<String>,
    /// Also rewrite this task's page under docs/ from this run.
    #[arg(long)]
    docs: bool,
    /// Print only the wall time (experiments) or where the results went (fidelity).
    #[arg(long)]
    quiet: bool,
}

impl RunArgs {
    /// The options of a task whose results go to `target/<name>` and that runs `seeds` seeds by default.
    fn options(self, root: &Path, name: &str, seeds: u64) -> experiments::Options {
        let out = self
            .out
            .unwrap_or_else(|| PathBuf::from("target").join(name));
        experiments::Options {
            out: if out.is_absolute() {
                out
            } else {
                root.join(out)
            },
            seeds: self.seeds.unwrap_or(seeds),
            epochs_scale: self.epochs_scale,
            precision: self.precision,
            only: self.only,
            docs: self.docs,
            quiet: self.quiet,
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse().task) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::from(1)
        }
    }
}

fn run(task: Task) -> anyhow::Result<()> {
    let root = workspace_root();
    match task {
        Task::Tidy => tidy::run(&root),
        Task::Experiments(args) => experiments::run(&root, &args.options(&root, "experiments", 5)),
        Task::Fidelity(args) => {
            experiments::fidelity::run(&root, &args.options(&root, "fidelity", 3))
        }
        Task::Bench {
            compare: true,
            case,
            rounds,
            python,
            ..
        } => bench::compare::run(&root, python, rounds, case),
        Task::Bench { json, case, .. } => bench::run(json, case),
        Task::BenchCsv {
            rows,
            rounds,
            python,
        } => csv_bench::run(&root, rows, rounds, python),
        Task::BenchCsvLoad { file } => csv_bench::load(&file),
        Task::Data { from, base_url } => data::run(&root, from, base_url),
    }
}
