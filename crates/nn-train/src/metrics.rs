//! Summaries of predictions: confusion matrices and confidence intervals for accuracies.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_published_values() {
        // 19 of 24 (the report's best binary test accuracy, 79.17%): [0.5953, 0.9076] by the standard formula.
        let (lo, hi) = wilson_interval(19, 24);
        assert!(
            (lo - 0.5953).abs() < 1e-4 && (hi - 0.9076).abs() < 1e-4,
            "{lo} {hi}"
        );
        assert_eq!(wilson_interval(0, 0), (0.0, 1.0));
        let (lo, hi) = wilson_interval(10, 10);
        assert!(
            (hi - 1.0).abs() < 1e-12 && (lo - 0.7225).abs() < 1e-4,
            "{lo} {hi}"
        );
    }

    #[test]
    fn confusion_counts_and_renders() {
        let c = Confusion::new(3, &[0, 0, 1, 2, 2, 2], &[0, 1, 1, 2, 0, 2]);
        assert_eq!(c.counts, vec![vec![1, 1, 0], vec![0, 1, 0], vec![1, 0, 2]]);
        assert_eq!((c.correct(), c.total()), (4, 6));
        assert_eq!(c.errors_per_class(), vec![1, 0, 1]);
        let text = c.render(&["a".into(), "b".into(), "c".into()]);
        assert!(
            text.lines().nth(2).unwrap().ends_with("1    1    0"),
            "{text}"
        );
    }
}
