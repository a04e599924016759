//! A whole training job, as the `nn` command and the experiment runner use it: split the dataset, fit the
//! standardiser on the training part, train in the chosen precision, and keep the model file on disk current
//! (see [`Saving`]), or continue a run saved in a model file ([`Resume`]).

mod cv;
mod model;
mod prepare;
mod run;
mod saving;
mod spec;

pub use cv::{FoldOutcome, cross_validate};
pub use model::{evaluate, predict, predict_proba, predict_values};
pub use prepare::{Prepared, cast_data, data_digest, prepare};
pub use run::{JobOutcome, run_job};
pub use saving::Saving;
pub use spec::{JobSpec, Resume};
