//! Loading any supported file by its kind: `.mat` (MATLAB), IDX (MNIST), otherwise delimited text.

use crate::classes::LabelScheme;
use crate::dataset::Dataset;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How to read a dataset file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadOptions {
    /// The features variable of a .mat file.
    pub x_var: String,
    /// The labels variable of a .mat file.
    pub y_var: String,
    /// How labels map to classes.
    pub labels: LabelScheme,
    /// For IDX images: the labels file (else `images` with `images-idx3` replaced by `labels-idx1`).
    pub idx_labels: Option<PathBuf>,
    /// The most bytes a compressed .mat variable may inflate to.
    #[serde(default = "default_mat_variable")]
    pub mat_variable: u64,
}

fn default_mat_variable() -> u64 {
    crate::mat::scan::MAX_VARIABLE_BYTES
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            x_var: "X".into(),
            y_var: "y".into(),
            labels: LabelScheme::Auto,
            idx_labels: None,
            mat_variable: default_mat_variable(),
        }
    }
}

/// The kinds of dataset file `nn` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A MATLAB level-5 MAT-file.
    Mat,
    /// An IDX image file (MNIST), with its labels file beside it.
    Idx,
    /// Delimited text, one sample a line.
    Text,
}

impl FileKind {
    /// The kind of `path`, by name: `.mat`, IDX (`idx3` in the name, or `.idx`), or text.
    pub fn of(path: &Path) -> FileKind {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if name.ends_with(".mat") {
            FileKind::Mat
        } else if name.contains("idx3") || name.ends_with(".idx") || name.ends_with(".idx.gz") {
            FileKind::Idx
        } else {
            FileKind::Text
        }
    }
}

/// Loads `path` as its kind says.
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Dataset> {
    match FileKind::of(path) {
        FileKind::Mat => crate::dataset_from_mat(
            &crate::MatFile::open_limited(path, opts.mat_variable)?,
            &opts.x_var,
            &opts.y_var,
            opts.labels,
        ),
        FileKind::Idx => {
            let labels = opts.idx_labels.clone().unwrap_or_else(|| {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().replace("images-idx3", "labels-idx1"))
                    .unwrap_or_default();
                path.with_file_name(name)
            });
            crate::load_idx(path, &labels)
        }
        FileKind::Text => crate::load_txt(path, opts.labels),
    }
}
