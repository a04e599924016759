//! `nn export` and `nn import`: a model out to ONNX, safetensors or the course's Θ, and Θ in as a model.

use super::common::out;
use crate::args::{ExportArgs, ImportArgs};
use anyhow::{Context, Result};
use nn_data::{LabelScheme, MatFile};
use nn_export::Options;
use nn_linalg::Matrix;
use nn_train::ModelFile;
use std::path::Path;

pub fn export(a: ExportArgs) -> Result<()> {
    let model = ModelFile::load(a.model.path())?;
    let options = Options {
        dtype: a.dtype,
        fold_standardizer: a.fold_standardizer,
    };
    let notes = nn_export::write(&model, a.format, &options, &a.out)
        .with_context(|| format!("exporting {} as {}", a.model.path().display(), a.format))?;
    for note in notes {
        eprintln!("note: {note}");
    }
    out(&format!(
        "wrote {} ({}, {})\n",
        a.out.display(),
        a.format,
        options.dtype.unwrap_or(a.format.default_dtype())
    ))
}

pub fn import(a: ImportArgs) -> Result<()> {
    let thetas = read_thetas(&a.theta, &a.theta_vars)?;
    let model = nn_export::theta::import(&thetas, a.labels.unwrap_or(LabelScheme::Auto))
        .with_context(|| format!("importing {}", a.theta.display()))?;
    model.save(&a.out)?;
    out(&format!(
        "wrote {} ({}; classes {}; raw features)\n",
        a.out.display(),
        model.network.architecture().describe(),
        model.classes.describe()
    ))
}

/// The Θ matrices `vars` (comma-separated, in layer order) of the MAT-file `path`.
pub fn read_thetas(path: &Path, vars: &str) -> Result<Vec<Matrix<f64>>> {
    let file = MatFile::open(path)?;
    Ok(vars
        .split(',')
        .map(|v| file.matrix(v.trim()))
        .collect::<Result<Vec<_>, _>>()?)
}
