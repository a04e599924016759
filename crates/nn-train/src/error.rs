//! Errors of configuration, training and model files.

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
    /// The data cannot be used as asked (e.g. a split that leaves a part empty).
    #[error(transparent)]
    Data(#[from] nn_data::DataError),
    /// Reading or writing a model file (the reason is the error's source).
    #[error("{}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// A model file that cannot be used.
    #[error("{}: {problem}", path.display())]
    ModelFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: ModelFileProblem,
    },
    /// A model file that is sound but cannot be resumed as asked.
    #[error("{}: cannot resume: {problem}", path.display())]
    Resume {
        /// The file given to resume.
        path: PathBuf,
        /// Why not.
        problem: ResumeProblem,
    },
    /// The model file a run would write is larger than the format holds; found before training.
    #[error(
        "the model file would hold about {bytes} bytes, over the {limit}-byte limit of the format \
         ({parameters} parameters, {copies} copies of them, {epochs} epochs of history); use fewer parameters or epochs"
    )]
    ModelTooLarge {
        /// Estimated body size.
        bytes: u64,
        /// [`MAX_BODY`](crate::MAX_BODY).
        limit: u64,
        /// Trainable parameters.
        parameters: usize,
        /// Copies of the weights the file holds (selected, current, best, optimiser state).
        copies: usize,
        /// Epochs planned.
        epochs: usize,
    },
}

/// Why a sound model file cannot be resumed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResumeProblem {
    /// Built by hand or imported: there is no run to continue.
    #[error("it holds no training record (a model built by hand or imported)")]
    NoTrainingRecord,
    /// The run diverged; resuming it would diverge again.
    #[error(
        "its training diverged at epoch {epoch} ({cause}); start a new run, e.g. with a smaller --lr"
    )]
    Diverged {
        /// The epoch that diverged.
        epoch: usize,
        /// What became non-finite.
        cause: String,
    },
    /// The data given is not the data it was trained on.
    #[error("it was trained on other data ({trained_on}); pass the same --data")]
    OtherData {
        /// The name recorded in the file.
        trained_on: String,
    },
    /// It has already run the epochs asked for.
    #[error("it has already run {done} epochs; ask for more with --epochs (now {asked})")]
    AlreadyDone {
        /// Epochs done.
        done: usize,
        /// `--epochs` given.
        asked: usize,
    },
    /// A setting differs from the saved run's; the resumed run would not be the same run.
    #[error(
        "{flag} is {given}, but the run was trained with {saved}; drop {flag} or give the saved value"
    )]
    Differs {
        /// The flag or setting.
        flag: String,
        /// The value in the file.
        saved: String,
        /// The value given.
        given: String,
    },
}

/// Why a model file was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelFileProblem {
    /// Not an nn model file.
    #[error("not an nn model file (magic bytes {0:02x?})")]
    Magic(Vec<u8>),
    /// Written by an older nn in a format this one no longer reads.
    #[error(
        "format version {found} is older than the oldest this nn reads ({supported}). HINT: retrain with this nn, or use the nn that wrote it"
    )]
    OlderVersion {
        /// In the file.
        found: u32,
        /// The oldest version read.
        supported: u32,
    },
    /// A body over the size limit.
    #[error("the body is {bytes} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// Body length.
        bytes: u64,
        /// [`MAX_BODY`](crate::MAX_BODY).
        limit: u64,
    },
    /// The body could not be encoded.
    #[error("the model does not encode: {0}")]
    Encode(String),
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
    Invalid(#[from] Inconsistency),
}

/// Which set of weights a model file holds an [`Inconsistency`] in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightSet {
    /// The model's (selected) weights.
    Model,
    /// The weights of the last epoch done, kept for resuming.
    Current,
    /// The best weights so far, kept for resuming.
    Best,
}

impl std::fmt::Display for WeightSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WeightSet::Model => "model",
            WeightSet::Current => "current weights",
            WeightSet::Best => "best weights",
        })
    }
}

/// A decoded model body that breaks a rule its readers rely on: each case names the rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Inconsistency {
    /// A set of weights with wrong shapes or non-finite values.
    #[error("{set}: {source}")]
    Weights {
        /// Which weights.
        set: WeightSet,
        /// What is wrong with them.
        source: nn_core::CoreError,
    },
    /// Weights kept for resuming whose architecture is not the model's.
    #[error("the {0} have another architecture than the model")]
    Architecture(WeightSet),
    /// A regression model without its target scaling, or a classifier with one.
    #[error(
        "the target scaling ({found}) does not fit the {output} output: a regression model has one mean and scale > 0 per output, a classifier none"
    )]
    TargetScale {
        /// The output layer.
        output: &'static str,
        /// What the file holds.
        found: String,
    },
    /// The standardiser's width differs from the network's input.
    #[error("the standardiser has {means} means and {scales} scales, the network {inputs} inputs")]
    StandardizerWidth {
        /// Means stored.
        means: usize,
        /// Scales stored.
        scales: usize,
        /// The network's inputs.
        inputs: usize,
    },
    /// Image shifts that do not fit the network's input (or shift by nothing).
    #[error(
        "the training record's image shifts (±{max} px of {height}x{width} images) do not fit the network's {inputs} inputs"
    )]
    Shift {
        /// The largest shift.
        max: usize,
        /// The image's rows.
        height: usize,
        /// The image's columns.
        width: usize,
        /// The network's inputs.
        inputs: usize,
    },
    /// The input schema makes another number of features than the network takes.
    #[error("the input schema makes {features} features, the network takes {inputs}")]
    SchemaWidth {
        /// Features the schema makes.
        features: usize,
        /// The network's inputs.
        inputs: usize,
    },
    /// A standardiser value that cannot be applied.
    #[error("the standardiser holds a non-finite mean or a scale ≤ 0")]
    StandardizerValues,
    /// The class map does not fit the output layer.
    #[error("{labels} class labels and {names} class names for a network with {outputs} classes")]
    Classes {
        /// Labels stored.
        labels: usize,
        /// Names stored.
        names: usize,
        /// Classes the network scores.
        outputs: usize,
    },
    /// A name shown on one line that is empty, too long or holds control characters.
    #[error("the {what} is {chars} characters{}; expected 1 to {max} printable ones",
        if *.control { " with control characters" } else { "" })]
    Name {
        /// Which name.
        what: &'static str,
        /// Its length in characters.
        chars: usize,
        /// Whether it holds a control character.
        control: bool,
        /// The limit.
        max: usize,
    },
    /// Metrics and weights of different epochs.
    #[error("the metrics are of epoch {metrics}, the weights of epoch {weights}")]
    MetricsEpoch {
        /// The metrics' epoch.
        metrics: usize,
        /// The weights' epoch.
        weights: usize,
    },
    /// A model in training without the record of its run.
    #[error("a model in training has no training record")]
    NoTrainingRecord,
    /// A data digest that is not a SHA-256 in hex.
    #[error("the data digest is {0} characters, expected 64 hex digits")]
    Digest(usize),
    /// A training part of no samples.
    #[error("the training part has 0 samples")]
    NoTrainingSamples,
    /// A resumable model without the state to resume from.
    #[error("a resumable model has no resume state")]
    NoResumeState,
    /// A diverged model (not resumable) with a resume state.
    #[error("a diverged model holds a resume state")]
    DivergedWithResumeState,
    /// More epochs done than the run plans.
    #[error("{done} epochs done of {planned} planned")]
    EpochsDone {
        /// Epochs done.
        done: usize,
        /// Epochs planned.
        planned: usize,
    },
    /// A history that is not one report per epoch done, in order.
    #[error("the history holds {held} epochs, not the {done} done, in order")]
    History {
        /// Reports held.
        held: usize,
        /// Epochs done.
        done: usize,
    },
    /// A best epoch after the last epoch done.
    #[error("the best epoch lies after the last epoch done")]
    BestAfterLast,
    /// An optimiser state of another optimiser than the run's.
    #[error("the optimiser state is {state}'s, the run's optimiser {run}")]
    OptimizerKind {
        /// The state's optimiser.
        state: &'static str,
        /// The run's optimiser.
        run: &'static str,
    },
    /// An optimiser state whose shapes are not the network's.
    #[error("the optimiser state does not match the network's shapes")]
    OptimizerShapes,
    /// An optimiser state with a non-finite value (or a negative second moment).
    #[error("the {0} optimiser state holds a non-finite (or, for Adam's v, negative) value")]
    OptimizerValues(&'static str),
    /// A learning-rate schedule holding a rate that is not finite and > 0.
    #[error("the learning-rate schedule holds a rate that is not finite and > 0")]
    ScheduleRates,
}

/// `Result` with [`TrainError`].
pub type Result<T, E = TrainError> = std::result::Result<T, E>;

/// The error for a training loss that is not finite in `epoch`.
pub(crate) fn check_loss(loss: f64, epoch: usize) -> Result<()> {
    if loss.is_finite() {
        Ok(())
    } else {
        Err(TrainError::Diverged {
            epoch,
            what: format!("the training loss is {loss}"),
        })
    }
}

/// The error for a setting `field` whose `value` is not what it should be (`expected`).
pub(crate) fn bad<T: std::fmt::Debug>(field: &'static str, value: T, expected: &str) -> TrainError {
    TrainError::Config {
        field,
        value: format!("{value:?}"),
        expected: expected.into(),
    }
}
