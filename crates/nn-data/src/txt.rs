//! Delimited text: one sample per line, numbers separated by commas or whitespace, the label last.
//!
//! Accepted: CRLF or LF line ends, a final newline or none, a UTF-8 byte-order mark, blank lines.
//! Rejected, with the line and column: ragged rows, tokens that are not numbers, a header row, NaN,
//! infinities and values that overflow f64 (Rust's float parser accepts "NaN" and "inf"; we do not).

use crate::classes::{ClassMap, LabelScheme};
use crate::dataset::Dataset;
use crate::error::{DataError, Result, read_file};
use nn_linalg::Matrix;
use std::path::Path;

/// Reads a text dataset from `path`.
///
/// ```no_run
/// use nn_data::{LabelScheme, load_txt};
/// let data = load_txt("data/classification2.txt".as_ref(), LabelScheme::Auto)?;
/// assert_eq!((data.len(), data.features()), (118, 2));
/// # Ok::<(), nn_data::DataError>(())
/// ```
pub fn load_txt(path: &Path, scheme: LabelScheme) -> Result<Dataset> {
    let bytes = read_file(path)?;
    parse_txt(&bytes, path, scheme)
}

/// Parses the bytes of a text dataset; `path` is only used in errors and as the dataset's source.
pub fn parse_txt(bytes: &[u8], path: &Path, scheme: LabelScheme) -> Result<Dataset> {
    let table = parse_table(bytes, path)?;
    if table.cols() < 2 {
        return Err(DataError::TooFewColumns {
            path: path.to_path_buf(),
            line: first_data_line(bytes),
            found: table.cols(),
        });
    }
    let features = table.cols() - 1;
    let x = Matrix::from_fn(table.rows(), features, |i, j| table.get(i, j));
    let (classes, labels) = ClassMap::resolve(scheme, table.col(features), path)?;
    Dataset::new(x, labels, classes, path)
}

/// Reads a text file of numbers as a table, every column kept (for features without labels).
pub fn load_table(path: &Path) -> Result<Matrix<f64>> {
    let bytes = read_file(path)?;
    parse_table(&bytes, path)
}

fn first_data_line(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes)
        .lines()
        .position(|l| !l.trim().is_empty())
        .map_or(1, |i| i + 1)
}

/// Parses the bytes of a numeric table: rectangular, finite, at least one row.
pub fn parse_table(bytes: &[u8], path: &Path) -> Result<Matrix<f64>> {
    let text = std::str::from_utf8(bytes).map_err(|e| DataError::NotText {
        path: path.to_path_buf(),
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);

    let mut values: Vec<f64> = Vec::new();
    let mut width = 0;
    let mut rows = 0;
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let first_row = rows == 0;
        let before = values.len();
        for (c, token) in tokens(line).enumerate() {
            values.push(parse_number(token, path, line_no, c + 1, first_row)?);
        }
        let found = values.len() - before;
        if first_row {
            width = found;
        } else if found != width {
            return Err(DataError::Ragged {
                path: path.to_path_buf(),
                line: line_no,
                found,
                expected: width,
            });
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(Matrix::from_fn(rows, width, |i, j| values[i * width + j]))
}

/// Fields separated by commas (each trimmed) if the line has any, otherwise by whitespace.
fn tokens(line: &str) -> Box<dyn Iterator<Item = &str> + '_> {
    if line.contains(',') {
        Box::new(line.split(',').map(str::trim))
    } else {
        Box::new(line.split_whitespace())
    }
}

fn parse_number(
    token: &str,
    path: &Path,
    line: usize,
    column: usize,
    first_row: bool,
) -> Result<f64> {
    match token.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(DataError::NonFinite {
            path: path.to_path_buf(),
            line,
            column,
            token: token.to_string(),
        }),
        Err(_) if first_row && token.chars().any(char::is_alphabetic) => Err(DataError::Header {
            path: path.to_path_buf(),
            line,
            column,
            token: token.to_string(),
        }),
        Err(_) => Err(DataError::NotNumeric {
            path: path.to_path_buf(),
            line,
            column,
            token: token.to_string(),
        }),
    }
}
