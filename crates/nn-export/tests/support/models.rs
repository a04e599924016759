//! Models made for the export tests, and comparing their outputs.

use nn_core::{Activation, Architecture, Init, Network, Output};
use nn_data::{ClassMap, Standardizer};
use nn_linalg::Matrix;
use nn_train::{ModelFile, Precision};

/// A model with seeded weights, a standardiser fitted on `x` (or none) and zero-based classes.
pub fn model(
    (hidden, activation, n_outputs, output): (&[usize], Activation, usize, Output),
    precision: Precision,
    x: &Matrix<f64>,
    standardize: bool,
) -> ModelFile {
    let mut arch = Architecture::new(x.cols(), hidden, n_outputs, output);
    arch.activation = activation;
    // Larger weights than Xavier's, so that every unit's output varies over the samples.
    let mut network = Network::<f64>::new(arch.clone(), Init::XavierNormal, 7).unwrap();
    for layer in network.layers_mut() {
        layer.weights = Matrix::from_fn(layer.n_in(), layer.n_out(), |i, j| {
            3.0 * layer.weights.get(i, j)
        });
        for (j, b) in layer.bias.iter_mut().enumerate() {
            *b = 0.3 * (j as f64 - 1.0);
        }
    }
    if precision == Precision::F32 {
        network = network.cast::<f32>().cast::<f64>();
    }
    let standardizer = if standardize {
        Standardizer::fit(x)
    } else {
        Standardizer::identity(x.cols())
    };
    let classes = ClassMap::zero_based(arch.classes());
    ModelFile::untrained(network, precision, standardizer, classes)
}

/// Features far from standardised (offsets and scales per column), 64 rows.
pub fn features(n: usize) -> Matrix<f64> {
    Matrix::from_fn(64, n, |i, j| {
        10.0 * j as f64 + (1.0 + j as f64) * ((i * (j + 3)) as f64 * 0.37).sin()
    })
}

/// `nn predict --proba`'s probability rows: one sigmoid unit gives [1 − p, p].
pub fn nn_probabilities(model: &ModelFile, x: &Matrix<f64>) -> Vec<Vec<f64>> {
    let p = nn_train::job::predict_proba(model, x).unwrap();
    (0..p.rows())
        .map(|i| {
            if p.cols() == 1 {
                vec![1.0 - p.get(i, 0), p.get(i, 0)]
            } else {
                p.row_to_vec(i)
            }
        })
        .collect()
}

pub fn max_abs_diff(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .flat_map(|(r, s)| {
            assert_eq!(r.len(), s.len());
            r.iter().zip(s).map(|(u, v)| (u - v).abs())
        })
        .fold(0.0, f64::max)
}
