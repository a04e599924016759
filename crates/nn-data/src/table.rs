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
use crate::limits::{Bounded, Limits};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

mod builder;
mod header;
mod input;
mod stream;

use builder::Builder;
use header::{comma_decimals, looks_like_header};
use input::Input;

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

/// `cell` read as a number: the grammar and the correctly rounded value of `str::parse::<f64>`, by
/// fast-float2 (Lemire's algorithm, as the standard library's, with a faster path for short decimals; the
/// float parse was the largest share of reading a numeric CSV). `tests::numbers_read_as_std_reads_them`
/// holds the two to the same answers.
pub(crate) fn parse_number(cell: &str) -> Option<f64> {
    fast_float2::parse(cell).ok()
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
        reader: impl Read + Send + 'a,
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
        let reader: Box<dyn BufRead + Send + 'a> = if gzip {
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
        let input = Input::new(reader, path, opts.delimiter)?;
        let delimiter = input.delimiter;
        stream::rows(input, |rows| {
            let mut builder = Builder::new(path, limits);
            // Up to this many rows are looked at before deciding whether the first is a header.
            const LOOK_AHEAD: usize = 100;
            let mut first: Vec<(usize, Vec<String>)> = Vec::new();
            while first.len() < LOOK_AHEAD {
                let Some((line, record)) = rows.next()? else {
                    break;
                };
                first.push((line, record.iter().map(|f| f.trim().to_string()).collect()));
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
                builder.push(line, fields.len(), fields.iter().map(String::as_str))?;
            }
            while let Some((line, record)) = rows.next()? {
                builder.push(line, record.len(), record.iter().map(str::trim))?;
            }
            let mut table = builder.finish(delimiter, header, names)?;
            table.comma_detected = comma && opts.decimal.is_none();
            Ok(table)
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
mod tests {
    use super::parse_number;
    use proptest::prelude::*;

    fn same_as_std(cell: &str) {
        let ours = parse_number(cell).map(f64::to_bits);
        let std = cell.parse::<f64>().ok().map(f64::to_bits);
        assert_eq!(ours, std, "{cell:?}");
    }

    #[test]
    fn numbers_read_as_std_reads_them() {
        let cells = [
            "",
            ".",
            "-",
            "+",
            "e5",
            "1e",
            "1e+",
            "1.",
            ".5",
            "-.5",
            "+1",
            "1e5",
            "1E-5",
            "1.5e+300",
            "1e400",
            "-1e400",
            "1e-400",
            "inf",
            "-Infinity",
            "NaN",
            "nan",
            "infinit",
            " 1",
            "1 ",
            "1,5",
            "0x10",
            "1_000",
            "00012",
            "4.9e-324",
            "2.2250738585072011e-308",
            "9007199254740993",
            "0.1000000000000000055511151231257827",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
        ];
        for cell in cells {
            same_as_std(cell);
        }
    }

    proptest! {
        #[test]
        fn every_float_reads_back_as_std_reads_it(bits in any::<u64>(), digits in 0usize..20) {
            let v = f64::from_bits(bits);
            for cell in [format!("{v}"), format!("{v:e}"), format!("{v:.digits$}"), format!("{v:.digits$e}")] {
                same_as_std(&cell);
            }
        }

        #[test]
        fn number_like_text_reads_as_std_reads_it(cell in "[-+0-9.eEinfatyIN]{0,12}") {
            same_as_std(&cell);
        }
    }
}
