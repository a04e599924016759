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
//! variable's class, flags, dimensions and name are read. `Variable::decode_real` (in `variable.rs`) is a small decoder for
//! dense real numeric arrays, used where `matfile` rejects a file the walk found sound.
//!
//! Allocation is bounded by the input: nothing is allocated from a size field before the bytes it describes
//! have been seen, and an inflated variable may not exceed [`MAX_VARIABLE_BYTES`].

pub use super::element::ScanError;
use super::element::{read_u32, round8, sub_element};
use super::tags::{MI_COMPRESSED, MI_INT8, MI_INT32, MI_MATRIX, MI_UINT32};
use super::variable::Variable;
use std::io::Read;

/// The largest inflated variable read by default (1 GiB): a forged size or a zip bomb stops here
/// ([`Limits::mat_variable`](crate::Limits::mat_variable) sets another).
pub const MAX_VARIABLE_BYTES: u64 = 1 << 30;

/// The level-5 header: text, subsystem offset, version and endian indicator.
pub(super) const HEADER_LEN: usize = 128;
const HDF5_SIGNATURE: &[u8] = b"\x89HDF\r\n\x1a\n";

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

/// Inflates a compressed element, refusing more than `limit` bytes.
fn inflate(compressed: &[u8], limit: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(limit.saturating_add(1))
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

/// Walks the whole file and returns its variables in order; a compressed variable may inflate to at most
/// `limit` bytes.
pub fn scan(bytes: &[u8], limit: u64) -> Result<Vec<Variable>, ScanError> {
    let be = header(bytes)?;
    let mut vars = Vec::new();
    let mut pos = HEADER_LEN;
    let mut index = 0;
    while pos < bytes.len() {
        index += 1;
        let start = pos;
        let (matrix, next) = element(bytes, pos, index, be, limit)?;
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

/// Checks the 128-byte header (and recognises v7.3/HDF5); returns whether the file is big-endian.
fn header(bytes: &[u8]) -> Result<bool, ScanError> {
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
    Ok(be)
}

/// The top-level element `index` at byte `pos`: its miMATRIX payload (inflated if compressed) and the
/// position of the next element.
fn element(
    bytes: &[u8],
    pos: usize,
    index: usize,
    be: bool,
    limit: u64,
) -> Result<(Vec<u8>, usize), ScanError> {
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
    match ty {
        MI_COMPRESSED => Ok((inflated_array(payload, pos, index, be, limit)?, pos + 8 + n)),
        MI_MATRIX => Ok((payload.to_vec(), pos + 8 + round8(n))),
        other => Err(ScanError::Malformed(format!(
            "element {index} at byte {pos} has type {other}, expected an array (14) or compressed data (15)"
        ))),
    }
}

/// The miMATRIX payload inside the compressed element `index` at byte `pos`.
fn inflated_array(
    payload: &[u8],
    pos: usize,
    index: usize,
    be: bool,
    limit: u64,
) -> Result<Vec<u8>, ScanError> {
    let inflated = inflate(payload, limit).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => ScanError::Truncated(format!(
            "the compressed data of element {index} at byte {pos} ends early"
        )),
        // std's read_to_end reserves with try_reserve: a failed allocation is this error, not an abort.
        std::io::ErrorKind::OutOfMemory => ScanError::Malformed(format!(
            "element {index} at byte {pos} inflates to more than the memory there is (nn reads at most {limit} bytes of a variable; --max-mat-variable)"
        )),
        _ => ScanError::Malformed(format!(
            "element {index} at byte {pos} is not valid zlib data ({e})"
        )),
    })?;
    if inflated.len() as u64 > limit {
        return Err(ScanError::Malformed(format!(
            "element {index} inflates to more than {limit} bytes, the most nn reads (--max-mat-variable raises it)"
        )));
    }
    let inner_ty = read_u32(&inflated, 0, be);
    let inner_n = read_u32(&inflated, 4, be).map(|v| v as usize);
    match (inner_ty, inner_n) {
        (Some(MI_MATRIX), Some(m)) if m <= inflated.len() - 8 => Ok(inflated[8..8 + m].to_vec()),
        (Some(MI_MATRIX), Some(m)) => Err(ScanError::Truncated(format!(
            "element {index} at byte {pos}: its array declares {m} bytes but inflates to {}",
            inflated.len().saturating_sub(8)
        ))),
        _ => Err(ScanError::Malformed(format!(
            "compressed element {index} does not hold an array (miMATRIX)"
        ))),
    }
}
