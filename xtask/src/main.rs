//! `cargo xtask`: the project's automation, one module per task (see `cargo xtask --help`).

mod data;
mod tidy;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

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

fn main() -> anyhow::Result<()> {
    match Cli::parse().task {
        Task::Tidy => tidy::run(&workspace_root()),
        Task::Data { from, base_url } => data::run(&workspace_root(), from, base_url),
    }
}

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}
