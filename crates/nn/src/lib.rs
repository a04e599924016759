//! The library API of nn: one run specification ([`Spec`]) and one facade over the crates below it.
//!
//! - [`Data`] is what a run reads: a file (delimited text, .mat, IDX) with the options that say how, or rows
//!   in memory.
//! - [`Model::fit`] splits the rows once, fits the input pipeline and the standardiser on the training part,
//!   trains, and keeps the selected epoch. [`Model::predict`], [`Model::predict_proba`] and
//!   [`Model::evaluate`] read new data as the model was trained to read it; [`Model::save`],
//!   [`Model::load`] and [`Model::export`] go to and from files.
//! - [`cross_validate`] scores a spec over K folds, for classifiers and regressions.
//!
//! The `nn` command, its sweeps, `cargo xtask` and the Python package are clients of this crate.
//!
//! The penguins job: species from a census CSV, its `year` left out and missing cells filled from the
//! training part, a 16-unit network trained by Adam, its accuracy on the held-out test part, the model saved,
//! and predictions for a new file whose columns come in another order.
//!
//! ```
//! # std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))?;
//! # let dir = std::env::temp_dir().join(format!("nn-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! use nn::{Data, MissingPolicy, Model, OptimizerKind, Part, Spec};
//!
//! let penguins = Data::file("data/penguins.csv").target("species").drop(["year"]).missing(MissingPolicy::Mean);
//! let spec = Spec::default().hidden([16]).optimizer(OptimizerKind::Adam).batch_size(16).epochs(60);
//! let model = Model::fit(&spec, &penguins)?;
//! assert!(model.metrics(Part::Test).unwrap().accuracy > 0.95);
//! model.save(dir.join("penguins.nnm"))?;
//!
//! std::fs::write(dir.join("new-birds.csv"), "island,sex,body_mass_g,flipper_length_mm,bill_depth_mm,bill_length_mm\n\
//!                                            Biscoe,female,4500,210,14.8,45.1\nDream,male,3900,190,18.3,37.0\n")?;
//! let predicted = Model::load(dir.join("penguins.nnm"))?.predict(&Data::file(dir.join("new-birds.csv")))?;
//! assert_eq!(predicted.labels(), ["Gentoo", "Adelie"]);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// A library never panics on input a user can pass in; tests may unwrap (clippy.toml allows it there).
#![warn(clippy::unwrap_used)]

mod cv;
mod data;
mod error;
mod model;
mod scores;
mod settings;
mod spec;

pub use cv::{CrossValidation, FoldScores, cross_validate};
pub use data::settings::{DataSettings, Header};
pub use data::{Data, Features, Loaded};
pub use error::{Error, Result};
pub use model::{Model, Predicted, Predictions, shape, train, training_data};
pub use scores::{ClassScores, Scores};
pub use settings::{NamedError, NamedProblem, Settings};
pub use spec::{
    BatchSize, DataShape, Difference, Fractions, ImageSize, LrStep, OptimizerKind, Plateau, Shown,
    Simd, Spec, Widths,
};

pub use nn_core::{Activation, Init, Network, Output};
pub use nn_data::{Dataset, Delimiter, LabelScheme, MissingPolicy, Task, UnknownCategory};
pub use nn_export::{Dtype, Format, Options as ExportOptions};
pub use nn_linalg::Matrix;
pub use nn_linalg::simd::Level as SimdLevel;
pub use nn_train::job::{JobOutcome, JobSpec};
pub use nn_train::metrics::MeanStd;
pub use nn_train::tensorboard::TensorBoard;
pub use nn_train::{
    ClassWeight, EpochReport, Metric, Optimizer, Part, PartMetrics, Precision, Schedule, Selection,
    StopReason, TrainEvent,
};

#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
