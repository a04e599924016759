//! A whole training job, as the `nn` command and the experiment runner use it: split the dataset, fit the
//! standardiser on the training part, train in the chosen precision, and keep the model file on disk up to
//! date (on each new best, at most once per interval, and at the end).

use crate::checkpoint::{Checkpoint, Precision, ResumeState};
use crate::config::TrainConfig;
use crate::error::{CheckpointProblem, Result, TrainError};
use crate::report::{EpochReport, TrainEvent};
use crate::trainer::{Samples, TrainData, Trainer};
use nn_core::{Activation, Architecture, Init, Network, Output};
use nn_data::{Dataset, Split, SplitSpec, Standardizer};
use nn_linalg::{Matrix, Scalar};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::path::Path;
use std::time::{Duration, Instant};

/// Everything that defines a job besides the data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSpec {
    /// Hidden layer widths.
    pub hidden: Vec<usize>,
    /// Output layer.
    pub output: Output,
    /// Hidden activation.
    pub activation: Activation,
    /// The training configuration (seed included).
    pub config: TrainConfig,
    /// How the data is split.
    pub split: SplitSpec,
    /// Standardise features with statistics of the training part.
    pub standardize: bool,
    /// f32 or f64.
    pub precision: Precision,
}

/// Where a model came from, so that a resume can check it is given the same data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The data file's name (not its path: checkpoints hold no host details).
    pub data_name: String,
    /// SHA-256 over the dataset's shape, features and labels.
    pub data_digest: String,
    /// The job that trained it.
    pub spec: JobSpec,
}

/// The parts of a dataset ready for training, and how they were made.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Standardised parts.
    pub data: TrainData<f64>,
    /// Which rows of the dataset went where.
    pub split: Split,
    /// Fitted on the training part (identity if not standardising).
    pub standardizer: Standardizer,
}

/// SHA-256 over a dataset's shape, feature bits and labels.
pub fn data_digest(d: &Dataset) -> String {
    let mut h = sha2::Sha256::new();
    h.update((d.x.rows() as u64).to_le_bytes());
    h.update((d.x.cols() as u64).to_le_bytes());
    for j in 0..d.x.cols() {
        for v in d.x.col(j) {
            h.update(v.to_bits().to_le_bytes());
        }
    }
    for &c in &d.labels {
        h.update((c as u64).to_le_bytes());
    }
    format!("{:x}", h.finalize())
}

/// Splits `dataset` and standardises every part with statistics of the training part.
pub fn prepare(dataset: &Dataset, split: &SplitSpec, standardize: bool) -> Result<Prepared> {
    let parts = nn_data::split(&dataset.labels, split).map_err(|e| TrainError::Config {
        field: "split",
        value: format!("{}/{}", split.train, split.validation),
        expected: e.to_string(),
    })?;
    let take = |idx: &[usize]| {
        let d = dataset.select(idx);
        Samples {
            x: d.x,
            labels: d.labels,
        }
    };
    let mut train = take(&parts.train);
    let standardizer = if standardize {
        Standardizer::fit(&train.x)
    } else {
        Standardizer::identity(dataset.features())
    };
    standardizer.transform(&mut train.x);
    let other = |idx: &[usize]| {
        (!idx.is_empty()).then(|| {
            let mut s = take(idx);
            standardizer.transform(&mut s.x);
            s
        })
    };
    let validation = other(&parts.validation);
    let test = other(&parts.test);
    Ok(Prepared {
        data: TrainData {
            train,
            validation,
            test,
        },
        split: parts,
        standardizer,
    })
}

fn cast_samples<T: Scalar>(s: &Samples<f64>) -> Samples<T> {
    Samples {
        x: s.x.cast(),
        labels: s.labels.clone(),
    }
}

/// The precision-specific copy of the parts (f64 is used as it is).
pub fn cast_data<T: Scalar>(d: &TrainData<f64>) -> TrainData<T> {
    TrainData {
        train: cast_samples(&d.train),
        validation: d.validation.as_ref().map(cast_samples),
        test: d.test.as_ref().map(cast_samples),
    }
}

/// What a job produced.
#[derive(Debug)]
pub struct JobOutcome {
    /// The model (selected weights) with its resume state.
    pub checkpoint: Checkpoint,
    /// The parts it trained and reported on.
    pub prepared: Prepared,
    /// Set if training stopped on an error (divergence); the checkpoint then holds the last good selection.
    pub error: Option<TrainError>,
    /// Wall time of the training loop.
    pub elapsed: Duration,
}

impl JobOutcome {
    /// Every epoch's report.
    pub fn history(&self) -> &[EpochReport] {
        self.checkpoint
            .resume
            .as_ref()
            .map_or(&[], |r| r.progress.history.as_slice())
    }
}

/// Where and how often the model file is written during training.
#[derive(Clone, Copy, Debug)]
pub struct Saving<'a> {
    /// The model file.
    pub path: &'a Path,
    /// At most one write per this interval while training (the final write always happens).
    pub min_interval: Duration,
}

/// Runs `spec` on `dataset` in precision `T`, continuing `resume` if given (whose config and split are then
/// used, with `spec.config.epochs` as the total to reach). The observer hears every event.
pub fn run_job<T: Scalar>(
    dataset: &Dataset,
    spec: &JobSpec,
    resume: Option<Checkpoint>,
    saving: Option<Saving<'_>>,
    observer: &mut (dyn FnMut(&TrainEvent<T>) + Send),
) -> Result<JobOutcome> {
    let digest = data_digest(dataset);
    let data_name = dataset
        .source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let resume_err = |problem: String| TrainError::Checkpoint {
        path: saving.map_or_else(|| "resume".into(), |s| s.path.to_path_buf()),
        problem: CheckpointProblem::Invalid(problem),
    };
    let (spec, resume) = match resume {
        None => (spec.clone(), None),
        Some(ckpt) => {
            let prov = ckpt
                .provenance
                .clone()
                .ok_or_else(|| resume_err("it records no provenance to resume from".into()))?;
            if prov.data_digest != digest {
                return Err(resume_err(format!(
                    "it was trained on other data ({}); pass the same --data",
                    prov.data_name
                )));
            }
            if ckpt.precision != prov.spec.precision
                || (T::NAME == "f32") != (ckpt.precision == Precision::F32)
            {
                return Err(resume_err(format!(
                    "it was trained in {:?}; resume in the same precision",
                    ckpt.precision
                )));
            }
            let mut s = prov.spec.clone();
            s.config.epochs = spec.config.epochs;
            s.config.threads = spec.config.threads;
            (s, Some(ckpt))
        }
    };
    let prepared = prepare(dataset, &spec.split, spec.standardize)?;
    let data = cast_data::<T>(&prepared.data);
    let config = spec.config.clone().validate(
        data.train.x.rows(),
        data.validation.is_some(),
        data.test.is_some(),
    )?;
    let mut trainer = match resume {
        None => {
            let arch = Architecture {
                n_input: dataset.features(),
                hidden: spec.hidden.clone(),
                n_outputs: if spec.output == Output::Sigmoid && dataset.classes.len() == 2 {
                    1
                } else {
                    dataset.classes.len()
                },
                activation: spec.activation,
                output: spec.output,
            };
            Trainer::new(
                config,
                Network::<T>::new(arch, Init::XavierUniform, spec.config.seed)?,
            )
        }
        Some(ckpt) => {
            let state = ckpt
                .resume
                .ok_or_else(|| resume_err("it is a model without resume state".into()))?;
            if state.progress.epoch >= config.epochs {
                return Err(resume_err(format!(
                    "it has already run {} epochs; ask for more with --epochs",
                    state.progress.epoch
                )));
            }
            Trainer::resume(config, state.current.cast(), state.progress.cast())
        }
    };
    let provenance = Provenance {
        data_name,
        data_digest: digest,
        spec: spec.clone(),
    };
    let model = |net: &Network<f64>, report: Option<&EpochReport>| Checkpoint {
        network: net.clone(),
        precision: spec.precision,
        standardizer: prepared.standardizer.clone(),
        classes: dataset.classes.clone(),
        config: spec.config.clone(),
        epoch: report.map_or(0, |r| r.epoch),
        metrics: report.copied(),
        resume: None,
        provenance: Some(provenance.clone()),
    };

    let mut last_write: Option<Instant> = None;
    let mut write_error = None;
    let started = Instant::now();
    let result = trainer.run(&data, &mut |event| {
        if let (TrainEvent::NewBest { report, network }, Some(s)) = (event, saving)
            && last_write.is_none_or(|t| t.elapsed() >= s.min_interval)
            && write_error.is_none()
        {
            // Only the model: the resume state is written once the loop has returned.
            if let Err(e) = model(&network.cast(), Some(report)).save(s.path) {
                write_error = Some(e);
            }
            last_write = Some(Instant::now());
        }
        observer(event);
    });
    let elapsed = started.elapsed();
    if let Some(e) = write_error {
        return Err(e);
    }
    let error = match result {
        Ok(()) => None,
        Err(e @ TrainError::Diverged { .. }) => Some(e),
        Err(e) => return Err(e),
    };
    let (selected, report) = trainer.selected();
    let mut checkpoint = model(&selected.cast(), report);
    if error.is_none() {
        checkpoint.resume = Some(ResumeState {
            current: trainer.network().cast(),
            progress: trainer.progress().cast(),
        });
    }
    if let Some(s) = saving {
        checkpoint.save(s.path)?;
    }
    Ok(JobOutcome {
        checkpoint,
        prepared,
        error,
        elapsed,
    })
}

/// Predictions of a checkpoint's model on raw (unstandardised) features: probabilities (m×k).
pub fn predict_proba(ckpt: &Checkpoint, raw: &Matrix<f64>) -> Result<Matrix<f64>> {
    let mut x = raw.clone();
    check_width(ckpt, &x)?;
    ckpt.standardizer.transform(&mut x);
    Ok(match ckpt.precision {
        Precision::F64 => ckpt.network.predict_proba(&x)?,
        Precision::F32 => ckpt.network.cast::<f32>().predict_proba(&x.cast())?.cast(),
    })
}

fn check_width(ckpt: &Checkpoint, x: &Matrix<f64>) -> Result<()> {
    let expected = ckpt.network.architecture().n_input;
    if x.cols() != expected {
        return Err(nn_core::CoreError::InputWidth {
            expected,
            found: x.cols(),
        }
        .into());
    }
    Ok(())
}

/// Loss and accuracy of a checkpoint's model on raw features and class labels, and its predictions.
pub fn evaluate(
    ckpt: &Checkpoint,
    raw: &Matrix<f64>,
    labels: &[usize],
) -> Result<(nn_core::Evaluation, Vec<usize>)> {
    let mut x = raw.clone();
    check_width(ckpt, &x)?;
    ckpt.standardizer.transform(&mut x);
    let lambda = ckpt.config.lambda;
    Ok(match ckpt.precision {
        Precision::F64 => (
            ckpt.network.evaluate(&x, labels, lambda)?,
            ckpt.network.predict(&x)?,
        ),
        Precision::F32 => {
            let (n, x) = (ckpt.network.cast::<f32>(), x.cast::<f32>());
            (n.evaluate(&x, labels, lambda)?, n.predict(&x)?)
        }
    })
}
