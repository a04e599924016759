//! How cross-validation makes each fold's data from its training rows.

use crate::error::Result;
use nn_data::{Dataset, PipelineOptions, Selected, Table};

/// How cross-validation makes each fold's data.
pub(crate) enum FoldData {
    /// A text file: the input pipeline is fitted anew on each fold's training rows.
    Table {
        table: Box<Table>,
        opts: PipelineOptions,
    },
    /// Any other data: used as it is.
    Fixed(Box<Dataset>),
}

impl FoldData {
    /// Every row's class, from which the folds are drawn (all 0 for regression), and whether the target is
    /// a number.
    pub(crate) fn labels(&self) -> Result<(Vec<usize>, bool)> {
        Ok(match self {
            FoldData::Table { table, opts } => {
                let s = Selected::new(table, opts)?;
                (s.labels().to_vec(), s.is_regression())
            }
            FoldData::Fixed(d) => (d.labels().to_vec(), d.is_regression()),
        })
    }

    /// Every row, with the preprocessing fitted on `train_rows` only.
    pub(crate) fn fit(&self, train_rows: &[usize]) -> nn_data::Result<Dataset> {
        match self {
            FoldData::Table { table, opts } => Ok(Selected::new(table, opts)?.fit(train_rows)?.1),
            FoldData::Fixed(d) => Ok(d.as_ref().clone()),
        }
    }
}
