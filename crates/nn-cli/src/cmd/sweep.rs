//! `nn sweep`: plans a sweep from a spec, runs its jobs here or as a Slurm array, and reports on it. The
//! bookkeeping is `nn-sweep`'s; this module runs a job, in process, as `nn train` (or `nn cv`) would.

use super::common::{locate, out};
use super::{cv, train};
use crate::args::{Cli, Command, SweepAction, SweepArgs, SweepRunArgs};
use anyhow::{Context, Result, anyhow, bail};
use clap::{CommandFactory, FromArgMatches};
use indicatif::{ProgressBar, ProgressStyle};
use nn_sweep::leaderboard::{DEFAULT_METRICS, format_score, higher_is_better};
use nn_sweep::run::{Finished, run_local, run_one};
use nn_sweep::slurm::{SlurmOptions, arrays, sbatch_args, sbatch_script};
use nn_sweep::spec::Section;
use nn_sweep::{Job, JobResult, JobState, Leaderboard, Plan, Spec, Sweep};
use nn_train::{Checkpoint, PartMetrics, Status};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub fn run(a: SweepArgs) -> Result<()> {
    match a.action {
        Some(SweepAction::RunOne {
            dir,
            index,
            threads,
        }) => run_one_task(&dir, index, threads),
        Some(SweepAction::Status { dir }) => status(&dir),
        Some(SweepAction::Report { dir, metric, top }) => {
            let sweep = Sweep::open(&dir)?;
            out(&report(&sweep, metric.as_deref(), top)?)
        }
        None => start(a.run),
    }
}

/// `nn sweep SPEC --out DIR`: checks the spec, writes the plan, runs or submits the pending jobs.
fn start(a: SweepRunArgs) -> Result<()> {
    let (Some(spec_path), Some(dir)) = (&a.spec, &a.out) else {
        bail!(
            "nn sweep needs a spec and a directory: nn sweep SPEC.toml --out DIR (or: nn sweep status|report|run-one DIR)"
        );
    };
    let spec = Spec::read(spec_path)?;
    check_flags(&spec)?;
    let data = find_data(&spec)?;
    let mut plan = Plan::new(&spec, data);
    if let Some(logdir) = &a.logdir {
        if plan.folds.is_some() {
            bail!("--logdir: a cross-validated sweep (folds) trains no single run to log");
        }
        plan.logdir =
            Some(std::path::absolute(logdir).with_context(|| logdir.display().to_string())?);
    }
    // Every job's command line must parse, and the columns it names exist, before any job starts (the
    // columns are checked once for each distinct set of column flags).
    let mut checked = std::collections::HashSet::new();
    for job in &plan.jobs {
        let in_job = |e: anyhow::Error| {
            anyhow!(
                "{}: job {} ({}): {e:#}",
                spec_path.display(),
                job.index,
                describe(job)
            )
        };
        let matches = command_line(&plan, job, Path::new("job"), 1).map_err(in_job)?;
        let data = match Cli::from_arg_matches(&matches)?.command {
            Command::Train(t) => t.data,
            Command::Cv(c) => c.train.data,
            _ => continue,
        };
        if checked.insert(format!("{:?}", data.table)) {
            super::common::data_of(&data)
                .and_then(|d| Ok(d.check_columns()?))
                .map_err(in_job)?;
        }
    }
    let sweep = Sweep::create(dir, plan)?;
    match a.runner.as_str() {
        "slurm" => submit(&sweep, &a),
        _ => run_here(&sweep, &a),
    }
}

/// Every key of the spec must be a flag of `nn train` (`nn cv` adds none that a spec may set).
fn check_flags(spec: &Spec) -> Result<()> {
    let cmd = Cli::command();
    let train = cmd
        .find_subcommand("train")
        .context("the train subcommand")?;
    let known: Vec<String> = train
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect();
    for (section, setting) in &spec.settings {
        if !known.contains(&setting.key) {
            let close: Vec<&str> = known
                .iter()
                .filter(|k| edit_distance(k, &setting.key) <= 2)
                .map(|k| k.as_str())
                .collect();
            bail!(
                "{}:{}: {} '{}' is not a flag of nn train{}",
                spec.path.display(),
                setting.line,
                section.name(),
                setting.key,
                if close.is_empty() {
                    " (nn train --help lists them)".to_string()
                } else {
                    format!(" (did you mean {}?)", close.join(", "))
                }
            );
        }
    }
    // Values, one flag at a time, so that the message can name the line.
    for (key, value) in &spec.fixed {
        check_value(spec, Section::Train, key, &value.args(key))?;
    }
    for grid in &spec.grids {
        for (key, values) in grid {
            for v in values {
                let section = if spec.line_of(Section::Grid, key) > 0 {
                    Section::Grid
                } else {
                    Section::List
                };
                check_value(spec, section, key, &v.args(key))?;
            }
        }
    }
    Ok(())
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

fn check_value(spec: &Spec, section: Section, key: &str, args: &[String]) -> Result<()> {
    let mut argv = vec!["nn", "train", "--data", "-", "--out", "-"];
    argv.extend(args.iter().map(String::as_str));
    if let Err(e) = Cli::command().try_get_matches_from(argv) {
        let first = e.to_string();
        let first = first
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ");
        bail!(
            "{}:{}: {} '{key}': {first}",
            spec.path.display(),
            spec.line_of(section, key),
            section.name()
        );
    }
    Ok(())
}

/// The dataset: beside the spec, else where `nn train --data` looks. Checked before any job starts.
fn find_data(spec: &Spec) -> Result<PathBuf> {
    let beside = spec
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join(&spec.data);
    let found = if beside.is_file() {
        beside
    } else {
        locate(Path::new(&spec.data)).with_context(|| format!("{}: data", spec.path.display()))?
    };
    std::path::absolute(&found).with_context(|| format!("{}", found.display()))
}

/// The arguments of `nn train` (or `nn cv`) that run `job` with its files in `dir`.
fn command_line(plan: &Plan, job: &Job, dir: &Path, threads: usize) -> Result<clap::ArgMatches> {
    let mut argv: Vec<String> = vec!["nn".into()];
    match plan.folds {
        None => argv.push("train".into()),
        Some(k) => argv.extend(["cv".into(), "--folds".into(), k.to_string()]),
    }
    argv.extend([
        "--data".into(),
        plan.data_path.to_string_lossy().into_owned(),
    ]);
    argv.extend(job.args.iter().cloned());
    argv.extend(["--threads".into(), threads.to_string(), "--quiet".into()]);
    if plan.folds.is_none() {
        for (flag, file) in [("--out", "model.nnm"), ("--metrics", "metrics.csv")] {
            argv.extend([flag.into(), dir.join(file).to_string_lossy().into_owned()]);
        }
        if let Some(logdir) = &plan.logdir {
            argv.extend([
                "--logdir".into(),
                logdir.join(run_name(job)).to_string_lossy().into_owned(),
            ]);
        }
    }
    Cli::command().try_get_matches_from(argv).map_err(|e| {
        anyhow!(
            "{}",
            e.to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
        )
    })
}

/// Runs `job` in `dir`: trains (or cross-validates) it in this process and reads its scores.
fn execute(plan: &Plan, job: &Job, dir: &Path, threads: usize) -> Result<JobResult> {
    let matches = command_line(plan, job, dir, threads)?;
    let cli = Cli::from_arg_matches(&matches)?;
    let (name, sub) = matches.subcommand().context("a subcommand")?;
    let given = |id: &str| sub.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
    debug_assert!(name == "train" || name == "cv");
    let (scores, stopped) = match cli.command {
        Command::Train(a) => {
            let model = a.out.clone();
            let trained = train::run(*a, &given);
            // A run that diverged still saved the weights it selected before: its scores are a result (a
            // high rate that diverges belongs on the leaderboard). Any other error fails the job.
            let checkpoint = match trained {
                Ok(()) => Checkpoint::load(&model)?,
                Err(e) => match Checkpoint::load(&model) {
                    Ok(c) if matches!(c.status, Status::Diverged { .. }) => c,
                    _ => return Err(e),
                },
            };
            (
                vec![checkpoint_scores(&checkpoint)],
                stopped(&checkpoint.status),
            )
        }
        Command::Cv(a) => {
            let run = cv::cross_validation(&a, &given)?;
            let scores = run
                .folds
                .iter()
                .map(|s| {
                    let mut m: BTreeMap<String, f64> = s
                        .scores
                        .named()
                        .into_iter()
                        .filter_map(|(name, v)| Some((cv_name(name), v?)))
                        .collect();
                    m.insert("epoch".into(), s.selected_epoch as f64);
                    m
                })
                .collect();
            (scores, None)
        }
        _ => bail!("a sweep job runs nn train or nn cv"),
    };
    Ok(JobResult {
        id: job.id.clone(),
        params: job.params.clone(),
        seed: job.seed,
        scores,
        stopped,
    })
}

fn cv_name(metric: &str) -> String {
    match metric {
        "accuracy" => "cv-acc".into(),
        "macro_f1" => "cv-f1".into(),
        "roc_auc" => "cv-auc".into(),
        other => format!("cv-{}", other.replace('_', "-")),
    }
}

/// The selected epoch's scores of every part, named as the selection rules name them (`val-acc`, …).
fn checkpoint_scores(c: &Checkpoint) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    m.insert("epoch".to_string(), c.epoch as f64);
    let Some(report) = &c.metrics else { return m };
    let parts: [(&str, Option<&PartMetrics>); 3] = [
        ("train", Some(&report.train)),
        ("val", report.validation.as_ref()),
        ("test", report.test.as_ref()),
    ];
    for (part, metrics) in parts {
        let Some(p) = metrics else { continue };
        m.insert(format!("{part}-loss"), p.loss);
        match p.r2 {
            Some(r2) => {
                m.insert(format!("{part}-r2"), r2);
            }
            None => {
                m.insert(format!("{part}-acc"), p.accuracy);
            }
        }
        if let Some(f1) = p.f1 {
            m.insert(format!("{part}-f1"), f1);
        }
        if let Some(mae) = p.mae {
            // In the target's units.
            let scale = c.target_scale.as_ref().map_or(1.0, |s| s.scale()[0]);
            m.insert(format!("{part}-mae"), mae * scale);
        }
    }
    m
}

fn stopped(status: &Status) -> Option<String> {
    match status {
        Status::Finished {
            epochs_run,
            early_stopped: true,
        } => Some(format!("stopped early after epoch {epochs_run}")),
        Status::Diverged { epoch, cause } => Some(format!("diverged at epoch {epoch}: {cause}")),
        _ => None,
    }
}

/// A job's TensorBoard run folder: its swept values and seed, as the sweep names the job (`lr=0.1 hidden=4,4
/// seed=1`; a `/` in a value becomes `_`).
fn run_name(job: &Job) -> String {
    describe(job).replace(['/', '\\'], "_")
}

/// The swept values of a job, as `lr=0.1 hidden=8 seed=1`.
fn describe(job: &Job) -> String {
    let mut parts: Vec<String> = job.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.push(format!("seed={}", job.seed));
    parts.join(" ")
}

fn executor(
    plan: &Plan,
    threads: usize,
) -> impl Fn(&Job, &Path) -> Result<JobResult, String> + Sync + '_ {
    move |job, dir| {
        execute(plan, job, dir, threads).map_err(|e| {
            e.chain()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(": ")
        })
    }
}

/// `--runner local`: the pending jobs on this machine's cores, with a progress bar; then the leaderboard.
fn run_here(sweep: &Sweep, a: &SweepRunArgs) -> Result<()> {
    let threads = a.threads_per_job.max(1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = a.workers.unwrap_or((cores / threads).max(1));
    let total = sweep.plan.jobs.len();
    let done_before = sweep.counts()[2];
    let bar = if a.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} jobs, {elapsed} elapsed, ETA {eta}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_position(done_before as u64);
    bar.reset_eta();
    let metric = sweep.plan.metric.clone();
    let mut best: Option<(f64, String, String)> = None;
    let started = Instant::now();
    let execute = executor(&sweep.plan, threads);
    let summary = run_local(
        sweep,
        workers,
        threads,
        a.retry_failed,
        &execute,
        &mut |f: &Finished<'_>| {
            bar.inc(1);
            match &f.outcome {
                Ok(result) => {
                    if let Some((name, value)) = headline(result, metric.as_deref()) {
                        let better = best.as_ref().is_none_or(|(b, _, _)| {
                            if higher_is_better(&name) {
                                value > *b
                            } else {
                                value < *b
                            }
                        });
                        if better {
                            best = Some((value, name, describe(f.job)));
                        }
                    }
                }
                Err(e) => bar.println(format!(
                    "job {} ({}) failed: {e}",
                    f.job.index,
                    describe(f.job)
                )),
            }
            if let Some((value, name, job)) = &best {
                let shown = format_score(
                    name,
                    nn_sweep::leaderboard::MeanStd {
                        mean: *value,
                        std: 0.0,
                    },
                );
                bar.set_message(format!(
                    "best {name} {} ({job})",
                    shown.split(" ±").next().unwrap_or_default()
                ));
            }
        },
    )?;
    bar.finish_and_clear();
    if !a.quiet {
        eprintln!(
            "ran {} jobs in {:.1} s on {workers} worker{} ({} already done{}); results in {}",
            summary.ran,
            started.elapsed().as_secs_f64(),
            if workers == 1 { "" } else { "s" },
            summary.skipped,
            if a.retry_failed { "" } else { " or failed" },
            sweep.dir.display()
        );
    }
    let counts = sweep.counts();
    if counts[2] > 0 {
        let text = report(sweep, None, 10)?;
        if !a.quiet {
            out(&text)?;
        }
    }
    if counts[3] > 0 {
        bail!(
            "{} of {} jobs failed (nn sweep status {} lists them; --retry-failed reruns them)",
            counts[3],
            total,
            sweep.dir.display()
        );
    }
    Ok(())
}

/// The metric a finished job is ranked by, and its value (the mean over folds for cross-validation).
fn headline(result: &JobResult, metric: Option<&str>) -> Option<(String, f64)> {
    let has = |m: &str| result.scores.iter().all(|s| s.contains_key(m));
    let name = match metric {
        Some(m) => m.to_string(),
        None => DEFAULT_METRICS.iter().find(|m| has(m))?.to_string(),
    };
    let values: Vec<f64> = result
        .scores
        .iter()
        .filter_map(|s| s.get(&name).copied())
        .collect();
    (!values.is_empty()).then(|| (name, values.iter().sum::<f64>() / values.len() as f64))
}

/// `nn sweep run-one DIR --index I`: what Slurm array task I runs.
fn run_one_task(dir: &Path, index: usize, threads: Option<usize>) -> Result<()> {
    let sweep = Sweep::open(dir)?;
    let job = sweep.job(index)?;
    if sweep.state(job) == JobState::Done {
        eprintln!("job {index} ({}) is already done", describe(job));
        return Ok(());
    }
    let threads = threads
        .or_else(|| std::env::var("SLURM_CPUS_PER_TASK").ok()?.parse().ok())
        .unwrap_or(1);
    let execute = executor(&sweep.plan, threads);
    match run_one(&sweep, job, threads, &execute)? {
        None => {
            eprintln!(
                "job {index} ({}) is being run by another process, or has just finished",
                describe(job)
            );
            Ok(())
        }
        Some(Ok(_)) => Ok(()),
        Some(Err(e)) => bail!("job {index} ({}) failed: {e}", describe(job)),
    }
}

/// `--runner slurm`: writes `DIR/sweep.sbatch` for the pending jobs and submits it (unless `--dry-run`).
fn submit(sweep: &Sweep, a: &SweepRunArgs) -> Result<()> {
    let pending: Vec<usize> = sweep
        .plan
        .jobs
        .iter()
        .filter(|j| sweep.state(j).runnable(a.retry_failed))
        .map(|j| j.index)
        .collect();
    if pending.is_empty() {
        eprintln!(
            "nothing to submit: all {} jobs are done{}",
            sweep.plan.jobs.len(),
            if a.retry_failed {
                ""
            } else {
                " or failed (--retry-failed resubmits failed ones)"
            }
        );
        return Ok(());
    }
    let sbatch = if a.dry_run {
        None
    } else {
        Some(find_on_path("sbatch").context(
        "--runner slurm: sbatch is not on PATH (run this on a Slurm login node; --dry-run writes the script without submitting)",
    )?)
    };
    let dir = std::path::absolute(&sweep.dir)?;
    let name = sweep
        .plan
        .spec
        .file_stem()
        .map_or("sweep".into(), |s| s.to_string_lossy().into_owned());
    let mut opts = SlurmOptions::from_spec(&sweep.plan.slurm, &format!("nn-sweep-{name}"));
    opts.partition = a.partition.clone().or(opts.partition);
    opts.account = a.account.clone().or(opts.account);
    opts.time = a.time.clone().or(opts.time);
    opts.cpus_per_task = a.cpus_per_task.unwrap_or(opts.cpus_per_task);
    opts.mem = a.mem.clone().unwrap_or(opts.mem);
    opts.max_parallel = a.max_parallel.or(opts.max_parallel);
    opts.extra.extend(a.sbatch_lines.iter().cloned());
    let nn = std::env::current_exe().context("the path of this nn binary")?;
    opts.check(&dir, &nn)
        .map_err(|e| anyhow::anyhow!("--runner slurm: {e}"))?;
    let logs = dir.join("slurm");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let arrays = arrays(&pending);
    let mut scripts = Vec::new();
    for (k, (offset, ids)) in arrays.iter().enumerate() {
        let name = if arrays.len() == 1 {
            "sweep.sbatch".to_string()
        } else {
            format!("sweep-{k}.sbatch")
        };
        let path = dir.join(name);
        let script = sbatch_script(&dir, &nn, *offset, ids, &opts);
        nn_train::write_atomically(&path, script.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        scripts.push((path, ids.len(), sbatch_args(&dir, ids, &opts)));
    }
    let Some(sbatch) = sbatch else {
        for (path, tasks, _) in &scripts {
            eprintln!(
                "wrote {} ({tasks} array tasks); submit it with: sbatch {}",
                path.display(),
                path.display()
            );
        }
        return Ok(());
    };
    let mut ids = Vec::new();
    for (path, tasks, args) in &scripts {
        // The options go in as arguments too, each value one argument: what Slurm gets does not depend on how
        // it parses a directive.
        let output = std::process::Command::new(&sbatch)
            .arg("--parsable")
            .args(args)
            .arg(path)
            .output()
            .context("running sbatch")?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let id = stdout
            .trim()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_string();
        if !output.status.success() || id.is_empty() {
            bail!(
                "sbatch {} failed: {}",
                path.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        eprintln!(
            "submitted Slurm job {id}: {tasks} array tasks of {} jobs; nn sweep status {} follows it",
            sweep.plan.jobs.len(),
            sweep.dir.display()
        );
        ids.push(id);
    }
    if a.wait {
        wait_for(&ids)?;
        status(&sweep.dir)?;
        let [pending, started, _, failed] = sweep.counts();
        if failed + pending + started > 0 {
            bail!(
                "{failed} jobs failed and {} did not finish (nn sweep status {} lists them; the task logs are in {})",
                pending + started,
                sweep.dir.display(),
                logs.display()
            );
        }
    }
    Ok(())
}

/// Waits until Slurm no longer lists the jobs `ids` as queued or running (polling squeue every second).
fn wait_for(ids: &[String]) -> Result<()> {
    let squeue = find_on_path("squeue").context("--wait: squeue is not on PATH")?;
    loop {
        let output = std::process::Command::new(&squeue)
            .args(["--noheader", "--format=%i", "--jobs", &ids.join(",")])
            .output()
            .context("running squeue")?;
        // A job that has left the queue: squeue lists nothing, or (once Slurm forgot it) refuses its id.
        if !output.status.success() || output.stdout.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

/// `nn sweep status DIR`: jobs by state, and the failed ones with their errors.
fn status(dir: &Path) -> Result<()> {
    let sweep = Sweep::open(dir)?;
    let [pending, started, done, failed] = sweep.counts();
    let mut s = format!(
        "{}: {} jobs: {done} done, {failed} failed, {started} started (running, or killed: a rerun runs them again), {pending} pending\n",
        dir.display(),
        sweep.plan.jobs.len()
    );
    for job in &sweep.plan.jobs {
        if let JobState::Failed(e) = sweep.state(job) {
            s.push_str(&format!(
                "  failed: job {} ({}, id {}): {e}\n",
                job.index,
                describe(job),
                job.id
            ));
        }
    }
    out(&s)
}

/// The leaderboard in Markdown (top `top` rows), the best command, and the best setting's test score; writes
/// `DIR/report/leaderboard.{md,csv,json}` and one SVG per swept flag.
fn report(sweep: &Sweep, metric: Option<&str>, top: usize) -> Result<String> {
    let results = sweep.results()?;
    if results.is_empty() {
        bail!(
            "{}: no job has finished yet (nn sweep status {} shows where they are)",
            sweep.dir.display(),
            sweep.dir.display()
        );
    }
    let board = Leaderboard::new(&sweep.plan, &results, metric)
        .map_err(|e| anyhow!("{}: {e}", sweep.dir.display()))?;
    let dir = sweep.dir.join("report");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut text = format!(
        "{} of {} jobs finished; ranked by {} ({} is better), mean ± std over {}\n\n",
        board.finished,
        board.jobs,
        board.metric,
        if board.higher_is_better {
            "higher"
        } else {
            "lower"
        },
        if sweep.plan.folds.is_some() {
            "seeds × folds"
        } else {
            "seeds"
        }
    );
    text.push_str(&board.markdown(top));
    if let Some(best) = board.rows.first() {
        let test = board
            .metric
            .strip_prefix("val-")
            .map(|m| format!("test-{m}"));
        if let Some(t) = test
            .as_ref()
            .and_then(|t| best.scores.get(t).map(|s| (t, s)))
        {
            text.push_str(&format!(
                "\nThe best setting on the test part (not used to choose it): {} {}\n",
                t.0,
                format_score(t.0, *t.1)
            ));
        }
    }
    if let Some(cmd) = board.best_command(&sweep.plan) {
        text.push_str(&format!("\nBest configuration:\n  {cmd}\n"));
    }
    for (name, contents) in [
        ("leaderboard.md", text.clone()),
        ("leaderboard.csv", board.csv()),
        ("leaderboard.json", board.json()),
    ] {
        let path = dir.join(name);
        nn_train::write_atomically(&path, contents.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    for param in &board.swept {
        let path = dir.join(format!("{}.svg", param));
        nn_plot::sweep_parameter(&path, &board, param)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(text)
}
