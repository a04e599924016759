//! `cargo xtask experiments`: replays every experiment of the report from `experiments/report.toml`, beside the
//! report's figures, with the same plots; then the same networks with honest selection and with Adam.

mod course;
pub mod fidelity;
mod floor;
mod results;
pub mod spec;
pub mod sweeps;

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

/// The settings of `cargo xtask experiments` and `cargo xtask fidelity`.
#[derive(Clone)]
pub struct Options {
    pub out: PathBuf,
    pub seeds: u64,
    /// Multiplies every epoch count (for smoke runs); 1 is the specs as written.
    pub epochs_scale: f64,
    /// The precision of every run.
    pub precision: Precision,
    /// Only these experiment ids (empty: all).
    pub only: Vec<String>,
    /// Also refresh the task's page under docs/ (report.md and figures/, or fidelity.md).
    pub docs: bool,
    pub quiet: bool,
}

struct Job {
    experiment: usize,
    variant: Variant,
    seed: u64,
}

/// What the worker threads hand back: every run's result, and the outcome of seed 0 under the report's
/// protocol for each experiment (the runs the figures are drawn from).
struct Runs {
    results: Vec<RunResult>,
    showcases: Vec<(usize, JobOutcome)>,
}

pub fn run(root: &Path, opts: &Options) -> Result<()> {
    // The hyper-parameter study runs only when asked for (`--only sweep`): it takes minutes.
    if opts.only.iter().any(|id| id == sweeps::ID) {
        std::fs::create_dir_all(&opts.out)
            .with_context(|| format!("creating {}", opts.out.display()))?;
        sweeps::run(root, &opts.out, opts.docs, opts.quiet)?;
        let only: Vec<String> = opts
            .only
            .iter()
            .filter(|id| *id != sweeps::ID)
            .cloned()
            .collect();
        if only.is_empty() {
            return Ok(());
        }
        return run(
            root,
            &Options {
                only,
                ..opts.clone()
            },
        );
    }
    let started = Instant::now();
    let specs = selected_specs(root, &opts.only)?;
    let datasets = load_datasets(root, &specs)?;
    std::fs::create_dir_all(&opts.out)
        .with_context(|| format!("creating {}", opts.out.display()))?;
    let jobs = plan(&specs, &datasets, opts.seeds);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    if !opts.quiet {
        println!(
            "{} runs ({} experiments × up to {} variants × {} seeds) on {workers} cores",
            jobs.len(),
            specs.experiment.len(),
            Variant::ALL.len(),
            opts.seeds
        );
    }
    let course = course::CourseCheck::run(root, &specs.course)?;
    // The arithmetic floor, measured right before the runs, in their precision.
    let floors = match opts.precision {
        Precision::F32 => floor::EpochFloors::measure::<f32>(&specs, &datasets)?,
        Precision::F64 => floor::EpochFloors::measure::<f64>(&specs, &datasets)?,
    };
    let runs_started = Instant::now();
    let runs = execute(&specs, &datasets, &jobs, workers, opts);
    let runs_wall = runs_started.elapsed();
    let figures = results::figures::plots(&opts.out, &specs, &datasets, &runs.showcases)?;
    let mut summary = results::Summary::new(
        &specs,
        &runs.results,
        opts.seeds,
        started.elapsed(),
        workers,
        opts.epochs_scale,
        opts.precision,
    )?;
    summary.course = Some(course);
    let finished = (runs.results.iter()).map(|r| {
        (
            r.experiment.as_str(),
            r.variant,
            r.metrics.map(|m| m.epochs_run),
        )
    });
    summary.floor = Some(floors.floor(&specs, finished, workers, runs_wall));
    write_outputs(root, opts, &summary, &figures)?;
    println!(
        "wall time {:.1} s for {} runs on {workers} cores",
        summary.wall.as_secs_f64(),
        runs.results.len()
    );
    Ok(())
}

/// The specs, keeping only the experiments `only` names (all if it is empty).
fn selected_specs(root: &Path, only: &[String]) -> Result<Specs> {
    let mut specs = Specs::load(&root.join("experiments/report.toml"))?;
    if !only.is_empty() {
        let known: Vec<String> = specs.experiment.iter().map(|e| e.id.clone()).collect();
        if let Some(bad) = only.iter().find(|id| !known.contains(id)) {
            anyhow::bail!(
                "--only {bad}: no such experiment (known: {}, and {} for the hyper-parameter study)",
                known.join(", "),
                sweeps::ID
            );
        }
        specs.experiment.retain(|e| only.contains(&e.id));
    }
    Ok(specs)
}

/// Each experiment's dataset, provisioned first if it is not on this machine.
fn load_datasets(root: &Path, specs: &Specs) -> Result<Vec<Dataset>> {
    specs
        .experiment
        .iter()
        .map(|e| {
            let path = crate::data::ensure(root, &e.data)?;
            let load = LoadOptions {
                labels: e.labels,
                ..LoadOptions::default()
            };
            nn_data::load(&path, &load).with_context(|| format!("experiment {}", e.id))
        })
        .collect()
}

/// Every (experiment, variant, seed), longest first so that the cores finish together.
fn plan(specs: &Specs, datasets: &[Dataset], seeds: u64) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (experiment, e) in specs.experiment.iter().enumerate() {
        for variant in Variant::ALL.into_iter().filter(|v| v.applies_to(e)) {
            for seed in 0..seeds {
                jobs.push(Job {
                    experiment,
                    variant,
                    seed,
                });
            }
        }
    }
    jobs.sort_by_key(|j| std::cmp::Reverse(cost(specs, datasets, j)));
    jobs
}

/// Runs `jobs` on `workers` threads. A run that diverges or fails is recorded as such; the others go on.
fn execute(
    specs: &Specs,
    datasets: &[Dataset],
    jobs: &[Job],
    workers: usize,
    opts: &Options,
) -> Runs {
    let done = AtomicUsize::new(0);
    let outcomes = parallel_map(jobs, workers, |job| {
        let e = &specs.experiment[job.experiment];
        let outcome = run_one(
            specs,
            job.experiment,
            &datasets[job.experiment],
            job.variant,
            job.seed,
            opts.epochs_scale,
            opts.precision,
        );
        let r = match &outcome {
            Ok(o) => RunResult::new(e, job.variant, job.seed, o),
            Err(err) => RunResult::failed(e, job.variant, job.seed, err),
        };
        let n = done.fetch_add(1, Ordering::SeqCst) + 1;
        if !opts.quiet {
            println!("[{n:>3}/{}] {}", jobs.len(), r.line());
        }
        let showcase = (job.variant == Variant::Report && job.seed == 0)
            .then(|| outcome.ok())
            .flatten()
            .map(|o| (job.experiment, o));
        (r, showcase)
    });
    let (mut results, showcases): (Vec<RunResult>, Vec<_>) = outcomes.into_iter().unzip();
    results.sort_by(|a, b| {
        (&a.experiment, a.variant, a.seed).cmp(&(&b.experiment, b.variant, b.seed))
    });
    let mut showcases: Vec<(usize, JobOutcome)> = showcases.into_iter().flatten().collect();
    showcases.sort_by_key(|(i, _)| *i);
    Runs { results, showcases }
}

/// `f` of every item, computed on `workers` threads that each take the next item when free; in item order.
pub(crate) fn parallel_map<J: Sync, R: Send>(
    items: &[J],
    workers: usize,
    f: impl Fn(&J) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    out.lock().unwrap_or_else(|p| p.into_inner()).push((i, r));
                }
            });
        }
    });
    let mut out = out.into_inner().unwrap_or_else(|p| p.into_inner());
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// results.md and results.json in the output directory, docs/report.md with `--docs`, and the summary table.
fn write_outputs(
    root: &Path,
    opts: &Options,
    summary: &results::Summary,
    figures: &[(String, String, String)],
) -> Result<()> {
    std::fs::write(opts.out.join("results.md"), summary.markdown(figures, ""))?;
    std::fs::write(
        opts.out.join("results.json"),
        serde_json::to_string_pretty(&summary.json())?,
    )?;
    if opts.docs {
        results::figures::write_docs(root, &opts.out, summary, figures)?;
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
    Ok(())
}

/// Trains one run of experiment `experiment` on its dataset.
pub fn run_one(
    specs: &Specs,
    experiment: usize,
    data: &Dataset,
    variant: Variant,
    seed: u64,
    epochs_scale: f64,
    precision: Precision,
) -> Result<JobOutcome> {
    let mut spec = specs.job(
        &specs.experiment[experiment],
        variant,
        seed,
        epochs_scale,
        nn::shape(data),
    )?;
    spec.precision = precision;
    Ok(match precision {
        Precision::F32 => run_job::<f32>(data.clone(), &spec, None, None, None, &mut |_| {})?,
        Precision::F64 => run_job::<f64>(data.clone(), &spec, None, None, None, &mut |_| {})?,
    })
}

/// Relative cost of a job (epochs × multiply-adds per epoch), to schedule long jobs first.
fn cost(specs: &Specs, datasets: &[Dataset], j: &Job) -> u64 {
    let e = &specs.experiment[j.experiment];
    let d = &datasets[j.experiment];
    let (epochs, hidden) = match (j.variant, &e.modern) {
        (Variant::Adam, _) => (e.adam.epochs, &e.hidden),
        (Variant::Modern, Some(m)) => (m.epochs, m.hidden.as_ref().unwrap_or(&e.hidden)),
        _ => (e.epochs, &e.hidden),
    };
    let mut widths = vec![d.features()];
    widths.extend(hidden);
    widths.push(d.classes().len());
    let per_sample: usize = widths.windows(2).map(|w| w[0] * w[1]).sum();
    (epochs * per_sample * d.len()) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every figure of the report is required: the specs without one do not parse.
    #[test]
    fn specs_hold_every_report_figure() {
        let path = crate::workspace_root().join("experiments/report.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let specs: Specs = toml::from_str(&text).unwrap();
        assert!(specs.experiment.iter().all(|e| e.report.best_epoch > 0));
        for figure in [
            "train_loss = 0.6941, ",
            "best_epoch = 5130, ",
            "test_correct = 19, ",
        ] {
            assert!(text.contains(figure), "{figure}");
            let without = text.replacen(figure, "", 1);
            let err = toml::from_str::<Specs>(&without).unwrap_err().to_string();
            assert!(err.contains("missing field"), "{figure}: {err}");
        }
    }

    /// The checked-in specs parse, with the report's protocol where the report states it.
    #[test]
    fn specs_parse() {
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
        // The binary set's shape: two features, two classes.
        let shape = nn::DataShape {
            features: 2,
            classes: 2,
            rows: 118,
            regression: false,
        };
        let job = specs.job(exp3, Variant::Report, 0, 1.0, shape).unwrap();
        assert_eq!(
            job.config.schedule,
            nn_train::Schedule::Steps {
                steps: vec![(5000, 0.04)]
            }
        );
        assert!(job.config.selection.uses_test_set());
        assert!(
            !specs
                .job(exp3, Variant::Validation, 0, 1.0, shape)
                .unwrap()
                .config
                .selection
                .uses_test_set()
        );
    }
}
