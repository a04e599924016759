//! Errors of sweeps: each names the file (and for a spec the line) and what was expected.

use std::path::PathBuf;

/// What went wrong in reading a spec or a sweep directory.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The spec file is not valid: `line` is 1-based (0 when the problem is the file as a whole).
    #[error("{}{}: {message}", path.display(), if *line > 0 { format!(":{line}") } else { String::new() })]
    Spec {
        /// The spec file.
        path: PathBuf,
        /// The line of the offending key or value.
        line: usize,
        /// What is wrong, and what was expected.
        message: String,
    },
    /// A file of the sweep could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A JSON file of the sweep does not parse.
    #[error("{}: not a file this version of nn wrote ({source})", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// The sweep directory holds no plan, or a plan of another sweep.
    #[error("{}: {message}", path.display())]
    Sweep {
        /// The sweep directory.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl SweepError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SweepError {
        let path = path.into();
        move |source| SweepError::Io { path, source }
    }
}

/// The result of sweep operations.
pub type Result<T> = std::result::Result<T, SweepError>;
