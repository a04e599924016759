//! results.md (and the body of docs/report.md): the report's figures beside ours, then the rows beyond the
//! report, the runs that did not finish, and the figures.

use super::Summary;
use crate::experiments::spec::Variant;
use nn_train::Precision;
use nn_train::metrics::wilson_interval;
use std::fmt::Write as _;

impl Summary {
    /// results.md; figure paths are prefixed with `fig_prefix`.
    pub fn markdown(&self, figures: &[(String, String, String)], fig_prefix: &str) -> String {
        let pct = |(m, s): (f64, f64)| format!("{:.2}% ± {:.2}", 100.0 * m, 100.0 * s);
        let num = |(m, s): (f64, f64)| format!("{m:.4} ± {s:.4}");
        let opt_pct =
            |v: Option<f64>| v.map_or("not stated".to_string(), |v| format!("{:.2}%", 100.0 * v));
        let opt_num = |v: Option<f64>| v.map_or("not stated".to_string(), |v| format!("{v:.4}"));
        let mut s = String::new();
        let _ = writeln!(s, "## The report's protocol, side by side\n");
        let _ = writeln!(
            s,
            "80/20 shuffled split, standardised features, full-batch gradient descent, and the epoch with the best **test** \
             accuracy kept — the report's protocol. Choosing the epoch on the test set makes these test figures optimistic: \
             they are labelled *test-set selection*. Ours: mean ± standard deviation over {} seed(s) (seed s drives the split \
             and the initial weights); *pooled* adds the test counts of all seeds, with a 95% Wilson interval. Every run \
             trains in {}{}.\n",
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
            "| task | source | train loss | train acc | test loss | test acc | test count (95% CI) | best epoch |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
        for (id, title, rep, _, _) in &self.reports {
            let count = match (rep.test_correct, rep.test_total) {
                (Some(c), Some(t)) => {
                    let (lo, hi) = wilson_interval(c, t);
                    format!("{c}/{t} ({:.1}–{:.1}%)", 100.0 * lo, 100.0 * hi)
                }
                _ => "not stated".into(),
            };
            let note = rep
                .note
                .as_ref()
                .map_or(String::new(), |n| format!(" ({n})"));
            let _ = writeln!(
                s,
                "| {title} | report{note} | {} | {} | {} | {} | {count} | {} |",
                opt_num(rep.train_loss),
                opt_pct(rep.train_accuracy),
                opt_num(rep.test_loss),
                opt_pct(rep.test_accuracy),
                rep.best_epoch
                    .map_or("not stated".into(), |e| e.to_string())
            );
            if let Some(r) = self.row(id, Variant::Report) {
                let _ = writeln!(
                    s,
                    "| | nn, test-set selection, {} | {} | {} | {} | {} | {}/{} ({:.1}–{:.1}%) | {:.0} ± {:.0} |",
                    r.seeds_text(),
                    num(r.train_loss),
                    pct(r.train_accuracy),
                    num(r.test_loss),
                    pct(r.test_accuracy),
                    r.pooled_correct,
                    r.pooled_total,
                    100.0 * r.pooled_wilson95.0,
                    100.0 * r.pooled_wilson95.1,
                    r.best_epoch.0,
                    r.best_epoch.1
                );
            }
        }
        let _ = writeln!(
            s,
            "\nWhere the report is silent, the specs (`experiments/report.toml`) assume:\n"
        );
        for (_, title, _, assumptions, _) in &self.reports {
            let _ = writeln!(s, "- {title}: {}.", assumptions.join("; "));
        }
        let _ = writeln!(s, "\n## Beyond the report\n");
        let _ = writeln!(
            s,
            "The same networks with the epoch chosen on a **validation** split (60/20/20: the test part keeps the report's \
             size and plays no part in any choice made in training), then trained with Adam on mini-batches. These test figures are \
             honest estimates. Time is per run, one core each.\n"
        );
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
                r.variant.describe(),
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
        let problems: Vec<String> = self
            .rows
            .iter()
            .flat_map(|r| {
                r.problems
                    .iter()
                    .map(move |p| format!("- {} ({}), {p}", r.title, r.variant.describe()))
            })
            .collect();
        if !problems.is_empty() {
            let _ = writeln!(
                s,
                "\n**Runs that did not finish** (left out of every figure above):\n\n{}",
                problems.join("\n")
            );
        }
        let _ = writeln!(s, "\n## Figures (seed 0, the report's protocol)\n");
        for (caption, file, cf) in figures {
            let _ = writeln!(
                s,
                "**{caption}** ({cf})\n\n![{caption}]({fig_prefix}{file})\n"
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
        s
    }
}
