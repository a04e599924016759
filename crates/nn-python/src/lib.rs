//! `nnlearn._native`: the compiled half of the Python package `nnlearn` (`python/`). It is a thin client of
//! the [`nn`] facade: numpy arrays in, [`nn::Model`] out. The scikit-learn estimators are plain Python over it
//! (`python/nnlearn/`).
//!
//! - **Arrays.** Features arrive as float64 numpy arrays and are read in place, C or Fortran order, into the
//!   one column-major copy that training needs (the split gathers rows, so training never works on the
//!   caller's buffer). Other layouts are read element by element; other dtypes are converted by the Python
//!   side first.
//! - **The GIL** is released while a model trains: training runs on its own thread while the calling thread
//!   waits without the GIL and checks for signals between waits. A `KeyboardInterrupt` stops the run after
//!   the epoch in progress; the model of the epochs run so far is kept.
//! - **Errors** are Python exceptions: nn's own as `ValueError` with the one-line cause the `nn` command
//!   prints, and a panic (which would be a bug) as `RuntimeError`, never an abort.

use nn::{Data, Dataset, EpochReport, Format, JobOutcome, JobSpec, Matrix, Model, Spec};
use numpy::ndarray::{Array1, Array2};
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// nn's error as the `ValueError` Python code expects of bad input or settings.
fn value_error(e: nn::Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Runs `f`, turning a panic into a `RuntimeError` (a panic is a bug in nn; it must not abort Python).
fn guarded<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| Err(panicked(panic.as_ref())))
}

fn panicked(panic: &(dyn std::any::Any + Send)) -> PyErr {
    let what = (panic.downcast_ref::<&str>().copied())
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic");
    PyRuntimeError::new_err(format!("internal error in nn (please report it): {what}"))
}

/// The rows of `x` as nn's column-major matrix: one copy, read straight from numpy's buffer when it is
/// contiguous in either order.
fn matrix(x: &PyReadonlyArray2<'_, f64>) -> Matrix<f64> {
    let (m, n) = (x.shape()[0], x.shape()[1]);
    match x.as_slice() {
        Ok(values) if x.is_c_contiguous() => Matrix::from_row_major(m, n, values),
        Ok(values) => Matrix::from_col_major(m, n, values),
        Err(_) => {
            let view = x.as_array();
            Matrix::from_fn(m, n, |i, j| view[[i, j]])
        }
    }
}

/// One layer's weights (n_in × n_out) and biases.
type LayerArrays<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>);

/// A trained model, with what scikit-learn's estimators read of it.
#[pyclass(frozen, module = "nnlearn._native")]
struct Fitted {
    model: Model,
}

/// Trains a model as `spec` (nn's run specification, as JSON) says, on `x` with `y`: class indices named by
/// `classes`, or values (`classes` None). Returns the model, whether a `KeyboardInterrupt` cut the run short,
/// and what the run noticed (a note a line, e.g. a validation loss still falling at the last epoch). With
/// `logdir`, the run is logged there for TensorBoard.
#[pyfunction]
#[pyo3(signature = (x, y, classes, spec, verbose, logdir=None))]
fn fit(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, f64>,
    y: &Bound<'_, PyAny>,
    classes: Option<Vec<String>>,
    spec: &str,
    verbose: bool,
    logdir: Option<PathBuf>,
) -> PyResult<(Fitted, bool, Vec<String>)> {
    guarded(|| {
        let spec: Spec = serde_json::from_str(spec)
            .map_err(|e| PyValueError::new_err(format!("settings: {e}")))?;
        let x = matrix(&x);
        let data = match classes {
            Some(names) => {
                let labels = y.extract::<PyReadonlyArray1<'_, i64>>()?;
                let labels = labels
                    .as_array()
                    .iter()
                    .map(|&c| c.max(0) as usize)
                    .collect();
                Data::classes(x, labels, names)
            }
            None => {
                let values = y.extract::<PyReadonlyArray1<'_, f64>>()?;
                Data::values(x, values.as_array().to_vec(), "y")
            }
        }
        .map_err(value_error)?;
        let loaded = data.for_training(&spec.split_spec()).map_err(value_error)?;
        let job = spec.job(nn::shape(&loaded.dataset)).map_err(value_error)?;
        let log = Log {
            verbose,
            logdir: logdir.as_deref(),
        };
        let (outcome, interrupted) = train_interruptibly(py, &job, &loaded.dataset, &log)?;
        if let Some(e) = outcome.error {
            return Err(value_error(e.into()));
        }
        let notes = loaded.notes.into_iter().chain(outcome.notes).collect();
        let fitted = Fitted {
            model: Model::from(outcome.checkpoint),
        };
        Ok((fitted, interrupted, notes))
    })
}

/// How a run reports itself: progress lines (`verbose`), and a TensorBoard log.
struct Log<'a> {
    verbose: bool,
    logdir: Option<&'a std::path::Path>,
}

/// Trains on a thread of its own while this one waits without the GIL, taking it between waits to let Python
/// run its signal handlers. A `KeyboardInterrupt` stops the run after its epoch and keeps its model, as
/// scikit-learn's MLP does (the flag says so); another exception from a signal handler stops it and is raised.
fn train_interruptibly(
    py: Python<'_>,
    job: &JobSpec,
    dataset: &Dataset,
    log: &Log<'_>,
) -> PyResult<(JobOutcome, bool)> {
    let stop = AtomicBool::new(false);
    let (outcome, interrupted, raised) = std::thread::scope(|s| {
        let (done, mut finished) = mpsc::channel();
        let stop = &stop;
        let run = s.spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(|| train_logged(job, dataset, stop, log)));
            let _ = done.send(());
            result
        });
        let (mut interrupted, mut raised) = (false, None);
        loop {
            let (receiver, waited) = py.detach(move || {
                let waited = finished.recv_timeout(Duration::from_millis(50));
                (finished, waited)
            });
            finished = receiver;
            if waited != Err(mpsc::RecvTimeoutError::Timeout) {
                break;
            }
            if let Err(e) = py.check_signals() {
                if !e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) {
                    raised.get_or_insert(e);
                }
                interrupted = true;
                stop.store(true, Ordering::Relaxed);
            }
        }
        (run.join(), interrupted, raised)
    });
    if let Some(e) = raised {
        return Err(e);
    }
    match outcome {
        Ok(Ok(result)) => Ok((result.map_err(value_error)?, interrupted)),
        Ok(Err(panic)) | Err(panic) => Err(panicked(panic.as_ref())),
    }
}

/// `nn::train` with the run's progress printed and logged as `log` asks; a TensorBoard log that could not be
/// written becomes a note.
fn train_logged(
    job: &JobSpec,
    dataset: &Dataset,
    stop: &AtomicBool,
    log: &Log<'_>,
) -> nn::Result<JobOutcome> {
    let mut board = log.logdir.map(nn::TensorBoard::new);
    let mut outcome = nn::train(job, dataset, None, None, Some(stop), &mut |e| {
        if log.verbose {
            report(e);
        }
        if let Some(b) = board.as_mut() {
            b.event(e);
        }
    })?;
    if let Some(problem) = board.and_then(|b| b.problem) {
        let note = format!("warning: logdir: {problem}; the TensorBoard log stops there");
        outcome.notes.push(note);
    }
    Ok(outcome)
}

/// One epoch's line for `verbose`, printed through Python's `print` (so notebooks show it), as scikit-learn
/// prints its MLP's progress.
fn report(event: &nn::TrainEvent<'_>) {
    let nn::TrainEvent::Epoch(r) = event else {
        return;
    };
    let mut line = format!("Iteration {}, loss = {:.8}", r.epoch, r.train.cost);
    if let Some(v) = &r.validation {
        let score = v.r2.unwrap_or(v.accuracy);
        line.push_str(&format!("\nValidation score: {score:.6}"));
    }
    Python::attach(|py| {
        let _ = py
            .import("builtins")
            .and_then(|b| b.getattr("print"))
            .and_then(|print| print.call1((line,)));
    });
}

/// Reads a model file (one that `nn train` wrote, or `Fitted.save`).
#[pyfunction]
fn load(path: PathBuf) -> PyResult<Fitted> {
    guarded(|| {
        Ok(Fitted {
            model: Model::load(&path).map_err(value_error)?,
        })
    })
}

/// A model from the bytes of a model file (`Fitted.to_bytes`), as pickling stores it.
#[pyfunction]
fn from_bytes(bytes: &[u8]) -> PyResult<Fitted> {
    guarded(|| {
        Ok(Fitted {
            model: Model::from_bytes(bytes).map_err(value_error)?,
        })
    })
}

/// A column of per-epoch numbers.
fn curve<'py>(
    py: Python<'py>,
    history: &[EpochReport],
    f: impl Fn(&EpochReport) -> Option<f64>,
) -> Option<Bound<'py, PyArray1<f64>>> {
    let values: Option<Vec<f64>> = history.iter().map(f).collect();
    values.filter(|v| !v.is_empty()).map(|v| v.into_pyarray(py))
}

#[pymethods]
impl Fitted {
    /// Class probabilities, one row per row of `x` (two columns for a single sigmoid unit).
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        guarded(|| {
            let x = matrix(&x);
            let p = py
                .detach(|| self.model.predict_proba(&Data::rows(x)))
                .map_err(value_error)?;
            Ok(Array2::from_shape_fn((p.rows(), p.cols()), |(i, j)| p.get(i, j)).into_pyarray(py))
        })
    }

    /// The predicted class indices (a classifier) or values (a regression) of the rows of `x`.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guarded(|| {
            let x = matrix(&x);
            let p = py
                .detach(|| self.model.predict(&Data::rows(x)))
                .map_err(value_error)?;
            Ok(match p.predicted {
                nn::Predicted::Classes(c) => {
                    let c: Array1<i64> = c.into_iter().map(|c| c as i64).collect();
                    c.into_pyarray(py).into_any()
                }
                nn::Predicted::Values(v) => v.into_pyarray(py).into_any(),
            })
        })
    }

    /// The model file's bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guarded(|| {
            let bytes = self.model.to_bytes().map_err(value_error)?;
            Ok(PyBytes::new(py, &bytes))
        })
    }

    /// Writes the model file atomically.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        guarded(|| self.model.save(&path).map_err(value_error))
    }

    /// Writes the model as ONNX (atomically); returns what the export noticed, a line each.
    fn to_onnx(&self, path: PathBuf) -> PyResult<Vec<String>> {
        guarded(|| {
            let options = nn::ExportOptions::default();
            (self.model.export(Format::Onnx, &options, &path)).map_err(value_error)
        })
    }

    /// Weights per layer as scikit-learn lays out `coefs_` (n_in × n_out) and `intercepts_`, for raw
    /// features: the standardiser and a regression's target scaling are folded in.
    fn layers<'py>(&self, py: Python<'py>) -> PyResult<Vec<LayerArrays<'py>>> {
        guarded(|| {
            let net = self.model.raw_network().map_err(value_error)?;
            Ok(net
                .layers()
                .iter()
                .map(|l| {
                    let w = &l.weights;
                    let coef = Array2::from_shape_fn((w.rows(), w.cols()), |(i, j)| w.get(i, j));
                    (coef.into_pyarray(py), l.bias.clone().into_pyarray(py))
                })
                .collect())
        })
    }

    /// The training cost (loss and penalty) of every epoch, or None without a training record.
    fn loss_curve<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
        curve(py, self.model.history(), |r| Some(r.train.cost))
    }

    /// The validation part's score of every epoch (accuracy, or R² for a regression), or None without one.
    fn validation_scores<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
        curve(py, self.model.history(), |r| {
            r.validation.as_ref().map(|v| v.r2.unwrap_or(v.accuracy))
        })
    }

    /// The validation part's loss of every epoch, or None without one.
    fn validation_losses<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
        curve(py, self.model.history(), |r| {
            r.validation.as_ref().map(|v| v.cost)
        })
    }

    /// Epochs run.
    #[getter]
    fn n_iter(&self) -> usize {
        self.model.history().len()
    }

    /// The epoch whose weights the model holds (0 if unknown).
    #[getter]
    fn selected_epoch(&self) -> usize {
        self.model.selected().map_or(0, |r| r.epoch)
    }

    /// Class names in the order of the class indices (for a regression, the target's name).
    #[getter]
    fn classes(&self) -> Vec<String> {
        self.model.class_names().to_vec()
    }

    /// Features the model reads.
    #[getter]
    fn n_features(&self) -> usize {
        self.model.checkpoint().network.architecture().n_input
    }

    /// The model predicts values rather than classes.
    #[getter]
    fn is_regression(&self) -> bool {
        self.model.is_regression()
    }

    /// The settings that trained it (nn's run specification as JSON), or None.
    fn spec(&self) -> PyResult<Option<String>> {
        (self
            .model
            .spec()
            .map(|s| serde_json::to_string(&s))
            .transpose())
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }
}

/// nn's default run specification, as JSON (every setting's serialised name and default).
#[pyfunction]
fn default_spec() -> PyResult<String> {
    serde_json::to_string(&Spec::default()).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// Panics inside [`guarded`], as a bug in nn would: the tests check that Python gets a `RuntimeError`.
#[pyfunction]
fn _panic_for_test() -> PyResult<()> {
    guarded(|| panic!("a deliberate panic"))
}

/// The module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Fitted>()?;
    m.add_function(wrap_pyfunction!(fit, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(from_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(default_spec, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add(
        "SETTINGS",
        Spec::SETTINGS
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>(),
    )?;
    Ok(())
}
