//! Rows as the reading threads hand them on: a [`Batch`] of rows whose cells are trimmed and, where a cell is
//! a finite number, already parsed. Text without quotes is split here, a block of whole lines at a time: on
//! LF, then on the delimiter byte or on runs of ASCII whitespace. The rows, their lines and the errors are
//! those of the `csv` crate's reading ([`super::input`]), which `tests::blocks_read_as_the_csv_crate_reads`
//! holds it to; from the first line with a `"` on, the text goes to that crate instead.

use super::Delimiter;
use super::column::parse_number;
use crate::error::DataError;
use std::path::Path;

/// One cell: its trimmed text, `text[start..end]` of its batch, and its value if that text is a finite number
/// (NaN otherwise).
#[derive(Clone, Copy, Debug)]
pub(super) struct Cell {
    start: usize,
    end: usize,
    pub(super) number: f64,
}

/// Rows of a file, in its order.
#[derive(Default)]
pub(super) struct Batch {
    text: String,
    cells: Vec<Cell>,
    /// Each row: the line it starts on, and where its cells end in `cells`.
    rows: Vec<(usize, usize)>,
    /// If every row has the same number of cells, [`Batch::by_column`] has set this to it.
    width: Option<usize>,
    /// Then the cells' values, column after column.
    values: Vec<f64>,
    /// And whether each column's cells are all finite numbers.
    numeric: Vec<bool>,
    /// The error that ends the text after these rows (a line that is not UTF-8).
    pub(super) failed: Option<DataError>,
}

/// A row of a [`Batch`].
pub(super) struct Row<'b> {
    pub(super) line: usize,
    text: &'b str,
    cells: &'b [Cell],
}

impl<'b> Row<'b> {
    /// The number of cells.
    pub(super) fn len(&self) -> usize {
        self.cells.len()
    }

    /// Each cell's trimmed text and value (NaN: not a finite number).
    pub(super) fn cells(&self) -> impl Iterator<Item = (&'b str, f64)> + 'b {
        let text = self.text;
        self.cells
            .iter()
            .map(move |c| (&text[c.start..c.end], c.number))
    }
}

impl Batch {
    /// The number of rows.
    pub(super) fn rows(&self) -> usize {
        self.rows.len()
    }

    /// Row `i`.
    pub(super) fn row(&self, i: usize) -> Row<'_> {
        let (line, end) = self.rows[i];
        let start = if i == 0 { 0 } else { self.rows[i - 1].1 };
        Row {
            line,
            text: &self.text,
            cells: &self.cells[start..end],
        }
    }

    /// The text's buffer, emptied, for the next block; the batch keeps its other buffers.
    pub(super) fn take_buffer(&mut self) -> Vec<u8> {
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        bytes.clear();
        bytes
    }

    /// Empties the batch, keeping its buffers.
    pub(super) fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
        self.rows.clear();
        self.width = None;
        self.values.clear();
        self.numeric.clear();
        self.failed = None;
    }

    /// The line row `i` starts on.
    pub(super) fn line(&self, i: usize) -> usize {
        self.rows[i].0
    }

    /// The number of cells of every row, if they all have the same.
    pub(super) fn width(&self) -> Option<usize> {
        self.width
    }

    /// Column `j`'s values (NaN: not a finite number), when every row has the same width.
    pub(super) fn values(&self, j: usize) -> &[f64] {
        let n = self.rows.len();
        &self.values[j * n..(j + 1) * n]
    }

    /// Whether column `j`'s cells are all finite numbers, when every row has the same width.
    pub(super) fn numeric(&self, j: usize) -> bool {
        self.numeric[j]
    }

    /// Row `i`'s cell `j`'s text, when every row has the same width `w`.
    pub(super) fn cell(&self, i: usize, j: usize, w: usize) -> &str {
        let c = self.cells[i * w + j];
        &self.text[c.start..c.end]
    }

    /// Sets the values column by column, if every row has the same width: so that the reader can take a
    /// batch's numeric column whole.
    pub(super) fn by_column(&mut self) {
        let n = self.rows.len();
        let Some(w) = self.cells.len().checked_div(n) else {
            return;
        };
        if !self
            .rows
            .iter()
            .enumerate()
            .all(|(i, r)| r.1 == (i + 1) * w)
        {
            return;
        }
        self.width = Some(w);
        self.values.clear();
        self.numeric.clear();
        for j in 0..w {
            let start = self.values.len();
            let column = self.cells.chunks_exact(w).map(|row| row[j].number);
            self.values.extend(column);
            let numeric = self.values[start..].iter().all(|v| !v.is_nan());
            self.numeric.push(numeric);
        }
    }

    /// Appends a row that the `csv` crate split; its values are parsed later, by [`Batch::parse_numbers`].
    pub(super) fn push_record(&mut self, line: usize, record: &csv::StringRecord) {
        for field in record {
            let cell = trim_cell(field);
            let start = self.text.len();
            self.text.push_str(cell);
            self.cells.push(Cell {
                start,
                end: self.text.len(),
                number: f64::NAN,
            });
        }
        self.rows.push((line, self.cells.len()));
    }

    /// Parses every cell that is a number.
    pub(super) fn parse_numbers(&mut self) {
        for c in &mut self.cells {
            c.number = number(&self.text[c.start..c.end]);
        }
    }

    /// Splits `bytes`, whole lines of the file from line `first_line` on, into this batch's rows: blank lines
    /// skipped, cells trimmed and their numbers parsed. A line that is not UTF-8 ends the rows, and is the
    /// batch's [`failed`](Batch::failed) error, which names it.
    pub(super) fn split(
        &mut self,
        bytes: Vec<u8>,
        first_line: usize,
        delimiter: Delimiter,
        path: &Path,
    ) {
        self.clear();
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let bad = e.utf8_error().valid_up_to();
                let mut bytes = e.into_bytes();
                let line_start = memchr::memrchr(b'\n', &bytes[..bad]).map_or(0, |i| i + 1);
                self.failed = Some(DataError::NotText {
                    path: path.to_path_buf(),
                    line: first_line + memchr::memchr_iter(b'\n', &bytes[..line_start]).count(),
                });
                // The lines before it are valid, and are read as any others.
                bytes.truncate(line_start);
                String::from_utf8(bytes).unwrap_or_default()
            }
        };
        // A UTF-8 byte order mark opens the file only.
        let start = if first_line == 1 && text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        match delimiter.byte() {
            Some(d) => self.split_fields(&text, start, first_line, d),
            None => {
                let mut start = start;
                let mut line = first_line;
                while start < text.len() {
                    let end = memchr::memchr(b'\n', &text.as_bytes()[start..])
                        .map_or(text.len(), |i| start + i);
                    let before = self.cells.len();
                    self.split_words(&text, start, end);
                    if self.cells.len() > before {
                        self.rows.push((line, self.cells.len()));
                    }
                    line += 1;
                    start = end + 1;
                }
            }
        }
        self.text = text;
    }

    /// The lines of `text[start..]`, the first of them line `line`, split on `d`. The bytes that end a field
    /// (`d` or a line feed) are found eight at a time, in the bits of a `u64`.
    fn split_fields(&mut self, text: &str, start: usize, line: usize, d: u8) {
        let bytes = text.as_bytes();
        let mut at = Scan {
            line_start: start,
            field: start,
            row: self.cells.len(),
            line,
        };
        let mut chunks = bytes[start..].chunks_exact(8);
        let mut offset = start;
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            let mut ends = byte_is(word, d) | byte_is(word, b'\n');
            while ends != 0 {
                at.end_field(self, text, offset + ends.trailing_zeros() as usize / 8);
                ends &= ends - 1;
            }
            offset += 8;
        }
        for (k, &b) in chunks.remainder().iter().enumerate() {
            if b == d || b == b'\n' {
                at.end_field(self, text, offset + k);
            }
        }
        // The last line, if no line feed ends it.
        if at.line_start < bytes.len() {
            at.end_field(self, text, bytes.len());
        }
    }

    /// Ends the row of the line `text` that began at cell `row`: a line of one field of ASCII whitespace is
    /// no row, as the `csv` crate's reading skips it.
    fn end_row(&mut self, text: &[u8], row: usize, line: usize) {
        if self.cells.len() == row + 1 && text.trim_ascii().is_empty() {
            self.cells.pop();
        } else {
            self.rows.push((line, self.cells.len()));
        }
    }

    /// The line `text[start..end]`, split on runs of ASCII whitespace.
    fn split_words(&mut self, text: &str, start: usize, end: usize) {
        let line = &text[start..end];
        for word in line.split_ascii_whitespace() {
            let at = start + (word.as_ptr() as usize - line.as_ptr() as usize);
            self.push_cell(text, at, at + word.len());
        }
    }

    /// The cell `text[start..end]`, trimmed, with its value.
    #[inline]
    fn push_cell(&mut self, text: &str, start: usize, end: usize) {
        let field = &text[start..end];
        let cell = trim_cell(field);
        let start = if cell.len() == field.len() {
            start
        } else {
            start + (field.len() - field.trim_start().len())
        };
        self.cells.push(Cell {
            start,
            end: start + cell.len(),
            number: number(cell),
        });
    }
}

/// Where [`Batch::split_fields`] is: the current line's start, field's start, and row's first cell, and the
/// line's number.
struct Scan {
    line_start: usize,
    field: usize,
    row: usize,
    line: usize,
}

impl Scan {
    /// Ends the field at `at`, a delimiter, a line feed or the end of the text; the row too, at either of
    /// the last two.
    #[inline]
    fn end_field(&mut self, batch: &mut Batch, text: &str, at: usize) {
        batch.push_cell(text, self.field, at);
        self.field = at + 1;
        if text.as_bytes().get(at).is_none_or(|&b| b == b'\n') {
            batch.end_row(&text.as_bytes()[self.line_start..at], self.row, self.line);
            self.line += 1;
            self.line_start = at + 1;
            self.row = batch.cells.len();
        }
    }
}

/// The high bit of each byte of `word` that is `byte`, and no other bit. (The exact form of the zero-byte
/// test: `x & 0x7f + 0x7f` carries into a byte's high bit unless the byte's low seven bits are all zero, and
/// never into the next byte.)
fn byte_is(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (0x0101_0101_0101_0101 * byte as u64);
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// `cell` as a finite number, or NaN. (No missing-value marker starts with the bytes tested first.)
fn number(cell: &str) -> f64 {
    match cell.as_bytes().first() {
        Some(b'0'..=b'9' | b'-' | b'+' | b'.') => parse_number(cell)
            .filter(|v| v.is_finite())
            .unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

/// `cell` without its leading and trailing whitespace (as `str::trim`), with a quick way out for the common
/// cell whose first and last bytes are not whitespace: the trim was 3% of reading a large CSV.
#[inline]
pub(super) fn trim_cell(cell: &str) -> &str {
    match cell.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => cell,
        [only] if only.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}
