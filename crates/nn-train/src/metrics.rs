//! Summaries of predictions: confusion matrices, per-class scores (a classification report), the ROC AUC of a
//! binary scorer, confidence intervals for accuracies, and the errors of a regression.

use serde::{Deserialize, Serialize};

/// The Wilson score interval for a proportion of `correct` in `total` at 95% (z = 1.959964): better than the
/// normal approximation for small samples and proportions near 0 or 1, such as 19 of 24 (E. B. Wilson, 1927).
pub fn wilson_interval(correct: usize, total: usize) -> (f64, f64) {
    if total == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let n = total as f64;
    let p = correct as f64 / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// How far a regression's predictions are from the truth, in the target's units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegressionScores {
    /// Mean squared error.
    pub mse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// The coefficient of determination 1 − Σ(y − ŷ)² / Σ(y − ȳ)², with ȳ these samples' own mean (as
    /// scikit-learn's `r2_score`); 0 when every y is equal and every prediction exact, else −∞ then.
    pub r2: f64,
    /// Samples.
    pub samples: usize,
}

impl RegressionScores {
    /// The scores of `predicted` against `truth` (same length).
    pub fn new(truth: &[f64], predicted: &[f64]) -> Self {
        let n = truth.len().min(predicted.len());
        if n == 0 {
            return RegressionScores::default();
        }
        let (truth, predicted) = (&truth[..n], &predicted[..n]);
        let mean = truth.iter().sum::<f64>() / n as f64;
        let (mut sse, mut sae, mut sst) = (0.0, 0.0, 0.0);
        for (&y, &p) in truth.iter().zip(predicted) {
            sse += (y - p) * (y - p);
            sae += (y - p).abs();
            sst += (y - mean) * (y - mean);
        }
        let r2 = match (sst > 0.0, sse > 0.0) {
            (true, _) => 1.0 - sse / sst,
            (false, false) => 0.0,
            (false, true) => f64::NEG_INFINITY,
        };
        RegressionScores {
            mse: sse / n as f64,
            mae: sae / n as f64,
            r2,
            samples: n,
        }
    }
}

/// Counts of (true class, predicted class).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// `counts[t][p]`: samples of class t predicted as p.
    pub counts: Vec<Vec<usize>>,
}

impl Confusion {
    /// From true and predicted classes over `k` classes.
    pub fn new(k: usize, truth: &[usize], predicted: &[usize]) -> Self {
        let mut counts = vec![vec![0; k]; k];
        for (&t, &p) in truth.iter().zip(predicted) {
            if t < k && p < k {
                counts[t][p] += 1;
            }
        }
        Confusion { counts }
    }

    /// Samples of each true class that were misclassified.
    pub fn errors_per_class(&self) -> Vec<usize> {
        self.counts
            .iter()
            .enumerate()
            .map(|(t, row)| row.iter().sum::<usize>() - row[t])
            .collect()
    }

    /// Correct predictions.
    pub fn correct(&self) -> usize {
        (0..self.counts.len()).map(|t| self.counts[t][t]).sum()
    }

    /// All predictions.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// A text table with class names on both axes (rows: true, columns: predicted).
    pub fn render(&self, names: &[String]) -> String {
        const CORNER: &str = "true\\pred";
        let width = names
            .iter()
            .map(|n| n.chars().count())
            .chain([self.total().to_string().len(), 4])
            .max()
            .unwrap_or(4);
        let first = width.max(CORNER.len());
        let mut s = format!("{CORNER:>first$} │");
        for n in names {
            s.push_str(&format!(" {n:>width$}"));
        }
        s.push('\n');
        s.push_str(&"─".repeat(first + 1));
        s.push('┼');
        s.push_str(&"─".repeat((width + 1) * names.len()));
        s.push('\n');
        for (t, row) in self.counts.iter().enumerate() {
            s.push_str(&format!(
                "{:>first$} │",
                names.get(t).map_or("?", String::as_str)
            ));
            for c in row {
                s.push_str(&format!(" {c:>width$}"));
            }
            s.push('\n');
        }
        s
    }
}

/// Precision, recall and F1 of one class (or an average of them), with its support.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Scores {
    /// Of the samples predicted as the class, the share that are (0 if none were predicted).
    pub precision: f64,
    /// Of the samples of the class, the share predicted as it (0 if it has none).
    pub recall: f64,
    /// The harmonic mean of precision and recall (0 if both are 0).
    pub f1: f64,
    /// Samples of the class (for an average: all samples).
    pub support: usize,
}

/// Per-class scores with their averages, as scikit-learn's `classification_report` gives them: the macro
/// average weighs every class alike, the weighted average by support. A score whose denominator is 0 counts as
/// 0, as scikit-learn's default does.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassificationReport {
    /// One entry per class, in class order.
    pub classes: Vec<Scores>,
    /// Correct over all samples.
    pub accuracy: f64,
    /// The unweighted mean over classes.
    pub macro_avg: Scores,
    /// The mean over classes weighted by support.
    pub weighted_avg: Scores,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl Scores {
    /// A class's scores from its counts: `correct` samples of it predicted as it, `predicted` samples
    /// predicted as it, `support` samples of it. A ratio over 0 is 0, as is F1 when precision + recall is 0.
    pub fn of(correct: usize, predicted: usize, support: usize) -> Scores {
        let (precision, recall) = (ratio(correct, predicted), ratio(correct, support));
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Scores {
            precision,
            recall,
            f1,
            support,
        }
    }
}

/// The macro-averaged F1 (the unweighted mean over every class, as [`ClassificationReport::macro_avg`]) from
/// per-class `[correct, predicted, actual]` counts, as `nn_core::Workspace::class_counts` gives them.
pub fn macro_f1(counts: &[[usize; 3]]) -> f64 {
    if counts.is_empty() {
        return 0.0;
    }
    let sum: f64 = counts.iter().map(|&[c, p, a]| Scores::of(c, p, a).f1).sum();
    sum / counts.len() as f64
}

/// The F1 averaged over classes weighted by support (as [`ClassificationReport::weighted_avg`], with the same
/// sums in the same order), from per-class `[correct, predicted, actual]` counts, without a report.
pub fn weighted_f1(counts: &[[usize; 3]]) -> f64 {
    let w: f64 = counts.iter().map(|c| c[2] as f64).sum();
    if w == 0.0 {
        return 0.0;
    }
    let sum: f64 = (counts.iter())
        .map(|&[c, p, a]| a as f64 * Scores::of(c, p, a).f1)
        .sum();
    sum / w
}

impl Confusion {
    /// The per-class scores and their averages.
    pub fn report(&self) -> ClassificationReport {
        let counts: Vec<[usize; 3]> = (0..self.counts.len())
            .map(|c| {
                let predicted: usize = self.counts.iter().map(|row| row[c]).sum();
                [self.counts[c][c], predicted, self.counts[c].iter().sum()]
            })
            .collect();
        ClassificationReport::from_counts(&counts)
    }
}

impl ClassificationReport {
    /// The report of per-class `[correct, predicted, actual]` counts, as `nn_core::Workspace::class_counts`
    /// gives them (and as a confusion matrix sums to: the diagonal, column sums, row sums).
    pub fn from_counts(counts: &[[usize; 3]]) -> ClassificationReport {
        let classes: Vec<Scores> = counts
            .iter()
            .map(|&[correct, predicted, actual]| Scores::of(correct, predicted, actual))
            .collect();
        let total: usize = counts.iter().map(|c| c[2]).sum();
        let correct: usize = counts.iter().map(|c| c[0]).sum();
        let average = |weight: &dyn Fn(&Scores) -> f64| {
            let w: f64 = classes.iter().map(weight).sum();
            let mean = |f: fn(&Scores) -> f64| {
                if w == 0.0 {
                    0.0
                } else {
                    classes.iter().map(|s| weight(s) * f(s)).sum::<f64>() / w
                }
            };
            Scores {
                precision: mean(|s| s.precision),
                recall: mean(|s| s.recall),
                f1: mean(|s| s.f1),
                support: total,
            }
        };
        ClassificationReport {
            accuracy: ratio(correct, total),
            macro_avg: average(&|_| 1.0),
            weighted_avg: average(&|s| s.support as f64),
            classes,
        }
    }
}

impl ClassificationReport {
    /// A text table like scikit-learn's: one row per class, then accuracy and the two averages.
    pub fn render(&self, names: &[String]) -> String {
        let width = names
            .iter()
            .map(|n| n.chars().count())
            .chain(["weighted avg".len()])
            .max()
            .unwrap_or(12);
        let row = |name: &str, s: &Scores| {
            format!(
                "{name:>width$}  {:>9.4} {:>9.4} {:>9.4} {:>9}\n",
                s.precision, s.recall, s.f1, s.support
            )
        };
        let mut out = format!(
            "{:>width$}  {:>9} {:>9} {:>9} {:>9}\n\n",
            "", "precision", "recall", "f1-score", "support"
        );
        for (c, s) in self.classes.iter().enumerate() {
            out.push_str(&row(names.get(c).map_or("?", String::as_str), s));
        }
        out.push_str(&format!(
            "\n{:>width$}  {:>9} {:>9} {:>9.4} {:>9}\n",
            "accuracy", "", "", self.accuracy, self.macro_avg.support
        ));
        out.push_str(&row("macro avg", &self.macro_avg));
        out.push_str(&row("weighted avg", &self.weighted_avg));
        out
    }
}

/// The ROC curve of `scores` for telling `positive` samples from the others: (false-positive rate,
/// true-positive rate) from (0, 0) to (1, 1), one point per distinct score taken as the threshold (samples
/// scoring at or above it count as positive). Empty without samples of both kinds, or with a NaN score.
pub fn roc_curve(scores: &[f64], positive: &[bool]) -> Vec<(f64, f64)> {
    if scores.len() != positive.len() || scores.iter().any(|s| s.is_nan()) {
        return Vec::new();
    }
    let n_pos = positive.iter().filter(|&&p| p).count();
    let n_neg = positive.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut points = vec![(0.0, 0.0)];
    let (mut tp, mut fp) = (0, 0);
    for (i, &s) in order.iter().enumerate() {
        if positive[s] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_its_score = order.get(i + 1).is_none_or(|&n| scores[n] != scores[s]);
        if last_of_its_score {
            points.push((fp as f64 / n_neg as f64, tp as f64 / n_pos as f64));
        }
    }
    points
}

/// The area under the ROC curve of `scores` for telling `positive` samples from the others: the probability
/// that a random positive scores above a random negative, ties counting one half (the Mann–Whitney U statistic
/// over the product of the class sizes). `None` without samples of both kinds, or with a NaN score.
pub fn roc_auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    if scores.len() != positive.len() || scores.iter().any(|s| s.is_nan()) {
        return None;
    }
    let n_pos = positive.iter().filter(|&&p| p).count();
    let n_neg = positive.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    // Average ranks (1-based) over runs of equal scores.
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let average_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_pos += average_rank * order[i..=j].iter().filter(|&&s| positive[s]).count() as f64;
        i = j + 1;
    }
    let u = rank_sum_pos - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Some(u / (n_pos as f64 * n_neg as f64))
}

/// Mean and sample standard deviation (0 for one value).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MeanStd {
    /// The mean.
    pub mean: f64,
    /// The sample standard deviation (n − 1 in the denominator).
    pub std: f64,
}

impl MeanStd {
    /// The mean and sample standard deviation of `values` (at least one).
    pub fn of(values: &[f64]) -> MeanStd {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        MeanStd {
            mean,
            std: var.sqrt(),
        }
    }
}

#[cfg(test)]
mod tests;
