//! [`Spec`]: every setting of a run, once. Each setting's definition below holds its type, its default, its
//! doc (which is also its `nn train --help` text), whether it may change when a run is resumed, and, behind
//! the `cli` feature, its command-line flag; its serialised name is its flag's. [`Spec::job`] resolves the
//! settings against the data into the job that `nn-train` runs.

mod resolve;
mod simd;
pub(crate) mod text;
pub(crate) mod values;

use nn_core::{Activation, Init, Output};
#[cfg(feature = "cli")]
use nn_train::Optimizer;
use nn_train::{ClassWeight, Precision, Selection};
use serde::{Deserialize, Serialize};
pub use simd::Simd;
pub use values::{
    BatchSize, DataShape, Fractions, ImageSize, LrStep, OptimizerKind, Plateau, Shown, Widths,
};

/// Defines [`Spec`] from one list: per setting its doc, its flag attributes, its name and type, its default,
/// whether a resumed run may change it (`may_change`) or must keep it (`kept`), and `in config` for a setting
/// that the job's [`TrainConfig`](nn_train::TrainConfig) holds as it is, under the same name (copied both
/// ways by `plain_into` and `plain_from`, so [`Spec::job`] and [`Spec::from_job`] do not list it).
macro_rules! spec {
    ($(
        $(#[$attr:meta])*
        $name:ident: $ty:ty = $default:expr, $resume:ident $(in $config:ident)? $(, set $set:ty => $wrap:path)?;
    )*) => {
        /// How a network is trained: its shape, the optimiser, the split, selection and stopping, precision.
        ///
        /// Every field has a default ([`Spec::default`]). The settings whose default depends on another
        /// setting or on the data are `Option`s, resolved in one place, [`Spec::job`]:
        /// - `lr`: the optimiser's customary rate ([`nn_train::Optimizer::default_lr`]);
        /// - `output`: identity for a regression target, sigmoid for two classes, softmax for more;
        /// - `split`: 0.8 for a classification, 0.7,0.1 for a regression;
        /// - `select`, `patience`, `min_delta`: early stopping on the validation loss when there is a
        ///   validation part; for a classification at the default split, scikit-learn's rule (the training
        ///   loss, 11 epochs, 0.0001); else the last epoch.
        ///
        /// Each builder method sets one field and returns the spec, so a run reads as one expression:
        ///
        /// ```
        /// use nn::{OptimizerKind, Spec};
        /// let spec = Spec::default().hidden([16]).optimizer(OptimizerKind::Adam).epochs(300);
        /// assert_eq!(spec.lr, None); // Adam's 0.001 when the job is resolved
        /// ```
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
        #[cfg_attr(feature = "cli", derive(clap::Args))]
        #[cfg_attr(feature = "cli", command(next_help_heading = "Training (the run's settings)"))]
        pub struct Spec {
            $( $(#[$attr])* pub $name: $ty, )*
        }

        impl Default for Spec {
            fn default() -> Self {
                Spec { $( $name: $default, )* }
            }
        }

        impl Spec {
            /// Every setting's name (its field's, which is also the command line's argument id), and whether
            /// a resumed run may change it.
            pub const SETTINGS: &[(&str, bool)] = &[ $( (stringify!($name), may_change!($resume)), )* ];

            /// Writes the settings marked `in config` into a job's `config`, as they are.
            fn plain_into(&self, config: &mut nn_train::TrainConfig) {
                $( $( in_config!($config => config.$name = self.$name.clone()); )? )*
            }

            /// Reads the settings marked `in config` back from a job's `config`.
            fn plain_from(&mut self, config: &nn_train::TrainConfig) {
                $( $( in_config!($config => self.$name = config.$name.clone()); )? )*
            }

            $(
                #[doc = concat!("Sets [`Spec::", stringify!($name), "`].")]
                #[must_use]
                pub fn $name(mut self, value: setter!($ty $(, $set)?)) -> Self {
                    self.$name = wrap!(value $(, $wrap)?);
                    self
                }
            )*

            /// The settings whose values differ between `self` (a saved run's) and `given`, as
            /// `(name, saved, given, may change on resume)`.
            pub fn differences(&self, given: &Spec) -> Vec<Difference> {
                let mut out = Vec::new();
                $(
                    let (saved, asked) = (self.$name.shown(), given.$name.shown());
                    if saved != asked {
                        out.push(Difference {
                            setting: stringify!($name),
                            saved,
                            given: asked,
                            may_change: may_change!($resume),
                        });
                    }
                )*
                out
            }
        }
    };
}

/// A setter's argument: the setting's type, or what converts to it (`T` of an `Option<T>`, `[16]` for widths).
macro_rules! setter {
    ($ty:ty) => {
        $ty
    };
    ($ty:ty, $set:ty) => {
        $set
    };
}

/// A setter's argument made the setting's value.
macro_rules! wrap {
    ($v:ident) => {
        $v
    };
    ($v:ident, $wrap:path) => {
        $wrap($v)
    };
}

/// The statement of a setting marked `in config` (the marker says nothing more).
macro_rules! in_config {
    (config => $($statement:tt)*) => {
        $($statement)*
    };
}

macro_rules! may_change {
    (may_change) => {
        true
    };
    (kept) => {
        false
    };
}

spec! {
    /// Hidden layer widths, comma-separated; "none" for logistic or softmax regression. The default, one layer
    /// of 100 ReLU units trained by Adam on mini-batches with early stopping, is scikit-learn's MLP's
    /// (docs/performance.md compares the two).
    #[cfg_attr(feature = "cli", arg(long, value_name = "W,W,...", default_value_t = Spec::default().hidden))]
    hidden: Widths = Widths(vec![100]), kept, set impl Into<Widths> => Into::into;
    /// Hidden activation. Every activation starts from Xavier-uniform weights and biases unless --init says
    /// otherwise.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Spec::default().activation, value_parser = text::choices::<Activation>(&Activation::ALL.map(Activation::name))))]
    #[serde(with = "text")]
    activation: Activation = Activation::Relu, kept;
    /// Slope of leaky-relu for negative inputs, in (0, 1).
    #[cfg_attr(feature = "cli", arg(long, value_name = "S", default_value_t = Spec::default().leaky_slope))]
    leaky_slope: f64 = Activation::LEAKY_SLOPE, kept;
    /// Output layer (default: identity for a numeric target, sigmoid for two classes, softmax otherwise).
    #[cfg_attr(feature = "cli", arg(long, value_parser = text::choices::<Output>(&Output::ALL.map(Output::name))))]
    output: Option<Output> = None, kept, set Output => Some;
    /// Weight initialisation (default: xavier-uniform-biases for every activation, scikit-learn's MLP draw:
    /// weights and biases from U(−r, r), r = √(6/(n_in+n_out)); xavier-uniform keeps the biases at 0, as the
    /// report did; he-uniform suits deep ReLU stacks; see docs/performance.md).
    #[cfg_attr(feature = "cli", arg(long, value_name = "RULE", value_parser = text::choices::<Init>(&Init::CHOICES.map(Init::name))))]
    init: Option<Init> = None, kept, set Init => Some;
    /// Learning rate (default: 0.1 for gd, momentum and nesterov; 0.001 for adam and adamw, as Kingma & Ba
    /// suggest; 1 for lbfgs, the full quasi-Newton step).
    #[cfg_attr(feature = "cli", arg(long))]
    lr: Option<f64> = None, kept, set f64 => Some;
    /// From after EPOCH on use rate LR (repeatable), e.g. 5000:0.04.
    #[cfg_attr(feature = "cli", arg(long = "lr-step", value_name = "EPOCH:LR"))]
    #[serde(deserialize_with = "text::one_or_many")]
    lr_step: Vec<LrStep> = Vec::new(), kept;
    /// Reduce the rate by FACTOR after PATIENCE epochs without improvement of the validation (or training) loss.
    #[cfg_attr(feature = "cli", arg(long, value_name = "FACTOR:PATIENCE", conflicts_with = "lr_step"))]
    lr_plateau: Option<Plateau> = None, kept, set Plateau => Some;
    /// L2 penalty λ on non-bias weights: the objective is mean loss + λ/(2n)·ΣW² with n the training samples,
    /// the same at any batch size (each mini-batch step uses (λ/n)·W).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Spec::default().lambda))]
    lambda: f64 = 0.0, kept in config;
    /// Epochs in total (when resuming, counting those already done).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Spec::default().epochs))]
    epochs: usize = 1000, may_change in config;
    /// Optimiser.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Spec::default().optimizer, value_parser = text::choices::<OptimizerKind>(&Optimizer::NAMES)))]
    optimizer: OptimizerKind = OptimizerKind::Adam, kept;
    /// Momentum μ (momentum and nesterov).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Spec::default().momentum))]
    momentum: f64 = 0.9, kept;
    /// Adam's β₁, the decay of its first-moment (mean) estimate.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Spec::default().beta1))]
    beta1: f64 = 0.9, kept;
    /// Adam's β₂, the decay of its second-moment estimate.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Spec::default().beta2))]
    beta2: f64 = 0.999, kept;
    /// Adam's ε, added to the square root of the second moment.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Spec::default().adam_epsilon))]
    adam_epsilon: f64 = 1e-8, kept;
    /// AdamW's decoupled weight decay λ_w: before each step the non-bias weights shrink by lr·λ_w
    /// (PyTorch's AdamW default, 0.01). Unlike lambda it is not part of the loss.
    #[cfg_attr(feature = "cli", arg(long, value_name = "λ", default_value_t = Spec::default().weight_decay))]
    weight_decay: f64 = 0.01, kept;
    /// Samples per step: auto (min(200, the training rows), scikit-learn's default), full (the whole
    /// training part: the report's full-batch descent) or a number.
    #[cfg_attr(feature = "cli", arg(long, value_name = "B", default_value_t = Spec::default().batch_size))]
    #[serde(with = "text")]
    batch_size: BatchSize = BatchSize::Auto, kept, set impl Into<BatchSize> => Into::into;
    /// Draw a new order of the training samples for every epoch's mini-batches, from the seed
    /// (--no-shuffle takes them in the data's order, as scikit-learn's shuffle=False does).
    #[cfg_attr(feature = "cli", arg(long = "no-shuffle", action = clap::ArgAction::SetFalse))]
    shuffle: bool = true, kept in config;
    /// L-BFGS: curvature pairs remembered (SciPy's default, 10).
    #[cfg_attr(feature = "cli", arg(long, value_name = "M", default_value_t = Spec::default().lbfgs_history))]
    lbfgs_history: usize = 10, kept;
    /// L-BFGS: stop when every component of the gradient is at most this (SciPy's gtol default, 1e-5).
    #[cfg_attr(feature = "cli", arg(long, value_name = "G", default_value_t = Spec::default().tolerance))]
    tolerance: f64 = 1e-5, kept;
    /// Inverted dropout on the hidden layers while training: each unit's output is dropped with probability
    /// P and the kept ones scaled by 1/(1 − P); off when evaluating. The masks follow from the seed, so runs
    /// (and resumed runs) repeat bit for bit.
    #[cfg_attr(feature = "cli", arg(long, value_name = "P", default_value_t = Spec::default().dropout))]
    dropout: f64 = 0.0, kept in config;
    /// Weigh each sample's loss (in the training and the validation loss) by its class: balanced gives a
    /// sample of class c the weight n/(k·n_c), n_c of the n training samples being in class c of k, so that
    /// rare classes count as much as common ones (scikit-learn's class_weight="balanced"); a list W,W,...
    /// gives one weight per class, in the order of the class indices (as `nn inspect` lists them); none
    /// weighs all 1.
    #[cfg_attr(feature = "cli", arg(long, value_name = "none|balanced|W,W,...", default_value_t = Spec::default().class_weight))]
    #[serde(with = "text")]
    class_weight: ClassWeight = ClassWeight::None, kept in config;
    /// Data augmentation for images: move each training image by up to N pixels along each axis (each
    /// offset in −N..=N equally likely, drawn anew every epoch from the seed), filling the edge with 0 in the
    /// file's units. Validation and test images are not moved.
    #[cfg_attr(feature = "cli", arg(long, value_name = "N"))]
    shift: Option<usize> = None, kept, set usize => Some;
    /// The image size for shifts, as HEIGHTxWIDTH with the pixels stored row by row (for images stored
    /// column by column, as MATLAB does, swap the two). Default: a square of the feature count.
    #[cfg_attr(feature = "cli", arg(long, value_name = "HxW", requires = "shift"))]
    image: Option<ImageSize> = None, kept, set ImageSize => Some;
    /// TRAIN or TRAIN,VAL fractions; the rest is the test part. 0.8 is the report's split. Default: 0.8 for a
    /// classification, which then trains on every training row and stops by scikit-learn's rule (see
    /// --select); 0.7,0.1 for a regression or a --select that reads the validation part, which keeps 10% for
    /// validation (scikit-learn's validation_fraction) and stops early on its loss. Either way 20% is the
    /// test part.
    #[cfg_attr(feature = "cli", arg(long, value_name = "FRACTIONS"))]
    split: Option<Fractions> = None, kept, set impl Into<Fractions> => values::some_into;
    /// Keep each class's share in every part.
    #[cfg_attr(feature = "cli", arg(long))]
    stratify: bool = false, kept;
    /// Seed of the split, the weights, the mini-batch order, dropout and shifts.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Spec::default().seed))]
    seed: u64 = 0, kept in config;
    /// Which epoch's weights to keep: last, val-loss, val-acc, val-f1, val-r2, test-acc (the report's; selects
    /// on the test set), test-loss, train-loss, train-acc. Default: val-loss with a validation part; for a
    /// classification at the default split, train-loss (scikit-learn's rule: stop once the training loss has
    /// not fallen by 0.0001 for 11 epochs, as its n_iter_no_change of 10 counts); else last.
    #[cfg_attr(feature = "cli", arg(long, value_name = "RULE", value_parser = text::choices::<Selection>(&Selection::NAMES)))]
    #[serde(with = "text::or_none")]
    select: Option<Selection> = None, kept, set Selection => Some;
    /// Stop after P epochs without an improvement of the selection metric by more than --min-delta.
    /// Default: when the selection reads the validation part (early stopping on the validation loss, a
    /// regression's default), 10 epochs or 300 optimiser steps, whichever is longer; under a
    /// classification's default rule, 11 epochs (scikit-learn stops when 10 are exceeded); else none.
    /// 0 turns it off.
    #[cfg_attr(feature = "cli", arg(long, value_name = "P"))]
    patience: Option<usize> = None, kept, set usize => Some;
    /// Smallest improvement of the selection metric on the best so far that restarts the patience count (as
    /// scikit-learn's tol); any improvement still makes the epoch the best one, whose weights are kept.
    /// Default: 0.0001 under a classification's default rule, else 0.
    #[cfg_attr(feature = "cli", arg(long))]
    min_delta: Option<f64> = None, kept, set f64 => Some;
    /// Standardise the features with the training part's mean and standard deviation (--no-standardize
    /// trains on raw features).
    #[cfg_attr(feature = "cli", arg(long = "no-standardize", action = clap::ArgAction::SetFalse))]
    standardize: bool = true, kept;
    /// Threads for matrix products and the hidden layers' activation pass (0 = all cores; results are the same
    /// bits whatever the count).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Spec::default().threads))]
    threads: usize = 0, may_change;
    /// Vector instructions of the products and element-wise passes: auto (the widest this CPU has), avx512,
    /// avx2 or portable (plain code, any CPU). Every level gives the same bits, tested level by level, so a
    /// level changes the speed only; the model file records the one that trained it. A level the CPU lacks
    /// is refused.
    #[cfg_attr(feature = "cli", arg(long, value_name = "LEVEL", default_value_t = Spec::default().simd, value_parser = text::choices::<Simd>(&Simd::NAMES)))]
    #[serde(with = "text")]
    simd: Simd = Simd(None), may_change, set impl Into<Simd> => Into::into;
    /// Floating-point precision of training.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Spec::default().precision, value_parser = text::choices::<Precision>(&Precision::ALL.map(Precision::name))))]
    precision: Precision = Precision::F64, kept;
}

/// A setting whose value differs between two specs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The setting's name.
    pub setting: &'static str,
    /// Its value in the first spec (a saved run's).
    pub saved: String,
    /// Its value in the second.
    pub given: String,
    /// A resumed run may change it.
    pub may_change: bool,
}
