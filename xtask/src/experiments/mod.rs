//! `cargo xtask experiments`: replays every experiment of the report from `experiments/report.toml`, beside the
//! report's figures, with the same plots; then the same networks with honest selection and with Adam.

mod results;
mod spec;

use anyhow::{Context, Result};
use nn_data::{Dataset, LoadOptions};
use nn_train::Precision;
use nn_train::job::{JobOutcome, run_job};
use results::RunResult;
use spec::{Specs, Variant};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

pub struct Options {
    pub out: PathBuf,
    pub seeds: u64,
    /// Multiplies every epoch count (for smoke runs); 1 is the specs as written.
    pub epochs_scale: f64,
    /// The precision of every run.
    pub precision: Precision,
    /// Only these experiment ids (empty: all).
    pub only: Vec<String>,
    /// Also refresh docs/report.md and docs/figures/.
    pub docs: bool,
    pub quiet: bool,
}

struct Job {
    experiment: usize,
    variant: Variant,
    seed: u64,
}

pub fn run(root: &Path, opts: &Options) -> Result<()> {
    let started = Instant::now();
    let mut specs = Specs::load(&root.join("experiments/report.toml"))?;
    if !opts.only.is_empty() {
        let known: Vec<String> = specs.experiment.iter().map(|e| e.id.clone()).collect();
        if let Some(bad) = opts.only.iter().find(|id| !known.contains(id)) {
            anyhow::bail!(
                "--only {bad}: no such experiment (known: {})",
                known.join(", ")
            );
        }
        specs.experiment.retain(|e| opts.only.contains(&e.id));
    }
    let datasets = specs
        .experiment
        .iter()
        .map(|e| {
            let path = nn_data::find_from(root, &e.data, None)?;
            let load = LoadOptions {
                labels: e.labels()?,
                ..LoadOptions::default()
            };
            nn_data::load(&path, &load).with_context(|| format!("experiment {}", e.id))
        })
        .collect::<Result<Vec<Dataset>>>()?;
    std::fs::create_dir_all(&opts.out)
        .with_context(|| format!("creating {}", opts.out.display()))?;

    let mut jobs = Vec::new();
    for (experiment, _) in specs.experiment.iter().enumerate() {
        for variant in Variant::ALL {
            for seed in 0..opts.seeds {
                jobs.push(Job {
                    experiment,
                    variant,
                    seed,
                });
            }
        }
    }
    // Longest first, so the cores finish together.
    jobs.sort_by_key(|j| std::cmp::Reverse(cost(&specs, &datasets, j)));
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    if !opts.quiet {
        println!(
            "{} runs ({} experiments × {} variants × {} seeds) on {workers} cores",
            jobs.len(),
            specs.experiment.len(),
            Variant::ALL.len(),
            opts.seeds
        );
    }
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<RunResult>> = Mutex::new(Vec::with_capacity(jobs.len()));
    let showcases: Mutex<Vec<(usize, JobOutcome)>> = Mutex::new(Vec::new());
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let e = &specs.experiment[job.experiment];
                    let data = &datasets[job.experiment];
                    let outcome = run_one(
                        &specs,
                        job.experiment,
                        data,
                        job.variant,
                        job.seed,
                        opts.epochs_scale,
                        opts.precision,
                    );
                    match outcome {
                        Ok(outcome) => {
                            let r = RunResult::new(e, job.variant, job.seed, &outcome);
                            let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                            if !opts.quiet {
                                println!("[{n:>3}/{}] {}", jobs.len(), r.line());
                            }
                            results.lock().unwrap_or_else(|p| p.into_inner()).push(r);
                            if job.variant == Variant::Report && job.seed == 0 {
                                showcases
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .push((job.experiment, outcome));
                            }
                        }
                        Err(err) => {
                            *failure.lock().unwrap_or_else(|p| p.into_inner()) =
                                Some(err.context(format!(
                                    "{} {:?} seed {}",
                                    e.id, job.variant, job.seed
                                )));
                            next.store(jobs.len(), Ordering::SeqCst);
                        }
                    }
                }
            });
        }
    });
    if let Some(err) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(err);
    }
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by(|a, b| {
        (&a.experiment, a.variant, a.seed).cmp(&(&b.experiment, b.variant, b.seed))
    });
    let mut showcases = showcases.into_inner().unwrap_or_else(|p| p.into_inner());
    showcases.sort_by_key(|(i, _)| *i);

    let figures = results::plots(&opts.out, &specs, &datasets, &showcases)?;
    let wall = started.elapsed();
    let summary = results::Summary::new(
        &specs,
        &results,
        opts.seeds,
        wall,
        workers,
        opts.epochs_scale,
        opts.precision,
    );
    std::fs::write(opts.out.join("results.md"), summary.markdown(&figures, ""))?;
    std::fs::write(
        opts.out.join("results.json"),
        serde_json::to_string_pretty(&summary.json())?,
    )?;
    if opts.docs {
        results::write_docs(root, &opts.out, &summary, &figures)?;
    }
    if !opts.quiet {
        println!("\n{}", summary.table_text());
        println!(
            "results: {}  {}",
            opts.out.join("results.md").display(),
            opts.out.join("results.json").display()
        );
        if opts.docs {
            println!("docs:    {}", root.join("docs/report.md").display());
        }
    }
    println!(
        "wall time {:.1} s for {} runs on {workers} cores",
        wall.as_secs_f64(),
        results.len()
    );
    Ok(())
}

/// Trains one run of experiment `experiment` on its dataset.
fn run_one(
    specs: &Specs,
    experiment: usize,
    data: &Dataset,
    variant: Variant,
    seed: u64,
    epochs_scale: f64,
    precision: Precision,
) -> Result<JobOutcome> {
    let mut spec = specs.job(&specs.experiment[experiment], variant, seed, epochs_scale)?;
    spec.precision = precision;
    Ok(match precision {
        Precision::F32 => run_job::<f32>(data, &spec, None, None, &mut |_| {})?,
        Precision::F64 => run_job::<f64>(data, &spec, None, None, &mut |_| {})?,
    })
}

/// Relative cost of a job (epochs × multiply-adds per epoch), to schedule long jobs first.
fn cost(specs: &Specs, datasets: &[Dataset], j: &Job) -> u64 {
    let e = &specs.experiment[j.experiment];
    let d = &datasets[j.experiment];
    let epochs = if j.variant == Variant::Adam {
        e.adam.epochs
    } else {
        e.epochs
    };
    let mut widths = vec![d.features()];
    widths.extend(&e.hidden);
    widths.push(d.classes.len());
    let per_sample: usize = widths.windows(2).map(|w| w[0] * w[1]).sum();
    (epochs * per_sample * d.len()) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in specs parse, and every experiment, variant and seed runs end to end at 1/500 of its
    /// epochs, writing results and plots.
    #[test]
    fn specs_parse_and_every_experiment_runs_a_smoke_version() {
        let root = crate::workspace_root();
        let specs = Specs::load(&root.join("experiments/report.toml")).unwrap();
        assert_eq!(
            specs
                .experiment
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>(),
            ["exp1", "exp2", "exp3", "digits"]
        );
        let exp3 = &specs.experiment[2];
        let job = specs.job(exp3, Variant::Report, 0, 1.0).unwrap();
        assert_eq!(
            job.config.schedule,
            nn_train::Schedule::Steps {
                steps: vec![(5000, 0.04)]
            }
        );
        assert!(job.config.selection.uses_test_set());
        assert!(
            !specs
                .job(exp3, Variant::Validation, 0, 1.0)
                .unwrap()
                .config
                .selection
                .uses_test_set()
        );

        if nn_data::find_from(&root, "classification3.mat", None).is_err() {
            assert!(!nn_data::data_required(), "datasets are required under CI");
            return;
        }
        let out = std::env::temp_dir().join(format!("nn-experiments-smoke-{}", std::process::id()));
        let opts = Options {
            out: out.clone(),
            seeds: 1,
            epochs_scale: 0.002,
            precision: Precision::F64,
            only: Vec::new(),
            docs: false,
            quiet: true,
        };
        run(&root, &opts).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap())
                .unwrap();
        let runs = json["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 4 * 3);
        for r in runs {
            for key in [
                "test_accuracy",
                "train_accuracy",
                "test_loss",
                "train_loss",
                "best_epoch",
            ] {
                assert!(r.get(key).is_some_and(|v| v.is_number()), "{key} in {r}");
            }
        }
        let md = std::fs::read_to_string(out.join("results.md")).unwrap();
        assert!(
            md.contains("test-set selection")
                && md.contains("79.17%")
                && md.contains("Beyond the report")
        );
        for f in [
            "exp3-curves.svg",
            "exp3-boundary.svg",
            "digits-misclassified.svg",
            "digits-errors-per-class.svg",
            "digits-confusion.svg",
        ] {
            assert!(out.join(f).is_file(), "{f}");
        }
        std::fs::remove_dir_all(&out).unwrap();
    }

    /// f32, the replay's default, stands in for the report's f64: the training-loss curves agree epoch by epoch
    /// and the selected epochs score the same on the test part (Exp 3 in full; the digits for a tenth of their
    /// epochs).
    #[test]
    fn f32_runs_track_f64_runs() {
        let root = crate::workspace_root();
        let specs = Specs::load(&root.join("experiments/report.toml")).unwrap();
        for (id, scale, max_count_diff) in [("exp3", 1.0, 0), ("digits", 0.1, 2)] {
            let i = specs.experiment.iter().position(|e| e.id == id).unwrap();
            let e = &specs.experiment[i];
            let Ok(path) = nn_data::find_from(&root, &e.data, None) else {
                assert!(!nn_data::data_required(), "datasets are required under CI");
                continue;
            };
            let load = LoadOptions {
                labels: e.labels().unwrap(),
                ..LoadOptions::default()
            };
            let data = nn_data::load(&path, &load).unwrap();
            let [single, double] = [Precision::F32, Precision::F64]
                .map(|p| run_one(&specs, i, &data, Variant::Report, 0, scale, p).unwrap());
            let (h32, h64) = (single.history(), double.history());
            assert_eq!(h32.len(), h64.len());
            let worst = h32
                .iter()
                .zip(h64)
                .map(|(a, b)| (a.train.loss - b.train.loss).abs() / b.train.loss)
                .fold(0.0, f64::max);
            assert!(
                worst < 2e-5,
                "{id}: training losses differ by {worst:e} (relative)"
            );
            let [m32, m64] =
                [&single, &double].map(|o| o.checkpoint.metrics.unwrap().test.unwrap());
            assert!(
                m32.correct.abs_diff(m64.correct) <= max_count_diff,
                "{id}: f32 {}/{} vs f64 {}/{}",
                m32.correct,
                m32.total,
                m64.correct,
                m64.total
            );
        }
    }
}
