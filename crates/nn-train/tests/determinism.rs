//! Results do not depend on the number of threads.
//!
//! nn-linalg parallelises a product by giving threads disjoint blocks of the output; each output element's sum
//! over the shared dimension runs on one thread in the same order. Elementwise passes split whole columns. So
//! one thread and two give the same bits. The products here (≥ 16.8 MFLOP) and the full-batch hidden layer
//! (≥ 65,536 elements) do run in parallel: smaller ones always stay on one thread.

use nn_core::{Network, Output};
use nn_linalg::{Matrix, Threads};
use nn_train::{Optimizer, Samples, Selection, Shift, TrainConfig, TrainData, Trainer};

fn digits_like() -> TrainData<f64> {
    // 1100 samples × 400 features, 10 classes, from a fixed formula.
    let x = Matrix::from_fn(1100, 400, |i, j| {
        (((i * 31 + j * 17) % 97) as f64 / 97.0 - 0.5) * ((i % 10) as f64 + 1.0) / 10.0
    });
    let train = Samples::classes(x, (0..1100).map(|i| i % 10).collect());
    TrainData {
        train,
        validation: None,
        test: None,
        scaling: None,
    }
}

/// Optimiser, batch size, dropout and image shifts.
type Case = (Optimizer, Option<usize>, f64, Option<Shift>);

#[test]
fn one_thread_and_two_threads_give_the_same_bits() {
    let data = digits_like();
    const { assert!(2 * 550 * 400 * 64 >= Threads::MIN_PARALLEL_FLOPS) };
    const { assert!(1100 * 64 >= Threads::MIN_PARALLEL_ELEMENTS) };
    let run = |threads: Threads, (optimizer, batch, dropout, shift): Case| {
        let config = TrainConfig {
            epochs: 3,
            lr: 0.1,
            optimizer,
            batch_size: batch,
            dropout,
            shift,
            selection: Selection::Last,
            threads,
            ..TrainConfig::default()
        };
        let net = Network::<f64>::xavier(400, &[64], 10, Output::Softmax, 2).unwrap();
        let mut t = Trainer::new(config.validate(1100, false, false).unwrap(), net);
        t.run(&data, &mut |_| {}).unwrap();
        t.network()
            .unrolled_theta()
            .iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>()
    };
    let shift = Some(Shift {
        max: 2,
        height: 20,
        width: 20,
    });
    for case in [
        (Optimizer::Gd, None, 0.0, None),
        (Optimizer::ADAM, Some(550), 0.0, None),
        (Optimizer::ADAM, Some(550), 0.5, None),
        (Optimizer::ADAM, Some(550), 0.5, shift),
        (Optimizer::Gd, None, 0.0, shift),
    ] {
        let one = run(Threads::Single, case);
        let two = run(Threads::from_count(2), case);
        assert_eq!(one, two, "{case:?}: weights differ between 1 and 2 threads");
    }
}

/// Cross-validation: the standardiser of each fold is fitted on that fold's training rows only (a leak of
/// the held-out fold would move it), every row is held out exactly once, and the results are the same bits
/// with one worker or several.
#[test]
fn cross_validation_fits_on_training_rows_only_and_ignores_the_worker_count() {
    use nn_data::{ClassMap, Dataset, SplitSpec};
    use nn_train::job::{JobSpec, cross_validate};
    let m = 60;
    let x = Matrix::from_fn(m, 2, |i, j| {
        // Rows 0..12 sit far out, so a standardiser that saw them differs visibly from one that did not.
        let far = if i < 12 { 100.0 } else { 0.0 };
        far + ((i * 7 + j * 3) % 11) as f64 / 11.0
    });
    let labels: Vec<usize> = (0..m).map(|i| i % 2).collect();
    let data = Dataset::new(
        x,
        labels.clone(),
        ClassMap::zero_based(2),
        "cv.txt".as_ref(),
    )
    .unwrap();
    let spec = JobSpec {
        hidden: vec![3],
        output: Output::Sigmoid,
        activation: nn_core::Activation::Sigmoid,
        config: TrainConfig {
            epochs: 15,
            lr: 0.3,
            selection: Selection::Last,
            ..TrainConfig::default()
        },
        split: SplitSpec {
            train: 1.0,
            validation: 0.0,
            stratified: false,
            seed: 4,
        },
        standardize: true,
        precision: nn_train::Precision::F64,
        init: None,
    };
    // Fold 0 holds rows 0..12, the far ones.
    let folds: Vec<Vec<usize>> = (0..5).map(|f| (f * 12..(f + 1) * 12).collect()).collect();
    let data_for = |_: &[usize]| Ok(data.clone());
    let one = cross_validate::<f64>(&folds, &data_for, &spec, 1).unwrap();
    let two = cross_validate::<f64>(&folds, &data_for, &spec, 3).unwrap();
    for (fold, (a, b)) in one.iter().zip(&two).enumerate() {
        assert_eq!(a.model_file, b.model_file, "fold {fold}");
        assert_eq!(
            a.held_out.labels(),
            folds[fold].iter().map(|&i| labels[i]).collect::<Vec<_>>()
        );
        let train: Vec<usize> = (0..m).filter(|i| !folds[fold].contains(i)).collect();
        let mean: f64 = train.iter().map(|&i| data.x().get(i, 0)).sum::<f64>() / train.len() as f64;
        let fitted = a.model_file.standardizer.mean()[0];
        assert!(
            (fitted - mean).abs() < 1e-12,
            "fold {fold}: {fitted} vs {mean}"
        );
    }
    // Fold 0's training rows are all near 0; every other fold's include the far rows.
    assert!(one[0].model_file.standardizer.mean()[0] < 1.0);
    assert!(one[1].model_file.standardizer.mean()[0] > 10.0);
}
