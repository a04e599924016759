//! The Slurm runner against a real Slurm: a 2 × 2 × 2 sweep on the report's binary set submitted with sbatch
//! as a job array, into a folder whose name has spaces, quotes, `$` and a non-ASCII letter, gives the same
//! files, bit for bit, as the same sweep run here.
//!
//! `.ci/run` starts a one-node cluster first (`.ci/slurm-up.sh`). As with the datasets, a missing `sbatch`
//! fails this test under CI (`CI=true`, or `NN_REQUIRE_SLURM=1`) and marks it ignored elsewhere.

mod common;
#[path = "../../nn-data/tests/support/datasets.rs"]
mod datasets;

use common::{assert_contains, assert_same_job_files, job_files, nn, scratch, stderr, sweep};
use libtest_mimic::{Failed, Trial};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NAME: &str = "a_sweep_through_sbatch_gives_the_local_run_s_files";

fn main() {
    let required = ["CI", "NN_REQUIRE_SLURM"].iter().any(|v| {
        std::env::var(v)
            .is_ok_and(|s| !s.is_empty() && s != "0" && !s.eq_ignore_ascii_case("false"))
    });
    // sbatch alone is not a cluster: the controller must answer too.
    let answers = || {
        Command::new("sinfo")
            .args(["--noheader", "--format=%T"])
            .output()
            .is_ok_and(|o| o.status.success() && !o.stdout.is_empty())
    };
    let trial = if on_path("sbatch") && answers() {
        datasets::trial(NAME, &["classification2.txt"], |p| through_sbatch(&p[0]))
    } else if required {
        Trial::test(NAME, || {
            Err(Failed::from(
                "no Slurm: sbatch is not on PATH or sinfo gets no answer from a controller; under CI the Slurm test must run (.ci/run starts a cluster with .ci/slurm-up.sh)",
            ))
        })
    } else {
        eprintln!(
            "note: test {NAME} is ignored: no Slurm here (no sbatch on PATH, or no controller answers sinfo; .ci/slurm-up.sh starts a one-node Slurm; NN_REQUIRE_SLURM=1 makes this a failure)"
        );
        // Run anyway (`--include-ignored`), it fails with the reason: a test that did not run never passes.
        Trial::test(NAME, || {
            Err(Failed::from(
                "not run: no Slurm here (.ci/slurm-up.sh starts a one-node Slurm)",
            ))
        })
        .with_ignored_flag(true)
    };
    datasets::run(vec![trial]);
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

fn through_sbatch(data: &Path) {
    let dir = scratch("slurm");
    let spec = dir.join("binary.toml");
    std::fs::write(
        &spec,
        format!(
            "data = \"{}\"\nseeds = [1, 2]\n\n[train]\nepochs = 500\nsplit = \"0.6,0.2\"\n\n[grid]\nhidden = [\"4\", \"4,4\"]\nlr = [0.3, 1.0]\n",
            std::path::absolute(data).unwrap().display()
        ),
    )
    .unwrap();
    let local = dir.join("local");
    let out = sweep(&spec, &local, &["--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A folder name with a space, both quotes, a `$` and a letter beyond ASCII: the script quotes it for
    // sbatch's directives and for the shell.
    let slurm = dir.join("it's a \"sweep\" $HOME é");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("nn"))
        .args([
            "sweep",
            spec.to_str().unwrap(),
            "--out",
            slurm.to_str().unwrap(),
        ])
        .args(common::args(
            "--runner slurm --wait --max-parallel 2 --time 00:05:00",
        ))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_or_cancel(&mut child);
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(status.success(), "{err}\n{}", logs(&slurm));
    assert_contains(&err, "submitted Slurm job");
    assert_contains(&err, "8 array tasks of 8 jobs");
    let script = std::fs::read_to_string(slurm.join("sweep.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=\"0-7%2\"\n"), "{script}");
    // Every task ran on the cluster: its log is in slurm/.
    let task_logs = std::fs::read_dir(slurm.join("slurm")).unwrap().count();
    assert_eq!(task_logs, 8, "{}", logs(&slurm));
    assert_eq!(
        job_files(&local).len(),
        8 * 3,
        "model, metrics and result of 8 jobs"
    );
    assert_same_job_files(&local, &slurm, "the Slurm run");
    // The report of the Slurm sweep is the local one's.
    for d in [&local, &slurm] {
        let out = nn()
            .args(["sweep", "report", d.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(
        std::fs::read(local.join("report/leaderboard.csv")).unwrap(),
        std::fs::read(slurm.join("report/leaderboard.csv")).unwrap()
    );
    // Resubmitting finds nothing to run.
    let again = sweep(&spec, &slurm, &["--runner", "slurm"]);
    assert!(
        stderr(&again).contains("nothing to submit: all 8 jobs are done"),
        "{}",
        stderr(&again)
    );
}

/// The exit status of the sweep `child`; after 300 s, it is killed, its Slurm jobs are cancelled, and the test
/// fails.
fn wait_or_cancel(child: &mut std::process::Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            let _ = Command::new("scancel")
                .args(["--name", "nn-sweep-binary"])
                .status();
            panic!("the Slurm array did not finish within 300 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn logs(dir: &Path) -> String {
    let mut s = String::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("slurm")) {
        for e in entries.flatten() {
            s.push_str(&format!(
                "{}: {}\n",
                e.path().display(),
                std::fs::read_to_string(e.path()).unwrap_or_default()
            ));
        }
    }
    s
}
