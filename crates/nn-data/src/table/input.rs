//! Reading a delimited file's rows: the `csv` crate for `,` `;` and tab, split on whitespace otherwise; the
//! delimiter detected from the first lines; every I/O error (and every limit the text went past) named.

use super::Delimiter;
use crate::error::{DataError, Result};
use crate::limits::LimitHit;
use std::io::BufRead;
use std::path::Path;

/// The source of rows: the `csv` crate for a single-byte delimiter, whitespace splitting otherwise. Either
/// way a row's fields land in one [`csv::StringRecord`], so that a row can be handed on whole (to the thread
/// that parses its cells, [`super::stream`]).
pub(super) struct Input<'a> {
    path: &'a Path,
    pub(super) delimiter: Delimiter,
    rows: Rows<'a>,
    /// The current row's fields, untrimmed.
    pub(super) record: csv::StringRecord,
}

enum Rows<'a> {
    Csv(csv::Reader<Box<dyn BufRead + Send + 'a>>),
    Whitespace {
        reader: Box<dyn BufRead + Send + 'a>,
        text: String,
        line: usize,
    },
}

impl<'a> Input<'a> {
    pub(super) fn new(
        mut reader: Box<dyn BufRead + Send + 'a>,
        path: &'a Path,
        given: Option<Delimiter>,
    ) -> Result<Self> {
        let delimiter = match given {
            Some(d) => d,
            None => {
                let sample = reader.fill_buf().map_err(|source| io_error(source, path))?;
                detect_delimiter(sample)
            }
        };
        let rows = match delimiter.byte() {
            Some(byte) => Rows::Csv(
                csv::ReaderBuilder::new()
                    .delimiter(byte)
                    .has_headers(false)
                    .flexible(true)
                    // Records end at LF; the CR of a CRLF is trimmed with the last field. (With the default
                    // CRLF terminator, the csv crate counts a record's LF into the next record's start line,
                    // so every line number after the first CRLF would be one short.)
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_reader(reader),
            ),
            None => Rows::Whitespace {
                reader,
                text: String::new(),
                line: 0,
            },
        };
        Ok(Input {
            path,
            delimiter,
            rows,
            record: csv::StringRecord::new(),
        })
    }

    /// Moves to the next non-blank row, its fields in `record`, and returns the line it starts on; `None` at
    /// the end.
    pub(super) fn next(&mut self) -> Result<Option<usize>> {
        let path = self.path;
        let record = &mut self.record;
        loop {
            let line = match &mut self.rows {
                Rows::Csv(reader) => {
                    // The csv crate checks that the record is UTF-8 once, as a whole (a failure is an error
                    // naming its line, below).
                    if !reader.read_record(record).map_err(|e| csv_error(e, path))? {
                        return Ok(None);
                    }
                    if record.len() == 1 && record[0].trim_ascii().is_empty() {
                        continue;
                    }
                    record.position().map_or(0, |p| p.line() as usize)
                }
                Rows::Whitespace { reader, text, line } => {
                    text.clear();
                    *line += 1;
                    let n = reader
                        .read_line(text)
                        .map_err(|source| match source.kind() {
                            std::io::ErrorKind::InvalidData => DataError::NotText {
                                path: path.to_path_buf(),
                                line: *line,
                            },
                            _ => io_error(source, path),
                        })?;
                    if n == 0 {
                        return Ok(None);
                    }
                    if *line == 1 && text.starts_with('\u{feff}') {
                        text.drain(..'\u{feff}'.len_utf8());
                    }
                    record.clear();
                    text.split_ascii_whitespace()
                        .for_each(|field| record.push_field(field));
                    if record.is_empty() {
                        continue;
                    }
                    *line
                }
            };
            return Ok(Some(line));
        }
    }
}

fn csv_error(e: csv::Error, path: &Path) -> DataError {
    let line = e.position().map_or(0, |p| p.line() as usize);
    match e.into_kind() {
        csv::ErrorKind::Io(source) => io_error(source, path),
        _ => DataError::NotText {
            path: path.to_path_buf(),
            line,
        },
    }
}

/// An I/O error while reading, or a limit that reading went past.
fn io_error(source: std::io::Error, path: &Path) -> DataError {
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
