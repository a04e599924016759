//! The flags that say which data to read and how: the file, the label scheme, the table's columns and
//! pipeline, and the reading limits.

use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use nn_data::{
    Decimal, Delimiter, LabelScheme, Limits, MissingPolicy, ReadOptions, Task, UnknownCategory,
};
use std::path::PathBuf;
use std::str::FromStr;

/// Which loader reads the labels, and how they map to classes.
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Dataset file: delimited text (.txt, .csv, .tsv, gzipped or not; see "Text files"), .mat (see --x-var,
    /// --y-var) or IDX images.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Features variable of a .mat file.
    #[arg(long, default_value = "X", value_name = "NAME")]
    pub x_var: String,
    /// Labels variable of a .mat file.
    #[arg(long, default_value = "y", value_name = "NAME")]
    pub y_var: String,
    /// How labels map to classes: auto takes {0,1} and 0..K−1 as they are and shifts 1..K down; digits10 is the
    /// course's 1..10 where 10 means digit 0.
    #[arg(long, value_parser = label_schemes(), value_name = "SCHEME")]
    pub labels: Option<LabelScheme>,
    #[command(flatten)]
    pub table: TableArgs,
}

/// How a delimited text file is read and which of its columns are used.
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Text files (CSV, TSV, …)")]
pub struct TableArgs {
    /// The column to predict: a header name, or a 1-based position as in `cut -f` (default: the last).
    #[arg(long, value_name = "COL")]
    pub target: Option<String>,
    /// Use only these feature columns (names or positions, comma-separated).
    #[arg(long, value_name = "COL,COL,...", value_delimiter = ',')]
    pub features: Option<Vec<String>>,
    /// Leave out these columns, e.g. an id or a year (names or positions, comma-separated).
    #[arg(long, value_name = "COL,COL,...", value_delimiter = ',')]
    pub drop: Vec<String>,
    /// Whether the first row is a header (auto: it is if it holds words where the rows below hold numbers).
    #[arg(long, value_parser = PossibleValuesParser::new(["auto", "yes", "no"]), default_value = "auto")]
    pub header: String,
    /// Field delimiter: comma, semicolon, tab or whitespace (default: detected from the first lines).
    #[arg(long, value_parser = |s: &str| s.parse::<Delimiter>(), value_name = "D")]
    pub delimiter: Option<Delimiter>,
    /// The decimal mark of the numbers: . or , (default: a comma when the fields are split by ';' and the
    /// numeric-looking cells are like 1,5 — the run says so — else a dot).
    #[arg(long, value_parser = |s: &str| s.parse::<Decimal>(), value_name = "MARK")]
    pub decimal: Option<Decimal>,
    /// Missing cells (NA, NaN, nan, ?, empty): error, drop the row, or fill with the training part's mean
    /// (most common category for text columns); the choice is stored in the model and used at prediction.
    #[arg(long, value_parser = one_of::<MissingPolicy>(MissingPolicy::ALL.iter().map(|m| m.name())), default_value = "error")]
    pub missing: MissingPolicy,
    /// A category training never saw: error, or ignore (encode it as all zeros).
    #[arg(long = "unknown-category", value_parser = one_of::<UnknownCategory>(UnknownCategory::ALL.iter().map(|m| m.name())), value_name = "RULE")]
    pub unknown: Option<UnknownCategory>,
    /// Predict a class or a number: auto is regression when the (numeric) target holds a value that is not an
    /// integer. Regression trains an identity output with squared error on the standardised target.
    #[arg(long, value_parser = one_of::<Task>(Task::ALL.iter().map(|m| m.name())), default_value = "auto")]
    pub task: Task,
    #[command(flatten)]
    pub limits: LimitArgs,
}

impl TableArgs {
    /// The reader's options.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            delimiter: self.delimiter,
            header: match self.header.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            decimal: self.decimal,
            limits: self.limits.limits(),
        }
    }
}

/// Bounds on reading a file, each checked while it streams (a gzip bomb stops at --max-bytes, a compressed
/// .mat variable at --max-mat-variable).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Limits on reading files")]
pub struct LimitArgs {
    /// Most bytes of text, after decompression.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().bytes)]
    pub max_bytes: u64,
    /// Most bytes in one line.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().line)]
    pub max_line: u64,
    /// Most data rows.
    #[arg(long, value_name = "N", default_value_t = Limits::default().rows)]
    pub max_rows: usize,
    /// Most columns.
    #[arg(long, value_name = "N", default_value_t = Limits::default().columns)]
    pub max_columns: usize,
    /// Most cells (rows × columns).
    #[arg(long, value_name = "N", default_value_t = Limits::default().cells)]
    pub max_cells: u64,
    /// Most bytes one compressed variable of a .mat file may inflate to.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().mat_variable)]
    pub max_mat_variable: u64,
}

impl Default for LimitArgs {
    fn default() -> Self {
        let l = Limits::default();
        LimitArgs {
            max_bytes: l.bytes,
            max_line: l.line,
            max_rows: l.rows,
            max_columns: l.columns,
            max_cells: l.cells,
            max_mat_variable: l.mat_variable,
        }
    }
}

impl LimitArgs {
    /// The limits the flags set.
    pub fn limits(&self) -> Limits {
        Limits {
            bytes: self.max_bytes,
            line: self.max_line,
            rows: self.max_rows,
            columns: self.max_columns,
            cells: self.max_cells,
            mat_variable: self.max_mat_variable,
        }
    }
}

/// A value parser for a library enum: its names are listed in `--help` and in errors, and parsed by its
/// `FromStr`, so each name is written once, in the library.
pub(super) fn one_of<T>(
    names: impl IntoIterator<Item = &'static str>,
) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(names).try_map(|s| s.parse::<T>())
}

pub(super) fn label_schemes() -> impl TypedValueParser<Value = LabelScheme> {
    one_of(LabelScheme::ALL.map(LabelScheme::name))
}
