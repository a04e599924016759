//! [`Error`]: what the facade reports, one case per layer it calls, plus settings and inputs it refuses itself.

use std::fmt::Display;
use std::path::PathBuf;

/// What went wrong. Every message is one line that names the file, setting or value at fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting of the [`Spec`](crate::Spec) or of the [`Data`](crate::Data) that cannot be used with this
    /// data; `setting` is its serialised name (the command line's flag without `--`).
    #[error("{setting} {value}: {why}")]
    Setting {
        /// The setting.
        setting: &'static str,
        /// Its value, as given.
        value: String,
        /// What is wrong with it.
        why: String,
    },
    /// Data that does not fit the model or the request (a file's kind, a missing column, an array's shape).
    #[error("{what}")]
    Input {
        /// The problem, naming the file or array.
        what: String,
    },
    /// Reading a dataset.
    #[error(transparent)]
    Data(Box<nn_data::DataError>),
    /// Training, a model file, or the run's configuration.
    #[error(transparent)]
    Train(Box<nn_train::TrainError>),
    /// A network that does not fit its input.
    #[error(transparent)]
    Core(#[from] nn_core::CoreError),
    /// Writing a model in another format.
    #[error("exporting to {}: {source}", path.display())]
    Export {
        /// The file that was to be written.
        path: PathBuf,
        /// Why it was not.
        source: nn_export::ExportError,
    },
}

/// The facade's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<nn_data::DataError> for Error {
    fn from(e: nn_data::DataError) -> Error {
        Error::Data(Box::new(e))
    }
}

impl From<nn_train::TrainError> for Error {
    fn from(e: nn_train::TrainError) -> Error {
        Error::Train(Box::new(e))
    }
}

impl Error {
    /// A setting that cannot be used as given.
    pub fn setting(setting: &'static str, value: impl Display, why: impl Into<String>) -> Error {
        Error::Setting {
            setting,
            value: value.to_string(),
            why: why.into(),
        }
    }

    /// Input that does not fit.
    pub fn input(what: impl Into<String>) -> Error {
        Error::Input { what: what.into() }
    }
}
