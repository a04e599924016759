//! Results do not depend on the number of threads.
//!
//! nn-linalg parallelises a product by giving threads disjoint blocks of the output; each output element's sum
//! over the shared dimension runs on one thread in the same order. Elementwise passes split whole columns. So
//! one thread and two give the same bits. The products here (≥ 16.8 MFLOP) and the full-batch hidden layer
//! (≥ 65,536 elements) do run in parallel: smaller ones always stay on one thread.

use nn_core::{Network, Output};
use nn_linalg::{Matrix, Threads};
use nn_train::{Optimizer, Samples, Selection, TrainConfig, TrainData, Trainer};

fn digits_like() -> TrainData<f64> {
    // 1100 samples × 400 features, 10 classes, from a fixed formula.
    let x = Matrix::from_fn(1100, 400, |i, j| {
        (((i * 31 + j * 17) % 97) as f64 / 97.0 - 0.5) * ((i % 10) as f64 + 1.0) / 10.0
    });
    let train = Samples {
        x,
        labels: (0..1100).map(|i| i % 10).collect(),
    };
    TrainData {
        train,
        validation: None,
        test: None,
    }
}

#[test]
fn one_thread_and_two_threads_give_the_same_bits() {
    let data = digits_like();
    const { assert!(2 * 550 * 400 * 64 >= Threads::MIN_PARALLEL_FLOPS) };
    const { assert!(1100 * 64 >= Threads::MIN_PARALLEL_ELEMENTS) };
    let run = |threads: Threads, optimizer: Optimizer, batch: Option<usize>| {
        let config = TrainConfig {
            epochs: 3,
            lr: 0.1,
            optimizer,
            batch_size: batch,
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
    for (opt, batch) in [(Optimizer::Gd, None), (Optimizer::ADAM, Some(550))] {
        let one = run(Threads::Single, opt, batch);
        let two = run(Threads::from_count(2), opt, batch);
        assert_eq!(
            one,
            two,
            "{}: weights differ between 1 and 2 threads",
            opt.name()
        );
    }
}
