//! [`DataSettings`]: every setting of how a data file is read, once: its default, its doc (also its
//! `--help` text), its serialised name (its flag's) and, behind the `cli` feature, its command-line flag.
//! [`Data::settings`](crate::Data::settings) applies them.

use super::Data;
use crate::spec::text;
#[cfg(feature = "cli")]
use crate::spec::text::choices;
use nn_data::{
    Decimal, Delimiter, LabelScheme, Limits, MissingPolicy, ReadOptions, Task, UnknownCategory,
};
use serde::{Deserialize, Serialize};

/// How a data file is read and which of its columns are used: the settings of [`Data`](crate::Data) that a command line
/// or a sweep spec gives by name (`target`, `drop`, `missing`, …). [`DataSettings::default`] reads a file
/// as [`Data::file`](crate::Data::file) does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct DataSettings {
    /// Features variable of a .mat file.
    #[cfg_attr(feature = "cli", arg(long, default_value = "X", value_name = "NAME"))]
    pub x_var: String,
    /// Labels variable of a .mat file.
    #[cfg_attr(feature = "cli", arg(long, default_value = "y", value_name = "NAME"))]
    pub y_var: String,
    /// How labels map to classes: auto takes {0,1} and 0..K−1 as they are and shifts 1..K down; digits10 is the
    /// course's 1..10 where 10 means digit 0.
    #[cfg_attr(feature = "cli", arg(long, value_name = "SCHEME", value_parser = choices::<LabelScheme>(&LabelScheme::ALL.map(LabelScheme::name))))]
    #[serde(with = "text::or_none")]
    pub labels: Option<LabelScheme>,
    /// The column to predict: a header name, or a 1-based position as in `cut -f` (default: the last).
    #[cfg_attr(feature = "cli", arg(long, value_name = "COL", help_heading = TEXT))]
    pub target: Option<String>,
    /// Use only these feature columns (names or positions, comma-separated).
    #[cfg_attr(feature = "cli", arg(long, value_name = "COL,COL,...", value_delimiter = ',', help_heading = TEXT))]
    pub features: Option<Vec<String>>,
    /// Leave out these columns, e.g. an id or a year (names or positions, comma-separated).
    #[cfg_attr(feature = "cli", arg(long, value_name = "COL,COL,...", value_delimiter = ',', help_heading = TEXT))]
    pub drop: Vec<String>,
    /// Whether the first row is a header (auto: it is if it holds words where the rows below hold numbers).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Header::Auto, value_parser = choices::<Header>(&Header::ALL.map(Header::name)), help_heading = TEXT))]
    #[serde(with = "text")]
    pub header: Header,
    /// Field delimiter: comma, semicolon, tab or whitespace (default: detected from the first lines).
    #[cfg_attr(feature = "cli", arg(long, value_parser = |s: &str| s.parse::<Delimiter>(), value_name = "D", help_heading = TEXT))]
    #[serde(with = "text::or_none")]
    pub delimiter: Option<Delimiter>,
    /// The decimal mark of the numbers: . or , (default: a comma when the fields are split by ';' and the
    /// numeric-looking cells are like 1,5 — the run says so — else a dot).
    #[cfg_attr(feature = "cli", arg(long, value_parser = |s: &str| s.parse::<Decimal>(), value_name = "MARK", help_heading = TEXT))]
    #[serde(with = "text::or_none")]
    pub decimal: Option<Decimal>,
    /// Missing cells (NA, NaN, nan, ?, empty): error, drop the row, or fill with the training part's mean
    /// (most common category for text columns); the choice is stored in the model and used at prediction.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = MissingPolicy::Error, value_parser = choices::<MissingPolicy>(&MissingPolicy::ALL.iter().map(|m| m.name()).collect::<Vec<_>>()), help_heading = TEXT))]
    #[serde(with = "text")]
    pub missing: MissingPolicy,
    /// A category training never saw: error, or ignore (encode it as all zeros).
    #[cfg_attr(feature = "cli", arg(long = "unknown-category", value_name = "RULE", value_parser = choices::<UnknownCategory>(&UnknownCategory::ALL.iter().map(|m| m.name()).collect::<Vec<_>>()), help_heading = TEXT))]
    #[serde(with = "text::or_none")]
    pub unknown_category: Option<UnknownCategory>,
    /// Predict a class or a number: auto is regression when the (numeric) target holds a value that is not an
    /// integer. Regression trains an identity output with squared error on the standardised target.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Task::Auto, value_parser = choices::<Task>(&Task::ALL.iter().map(|m| m.name()).collect::<Vec<_>>()), help_heading = TEXT))]
    #[serde(with = "text")]
    pub task: Task,
    /// Most bytes of text, after decompression.
    #[cfg_attr(feature = "cli", arg(long, value_name = "BYTES", default_value_t = Limits::default().bytes, help_heading = LIMITS))]
    pub max_bytes: u64,
    /// Most bytes in one line.
    #[cfg_attr(feature = "cli", arg(long, value_name = "BYTES", default_value_t = Limits::default().line, help_heading = LIMITS))]
    pub max_line: u64,
    /// Most data rows.
    #[cfg_attr(feature = "cli", arg(long, value_name = "N", default_value_t = Limits::default().rows, help_heading = LIMITS))]
    pub max_rows: usize,
    /// Most columns.
    #[cfg_attr(feature = "cli", arg(long, value_name = "N", default_value_t = Limits::default().columns, help_heading = LIMITS))]
    pub max_columns: usize,
    /// Most cells (rows × columns).
    #[cfg_attr(feature = "cli", arg(long, value_name = "N", default_value_t = Limits::default().cells, help_heading = LIMITS))]
    pub max_cells: u64,
    /// Most bytes one compressed variable of a .mat file may inflate to.
    #[cfg_attr(feature = "cli", arg(long, value_name = "BYTES", default_value_t = Limits::default().mat_variable, help_heading = LIMITS))]
    pub max_mat_variable: u64,
}

#[cfg(feature = "cli")]
const TEXT: &str = "Text files (CSV, TSV, …)";
#[cfg(feature = "cli")]
const LIMITS: &str = "Limits on reading files";

impl Default for DataSettings {
    fn default() -> Self {
        let l = Limits::default();
        DataSettings {
            x_var: "X".into(),
            y_var: "y".into(),
            labels: None,
            target: None,
            features: None,
            drop: Vec::new(),
            header: Header::Auto,
            delimiter: None,
            decimal: None,
            missing: MissingPolicy::Error,
            unknown_category: None,
            task: Task::Auto,
            max_bytes: l.bytes,
            max_line: l.line,
            max_rows: l.rows,
            max_columns: l.columns,
            max_cells: l.cells,
            max_mat_variable: l.mat_variable,
        }
    }
}

impl DataSettings {
    /// The bounds on reading.
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

    /// The reader's options.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            delimiter: self.delimiter,
            header: self.header.given(),
            decimal: self.decimal,
            limits: self.limits(),
        }
    }

    /// The settings choose columns or say how to fill them (`target`, `features`, `drop`, `missing`), which
    /// only a run that fits the input pipeline may do.
    pub fn chooses_columns(&self) -> bool {
        self.target.is_some()
            || self.features.is_some()
            || !self.drop.is_empty()
            || self.missing != MissingPolicy::Error
    }
}

impl Data {
    /// Reads the data as `settings` say (each setting as its builder method sets it).
    #[must_use]
    pub fn settings(self, settings: &DataSettings) -> Data {
        let s = settings;
        let mut data = self
            .variables(&s.x_var, &s.y_var)
            .drop(&s.drop)
            .missing(s.missing)
            .task(s.task)
            .limits(s.limits());
        if let Some(target) = &s.target {
            data = data.target(target);
        }
        if let Some(features) = &s.features {
            data = data.features(features);
        }
        if let Some(unknown) = s.unknown_category {
            data = data.unknown_category(unknown);
        }
        if let Some(labels) = s.labels {
            data = data.labels(labels);
        }
        if let Some(delimiter) = s.delimiter {
            data = data.delimiter(delimiter);
        }
        if let Some(header) = s.header.given() {
            data = data.header(header);
        }
        if let Some(decimal) = s.decimal {
            data = data.decimal(decimal);
        }
        data
    }
}

/// Whether a text file's first row is a header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Header {
    /// It is if it holds words where the rows below hold numbers.
    #[default]
    Auto,
    /// It is.
    Yes,
    /// It is not: every row is data.
    No,
}

impl Header {
    /// Every value, in `--help`'s order.
    pub const ALL: [Header; 3] = [Header::Auto, Header::Yes, Header::No];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Header::Auto => "auto",
            Header::Yes => "yes",
            Header::No => "no",
        }
    }

    /// `None` to detect it.
    pub fn given(self) -> Option<bool> {
        match self {
            Header::Auto => None,
            Header::Yes => Some(true),
            Header::No => Some(false),
        }
    }
}

nn_linalg::text_names!(Header, "header");
