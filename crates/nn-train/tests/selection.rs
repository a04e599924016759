//! The deciders of a run, on hand-made epoch reports: the model selector and the learning-rate schedules.

use nn_train::*;

/// The report of `epoch` with this validation loss and test accuracy (everything else zero).
fn report(epoch: usize, val_loss: f64, test_acc: f64) -> EpochReport {
    let part = |loss, accuracy| {
        Some(PartMetrics {
            loss,
            cost: loss,
            accuracy,
            correct: 0,
            total: 10,
            r2: None,
            mae: None,
            f1: Some(accuracy),
        })
    };
    EpochReport {
        epoch,
        lr: 0.1,
        validation: part(val_loss, 0.0),
        test: part(0.0, test_acc),
        ..EpochReport::default()
    }
}

#[test]
fn selector_is_a_pure_decider() {
    let mut s = Selector::new(Selection::VAL_LOSS, Some(2), 0.01);
    // (epoch, validation loss) → (is best, stop)
    for (epoch, loss, is_best, stop) in [
        (1, 1.0, true, false),
        (2, 0.995, true, false), // the best, but within min_delta: patience counts it
        (3, 0.5, true, false),
        (4, 0.6, false, false),
        (5, 0.7, false, true), // patience 2 ran out
    ] {
        let decision = s.observe(&report(epoch, loss, 0.0));
        assert_eq!(decision, Decision { is_best, stop }, "epoch {epoch}");
    }
    assert_eq!(s.best_epoch(), 3);
    // A score creeping down by less than min_delta stops the run at its lowest point, as scikit-learn's
    // tol does: the count runs from the last epoch that beat the best by min_delta.
    let mut creep = Selector::new(Selection::VAL_LOSS, Some(2), 0.01);
    for (epoch, loss, stop) in [(1, 1.0, false), (2, 0.995, false), (3, 0.989, true)] {
        let decision = creep.observe(&report(epoch, loss, 0.0));
        assert_eq!(
            decision,
            Decision {
                is_best: true,
                stop
            },
            "epoch {epoch}"
        );
    }
    assert_eq!(creep.best_epoch(), 3);

    let mut t = Selector::new(Selection::TEST_ACC, None, 0.0);
    assert!(t.observe(&report(1, 0.0, 0.5)).is_best);
    assert!(!t.observe(&report(2, 0.0, 0.5)).is_best); // ties keep the earlier epoch
    assert!(t.observe(&report(3, 0.0, 0.75)).is_best);
    assert!(Selection::TEST_ACC.uses_test_set() && !Selection::VAL_LOSS.uses_test_set());

    let mut last = Selector::new(Selection::Last, None, 0.0);
    assert!(
        last.observe(&report(1, 9.0, 0.0)).is_best && last.observe(&report(2, 10.0, 0.0)).is_best
    );
    for name in Selection::NAMES {
        assert_eq!(Selection::parse(name).unwrap().name(), name);
    }
    assert_eq!(Selection::parse("val-auc"), None);

    // F1 and R² are higher-is-better, like accuracy (here the test part's F1 follows its accuracy).
    let mut f1 = Selector::new(Selection::parse("test-f1").unwrap(), None, 0.0);
    assert!(f1.observe(&report(1, 0.0, 0.5)).is_best);
    assert!(!f1.observe(&report(2, 0.0, 0.4)).is_best);
    assert!(f1.observe(&report(3, 0.0, 0.6)).is_best);
    let mut r2 = Selector::new(Selection::parse("val-r2").unwrap(), None, 0.0);
    let with_r2 = |epoch, r2: f64| {
        let mut r = report(epoch, 0.0, 0.0);
        r.validation.as_mut().unwrap().r2 = Some(r2);
        r
    };
    assert!(r2.observe(&with_r2(1, 0.2)).is_best);
    assert!(r2.observe(&with_r2(2, 0.9)).is_best);
    assert!(!r2.observe(&with_r2(3, 0.8)).is_best);
    assert_eq!(r2.best_epoch(), 2);
}

#[test]
fn schedules() {
    // The report's Exp 3: 0.1, then 0.04 after epoch 5000.
    let s = LrSchedule::new(
        Schedule::Steps {
            steps: vec![(5000, 0.04)],
        },
        0.1,
    );
    assert_eq!(
        (s.lr_for(1), s.lr_for(5000), s.lr_for(5001)),
        (0.1, 0.1, 0.04)
    );
    let mut p = LrSchedule::new(
        Schedule::Plateau {
            factor: 0.5,
            patience: 2,
            min_lr: 0.02,
        },
        0.1,
    );
    for loss in [1.0, 0.9, 0.95, 0.91] {
        p.observe(loss);
    }
    assert_eq!(p.lr_for(5), 0.05);
    for loss in [0.92, 0.93, 0.94, 0.95, 0.96, 0.97] {
        p.observe(loss);
    }
    assert_eq!(p.lr_for(11), 0.02); // floored at min_lr
}
