//! `nn sweep` end to end on a small generated dataset: results, resumes after a kill, bad input, and the same
//! bits at any number of workers. The Slurm end-to-end test is in `slurm.rs`.

use crate::common;

use common::{
    assert_clean_failure, assert_contains, assert_same_job_files, blobs, job_files, nn, scratch,
    stderr, sweep,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A spec over the blobs in `dir`: 2 widths × 2 rates × `seeds`, `epochs` each.
fn spec(dir: &Path, epochs: usize, seeds: &str, extra: &str) -> PathBuf {
    blobs(dir);
    let path = dir.join("spec.toml");
    std::fs::write(
        &path,
        format!(
            "data = \"blobs.txt\"\nseeds = [{seeds}]\n\n[train]\nepochs = {epochs}\nsplit = \"0.6,0.2\"\n{extra}\n[grid]\nhidden = [\"3\", \"4,4\"]\nlr = [0.3, 1.0]\n"
        ),
    )
    .unwrap();
    path
}

fn done(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("jobs"))
        .map(|d| {
            d.filter(|j| j.as_ref().unwrap().path().join("result.json").is_file())
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_sweep_runs_every_job_ranks_them_and_is_the_same_at_any_worker_count() {
    let dir = scratch("sweep-run");
    let spec = spec(&dir, 200, "1, 2", "");
    let mut runs = Vec::new();
    for workers in ["1", "2"] {
        let out_dir = dir.join(format!("w{workers}"));
        let out = sweep(&spec, &out_dir, &["--workers", workers]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert_contains(&text, "8 of 8 jobs finished; ranked by val-acc");
        assert_contains(&text, "| rank | hidden | lr | val-acc (mean ± std)");
        assert_contains(
            &text,
            "Best configuration:\n  nn train --data blobs.txt --epochs 200 --hidden",
        );
        assert_contains(
            &text,
            "The best setting on the test part (not used to choose it): test-acc",
        );
        for f in [
            "leaderboard.md",
            "leaderboard.csv",
            "leaderboard.json",
            "hidden.svg",
            "lr.svg",
        ] {
            assert!(out_dir.join("report").join(f).is_file(), "{f}");
        }
        let files = job_files(&out_dir);
        assert_eq!(files.keys().filter(|p| p.ends_with("model.nnm")).count(), 8);
        assert_eq!(
            files.keys().filter(|p| p.ends_with("result.json")).count(),
            8
        );
        runs.push((
            files,
            std::fs::read(out_dir.join("report/leaderboard.csv")).unwrap(),
        ));
        // A rerun finds everything done.
        let again = sweep(&spec, &out_dir, &[]);
        assert!(
            again.status.success() && stderr(&again).contains("ran 0 jobs"),
            "{}",
            stderr(&again)
        );
    }
    assert!(runs[0] == runs[1], "1 and 2 workers give other files");
    // status and report on their own.
    let w1 = dir.join("w1");
    let status = nn()
        .args(["sweep", "status", w1.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&status.stdout).contains("8 jobs: 8 done, 0 failed"));
    let report = nn()
        .args([
            "sweep",
            "report",
            w1.to_str().unwrap(),
            "--metric",
            "val-loss",
            "--top",
            "2",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(
        text.contains("ranked by val-loss (lower is better)")
            && text.contains("(2 more rows in leaderboard.csv)"),
        "{text}"
    );
}

#[test]
fn a_killed_sweep_resumes_to_the_same_results() {
    let dir = scratch("sweep-kill");
    // 4 points × 6 seeds of ~0.1 s each, one worker: the kill lands mid-sweep on any machine.
    let spec = spec(&dir, 6000, "1, 2, 3, 4, 5, 6", "");
    let killed = dir.join("killed");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("nn"))
        .args([
            "sweep",
            spec.to_str().unwrap(),
            "--out",
            killed.to_str().unwrap(),
            "--workers",
            "1",
            "--quiet",
        ])
        .spawn()
        .unwrap();
    let start = Instant::now();
    while done(&killed) < 2 && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = done(&killed);
    assert!(
        (2..24).contains(&at_kill),
        "{at_kill} jobs were done at the kill"
    );
    let rerun = sweep(&spec, &killed, &[]);
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    assert!(
        stderr(&rerun).contains(&format!("ran {} jobs", 24 - at_kill)),
        "{}",
        stderr(&rerun)
    );
    let whole = dir.join("whole");
    let out = sweep(&spec, &whole, &[]);
    assert!(out.status.success());
    assert_same_job_files(&whole, &killed, "the resumed sweep");
    for f in ["leaderboard.md", "leaderboard.csv", "leaderboard.json"] {
        assert_eq!(
            std::fs::read(killed.join("report").join(f)).unwrap(),
            std::fs::read(whole.join("report").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_failing_job_is_recorded_and_the_others_go_on() {
    let dir = scratch("sweep-fail");
    let spec = spec(&dir, 50, "1", "batch-size = 16\n");
    // L-BFGS refuses mini-batches: those jobs fail, the gradient-descent ones run.
    let text = std::fs::read_to_string(&spec).unwrap() + "optimizer = [\"gd\", \"lbfgs\"]\n";
    std::fs::write(&spec, text).unwrap();
    let out_dir = dir.join("out");
    let out = sweep(&spec, &out_dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_contains(&err, "4 of 8 jobs failed");
    assert_contains(&err, "--retry-failed");
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 of 8 jobs finished"));
    let status = nn()
        .args(["sweep", "status", out_dir.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains("8 jobs: 4 done, 4 failed"), "{text}");
    assert_contains(&text, "optimizer=lbfgs");
    assert_contains(&text.to_lowercase(), "batch");
    // Nothing finished is recomputed on a retry: only the four failed jobs run (and fail again).
    let retry = sweep(&spec, &out_dir, &["--retry-failed"]);
    assert!(stderr(&retry).contains("ran 4 jobs"), "{}", stderr(&retry));
}

#[test]
fn cross_validation_sweeps_pool_seeds_and_folds() {
    let dir = scratch("sweep-cv");
    let spec = spec(&dir, 100, "1, 2", "");
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("seeds", "folds = 3\nseeds");
    std::fs::write(&spec, text).unwrap();
    let out_dir = dir.join("out");
    let out = sweep(&spec, &out_dir, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_contains(&text, "ranked by cv-acc");
    assert_contains(&text, "seeds × folds");
    let board: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("report/leaderboard.json")).unwrap())
            .unwrap();
    assert_eq!(board["rows"][0]["n"], 6, "2 seeds × 3 folds");
}

#[test]
fn bad_sweeps_fail_in_one_line_before_any_job_runs() {
    let dir = scratch("sweep-bad");
    let spec = spec(&dir, 10, "1", "");
    let edit = |name: &str, from: &str, to: &str| {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&spec).unwrap().replace(from, to);
        std::fs::write(&path, text).unwrap();
        path
    };
    let lines = "epochs = 10\nlearning-rate = 3\nweight-decy = 0.1";
    let swish = "lr = [0.3, 1.0]\nactivation = [\"relu\", \"swish\"]";
    let target = "lr = [0.3, 1.0]\ntarget = [\"3\", \"9\"]";
    // An unknown flag, with its line; a bad value, with its line; a missing dataset. No job starts.
    for (spec, needle) in [
        (
            edit("flag.toml", "epochs = 10", lines),
            "flag.toml:6: [train] 'learning-rate' is not a setting of nn train (nn train --help lists them)",
        ),
        (
            edit("value.toml", "lr = [0.3, 1.0]", swish),
            "value.toml:11: [grid] 'activation': unknown activation 'swish'",
        ),
        (
            edit("data.toml", "blobs.txt", "no-such.txt"),
            "data: dataset file no-such.txt not found",
        ),
        (
            edit("hidden.toml", "\"4,4\"]", "\"4,0\"]"),
            "hidden.toml:9: [grid] 'hidden': '0' is not a layer width",
        ),
        (
            edit(
                "step.toml",
                "epochs = 10",
                "epochs = 10\nlr-step = \"5000-0.04\"",
            ),
            "step.toml:6: [train] 'lr-step': '5000-0.04': give EPOCH:LR",
        ),
        (
            edit("target.toml", "lr = [0.3, 1.0]", target),
            "target.toml: job 1 (hidden=3 lr=0.3 target=9 seed=1): ",
        ),
        (
            dir.join("target.toml"),
            "blobs.txt: column '9' is not a column; the columns are: 1, 2, 3",
        ),
        (
            edit("key.toml", "[grid]", "[other]\nx = 1\n[grid]"),
            "key.toml:8: unknown field `other`",
        ),
    ] {
        let out_dir = dir.join("out");
        let _ = std::fs::remove_dir_all(&out_dir);
        assert_clean_failure(&sweep(&spec, &out_dir, &[]), needle);
        let made = out_dir.join("jobs").exists();
        assert!(!made, "{needle}: a job directory was made");
    }
}

/// `nn sweep SPEC --out OUT --runner slurm ARGS…` with an empty PATH, so that no sbatch is found.
fn slurm_without_sbatch(
    dir: &Path,
    spec: &Path,
    out: &Path,
    args: &[&str],
) -> std::process::Output {
    let empty = dir.join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let mut command = nn();
    command.env("PATH", &empty).args(["sweep"]).arg(spec);
    command.arg("--out").arg(out).args(["--runner", "slurm"]);
    command.args(args).output().unwrap()
}

/// Slurm without sbatch on PATH says so; `--dry-run` writes the script; a value with a line break, which
/// would put a line of shell in the script, is refused, naming the value, and no script is written.
#[test]
fn slurm_runs_need_sbatch_a_dry_run_writes_the_script_and_control_characters_are_refused() {
    let dir = scratch("sweep-slurm-bad");
    let spec = spec(&dir, 10, "1", "");
    let out_dir = dir.join("slurm");
    let out = slurm_without_sbatch(&dir, &spec, &out_dir, &[]);
    assert_clean_failure(&out, "sbatch is not on PATH");
    let dry = ["--dry-run", "--max-parallel", "2", "--time", "00:05:00"];
    let out = slurm_without_sbatch(&dir, &spec, &out_dir, &dry);
    assert!(out.status.success(), "{}", stderr(&out));
    let script = std::fs::read_to_string(out_dir.join("sweep.sbatch")).unwrap();
    assert_contains(&script, "#SBATCH --array=\"0-3%2\"\n");
    assert_contains(&script, "#SBATCH --time=\"00:05:00\"\n");
    assert_contains(&script, "sweep run-one");
    for (flag, value, what) in [
        (
            "--partition",
            "short\ntouch pwned",
            "partition \"short\\ntouch pwned\"",
        ),
        (
            "--sbatch-line",
            "--qos=low\rtouch pwned",
            "the sbatch line \"--qos=low\\rtouch pwned\"",
        ),
        ("--time", "1:00\u{1b}[2J", "time \"1:00\\u{1b}[2J\""),
    ] {
        let hostile = dir.join("hostile");
        let out = slurm_without_sbatch(&dir, &spec, &hostile, &["--dry-run", flag, value]);
        let needle = format!("--runner slurm: {what} holds the control character");
        assert_clean_failure(&out, &needle);
        assert!(!hostile.join("sweep.sbatch").exists(), "{flag}");
    }
}

/// run-one of an index the plan does not have; status of a directory that is not a sweep; a report before
/// any job finished; a sweep without a directory.
#[test]
fn sweep_subcommands_refuse_what_does_not_fit() {
    let dir = scratch("sweep-subcommands");
    let spec = spec(&dir, 10, "1", "");
    let out_dir = dir.join("slurm");
    let dry = slurm_without_sbatch(&dir, &spec, &out_dir, &["--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let (plan, here) = (out_dir.to_str().unwrap(), dir.to_str().unwrap());
    for (args, needle) in [
        (
            vec!["run-one", plan, "--index", "4"],
            "no job 4: the plan has 4 (indices 0 to 3)",
        ),
        (vec!["status", here], "not a sweep directory"),
        (vec!["report", plan], "no job has finished yet"),
        (
            vec![spec.to_str().unwrap()],
            "nn sweep needs a spec and a directory",
        ),
    ] {
        let out = nn().arg("sweep").args(&args).output().unwrap();
        assert_clean_failure(&out, needle);
    }
}
