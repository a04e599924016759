//! Errors raised while finding, reading and validating data. Each names the file and the place in it.

use std::path::PathBuf;

/// What went wrong, where, and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or read (the reason is the error's source).
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Reading went past one of the [`Limits`](crate::Limits).
    #[error("{}: {hit}", path.display())]
    Limit {
        /// The file.
        path: PathBuf,
        /// Which limit, and the flag that raises it.
        hit: crate::LimitHit,
    },
    /// The memory for the rows read so far could not be had: an error, never an abort.
    #[error("{}: out of memory at line {line} ({rows} rows × {columns} columns read); read fewer rows with --max-rows", path.display())]
    OutOfMemory {
        /// The file.
        path: PathBuf,
        /// The line being read.
        line: usize,
        /// Rows read.
        rows: usize,
        /// Columns per row.
        columns: usize,
    },
    /// A dataset file was looked for and not found.
    #[error("dataset file {name} not found; looked in: {}", searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NotFound {
        /// The file name asked for.
        name: String,
        /// Every place looked, in order.
        searched: Vec<PathBuf>,
    },
    /// A text file with no data rows.
    #[error("{}: no data rows (the file is empty or blank)", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A text file with a header and nothing below it.
    #[error("{}: no data rows (only a header: {header})", path.display())]
    HeaderOnly {
        /// The file.
        path: PathBuf,
        /// The header's names, as read.
        header: String,
    },
    /// A text file that is not valid UTF-8.
    #[error("{}:{line}: not valid UTF-8 text", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
    },
    /// NaN, infinity, or a value too large for f64.
    #[error("{}:{line}:{column}: '{}' is not a finite number (NaN, infinities and overflowing values are rejected)", path.display(), Shown(token))]
    NonFinite {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The offending token.
        token: String,
    },
    /// A row with a different number of columns than the first.
    #[error("{}:{line}: row has {found} columns, expected {expected} like the first row", path.display())]
    Ragged {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Columns found.
        found: usize,
        /// Columns of the first row.
        expected: usize,
    },
    /// Fewer than two columns: there must be at least one feature and the label.
    #[error("{}:{line}: found {found} column, expected at least 2 (features, then the label)", path.display())]
    TooFewColumns {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Columns found.
        found: usize,
    },
    /// A MATLAB v7.3 file, which is HDF5 and not readable here.
    #[error("{}: a MATLAB v7.3 (HDF5) file, which nn cannot read; re-save it as v7 (MATLAB `save -v7`, or scipy.io.savemat)", path.display())]
    MatV73 {
        /// The file.
        path: PathBuf,
    },
    /// A .mat file that ends before its declared contents.
    #[error("{}: truncated: {detail}", path.display())]
    MatTruncated {
        /// The file.
        path: PathBuf,
        /// Which element is cut short and by how much.
        detail: String,
    },
    /// A .mat file whose structure is not MAT level 5.
    #[error("{}: not a valid MAT-file (level 5): {detail}", path.display())]
    MatMalformed {
        /// The file.
        path: PathBuf,
        /// What was expected and found.
        detail: String,
    },
    /// A variable that is not in the file.
    #[error("{}: no variable '{name}'; variables present: {}", path.display(), if present.is_empty() { "none".to_string() } else { present.join(", ") })]
    MissingVariable {
        /// The file.
        path: PathBuf,
        /// The name asked for.
        name: String,
        /// Every variable the file holds.
        present: Vec<String>,
    },
    /// A variable that exists but is not a dense real numeric array.
    #[error("{}: variable '{name}' is {kind}; expected a dense real numeric array", path.display())]
    NotDenseNumeric {
        /// The file.
        path: PathBuf,
        /// The variable.
        name: String,
        /// What it is instead, e.g. "a cell array" or "complex (double)".
        kind: String,
    },
    /// A variable of the wrong shape.
    #[error("{}: variable '{name}' is {found}; expected {expected}", path.display())]
    VariableShape {
        /// The file.
        path: PathBuf,
        /// The variable.
        name: String,
        /// Shape found.
        found: String,
        /// Shape expected.
        expected: String,
    },
    /// A value of a variable that is NaN or infinite.
    #[error("{}: variable '{name}' holds a non-finite value at row {row}, column {column}", path.display())]
    NonFiniteValue {
        /// The file.
        path: PathBuf,
        /// The variable (or "X"/"features" for text files).
        name: String,
        /// 1-based row.
        row: usize,
        /// 1-based column.
        column: usize,
    },
    /// A label that the class mapping cannot place.
    #[error("{}: row {row}: label {value} {reason}", path.display())]
    Label {
        /// The file.
        path: PathBuf,
        /// 1-based row.
        row: usize,
        /// The raw label.
        value: f64,
        /// Why it is rejected.
        reason: String,
    },
    /// Every sample has the same label.
    #[error("{}: every sample has label {label}; a classifier needs at least two classes", path.display())]
    OneClass {
        /// The file.
        path: PathBuf,
        /// The only label.
        label: String,
    },
    /// A regression target with one value throughout.
    #[error("{}: every sample has {column} = {value}; there is nothing to predict", path.display())]
    ConstantTarget {
        /// The file.
        path: PathBuf,
        /// The target column.
        column: String,
        /// Its only value.
        value: f64,
    },
    /// A target column that cannot be predicted as the task asks.
    #[error("{}: target column '{column}': {problem}", path.display())]
    Task {
        /// The file.
        path: PathBuf,
        /// The target column.
        column: String,
        /// What is wrong.
        problem: String,
    },
    /// An IDX file whose header or size is wrong.
    #[error("{}: not a valid IDX file: {detail}", path.display())]
    Idx {
        /// The file.
        path: PathBuf,
        /// What was expected and found.
        detail: String,
    },
    /// Image and label files of different lengths.
    #[error("{} has {images} images but {} has {labels} labels", images_path.display(), labels_path.display())]
    IdxCount {
        /// The image file.
        images_path: PathBuf,
        /// Images it holds.
        images: usize,
        /// The label file.
        labels_path: PathBuf,
        /// Labels it holds.
        labels: usize,
    },
    /// A header whose width differs from the rows'.
    #[error("{}:{line}: the header names {header} columns but this row has {found}", path.display())]
    HeaderWidth {
        /// The file.
        path: PathBuf,
        /// Columns the header names.
        header: usize,
        /// 1-based line of the first row that differs.
        line: usize,
        /// Its columns.
        found: usize,
    },
    /// A word in a column of numbers.
    #[error("{}:{line}: column '{}' holds numbers ({numbers} of them) but here '{}'; fix the cell, or mark it missing (NA)", path.display(), Shown(column), Shown(token))]
    StrayText {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The column's name.
        column: String,
        /// The word.
        token: String,
        /// Numbers the column holds.
        numbers: usize,
    },
    /// A column named on the command line (or by a model) that the file does not have, or cannot be used.
    #[error("{}: column '{}' {}", path.display(), Shown(column), OneLine(problem))]
    Column {
        /// The file.
        path: PathBuf,
        /// The column, as named.
        column: String,
        /// What is wrong.
        problem: String,
    },
    /// A missing cell where the missing-value policy is `error`.
    #[error("{}:{line}: column '{}' is missing a value ('{token}'); choose --missing drop or --missing mean to accept missing cells", path.display(), Shown(column))]
    Missing {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The column's name.
        column: String,
        /// The cell's text (empty for an empty cell).
        token: String,
    },
    /// A category that training never saw.
    #[error("{}:{line}: column '{}' has category '{}', which training never saw (known: {}); --unknown-category ignore encodes it as all zeros", path.display(), Shown(column), Shown(value), Shown(known))]
    UnknownCategory {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The column's name.
        column: String,
        /// The unseen value.
        value: String,
        /// The categories training saw, listed.
        known: String,
    },
    /// A text column with too many distinct values to be a category.
    #[error("{}: column '{c}' is text with {count} distinct values (more than {limit}), which looks like an id or free text rather than a category; leave it out with --drop '{c}'", path.display(), c = Shown(column))]
    TooManyCategories {
        /// The file.
        path: PathBuf,
        /// The column's name.
        column: String,
        /// Distinct values found.
        count: usize,
        /// The most allowed.
        limit: usize,
    },
    /// Split fractions that do not describe a split.
    #[error("invalid split: {0}")]
    Split(String),
}

/// Text from a data file, shown on one line: control characters (a line break inside a quoted cell) are
/// escaped, everything else is shown as it is, and past [`Shown::MAX`] characters it is cut, with the
/// length said (a 50 MB cell does not fill the terminal).
struct Shown<'a>(&'a str);

/// A message of ours that may quote text from a file: on one line, as [`Shown`], but never cut.
struct OneLine<'a>(&'a str);

impl Shown<'_> {
    /// The most characters shown of one piece of text.
    const MAX: usize = 80;
}

fn write_one_line(f: &mut std::fmt::Formatter<'_>, text: &str, max: usize) -> std::fmt::Result {
    for c in text.chars().take(max) {
        if c.is_control() {
            write!(f, "{}", c.escape_default())?;
        } else {
            write!(f, "{c}")?;
        }
    }
    if text.chars().nth(max).is_some() {
        write!(f, "… ({} characters)", text.chars().count())?;
    }
    Ok(())
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_one_line(f, self.0, Self::MAX)
    }
}

impl std::fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_one_line(f, self.0, usize::MAX)
    }
}

/// `Result` with [`DataError`].
pub type Result<T, E = DataError> = std::result::Result<T, E>;

/// The bytes of `path`, or [`DataError::Io`] naming it: how every loader opens its file.
pub(crate) fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })
}
