//! [`Selected`]: a table's target and feature columns chosen and its labels read, then fitted on the
//! training rows.

use super::columns::{read_labels, read_values, refuse_missing};
use super::options::{MAX_CATEGORIES, MissingPolicy, PipelineOptions, Task, UnknownCategory};
use super::schema::{InputColumn, InputKind, Schema};
use crate::classes::ClassMap;
use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::table::{Column, Table};
use std::borrow::Cow;

/// The target and feature columns of a table chosen, and its labels read: enough to split, not yet fitted.
///
/// Made from a borrowed table ([`new`](Self::new)) or an owned one ([`from_table`](Self::from_table)); an
/// owned table's columns are released as [`fit`](Self::fit) encodes them, so that the feature matrix grows
/// as the table shrinks.
#[derive(Debug)]
pub struct Selected<'t> {
    table: Cow<'t, Table>,
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
        Self::choose(Cow::Borrowed(table), opts)
    }

    /// [`new`](Self::new) of a table given away: [`fit`](Self::fit) then frees each column once it is
    /// encoded.
    pub fn from_table(table: Table, opts: &PipelineOptions) -> Result<Selected<'static>> {
        Selected::choose(Cow::Owned(table), opts)
    }

    fn choose(held: Cow<'t, Table>, opts: &PipelineOptions) -> Result<Selected<'t>> {
        let table = held.as_ref();
        if table.cols() < 2 {
            return Err(DataError::TooFewColumns {
                path: table.source().to_path_buf(),
                line: table.line(0),
                found: table.cols(),
            });
        }
        let target = match &opts.target {
            Some(t) => table.find(t)?,
            None => table.cols() - 1,
        };
        let inputs = choose_inputs(table, opts, target)?;
        check_columns(table, &inputs, target)?;
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
            None => classes(table, target, &rows, opts)?,
        };
        Ok(Selected {
            table: held,
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
        let mut held = self.table;
        let table = held.as_ref();
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
        let source = table.source().to_path_buf();
        let x = schema.encode(&mut held, &self.inputs, &self.rows, UnknownCategory::Ignore)?;
        let data = match self.values {
            Some(values) => Dataset::regression(x, values, &schema.target, &source)?,
            None => Dataset::new(x, self.labels, self.classes, &source)?,
        };
        Ok((schema.clone(), data.with_schema(schema)))
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
        // The mean is summed only when it is used: in the training rows' shuffled order, over a large file
        // that is a cache miss a row.
        Column::Numeric(values) if missing == MissingPolicy::Mean => {
            let (sum, count) = train
                .map(|i| values[i])
                .filter(|v| !v.is_nan())
                .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
            let fill = (count > 0).then(|| sum / count as f64);
            InputKind::Numeric { fill }
        }
        Column::Numeric(_) => InputKind::Numeric { fill: None },
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

fn column_error(table: &Table, column: &str, problem: &str) -> DataError {
    DataError::Column {
        path: table.source().to_path_buf(),
        column: column.to_string(),
        problem: problem.to_string(),
    }
}

/// The feature columns: those `opts.features` names (else all but the target), less those it drops.
fn choose_inputs(table: &Table, opts: &PipelineOptions, target: usize) -> Result<Vec<usize>> {
    // The column `name` names, which must not be the target (`as_what` says what it was named as).
    let not_target = |name: &str, as_what: &str| match table.find(name)? {
        j if j == target => Err(column_error(
            table,
            name,
            &format!("is the target; {as_what}"),
        )),
        j => Ok(j),
    };
    let mut inputs = match &opts.features {
        Some(list) => {
            let mut inputs = Vec::new();
            for name in list {
                let j = not_target(name, "it cannot also be a feature")?;
                if !inputs.contains(&j) {
                    inputs.push(j);
                }
            }
            inputs
        }
        None => (0..table.cols()).filter(|&j| j != target).collect(),
    };
    for name in &opts.drop {
        let j = not_target(name, "it cannot be dropped")?;
        inputs.retain(|&i| i != j);
    }
    if inputs.is_empty() {
        return Err(column_error(
            table,
            &table.names()[target],
            "is the target and no feature column is left",
        ));
    }
    Ok(inputs)
}

/// Every chosen column has a value, and a text feature at most [`MAX_CATEGORIES`] categories.
fn check_columns(table: &Table, inputs: &[usize], target: usize) -> Result<()> {
    for &j in inputs.iter().chain([&target]) {
        let column = table.column(j);
        if (0..table.rows()).all(|i| column.is_missing(i)) {
            return Err(column_error(
                table,
                &table.names()[j],
                "has no values (every cell is missing)",
            ));
        }
        if let Column::Text { levels, .. } = column
            && j != target
            && levels.len() > MAX_CATEGORIES
        {
            return Err(DataError::TooManyCategories {
                path: table.source().to_path_buf(),
                column: table.names()[j].clone(),
                count: levels.len(),
                limit: MAX_CATEGORIES,
            });
        }
    }
    Ok(())
}

/// The classes of the target's `rows` and each row's label. Whole numbers that make no sensible classes (a
/// price, a count) are likely a quantity: with [`Task::Auto`] the error says how to predict them as one.
fn classes(
    table: &Table,
    target: usize,
    rows: &[usize],
    opts: &PipelineOptions,
) -> Result<(ClassMap, Vec<usize>)> {
    read_labels(table, target, rows, opts.labels).map_err(|e| match e {
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
    })
}
