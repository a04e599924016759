//! Reading a delimited file's rows where quotes matter: the `csv` crate, from the first block of the file that
//! holds a `"` (before it, [`super::lines`] splits the text itself); the delimiter detected from the first
//! lines; every I/O error (and every limit the text went past) named.

use super::Delimiter;
use crate::error::{DataError, Result};
use crate::limits::LimitHit;
use std::io::{BufRead, Read};
use std::path::Path;

/// The delimiter: `given`, else the one the first lines use.
pub(super) fn delimiter(
    reader: &mut dyn BufRead,
    path: &Path,
    given: Option<Delimiter>,
) -> Result<Delimiter> {
    match given {
        Some(d) => Ok(d),
        None => {
            let sample = reader.fill_buf().map_err(|source| io_error(source, path))?;
            Ok(detect_delimiter(sample))
        }
    }
}

/// Rows split by the `csv` crate, quoted fields and all.
pub(super) struct Input<'a> {
    path: &'a Path,
    reader: csv::Reader<Tracked<Box<dyn BufRead + Send + 'a>>>,
    /// Lines of the file before the text this reader was given.
    lines_before: usize,
    /// The current row's fields, untrimmed.
    pub(super) record: csv::StringRecord,
}

/// A reader that remembers how many bytes it gave, the last of them, and whether it reached the end: what
/// tells whether the last record of a file ended with a line feed.
struct Tracked<R> {
    inner: R,
    given: u64,
    last: Option<u8>,
    ended: bool,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.given += n as u64;
        self.ended |= n == 0 && !buf.is_empty();
        if n > 0 {
            self.last = Some(buf[n - 1]);
        }
        Ok(n)
    }
}

impl<'a> Input<'a> {
    /// Reads `reader`, whose text starts after line `lines_before` of the file, split on `delimiter`. (The
    /// csv crate drops a byte order mark that opens the text.)
    pub(super) fn new(
        reader: Box<dyn BufRead + Send + 'a>,
        path: &'a Path,
        delimiter: u8,
        lines_before: usize,
    ) -> Self {
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            // Records end at LF; the CR of a CRLF is trimmed with the last field.
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(Tracked {
                inner: reader,
                given: 0,
                last: None,
                ended: false,
            });
        Input {
            path,
            reader,
            lines_before,
            record: csv::StringRecord::new(),
        }
    }

    /// Moves to the next non-blank row, its fields in `record`, and returns the line it starts on; `None` at
    /// the end. A row that is not UTF-8 is an error naming that line.
    pub(super) fn next(&mut self) -> Result<Option<usize>> {
        loop {
            let mut raw = std::mem::take(&mut self.record).into_byte_record();
            let read = self.reader.read_byte_record(&mut raw);
            if !read.map_err(|e| csv_error(e, self.path))? {
                return Ok(None);
            }
            let line = self.lines_before + self.start_line(&raw);
            self.record =
                csv::StringRecord::from_byte_record(raw).map_err(|_| DataError::NotText {
                    path: self.path.to_path_buf(),
                    line,
                })?;
            if self.record.len() == 1 && self.record[0].trim_ascii().is_empty() {
                continue;
            }
            return Ok(Some(line));
        }
    }

    /// The line that the record just read starts on, counted from this reader's text. (The csv crate's own
    /// record position is where its scan began, before the empty lines it skips: one line short for each.)
    /// The reader's position is the line after the record's line feed; the record's own line feeds, inside
    /// quoted cells, lead back to its first line. One case stays ambiguous: a file that ends inside a quoted
    /// cell whose text ends with a line feed. That row is numbered one line early.
    fn start_line(&self, raw: &csv::ByteRecord) -> usize {
        let after = self.reader.position().line() as usize;
        let inside: usize = raw
            .iter()
            .map(|f| memchr::memchr_iter(b'\n', f).count())
            .sum();
        let text = self.reader.get_ref();
        let unterminated =
            text.ended && self.reader.position().byte() == text.given && text.last != Some(b'\n');
        let last = if unterminated { after } else { after - 1 };
        last.saturating_sub(inside).max(1)
    }
}

/// The csv crate's error: with flexible rows and byte records, only an I/O error (or a limit) is left.
fn csv_error(e: csv::Error, path: &Path) -> DataError {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => io_error(source, path),
        kind => DataError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(format!("{kind:?}")),
        },
    }
}

/// An I/O error while reading, or a limit that reading went past.
pub(super) fn io_error(source: std::io::Error, path: &Path) -> DataError {
    match LimitHit::of(&source) {
        Some(hit) => DataError::Limit {
            path: path.to_path_buf(),
            hit: hit.clone(),
        },
        None => DataError::Io {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// The first of `,` tab `;` that splits the sample's first line into more than one field and most of the
/// other lines into as many (quotes respected); else the first that splits the first line at all (the ragged
/// rows are then an error); else runs of whitespace.
fn detect_delimiter(sample: &[u8]) -> Delimiter {
    // Only whole lines count: the sample may end mid-line.
    let end = sample
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(sample.len(), |i| i + 1);
    let sample = &sample[..end];
    let widths = |byte: u8| -> Vec<usize> {
        csv::ReaderBuilder::new()
            .delimiter(byte)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample)
            .byte_records()
            .map_while(|r| r.ok())
            .filter(|r| !(r.len() == 1 && r[0].iter().all(u8::is_ascii_whitespace)))
            .take(20)
            .map(|r| r.len())
            .collect()
    };
    let mut splits_first = None;
    for d in Delimiter::ALL {
        let Some(byte) = d.byte() else { continue };
        let w = widths(byte);
        let Some(&first) = w.first().filter(|&&f| f > 1) else {
            continue;
        };
        if 2 * w.iter().filter(|&&x| x == first).count() > w.len() {
            return d;
        }
        splits_first.get_or_insert(d);
    }
    splits_first.unwrap_or(Delimiter::Whitespace)
}
