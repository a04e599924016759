//! The weights as a safetensors file, named and shaped as PyTorch stores an `nn.Sequential` of `nn.Linear`
//! layers with an activation module after each hidden layer:
//!
//! ```text
//! nn.Sequential(nn.Linear(n, h1), nn.Sigmoid(), nn.Linear(h1, h2), nn.Sigmoid(), nn.Linear(h2, k))
//!   tensors  0.weight [h1, n]  0.bias [h1]  2.weight [h2, h1]  2.bias [h2]  4.weight [k, h2]  4.bias [k]
//! ```
//!
//! `nn.Linear` computes x·Wᵀ + b with W of shape [out, in]: the transpose of nn's n_in × n_out matrix. The
//! output activation (softmax or sigmoid) is left to the loss or the caller, as in PyTorch. The header's
//! metadata holds the scaling, the classes and a `torch_module` line that builds the matching module.

use crate::prepared::le_bytes;
use crate::{Dtype, ExportError, Prepared};
use nn_core::{Activation, Network};
use nn_train::ModelFile;
use safetensors::tensor::TensorView;
use std::collections::HashMap;

/// The `nn.Sequential` index of layer `l`'s `nn.Linear` (activation modules take the odd indices).
pub fn module_index(l: usize) -> usize {
    2 * l
}

/// The PyTorch module the tensors fit, as Python source: `nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), …)`.
pub fn torch_module(net: &Network<f64>) -> String {
    let act = match net.architecture().activation {
        Activation::Sigmoid => "nn.Sigmoid()".to_string(),
        Activation::Tanh => "nn.Tanh()".to_string(),
        Activation::Relu => "nn.ReLU()".to_string(),
        Activation::LeakyRelu { slope } => format!("nn.LeakyReLU({slope})"),
        Activation::Elu => "nn.ELU()".to_string(),
        Activation::Gelu => "nn.GELU(approximate='tanh')".to_string(),
        Activation::Identity => "nn.Identity()".to_string(),
    };
    let parts: Vec<String> = net
        .layers()
        .iter()
        .map(|l| format!("nn.Linear({}, {})", l.n_in(), l.n_out()))
        .collect();
    format!("nn.Sequential({})", parts.join(&format!(", {act}, ")))
}

/// The safetensors file of `prepared`'s weights in `dtype`, with `model`'s metadata.
pub fn file(model: &ModelFile, prepared: &Prepared, dtype: Dtype) -> Result<Vec<u8>, ExportError> {
    // (name, shape, little-endian bytes), weights as [out, in] row-major, i.e. nn's W transposed.
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (l, layer) in prepared.network.layers().iter().enumerate() {
        let i = module_index(l);
        let w = layer.weights.transpose().to_row_major();
        tensors.push((
            format!("{i}.weight"),
            vec![layer.n_out(), layer.n_in()],
            le_bytes(&w, dtype),
        ));
        tensors.push((
            format!("{i}.bias"),
            vec![layer.n_out()],
            le_bytes(&layer.bias, dtype),
        ));
    }
    let st_dtype = match dtype {
        Dtype::F32 => safetensors::Dtype::F32,
        Dtype::F64 => safetensors::Dtype::F64,
    };
    let views = tensors
        .iter()
        .map(|(name, shape, data)| {
            Ok((
                name.as_str(),
                TensorView::new(st_dtype, shape.clone(), data)?,
            ))
        })
        .collect::<Result<Vec<_>, safetensors::SafeTensorError>>()?;
    let mut info: HashMap<String, String> = crate::metadata(model, prepared, dtype)
        .into_iter()
        .collect();
    // PyTorch's own save_file writes this key; safetensors.torch tools look for it.
    info.insert("format".into(), "pt".into());
    info.insert("torch_module".into(), torch_module(&prepared.network));
    Ok(safetensors::serialize(views, Some(info))?)
}
