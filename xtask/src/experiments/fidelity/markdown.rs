//! fidelity.md: the table of factors against the report, the best match, and the loss arithmetic.

use super::factors::{Factor, FactorResult};
use crate::experiments::Options;
use crate::experiments::results::{RunMetrics, verdict};
use crate::experiments::spec::Specs;
use std::fmt::Write as _;

/// fidelity.md: per experiment, the report's figures, then each factor's means with the verdict count; the
/// best match; and the arithmetic of the report's test losses.
pub(super) fn markdown(
    specs: &Specs,
    results: &[FactorResult],
    opts: &Options,
    wall: f64,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Each row changes one setting of the baseline and runs {} seed(s) in {}, under the report's protocol \
         (best epoch by test accuracy). Cells: our mean over the seeds; ✓ where the report's figure lies inside \
         the range of our seeds (accuracies by count). *inside* counts those figures (of 5); *distance* is the \
         mean relative difference between our means and the report's figures.\n",
        opts.seeds,
        opts.precision.name()
    );
    for e in &specs.experiment {
        let rows: Vec<&FactorResult> = results.iter().filter(|r| r.experiment == e.id).collect();
        let r = &e.report;
        let _ = writeln!(s, "## {}\n", e.title);
        let _ = writeln!(
            s,
            "| setting | train loss | train acc | test loss | test acc | best epoch | inside | distance |\n|---|---|---|---|---|---|---|---|"
        );
        let _ = writeln!(
            s,
            "| **the report** | {:.4} | {:.2}% | {:.4} | {:.2}% | {} | | |",
            r.train_loss,
            100.0 * r.train_correct as f64 / r.train_total as f64,
            r.test_loss,
            100.0 * r.test_correct as f64 / r.test_total as f64,
            r.best_epoch
        );
        for row in &rows {
            let _ = writeln!(s, "{}", row.table_row());
        }
        if let Some(best) = rows.iter().min_by(|a, b| {
            (std::cmp::Reverse(a.inside), a.distance)
                .partial_cmp(&(std::cmp::Reverse(b.inside), b.distance))
                .unwrap_or(std::cmp::Ordering::Equal)
        }) {
            let _ = writeln!(
                s,
                "\nBest match: **{}**, with {} of the report's 5 figures inside our range.\n",
                best.factor.describe(),
                best.inside
            );
        }
        let failed: Vec<String> = rows
            .iter()
            .flat_map(|r| {
                r.failed
                    .iter()
                    .map(move |f| format!("- {}: {f}", r.factor.describe()))
            })
            .collect();
        if !failed.is_empty() {
            let _ = writeln!(s, "Runs that did not finish:\n\n{}\n", failed.join("\n"));
        }
    }
    overall(&mut s, results);
    loss_arithmetic(&mut s, specs);
    let _ = writeln!(
        s,
        "---\n{} runs in {wall:.1} s of wall time{}.",
        results
            .iter()
            .map(|r| r.runs.len() + r.failed.len())
            .sum::<usize>(),
        if opts.epochs_scale != 1.0 {
            format!(", epochs scaled by {}", opts.epochs_scale)
        } else {
            String::new()
        }
    );
    s
}

impl FactorResult {
    fn table_row(&self) -> String {
        let mark = |figure: &str| {
            self.checks
                .iter()
                .find(|c| c.figure == figure)
                .map_or("", |c| {
                    if c.place == verdict::Place::Inside {
                        " ✓"
                    } else {
                        ""
                    }
                })
        };
        let n = self.runs.len().max(1) as f64;
        let mean = |f: fn(&RunMetrics) -> f64| self.runs.iter().map(f).sum::<f64>() / n;
        if self.runs.is_empty() {
            return format!(
                "| {} | no finished run | | | | | 0 | |",
                self.factor.describe()
            );
        }
        format!(
            "| {} | {:.4}{} | {:.2}%{} | {:.4}{} | {:.2}%{} | {:.0}{} | {} | {:.3} |",
            self.factor.describe(),
            mean(|m| m.train_loss),
            mark("train_loss"),
            100.0 * mean(|m| m.train_accuracy),
            mark("train_accuracy"),
            mean(|m| m.test_loss),
            mark("test_loss"),
            100.0 * mean(|m| m.test_accuracy),
            mark("test_accuracy"),
            mean(|m| m.best_epoch as f64),
            mark("best_epoch"),
            self.inside,
            self.distance
        )
    }
}

/// Each setting over all the experiments it ran on: the report's figures inside our range, in total, and the
/// mean distance; best first.
fn overall(s: &mut String, results: &[FactorResult]) {
    let mut factors: Vec<Factor> = Vec::new();
    for r in results {
        if !factors.contains(&r.factor) {
            factors.push(r.factor);
        }
    }
    let mut rows: Vec<(Factor, usize, usize, f64)> = factors
        .into_iter()
        .map(|f| {
            let of: Vec<&FactorResult> = results.iter().filter(|r| r.factor == f).collect();
            let inside = of.iter().map(|r| r.inside).sum();
            let distance = of.iter().map(|r| r.distance).sum::<f64>() / of.len() as f64;
            (f, inside, of.len(), distance)
        })
        .collect();
    rows.sort_by(|a, b| {
        (std::cmp::Reverse(a.1), a.3)
            .partial_cmp(&(std::cmp::Reverse(b.1), b.3))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let _ = writeln!(s, "## All experiments\n");
    let _ = writeln!(
        s,
        "| setting | report figures inside our range | of | mean distance |\n|---|---|---|---|"
    );
    for (f, inside, n, distance) in &rows {
        let _ = writeln!(
            s,
            "| {} | {inside} | {} | {distance:.3} |",
            f.describe(),
            5 * n
        );
    }
    let _ = writeln!(s);
}

/// For each single-sigmoid experiment whose report test loss is below ln 2: the confidence its correct test
/// samples must have for that mean loss, whatever its wrong ones did.
fn loss_arithmetic(s: &mut String, specs: &Specs) {
    let ln2 = std::f64::consts::LN_2;
    let _ = writeln!(s, "## What the report's test losses allow\n");
    let _ = writeln!(
        s,
        "For one sigmoid output and the mean cross-entropy, a wrongly classified sample has p(true class) < 0.5 and \
         so costs more than ln 2 = {ln2:.4}. With w of the n test samples wrong, the mean loss L leaves the c = n − w \
         correct ones at most (n·L − w·ln 2) in total, so their geometric-mean p(true class) is at least \
         exp(−(n·L − w·ln 2)/c). A summed loss (n·L) would be n times the mean, and a loss per output unit \
         is the same for one unit, so neither brings these figures closer.\n"
    );
    let _ = writeln!(
        s,
        "| experiment | report test loss | test correct | loss left for the correct ones | their p(true) at least | report train loss |\n|---|---|---|---|---|---|"
    );
    for e in specs
        .experiment
        .iter()
        .filter(|e| e.output == nn_core::Output::Sigmoid)
    {
        let r = &e.report;
        let (n, c) = (r.test_total as f64, r.test_correct as f64);
        let w = n - c;
        let left = n * r.test_loss - w * ln2;
        let cell = if left <= 0.0 {
            "none: unreachable".to_string()
        } else {
            format!("{:.3}", (-left / c).exp())
        };
        let _ = writeln!(
            s,
            "| {} | {:.4} | {}/{} | {:.3} (mean {:.3} each) | {cell} | {:.4} |",
            e.id,
            r.test_loss,
            r.test_correct,
            r.test_total,
            left,
            left / c,
            r.train_loss
        );
    }
    let _ = writeln!(
        s,
        "\nA training loss near ln 2 means outputs near 0.5 on the training part. Where the confidence required \
         above is far from that, the same network is unlikely to have given it on the test part, and the report's \
         test loss was most likely not computed as its training loss was.\n"
    );
}
