//! The pipeline's options: which columns, what to do with missing cells and unseen categories, the task.

use crate::classes::LabelScheme;
use serde::{Deserialize, Serialize};

/// What to do with a missing cell (`NA`, `NaN`, `nan`, `?` or empty).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingPolicy {
    /// Refuse the file, naming the row, the column and the cell.
    #[default]
    Error,
    /// Leave out every row with a missing cell in a used column.
    Drop,
    /// Fill numeric cells with the training part's mean and text cells with its most common category.
    Mean,
}

/// What to do with a category the training part never had.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownCategory {
    /// Refuse it, naming the row, the column and the value.
    #[default]
    Error,
    /// Encode it as all zeros (no category).
    Ignore,
}

/// Names for the command line: `MissingPolicy` and `UnknownCategory` parse from and print as these.
macro_rules! cli_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in the order `--help` lists them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The name on the command line.
            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }

        nn_linalg::text_names!($ty, "value");
    };
}

/// What a model predicts from the target column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Task {
    /// Regression when the target column is numeric and holds a value that is not an integer, else
    /// classification.
    #[default]
    Auto,
    /// A class per row: a text target gives named classes; a numeric one, integer labels.
    Classification,
    /// A real number per row (the target must be numeric).
    Regression,
}

cli_names!(MissingPolicy { Error => "error", Drop => "drop", Mean => "mean" });
cli_names!(Task { Auto => "auto", Classification => "classification", Regression => "regression" });
cli_names!(UnknownCategory { Error => "error", Ignore => "ignore" });

/// The most distinct values a text feature may have: more is almost surely an id or free text.
pub const MAX_CATEGORIES: usize = 1000;

/// Which columns to use and how; every field has a default that reads today's label-last numeric files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PipelineOptions {
    /// The column to predict (a header name or a 1-based position); default the last.
    pub target: Option<String>,
    /// Keep only these feature columns, in this order; default every column but the target.
    pub features: Option<Vec<String>>,
    /// Leave out these columns.
    pub drop: Vec<String>,
    /// What to do with missing cells.
    pub missing: MissingPolicy,
    /// What to do, at prediction time, with a category training never saw.
    pub unknown: UnknownCategory,
    /// How a numeric target's labels map to classes (a text target always gives named classes).
    pub labels: LabelScheme,
    /// Classification or regression.
    pub task: Task,
}
