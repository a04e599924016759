//! Confusion matrices, classification reports, ROC curves, Wilson intervals and regression scores against
//! hand-worked cases.

use super::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn regression_scores_by_hand() {
    // y = [1, 2, 3, 4], ŷ = [1.5, 2, 2, 4]: errors [−0.5, 0, 1, 0]; ȳ = 2.5, SST = 5.
    let s = RegressionScores::new(&[1.0, 2.0, 3.0, 4.0], &[1.5, 2.0, 2.0, 4.0]);
    assert!(close(s.mse, 1.25 / 4.0));
    assert!(close(s.mae, 1.5 / 4.0));
    assert!(close(s.r2, 1.0 - 1.25 / 5.0));
    assert_eq!(s.samples, 4);
    // Predicting the mean scores 0; a constant truth predicted exactly, 0 as well.
    assert!(close(
        RegressionScores::new(&[1.0, 3.0], &[2.0, 2.0]).r2,
        0.0
    ));
    assert!(close(
        RegressionScores::new(&[2.0, 2.0], &[2.0, 2.0]).r2,
        0.0
    ));
}

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

/// Worked by hand from the counts: class 0 has 1 true positive of 2 predicted and 2 samples; class 1, 1 of
/// 2 predicted and 1 sample; class 2, 2 of 2 predicted and 3 samples.
#[test]
fn classification_report_by_hand() {
    let c = Confusion::new(3, &[0, 0, 1, 2, 2, 2], &[0, 1, 1, 2, 0, 2]);
    let r = c.report();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    let s0 = r.classes[0];
    assert!(close(s0.precision, 0.5) && close(s0.recall, 0.5) && close(s0.f1, 0.5));
    let s1 = r.classes[1];
    assert!(close(s1.precision, 0.5) && close(s1.recall, 1.0) && close(s1.f1, 2.0 / 3.0));
    let s2 = r.classes[2];
    assert!(close(s2.precision, 1.0) && close(s2.recall, 2.0 / 3.0) && close(s2.f1, 0.8));
    assert_eq!((s0.support, s1.support, s2.support), (2, 1, 3));
    assert!(close(r.accuracy, 4.0 / 6.0));
    assert!(close(r.macro_avg.precision, 2.0 / 3.0));
    assert!(close(r.macro_avg.f1, (0.5 + 2.0 / 3.0 + 0.8) / 3.0));
    assert!(close(
        r.weighted_avg.recall,
        (2.0 * 0.5 + 1.0 + 3.0 * (2.0 / 3.0)) / 6.0
    ));
    assert_eq!(r.weighted_avg.support, 6);
    // A class never predicted scores 0, not NaN.
    let never = Confusion::new(2, &[0, 1], &[0, 0]).report();
    assert_eq!(
        (never.classes[1].precision, never.classes[1].f1),
        (0.0, 0.0)
    );
    let text = r.render(&["a".into(), "b".into(), "c".into()]);
    assert!(
        text.contains("weighted avg") && text.contains("0.6667"),
        "{text}"
    );
}

#[test]
fn roc_auc_by_rank() {
    // Perfect, inverted, and one tie across the classes (counting one half).
    assert_eq!(
        roc_auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]),
        Some(1.0)
    );
    assert_eq!(
        roc_auc(&[0.9, 0.8, 0.2, 0.1], &[false, false, true, true]),
        Some(0.0)
    );
    assert_eq!(
        roc_auc(&[0.1, 0.5, 0.5, 0.9], &[false, false, true, true]),
        Some(0.875)
    );
    // Positives 0.4, 0.8, 0.6 against negatives 0.35, 0.5: of the 6 pairs only (0.4, 0.5) is out of order.
    let auc = roc_auc(
        &[0.4, 0.35, 0.8, 0.5, 0.6],
        &[true, false, true, false, true],
    )
    .unwrap();
    assert!((auc - 5.0 / 6.0).abs() < 1e-12, "{auc}");
    assert_eq!(roc_auc(&[0.2, 0.3], &[true, true]), None);
    // The curve through every distinct threshold; its trapezoids give the same area.
    let (scores, positive) = ([0.4, 0.35, 0.8, 0.5, 0.6], [true, false, true, false, true]);
    let curve = roc_curve(&scores, &positive);
    assert_eq!(
        curve,
        [
            (0.0, 0.0),
            (0.0, 1.0 / 3.0),
            (0.0, 2.0 / 3.0),
            (0.5, 2.0 / 3.0),
            (0.5, 1.0),
            (1.0, 1.0)
        ]
    );
    let area: f64 = curve
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
        .sum();
    assert!((area - roc_auc(&scores, &positive).unwrap()).abs() < 1e-12);
    assert!(roc_curve(&[0.2, 0.3], &[true, true]).is_empty());
    assert_eq!(roc_auc(&[f64::NAN, 0.3], &[true, false]), None);
}

/// The weighted F1 without a report is the report's, bit for bit, on counts with empty classes and none.
#[test]
fn weighted_f1_is_the_report_s() {
    for counts in [
        vec![[1, 2, 2], [2, 2, 3], [0, 1, 0], [5, 6, 7]],
        vec![[0, 0, 0], [0, 0, 0]],
        vec![[3, 3, 3]],
        vec![],
    ] {
        let report = ClassificationReport::from_counts(&counts);
        assert_eq!(
            weighted_f1(&counts).to_bits(),
            report.weighted_avg.f1.to_bits(),
            "{counts:?}"
        );
    }
}
