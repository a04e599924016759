//! One module per subcommand.

mod cv;
mod eval;
mod export;
mod gradcheck;
mod inspect;
mod predict;
mod resume;
mod sweep;
mod train;

use crate::args::{Command, DataArgs};
use anyhow::{Context, Result, bail};
use nn_data::{
    Dataset, Expect, FileKind, InputKind, LabelScheme, LoadOptions, PipelineOptions, Schema,
    Selected, SplitSpec, Table, Task,
};
use nn_train::Checkpoint;
use std::path::{Path, PathBuf};

/// Runs `command`; `matches` are the parsed arguments it came from.
pub fn run(command: Command, matches: &clap::ArgMatches) -> Result<()> {
    match command {
        Command::Train(a) => {
            let sub = matches.subcommand_matches("train");
            let given = |id: &str| {
                sub.and_then(|m| m.value_source(id)) == Some(clap::parser::ValueSource::CommandLine)
            };
            train::run(*a, &given)
        }
        Command::Cv(a) => {
            let sub = matches.subcommand_matches("cv");
            let given = |id: &str| {
                sub.and_then(|m| m.value_source(id)) == Some(clap::parser::ValueSource::CommandLine)
            };
            cv::run(*a, &given)
        }
        Command::Eval(a) => eval::run(a),
        Command::Predict(a) => predict::run(a),
        Command::Gradcheck(a) => gradcheck::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Export(a) => export::export(a),
        Command::Import(a) => export::import(a),
        Command::Sweep(a) => sweep::run(*a),
    }
}

/// The dataset file the user named if it exists, else a file of that name in $NN_DATA_DIR, ./data or
/// ../shared/data. Only `--data` is looked up this way: model and weight files mean exactly the path given.
pub fn locate(path: &Path) -> Result<PathBuf> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    nn_data::find_from(Path::new("."), &name, data_dir().as_deref()).map_err(|e| match e {
        nn_data::DataError::NotFound { name, mut searched } => {
            searched.insert(0, path.to_path_buf());
            nn_data::DataError::NotFound { name, searched }.into()
        }
        other => other.into(),
    })
}

/// `$NN_DATA_DIR`, the first place datasets are looked for.
pub fn data_dir() -> Option<PathBuf> {
    std::env::var_os("NN_DATA_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// Loads the dataset of `args`, with `default` as the label scheme if none is given.
pub fn load(args: &DataArgs, default: LabelScheme) -> Result<Dataset> {
    let path = locate(&args.data)?;
    let opts = LoadOptions {
        x_var: args.x_var.clone(),
        y_var: args.y_var.clone(),
        labels: args.labels.unwrap_or(default),
        idx_labels: None,
    };
    // Every loader error names the file (and line or variable) itself.
    Ok(nn_data::load(&path, &opts)?)
}

/// The dataset of `args` for a new run. A text file goes through a pipeline (columns, categories, imputation)
/// fitted on the training part of `split`, which the model then stores; other kinds load as [`load`] does.
pub fn load_for_training(args: &DataArgs, split: &SplitSpec, quiet: bool) -> Result<Dataset> {
    let path = locate(&args.data)?;
    if FileKind::of(&path) != FileKind::Text {
        refuse_table_flags(args, &path)?;
        return load(args, LabelScheme::Auto);
    }
    let table = Table::read(&path, &args.table.read_options())?;
    let selected = Selected::new(&table, &pipeline_options(args))?;
    if selected.dropped() > 0 && !quiet {
        eprintln!(
            "note: left out {} of {} rows with a missing value (--missing drop)",
            selected.dropped(),
            table.rows()
        );
    }
    if selected.is_regression() && args.table.task == Task::Auto && !quiet {
        eprintln!(
            "note: regression: target '{}' holds numbers that are not all integers (--task classification to classify them)",
            selected.target_name()
        );
    }
    let parts = nn_data::split(selected.labels(), split)?;
    let (schema, data) = selected.fit(&parts.train)?;
    if !quiet {
        eprintln!("{}", describe_reading(&table, &schema));
    }
    Ok(data)
}

/// The pipeline the column flags of `args` ask for.
pub fn pipeline_options(args: &DataArgs) -> PipelineOptions {
    let t = &args.table;
    PipelineOptions {
        target: t.target.clone(),
        features: t.features.clone(),
        drop: t.drop.clone(),
        missing: t.missing,
        unknown: t.unknown.unwrap_or_default(),
        labels: args.labels.unwrap_or(LabelScheme::Auto),
        // A label scheme is about classes: with --labels, auto means classification.
        task: match (t.task, args.labels) {
            (Task::Auto, Some(_)) => Task::Classification,
            (task, _) => task,
        },
    }
}

/// One line on how a table was read: delimiter, header, target, and the text columns' categories.
fn describe_reading(table: &Table, schema: &Schema) -> String {
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
        table.delimiter(),
        if table.has_header() {
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

/// Column flags mean nothing for .mat and IDX files: say so rather than ignore them.
fn refuse_table_flags(args: &DataArgs, path: &Path) -> Result<()> {
    let t = &args.table;
    if t.target.is_some()
        || t.features.is_some()
        || !t.drop.is_empty()
        || t.missing != nn_data::MissingPolicy::Error
        || t.task == Task::Regression
    {
        bail!(
            "{}: --target, --features, --drop, --missing and --task regression apply to delimited text files, not to .mat or IDX files",
            path.display()
        );
    }
    Ok(())
}

/// The dataset of `args` as the model `ckpt` reads it: through its input schema if it was trained on a text
/// file (columns matched by name, its categories and imputation), else as [`load`] does with its label scheme.
pub fn load_for_model(args: &DataArgs, ckpt: &Checkpoint, quiet: bool) -> Result<Dataset> {
    let Some(schema) = &ckpt.schema else {
        return load(args, ckpt.classes.scheme());
    };
    let path = locate(&args.data)?;
    let table = read_through(schema, &path, args.table.delimiter)?;
    let regression = ckpt.network.architecture().output.is_regression();
    let expect = if regression {
        Expect::Values
    } else {
        Expect::Classes(&ckpt.classes)
    };
    let applied = schema.apply(&table, expect, args.table.unknown)?;
    for note in applied.notes.iter().filter(|_| !quiet) {
        eprintln!("note: {note}");
    }
    let missing_target = || {
        format!(
            "{}: no target column '{}' to score the model against",
            path.display(),
            schema.target
        )
    };
    let data = if regression {
        let values = applied.values.with_context(missing_target)?;
        Dataset::regression(applied.x, values, &schema.target, &path)?
    } else {
        let labels = applied.labels.with_context(missing_target)?;
        Dataset::new(applied.x, labels, ckpt.classes.clone(), &path)?
    };
    Ok(data.with_schema(schema.clone()))
}

/// Reads a text file with the model's header rule (and the delimiter detected, unless given).
pub fn read_through(
    schema: &Schema,
    path: &Path,
    delimiter: Option<nn_data::Delimiter>,
) -> Result<Table> {
    if FileKind::of(path) != FileKind::Text {
        bail!(
            "{}: the model was trained on a delimited text file and reads only text files",
            path.display()
        );
    }
    let mut opts = schema.read_options();
    opts.delimiter = delimiter.or(opts.delimiter);
    Ok(Table::read(path, &opts)?)
}

/// Writes to stdout, passing a broken pipe up as an error (which `main` ends quietly).
pub fn out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}
