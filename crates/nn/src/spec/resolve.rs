//! [`Spec::job`]: the spec resolved against the data into the job that `nn-train` runs (every default that
//! depends on another setting or on the data, in one place), and [`Spec::from_job`], the way back.

use super::values::DataShape;
use super::{BatchSize, Fractions, ImageSize, LrStep, OptimizerKind, Plateau, Simd, Spec, Widths};
use crate::error::{Error, Result};
use nn_core::{Activation, Init, Output};
use nn_data::SplitSpec;
use nn_linalg::Threads;
use nn_train::job::JobSpec;
use nn_train::{ClassWeight, Metric, Optimizer, Part, Schedule, Selection, Shift, TrainConfig};

/// Default patience of early stopping, in epochs (scikit-learn's `n_iter_no_change`).
pub(crate) const PATIENCE_EPOCHS: usize = 10;
/// Default patience of early stopping, in optimiser steps, when those are more than [`PATIENCE_EPOCHS`].
/// 100 stopped the 94 training rows of the report's binary set 4 points below scikit-learn (5-fold, 10 seeds);
/// 300 brought them level (docs/performance.md).
pub(crate) const PATIENCE_STEPS: usize = 300;
/// The patience of scikit-learn's rule: its MLP stops when the count of epochs without an improvement of
/// `tol` *exceeds* `n_iter_no_change` (`_no_improvement_count > n_iter_no_change`), at the 11th.
pub(crate) const SKLEARN_PATIENCE: usize = PATIENCE_EPOCHS + 1;
/// Default smallest improvement of a classification's training loss (scikit-learn's `tol`). Without it
/// (0), breast cancer lost 0.16 points against scikit-learn and trained three times as long
/// (docs/performance.md).
pub(crate) const TRAIN_LOSS_MIN_DELTA: f64 = 1e-4;
/// A classification's default split: every training row trains, 20% is the test part.
const CLASSIFICATION_SPLIT: Fractions = Fractions {
    train: 0.8,
    validation: 0.0,
};
/// The default split of a regression, or of a run whose selection reads the validation part: 10% for
/// validation (scikit-learn's `validation_fraction`), 20% for test. nn standardises a regression target, so
/// its network fits the training rows fast, and without a validation part overfits them (diabetes lost 22
/// points of R² against scikit-learn).
const VALIDATION_SPLIT: Fractions = Fractions {
    train: 0.7,
    validation: 0.1,
};

impl Spec {
    /// The split's fractions for a classification or a `regression`: the ones given, else the task's own
    /// (with a validation part for a regression, or when the selection given reads that part).
    pub fn resolved_split(&self, regression: bool) -> Fractions {
        let reads_validation = matches!(
            self.select,
            Some(Selection::Best {
                part: Part::Validation,
                ..
            })
        );
        match self.split {
            Some(f) => f,
            None if regression || reads_validation => VALIDATION_SPLIT,
            None => CLASSIFICATION_SPLIT,
        }
    }

    /// The split of the rows into parts for a classification or a `regression`, drawn with the run's seed.
    pub fn split_spec(&self, regression: bool) -> SplitSpec {
        let f = self.resolved_split(regression);
        SplitSpec {
            train: f.train,
            validation: f.validation,
            stratified: self.stratify,
            seed: self.seed,
        }
    }

    /// Whether a classification trains by scikit-learn's rule: every training row, and the training loss
    /// selects and stops (the default when neither the split nor the selection is given).
    fn sklearn_rule(&self, regression: bool) -> bool {
        !regression && self.split.is_none() && self.select.is_none()
    }

    /// The optimiser with its hyper-parameters.
    pub fn resolved_optimizer(&self) -> Optimizer {
        match self.optimizer {
            OptimizerKind::Gd => Optimizer::Gd,
            OptimizerKind::Momentum | OptimizerKind::Nesterov => Optimizer::Momentum {
                momentum: self.momentum,
                nesterov: self.optimizer == OptimizerKind::Nesterov,
            },
            OptimizerKind::Adam => Optimizer::Adam {
                beta1: self.beta1,
                beta2: self.beta2,
                epsilon: self.adam_epsilon,
            },
            OptimizerKind::AdamW => Optimizer::AdamW {
                beta1: self.beta1,
                beta2: self.beta2,
                epsilon: self.adam_epsilon,
                weight_decay: self.weight_decay,
            },
            OptimizerKind::Lbfgs => Optimizer::Lbfgs {
                history: self.lbfgs_history,
                tolerance: self.tolerance,
            },
        }
    }

    /// The learning rate the run starts with: the one given, else the optimiser's customary one.
    pub fn resolved_lr(&self) -> f64 {
        self.lr.unwrap_or(self.resolved_optimizer().default_lr())
    }

    /// The selection rule for a classification or a `regression`: the one given, else the validation loss
    /// with a validation part, else the training loss under scikit-learn's rule, else the last epoch.
    pub fn resolved_selection(&self, regression: bool) -> Selection {
        match self.select {
            Some(s) => s,
            None if self.resolved_split(regression).validation > 0.0 => Selection::VAL_LOSS,
            None if self.sklearn_rule(regression) => Selection::Best {
                part: Part::Train,
                metric: Metric::Loss,
            },
            None => Selection::Last,
        }
    }

    /// The smallest improvement that counts: the one given, else scikit-learn's `tol` under its rule, else 0.
    pub fn resolved_min_delta(&self, regression: bool) -> f64 {
        match self.min_delta {
            Some(d) => d,
            None if self.sklearn_rule(regression) => TRAIN_LOSS_MIN_DELTA,
            None => 0.0,
        }
    }

    /// Rows per step on data of `rows` rows: `auto` is min(200, the training part's rows), the training part
    /// counted as the split counts it; L-BFGS always takes the whole part.
    pub fn resolved_batch_size(&self, data: DataShape) -> Option<usize> {
        if self.optimizer == OptimizerKind::Lbfgs && self.batch_size == BatchSize::Auto {
            return None;
        }
        self.batch_size.resolve(self.train_rows(data))
    }

    /// Early stopping's patience on `data`: as given (0: none), or by default, when the selection reads the
    /// validation part (the validation loss, by default), 10 epochs or 300 optimiser steps
    /// (`PATIENCE_EPOCHS`, `PATIENCE_STEPS`), whichever is longer (a small set takes one step an epoch, and its
    /// validation loss is noisy); under scikit-learn's rule 11 epochs (`SKLEARN_PATIENCE`); else none.
    /// L-BFGS stops by its own tolerance, and has none unless given.
    pub fn resolved_patience(&self, selection: Selection, data: DataShape) -> Option<usize> {
        match (self.patience, selection) {
            (Some(0), _) => None,
            (Some(p), _) => Some(p),
            (_, _) if self.optimizer == OptimizerKind::Lbfgs => None,
            (
                None,
                Selection::Best {
                    part: Part::Validation,
                    ..
                },
            ) => {
                let train_rows = self.train_rows(data).max(1);
                let batch = self.resolved_batch_size(data).unwrap_or(train_rows).max(1);
                let steps_per_epoch = train_rows.div_ceil(batch);
                Some(PATIENCE_EPOCHS.max(PATIENCE_STEPS.div_ceil(steps_per_epoch)))
            }
            (None, _) if self.sklearn_rule(data.regression) => Some(SKLEARN_PATIENCE),
            (None, _) => None,
        }
    }

    /// The rows of the training part of `data`, as the split counts them.
    fn train_rows(&self, data: DataShape) -> usize {
        self.split_spec(data.regression).train_rows(data.rows)
    }

    /// The schedule of the learning rate.
    pub fn schedule(&self) -> Schedule {
        if let Some(p) = self.lr_plateau {
            return Schedule::Plateau {
                factor: p.factor,
                patience: p.patience,
                min_lr: 0.0,
            };
        }
        if self.lr_step.is_empty() {
            return Schedule::Constant;
        }
        Schedule::Steps {
            steps: self.lr_step.iter().map(|s| (s.epoch, s.lr)).collect(),
        }
    }

    /// The rules between settings that hold whatever the data: one schedule of the learning rate, and an
    /// image size only for shifts. ([`Spec::job`] checks them too.)
    pub fn check(&self) -> Result<()> {
        if let (Some(plateau), Some(step)) = (self.lr_plateau, self.lr_step.first()) {
            return Err(Error::setting(
                "lr-plateau",
                plateau,
                format!("conflicts with lr-step {step}: give one schedule of the rate"),
            ));
        }
        if let (Some(image), None) = (self.image, self.shift) {
            return Err(Error::setting(
                "image",
                image,
                "is the image size of shifts: give shift too",
            ));
        }
        Ok(())
    }

    /// The job this spec asks for on data of the given shape: every default resolved, and the settings that
    /// depend on the data checked against it. (The rest are checked when the job starts, by
    /// [`TrainConfig::validate`].)
    pub fn job(&self, data: DataShape) -> Result<JobSpec> {
        self.check()?;
        let selection = self.resolved_selection(data.regression);
        check_selection(selection, data.regression)?;
        match &self.class_weight {
            ClassWeight::None => {}
            _ if data.regression => {
                return Err(Error::setting(
                    "class-weight",
                    &self.class_weight,
                    "weighs samples by their class; the target is numeric and read as regression",
                ));
            }
            ClassWeight::Given(w) if w.len() != data.classes => {
                return Err(Error::setting(
                    "class-weight",
                    &self.class_weight,
                    format!(
                        "needs one weight per class: the data has {} classes",
                        data.classes
                    ),
                ));
            }
            _ => {}
        }
        let mut config = TrainConfig {
            lr: self.resolved_lr(),
            schedule: self.schedule(),
            optimizer: self.resolved_optimizer(),
            batch_size: self.resolved_batch_size(data),
            selection,
            patience: self.resolved_patience(selection, data),
            min_delta: self.resolved_min_delta(data.regression),
            threads: Threads::from_count(self.threads),
            simd: self.simd.0,
            shift: self.resolved_shift(data.features)?,
            ..TrainConfig::default()
        };
        self.plain_into(&mut config);
        Ok(JobSpec {
            hidden: self.hidden.0.clone(),
            output: self.resolved_output(data)?,
            activation: match self.activation {
                Activation::LeakyRelu { .. } => Activation::LeakyRelu {
                    slope: self.leaky_slope,
                },
                other => other,
            },
            config,
            split: self.split_spec(data.regression),
            standardize: self.standardize,
            precision: self.precision,
            // Resolved here, so that the model file names it: a file without one was trained before this
            // default, with the activation's customary rule.
            init: Some(self.init.unwrap_or(Init::XavierUniformBiases)),
        })
    }

    /// The spec of a job (as a model file records it): every setting the job fixes, and the defaults for the
    /// hyper-parameters of the optimisers it does not use.
    pub fn from_job(job: &JobSpec) -> Spec {
        let c = &job.config;
        let mut spec = Spec {
            hidden: Widths(job.hidden.clone()),
            activation: job.activation,
            output: Some(job.output),
            init: job.init,
            lr: Some(c.lr),
            optimizer: OptimizerKind::of(&c.optimizer),
            batch_size: c.batch_size.map_or(BatchSize::Full, BatchSize::Rows),
            shift: c.shift.map(|s| s.max),
            image: c.shift.map(|s| ImageSize {
                height: s.height,
                width: s.width,
            }),
            split: Some(Fractions {
                train: job.split.train,
                validation: job.split.validation,
            }),
            stratify: job.split.stratified,
            select: Some(c.selection),
            patience: Some(c.patience.unwrap_or(0)),
            min_delta: Some(c.min_delta),
            standardize: job.standardize,
            threads: match c.threads {
                Threads::All => 0,
                other => other.count(),
            },
            simd: Simd(c.simd),
            precision: job.precision,
            ..Spec::default()
        };
        spec.plain_from(c);
        if let Activation::LeakyRelu { slope } = job.activation {
            spec.leaky_slope = slope;
        }
        match c.schedule {
            Schedule::Constant => {}
            Schedule::Steps { ref steps } => {
                spec.lr_step = steps
                    .iter()
                    .map(|&(epoch, lr)| LrStep { epoch, lr })
                    .collect();
            }
            Schedule::Plateau {
                factor, patience, ..
            } => spec.lr_plateau = Some(Plateau { factor, patience }),
        }
        match c.optimizer {
            Optimizer::Gd => {}
            Optimizer::Momentum { momentum, .. } => spec.momentum = momentum,
            Optimizer::Adam {
                beta1,
                beta2,
                epsilon,
            } => (spec.beta1, spec.beta2, spec.adam_epsilon) = (beta1, beta2, epsilon),
            Optimizer::AdamW {
                beta1,
                beta2,
                epsilon,
                weight_decay,
            } => {
                (spec.beta1, spec.beta2, spec.adam_epsilon) = (beta1, beta2, epsilon);
                spec.weight_decay = weight_decay;
            }
            Optimizer::Lbfgs { history, tolerance } => {
                (spec.lbfgs_history, spec.tolerance) = (history, tolerance);
            }
        }
        spec
    }

    fn resolved_output(&self, data: DataShape) -> Result<Output> {
        match self.output {
            Some(o) if o.is_regression() != data.regression => Err(Error::setting(
                "output",
                o,
                if data.regression {
                    "the target is numeric and read as regression, which needs the identity output (or the classification task)"
                } else {
                    "the target is read as classes; the identity output is for regression (the regression task)"
                },
            )),
            Some(o) => Ok(o),
            None if data.regression => Ok(Output::Identity),
            None if data.classes == 2 => Ok(Output::Sigmoid),
            None => Ok(Output::Softmax),
        }
    }

    /// The image shifts on images of `features` pixels: the given size, or a square.
    fn resolved_shift(&self, features: usize) -> Result<Option<Shift>> {
        let Some(max) = self.shift else {
            return Ok(None);
        };
        let shift = match self.image {
            Some(ImageSize { height, width }) => Shift { max, height, width },
            None => Shift::square(max, features).ok_or_else(|| {
                Error::setting(
                    "shift",
                    max,
                    format!(
                        "the {features} features are not a square image; give its size with --image HEIGHTxWIDTH"
                    ),
                )
            })?,
        };
        shift
            .check(features)
            .map_err(|e| Error::setting("shift", max, e.to_string()))?;
        Ok(Some(shift))
    }
}

/// A selection rule's metric exists for the task.
fn check_selection(selection: Selection, regression: bool) -> Result<()> {
    let Selection::Best { metric, .. } = selection else {
        return Ok(());
    };
    let why = match (metric, regression) {
        (Metric::Accuracy, true) => "a regression model has no accuracy (use a -loss or -r2 rule)",
        (Metric::F1, true) => "a regression model has no F1 (use a -loss or -r2 rule)",
        (Metric::R2, false) => "R² is for regression; a classifier uses a -loss, -acc or -f1 rule",
        _ => return Ok(()),
    };
    Err(Error::setting("select", selection, why))
}
