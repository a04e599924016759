//! `cargo xtask fidelity`: the plausible causes of the gaps between the report's figures and ours, tested one
//! at a time. Each factor changes one setting of the report's protocol as the specs write it (the baseline);
//! every (experiment, factor) runs over the same seeds, and its figures face the report's with the verdict of
//! the main replay. The factor under which most report figures fall inside our range is the best match.
//!
//! The factors: the Xavier variant (uniform, normal, or LeCun's √(1/n_in)), biases drawn like the weights
//! (as the course's `randInitializeWeights` does) instead of zero, the standardiser fitted on all the data
//! instead of the training part, λ > 0, the loss summed over the samples instead of averaged (so every step
//! is m times larger), and for the binary set shorter runs. For the reported losses, the arithmetic of what
//! the report's test losses allow is printed too.

use super::Options;
use super::results::{RunMetrics, verdict};
use super::spec::{Experiment, Specs, Variant};
use anyhow::{Context, Result};
use nn_core::{Init, Network};
use nn_data::{Dataset, Standardizer};
use nn_linalg::Scalar;
use nn_train::job::cast_data;
use nn_train::{Precision, Samples, Schedule, TrainData, Trainer};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Uniform};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

/// One setting changed from the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Factor {
    /// The report's protocol as the specs write it.
    Baseline,
    /// Xavier normal: σ² = 2 / (n_in + n_out).
    XavierNormal,
    /// LeCun normal: σ² = 1 / n_in.
    LecunNormal,
    /// Biases drawn from the weights' uniform range instead of 0.
    DrawnBiases,
    /// The standardiser fitted on all samples, test part included.
    StandardizeAll,
    /// This λ instead of the spec's.
    Lambda(f64),
    /// The loss summed over the training samples instead of averaged: its gradient, and so every step, is m
    /// times larger (the learning rates are multiplied by the training part's size).
    SummedLoss,
    /// This many epochs instead of the spec's (binary set only).
    Epochs(usize),
}

impl Factor {
    pub fn describe(self) -> String {
        match self {
            Factor::Baseline => "baseline (the specs' report protocol)".into(),
            Factor::XavierNormal => "Xavier normal, σ² = 2/(n_in + n_out)".into(),
            Factor::LecunNormal => "LeCun normal, σ² = 1/n_in".into(),
            Factor::DrawnBiases => "biases drawn like the weights, not 0".into(),
            Factor::StandardizeAll => "standardiser fitted on all samples".into(),
            Factor::Lambda(l) => format!("λ = {l}"),
            Factor::SummedLoss => "loss summed over samples (steps × m)".into(),
            Factor::Epochs(n) => format!("{n} epochs"),
        }
    }
}

/// The factors tried on an experiment: shorter runs only where the report does not state the length.
fn factors(specs: &Specs, e: &Experiment) -> Vec<Factor> {
    let mut f = vec![
        Factor::Baseline,
        Factor::XavierNormal,
        Factor::LecunNormal,
        Factor::DrawnBiases,
        Factor::StandardizeAll,
        Factor::Lambda(specs.fidelity.lambda),
        Factor::SummedLoss,
    ];
    if e.output == nn_core::Output::Sigmoid {
        f.extend(
            specs
                .fidelity
                .binary_epochs
                .iter()
                .map(|&n| Factor::Epochs(n)),
        );
    }
    f
}

/// One factor on one experiment, over the seeds, against the report.
#[derive(Debug, Serialize)]
pub struct FactorResult {
    pub experiment: String,
    pub factor: Factor,
    pub runs: Vec<RunMetrics>,
    pub failed: Vec<String>,
    pub checks: Vec<verdict::Check>,
    /// How many of the report's figures lie inside the range of our seeds.
    pub inside: usize,
    /// The mean over figures of |our mean − report| / |report|: the tie-breaker.
    pub distance: f64,
}

pub fn run(root: &Path, opts: &Options) -> Result<()> {
    let started = Instant::now();
    let specs = super::selected_specs(root, &opts.only)?;
    let datasets = super::load_datasets(root, &specs)?;
    std::fs::create_dir_all(&opts.out)
        .with_context(|| format!("creating {}", opts.out.display()))?;
    let mut jobs = Vec::new();
    for (i, e) in specs.experiment.iter().enumerate() {
        for factor in factors(&specs, e) {
            for seed in 0..opts.seeds {
                jobs.push((i, factor, seed));
            }
        }
    }
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    if !opts.quiet {
        println!("{} runs on {workers} cores", jobs.len());
    }
    let outcomes = super::parallel_map(&jobs, workers, |&(i, factor, seed)| {
        let (e, d) = (&specs.experiment[i], &datasets[i]);
        let r = match opts.precision {
            Precision::F32 => run_one::<f32>(&specs, e, d, factor, seed, opts.epochs_scale),
            Precision::F64 => run_one::<f64>(&specs, e, d, factor, seed, opts.epochs_scale),
        };
        if !opts.quiet {
            let e = &specs.experiment[i].id;
            match &r {
                Ok(m) => println!(
                    "{e:<7} {:<40} seed {seed}: test {}/{} at epoch {}",
                    factor.describe(),
                    m.test_correct,
                    m.test_total,
                    m.best_epoch
                ),
                Err(err) => println!(
                    "{e:<7} {:<40} seed {seed}: FAILED: {err:#}",
                    factor.describe()
                ),
            }
        }
        r
    });
    let mut results = Vec::new();
    for (i, e) in specs.experiment.iter().enumerate() {
        for factor in factors(&specs, e) {
            let mut runs = Vec::new();
            let mut failed = Vec::new();
            for (&(j, f, seed), r) in jobs.iter().zip(&outcomes) {
                if j == i && f == factor {
                    match r {
                        Ok(m) => runs.push(*m),
                        Err(err) => failed.push(format!("seed {seed}: {err:#}")),
                    }
                }
            }
            results.push(FactorResult::new(e, factor, runs, failed));
        }
    }
    let md = markdown(&specs, &results, opts, started.elapsed().as_secs_f64());
    std::fs::write(opts.out.join("fidelity.md"), &md)?;
    std::fs::write(
        opts.out.join("fidelity.json"),
        serde_json::to_string_pretty(&results)?,
    )?;
    if opts.docs {
        std::fs::write(
            root.join("docs/fidelity.md"),
            format!("{}\n{md}", include_str!("fidelity_intro.md")),
        )?;
    }
    println!("results: {}", opts.out.join("fidelity.md").display());
    Ok(())
}

impl FactorResult {
    fn new(e: &Experiment, factor: Factor, runs: Vec<RunMetrics>, failed: Vec<String>) -> Self {
        let checks = verdict::checks(&e.report, &runs);
        let inside = checks
            .iter()
            .filter(|c| c.place == verdict::Place::Inside)
            .count();
        let mean =
            |f: fn(&RunMetrics) -> f64| runs.iter().map(f).sum::<f64>() / runs.len().max(1) as f64;
        let r = &e.report;
        let pairs = [
            (mean(|m| m.train_loss), r.train_loss),
            (mean(|m| m.train_accuracy), r.train_accuracy),
            (mean(|m| m.test_loss), r.test_loss),
            (mean(|m| m.test_accuracy), r.test_accuracy),
            (mean(|m| m.best_epoch as f64), r.best_epoch as f64),
        ];
        let distance = pairs
            .iter()
            .map(|(o, r)| (o - r).abs() / r.abs())
            .sum::<f64>()
            / 5.0;
        let distance = if runs.is_empty() {
            f64::INFINITY
        } else {
            distance
        };
        FactorResult {
            experiment: e.id.clone(),
            factor,
            runs,
            failed,
            checks,
            inside,
            distance,
        }
    }
}

/// One run of the report's protocol on `e` with `factor` changed, trained in precision `T`.
fn run_one<T: Scalar>(
    specs: &Specs,
    e: &Experiment,
    data: &Dataset,
    factor: Factor,
    seed: u64,
    epochs_scale: f64,
) -> Result<RunMetrics> {
    let started = Instant::now();
    let mut job = specs.job(e, Variant::Report, seed, epochs_scale, nn::shape(data))?;
    match factor {
        Factor::Lambda(l) => job.config.lambda = l,
        Factor::Epochs(n) => {
            job.config.epochs = ((n as f64 * epochs_scale).round() as usize).max(1)
        }
        _ => {}
    }
    let parts = nn_data::split(data.labels(), &job.split)?;
    if factor == Factor::SummedLoss {
        let m = parts.train.len() as f64;
        job.config.lr *= m;
        if let Schedule::Steps { steps } = &mut job.config.schedule {
            for (_, lr) in steps {
                *lr *= m;
            }
        }
    }
    let standardizer = match factor {
        Factor::StandardizeAll => Standardizer::fit(data.x()),
        _ => Standardizer::fit(data.select(&parts.train).x()),
    };
    let samples = |idx: &[usize]| {
        let mut d = data.select(idx);
        d.standardize(&standardizer);
        let (x, labels) = d.into_xy();
        Samples::classes(x, labels)
    };
    let train_data = TrainData {
        train: samples(&parts.train),
        validation: None,
        test: Some(samples(&parts.test)),
        scaling: None,
    };
    let arch = job.architecture(data.features(), data.classes().len());
    let init = match factor {
        Factor::XavierNormal => Init::XavierNormal,
        Factor::LecunNormal => Init::LecunNormal,
        _ => Init::XavierUniform,
    };
    let mut net = Network::<T>::new(arch, init, seed)?;
    if factor == Factor::DrawnBiases {
        draw_biases(&mut net, seed);
    }
    let config = job
        .config
        .clone()
        .validate(parts.train.len(), false, true)?;
    let mut trainer = Trainer::new(config, net);
    trainer.run(&cast_data::<T>(&train_data), &mut |_| {})?;
    let (_, Some(report)) = trainer.selected() else {
        anyhow::bail!("no epoch was selected");
    };
    let test = report.test.context("the run has no test part")?;
    Ok(RunMetrics {
        train_loss: report.train.loss,
        train_accuracy: report.train.accuracy,
        train_correct: report.train.correct,
        train_total: report.train.total,
        test_loss: test.loss,
        test_accuracy: test.accuracy,
        test_correct: test.correct,
        test_total: test.total,
        best_epoch: report.epoch,
        epochs_run: trainer.progress().epoch,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Biases drawn from U(−r, r) with each layer's Xavier r = √(6 / (n_in + n_out)), from a ChaCha8 stream of
/// its own (seed + 1), as the course's `randInitializeWeights` draws the whole Θ, bias column included.
fn draw_biases<T: Scalar>(net: &mut Network<T>, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(1));
    for layer in net.layers_mut() {
        let r = (6.0 / (layer.n_in() + layer.n_out()) as f64).sqrt();
        let d = Uniform::new_inclusive(-r, r).expect("r is finite and positive");
        for b in &mut layer.bias {
            *b = T::from_f64(d.sample(&mut rng));
        }
    }
}

/// fidelity.md: per experiment, the report's figures, then each factor's means with the verdict count; the
/// best match; and the arithmetic of the report's test losses.
fn markdown(specs: &Specs, results: &[FactorResult], opts: &Options, wall: f64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Each row changes one setting of the baseline and runs {} seed(s) in {}, under the report's protocol \
         (best epoch by test accuracy). Cells: our mean over the seeds; ✓ where the report's figure lies inside \
         the range of our seeds (accuracies by count). *inside* counts those figures (of 5); *distance* is the \
         mean relative difference between our means and the report's figures.\n",
        opts.seeds,
        opts.precision.name()
    );
    for e in &specs.experiment {
        let rows: Vec<&FactorResult> = results.iter().filter(|r| r.experiment == e.id).collect();
        let r = &e.report;
        let _ = writeln!(s, "## {}\n", e.title);
        let _ = writeln!(
            s,
            "| setting | train loss | train acc | test loss | test acc | best epoch | inside | distance |\n|---|---|---|---|---|---|---|---|"
        );
        let _ = writeln!(
            s,
            "| **the report** | {:.4} | {:.2}% | {:.4} | {:.2}% | {} | | |",
            r.train_loss,
            100.0 * r.train_correct as f64 / r.train_total as f64,
            r.test_loss,
            100.0 * r.test_correct as f64 / r.test_total as f64,
            r.best_epoch
        );
        for row in &rows {
            let _ = writeln!(s, "{}", row.table_row());
        }
        if let Some(best) = rows.iter().min_by(|a, b| {
            (std::cmp::Reverse(a.inside), a.distance)
                .partial_cmp(&(std::cmp::Reverse(b.inside), b.distance))
                .unwrap_or(std::cmp::Ordering::Equal)
        }) {
            let _ = writeln!(
                s,
                "\nBest match: **{}**, with {} of the report's 5 figures inside our range.\n",
                best.factor.describe(),
                best.inside
            );
        }
        let failed: Vec<String> = rows
            .iter()
            .flat_map(|r| {
                r.failed
                    .iter()
                    .map(move |f| format!("- {}: {f}", r.factor.describe()))
            })
            .collect();
        if !failed.is_empty() {
            let _ = writeln!(s, "Runs that did not finish:\n\n{}\n", failed.join("\n"));
        }
    }
    overall(&mut s, results);
    loss_arithmetic(&mut s, specs);
    let _ = writeln!(
        s,
        "---\n{} runs in {wall:.1} s of wall time{}.",
        results
            .iter()
            .map(|r| r.runs.len() + r.failed.len())
            .sum::<usize>(),
        if opts.epochs_scale != 1.0 {
            format!(", epochs scaled by {}", opts.epochs_scale)
        } else {
            String::new()
        }
    );
    s
}

impl FactorResult {
    fn table_row(&self) -> String {
        let mark = |figure: &str| {
            self.checks
                .iter()
                .find(|c| c.figure == figure)
                .map_or("", |c| {
                    if c.place == verdict::Place::Inside {
                        " ✓"
                    } else {
                        ""
                    }
                })
        };
        let n = self.runs.len().max(1) as f64;
        let mean = |f: fn(&RunMetrics) -> f64| self.runs.iter().map(f).sum::<f64>() / n;
        if self.runs.is_empty() {
            return format!(
                "| {} | no finished run | | | | | 0 | |",
                self.factor.describe()
            );
        }
        format!(
            "| {} | {:.4}{} | {:.2}%{} | {:.4}{} | {:.2}%{} | {:.0}{} | {} | {:.3} |",
            self.factor.describe(),
            mean(|m| m.train_loss),
            mark("train_loss"),
            100.0 * mean(|m| m.train_accuracy),
            mark("train_accuracy"),
            mean(|m| m.test_loss),
            mark("test_loss"),
            100.0 * mean(|m| m.test_accuracy),
            mark("test_accuracy"),
            mean(|m| m.best_epoch as f64),
            mark("best_epoch"),
            self.inside,
            self.distance
        )
    }
}

/// Each setting over all the experiments it ran on: the report's figures inside our range, in total, and the
/// mean distance; best first.
fn overall(s: &mut String, results: &[FactorResult]) {
    let mut factors: Vec<Factor> = Vec::new();
    for r in results {
        if !factors.contains(&r.factor) {
            factors.push(r.factor);
        }
    }
    let mut rows: Vec<(Factor, usize, usize, f64)> = factors
        .into_iter()
        .map(|f| {
            let of: Vec<&FactorResult> = results.iter().filter(|r| r.factor == f).collect();
            let inside = of.iter().map(|r| r.inside).sum();
            let distance = of.iter().map(|r| r.distance).sum::<f64>() / of.len() as f64;
            (f, inside, of.len(), distance)
        })
        .collect();
    rows.sort_by(|a, b| {
        (std::cmp::Reverse(a.1), a.3)
            .partial_cmp(&(std::cmp::Reverse(b.1), b.3))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let _ = writeln!(s, "## All experiments\n");
    let _ = writeln!(
        s,
        "| setting | report figures inside our range | of | mean distance |\n|---|---|---|---|"
    );
    for (f, inside, n, distance) in &rows {
        let _ = writeln!(
            s,
            "| {} | {inside} | {} | {distance:.3} |",
            f.describe(),
            5 * n
        );
    }
    let _ = writeln!(s);
}

/// For each single-sigmoid experiment whose report test loss is below ln 2: the confidence its correct test
/// samples must have for that mean loss, whatever its wrong ones did.
fn loss_arithmetic(s: &mut String, specs: &Specs) {
    let ln2 = std::f64::consts::LN_2;
    let _ = writeln!(s, "## What the report's test losses allow\n");
    let _ = writeln!(
        s,
        "For one sigmoid output and the mean cross-entropy, a wrongly classified sample has p(true class) < 0.5 and \
         so costs more than ln 2 = {ln2:.4}. With w of the n test samples wrong, the mean loss L leaves the c = n − w \
         correct ones at most (n·L − w·ln 2) in total, so their geometric-mean p(true class) is at least \
         exp(−(n·L − w·ln 2)/c). A summed loss (n·L) would be n times the mean, and a loss per output unit \
         is the same for one unit, so neither brings these figures closer.\n"
    );
    let _ = writeln!(
        s,
        "| experiment | report test loss | test correct | loss left for the correct ones | their p(true) at least | report train loss |\n|---|---|---|---|---|---|"
    );
    for e in specs
        .experiment
        .iter()
        .filter(|e| e.output == nn_core::Output::Sigmoid)
    {
        let r = &e.report;
        let (n, c) = (r.test_total as f64, r.test_correct as f64);
        let w = n - c;
        let left = n * r.test_loss - w * ln2;
        let cell = if left <= 0.0 {
            "none: unreachable".to_string()
        } else {
            format!("{:.3}", (-left / c).exp())
        };
        let _ = writeln!(
            s,
            "| {} | {:.4} | {}/{} | {:.3} (mean {:.3} each) | {cell} | {:.4} |",
            e.id,
            r.test_loss,
            r.test_correct,
            r.test_total,
            left,
            left / c,
            r.train_loss
        );
    }
    let _ = writeln!(
        s,
        "\nA training loss near ln 2 means outputs near 0.5 on the training part. Where the confidence required \
         above is far from that, the same network is unlikely to have given it on the test part, and the report's \
         test loss was most likely not computed as its training loss was.\n"
    );
}
