//! Construction, numerical stability, interop and prediction.

use nn_core::{Architecture, CoreError, Init, Network, Output, bce_with_logit, sigmoid};
use nn_linalg::Matrix;

#[test]
fn architecture_is_validated() {
    let err = |a: Architecture| Network::<f64>::new(a, Init::XavierUniform, 0).unwrap_err();
    assert_eq!(
        err(Architecture::new(0, &[], 1, Output::Sigmoid)),
        CoreError::EmptyEnds {
            n_input: 0,
            n_outputs: 1
        }
    );
    assert_eq!(
        err(Architecture::new(2, &[3, 0], 1, Output::Sigmoid)),
        CoreError::EmptyHidden { index: 1 }
    );
    assert_eq!(
        err(Architecture::new(2, &[], 1, Output::Softmax)),
        CoreError::SoftmaxTooNarrow(1)
    );
    // No hidden layer at all is logistic regression.
    let logistic = Network::<f64>::xavier(2, &[], 1, Output::Sigmoid, 0).unwrap();
    assert_eq!(logistic.layers().len(), 1);
}

#[test]
fn xavier_init_is_seeded_bounded_and_portable() {
    let a = Network::<f64>::xavier(400, &[64], 10, Output::Softmax, 7).unwrap();
    let b = Network::<f64>::xavier(400, &[64], 10, Output::Softmax, 7).unwrap();
    let c = Network::<f64>::xavier(400, &[64], 10, Output::Softmax, 8).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    // r = √(6 / (n_in + n_out)) bounds every weight; the bias starts at 0.
    let r = (6.0f64 / 464.0).sqrt();
    let w = a.layers()[0].weights.to_row_major();
    assert!(w.iter().all(|v| v.abs() <= r));
    // A uniform on [−r, r] has variance r²/3.
    let var = w.iter().map(|v| v * v).sum::<f64>() / w.len() as f64;
    assert!((var / (r * r / 3.0) - 1.0).abs() < 0.05, "variance {var}");
    assert!(a.layers()[0].bias.iter().all(|&b| b == 0.0));
    // ChaCha8 seeded with 7 is the same stream on every machine. These bits were recorded once: a change of
    // RNG algorithm, of the sampling method, or of the draw order makes this fail.
    assert_eq!(
        a.layers()[0].weights.get(0, 0).to_bits(),
        0xbfb3_ec7c_4ba3_f56d
    );
    assert_eq!(a.layers()[1].weights.get(3, 2), 0.20453522563950466);
}

#[test]
fn losses_from_logits_stay_finite_at_1000() {
    for z in [-1000.0f64, -40.0, 0.0, 40.0, 1000.0] {
        for y in [0.0, 1.0] {
            let l = bce_with_logit(z, y);
            assert!(l.is_finite() && l >= 0.0, "bce({z}, {y}) = {l}");
        }
        assert!((0.0..=1.0).contains(&sigmoid(z)));
    }
    assert_eq!(bce_with_logit(1000.0f64, 0.0), 1000.0);
    assert!(bce_with_logit(1000.0f64, 1.0) < 1e-300);
    assert!((bce_with_logit(0.0f64, 1.0) - std::f64::consts::LN_2).abs() < 1e-15);
    assert_eq!(bce_with_logit(-1000.0f32, 1.0), 1000.0);

    // A whole network whose logits are ±1000: finite loss and gradient, for both outputs.
    for (output, k) in [
        (Output::Sigmoid, 1),
        (Output::Sigmoid, 3),
        (Output::Softmax, 3),
    ] {
        let mut net = Network::<f64>::xavier(1, &[], k, output, 0).unwrap();
        for j in 0..k {
            net.layers_mut()[0]
                .weights
                .set(0, j, if j == 0 { 1000.0 } else { -1000.0 });
        }
        let x = Matrix::from_row_major(2, 1, &[1.0, -1.0]);
        let y = [1, 0];
        let (eval, grads) = net.gradient(&x, &y, 0.1).unwrap();
        assert!(
            eval.cost().is_finite(),
            "{output:?} {k}: cost {}",
            eval.cost()
        );
        assert!(
            eval.cost() > 100.0,
            "confidently wrong predictions cost a lot"
        );
        for layer in &grads.layers {
            assert!(layer.weights.all_finite() && layer.bias.iter().all(|b| b.is_finite()));
        }
    }
}

#[test]
fn softmax_loss_equals_naive_formula_where_that_is_safe() {
    let net = Network::<f64>::xavier(3, &[4], 3, Output::Softmax, 5).unwrap();
    let x = Matrix::from_row_major(2, 3, &[0.1, -0.2, 0.3, 1.0, 0.5, -0.5]);
    let y = [2, 0];
    let p = net.predict_proba(&x).unwrap();
    let naive = -(p.get(0, 2).ln() + p.get(1, 0).ln()) / 2.0;
    let eval = net.evaluate(&x, &y, 0.0).unwrap();
    assert!((eval.loss - naive).abs() < 1e-14);
    for i in 0..2 {
        let s: f64 = p.row_to_vec(i).iter().sum();
        assert!((s - 1.0).abs() < 1e-15);
    }
}

#[test]
fn theta_round_trip_and_shape_errors() {
    let net = Network::<f64>::xavier(3, &[5, 4], 2, Output::Softmax, 1).unwrap();
    let thetas = net.to_theta();
    assert_eq!(thetas[0].shape(), (5, 4));
    assert_eq!(thetas[2].shape(), (2, 5));
    assert_eq!(Network::from_theta(&thetas, Output::Softmax).unwrap(), net);

    let bad = [
        Matrix::<f64>::zeros(5, 4),
        Matrix::zeros(2, 5),
        Matrix::zeros(3, 4),
    ];
    let err = Network::from_theta(&bad, Output::Sigmoid).unwrap_err();
    assert!(
        matches!(
            err,
            CoreError::ThetaShape {
                index: 2,
                expected_cols: 6,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        Network::<f64>::from_theta(&[], Output::Sigmoid).unwrap_err(),
        CoreError::NoTheta
    );
}

#[test]
fn inputs_are_checked_at_the_door() {
    let net = Network::<f64>::xavier(2, &[3], 1, Output::Sigmoid, 0).unwrap();
    let x = Matrix::zeros(4, 2);
    assert_eq!(
        net.evaluate(&Matrix::zeros(4, 3), &[0; 4], 0.0)
            .unwrap_err(),
        CoreError::InputWidth {
            expected: 2,
            found: 3
        }
    );
    assert_eq!(
        net.evaluate(&x, &[0; 3], 0.0).unwrap_err(),
        CoreError::LabelCount { rows: 4, labels: 3 }
    );
    let err = net.evaluate(&x, &[0, 1, 2, 0], 0.0).unwrap_err();
    assert_eq!(
        err,
        CoreError::LabelOutOfRange {
            row: 2,
            label: 2,
            classes: 2
        }
    );
    assert!(err.to_string().contains("row 2"));
    assert_eq!(
        net.gradient(&Matrix::zeros(0, 2), &[], 0.0).unwrap_err(),
        CoreError::NoSamples("a gradient")
    );
}

#[test]
fn gradient_descent_step_is_theta_minus_lr_gradient() {
    let mut net = Network::<f64>::xavier(2, &[3], 2, Output::Softmax, 3).unwrap();
    let x = Matrix::from_row_major(3, 2, &[0.5, -1.0, 2.0, 0.1, -0.3, 0.7]);
    let y = [0, 1, 1];
    let before = net.unrolled_theta();
    let (_, grads) = net.gradient(&x, &y, 0.5).unwrap();
    net.gradient_descent_step(&grads, 0.1);
    for ((a, b), g) in net
        .unrolled_theta()
        .iter()
        .zip(&before)
        .zip(grads.unrolled_theta())
    {
        assert_eq!(*a, b - 0.1 * g);
    }
}

#[test]
fn predictions_follow_the_logits() {
    let mut net = Network::<f64>::xavier(1, &[], 1, Output::Sigmoid, 0).unwrap();
    net.layers_mut()[0].weights.set(0, 0, 1.0);
    let x = Matrix::from_row_major(3, 1, &[-2.0, 0.5, 3.0]);
    assert_eq!(net.predict(&x).unwrap(), vec![0, 1, 1]);
    let eval = net.evaluate(&x, &[0, 0, 1], 0.0).unwrap();
    assert_eq!(eval.correct, 2);
    assert!((eval.accuracy() - 2.0 / 3.0).abs() < 1e-15);

    let f32_net = net.cast::<f32>();
    assert_eq!(f32_net.predict(&x.cast()).unwrap(), vec![0, 1, 1]);
}

#[test]
fn workspace_follows_batch_size() {
    let net = Network::<f64>::xavier(2, &[3], 2, Output::Softmax, 0).unwrap();
    let big = Matrix::from_fn(8, 2, |i, j| (i + j) as f64 / 8.0);
    let small = big.select_rows(&[1, 5, 6]);
    let mut ws = nn_core::Workspace::new(net.architecture(), 8, nn_linalg::Threads::Single);
    let labels: Vec<usize> = (0..8).map(|i| i % 2).collect();
    let full = net
        .evaluate_with(&big, &labels, nn_core::L2::NONE, &mut ws)
        .unwrap();
    let part = net
        .evaluate_with(&small, &[1, 1, 0], nn_core::L2::NONE, &mut ws)
        .unwrap();
    assert_eq!(ws.rows(), 3);
    assert_eq!(full, net.evaluate(&big, &labels, 0.0).unwrap());
    assert_eq!(part, net.evaluate(&small, &[1, 1, 0], 0.0).unwrap());
}

/// A workspace for evaluation only (no δ buffers) evaluates as the full one does, bit for bit and with the same
/// per-class counts, with an activation whose pre-activations are kept (GELU) and one whose are not; a gradient
/// pass through it still works (its δ buffers grow) and agrees with the full workspace's.
#[test]
fn an_evaluation_workspace_evaluates_as_the_full_one() {
    use nn_core::{Gradients, L2, Workspace};
    let x = Matrix::from_fn(40, 5, |i, j| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
    let labels: Vec<usize> = (0..40).map(|i| (i * 5 + i / 3) % 3).collect();
    for activation in [nn_core::Activation::Gelu, nn_core::Activation::Tanh] {
        let arch = Architecture {
            activation,
            ..Architecture::new(5, &[6, 4], 3, Output::Softmax)
        };
        let net = Network::<f64>::new(arch, Init::XavierUniform, 9).unwrap();
        let threads = nn_linalg::Threads::Single;
        let mut full = Workspace::new(net.architecture(), 40, threads);
        let mut lean = Workspace::for_evaluation(net.architecture(), 40, threads);
        let a = net.evaluate_with(&x, &labels, L2::NONE, &mut full).unwrap();
        let b = net.evaluate_with(&x, &labels, L2::NONE, &mut lean).unwrap();
        assert_eq!(a, b, "{activation:?}");
        assert_eq!(full.class_counts(), lean.class_counts());
        let mut g = [
            Gradients::zeros(net.architecture()),
            Gradients::zeros(net.architecture()),
        ];
        let ga = net
            .gradient_with(&x, &labels, L2::NONE, &mut full, &mut g[0], None)
            .unwrap();
        let gb = net
            .gradient_with(&x, &labels, L2::NONE, &mut lean, &mut g[1], None)
            .unwrap();
        assert_eq!((ga, &g[0]), (gb, &g[1]), "{activation:?}");
    }
}

/// The first layer's product from packed inputs (our own kernel) gives the gradient the plain inputs give,
/// bit for bit, with and without dropout, in both precisions; a packed copy of another matrix is ignored.
#[test]
fn packed_inputs_give_the_same_gradient_bits() {
    fn one<T: nn_linalg::Scalar>() {
        use nn_core::{Dropout, Gradients, Input, L2, Workspace};
        use nn_linalg::{Packed, Threads};
        let (m, n) = (203, 37);
        let x = Matrix::<T>::from_fn(m, n, |i, j| {
            T::from_f64((((i * 31 + j * 17) % 97) as f64 / 97.0 - 0.5) * 3.0)
        });
        let labels: Vec<usize> = (0..m).map(|i| (i * 7) % 5).collect();
        let net = Network::<T>::xavier(n, &[19, 11], 5, Output::Softmax, 3).unwrap();
        let packed = Packed::new(&x);
        let other = Packed::new(&Matrix::<T>::zeros(m, n + 1));
        let l2 = L2::new(0.5, m);
        for dropout in [None, Some(Dropout { p: 0.25, key: 9 })] {
            let run = |input: Input<'_, T>| {
                let mut ws = Workspace::new(net.architecture(), m, Threads::Single);
                let mut grads = Gradients::zeros(net.architecture());
                let eval = net
                    .gradient_with(input, &labels, l2, &mut ws, &mut grads, dropout)
                    .unwrap();
                (eval, grads.unrolled_theta())
            };
            let plain = run(Input::from(&x));
            assert_eq!(
                run(Input::new(&x, Some(&packed))),
                plain,
                "{} {dropout:?}",
                T::NAME
            );
            assert_eq!(
                run(Input::new(&x, Some(&other))),
                plain,
                "another shape is ignored"
            );
        }
    }
    one::<f64>();
    one::<f32>();
}

/// A part larger than one block is evaluated block by block, in a workspace with room for one block: the same
/// count of correct predictions and per-class counts as the whole part at once, and the same loss but for the
/// order of summing (the blocks' sums, added in order); a regression part with two outputs too. Up to one
/// block it is `evaluate_with`, bit for bit. Predictions in blocks give each row the bits of a pass over its
/// block alone.
#[test]
fn a_large_part_is_evaluated_block_by_block() {
    use nn_core::{EVALUATION_BLOCK, L2, Targets, Workspace};
    let m = 2 * EVALUATION_BLOCK + 123;
    let x = Matrix::from_fn(m, 3, |i, j| ((i * 7 + j * 13) % 17) as f64 / 8.0 - 1.0);
    let threads = nn_linalg::Threads::Single;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(1.0);

    let net = Network::<f64>::new(
        Architecture::new(3, &[5], 3, Output::Softmax),
        Init::XavierUniform,
        4,
    )
    .unwrap();
    let labels: Vec<usize> = (0..m).map(|i| (i * 5 + i / 7) % 3).collect();
    let mut whole = Workspace::new(net.architecture(), m, threads);
    let want = net
        .evaluate_with(&x, &labels, L2::NONE, &mut whole)
        .unwrap();
    let mut block = Workspace::for_evaluation(net.architecture(), EVALUATION_BLOCK, threads);
    for _ in 0..2 {
        // Twice: the second pass reuses the block buffers and starts its counts from 0.
        let got = net
            .evaluate_in_blocks(&x, Targets::Classes(&labels), L2::NONE, &mut block)
            .unwrap();
        assert_eq!((got.samples, got.correct), (want.samples, want.correct));
        assert!(close(got.loss, want.loss), "{got:?} against {want:?}");
        assert_eq!(block.class_counts(), whole.class_counts());
        assert_eq!(block.rows(), 123, "the workspace holds one block");
    }
    let small = x.select_rows(&(0..100).collect::<Vec<_>>());
    let one = net
        .evaluate_in_blocks(
            &small,
            Targets::Classes(&labels[..100]),
            L2::NONE,
            &mut block,
        )
        .unwrap();
    assert_eq!(
        one,
        net.evaluate_with(&small, &labels[..100], L2::NONE, &mut whole)
            .unwrap()
    );

    // Predictions go block by block too, and each row is the same bits as in a pass of its own block.
    let proba = net.predict_proba(&x).unwrap();
    let classes = net.predict(&x).unwrap();
    for rows in [0..100, 2 * EVALUATION_BLOCK..2 * EVALUATION_BLOCK + 50] {
        let some = x.select_rows(&rows.clone().collect::<Vec<_>>());
        let want = net.predict_proba(&some).unwrap();
        for (r, i) in rows.clone().enumerate() {
            assert_eq!(proba.row_to_vec(i), want.row_to_vec(r), "row {i}");
        }
        assert_eq!(&classes[rows.clone()], &net.predict(&some).unwrap()[..]);
    }

    let reg = Network::<f64>::new(
        Architecture::new(3, &[4], 2, Output::Identity),
        Init::XavierUniform,
        5,
    )
    .unwrap();
    let values: Vec<f64> = (0..2 * m).map(|i| ((i * 3) % 11) as f64 / 4.0).collect();
    let mut whole = Workspace::new(reg.architecture(), m, threads);
    let want = reg
        .evaluate_with(&x, Targets::Values(&values), L2::NONE, &mut whole)
        .unwrap();
    let mut block = Workspace::for_evaluation(reg.architecture(), EVALUATION_BLOCK, threads);
    let got = reg
        .evaluate_in_blocks(&x, Targets::Values(&values), L2::NONE, &mut block)
        .unwrap();
    assert!(
        close(got.loss, want.loss) && close(got.abs_error, want.abs_error),
        "{got:?} against {want:?}"
    );
}
