//! [`Variable`]: one top-level array of a MAT-file as [`scan`](super::scan::scan) found it, with the checks and
//! the decoder of its numeric data.

use super::element::{ScanError, sub_element};

/// One top-level variable as the walk found it.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Its name.
    pub name: String,
    /// mxClass: 1 cell, 2 struct, 3 object, 4 char, 5 sparse, 6 double, 7 single, 8–15 integers.
    pub class: u8,
    /// Has an imaginary part.
    pub complex: bool,
    /// Its dimensions (at least two).
    pub dims: Vec<usize>,
    pub(super) big_endian: bool,
    /// The miMATRIX payload (after flags, dims and name: `data_start` points at the real part).
    pub(super) payload: Vec<u8>,
    pub(super) data_start: usize,
}

impl Variable {
    /// What kind of array it is, for messages: `None` for a dense real numeric array.
    pub fn unsupported_kind(&self) -> Option<String> {
        let kind = match self.class {
            1 => "a cell array",
            2 => "a struct",
            3 => "an object",
            4 => "a char array",
            5 => "a sparse array",
            6..=15 if self.complex => return Some(format!("complex ({})", class_name(self.class))),
            6..=15 => return None,
            16 => "a function handle",
            17 => "an opaque object",
            _ => "an array of unknown class",
        };
        Some(kind.to_string())
    }

    /// Number of elements the dimensions declare, if it does not overflow.
    pub fn element_count(&self) -> Option<usize> {
        self.dims
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
    }

    /// Checks, for a dense numeric array, that its dimensions multiply to at most `i32::MAX` values (the most
    /// a level-5 array holds, and what `matfile` computes its product in) and that its real part (and imaginary
    /// part, if any) holds exactly that many values of its type. Other classes pass unchecked: nn refuses them
    /// by kind. Run by [`scan`](super::scan::scan) on every variable, so that no reader ever sizes anything from dimensions that
    /// the bytes do not back.
    pub fn check_data_size(&self) -> Result<(), ScanError> {
        if !(6..=15).contains(&self.class) {
            return Ok(());
        }
        let count = self.dims.iter().try_fold(1i32, |acc, &d| {
            i32::try_from(d).ok().and_then(|d| acc.checked_mul(d))
        });
        let Some(count) = count else {
            return Err(ScanError::Malformed(format!(
                "variable '{}' declares {} values, more than the {} a MAT-file array can hold",
                self.name,
                dims_text(&self.dims),
                i32::MAX
            )));
        };
        let mut pos = self.data_start;
        for part in ["real", "imaginary"]
            .into_iter()
            .take(1 + self.complex as usize)
        {
            let (_, data, next, width) = self.numeric_part(pos, part)?;
            self.check_count(count as usize, data.len(), width)?;
            pos = next;
        }
        Ok(())
    }

    /// The sub-element at `pos` with its value width in bytes.
    fn numeric_part(
        &self,
        pos: usize,
        part: &str,
    ) -> Result<(u32, &[u8], usize, usize), ScanError> {
        let (ty, data, next) = sub_element(&self.payload, pos, self.big_endian).map_err(|e| {
            ScanError::Malformed(format!("variable '{}': {part} part: {e}", self.name))
        })?;
        let width = match ty {
            1 | 2 => 1,
            3 | 4 => 2,
            5..=7 => 4,
            9 | 12 | 13 => 8,
            _ => {
                return Err(ScanError::Malformed(format!(
                    "variable '{}': data type {ty} of its {part} part is not numeric",
                    self.name
                )));
            }
        };
        Ok((ty, data, next, width))
    }

    fn check_count(&self, expected: usize, bytes: usize, width: usize) -> Result<(), ScanError> {
        if !bytes.is_multiple_of(width) || bytes / width != expected {
            return Err(ScanError::Malformed(format!(
                "variable '{}' is {} = {} values but its data holds {} bytes of {}-byte values",
                self.name,
                dims_text(&self.dims),
                expected,
                bytes,
                width
            )));
        }
        Ok(())
    }

    /// The real part as f64, column-major. Requires a dense real numeric array.
    pub fn decode_real(&self) -> Result<Vec<f64>, ScanError> {
        let (ty, data, _, width) = self.numeric_part(self.data_start, "real")?;
        let expected = self.element_count().ok_or_else(|| {
            ScanError::Malformed(format!(
                "variable '{}': the dimensions {} overflow",
                self.name,
                dims_text(&self.dims)
            ))
        })?;
        self.check_count(expected, data.len(), width)?;
        let be = self.big_endian;
        let value = |b: &[u8]| -> f64 {
            macro_rules! read {
                ($t:ty) => {{
                    let a = b.try_into().expect("chunk width matches the type");
                    (if be {
                        <$t>::from_be_bytes(a)
                    } else {
                        <$t>::from_le_bytes(a)
                    }) as f64
                }};
            }
            match ty {
                1 => read!(i8),
                2 => read!(u8),
                3 => read!(i16),
                4 => read!(u16),
                5 => read!(i32),
                6 => read!(u32),
                7 => read!(f32),
                9 => read!(f64),
                12 => read!(i64),
                _ => read!(u64),
            }
        };
        Ok(data.chunks_exact(width).map(value).collect())
    }
}

/// `5000×400`.
pub fn dims_text(dims: &[usize]) -> String {
    dims.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("×")
}

fn class_name(class: u8) -> &'static str {
    match class {
        6 => "double",
        7 => "single",
        8 => "int8",
        9 => "uint8",
        10 => "int16",
        11 => "uint16",
        12 => "int32",
        13 => "uint32",
        14 => "int64",
        _ => "uint64",
    }
}
