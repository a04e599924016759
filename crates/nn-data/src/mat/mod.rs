//! MATLAB .mat files (level 5, as MATLAB's `save -v7` and `scipy.io.savemat` write them).
//!
//! Every file is first walked by [`scan`] (sizes, kinds, truncation, v7.3), which inflates each compressed
//! variable once, with a size limit. The values are then read by `matfile` from those inflated arrays, written
//! out again as an uncompressed file in memory (so that nothing is inflated twice), or, for the arrays
//! `matfile` 0.5.0 rejects (int32), by the walker's own dense decoder. The module docs of `scan` list
//! matfile's defects and why each needs this.

mod element;
pub mod scan;
pub mod tags;
mod variable;

use crate::classes::{ClassMap, LabelScheme};
use crate::dataset::Dataset;
use crate::error::{DataError, Result, read_file};
use element::ScanError;
use nn_linalg::Matrix;
use std::path::Path;
use variable::{Variable, dims_text};

/// A .mat file read into memory and walked, from which variables can be taken by name.
pub struct MatFile {
    path: std::path::PathBuf,
    len_bytes: usize,
    vars: Vec<Variable>,
    /// `matfile`'s parse of the walked variables, if it succeeded.
    parsed: Option<matfile::MatFile>,
}

impl MatFile {
    /// Reads and walks `path`.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_limited(path, scan::MAX_VARIABLE_BYTES)
    }

    /// Reads and walks `path`, inflating a compressed variable to at most `limit` bytes.
    pub fn open_limited(path: &Path, limit: u64) -> Result<Self> {
        let bytes = read_file(path)?;
        Self::from_bytes_limited(bytes, path, limit)
    }

    /// Walks the bytes of a .mat file; `path` names it in errors.
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<Self> {
        Self::from_bytes_limited(bytes, path, scan::MAX_VARIABLE_BYTES)
    }

    /// [`MatFile::from_bytes`], inflating a compressed variable to at most `limit` bytes.
    pub fn from_bytes_limited(bytes: Vec<u8>, path: &Path, limit: u64) -> Result<Self> {
        let vars = scan::scan(&bytes, limit).map_err(|e| match e {
            ScanError::V73 => DataError::MatV73 {
                path: path.to_path_buf(),
            },
            ScanError::Truncated(detail) => DataError::MatTruncated {
                path: path.to_path_buf(),
                detail,
            },
            ScanError::Malformed(detail) => DataError::MatMalformed {
                path: path.to_path_buf(),
                detail,
            },
        })?;
        // matfile fails the whole file if any array is int32 (its defect); those values then come from our
        // decoder instead, variable by variable.
        let parsed = uncompressed(&bytes[..scan::HEADER_LEN], &vars)
            .and_then(|plain| matfile::MatFile::parse(plain.as_slice()).ok());
        Ok(MatFile {
            path: path.to_path_buf(),
            len_bytes: bytes.len(),
            vars,
            parsed,
        })
    }

    /// The names of every variable, in file order.
    pub fn names(&self) -> Vec<String> {
        self.vars.iter().map(|v| v.name.clone()).collect()
    }

    /// The size of the file in bytes.
    pub fn len_bytes(&self) -> usize {
        self.len_bytes
    }

    /// Variable `name` as a 2-D matrix of f64 (column-major storage mapped to rows and columns).
    pub fn matrix(&self, name: &str) -> Result<Matrix<f64>> {
        let var = self.variable(name)?;
        if var.dims.len() != 2 {
            return Err(self.shape_error(name, var, "a 2-D array".into()));
        }
        let values = self.real_values(var)?;
        let (rows, cols) = (var.dims[0], var.dims[1]);
        if let Some(k) = values.iter().position(|v| !v.is_finite()) {
            return Err(DataError::NonFiniteValue {
                path: self.path.clone(),
                name: name.into(),
                row: k % rows.max(1) + 1,
                column: k / rows.max(1) + 1,
            });
        }
        Matrix::try_from_col_major(rows, cols, &values).ok_or_else(|| DataError::MatMalformed {
            path: self.path.clone(),
            detail: format!(
                "variable '{name}' is {} but {} values were read",
                dims_text(&var.dims),
                values.len()
            ),
        })
    }

    /// Variable `name` as a vector: it must be `m×1` or `1×m`.
    pub fn vector(&self, name: &str, m: usize) -> Result<Vec<f64>> {
        let var = self.variable(name)?;
        if var.dims.len() != 2 || !(var.dims == [m, 1] || var.dims == [1, m]) {
            return Err(self.shape_error(
                name,
                var,
                format!("{m}×1 or 1×{m} (one value per sample)"),
            ));
        }
        let values = self.real_values(var)?;
        if values.len() != m {
            return Err(DataError::MatMalformed {
                path: self.path.clone(),
                detail: format!(
                    "variable '{name}' should hold {m} values, {} were read",
                    values.len()
                ),
            });
        }
        Ok(values)
    }

    fn variable(&self, name: &str) -> Result<&Variable> {
        let var = self.vars.iter().find(|v| v.name == name).ok_or_else(|| {
            DataError::MissingVariable {
                path: self.path.clone(),
                name: name.into(),
                present: self.names(),
            }
        })?;
        if let Some(kind) = var.unsupported_kind() {
            return Err(DataError::NotDenseNumeric {
                path: self.path.clone(),
                name: name.into(),
                kind,
            });
        }
        Ok(var)
    }

    fn shape_error(&self, name: &str, var: &Variable, expected: String) -> DataError {
        DataError::VariableShape {
            path: self.path.clone(),
            name: name.into(),
            found: dims_text(&var.dims),
            expected,
        }
    }

    fn real_values(&self, var: &Variable) -> Result<Vec<f64>> {
        if let Some(values) = self
            .parsed
            .as_ref()
            .and_then(|p| p.find_by_name(&var.name))
            .and_then(|a| from_matfile(a.data()))
        {
            return Ok(values);
        }
        var.decode_real().map_err(|e| DataError::MatMalformed {
            path: self.path.clone(),
            detail: match e {
                ScanError::Malformed(d) | ScanError::Truncated(d) => d,
                ScanError::V73 => "v7.3".into(),
            },
        })
    }
}

/// The walked variables as an uncompressed level-5 file: the original header, then each array as a plain
/// miMATRIX element, padded to 8 bytes. `matfile` parses this without inflating anything; handing it the
/// original bytes would inflate every compressed variable a second time, and without the walk's size limit.
/// `None` if an array is too long for a 32-bit size (it cannot be: the walk read each size from one).
fn uncompressed(header: &[u8], vars: &[Variable]) -> Option<Vec<u8>> {
    // The byte order the walk read from the header (every variable has it; with none, no word is written).
    let be = vars.first().is_some_and(|v| v.big_endian);
    let word = |n: u32| if be { n.to_be_bytes() } else { n.to_le_bytes() };
    let total = vars.iter().map(|v| 8 + v.payload.len().next_multiple_of(8));
    let mut plain = Vec::with_capacity(header.len() + total.sum::<usize>());
    plain.extend_from_slice(header);
    for var in vars {
        plain.extend_from_slice(&word(tags::MI_MATRIX));
        plain.extend_from_slice(&word(u32::try_from(var.payload.len()).ok()?));
        plain.extend_from_slice(&var.payload);
        plain.resize(plain.len().next_multiple_of(8), 0);
    }
    Some(plain)
}

/// matfile's real part as f64; `None` for a complex array (which the walk has already refused).
fn from_matfile(data: &matfile::NumericData) -> Option<Vec<f64>> {
    use matfile::NumericData as N;
    macro_rules! real {
        ($real:expr, $imag:expr) => {
            if $imag.is_some() {
                None
            } else {
                Some($real.iter().map(|&v| v as f64).collect())
            }
        };
    }
    match data {
        N::Int8 { real, imag } => real!(real, imag),
        N::UInt8 { real, imag } => real!(real, imag),
        N::Int16 { real, imag } => real!(real, imag),
        N::UInt16 { real, imag } => real!(real, imag),
        N::Int32 { real, imag } => real!(real, imag),
        N::UInt32 { real, imag } => real!(real, imag),
        N::Int64 { real, imag } => real!(real, imag),
        N::UInt64 { real, imag } => real!(real, imag),
        N::Single { real, imag } => real!(real, imag),
        N::Double { real, imag } => real!(real, imag),
    }
}

/// Reads a dataset from the variables `x_var` (m×n features) and `y_var` (m labels) of a .mat file.
///
/// ```no_run
/// use nn_data::{LabelScheme, load_mat};
/// let digits = load_mat("data/classification3.mat".as_ref(), "X", "y", LabelScheme::Digits10)?;
/// assert_eq!((digits.len(), digits.features()), (5000, 400));
/// # Ok::<(), nn_data::DataError>(())
/// ```
pub fn load_mat(path: &Path, x_var: &str, y_var: &str, scheme: LabelScheme) -> Result<Dataset> {
    dataset_from_mat(&MatFile::open(path)?, x_var, y_var, scheme)
}

/// [`load_mat`] on a file already opened.
pub fn dataset_from_mat(
    file: &MatFile,
    x_var: &str,
    y_var: &str,
    scheme: LabelScheme,
) -> Result<Dataset> {
    let x = file.matrix(x_var)?;
    let raw = file.vector(y_var, x.rows())?;
    let (classes, labels) = ClassMap::resolve(scheme, &raw, &file.path)?;
    Dataset::new(x, labels, classes, &file.path)
}

/// The integration tests' MAT-file writer.
#[cfg(test)]
#[path = "../../tests/common/mod.rs"]
mod fixtures;

#[cfg(test)]
mod tests {
    use super::fixtures::{Var, mat_file};
    use super::*;

    /// `matfile` reads every variable from the walk's inflated arrays (so none is inflated twice), and gives the
    /// values the walk's own decoder gives.
    #[test]
    fn matfile_parses_the_walked_arrays() {
        let vars = [
            Var::doubles("X", 3, 2, &[1., -2.5, 3., 4e300, 5., 6.]),
            Var::double_as_u8("y", 3, 1, &[1, 2, 10]),
        ];
        for compressed in [false, true] {
            let file =
                MatFile::from_bytes(mat_file(&vars, compressed), Path::new("t.mat")).unwrap();
            let parsed = file.parsed.as_ref().expect("matfile parsed the file");
            for var in &file.vars {
                let by_matfile = parsed
                    .find_by_name(&var.name)
                    .map(|a| from_matfile(a.data()));
                assert_eq!(
                    by_matfile,
                    Some(Some(var.decode_real().unwrap())),
                    "{}",
                    var.name
                );
            }
        }
    }

    /// A big-endian file ("MI") is written back big-endian, and reads the same.
    #[test]
    fn big_endian_files_read_through_matfile() {
        let element = |out: &mut Vec<u8>, ty: u32, data: &[u8]| {
            out.extend_from_slice(&ty.to_be_bytes());
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(data);
            out.resize(out.len().next_multiple_of(8), 0);
        };
        let mut body = Vec::new();
        element(
            &mut body,
            tags::MI_UINT32,
            &[6u32.to_be_bytes(), [0; 4]].concat(),
        );
        element(
            &mut body,
            tags::MI_INT32,
            &[2i32.to_be_bytes(), 1i32.to_be_bytes()].concat(),
        );
        element(&mut body, tags::MI_INT8, b"X");
        let values = [0.5f64.to_be_bytes(), (-7f64).to_be_bytes()].concat();
        element(&mut body, tags::MI_DOUBLE, &values);
        let mut bytes = format!("{:<116}", "MATLAB 5.0 MAT-file").into_bytes();
        bytes.extend_from_slice(&[0; 8]);
        bytes.extend_from_slice(&0x0100u16.to_be_bytes());
        bytes.extend_from_slice(b"MI");
        element(&mut bytes, tags::MI_MATRIX, &body);

        let file = MatFile::from_bytes(bytes, Path::new("be.mat")).unwrap();
        assert!(file.parsed.is_some(), "matfile parsed the big-endian file");
        let x = file.matrix("X").unwrap();
        assert_eq!(x.col(0), [0.5, -7.0]);
    }
}
