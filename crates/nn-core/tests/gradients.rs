//! The gradient is proven three ways: the report's dummy case, random architectures (proptest), and the
//! course's published debug values.

use nn_core::{Activation, Architecture, Init, Network, Output, Targets, check_gradients};
use nn_linalg::Matrix;
use proptest::prelude::*;

/// The report's §4.1 check: X = 1..9 as 3×3, y = [1, 0, 1], hidden [2, 2, 3], one sigmoid output, ε = 1e-5.
/// The report saw errors of ~1e-11 in every layer.
#[test]
fn report_dummy_case_gradients_agree() {
    let x = Matrix::from_row_major(3, 3, &[1., 2., 3., 4., 5., 6., 7., 8., 9.]);
    let y = [1, 0, 1];
    for seed in 0..5 {
        let net = Network::<f64>::xavier(3, &[2, 2, 3], 1, Output::Sigmoid, seed).unwrap();
        let check = check_gradients(&net, &x, &y, 0.0, 1e-5).unwrap();
        assert_eq!(check.layers.len(), 4);
        for layer in &check.layers {
            assert!(layer.max_abs_diff < 1e-9, "seed {seed}: {layer:?}");
        }
    }
}

fn course_debug_network() -> Network<f64> {
    // The course's debug parameters (1..18)/10, unrolled column-major into Θ1 (2×3) then Θ2 (4×3).
    let params: Vec<f64> = (1..=18).map(|v| f64::from(v) / 10.0).collect();
    let theta1 = Matrix::from_col_major(2, 3, &params[..6]);
    let theta2 = Matrix::from_col_major(4, 3, &params[6..]);
    Network::from_theta(&[theta1, theta2], Output::Sigmoid).expect("Θ1 (2×3) chains into Θ2 (4×3)")
}

fn course_debug_data() -> (Matrix<f64>, Vec<usize>) {
    let x = Matrix::from_row_major(3, 2, &[1f64, 2., 3., 4., 5., 6.].map(f64::cos));
    // y = [4, 2, 3] with labels 1..4: output unit k−1 stands for label k.
    (x, vec![3, 1, 2])
}

/// Golden values published with the course's ex4 (nnCostFunction debug case): input 2, hidden 2, 4 sigmoid
/// outputs, J summed over the output units.
#[test]
fn course_debug_case_matches_published_values() {
    let net = course_debug_network();
    let (x, y) = course_debug_data();
    assert_eq!(
        net.architecture().describe(),
        "2-2-4 (sigmoid hidden, sigmoid output)"
    );

    let (eval, grads) = net.gradient(&x, &y, 0.0).unwrap();
    assert!(
        (eval.cost() - 7.406970).abs() < 1e-6,
        "J(λ=0) = {}",
        eval.cost()
    );
    const GRAD_LAMBDA_0: [f64; 18] = [
        0.766138, 0.979897, -0.027540, -0.035844, -0.024929, -0.053862, 0.883417, 0.568762,
        0.584668, 0.598139, 0.459314, 0.344618, 0.256313, 0.311885, 0.478337, 0.368920, 0.259771,
        0.322331,
    ];
    let got = grads.unrolled_theta();
    for (i, (g, w)) in got.iter().zip(GRAD_LAMBDA_0).enumerate() {
        assert!(
            (g - w).abs() < 1e-6,
            "gradient entry {} = {g}, published {w}",
            i + 1
        );
    }

    let (eval, grads) = net.gradient(&x, &y, 3.0).unwrap();
    assert!(
        (eval.cost() - 16.456970).abs() < 1e-6,
        "J(λ=3) = {}",
        eval.cost()
    );
    // Non-bias entries grow by λ/m·Θ: entry 3 is Θ1(1,2) = 0.3, so −0.027540 + (3/3)·0.3 = 0.272460.
    let got3 = grads.unrolled_theta();
    assert!(
        (got3[2] - 0.272460).abs() < 1e-6,
        "entry 3 at λ = 3: {}",
        got3[2]
    );
    let params = net.unrolled_theta();
    for (i, ((g3, g0), p)) in got3.iter().zip(&got).zip(&params).enumerate() {
        // Bias entries are Θ column 0: entries 1–2 of Θ1 and 7–10 of Θ2.
        let is_bias = i < 2 || (6..10).contains(&i);
        let want = if is_bias { *g0 } else { g0 + p };
        assert!((g3 - want).abs() < 1e-12, "entry {} at λ = 3", i + 1);
    }

    // And backprop agrees with central differences on this case too.
    let check = check_gradients(&net, &x, &y, 3.0, 1e-5).unwrap();
    assert!(check.max_relative_error() < 1e-9, "{check:?}");
}

fn labels_for(output: Output, n_outputs: usize, raw: &[usize]) -> Vec<usize> {
    let classes = output.classes(n_outputs);
    raw.iter().map(|r| r % classes).collect()
}

/// The smallest |z| over every hidden unit and sample: z = A·W + b layer by layer, written out plainly.
fn min_abs_hidden_z(net: &Network<f64>, x: &Matrix<f64>) -> f64 {
    let f = net.architecture().activation;
    let mut a: Vec<Vec<f64>> = (0..x.rows()).map(|i| x.row_to_vec(i)).collect();
    let mut smallest = f64::INFINITY;
    let hidden = net.layers().len() - 1;
    for layer in &net.layers()[..hidden] {
        a = a
            .iter()
            .map(|row| {
                (0..layer.n_out())
                    .map(|j| {
                        let z: f64 = layer.bias[j]
                            + row
                                .iter()
                                .enumerate()
                                .map(|(i, v)| v * layer.weights.get(i, j))
                                .sum::<f64>();
                        smallest = smallest.min(z.abs());
                        f.apply(z)
                    })
                    .collect()
            })
            .collect();
    }
    smallest
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Backprop agrees with central differences on random architectures, inputs and labels.
    #[test]
    fn backprop_matches_numerical_gradient(
        n_input in 1usize..5,
        hidden in prop::collection::vec(1usize..9, 0..=4),
        output in 0usize..Output::ALL.len(),
        n_outputs in 1usize..5,
        activation in 0usize..Activation::ALL.len(),
        lambda in prop_oneof![Just(0.0), 0.01f64..3.0],
        m in 1usize..7,
        seed in any::<u64>(),
        values in prop::collection::vec(-2.0f64..2.0, 4 * 6),
        raw_labels in prop::collection::vec(0usize..100, 6),
        raw_values in prop::collection::vec(-3.0f64..3.0, 6 * 4),
    ) {
        let output = Output::ALL[output];
        let n_outputs = if output == Output::Softmax { n_outputs.max(2) } else { n_outputs };
        let mut arch = Architecture::new(n_input, &hidden, n_outputs, output);
        arch.activation = Activation::ALL[activation];
        let net = Network::<f64>::new(arch, Init::XavierNormal, seed).unwrap();
        let x = Matrix::from_fn(m, n_input, |i, j| values[i * 4 + j]);
        // The ReLU family has a kink at z = 0, where central differences straddle two slopes: keep every
        // hidden pre-activation at least 1e-3 away from it (the step moves z by about 1e-5).
        prop_assume!(!net.architecture().activation.is_relu_family() || min_abs_hidden_z(&net, &x) > 1e-3);
        let y = labels_for(output, n_outputs, &raw_labels[..m]);
        let values = &raw_values[..m * n_outputs];
        let targets = if output.is_regression() { Targets::Values(values) } else { Targets::Classes(&y) };
        let check = check_gradients(&net, &x, targets, lambda, 1e-5).unwrap();
        for layer in &check.layers {
            // Relative error, except where the gradient itself is ~0 and only absolute error is meaningful.
            prop_assert!(layer.relative_error < 1e-7 || layer.max_abs_diff < 1e-10, "{:?}", layer);
        }
    }
}

/// Every hidden activation × every output, on one fixed two-hidden-layer network: backprop agrees with
/// central differences. (The proptest above draws them at random; this names each pair in a failure.)
#[test]
fn every_activation_and_output_passes_the_gradient_check() {
    let x = Matrix::from_fn(7, 3, |i, j| ((i * 3 + j) as f64 * 0.61).sin() * 1.7);
    let y = [0, 1, 2, 1, 0, 2, 1];
    // Regression targets for three identity units, column-major (7 samples × 3 outputs).
    let values: Vec<f64> = (0..21).map(|i| (i as f64 * 0.37).cos() * 2.0).collect();
    for output in Output::ALL {
        for activation in Activation::ALL {
            let mut arch = Architecture::new(3, &[5, 4], 3, output);
            arch.activation = activation;
            let net = Network::<f64>::new(arch, Init::XavierNormal, 9).unwrap();
            assert!(
                min_abs_hidden_z(&net, &x) > 1e-3,
                "{activation}: a check point sits on a kink"
            );
            let targets = if output.is_regression() {
                Targets::Values(&values)
            } else {
                Targets::Classes(&y)
            };
            let check = check_gradients(&net, &x, targets, 0.3, 1e-5).unwrap();
            for layer in &check.layers {
                assert!(
                    layer.relative_error < 1e-7,
                    "{} with a {output} output: {layer:?}",
                    activation.describe()
                );
            }
        }
    }
}

/// The identity output's loss is half the mean squared error, its δ the residual over m: checked by hand on
/// a network with no hidden layer (z = x·w + b).
#[test]
fn identity_output_is_half_the_mean_squared_error() {
    let x = Matrix::from_row_major(3, 1, &[1.0, 2.0, 3.0]);
    let mut net = Network::<f64>::xavier(1, &[], 1, Output::Identity, 0).unwrap();
    net.layers_mut()[0].weights.set(0, 0, 2.0);
    net.layers_mut()[0].bias[0] = 0.5;
    // z = [2.5, 4.5, 6.5], y = [3, 4, 8]: residuals [−0.5, 0.5, −1.5].
    let y = [3.0, 4.0, 8.0];
    let (eval, grads) = net.gradient(&x, Targets::Values(&y), 0.0).unwrap();
    assert!((eval.loss - (0.25 + 0.25 + 2.25) / 2.0 / 3.0).abs() < 1e-15);
    assert!((eval.abs_error - 2.5 / 3.0).abs() < 1e-15);
    // ∂J/∂w = Σ xᵢ rᵢ / m = (−0.5 + 1.0 − 4.5)/3; ∂J/∂b = Σ rᵢ / m = −1.5/3.
    assert!((grads.layers[0].weights.get(0, 0) + 4.0 / 3.0).abs() < 1e-15);
    assert!((grads.layers[0].bias[0] + 0.5).abs() < 1e-15);
    assert_eq!(net.predict_proba(&x).unwrap().col(0), &[2.5, 4.5, 6.5]);
    assert!(
        net.predict(&x).is_err(),
        "a regression network has no classes"
    );
    assert!(
        net.evaluate(&x, &[0, 1, 0], 0.0).is_err(),
        "labels for a regression output"
    );
}

/// Dropout: with a fixed key the thinned network is a fixed function of the weights, so its gradient must
/// agree with central differences of its own cost; p = 0 is exactly no dropout; another key thins other units.
#[test]
fn dropout_gradients_agree_with_central_differences_of_the_thinned_network() {
    use nn_core::{Dropout, Gradients, L2, Workspace};
    use nn_linalg::Threads;
    let x = Matrix::from_fn(9, 3, |i, j| ((i * 3 + j) as f64 * 0.53).sin() * 1.5);
    let y = [0, 1, 2, 1, 0, 2, 1, 0, 2];
    for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Gelu] {
        let mut arch = Architecture::new(3, &[6, 5], 3, Output::Softmax);
        arch.activation = activation;
        let net = Network::<f64>::new(arch, Init::XavierNormal, 4).unwrap();
        let l2 = L2::new(0.2, 9);
        let dropout = Dropout { p: 0.4, key: 77 };
        let mut ws = Workspace::new(net.architecture(), 9, Threads::Single);
        let mut grads = Gradients::zeros(net.architecture());
        let cost = |n: &Network<f64>, ws: &mut Workspace<f64>, g: &mut Gradients<f64>| {
            n.gradient_with(&x, &y, l2, ws, g, Some(dropout))
                .unwrap()
                .cost()
        };
        cost(&net, &mut ws, &mut grads);
        let analytic = grads.clone();
        let mut scratch = Gradients::zeros(net.architecture());
        let mut probe = net.clone();
        let eps = 1e-6;
        let mut worst: f64 = 0.0;
        for l in 0..net.layers().len() {
            for i in 0..net.layers()[l].n_in() {
                for j in 0..net.layers()[l].n_out() {
                    let w = probe.layers()[l].weights.get(i, j);
                    probe.layers_mut()[l].weights.set(i, j, w + eps);
                    let plus = cost(&probe, &mut ws, &mut scratch);
                    probe.layers_mut()[l].weights.set(i, j, w - eps);
                    let minus = cost(&probe, &mut ws, &mut scratch);
                    probe.layers_mut()[l].weights.set(i, j, w);
                    let numeric = (plus - minus) / (2.0 * eps);
                    worst = worst.max((numeric - analytic.layers[l].weights.get(i, j)).abs());
                }
            }
        }
        assert!(worst < 1e-8, "{activation}: largest difference {worst:e}");

        // p = 0 is no dropout, bit for bit; another key thins other units.
        let mut with = |dropout: Option<Dropout>| {
            let mut g = Gradients::zeros(net.architecture());
            let e = net.gradient_with(&x, &y, l2, &mut ws, &mut g, dropout);
            (e.unwrap(), g)
        };
        assert_eq!(with(None), with(Some(Dropout { p: 0.0, key: 1 })));
        assert_ne!(with(Some(Dropout { p: 0.4, key: 78 })).1, analytic);
    }
    let net = Network::<f64>::xavier(3, &[4], 3, Output::Softmax, 1).unwrap();
    let mut ws = Workspace::new(net.architecture(), 9, Threads::Single);
    let mut g = Gradients::zeros(net.architecture());
    let bad = net.gradient_with(
        &x,
        &y,
        L2::NONE,
        &mut ws,
        &mut g,
        Some(Dropout { p: 1.0, key: 0 }),
    );
    assert_eq!(bad.unwrap_err().to_string(), "dropout 1: must be in [0, 1)");
}

/// Class weights scale each sample's loss and its δ alike: backprop agrees with central differences of the
/// weighted objective for sigmoid (one unit and one-vs-all) and softmax outputs, and the weighted cost is the
/// hand-weighted mean of the per-sample costs.
#[test]
fn class_weighted_gradients_agree_and_weigh_each_sample() {
    let x = Matrix::from_fn(7, 3, |i, j| ((i * 3 + j) as f64 * 0.61).sin() * 1.7);
    for (output, n_outputs, y, weights) in [
        (
            Output::Sigmoid,
            1,
            vec![0, 1, 1, 1, 0, 1, 1],
            vec![2.5, 0.625],
        ),
        (
            Output::Sigmoid,
            3,
            vec![0, 1, 2, 1, 0, 2, 1],
            vec![1.2, 0.6, 1.7],
        ),
        (
            Output::Softmax,
            3,
            vec![0, 1, 2, 1, 0, 2, 1],
            vec![1.2, 0.6, 1.7],
        ),
    ] {
        let net = Network::<f64>::xavier(3, &[5, 4], n_outputs, output, 3).unwrap();
        let check = nn_core::check_weighted_gradients(&net, &x, &y, &weights, 0.3, 1e-5).unwrap();
        for layer in &check.layers {
            assert!(layer.relative_error < 1e-7, "{output}: {layer:?}");
        }
        // The weighted loss, from single-sample losses weighted by hand.
        let mut ws = nn_core::Workspace::new(net.architecture(), 7, nn_linalg::Threads::Single);
        ws.weigh_classes(&weights).unwrap();
        let weighted = net
            .evaluate_with(&x, &y, nn_core::L2::NONE, &mut ws)
            .unwrap();
        let by_hand: f64 = (0..7)
            .map(|i| {
                let xi = Matrix::from_fn(1, 3, |_, j| x.get(i, j));
                weights[y[i]] * net.evaluate(&xi, &y[i..=i], 0.0).unwrap().loss
            })
            .sum::<f64>()
            / 7.0;
        assert!(
            (weighted.loss - by_hand).abs() < 1e-12,
            "{output}: {} vs {by_hand}",
            weighted.loss
        );
        // Weights all 1 are the unweighted pass, bit for bit.
        ws.weigh_classes(&vec![1.0; weights.len()]).unwrap();
        let ones = net
            .evaluate_with(&x, &y, nn_core::L2::NONE, &mut ws)
            .unwrap();
        assert_eq!(ones, net.evaluate(&x, &y, 0.0).unwrap());
    }
    let mut ws = nn_core::Workspace::<f64>::new(
        &Architecture::new(3, &[2], 3, Output::Softmax),
        1,
        nn_linalg::Threads::Single,
    );
    assert!(ws.weigh_classes(&[1.0, 2.0]).is_err());
    assert!(ws.weigh_classes(&[1.0, f64::NAN, 1.0]).is_err());
    assert!(ws.weigh_classes(&[1.0, -1.0, 1.0]).is_err());
}
