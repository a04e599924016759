//! `cargo bench -p nn-train`: one full-batch training epoch (forward, backward, update) for the cases of
//! `cargo xtask bench`, and the linalg kernels an epoch is made of. divan reports medians.

use nn_linalg::simd::{self, Level};
use nn_linalg::{Accum, Matrix, Packed, Scalar, Threads, TileShape, ops};
use nn_train::bench::{CASES, Epoch};
use nn_train::{Optimizer, OptimizerState};

fn main() {
    divan::main();
}

fn epoch<T: Scalar>(bencher: divan::Bencher, name: &str, threads: usize) {
    let case = CASES
        .iter()
        .find(|c| c.name == name)
        .expect("a case of CASES");
    let mut e = Epoch::<T>::of(case, Threads::from_count(threads));
    bencher.bench_local(move || e.run());
}

#[divan::bench(args = [1, 0])]
fn digits_f64(bencher: divan::Bencher, threads: usize) {
    epoch::<f64>(bencher, "digits-f64", threads);
}

#[divan::bench(args = [1, 0])]
fn digits_f32(bencher: divan::Bencher, threads: usize) {
    epoch::<f32>(bencher, "digits-f32", threads);
}

#[divan::bench]
fn binary_f64(bencher: divan::Bencher) {
    epoch::<f64>(bencher, "binary-f64", 1);
}

#[divan::bench(sample_count = 10, args = [1, 0])]
fn mnist60k_f32(bencher: divan::Bencher, threads: usize) {
    epoch::<f32>(bencher, "mnist60k-f32", threads);
}

/// One optimiser update of the digits network (400-64-10, 26 250 parameters), as a mini-batch step makes.
#[divan::bench(args = ["momentum", "adam"])]
fn digits_optimizer_step_f64(bencher: divan::Bencher, name: &str) {
    let mut e = Epoch::<f64>::new(4000, &[400, 64, 10], Threads::Single);
    e.run();
    let grads = e.gradients().clone();
    let opt = Optimizer::from_name(name, 0.9).expect("an optimiser name");
    let mut state = OptimizerState::new(&opt, &e.net);
    bencher.bench_local(move || state.step(&opt, &mut e.net, &grads, 1e-6));
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

/// `kernel level` for each SIMD level this CPU has, for [`digits_forward_kernels_f64`].
fn kernels_and_levels() -> Vec<String> {
    let levels = Level::ALL
        .into_iter()
        .filter(|l| l.available() && *l != Level::Portable);
    levels
        .flat_map(|l| {
            let kernels = TileShape::WIDE.map(|tile| format!("packed{tile}"));
            let kernels = kernels.into_iter().chain(["general".to_string()]);
            kernels.map(move |k| format!("{k} {}", l.name()))
        })
        .collect()
}

/// The digits' first-layer product X (4000×400) · W (400×64), by nn's packed kernel (X packed once, as a
/// full-batch run does) at each tile `Packed::tuned` times (2×6, 2×14, 3×8, 4×6: vectors × columns), and by
/// the general product (faer's x86 kernel), at each vector level this CPU has. All give the same bits; this
/// tells which is faster on a CPU (a full-batch run times them itself when it starts: `Packed::tuned`).
#[divan::bench(args = kernels_and_levels())]
fn digits_forward_kernels_f64(bencher: divan::Bencher, which: &str) {
    let (kernel, level) = which.split_once(' ').expect("kernel level");
    simd::pin(Some(level.parse().expect("a level name"))).expect("an available level");
    let x = Matrix::<f64>::from_fn(4000, 400, |i, j| ((i + j) % 7) as f64);
    let w = Matrix::<f64>::from_fn(400, 64, |i, j| ((i * j) % 5) as f64);
    let packed = TileShape::WIDE
        .iter()
        .find(|tile| kernel == format!("packed{tile}"))
        .map(|&tile| Packed::with_tile(&x, tile));
    let (mut z, mut scratch) = (Matrix::zeros(4000, 64), Vec::new());
    bencher.bench_local(|| match &packed {
        Some(packed) => ops::matmul_packed(&mut z, packed, &w, &mut scratch, Threads::Single),
        None => ops::matmul(&mut z, Accum::Replace, &x, &w, 1.0, Threads::Single),
    });
    simd::pin(None).expect("the widest level");
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
        _ => ops::col_sums(&mut sums, Accum::Replace, &a, Threads::Single),
    });
}
