//! Delimited text read into a [`Table`] of typed columns: what a spreadsheet export or a data portal's CSV
//! looks like, before any column is chosen as a feature or a target.
//!
//! - **Delimiter:** `,`, `;`, tab, or runs of spaces and tabs, detected from the first lines (the first of
//!   `,` tab `;` that splits them into the same number of fields, more than one; else whitespace), or given.
//!   The `csv` crate splits the fields, so quoted fields (with delimiters, quotes and line breaks inside) work.
//! - **Header:** detected (the first row holds a word where the rows after it hold numbers, or, for an
//!   all-text table, no first-row value reappears in its column) or given.
//! - **Compression:** gzip is read transparently, recognised by its magic bytes, not by the file's name.
//! - **Missing cells:** `NA`, `NaN`, `nan`, `?` and empty cells, kept as missing; what to do about them is the
//!   [`pipeline`](crate::pipeline)'s choice.
//! - **Kinds:** a column is numeric if every present cell is a finite number, and text (categorical) if most
//!   of its cells are not numbers. A mostly numeric column with a stray word is an error naming the line, the
//!   column and the word; so are infinities and overflowing numbers.
//!
//! Cells are parsed as they stream past: a numeric column costs 8 bytes a row and a text column 4 (a code
//! into its distinct values), so a table takes about the size of its file or less.

use crate::error::{DataError, Result};
use crate::limits::{Bounded, LimitHit, Limits};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// How fields are separated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delimiter {
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// A tab.
    Tab,
    /// Runs of spaces and tabs (no quoting).
    Whitespace,
}

impl Delimiter {
    /// Every delimiter, in the order detection tries them (whitespace last).
    pub const ALL: [Delimiter; 4] = [
        Delimiter::Comma,
        Delimiter::Tab,
        Delimiter::Semicolon,
        Delimiter::Whitespace,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Delimiter::Comma => "comma",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Tab => "tab",
            Delimiter::Whitespace => "whitespace",
        }
    }

    fn byte(self) -> Option<u8> {
        match self {
            Delimiter::Comma => Some(b','),
            Delimiter::Semicolon => Some(b';'),
            Delimiter::Tab => Some(b'\t'),
            Delimiter::Whitespace => None,
        }
    }
}

impl FromStr for Delimiter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let by_char = match s {
            "," => Some(Delimiter::Comma),
            ";" => Some(Delimiter::Semicolon),
            "\t" | "\\t" => Some(Delimiter::Tab),
            " " => Some(Delimiter::Whitespace),
            _ => None,
        };
        by_char
            .or_else(|| Self::ALL.into_iter().find(|d| d.name() == s))
            .ok_or_else(|| {
                let names = Self::ALL.map(Self::name).join(", ");
                format!(
                    "unknown delimiter '{s}' (expected one of: {names}, or the character itself)"
                )
            })
    }
}

impl std::fmt::Display for Delimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The decimal mark of a file's numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decimal {
    /// `1.5`.
    Dot,
    /// `1,5`, as spreadsheets write numbers in much of Europe (with `;` between the fields).
    Comma,
}

impl FromStr for Decimal {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Decimal, String> {
        match s {
            "." => Ok(Decimal::Dot),
            "," => Ok(Decimal::Comma),
            _ => Err(format!("'{s}': the decimal mark is . or ,")),
        }
    }
}

/// How to read a delimited text file; `None` means detect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The delimiter, or `None` to detect it.
    pub delimiter: Option<Delimiter>,
    /// Whether the first row is a header, or `None` to detect it.
    pub header: Option<bool>,
    /// The decimal mark, or `None`: a comma when the fields are split by `;` and the numeric-looking cells
    /// are `-?digits,digits`, else a dot.
    pub decimal: Option<Decimal>,
    /// Bounds on the text, lines, rows, columns and cells.
    pub limits: Limits,
}

/// The cells that mean "no value".
pub const MISSING: [&str; 5] = ["", "NA", "NaN", "nan", "?"];

/// Whether `cell` (already trimmed) is a missing value.
pub fn is_missing(cell: &str) -> bool {
    MISSING.contains(&cell)
}

/// A column's cells.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    /// Finite numbers; NaN marks a missing cell.
    Numeric(Vec<f64>),
    /// Text: per row an index into `levels` (the distinct values in order of appearance), or
    /// [`Column::MISSING_CODE`].
    Text {
        /// Per row, the value's index in `levels`.
        codes: Vec<u32>,
        /// The distinct values.
        levels: Vec<String>,
    },
}

impl Column {
    /// The code of a missing cell in a text column.
    pub const MISSING_CODE: u32 = u32::MAX;

    /// Whether row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            Column::Numeric(v) => v[i].is_nan(),
            Column::Text { codes, .. } => codes[i] == Self::MISSING_CODE,
        }
    }

    /// `"numeric"` or `"text"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Column::Numeric(_) => "numeric",
            Column::Text { .. } => "text",
        }
    }

    /// Row `i` as text, as a person would write it (`None` if missing).
    pub fn text(&self, i: usize) -> Option<String> {
        match self {
            Column::Numeric(v) => (!v[i].is_nan()).then(|| v[i].to_string()),
            Column::Text { codes, levels } => levels.get(codes[i] as usize).cloned(),
        }
    }
}

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
        reader: impl Read + 'a,
        path: &'a Path,
        opts: &ReadOptions,
    ) -> Result<Table> {
        let io = |source| DataError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut reader = BufReader::with_capacity(1 << 16, reader);
        let gzip = reader.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
        // Every byte of text goes through the bounds: a gzip bomb or an endless line stops at its limit.
        let limits = opts.limits;
        let reader: Box<dyn BufRead + 'a> = if gzip {
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
        let mut input = Input::new(reader, path, opts.delimiter)?;
        let mut builder = Builder::new(path, limits);
        // Up to this many rows are looked at before deciding whether the first is a header.
        const LOOK_AHEAD: usize = 100;
        let mut first: Vec<(usize, Vec<String>)> = Vec::new();
        while first.len() < LOOK_AHEAD {
            let Some(line) = input.next()? else {
                break;
            };
            first.push((line, input.fields().map(str::to_string).collect()));
        }
        if first.is_empty() {
            return Err(DataError::Empty {
                path: path.to_path_buf(),
            });
        }
        let comma = match opts.decimal {
            Some(d) => d == Decimal::Comma,
            None => input.delimiter == Delimiter::Semicolon && comma_decimals(&first),
        };
        builder.comma = comma;
        let header = opts
            .header
            .unwrap_or_else(|| looks_like_header(&first, comma));
        let mut rows = first.into_iter();
        let names = if header {
            let (_, names) = rows.next().expect("a first row");
            builder.width = Some((names.len(), None));
            names
        } else {
            Vec::new()
        };
        for (line, fields) in rows {
            builder.push(line, fields.len(), fields.iter().map(String::as_str))?;
        }
        while let Some(line) = input.next()? {
            builder.push(line, input.width(), input.fields())?;
        }
        let mut table = builder.finish(input.delimiter, header, names)?;
        table.comma_detected = comma && opts.decimal.is_none();
        Ok(table)
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

/// The source of rows: the `csv` crate for a single-byte delimiter, whitespace splitting otherwise.
struct Input<'a> {
    path: &'a Path,
    delimiter: Delimiter,
    rows: Rows<'a>,
}

enum Rows<'a> {
    Csv(csv::Reader<Box<dyn BufRead + 'a>>, csv::ByteRecord),
    Whitespace {
        reader: Box<dyn BufRead + 'a>,
        text: String,
        line: usize,
        width: usize,
    },
}

/// The fields of the current row.
enum Fields<'a> {
    Csv(csv::ByteRecordIter<'a>),
    Whitespace(std::str::SplitAsciiWhitespace<'a>),
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        match self {
            // The record was checked to be UTF-8 as a whole, and fields split at ASCII delimiters, so each
            // field is UTF-8 too.
            Fields::Csv(it) => it
                .next()
                .map(|f| std::str::from_utf8(f).unwrap_or_default().trim()),
            Fields::Whitespace(it) => it.next(),
        }
    }
}

impl<'a> Input<'a> {
    fn new(
        mut reader: Box<dyn BufRead + 'a>,
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
                csv::ByteRecord::new(),
            ),
            None => Rows::Whitespace {
                reader,
                text: String::new(),
                line: 0,
                width: 0,
            },
        };
        Ok(Input {
            path,
            delimiter,
            rows,
        })
    }

    /// Moves to the next non-blank row and returns the line it starts on; `None` at the end.
    fn next(&mut self) -> Result<Option<usize>> {
        let path = self.path;
        loop {
            let line = match &mut self.rows {
                Rows::Csv(reader, record) => {
                    if !reader
                        .read_byte_record(record)
                        .map_err(|e| csv_error(e, path))?
                    {
                        return Ok(None);
                    }
                    let line = record.position().map_or(0, |p| p.line() as usize);
                    if std::str::from_utf8(record.as_slice()).is_err() {
                        return Err(DataError::NotText {
                            path: path.to_path_buf(),
                            line,
                        });
                    }
                    if record.len() == 1 && record[0].trim_ascii().is_empty() {
                        continue;
                    }
                    line
                }
                Rows::Whitespace {
                    reader,
                    text,
                    line,
                    width,
                } => {
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
                    *width = text.split_ascii_whitespace().count();
                    if *width == 0 {
                        continue;
                    }
                    *line
                }
            };
            return Ok(Some(line));
        }
    }

    /// Fields in the current row.
    fn width(&self) -> usize {
        match &self.rows {
            Rows::Csv(_, record) => record.len(),
            Rows::Whitespace { width, .. } => *width,
        }
    }

    /// The current row's fields, trimmed.
    fn fields(&self) -> Fields<'_> {
        match &self.rows {
            Rows::Csv(_, record) => Fields::Csv(record.iter()),
            Rows::Whitespace { text, .. } => Fields::Whitespace(text.split_ascii_whitespace()),
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

/// A cell that parses as a finite number.
fn number(cell: &str, comma: bool) -> Option<f64> {
    match comma.then(|| comma_decimal(cell)).flatten() {
        Some(v) => Some(v),
        None => cell.parse::<f64>().ok().filter(|v| v.is_finite()),
    }
}

/// `-?digits,digits` read with the comma as the decimal mark.
fn comma_decimal(cell: &str) -> Option<f64> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (int, frac) = cell.split_once(',')?;
    let unsigned = int.strip_prefix('-').unwrap_or(int);
    (digits(unsigned) && digits(frac))
        .then(|| format!("{int}.{frac}").parse::<f64>().ok())
        .flatten()
}

/// Whether the rows below the first hold numbers with decimal commas (`-?digits,digits`) and no numbers with
/// decimal dots.
fn comma_decimals(rows: &[(usize, Vec<String>)]) -> bool {
    let cells = || rows.iter().skip(1).flat_map(|(_, r)| r.iter());
    cells().any(|c| comma_decimal(c).is_some())
        && !cells().any(|c| c.contains('.') && number(c, false).is_some())
}

/// Whether the first of `rows` names the columns: it holds a word in a column whose later cells are numbers,
/// or, if no column is numeric, none of its values appears again below it.
fn looks_like_header(rows: &[(usize, Vec<String>)], comma: bool) -> bool {
    let Some(((_, first), rest)) = rows.split_first() else {
        return false;
    };
    let word = |s: &str| !is_missing(s) && number(s, comma).is_none();
    if rest.is_empty() {
        // One row of words alone is a header with no data below it (which the reader then says).
        return first.iter().all(|s| word(s));
    }
    let mut any_numeric = false;
    for (j, name) in first.iter().enumerate() {
        let below: Vec<&str> = rest
            .iter()
            .filter_map(|(_, r)| r.get(j).map(String::as_str))
            .filter(|s| !is_missing(s))
            .collect();
        let numeric = !below.is_empty() && below.iter().all(|s| number(s, comma).is_some());
        any_numeric |= numeric;
        if numeric && word(name) {
            return true;
        }
    }
    !any_numeric
        && first.iter().all(|s| word(s))
        && first
            .iter()
            .enumerate()
            .all(|(j, name)| rest.iter().all(|(_, r)| r.get(j) != Some(name)))
}

/// Columns as they fill up, row by row.
struct Builder<'a> {
    path: &'a Path,
    limits: Limits,
    /// Read `-?digits,digits` as a number with a decimal comma.
    comma: bool,
    /// The row width, and the line that set it (`None`: the header).
    width: Option<(usize, Option<usize>)>,
    columns: Vec<ColumnBuilder>,
    /// The line of each row (saturating: a file of more than 4·10⁹ lines shows its last lines' numbers wrong).
    lines: Vec<u32>,
}

struct ColumnBuilder {
    numbers: Vec<f64>,
    /// Set once the column turned out to be text.
    text: Option<TextColumn>,
    /// Words in a column that is numeric so far: (row, line, word). Kept while they are the minority.
    strays: Vec<(usize, usize, String)>,
    present: usize,
    first_missing: Option<(usize, String)>,
}

struct TextColumn {
    codes: Vec<u32>,
    levels: Vec<String>,
    index: HashMap<String, u32>,
}

impl TextColumn {
    fn push(&mut self, cell: &str) {
        let code = match self.index.get(cell) {
            Some(&c) => c,
            None => {
                let c = self.levels.len() as u32;
                self.levels.push(cell.to_string());
                self.index.insert(cell.to_string(), c);
                c
            }
        };
        self.codes.push(code);
    }
}

impl ColumnBuilder {
    /// Room for `more` cells in the column's storage, or the allocator's refusal.
    fn reserve(
        &mut self,
        more: usize,
    ) -> std::result::Result<(), std::collections::TryReserveError> {
        match &mut self.text {
            Some(t) => t.codes.try_reserve_exact(more),
            None => self.numbers.try_reserve_exact(more),
        }
    }

    fn new() -> Self {
        ColumnBuilder {
            numbers: Vec::new(),
            text: None,
            strays: Vec::new(),
            present: 0,
            first_missing: None,
        }
    }

    fn push(&mut self, row: usize, line: usize, cell: &str) -> std::result::Result<(), ()> {
        // The common case first: a number in a numeric column (no missing marker starts with these bytes).
        if self.text.is_none()
            && matches!(
                cell.as_bytes().first(),
                Some(b'0'..=b'9' | b'-' | b'+' | b'.')
            )
            && let Ok(v) = cell.parse::<f64>()
            && v.is_finite()
        {
            self.numbers.push(v);
            self.present += 1;
            return Ok(());
        }
        if is_missing(cell) {
            if self.first_missing.is_none() {
                self.first_missing = Some((row, cell.to_string()));
            }
            match &mut self.text {
                Some(t) => t.codes.push(Column::MISSING_CODE),
                None => self.numbers.push(f64::NAN),
            }
            return Ok(());
        }
        self.present += 1;
        if let Some(t) = &mut self.text {
            t.push(cell);
            return Ok(());
        }
        match cell.parse::<f64>() {
            Ok(v) if v.is_finite() => self.numbers.push(v),
            Ok(_) => return Err(()),
            Err(_) => {
                self.numbers.push(f64::NAN);
                self.strays.push((row, line, cell.to_string()));
                if 2 * self.strays.len() > self.present {
                    self.become_text();
                }
            }
        }
        Ok(())
    }

    /// Turns the column into text: numbers become their shortest decimal form, words come back from `strays`.
    fn become_text(&mut self) {
        let mut t = TextColumn {
            codes: Vec::with_capacity(self.numbers.capacity()),
            levels: Vec::new(),
            index: HashMap::new(),
        };
        let mut strays = std::mem::take(&mut self.strays).into_iter().peekable();
        for (i, &v) in self.numbers.iter().enumerate() {
            if strays.peek().is_some_and(|s| s.0 == i) {
                let (_, _, word) = strays.next().expect("peeked");
                t.push(&word);
            } else if v.is_nan() {
                t.codes.push(Column::MISSING_CODE);
            } else {
                t.push(&v.to_string());
            }
        }
        self.numbers = Vec::new();
        self.text = Some(t);
    }
}

impl Builder<'_> {
    fn new(path: &Path, limits: Limits) -> Builder<'_> {
        Builder {
            path,
            limits,
            comma: false,
            width: None,
            columns: Vec::new(),
            lines: Vec::new(),
        }
    }

    fn push<'c>(
        &mut self,
        line: usize,
        width: usize,
        fields: impl Iterator<Item = &'c str>,
    ) -> Result<()> {
        match self.width {
            None => self.width = Some((width, Some(line))),
            Some((w, set_by)) if w != width => {
                return Err(match set_by {
                    Some(_) => DataError::Ragged {
                        path: self.path.to_path_buf(),
                        line,
                        found: width,
                        expected: w,
                    },
                    None => DataError::HeaderWidth {
                        path: self.path.to_path_buf(),
                        header: w,
                        line,
                        found: width,
                    },
                });
            }
            Some(_) => {}
        }
        if self.columns.is_empty() {
            if width > self.limits.columns {
                return Err(self.limit(
                    format!("line {line}'s {width} columns"),
                    self.limits.columns as u64,
                    "max-columns",
                ));
            }
            self.columns = (0..width).map(|_| ColumnBuilder::new()).collect();
        }
        let row = self.lines.len();
        self.check_room(row, line)?;
        if row == self.lines.capacity() {
            self.grow(line)?;
        }
        let comma = self.comma;
        for (j, (col, cell)) in self.columns.iter_mut().zip(fields).enumerate() {
            let dotted;
            let cell = match comma.then(|| comma_decimal(cell)).flatten() {
                Some(v) => {
                    dotted = v.to_string();
                    dotted.as_str()
                }
                None => cell,
            };
            col.push(row, line, cell)
                .map_err(|()| DataError::NonFinite {
                    path: self.path.to_path_buf(),
                    line,
                    column: j + 1,
                    token: cell.to_string(),
                })?;
        }
        self.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        Ok(())
    }

    /// Room for more rows, within the limits and the memory there is: a failed allocation is an error,
    /// never an abort.
    fn grow(&mut self, line: usize) -> Result<()> {
        let rows = self.lines.len();
        let width = self.columns.len().max(1) as u64;
        let more = rows.clamp(1024, 1 << 24);
        let out_of_memory = |_| DataError::OutOfMemory {
            path: self.path.to_path_buf(),
            line,
            rows,
            columns: width as usize,
        };
        self.lines.try_reserve_exact(more).map_err(out_of_memory)?;
        for c in &mut self.columns {
            c.reserve(more).map_err(out_of_memory)?;
        }
        Ok(())
    }

    /// One more row (the `rows`-th, from 0, on `line`) stays within the row and cell limits.
    fn check_room(&self, rows: usize, line: usize) -> Result<()> {
        let width = self.columns.len().max(1) as u64;
        if rows >= self.limits.rows {
            let what = format!("row {} (line {line})", rows + 1);
            return Err(self.limit(what, self.limits.rows as u64, "max-rows"));
        }
        if (rows as u64 + 1) * width > self.limits.cells {
            let what = format!(
                "the cells ({} rows × {width} columns at line {line})",
                rows + 1
            );
            return Err(self.limit(what, self.limits.cells, "max-cells"));
        }
        Ok(())
    }

    fn limit(&self, what: String, limit: u64, flag: &'static str) -> DataError {
        DataError::Limit {
            path: self.path.to_path_buf(),
            hit: LimitHit { what, limit, flag },
        }
    }

    fn finish(self, delimiter: Delimiter, header: bool, names: Vec<String>) -> Result<Table> {
        if self.lines.is_empty() && header {
            let shown: String = names.join(",").chars().take(80).collect();
            return Err(DataError::HeaderOnly {
                path: self.path.to_path_buf(),
                header: shown,
            });
        }
        if self.lines.is_empty() {
            return Err(DataError::Empty {
                path: self.path.to_path_buf(),
            });
        }
        let mut renamed = Vec::new();
        let names: Vec<String> = if header {
            // An empty header cell (a spreadsheet's index column) gets the name it would have without one, and a
            // repeated name gets a suffix (`x`, `x.1`, `x.2`, as pandas does), so that a name finds one column.
            // Either is said ([`Table::notes`]).
            let mut seen = std::collections::HashSet::new();
            names
                .into_iter()
                .enumerate()
                .map(|(j, n)| {
                    let base = if n.is_empty() {
                        format!("column {}", j + 1)
                    } else {
                        n.clone()
                    };
                    let mut name = base.clone();
                    let mut k = 0;
                    while !seen.insert(name.clone()) {
                        k += 1;
                        name = format!("{base}.{k}");
                    }
                    if name != n {
                        renamed.push((n, name.clone()));
                    }
                    name
                })
                .collect()
        } else {
            (1..=self.columns.len())
                .map(|j| format!("column {j}"))
                .collect()
        };
        let mut columns = Vec::with_capacity(self.columns.len());
        let mut first_missing = Vec::with_capacity(self.columns.len());
        for (j, mut col) in self.columns.into_iter().enumerate() {
            if let Some((_, line, word)) = col.strays.first() {
                let numbers = col.present - col.strays.len();
                return Err(DataError::StrayText {
                    path: self.path.to_path_buf(),
                    line: *line,
                    column: names[j].clone(),
                    token: word.clone(),
                    numbers,
                });
            }
            first_missing.push(col.first_missing.take());
            columns.push(match col.text {
                Some(t) => Column::Text {
                    codes: t.codes,
                    levels: t.levels,
                },
                None => Column::Numeric(col.numbers),
            });
        }
        Ok(Table {
            source: self.path.to_path_buf(),
            delimiter,
            header,
            names,
            columns,
            lines: self.lines,
            first_missing,
            renamed,
            comma_detected: false,
        })
    }
}
