//! Errors of configuration, training and checkpoint files.

use std::path::PathBuf;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// A configuration value out of range; names the field and the value.
    #[error("invalid config: {field} = {value}: {expected}")]
    Config {
        /// The field.
        field: &'static str,
        /// Its value.
        value: String,
        /// What it must be.
        expected: String,
    },
    /// The loss or a weight became NaN or infinite.
    #[error("training diverged at epoch {epoch}: {what} (try a smaller learning rate)")]
    Diverged {
        /// 1-based epoch.
        epoch: usize,
        /// What became non-finite, naming the layer.
        what: String,
    },
    /// Data and network do not fit.
    #[error(transparent)]
    Core(#[from] nn_core::CoreError),
    /// Reading or writing a checkpoint (the reason is the error's source).
    #[error("{}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// A checkpoint file that cannot be used.
    #[error("{}: {problem}", path.display())]
    Checkpoint {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: CheckpointProblem,
    },
}

/// Why a checkpoint file was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CheckpointProblem {
    /// Not an nn checkpoint.
    #[error("not an nn checkpoint (magic bytes {0:02x?})")]
    Magic(Vec<u8>),
    /// Written by a newer nn.
    #[error(
        "format version {found} is newer than this nn reads ({supported}). HINT: upgrade nn to read it"
    )]
    NewerVersion {
        /// In the file.
        found: u32,
        /// What we read.
        supported: u32,
    },
    /// Shorter than its header says.
    #[error("truncated: {0}")]
    Truncated(String),
    /// Bytes after the checksum.
    #[error("{0} trailing bytes after the checksum")]
    Trailing(usize),
    /// The body does not match its checksum.
    #[error("checksum mismatch: the file is corrupted")]
    Checksum,
    /// The body does not decode.
    #[error("body does not decode: {0}")]
    Decode(String),
    /// Decoded but inconsistent (shapes, non-finite weights, standardiser width, classes).
    #[error("inconsistent contents: {0}")]
    Invalid(String),
}

/// `Result` with [`TrainError`].
pub type Result<T, E = TrainError> = std::result::Result<T, E>;
