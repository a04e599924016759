//! The benchmark workloads, shared by `cargo bench -p nn-train` and `cargo xtask bench` so that both time the
//! same work: the cases (the report's networks and MNIST's shape) and one full-batch epoch on synthetic data.

use nn_core::{Gradients, L2, Network, Output, Workspace};
use nn_linalg::{Matrix, Scalar, Threads};

/// One benchmark case: a synthetic dataset of `m` samples and a network of these widths.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// How it is named on the command line and in results.
    pub name: &'static str,
    /// Samples.
    pub m: usize,
    /// Layer widths, input first.
    pub widths: &'static [usize],
    /// Whether it runs in f32 (else f64).
    pub f32: bool,
}

/// The cases, in the order they are reported.
pub const CASES: &[Case] = &[
    Case {
        name: "digits-f64",
        m: 4000,
        widths: &[400, 64, 10],
        f32: false,
    },
    Case {
        name: "digits-f32",
        m: 4000,
        widths: &[400, 64, 10],
        f32: true,
    },
    Case {
        name: "binary-f64",
        m: 94,
        widths: &[2, 4, 4, 1],
        f32: false,
    },
    Case {
        name: "mnist60k-f32",
        m: 60_000,
        widths: &[784, 128, 10],
        f32: true,
    },
];

/// Deterministic features in [−1, 1) and labels cycling through the classes: data with the shape of a case,
/// cheap to make, the same on every machine.
pub fn synthetic<T: Scalar>(m: usize, n: usize, k: usize) -> (Matrix<T>, Vec<usize>) {
    let x = Matrix::from_fn(m, n, |i, j| {
        T::from_f64((((i * 31 + j * 17) % 97) as f64 / 97.0 - 0.5) * 2.0)
    });
    (x, (0..m).map(|i| (i * 7) % k.max(2)).collect())
}

/// A network of a case's widths (Xavier, seed 0; sigmoid output for one unit, else softmax) on
/// [`synthetic`] data, with the buffers a training epoch reuses.
pub struct Epoch<T: Scalar> {
    /// The features.
    pub x: Matrix<T>,
    /// The labels.
    pub y: Vec<usize>,
    /// The network trained.
    pub net: Network<T>,
    ws: Workspace<T>,
    grads: Gradients<T>,
}

impl<T: Scalar> Epoch<T> {
    /// The workload for `m` samples and these widths (input first), with products on `threads`.
    ///
    /// # Panics
    /// If `widths` is not a valid architecture (fewer than two layers, or a zero width).
    pub fn new(m: usize, widths: &[usize], threads: Threads) -> Self {
        let (n, k) = (widths[0], widths[widths.len() - 1]);
        let output = if k == 1 {
            Output::Sigmoid
        } else {
            Output::Softmax
        };
        let hidden = &widths[1..widths.len() - 1];
        let (x, y) = synthetic(m, n, k);
        let net = Network::<T>::xavier(n, hidden, k, output, 0).expect("a valid benchmark case");
        let ws = Workspace::new(net.architecture(), m, threads);
        let grads = Gradients::zeros(net.architecture());
        Epoch {
            x,
            y,
            net,
            ws,
            grads,
        }
    }

    /// The workload of `case`.
    pub fn of(case: &Case, threads: Threads) -> Self {
        Self::new(case.m, case.widths, threads)
    }

    /// One full-batch gradient-descent epoch: forward, backward, update (learning rate 10⁻³, no penalty).
    pub fn run(&mut self) {
        self.net
            .gradient_with(&self.x, &self.y, L2::NONE, &mut self.ws, &mut self.grads)
            .expect("the workload's shapes fit");
        self.net
            .gradient_descent_step(&self.grads, T::from_f64(1e-3));
    }

    /// The gradients of the last [`run`](Self::run).
    pub fn gradients(&self) -> &Gradients<T> {
        &self.grads
    }
}
