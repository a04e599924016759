//! IDX files, MNIST's format: a magic number naming the element type and rank, big-endian dimensions, then
//! the values. Plain or gzip'd (recognised by the gzip magic bytes, whatever the file name).

use crate::classes::ClassMap;
use crate::dataset::Dataset;
use crate::error::{DataError, Result, read_file};
use nn_linalg::Matrix;
use std::io::Read;
use std::path::Path;

/// The most bytes of values an IDX file may declare (1 GiB). Larger sizes are refused before any allocation.
pub const MAX_IDX_BYTES: usize = 1 << 30;

/// Reads MNIST-style images (`n×rows×cols` unsigned bytes) and labels (`n` bytes; label ℓ is class ℓ, so the
/// classes are 0..=max, at least two; MNIST's are 0..9) into a dataset whose
/// rows are images flattened row-major and scaled to [0, 1].
pub fn load_idx(images: &Path, labels: &Path) -> Result<Dataset> {
    let (image_dims, pixels) = read_idx(images)?;
    if image_dims.len() != 3 {
        return Err(DataError::Idx {
            path: images.to_path_buf(),
            detail: format!(
                "expected 3 dimensions (images × rows × columns), found {}",
                image_dims.len()
            ),
        });
    }
    let (label_dims, raw_labels) = read_idx(labels)?;
    if label_dims.len() != 1 {
        return Err(DataError::Idx {
            path: labels.to_path_buf(),
            detail: format!("expected 1 dimension (labels), found {}", label_dims.len()),
        });
    }
    if image_dims[0] != label_dims[0] {
        return Err(DataError::IdxCount {
            images_path: images.to_path_buf(),
            images: image_dims[0],
            labels_path: labels.to_path_buf(),
            labels: label_dims[0],
        });
    }
    let (n, width) = (image_dims[0], image_dims[1] * image_dims[2]);
    let x = Matrix::from_fn(n, width, |i, j| f64::from(pixels[i * width + j]) / 255.0);
    let k = raw_labels.iter().copied().max().map_or(0, usize::from) + 1;
    let labels_vec: Vec<usize> = raw_labels.iter().map(|&l| usize::from(l)).collect();
    Dataset::new(x, labels_vec, ClassMap::zero_based(k.max(2)), labels)
}

/// Reads an unsigned-byte IDX file: its dimensions and its values.
pub fn read_idx(path: &Path) -> Result<(Vec<usize>, Vec<u8>)> {
    let raw = read_file(path)?;
    parse_idx(&raw, path)
}

/// [`read_idx`] on bytes already in memory.
pub fn parse_idx(raw: &[u8], path: &Path) -> Result<(Vec<usize>, Vec<u8>)> {
    let err = |detail: String| DataError::Idx {
        path: path.to_path_buf(),
        detail,
    };
    let mut reader: Box<dyn Read + '_> = if raw.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::GzDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    let read_err = |e: std::io::Error, what: &str| err(format!("{what}: {e}"));
    let mut magic = [0u8; 4];
    reader
        .read_exact(&mut magic)
        .map_err(|e| read_err(e, "reading the 4-byte magic number"))?;
    if magic[0] != 0 || magic[1] != 0 {
        return Err(err(format!(
            "magic number {:02x}{:02x}{:02x}{:02x} does not start with two zero bytes",
            magic[0], magic[1], magic[2], magic[3]
        )));
    }
    if magic[2] != 0x08 {
        return Err(err(format!(
            "element type {:#04x}; only unsigned bytes (0x08) are supported",
            magic[2]
        )));
    }
    let rank = usize::from(magic[3]);
    if rank == 0 || rank > 4 {
        return Err(err(format!("rank {rank}; expected 1 to 4 dimensions")));
    }
    let mut dims = Vec::with_capacity(rank);
    for d in 0..rank {
        let mut b = [0u8; 4];
        reader
            .read_exact(&mut b)
            .map_err(|e| read_err(e, &format!("reading dimension {}", d + 1)))?;
        dims.push(u32::from_be_bytes(b) as usize);
    }
    let total = dims
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .filter(|&t| t <= MAX_IDX_BYTES)
        .ok_or_else(|| {
            err(format!(
                "dimensions {dims:?} declare more than {MAX_IDX_BYTES} bytes, the most nn reads"
            ))
        })?;
    // The buffer grows with the bytes that actually arrive, so a forged dimension allocates nothing extra.
    let mut values = Vec::new();
    reader
        .take(total as u64 + 1)
        .read_to_end(&mut values)
        .map_err(|e| read_err(e, "reading the values"))?;
    if values.len() != total {
        return Err(err(format!(
            "dimensions {dims:?} declare {total} values but the file holds {}{}",
            values.len().min(total),
            if values.len() > total {
                " and more (trailing bytes)"
            } else {
                ""
            }
        )));
    }
    Ok((dims, values))
}
