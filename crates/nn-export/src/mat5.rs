//! A writer of level 5 MAT-files holding real double matrices: the subset of the format that the course's Θ
//! files use. (The matfile crate reads MAT-files but does not write them.)
//!
//! Layout, after MathWorks' "MAT-File Format" (level 5), all little-endian:
//!
//! ```text
//! header   116 bytes descriptive text (space padded) | 8 bytes subsystem offset (0) | u16 version 0x0100 | "IM"
//! per variable, one miMATRIX element (type 14, byte count), holding four sub-elements, each 8-byte aligned:
//!   array flags  miUINT32 (6), 8 bytes: class mxDOUBLE_CLASS (6), no flags; 0
//!   dimensions   miINT32 (5),  8 bytes: rows, cols
//!   name         miINT8 (1),   the name's bytes, padded to 8
//!   real part    miDOUBLE (9), rows·cols doubles, column-major
//! ```

use nn_data::mat::tags::{MI_DOUBLE, MI_INT8, MI_INT32, MI_MATRIX, MI_UINT32, MX_DOUBLE_CLASS};
use nn_linalg::Matrix;

/// MATLAB's longest variable name.
pub const MAX_NAME: usize = 63;

/// Why a variable cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum Mat5Error {
    /// Not a MATLAB identifier.
    #[error(
        "'{0}' is not a MAT-file variable name (a letter, then up to 62 letters, digits or underscores)"
    )]
    Name(String),
    /// Too large for the format's 32-bit sizes.
    #[error("variable '{name}' ({rows}×{cols}) is too large for a level 5 MAT-file")]
    TooLarge {
        /// The variable.
        name: String,
        /// Its rows.
        rows: usize,
        /// Its columns.
        cols: usize,
    },
}

/// The bytes of a MAT-file holding `variables` (name, matrix), in order; `description` goes into the header
/// text (cut to fit).
pub fn write(description: &str, variables: &[(&str, &Matrix<f64>)]) -> Result<Vec<u8>, Mat5Error> {
    let mut out = Vec::new();
    let mut text: Vec<u8> = format!("MATLAB 5.0 MAT-file, {description}")
        .bytes()
        .filter(u8::is_ascii)
        .take(116)
        .collect();
    text.resize(116, b' ');
    out.extend_from_slice(&text);
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&0x0100u16.to_le_bytes());
    out.extend_from_slice(b"IM");
    for (name, m) in variables {
        matrix(&mut out, name, m)?;
    }
    Ok(out)
}

fn matrix(out: &mut Vec<u8>, name: &str, m: &Matrix<f64>) -> Result<(), Mat5Error> {
    let valid = name.len() <= MAX_NAME
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(Mat5Error::Name(name.into()));
    }
    let too_large = || Mat5Error::TooLarge {
        name: name.into(),
        rows: m.rows(),
        cols: m.cols(),
    };
    let rows = i32::try_from(m.rows()).map_err(|_| too_large())?;
    let cols = i32::try_from(m.cols()).map_err(|_| too_large())?;
    let mut body = Vec::new();
    let flags = [MX_DOUBLE_CLASS.to_le_bytes(), 0u32.to_le_bytes()].concat();
    element(&mut body, MI_UINT32, &flags);
    let dims = [rows.to_le_bytes(), cols.to_le_bytes()].concat();
    element(&mut body, MI_INT32, &dims);
    element(&mut body, MI_INT8, name.as_bytes());
    let values: Vec<u8> = m
        .to_col_major()
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    element(&mut body, MI_DOUBLE, &values);
    let len = u32::try_from(body.len()).map_err(|_| too_large())?;
    out.extend_from_slice(&MI_MATRIX.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&body);
    Ok(())
}

/// One data element: type, byte count, the bytes, zero padding to a multiple of 8. (Callers keep every element
/// under 4 GiB: the matrix as a whole is checked.)
fn element(out: &mut Vec<u8>, kind: u32, data: &[u8]) {
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(8), 0);
}
