//! Reading data as a trained model reads it: through the input schema of a model trained on a text file
//! (columns matched by header name, its categories and fill values), else with its label scheme.

use super::{Data, Features, Loaded, Source, loaded, no_target};
use crate::error::{Error, Result};
use nn_data::{Dataset, Expect, FileKind, Schema, Table};
use nn_train::ModelFile;
use std::path::Path;

impl Data {
    /// The dataset with its target, as the model of `model_file` reads it: through its input schema if it was
    /// trained on a text file (columns matched by name, its categories and fill values), else with its label
    /// scheme.
    pub fn labelled_for(&self, model_file: &ModelFile) -> Result<Loaded> {
        let path = match &self.source {
            Source::Memory(d) => return Ok(loaded(d.as_ref().clone())),
            Source::Rows(_) => return Err(no_target()),
            Source::File(path) => path,
        };
        let Some(schema) = &model_file.schema else {
            return Ok(loaded(self.load_plain(path, model_file.classes.scheme())?));
        };
        let table = self.read_through(schema, path)?;
        let regression = model_file.network.architecture().output.is_regression();
        let expect = if regression {
            Expect::Values
        } else {
            Expect::Classes(&model_file.classes)
        };
        let applied = schema.apply(table, expect, self.unknown)?;
        let missing_target = || {
            Error::input(format!(
                "{}: no target column '{}' to score the model against",
                path.display(),
                schema.target
            ))
        };
        let dataset = if regression {
            let values = applied.values.ok_or_else(missing_target)?;
            Dataset::regression(applied.x, values, &schema.target, path)?
        } else {
            let labels = applied.labels.ok_or_else(missing_target)?;
            Dataset::new(applied.x, labels, model_file.classes.clone(), path)?
        };
        Ok(Loaded {
            dataset: dataset.with_schema(schema.clone()),
            notes: applied.notes,
        })
    }

    /// The features of every row, as the model of `model_file` reads them; a target column, if there, is ignored.
    pub fn features_for(&self, model_file: &ModelFile) -> Result<Features> {
        let plain = |x| Features {
            x,
            rows: None,
            notes: Vec::new(),
        };
        let path = match &self.source {
            Source::Memory(d) => return Ok(plain(d.x().clone())),
            Source::Rows(x) => return Ok(plain(x.clone())),
            Source::File(path) => path,
        };
        if let Some(schema) = &model_file.schema {
            let table = self.read_through(schema, path)?;
            let applied = schema.apply(table, Expect::Features, self.unknown)?;
            return Ok(Features {
                x: applied.x,
                rows: Some(applied.rows.iter().map(|r| r + 1).collect()),
                notes: applied.notes,
            });
        }
        if FileKind::of(path) == FileKind::Mat {
            let file = nn_data::MatFile::open_limited(path, self.read.limits.mat_variable)?;
            return Ok(plain(file.matrix(&self.x_var)?));
        }
        let n = model_file.network.architecture().n_input;
        let table = nn_data::load_table(path)?;
        // The features alone, or the features and a label column, which is ignored.
        match table.cols() {
            c if c == n => Ok(plain(table)),
            c if c == n + 1 => Ok(plain(table.select_columns(n))),
            c => Err(Error::input(format!(
                "{}: rows have {c} columns; the model takes {n} features (optionally followed by a label)",
                path.display()
            ))),
        }
    }

    /// Reads a text file with the model's header rule (and the delimiter detected, unless given).
    fn read_through(&self, schema: &Schema, path: &Path) -> Result<Table> {
        if FileKind::of(path) != FileKind::Text {
            return Err(Error::input(format!(
                "{}: the model was trained on a delimited text file and reads only text files",
                path.display()
            )));
        }
        let mut opts = schema.read_options();
        opts.delimiter = self.read.delimiter.or(opts.delimiter);
        opts.limits = self.read.limits;
        opts.decimal = self.read.decimal;
        Ok(Table::read(path, &opts)?)
    }
}
