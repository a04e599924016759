//! What the `mat` fuzz target checks, shared with the replay of its seeds in nn-data's tests: any bytes given
//! to the .mat reader give variables or an error: never a panic, and never an allocation beyond what the
//! input's own bytes justify (libFuzzer's -rss_limit_mb catches those).

use nn_data::{LabelScheme, MatFile, dataset_from_mat};
use std::path::Path;

/// Reads `data` as if it were the file `path`, every variable of it; panics only where an invariant fails.
pub fn check(data: &[u8], path: &Path) {
    if let Ok(file) = MatFile::from_bytes(data.to_vec(), path) {
        for name in file.names() {
            let _ = file.matrix(&name);
            let _ = file.vector(&name, 3);
        }
        let _ = dataset_from_mat(&file, "X", "y", LabelScheme::Auto);
    }
}
