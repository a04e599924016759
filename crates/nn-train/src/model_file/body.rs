//! What a model file's body holds (its checks are in `checks.rs`).
//!
//! These are the file format's own types. The job types the command line and the experiment runner build
//! (`JobSpec`, `TrainConfig`) convert to and from them, so an edit to a command-line-facing struct does not
//! change the file. Any change to a type in the body (these, or the library types they hold: `Network`,
//! `Standardizer`, `ClassMap`, `EpochReport`, `Progress`) must bump [`VERSION`](super::VERSION); the golden
//! model file test (`tests/golden.rs`) fails if it is forgotten.

use crate::config::{Optimizer, Schedule};
use crate::epoch::EpochReport;
use crate::progress::Progress;
use crate::select::Selection;
use nn_core::{Init, Network};
use nn_data::{ClassMap, Schema, Standardizer};
use serde::{Deserialize, Serialize};

/// The precision training ran in. Weights are stored as f64 either way (f32 → f64 → f32 is exact).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats.
    F32,
    /// 64-bit floats.
    #[default]
    F64,
}

nn_linalg::text_names!(Precision, "precision", { F64 => "f64", F32 => "f32" });

/// The contents of a model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Architecture and the selected weights.
    pub network: Network<f64>,
    /// The precision of training (and of prediction).
    pub precision: Precision,
    /// Applied to raw features before the network.
    pub standardizer: Standardizer,
    /// What the output classes mean in the data's terms.
    pub classes: ClassMap,
    /// The epoch of the selected weights (0: before any epoch).
    pub epoch: usize,
    /// The metrics at that epoch.
    pub metrics: Option<EpochReport>,
    /// Where training stands.
    pub status: Status,
    /// How the model was trained, and what a resume needs; `None` for a model built by hand.
    pub training: Option<Training>,
    /// How the model reads a delimited text file (columns, categories, imputation), if it was trained on one.
    /// Stored after the rest of the body (format 4 on); serde skips it so the body's first part keeps the
    /// layout of formats 2 and 3.
    #[serde(skip)]
    pub schema: Option<Schema>,
    /// Regression: the target's mean and standard deviation on the training part. The network predicts
    /// standardised values; a prediction is `z·scale + mean`. Stored in the appendix (format 5 on).
    #[serde(skip)]
    pub target_scale: Option<Standardizer>,
}

/// Where the training that wrote a file stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Status {
    /// Written during training: the run is still going, or was killed after this write. Resumable.
    InProgress,
    /// Training ran to its last epoch, or stopped early by the patience rule. Resumable to more epochs.
    Finished {
        /// Epochs run in total.
        epochs_run: usize,
        /// Stopped by early stopping, the patience rule (rather than by reaching its last epoch, or by
        /// L-BFGS's convergence test, which ends a run before its last epoch without this flag).
        early_stopped: bool,
    },
    /// The loss or a weight became non-finite. The file holds the weights selected before; not resumable.
    Diverged {
        /// The epoch that diverged.
        epoch: usize,
        /// What became non-finite.
        cause: String,
    },
}

/// How a model was trained: its hyper-parameters, its data, and (unless it diverged) what a resume needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Training {
    /// The run's settings.
    pub run: RunRecord,
    /// The data it ran on.
    pub data: DataRecord,
    /// The current weights and the loop's state after the last completed epoch.
    pub resume: Option<ResumeState>,
    /// The job itself (format 9 on): `JobSpec` as JSON, every setting by name. Unlike [`RunRecord`], whose
    /// fields the format lists one by one, it needs no new field here, no new format and no conversion when
    /// a setting is added: a setting missing from an older record reads as its default. A resumed run and
    /// `nn::Model::spec` read it (`JobSpec::of_file`); files before format 9 have none, and their job is
    /// rebuilt from the [`RunRecord`].
    #[serde(skip)]
    pub job: Option<String>,
}

/// The settings of a run, as the file records them (the thread count is not among them: it changes no bit).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Epochs planned in total.
    pub epochs: usize,
    /// Initial learning rate.
    pub lr: f64,
    /// How the rate changes.
    pub schedule: Schedule,
    /// The optimiser and its hyper-parameters.
    pub optimizer: Optimizer,
    /// Samples per step; `None` is full batch.
    pub batch_size: Option<usize>,
    /// L2 penalty λ (over the training part's size; see [`L2`](nn_core::L2)).
    pub lambda: f64,
    /// Seed of the weights and the mini-batch order.
    pub seed: u64,
    /// Which epoch's weights are kept.
    pub selection: Selection,
    /// Early-stopping patience.
    pub patience: Option<usize>,
    /// Smallest improvement that counts.
    pub min_delta: f64,
    /// Fraction of samples for training.
    pub split_train: f64,
    /// Fraction for validation.
    pub split_validation: f64,
    /// Stratified split.
    pub stratified: bool,
    /// Seed of the split's shuffle.
    pub split_seed: u64,
    /// Features standardised with the training part's statistics.
    pub standardize: bool,
    /// The weight initialisation asked for (`None`: the customary one for the hidden activation). Stored
    /// after the rest of the body (format 4 on), like [`ModelFile::schema`].
    #[serde(skip)]
    pub init: Option<Init>,
    /// The dropout rate of the hidden layers while training (0: none). Stored in the appendix (format 5 on).
    #[serde(skip)]
    pub dropout: f64,
    /// Random shifts of the training images (`None`: none). Stored in the appendix (format 6 on).
    #[serde(skip)]
    pub shift: Option<crate::Shift>,
    /// How each sample's loss was weighted by its class. Stored in the appendix (format 7 on).
    #[serde(skip)]
    pub class_weight: crate::ClassWeight,
    /// Mini-batches drawn in a new order every epoch (`false`: the data's order). Stored in the appendix
    /// (format 7 on).
    #[serde(skip)]
    pub shuffle: bool,
    /// The instruction-set level that trained it (the last session's, for a resumed run); `None` in files
    /// before format 8. Every level gives the same bits. Stored after the appendix.
    #[serde(skip)]
    pub simd: Option<nn_linalg::simd::Level>,
}

/// The data a model was trained on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataRecord {
    /// The data file's name (not its path: model files hold no host details).
    pub name: String,
    /// SHA-256 (64 hex digits) over the dataset's shape, feature bits and labels.
    pub digest: String,
    /// Samples in the training part: the `n` of the L2 penalty.
    pub train_samples: usize,
}

/// What a resume needs beyond the selected model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResumeState {
    /// The weights after the last completed epoch.
    pub current: Network<f64>,
    /// Optimiser, schedule, selector, best-so-far and history.
    pub progress: Progress<f64>,
}
