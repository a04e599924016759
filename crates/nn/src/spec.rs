//! [`Spec`]: every setting of a run, each with its default, in one place; resolved against the data into the
//! job that `nn-train` runs.

use crate::error::{Error, Result};
use nn_core::{Activation, Init, Output};
use nn_data::SplitSpec;
use nn_linalg::Threads;
use nn_train::job::JobSpec;
use nn_train::{Metric, Optimizer, Precision, Schedule, Selection, Shift, TrainConfig};
use serde::{Deserialize, Serialize};

/// How a network is trained: its shape, the optimiser, the split, selection and stopping, precision.
///
/// Every field has a default ([`Spec::default`]); the settings whose default depends on another setting or on
/// the data are `Option`s, resolved in one place, [`Spec::job`]:
/// - `lr`: the optimiser's customary rate ([`Optimizer::default_lr`]);
/// - `output`: identity for a regression target, sigmoid for two classes, softmax for more;
/// - `select`: the validation loss when there is a validation part, else the last epoch.
///
/// The builder methods set one field each and return the spec, so a run reads as one expression:
///
/// ```
/// use nn::{Optimizer, Spec};
/// let spec = Spec::default().hidden([16]).optimizer(Optimizer::ADAM).epochs(300);
/// assert_eq!(spec.lr, None); // Adam's 0.001 when the job is resolved
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Spec {
    /// Hidden layer widths; empty for logistic or softmax regression. Default `[4]`.
    pub hidden: Vec<usize>,
    /// The hidden layers' activation. Default sigmoid (the report's).
    pub activation: Activation,
    /// The output layer; `None` chooses by the data (see above).
    pub output: Option<Output>,
    /// The weight initialisation; `None` is the activation's customary one (He for the ReLU family, Xavier
    /// for the rest).
    pub init: Option<Init>,
    /// The optimiser and its hyper-parameters. Default gradient descent (the report's).
    pub optimizer: Optimizer,
    /// The initial learning rate; `None` is the optimiser's customary one.
    pub lr: Option<f64>,
    /// How the rate changes over epochs. Default constant.
    pub schedule: Schedule,
    /// L2 penalty λ on the non-bias weights: the objective is mean loss + λ/(2n)·ΣW², n the training samples.
    pub lambda: f64,
    /// Epochs in total (when resuming, counting those already done). Default 1000. May change on resume.
    pub epochs: usize,
    /// Samples per step; `None` is the whole training part (the report's full batch).
    pub batch_size: Option<usize>,
    /// Inverted dropout on the hidden layers while training, in [0, 1); 0 is off.
    pub dropout: f64,
    /// Random shifts of the training images; `None` is off.
    pub shift: Option<ImageShift>,
    /// The training and validation shares of the rows; the rest is the test part. Default 0.7 and 0.15.
    pub split: Fractions,
    /// Keep each class's share in every part (and in every fold).
    pub stratify: bool,
    /// Seed of the split, the weights, the batch order, dropout and shifts. Default 0.
    pub seed: u64,
    /// Which epoch's weights are kept; `None` chooses by the split (see above).
    pub select: Option<Selection>,
    /// Stop after this many epochs without improvement of the selection metric.
    pub patience: Option<usize>,
    /// The smallest change of the selection metric that counts as an improvement.
    pub min_delta: f64,
    /// Standardise the features with the training part's mean and standard deviation. Default true.
    pub standardize: bool,
    /// Threads for the matrix products (0: every core). The result is the same bits at any count. May change
    /// on resume.
    pub threads: usize,
    /// The floating-point precision of training and prediction. Default f64.
    pub precision: Precision,
}

/// The training and validation shares of a split.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fractions {
    /// The training share, in (0, 1].
    pub train: f64,
    /// The validation share; train + validation ≤ 1.
    pub validation: f64,
}

/// Random image shifts: each training image moves by up to `max` pixels along each axis.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageShift {
    /// The largest offset, in pixels (≥ 1).
    pub max: usize,
    /// The image's height and width, pixels stored row by row; `None` is a square of the feature count.
    pub image: Option<(usize, usize)>,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            hidden: vec![4],
            activation: Activation::Sigmoid,
            output: None,
            init: None,
            optimizer: Optimizer::Gd,
            lr: None,
            schedule: Schedule::Constant,
            lambda: 0.0,
            epochs: 1000,
            batch_size: None,
            dropout: 0.0,
            shift: None,
            split: Fractions {
                train: 0.7,
                validation: 0.15,
            },
            stratify: false,
            seed: 0,
            select: None,
            patience: None,
            min_delta: 0.0,
            standardize: true,
            threads: 0,
            precision: Precision::F64,
        }
    }
}

/// One builder method per field: `spec.name(value)` sets it and returns the spec.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty => |$v:ident| $value:expr;)*) => {
        impl Spec {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $name(mut self, $v: $ty) -> Self {
                    self.$name = $value;
                    self
                }
            )*
        }
    };
}

setters! {
    /// Sets [`Spec::hidden`].
    hidden: impl IntoIterator<Item = usize> => |v| v.into_iter().collect();
    /// Sets [`Spec::activation`].
    activation: Activation => |v| v;
    /// Sets [`Spec::output`].
    output: Output => |v| Some(v);
    /// Sets [`Spec::init`].
    init: Init => |v| Some(v);
    /// Sets [`Spec::optimizer`].
    optimizer: Optimizer => |v| v;
    /// Sets [`Spec::lr`].
    lr: f64 => |v| Some(v);
    /// Sets [`Spec::schedule`].
    schedule: Schedule => |v| v;
    /// Sets [`Spec::lambda`].
    lambda: f64 => |v| v;
    /// Sets [`Spec::epochs`].
    epochs: usize => |v| v;
    /// Sets [`Spec::batch_size`].
    batch_size: usize => |v| Some(v);
    /// Sets [`Spec::dropout`].
    dropout: f64 => |v| v;
    /// Sets [`Spec::shift`].
    shift: ImageShift => |v| Some(v);
    /// Sets [`Spec::stratify`].
    stratify: bool => |v| v;
    /// Sets [`Spec::seed`].
    seed: u64 => |v| v;
    /// Sets [`Spec::select`].
    select: Selection => |v| Some(v);
    /// Sets [`Spec::patience`].
    patience: usize => |v| Some(v);
    /// Sets [`Spec::min_delta`].
    min_delta: f64 => |v| v;
    /// Sets [`Spec::standardize`].
    standardize: bool => |v| v;
    /// Sets [`Spec::threads`].
    threads: usize => |v| v;
    /// Sets [`Spec::precision`].
    precision: Precision => |v| v;
}

/// What [`Spec::job`] needs to know of the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataShape {
    /// Features per sample (after one-hot encoding).
    pub features: usize,
    /// Classes (1 for a regression target).
    pub classes: usize,
    /// The target is a number to predict.
    pub regression: bool,
}

impl Spec {
    /// Sets the training and validation shares of the split.
    #[must_use]
    pub fn split(mut self, train: f64, validation: f64) -> Self {
        self.split = Fractions { train, validation };
        self
    }

    /// The split of the rows into parts, drawn with the run's seed.
    pub fn split_spec(&self) -> SplitSpec {
        SplitSpec {
            train: self.split.train,
            validation: self.split.validation,
            stratified: self.stratify,
            seed: self.seed,
        }
    }

    /// The learning rate the run starts with: the one given, else the optimiser's customary one.
    pub fn resolved_lr(&self) -> f64 {
        self.lr.unwrap_or(self.optimizer.default_lr())
    }

    /// The selection rule: the one given, else the validation loss with a validation part, else the last epoch.
    pub fn resolved_selection(&self) -> Selection {
        match self.select {
            Some(s) => s,
            None if self.split.validation > 0.0 => Selection::VAL_LOSS,
            None => Selection::Last,
        }
    }

    /// The job this spec asks for on data of the given shape: every default resolved, and the settings that
    /// depend on the data checked against it. (The rest are checked when the job starts, by
    /// [`TrainConfig::validate`].)
    pub fn job(&self, data: DataShape) -> Result<JobSpec> {
        let selection = self.resolved_selection();
        check_selection(selection, data.regression)?;
        let output = self.resolved_output(data)?;
        Ok(JobSpec {
            hidden: self.hidden.clone(),
            output,
            activation: self.activation,
            config: TrainConfig {
                epochs: self.epochs,
                lr: self.resolved_lr(),
                schedule: self.schedule.clone(),
                optimizer: self.optimizer,
                batch_size: self.batch_size,
                lambda: self.lambda,
                seed: self.seed,
                selection,
                patience: self.patience,
                min_delta: self.min_delta,
                threads: Threads::from_count(self.threads),
                dropout: self.dropout,
                shift: self.shift.map(|s| s.resolve(data.features)).transpose()?,
            },
            split: self.split_spec(),
            standardize: self.standardize,
            precision: self.precision,
            init: self.init,
        })
    }

    /// The spec a job runs, as a model file records it (the inverse of [`Spec::job`] for the settings that
    /// the record keeps).
    pub fn from_job(job: &JobSpec) -> Spec {
        let c = &job.config;
        Spec {
            hidden: job.hidden.clone(),
            activation: job.activation,
            output: Some(job.output),
            init: job.init,
            optimizer: c.optimizer,
            lr: Some(c.lr),
            schedule: c.schedule.clone(),
            lambda: c.lambda,
            epochs: c.epochs,
            batch_size: c.batch_size,
            dropout: c.dropout,
            shift: c.shift.map(|s| ImageShift {
                max: s.max,
                image: Some((s.height, s.width)),
            }),
            split: Fractions {
                train: job.split.train,
                validation: job.split.validation,
            },
            stratify: job.split.stratified,
            seed: c.seed,
            select: Some(c.selection),
            patience: c.patience,
            min_delta: c.min_delta,
            standardize: job.standardize,
            threads: match c.threads {
                Threads::All => 0,
                other => other.count(),
            },
            precision: job.precision,
        }
    }

    fn resolved_output(&self, data: DataShape) -> Result<Output> {
        match self.output {
            Some(o) if o.is_regression() != data.regression => Err(Error::setting(
                "output",
                o,
                if data.regression {
                    "the target is numeric and read as regression, which needs the identity output (or the classification task)"
                } else {
                    "the target is read as classes; the identity output is for regression (the regression task)"
                },
            )),
            Some(o) => Ok(o),
            None if data.regression => Ok(Output::Identity),
            None if data.classes == 2 => Ok(Output::Sigmoid),
            None => Ok(Output::Softmax),
        }
    }
}

/// A selection rule's metric exists for the task.
fn check_selection(selection: Selection, regression: bool) -> Result<()> {
    let Selection::Best { metric, .. } = selection else {
        return Ok(());
    };
    let why = match (metric, regression) {
        (Metric::Accuracy, true) => "a regression model has no accuracy (use a -loss or -r2 rule)",
        (Metric::F1, true) => "a regression model has no F1 (use a -loss or -r2 rule)",
        (Metric::R2, false) => "R² is for regression; a classifier uses a -loss, -acc or -f1 rule",
        _ => return Ok(()),
    };
    Err(Error::setting("select", selection, why))
}

impl ImageShift {
    /// The shift on images of `features` pixels: the given size, or a square.
    fn resolve(self, features: usize) -> Result<Shift> {
        let shift = match self.image {
            Some((height, width)) => Shift {
                max: self.max,
                height,
                width,
            },
            None => Shift::square(self.max, features).ok_or_else(|| {
                Error::setting(
                    "shift",
                    self.max,
                    format!(
                        "the {features} features are not a square image; give its size with --image HEIGHTxWIDTH"
                    ),
                )
            })?,
        };
        shift
            .check(features)
            .map_err(|e| Error::setting("shift", self.max, e.to_string()))?;
        Ok(shift)
    }
}
