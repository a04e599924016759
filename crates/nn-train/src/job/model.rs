//! Using a model file's model on raw features: probabilities, predictions, loss and accuracy.

use crate::error::Result;
use crate::model_file::{ModelFile, Precision};
use nn_core::{Evaluation, L2, Network, Targets, Workspace};
use nn_linalg::{Matrix, Scalar, Threads};

/// Predictions of a model file's model on raw (unstandardised) features: probabilities (m×k).
pub fn predict_proba(model_file: &ModelFile, raw: &Matrix<f64>) -> Result<Matrix<f64>> {
    let f32_net =
        (model_file.precision == Precision::F32).then(|| model_file.network.cast::<f32>());
    let mut p: Option<Matrix<f64>> = None;
    in_blocks(model_file, raw, |first, block| {
        let q = match &f32_net {
            None => model_file.network.predict_proba(block)?,
            Some(net) => net.predict_proba(&block.cast())?.cast(),
        };
        let p = p.get_or_insert_with(|| Matrix::zeros(raw.rows(), q.cols()));
        for j in 0..q.cols() {
            p.col_mut(j)[first..first + q.rows()].copy_from_slice(q.col(j));
        }
        Ok(())
    })?;
    let classes = model_file.network.architecture().n_outputs;
    Ok(p.unwrap_or_else(|| Matrix::zeros(0, classes)))
}

/// A regression model's predictions on raw features (m×k), in the target's units: the network's standardised
/// outputs times the target's scale, plus its mean.
pub fn predict_values(model_file: &ModelFile, raw: &Matrix<f64>) -> Result<Matrix<f64>> {
    let mut z = predict_proba(model_file, raw)?;
    if let Some(t) = &model_file.target_scale {
        for j in 0..z.cols() {
            for v in z.col_mut(j) {
                *v = t.inverse(j, *v);
            }
        }
    }
    Ok(z)
}

/// Predicted classes of a model file's model on raw features: the largest logit (one sigmoid unit: logit > 0,
/// i.e. p > 0.5), in the model's precision, as [`evaluate`] counts them.
pub fn predict(model_file: &ModelFile, raw: &Matrix<f64>) -> Result<Vec<usize>> {
    let f32_net =
        (model_file.precision == Precision::F32).then(|| model_file.network.cast::<f32>());
    let mut classes = Vec::with_capacity(raw.rows());
    in_blocks(model_file, raw, |_, block| {
        classes.extend(match &f32_net {
            None => model_file.network.predict(block)?,
            Some(net) => net.predict(&block.cast())?,
        });
        Ok(())
    })?;
    Ok(classes)
}

/// Loss and accuracy of a model file's model on raw features and class labels, and its predictions. The cost's
/// penalty is the training objective's ([`ModelFile::l2`]).
pub fn evaluate(
    model_file: &ModelFile,
    raw: &Matrix<f64>,
    labels: &[usize],
) -> Result<(Evaluation, Vec<usize>)> {
    let x = standardized(model_file, raw)?;
    match model_file.precision {
        Precision::F64 => evaluate_in(&model_file.network, &x, labels, model_file.l2()),
        Precision::F32 => evaluate_in(
            &model_file.network.cast::<f32>(),
            &x.cast(),
            labels,
            model_file.l2(),
        ),
    }
}

fn evaluate_in<T: Scalar>(
    net: &Network<T>,
    x: &Matrix<T>,
    labels: &[usize],
    l2: L2,
) -> Result<(Evaluation, Vec<usize>)> {
    let rows = x.rows().min(nn_core::EVALUATION_BLOCK);
    let mut ws = Workspace::for_evaluation(net.architecture(), rows, Threads::All);
    Ok((
        net.evaluate_in_blocks(x, Targets::Classes(labels), l2, &mut ws)?,
        net.predict(x)?,
    ))
}

/// `raw` with the model's standardiser applied, after checking its width.
fn standardized(model_file: &ModelFile, raw: &Matrix<f64>) -> Result<Matrix<f64>> {
    check_width(model_file, raw)?;
    let mut x = raw.clone();
    model_file.standardizer.transform(&mut x);
    Ok(x)
}

fn check_width(model_file: &ModelFile, raw: &Matrix<f64>) -> Result<()> {
    let expected = model_file.network.architecture().n_input;
    if raw.cols() != expected {
        return Err(nn_core::CoreError::InputWidth {
            expected,
            found: raw.cols(),
        }
        .into());
    }
    Ok(())
}

/// Gives `f` each block of [`nn_core::EVALUATION_BLOCK`] rows of `raw` (with its first row), standardised:
/// the blocks the network's own passes use, so every row gets the bits of a pass over the whole matrix,
/// without a standardised copy of it (on a large file, that copy was as large as the data).
fn in_blocks(
    model_file: &ModelFile,
    raw: &Matrix<f64>,
    mut f: impl FnMut(usize, &Matrix<f64>) -> Result<()>,
) -> Result<()> {
    check_width(model_file, raw)?;
    let mut block = Matrix::zeros(0, raw.cols());
    for first in (0..raw.rows()).step_by(nn_core::EVALUATION_BLOCK) {
        let rows = nn_core::EVALUATION_BLOCK.min(raw.rows() - first);
        raw.copy_rows_into(first, rows, &mut block);
        model_file.standardizer.transform(&mut block);
        f(first, &block)?;
    }
    Ok(())
}
