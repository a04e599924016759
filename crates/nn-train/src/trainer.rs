//! [`Trainer`]: the training loop.
//!
//! Per epoch: one full-batch step (the report's), or one step per shuffled mini-batch; then the validation
//! and test parts are evaluated on the updated weights, the deciders judge the epoch, and the observer hears
//! about it. Training metrics are those of the epoch's own forward passes (for full batch: the weights before
//! the epoch's update, as the report's cost function returned J and its gradient together), so no extra pass
//! over the training data is spent on them.
//!
//! Every buffer is allocated before the first epoch: after it, the loop allocates nothing.

use crate::augment::Shifter;
use crate::config::{ClassWeight, Optimizer, ValidConfig};
use crate::error::{Result, TrainError};
use crate::keys::{Draw, shuffle_seed, step_key};
use crate::lbfgs::{self, Convergence, Pairs};
use crate::optimizer::OptimizerState;
use crate::progress::Progress;
use crate::report::{EpochReport, PartMetrics, StopReason, TrainEvent};
use crate::select::{LrSchedule, Selector};
use nn_core::{
    Architecture, Dropout, Evaluation, Gradients, Input, L2, Network, Targets, Workspace,
};
use nn_data::Standardizer;
use nn_linalg::{Matrix, Packed, Scalar};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use std::sync::atomic::{AtomicBool, Ordering};

/// Samples and their targets.
#[derive(Clone, Debug, PartialEq)]
pub struct Samples<T: Scalar = f64> {
    /// `m × n` features (already standardised if wanted).
    pub x: Matrix<T>,
    /// What the network learns to predict for each row.
    pub y: Y<T>,
}

/// The targets of `m` samples, owned: class indices, or (regression) `m × k` values, column-major and
/// already standardised if wanted.
#[derive(Clone, Debug, PartialEq)]
pub enum Y<T: Scalar = f64> {
    /// `m` class indices.
    Classes(Vec<usize>),
    /// `m·k` values, column-major.
    Values(Vec<T>),
}

impl<T: Scalar> Y<T> {
    /// Borrowed, as the network takes them.
    pub fn targets(&self) -> Targets<'_, T> {
        match self {
            Y::Classes(c) => Targets::Classes(c),
            Y::Values(v) => Targets::Values(v),
        }
    }

    /// The class indices (`None` for regression).
    pub fn labels(&self) -> Option<&[usize]> {
        match self {
            Y::Classes(c) => Some(c),
            Y::Values(_) => None,
        }
    }

    /// In precision `U`.
    pub fn cast<U: Scalar>(&self) -> Y<U> {
        match self {
            Y::Classes(c) => Y::Classes(c.clone()),
            Y::Values(v) => Y::Values(v.iter().map(|&t| U::from_f64(t.to_f64())).collect()),
        }
    }
}

impl<T: Scalar> Samples<T> {
    /// Samples with class labels.
    pub fn classes(x: Matrix<T>, labels: Vec<usize>) -> Self {
        Samples {
            x,
            y: Y::Classes(labels),
        }
    }

    /// The mean over samples of Σⱼ (yⱼ − ȳⱼ)² (regression; `None` for classes): the loss ½‖z − y‖² of
    /// predicting every output's mean, times 2. R² = 1 − 2·loss / this.
    pub fn target_spread(&self) -> Option<f64> {
        let Y::Values(v) = &self.y else {
            return None;
        };
        let m = self.x.rows();
        if m == 0 {
            return Some(0.0);
        }
        let mut total = 0.0;
        for column in v.chunks(m) {
            let mean = column.iter().map(|t| t.to_f64()).sum::<f64>() / m as f64;
            total += column
                .iter()
                .map(|t| (t.to_f64() - mean).powi(2))
                .sum::<f64>();
        }
        Some(total / m as f64)
    }
}

/// The parts a run trains and reports on.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainData<T: Scalar = f64> {
    /// What the optimiser sees.
    pub train: Samples<T>,
    /// For model selection and early stopping.
    pub validation: Option<Samples<T>>,
    /// For reporting (and for the report's test-set selection).
    pub test: Option<Samples<T>>,
    /// How the features were standardised (`None`: they are in the file's units). Image shifts
    /// ([`TrainConfig::shift`](crate::TrainConfig::shift)) move pixels in the file's units.
    pub scaling: Option<Standardizer>,
}

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
            .map_err(|level| crate::config::bad("simd", level.name(), "a level this CPU has"))?
    }

    fn run_here(
        &mut self,
        data: &TrainData<T>,
        stop: Option<&AtomicBool>,
        observer: &mut (dyn FnMut(&TrainEvent<T>) + Send),
    ) -> Result<()> {
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
            return Err(crate::config::bad(
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

        let first = self.progress.epoch + 1;
        observer(&TrainEvent::Start {
            first_epoch: first,
            epochs: self.config.epochs,
        });
        for epoch in first..=self.config.epochs {
            let lr = self.progress.schedule.lr_for(epoch);
            let mut converged = None;
            let train = if buf.lbfgs.is_some() {
                let (train, c) = self.lbfgs_iteration(&data.train, &mut buf, lr, epoch)?;
                converged = c;
                train
            } else if buf.full_batch {
                self.full_batch_step(&data.train, &mut buf, lr, epoch)?
            } else {
                self.mini_batch_epoch(&data.train, &mut buf, lr, epoch)?
            };
            self.check_finite(epoch)?;
            let report = EpochReport {
                epoch,
                lr,
                train,
                validation: self.evaluate(
                    data.validation.as_ref(),
                    buf.ws_val.as_mut(),
                    buf.l2,
                    buf.spread[1],
                )?,
                test: self.evaluate(
                    data.test.as_ref(),
                    buf.ws_test.as_mut(),
                    buf.l2,
                    buf.spread[2],
                )?,
            };
            // A classifier's passes count per class (a regression's count nothing).
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

    /// One L-BFGS iteration ([`crate::lbfgs`]): the direction from the remembered pairs, a line search from
    /// step `lr`, the new pair. The metrics are those of the accepted weights (the line search evaluated them).
    fn lbfgs_iteration(
        &mut self,
        train: &Samples<T>,
        buf: &mut Buffers<T>,
        lr: f64,
        epoch: usize,
    ) -> Result<(PartMetrics, Option<Convergence>)> {
        let Optimizer::Lbfgs { tolerance, .. } = self.config.optimizer else {
            unreachable!("L-BFGS buffers exist for an L-BFGS run only");
        };
        let Some(scratch) = buf.lbfgs.as_mut() else {
            unreachable!("checked by the caller");
        };
        let OptimizerState::Lbfgs {
            s,
            y,
            len,
            next,
            gradient,
            cost,
        } = &mut self.progress.optimizer
        else {
            unreachable!("an L-BFGS run has L-BFGS state");
        };
        let x = Input::new(&train.x, buf.packed.as_ref());
        let targets = train.y.targets();
        if gradient.is_empty() {
            let eval = self
                .net
                .gradient_with(x, targets, buf.l2, &mut buf.ws, &mut buf.grads)?;
            check_loss(eval.loss, epoch)?;
            gradient.resize(scratch.theta.len(), T::ZERO);
            lbfgs::read_grads(&buf.grads, gradient);
            *cost = eval.cost();
        }
        let pairs = Pairs {
            s,
            y,
            len: *len,
            next: *next,
        };
        pairs.direction(gradient, &mut scratch.d, &mut scratch.alpha);
        let mut slope = lbfgs::dot(&scratch.d, gradient);
        if slope >= 0.0 || slope.is_nan() {
            // Not a descent direction (the pairs no longer describe the curvature): forget them.
            *len = 0;
            let empty = Pairs {
                s,
                y,
                len: 0,
                next: *next,
            };
            empty.direction(gradient, &mut scratch.d, &mut scratch.alpha);
            slope = lbfgs::dot(&scratch.d, gradient);
        }
        lbfgs::read_params(&self.net, &mut scratch.theta);
        let mut step = lr;
        let mut accepted = None;
        for _ in 0..lbfgs::MAX_HALVINGS {
            let t = T::from_f64(step);
            for ((p, &t0), &d) in scratch.trial.iter_mut().zip(&scratch.theta).zip(&scratch.d) {
                *p = t0 + t * d;
            }
            lbfgs::write_params(&mut self.net, &scratch.trial);
            let eval = self
                .net
                .gradient_with(x, targets, buf.l2, &mut buf.ws, &mut buf.grads)?;
            lbfgs::read_grads(&buf.grads, &mut scratch.g_new);
            let trial_slope = lbfgs::dot(&scratch.g_new, &scratch.d);
            if lbfgs::accept(*cost, eval.cost(), step, slope, trial_slope) {
                accepted = Some(eval);
                break;
            }
            step *= 0.5;
        }
        let Some(eval) = accepted else {
            // Back to the last accepted weights, and their metrics.
            lbfgs::write_params(&mut self.net, &scratch.theta);
            let eval = self
                .net
                .evaluate_with(&train.x, targets, buf.l2, &mut buf.ws)?;
            let counts = buf.ws.class_counts();
            return Ok((
                PartMetrics::new(eval, buf.spread[0], counts),
                Some(Convergence::NoDecrease),
            ));
        };
        // The new pair: s = θ₊ − θ, y = ∇J₊ − ∇J (kept if sᵀy > 0, which keeps H positive definite).
        let slot = *next;
        for ((sv, &p), &t0) in s[slot].iter_mut().zip(&scratch.trial).zip(&scratch.theta) {
            *sv = p - t0;
        }
        for ((yv, &g1), &g0) in y[slot].iter_mut().zip(&scratch.g_new).zip(gradient.iter()) {
            *yv = g1 - g0;
        }
        let (sy, yy) = (
            lbfgs::dot(&s[slot], &y[slot]),
            lbfgs::dot(&y[slot], &y[slot]),
        );
        if sy > 1e-10 * yy && sy.is_finite() {
            *next = (slot + 1) % s.len();
            *len = (*len + 1).min(s.len());
        }
        gradient.copy_from_slice(&scratch.g_new);
        *cost = eval.cost();
        let largest = gradient.iter().fold(0.0f64, |m, g| m.max(g.to_f64().abs()));
        let converged = (largest <= tolerance).then_some(Convergence::Gradient);
        let metrics = PartMetrics::new(eval, buf.spread[0], buf.ws.class_counts());
        Ok((metrics, converged))
    }

    /// One pass over the training part in mini-batches, in an order shuffled from (seed, epoch) alone, so that
    /// a resumed run shuffles as an uninterrupted one. The metrics average the batches' own passes.
    fn mini_batch_epoch(
        &mut self,
        train: &Samples<T>,
        buf: &mut Buffers<T>,
        lr: f64,
        epoch: usize,
    ) -> Result<PartMetrics> {
        let m = train.x.rows();
        buf.order.clear();
        buf.order.extend(0..m);
        if self.config.shuffle {
            buf.order
                .shuffle(&mut ChaCha8Rng::seed_from_u64(shuffle_seed(
                    self.config.seed,
                    epoch,
                )));
        }
        let mut sum = PartMetrics::default();
        let (mut loss_sum, mut cost_sum, mut abs_sum) = (0.0, 0.0, 0.0);
        buf.counts.fill([0; 3]);
        let (batch, block) = (buf.batch, buf.block);
        let steps = buf
            .order
            .chunks(block)
            .flat_map(|rows| rows.chunks(batch).enumerate());
        for (step, (k, chunk)) in steps.enumerate() {
            // Gathering shuffled rows from the column-major X touches a new cache line for every value
            // (18% of a digits run in `perf`). So the samples are read from a transposed copy, one
            // contiguous run each; or, for data too large to copy, a block of batches at a time, column by
            // column, so that each column's random reads stay within a column the cache holds.
            if let Some(xt) = &buf.xt {
                xt.gather_cols_as_rows_into(chunk, &mut buf.xb);
            } else {
                if k == 0 {
                    let start = step * batch;
                    let rows = &buf.order[start..(start + block).min(m)];
                    train.x.gather_rows_into(rows, &mut buf.xblock);
                }
                buf.xblock
                    .copy_rows_into(k * batch, chunk.len(), &mut buf.xb);
            }
            if let Some(shifter) = &mut buf.shifter {
                shifter.apply(
                    &mut buf.xb,
                    step_key(Draw::Shifts, self.config.seed, epoch, step),
                );
            }
            let y = match &train.y {
                Y::Classes(labels) => {
                    buf.yb.clear();
                    buf.yb.extend(chunk.iter().map(|&i| labels[i]));
                    Targets::Classes(&buf.yb)
                }
                Y::Values(values) => {
                    buf.vb.clear();
                    for column in values.chunks(m) {
                        buf.vb.extend(chunk.iter().map(|&i| column[i]));
                    }
                    Targets::Values(&buf.vb)
                }
            };
            let at = (epoch, step);
            let x = Input::from(&buf.xb);
            let eval = self.step(x, y, &mut buf.ws, &mut buf.grads, buf.l2, lr, at)?;
            loss_sum += eval.loss * chunk.len() as f64;
            cost_sum += eval.cost() * chunk.len() as f64;
            abs_sum += eval.abs_error * chunk.len() as f64;
            sum.correct += eval.correct;
            for (total, batch) in buf.counts.iter_mut().zip(buf.ws.class_counts()) {
                for (t, b) in total.iter_mut().zip(batch) {
                    *t += b;
                }
            }
        }
        sum.total = m;
        sum.loss = loss_sum / m as f64;
        sum.cost = cost_sum / m as f64;
        sum.accuracy = sum.correct as f64 / m as f64;
        sum.r2 = buf.spread[0].map(|spread| r_squared(sum.loss, spread));
        sum.mae = buf.spread[0].map(|_| abs_sum / m as f64);
        sum.f1 = (!buf.counts.is_empty()).then(|| crate::metrics::macro_f1(&buf.counts));
        Ok(sum)
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
        let eval = if self.config.dropout > 0.0 {
            let dropout = Dropout {
                p: self.config.dropout,
                key: step_key(Draw::Dropout, self.config.seed, epoch, step),
            };
            self.net
                .gradient_with_dropout(x, y, l2, ws, grads, dropout)?
        } else {
            self.net.gradient_with(x, y, l2, ws, grads)?
        };
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

    /// The metrics of the current weights on `part`, if the run has that part.
    fn evaluate(
        &self,
        part: Option<&Samples<T>>,
        ws: Option<&mut Workspace<T>>,
        l2: L2,
        spread: Option<f64>,
    ) -> Result<Option<PartMetrics>> {
        match (part, ws) {
            (Some(p), Some(ws)) => {
                let eval = self.net.evaluate_in_blocks(&p.x, p.y.targets(), l2, ws)?;
                Ok(Some(PartMetrics::new(eval, spread, ws.class_counts())))
            }
            _ => Ok(None),
        }
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

/// Every buffer of the loop, allocated before the first epoch.
struct Buffers<T: Scalar> {
    /// Samples per step (the training part's size for full batch).
    batch: usize,
    full_batch: bool,
    /// One objective for every batch size and every part: λ over the training part's m samples.
    l2: L2,
    ws: Workspace<T>,
    grads: Gradients<T>,
    ws_val: Option<Workspace<T>>,
    ws_test: Option<Workspace<T>>,
    /// Mini-batches only: the shuffled order, and the batch's rows and labels (or values).
    order: Vec<usize>,
    xb: Matrix<T>,
    /// Full batch only: the training features packed for the first layer's forward product, when at most
    /// [`MAX_COPY_BYTES`].
    packed: Option<Packed<T>>,
    /// Mini-batches only: the training features transposed (a sample per column), when at most
    /// [`MAX_COPY_BYTES`].
    xt: Option<Matrix<T>>,
    /// Mini-batches of larger data: rows gathered at a time (a multiple of `batch`), and their copy.
    block: usize,
    xblock: Matrix<T>,
    yb: Vec<usize>,
    vb: Vec<T>,
    /// [`Samples::target_spread`] of the training, validation and test parts (regression only).
    spread: [Option<f64>; 3],
    /// Mini-batches of a classifier: the epoch's per-class counts, summed over its batches.
    counts: Vec<[usize; 3]>,
    /// L-BFGS only.
    lbfgs: Option<LbfgsScratch<T>>,
    /// With image shifts (which need the mini-batch path, even for one batch of every sample).
    shifter: Option<Shifter<T>>,
}

/// L-BFGS's working vectors, one entry per parameter (and one scalar per pair).
struct LbfgsScratch<T> {
    /// The weights before the line search.
    theta: Vec<T>,
    /// The trial weights.
    trial: Vec<T>,
    /// The search direction.
    d: Vec<T>,
    /// The gradient at the accepted weights.
    g_new: Vec<T>,
    /// The two-loop recursion's αₖ.
    alpha: Vec<f64>,
}

impl<T: Scalar> Buffers<T> {
    fn new(arch: &Architecture, cfg: &ValidConfig, data: &TrainData<T>) -> Self {
        let m = data.train.x.rows();
        let batch = cfg.batch_size.unwrap_or(m).min(m);
        // Shifted images are a copy: the full batch then goes through the mini-batch path, one batch of m.
        let full_batch = batch == m && cfg.shift.is_none();
        let workspace = |rows| Workspace::<T>::new(arch, rows, cfg.threads);
        // The validation and test parts are only evaluated: no δ buffers, which are as large as the activations,
        // and room for one block of rows (`Network::evaluate_in_blocks`).
        let evaluation = |rows: usize| {
            Workspace::<T>::for_evaluation(arch, rows.min(nn_core::EVALUATION_BLOCK), cfg.threads)
        };
        let block = gather_block(batch, m, arch.n_input * size_of::<T>());
        let copy = m * arch.n_input * size_of::<T>() <= MAX_COPY_BYTES;
        let xt = (!full_batch && copy).then(|| data.train.x.transpose());
        let packed = (full_batch && copy).then(|| Packed::new(&data.train.x));
        let xblock = if full_batch || xt.is_some() {
            Matrix::zeros(0, 0)
        } else {
            Matrix::zeros(block.min(m), arch.n_input)
        };
        let (order, xb, yb, vb) = if full_batch {
            (Vec::new(), Matrix::zeros(0, 0), Vec::new(), Vec::new())
        } else {
            let values = if arch.output.is_regression() {
                batch * arch.n_outputs
            } else {
                0
            };
            (
                Vec::with_capacity(m),
                Matrix::zeros(batch, arch.n_input),
                Vec::with_capacity(batch),
                Vec::with_capacity(values),
            )
        };
        let spread = |part: Option<&Samples<T>>| part.and_then(Samples::target_spread);
        Buffers {
            batch,
            full_batch,
            l2: L2::new(cfg.lambda, m),
            ws: workspace(batch),
            grads: Gradients::<T>::zeros(arch),
            ws_val: (data.validation.as_ref()).map(|v| evaluation(v.x.rows())),
            ws_test: (data.test.as_ref()).map(|t| evaluation(t.x.rows())),
            order,
            xb,
            packed,
            xt,
            block,
            xblock,
            yb,
            vb,
            spread: [
                spread(Some(&data.train)),
                spread(data.validation.as_ref()),
                spread(data.test.as_ref()),
            ],
            counts: if arch.output.is_regression() {
                Vec::new()
            } else {
                vec![[0; 3]; arch.classes()]
            },
            lbfgs: match cfg.optimizer {
                Optimizer::Lbfgs { history, .. } => {
                    let n = arch.parameter_count();
                    Some(LbfgsScratch {
                        theta: vec![T::ZERO; n],
                        trial: vec![T::ZERO; n],
                        d: vec![T::ZERO; n],
                        g_new: vec![T::ZERO; n],
                        alpha: vec![0.0; history],
                    })
                }
                _ => None,
            },
            shifter: cfg
                .shift
                .map(|shift| Shifter::new(shift, data.scaling.as_ref(), &data.train.x)),
        }
    }
}

/// The largest training part (in bytes) of which training keeps a second copy: transposed for mini-batches,
/// packed for a full batch.
const MAX_COPY_BYTES: usize = 512 << 20;

/// Rows a mini-batch epoch gathers at a time: as many whole batches as fit in 16 MiB of `row_bytes`-byte
/// rows (at least one batch; the whole epoch when it fits).
fn gather_block(batch: usize, m: usize, row_bytes: usize) -> usize {
    const GATHER_BYTES: usize = 16 << 20;
    let batches = (GATHER_BYTES / row_bytes.max(1) / batch.max(1)).max(1);
    (batches * batch).min(m.div_ceil(batch.max(1)) * batch)
}

/// R² = 1 − SSE/SST from the loss ½·SSE/m and the spread SST/m (0 spread: no variance to explain, 0).
pub(crate) fn r_squared(loss: f64, spread: f64) -> f64 {
    if spread > 0.0 {
        1.0 - 2.0 * loss / spread
    } else {
        0.0
    }
}

fn check_loss(loss: f64, epoch: usize) -> Result<()> {
    if loss.is_finite() {
        Ok(())
    } else {
        Err(TrainError::Diverged {
            epoch,
            what: format!("the training loss is {loss}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Shift, TrainConfig};
    use nn_core::Output;

    #[test]
    fn gather_blocks_are_whole_batches_within_the_budget() {
        // The digits (3000 × 400 f64 = 9.6 MB): the whole epoch in one block of 47 batches.
        assert_eq!(gather_block(64, 3000, 400 * 8), 47 * 64);
        // 60,000 × 784 f32: 16 MiB / 3136 B = 5349 rows, 83 batches of 64.
        assert_eq!(gather_block(64, 60_000, 784 * 4), 83 * 64);
        // Rows wider than the budget: one batch at a time.
        assert_eq!(gather_block(64, 1000, 1 << 20), 64);
    }

    /// An epoch gathered batch by batch, two batches at a time, all at once, or from the transposed copy
    /// moves the weights alike.
    #[test]
    fn every_gather_block_gives_the_same_bits() {
        let x = Matrix::from_fn(100, 9, |i, j| ((i * 7 + j * 5) % 13) as f64 / 13.0 - 0.4);
        let data = TrainData {
            train: Samples::classes(x, (0..100).map(|i| i % 3).collect()),
            validation: None,
            test: None,
            scaling: None,
        };
        let shift = Shift {
            max: 1,
            height: 3,
            width: 3,
        };
        let config = TrainConfig {
            epochs: 2,
            lr: 0.01,
            optimizer: Optimizer::ADAM,
            batch_size: Some(16),
            dropout: 0.2,
            shift: Some(shift),
            selection: crate::Selection::Last,
            ..TrainConfig::default()
        }
        .validate(100, false, false)
        .unwrap();
        // `None`: the transposed copy (small data); `Some(rows)`: gathered from X that many rows at a time.
        let weights = |block: Option<usize>| {
            let net = Network::<f64>::xavier(9, &[6], 3, Output::Softmax, 4).unwrap();
            let mut t = Trainer::new(config.clone(), net);
            let mut buf = Buffers::new(t.net.architecture(), &t.config, &data);
            assert!(buf.xt.is_some(), "small data: the transposed copy");
            if let Some(rows) = block {
                buf.xt = None;
                buf.block = rows;
                buf.xblock = Matrix::zeros(rows, 9);
            }
            for epoch in 1..=2 {
                t.mini_batch_epoch(&data.train, &mut buf, 0.01, epoch)
                    .unwrap();
            }
            t.net.unrolled_theta()
        };
        let transposed = weights(None);
        assert_eq!(weights(Some(16)), transposed, "batch by batch");
        assert_eq!(weights(Some(112)), transposed, "the whole epoch at once");
        assert_eq!(weights(Some(32)), transposed, "two batches at a time");
    }
}
