//! A walker over the element structure of a MAT-file (level 5), independent of `matfile`.
//!
//! It exists because `matfile` 0.5.0 cannot be trusted with bad input on its own:
//! - a file whose compressed element is cut short parses as `Ok` with no variables, so a truncated file
//!   would read as "variable X missing";
//! - cell, struct, char and sparse arrays are dropped silently, so a wrong-kind variable would also read as
//!   missing;
//! - `ArrayType::Int32` is mapped to the UInt32 data type in its `parse.rs`, so int32 arrays (labels saved by
//!   `scipy.io.savemat` from an int32 column) fail to parse, and with them the whole file.
//!
//! So every file is first walked here: the header is checked (and a v7.3/HDF5 file recognised), every
//! element's declared size is checked against the bytes that exist, compressed elements are inflated, and each
//! variable's class, flags, dimensions and name are read. [`Variable::decode_real`] is a small decoder for
//! dense real numeric arrays, used where `matfile` rejects a file the walk found sound.
//!
//! Allocation is bounded by the input: nothing is allocated from a size field before the bytes it describes
//! have been seen, and an inflated variable may not exceed [`MAX_VARIABLE_BYTES`].

use std::io::Read;

/// The largest inflated variable read (1 GiB): a forged size or a zip bomb stops here.
pub const MAX_VARIABLE_BYTES: u64 = 1 << 30;

const HEADER_LEN: usize = 128;
const MI_INT8: u32 = 1;
const MI_INT32: u32 = 5;
const MI_UINT32: u32 = 6;
const MI_MATRIX: u32 = 14;
const MI_COMPRESSED: u32 = 15;
const HDF5_SIGNATURE: &[u8] = b"\x89HDF\r\n\x1a\n";

/// Why a walk failed, before the file's path is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanError {
    /// MATLAB v7.3, i.e. HDF5.
    V73,
    /// The file ends before something it declares.
    Truncated(String),
    /// The bytes are not a level-5 MAT-file.
    Malformed(String),
}

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
    big_endian: bool,
    /// The miMATRIX payload (after flags, dims and name: `data_start` points at the real part).
    payload: Vec<u8>,
    data_start: usize,
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
    /// by kind. Run by [`scan`] on every variable, so that no reader ever sizes anything from dimensions that
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
        if bytes % width != 0 || bytes / width != expected {
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

fn read_u32(bytes: &[u8], at: usize, be: bool) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(if be {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

fn round8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// Reads the sub-element at `pos`: `(type, data, next position)`. Handles the small (packed) format.
fn sub_element(buf: &[u8], pos: usize, be: bool) -> Result<(u32, &[u8], usize), String> {
    let first = read_u32(buf, pos, be).ok_or_else(|| {
        format!(
            "a tag at byte {pos} runs past the array's end ({} bytes)",
            buf.len()
        )
    })?;
    if first >> 16 != 0 {
        let (ty, n) = (first & 0xffff, (first >> 16) as usize);
        if n > 4 {
            return Err(format!(
                "a packed element at byte {pos} declares {n} bytes, at most 4 fit"
            ));
        }
        let data = buf
            .get(pos + 4..pos + 4 + n)
            .ok_or_else(|| format!("a packed element at byte {pos} runs past the array's end"))?;
        return Ok((ty, data, pos + 8));
    }
    let n = read_u32(buf, pos + 4, be)
        .ok_or_else(|| format!("a tag at byte {pos} runs past the array's end"))?
        as usize;
    let end = (pos + 8)
        .checked_add(n)
        .filter(|&e| e <= buf.len())
        .ok_or_else(|| {
            format!(
                "an element at byte {pos} declares {n} bytes but only {} remain in the array",
                buf.len().saturating_sub(pos + 8)
            )
        })?;
    Ok((first, &buf[pos + 8..end], pos + 8 + round8(n)))
}

/// Reads the flags, dimensions and name at the start of an miMATRIX payload.
fn matrix_header(
    payload: &[u8],
    be: bool,
) -> Result<(u8, bool, Vec<usize>, String, usize), String> {
    let (ty, flags, pos) = sub_element(payload, 0, be)?;
    if ty != MI_UINT32 || flags.len() != 8 {
        return Err(format!(
            "array flags: expected 8 bytes of type miUINT32, found {} bytes of type {ty}",
            flags.len()
        ));
    }
    let word = read_u32(flags, 0, be).unwrap_or(0);
    let (class, complex) = ((word & 0xff) as u8, word & 0x0800 != 0);
    let (ty, dims_raw, pos) = sub_element(payload, pos, be)?;
    if ty != MI_INT32 || dims_raw.len() < 8 || dims_raw.len() % 4 != 0 {
        return Err(format!(
            "dimensions: expected at least two miINT32 values, found {} bytes of type {ty}",
            dims_raw.len()
        ));
    }
    let dims = (0..dims_raw.len() / 4)
        .map(|i| {
            let d = read_u32(dims_raw, 4 * i, be).unwrap_or(0) as i32;
            usize::try_from(d).map_err(|_| format!("dimension {} is negative ({d})", i + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (ty, name, pos) = sub_element(payload, pos, be)?;
    if !name.is_empty() && ty != MI_INT8 && ty != 2 {
        return Err(format!("array name: expected miINT8 text, found type {ty}"));
    }
    let name = String::from_utf8_lossy(name).into_owned();
    Ok((class, complex, dims, name, pos))
}

/// Inflates a compressed element, refusing more than [`MAX_VARIABLE_BYTES`].
fn inflate(compressed: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_VARIABLE_BYTES + 1)
        .read_to_end(&mut out)?;
    Ok(out)
}

/// Best-effort name of the variable in a (possibly cut-short) element, for messages.
fn peek_name(ty: u32, payload: &[u8], be: bool) -> Option<String> {
    let mut head = Vec::new();
    let inner: &[u8] = if ty == MI_COMPRESSED {
        let _ = flate2::read::ZlibDecoder::new(payload)
            .take(512)
            .read_to_end(&mut head);
        head.get(8..)?
    } else {
        payload
    };
    matrix_header(inner, be).ok().map(|h| h.3)
}

/// Walks the whole file and returns its variables in order.
pub fn scan(bytes: &[u8]) -> Result<Vec<Variable>, ScanError> {
    if bytes.starts_with(b"MATLAB 7.3")
        || bytes.get(512..520) == Some(HDF5_SIGNATURE)
        || bytes.starts_with(HDF5_SIGNATURE)
    {
        return Err(ScanError::V73);
    }
    if bytes.is_empty() {
        return Err(ScanError::Malformed("the file is empty".into()));
    }
    if !bytes.starts_with(b"MATLAB") {
        return Err(ScanError::Malformed(
            "the header text does not start with 'MATLAB'".into(),
        ));
    }
    if bytes.len() < HEADER_LEN {
        return Err(ScanError::Truncated(format!(
            "the 128-byte header ends after {} bytes",
            bytes.len()
        )));
    }
    let be = match &bytes[126..128] {
        b"IM" => false,
        b"MI" => true,
        other => {
            return Err(ScanError::Malformed(format!(
                "endian indicator is {other:?}, expected \"IM\" or \"MI\""
            )));
        }
    };
    let version = read_u32(&[bytes[124], bytes[125], 0, 0], 0, false).unwrap_or(0);
    let version = if be {
        version.swap_bytes() >> 16
    } else {
        version
    };
    if version != 0x0100 {
        return Err(ScanError::Malformed(format!(
            "version is {version:#06x}, expected 0x0100 (level 5)"
        )));
    }

    let mut vars = Vec::new();
    let mut pos = HEADER_LEN;
    let mut index = 0;
    while pos < bytes.len() {
        index += 1;
        let start = pos;
        let remaining = bytes.len() - pos;
        if remaining < 8 {
            return Err(ScanError::Truncated(format!(
                "element {index} at byte {pos}: only {remaining} bytes of its 8-byte tag"
            )));
        }
        let ty = read_u32(bytes, pos, be).unwrap_or(0);
        let n = read_u32(bytes, pos + 4, be).unwrap_or(0) as usize;
        let available = remaining - 8;
        if n > available {
            let payload = &bytes[pos + 8..];
            let who = peek_name(ty, payload, be)
                .map(|name| format!("variable '{name}' (element {index})"))
                .unwrap_or(format!("element {index}"));
            return Err(ScanError::Truncated(format!(
                "{who} at byte {pos} declares {n} bytes but only {available} remain; the file is {} bytes short",
                n - available
            )));
        }
        let payload = &bytes[pos + 8..pos + 8 + n];
        let (matrix, next) = match ty {
            MI_COMPRESSED => {
                let inflated = inflate(payload).map_err(|e| match e.kind() {
                    std::io::ErrorKind::UnexpectedEof => ScanError::Truncated(format!(
                        "the compressed data of element {index} at byte {pos} ends early"
                    )),
                    _ => ScanError::Malformed(format!(
                        "element {index} at byte {pos} is not valid zlib data ({e})"
                    )),
                })?;
                if inflated.len() as u64 > MAX_VARIABLE_BYTES {
                    return Err(ScanError::Malformed(format!(
                        "element {index} inflates to more than {MAX_VARIABLE_BYTES} bytes, the most nn reads"
                    )));
                }
                let inner_ty = read_u32(&inflated, 0, be);
                let inner_n = read_u32(&inflated, 4, be).map(|v| v as usize);
                match (inner_ty, inner_n) {
                    (Some(MI_MATRIX), Some(m)) if m <= inflated.len() - 8 => {
                        (inflated[8..8 + m].to_vec(), pos + 8 + n)
                    }
                    (Some(MI_MATRIX), Some(m)) => {
                        return Err(ScanError::Truncated(format!(
                            "element {index} at byte {pos}: its array declares {m} bytes but inflates to {}",
                            inflated.len().saturating_sub(8)
                        )));
                    }
                    _ => {
                        return Err(ScanError::Malformed(format!(
                            "compressed element {index} does not hold an array (miMATRIX)"
                        )));
                    }
                }
            }
            MI_MATRIX => (payload.to_vec(), pos + 8 + round8(n)),
            other => {
                return Err(ScanError::Malformed(format!(
                    "element {index} at byte {pos} has type {other}, expected an array (14) or compressed data (15)"
                )));
            }
        };
        pos = next.min(bytes.len());
        if matrix.is_empty() {
            continue; // an empty array element carries no variable
        }
        let (class, complex, dims, name, data_start) = matrix_header(&matrix, be)
            .map_err(|e| ScanError::Malformed(format!("element {index} at byte {start}: {e}")))?;
        let var = Variable {
            name,
            class,
            complex,
            dims,
            big_endian: be,
            payload: matrix,
            data_start,
        };
        var.check_data_size()?;
        vars.push(var);
    }
    Ok(vars)
}
