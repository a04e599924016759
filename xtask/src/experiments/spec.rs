//! The experiment specs in `experiments/report.toml`, and the jobs they expand to.

use anyhow::{Context, Result, bail};
use nn_core::{Activation, Output};
use nn_data::{LabelScheme, SplitSpec};
use nn_linalg::Threads;
use nn_train::job::JobSpec;
use nn_train::{Optimizer, Precision, Schedule, Selection, TrainConfig};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Specs {
    pub protocol: Protocol,
    pub beyond: Beyond,
    pub experiment: Vec<Experiment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    pub split: f64,
    pub standardize: bool,
    pub optimizer: String,
    pub select: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Beyond {
    pub split: [f64; 2],
    pub select: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    pub id: String,
    pub title: String,
    pub figures: String,
    pub data: String,
    pub labels: LabelScheme,
    pub hidden: Vec<usize>,
    pub output: Output,
    pub lr: f64,
    #[serde(default)]
    pub lr_steps: Vec<(usize, f64)>,
    pub epochs: usize,
    pub lambda: f64,
    pub assumptions: Vec<String>,
    pub adam: AdamSpec,
    #[serde(default)]
    pub report: ReportFigures,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdamSpec {
    pub lr: f64,
    pub batch: usize,
    pub epochs: usize,
}

/// The report's own figures, where known.
#[derive(Debug, Default, Deserialize, serde::Serialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ReportFigures {
    pub train_loss: Option<f64>,
    pub train_accuracy: Option<f64>,
    pub test_loss: Option<f64>,
    pub test_accuracy: Option<f64>,
    pub test_correct: Option<usize>,
    pub test_total: Option<usize>,
    pub best_epoch: Option<usize>,
    pub note: Option<String>,
    pub time: Option<String>,
}

/// How a run departs from the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// The report's protocol.
    Report,
    /// Selected on a validation split.
    Validation,
    /// Adam on mini-batches, selected on a validation split.
    Adam,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Report, Variant::Validation, Variant::Adam];

    pub fn describe(self) -> &'static str {
        match self {
            Variant::Report => "report's protocol: full-batch GD, best epoch by test accuracy",
            Variant::Validation => "same network and GD, best epoch by validation loss",
            Variant::Adam => "Adam on mini-batches, best epoch by validation loss",
        }
    }
}

impl Specs {
    pub fn load(path: &Path) -> Result<Specs> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let specs: Specs =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        specs.check()?;
        Ok(specs)
    }

    fn check(&self) -> Result<()> {
        if self.protocol.optimizer != "gd" {
            bail!(
                "protocol.optimizer: only \"gd\" (the report's) is supported, got {}",
                self.protocol.optimizer
            );
        }
        for s in [&self.protocol.select, &self.beyond.select] {
            s.parse::<Selection>().map_err(anyhow::Error::msg)?;
        }
        Ok(())
    }

    /// The job of `experiment` in `variant` with `seed`, its products on one thread (runs are parallel).
    pub fn job(
        &self,
        e: &Experiment,
        variant: Variant,
        seed: u64,
        epochs_scale: f64,
    ) -> Result<JobSpec> {
        let scaled = |n: usize| ((n as f64 * epochs_scale).round() as usize).max(1);
        let (split, select) = match variant {
            Variant::Report => (
                SplitSpec {
                    train: self.protocol.split,
                    validation: 0.0,
                    stratified: false,
                    seed,
                },
                &self.protocol.select,
            ),
            _ => (
                SplitSpec {
                    train: self.beyond.split[0],
                    validation: self.beyond.split[1],
                    stratified: false,
                    seed,
                },
                &self.beyond.select,
            ),
        };
        let mut config = TrainConfig {
            epochs: scaled(e.epochs),
            lr: e.lr,
            schedule: if e.lr_steps.is_empty() {
                Schedule::Constant
            } else {
                Schedule::Steps {
                    steps: e
                        .lr_steps
                        .iter()
                        .map(|&(ep, lr)| (scaled(ep), lr))
                        .collect(),
                }
            },
            optimizer: Optimizer::Gd,
            batch_size: None,
            lambda: e.lambda,
            seed,
            selection: select.parse().map_err(anyhow::Error::msg)?,
            patience: None,
            min_delta: 0.0,
            threads: Threads::Single,
        };
        if variant == Variant::Adam {
            config.optimizer = Optimizer::ADAM;
            config.lr = e.adam.lr;
            config.schedule = Schedule::Constant;
            config.batch_size = Some(e.adam.batch);
            config.epochs = scaled(e.adam.epochs);
        }
        Ok(JobSpec {
            hidden: e.hidden.clone(),
            output: e.output,
            activation: Activation::Sigmoid,
            config,
            split,
            standardize: self.protocol.standardize,
            precision: Precision::F64,
        })
    }
}
