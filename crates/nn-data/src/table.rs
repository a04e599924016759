//! Delimited text read into a [`Table`] of typed columns: what a spreadsheet export or a data portal's CSV
//! looks like, before any column is chosen as a feature or a target.
//!
//! - **Delimiter:** `,`, `;`, tab, or runs of spaces and tabs, detected from the first lines (the first of
//!   `,` tab `;` that splits them into the same number of fields, more than one; else whitespace), or given.
//!   Text without quotes is split by this crate, in blocks of lines on a worker per core; from
//!   the first line with a `"` on, the `csv` crate splits it, so quoted fields (with delimiters, quotes and
//!   line breaks inside) work. Either way a row is named by the line it starts on.
//! - **Header:** detected (the first row holds a word where the rows after it hold numbers, or, for an
//!   all-text table, no first-row value reappears in its column) or given.
//! - **Compression:** gzip is read transparently, recognised by its magic bytes, not by the file's name.
//! - **Missing cells:** `NA`, `NaN`, `nan`, `?` and empty cells, kept as missing; what to do about them is the
//!   [`pipeline`](crate::pipeline)'s choice.
//! - **Kinds:** a column is numeric if every present cell is a finite number, and text (categorical) if most
//!   of its cells are not numbers. A mostly numeric column with a stray word is an error naming the line, the
//!   column and the word; so are infinities and overflowing numbers.
//!
//! Cells are parsed as they stream past (numbers on the worker threads): a numeric column costs 8 bytes a row
//! and a text column 4 (a code into its distinct values), so a table takes about the size of its file or
//! less.

use crate::error::{DataError, Result};
use crate::limits::Bounded;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

mod builder;
mod column;
mod header;
mod input;
mod lines;
mod options;
mod stream;

use builder::Builder;
pub use column::{Column, MISSING, is_missing};
use header::{comma_decimals, looks_like_header};
pub use options::{Decimal, Delimiter, ReadOptions};

/// A delimited text file as typed columns, every row the same width.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    source: PathBuf,
    delimiter: Delimiter,
    header: bool,
    names: Vec<String>,
    columns: Vec<Column>,
    lines: Vec<u32>,
    first_missing: Vec<Option<(usize, String)>>,
    renamed: Vec<(String, String)>,
    comma_detected: bool,
}

impl Table {
    /// What reading changed, one line each: a header name that was repeated or empty, and the name it got.
    pub fn notes(&self) -> Vec<String> {
        let comma = self.comma_detected.then(|| {
            "decimal commas: in this ';'-delimited file, cells like 1,5 are read as 1.5 (--decimal . reads them as text)"
                .to_string()
        });
        comma
            .into_iter()
            .chain(self.renamed.iter().map(|(given, name)| {
                if given.is_empty() {
                    format!("an empty header cell: its column is called '{name}'")
                } else {
                    format!("the header repeats '{given}': that column is called '{name}'")
                }
            }))
            .collect()
    }

    /// Reads `path` (plain or gzip-compressed text).
    pub fn read(path: &Path, opts: &ReadOptions) -> Result<Table> {
        let io = |source| DataError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        Self::from_reader(file, path, opts)
    }

    /// Parses the bytes of a file (plain or gzip); `path` names it in errors.
    pub fn parse(bytes: &[u8], path: &Path, opts: &ReadOptions) -> Result<Table> {
        Self::from_reader(bytes, path, opts)
    }

    /// Reads a table from any byte stream; `path` names it in errors.
    pub fn from_reader<'a>(
        reader: impl Read + Send + 'a,
        path: &'a Path,
        opts: &ReadOptions,
    ) -> Result<Table> {
        Self::split_from(reader, path, opts, stream::Split::default())
    }

    /// [`from_reader`](Self::from_reader), with the text cut up as `split` says.
    fn split_from<'a>(
        reader: impl Read + Send + 'a,
        path: &'a Path,
        opts: &ReadOptions,
        split: stream::Split,
    ) -> Result<Table> {
        let io = |source| DataError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut reader = BufReader::with_capacity(1 << 16, reader);
        let gzip = reader.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
        // Every byte of text goes through the bounds: a gzip bomb or an endless line stops at its limit.
        let limits = opts.limits;
        let mut reader: Box<dyn BufRead + Send + 'a> = if gzip {
            let text = flate2::bufread::MultiGzDecoder::new(reader);
            Box::new(BufReader::with_capacity(
                1 << 16,
                Bounded::new(text, limits),
            ))
        } else {
            Box::new(BufReader::with_capacity(
                1 << 16,
                Bounded::new(reader, limits),
            ))
        };
        let delimiter = input::delimiter(&mut reader, path, opts.delimiter)?;
        let source = stream::Source {
            reader,
            path,
            delimiter,
            split,
        };
        stream::rows(source, |rows| {
            let mut builder = Builder::new(path, limits);
            // Up to this many rows are looked at before deciding whether the first is a header.
            const LOOK_AHEAD: usize = 100;
            let mut first: Vec<(usize, Vec<String>)> = Vec::new();
            while first.len() < LOOK_AHEAD {
                let Some(row) = rows.next()? else {
                    break;
                };
                let cells = row.cells().map(|(cell, _)| cell.to_string()).collect();
                first.push((row.line, cells));
            }
            if first.is_empty() {
                return Err(DataError::Empty {
                    path: path.to_path_buf(),
                });
            }
            let comma = match opts.decimal {
                Some(d) => d == Decimal::Comma,
                None => delimiter == Delimiter::Semicolon && comma_decimals(&first),
            };
            builder.comma = comma;
            let header = opts
                .header
                .unwrap_or_else(|| looks_like_header(&first, comma));
            let mut firsts = first.into_iter();
            let names = if header {
                let (_, names) = firsts.next().expect("a first row");
                builder.width = Some((names.len(), None));
                names
            } else {
                Vec::new()
            };
            for (line, fields) in firsts {
                // These cells' numbers are parsed again: the first rows are few.
                let cells = fields.iter().map(|f| (f.as_str(), f64::NAN));
                builder.push(line, fields.len(), cells)?;
            }
            while let Some((batch, from)) = rows.next_batch()? {
                builder.push_batch(batch, from)?;
            }
            let built = builder.finish(header, names)?;
            Ok(Table {
                source: path.to_path_buf(),
                delimiter,
                header,
                names: built.names,
                columns: built.columns,
                lines: built.lines,
                first_missing: built.first_missing,
                renamed: built.renamed,
                comma_detected: comma && opts.decimal.is_none(),
            })
        })
    }

    /// The file it was read from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// The delimiter used.
    pub fn delimiter(&self) -> Delimiter {
        self.delimiter
    }

    /// Whether the first row was a header.
    pub fn has_header(&self) -> bool {
        self.header
    }

    /// Data rows.
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.columns.len()
    }

    /// Column names: the header's, or `column 1`, `column 2`, … without one.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Column `j`.
    pub fn column(&self, j: usize) -> &Column {
        &self.columns[j]
    }

    /// Takes column `j`'s cells out, leaving an empty numeric column (its name, first missing cell and the
    /// lines stay): for a reader that encodes a large table and frees each column once it is encoded.
    pub(crate) fn take_column(&mut self, j: usize) -> Column {
        std::mem::replace(&mut self.columns[j], Column::Numeric(Vec::new()))
    }

    /// The 1-based line of the file where row `i` starts.
    pub fn line(&self, i: usize) -> usize {
        self.lines[i] as usize
    }

    /// The first missing cell of column `j`: its row and its text.
    pub fn first_missing(&self, j: usize) -> Option<(usize, &str)> {
        self.first_missing[j]
            .as_ref()
            .map(|(i, s)| (*i, s.as_str()))
    }

    /// The column that `spec` names: a header name (repeated names are told apart as `x`, `x.1`, …), or else
    /// a 1-based position as in `cut -f`. An unknown name is an error listing the columns there are.
    pub fn find(&self, spec: &str) -> Result<usize> {
        if self.header
            && let Some(j) = self.names.iter().position(|n| n == spec)
        {
            return Ok(j);
        }
        match spec.parse::<usize>() {
            Ok(p) if (1..=self.cols()).contains(&p) => Ok(p - 1),
            _ => Err(DataError::Column {
                path: self.source.clone(),
                column: spec.to_string(),
                problem: format!(
                    "is not a column; the columns are: {}",
                    self.describe_columns()
                ),
            }),
        }
    }

    /// `1 'name', 2 'name', …` (or `1, 2, …` without a header) for error messages.
    pub fn describe_columns(&self) -> String {
        (0..self.cols())
            .map(|j| {
                if self.header {
                    format!("{} '{}'", j + 1, self.names[j])
                } else {
                    format!("{}", j + 1)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests;
