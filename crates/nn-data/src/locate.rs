//! Finding dataset files. Data files are never committed; they are looked up, in order, in a directory the
//! caller names first (the `nn` command and `cargo xtask` pass `$NN_DATA_DIR`), in `./data`, and in
//! `../shared/data`. This library reads no environment variable itself.

use crate::error::{DataError, Result};
use std::path::{Path, PathBuf};

/// The directories searched for a file name, in order: `first` if given, then `base/data` and
/// `base/../shared/data`.
pub fn search_dirs(base: &Path, first: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = first.map(Path::to_path_buf).into_iter().collect();
    dirs.push(base.join("data"));
    dirs.push(base.join("../shared/data"));
    dirs
}

/// The path of dataset file `name`: the first of [`search_dirs`] that holds it, or
/// [`DataError::NotFound`] listing every place looked at.
pub fn find_from(base: &Path, name: &str, first: Option<&Path>) -> Result<PathBuf> {
    let candidates: Vec<PathBuf> = search_dirs(base, first)
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
