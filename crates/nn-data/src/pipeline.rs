//! From a [`Table`] to a [`Dataset`]: choose the target and feature columns, deal with missing cells, one-hot
//! encode text features, and remember all of it as a [`Schema`] that travels with the model, so new files are
//! read exactly as the training file was.
//!
//! Everything fitted (categories, imputed means and modes) is fitted on the training part only: first
//! [`Selected::new`] picks the columns and reads the labels, the caller splits those labels, then
//! [`Selected::fit`] fits on the training rows and encodes every row.
//!
//! ```
//! use nn_data::{Expect, PipelineOptions, ReadOptions, Selected, SplitSpec, Table, split};
//!
//! let csv = "size,colour,kind\n1.0,red,apple\n1.2,green,apple\n3.1,yellow,banana\n2.9,yellow,banana\n\
//!            1.1,red,apple\n3.3,green,banana\n";
//! let table = Table::parse(csv.as_bytes(), "fruit.csv".as_ref(), &ReadOptions::default())?;
//! let selected = Selected::new(&table, &PipelineOptions::default())?;   // target: the last column
//! let parts = split(selected.labels(), &SplitSpec { train: 1.0, validation: 0.0, stratified: false, seed: 1 })?;
//! let (schema, data) = selected.fit(&parts.train)?;
//! assert_eq!(data.classes().names(), ["apple", "banana"]);
//! assert_eq!(schema.feature_names(), ["size", "colour=green", "colour=red", "colour=yellow"]);
//!
//! // A new file, its columns in another order and without the target, read through the schema.
//! let new = Table::parse(b"colour,size\nred,1.05\n", "new.csv".as_ref(), &schema.read_options())?;
//! let applied = schema.apply(&new, Expect::Features, None)?;
//! assert_eq!(applied.x.row_to_vec(0), vec![1.05, 0.0, 1.0, 0.0]);
//! # Ok::<(), nn_data::DataError>(())
//! ```

use crate::classes::{ClassMap, LabelScheme, MAX_CLASSES};
use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::table::{Column, Delimiter, ReadOptions, Table};
use nn_linalg::Matrix;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

/// What to do with a missing cell (`NA`, `NaN`, `nan`, `?` or empty).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingPolicy {
    /// Refuse the file, naming the row, the column and the cell.
    #[default]
    Error,
    /// Leave out every row with a missing cell in a used column.
    Drop,
    /// Fill numeric cells with the training part's mean and text cells with its most common category.
    Mean,
}

/// What to do with a category the training part never had.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownCategory {
    /// Refuse it, naming the row, the column and the value.
    #[default]
    Error,
    /// Encode it as all zeros (no category).
    Ignore,
}

/// Names for the command line: `MissingPolicy` and `UnknownCategory` parse from and print as these.
macro_rules! cli_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in the order `--help` lists them.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The name on the command line.
            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> std::result::Result<Self, String> {
                Self::ALL.iter().copied().find(|v| v.name() == s).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.name()).collect();
                    format!("unknown value '{s}' (expected one of: {})", names.join(", "))
                })
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

/// What a model predicts from the target column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Task {
    /// Regression when the target column is numeric and holds a value that is not an integer, else
    /// classification.
    #[default]
    Auto,
    /// A class per row: a text target gives named classes; a numeric one, integer labels.
    Classification,
    /// A real number per row (the target must be numeric).
    Regression,
}

cli_names!(MissingPolicy { Error => "error", Drop => "drop", Mean => "mean" });
cli_names!(Task { Auto => "auto", Classification => "classification", Regression => "regression" });
cli_names!(UnknownCategory { Error => "error", Ignore => "ignore" });

/// The most distinct values a text feature may have: more is almost surely an id or free text.
pub const MAX_CATEGORIES: usize = 1000;

/// Which columns to use and how; every field has a default that reads today's label-last numeric files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PipelineOptions {
    /// The column to predict (a header name or a 1-based position); default the last.
    pub target: Option<String>,
    /// Keep only these feature columns, in this order; default every column but the target.
    pub features: Option<Vec<String>>,
    /// Leave out these columns.
    pub drop: Vec<String>,
    /// What to do with missing cells.
    pub missing: MissingPolicy,
    /// What to do, at prediction time, with a category training never saw.
    pub unknown: UnknownCategory,
    /// How a numeric target's labels map to classes (a text target always gives named classes).
    pub labels: LabelScheme,
    /// Classification or regression.
    pub task: Task,
}

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

/// The target and feature columns of a table chosen, and its labels read: enough to split, not yet fitted.
#[derive(Debug)]
pub struct Selected<'t> {
    table: &'t Table,
    target: usize,
    inputs: Vec<usize>,
    rows: Vec<usize>,
    labels: Vec<usize>,
    values: Option<Vec<f64>>,
    classes: ClassMap,
    dropped: usize,
    opts: PipelineOptions,
}

impl<'t> Selected<'t> {
    /// Chooses the columns `opts` names and reads the target's labels, dropping rows as the missing-value
    /// policy says.
    pub fn new(table: &'t Table, opts: &PipelineOptions) -> Result<Selected<'t>> {
        let path = table.source();
        let column_err = |column: &str, problem: String| DataError::Column {
            path: path.to_path_buf(),
            column: column.to_string(),
            problem,
        };
        if table.cols() < 2 {
            return Err(DataError::TooFewColumns {
                path: path.to_path_buf(),
                line: table.line(0),
                found: table.cols(),
            });
        }
        let target = match &opts.target {
            Some(t) => table.find(t)?,
            None => table.cols() - 1,
        };
        let mut inputs = match &opts.features {
            Some(list) => {
                let mut inputs = Vec::new();
                for name in list {
                    let j = table.find(name)?;
                    if j == target {
                        return Err(column_err(
                            name,
                            "is the target; it cannot also be a feature".into(),
                        ));
                    }
                    if !inputs.contains(&j) {
                        inputs.push(j);
                    }
                }
                inputs
            }
            None => (0..table.cols()).filter(|&j| j != target).collect(),
        };
        for name in &opts.drop {
            let j = table.find(name)?;
            if j == target {
                return Err(column_err(
                    name,
                    "is the target; it cannot be dropped".into(),
                ));
            }
            inputs.retain(|&i| i != j);
        }
        if inputs.is_empty() {
            return Err(column_err(
                &table.names()[target],
                "is the target and no feature column is left".into(),
            ));
        }
        for &j in inputs.iter().chain([&target]) {
            let column = table.column(j);
            if (0..table.rows()).all(|i| column.is_missing(i)) {
                return Err(column_err(
                    &table.names()[j],
                    "has no values (every cell is missing)".into(),
                ));
            }
            if let Column::Text { levels, .. } = column
                && j != target
                && levels.len() > MAX_CATEGORIES
            {
                return Err(DataError::TooManyCategories {
                    path: path.to_path_buf(),
                    column: table.names()[j].clone(),
                    count: levels.len(),
                    limit: MAX_CATEGORIES,
                });
            }
        }
        let used: Vec<usize> = match opts.missing {
            MissingPolicy::Error => {
                refuse_missing(table, inputs.iter().chain([&target]))?;
                Vec::new()
            }
            MissingPolicy::Drop => inputs.iter().copied().chain([target]).collect(),
            MissingPolicy::Mean => vec![target],
        };
        let rows: Vec<usize> = (0..table.rows())
            .filter(|&i| used.iter().all(|&j| !table.column(j).is_missing(i)))
            .collect();
        let dropped = table.rows() - rows.len();
        let values = read_values(table, target, &rows, opts.task)?;
        let (classes, labels) = match &values {
            Some(_) => (
                ClassMap::named(vec![table.names()[target].clone()]),
                vec![0; rows.len()],
            ),
            None => read_labels(table, target, &rows, opts.labels).map_err(|e| match e {
                // Whole numbers that make no sensible classes (a price, a count) are likely a quantity.
                DataError::Label {
                    path,
                    row,
                    value,
                    reason,
                } if opts.task == Task::Auto => DataError::Label {
                    path,
                    row,
                    value,
                    reason: format!(
                        "{reason} (if '{}' is a quantity, --task regression predicts it as a number)",
                        table.names()[target]
                    ),
                },
                e => e,
            })?,
        };
        Ok(Selected {
            table,
            target,
            inputs,
            rows,
            labels,
            values,
            classes,
            dropped,
            opts: opts.clone(),
        })
    }

    /// One class index per kept row: what the split is drawn from (all 0 for regression).
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Whether the target is read as real values (asked for, or found by [`Task::Auto`]).
    pub fn is_regression(&self) -> bool {
        self.values.is_some()
    }

    /// The classes the target column defines.
    pub fn classes(&self) -> &ClassMap {
        &self.classes
    }

    /// The target column's name.
    pub fn target_name(&self) -> &str {
        &self.table.names()[self.target]
    }

    /// The input columns' names, in feature order.
    pub fn input_names(&self) -> Vec<&str> {
        self.inputs
            .iter()
            .map(|&j| self.table.names()[j].as_str())
            .collect()
    }

    /// Rows left out for a missing cell.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// Fits the schema on the kept rows at `train` (indices into [`labels`](Self::labels)) and encodes every
    /// kept row. A category that only the other parts have is encoded as all zeros there.
    pub fn fit(self, train: &[usize]) -> Result<(Schema, Dataset)> {
        let table = self.table;
        let mut inputs = Vec::with_capacity(self.inputs.len());
        for &j in &self.inputs {
            let name = table.names()[j].clone();
            let kind = fit_column(table.column(j), train, &self.rows, self.opts.missing);
            if kind.width() == 0 {
                return Err(DataError::Column {
                    path: table.source().to_path_buf(),
                    column: name,
                    problem: "has no values in the training part".into(),
                });
            }
            inputs.push(InputColumn {
                name,
                position: j,
                kind,
            });
        }
        let schema = Schema {
            header: table.has_header(),
            delimiter: table.delimiter(),
            file_columns: table.cols(),
            target: table.names()[self.target].clone(),
            target_position: self.target,
            inputs,
            missing: self.opts.missing,
            unknown: self.opts.unknown,
        };
        let x = schema.encode(table, &self.inputs, &self.rows, UnknownCategory::Ignore)?;
        let data = match self.values {
            Some(values) => Dataset::regression(x, values, &schema.target, table.source())?,
            None => Dataset::new(x, self.labels, self.classes, table.source())?,
        };
        Ok((schema.clone(), data.with_schema(schema)))
    }
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
    pub fn apply(
        &self,
        table: &Table,
        expect: Expect<'_>,
        unknown: Option<UnknownCategory>,
    ) -> Result<Applied> {
        let path = table.source();
        let mut notes = Vec::new();
        let (columns, target) = if self.header {
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
            (columns, target)
        } else if table.cols() == self.file_columns {
            let columns = self.inputs.iter().map(|c| c.position).collect();
            (columns, Some(self.target_position))
        } else if table.cols() + 1 == self.file_columns {
            let shift = |p: usize| if p > self.target_position { p - 1 } else { p };
            let columns = self.inputs.iter().map(|c| shift(c.position)).collect();
            (columns, None)
        } else {
            return Err(DataError::Column {
                path: path.to_path_buf(),
                column: "*".into(),
                problem: format!(
                    "the file has {} columns and no header; the model was trained on {} (or give {} without the target)",
                    table.cols(),
                    self.file_columns,
                    self.file_columns - 1
                ),
            });
        };
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
                path: path.to_path_buf(),
            });
        }
        let x = self.encode(table, &columns, &rows, unknown.unwrap_or(self.unknown))?;
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

    /// The features of `rows`, input `k` read from table column `columns[k]`.
    fn encode(
        &self,
        table: &Table,
        columns: &[usize],
        rows: &[usize],
        unknown: UnknownCategory,
    ) -> Result<Matrix<f64>> {
        let mut x = Matrix::zeros(rows.len(), self.width());
        let mut at = 0;
        for (input, &j) in self.inputs.iter().zip(columns) {
            let column = table.column(j);
            let missing = |i: usize| {
                let token = table.first_missing(j).map_or("", |(_, t)| t).to_string();
                DataError::Missing {
                    path: table.source().to_path_buf(),
                    line: table.line(i),
                    column: input.name.clone(),
                    token,
                }
            };
            match &input.kind {
                InputKind::Numeric { fill } => {
                    let Column::Numeric(values) = column else {
                        return Err(DataError::Column {
                            path: table.source().to_path_buf(),
                            column: input.name.clone(),
                            problem: "holds text, but the model was trained on numbers there"
                                .into(),
                        });
                    };
                    let out = x.col_mut(at);
                    for (o, &i) in out.iter_mut().zip(rows) {
                        *o = match values[i] {
                            v if !v.is_nan() => v,
                            _ => fill.ok_or_else(|| missing(i))?,
                        };
                    }
                }
                InputKind::Categorical { categories, fill } => {
                    let index: HashMap<&str, usize> = categories
                        .iter()
                        .enumerate()
                        .map(|(k, c)| (c.as_str(), k))
                        .collect();
                    // Each distinct value of the column is looked up once, not once per row.
                    let (codes, levels): (Cow<'_, [u32]>, Cow<'_, [String]>) = match column {
                        Column::Text { codes, levels } => {
                            (Cow::Borrowed(codes), Cow::Borrowed(levels))
                        }
                        Column::Numeric(_) => {
                            let mut levels: Vec<String> = Vec::new();
                            let mut seen: HashMap<String, u32> = HashMap::new();
                            let codes = (0..table.rows())
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
                    };
                    let of_level: Vec<Option<usize>> = levels
                        .iter()
                        .map(|l| index.get(l.as_str()).copied())
                        .collect();
                    let filled = fill.as_deref().and_then(|f| index.get(f).copied());
                    for (r, &i) in rows.iter().enumerate() {
                        let code = codes[i];
                        let k = if code == Column::MISSING_CODE {
                            match fill {
                                Some(_) => filled,
                                None => return Err(missing(i)),
                            }
                        } else {
                            of_level[code as usize]
                        };
                        match (k, unknown) {
                            (Some(k), _) => x.set(r, at + k, 1.0),
                            (None, UnknownCategory::Ignore) => {}
                            (None, UnknownCategory::Error) => {
                                return Err(DataError::UnknownCategory {
                                    path: table.source().to_path_buf(),
                                    line: table.line(i),
                                    column: input.name.clone(),
                                    value: levels.get(code as usize).cloned().unwrap_or_default(),
                                    known: categories.join(", "),
                                });
                            }
                        }
                    }
                }
            }
            at += input.kind.width();
        }
        Ok(x)
    }
}

/// An error naming the earliest missing cell among `columns` (its line, column and text), if there is one.
fn refuse_missing<'a>(table: &'a Table, columns: impl Iterator<Item = &'a usize>) -> Result<()> {
    let first = columns
        .filter_map(|&j| table.first_missing(j).map(|(i, t)| (i, j, t)))
        .min_by_key(|&(i, j, _)| (i, j));
    match first {
        Some((row, j, token)) => Err(DataError::Missing {
            path: table.source().to_path_buf(),
            line: table.line(row),
            column: table.names()[j].clone(),
            token: token.to_string(),
        }),
        None => Ok(()),
    }
}

/// Categories (sorted) and, under `Mean`, the fill value, from the training rows: the table rows `rows[i]`
/// for each `i` of `train`.
fn fit_column(
    column: &Column,
    train: &[usize],
    rows: &[usize],
    missing: MissingPolicy,
) -> InputKind {
    let train = train.iter().map(|&i| rows[i]);
    match column {
        Column::Numeric(values) => {
            let (sum, count) = train
                .map(|i| values[i])
                .filter(|v| !v.is_nan())
                .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
            let fill = (missing == MissingPolicy::Mean && count > 0).then(|| sum / count as f64);
            InputKind::Numeric { fill }
        }
        Column::Text { codes, levels } => {
            let mut counts = vec![0usize; levels.len()];
            for i in train {
                if let Some(c) = counts.get_mut(codes[i] as usize) {
                    *c += 1;
                }
            }
            let mut categories: Vec<String> = levels
                .iter()
                .zip(&counts)
                .filter(|&(_, &n)| n > 0)
                .map(|(l, _)| l.clone())
                .collect();
            categories.sort();
            // The most common category; ties go to the first in sorted order.
            let fill = (missing == MissingPolicy::Mean)
                .then(|| {
                    categories
                        .iter()
                        .max_by(|a, b| {
                            let count = |s: &String| {
                                levels.iter().position(|l| l == s).map_or(0, |k| counts[k])
                            };
                            count(a).cmp(&count(b)).then_with(|| b.cmp(a))
                        })
                        .cloned()
                })
                .flatten();
            InputKind::Categorical { categories, fill }
        }
    }
}

/// Classes and labels of the target column over `rows`: named classes for text, `scheme` for numbers.
fn read_labels(
    table: &Table,
    target: usize,
    rows: &[usize],
    scheme: LabelScheme,
) -> Result<(ClassMap, Vec<usize>)> {
    match table.column(target) {
        Column::Numeric(values) => {
            let raw: Vec<f64> = rows.iter().map(|&i| values[i]).collect();
            ClassMap::resolve(scheme, &raw, table.source())
        }
        Column::Text { codes, levels } => {
            let mut seen = vec![false; levels.len()];
            for &i in rows {
                if let Some(s) = seen.get_mut(codes[i] as usize) {
                    *s = true;
                }
            }
            let names: Vec<String> = levels
                .iter()
                .zip(&seen)
                .filter(|&(_, &s)| s)
                .map(|(l, _)| l.clone())
                .collect();
            if names.len() > MAX_CLASSES {
                return Err(DataError::Column {
                    path: table.source().to_path_buf(),
                    column: table.names()[target].clone(),
                    problem: format!(
                        "has {} distinct values; nn supports at most {MAX_CLASSES} classes (is this column really the target?)",
                        names.len()
                    ),
                });
            }
            let classes = ClassMap::named(names);
            let class_of: Vec<usize> = levels
                .iter()
                .map(|l| classes.class_named(l).unwrap_or(usize::MAX))
                .collect();
            let labels = rows.iter().map(|&i| class_of[codes[i] as usize]).collect();
            Ok((classes, labels))
        }
    }
}

/// The values of `rows` in target column `j` if `task` makes it a regression target: asked for (the column
/// must be numeric), or [`Task::Auto`] and some value is not an integer.
fn read_values(table: &Table, j: usize, rows: &[usize], task: Task) -> Result<Option<Vec<f64>>> {
    let fail = |problem: &str| DataError::Task {
        path: table.source().to_path_buf(),
        column: table.names()[j].clone(),
        problem: problem.into(),
    };
    let values = match (table.column(j), task) {
        (_, Task::Classification) => return Ok(None),
        (Column::Text { .. }, Task::Regression) => {
            return Err(fail(
                "holds text, and regression needs numbers (use --task classification for named classes)",
            ));
        }
        (Column::Text { .. }, Task::Auto) => return Ok(None),
        (Column::Numeric(v), _) => v,
    };
    let picked: Vec<f64> = rows.iter().map(|&i| values[i]).collect();
    if task == Task::Auto && picked.iter().all(|v| v.fract() == 0.0) {
        return Ok(None);
    }
    if let Some(k) = picked.iter().position(|v| !v.is_finite()) {
        return Err(DataError::Missing {
            path: table.source().to_path_buf(),
            line: table.line(rows[k]),
            column: table.names()[j].clone(),
            token: table
                .column(j)
                .text(rows[k])
                .unwrap_or_default()
                .to_string(),
        });
    }
    Ok(Some(picked))
}

/// The class of each of `rows` in target column `j`, by the model's `classes`.
fn map_labels(table: &Table, j: usize, rows: &[usize], classes: &ClassMap) -> Result<Vec<usize>> {
    let column = table.column(j);
    let mut labels = Vec::with_capacity(rows.len());
    for &i in rows {
        let text = column.text(i).unwrap_or_default();
        let class = match (classes.scheme(), column) {
            (LabelScheme::Named, _) => classes.class_named(&text),
            (_, Column::Numeric(v)) if v[i].fract() == 0.0 && v[i].abs() < 1e15 => {
                classes.class_of_label(v[i] as i64)
            }
            _ => None,
        };
        labels.push(class.ok_or_else(|| DataError::Column {
            path: table.source().to_path_buf(),
            column: table.names()[j].clone(),
            problem: format!(
                "line {}: '{text}' is not one of the model's classes ({})",
                table.line(i),
                classes.names().join(", ")
            ),
        })?);
    }
    Ok(labels)
}
