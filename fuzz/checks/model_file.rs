//! What the `model_file` fuzz target checks, shared with the replay of its seeds in nn-train's tests: any bytes
//! given to the model file loader give a model file or an error: never a panic, and never a large allocation
//! from a forged length (libFuzzer's -rss_limit_mb catches those).
//!
//! Most random bytes fail the magic or checksum, so the check also re-wraps its input as a correctly framed,
//! correctly checksummed body: the bincode decoder and the consistency checks then see arbitrary bodies.

use nn_train::ModelFile;
use std::path::Path;

/// Loads `data` as if it were the file `path`, and framed as a body; panics only where an invariant fails.
pub fn check(data: &[u8], path: &Path) {
    let _ = ModelFile::from_bytes(data, path);
    if let Ok(c) = ModelFile::from_bytes(&ModelFile::frame(data), path) {
        // A body that decodes and checks must be writable, and read back to the same bytes (compared as
        // bytes: metrics may hold a NaN, which no struct comparison calls equal).
        let bytes = c
            .to_bytes()
            .expect("the writer accepts what the loader accepted");
        let again = ModelFile::from_bytes(&bytes, path).expect("a written file loads");
        assert_eq!(again.to_bytes().ok(), Some(bytes), "{}", path.display());
    }
}
