//! Training for `nn`: a configuration validated once, optimisers, the training loop with its events, model
//! selection and early stopping, and crash-safe model files that resume exactly.
//!
//! - [`TrainConfig::validate`] → [`ValidConfig`]: errors name the field and the bad value.
//! - [`Trainer::run`]: full-batch GD (the report's update), mini-batch SGD with momentum, or Adam; learning-rate
//!   [`Schedule`]s; events to an observer (`&mut dyn FnMut(&TrainEvent<T>)`), whose `NewBest` carries
//!   the weights so a caller can save them.
//! - [`Selector`] and [`LrSchedule`]: pure deciders over [`EpochReport`]s.
//! - [`ModelFile`]: magic, version, bincode body, SHA-256; written atomically; loaded strictly. Its body has its
//!   own record types ([`RunRecord`], [`DataRecord`], [`Training`]) and a [`Status`].
//! - [`job::run_job`]: a whole job, keeping its model file current while it trains ([`job::Saving`]): a killed
//!   run resumes ([`job::Resume`]) to the same bits as an uninterrupted one.
//!
//! The L2 penalty λ is over the training part's `n` samples ([`nn_core::L2`]): the objective is
//! `mean loss + λ/(2n)·ΣW²` at any batch size, and each mini-batch step uses `(λ/n)·W`. Train, validation
//! and test costs use the same `n`; a full batch has `m = n`, the course's `λ/(2m)`.
//!
//! Results do not depend on the thread count (see `tests/determinism.rs`): nn-linalg splits a product's output
//! into blocks between threads, never the sum over the shared dimension, so every element is summed in the same
//! order whatever the number of threads. With several threads, [`Trainer::run`] runs its loop on a thread of
//! the compute pool, where those parallel products allocate nothing.
//!
//! ```
//! use nn_core::{Network, Output};
//! use nn_linalg::Matrix;
//! use nn_train::{Samples, Selection, TrainConfig, TrainData, Trainer};
//!
//! let x = Matrix::from_row_major(4, 2, &[0., 0., 0., 1., 1., 0., 1., 1.]);
//! let data = TrainData { train: Samples::classes(x, vec![0, 1, 1, 0]), validation: None, test: None, scaling: None };
//! let config = TrainConfig { epochs: 3000, lr: 2.0, selection: Selection::Last, ..TrainConfig::default() }
//!     .validate(4, false, false)?;
//! let net = Network::<f64>::xavier(2, &[4], 1, Output::Sigmoid, 1)?;
//! let mut trainer = Trainer::new(config, net);
//! trainer.run(&data, &mut |_event| {})?;
//! assert_eq!(trainer.progress().history.last().unwrap().train.correct, 4); // XOR learned
//! # Ok::<(), nn_train::TrainError>(())
//! ```

// A library never panics on input a user can pass in; tests may unwrap (clippy.toml allows it there).
#![warn(clippy::unwrap_used)]

mod augment;
pub mod bench;
mod config;
mod epoch;
mod error;
pub mod job;
pub mod keys;
pub mod lbfgs;
mod lock;
pub mod metrics;
mod model_file;
mod optimizer;
mod progress;
mod report;
mod select;
pub mod tensorboard;
mod trainer;

pub use augment::Shift;
pub use config::{ClassWeight, Optimizer, Schedule, TrainConfig, ValidConfig};
pub use epoch::{EpochReport, Metric, Part, PartMetrics};
pub use error::{Inconsistency, ModelFileProblem, Result, ResumeProblem, TrainError, WeightSet};
pub use lock::{LockError, OutputLock};
pub use model_file::{
    DataRecord, MAGIC, MAX_BODY, ModelFile, OLDEST_READABLE, Precision, ResumeState, RunRecord,
    Status, Training, VERSION, write_atomically,
};
pub use optimizer::OptimizerState;
pub use progress::Progress;
pub use report::{StopReason, TrainEvent};
pub use select::{Decision, LrSchedule, Selection, Selector};
pub use trainer::{Samples, TrainData, Trainer};
