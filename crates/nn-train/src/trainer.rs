//! [`Trainer`]: the training loop.
//!
//! Per epoch: one full-batch step (the report's), or one step per shuffled mini-batch; then the validation
//! and test parts are evaluated on the updated weights, the deciders judge the epoch, and the observer hears
//! about it. Training metrics are those of the epoch's own forward passes (for full batch: the weights before
//! the epoch's update, as the report's cost function returned J and its gradient together), so no extra pass
//! over the training data is spent on them.
//!
//! Every buffer is allocated before the first epoch: after it, the loop allocates nothing.

mod buffers;
mod lbfgs_step;
mod mini_batch;
mod samples;

use buffers::Buffers;
pub use samples::{Samples, TrainData, Y};

use crate::config::{ClassWeight, ValidConfig};
use crate::epoch::{EpochReport, PartMetrics};
use crate::error::{Result, TrainError, check_loss};
use crate::keys::{Draw, step_key};
use crate::optimizer::OptimizerState;
use crate::progress::Progress;
use crate::report::{StopReason, TrainEvent};
use crate::select::{LrSchedule, Selector};
use nn_core::{Dropout, Evaluation, Gradients, Input, L2, Network, Targets, Workspace};
use nn_linalg::Scalar;
use std::sync::atomic::{AtomicBool, Ordering};

/// The training loop over a network, its configuration and its progress.
#[derive(Clone, Debug)]
pub struct Trainer<T: Scalar = f64> {
    config: ValidConfig,
    net: Network<T>,
    progress: Progress<T>,
}

impl<T: Scalar> Trainer<T> {
    /// A trainer at epoch 0.
    pub fn new(config: ValidConfig, net: Network<T>) -> Self {
        let progress = Progress {
            epoch: 0,
            optimizer: OptimizerState::new(&config.optimizer, &net),
            schedule: LrSchedule::new(config.schedule.clone(), config.lr),
            selector: Selector::new(config.selection, config.patience, config.min_delta),
            best: None,
            history: Vec::new(),
        };
        Trainer {
            config,
            net,
            progress,
        }
    }

    /// A trainer that continues from saved `progress` with the current weights `net`. `config.epochs` is the
    /// total to reach, counting the epochs already done.
    pub fn resume(config: ValidConfig, net: Network<T>, progress: Progress<T>) -> Self {
        Trainer {
            config,
            net,
            progress,
        }
    }

    /// The current weights.
    pub fn network(&self) -> &Network<T> {
        &self.net
    }

    /// The selected weights: the best epoch's (or the current ones before any epoch, or with `last`).
    pub fn selected(&self) -> (&Network<T>, Option<&EpochReport>) {
        match &self.progress.best {
            Some((n, r)) => (n, Some(r)),
            None => (&self.net, None),
        }
    }

    /// The progress so far (what a resume needs besides the weights).
    pub fn progress(&self) -> &Progress<T> {
        &self.progress
    }

    /// The configuration.
    pub fn config(&self) -> &ValidConfig {
        &self.config
    }

    /// Trains until `config.epochs` or early stopping, telling `observer` about each event.
    ///
    /// With several threads the loop runs on a thread of the compute pool (the caller waits), so that its
    /// parallel products allocate nothing; that is why the observer must be `Send`.
    ///
    /// On divergence it returns an error naming the epoch and the layer; the weights selected before it stay
    /// available through [`selected`](Self::selected).
    pub fn run(
        &mut self,
        data: &TrainData<T>,
        observer: &mut (dyn FnMut(&TrainEvent<T>) + Send),
    ) -> Result<()> {
        self.run_until(data, None, observer)
    }

    /// [`run`](Self::run), and if `stop` is set (from another thread, or by the observer), the run ends after
    /// the epoch in progress with [`StopReason::Interrupted`]: its weights, selection and resume state are
    /// those of a run planned to that epoch.
    pub fn run_until(
        &mut self,
        data: &TrainData<T>,
        stop: Option<&AtomicBool>,
        observer: &mut (dyn FnMut(&TrainEvent<T>) + Send),
    ) -> Result<()> {
        let (threads, simd) = (self.config.threads, self.config.simd);
        nn_linalg::simd::pinned(simd, || threads.run(|| self.run_here(data, stop, observer)))
            .map_err(|level| crate::error::bad("simd", level.name(), "a level this CPU has"))?
    }

    fn run_here(
        &mut self,
        data: &TrainData<T>,
        stop: Option<&AtomicBool>,
        observer: &mut (dyn FnMut(&TrainEvent<T>) + Send),
    ) -> Result<()> {
        let mut buf = self.start(data)?;
        let first = self.progress.epoch + 1;
        observer(&TrainEvent::Start {
            first_epoch: first,
            epochs: self.config.epochs,
        });
        for epoch in first..=self.config.epochs {
            let lr = self.progress.schedule.lr_for(epoch);
            let mut converged = None;
            let train = if buf.lbfgs.is_some() {
                let (train, c) = lbfgs_step::iterate(
                    &mut self.net,
                    &self.config.optimizer,
                    &mut self.progress.optimizer,
                    &data.train,
                    &mut buf,
                    lr,
                    epoch,
                )?;
                converged = c;
                train
            } else if buf.full_batch {
                self.full_batch_step(&data.train, &mut buf, lr, epoch)?
            } else {
                self.mini_batch_epoch(&data.train, &mut buf, lr, epoch)?
            };
            self.check_finite(epoch)?;
            let [validation, test] = self.held_out(data, &mut buf)?;
            let report = EpochReport {
                epoch,
                lr,
                train,
                validation,
                test,
            };
            tell_classes(&buf, epoch, observer);
            if self.record(report, observer) {
                break;
            }
            if let Some(c) = converged {
                observer(&TrainEvent::Stopped {
                    epoch,
                    reason: StopReason::Converged(c),
                });
                break;
            }
            if stop.is_some_and(|s| s.load(Ordering::Relaxed)) && epoch < self.config.epochs {
                observer(&TrainEvent::Stopped {
                    epoch,
                    reason: StopReason::Interrupted,
                });
                break;
            }
        }
        observer(&TrainEvent::End {
            selected_epoch: self.progress.selector.best_epoch(),
            epochs_run: self.progress.epoch,
        });
        Ok(())
    }

    /// Checks the data against the network and the settings, and allocates every buffer of the loop.
    fn start(&mut self, data: &TrainData<T>) -> Result<Buffers<T>> {
        for part in std::iter::once(&data.train)
            .chain(&data.validation)
            .chain(&data.test)
        {
            self.net.check_inputs(&part.x, part.y.targets())?;
        }
        if let Some(shift) = self.config.shift {
            shift.check(self.net.architecture().n_input)?;
        }
        let mut buf = Buffers::new(self.net.architecture(), &self.config, data);
        if let Some(labels) = data.train.y.labels() {
            let weights =
                (self.config.class_weight).weights(labels, self.net.architecture().classes());
            buf.ws.weigh_classes(&weights)?;
            if let Some(ws) = &mut buf.ws_val {
                ws.weigh_classes(&weights)?;
            }
        } else if self.config.class_weight != ClassWeight::None {
            return Err(crate::error::bad(
                "class_weight",
                &self.config.class_weight,
                "needs classes, not values",
            ));
        }
        if self.progress.best.is_none() {
            self.progress.best = Some((self.net.clone(), EpochReport::default()));
        }
        let remaining = self.config.epochs.saturating_sub(self.progress.epoch);
        self.progress.history.reserve(remaining);
        Ok(buf)
    }

    /// The report's step: one gradient over the whole training part, then one update. The metrics are those
    /// of the weights before the update (the report's cost function returned J with its gradient).
    fn full_batch_step(
        &mut self,
        train: &Samples<T>,
        buf: &mut Buffers<T>,
        lr: f64,
        epoch: usize,
    ) -> Result<PartMetrics> {
        let x = Input::new(&train.x, buf.packed.as_ref());
        let y = train.y.targets();
        let eval = self.step(x, y, &mut buf.ws, &mut buf.grads, buf.l2, lr, (epoch, 0))?;
        Ok(PartMetrics::new(eval, buf.spread[0], buf.ws.class_counts()))
    }

    /// One optimiser step on `(x, y)`: the gradient (and the metrics of the weights before the step), a
    /// check that the loss is finite, then the update. `(epoch, step)` places the step in the run: with
    /// dropout, it picks the masks ([`step_key`]).
    #[allow(clippy::too_many_arguments)] // the loop's buffers, borrowed apart
    fn step(
        &mut self,
        x: Input<'_, T>,
        y: Targets<'_, T>,
        ws: &mut Workspace<T>,
        grads: &mut Gradients<T>,
        l2: L2,
        lr: f64,
        (epoch, step): (usize, usize),
    ) -> Result<Evaluation> {
        let dropout = (self.config.dropout > 0.0).then(|| Dropout {
            p: self.config.dropout,
            key: step_key(Draw::Dropout, self.config.seed, epoch, step),
        });
        let eval = self.net.gradient_with(x, y, l2, ws, grads, dropout)?;
        check_loss(eval.loss, epoch)?;
        self.progress
            .optimizer
            .step(&self.config.optimizer, &mut self.net, grads, lr);
        Ok(eval)
    }

    /// Divergence: a weight that is no longer finite, named by its layer.
    fn check_finite(&self, epoch: usize) -> Result<()> {
        for l in 0..self.net.layers().len() {
            self.net
                .check_layer_finite(l)
                .map_err(|e| TrainError::Diverged {
                    epoch,
                    what: e.to_string(),
                })?;
        }
        Ok(())
    }

    /// The metrics of the current weights on the validation and the test part, in that order (`None` for a
    /// part the run does not have).
    fn held_out(
        &self,
        data: &TrainData<T>,
        buf: &mut Buffers<T>,
    ) -> Result<[Option<PartMetrics>; 2]> {
        let parts = [
            (data.validation.as_ref(), buf.ws_val.as_mut(), buf.spread[1]),
            (data.test.as_ref(), buf.ws_test.as_mut(), buf.spread[2]),
        ];
        let mut metrics = [None, None];
        for ((part, ws, spread), slot) in parts.into_iter().zip(&mut metrics) {
            if let (Some(p), Some(ws)) = (part, ws) {
                let eval = self
                    .net
                    .evaluate_in_blocks(&p.x, p.y.targets(), buf.l2, ws)?;
                *slot = Some(PartMetrics::new(eval, spread, ws.class_counts()));
            }
        }
        Ok(metrics)
    }

    /// Books an epoch: history, schedule, selection (copying the weights on a new best), and the events, in
    /// the order observers rely on: (`Classes`, emitted by the caller), `Epoch`, `NewBest`, `Snapshot`,
    /// `Stopped`. Returns whether to stop.
    fn record(
        &mut self,
        report: EpochReport,
        observer: &mut (dyn FnMut(&TrainEvent<T>) + Send),
    ) -> bool {
        self.progress.history.push(report);
        self.progress
            .schedule
            .observe(report.validation.map_or(report.train.loss, |v| v.loss));
        let decision = self.progress.selector.observe(&report);
        self.progress.epoch = report.epoch;
        observer(&TrainEvent::Epoch(&report));
        if decision.is_best
            && let Some((best, best_report)) = self.progress.best.as_mut()
        {
            best.copy_params_from(&self.net);
            *best_report = report;
            observer(&TrainEvent::NewBest {
                report: &report,
                network: Some(best),
            });
        }
        observer(&TrainEvent::Snapshot {
            network: &self.net,
            progress: &self.progress,
        });
        if decision.stop {
            observer(&TrainEvent::Stopped {
                epoch: report.epoch,
                reason: StopReason::EarlyStopping {
                    patience: self.config.patience.unwrap_or(0),
                },
            });
        }
        decision.stop
    }
}

/// A classifier's per-class counts of the epoch's passes (a regression's count nothing).
fn tell_classes<T: Scalar>(
    buf: &Buffers<T>,
    epoch: usize,
    observer: &mut (dyn FnMut(&TrainEvent<T>) + Send),
) {
    if !buf.ws.class_counts().is_empty() {
        let train_counts = if buf.full_batch || buf.lbfgs.is_some() {
            buf.ws.class_counts()
        } else {
            &buf.counts
        };
        observer(&TrainEvent::Classes {
            epoch,
            train: train_counts,
            validation: buf.ws_val.as_ref().map(|w| w.class_counts()),
            test: buf.ws_test.as_ref().map(|w| w.class_counts()),
        });
    }
}

#[cfg(test)]
mod tests;
