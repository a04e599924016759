//! Delimited text with the label last and every column numeric: the report's `classification2.txt`, and the
//! simplest way in. Both readers go through [`Table`], so a header, quotes, gzip and any of the delimiters
//! are accepted; for choosing columns, text features and missing values see [`pipeline`](crate::pipeline).

use crate::LabelScheme;
use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::pipeline::{PipelineOptions, Selected, Task};
use crate::table::{Column, ReadOptions, Table};
use nn_linalg::Matrix;
use std::path::Path;

/// Reads a text dataset from `path`: the last column is the label, the others are features.
///
/// ```no_run
/// use nn_data::{LabelScheme, load_txt};
/// let data = load_txt("data/classification2.txt".as_ref(), LabelScheme::Auto)?;
/// assert_eq!((data.len(), data.features()), (118, 2));
/// # Ok::<(), nn_data::DataError>(())
/// ```
pub fn load_txt(path: &Path, scheme: LabelScheme) -> Result<Dataset> {
    dataset(Table::read(path, &ReadOptions::default())?, scheme)
}

/// Parses the bytes of a text dataset; `path` is only used in errors and as the dataset's source.
pub fn parse_txt(bytes: &[u8], path: &Path, scheme: LabelScheme) -> Result<Dataset> {
    dataset(Table::parse(bytes, path, &ReadOptions::default())?, scheme)
}

/// The whole table as a classification dataset, label last; text features are one-hot encoded over every
/// row.
fn dataset(table: Table, scheme: LabelScheme) -> Result<Dataset> {
    let opts = PipelineOptions {
        labels: scheme,
        task: Task::Classification,
        ..PipelineOptions::default()
    };
    let selected = Selected::from_table(table, &opts)?;
    let all: Vec<usize> = (0..selected.labels().len()).collect();
    Ok(selected.fit(&all)?.1)
}

/// Reads a text file of numbers as a table, every column kept (for features without labels).
pub fn load_table(path: &Path) -> Result<Matrix<f64>> {
    numeric(Table::read(path, &ReadOptions::default())?)
}

/// Parses the bytes of a numeric table: every column numbers, no missing cell, at least one row.
pub fn parse_table(bytes: &[u8], path: &Path) -> Result<Matrix<f64>> {
    numeric(Table::parse(bytes, path, &ReadOptions::default())?)
}

fn numeric(table: Table) -> Result<Matrix<f64>> {
    let mut x = Matrix::zeros(table.rows(), table.cols());
    for j in 0..table.cols() {
        let name = &table.names()[j];
        let Column::Numeric(values) = table.column(j) else {
            return Err(DataError::Column {
                path: table.source().to_path_buf(),
                column: name.clone(),
                problem: "holds text; expected numbers only".into(),
            });
        };
        if let Some((i, token)) = table.first_missing(j) {
            return Err(DataError::Missing {
                path: table.source().to_path_buf(),
                line: table.line(i),
                column: name.clone(),
                token: token.to_string(),
            });
        }
        x.col_mut(j).copy_from_slice(values);
    }
    Ok(x)
}
