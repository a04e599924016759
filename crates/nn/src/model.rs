//! [`Model`]: a trained network with everything it needs to read new data, and the one way to train one
//! ([`train`]), which every client (the `nn` command, sweeps, xtask, Python) goes through.

use crate::data::{Data, Loaded};
use crate::error::{Error, Result};
use crate::scores::Scores;
use crate::spec::{DataShape, Spec};
use nn_core::Network;
use nn_data::Dataset;
use nn_export::{Format, Options};
use nn_linalg::{Matrix, Threads};
use nn_train::job::{JobOutcome, JobSpec, Resume, Saving, run_job};
use nn_train::{EpochReport, ModelFile, Part, PartMetrics, Precision, TrainEvent};
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// A trained model: the selected weights, the standardiser, the classes (or the target's scaling), the input
/// pipeline of a text file, and the record of its training. Saved, it is a model file (`.nnm`).
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    model_file: ModelFile,
}

/// What a model predicts for each row.
#[derive(Clone, Debug, PartialEq)]
pub enum Predicted {
    /// A class index per row (see [`Model::class_names`]).
    Classes(Vec<usize>),
    /// A number per row, in the target's units.
    Values(Vec<f64>),
}

/// A model's predictions for the rows of some data.
#[derive(Clone, Debug, PartialEq)]
pub struct Predictions {
    /// The 1-based row of the data each prediction is for (rows left out for a missing value have none).
    pub rows: Vec<usize>,
    /// The predictions.
    pub predicted: Predicted,
    /// What reading the data noticed (columns ignored, cells filled), one line each.
    pub notes: Vec<String>,
    names: Vec<String>,
}

impl Predictions {
    /// The predicted class of each row by name (empty for a regression).
    pub fn labels(&self) -> Vec<&str> {
        match &self.predicted {
            Predicted::Classes(c) => c.iter().map(|&c| self.names[c].as_str()).collect(),
            Predicted::Values(_) => Vec::new(),
        }
    }
}

impl Model {
    /// Trains a network on `data` as `spec` says: the rows are split once, the input pipeline (for a text
    /// file) and the standardiser are fitted on the training part, and the selected epoch's weights are kept.
    /// A run that diverges is an error.
    pub fn fit(spec: &Spec, data: &Data) -> Result<Model> {
        let loaded = data.for_training(spec)?;
        let job = spec.job(shape(&loaded.dataset))?;
        let outcome = train(&job, loaded.dataset, None, None, None, &mut |_| {})?;
        match outcome.error {
            Some(e) => Err(e.into()),
            None => Ok(Model::from(outcome.model_file)),
        }
    }

    /// Reads a model file.
    pub fn load(path: impl AsRef<Path>) -> Result<Model> {
        Model::checked(ModelFile::load(path.as_ref())?, path.as_ref())
    }

    /// A model of a file whose job record (format 9 on) agrees with the rest of it.
    fn checked(file: ModelFile, path: &Path) -> Result<Model> {
        let run = file.training.as_ref().map(|t| (t.run.epochs, t.run.simd));
        if let Some((epochs, simd)) = run {
            JobSpec::of_file(&file, epochs, Threads::All, simd).map_err(|why| {
                nn_train::TrainError::ModelFile {
                    path: path.to_path_buf(),
                    problem: nn_train::ModelFileProblem::Decode(why),
                }
            })?;
        }
        Ok(Model::from(file))
    }

    /// Writes the model file atomically: a reader never sees half a file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        Ok(self.model_file.save(path.as_ref())?)
    }

    /// Everything the model file holds.
    pub fn file(&self) -> &ModelFile {
        &self.model_file
    }

    /// The settings that trained the model, from the job the file records (`None` for a model file without
    /// its training record, such as one imported from the course's weights).
    pub fn spec(&self) -> Option<Spec> {
        let c = &self.model_file;
        let run = &c.training.as_ref()?.run;
        let job = JobSpec::of_file(c, run.epochs, Threads::All, run.simd).ok()??;
        Some(Spec::from_job(&job))
    }

    /// The class names, in the order of the class indices (for a regression, the target's name).
    pub fn class_names(&self) -> &[String] {
        self.model_file.classes.names()
    }

    /// The model predicts a number rather than a class.
    pub fn is_regression(&self) -> bool {
        self.model_file
            .network
            .architecture()
            .output
            .is_regression()
    }

    /// The metrics of the selected epoch on one part of the training data, if the run had that part.
    pub fn metrics(&self, part: Part) -> Option<&PartMetrics> {
        self.model_file.metrics.as_ref().and_then(|r| r.part(part))
    }

    /// The selected epoch's report on every part.
    pub fn selected(&self) -> Option<&EpochReport> {
        self.model_file.metrics.as_ref()
    }

    /// Every epoch's report, from the first (empty for a model file without its training record).
    pub fn history(&self) -> &[EpochReport] {
        self.model_file
            .resume_state()
            .map_or(&[], |r| r.progress.history.as_slice())
    }

    /// The network as it reads raw features and gives a regression's values in the target's units: the
    /// standardiser folded into the first layer and the target's scaling into the last (as the exports write
    /// it). Its predictions are the model's.
    pub fn raw_network(&self) -> Result<Network<f64>> {
        let fold = !self.model_file.standardizer.is_identity();
        let prepared =
            nn_export::Prepared::new(&self.model_file, fold).map_err(|source| Error::Export {
                path: "<memory>".into(),
                source,
            })?;
        Ok(prepared.network)
    }

    /// The model file's bytes ([`save`](Self::save) writes them).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        self.model_file.to_bytes().map_err(|problem| {
            nn_train::TrainError::ModelFile {
                path: "<memory>".into(),
                problem,
            }
            .into()
        })
    }

    /// A model from a model file's bytes, checked as [`load`](Self::load) checks a file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        Model::checked(
            ModelFile::from_bytes(bytes, Path::new("<memory>"))?,
            Path::new("<memory>"),
        )
    }

    /// The prediction for every row of `data`, read as the model reads data: a text file's columns are matched
    /// by header name, in any order, and a target column is ignored.
    pub fn predict(&self, data: &Data) -> Result<Predictions> {
        let features = data.features_for(&self.model_file)?;
        let predicted = if self.is_regression() {
            let v = nn_train::job::predict_values(&self.model_file, &features.x)?;
            Predicted::Values(v.col(0).to_vec())
        } else {
            Predicted::Classes(nn_train::job::predict(&self.model_file, &features.x)?)
        };
        let m = features.x.rows();
        Ok(Predictions {
            rows: features.rows.unwrap_or_else(|| (1..=m).collect()),
            predicted,
            notes: features.notes,
            names: self.class_names().to_vec(),
        })
    }

    /// Each row's probability of each class (rows × classes; two columns for a single sigmoid unit). A
    /// regression model has none.
    pub fn predict_proba(&self, data: &Data) -> Result<Matrix<f64>> {
        if self.is_regression() {
            return Err(Error::input(
                "a regression model predicts values, not class probabilities",
            ));
        }
        let features = data.features_for(&self.model_file)?;
        let p = nn_train::job::predict_proba(&self.model_file, &features.x)?;
        Ok(if p.cols() == 1 {
            // One sigmoid unit gives P(class 1); class 0's probability is its complement.
            Matrix::from_fn(p.rows(), 2, |i, j| {
                if j == 1 {
                    p.get(i, 0)
                } else {
                    1.0 - p.get(i, 0)
                }
            })
        } else {
            p
        })
    }

    /// The model's scores on labelled `data`, read as the model reads data.
    pub fn evaluate(&self, data: &Data) -> Result<Scores> {
        let loaded = data.labelled_for(&self.model_file)?;
        Scores::of(&self.model_file, &loaded.dataset)
    }

    /// Writes the model in another tool's format (atomically), and returns what the export noticed.
    pub fn export(&self, format: Format, options: &Options, path: &Path) -> Result<Vec<String>> {
        nn_export::write(&self.model_file, format, options, path).map_err(|source| Error::Export {
            path: path.to_path_buf(),
            source,
        })
    }
}

impl From<ModelFile> for Model {
    fn from(model_file: ModelFile) -> Model {
        Model { model_file }
    }
}

/// What [`Spec::job`] needs to know of a dataset.
pub fn shape(d: &Dataset) -> DataShape {
    DataShape {
        features: d.features(),
        classes: d.classes().len(),
        rows: d.len(),
        regression: d.is_regression(),
    }
}

/// The dataset a run trains on: for a new run, `data` read with the pipeline fitted on the training part of
/// `spec`'s split; to continue the run in `resume`, `data` read as that model reads data.
pub fn training_data(spec: &Spec, data: &Data, resume: Option<&Resume>) -> Result<Loaded> {
    match resume {
        None => data.for_training(spec),
        Some(r) => data.labelled_for(&r.model_file),
    }
}

/// Runs `job` on `dataset` (taken: its training part keeps the dataset's matrix) in its precision, or continues `resume`, keeping the model file of `saving`
/// current. The observer hears every event but the two that carry weights (see
/// [`TrainEvent::without_weights`]). Setting `stop` (from another thread, or in the observer) ends the run
/// after the epoch in progress, as a finished run of that many epochs.
pub fn train(
    job: &JobSpec,
    dataset: Dataset,
    resume: Option<Resume>,
    saving: Option<Saving<'_>>,
    stop: Option<&AtomicBool>,
    observer: &mut (dyn FnMut(&TrainEvent<'_>) + Send),
) -> Result<JobOutcome> {
    Ok(match job.precision {
        Precision::F64 => run_job::<f64>(dataset, job, resume, saving, stop, &mut |e| {
            if let Some(e) = e.without_weights() {
                observer(&e);
            }
        })?,
        Precision::F32 => run_job::<f32>(dataset, job, resume, saving, stop, &mut |e| {
            if let Some(e) = e.without_weights() {
                observer(&e);
            }
        })?,
    })
}
