//! What the subcommands share: finding data files, reading them for training or for a model, notes and
//! output.

use crate::args::DataArgs;
use anyhow::Result;
use nn_data::Dataset;
use nn_train::ModelFile;
use std::path::{Path, PathBuf};

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

/// The data `args` name, with the options that say how to read it (the file looked up as [`locate`] does).
pub fn data_of(args: &DataArgs) -> Result<nn::Data> {
    Ok(nn::Data::file(locate(&args.data)?).settings(&args.settings))
}

/// Prints what reading a file noticed, one `note:` (or `warning:`) line each, unless `quiet`.
/// `spec` with its epochs capped at `$NN_EPOCHS_CAP` when that is set: the README's test sets it, to run every
/// command of the README as written in seconds (docs/architecture.md).
pub fn epochs_capped(mut spec: nn::Spec) -> nn::Spec {
    if let Some(cap) = std::env::var("NN_EPOCHS_CAP")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
    {
        spec.epochs = spec.epochs.min(cap.max(1));
    }
    spec
}

pub fn print_notes(notes: &[String], quiet: bool) {
    for note in notes.iter().filter(|_| !quiet) {
        if note.starts_with("warning: ") {
            eprintln!("{note}");
        } else {
            eprintln!("note: {note}");
        }
    }
}

/// The dataset of `args` as the model `model_file` reads it: through its input schema if it was trained on a text
/// file (columns matched by name, its categories and imputation), else with its label scheme.
pub fn load_for_model(args: &DataArgs, model_file: &ModelFile, quiet: bool) -> Result<Dataset> {
    let loaded = data_of(args)?.labelled_for(model_file)?;
    print_notes(&loaded.notes, quiet);
    Ok(loaded.dataset)
}

/// Writes to stdout, passing a broken pipe up as an error (which `main` ends quietly).
pub fn out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}
