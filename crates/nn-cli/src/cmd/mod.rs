//! One module per subcommand.

mod eval;
mod export;
mod gradcheck;
mod inspect;
mod predict;
mod resume;
mod train;

use crate::args::{Command, DataArgs};
use anyhow::Result;
use nn_data::{Dataset, LabelScheme, LoadOptions};
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
        Command::Eval(a) => eval::run(a),
        Command::Predict(a) => predict::run(a),
        Command::Gradcheck(a) => gradcheck::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Export(a) => export::export(a),
        Command::Import(a) => export::import(a),
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

/// Writes to stdout, passing a broken pipe up as an error (which `main` ends quietly).
pub fn out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}
