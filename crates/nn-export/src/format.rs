//! What an export is asked for ([`Format`], [`Dtype`], [`Options`]) and what it gives ([`Exported`], or an
//! [`ExportError`]).

use std::path::PathBuf;

/// A file format a model can be exported to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An ONNX model (opset [`onnx::OPSET`](crate::onnx::OPSET)).
    Onnx,
    /// A safetensors file in PyTorch's `nn.Sequential` naming.
    Safetensors,
    /// The course's Θ matrices in a MAT-file.
    Theta,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 3] = [Format::Onnx, Format::Safetensors, Format::Theta];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Onnx => "onnx",
            Format::Safetensors => "safetensors",
            Format::Theta => "theta",
        }
    }

    /// The precision the format is written in when none is asked for: f32 for ONNX and safetensors (what
    /// runtimes and PyTorch use by default), f64 for the course's MAT-files (Octave's doubles).
    pub fn default_dtype(self) -> Dtype {
        match self {
            Format::Onnx | Format::Safetensors => Dtype::F32,
            Format::Theta => Dtype::F64,
        }
    }
}

/// The precision of the exported weights and computation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// 32-bit floats.
    F32,
    /// 64-bit floats.
    F64,
}

nn_linalg::text_names!(Format, "format");
nn_linalg::text_names!(Dtype, "dtype", { F32 => "f32", F64 => "f64" });

/// How to export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The precision to write; `None` is the format's [default](Format::default_dtype).
    pub dtype: Option<Dtype>,
    /// Fold the standardiser into the first layer (W' = W/σ, b' = b − Σᵢ μᵢWᵢ/σᵢ), so that the exported model
    /// takes raw features without a separate scaling step.
    pub fold_standardizer: bool,
}

/// Why a model could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The course format has sigmoid hidden layers only.
    #[error(
        "the course's Θ format holds sigmoid hidden layers only, and this model's are {0} (export it as onnx or safetensors)"
    )]
    ThetaActivation(nn_core::Activation),
    /// The course format is a classifier's.
    #[error(
        "the course's Θ format holds classifiers (sigmoid outputs), and this is a regression model (export it as onnx or safetensors)"
    )]
    ThetaRegression,
    /// The course format is doubles.
    #[error("the course's Θ MAT-files hold doubles: --dtype f32 does not apply to --format theta")]
    ThetaDtype,
    /// `fold_standardizer` on a model trained on raw features.
    #[error(
        "--fold-standardizer: the model has no standardiser to fold (it was trained on raw features)"
    )]
    NothingToFold,
    /// A Θ set that is not a network.
    #[error("the Θ matrices are not a network: {0}")]
    Theta(#[from] nn_core::CoreError),
    /// The model built from Θ matrices would not be a valid model file.
    #[error("the imported model is not valid: {0}")]
    Model(Box<nn_train::ModelFileProblem>),
    /// The labels asked for do not fit the Θ set.
    #[error("--labels {scheme}: {reason}")]
    Labels {
        /// The scheme asked for.
        scheme: nn_data::LabelScheme,
        /// Why it does not fit.
        reason: String,
    },
    /// A variable the MAT-file writer cannot hold.
    #[error(transparent)]
    Mat(#[from] crate::mat5::Mat5Error),
    /// The safetensors crate refused the tensors.
    #[error("safetensors: {0}")]
    Safetensors(#[from] safetensors::SafeTensorError),
    /// Writing the output file failed; nothing was left at the path.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// An exported model: the file's bytes, and what the user should know about them.
#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    /// The file's contents.
    pub bytes: Vec<u8>,
    /// Remarks on what the file assumes (e.g. standardised features), one sentence each.
    pub notes: Vec<String>,
}
