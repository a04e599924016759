//! Whether each figure of the report lies among ours: inside the range (min–max) of our seeds, and for
//! accuracies also inside the 95% Wilson interval of our pooled counts.

use super::run::RunMetrics;
use crate::experiments::spec::ReportFigures;
use nn_train::metrics::wilson_interval;
use serde::Serialize;

/// Where a report figure lies relative to the values of our seeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Place {
    /// Below our smallest value.
    Below,
    /// Between our smallest and largest values.
    Inside,
    /// Above our largest value.
    Above,
}

/// One figure of the report against ours.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// `train_loss`, `train_accuracy`, `test_loss`, `test_accuracy` or `best_epoch`.
    pub figure: &'static str,
    /// The report's value (an accuracy as its count over its total).
    pub report: f64,
    /// Our smallest value over the seeds.
    pub min: f64,
    /// Our largest value over the seeds.
    pub max: f64,
    pub place: Place,
    /// For accuracies: the 95% Wilson interval of our pooled counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci95: Option<(f64, f64)>,
    /// For accuracies: whether the report's value lies in `ci95`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_ci95: Option<bool>,
}

/// Half the last digit the report prints its losses with (4 decimals): a difference below it is no difference.
const LOSS_TOLERANCE: f64 = 5e-5;

/// Where `report` lies relative to `values`, a difference up to `tolerance` counting as none; with our
/// smallest and largest value. `None` if there are no values.
pub fn place(report: f64, values: &[f64], tolerance: f64) -> Option<(Place, f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let place = if report < min - tolerance {
        Place::Below
    } else if report > max + tolerance {
        Place::Above
    } else {
        Place::Inside
    };
    Some((place, min, max))
}

/// The report's five figures for one experiment against our finished runs (none if there are none).
pub fn checks(report: &ReportFigures, runs: &[RunMetrics]) -> Vec<Check> {
    let values = |f: fn(&RunMetrics) -> f64| runs.iter().map(f).collect::<Vec<_>>();
    let plain = |figure, report: f64, ours: Vec<f64>, tolerance| {
        place(report, &ours, tolerance).map(|(place, min, max)| Check {
            figure,
            report,
            min,
            max,
            place,
            ci95: None,
            in_ci95: None,
        })
    };
    // Accuracies by count: every seed's part has the report's size, so equal counts are equal accuracies.
    let accuracy = |figure, correct: usize, total: usize, ours: &[(usize, usize)]| {
        let report = correct as f64 / total as f64;
        let rates: Vec<f64> = ours.iter().map(|&(c, t)| c as f64 / t as f64).collect();
        let (c, t) = ours
            .iter()
            .fold((0, 0), |(c, t), &(ci, ti)| (c + ci, t + ti));
        let (lo, hi) = wilson_interval(c, t);
        place(report, &rates, 1e-12).map(|(place, min, max)| Check {
            figure,
            report,
            min,
            max,
            place,
            ci95: Some((lo, hi)),
            in_ci95: Some(lo <= report && report <= hi),
        })
    };
    let train: Vec<(usize, usize)> = runs
        .iter()
        .map(|r| (r.train_correct, r.train_total))
        .collect();
    let test: Vec<(usize, usize)> = runs
        .iter()
        .map(|r| (r.test_correct, r.test_total))
        .collect();
    [
        plain(
            "train_loss",
            report.train_loss,
            values(|r| r.train_loss),
            LOSS_TOLERANCE,
        ),
        accuracy(
            "train_accuracy",
            report.train_correct,
            report.train_total,
            &train,
        ),
        plain(
            "test_loss",
            report.test_loss,
            values(|r| r.test_loss),
            LOSS_TOLERANCE,
        ),
        accuracy(
            "test_accuracy",
            report.test_correct,
            report.test_total,
            &test,
        ),
        plain(
            "best_epoch",
            report.best_epoch as f64,
            values(|r| r.best_epoch as f64),
            0.0,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

impl Check {
    /// The verdict cell: where the report's figure lies, our range, and for accuracies the interval.
    pub fn cell(&self) -> String {
        let accuracy = self.ci95.is_some();
        let show = |v: f64| match self.figure {
            "best_epoch" => format!("{v:.0}"),
            _ if accuracy => format!("{:.2}%", 100.0 * v),
            _ => format!("{v:.4}"),
        };
        let range = format!("{}–{}", show(self.min), show(self.max));
        let mut s = match self.place {
            Place::Inside => format!("inside ours ({range})"),
            Place::Below => format!("**below** ours ({range})"),
            Place::Above => format!("**above** ours ({range})"),
        };
        if let (Some((lo, hi)), Some(inside)) = (self.ci95, self.in_ci95) {
            s.push_str(&format!(
                "; {} the 95% CI {:.1}–{:.1}%",
                if inside { "in" } else { "**outside**" },
                100.0 * lo,
                100.0 * hi
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_inside_below_above_and_at_the_edges() {
        let v = [0.40, 0.45, 0.42];
        assert_eq!(place(0.43, &v, 0.0), Some((Place::Inside, 0.40, 0.45)));
        assert_eq!(place(0.40, &v, 0.0).unwrap().0, Place::Inside);
        assert_eq!(place(0.45, &v, 0.0).unwrap().0, Place::Inside);
        assert_eq!(place(0.39, &v, 0.0).unwrap().0, Place::Below);
        assert_eq!(place(0.46, &v, 0.0).unwrap().0, Place::Above);
        // Within the printed precision of the report's figure: equal.
        assert_eq!(place(0.45004, &v, 5e-5).unwrap().0, Place::Inside);
        assert_eq!(place(0.45006, &v, 5e-5).unwrap().0, Place::Above);
        assert_eq!(place(1.0, &[], 0.0), None);
    }

    fn run(
        train_correct: usize,
        test_correct: usize,
        train_loss: f64,
        best_epoch: usize,
    ) -> RunMetrics {
        RunMetrics {
            train_loss,
            train_accuracy: train_correct as f64 / 94.0,
            train_correct,
            train_total: 94,
            test_loss: 0.5,
            test_accuracy: test_correct as f64 / 24.0,
            test_correct,
            test_total: 24,
            best_epoch,
            epochs_run: 50_000,
            seconds: 1.0,
        }
    }

    #[test]
    fn checks_of_hand_made_runs() {
        let report = ReportFigures {
            train_loss: 0.4100,
            train_accuracy: 0.8617,
            train_correct: 81,
            train_total: 94,
            test_loss: 0.5414,
            test_accuracy: 0.7917,
            test_correct: 19,
            test_total: 24,
            best_epoch: 3655,
            note: None,
            time: None,
        };
        let runs = [run(74, 19, 0.44, 20_000), run(78, 20, 0.43, 40_000)];
        let c = checks(&report, &runs);
        let by = |f: &str| c.iter().find(|c| c.figure == f).unwrap();
        assert_eq!(c.len(), 5);
        // 0.4100 below 0.43–0.44.
        assert_eq!(by("train_loss").place, Place::Below);
        // 81/94 above 74/94–78/94, and outside the 95% CI of the pooled 152/188 (about 74.6–85.8%).
        let train = by("train_accuracy");
        assert_eq!(train.place, Place::Above);
        let (lo, hi) = train.ci95.unwrap();
        assert!(lo < 0.809 && 0.809 < hi && hi < 0.8617, "{lo} {hi}");
        assert_eq!(train.in_ci95, Some(false));
        // 19/24 is the smallest of ours: inside, and in the CI.
        let test = by("test_accuracy");
        assert_eq!((test.place, test.in_ci95), (Place::Inside, Some(true)));
        // 0.5414 above both runs' 0.5.
        assert_eq!(by("test_loss").place, Place::Above);
        assert_eq!(by("best_epoch").place, Place::Below);
        assert!(
            by("best_epoch")
                .cell()
                .starts_with("**below** ours (20000–40000)")
        );
        assert!(
            test.cell()
                .starts_with("inside ours (79.17%–83.33%); in the 95% CI")
        );
        assert!(checks(&report, &[]).is_empty());
    }
}
