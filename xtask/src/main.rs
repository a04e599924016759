//! `cargo xtask`: the project's automation, one module per task (see `cargo xtask --help`). Errors end in
//! one line and exit code 1, like `nn`'s.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use xtask::{bench, data, experiments, tidy, workspace_root};

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
    /// Tests the plausible causes of the gaps between the report's figures and ours, one setting at a time.
    Fidelity {
        /// Where fidelity.md and fidelity.json go.
        #[arg(long, default_value = "target/fidelity")]
        out: PathBuf,
        /// Seeds per setting (0..N-1).
        #[arg(long, default_value_t = 3)]
        seeds: u64,
        /// Multiply every epoch count (e.g. 0.01 for a smoke run).
        #[arg(long, default_value_t = 1.0)]
        epochs_scale: f64,
        /// Only the experiment with this id (repeatable; default: all).
        #[arg(long, value_name = "ID")]
        only: Vec<String>,
        /// Floating-point precision of every run (see `experiments --help`).
        #[arg(long, default_value = "f32", value_parser = ["f32", "f64"])]
        precision: String,
        /// Also write docs/fidelity.md from this run.
        #[arg(long)]
        docs: bool,
        /// Print only where the results went.
        #[arg(long)]
        quiet: bool,
    },
    /// Times training epochs against their matrix products alone (medians; 1 thread and all threads).
    Bench {
        /// One JSON object per case and thread setting.
        #[arg(long)]
        json: bool,
        /// Only cases whose name contains this.
        #[arg(long)]
        case: Option<String>,
    },
    /// Replays every experiment of the report beside its figures, with plots (the main job).
    Experiments {
        /// Where results.md, results.json and the plots go.
        #[arg(long, default_value = "target/experiments")]
        out: PathBuf,
        /// Seeds per run (0..N-1).
        #[arg(long, default_value_t = 5)]
        seeds: u64,
        /// Multiply every epoch count (e.g. 0.01 for a smoke run).
        #[arg(long, default_value_t = 1.0)]
        epochs_scale: f64,
        /// Floating-point precision of every run. f32 is faster, and the test f32_runs_track_f64_runs checks
        /// that it tracks f64; the report's numpy ran in f64.
        #[arg(long, default_value = "f32", value_parser = ["f32", "f64"])]
        precision: String,
        /// Only the experiment with this id (repeatable; default: all).
        #[arg(long, value_name = "ID")]
        only: Vec<String>,
        /// Also rewrite docs/report.md and docs/figures/ from this run.
        #[arg(long)]
        docs: bool,
        /// Print only the wall time.
        #[arg(long)]
        quiet: bool,
    },
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
    match task {
        Task::Tidy => tidy::run(&workspace_root()),
        Task::Experiments {
            out,
            seeds,
            epochs_scale,
            precision,
            only,
            docs,
            quiet,
        } => {
            let root = workspace_root();
            let out = if out.is_absolute() {
                out
            } else {
                root.join(out)
            };
            experiments::run(
                &root,
                &experiments::Options {
                    out,
                    seeds,
                    epochs_scale,
                    precision: parse_precision(&precision),
                    only,
                    docs,
                    quiet,
                },
            )
        }
        Task::Fidelity {
            out,
            seeds,
            epochs_scale,
            precision,
            only,
            docs,
            quiet,
        } => {
            let root = workspace_root();
            let out = if out.is_absolute() {
                out
            } else {
                root.join(out)
            };
            experiments::fidelity::run(
                &root,
                &experiments::fidelity::Options {
                    out,
                    seeds,
                    epochs_scale,
                    precision: parse_precision(&precision),
                    only,
                    docs,
                    quiet,
                },
            )
        }
        Task::Bench { json, case } => bench::run(json, case),
        Task::Data { from, base_url } => data::run(&workspace_root(), from, base_url),
    }
}

/// The precision named by a `--precision` that clap has already restricted to f32 or f64.
fn parse_precision(name: &str) -> nn_train::Precision {
    if name == "f64" {
        nn_train::Precision::F64
    } else {
        nn_train::Precision::F32
    }
}
