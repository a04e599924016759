//! [`Column`]: a column's typed cells, and how a cell is read: missing, or a number.

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
