//! The leaderboard: results grouped by configuration (every seed, and every fold, of one point of the space),
//! mean ± sample standard deviation of each score, sorted by the chosen metric.

use crate::slurm::shell_quote;
use crate::spec::Value;
use crate::store::{JobResult, Plan};
use serde::Serialize;
use std::collections::BTreeMap;

/// The metrics tried, in order, when the spec names none.
pub const DEFAULT_METRICS: [&str; 4] = ["val-acc", "val-r2", "cv-acc", "train-loss"];

pub use nn_train::metrics::MeanStd;

/// One configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// 1 for the best.
    pub rank: usize,
    /// The swept flags' values.
    pub params: BTreeMap<String, Value>,
    /// The seeds that ran.
    pub seeds: Vec<u64>,
    /// Evaluations pooled: seeds, times folds for cross-validation.
    pub n: usize,
    /// Every score that all its evaluations have.
    pub scores: BTreeMap<String, MeanStd>,
}

/// Results ranked by one metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Leaderboard {
    /// The metric ranked by.
    pub metric: String,
    /// Whether larger is better (false for losses and errors).
    pub higher_is_better: bool,
    /// Jobs in the plan, and jobs with results.
    pub jobs: usize,
    /// Jobs with results.
    pub finished: usize,
    /// The swept flags.
    pub swept: Vec<String>,
    /// Each swept flag's values, in the order the plan first has them (for plots).
    pub levels: BTreeMap<String, Vec<Value>>,
    /// Configurations, best first.
    pub rows: Vec<Row>,
}

/// Whether a larger value of `metric` is better.
pub fn higher_is_better(metric: &str) -> bool {
    !(metric.ends_with("loss") || metric.ends_with("mae") || metric.ends_with("mse"))
}

impl Leaderboard {
    /// Ranks `results` of `plan` by `metric` (else the plan's, else the first of [`DEFAULT_METRICS`] that the
    /// results have). Fails, naming the metrics there are, if no result has the metric.
    pub fn new(
        plan: &Plan,
        results: &[JobResult],
        metric: Option<&str>,
    ) -> Result<Leaderboard, String> {
        let metric = chosen_metric(results, metric.or(plan.metric.as_deref()))?;
        let mut rows = configurations(results);
        let higher = higher_is_better(&metric);
        let key = |r: &Row| r.scores.get(&metric).map(|s| s.mean);
        rows.sort_by(|a, b| match (key(a), key(b)) {
            (Some(x), Some(y)) if higher => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        for (i, r) in rows.iter_mut().enumerate() {
            r.rank = i + 1;
        }
        let mut levels: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for job in &plan.jobs {
            for (k, v) in &job.params {
                let values = levels.entry(k.clone()).or_default();
                if !values.contains(v) {
                    values.push(v.clone());
                }
            }
        }
        Ok(Leaderboard {
            metric,
            higher_is_better: higher,
            jobs: plan.jobs.len(),
            finished: results.len(),
            swept: plan.swept.clone(),
            levels,
            rows,
        })
    }

    /// The scores shown in the Markdown table: the ranked metric first, then the other scores of the same
    /// part (validation or cross-validation), never the test part's.
    fn shown(&self) -> Vec<String> {
        let prefix = self.metric.split('-').next().unwrap_or("");
        let mut names: Vec<String> = self
            .rows
            .iter()
            .flat_map(|r| r.scores.keys())
            .filter(|n| n.starts_with(&format!("{prefix}-")) && **n != self.metric)
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        names.insert(0, self.metric.clone());
        if self.rows.iter().any(|r| r.scores.contains_key("epoch")) {
            names.push("epoch".into());
        }
        names
    }

    /// A Markdown table, best first (`limit` rows at most).
    pub fn markdown(&self, limit: usize) -> String {
        let shown = self.shown();
        let mut s = String::new();
        let mut header = vec!["rank".to_string()];
        header.extend(self.swept.iter().cloned());
        header.extend(shown.iter().map(|m| format!("{m} (mean ± std)")));
        header.push("n".into());
        s.push_str(&format!("| {} |\n", header.join(" | ")));
        s.push_str(&format!("|{}\n", "---|".repeat(header.len())));
        for r in self.rows.iter().take(limit) {
            let mut cells = vec![r.rank.to_string()];
            cells.extend(
                self.swept
                    .iter()
                    .map(|k| r.params.get(k).map_or("—".into(), |v| v.to_string())),
            );
            cells.extend(
                shown
                    .iter()
                    .map(|m| r.scores.get(m).map_or("—".into(), |s| format_score(m, *s))),
            );
            cells.push(r.n.to_string());
            s.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        if self.rows.len() > limit {
            s.push_str(&format!(
                "\n({} more rows in leaderboard.csv)\n",
                self.rows.len() - limit
            ));
        }
        s
    }

    /// Every row and every score (test part included), as CSV.
    pub fn csv(&self) -> String {
        let mut names: Vec<&String> = self.rows.iter().flat_map(|r| r.scores.keys()).collect();
        names.sort();
        names.dedup();
        let mut header = vec!["rank".to_string()];
        header.extend(self.swept.iter().map(|k| csv_field(k)));
        header.push("n".into());
        for n in &names {
            header.push(format!("{n}_mean"));
            header.push(format!("{n}_std"));
        }
        let mut s = header.join(",") + "\n";
        for r in &self.rows {
            let mut cells = vec![r.rank.to_string()];
            cells.extend(
                self.swept
                    .iter()
                    .map(|k| csv_field(&r.params.get(k).map_or(String::new(), |v| v.to_string()))),
            );
            cells.push(r.n.to_string());
            for n in &names {
                match r.scores.get(*n) {
                    Some(m) => cells.extend([m.mean.to_string(), m.std.to_string()]),
                    None => cells.extend([String::new(), String::new()]),
                }
            }
            s.push_str(&(cells.join(",") + "\n"));
        }
        s
    }

    /// The whole leaderboard as JSON.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// The best configuration as an `nn train` command (seed: its first), or `None` before any result.
    pub fn best_command(&self, plan: &Plan) -> Option<String> {
        let best = self.rows.first()?;
        let flags = plan.named(&best.params);
        let mut words = vec![
            "nn".to_string(),
            "train".into(),
            "--data".into(),
            plan.data.clone(),
        ];
        words.extend(flags.iter().flat_map(|(k, v)| v.args(k)));
        words.extend([
            "--seed".into(),
            best.seeds.first().copied().unwrap_or(1).to_string(),
        ]);
        words.extend(["--out".into(), "best.nnm".into()]);
        let quoted: Vec<String> = words
            .iter()
            .map(|w| {
                if w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.,:/=+".contains(c))
                {
                    w.clone()
                } else {
                    shell_quote(w)
                }
            })
            .collect();
        Some(quoted.join(" "))
    }
}

/// A score as people read it: accuracies in percent, the rest to 4 decimals, the epoch as a whole number.
pub fn format_score(metric: &str, s: MeanStd) -> String {
    if metric.ends_with("-acc") {
        format!("{:.2}% ± {:.2}", 100.0 * s.mean, 100.0 * s.std)
    } else if metric == "epoch" {
        format!("{:.0} ± {:.0}", s.mean, s.std)
    } else {
        format!("{:.4} ± {:.4}", s.mean, s.std)
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The metric to rank by: the one asked for, else the first of [`DEFAULT_METRICS`] the results have. Fails,
/// naming the metrics there are, if no result has it.
fn chosen_metric(results: &[JobResult], asked: Option<&str>) -> Result<String, String> {
    let has = |m: &str| (results.iter().flat_map(|r| &r.scores)).any(|s| s.contains_key(m));
    let metric = match asked {
        Some(m) => m.to_string(),
        None => (DEFAULT_METRICS.iter().find(|m| has(m)))
            .map(|m| m.to_string())
            .unwrap_or_else(|| "val-acc".into()),
    };
    if results.is_empty() || has(&metric) {
        return Ok(metric);
    }
    let mut names: Vec<&String> = (results.iter().flat_map(|r| &r.scores))
        .flat_map(|s| s.keys())
        .collect();
    names.sort();
    names.dedup();
    let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    Err(format!(
        "no result has the metric '{metric}'{} (they have: {})",
        if metric.starts_with("val-") {
            "; does the split have a validation part?"
        } else {
            ""
        },
        names.join(", ")
    ))
}

/// One unranked row per configuration, in plan order (so ties keep the order of the spec): the mean and
/// standard deviation of every score that each of its evaluations has.
fn configurations(results: &[JobResult]) -> Vec<Row> {
    let mut groups: Vec<(BTreeMap<String, Value>, Vec<&JobResult>)> = Vec::new();
    for r in results {
        match groups.iter_mut().find(|(p, _)| *p == r.params) {
            Some((_, members)) => members.push(r),
            None => groups.push((r.params.clone(), vec![r])),
        }
    }
    (groups.into_iter())
        .map(|(params, members)| {
            let evaluations: Vec<&BTreeMap<String, f64>> =
                members.iter().flat_map(|r| &r.scores).collect();
            let mut names: Vec<&String> = evaluations.iter().flat_map(|s| s.keys()).collect();
            names.sort();
            names.dedup();
            let scores = (names.into_iter())
                .filter_map(|name| {
                    let values: Option<Vec<f64>> =
                        evaluations.iter().map(|s| s.get(name).copied()).collect();
                    Some((name.clone(), MeanStd::of(&values?)))
                })
                .collect();
            Row {
                rank: 0,
                params,
                seeds: members.iter().map(|r| r.seed).collect(),
                n: evaluations.len(),
                scores,
            }
        })
        .collect()
}
