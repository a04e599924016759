//! [`Prepared`]: the network an export writes and the scaling in front of it; the metadata every format
//! carries.

use crate::format::{Dtype, ExportError};
use nn_core::{Layer, Network};
use nn_data::Standardizer;
use nn_linalg::Matrix;
use nn_train::ModelFile;

/// The network an export writes and the scaling in front of it: the model's own, or with the standardiser
/// folded into the first layer.
pub struct Prepared {
    /// The weights to write.
    pub network: Network<f64>,
    /// The scaling the network expects of raw features; `None` if it takes them raw.
    pub standardizer: Option<Standardizer>,
    /// Whether the model's standardiser was folded into the first layer.
    pub folded: bool,
}

impl Prepared {
    /// The model's network and standardiser, folded together if `fold` is set. A regression model's target
    /// scaling is always folded into its last layer, so that the exported network outputs values in the
    /// target's units.
    pub fn new(model: &ModelFile, fold: bool) -> Result<Self, ExportError> {
        let sd = &model.standardizer;
        let identity = sd.is_identity();
        if fold && identity {
            return Err(ExportError::NothingToFold);
        }
        let mut network = model.network.clone();
        if let Some(target) = &model.target_scale
            && let Some(last) = network.layers_mut().last_mut()
        {
            unscale_outputs(last, target.mean(), target.scale());
        }
        if !fold {
            return Ok(Prepared {
                network,
                standardizer: (!identity).then(|| sd.clone()),
                folded: false,
            });
        }
        let first = &mut network.layers_mut()[0];
        fold_into(first, sd.mean(), sd.scale());
        Ok(Prepared {
            network,
            standardizer: None,
            folded: true,
        })
    }
}

/// Folds `x ↦ (x − μ)/σ` into the layer that reads it: z = Σᵢ (xᵢ − μᵢ)/σᵢ·Wᵢⱼ + bⱼ = Σᵢ xᵢ·W'ᵢⱼ + b'ⱼ with
/// W'ᵢⱼ = Wᵢⱼ/σᵢ and b'ⱼ = bⱼ − Σᵢ μᵢ·W'ᵢⱼ.
pub fn fold_into(layer: &mut Layer<f64>, mean: &[f64], scale: &[f64]) {
    let w = &layer.weights;
    let folded = Matrix::from_fn(w.rows(), w.cols(), |i, j| w.get(i, j) / scale[i]);
    for (j, b) in layer.bias.iter_mut().enumerate() {
        *b -= mean
            .iter()
            .enumerate()
            .map(|(i, &mu)| mu * folded.get(i, j))
            .sum::<f64>();
    }
    layer.weights = folded;
}

/// Folds `z ↦ z·σ + μ` into the layer that makes z: W'ᵢⱼ = Wᵢⱼ·σⱼ and b'ⱼ = bⱼ·σⱼ + μⱼ.
pub fn unscale_outputs(layer: &mut Layer<f64>, mean: &[f64], scale: &[f64]) {
    let w = &layer.weights;
    layer.weights = Matrix::from_fn(w.rows(), w.cols(), |i, j| w.get(i, j) * scale[j]);
    for ((b, &mu), &s) in layer.bias.iter_mut().zip(mean).zip(scale) {
        *b = *b * s + mu;
    }
}

/// `values` as little-endian bytes of `dtype`, the layout ONNX's `raw_data` and safetensors both use.
pub(crate) fn le_bytes(values: &[f64], dtype: Dtype) -> Vec<u8> {
    match dtype {
        Dtype::F32 => values
            .iter()
            .flat_map(|&v| (v as f32).to_le_bytes())
            .collect(),
        Dtype::F64 => values.iter().flat_map(|&v| v.to_le_bytes()).collect(),
    }
}

/// Metadata every format carries, as (key, value) pairs: nn's version, the architecture, the classes and the
/// scaling of the inputs.
pub fn metadata(model: &ModelFile, prepared: &Prepared, dtype: Dtype) -> Vec<(String, String)> {
    let arch = model.network.architecture();
    let json = |v: serde_json::Value| v.to_string();
    let scaling = match (&prepared.standardizer, prepared.folded) {
        (Some(_), _) => "standardised inside: (x - mean) / std with the training part's statistics",
        (None, true) => {
            "none: the standardiser is folded into the first layer; features are taken raw"
        }
        (None, false) => "none: the model was trained on raw features",
    };
    let mut m = vec![
        ("nn_version".into(), env!("CARGO_PKG_VERSION").into()),
        ("architecture".into(), arch.describe()),
        ("layers".into(), json(serde_json::json!(arch.widths()))),
        ("hidden_activation".into(), arch.activation.describe()),
        ("output".into(), arch.output.name().into()),
        ("dtype".into(), dtype.name().into()),
        ("trained_precision".into(), model.precision.name().into()),
        (
            "class_names".into(),
            json(serde_json::json!(model.classes.names())),
        ),
        (
            "class_labels".into(),
            json(serde_json::json!(model.classes.labels())),
        ),
        ("label_scheme".into(), model.classes.describe()),
        ("input_scaling".into(), scaling.into()),
    ];
    if let Some(schema) = &model.schema {
        m.push((
            "feature_names".into(),
            json(serde_json::json!(schema.feature_names())),
        ));
        m.push(("target_column".into(), schema.target.clone()));
    }
    if let Some(sd) = &prepared.standardizer {
        m.push((
            "standardizer_mean".into(),
            json(serde_json::json!(sd.mean())),
        ));
        m.push((
            "standardizer_std".into(),
            json(serde_json::json!(sd.scale())),
        ));
    }
    m
}
