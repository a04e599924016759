//! `nn inspect`: what a model file holds.

use super::out;
use crate::args::InspectArgs;
use anyhow::Result;
use nn_train::Checkpoint;

pub fn run(a: InspectArgs) -> Result<()> {
    let c = Checkpoint::load(&a.model)?;
    let arch = c.network.architecture();
    if a.json {
        let v = serde_json::json!({
            "architecture": arch,
            "parameters": arch.parameter_count(),
            "precision": c.precision,
            "classes": c.classes,
            "standardizer": c.standardizer,
            "seed": c.config.seed,
            "config": c.config,
            "epoch": c.epoch,
            "metrics": c.metrics,
            "resumable": c.resume.as_ref().map(|r| r.progress.epoch),
            "provenance": c.provenance,
        });
        return out(&format!("{v}\n"));
    }
    let mut s = format!("model        {}\n", a.model.display());
    s.push_str(&format!(
        "architecture {} — {} parameters, {:?}\n",
        arch.describe(),
        arch.parameter_count(),
        c.precision
    ));
    s.push_str(&format!(
        "classes      {} ({})\n",
        c.classes.names.join(" "),
        c.classes.describe()
    ));
    let sd = &c.standardizer;
    let identity = sd.mean.iter().all(|&m| m == 0.0) && sd.scale.iter().all(|&v| v == 1.0);
    s.push_str(&format!(
        "standardiser {}\n",
        if identity {
            "none (raw features)".to_string()
        } else {
            format!("{} columns, z-scores fitted on the training part", sd.len())
        }
    ));
    let cfg = &c.config;
    s.push_str(&format!(
        "training     seed {}, {} epochs, lr {}, optimiser {}, batch {}, λ {}, selection {}{}\n",
        cfg.seed,
        cfg.epochs,
        cfg.schedule.describe(cfg.lr),
        cfg.optimizer.name(),
        cfg.batch_size.map_or("full".to_string(), |b| b.to_string()),
        cfg.lambda,
        cfg.selection.name(),
        if cfg.selection.uses_test_set() {
            " (selected on the TEST set: its test figures are optimistic)"
        } else {
            ""
        }
    ));
    if let Some(p) = &c.provenance {
        let sp = &p.spec.split;
        s.push_str(&format!(
            "data         {} (sha256 {}…), split train {} / validation {}{}\n",
            p.data_name,
            &p.data_digest[..12],
            sp.train,
            sp.validation,
            if sp.stratified { ", stratified" } else { "" }
        ));
    }
    s.push_str(&format!(
        "epoch        {} (the selected weights)\n",
        c.epoch
    ));
    if let Some(m) = &c.metrics {
        let part = |name: &str, p: Option<&nn_train::PartMetrics>| {
            p.map(|p| {
                format!(
                    "             {name:<10} loss {:.6}  accuracy {:.2}% ({}/{})\n",
                    p.loss,
                    100.0 * p.accuracy,
                    p.correct,
                    p.total
                )
            })
            .unwrap_or_default()
        };
        s.push_str(&part("train", Some(&m.train)));
        s.push_str(&part("validation", m.validation.as_ref()));
        s.push_str(&part("test", m.test.as_ref()));
    }
    s.push_str(&match &c.resume {
        Some(r) => format!("resume       possible: {} epochs done\n", r.progress.epoch),
        None => "resume       not possible (training ended in an error)\n".to_string(),
    });
    out(&s)
}
