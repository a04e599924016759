//! [`Dataset`]: features and class labels (or regression targets) that have passed validation.

use crate::classes::ClassMap;
use crate::error::{DataError, Result};
use crate::pipeline::schema::Schema;
use crate::split::Split;
use nn_linalg::Matrix;
use std::path::{Path, PathBuf};

/// Samples as rows of `x`, with one class index per row, or one real target value per row for regression. A
/// `Dataset` from a loader is finite, rectangular, labelled within its [`ClassMap`] with at least two classes,
/// or (regression) has finite targets that are not all equal.
#[derive(Clone, Debug, PartialEq)]
///
/// The fields are private so that no edit can break what [`Dataset::new`] checked; the ways to change a
/// dataset (subsets, shuffles, [`standardize`](Dataset::standardize)) keep it valid.
pub struct Dataset {
    x: Matrix<f64>,
    labels: Vec<usize>,
    values: Option<Vec<f64>>,
    classes: ClassMap,
    source: PathBuf,
    schema: Option<Box<Schema>>,
}

impl Dataset {
    /// `m × n` features, a sample a row.
    pub fn x(&self) -> &Matrix<f64> {
        &self.x
    }

    /// `m` class indices, each `< classes().len()`. A regression dataset has one "class", the target: every
    /// label is 0 (so a stratified split of it is a plain one).
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The `m` target values of a regression dataset (`None` for classification).
    pub fn values(&self) -> Option<&[f64]> {
        self.values.as_deref()
    }

    /// Whether the targets are real values (regression) rather than classes.
    pub fn is_regression(&self) -> bool {
        self.values.is_some()
    }

    /// How class indices relate to the file's labels. For regression, the one name is the target column's.
    pub fn classes(&self) -> &ClassMap {
        &self.classes
    }

    /// Where it came from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// How its features were read from a delimited text file, if they were (a model trained on it stores
    /// this, to read new files the same way).
    pub fn schema(&self) -> Option<&Schema> {
        self.schema.as_deref()
    }

    /// The dataset, with `schema` recorded as how its features were read.
    ///
    /// # Panics
    /// If the schema makes another number of features than the dataset has.
    pub fn with_schema(mut self, schema: Schema) -> Self {
        assert_eq!(schema.width(), self.features(), "schema width");
        self.schema = Some(Box::new(schema));
        self
    }

    /// The features and labels, without the class map and source.
    pub fn into_xy(self) -> (Matrix<f64>, Vec<usize>) {
        (self.x, self.labels)
    }

    /// The features and the regression targets (`None` for classification).
    pub fn into_x_values(self) -> (Matrix<f64>, Option<Vec<f64>>) {
        (self.x, self.values)
    }

    /// Applies `standardizer` to the features in place.
    ///
    /// # Panics
    /// If the standardiser was fitted on another number of columns.
    pub fn standardize(&mut self, standardizer: &crate::Standardizer) {
        standardizer.transform(&mut self.x);
    }

    /// Validates and wraps loaded data: samples present, shapes agree, values finite, labels in range, and
    /// at least two classes.
    pub fn new(
        x: Matrix<f64>,
        labels: Vec<usize>,
        classes: ClassMap,
        source: &Path,
    ) -> Result<Self> {
        check_samples(&x, labels.len(), "labels", source)?;
        if let Some(row) = labels.iter().position(|&c| c >= classes.len()) {
            return Err(DataError::Label {
                path: source.to_path_buf(),
                row: row + 1,
                value: labels[row] as f64,
                reason: format!("is not one of the {} classes", classes.len()),
            });
        }
        if let Some(&first) = labels.first()
            && labels.iter().all(|&c| c == first)
        {
            return Err(DataError::OneClass {
                path: source.to_path_buf(),
                label: match classes.scheme() {
                    crate::LabelScheme::Named => classes.name(first).to_string(),
                    _ => classes
                        .labels()
                        .get(first)
                        .map_or_else(|| first.to_string(), ToString::to_string),
                },
            });
        }
        Ok(Dataset {
            x,
            labels,
            values: None,
            classes,
            source: source.to_path_buf(),
            schema: None,
        })
    }

    /// Validates and wraps a regression dataset: samples present, one finite target per sample, not all
    /// equal. `target` names the target (a column name).
    pub fn regression(
        x: Matrix<f64>,
        values: Vec<f64>,
        target: &str,
        source: &Path,
    ) -> Result<Self> {
        check_samples(&x, values.len(), target, source)?;
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(DataError::NonFiniteValue {
                path: source.to_path_buf(),
                name: target.into(),
                row: i + 1,
                column: 1,
            });
        }
        if values.iter().all(|&v| v == values[0]) {
            return Err(DataError::ConstantTarget {
                path: source.to_path_buf(),
                column: target.into(),
                value: values[0],
            });
        }
        Ok(Dataset {
            labels: vec![0; x.rows()],
            x,
            values: Some(values),
            classes: ClassMap::named(vec![target.to_string()]),
            source: source.to_path_buf(),
            schema: None,
        })
    }

    /// Samples.
    pub fn len(&self) -> usize {
        self.x.rows()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.x.rows() == 0
    }

    /// Features per sample.
    pub fn features(&self) -> usize {
        self.x.cols()
    }

    /// Samples per class, indexed by class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes.len()];
        for &c in &self.labels {
            counts[c] += 1;
        }
        counts
    }

    /// The samples at `indices`, in that order (a split's part; it may hold a single class).
    pub fn select(&self, indices: &[usize]) -> Dataset {
        Dataset {
            x: self.x.select_rows(indices),
            labels: gather(&self.labels, indices),
            values: self.values.as_deref().map(|v| gather(v, indices)),
            classes: self.classes.clone(),
            source: self.source.clone(),
            schema: self.schema.clone(),
        }
    }

    /// The training, validation and test parts of `split`, as [`select`](Self::select) makes them, but
    /// without a copy of the whole: the training part keeps this dataset's matrix, its rows reordered in
    /// place ([`Matrix::into_row_parts`]). On a large file this is the difference between holding the
    /// features once and holding them twice. A part may be empty.
    pub fn into_parts(self, split: &Split) -> [Dataset; 3] {
        let rows = [&split.train[..], &split.validation[..], &split.test[..]];
        let labels = rows.map(|idx| gather(&self.labels, idx));
        let values = rows.map(|idx| self.values.as_deref().map(|v| gather(v, idx)));
        let Dataset {
            x,
            classes,
            source,
            schema,
            ..
        } = self;
        let mut xs = x.into_row_parts(&rows).into_iter();
        let mut labels = labels.into_iter();
        let mut values = values.into_iter();
        std::array::from_fn(|_| Dataset {
            x: xs.next().expect("one matrix per part"),
            labels: labels.next().expect("one label list per part"),
            values: values.next().expect("one value list per part"),
            classes: classes.clone(),
            source: source.clone(),
            schema: schema.clone(),
        })
    }
}

/// `v[i]` for each `i` of `indices`, in that order.
fn gather<T: Copy>(v: &[T], indices: &[usize]) -> Vec<T> {
    indices.iter().map(|&i| v[i]).collect()
}

/// Samples present and every feature finite.
/// The features are there and finite, and `targets` (the length of the targets called `name`) is one per
/// sample.
fn check_samples(x: &Matrix<f64>, targets: usize, name: &str, source: &Path) -> Result<()> {
    check_features(x, source)?;
    if targets != x.rows() {
        return Err(DataError::VariableShape {
            path: source.to_path_buf(),
            name: name.into(),
            found: format!("{targets} values"),
            expected: format!("one per sample ({})", x.rows()),
        });
    }
    Ok(())
}

/// The first value of `column` that is not finite. Blocks are checked whole, without a way out at each value,
/// which the compiler makes vector code of; the value is looked for only in a block that has one.
fn first_non_finite(column: &[f64]) -> Option<usize> {
    const BLOCK: usize = 256;
    let block =
        (column.chunks(BLOCK)).position(|b| !b.iter().fold(true, |ok, v| ok & v.is_finite()))?;
    let start = block * BLOCK;
    column[start..]
        .iter()
        .position(|v| !v.is_finite())
        .map(|i| start + i)
}

fn check_features(x: &Matrix<f64>, source: &Path) -> Result<()> {
    if x.rows() == 0 {
        return Err(DataError::Empty {
            path: source.to_path_buf(),
        });
    }
    // The first non-finite value of the columns `from..to`: (column, row).
    let first = |from: usize, to: usize| {
        (from..to).find_map(|j| first_non_finite(x.col(j)).map(|i| (j, i)))
    };
    // A large matrix (one freshly read from a file) is checked half on another core; the first column with a
    // bad value is reported either way.
    let cols = x.cols();
    let found = if crate::threads::threads_for(x.rows().saturating_mul(cols)) > 1 && cols > 1 {
        let half = cols / 2;
        std::thread::scope(|scope| {
            let later = scope.spawn(|| first(half, cols));
            first(0, half).or_else(|| match later.join() {
                Ok(found) => found,
                Err(panic) => std::panic::resume_unwind(panic),
            })
        })
    } else {
        first(0, cols)
    };
    match found {
        Some((j, i)) => Err(DataError::NonFiniteValue {
            path: source.to_path_buf(),
            name: "features".into(),
            row: i + 1,
            column: j + 1,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{DataError, check_features};
    use nn_linalg::Matrix;
    use std::path::Path;

    #[test]
    fn a_large_matrix_names_its_first_bad_column_as_a_small_one_does() {
        let place = |x: &Matrix<f64>| match check_features(x, Path::new("x.csv")) {
            Err(DataError::NonFiniteValue { row, column, .. }) => Some((row, column)),
            Err(e) => panic!("{e}"),
            Ok(()) => None,
        };
        for rows in [10, 70_000] {
            let mut x = Matrix::<f64>::zeros(rows, 16);
            assert_eq!(place(&x), None);
            x.set(5, 12, f64::INFINITY);
            assert_eq!(place(&x), Some((6, 13)));
            x.set(9, 3, f64::NAN);
            assert_eq!(place(&x), Some((10, 4)));
        }
    }

    #[test]
    fn the_first_value_that_is_not_finite_is_found_in_any_block() {
        for n in [1, 255, 256, 257, 1000] {
            let mut column = vec![1.0; n];
            assert_eq!(super::first_non_finite(&column), None);
            for at in [0, n / 2, n - 1] {
                column[at] = f64::NAN;
                if at + 1 < n {
                    column[n - 1] = f64::INFINITY;
                }
                assert_eq!(super::first_non_finite(&column), Some(at), "{n} {at}");
                column.fill(1.0);
            }
        }
    }
}
