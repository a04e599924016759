//! `nn train`: the run's [`nn::Spec`] from the arguments, then the library's training with progress
//! rendered, and the model, metrics and plots written.

use super::common::{data_of, out, print_notes};
use super::resume;
use crate::args::TrainArgs;
use anyhow::{Context, Result, bail};
use nn_cli::report::ClassCounts;
use nn_data::{Dataset, Selected};
use nn_train::job::{JobOutcome, JobSpec, Resume, Saving};
use nn_train::tensorboard::TensorBoard;
use nn_train::{ResumeProblem, TrainError, TrainEvent};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

pub fn run(a: TrainArgs, given: &dyn Fn(&str) -> bool) -> Result<()> {
    check_out(&a)?;
    if !(a.save_every.is_finite() && a.save_every >= 0.0) {
        bail!(
            "--save-every {}: give a number of seconds ≥ 0",
            a.save_every
        );
    }
    // One writer per model file, for the whole run: a second `nn train --out F` is refused at once.
    let _lock = nn_train::OutputLock::acquire(&a.out)?;
    // The file to resume is read whole before anything is written, so --resume F --out F is safe.
    let resume = a.resume.as_deref().map(Resume::load).transpose()?;
    if let Some(r) = &resume {
        check_columns(&a, r, given)?;
    }
    let asked = super::common::epochs_capped(a.spec.clone());
    let loaded = nn::training_data(&asked, &data_of(&a.data)?, resume.as_ref())?;
    print_notes(&loaded.notes, a.quiet);
    let dataset = loaded.dataset;
    let mut spec = asked.job(nn::shape(&dataset))?;
    if let Some(r) = &resume {
        let saved = r.spec(&spec.config)?;
        resume::check_flags(&saved, &a, given).map_err(|problem| TrainError::Resume {
            path: r.path.clone(),
            problem,
        })?;
        spec = saved;
    }
    if !a.quiet {
        describe_run(&a, &dataset, &spec, resume.is_none());
    }
    // The figures read the rows as the file gave them; training takes the dataset (its training part keeps
    // the matrix), so they get a copy, made only when asked for.
    let for_figures = a.plots.is_some().then(|| dataset.clone());
    let (outcome, counts) = train(&a, dataset, &spec, resume)?;
    print_notes(&outcome.notes, a.quiet);
    if let Some(path) = &a.metrics {
        write_metrics(path, &outcome, &counts)?;
    }
    if let (Some(dir), Some(dataset)) = (&a.plots, &for_figures) {
        let title = outcome.model_file.network.architecture().describe();
        nn_plot::training_figures(dir, "", &title, &outcome, dataset)
            .with_context(|| format!("writing plots to {}", dir.display()))?;
    }
    if !a.quiet {
        out(&nn_cli::report::summary(
            &outcome.model_file,
            &a.out,
            outcome.elapsed,
        ))?;
    }
    match outcome.error {
        Some(e) => Err(anyhow::Error::new(e).context(format!(
            "the best model so far is saved in {}",
            a.out.display()
        ))),
        None => Ok(()),
    }
}

/// Says what the run trains on, and the learning rate when it is the optimiser's default.
fn describe_run(a: &TrainArgs, dataset: &Dataset, spec: &JobSpec, new_run: bool) {
    let target = match dataset.values() {
        Some(v) => {
            let (lo, hi) = (v.iter()).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &t| {
                (lo.min(t), hi.max(t))
            });
            format!(
                "target '{}' (regression, {lo} to {hi})",
                dataset.classes().name(0)
            )
        }
        None => format!("labels {}", dataset.classes().describe()),
    };
    eprintln!(
        "data: {} — {} samples × {} features; {target}",
        a.data.data.display(),
        dataset.len(),
        dataset.features(),
    );
    if a.spec.lr.is_none() && new_run {
        eprintln!(
            "learning rate: {} ({}'s default; --lr sets it)",
            spec.config.lr,
            spec.config.optimizer.name()
        );
    }
    if a.spec.split.is_none() && a.spec.select.is_none() && new_run {
        let c = &spec.config;
        let stop = match c.patience {
            Some(p) if c.min_delta > 0.0 => {
                format!(
                    ", stopping after {p} epochs without a fall of {}",
                    c.min_delta
                )
            }
            Some(p) => format!(", stopping after {p} epochs without a fall"),
            None => String::new(),
        };
        let task = if dataset.values().is_some() {
            "a regression's default"
        } else {
            "a classification's default"
        };
        eprintln!(
            "selection: {}{stop}; split {}/{}/{} ({task}; --split and --select change it)",
            c.selection,
            spec.split.train,
            spec.split.validation,
            ((1.0 - spec.split.train - spec.split.validation) * 100.0).round() / 100.0,
        );
    }
}

/// Writes every epoch's metrics (and, for a classifier, each class's counts) to `path` as CSV.
pub(super) fn write_metrics(path: &Path, outcome: &JobOutcome, counts: &ClassCounts) -> Result<()> {
    let model = &outcome.model_file;
    let regression = model.network.architecture().output.is_regression();
    let classes = (!regression).then_some((counts, model.classes.names()));
    nn_train::write_atomically(
        path,
        nn_cli::report::metrics_csv(outcome.history(), classes).as_bytes(),
    )
    .with_context(|| format!("writing {}", path.display()))
}

/// Fails before training, not at the first write, if the model cannot be written where asked.
fn check_out(a: &TrainArgs) -> Result<()> {
    let dir = a
        .out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        bail!(
            "--out {}: the directory {} does not exist",
            a.out.display(),
            dir.display()
        );
    }
    if a.out.is_dir() {
        bail!("--out {} is a directory; give a file name", a.out.display());
    }
    Ok(())
}

/// A resumed run reads its data as its model does: a different `--labels`, `--task`, `--target`,
/// `--features`, `--drop` or `--missing` given on the command line is refused.
fn check_columns(a: &TrainArgs, r: &Resume, given: &dyn Fn(&str) -> bool) -> Result<()> {
    let differs = |flag: &str, saved: String, given: String| TrainError::Resume {
        path: r.path.clone(),
        problem: ResumeProblem::Differs {
            flag: flag.into(),
            saved,
            given,
        },
    };
    let saved = r.model_file.classes.scheme();
    if let Some(labels) = a.data.settings.labels
        && given("labels")
        && labels != saved
    {
        return Err(differs("--labels", saved.name().into(), labels.name().into()).into());
    }
    let regression = r.model_file.network.architecture().output.is_regression();
    let task = a.data.settings.task;
    if given("task")
        && task != nn_data::Task::Auto
        && (task == nn_data::Task::Regression) != regression
    {
        let name = |r: bool| if r { "regression" } else { "classification" };
        return Err(differs("--task", name(regression).into(), task.name().into()).into());
    }
    let Some(schema) = &r.model_file.schema else {
        return Ok(());
    };
    if let Some(unknown) = a.data.settings.unknown_category
        && given("unknown_category")
        && unknown != schema.unknown
    {
        let (saved, asked) = (schema.unknown.name().into(), unknown.name().into());
        return Err(differs("--unknown-category", saved, asked).into());
    }
    if !["target", "features", "drop", "missing"]
        .iter()
        .any(|f| given(f))
    {
        return Ok(());
    }
    let path = super::common::locate(&a.data.data)?;
    let mut read = schema.read_options();
    read.delimiter = a.data.settings.delimiter.or(read.delimiter);
    let table = nn_data::Table::read(&path, &read)?;
    // The columns the flags choose, with the saved target and missing-value rule where none is given.
    let t = &a.data.settings;
    let opts = nn_data::PipelineOptions {
        target: t.target.clone().or_else(|| Some(schema.target.clone())),
        features: t.features.clone(),
        drop: t.drop.clone(),
        missing: if given("missing") {
            t.missing
        } else {
            schema.missing
        },
        ..Default::default()
    };
    let selected = Selected::new(&table, &opts)?;
    let inputs: Vec<&str> = schema.inputs.iter().map(|c| c.name.as_str()).collect();
    if selected.target_name() != schema.target {
        let given = selected.target_name().into();
        return Err(differs("--target", schema.target.clone(), given).into());
    }
    if selected.input_names() != inputs {
        let given = selected.input_names().join(",");
        return Err(differs("--features/--drop", inputs.join(","), given).into());
    }
    if opts.missing != schema.missing {
        let given = opts.missing.name().into();
        return Err(differs("--missing", schema.missing.name().into(), given).into());
    }
    Ok(())
}

/// Trains, rendering progress; with `--metrics`, also collects each epoch's per-class counts.
fn train(
    a: &TrainArgs,
    dataset: Dataset,
    spec: &JobSpec,
    resume: Option<Resume>,
) -> Result<(JobOutcome, ClassCounts)> {
    let mut progress =
        nn_cli::report::Progress::new(a.quiet, std::io::stderr().is_terminal(), a.log_every);
    let mut counts = ClassCounts::default();
    let collect = a.metrics.is_some();
    let saving = Saving {
        path: &a.out,
        every: Duration::from_secs_f64(a.save_every),
    };
    let mut board = (a.logdir.as_deref()).map(|dir| TensorBoard::for_dataset(dir, &dataset));
    let outcome = nn::train(
        spec,
        dataset,
        resume,
        Some(saving),
        None,
        &mut |e: &TrainEvent| {
            progress.event(e);
            if collect {
                counts.event(e);
            }
            if let Some(b) = board.as_mut() {
                b.event(e);
            }
        },
    )?;
    progress.finish();
    if let Some(problem) = board.and_then(|b| b.problem) {
        eprintln!("warning: --logdir: {problem}; the TensorBoard log stops there");
    }
    Ok((outcome, counts))
}
