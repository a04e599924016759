//! [`Fitted`]: a trained model as the Python estimators see it: predictions, the model file's bytes, ONNX,
//! the weights in scikit-learn's layout and the training curves.

use crate::guard::{guarded, matrix, value_error};
use nn::{Data, EpochReport, Format, Model};
use numpy::ndarray::{Array1, Array2};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray2};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::PathBuf;

/// One layer's weights (n_in × n_out) and biases.
type LayerArrays<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>);

/// A trained model, with what scikit-learn's estimators read of it.
#[pyclass(frozen, module = "nnlearn._native")]
pub(crate) struct Fitted {
    pub(crate) model: Model,
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
        self.model.file().network.architecture().n_input
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
