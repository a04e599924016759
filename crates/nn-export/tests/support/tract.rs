//! Runs an exported ONNX model in tract, an ONNX runtime nn did not write.

use nn_linalg::Matrix;
use tract_onnx::prelude::*;

/// The outputs of the ONNX model `bytes` on `x` (features as rows): probabilities (rows) and labels.
pub fn run(bytes: &[u8], x: &Matrix<f64>, f64_graph: bool) -> (Vec<Vec<f64>>, Vec<i64>) {
    let m = x.rows();
    let out = outputs(bytes, x, f64_graph);
    let probs = rows_of(&out[0], m);
    // tract may hold integer outputs as its symbolic-dimension type: cast back to i64.
    let labels = out[1]
        .cast_to::<i64>()
        .expect("labels are integers")
        .into_owned();
    let labels = labels.to_array_view::<i64>().unwrap();
    assert_eq!(labels.shape(), &[m], "label is [batch]");
    (probs, labels.iter().copied().collect())
}

/// A regression graph's one output, `value` [batch, k], as rows. (nn-cli's interop test includes this file
/// and has no regression model.)
#[allow(dead_code)]
pub fn values(bytes: &[u8], x: &Matrix<f64>, f64_graph: bool) -> Vec<Vec<f64>> {
    let out = outputs(bytes, x, f64_graph);
    assert_eq!(out.len(), 1, "a regression graph has one output");
    rows_of(&out[0], x.rows())
}

/// An output tensor's rows, as f64.
fn rows_of(t: &TValue, m: usize) -> Vec<Vec<f64>> {
    let p = t.cast_to::<f64>().expect("numbers").into_owned();
    let p = p.to_array_view::<f64>().unwrap();
    assert_eq!(p.shape()[0], m);
    p.outer_iter()
        .map(|r| r.iter().copied().collect())
        .collect()
}

/// The graph in `bytes`, run by tract on the rows of `x`.
fn outputs(bytes: &[u8], x: &Matrix<f64>, f64_graph: bool) -> TVec<TValue> {
    let (m, n) = x.shape();
    let fact: InferenceFact = if f64_graph {
        f64::fact([m, n]).into()
    } else {
        f32::fact([m, n]).into()
    };
    let model = onnx()
        .model_for_read(&mut &bytes[..])
        .expect("tract reads the file")
        .with_input_fact(0, fact)
        .expect("input fact")
        .into_optimized()
        .expect("tract optimises the graph")
        .into_runnable()
        .expect("runnable");
    let rows = x.to_row_major();
    let input: Tensor = if f64_graph {
        tract_ndarray::Array2::from_shape_vec((m, n), rows)
            .unwrap()
            .into()
    } else {
        let rows: Vec<f32> = rows.iter().map(|&v| v as f32).collect();
        tract_ndarray::Array2::from_shape_vec((m, n), rows)
            .unwrap()
            .into()
    };
    model
        .run(tvec!(input.into()))
        .expect("tract runs the graph")
}
