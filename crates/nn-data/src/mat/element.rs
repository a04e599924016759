//! The tagged elements of a level-5 MAT-file: a sub-element's tag and data, and why a walk failed.

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

pub(super) fn read_u32(bytes: &[u8], at: usize, be: bool) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(if be {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

pub(super) fn round8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// Reads the sub-element at `pos`: `(type, data, next position)`. Handles the small (packed) format.
pub(super) fn sub_element(buf: &[u8], pos: usize, be: bool) -> Result<(u32, &[u8], usize), String> {
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
