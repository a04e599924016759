//! [`Schema`]: how a model reads a delimited file, fitted on the training part; [`Schema::apply`] reads a
//! new file through it.

use super::columns::{map_labels, read_values, refuse_missing};
use super::options::{MissingPolicy, Task, UnknownCategory};
use crate::classes::ClassMap;
use crate::error::{DataError, Result};
use crate::table::{Column, Delimiter, ReadOptions, Table};
use nn_linalg::Matrix;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

/// An input column of a model: where it is, and how it becomes features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputColumn {
    /// Its header name (or `column N` in a file without a header).
    pub name: String,
    /// Its 0-based position in the training file.
    pub position: usize,
    /// How it is encoded.
    pub kind: InputKind,
}

/// How an input column becomes features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum InputKind {
    /// One feature, the number itself.
    Numeric {
        /// The value that fills a missing cell (the training part's mean), under [`MissingPolicy::Mean`].
        fill: Option<f64>,
    },
    /// One feature per category, 1 for the row's category and 0 for the others.
    Categorical {
        /// The training part's categories, sorted.
        categories: Vec<String>,
        /// The category that fills a missing cell (the training part's most common), under
        /// [`MissingPolicy::Mean`].
        fill: Option<String>,
    },
}

impl InputKind {
    /// Features it makes.
    pub fn width(&self) -> usize {
        match self {
            InputKind::Numeric { .. } => 1,
            InputKind::Categorical { categories, .. } => categories.len(),
        }
    }
}

/// How a model reads a delimited text file: which columns it takes, how each becomes features, and the
/// target. Fitted on the training part and stored in the model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// The training file had a header.
    pub header: bool,
    /// The training file's delimiter.
    pub delimiter: Delimiter,
    /// Columns in the training file.
    pub file_columns: usize,
    /// The target column's name.
    pub target: String,
    /// The target column's 0-based position in the training file.
    pub target_position: usize,
    /// The input columns, in feature order.
    pub inputs: Vec<InputColumn>,
    /// The missing-value policy training used (and prediction keeps).
    pub missing: MissingPolicy,
    /// The default for categories training never saw.
    pub unknown: UnknownCategory,
}

/// What [`Schema::apply`] reads from the target column, if the file has it.
#[derive(Clone, Copy, Debug)]
pub enum Expect<'a> {
    /// Nothing: the features only (prediction).
    Features,
    /// Class labels, by the model's classes.
    Classes(&'a ClassMap),
    /// Real values (a regression model).
    Values,
}

/// A new file read through a [`Schema`].
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// Features, one row per kept row.
    pub x: Matrix<f64>,
    /// The table rows (0-based) the rows of `x` came from.
    pub rows: Vec<usize>,
    /// Class indices, if the target column was there and classes were expected.
    pub labels: Option<Vec<usize>>,
    /// Target values, if the target column was there and values were expected.
    pub values: Option<Vec<f64>>,
    /// What a person should know: columns ignored, rows dropped.
    pub notes: Vec<String>,
}

impl Schema {
    /// How to read a new file for this model: the header as in training, the delimiter detected, the default
    /// limits.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            delimiter: None,
            header: Some(self.header),
            decimal: None,
            limits: Default::default(),
        }
    }

    /// Features the schema makes.
    pub fn width(&self) -> usize {
        self.inputs.iter().map(|c| c.kind.width()).sum()
    }

    /// A name per feature: the column's, or `column=category` for one-hot features.
    pub fn feature_names(&self) -> Vec<String> {
        let mut names = Vec::with_capacity(self.width());
        for c in &self.inputs {
            match &c.kind {
                InputKind::Numeric { .. } => names.push(c.name.clone()),
                InputKind::Categorical { categories, .. } => {
                    names.extend(categories.iter().map(|k| format!("{}={k}", c.name)));
                }
            }
        }
        names
    }

    /// Reads `table` as this model's input: columns matched by header name in any order (or, without a
    /// header, by position: the training file's columns, or those without the target). The target column, if
    /// present, gives what `expect` asks for. `unknown` overrides the stored unseen-category rule.
    ///
    /// The table is taken: each input column is freed once encoded, so that reading a large file holds
    /// little more than its feature matrix.
    pub fn apply(
        &self,
        table: Table,
        expect: Expect<'_>,
        unknown: Option<UnknownCategory>,
    ) -> Result<Applied> {
        let mut held: Cow<'_, Table> = Cow::Owned(table);
        let table = held.as_ref();
        let mut notes = Vec::new();
        let (columns, target) = self.match_columns(table, &mut notes)?;
        let target = target.filter(|_| !matches!(expect, Expect::Features));
        let used: Vec<usize> = columns.iter().copied().chain(target).collect();
        let rows: Vec<usize> = match self.missing {
            MissingPolicy::Error => {
                refuse_missing(table, used.iter())?;
                (0..table.rows()).collect()
            }
            MissingPolicy::Drop => (0..table.rows())
                .filter(|&i| used.iter().all(|&j| !table.column(j).is_missing(i)))
                .collect(),
            MissingPolicy::Mean => (0..table.rows())
                .filter(|&i| target.is_none_or(|j| !table.column(j).is_missing(i)))
                .collect(),
        };
        if rows.len() < table.rows() {
            notes.push(format!(
                "left out {} of {} rows with a missing value",
                table.rows() - rows.len(),
                table.rows()
            ));
        }
        if rows.is_empty() {
            return Err(DataError::Empty {
                path: table.source().to_path_buf(),
            });
        }
        let unknown = unknown.unwrap_or(self.unknown);
        let x = self.encode(&mut held, &columns, &rows, unknown)?;
        let table = held.as_ref();
        let (labels, values) = match (target, expect) {
            (Some(j), Expect::Classes(classes)) => {
                (Some(map_labels(table, j, &rows, classes)?), None)
            }
            (Some(j), Expect::Values) => {
                let values = read_values(table, j, &rows, Task::Regression)?;
                (None, values)
            }
            _ => (None, None),
        };
        Ok(Applied {
            x,
            rows,
            labels,
            values,
            notes,
        })
    }

    /// The table column of each input, and of the target if the file has it: by header name, or without a
    /// header by position.
    fn match_columns(
        &self,
        table: &Table,
        notes: &mut Vec<String>,
    ) -> Result<(Vec<usize>, Option<usize>)> {
        let path = table.source();
        if self.header {
            let mut columns = Vec::with_capacity(self.inputs.len());
            for c in &self.inputs {
                match table.names().iter().position(|n| *n == c.name) {
                    Some(j) => columns.push(j),
                    None => {
                        return Err(DataError::Column {
                            path: path.to_path_buf(),
                            column: c.name.clone(),
                            problem: format!(
                                "is an input of the model but the file has no such column; it has: {}",
                                table.describe_columns()
                            ),
                        });
                    }
                }
            }
            let target = table.names().iter().position(|n| *n == self.target);
            let extra: Vec<&str> = (0..table.cols())
                .filter(|j| !columns.contains(j) && Some(*j) != target)
                .map(|j| table.names()[j].as_str())
                .collect();
            if !extra.is_empty() {
                notes.push(format!(
                    "ignored columns the model does not use: {}",
                    extra.join(", ")
                ));
            }
            Ok((columns, target))
        } else if table.cols() == self.file_columns {
            let columns = self.inputs.iter().map(|c| c.position).collect();
            Ok((columns, Some(self.target_position)))
        } else if table.cols() + 1 == self.file_columns {
            let shift = |p: usize| if p > self.target_position { p - 1 } else { p };
            let columns = self.inputs.iter().map(|c| shift(c.position)).collect();
            Ok((columns, None))
        } else {
            Err(DataError::Column {
                path: path.to_path_buf(),
                column: "*".into(),
                problem: format!(
                    "the file has {} columns and no header; the model was trained on {} (or give {} without the target)",
                    table.cols(),
                    self.file_columns,
                    self.file_columns - 1
                ),
            })
        }
    }

    /// The features of `rows`, input `k` read from table column `columns[k]`: a run of the matrix's columns
    /// per input, the inputs shared out over the cores for a large table. An owned table's columns are taken
    /// out of it and each freed once encoded, so the matrix grows as the table shrinks: reading a large file
    /// then holds little more than the matrix. The first error in input order is returned, as a serial
    /// encoding would find it.
    pub(super) fn encode(
        &self,
        table: &mut Cow<'_, Table>,
        columns: &[usize],
        rows: &[usize],
        unknown: UnknownCategory,
    ) -> Result<Matrix<f64>> {
        let distinct = (1..columns.len()).all(|k| !columns[..k].contains(&columns[k]));
        let taken: Vec<Option<Column>> = match table {
            Cow::Owned(t) if distinct => columns.iter().map(|&j| Some(t.take_column(j))).collect(),
            _ => columns.iter().map(|_| None).collect(),
        };
        let table = table.as_ref();
        let groups: Vec<(usize, (usize, Cow<'_, Column>))> = (self.inputs.iter().zip(taken))
            .enumerate()
            .map(|(k, (input, owned))| {
                let column = match owned {
                    Some(c) => Cow::Owned(c),
                    None => Cow::Borrowed(table.column(columns[k])),
                };
                (input.kind.width(), (k, column))
            })
            .collect();
        let threads = crate::threads::threads_for(rows.len().saturating_mul(self.width()));
        Matrix::try_from_column_groups(rows.len(), groups, threads, |(k, column), x| {
            let input = &self.inputs[k];
            let cells = Cells {
                table,
                column: &column,
                position: columns[k],
                input,
            };
            match &input.kind {
                InputKind::Numeric { fill } => cells.numeric(*fill, rows, &mut *x[0]),
                InputKind::Categorical { categories, fill } => {
                    cells.one_hot(categories, fill.as_deref(), rows, unknown, x)
                }
            }
        })
    }
}

/// One input's column of a table, as [`Schema::encode`] reads it: the column (taken out of the table, or
/// borrowed), and the table for the rest (its lines, its missing cells).
struct Cells<'a> {
    table: &'a Table,
    column: &'a Column,
    position: usize,
    input: &'a InputColumn,
}

impl Cells<'_> {
    fn missing(&self, i: usize) -> DataError {
        let token = (self.table.first_missing(self.position))
            .map_or("", |(_, t)| t)
            .to_string();
        DataError::Missing {
            path: self.table.source().to_path_buf(),
            line: self.table.line(i),
            column: self.input.name.clone(),
            token,
        }
    }

    /// A numeric input into `x`, a zeroed column, a missing cell filled with `fill`.
    fn numeric(&self, fill: Option<f64>, rows: &[usize], x: &mut [f64]) -> Result<()> {
        let Column::Numeric(values) = self.column else {
            return Err(DataError::Column {
                path: self.table.source().to_path_buf(),
                column: self.input.name.clone(),
                problem: "holds text, but the model was trained on numbers there".into(),
            });
        };
        let fill = match fill {
            Some(f) => f,
            None => match rows.iter().find(|&&i| values[i].is_nan()) {
                Some(&i) => return Err(self.missing(i)),
                None => f64::NAN,
            },
        };
        let value = |v: f64| if v.is_nan() { fill } else { v };
        if rows.len() == values.len() {
            // Every row, in order (`rows` only ever leaves rows out).
            for (d, &v) in x.iter_mut().zip(values) {
                *d = value(v);
            }
        } else {
            for (d, &i) in x.iter_mut().zip(rows) {
                *d = value(values[i]);
            }
        }
        Ok(())
    }

    /// A categorical input one-hot into `x`, zeroed columns, one per category.
    fn one_hot(
        &self,
        categories: &[String],
        fill: Option<&str>,
        rows: &[usize],
        unknown: UnknownCategory,
        x: &mut [&mut [f64]],
    ) -> Result<()> {
        let index: HashMap<&str, usize> = (categories.iter().enumerate())
            .map(|(k, c)| (c.as_str(), k))
            .collect();
        let (codes, levels) = self.codes();
        // Each distinct value of the column is looked up once, not once per row.
        let of_level: Vec<Option<usize>> = (levels.iter())
            .map(|l| index.get(l.as_str()).copied())
            .collect();
        let filled = fill.and_then(|f| index.get(f).copied());
        // Each row's category (`NONE` for all zeros), then a column per category.
        const NONE: u32 = u32::MAX;
        let mut category = Vec::with_capacity(rows.len());
        for &i in rows {
            let code = codes[i];
            let k = if code == Column::MISSING_CODE {
                match fill {
                    Some(_) => filled,
                    None => return Err(self.missing(i)),
                }
            } else {
                of_level[code as usize]
            };
            category.push(match (k, unknown) {
                (Some(k), _) => k as u32,
                (None, UnknownCategory::Ignore) => NONE,
                (None, UnknownCategory::Error) => {
                    return Err(DataError::UnknownCategory {
                        path: self.table.source().to_path_buf(),
                        line: self.table.line(i),
                        column: self.input.name.clone(),
                        value: levels.get(code as usize).cloned().unwrap_or_default(),
                        known: categories.join(", "),
                    });
                }
            });
        }
        // A 1 in each row's own column.
        for (r, &k) in category.iter().enumerate() {
            if k != NONE {
                x[k as usize][r] = 1.0;
            }
        }
        Ok(())
    }

    /// Each row's level code and the levels: a text column's own, or a numeric column's values as text.
    fn codes(&self) -> (Cow<'_, [u32]>, Cow<'_, [String]>) {
        let column = self.column;
        match column {
            Column::Text { codes, levels } => (Cow::Borrowed(codes), Cow::Borrowed(levels)),
            Column::Numeric(_) => {
                let mut levels: Vec<String> = Vec::new();
                let mut seen: HashMap<String, u32> = HashMap::new();
                let codes = (0..self.table.rows())
                    .map(|i| match column.text(i) {
                        None => Column::MISSING_CODE,
                        Some(v) => *seen.entry(v.clone()).or_insert_with(|| {
                            levels.push(v);
                            levels.len() as u32 - 1
                        }),
                    })
                    .collect();
                (Cow::Owned(codes), Cow::Owned(levels))
            }
        }
    }
}
