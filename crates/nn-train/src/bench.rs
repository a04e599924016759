//! The benchmark workloads, shared by `cargo bench -p nn-train` and `cargo xtask bench` so that both time the
//! same work: the cases (the report's networks and MNIST's shape) and one full-batch epoch on synthetic data.

use nn_core::{Gradients, Input, L2, Network, Output, Workspace};
use nn_linalg::{Accum, Matrix, Packed, Scalar, Threads, TileShape, ops};
use std::time::{Duration, Instant};

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
    /// The features packed, as the trainer packs them for a full batch (none where the general product is
    /// faster on this CPU).
    packed: Option<Packed<T>>,
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
            packed: Packed::tuned(&x, widths[1]),
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
            .gradient_with(
                Input::new(&self.x, self.packed.as_ref()),
                &self.y,
                L2::NONE,
                &mut self.ws,
                &mut self.grads,
                None,
            )
            .expect("the workload's shapes fit");
        self.net
            .gradient_descent_step(&self.grads, T::from_f64(1e-3));
    }

    /// The first layer's forward kernel, as [`Packed::tuned`] chose it on this CPU: nn's packed kernel
    /// at this register tile, or `None` for the general product. [`Products::with_tile`] takes it, so that
    /// an epoch and its products alone run the same kernel.
    pub fn first_layer_tile(&self) -> Option<TileShape> {
        self.packed.as_ref().map(Packed::tile)
    }

    /// Whether the first layer's weight gradient ran as `(δᵀ·X)ᵀ` rather than `Xᵀ·δ` in the last
    /// [`run`](Self::run) ([`ops::matmul_tn`]'s timed choice on this CPU); `None` before any run.
    pub fn first_gradient_transposed(&self) -> Option<bool> {
        let widths = self.net.architecture().widths();
        ops::matmul_tn_transposes::<T>(self.x.rows(), widths[0], widths[1])
    }

    /// The gradients of the last [`run`](Self::run).
    pub fn gradients(&self) -> &Gradients<T> {
        &self.grads
    }
}

/// The matrix products of one full-batch epoch alone, on buffers of its shapes: forward A·W per layer;
/// backward Aᵀ·δ per layer (in the form [`ops::matmul_tn`] finds faster here, as in training) and δ·Wᵀ for
/// all but the first. Their time is an epoch's arithmetic floor: the
/// work every implementation must do, at the speed of this machine's matrix products. As in training, a
/// gradient's first product reads the inputs packed once ([`Packed::tuned`], where that is faster on this
/// CPU); an evaluation pass reads them as
/// they are.
pub struct Products<T: Scalar> {
    packed: Option<Packed<T>>,
    packed_w: Vec<T>,
    acts: Vec<Matrix<T>>,
    outs: Vec<Matrix<T>>,
    grads: Vec<Matrix<T>>,
    /// Per layer, room for the weight gradient transposed ([`ops::matmul_tn`]), as the trainer has.
    grads_t: Vec<Matrix<T>>,
    weights: Vec<Matrix<T>>,
}

impl<T: Scalar> Products<T> {
    /// Buffers for `m` samples through layers of these widths (input first), the first layer's product by
    /// the kernel [`Packed::fastest_tile`] chooses on this CPU.
    pub fn new(m: usize, widths: &[usize]) -> Self {
        Self::build(m, widths, |x| Packed::tuned(x, widths[1]))
    }

    /// The same, the first layer's product by nn's packed kernel at a tile of `tile` columns, or by the
    /// general product (`None`): as an [`Epoch::first_layer_tile`] says.
    pub fn with_tile(m: usize, widths: &[usize], tile: Option<TileShape>) -> Self {
        Self::build(m, widths, |x| tile.map(|tile| Packed::with_tile(x, tile)))
    }

    fn build(
        m: usize,
        widths: &[usize],
        pack: impl FnOnce(&Matrix<T>) -> Option<Packed<T>>,
    ) -> Self {
        let fill = |rows: usize, cols: usize| {
            Matrix::from_fn(rows, cols, |i, j| {
                T::from_f64(((i + 2 * j) % 7) as f64 / 7.0)
            })
        };
        let acts: Vec<_> = widths.iter().map(|&w| fill(m, w)).collect();
        Products {
            packed: pack(&acts[0]),
            packed_w: Vec::new(),
            acts,
            outs: widths.iter().map(|&w| Matrix::zeros(m, w)).collect(),
            grads: widths
                .windows(2)
                .map(|w| Matrix::zeros(w[0], w[1]))
                .collect(),
            weights: widths.windows(2).map(|w| fill(w[0], w[1])).collect(),
            grads_t: widths.windows(2).map(|_| Matrix::zeros(0, 0)).collect(),
        }
    }

    /// The forward products only (an evaluation pass).
    pub fn forward(&mut self, threads: Threads) {
        self.forward_from(0, threads);
    }

    /// The forward products of layers `first..`.
    fn forward_from(&mut self, first: usize, threads: Threads) {
        for l in first..self.weights.len() {
            ops::matmul(
                &mut self.outs[l + 1],
                Accum::Replace,
                &self.acts[l],
                &self.weights[l],
                T::ONE,
                threads,
            );
        }
    }

    /// The forward and backward products of one gradient.
    pub fn run(&mut self, threads: Threads) {
        match &self.packed {
            Some(packed) => {
                ops::matmul_packed(
                    &mut self.outs[1],
                    packed,
                    &self.weights[0],
                    &mut self.packed_w,
                    threads,
                );
                self.forward_from(1, threads);
            }
            None => self.forward_from(0, threads),
        }
        for l in (0..self.weights.len()).rev() {
            ops::matmul_tn(
                &mut self.grads[l],
                &self.acts[l],
                &self.acts[l + 1],
                &mut self.grads_t[l],
                threads,
                usize::MAX,
            );
            if l > 0 {
                ops::matmul(
                    &mut self.outs[l],
                    Accum::Replace,
                    &self.acts[l + 1],
                    self.weights[l].t(),
                    T::ONE,
                    threads,
                );
            }
        }
    }
}

/// The median time of one call of `f` (which runs `inner` iterations) over `samples` calls, per iteration,
/// after at least 0.2 s of warm-up: first touch of buffers, the thread pool's start, and each pool thread's
/// own packing buffers, which appear only once that thread has taken a block of a product.
pub fn time_per_iter(samples: usize, inner: usize, mut f: impl FnMut()) -> f64 {
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(200) {
        f();
    }
    let mut v: Vec<Duration> = (0..samples.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed() / inner.max(1) as u32
        })
        .collect();
    v.sort();
    v[v.len() / 2].as_secs_f64()
}

/// A quick median: the time of one call of `f`, over 5 samples of repeated calls sized to about 5 ms each,
/// after two calls of warm-up. For measurements taken in passing (the replay's floor, the FMA peak), where
/// [`time_per_iter`]'s longer warm-up would cost more than it tells.
pub fn quick_time(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    f();
    f();
    let once = (start.elapsed() / 2).max(Duration::from_nanos(100));
    let inner = (Duration::from_millis(5).as_nanos() / once.as_nanos()).clamp(1, 100_000) as u32;
    let mut samples: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..inner {
                f();
            }
            t.elapsed() / inner
        })
        .collect();
    samples.sort();
    samples[2].as_secs_f64()
}
