//! [`Limits`]: bounds on what reading a delimited text file may take, checked while it streams, so that no
//! file (a gzip bomb, a line without end, a billion rows) can exhaust memory or abort the process.

use std::io::Read;

/// Bounds on reading one delimited text file (and one MAT-file variable). The defaults suit a machine of 24 GB: at the largest, the
/// numbers read take 4 GB (500 million cells of 8 bytes), which a run then copies a few times. Each limit has
/// a command-line flag that raises it, which its error names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of text after decompression (`--max-bytes`).
    pub bytes: u64,
    /// Bytes in one line (`--max-line`): a quoted cell may span lines, but no line may be longer.
    pub line: u64,
    /// Data rows (`--max-rows`).
    pub rows: usize,
    /// Columns (`--max-columns`).
    pub columns: usize,
    /// Cells, rows × columns (`--max-cells`).
    pub cells: u64,
    /// Bytes of one compressed MAT-file variable after inflating (`--max-mat-variable`).
    pub mat_variable: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            bytes: 8 << 30,
            line: 64 << 20,
            rows: 200_000_000,
            columns: 100_000,
            cells: 500_000_000,
            mat_variable: crate::mat::scan::MAX_VARIABLE_BYTES,
        }
    }
}

/// A limit that reading went past: one line that names it, its value and the flag that raises it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} is over the limit of {limit} (--{flag} raises it)")]
pub struct LimitHit {
    /// What went past it, e.g. "the decompressed text".
    pub what: String,
    /// The limit.
    pub limit: u64,
    /// The flag that raises it, without `--`.
    pub flag: &'static str,
}

impl LimitHit {
    /// The limit hit behind an I/O error, if that is what it is.
    pub fn of(e: &std::io::Error) -> Option<&LimitHit> {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<LimitHit>())
    }
}

/// A reader that counts the bytes through it, and fails once there are more than [`Limits::bytes`] in all
/// or more than [`Limits::line`] since the last line feed.
pub(crate) struct Bounded<R> {
    inner: R,
    limits: Limits,
    total: u64,
    line: u64,
}

impl<R> Bounded<R> {
    pub(crate) fn new(inner: R, limits: Limits) -> Self {
        Bounded {
            inner,
            limits,
            total: 0,
            line: 0,
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = &buf[..n];
        self.total += n as u64;
        // The longest line that this chunk ends or holds, and the length of the line it leaves open.
        let mut start = 0;
        let mut longest = self.line;
        for newline in memchr::memchr_iter(b'\n', read) {
            longest = longest.max(self.line + (newline - start) as u64);
            self.line = 0;
            start = newline + 1;
        }
        self.line += (n - start) as u64;
        let longest = longest.max(self.line);
        let hit = if self.total > self.limits.bytes {
            LimitHit {
                what: format!(
                    "the text (after decompression, {} bytes so far)",
                    self.total
                ),
                limit: self.limits.bytes,
                flag: "max-bytes",
            }
        } else if longest > self.limits.line {
            LimitHit {
                what: format!("a line ({longest} bytes so far)"),
                limit: self.limits.line,
                flag: "max-line",
            }
        } else {
            return Ok(n);
        };
        Err(std::io::Error::other(hit))
    }
}
