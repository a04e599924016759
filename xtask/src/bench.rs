//! `cargo xtask bench`: per-epoch time of full-batch training against the same epoch's matrix products alone
//! (our own roofline), at one thread and at all threads. Medians of repeated runs, measured in one process.

use anyhow::Result;
use nn_linalg::{Scalar, Threads};
use nn_train::bench::{CASES, Case, Epoch, Products, time_per_iter};
use std::io::Write as _;

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

fn measure<T: Scalar>(case: &Case, threads: Threads) -> Measurement {
    let mut epoch = Epoch::<T>::of(case, threads);
    let arch = epoch.net.architecture().clone();
    let flops = arch.flops_per_pass(case.m) as f64;
    // Enough iterations per sample to last ~20 ms.
    let inner = ((2e-2 * 20e9 / flops.max(1.0)) as usize).clamp(1, 20_000);
    let samples = if case.m >= 60_000 { 5 } else { 11 };
    // Timed where the trainer runs its loop (Threads::run), so that the parallel products behave as in training.
    let epoch_s = threads.run(|| {
        time_per_iter(samples, inner, || {
            for _ in 0..inner {
                epoch.run();
            }
        })
    });
    let mut products = Products::<T>::new(case.m, case.widths);
    let gemm_s = threads.run(|| {
        time_per_iter(samples, inner, || {
            for _ in 0..inner {
                products.run(threads);
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
