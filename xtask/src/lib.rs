//! `cargo xtask`: the project's automation, one module per task (see `cargo xtask --help`). The binary
//! (`main.rs`) parses the command line; the tasks live here, so that the tests under `tests/` can drive them.
#![allow(
    missing_docs,
    reason = "the project's own automation, not an API: each task documents itself in --help"
)]

pub mod bench;
pub mod csv_bench;
pub mod data;
pub mod experiments;
pub mod tidy;

use std::path::PathBuf;

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}
