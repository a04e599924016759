//! Running a sweep without training anything: Slurm arrays and scripts, the leaderboard, the local runner
//! (skips, failures, worker counts) and two sweeps sharing one folder. Jobs are run by a stand-in executor.

use super::{assert_contains, parse, scratch};
use nn_sweep::leaderboard::{Leaderboard, higher_is_better};
use nn_sweep::run::{run_local, run_one};
use nn_sweep::slurm::{
    SlurmOptions, array_ranges, arrays, check_value, directive_quote, sbatch_args, sbatch_script,
};
use nn_sweep::spec::Value;
use nn_sweep::{JobResult, JobState, Plan, Sweep};
use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn slurm_arrays_collapse_runs_and_the_script_runs_one_job_per_task() {
    assert_eq!(array_ranges(&[0, 1, 2, 3, 5, 7, 8, 9]), "0-3,5,7-9");
    assert_eq!(array_ranges(&[4]), "4");
    assert_eq!(array_ranges(&[]), "");
    let mut opts = SlurmOptions::from_spec(&Default::default(), "nn-sweep-x");
    opts.max_parallel = Some(4);
    opts.partition = Some("short".into());
    opts.extra = vec!["#SBATCH --qos=low".into(), "--exclusive".into()];
    let s = sbatch_script(
        Path::new("/s/dir"),
        Path::new("/bin/it's nn"),
        0,
        &[0, 1, 2, 6],
        &opts,
    );
    for line in [
        "#!/bin/bash\n",
        "#SBATCH --array=\"0-2,6%4\"\n",
        "#SBATCH --cpus-per-task=\"1\"\n",
        "#SBATCH --mem=\"1G\"\n",
        "#SBATCH --partition=\"short\"\n",
        "#SBATCH --qos=low\n",
        "#SBATCH --exclusive\n",
        "#SBATCH --output=\"/s/dir/slurm/%A_%a.out\"\n",
        "exec '/bin/it'\\''s nn' sweep run-one '/s/dir' --index \"$SLURM_ARRAY_TASK_ID\"\n",
    ] {
        assert!(s.contains(line), "{line} not in:\n{s}");
    }
    assert!(!s.contains("--account"), "{s}");
    // Past Slurm's default MaxArraySize, jobs go in arrays of task ids below 1000, each with its offset.
    let pending: Vec<usize> = (995..2003).filter(|i| i % 500 != 7).collect();
    let split = arrays(&pending);
    assert_eq!(
        split.iter().map(|(o, _)| *o).collect::<Vec<_>>(),
        [0, 1000, 2000]
    );
    assert_eq!(array_ranges(&split[0].1), "995-999");
    assert_eq!(array_ranges(&split[1].1), "0-6,8-506,508-999");
    assert_eq!(array_ranges(&split[2].1), "0-2");
    let s = sbatch_script(Path::new("/s"), Path::new("/nn"), 2000, &split[2].1, &opts);
    assert_contains(&s, "--index \"$((2000 + SLURM_ARRAY_TASK_ID))\"");
}

/// A value with a line break would put a line of shell in the script: every value is checked, and the
/// error names the setting and shows the value escaped. Paths with spaces, quotes, `$` and other letters are
/// quoted for sbatch's directive parser and for the shell, and reach sbatch as arguments of their own.
#[test]
fn slurm_values_cannot_inject_lines_and_odd_paths_are_quoted() {
    let mut opts = SlurmOptions::from_spec(&Default::default(), "nn-sweep-x");
    opts.partition = Some("short\ntouch /tmp/pwned".into());
    let dir = Path::new("/s/it's a \"sweep\" $HOME é");
    let e = opts.check(dir, Path::new("/nn")).unwrap_err();
    assert_eq!(
        e,
        "partition \"short\\ntouch /tmp/pwned\" holds the control character U+000A; a value for Slurm must be one line of printable text"
    );
    opts.partition = Some("short".into());
    opts.extra = vec!["--qos=low\r\n#SBATCH --x".into()];
    assert!(
        opts.check(dir, Path::new("/nn"))
            .unwrap_err()
            .starts_with("the sbatch line ")
    );
    opts.extra.clear();
    assert!(check_value("mem", "1G").is_ok());
    let bad_dir = Path::new("/s/a\nb");
    assert!(
        opts.check(bad_dir, Path::new("/nn"))
            .unwrap_err()
            .starts_with("the sweep directory ")
    );
    opts.check(dir, Path::new("/nn")).unwrap();

    let s = sbatch_script(dir, Path::new("/nn"), 0, &[0, 1], &opts);
    assert_contains(
        &s,
        "#SBATCH --output=\"/s/it's a \\\"sweep\\\" $HOME é/slurm/%A_%a.out\"\n",
    );
    assert_contains(
        &s,
        "sweep run-one '/s/it'\\''s a \"sweep\" $HOME é' --index",
    );
    // One directive or command per line: nothing a value holds starts a line.
    assert!(
        s.lines()
            .all(|l| l.is_empty() || l.starts_with("#") || l.starts_with("exec ")),
        "{s}"
    );
    assert_eq!(directive_quote(r#"a\b"c"#), r#""a\\b\"c""#);
    let args = sbatch_args(dir, &[0, 1], &opts);
    assert!(
        args.contains(&"--output=/s/it's a \"sweep\" $HOME é/slurm/%A_%a.out".to_string()),
        "{args:?}"
    );
    assert!(args.contains(&"--array=0-1".to_string()), "{args:?}");
}

fn result(params: &[(&str, Value)], seed: u64, scores: &[(&str, f64)]) -> JobResult {
    JobResult {
        id: format!("{params:?}{seed}"),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        seed,
        scores: vec![scores.iter().map(|(k, v)| (k.to_string(), *v)).collect()],
        stopped: None,
    }
}

#[test]
fn the_leaderboard_groups_seeds_and_ranks_by_the_mean() {
    let spec =
        parse("data = \"d.txt\"\nseeds = [1, 2]\n[train]\nepochs = 10\n[grid]\nlr = [0.1, 1]\n")
            .unwrap();
    let plan = Plan::new(&spec, "/d.txt".into());
    let lr = |x: f64| vec![("lr", Value::Float(x))];
    let results = vec![
        result(
            &lr(0.1),
            1,
            &[("val-acc", 0.5), ("val-loss", 0.7), ("test-acc", 0.4)],
        ),
        result(
            &lr(0.1),
            2,
            &[("val-acc", 0.7), ("val-loss", 0.6), ("test-acc", 0.6)],
        ),
        result(
            &[("lr", Value::Int(1))],
            1,
            &[("val-acc", 0.8), ("val-loss", 0.5), ("test-acc", 0.7)],
        ),
        result(
            &[("lr", Value::Int(1))],
            2,
            &[("val-acc", 0.8), ("val-loss", 0.4), ("test-acc", 0.9)],
        ),
    ];
    let board = Leaderboard::new(&plan, &results, None).unwrap();
    assert_eq!(board.metric, "val-acc");
    assert_eq!(board.rows.len(), 2);
    assert_eq!(board.rows[0].params["lr"], Value::Int(1));
    // mean 0.6, sample std sqrt(((0.5-0.6)² + (0.7-0.6)²)/1) = 0.1414.
    let second = board.rows[1].scores["val-acc"];
    assert!((second.mean - 0.6).abs() < 1e-12 && (second.std - 0.02f64.sqrt()).abs() < 1e-12);
    assert_eq!(board.rows[1].seeds, [1, 2]);
    // The values of each swept flag in the plan's order, whatever the ranking.
    assert_eq!(board.levels["lr"], [Value::Float(0.1), Value::Int(1)]);
    assert_eq!(
        board.markdown(10),
        "| rank | lr | val-acc (mean ± std) | val-loss (mean ± std) | n |\n\
         |---|---|---|---|---|\n\
         | 1 | 1 | 80.00% ± 0.00 | 0.4500 ± 0.0707 | 2 |\n\
         | 2 | 0.1 | 60.00% ± 14.14 | 0.6500 ± 0.0707 | 2 |\n"
    );
    let csv = board.csv();
    assert_eq!(
        csv.lines().next().unwrap(),
        "rank,lr,n,test-acc_mean,test-acc_std,val-acc_mean,val-acc_std,val-loss_mean,val-loss_std"
    );
    assert_eq!(csv.lines().count(), 3);
    let json: serde_json::Value = serde_json::from_str(&board.json()).unwrap();
    assert_eq!(json["rows"][0]["scores"]["test-acc"]["mean"], 0.8);
    assert_eq!(
        board.best_command(&plan).unwrap(),
        "nn train --data d.txt --epochs 10 --lr 1 --select val-loss --seed 1 --out best.nnm"
    );
    // By a loss, lower is better.
    let by_loss = Leaderboard::new(&plan, &results, Some("val-loss")).unwrap();
    assert!(!higher_is_better("val-loss"));
    assert_eq!(by_loss.rows[0].params["lr"], Value::Int(1));
    let e = Leaderboard::new(&plan, &results, Some("val-r2")).unwrap_err();
    assert!(
        e.contains("no result has the metric 'val-r2'") && e.contains("val-acc"),
        "{e}"
    );
}

#[test]
fn finished_jobs_are_skipped_failed_ones_kept_and_worker_counts_do_not_matter() {
    let spec = parse("data = \"d.txt\"\nseeds = [1, 2, 3]\n[grid]\nlr = [1, 2, 3, 4]\n").unwrap();
    let execute = |job: &nn_sweep::Job, dir: &Path| -> Result<JobResult, String> {
        assert!(dir.join("job.json").is_file());
        let lr = job.params["lr"].as_f64().unwrap();
        if lr == 3.0 && job.seed == 2 {
            return Err("diverged on purpose".into());
        }
        Ok(JobResult {
            id: job.id.clone(),
            params: job.params.clone(),
            seed: job.seed,
            scores: vec![BTreeMap::from([(
                "val-acc".to_string(),
                lr / 10.0 + job.seed as f64,
            )])],
            stopped: None,
        })
    };
    let mut outputs = Vec::new();
    for workers in [1, 3] {
        let dir = scratch(&format!("runner-{workers}"));
        let sweep = Sweep::create(&dir, Plan::new(&spec, "/d.txt".into())).unwrap();
        let mut seen = 0;
        let summary = run_local(&sweep, workers, 1, false, &execute, &mut |_| seen += 1).unwrap();
        assert_eq!((summary.ran, summary.skipped, seen), (12, 0, 12));
        assert_eq!(summary.failed.len(), 1);
        assert_eq!(sweep.counts(), [0, 0, 11, 1]);
        let failed = &sweep.plan.jobs[7];
        assert_eq!(
            sweep.state(failed),
            JobState::Failed("diverged on purpose".into())
        );
        // A rerun runs nothing; --retry-failed runs the failed job again (and it fails again).
        let again = run_local(&sweep, workers, 1, false, &execute, &mut |_| {}).unwrap();
        assert_eq!((again.ran, again.skipped), (0, 12));
        let retry = run_local(&sweep, workers, 1, true, &execute, &mut |_| {}).unwrap();
        assert_eq!((retry.ran, retry.skipped), (1, 11));
        // Reopened from disk, the plan and results read back.
        let reopened = Sweep::open(&dir).unwrap();
        assert_eq!(reopened.plan, sweep.plan);
        outputs.push(reopened.results().unwrap());
        // A started job whose process died (job.json, no result) runs again.
        let job = &sweep.plan.jobs[0];
        std::fs::remove_file(sweep.job_dir(job).join("result.json")).unwrap();
        assert_eq!(sweep.state(job), JobState::Started);
        assert!(run_one(&sweep, job, 1, &execute).unwrap().unwrap().is_ok());
        assert_eq!(sweep.state(job), JobState::Done);
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0].len(), 11);
    let e = Sweep::open(&scratch("nothing")).unwrap_err().to_string();
    assert!(e.contains("not a sweep directory"), "{e}");
}

/// Two sweeps started on one folder at once (two handles, as two processes have: the job locks are the
/// operating system's, taken on separate open files) run every job exactly once between them, and neither
/// removes the other's live temporary files. Repeated, since an overlap is a matter of timing.
#[test]
fn two_sweeps_on_one_folder_run_each_job_once() {
    use std::sync::Mutex;
    let spec =
        parse("data = \"d.txt\"\nseeds = [1, 2, 3, 4]\n[grid]\nlr = [1, 2, 3, 4]\n").unwrap();
    for round in 0..5 {
        let dir = scratch(&format!("two-sweeps-{round}"));
        Sweep::create(&dir, Plan::new(&spec, "/d.txt".into())).unwrap();
        let runs: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());
        let execute = |job: &nn_sweep::Job, dir: &Path| -> Result<JobResult, String> {
            *runs.lock().unwrap().entry(job.id.clone()).or_default() += 1;
            // A live temporary file of this writer, as write_atomically leaves one while it writes.
            let tmp = dir.join(format!(".model.nnm.tmp-{}", job.index));
            std::fs::write(&tmp, b"partial").unwrap();
            std::thread::sleep(std::time::Duration::from_millis(5));
            assert!(tmp.is_file(), "another sweep removed a live temporary file");
            std::fs::remove_file(&tmp).unwrap();
            Ok(JobResult {
                id: job.id.clone(),
                params: job.params.clone(),
                seed: job.seed,
                scores: vec![BTreeMap::from([("val-acc".to_string(), 0.5)])],
                stopped: None,
            })
        };
        let summaries: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    s.spawn(|| {
                        let sweep = Sweep::open(&dir).unwrap();
                        run_local(&sweep, 2, 1, false, &execute, &mut |_| {}).unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let runs = runs.into_inner().unwrap();
        assert_eq!(runs.len(), 16, "round {round}: every job ran");
        assert!(runs.values().all(|&n| n == 1), "round {round}: {runs:?}");
        assert_eq!(summaries[0].ran + summaries[1].ran, 16, "round {round}");
        let sweep = Sweep::open(&dir).unwrap();
        assert_eq!(sweep.counts(), [0, 0, 16, 0]);
        // No lock file is left behind.
        let locks = std::fs::read_dir(dir.join(".locks")).unwrap().count();
        assert_eq!(locks, 0, "round {round}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// A sweep scored on the validation split gives a job that names neither a split nor a selection the
/// validation loss to select on (so it has a validation part to be ranked on), in the job's settings and in
/// the best configuration's command; a split or a selection given, or cross-validation, is left as it is.
#[test]
fn validation_split_sweeps_select_on_the_validation_part_by_default() {
    let lr = |v: f64| BTreeMap::from([("lr".to_string(), Value::Float(v))]);
    let plan = |text: &str| Plan::new(&parse(text).unwrap(), "/d.txt".into());
    let select = |plan: &Plan| plan.named(&lr(0.1)).get("select").cloned();
    let plain = plan("data = \"d.txt\"\n[grid]\nlr = [0.1, 0.2]\n");
    assert_eq!(select(&plain), Some(Value::Text("val-loss".into())));
    let job = &plain.jobs[0];
    let settings = plain.settings(job).unwrap();
    assert_eq!(
        settings.spec.select,
        Some("val-loss".parse().unwrap()),
        "{settings:?}"
    );
    let results = [result(&[("lr", Value::Float(0.1))], 1, &[("val-acc", 0.9)])];
    let board = Leaderboard::new(&plain, &results, None).unwrap();
    let command = board.best_command(&plain).unwrap();
    assert_contains(&command, "--lr 0.1 --select val-loss --seed 1");
    for text in [
        "data = \"d.txt\"\n[train]\nsplit = \"0.8\"\n[grid]\nlr = [0.1, 0.2]\n",
        "data = \"d.txt\"\n[train]\nselect = \"train-loss\"\n[grid]\nlr = [0.1, 0.2]\n",
        "data = \"d.txt\"\nfolds = 5\n[grid]\nlr = [0.1, 0.2]\n",
    ] {
        let given = plan(text);
        let kept = given.fixed.get("select").cloned();
        assert_eq!(select(&given), kept, "{text}");
    }
}
