//! The checks that a decoded model file's body must pass before anyone uses it, and what the body computes
//! from itself (its L2 penalty).

use super::body::{ModelFile, ResumeState, Status, Training};
use crate::config::Optimizer;
use crate::error::{Inconsistency, WeightSet};
use crate::optimizer::OptimizerState;
use nn_core::{L2, Layer, Network};
use nn_data::{Schema, Standardizer};

/// The longest data or class name a file may hold.
const MAX_NAME: usize = 255;

impl ModelFile {
    /// The penalty the model's cost is reported with: λ over the training part's size (none if unknown).
    pub fn l2(&self) -> L2 {
        match &self.training {
            Some(t) => L2::new(t.run.lambda, t.data.train_samples),
            None => L2::NONE,
        }
    }

    /// The resume state, if the file has one.
    pub fn resume_state(&self) -> Option<&ResumeState> {
        self.training.as_ref().and_then(|t| t.resume.as_ref())
    }

    /// Consistency of the decoded contents: everything a reader of the model relies on.
    pub(super) fn check(&self) -> Result<(), Inconsistency> {
        weights(WeightSet::Model, &self.network)?;
        let arch = self.network.architecture();
        let sd = &self.standardizer;
        if sd.mean().len() != arch.n_input || sd.scale().len() != arch.n_input {
            return Err(Inconsistency::StandardizerWidth {
                means: sd.mean().len(),
                scales: sd.scale().len(),
                inputs: arch.n_input,
            });
        }
        if !sd.mean().iter().chain(sd.scale()).all(|v| v.is_finite())
            || sd.scale().iter().any(|&s| s <= 0.0)
        {
            return Err(Inconsistency::StandardizerValues);
        }
        let scale_width = self.target_scale.as_ref().map(Standardizer::len);
        let scale_ok = self.target_scale.as_ref().is_none_or(|t| {
            t.mean().iter().chain(t.scale()).all(|v| v.is_finite())
                && t.scale().iter().all(|&s| s > 0.0)
        });
        let expected = arch.output.is_regression().then_some(arch.n_outputs);
        if scale_width != expected || !scale_ok {
            return Err(Inconsistency::TargetScale {
                output: arch.output.name(),
                found: scale_width.map_or_else(|| "none".into(), |w| format!("{w} values")),
            });
        }
        let k = self.classes.len();
        if k != arch.classes() || self.classes.names().len() != k {
            return Err(Inconsistency::Classes {
                labels: k,
                names: self.classes.names().len(),
                outputs: arch.classes(),
            });
        }
        for name in self.classes.names() {
            check_name("class name", name)?;
        }
        if let Some(m) = &self.metrics
            && m.epoch != self.epoch
        {
            return Err(Inconsistency::MetricsEpoch {
                metrics: m.epoch,
                weights: self.epoch,
            });
        }
        match (&self.status, &self.training) {
            (Status::Diverged { cause, .. }, _) => check_name("divergence cause", cause)?,
            (Status::InProgress, None) => return Err(Inconsistency::NoTrainingRecord),
            _ => {}
        }
        if let Some(t) = &self.training {
            self.check_training(t)?;
        }
        if let Some(schema) = &self.schema {
            check_schema(schema, arch.n_input)?;
        }
        Ok(())
    }

    fn check_training(&self, t: &Training) -> Result<(), Inconsistency> {
        check_name("data name", &t.data.name)?;
        if t.data.digest.len() != 64 || !t.data.digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Inconsistency::Digest(t.data.digest.chars().count()));
        }
        if t.data.train_samples == 0 {
            return Err(Inconsistency::NoTrainingSamples);
        }
        let inputs = self.network.architecture().n_input;
        if let Some(s) = t.run.shift
            && s.check(inputs).is_err()
        {
            return Err(Inconsistency::Shift {
                max: s.max,
                height: s.height,
                width: s.width,
                inputs,
            });
        }
        let Some(r) = &t.resume else {
            return match self.status {
                Status::Diverged { .. } => Ok(()),
                _ => Err(Inconsistency::NoResumeState),
            };
        };
        if matches!(self.status, Status::Diverged { .. }) {
            return Err(Inconsistency::DivergedWithResumeState);
        }
        let arch = self.network.architecture();
        weights(WeightSet::Current, &r.current)?;
        if r.current.architecture() != arch {
            return Err(Inconsistency::Architecture(WeightSet::Current));
        }
        let p = &r.progress;
        if p.epoch > t.run.epochs {
            return Err(Inconsistency::EpochsDone {
                done: p.epoch,
                planned: t.run.epochs,
            });
        }
        if p.history.len() != p.epoch || p.history.iter().enumerate().any(|(i, h)| h.epoch != i + 1)
        {
            return Err(Inconsistency::History {
                held: p.history.len(),
                done: p.epoch,
            });
        }
        if let Some((best, report)) = &p.best {
            weights(WeightSet::Best, best)?;
            if best.architecture() != arch {
                return Err(Inconsistency::Architecture(WeightSet::Best));
            }
            if report.epoch > p.epoch {
                return Err(Inconsistency::BestAfterLast);
            }
        }
        self.check_optimizer(&p.optimizer, t.run.optimizer)?;
        if !p.schedule.rates_are_sound() {
            return Err(Inconsistency::ScheduleRates);
        }
        Ok(())
    }

    /// The optimiser state belongs to the run's optimiser, has the network's shapes and sound values.
    fn check_optimizer(
        &self,
        state: &OptimizerState<f64>,
        optimizer: Optimizer,
    ) -> Result<(), Inconsistency> {
        let same_shapes = |ls: &[Layer<f64>]| {
            ls.len() == self.network.layers().len()
                && ls.iter().zip(self.network.layers()).all(|(a, b)| {
                    a.weights.shape() == b.weights.shape() && a.bias.len() == b.bias.len()
                })
        };
        let fits = match (state, optimizer) {
            (OptimizerState::Gd, Optimizer::Gd) => true,
            (OptimizerState::Momentum { velocity }, Optimizer::Momentum { .. }) => {
                same_shapes(velocity)
            }
            (
                OptimizerState::Adam { m, v, .. },
                Optimizer::Adam { .. } | Optimizer::AdamW { .. },
            ) => same_shapes(m) && same_shapes(v),
            (
                OptimizerState::Lbfgs {
                    s,
                    y,
                    len,
                    next,
                    gradient,
                    ..
                },
                Optimizer::Lbfgs { history, .. },
            ) => {
                let n = self.network.architecture().parameter_count();
                s.len() == history
                    && y.len() == history
                    && s.iter().chain(y).all(|v| v.len() == n)
                    && *len <= history
                    && *next < history
                    && (gradient.is_empty() || gradient.len() == n)
            }
            (state, opt) => {
                return Err(Inconsistency::OptimizerKind {
                    state: state.name(),
                    run: opt.name(),
                });
            }
        };
        if !fits {
            return Err(Inconsistency::OptimizerShapes);
        }
        let sound = values_are_sound(state);
        if !sound {
            return Err(Inconsistency::OptimizerValues(state.name()));
        }
        Ok(())
    }
}

/// An optimiser state's values are finite, and Adam's second moments (estimates of E[g²]) never negative.
fn values_are_sound(state: &OptimizerState<f64>) -> bool {
    let finite = |ls: &[Layer<f64>]| {
        ls.iter()
            .all(|l| l.weights.all_finite() && l.bias.iter().all(|b| b.is_finite()))
    };
    match state {
        OptimizerState::Gd => true,
        OptimizerState::Lbfgs {
            s,
            y,
            gradient,
            cost,
            ..
        } => {
            (s.iter().chain(y).chain([gradient])).all(|v| v.iter().all(|x| x.is_finite()))
                && cost.is_finite()
        }
        OptimizerState::Momentum { velocity } => finite(velocity),
        OptimizerState::Adam { m, v, .. } => {
            finite(m)
                && finite(v)
                && v.iter().all(|l| {
                    l.bias.iter().all(|&b| b >= 0.0)
                        && (0..l.n_out()).all(|j| l.weights.col(j).iter().all(|&w| w >= 0.0))
                })
        }
    }
}

/// A set of weights with the shapes its architecture says and finite values.
fn weights(set: WeightSet, network: &Network<f64>) -> Result<(), Inconsistency> {
    network
        .validate()
        .map_err(|source| Inconsistency::Weights { set, source })
}

/// A name shown on one line: 1 to [`MAX_NAME`] characters, none of them a control character.
fn check_name(what: &'static str, name: &str) -> Result<(), Inconsistency> {
    let chars = name.chars().count();
    let control = name.chars().any(char::is_control);
    if chars == 0 || chars > MAX_NAME || control {
        return Err(Inconsistency::Name {
            what,
            chars,
            control,
            max: MAX_NAME,
        });
    }
    Ok(())
}

/// A stored schema makes exactly the network's inputs. (Its names and categories are the data's own text,
/// which may hold anything a CSV cell can, so they are not checked like class names.)
fn check_schema(schema: &Schema, inputs: usize) -> Result<(), Inconsistency> {
    if schema.width() != inputs {
        return Err(Inconsistency::SchemaWidth {
            features: schema.width(),
            inputs,
        });
    }
    Ok(())
}
