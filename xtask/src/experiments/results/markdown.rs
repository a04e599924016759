//! results.md (and the body of docs/report.md): the report's figures beside ours with a verdict on each, the
//! gradient check beside the report's, then the rows beyond the report, the runs that did not finish, and the
//! figures. The prose comes from the specs; every number from the runs or the specs.

use super::verdict::Check;
use super::{Replay, Row, Summary};
use crate::experiments::spec::Variant;
use nn_train::Precision;
use std::fmt::Write as _;

fn pct((m, s): (f64, f64)) -> String {
    format!("{:.2}% ± {:.2}", 100.0 * m, 100.0 * s)
}

fn num((m, s): (f64, f64)) -> String {
    format!("{m:.4} ± {s:.4}")
}

fn count(correct: usize, total: usize) -> String {
    format!(
        "{:.2}% ({correct}/{total})",
        100.0 * correct as f64 / total as f64
    )
}

impl Summary {
    /// results.md; figure paths are prefixed with `fig_prefix`.
    pub fn markdown(&self, figures: &[(String, String, String)], fig_prefix: &str) -> String {
        let mut s = String::new();
        self.side_by_side(&mut s);
        self.assumptions(&mut s);
        self.correctness(&mut s);
        self.beyond(&mut s);
        self.unfinished(&mut s);
        let _ = writeln!(s, "\n## Figures (seed 0, the report's protocol)\n");
        for (caption, file, cf) in figures {
            let _ = writeln!(
                s,
                "**{caption}** ({cf})\n\n![{caption}]({fig_prefix}{file})\n"
            );
        }
        self.footer(&mut s);
        s
    }

    /// The report's protocol: per experiment the report's row, ours, and the verdict on each figure.
    fn side_by_side(&self, s: &mut String) {
        let _ = writeln!(s, "## The report's protocol, side by side\n");
        let _ = writeln!(
            s,
            "{} Ours: mean ± standard deviation over {} seed(s) (seed s drives the split and the initial weights), \
             with the counts of all seeds pooled. The verdict row says whether the report's figure lies inside the \
             range (min–max) of our seeds, and for accuracies whether it lies in the 95% Wilson interval of our \
             pooled counts. Every run trains in {}{}.\n",
            self.texts.protocol,
            self.seeds,
            self.precision.name(),
            match self.precision {
                Precision::F32 =>
                    " (the report's numpy used f64; `--precision f64` replays in f64)",
                Precision::F64 => ", as the report's numpy did",
            }
        );
        let _ = writeln!(
            s,
            "| task | source | train loss | train acc | test loss | test acc | best epoch |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|");
        for replay in &self.replays {
            report_row(s, replay);
            if let Some(r) = self.row(&replay.id, Variant::Report) {
                our_row(s, r);
                verdict_row(s, &replay.checks);
            }
        }
        let notes: Vec<String> = self
            .replays
            .iter()
            .filter_map(|r| {
                r.report
                    .time
                    .as_ref()
                    .map(|t| format!("- {}: the report's run took {t}.", r.title))
            })
            .collect();
        if !notes.is_empty() {
            let _ = writeln!(s, "\n{}", notes.join("\n"));
        }
    }

    fn assumptions(&self, s: &mut String) {
        let _ = writeln!(
            s,
            "\nWhere the report is silent, the specs (`experiments/report.toml`) assume:\n"
        );
        for r in &self.replays {
            let _ = writeln!(s, "- {}: {}.", r.title, r.assumptions.join("; "));
        }
    }

    /// The course's published values beside ours, then the report's gradient check beside ours.
    fn correctness(&self, s: &mut String) {
        if let Some(c) = &self.course {
            let _ = writeln!(s, "\n## The course's published values\n");
            let _ = writeln!(
                s,
                "The course's trained weights (`{}`) on its digits (`{}`), evaluated as the course does: raw \
                 features, label k on output unit k − 1, the cross-entropy summed over the sigmoid output units and averaged over the samples, plus λ/(2m)·ΣΘ² \
                 over the non-bias weights. The digits file is a reconstruction of the course's (`data/README.md`), \
                 so the costs may differ in the last digits.\n",
                c.weights, c.data
            );
            let _ = writeln!(s, "| figure | course | ours |\n|---|---|---|");
            let _ = writeln!(
                s,
                "| accuracy | {:.2}% | {} |",
                100.0 * c.published_accuracy,
                count(c.correct, c.total)
            );
            for (lambda, ours, published) in &c.costs {
                let _ = writeln!(s, "| J at λ = {lambda} | {published:.6} | {ours:.6} |");
            }
        }
        let g = &self.gradcheck;
        let _ = writeln!(s, "\n## Gradient check, beside the report's\n");
        let _ = writeln!(
            s,
            "{} on the report's dummy data (X = [[1,2,3],[4,5,6],[7,8,9]], y = [1,0,1]), ε = {:e}, by the code of \
             `nn gradcheck`. Our initial weights come from seed 0; the report's are not known, so the two can agree \
             in order of magnitude only: both measure the rounding and O(ε²) error of central differences.\n",
            g.architecture, g.epsilon
        );
        let _ = writeln!(s, "| layer | report max \\|A − N\\| | ours | verdict |");
        let _ = writeln!(s, "|---|---|---|---|");
        for (l, (rep, ours)) in g
            .report_max_abs_diff
            .iter()
            .zip(&g.ours_max_abs_diff)
            .enumerate()
        {
            let ratio = ours / rep;
            let verdict = if (0.1..=10.0).contains(&ratio) {
                "same order of magnitude".to_string()
            } else if ratio < 0.1 {
                format!("ours {:.0}× smaller", 1.0 / ratio)
            } else {
                format!("**ours {ratio:.0}× larger**")
            };
            let _ = writeln!(s, "| {} | {rep:.3e} | {ours:.3e} | {verdict} |", l + 1);
        }
    }

    /// The variants beyond the report: honest selection, and Adam.
    fn beyond(&self, s: &mut String) {
        let _ = writeln!(s, "\n## Beyond the report\n\n{}\n", self.texts.beyond);
        let _ = writeln!(
            s,
            "| task | variant | test acc | test count (95% CI) | test loss | best epoch | time to train |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|");
        for r in self.rows.iter().filter(|r| r.variant != Variant::Report) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {}/{} ({:.1}–{:.1}%) | {} | {:.0} ± {:.0} | {:.2} s |",
                r.title,
                self.texts.name(r.variant),
                pct(r.test_accuracy),
                r.pooled_correct,
                r.pooled_total,
                100.0 * r.pooled_wilson95.0,
                100.0 * r.pooled_wilson95.1,
                num(r.test_loss),
                r.best_epoch.0,
                r.best_epoch.1,
                r.seconds.0
            );
        }
    }

    fn unfinished(&self, s: &mut String) {
        let problems: Vec<String> = self
            .rows
            .iter()
            .flat_map(|r| {
                let name = self.texts.name(r.variant);
                r.problems
                    .iter()
                    .map(move |p| format!("- {} ({name}), {p}", r.title))
            })
            .collect();
        if !problems.is_empty() {
            let _ = writeln!(
                s,
                "\n**Runs that did not finish** (left out of every figure above):\n\n{}",
                problems.join("\n")
            );
        }
    }

    fn footer(&self, s: &mut String) {
        if let Some(f) = &self.floor {
            let _ = writeln!(
                s,
                "**Time against the arithmetic floor.** The runs took {:.1} s of wall time on {} cores. Their \
                 matrix products alone (the same shapes, one thread per run, timed in this process right before \
                 the runs) add up to {:.1} s, {:.1} s of wall time on {} cores: the runs took **{:.2}×** that \
                 floor{}. Absolute times say little on a shared machine whose speed drifts; the ratio is the \
                 figure to compare.\n",
                f.runs_wall_seconds,
                self.workers,
                f.products_seconds,
                f.floor_wall_seconds,
                self.workers,
                f.ratio,
                if f.runs_left_out > 0 {
                    format!(
                        " ({} runs that did not finish left out of the floor)",
                        f.runs_left_out
                    )
                } else {
                    String::new()
                }
            );
        }
        let _ = writeln!(
            s,
            "---\n{} runs in {} in {:.1} s of wall time on {} cores{}.",
            self.rows.iter().map(|r| r.seeds).sum::<usize>(),
            self.precision.name(),
            self.wall.as_secs_f64(),
            self.workers,
            if self.epochs_scale != 1.0 {
                format!(", epochs scaled by {}", self.epochs_scale)
            } else {
                String::new()
            }
        );
    }
}

fn report_row(s: &mut String, replay: &Replay) {
    let rep = &replay.report;
    let note = rep
        .note
        .as_ref()
        .map_or(String::new(), |n| format!(" ({n})"));
    let _ = writeln!(
        s,
        "| {} | report{note} | {:.4} | {} | {:.4} | {} | {} |",
        replay.title,
        rep.train_loss,
        count(rep.train_correct, rep.train_total),
        rep.test_loss,
        count(rep.test_correct, rep.test_total),
        rep.best_epoch
    );
}

fn our_row(s: &mut String, r: &Row) {
    let (train_c, train_t) = r
        .runs
        .iter()
        .filter_map(|r| r.metrics)
        .fold((0, 0), |(c, t), m| (c + m.train_correct, t + m.train_total));
    let _ = writeln!(
        s,
        "| | nn, test-set selection, {} | {} | {} ({train_c}/{train_t}) | {} | {} ({}/{}) | {:.0} ± {:.0} |",
        r.seeds_text(),
        num(r.train_loss),
        pct(r.train_accuracy),
        num(r.test_loss),
        pct(r.test_accuracy),
        r.pooled_correct,
        r.pooled_total,
        r.best_epoch.0,
        r.best_epoch.1
    );
}

fn verdict_row(s: &mut String, checks: &[Check]) {
    let cell = |figure: &str| {
        checks
            .iter()
            .find(|c| c.figure == figure)
            .map_or("no finished run".to_string(), Check::cell)
    };
    let _ = writeln!(
        s,
        "| | verdict | {} | {} | {} | {} | {} |",
        cell("train_loss"),
        cell("train_accuracy"),
        cell("test_loss"),
        cell("test_accuracy"),
        cell("best_epoch")
    );
}
