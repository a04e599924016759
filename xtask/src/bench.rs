//! `cargo xtask bench`: per-epoch time of full-batch training against the same epoch's matrix products alone
//! (our own roofline), at one thread and at all threads. Medians of repeated runs, measured in one process.

use anyhow::Result;
use nn_core::{Gradients, Network, Output, Workspace};
use nn_linalg::{Accum, Matrix, Scalar, Threads, ops};
use std::io::Write as _;
use std::time::{Duration, Instant};

/// One benchmark case: a synthetic dataset of this shape and a network of these widths.
pub struct Case {
    pub name: &'static str,
    pub m: usize,
    pub widths: &'static [usize],
    pub f32: bool,
}

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

/// What one case measured at one thread setting.
#[derive(Debug, serde::Serialize)]
pub struct Measurement {
    pub case: String,
    pub threads: usize,
    pub epoch_s: f64,
    pub gemm_s: f64,
    pub ratio: f64,
    /// The products' rate: their FLOPs per epoch over `gemm_s`.
    pub gemm_gflops: f64,
    pub epochs_per_sample: usize,
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64()
}

/// Times `f` (which runs `inner` iterations) `samples` times; returns the median time per iteration.
fn time_per_iter(samples: usize, inner: usize, mut f: impl FnMut()) -> f64 {
    // Warm up for at least 0.2 s: first touch of buffers, the thread pool's start, and each pool thread's own
    // packing buffers, which appear only once that thread has taken a block of a product.
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(200) {
        f();
    }
    let v: Vec<Duration> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed() / inner as u32
        })
        .collect();
    median(v)
}

fn synthetic<T: Scalar>(m: usize, n: usize, k: usize) -> (Matrix<T>, Vec<usize>) {
    let x = Matrix::from_fn(m, n, |i, j| {
        T::from_f64((((i * 31 + j * 17) % 97) as f64 / 97.0 - 0.5) * 2.0)
    });
    (x, (0..m).map(|i| (i * 7) % k.max(2)).collect())
}

fn measure<T: Scalar>(case: &Case, threads: Threads) -> Measurement {
    let (n, k) = (case.widths[0], *case.widths.last().unwrap_or(&1));
    let output = if k == 1 {
        Output::Sigmoid
    } else {
        Output::Softmax
    };
    let hidden = &case.widths[1..case.widths.len() - 1];
    let (x, y) = synthetic::<T>(case.m, n, k);
    let mut net = Network::<T>::xavier(n, hidden, k, output, 0).expect("valid case");
    let arch = net.architecture().clone();
    let mut ws = Workspace::<T>::new(&arch, case.m, threads);
    let mut grads = Gradients::<T>::zeros(&arch);
    let flops = arch.flops_per_pass(case.m) as f64;
    // Enough iterations per sample to last ~20 ms.
    let inner = ((2e-2 * 20e9 / flops.max(1.0)) as usize).clamp(1, 20_000);
    let samples = if case.m >= 60_000 { 5 } else { 11 };
    let lr = T::from_f64(1e-3);
    // Timed where the trainer runs its loop (Threads::run), so that the parallel products behave as in training.
    let epoch_s = threads.run(|| {
        time_per_iter(samples, inner, || {
            for _ in 0..inner {
                net.gradient_with(&x, &y, nn_core::L2::NONE, &mut ws, &mut grads)
                    .expect("shapes fit");
                net.gradient_descent_step(&grads, lr);
            }
        })
    });
    // The same products alone: forward A·W per layer; backward Aᵀ·δ per layer and δ·Wᵀ for all but the first.
    let widths = arch.widths();
    let acts: Vec<Matrix<T>> = widths.iter().map(|&w| Matrix::zeros(case.m, w)).collect();
    let mut outs: Vec<Matrix<T>> = widths.iter().map(|&w| Matrix::zeros(case.m, w)).collect();
    let mut gw: Vec<Matrix<T>> = widths
        .windows(2)
        .map(|w| Matrix::zeros(w[0], w[1]))
        .collect();
    let ws_: Vec<Matrix<T>> = net.layers().iter().map(|l| l.weights.clone()).collect();
    let gemm_s = threads.run(|| {
        time_per_iter(samples, inner, || {
            for _ in 0..inner {
                for l in 0..ws_.len() {
                    ops::matmul(
                        &mut outs[l + 1],
                        Accum::Replace,
                        &acts[l],
                        &ws_[l],
                        T::ONE,
                        threads,
                    );
                }
                for l in (0..ws_.len()).rev() {
                    ops::matmul(
                        &mut gw[l],
                        Accum::Replace,
                        acts[l].t(),
                        &acts[l + 1],
                        T::ONE,
                        threads,
                    );
                    if l > 0 {
                        ops::matmul(
                            &mut outs[l],
                            Accum::Replace,
                            &acts[l + 1],
                            ws_[l].t(),
                            T::ONE,
                            threads,
                        );
                    }
                }
            }
        })
    });
    Measurement {
        case: case.name.to_string(),
        threads: threads.count(),
        epoch_s,
        gemm_s,
        ratio: epoch_s / gemm_s,
        gemm_gflops: flops / gemm_s / 1e9,
        epochs_per_sample: inner,
    }
}

pub fn run(json: bool, only: Option<String>) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for case in CASES
        .iter()
        .filter(|c| only.as_deref().is_none_or(|o| c.name.contains(o)))
    {
        for threads in [Threads::Single, Threads::All] {
            let m = if case.f32 {
                measure::<f32>(case, threads)
            } else {
                measure::<f64>(case, threads)
            };
            let line = if json {
                serde_json::to_string(&m)?
            } else {
                format!(
                    "{:<14} threads {}  epoch {:>10}  products alone {:>10}  ratio {:.2}  ({:.1} GFLOP/s in products)",
                    m.case,
                    m.threads,
                    fmt(m.epoch_s),
                    fmt(m.gemm_s),
                    m.ratio,
                    m.gemm_gflops
                )
            };
            // Each line as soon as it is measured; a closed pipe (`| head`) ends the run quietly.
            if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
                return match e.kind() {
                    std::io::ErrorKind::BrokenPipe => Ok(()),
                    _ => Err(e.into()),
                };
            }
        }
    }
    Ok(())
}

fn fmt(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.2} µs", s * 1e6)
    } else {
        format!("{:.3} ms", s * 1e3)
    }
}
