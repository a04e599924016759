//! [`Column`]: a column's typed cells, and how a cell is read: missing, or a number.

/// The cells that mean "no value".
pub const MISSING: [&str; 5] = ["", "NA", "NaN", "nan", "?"];

/// Whether `cell` (already trimmed) is a missing value.
pub fn is_missing(cell: &str) -> bool {
    MISSING.contains(&cell)
}

/// `cell` read as a number: the grammar and the correctly rounded value of `str::parse::<f64>`.
///
/// A plain decimal of at most 15 digits (`-83.38809`, the common cell) is read here: its digits as an
/// integer, exact in an `f64`, divided by a power of ten that is exact too, which IEEE division rounds
/// correctly (Clinger's fast path, W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990).
/// Anything else goes to fast-float2 (Lemire's algorithm, as the standard library's). The float parse was the
/// largest share of reading a numeric CSV. `tests::numbers_read_as_std_reads_them` and its proptests hold
/// both paths to the standard library's answers.
#[inline]
pub(crate) fn parse_number(cell: &str) -> Option<f64> {
    match short_decimal(cell.as_bytes()) {
        Some(v) => Some(v),
        None => parse_other(cell),
    }
}

/// The rest of the grammar, by fast-float2: out of line, so that the short path is not slowed by its frame.
#[inline(never)]
fn parse_other(cell: &str) -> Option<f64> {
    fast_float2::parse(cell).ok()
}

/// `[+-]?digits[.digits]` (or `[+-]?.digits`) with at most 15 digits and 22 after the point; `None` for
/// anything else.
#[inline]
fn short_decimal(cell: &[u8]) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let (negative, rest) = match cell.first()? {
        b'-' => (true, &cell[1..]),
        b'+' => (false, &cell[1..]),
        _ => (false, cell),
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    let mut point = None;
    for (k, &b) in rest.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                // 15 digits or fewer cannot overflow; more are rejected below.
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
                digits += 1;
            }
            b'.' if point.is_none() => point = Some(k),
            _ => return None,
        }
    }
    let fraction = point.map_or(0, |k| rest.len() - k - 1);
    if digits == 0 || digits > 15 || fraction > 22 {
        return None;
    }
    // Below 10^15 the mantissa is an exact, signed 64-bit integer: the one-instruction conversion.
    let value = mantissa as i64 as f64 / POW10[fraction];
    Some(if negative { -value } else { value })
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
