//! Finding dataset files. Data files are never committed; they are looked up, in order, at an explicit
//! path, in `$NN_DATA_DIR`, in `./data`, and in `../shared/data`.

use crate::error::{DataError, Result};
use std::path::{Path, PathBuf};

/// The directories searched for a file name, in order, relative to `base` (normally the current directory).
pub fn search_dirs(base: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("NN_DATA_DIR").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(base.join("data"));
    dirs.push(base.join("../shared/data"));
    dirs
}

/// The path of dataset file `name`: `explicit` if given (it must exist), else the first of [`search_dirs`]
/// that holds it.
pub fn find_from(base: &Path, name: &str, explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(DataError::NotFound {
                name: name.into(),
                searched: vec![p.to_path_buf()],
            })
        };
    }
    let candidates: Vec<PathBuf> = search_dirs(base)
        .into_iter()
        .map(|d| d.join(name))
        .collect();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or(DataError::NotFound {
            name: name.into(),
            searched: candidates,
        })
}

/// [`find_from`] relative to the current directory.
pub fn find(name: &str, explicit: Option<&Path>) -> Result<PathBuf> {
    find_from(Path::new("."), name, explicit)
}

/// Whether a missing dataset must fail rather than skip: under CI (`CI=true`) or with `NN_REQUIRE_DATA=1`.
pub fn data_required() -> bool {
    let set = |k: &str| {
        std::env::var(k)
            .is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
    };
    set("CI") || set("NN_REQUIRE_DATA")
}
