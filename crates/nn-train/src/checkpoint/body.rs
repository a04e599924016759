//! What a model file's body holds, and the checks that a decoded body must pass before anyone uses it.
//!
//! These are the file format's own types. The job types the command line and the experiment runner build
//! (`JobSpec`, `TrainConfig`) convert to and from them, so an edit to a command-line-facing struct does not
//! change the file. Any change to a type in the body (these, or the library types they hold: `Network`,
//! `Standardizer`, `ClassMap`, `EpochReport`, `Progress`) must bump [`VERSION`](super::VERSION); the golden
//! model file test (`tests/golden.rs`) fails if it is forgotten.

use crate::config::{Optimizer, Schedule};
use crate::epoch::EpochReport;
use crate::error::{Inconsistency, WeightSet};
use crate::optimizer::OptimizerState;
use crate::progress::Progress;
use crate::select::Selection;
use nn_core::{Init, L2, Layer, Network};
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

impl Precision {
    /// Both, in the order `--help` lists them.
    pub const ALL: [Precision; 2] = [Precision::F64, Precision::F32];

    /// `"f32"` or `"f64"`, as on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        }
    }
}

impl std::str::FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| format!("unknown precision '{s}' (expected one of: f64, f32)"))
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The contents of a model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
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
    /// L2 penalty λ (over the training part's size; see [`L2`]).
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
    /// after the rest of the body (format 4 on), like [`Checkpoint::schema`].
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

/// The longest data or class name a file may hold.
const MAX_NAME: usize = 255;

impl Checkpoint {
    /// The penalty the model's cost is reported with: λ over the training part's size (none if unknown).
    pub fn l2(&self) -> L2 {
        match &self.training {
            Some(t) => L2::new(t.run.lambda, t.data.train_samples),
            None => L2::NONE,
        }
    }

    /// The resume state, if the file has one.
    pub fn resume_state(&self) -> Option<&ResumeState> {
        self.training.as_ref().and_then(|t| t.resume.as_ref())
    }

    /// Consistency of the decoded contents: everything a reader of the model relies on.
    pub(super) fn check(&self) -> Result<(), Inconsistency> {
        weights(WeightSet::Model, &self.network)?;
        let arch = self.network.architecture();
        let sd = &self.standardizer;
        if sd.mean().len() != arch.n_input || sd.scale().len() != arch.n_input {
            return Err(Inconsistency::StandardizerWidth {
                means: sd.mean().len(),
                scales: sd.scale().len(),
                inputs: arch.n_input,
            });
        }
        if !sd.mean().iter().chain(sd.scale()).all(|v| v.is_finite())
            || sd.scale().iter().any(|&s| s <= 0.0)
        {
            return Err(Inconsistency::StandardizerValues);
        }
        let scale_width = self.target_scale.as_ref().map(Standardizer::len);
        let scale_ok = self.target_scale.as_ref().is_none_or(|t| {
            t.mean().iter().chain(t.scale()).all(|v| v.is_finite())
                && t.scale().iter().all(|&s| s > 0.0)
        });
        let expected = arch.output.is_regression().then_some(arch.n_outputs);
        if scale_width != expected || !scale_ok {
            return Err(Inconsistency::TargetScale {
                output: arch.output.name(),
                found: scale_width.map_or_else(|| "none".into(), |w| format!("{w} values")),
            });
        }
        let k = self.classes.len();
        if k != arch.classes() || self.classes.names().len() != k {
            return Err(Inconsistency::Classes {
                labels: k,
                names: self.classes.names().len(),
                outputs: arch.classes(),
            });
        }
        for name in self.classes.names() {
            check_name("class name", name)?;
        }
        if let Some(m) = &self.metrics
            && m.epoch != self.epoch
        {
            return Err(Inconsistency::MetricsEpoch {
                metrics: m.epoch,
                weights: self.epoch,
            });
        }
        match (&self.status, &self.training) {
            (Status::Diverged { cause, .. }, _) => check_name("divergence cause", cause)?,
            (Status::InProgress, None) => return Err(Inconsistency::NoTrainingRecord),
            _ => {}
        }
        if let Some(t) = &self.training {
            self.check_training(t)?;
        }
        if let Some(schema) = &self.schema {
            check_schema(schema, arch.n_input)?;
        }
        Ok(())
    }

    fn check_training(&self, t: &Training) -> Result<(), Inconsistency> {
        check_name("data name", &t.data.name)?;
        if t.data.digest.len() != 64 || !t.data.digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Inconsistency::Digest(t.data.digest.chars().count()));
        }
        if t.data.train_samples == 0 {
            return Err(Inconsistency::NoTrainingSamples);
        }
        let inputs = self.network.architecture().n_input;
        if let Some(s) = t.run.shift
            && s.check(inputs).is_err()
        {
            return Err(Inconsistency::Shift {
                max: s.max,
                height: s.height,
                width: s.width,
                inputs,
            });
        }
        let Some(r) = &t.resume else {
            return match self.status {
                Status::Diverged { .. } => Ok(()),
                _ => Err(Inconsistency::NoResumeState),
            };
        };
        if matches!(self.status, Status::Diverged { .. }) {
            return Err(Inconsistency::DivergedWithResumeState);
        }
        let arch = self.network.architecture();
        weights(WeightSet::Current, &r.current)?;
        if r.current.architecture() != arch {
            return Err(Inconsistency::Architecture(WeightSet::Current));
        }
        let p = &r.progress;
        if p.epoch > t.run.epochs {
            return Err(Inconsistency::EpochsDone {
                done: p.epoch,
                planned: t.run.epochs,
            });
        }
        if p.history.len() != p.epoch || p.history.iter().enumerate().any(|(i, h)| h.epoch != i + 1)
        {
            return Err(Inconsistency::History {
                held: p.history.len(),
                done: p.epoch,
            });
        }
        if let Some((best, report)) = &p.best {
            weights(WeightSet::Best, best)?;
            if best.architecture() != arch {
                return Err(Inconsistency::Architecture(WeightSet::Best));
            }
            if report.epoch > p.epoch {
                return Err(Inconsistency::BestAfterLast);
            }
        }
        self.check_optimizer(&p.optimizer, t.run.optimizer)?;
        if !p.schedule.rates_are_sound() {
            return Err(Inconsistency::ScheduleRates);
        }
        Ok(())
    }

    /// The optimiser state belongs to the run's optimiser, has the network's shapes and sound values.
    fn check_optimizer(
        &self,
        state: &OptimizerState<f64>,
        optimizer: Optimizer,
    ) -> Result<(), Inconsistency> {
        let same_shapes = |ls: &[Layer<f64>]| {
            ls.len() == self.network.layers().len()
                && ls.iter().zip(self.network.layers()).all(|(a, b)| {
                    a.weights.shape() == b.weights.shape() && a.bias.len() == b.bias.len()
                })
        };
        let fits = match (state, optimizer) {
            (OptimizerState::Gd, Optimizer::Gd) => true,
            (OptimizerState::Momentum { velocity }, Optimizer::Momentum { .. }) => {
                same_shapes(velocity)
            }
            (
                OptimizerState::Adam { m, v, .. },
                Optimizer::Adam { .. } | Optimizer::AdamW { .. },
            ) => same_shapes(m) && same_shapes(v),
            (
                OptimizerState::Lbfgs {
                    s,
                    y,
                    len,
                    next,
                    gradient,
                    ..
                },
                Optimizer::Lbfgs { history, .. },
            ) => {
                let n = self.network.architecture().parameter_count();
                s.len() == history
                    && y.len() == history
                    && s.iter().chain(y).all(|v| v.len() == n)
                    && *len <= history
                    && *next < history
                    && (gradient.is_empty() || gradient.len() == n)
            }
            (state, opt) => {
                return Err(Inconsistency::OptimizerKind {
                    state: state.name(),
                    run: opt.name(),
                });
            }
        };
        if !fits {
            return Err(Inconsistency::OptimizerShapes);
        }
        let finite = |ls: &[Layer<f64>]| {
            ls.iter()
                .all(|l| l.weights.all_finite() && l.bias.iter().all(|b| b.is_finite()))
        };
        let sound = match state {
            OptimizerState::Gd => true,
            OptimizerState::Lbfgs {
                s,
                y,
                gradient,
                cost,
                ..
            } => {
                s.iter()
                    .chain(y)
                    .chain([gradient])
                    .all(|v| v.iter().all(|x| x.is_finite()))
                    && cost.is_finite()
            }
            OptimizerState::Momentum { velocity } => finite(velocity),
            // v estimates E[g²]: finite and never negative.
            OptimizerState::Adam { m, v, .. } => {
                finite(m)
                    && finite(v)
                    && v.iter().all(|l| {
                        l.bias.iter().all(|&b| b >= 0.0)
                            && (0..l.n_out()).all(|j| l.weights.col(j).iter().all(|&w| w >= 0.0))
                    })
            }
        };
        if !sound {
            return Err(Inconsistency::OptimizerValues(state.name()));
        }
        Ok(())
    }
}

/// A set of weights with the shapes its architecture says and finite values.
fn weights(set: WeightSet, network: &Network<f64>) -> Result<(), Inconsistency> {
    network
        .validate()
        .map_err(|source| Inconsistency::Weights { set, source })
}

/// A name shown on one line: 1 to [`MAX_NAME`] characters, none of them a control character.
fn check_name(what: &'static str, name: &str) -> Result<(), Inconsistency> {
    let chars = name.chars().count();
    let control = name.chars().any(char::is_control);
    if chars == 0 || chars > MAX_NAME || control {
        return Err(Inconsistency::Name {
            what,
            chars,
            control,
            max: MAX_NAME,
        });
    }
    Ok(())
}

/// A stored schema makes exactly the network's inputs. (Its names and categories are the data's own text,
/// which may hold anything a CSV cell can, so they are not checked like class names.)
fn check_schema(schema: &Schema, inputs: usize) -> Result<(), Inconsistency> {
    if schema.width() != inputs {
        return Err(Inconsistency::SchemaWidth {
            features: schema.width(),
            inputs,
        });
    }
    Ok(())
}
