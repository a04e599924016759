//! The fuzzers' kept inputs (`fuzz/seeds/KIND`: the crashes they found, and inputs that reach new code), for
//! the tests that replay them through the checks beside this file. Included by path from the test crates of
//! nn-data, nn-train and nn-sweep, which all sit two folders below the workspace root.

use std::path::{Path, PathBuf};

/// Every file of `fuzz/seeds/KIND` with its bytes, by path; panics if there are fewer than `at_least`.
pub fn seeds(kind: &str, at_least: usize) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(kind);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= at_least,
        "{} seeds in {}",
        out.len(),
        dir.display()
    );
    out
}
