//! `cargo xtask bench`: per-epoch time of full-batch training against the same epoch's matrix products alone
//! (our own roofline), at one thread and at all threads, and both against the machine's FMA peak, measured
//! in the same process right before and right after each case's products (the machine's speed drifts within
//! minutes, so a peak taken once at the start misjudges later cases). Medians of repeated runs.

pub mod compare;

use anyhow::Result;
use nn_linalg::{Scalar, Threads};
use nn_train::bench::{CASES, Case, Epoch, Products, quick_time, time_per_iter};
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
    /// The FMA peak of this many cores in this precision: the higher of one core's rate measured right
    /// before and right after the products, times the cores used.
    pub peak_gflops: f64,
    /// `gemm_gflops / peak_gflops`.
    pub products_of_peak: f64,
    /// The epoch's product FLOPs over `epoch_s`, over the peak: how much of the machine a whole epoch uses.
    pub epoch_of_peak: f64,
    pub epochs_per_sample: usize,
    /// The first layer's forward kernel, as chosen on this CPU (`Epoch::first_layer_tile`): `packed V×N`
    /// (nn's kernel, a register tile of V vectors by N columns) or `general`. The products alone run the same.
    pub first_layer: String,
    /// The first layer's weight gradient, as `ops::matmul_tn` chose its form on this CPU
    /// (`Epoch::first_gradient_transposed`): `Xᵀ·δ` or `(δᵀ·X)ᵀ`. The products alone run the same.
    pub first_gradient: String,
}

/// One core's FMA peak now, in f64 and f32 (GFLOP/s), through the dispatch our kernels use.
pub fn fma_peak() -> (f64, f64) {
    (core_peak(false), core_peak(true))
}

/// One core's FMA peak now in one precision (GFLOP/s).
fn core_peak(f32: bool) -> f64 {
    let mut flops = 0.0;
    let seconds = quick_time(|| {
        let (n, v) = nn_linalg::peak::fma_loop(100_000, f32);
        flops = n;
        std::hint::black_box(v);
    });
    flops / seconds / 1e9
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
    let tile = epoch.first_layer_tile();
    let first_gradient = match epoch.first_gradient_transposed() {
        Some(true) => "(δᵀ·X)ᵀ",
        Some(false) => "Xᵀ·δ",
        None => "not timed",
    };
    let mut products = Products::<T>::with_tile(case.m, case.widths, tile);
    // After a pause: right after timed work, pool threads still spin for more, and a loop measured then
    // shares a core with one of them.
    let peak_now = || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        core_peak(case.f32)
    };
    let before = peak_now();
    let gemm_s = threads.run(|| {
        time_per_iter(samples, inner, || {
            for _ in 0..inner {
                products.run(threads);
            }
        })
    });
    let peak = before.max(peak_now()) * threads.count() as f64;
    Measurement {
        case: case.name.to_string(),
        threads: threads.count(),
        epoch_s,
        gemm_s,
        ratio: epoch_s / gemm_s,
        gemm_gflops: flops / gemm_s / 1e9,
        peak_gflops: peak,
        products_of_peak: flops / gemm_s / 1e9 / peak,
        epoch_of_peak: flops / epoch_s / 1e9 / peak,
        epochs_per_sample: inner,
        first_layer: tile.map_or("general".to_string(), |tile| format!("packed {tile}")),
        first_gradient: first_gradient.to_string(),
    }
}

pub fn run(json: bool, only: Option<String>) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let (peak64, peak32) = fma_peak();
    let isa = nn_linalg::peak::dispatch_isa();
    let head = if json {
        serde_json::json!({"fma_peak_per_core": {"isa": isa, "f64_gflops": peak64, "f32_gflops": peak32}})
            .to_string()
    } else {
        format!(
            "FMA peak of one core now ({isa}, register-only loop): f64 {peak64:.1} GFLOP/s, f32 {peak32:.1} GFLOP/s"
        )
    };
    writeln!(out, "{head}")?;
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
                    "{:<14} threads {}  epoch {:>10}  products alone {:>10}  ratio {:.2}  ({:.1} GFLOP/s in products: {:.0}% of the {:.1} peak; epoch {:.0}%; first layer {}, its gradient {})",
                    m.case,
                    m.threads,
                    fmt(m.epoch_s),
                    fmt(m.gemm_s),
                    m.ratio,
                    m.gemm_gflops,
                    100.0 * m.products_of_peak,
                    m.peak_gflops,
                    100.0 * m.epoch_of_peak,
                    m.first_layer,
                    m.first_gradient
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
