//! The training loop's gathering of mini-batches.

use super::*;
use crate::{Optimizer, Shift, TrainConfig};
use nn_core::Output;
use nn_linalg::Matrix;

/// An epoch gathered batch by batch, two batches at a time, all at once, or from the transposed copy
/// moves the weights alike.
#[test]
fn every_gather_block_gives_the_same_bits() {
    let x = Matrix::from_fn(100, 9, |i, j| ((i * 7 + j * 5) % 13) as f64 / 13.0 - 0.4);
    let data = TrainData {
        train: Samples::classes(x, (0..100).map(|i| i % 3).collect()),
        validation: None,
        test: None,
        scaling: None,
    };
    let shift = Shift {
        max: 1,
        height: 3,
        width: 3,
    };
    let config = TrainConfig {
        epochs: 2,
        lr: 0.01,
        optimizer: Optimizer::ADAM,
        batch_size: Some(16),
        dropout: 0.2,
        shift: Some(shift),
        selection: crate::Selection::Last,
        ..TrainConfig::default()
    }
    .validate(100, false, false)
    .unwrap();
    // `None`: the transposed copy (small data); `Some(rows)`: gathered from X that many rows at a time.
    let weights = |block: Option<usize>| {
        let net = Network::<f64>::xavier(9, &[6], 3, Output::Softmax, 4).unwrap();
        let mut t = Trainer::new(config.clone(), net);
        let mut buf = Buffers::new(t.net.architecture(), &t.config, &data);
        assert!(buf.xt.is_some(), "small data: the transposed copy");
        if let Some(rows) = block {
            buf.xt = None;
            buf.block = rows;
            buf.xblock = Matrix::zeros(rows, 9);
        }
        for epoch in 1..=2 {
            t.mini_batch_epoch(&data.train, &mut buf, 0.01, epoch)
                .unwrap();
        }
        t.net.unrolled_theta()
    };
    let transposed = weights(None);
    assert_eq!(weights(Some(16)), transposed, "batch by batch");
    assert_eq!(weights(Some(112)), transposed, "the whole epoch at once");
    assert_eq!(weights(Some(32)), transposed, "two batches at a time");
}
