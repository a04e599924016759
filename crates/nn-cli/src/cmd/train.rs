//! `nn train`: builds the job from the arguments, renders progress, writes the model, metrics and plots.

use super::{load_for_model, load_for_training, out, resume};
use crate::args::{TrainArgs, parse_widths};
use anyhow::{Context, Result, bail};
use nn_cli::report::ClassCounts;
use nn_core::{Activation, Output};
use nn_data::{Selected, SplitSpec};
use nn_linalg::{Scalar, Threads};
use nn_train::job::{JobOutcome, JobSpec, Resume, Saving, run_job};
use nn_train::{
    Metric, Optimizer, Precision, ResumeProblem, Schedule, Selection, Shift, TrainConfig,
    TrainError, TrainEvent,
};
use std::io::IsTerminal;
use std::time::Duration;

fn parse_split(s: &str) -> Result<(f64, f64)> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let num = |p: &str| {
        p.parse::<f64>()
            .with_context(|| format!("--split: '{p}' is not a fraction"))
    };
    match parts.as_slice() {
        [t] => Ok((num(t)?, 0.0)),
        [t, v] => Ok((num(t)?, num(v)?)),
        _ => bail!("--split takes TRAIN or TRAIN,VAL fractions, got '{s}'"),
    }
}

fn parse_pair(flag: &str, s: &str) -> Result<(f64, f64)> {
    let (a, b) = s
        .split_once(':')
        .with_context(|| format!("{flag} takes A:B, got '{s}'"))?;
    let a = a
        .trim()
        .parse::<f64>()
        .with_context(|| format!("{flag}: '{a}' is not a number"))?;
    let b = b
        .trim()
        .parse::<f64>()
        .with_context(|| format!("{flag}: '{b}' is not a number"))?;
    Ok((a, b))
}

fn whole(flag: &str, v: f64) -> Result<usize> {
    if v >= 0.0 && v.fract() == 0.0 && v < 1e12 {
        Ok(v as usize)
    } else {
        bail!("{flag}: {v} is not a whole number")
    }
}

/// The split the flags ask for (its seed is the run's).
fn split_spec(a: &TrainArgs) -> Result<SplitSpec> {
    let (train, validation) = parse_split(&a.split)?;
    Ok(SplitSpec {
        train,
        validation,
        stratified: a.stratify,
        seed: a.seed,
    })
}

/// The image shifts `--shift` and `--image` ask for, on data of `features` features.
fn shift_from(a: &TrainArgs, features: usize) -> Result<Option<Shift>> {
    let Some(max) = a.shift else {
        return Ok(None);
    };
    let shift = match &a.image {
        Some(size) => {
            let (h, w) = size
                .split_once(['x', 'X', '×'])
                .and_then(|(h, w)| Some((h.trim().parse().ok()?, w.trim().parse().ok()?)))
                .with_context(|| {
                    format!("--image '{size}': give the image size as HEIGHTxWIDTH, e.g. 28x28")
                })?;
            Shift {
                max,
                height: h,
                width: w,
            }
        }
        None => Shift::square(max, features).with_context(|| {
            format!(
                "--shift {max}: the {features} features are not a square image; give its size with --image HEIGHTxWIDTH"
            )
        })?,
    };
    shift
        .check(features)
        .with_context(|| format!("--shift {max}"))?;
    Ok(Some(shift))
}

/// The job the flags ask for, on data of `features` features and `classes` classes, or a regression target
/// (`classes` is then 1).
pub(super) fn spec_from(
    a: &TrainArgs,
    features: usize,
    classes: usize,
    regression: bool,
) -> Result<JobSpec> {
    let split = split_spec(a)?;
    let validation = split.validation;
    let schedule = if let Some(p) = &a.lr_plateau {
        let (factor, patience) = parse_pair("--lr-plateau", p)?;
        Schedule::Plateau {
            factor,
            patience: whole("--lr-plateau patience", patience)?,
            min_lr: 0.0,
        }
    } else if a.lr_steps.is_empty() {
        Schedule::Constant
    } else {
        let steps = a.lr_steps.iter().map(|s| {
            let (e, lr) = parse_pair("--lr-step", s)?;
            Ok((whole("--lr-step epoch", e)?, lr))
        });
        Schedule::Steps {
            steps: steps.collect::<Result<_>>()?,
        }
    };
    let selection = match a.select {
        Some(s) => s,
        None if validation > 0.0 => Selection::VAL_LOSS,
        None => Selection::Last,
    };
    let mut optimizer = Optimizer::from_name(&a.optimizer, a.momentum)
        .with_context(|| format!("--optimizer: unknown '{}'", a.optimizer))?;
    if let Some([beta1, beta2, epsilon]) = optimizer.adam_parameters_mut() {
        (*beta1, *beta2, *epsilon) = (a.beta1, a.beta2, a.adam_epsilon);
    }
    if let Optimizer::AdamW { weight_decay, .. } = &mut optimizer {
        *weight_decay = a.weight_decay;
    }
    if let Optimizer::Lbfgs { history, tolerance } = &mut optimizer {
        (*history, *tolerance) = (a.lbfgs_history, a.tolerance);
    }
    if let Selection::Best { metric, .. } = selection {
        match (metric, regression) {
            (Metric::Accuracy, true) => bail!(
                "--select {selection}: a regression model has no accuracy (use a -loss or -r2 rule)"
            ),
            (Metric::R2, false) => bail!(
                "--select {selection}: R² is for regression; a classifier uses a -loss, -acc or -f1 rule"
            ),
            (Metric::F1, true) => bail!(
                "--select {selection}: a regression model has no F1 (use a -loss or -r2 rule)"
            ),
            _ => {}
        }
    }
    let output = match (a.output, regression) {
        (Some(o), _) if o.is_regression() != regression => bail!(
            "--output {o}: the target is {}",
            if regression {
                "numeric and read as regression, which needs --output identity (or --task classification)"
            } else {
                "read as classes; --output identity is for regression (--task regression)"
            }
        ),
        (Some(o), _) => o,
        (None, true) => Output::Identity,
        (None, false) if classes == 2 => Output::Sigmoid,
        (None, false) => Output::Softmax,
    };
    Ok(JobSpec {
        hidden: parse_widths(&a.hidden)?,
        output,
        activation: match a.activation {
            Activation::LeakyRelu { .. } => Activation::LeakyRelu {
                slope: a.leaky_slope,
            },
            other => other,
        },
        config: TrainConfig {
            epochs: a.epochs,
            lr: a.lr.unwrap_or(optimizer.default_lr()),
            schedule,
            optimizer,
            batch_size: a.batch_size,
            lambda: a.lambda,
            seed: a.seed,
            selection,
            patience: a.patience,
            min_delta: a.min_delta,
            threads: Threads::from_count(a.threads),
            dropout: a.dropout,
            shift: shift_from(a, features)?,
        },
        split,
        standardize: !a.no_standardize,
        precision: a.precision,
        init: a.init,
    })
}

pub fn run(a: TrainArgs, given: &dyn Fn(&str) -> bool) -> Result<()> {
    check_out(&a)?;
    if !(a.save_every.is_finite() && a.save_every >= 0.0) {
        bail!(
            "--save-every {}: give a number of seconds ≥ 0",
            a.save_every
        );
    }
    // The file to resume is read whole before anything is written, so --resume F --out F is safe.
    let resume = a.resume.as_deref().map(Resume::load).transpose()?;
    let dataset = load_for(&a, resume.as_ref(), given)?;
    let mut spec = spec_from(
        &a,
        dataset.features(),
        dataset.classes().len(),
        dataset.is_regression(),
    )?;
    if let Some(r) = &resume {
        let saved = r.spec(spec.config.epochs, spec.config.threads)?;
        resume::check_flags(&saved, &spec, &a, given).map_err(|problem| TrainError::Resume {
            path: r.path.clone(),
            problem,
        })?;
        spec = saved;
    }
    if !a.quiet {
        let target = match dataset.values() {
            Some(v) => {
                let (lo, hi) = v
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &t| {
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
        if a.lr.is_none() && resume.is_none() {
            eprintln!(
                "learning rate: {} ({}'s default; --lr sets it)",
                spec.config.lr,
                spec.config.optimizer.name()
            );
        }
    }
    let (outcome, counts) = match spec.precision {
        Precision::F64 => train::<f64>(&a, &dataset, &spec, resume)?,
        Precision::F32 => train::<f32>(&a, &dataset, &spec, resume)?,
    };
    if let Some(path) = &a.metrics {
        let names = dataset.classes().names();
        let classes = (!dataset.is_regression()).then_some((&counts, names));
        nn_train::write_atomically(
            path,
            nn_cli::report::metrics_csv(outcome.history(), classes).as_bytes(),
        )
        .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(dir) = &a.plots {
        let title = outcome.checkpoint.network.architecture().describe();
        nn_cli::plots::training_figures(dir, "", &title, &outcome, &dataset)
            .with_context(|| format!("writing plots to {}", dir.display()))?;
    }
    if !a.quiet {
        out(&nn_cli::report::summary(
            &outcome.checkpoint,
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

/// Fails before training, not at the first write, if the model cannot be written where asked.
fn check_out(a: &TrainArgs) -> Result<()> {
    let dir = a
        .out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
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

/// The dataset: for a new run read (and, for text, fitted) afresh; for a resumed run read as the model reads
/// it, with labels read as its classes were and through its input schema (a different `--labels`, `--target`,
/// `--features`, `--drop` or `--missing` is refused).
fn load_for(
    a: &TrainArgs,
    resume: Option<&Resume>,
    given: &dyn Fn(&str) -> bool,
) -> Result<nn_data::Dataset> {
    let Some(r) = resume else {
        return load_for_training(&a.data, &split_spec(a)?, a.quiet);
    };
    let differs = |flag: &str, saved: String, given: String| TrainError::Resume {
        path: r.path.clone(),
        problem: ResumeProblem::Differs {
            flag: flag.into(),
            saved,
            given,
        },
    };
    let saved = r.checkpoint.classes.scheme();
    if let Some(labels) = a.data.labels
        && given("labels")
        && labels != saved
    {
        return Err(differs("--labels", saved.name().into(), labels.name().into()).into());
    }
    let regression = r.checkpoint.network.architecture().output.is_regression();
    let task = a.data.table.task;
    if given("task")
        && task != nn_data::Task::Auto
        && (task == nn_data::Task::Regression) != regression
    {
        let name = |r: bool| if r { "regression" } else { "classification" };
        return Err(differs("--task", name(regression).into(), task.name().into()).into());
    }
    if let Some(schema) = &r.checkpoint.schema
        && ["target", "features", "drop", "missing"]
            .iter()
            .any(|f| given(f))
    {
        let path = super::locate(&a.data.data)?;
        let table = super::read_through(schema, &path, a.data.table.delimiter)?;
        // The columns the flags choose, with the saved target and missing-value rule where none is given.
        let mut opts = super::pipeline_options(&a.data);
        opts.target = opts.target.or_else(|| Some(schema.target.clone()));
        if !given("missing") {
            opts.missing = schema.missing;
        }
        let selected = Selected::new(&table, &opts)?;
        let inputs: Vec<&str> = schema.inputs.iter().map(|c| c.name.as_str()).collect();
        if selected.target_name() != schema.target {
            return Err(differs(
                "--target",
                schema.target.clone(),
                selected.target_name().into(),
            )
            .into());
        }
        if selected.input_names() != inputs {
            return Err(differs(
                "--features/--drop",
                inputs.join(","),
                selected.input_names().join(","),
            )
            .into());
        }
        if opts.missing != schema.missing {
            return Err(differs(
                "--missing",
                schema.missing.name().into(),
                opts.missing.name().into(),
            )
            .into());
        }
    }
    load_for_model(&a.data, &r.checkpoint, a.quiet)
}

/// Trains, rendering progress; with `--metrics`, also collects each epoch's per-class counts.
fn train<T: Scalar>(
    a: &TrainArgs,
    dataset: &nn_data::Dataset,
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
    let outcome = run_job::<T>(
        dataset,
        spec,
        resume,
        Some(saving),
        &mut |e: &TrainEvent<T>| {
            progress.event(e);
            if collect {
                counts.event(e);
            }
        },
    )?;
    progress.finish();
    Ok((outcome, counts))
}
