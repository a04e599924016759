//! [`run_job`]: a whole job, from the dataset to the model file, and what it gives back ([`JobOutcome`]).

use super::prepare::{Prepared, data_digest, prepare};
use super::prepare::{back_to_f64, into_precision};
use super::saving::Saving;
use super::saving::{ModelTemplate, Writer};
use super::spec::{JobSpec, Resume};
use crate::config::{Optimizer, TrainConfig, ValidConfig};
use crate::epoch::EpochReport;
use crate::error::{Result, ResumeProblem, TrainError};
use crate::model_file::{DataRecord, MAX_BODY, ModelFile, Precision, Status, Training};
use crate::report::{StopReason, TrainEvent};
use crate::trainer::Trainer;
use crate::{Metric, Part, Selection};
use nn_core::{Architecture, Init, Network};
use nn_data::{ClassMap, Dataset, Schema, Standardizer};
use nn_linalg::Scalar;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// A note if a run that reached its last epoch was still improving: its lowest validation loss (or, when
/// the training loss selects, as under a classification's default rule, its lowest training loss) came in
/// the last twentieth of its epochs (at least the last epoch), so more epochs would likely give a better
/// model.
fn still_falling(history: &[EpochReport], selection: Selection) -> Option<String> {
    let last = history.last()?;
    let part = match selection {
        Selection::Best {
            part: Part::Train,
            metric: Metric::Loss,
        } if last.validation.is_none() => Part::Train,
        _ => Part::Validation,
    };
    let (best, loss) = history
        .iter()
        .filter_map(|r| Some((r.epoch, r.part(part)?.loss)))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let window = (history.len() / 20).max(1);
    let name = match part {
        Part::Train => "training",
        _ => "validation",
    };
    (best + window > last.epoch).then(|| {
        format!(
            "the {name} loss was still falling when the run reached its last epoch ({loss:.6} at epoch {best} of {}): more epochs would likely give a better model",
            last.epoch
        )
    })
}

/// What a job produced.
#[derive(Debug)]
pub struct JobOutcome {
    /// The model file's contents as last written (selected weights, status, resume state).
    pub model_file: ModelFile,
    /// The parts it trained and reported on.
    pub prepared: Prepared,
    /// Every epoch's report, from the first epoch of the run (also those before a resume).
    pub history: Vec<EpochReport>,
    /// Set if training diverged; the model file then holds the weights selected before.
    pub error: Option<TrainError>,
    /// Wall time of the training loop.
    pub elapsed: Duration,
    /// What the run changed of its settings, one line each (a batch clipped to the training part).
    pub notes: Vec<String>,
}

impl JobOutcome {
    /// Every epoch's report.
    pub fn history(&self) -> &[EpochReport] {
        &self.history
    }
}

/// Runs `spec` on `dataset` in precision `T`, or continues `resume` (whose recorded settings are then used,
/// with `spec.config.epochs` as the total to reach and `spec.config.threads`), writing the model file as
/// [`Saving`] says. The dataset is taken, so that its training part can keep its matrix. The observer hears every event. Setting `stop` ends the run after the epoch in progress
/// ([`Trainer::run_until`]); the file then records it as finished at that epoch.
///
/// Resuming a run that was killed gives, at the end, the same model file bit for bit as the run that was
/// never interrupted: the file holds the loop's whole state, and every random draw depends only on the seed
/// and the epoch.
pub fn run_job<T: Scalar>(
    dataset: Dataset,
    spec: &JobSpec,
    resume: Option<Resume>,
    saving: Option<Saving<'_>>,
    stop: Option<&AtomicBool>,
    observer: &mut (dyn FnMut(&TrainEvent<T>) + Send),
) -> Result<JobOutcome> {
    let digest = data_digest(&dataset);
    let spec = match &resume {
        None => spec.clone(),
        Some(r) => resumed_spec::<T>(r, spec, &digest)?,
    };
    let (features, classes) = (dataset.features(), dataset.classes().len());
    let described = Described {
        classes: dataset.classes().clone(),
        schema: dataset.schema().cloned(),
        name: file_name(dataset.source()),
        digest,
    };
    let Prepared {
        data: parts,
        split,
        target_scale,
    } = prepare(dataset, &spec.split, spec.standardize)?;
    let (data, kept) = into_precision::<T>(parts);
    let m = data.train.x.rows();
    let config = spec
        .config
        .clone()
        .validate(m, data.validation.is_some(), data.test.is_some())?;
    let mut notes = config.notes().to_vec();
    let arch = spec.architecture(features, classes);
    arch.validate()?;
    check_file_size(&arch, &spec.config)?;
    let mut trainer = start_trainer::<T>(config, &spec, arch, resume)?;
    let standardizer = (data.scaling.clone()).unwrap_or_else(|| Standardizer::identity(features));
    let template = model_template(&spec, described, standardizer, target_scale.clone(), m);
    let mut writer = saving
        .map(|s| Writer::start(s, &template, trainer.network(), trainer.progress()))
        .transpose()?;
    let started = Instant::now();
    let (status, error) = run_trainer(&mut trainer, &data, stop, &mut |event| {
        if let (TrainEvent::Snapshot { network, progress }, Some(w)) = (event, writer.as_mut()) {
            w.epoch(&template, *network, *progress);
        }
        observer(event);
    })?;
    let elapsed = started.elapsed();
    let model_file = template.model_file(trainer.network(), trainer.progress(), status);
    // A periodic write that failed is superseded by this final one, which is always attempted: a passing
    // problem (a full disk, a directory briefly gone) does not throw the run away, and if this write fails
    // too, its error is the job's (the file on disk is then the last complete write).
    if let Some(s) = saving {
        model_file.save(s.path)?;
    }
    if error.is_none() && trainer.progress().epoch == spec.config.epochs {
        notes.extend(still_falling(
            &trainer.progress().history,
            spec.config.selection,
        ));
    }
    Ok(JobOutcome {
        model_file,
        prepared: Prepared {
            data: back_to_f64(data, kept),
            split,
            target_scale,
        },
        history: trainer.progress().history.clone(),
        error,
        elapsed,
        notes,
    })
}

/// What the model file records of the dataset, taken before the dataset is split.
struct Described {
    classes: ClassMap,
    schema: Option<Schema>,
    name: String,
    digest: String,
}

/// What a model file holds besides the weights and the loop's state.
fn model_template(
    spec: &JobSpec,
    described: Described,
    standardizer: Standardizer,
    target_scale: Option<Standardizer>,
    train_samples: usize,
) -> ModelTemplate {
    ModelTemplate {
        precision: spec.precision,
        standardizer,
        classes: described.classes,
        schema: described.schema,
        target_scale,
        training: Training {
            run: spec.record(),
            data: DataRecord {
                name: described.name,
                digest: described.digest,
                train_samples,
            },
            resume: None,
            job: job_record(spec),
        },
    }
}

/// The job as the file records it, without the two settings that change no bit: the thread count (as
/// `All`) and the SIMD level (as `None`; [`RunRecord::simd`](crate::RunRecord::simd) names the level that
/// ran). So the same run writes the same record at any thread count and any level.
fn job_record(spec: &JobSpec) -> Option<String> {
    let mut job = spec.clone();
    job.config.threads = nn_linalg::Threads::All;
    job.config.simd = None;
    serde_json::to_string(&job).ok()
}

/// Runs the trainer to its end (or `stop`), and says how it ended: finished (early or not), or diverged
/// with the error, which still keeps the weights selected before. Any other error ends the job.
fn run_trainer<T: Scalar>(
    trainer: &mut Trainer<T>,
    data: &crate::trainer::TrainData<T>,
    stop: Option<&AtomicBool>,
    observer: &mut (dyn FnMut(&TrainEvent<T>) + Send),
) -> Result<(Status, Option<TrainError>)> {
    let mut early_stopped = false;
    let result = trainer.run_until(data, stop, &mut |event| {
        // Patience ran out; L-BFGS's convergence is not an early stop (inspect tells it by the epochs).
        if let TrainEvent::Stopped {
            reason: StopReason::EarlyStopping { .. },
            ..
        } = event
        {
            early_stopped = true;
        }
        observer(event);
    });
    match result {
        Ok(()) => Ok((
            Status::Finished {
                epochs_run: trainer.progress().epoch,
                early_stopped,
            },
            None,
        )),
        Err(e @ TrainError::Diverged { .. }) => Ok((diverged_status(&e), Some(e))),
        Err(e) => Err(e),
    }
}

/// A trainer of a new network, from the seed, or of the run `resume` holds, which must not have reached
/// the epochs asked for yet.
fn start_trainer<T: Scalar>(
    config: ValidConfig,
    spec: &JobSpec,
    arch: Architecture,
    resume: Option<Resume>,
) -> Result<Trainer<T>> {
    let Some(r) = resume else {
        let init = spec.init.unwrap_or(Init::for_activation(spec.activation));
        let net = Network::<T>::new(arch, init, spec.config.seed)?;
        return Ok(Trainer::new(config, net));
    };
    let state = r.training()?.resume.clone();
    let state = state.ok_or_else(|| r.problem(ResumeProblem::NoTrainingRecord))?;
    if state.progress.epoch >= config.epochs {
        return Err(r.problem(ResumeProblem::AlreadyDone {
            done: state.progress.epoch,
            asked: config.epochs,
        }));
    }
    Ok(Trainer::resume(
        config,
        state.current.cast(),
        state.progress.cast(),
    ))
}

/// The job of a resumed run, after checking that it continues in the same precision on the same data.
fn resumed_spec<T: Scalar>(r: &Resume, given: &JobSpec, digest: &str) -> Result<JobSpec> {
    let spec = r.spec(&given.config)?;
    let t = r.training()?;
    if t.data.digest != digest {
        return Err(r.problem(ResumeProblem::OtherData {
            trained_on: t.data.name.clone(),
        }));
    }
    let wanted = if T::NAME == "f32" {
        Precision::F32
    } else {
        Precision::F64
    };
    if spec.precision != wanted {
        return Err(r.problem(ResumeProblem::Differs {
            flag: "--precision".into(),
            saved: spec.precision.name().into(),
            given: wanted.name().into(),
        }));
    }
    Ok(spec)
}

/// A path's file name as a model file records it: printable, at most 255 characters.
fn file_name(path: &Path) -> String {
    let name: String = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(255)
        .collect();
    if name.is_empty() { "data".into() } else { name }
}

fn diverged_status(e: &TrainError) -> Status {
    match e {
        TrainError::Diverged { epoch, what } => Status::Diverged {
            epoch: *epoch,
            cause: what.clone(),
        },
        _ => Status::InProgress,
    }
}

/// Refuses, before training, a run whose model file would exceed [`MAX_BODY`]: the file holds the weights
/// three times (selected, current, best so far) plus the optimiser's state, and one report per epoch.
fn check_file_size(arch: &Architecture, config: &TrainConfig) -> Result<()> {
    /// A bound on one epoch's report in the body: three parts of three f64, two varints and three optional
    /// f64 (R², MAE, F1), the epoch and lr.
    const REPORT_BYTES: u64 = 256;
    let copies = 3 + match config.optimizer {
        Optimizer::Gd => 0,
        Optimizer::Momentum { .. } => 1,
        Optimizer::Adam { .. } | Optimizer::AdamW { .. } => 2,
        // The (s, y) pairs and the current gradient.
        Optimizer::Lbfgs { history, .. } => 2 * history + 1,
    };
    let parameters = arch.parameter_count();
    let bytes = (parameters as u64)
        .saturating_mul(8 * copies as u64)
        .saturating_add((config.epochs as u64).saturating_mul(REPORT_BYTES))
        .saturating_add(1 << 16);
    if bytes > MAX_BODY {
        return Err(TrainError::ModelTooLarge {
            bytes,
            limit: MAX_BODY,
            parameters,
            copies,
            epochs: config.epochs,
        });
    }
    Ok(())
}
