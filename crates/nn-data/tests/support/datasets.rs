//! Tests that need the real datasets, for test binaries run by `libtest-mimic` (`harness = false`), so that a
//! missing dataset is reported rather than passed in silence:
//!
//! - files found: the test runs;
//! - files missing under CI (`CI=true` or `NN_REQUIRE_DATA=1`): the test fails, naming what was searched;
//! - files missing elsewhere: the test is listed as *ignored* in the harness's count, with the reason printed
//!   first; run with `--include-ignored` and it fails with that reason.
//!
//! Shared by the dataset tests of nn-data, nn-cli and xtask (`#[path]`-included), so that the rule lives in
//! one place. Files are looked up as the `nn` command looks them up: `$NN_DATA_DIR`, `./data`, then
//! `../shared/data`, relative to the workspace root.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};

/// The workspace root: the nearest ancestor of this crate's directory that holds `Cargo.lock`.
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .unwrap_or(here)
        .to_path_buf()
}

/// `$NN_DATA_DIR`, searched first, as the `nn` command does.
pub fn data_dir() -> Option<PathBuf> {
    std::env::var_os("NN_DATA_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// Whether a missing dataset must fail rather than be ignored: under CI (`CI=true`) or with
/// `NN_REQUIRE_DATA=1`.
pub fn data_required() -> bool {
    let set = |k: &str| {
        std::env::var(k)
            .is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
    };
    set("CI") || set("NN_REQUIRE_DATA")
}

/// A test of `name` that needs every file of `files`; `body` gets their paths and fails by panicking, as an
/// ordinary test does.
pub fn trial(name: &str, files: &[&str], body: impl FnOnce(&[PathBuf]) + Send + 'static) -> Trial {
    let root = workspace_root();
    let found: Result<Vec<PathBuf>, _> = files
        .iter()
        .map(|f| nn_data::find_from(&root, f, data_dir().as_deref()))
        .collect();
    match found {
        Ok(paths) => Trial::test(name, move || {
            body(&paths);
            Ok(())
        }),
        Err(e) => {
            let reason = format!("dataset required but not found: {e}");
            let required = data_required();
            if !required {
                eprintln!(
                    "note: test {name} is ignored: {e} (run `cargo xtask data`, or set NN_DATA_DIR)"
                );
            }
            Trial::test(name, move || Err(Failed::from(reason))).with_ignored_flag(!required)
        }
    }
}

/// Runs `trials` with the command line's arguments and exits with the harness's code.
pub fn run(trials: Vec<Trial>) -> ! {
    libtest_mimic::run(&Arguments::from_args(), trials).exit()
}
