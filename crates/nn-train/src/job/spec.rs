//! [`JobSpec`]: everything that defines a job, and [`Resume`]: a run saved in a model file, to continue.

use crate::config::TrainConfig;
use crate::error::{Result, ResumeProblem, TrainError};
use crate::model_file::{ModelFile, Precision, RunRecord, Status, Training};
use nn_core::{Activation, Architecture, Init, Output};
use nn_data::SplitSpec;
use nn_linalg::Threads;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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
    /// The weight initialisation; `None` for the customary one of the hidden activation
    /// ([`Init::for_activation`]).
    pub init: Option<Init>,
}

impl JobSpec {
    /// What a model file records of this job.
    pub fn record(&self) -> RunRecord {
        let c = &self.config;
        RunRecord {
            epochs: c.epochs,
            lr: c.lr,
            schedule: c.schedule.clone(),
            optimizer: c.optimizer,
            batch_size: c.batch_size,
            lambda: c.lambda,
            seed: c.seed,
            selection: c.selection,
            patience: c.patience,
            min_delta: c.min_delta,
            split_train: self.split.train,
            split_validation: self.split.validation,
            stratified: self.split.stratified,
            split_seed: self.split.seed,
            standardize: self.standardize,
            init: self.init,
            dropout: c.dropout,
            shift: c.shift,
            class_weight: c.class_weight.clone(),
            shuffle: c.shuffle,
            simd: Some(c.simd.unwrap_or_else(nn_linalg::simd::level)),
        }
    }

    /// The job a model file records, to run to `epochs` on `threads` at the SIMD level `simd` (`None`: the
    /// process's).
    pub fn from_record(
        arch: &Architecture,
        precision: Precision,
        r: &RunRecord,
        epochs: usize,
        threads: Threads,
        simd: Option<nn_linalg::simd::Level>,
    ) -> JobSpec {
        JobSpec {
            hidden: arch.hidden.clone(),
            output: arch.output,
            activation: arch.activation,
            config: TrainConfig {
                epochs,
                lr: r.lr,
                schedule: r.schedule.clone(),
                optimizer: r.optimizer,
                batch_size: r.batch_size,
                lambda: r.lambda,
                seed: r.seed,
                selection: r.selection,
                patience: r.patience,
                min_delta: r.min_delta,
                threads,
                simd,
                dropout: r.dropout,
                shift: r.shift,
                class_weight: r.class_weight.clone(),
                shuffle: r.shuffle,
            },
            split: SplitSpec {
                train: r.split_train,
                validation: r.split_validation,
                stratified: r.stratified,
                seed: r.split_seed,
            },
            standardize: r.standardize,
            precision,
            init: r.init,
        }
    }

    /// The job `file` records, to run to `epochs` on `threads` at the SIMD level `simd`: from its JSON record
    /// (format 9 on), which must agree with the rest of the file (the network's shape, the precision and
    /// every setting the [`RunRecord`] holds too), or for an older file from its [`RunRecord`]. `None` for a
    /// file without a training record.
    pub fn of_file(
        file: &ModelFile,
        epochs: usize,
        threads: Threads,
        simd: Option<nn_linalg::simd::Level>,
    ) -> std::result::Result<Option<JobSpec>, String> {
        let Some(t) = &file.training else {
            return Ok(None);
        };
        let arch = file.network.architecture();
        let recorded = JobSpec::from_record(arch, file.precision, &t.run, epochs, threads, simd);
        let Some(json) = &t.job else {
            return Ok(Some(recorded));
        };
        let mut job: JobSpec =
            serde_json::from_str(json).map_err(|e| format!("the job record: {e}"))?;
        // What the record holds of the job, but the total of epochs and the SIMD level that ran, which
        // `record` takes from the job.
        let mut derived = job.record();
        derived.epochs = t.run.epochs;
        derived.simd = t.run.simd;
        let agrees = derived == t.run
            && job.precision == file.precision
            && (job.hidden.as_slice(), job.output, job.activation)
                == (arch.hidden.as_slice(), arch.output, arch.activation);
        if !agrees {
            return Err("the job record disagrees with the rest of the file".into());
        }
        job.config.epochs = epochs;
        job.config.threads = threads;
        job.config.simd = simd;
        Ok(Some(job))
    }

    /// The network's shape on a dataset of `n_input` features and `classes` classes: one sigmoid unit for two
    /// classes with a sigmoid output, else one unit per class.
    pub fn architecture(&self, n_input: usize, classes: usize) -> Architecture {
        Architecture {
            n_input,
            hidden: self.hidden.clone(),
            n_outputs: if self.output == Output::Sigmoid && classes == 2 {
                1
            } else {
                classes
            },
            activation: self.activation,
            output: self.output,
        }
    }
}

/// A model file to continue, and where it came from (errors name that path).
#[derive(Clone, Debug)]
pub struct Resume {
    /// The file, as given.
    pub path: PathBuf,
    /// Its contents.
    pub model_file: ModelFile,
}

impl Resume {
    /// Loads `path` (exactly that path: model files are never looked up elsewhere).
    pub fn load(path: &Path) -> Result<Resume> {
        Ok(Resume {
            path: path.to_path_buf(),
            model_file: ModelFile::load(path)?,
        })
    }

    pub(super) fn problem(&self, problem: ResumeProblem) -> TrainError {
        TrainError::Resume {
            path: self.path.clone(),
            problem,
        }
    }

    /// The training record, if the run can be continued at all.
    pub fn training(&self) -> Result<&Training> {
        let c = &self.model_file;
        if let Status::Diverged { epoch, cause } = &c.status {
            return Err(self.problem(ResumeProblem::Diverged {
                epoch: *epoch,
                cause: cause.clone(),
            }));
        }
        c.training
            .as_ref()
            .filter(|t| t.resume.is_some())
            .ok_or_else(|| self.problem(ResumeProblem::NoTrainingRecord))
    }

    /// The job the file records, with the settings that may change on resume taken from `given`: the epochs
    /// to reach in total, the threads and the SIMD level.
    pub fn spec(&self, given: &TrainConfig) -> Result<JobSpec> {
        self.training()?;
        let job = JobSpec::of_file(&self.model_file, given.epochs, given.threads, given.simd)
            .map_err(|why| TrainError::ModelFile {
                path: self.path.clone(),
                problem: crate::error::ModelFileProblem::Decode(why),
            })?;
        job.ok_or_else(|| self.problem(ResumeProblem::NoTrainingRecord))
    }
}
