//! The course's format both ways: Θ matrices in a MAT-file (`Theta1`, `Theta2`, …; layer l's Θ is
//! n_out × (n_in + 1) with the bias in column 0; sigmoid units throughout; output unit k−1 stands for label k).
//!
//! nn numbers classes 0..k−1 and keeps the file's labels beside them ([`ClassMap`]). Writing Θ puts each class
//! on the unit the course expects for its label, and reading Θ back undoes it: with the course's digits
//! (label 10 is digit 0) class 0 sits on unit 9.

use crate::{Dtype, ExportError, Exported, Prepared, mat5};
use nn_core::{Activation, Network, Output};
use nn_data::{ClassMap, LabelScheme, Standardizer};
use nn_linalg::Matrix;
use nn_train::{ModelFile, Precision};

/// The variable name of layer `l`'s Θ (`Theta1` for the first).
pub fn variable(l: usize) -> String {
    format!("Theta{}", l + 1)
}

/// `units[c]`: the course's output unit of class `c`. Labels 1..k sit on units 0..k−1 (one-based and the
/// digits); zero-based classes and a single binary unit keep their own order.
pub fn course_units(classes: &ClassMap, n_outputs: usize) -> Vec<usize> {
    match classes.scheme() {
        LabelScheme::OneBased | LabelScheme::Digits10 if n_outputs == classes.len() => classes
            .labels()
            .iter()
            .map(|&label| (label - 1) as usize)
            .collect(),
        _ => (0..n_outputs).collect(),
    }
}

/// The MAT-file of `prepared`'s weights as the course's Θ, with notes on what its reader must know.
pub fn export(
    model: &ModelFile,
    prepared: &Prepared,
    dtype: Dtype,
) -> Result<Exported, ExportError> {
    let arch = prepared.network.architecture();
    if arch.output.is_regression() {
        return Err(ExportError::ThetaRegression);
    }
    if arch.activation != Activation::Sigmoid && !arch.hidden.is_empty() {
        return Err(ExportError::ThetaActivation(arch.activation));
    }
    if dtype != Dtype::F64 {
        return Err(ExportError::ThetaDtype);
    }
    let mut thetas = prepared.network.to_theta();
    let units = course_units(&model.classes, arch.n_outputs);
    let mut notes = Vec::new();
    if units.iter().enumerate().any(|(c, &u)| c != u) {
        let last = thetas.last_mut().expect("a network has layers");
        let own = last.clone();
        *last = Matrix::from_fn(own.rows(), own.cols(), |unit, i| {
            let class = units
                .iter()
                .position(|&u| u == unit)
                .expect("a permutation");
            own.get(class, i)
        });
        notes.push(format!(
            "output units are in the course's order: unit k−1 is label k ({})",
            model.classes.describe()
        ));
    }
    if model.classes.scheme() == LabelScheme::ZeroBased && arch.n_outputs > 1 {
        notes.push("the classes are zero-based: unit c is label c, which the course's readers (and nn eval --theta) take for label c+1".into());
    }
    if prepared.standardizer.is_some() {
        notes.push("these Θ expect standardised features, (x − mean)/std with the model's statistics (nn inspect --json shows them), while the course's code and nn eval --theta feed raw features: export with --fold-standardizer for Θ that take raw features".into());
    }
    if arch.output == Output::Softmax {
        notes.push("the model's output is a softmax, and readers of the course's format apply a sigmoid to each unit: the predicted class is the same, the probabilities are not".into());
    }
    let names: Vec<String> = (0..thetas.len()).map(variable).collect();
    let variables: Vec<(&str, &Matrix<f64>)> =
        names.iter().map(String::as_str).zip(&thetas).collect();
    let description = format!(
        "written by nn {}: {} as course-format Θ",
        env!("CARGO_PKG_VERSION"),
        arch.describe()
    );
    let bytes = mat5::write(&description, &variables)?;
    Ok(Exported { bytes, notes })
}

/// A model from course-format Θ matrices (sigmoid hidden and output units, raw features). `scheme` says what
/// the output units mean: one-based labels 1..k (the course's default; one unit is binary 0/1), the course's
/// digits (label 10 is digit 0: class d is then digit d), or zero-based labels (unit c is label c).
pub fn import(thetas: &[Matrix<f64>], scheme: LabelScheme) -> Result<ModelFile, ExportError> {
    let course = Network::from_theta(thetas, Output::Sigmoid)?;
    let arch = course.architecture().clone();
    let k = arch.n_outputs;
    let labels_error = |reason: String| ExportError::Labels { scheme, reason };
    let classes = match (scheme, k) {
        (LabelScheme::Digits10, 10) => ClassMap::digits10(),
        (LabelScheme::Digits10, k) => {
            return Err(labels_error(format!(
                "the course's digits need 10 output units; the Θ set has {k}"
            )));
        }
        (LabelScheme::OneBased, 1) => {
            return Err(labels_error(
                "one output unit is binary, classes 0 and 1: use zero-based or auto".into(),
            ));
        }
        (_, 1) | (LabelScheme::ZeroBased, _) => ClassMap::zero_based(arch.classes()),
        _ => ClassMap::one_based(k),
    };
    let units = course_units(&classes, k);
    let mut network = course;
    let last = network
        .layers_mut()
        .last_mut()
        .expect("a network has layers");
    let own = last.clone();
    for (class, &unit) in units.iter().enumerate() {
        for i in 0..own.n_in() {
            last.weights.set(i, class, own.weights.get(i, unit));
        }
        last.bias[class] = own.bias[unit];
    }
    let standardizer = Standardizer::identity(arch.n_input);
    let model = ModelFile::untrained(network, Precision::F64, standardizer, classes);
    // Refuse what the model loader would refuse (e.g. non-finite weights), naming the cause.
    model
        .to_bytes()
        .map_err(|problem| ExportError::Model(Box::new(problem)))?;
    Ok(model)
}
