//! Results of runs that did not finish.

use super::*;
use nn_core::{Activation, Output};
use nn_data::{ClassMap, Dataset, SplitSpec};
use nn_linalg::{Matrix, Threads};
use nn_train::job::{JobOutcome, JobSpec, run_job};
use nn_train::{Selection, TrainConfig};
use std::path::Path;

/// A run whose learning rate makes it diverge, as run_job reports it.
fn diverged_outcome() -> JobOutcome {
    let x = Matrix::from_fn(20, 2, |i, j| ((i * (j + 1)) as f64).sin());
    let labels = (0..20).map(|i| i % 2).collect();
    let data = Dataset::new(x, labels, ClassMap::zero_based(2), Path::new("d.txt")).unwrap();
    let spec = JobSpec {
        hidden: vec![3],
        output: Output::Sigmoid,
        activation: Activation::Sigmoid,
        config: TrainConfig {
            epochs: 50,
            lr: 1e308,
            selection: Selection::TEST_ACC,
            threads: Threads::Single,
            ..TrainConfig::default()
        },
        split: SplitSpec::report(0),
        standardize: true,
        precision: Precision::F64,
        init: None,
    };
    run_job::<f64>(data, &spec, None, None, None, &mut |_| {}).unwrap()
}

#[test]
fn a_diverged_run_is_reported_as_such_and_left_out_of_the_figures() {
    let specs = Specs::load(&crate::workspace_root().join("experiments/report.toml")).unwrap();
    let exp1 = &specs.experiment[0];
    let outcome = diverged_outcome();
    assert!(outcome.error.is_some());
    let diverged = RunResult::new(exp1, Variant::Report, 1, &outcome);
    assert_eq!(diverged.status, "diverged");
    assert!(diverged.metrics.is_none());
    let problem = diverged.problem.clone().unwrap();
    assert!(problem.contains("diverged at epoch"), "{problem}");
    let finished = RunResult {
        seed: 0,
        status: "finished",
        problem: None,
        metrics: Some(RunMetrics {
            train_loss: 0.5,
            train_accuracy: 0.75,
            train_correct: 3,
            train_total: 4,
            test_loss: 0.6,
            test_accuracy: 0.5,
            test_correct: 12,
            test_total: 24,
            best_epoch: 7,
            epochs_run: 10,
            seconds: 0.1,
        }),
        ..diverged.clone()
    };
    let summary = Summary::new(
        &specs,
        &[finished, diverged],
        2,
        Duration::from_secs(1),
        1,
        1.0,
        Precision::F64,
    )
    .unwrap();
    let row = summary.row("exp1", Variant::Report).unwrap();
    assert_eq!((row.seeds, row.runs.len()), (1, 2));
    assert_eq!(row.test_accuracy.0, 0.5, "the diverged run adds nothing");
    assert_eq!((row.pooled_correct, row.pooled_total), (12, 24));
    let md = summary.markdown(&[], "");
    assert!(md.contains("1 of 2 seeds"), "{md}");
    assert!(
        md.contains("**Runs that did not finish**") && md.contains("seed 1: diverged ("),
        "{md}"
    );
    let json = summary.json();
    let runs = json["runs"].as_array().unwrap();
    let bad = runs.iter().find(|r| r["seed"] == 1).unwrap();
    assert_eq!(bad["status"], "diverged");
    assert!(
        bad.get("test_accuracy").is_none(),
        "no default-valued figures: {bad}"
    );
    assert!(
        bad["problem"]
            .as_str()
            .unwrap()
            .contains("diverged at epoch")
    );
}
