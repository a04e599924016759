//! What every function of the module shares: nn's errors as Python exceptions, panics caught, and numpy's
//! arrays read into nn's matrices.

use nn::Matrix;
use numpy::{PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// nn's error as the `ValueError` Python code expects of bad input or settings.
pub(crate) fn value_error(e: nn::Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Runs `f`, turning a panic into a `RuntimeError` (a panic is a bug in nn; it must not abort Python).
pub(crate) fn guarded<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| Err(panicked(panic.as_ref())))
}

pub(crate) fn panicked(panic: &(dyn std::any::Any + Send)) -> PyErr {
    let what = (panic.downcast_ref::<&str>().copied())
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic");
    PyRuntimeError::new_err(format!("internal error in nn (please report it): {what}"))
}

/// The rows of `x` as nn's column-major matrix: one copy, read straight from numpy's buffer when it is
/// contiguous in either order.
pub(crate) fn matrix(x: &PyReadonlyArray2<'_, f64>) -> Matrix<f64> {
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
