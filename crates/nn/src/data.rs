//! [`Data`]: what a run trains on or a model reads: a file (delimited text, .mat, IDX) with the options that
//! say how to read it, or rows already in memory.

use crate::Spec;
use crate::error::{Error, Result};
use nn_data::{
    ClassMap, Dataset, Decimal, Delimiter, FileKind, InputKind, LabelScheme, Limits, LoadOptions,
    MissingPolicy, PipelineOptions, ReadOptions, Schema, Selected, Table, Task, UnknownCategory,
};
use nn_linalg::Matrix;
use std::path::{Path, PathBuf};

mod folds;
mod for_model;
pub(crate) mod settings;

pub(crate) use folds::FoldData;

/// A dataset to train on, to score a model on, or to predict for.
///
/// From a file, [`Data::file`]; the kind is told by the name and the first bytes. The column options
/// ([`target`](Data::target), [`drop`](Data::drop), [`missing`](Data::missing), …) apply to delimited text:
/// a run fits the input pipeline they describe (one-hot categories, fill values) on its training rows only,
/// and the model keeps it, so that a model reads any later file the same way, matching columns by header
/// name. From memory, [`Data::classes`], [`Data::values`] or, to predict, [`Data::rows`].
#[derive(Clone, Debug)]
pub struct Data {
    source: Source,
    columns: PipelineOptions,
    labels_given: bool,
    unknown: Option<UnknownCategory>,
    read: ReadOptions,
    x_var: String,
    y_var: String,
}

#[derive(Clone, Debug)]
enum Source {
    File(PathBuf),
    Memory(Box<Dataset>),
    Rows(Matrix<f64>),
}

/// Features of rows to predict for, as a model reads them.
#[derive(Clone, Debug)]
pub struct Features {
    /// One row per sample, in the model's input order (after one-hot encoding), raw (not standardised).
    pub x: Matrix<f64>,
    /// The 1-based data row of each sample, where rows were left out (a missing value with `drop`).
    pub rows: Option<Vec<usize>>,
    /// What the reading noticed (columns ignored or filled), one line each.
    pub notes: Vec<String>,
}

/// A dataset read, and what the reading noticed.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The rows, with the input pipeline's schema if the file was delimited text.
    pub dataset: Dataset,
    /// One line each: rows dropped, the task chosen, how the file was read.
    pub notes: Vec<String>,
}

impl Data {
    fn new(source: Source) -> Data {
        Data {
            source,
            columns: PipelineOptions::default(),
            labels_given: false,
            unknown: None,
            read: ReadOptions::default(),
            x_var: "X".into(),
            y_var: "y".into(),
        }
    }

    /// The file at `path`, exactly (no search elsewhere).
    pub fn file(path: impl Into<PathBuf>) -> Data {
        Data::new(Source::File(path.into()))
    }

    /// Rows in memory with their classes: `labels[i]` is row i's class, an index into `names`. A model
    /// keeps the classes sorted by name ([`Model::class_names`](crate::Model::class_names)); the labels are
    /// mapped to that order.
    pub fn classes(x: Matrix<f64>, labels: Vec<usize>, names: Vec<String>) -> Result<Data> {
        let classes = ClassMap::named(names.clone());
        if classes.len() != names.len() {
            return Err(Error::input("class names must be distinct"));
        }
        let sorted: Vec<usize> = (names.iter())
            .map(|n| classes.class_named(n).unwrap_or_default())
            .collect();
        let labels = labels
            .iter()
            .map(|&c| sorted.get(c).copied().unwrap_or(c))
            .collect();
        let d = Dataset::new(x, labels, classes, Path::new("<memory>"))?;
        Ok(Data::new(Source::Memory(Box::new(d))))
    }

    /// Rows in memory with a number to predict for each, the target named `name`.
    pub fn values(x: Matrix<f64>, values: Vec<f64>, name: &str) -> Result<Data> {
        let d = Dataset::regression(x, values, name, Path::new("<memory>"))?;
        Ok(Data::new(Source::Memory(Box::new(d))))
    }

    /// Rows in memory without a target, to predict for: raw features in the model's input order.
    pub fn rows(x: Matrix<f64>) -> Data {
        Data::new(Source::Rows(x))
    }

    /// A dataset already read.
    pub fn dataset(d: Dataset) -> Data {
        Data::new(Source::Memory(Box::new(d)))
    }

    /// The file, if the data is one.
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            Source::File(p) => Some(p),
            _ => None,
        }
    }

    /// The column to predict: a header name or a 1-based position (default: the last).
    #[must_use]
    pub fn target(mut self, column: &str) -> Data {
        self.columns.target = Some(column.to_string());
        self
    }

    /// Use only these feature columns (names or 1-based positions).
    #[must_use]
    pub fn features<S: ToString>(mut self, columns: impl IntoIterator<Item = S>) -> Data {
        self.columns.features = Some(columns.into_iter().map(|c| c.to_string()).collect());
        self
    }

    /// Leave out these columns (names or 1-based positions), e.g. an id or a year.
    #[must_use]
    pub fn drop<S: ToString>(mut self, columns: impl IntoIterator<Item = S>) -> Data {
        self.columns.drop = columns.into_iter().map(|c| c.to_string()).collect();
        self
    }

    /// What to do with missing cells (default: an error naming the line and column).
    #[must_use]
    pub fn missing(mut self, policy: MissingPolicy) -> Data {
        self.columns.missing = policy;
        self
    }

    /// What to do with a category that training never saw (default: an error when training; when a model
    /// reads the data, the rule it was trained with).
    #[must_use]
    pub fn unknown_category(mut self, rule: UnknownCategory) -> Data {
        self.unknown = Some(rule);
        self
    }

    /// Classification, regression, or (default) decided by the target's values.
    #[must_use]
    pub fn task(mut self, task: Task) -> Data {
        self.columns.task = task;
        self
    }

    /// How numeric labels map to classes (default: auto).
    #[must_use]
    pub fn labels(mut self, scheme: LabelScheme) -> Data {
        self.columns.labels = scheme;
        self.labels_given = true;
        self
    }

    /// The field delimiter of a text file (default: detected).
    #[must_use]
    pub fn delimiter(mut self, delimiter: Delimiter) -> Data {
        self.read.delimiter = Some(delimiter);
        self
    }

    /// Whether a text file's first row is a header (default: detected).
    #[must_use]
    pub fn header(mut self, header: bool) -> Data {
        self.read.header = Some(header);
        self
    }

    /// The decimal mark of a text file's numbers (default: detected; see [`nn_data::ReadOptions::decimal`]).
    #[must_use]
    pub fn decimal(mut self, mark: Decimal) -> Data {
        self.read.decimal = Some(mark);
        self
    }

    /// Bounds on reading a text file (defaults: [`Limits::default`]).
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Data {
        self.read.limits = limits;
        self
    }

    /// The features and labels variables of a .mat file (default `X` and `y`).
    #[must_use]
    pub fn variables(mut self, x: &str, y: &str) -> Data {
        (self.x_var, self.y_var) = (x.to_string(), y.to_string());
        self
    }

    /// The column options, with a label scheme meaning classification where the task is left to the data.
    fn pipeline(&self) -> PipelineOptions {
        let mut opts = self.columns.clone();
        opts.unknown = self.unknown.unwrap_or_default();
        if self.labels_given && opts.task == Task::Auto {
            opts.task = Task::Classification;
        }
        opts
    }

    fn is_text(&self) -> Option<&Path> {
        self.path().filter(|p| FileKind::of(p) == FileKind::Text)
    }

    /// Reads a .mat, IDX or text file without a pipeline, labels by `scheme`.
    fn load_plain(&self, path: &Path, scheme: LabelScheme) -> Result<Dataset> {
        let opts = LoadOptions {
            x_var: self.x_var.clone(),
            y_var: self.y_var.clone(),
            labels: if self.labels_given {
                self.columns.labels
            } else {
                scheme
            },
            idx_labels: None,
            mat_variable: self.read.limits.mat_variable,
        };
        Ok(nn_data::load(path, &opts)?)
    }

    /// The dataset for a new run of `spec`: a text file goes through the input pipeline, fitted on the
    /// training part of exactly the split that the run will draw (which depends on the task the file's
    /// target gives); other kinds load as they are.
    pub fn for_training(&self, spec: &Spec) -> Result<Loaded> {
        let path = match &self.source {
            Source::Memory(d) => return Ok(loaded(d.as_ref().clone())),
            Source::Rows(_) => return Err(no_target()),
            Source::File(path) => path,
        };
        if self.is_text().is_none() {
            self.refuse_column_options(path)?;
            return Ok(loaded(self.load_plain(path, LabelScheme::Auto)?));
        }
        let table = Table::read(path, &self.read)?;
        let (mut notes, rows) = (table.notes(), table.rows());
        // The table is given away, so that its columns are freed as the features are encoded.
        let selected = Selected::from_table(table, &self.pipeline())?;
        if selected.dropped() > 0 {
            notes.push(format!(
                "left out {} of {} rows with a missing value (missing: drop)",
                selected.dropped(),
                rows
            ));
        }
        if selected.is_regression() && self.columns.task == Task::Auto {
            notes.push(format!(
                "regression: target '{}' holds numbers that are not all integers (--task classification classifies them)",
                selected.target_name()
            ));
        }
        let split = spec.split_spec(selected.is_regression());
        let parts = nn_data::split(selected.labels(), &split)?;
        let (schema, dataset) = selected.fit(&parts.train)?;
        notes.push(describe_reading(&schema));
        notes.extend(mostly_distinct(&schema, parts.train.len()));
        Ok(Loaded { dataset, notes })
    }

    /// Checks, without training, that a text file has the columns the options name (target, features,
    /// columns to drop) and that its target can be read as asked; other data passes.
    pub fn check_columns(&self) -> Result<()> {
        if let Some(path) = self.is_text() {
            let table = Table::read(path, &self.read)?;
            Selected::new(&table, &self.pipeline())?;
        }
        Ok(())
    }

    /// Where cross-validation draws its folds from: every row's class (0 for a regression target), and how
    /// a fold's data is made from its training rows.
    pub(crate) fn for_folds(&self) -> Result<FoldData> {
        let Some(path) = self.is_text() else {
            let dataset = match &self.source {
                Source::Memory(d) => d.as_ref().clone(),
                Source::Rows(_) => return Err(no_target()),
                Source::File(path) => {
                    self.refuse_column_options(path)?;
                    self.load_plain(path, LabelScheme::Auto)?
                }
            };
            return Ok(FoldData::Fixed(Box::new(dataset)));
        };
        let table = Table::read(path, &self.read)?;
        let opts = self.pipeline();
        Selected::new(&table, &opts)?;
        Ok(FoldData::Table {
            table: Box::new(table),
            opts,
        })
    }

    /// Column options mean nothing for .mat and IDX files: say so rather than ignore them.
    fn refuse_column_options(&self, path: &Path) -> Result<()> {
        let c = &self.columns;
        if c.target.is_some()
            || c.features.is_some()
            || !c.drop.is_empty()
            || c.missing != MissingPolicy::Error
            || c.task == Task::Regression
        {
            return Err(Error::input(format!(
                "{}: --target, --features, --drop, --missing and --task regression apply to delimited text files, not to .mat or IDX files",
                path.display()
            )));
        }
        Ok(())
    }
}

/// A warning for each text input whose categories outnumber half the training rows: an id, free text, or
/// numbers the reader did not take as numbers (decimal commas).
fn mostly_distinct(schema: &Schema, rows: usize) -> Vec<String> {
    (schema.inputs.iter())
        .filter_map(|c| match &c.kind {
            InputKind::Categorical { categories, .. } if 2 * categories.len() > rows => Some(format!(
                "warning: column '{}' is text with {} distinct values in {rows} training rows: an id or free text? \
                 --drop it, or --decimal , if it holds numbers with decimal commas",
                c.name,
                categories.len()
            )),
            _ => None,
        })
        .collect()
}

fn loaded(dataset: Dataset) -> Loaded {
    Loaded {
        dataset,
        notes: Vec::new(),
    }
}

fn no_target() -> Error {
    Error::input("rows without a target cannot be trained or scored on; give classes or values")
}

/// One line on how a table was read: delimiter, header, target, and the text columns' categories.
fn describe_reading(schema: &Schema) -> String {
    let categorical: Vec<String> = schema
        .inputs
        .iter()
        .filter_map(|c| match &c.kind {
            InputKind::Categorical { categories, .. } => {
                Some(format!("{} ({} categories)", c.name, categories.len()))
            }
            InputKind::Numeric { .. } => None,
        })
        .collect();
    format!(
        "read: {} delimited, {}; target '{}'; {} input columns{}",
        schema.delimiter,
        if schema.header {
            "with a header"
        } else {
            "no header"
        },
        schema.target,
        schema.inputs.len(),
        if categorical.is_empty() {
            String::new()
        } else {
            format!("; one-hot: {}", categorical.join(", "))
        }
    )
}
