//! What the first rows of a file say: whether the first is a header, and whether its numbers have decimal
//! commas.

use super::column::{is_missing, parse_number};

/// A cell that parses as a finite number.
pub(super) fn number(cell: &str, comma: bool) -> Option<f64> {
    match comma.then(|| comma_decimal(cell)).flatten() {
        Some(v) => Some(v),
        None => parse_number(cell).filter(|v| v.is_finite()),
    }
}

/// `-?digits,digits` read with the comma as the decimal mark.
pub(super) fn comma_decimal(cell: &str) -> Option<f64> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (int, frac) = cell.split_once(',')?;
    let unsigned = int.strip_prefix('-').unwrap_or(int);
    (digits(unsigned) && digits(frac))
        .then(|| parse_number(&format!("{int}.{frac}")))
        .flatten()
}

/// Whether the rows below the first hold numbers with decimal commas (`-?digits,digits`) and no numbers with
/// decimal dots.
pub(super) fn comma_decimals(rows: &[(usize, Vec<String>)]) -> bool {
    let cells = || rows.iter().skip(1).flat_map(|(_, r)| r.iter());
    cells().any(|c| comma_decimal(c).is_some())
        && !cells().any(|c| c.contains('.') && number(c, false).is_some())
}

/// Whether the first of `rows` names the columns: it holds a word in a column whose later cells are numbers,
/// or, if no column is numeric, none of its values appears again below it.
pub(super) fn looks_like_header(rows: &[(usize, Vec<String>)], comma: bool) -> bool {
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
