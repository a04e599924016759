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

mod factors;
mod markdown;

use super::Options;
use super::results::RunMetrics;
use super::spec::{Experiment, Specs, Variant};
use anyhow::{Context, Result};
use factors::{Factor, FactorResult, factors};
use markdown::markdown;
use nn_core::{Init, Network};
use nn_data::{Dataset, Standardizer};
use nn_linalg::Scalar;
use nn_train::job::cast_data;
use nn_train::{Precision, Samples, Schedule, TrainData, Trainer};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Uniform};
use std::path::Path;
use std::time::Instant;

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
