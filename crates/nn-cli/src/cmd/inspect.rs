//! `nn inspect`: what a model file holds.

use super::common::out;
use crate::args::InspectArgs;
use anyhow::Result;
use nn_data::{InputKind, Schema};
use nn_train::{ModelFile, Status, Training};

pub fn run(a: InspectArgs) -> Result<()> {
    let c = ModelFile::load(a.model.path())?;
    if a.json {
        return out(&format!("{}\n", json(&c)));
    }
    let arch = c.network.architecture();
    let mut s = format!("model        {}\n", a.model.path().display());
    s.push_str(&format!(
        "architecture {} — {} parameters, {:?}\n",
        arch.describe(),
        arch.parameter_count(),
        c.precision
    ));
    s.push_str(&describe_target(&c));
    let sd = &c.standardizer;
    s.push_str(&format!(
        "standardiser {}\n",
        if sd.is_identity() {
            "none (raw features)".to_string()
        } else {
            format!("{} columns, z-scores fitted on the training part", sd.len())
        }
    ));
    if let Some(schema) = &c.schema {
        s.push_str(&describe_schema(schema));
    }
    if let Some(t) = &c.training {
        s.push_str(&describe_training(t, arch.activation));
    }
    s.push_str(&format!(
        "epoch        {} (the selected weights)\n",
        c.epoch
    ));
    if let Some(m) = &c.metrics {
        s.push_str(&describe_metrics(&c, m));
    }
    s.push_str(&format!("state        {}\n", status_line(&c)));
    out(&s)
}

/// Everything the file holds, as one JSON object (`nn inspect --json`).
fn json(c: &ModelFile) -> serde_json::Value {
    let arch = c.network.architecture();
    serde_json::json!({
        "architecture": arch,
        "parameters": arch.parameter_count(),
        "precision": c.precision,
        "classes": c.classes,
        "task": if arch.output.is_regression() { "regression" } else { "classification" },
        "target_scale": c.target_scale,
        "standardizer": c.standardizer,
        "input_schema": c.schema,
        "epoch": c.epoch,
        "metrics": c.metrics,
        "status": c.status,
        "state": status_line(c),
        "resumable_from_epoch": c.resume_state().map(|r| r.progress.epoch),
        "training": c.training.as_ref().map(|t| serde_json::json!({
            "run": t.run,
            "init": t.run.init.unwrap_or(nn_core::Init::for_activation(arch.activation)),
            "simd": t.run.simd,
            "data": t.data,
            "job": t.job.as_deref().and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok()),
        })),
    })
}

/// The classes, or a regression target and its scaling.
fn describe_target(c: &ModelFile) -> String {
    match &c.target_scale {
        Some(t) => format!(
            "target       '{}' (regression): standardised with the training part's mean {} and standard deviation {}; predictions are z·{} + {}\n",
            c.classes.name(0),
            t.mean()[0],
            t.scale()[0],
            t.scale()[0],
            t.mean()[0]
        ),
        None => format!(
            "classes      {} ({})\n",
            c.classes.names().join(" "),
            c.classes.describe()
        ),
    }
}

/// The run's settings, its data and the SIMD level that trained it.
fn describe_training(t: &Training, activation: nn_core::Activation) -> String {
    let r = &t.run;
    let mut s = format!(
        "training     seed {}, init {}, {} epochs, lr {}, optimiser {}, batch {}, λ {}, dropout {}{}{}, selection {}{}\n",
        r.seed,
        r.init
            .unwrap_or(nn_core::Init::for_activation(activation))
            .name(),
        r.epochs,
        r.schedule.describe(r.lr),
        r.optimizer.name(),
        r.batch_size.map_or("full".to_string(), |b| b.to_string()),
        r.lambda,
        r.dropout,
        r.shift
            .map_or(String::new(), |s| format!(", {}", s.describe())),
        match &r.class_weight {
            nn_train::ClassWeight::None => String::new(),
            w => format!(", class weights {w}"),
        },
        r.selection.name(),
        if r.selection.uses_test_set() {
            " (selected on the TEST set: its test figures are optimistic)"
        } else {
            ""
        }
    );
    let digest: String = t.data.digest.chars().take(12).collect();
    s.push_str(&format!(
        "data         {} (sha256 {digest}…), {} training samples, split train {} / validation {}{}\n",
        t.data.name,
        t.data.train_samples,
        r.split_train,
        r.split_validation,
        if r.stratified { ", stratified" } else { "" }
    ));
    s.push_str(&format!(
        "simd         {} (the level that trained it; every level gives the same bits)\n",
        r.simd
            .map_or("not recorded (a file before format 8)", |l| l.name())
    ));
    s
}

/// The selected epoch's metrics on each part (a regression's errors in the target's units).
fn describe_metrics(c: &ModelFile, m: &nn_train::EpochReport) -> String {
    let part = |name: &str, p: Option<&nn_train::PartMetrics>| {
        p.map(|p| match (p.r2, c.target_scale.as_ref()) {
            (Some(r2), Some(t)) => format!(
                "             {name:<10} loss {:.6}  MSE {:.6}  MAE {:.6}  R² {:.4} ({} samples)\n",
                p.loss,
                p.mse() * t.scale()[0] * t.scale()[0],
                p.mae.unwrap_or(0.0) * t.scale()[0],
                r2,
                p.total
            ),
            _ => format!(
                "             {name:<10} loss {:.6}  accuracy {:.2}% ({}/{})\n",
                p.loss,
                100.0 * p.accuracy,
                p.correct,
                p.total
            ),
        })
        .unwrap_or_default()
    };
    [
        part("train", Some(&m.train)),
        part("validation", m.validation.as_ref()),
        part("test", m.test.as_ref()),
    ]
    .concat()
}

/// What the file is, in words: in progress (resumable), finished, or stopped by divergence. Never a guess.
fn status_line(c: &ModelFile) -> String {
    let resumable = c.resume_state().map(|r| r.progress.epoch);
    match (&c.status, resumable) {
        (Status::InProgress, Some(done)) => {
            format!("training in progress or interrupted at epoch {done} (resumable)")
        }
        (
            Status::Finished {
                epochs_run,
                early_stopped,
            },
            Some(_),
        ) => {
            let planned = c.training.as_ref().map_or(0, |t| t.run.epochs);
            let lbfgs = c
                .training
                .as_ref()
                .is_some_and(|t| matches!(t.run.optimizer, nn_train::Optimizer::Lbfgs { .. }));
            let why = if *early_stopped {
                ", stopped early (patience)".to_string()
            } else if lbfgs && *epochs_run < planned {
                format!(", converged before epoch {planned} (L-BFGS's stopping test)")
            } else {
                String::new()
            };
            format!("finished after {epochs_run} epochs{why} (resumable to more epochs)")
        }
        (Status::Finished { .. }, None) => {
            "finished (built by hand or imported; no training to resume)".into()
        }
        (Status::Diverged { epoch, cause }, _) => {
            format!("stopped: diverged at epoch {epoch} ({cause}); not resumable")
        }
        (Status::InProgress, None) => "in progress, without resume state".into(),
    }
}

/// The input pipeline: how a text file's columns become the network's features, and the target.
fn describe_schema(schema: &Schema) -> String {
    let mut s = format!(
        "input        {} text, {} ({} columns); missing values: {}; unseen categories: {}\n",
        schema.delimiter,
        if schema.header {
            "with a header: columns matched by name"
        } else {
            "no header: columns matched by position"
        },
        schema.file_columns,
        schema.missing,
        schema.unknown
    );
    s.push_str(&format!(
        "  target     '{}' (column {})\n",
        schema.target,
        schema.target_position + 1
    ));
    for c in &schema.inputs {
        let (kind, fill) = match &c.kind {
            InputKind::Numeric { fill } => ("numeric".to_string(), fill.map(|v| format!("{v}"))),
            InputKind::Categorical { categories, fill } => (
                format!("one-hot over {}", categories.join(", ")),
                fill.clone(),
            ),
        };
        s.push_str(&format!(
            "  column {:<3} '{}': {kind}{}\n",
            c.position + 1,
            c.name,
            fill.map_or(String::new(), |f| format!("; missing → {f}"))
        ));
    }
    s
}
