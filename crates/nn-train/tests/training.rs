//! The loop, the optimisers, the deciders and divergence.

use crate::common;
use common::{data, lowest_validation_loss, trainer};
use nn_core::{Network, Output};
use nn_linalg::Matrix;
use nn_train::*;

#[test]
fn config_errors_name_field_and_value() {
    let check = |c: TrainConfig| c.validate(60, false, true).unwrap_err().to_string();
    let base = TrainConfig {
        selection: Selection::Last,
        ..TrainConfig::default()
    };
    let with = |change: fn(&mut TrainConfig)| {
        let mut c = base.clone();
        change(&mut c);
        c
    };
    assert_eq!(
        check(with(|c| c.lr = -0.1)),
        "invalid config: lr = -0.1: must be finite and > 0"
    );
    let momentum_1 = Optimizer::Momentum {
        momentum: 1.0,
        nesterov: false,
    };
    let steps = Schedule::Steps {
        steps: vec![(10, 0.1), (5, 0.01)],
    };
    for (config, needle) in [
        (with(|c| c.lr = f64::NAN), "lr = NaN"),
        (with(|c| c.epochs = 0), "epochs = 0"),
        (with(|c| c.lambda = -1.0), "lambda = -1.0"),
        (
            with(|c| c.batch_size = Some(0)),
            "batch_size = 0: must be at least 1",
        ),
        (
            with(|c| c.selection = Selection::VAL_LOSS),
            "needs a validation part",
        ),
        (
            with(|c| c.patience = Some(5)),
            "early stopping needs a metric",
        ),
        (
            TrainConfig {
                schedule: steps,
                ..base.clone()
            },
            "strictly increasing",
        ),
        (
            TrainConfig {
                optimizer: momentum_1,
                ..base.clone()
            },
            "momentum = 1.0",
        ),
    ] {
        let e = check(config);
        assert!(e.contains(needle), "'{needle}' not in: {e}");
    }
    // A batch larger than the training part is clipped to it, with a note (as scikit-learn clips it).
    let clipped = with(|c| c.batch_size = Some(61))
        .validate(60, false, false)
        .unwrap();
    assert_eq!(clipped.batch_size, Some(60));
    assert_eq!(
        clipped.notes(),
        ["batch size 61 is larger than the 60 training samples; each step uses all 60"]
    );
    assert!(base.validate(60, false, false).is_ok());
}

/// One epoch of full-batch GD on logistic regression, against the update computed by hand:
/// z = w·x + b, p = σ(z), ∂J/∂w = (1/m)Σ(p − y)x + (λ/m)w, ∂J/∂b = (1/m)Σ(p − y).
#[test]
fn gd_epoch_equals_hand_computed_step() {
    let (w0, lr, lambda) = (0.5, 0.3, 0.2);
    let mut net = Network::<f64>::xavier(1, &[], 1, Output::Sigmoid, 0).unwrap();
    net.layers_mut()[0].weights.set(0, 0, w0);
    let x = [1.0, 2.0, -1.0];
    let y = [1.0, 0.0, 0.0];
    let m = 3.0;
    let sig = |z: f64| 1.0 / (1.0 + (-z).exp());
    let gw = x
        .iter()
        .zip(&y)
        .map(|(xi, yi)| (sig(w0 * xi) - yi) * xi)
        .sum::<f64>()
        / m
        + lambda / m * w0;
    let gb = x
        .iter()
        .zip(&y)
        .map(|(xi, yi)| sig(w0 * xi) - yi)
        .sum::<f64>()
        / m;

    let train = Samples::classes(Matrix::from_row_major(3, 1, &x), vec![1, 0, 0]);
    let config = TrainConfig {
        epochs: 1,
        lr,
        lambda,
        selection: Selection::Last,
        optimizer: Optimizer::Gd,
        ..TrainConfig::default()
    };
    let mut t = Trainer::new(config.validate(3, false, false).unwrap(), net);
    t.run(
        &TrainData {
            train,
            validation: None,
            test: None,
            scaling: None,
        },
        &mut |_| {},
    )
    .unwrap();
    let layer = &t.network().layers()[0];
    assert!((layer.weights.get(0, 0) - (w0 - lr * gw)).abs() < 1e-15);
    assert!((layer.bias[0] - (0.0 - lr * gb)).abs() < 1e-15);
}

#[test]
fn every_optimizer_learns_and_events_arrive_in_order() {
    for (optimizer, batch, lr) in [
        (Optimizer::Gd, None, 2.0),
        (Optimizer::MOMENTUM, Some(16), 0.1),
        (
            Optimizer::Momentum {
                momentum: 0.9,
                nesterov: true,
            },
            Some(16),
            0.1,
        ),
        (Optimizer::ADAM, Some(10), 0.02),
    ] {
        let config = TrainConfig {
            epochs: 300,
            lr,
            optimizer,
            batch_size: batch,
            selection: Selection::VAL_LOSS,
            seed: 3,
            ..TrainConfig::default()
        };
        let mut t = trainer(config);
        let mut events = Vec::new();
        t.run(&data(), &mut |e| {
            events.push(match e {
                TrainEvent::Start { .. } => "start",
                TrainEvent::Classes { .. } => "classes",
                TrainEvent::Epoch(_) => "epoch",
                TrainEvent::NewBest { .. } => "best",
                TrainEvent::Snapshot { .. } => "snapshot",
                TrainEvent::Stopped { .. } => "stopped",
                TrainEvent::End { .. } => "end",
            })
        })
        .unwrap();
        let h = &t.progress().history;
        assert_eq!(h.len(), 300);
        assert!(
            h[299].train.loss < 0.7 * h[0].train.loss,
            "{}: {} → {}",
            optimizer.name(),
            h[0].train.loss,
            h[299].train.loss
        );
        assert_eq!(
            (events[0], events[1], events[2], *events.last().unwrap()),
            ("start", "classes", "epoch", "end")
        );
        assert_eq!(events.iter().filter(|e| **e == "epoch").count(), 300);
        assert_eq!(events.iter().filter(|e| **e == "classes").count(), 300);
        assert_eq!(events.iter().filter(|e| **e == "snapshot").count(), 300);
        // Each epoch: its per-class counts, its report, then (if so) the new best, then the snapshot a
        // model file is written from.
        for w in events.windows(2) {
            match w[0] {
                "classes" => assert_eq!(w[1], "epoch"),
                "epoch" => assert!(matches!(w[1], "best" | "snapshot"), "{w:?}"),
                "best" => assert_eq!(w[1], "snapshot"),
                _ => {}
            }
        }
        // The selected model is the one with the lowest validation loss, and it is restored.
        let best = lowest_validation_loss(h).unwrap();
        let (selected, report) = t.selected();
        assert_eq!(report.unwrap().epoch, best.epoch);
        let v = data().validation.unwrap();
        let again = selected.evaluate(&v.x, v.y.targets(), 0.0).unwrap();
        assert_eq!(again.loss, best.validation.unwrap().loss);
    }
}

#[test]
fn early_stopping_stops_and_keeps_the_best() {
    let config = TrainConfig {
        epochs: 5000,
        lr: 5.0,
        patience: Some(20),
        min_delta: 1e-4,
        seed: 1,
        ..TrainConfig::default()
    };
    let mut t = trainer(config);
    let mut stopped = None;
    t.run(&data(), &mut |e| {
        if let TrainEvent::Stopped { epoch, .. } = e {
            stopped = Some(*epoch);
        }
    })
    .unwrap();
    let stopped = stopped.expect("a lr of 5 overfits 60 samples long before 5000 epochs");
    let best = t.selected().1.unwrap().epoch;
    // Patience counts from the last epoch that beat the best by min_delta; smaller gains after it still
    // move the best, which is the lowest validation loss of the run.
    assert!((stopped - 20..=stopped).contains(&best), "{best} {stopped}");
    let history = &t.progress().history;
    assert_eq!(history.len(), stopped);
    let loss = |e: usize| history[e - 1].validation.as_ref().unwrap().loss;
    assert!((1..=stopped).all(|e| loss(best) <= loss(e)));
    let mut running = loss(stopped - 20);
    for e in stopped - 19..=stopped {
        assert!(
            loss(e) >= running - 1e-4,
            "epoch {e} beat the best by min_delta"
        );
        running = running.min(loss(e));
    }
}

#[test]
fn divergence_names_epoch_and_keeps_the_last_good_model_file() {
    let dir = std::env::temp_dir().join(format!("nn-diverge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("best.nnm");
    // Logistic regression on huge inputs, half of them misclassified whatever the weight's sign.
    let train = Samples::classes(
        Matrix::from_row_major(4, 1, &[1e300, -1e300, 1e300, -1e300]),
        vec![1, 0, 0, 1],
    );
    let net = Network::<f64>::xavier(1, &[], 1, Output::Sigmoid, 0).unwrap();
    // A tiny rate for epoch 1 (a finite step), then 1e10 from epoch 2 on (overflow).
    let schedule = Schedule::Steps {
        steps: vec![(1, 1e10)],
    };
    let config = TrainConfig {
        epochs: 50,
        lr: 1e-300,
        schedule,
        selection: Selection::Last,
        ..TrainConfig::default()
    };
    let mut t = Trainer::new(config.validate(4, false, false).unwrap(), net);
    // As the CLI does: every new best is written to disk (atomically) by the observer.
    let mut written = 0;
    let err = t
        .run(
            &TrainData {
                train,
                validation: None,
                test: None,
                scaling: None,
            },
            &mut |e| {
                if let TrainEvent::NewBest {
                    report,
                    network: Some(network),
                } = e
                {
                    let mut model_file = common::model_file_of(network, report);
                    model_file.epoch = report.epoch;
                    model_file.save(&path).unwrap();
                    written += 1;
                }
            },
        )
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, TrainError::Diverged { epoch: 2, .. }),
        "{msg}"
    );
    assert!(msg.contains("epoch 2") && msg.contains("layer 1"), "{msg}");
    // Epoch 1 was written; epoch 2 diverged. The file on disk is epoch 1's, intact, loadable and finite.
    assert_eq!(written, 1);
    let on_disk = ModelFile::load(&path).unwrap();
    assert_eq!(on_disk.epoch, 1);
    assert!(on_disk.network.layers()[0].weights.all_finite());
    assert_eq!(&on_disk.network, t.selected().0);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every epoch's macro-F1 of a part is the classification report's macro-F1 of the weights it was measured on:
/// checked after one full-batch epoch (validation, test: the updated weights) and on a three-class problem
/// where one class is rarely predicted early on.
#[test]
fn epoch_f1_is_the_classification_reports_macro_f1() {
    use nn_train::metrics::Confusion;
    let three = |m: usize, offset: usize| {
        let x = Matrix::from_fn(m, 2, |i, j| {
            let k = (i + offset) as f64;
            let c = ((i + offset) % 3) as f64;
            if j == 0 {
                c + 0.9 * (k * 1.3).sin()
            } else {
                0.8 * (k * 0.7).cos() - c * 0.4
            }
        });
        Samples::classes(x, (0..m).map(|i| (i + offset) % 3).collect())
    };
    let data = TrainData {
        train: three(60, 0),
        validation: Some(three(30, 60)),
        test: Some(three(30, 90)),
        scaling: None,
    };
    for epochs in [1, 7] {
        let config = TrainConfig {
            epochs,
            lr: 0.5,
            selection: Selection::Last,
            ..TrainConfig::default()
        };
        let net = Network::xavier(2, &[4], 3, Output::Softmax, 5).unwrap();
        let mut t = Trainer::new(config.validate(60, true, true).unwrap(), net);
        t.run(&data, &mut |_| {}).unwrap();
        let last = t.progress().history.last().copied().unwrap();
        for (part, samples) in [
            (last.validation.unwrap(), data.validation.as_ref().unwrap()),
            (last.test.unwrap(), data.test.as_ref().unwrap()),
        ] {
            let predicted = t.network().predict(&samples.x).unwrap();
            let labels = samples.y.labels().unwrap();
            let report = Confusion::new(3, labels, &predicted).report();
            let f1 = part.f1.expect("a classifier's parts have an F1");
            assert!(
                (f1 - report.macro_avg.f1).abs() < 1e-15,
                "{f1} vs {report:?}"
            );
            assert_eq!(
                part.correct,
                predicted.iter().zip(labels).filter(|(p, l)| p == l).count()
            );
        }
    }
}
