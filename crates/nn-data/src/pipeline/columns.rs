//! Reading a table's columns for the pipeline: its labels or values, and refusing missing cells.

use super::options::Task;
use crate::classes::{ClassMap, LabelScheme, MAX_CLASSES};
use crate::error::{DataError, Result};
use crate::table::{Column, Table};
use std::borrow::Cow;

/// An error naming the earliest missing cell among `columns` (its line, column and text), if there is one.
pub(super) fn refuse_missing<'a>(
    table: &'a Table,
    columns: impl Iterator<Item = &'a usize>,
) -> Result<()> {
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

/// Classes and labels of the target column over `rows`: named classes for text, `scheme` for numbers.
pub(super) fn read_labels(
    table: &Table,
    target: usize,
    rows: &[usize],
    scheme: LabelScheme,
) -> Result<(ClassMap, Vec<usize>)> {
    match table.column(target) {
        Column::Numeric(values) => {
            let raw = picked(values, rows);
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

/// `values` at `rows`: the column itself when `rows` keeps every row (a large file's labels are then not
/// copied first).
fn picked<'v>(values: &'v [f64], rows: &[usize]) -> Cow<'v, [f64]> {
    if rows.len() == values.len() {
        // `rows` only ever leaves rows out, in order: all of them are `0..n`.
        Cow::Borrowed(values)
    } else {
        Cow::Owned(rows.iter().map(|&i| values[i]).collect())
    }
}

/// The values of `rows` in target column `j` if `task` makes it a regression target: asked for (the column
/// must be numeric), or [`Task::Auto`] and some value is not an integer.
pub(super) fn read_values(
    table: &Table,
    j: usize,
    rows: &[usize],
    task: Task,
) -> Result<Option<Vec<f64>>> {
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
    if task == Task::Auto && rows.iter().all(|&i| values[i].fract() == 0.0) {
        return Ok(None);
    }
    let picked = picked(values, rows).into_owned();
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
pub(super) fn map_labels(
    table: &Table,
    j: usize,
    rows: &[usize],
    classes: &ClassMap,
) -> Result<Vec<usize>> {
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
