//! `nn train --resume`: the flags a resumed run may change, and a refusal for every other flag whose value
//! differs from the saved run's (it would otherwise be ignored, and the run would not be the one asked for).
//!
//! May change: `--epochs`, `--threads`, `--out`, `--save-every`, `--log-every`, `--quiet`, `--metrics`,
//! `--plots`. The data is checked by its digest when the run starts.

use crate::args::TrainArgs;
use nn_core::Activation;
use nn_train::ResumeProblem;
use nn_train::job::JobSpec;
use nn_train::{Optimizer, Schedule};

/// Compares every flag given on the command line (`given(id)`) with the saved run's value. `saved` is the
/// file's job; `asked` the job built from the arguments (defaults where a flag is absent).
pub fn check_flags(
    saved: &JobSpec,
    asked: &JobSpec,
    a: &TrainArgs,
    given: impl Fn(&str) -> bool,
) -> Result<(), ResumeProblem> {
    let (s, q) = (&saved.config, &asked.config);
    let slope = |a: Activation| match a {
        Activation::LeakyRelu { slope } => slope.to_string(),
        _ => Activation::LEAKY_SLOPE.to_string(),
    };
    let rows: [(&str, &str, String, String); 28] = [
        (
            "hidden",
            "--hidden",
            widths(&saved.hidden),
            widths(&asked.hidden),
        ),
        (
            "output",
            "--output",
            saved.output.name().into(),
            asked.output.name().into(),
        ),
        (
            "activation",
            "--activation",
            saved.activation.name().into(),
            asked.activation.name().into(),
        ),
        ("init", "--init", init(saved), init(asked)),
        (
            "dropout",
            "--dropout",
            s.dropout.to_string(),
            q.dropout.to_string(),
        ),
        (
            "shift",
            "--shift",
            shift(s.shift, false),
            shift(q.shift, false),
        ),
        (
            "image",
            "--image",
            shift(s.shift, true),
            shift(q.shift, true),
        ),
        (
            "leaky_slope",
            "--leaky-slope",
            slope(saved.activation),
            slope(asked.activation),
        ),
        ("lr", "--lr", s.lr.to_string(), q.lr.to_string()),
        (
            "lr_steps",
            "--lr-step",
            schedule(&s.schedule),
            schedule(&q.schedule),
        ),
        (
            "lr_plateau",
            "--lr-plateau",
            schedule(&s.schedule),
            schedule(&q.schedule),
        ),
        (
            "lambda",
            "--lambda",
            s.lambda.to_string(),
            q.lambda.to_string(),
        ),
        (
            "optimizer",
            "--optimizer",
            s.optimizer.name().into(),
            q.optimizer.name().into(),
        ),
        (
            "momentum",
            "--momentum",
            momentum(&s.optimizer),
            a.momentum.to_string(),
        ),
        (
            "beta1",
            "--beta1",
            adam(&s.optimizer, 0),
            a.beta1.to_string(),
        ),
        (
            "beta2",
            "--beta2",
            adam(&s.optimizer, 1),
            a.beta2.to_string(),
        ),
        (
            "adam_epsilon",
            "--adam-epsilon",
            adam(&s.optimizer, 2),
            a.adam_epsilon.to_string(),
        ),
        (
            "weight_decay",
            "--weight-decay",
            weight_decay(&s.optimizer),
            a.weight_decay.to_string(),
        ),
        (
            "lbfgs_history",
            "--lbfgs-history",
            lbfgs(&s.optimizer, false),
            a.lbfgs_history.to_string(),
        ),
        (
            "tolerance",
            "--tolerance",
            lbfgs(&s.optimizer, true),
            a.tolerance.to_string(),
        ),
        (
            "batch_size",
            "--batch-size",
            batch(s.batch_size),
            batch(q.batch_size),
        ),
        ("split", "--split", split(saved), split(asked)),
        (
            "stratify",
            "--stratify",
            saved.split.stratified.to_string(),
            asked.split.stratified.to_string(),
        ),
        ("seed", "--seed", s.seed.to_string(), q.seed.to_string()),
        ("select", "--select", s.selection.name(), q.selection.name()),
        (
            "patience",
            "--patience",
            s.patience.map_or("none".into(), |p| p.to_string()),
            q.patience.map_or("none".into(), |p| p.to_string()),
        ),
        (
            "min_delta",
            "--min-delta",
            s.min_delta.to_string(),
            q.min_delta.to_string(),
        ),
        (
            "no_standardize",
            "--no-standardize",
            standardisation(saved.standardize),
            standardisation(asked.standardize),
        ),
    ];
    let precision = (
        "precision",
        "--precision",
        saved.precision.name().to_string(),
        asked.precision.name().to_string(),
    );
    for (id, flag, saved, asked) in rows.into_iter().chain([precision]) {
        if given(id) && saved != asked {
            return Err(ResumeProblem::Differs {
                flag: flag.into(),
                saved,
                given: asked,
            });
        }
    }
    Ok(())
}

/// The saved or asked shift's largest offset (or, with `image`, its image size).
fn shift(s: Option<nn_train::Shift>, image: bool) -> String {
    match s {
        None => "no shifts".into(),
        Some(s) if image => format!("{}x{}", s.height, s.width),
        Some(s) => s.max.to_string(),
    }
}

fn widths(w: &[usize]) -> String {
    if w.is_empty() {
        return "none".into();
    }
    let w: Vec<String> = w.iter().map(ToString::to_string).collect();
    w.join(",")
}

fn schedule(s: &Schedule) -> String {
    match s {
        Schedule::Constant => "a constant rate".into(),
        Schedule::Steps { steps } => {
            let steps: Vec<String> = steps.iter().map(|(e, lr)| format!("{e}:{lr}")).collect();
            format!("steps {}", steps.join(" "))
        }
        Schedule::Plateau {
            factor, patience, ..
        } => format!("plateau {factor}:{patience}"),
    }
}

fn momentum(o: &Optimizer) -> String {
    match o {
        Optimizer::Momentum { momentum, .. } => momentum.to_string(),
        other => format!("{} (no momentum)", other.name()),
    }
}

/// Adam's (or AdamW's) β₁, β₂ or ε (`which` 0, 1, 2) of the saved run.
fn adam(o: &Optimizer, which: usize) -> String {
    match o.adam_parameters() {
        Some(p) => p[which].to_string(),
        None => format!("{} (not adam)", o.name()),
    }
}

/// AdamW's weight decay of the saved run.
fn weight_decay(o: &Optimizer) -> String {
    match *o {
        Optimizer::AdamW { weight_decay, .. } => weight_decay.to_string(),
        ref other => format!("{} (not adamw)", other.name()),
    }
}

/// L-BFGS's history (or, with `tolerance`, its gradient tolerance) of the saved run.
fn lbfgs(o: &Optimizer, tolerance: bool) -> String {
    match *o {
        Optimizer::Lbfgs { tolerance: t, .. } if tolerance => t.to_string(),
        Optimizer::Lbfgs { history, .. } => history.to_string(),
        ref other => format!("{} (not lbfgs)", other.name()),
    }
}

fn batch(b: Option<usize>) -> String {
    b.map_or("the full batch".into(), |b| b.to_string())
}

fn split(j: &JobSpec) -> String {
    format!("{},{}", j.split.train, j.split.validation)
}

fn standardisation(on: bool) -> String {
    if on { "standardised" } else { "raw features" }.into()
}

/// The initialisation a job uses, as `--init` names it.
fn init(spec: &JobSpec) -> String {
    spec.init
        .unwrap_or(nn_core::Init::for_activation(spec.activation))
        .name()
        .into()
}
