//! `cargo bench -p nn-train`: one full-batch training epoch (forward, backward, update) for the cases of
//! `cargo xtask bench`, and the linalg kernels an epoch is made of. divan reports medians.

use nn_core::{Gradients, Network, Output, Workspace};
use nn_linalg::{Accum, Matrix, Scalar, Threads, ops};

fn main() {
    divan::main();
}

struct Setup<T: Scalar> {
    x: Matrix<T>,
    y: Vec<usize>,
    net: Network<T>,
    ws: Workspace<T>,
    grads: Gradients<T>,
}

fn setup<T: Scalar>(m: usize, widths: &[usize], threads: Threads) -> Setup<T> {
    let (n, k) = (widths[0], widths[widths.len() - 1]);
    let x = Matrix::from_fn(m, n, |i, j| {
        T::from_f64((((i * 31 + j * 17) % 97) as f64 / 97.0 - 0.5) * 2.0)
    });
    let y = (0..m).map(|i| (i * 7) % k.max(2)).collect();
    let output = if k == 1 {
        Output::Sigmoid
    } else {
        Output::Softmax
    };
    let net =
        Network::<T>::xavier(n, &widths[1..widths.len() - 1], k, output, 0).expect("valid widths");
    let ws = Workspace::new(net.architecture(), m, threads);
    let grads = Gradients::zeros(net.architecture());
    Setup {
        x,
        y,
        net,
        ws,
        grads,
    }
}

fn epoch<T: Scalar>(bencher: divan::Bencher, m: usize, widths: &[usize], threads: Threads) {
    let mut s = setup::<T>(m, widths, threads);
    let lr = T::from_f64(1e-3);
    bencher.bench_local(move || {
        s.net
            .gradient_with(&s.x, &s.y, nn_core::L2::NONE, &mut s.ws, &mut s.grads)
            .expect("shapes fit");
        s.net.gradient_descent_step(&s.grads, lr);
    });
}

#[divan::bench(args = [1, 0])]
fn digits_f64(bencher: divan::Bencher, threads: usize) {
    epoch::<f64>(bencher, 4000, &[400, 64, 10], Threads::from_count(threads));
}

#[divan::bench(args = [1, 0])]
fn digits_f32(bencher: divan::Bencher, threads: usize) {
    epoch::<f32>(bencher, 4000, &[400, 64, 10], Threads::from_count(threads));
}

#[divan::bench]
fn binary_f64(bencher: divan::Bencher) {
    epoch::<f64>(bencher, 94, &[2, 4, 4, 1], Threads::Single);
}

#[divan::bench(sample_count = 10, args = [1, 0])]
fn mnist60k_f32(bencher: divan::Bencher, threads: usize) {
    epoch::<f32>(
        bencher,
        60_000,
        &[784, 128, 10],
        Threads::from_count(threads),
    );
}

/// The digits epoch's largest product, A (4000×400) · W (400×64), and its two backward partners.
#[divan::bench(args = ["a·w", "aᵀ·δ", "δ·wᵀ"])]
fn digits_products_f64(bencher: divan::Bencher, which: &str) {
    let a = Matrix::<f64>::from_fn(4000, 400, |i, j| ((i + j) % 7) as f64);
    let w = Matrix::<f64>::from_fn(400, 64, |i, j| ((i * j) % 5) as f64);
    let d = Matrix::<f64>::from_fn(4000, 64, |i, j| ((i + 2 * j) % 3) as f64);
    let (mut z, mut gw, mut back) = (
        Matrix::zeros(4000, 64),
        Matrix::zeros(400, 64),
        Matrix::zeros(4000, 400),
    );
    bencher.bench_local(|| match which {
        "a·w" => ops::matmul(&mut z, Accum::Replace, &a, &w, 1.0, Threads::Single),
        "aᵀ·δ" => ops::matmul(&mut gw, Accum::Replace, a.t(), &d, 1.0, Threads::Single),
        _ => ops::matmul(&mut back, Accum::Replace, &d, w.t(), 1.0, Threads::Single),
    });
}

/// The elementwise kernels of an epoch on a 4000×64 hidden layer.
#[divan::bench(args = ["sigmoid", "hadamard", "col_sums"])]
fn digits_elementwise_f64(bencher: divan::Bencher, which: &str) {
    let a = Matrix::<f64>::from_fn(4000, 64, |i, j| ((i + j) % 13) as f64 / 13.0 - 0.5);
    let mut z = a.clone();
    let mut sums = vec![0.0; 64];
    bencher.bench_local(|| match which {
        "sigmoid" => ops::map_into(&mut z, &a, nn_core::sigmoid),
        "hadamard" => ops::hadamard_inplace(&mut z, &a),
        _ => ops::col_sums(&mut sums, Accum::Replace, &a),
    });
}
