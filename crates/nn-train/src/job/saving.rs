//! Keeping the model file current while a job trains, so that killing the process at any moment loses at most
//! one save interval of work.
//!
//! The file is written before the first epoch, then at the end of the first epoch after each interval has
//! passed, and once more when training ends. Every write holds the best weights so far (a new best that
//! arrives inside an interval goes to disk with the next write: it is never dropped) and the resume state of
//! the epoch just completed. Each write is atomic (temporary file, sync, rename): the file on disk is always
//! a complete model that `nn train --resume` continues bit for bit.

use crate::epoch::EpochReport;
use crate::error::Result;
use crate::model_file::{ModelFile, Precision, ResumeState, Status, Training};
use crate::progress::Progress;
use nn_core::Network;
use nn_data::{ClassMap, Schema, Standardizer};
use nn_linalg::Scalar;
use std::path::Path;
use std::time::{Duration, Instant};

/// Where and how often the model file is written during training.
#[derive(Clone, Copy, Debug)]
pub struct Saving<'a> {
    /// The model file.
    pub path: &'a Path,
    /// The longest time between two writes while training; zero writes after every epoch.
    pub every: Duration,
}

/// Everything of a model file that does not change while a job trains.
pub(super) struct ModelTemplate {
    pub precision: Precision,
    pub standardizer: Standardizer,
    pub classes: ClassMap,
    /// How the training file's columns became features, if it was delimited text.
    pub schema: Option<Schema>,
    /// Regression: the target's scaling.
    pub target_scale: Option<Standardizer>,
    /// The training record, without its resume state.
    pub training: Training,
}

impl ModelTemplate {
    /// The model file of a run at this point: the selected weights, the status, and the resume state (unless
    /// `status` says it diverged).
    pub fn model_file<T: Scalar>(
        &self,
        current: &Network<T>,
        progress: &Progress<T>,
        status: Status,
    ) -> ModelFile {
        let (selected, report): (&Network<T>, Option<&EpochReport>) = match &progress.best {
            Some((n, r)) if r.epoch > 0 => (n, Some(r)),
            _ => (current, None),
        };
        let resume = (!matches!(status, Status::Diverged { .. })).then(|| ResumeState {
            current: current.cast(),
            progress: progress.cast(),
        });
        ModelFile {
            network: selected.cast(),
            precision: self.precision,
            standardizer: self.standardizer.clone(),
            classes: self.classes.clone(),
            epoch: report.map_or(0, |r| r.epoch),
            metrics: report.copied(),
            status,
            training: Some(Training {
                resume,
                ..self.training.clone()
            }),
            schema: self.schema.clone(),
            target_scale: self.target_scale.clone(),
        }
    }
}

/// The writer and its clock.
///
/// A write during training that fails (a full disk, a directory removed) leaves the previous complete model
/// on disk; training goes on and the next interval tries again, so a passing problem costs nothing. The job's
/// final write, which is always attempted, decides whether the run is saved.
pub(super) struct Writer<'a> {
    saving: Saving<'a>,
    last: Instant,
}

impl<'a> Writer<'a> {
    /// Writes the state before the first epoch (which also proves the path writable).
    pub fn start<T: Scalar>(
        saving: Saving<'a>,
        template: &ModelTemplate,
        current: &Network<T>,
        progress: &Progress<T>,
    ) -> Result<Self> {
        template
            .model_file(current, progress, Status::InProgress)
            .save(saving.path)?;
        Ok(Writer {
            saving,
            last: Instant::now(),
        })
    }

    /// After an epoch: writes if the interval has passed since the last write.
    pub fn epoch<T: Scalar>(
        &mut self,
        template: &ModelTemplate,
        current: &Network<T>,
        progress: &Progress<T>,
    ) {
        if self.last.elapsed() < self.saving.every {
            return;
        }
        // A failure is retried at the next interval (see the type's docs).
        let _ = template
            .model_file(current, progress, Status::InProgress)
            .save(self.saving.path);
        self.last = Instant::now();
    }
}
