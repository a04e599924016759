//! Text output: progress while training, the summary after it, and metrics as CSV.

use indicatif::{ProgressBar, ProgressStyle};
use nn_linalg::Scalar;
use nn_train::{Checkpoint, EpochReport, TrainEvent};
use std::path::Path;
use std::time::{Duration, Instant};

/// Renders training events: a progress bar on a terminal, a line every N epochs otherwise, nothing if quiet.
pub struct Progress {
    quiet: bool,
    tty: bool,
    log_every: Option<usize>,
    bar: Option<ProgressBar>,
    every: usize,
    best: usize,
    last_draw: Option<Instant>,
}

impl Progress {
    /// `log_every` overrides the line interval when not on a terminal.
    pub fn new(quiet: bool, tty: bool, log_every: Option<usize>) -> Self {
        Progress {
            quiet,
            tty,
            log_every,
            bar: None,
            every: 1,
            best: 0,
            last_draw: None,
        }
    }

    /// Handles one event.
    pub fn event<T: Scalar>(&mut self, e: &TrainEvent<T>) {
        if self.quiet {
            return;
        }
        match e {
            TrainEvent::Start {
                first_epoch,
                epochs,
            } => {
                self.every = self.log_every.unwrap_or((epochs / 20).max(1)).max(1);
                if self.tty {
                    let bar = ProgressBar::new(*epochs as u64);
                    bar.set_style(
                        ProgressStyle::with_template(
                            "{bar:30.cyan/blue} {pos}/{len} epochs  {msg}  [{elapsed} < {eta}]",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    bar.set_position(*first_epoch as u64 - 1);
                    self.bar = Some(bar);
                } else if *first_epoch > 1 {
                    eprintln!("resuming at epoch {first_epoch} of {epochs}");
                }
            }
            TrainEvent::Epoch(r) => {
                if let Some(bar) = &self.bar {
                    bar.set_position(r.epoch as u64);
                    // Redraw the message at most ten times a second: formatting is not free.
                    if self
                        .last_draw
                        .is_none_or(|t| t.elapsed() > Duration::from_millis(100))
                    {
                        bar.set_message(line(r, self.best));
                        self.last_draw = Some(Instant::now());
                    }
                } else if r.epoch % self.every == 0 || r.epoch == 1 {
                    eprintln!("epoch {:>6}  {}", r.epoch, line(r, self.best));
                }
            }
            TrainEvent::NewBest { report, .. } => self.best = report.epoch,
            TrainEvent::Stopped { epoch, reason } => {
                let why = match reason {
                    nn_train::StopReason::EarlyStopping { patience } => {
                        format!("{patience} epochs without improvement (--patience)")
                    }
                    nn_train::StopReason::Converged(c) => {
                        format!("L-BFGS converged: {}", c.describe())
                    }
                };
                self.suspend(|| eprintln!("stopped after epoch {epoch}: {why}"));
            }
            TrainEvent::Snapshot { .. } | TrainEvent::End { .. } => {}
        }
    }

    fn suspend(&self, f: impl FnOnce()) {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Clears the bar.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn line(r: &EpochReport, best: usize) -> String {
    if r.train.r2.is_some() {
        let mut s = format!(
            "loss {:.4} R² {:.4}",
            r.train.loss,
            r.train.r2.unwrap_or(0.0)
        );
        for (name, p) in [("val", &r.validation), ("test", &r.test)] {
            if let Some(p) = p {
                s.push_str(&format!(
                    " | {name} {:.4} R² {:.4}",
                    p.loss,
                    p.r2.unwrap_or(0.0)
                ));
            }
        }
        s.push_str(&format!(" | best epoch {best}"));
        return s;
    }
    let mut s = format!(
        "loss {:.4} acc {:5.1}%",
        r.train.loss,
        100.0 * r.train.accuracy
    );
    if let Some(v) = &r.validation {
        s.push_str(&format!(" | val {:.4} {:5.1}%", v.loss, 100.0 * v.accuracy));
    }
    if let Some(t) = &r.test {
        s.push_str(&format!(
            " | test {:.4} {:5.1}%",
            t.loss,
            100.0 * t.accuracy
        ));
    }
    s.push_str(&format!(" | best epoch {best}"));
    s
}

/// What was trained, what was selected, and where it went.
pub fn summary(c: &Checkpoint, path: &Path, elapsed: Duration) -> String {
    let selection = c.training.as_ref().map(|t| t.run.selection);
    let mut s = format!(
        "trained {} in {:.2?}; selected epoch {} by {}{}\n",
        c.network.architecture().describe(),
        elapsed,
        c.epoch,
        selection.map_or("hand".into(), |sel| sel.name()),
        if selection.is_some_and(|sel| sel.uses_test_set()) {
            " (TEST-SET SELECTION: the test figures below are optimistic)"
        } else {
            ""
        }
    );
    let target_scale = c.target_scale.as_ref().map(|t| t.scale()[0]);
    if let (Some(m), Some(sigma)) = (&c.metrics, target_scale) {
        for (name, p) in [
            ("train", Some(&m.train)),
            ("validation", m.validation.as_ref()),
            ("test", m.test.as_ref()),
        ] {
            if let Some(p) = p {
                s.push_str(&format!(
                    "  {name:<10} MSE {:.6}  MAE {:.6}  R² {:.4}  ({} samples; errors in the target's units)\n",
                    p.mse() * sigma * sigma,
                    p.mae.unwrap_or(0.0) * sigma,
                    p.r2.unwrap_or(0.0),
                    p.total
                ));
            }
        }
    } else if let Some(m) = &c.metrics {
        let mut part = |name: &str, p: Option<&nn_train::PartMetrics>| {
            if let Some(p) = p {
                let (lo, hi) = nn_train::metrics::wilson_interval(p.correct, p.total);
                s.push_str(&format!(
                    "  {name:<10} loss {:.4}  accuracy {:6.2}% ({}/{}, 95% CI {:.1}–{:.1}%)\n",
                    p.loss,
                    100.0 * p.accuracy,
                    p.correct,
                    p.total,
                    100.0 * lo,
                    100.0 * hi
                ));
            }
        };
        part("train", Some(&m.train));
        part("validation", m.validation.as_ref());
        part("test", m.test.as_ref());
    }
    s.push_str(&format!(
        "model written to {} ({})\n",
        path.display(),
        match target_scale {
            Some(_) => format!("predicts '{}'", c.classes.name(0)),
            None => format!("labels: {}", c.classes.describe()),
        }
    ));
    s
}

/// Every epoch as CSV: epoch, lr, then loss and accuracy per part (empty where a part is absent), then each
/// part's macro-averaged F1. For
/// regression, loss (½·MSE of the standardised target), R² and MAE (standardised) per part instead.
pub fn metrics_csv(history: &[EpochReport]) -> String {
    if history.first().is_some_and(|r| r.train.r2.is_some()) {
        let mut s = String::from(
            "epoch,lr,train_loss,train_cost,train_r2,train_mae,val_loss,val_r2,val_mae,test_loss,test_r2,test_mae\n",
        );
        let part = |p: Option<&nn_train::PartMetrics>| {
            p.map_or(",,".to_string(), |p| {
                format!(
                    "{},{},{}",
                    p.loss,
                    p.r2.unwrap_or(f64::NAN),
                    p.mae.unwrap_or(f64::NAN)
                )
            })
        };
        for r in history {
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                r.epoch,
                r.lr,
                r.train.loss,
                r.train.cost,
                r.train.r2.unwrap_or(f64::NAN),
                r.train.mae.unwrap_or(f64::NAN),
                part(r.validation.as_ref()),
                part(r.test.as_ref())
            ));
        }
        return s;
    }
    let mut s = String::from(
        "epoch,lr,train_loss,train_cost,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,train_f1,val_f1,test_f1\n",
    );
    let f1 = |p: Option<&nn_train::PartMetrics>| {
        p.and_then(|p| p.f1)
            .map_or(String::new(), |f| f.to_string())
    };
    for r in history {
        let opt = |p: Option<&nn_train::PartMetrics>| {
            p.map_or(",".to_string(), |p| format!("{},{}", p.loss, p.accuracy))
        };
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            r.epoch,
            r.lr,
            r.train.loss,
            r.train.cost,
            r.train.accuracy,
            opt(r.validation.as_ref()),
            opt(r.test.as_ref()),
            f1(Some(&r.train)),
            f1(r.validation.as_ref()),
            f1(r.test.as_ref()),
        ));
    }
    s
}
