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

mod fitted;
mod guard;

use fitted::Fitted;
use guard::{guarded, matrix, panicked, value_error};
use nn::{Data, Dataset, JobOutcome, JobSpec, Model, Spec};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

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
        let loaded = data.for_training(&spec).map_err(value_error)?;
        let job = spec.job(nn::shape(&loaded.dataset)).map_err(value_error)?;
        let log = Log {
            verbose,
            logdir: logdir.as_deref(),
        };
        let (outcome, interrupted) = train_interruptibly(py, &job, loaded.dataset, &log)?;
        if let Some(e) = outcome.error {
            return Err(value_error(e.into()));
        }
        let notes = loaded.notes.into_iter().chain(outcome.notes).collect();
        let fitted = Fitted {
            model: Model::from(outcome.model_file),
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
    dataset: Dataset,
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
    dataset: Dataset,
    stop: &AtomicBool,
    log: &Log<'_>,
) -> nn::Result<JobOutcome> {
    let mut board = (log.logdir).map(|dir| nn::TensorBoard::for_dataset(dir, &dataset));
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
