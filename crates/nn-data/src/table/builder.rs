//! Columns as they fill up, row by row: numbers, or text once the words outnumber the numbers; the row,
//! column and cell limits and a failed allocation checked as they grow.

use super::column::{Column, is_missing, parse_number};
use super::header::comma_decimal;
use super::lines::Batch;
use crate::error::{DataError, Result};
use crate::limits::{LimitHit, Limits};
use std::path::Path;

/// A finished table's parts.
pub(super) struct Built {
    pub(super) names: Vec<String>,
    pub(super) columns: Vec<Column>,
    pub(super) lines: Vec<u32>,
    pub(super) first_missing: Vec<Option<(usize, String)>>,
    pub(super) renamed: Vec<(String, String)>,
}

/// Columns as they fill up, row by row.
pub(super) struct Builder<'a> {
    path: &'a Path,
    limits: Limits,
    /// Read `-?digits,digits` as a number with a decimal comma.
    pub(super) comma: bool,
    /// The row width, and the line that set it (`None`: the header).
    pub(super) width: Option<(usize, Option<usize>)>,
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
    /// Each level's code. foldhash, seeded per process, instead of the standard SipHash: looking the cell up
    /// was 3% of reading a CSV with two text columns.
    index: foldhash::HashMap<String, u32>,
}

impl TextColumn {
    /// Adds `cell`, the column's `row`-th: a missing cell, or one more present (counted in `present`).
    fn push_cell(
        &mut self,
        row: usize,
        cell: &str,
        present: &mut usize,
        first_missing: &mut Option<(usize, String)>,
    ) {
        if is_missing(cell) {
            if first_missing.is_none() {
                *first_missing = Some((row, cell.to_string()));
            }
            self.codes.push(Column::MISSING_CODE);
        } else {
            *present += 1;
            self.push(cell);
        }
    }

    pub(super) fn push(&mut self, cell: &str) {
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

    pub(super) fn new() -> Self {
        ColumnBuilder {
            numbers: Vec::new(),
            text: None,
            strays: Vec::new(),
            present: 0,
            first_missing: None,
        }
    }

    /// Adds `cell`, whose value `number` is already parsed if it is a finite number (NaN otherwise).
    pub(super) fn push(
        &mut self,
        row: usize,
        line: usize,
        cell: &str,
        number: f64,
    ) -> std::result::Result<(), ()> {
        // The common case first: a number in a numeric column.
        if self.text.is_none() && !number.is_nan() {
            self.numbers.push(number);
            self.present += 1;
            return Ok(());
        }
        if let Some(t) = &mut self.text {
            t.push_cell(row, cell, &mut self.present, &mut self.first_missing);
            return Ok(());
        }
        if is_missing(cell) {
            if self.first_missing.is_none() {
                self.first_missing = Some((row, cell.to_string()));
            }
            self.numbers.push(f64::NAN);
            return Ok(());
        }
        self.present += 1;
        match parse_number(cell) {
            Some(v) if v.is_finite() => self.numbers.push(v),
            Some(_) => return Err(()),
            None => {
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
            index: foldhash::HashMap::default(),
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
    pub(super) fn new(path: &Path, limits: Limits) -> Builder<'_> {
        Builder {
            path,
            limits,
            comma: false,
            width: None,
            columns: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// Adds the row on `line`: its `width` cells, each with its value if it is a finite number (NaN
    /// otherwise; a cell parsed with a decimal comma is parsed here).
    pub(super) fn push<'c>(
        &mut self,
        line: usize,
        width: usize,
        cells: impl Iterator<Item = (&'c str, f64)>,
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
            self.grow(line, 1)?;
        }
        let comma = self.comma;
        for (j, (col, (cell, number))) in self.columns.iter_mut().zip(cells).enumerate() {
            // A finite number has no comma; a cell with a decimal comma is given its dotted form.
            let dotted;
            let cell = match (comma && number.is_nan())
                .then(|| comma_decimal(cell))
                .flatten()
            {
                Some(v) => {
                    dotted = v.to_string();
                    dotted.as_str()
                }
                None => cell,
            };
            col.push(row, line, cell, number)
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

    /// Adds the rows of `batch` from row `from` on. A whole batch whose rows all have the table's width, and
    /// whose cells in each numeric column are all numbers, is added a column at a time: a numeric column's
    /// values in one copy. Any other is added a row at a time. The table, and any error, are the same either
    /// way: the column-at-a-time path is taken only where no cell can fail or change a column's kind.
    pub(super) fn push_batch(&mut self, batch: &Batch, from: usize) -> Result<()> {
        let rows = self.lines.len();
        let n = batch.rows() - from;
        let width = self.columns.len();
        let whole = from == 0
            && !self.comma
            && width > 0
            && batch.width() == Some(width)
            && (self.columns.iter().enumerate()).all(|(j, c)| c.text.is_some() || batch.numeric(j))
            && rows + n <= self.limits.rows
            && ((rows + n) as u64).saturating_mul(width as u64) <= self.limits.cells;
        if !whole {
            for i in from..batch.rows() {
                let row = batch.row(i);
                self.push(row.line, row.len(), row.cells())?;
            }
            return Ok(());
        }
        if rows + n > self.lines.capacity() {
            self.grow(batch.line(0), n)?;
        }
        for (j, col) in self.columns.iter_mut().enumerate() {
            match &mut col.text {
                None => {
                    col.numbers.extend_from_slice(batch.values(j));
                    col.present += n;
                }
                Some(t) => {
                    for i in 0..n {
                        let cell = batch.cell(i, j, width);
                        t.push_cell(rows + i, cell, &mut col.present, &mut col.first_missing);
                    }
                }
            }
        }
        self.lines
            .extend((0..n).map(|i| u32::try_from(batch.line(i)).unwrap_or(u32::MAX)));
        Ok(())
    }

    /// Room for at least `least` more rows, within the limits and the memory there is: a failed allocation
    /// is an error, never an abort.
    fn grow(&mut self, line: usize, least: usize) -> Result<()> {
        let rows = self.lines.len();
        let width = self.columns.len().max(1) as u64;
        let more = rows.clamp(1024, 1 << 24).max(least);
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

    /// The columns typed, the header's names made unique: what a [`Table`](super::Table) is made of.
    pub(super) fn finish(self, header: bool, names: Vec<String>) -> Result<Built> {
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
        Ok(Built {
            names,
            columns,
            lines: self.lines,
            first_missing,
            renamed,
        })
    }
}
