//! `nn sweep --runner slurm`: the pending jobs as Slurm job arrays, submitted (or only written).

use super::report::status;
use crate::args::SweepRunArgs;
use anyhow::{Context, Result, bail};
use nn_sweep::Sweep;
use nn_sweep::slurm::{SlurmOptions, arrays, sbatch_args, sbatch_script};
use std::path::{Path, PathBuf};

/// `--runner slurm`: writes `DIR/sweep.sbatch` for the pending jobs and submits it (unless `--dry-run`).
pub(super) fn submit(sweep: &Sweep, a: &SweepRunArgs) -> Result<()> {
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
    let opts = options(sweep, a)?;
    let nn = std::env::current_exe().context("the path of this nn binary")?;
    opts.check(&dir, &nn)
        .map_err(|e| anyhow::anyhow!("--runner slurm: {e}"))?;
    let logs = dir.join("slurm");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let scripts = write_scripts(&dir, &nn, &pending, &opts)?;
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
        let id = sbatch_one(&sbatch, path, args)?;
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

/// The Slurm options: the spec's `[slurm]` table, overridden by the command's flags.
fn options(sweep: &Sweep, a: &SweepRunArgs) -> Result<SlurmOptions> {
    let name =
        (sweep.plan.spec.file_stem()).map_or("sweep".into(), |s| s.to_string_lossy().into_owned());
    let mut opts = SlurmOptions::from_spec(&sweep.plan.slurm, &format!("nn-sweep-{name}"));
    opts.partition = a.partition.clone().or(opts.partition);
    opts.account = a.account.clone().or(opts.account);
    opts.time = a.time.clone().or(opts.time);
    opts.cpus_per_task = a.cpus_per_task.unwrap_or(opts.cpus_per_task);
    opts.mem = a.mem.clone().unwrap_or(opts.mem);
    opts.max_parallel = a.max_parallel.or(opts.max_parallel);
    opts.extra.extend(a.sbatch_lines.iter().cloned());
    Ok(opts)
}

/// One script per job array (`sweep.sbatch`, or `sweep-K.sbatch` when the pending jobs need several), each
/// with its task count and sbatch's arguments.
fn write_scripts(
    dir: &Path,
    nn: &Path,
    pending: &[usize],
    opts: &SlurmOptions,
) -> Result<Vec<(PathBuf, usize, Vec<String>)>> {
    let arrays = arrays(pending);
    let mut scripts = Vec::new();
    for (k, (offset, ids)) in arrays.iter().enumerate() {
        let name = if arrays.len() == 1 {
            "sweep.sbatch".to_string()
        } else {
            format!("sweep-{k}.sbatch")
        };
        let path = dir.join(name);
        let script = sbatch_script(dir, nn, *offset, ids, opts);
        nn_train::write_atomically(&path, script.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        scripts.push((path, ids.len(), sbatch_args(dir, ids, opts)));
    }
    Ok(scripts)
}

/// Submits one script; returns Slurm's job id.
fn sbatch_one(sbatch: &Path, script: &Path, args: &[String]) -> Result<String> {
    // The options go in as arguments too, each value one argument: what Slurm gets does not depend on how it
    // parses a directive.
    let output = std::process::Command::new(sbatch)
        .arg("--parsable")
        .args(args)
        .arg(script)
        .output()
        .context("running sbatch")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let id = (stdout.trim().split(';').next())
        .unwrap_or_default()
        .to_string();
    if !output.status.success() || id.is_empty() {
        bail!(
            "sbatch {} failed: {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(id)
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
