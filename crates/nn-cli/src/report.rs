//! Text output: progress while training, the summary after it, and metrics as CSV.

use indicatif::{ProgressBar, ProgressStyle};
use nn_linalg::Scalar;
use nn_train::metrics::ClassificationReport;
use nn_train::{EpochReport, ModelFile, TrainEvent};
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
                    nn_train::StopReason::Interrupted => "interrupted".to_string(),
                };
                self.suspend(|| eprintln!("stopped after epoch {epoch}: {why}"));
            }
            TrainEvent::Classes { .. } | TrainEvent::Snapshot { .. } | TrainEvent::End { .. } => {}
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
pub fn summary(c: &ModelFile, path: &Path, elapsed: Duration) -> String {
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

/// Each epoch's per-class counts of every part (from [`TrainEvent::Classes`]), for the metrics CSV. Kept flat
/// in one buffer sized when training starts, so collecting them allocates nothing per epoch.
#[derive(Debug, Default)]
pub struct ClassCounts {
    /// Classes (0 until the first epoch).
    k: usize,
    /// The first epoch collected (a resumed run starts later).
    first: usize,
    /// Epochs this run plans, to reserve for.
    planned: usize,
    /// Per epoch, 3 parts × k classes of `[correct, predicted, actual]`; a part the run lacks is all
    /// `usize::MAX`.
    counts: Vec<[usize; 3]>,
}

impl ClassCounts {
    /// Handles one event.
    pub fn event<T: Scalar>(&mut self, e: &TrainEvent<T>) {
        match e {
            TrainEvent::Start {
                first_epoch,
                epochs,
            } => {
                self.first = *first_epoch;
                self.planned = (epochs + 1).saturating_sub(*first_epoch);
                self.counts.clear();
                self.k = 0;
            }
            TrainEvent::Classes {
                train,
                validation,
                test,
                ..
            } => {
                if self.k == 0 {
                    // The whole run's room, once k is known.
                    self.k = train.len();
                    self.counts
                        .reserve_exact(self.planned.saturating_mul(3 * self.k));
                }
                for part in [Some(*train), *validation, *test] {
                    match part {
                        Some(c) => self.counts.extend_from_slice(c),
                        None => self
                            .counts
                            .extend(std::iter::repeat_n([usize::MAX; 3], self.k)),
                    }
                }
            }
            _ => {}
        }
    }

    /// The counts of `part` (0 train, 1 validation, 2 test) at `epoch`, if collected.
    fn part(&self, epoch: usize, part: usize) -> Option<&[[usize; 3]]> {
        let i = epoch.checked_sub(self.first)?;
        let at = (3 * i + part) * self.k;
        let c = self.counts.get(at..at + self.k)?;
        (c.first() != Some(&[usize::MAX; 3])).then_some(c)
    }
}

/// Every epoch as CSV: epoch, lr, then loss and accuracy per part (empty where a part is absent), then each
/// part's macro-averaged F1; with `classes` (the collected counts and the class names), each part's weighted
/// F1 and every class's precision, recall and F1 (`val_f1_<class>`; empty for epochs before a resume). For
/// regression, loss (½·MSE of the standardised target), R² and MAE (standardised) per part instead.
pub fn metrics_csv(history: &[EpochReport], classes: Option<(&ClassCounts, &[String])>) -> String {
    if history.first().is_some_and(|r| r.train.r2.is_some()) {
        return regression_csv(history);
    }
    let mut s = String::from(
        "epoch,lr,train_loss,train_cost,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,train_f1,val_f1,test_f1",
    );
    if let Some((_, names)) = classes {
        for part in CSV_PARTS {
            s.push_str(&format!(",{part}_weighted_f1"));
            for name in names {
                let name = column_safe(name);
                for score in ["precision", "recall", "f1"] {
                    s.push_str(&format!(",{part}_{score}_{name}"));
                }
            }
        }
    }
    s.push('\n');
    let f1 = |p: Option<&nn_train::PartMetrics>| {
        p.and_then(|p| p.f1)
            .map_or(String::new(), |f| f.to_string())
    };
    for r in history {
        let opt = |p: Option<&nn_train::PartMetrics>| {
            p.map_or(",".to_string(), |p| format!("{},{}", p.loss, p.accuracy))
        };
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}",
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
        if let Some((counts, names)) = classes {
            s.push_str(&class_scores(counts, names.len(), r.epoch));
        }
        s.push('\n');
    }
    s
}

/// The parts' prefixes in the CSV's column names.
const CSV_PARTS: [&str; 3] = ["train", "val", "test"];

/// One epoch's per-class columns: for each part its weighted F1, then every class's precision, recall and F1.
fn class_scores(counts: &ClassCounts, classes: usize, epoch: usize) -> String {
    let mut s = String::new();
    for part in 0..CSV_PARTS.len() {
        match counts.part(epoch, part) {
            Some(c) => {
                let report = ClassificationReport::from_counts(c);
                s.push_str(&format!(",{}", report.weighted_avg.f1));
                for c in &report.classes {
                    s.push_str(&format!(",{},{},{}", c.precision, c.recall, c.f1));
                }
            }
            // An absent part, or an epoch before a resume (its counts were not kept).
            None => s.push_str(&",".repeat(1 + 3 * classes)),
        }
    }
    s
}

/// [`metrics_csv`] of a regression: loss (½·MSE of the standardised target), R² and MAE per part.
fn regression_csv(history: &[EpochReport]) -> String {
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
    s
}

/// A class name as part of a CSV column name: letters, digits, '-' and '_' kept, anything else '_'.
fn column_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
