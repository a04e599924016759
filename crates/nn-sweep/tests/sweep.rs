//! Spec parsing and expansion, job ids, the sweep directory, the local runner, Slurm scripts and the
//! leaderboard, without training anything: jobs are run by a stand-in executor.

#[path = "../../../fuzz/checks/sweep_spec.rs"]
mod check;
#[path = "sweep/runs.rs"]
mod runs;
#[path = "../../../fuzz/checks/seeds.rs"]
mod seeds;

use nn_sweep::SweepError;
use nn_sweep::spec::{Spec, Value};
use std::path::{Path, PathBuf};

/// `text` contains `needle`; the message shows all of `text`.
fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "'{needle}' not in: {text}");
}

fn parse(text: &str) -> Result<Spec, SweepError> {
    Spec::parse(text, Path::new("spec.toml"))
}

fn error(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nn-sweep-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const GRID: &str = r#"
data = "classification2.txt"
seeds = [1, 2, 3]

[train]
epochs = 100
stratify = true
lr-step = ["50:0.01"]

[grid]
hidden = ["4", "8,8"]
lr = [0.1, 0.3, 1.0]
"#;

#[test]
fn a_grid_is_every_combination_times_every_seed() {
    let spec = parse(GRID).unwrap();
    let jobs = spec.expand();
    assert_eq!(jobs.len(), 2 * 3 * 3);
    assert_eq!(spec.swept(), ["hidden", "lr"]);
    for (i, j) in jobs.iter().enumerate() {
        assert_eq!(j.index, i);
    }
    // Point-major, seeds innermost; fixed and swept flags in key order, a switch without a value, a
    // repeatable flag once per value, the seed last.
    assert_eq!(
        jobs[1].args,
        [
            "--epochs",
            "100",
            "--hidden",
            "4",
            "--lr",
            "0.1",
            "--lr-step",
            "50:0.01",
            "--stratify",
            "--seed",
            "2"
        ]
    );
    let mut ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), jobs.len(), "ids are distinct");
}

#[test]
fn job_ids_are_stable_and_do_not_depend_on_the_spec_s_layout() {
    let a = parse(GRID).unwrap().expand();
    let reordered = r#"
seeds = [1, 2, 3]
data = "classification2.txt"
[grid]
lr = [0.1, 0.3, 1.0]
hidden = ["4", "8,8"]
[train]
lr-step = ["50:0.01"]
stratify = true
epochs = 100
"#;
    let b = parse(reordered).unwrap().expand();
    let ids = |jobs: &[nn_sweep::Job]| {
        let mut v: Vec<String> = jobs.iter().map(|j| j.id.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&a), ids(&b));
    // The id of a fixed configuration never changes between versions: finished jobs of a sweep made by an
    // older nn are found by a newer one. (SHA-256 of {"args":[...],"data":...,"folds":null}, first 8 bytes.)
    let id = nn_sweep::spec::job_id(
        "classification2.txt",
        None,
        &["--lr".into(), "0.1".into(), "--seed".into(), "1".into()],
    );
    assert_eq!(id, expected_id());
    assert_ne!(
        id,
        nn_sweep::spec::job_id(
            "classification2.txt",
            Some(5),
            &["--lr".into(), "0.1".into(), "--seed".into(), "1".into()]
        ),
        "cross-validation is another job"
    );
}

/// Computed independently: `python3 -c 'import hashlib,json; print(hashlib.sha256(json.dumps({"args":["--lr","0.1","--seed","1"],"data":"classification2.txt","folds":None},separators=(",",":")).encode()).hexdigest()[:16])'`.
fn expected_id() -> &'static str {
    "3f4ef6e08fa6fcaf"
}

#[test]
fn grids_lists_and_repeats() {
    let spec = parse(
        r#"
data = "d.csv"
[[grid]]
optimizer = ["gd"]
lr = [0.1, 1]
[[grid]]
optimizer = "adam"
lr = [0.001, 0.01]
[[list]]
optimizer = "gd"
lr = 0.1
[[list]]
optimizer = "momentum"
lr = 0.05
"#,
    )
    .unwrap();
    let points = spec.points();
    // 2 + 2 + 2 points, of which the first list point repeats a grid point.
    assert_eq!(points.len(), 5);
    assert_eq!(points[4]["optimizer"], Value::Text("momentum".into()));
    assert_eq!(points[1]["lr"], Value::Int(1));
    assert_eq!(spec.expand().len(), 5, "one default seed");
    assert_eq!(spec.seeds, [1]);
}

#[test]
fn random_draws_are_reproducible_from_the_seed_and_stay_in_range() {
    let text = |seed: u64| {
        format!(
            r#"
data = "d.csv"
[random]
draws = 40
seed = {seed}
lr = {{ log-uniform = [1e-4, 1e-1] }}
dropout = {{ uniform = [0.0, 0.5] }}
epochs = {{ int-uniform = [10, 20] }}
activation = ["relu", "tanh"]
"#
        )
    };
    let a = parse(&text(7)).unwrap().points();
    let b = parse(&text(7)).unwrap().points();
    let c = parse(&text(8)).unwrap().points();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(a.len(), 40);
    let mut decades = [0usize; 3];
    for p in &a {
        let lr = p["lr"].as_f64().unwrap();
        assert!((1e-4..=1e-1).contains(&lr), "{lr}");
        decades[((lr.log10() + 4.0).floor() as usize).min(2)] += 1;
        // Drawn reals keep 4 significant digits.
        assert!(
            p["lr"]
                .to_string()
                .trim_start_matches("0.")
                .trim_start_matches('0')
                .len()
                <= 5,
            "{}",
            p["lr"]
        );
        let d = p["dropout"].as_f64().unwrap();
        assert!((0.0..=0.5).contains(&d));
        let Value::Int(e) = p["epochs"] else {
            panic!("{:?}", p["epochs"])
        };
        assert!((10..=20).contains(&e));
        assert!(matches!(&p["activation"], Value::Text(s) if s == "relu" || s == "tanh"));
    }
    // Log-uniform: every decade drawn (a uniform draw would put ~90% in the top one).
    assert!(decades.iter().all(|&n| n >= 5), "{decades:?}");
}

#[test]
fn bad_specs_name_the_line_and_say_what_was_expected() {
    const D: &str = "data = \"d.csv\"\n";
    // (the spec after its data line, the line the error names if it names one, what it says)
    for (rest, line, needle) in [
        (
            "seed = 3\n[grid]\nlr = [0.1]\n",
            Some(2),
            "unknown field `seed`",
        ),
        (
            "[grid]\nlr = [0.1]\nseed = [1, 2]\n",
            Some(4),
            "seeds = [...]",
        ),
        ("[grid]\nlr = []\n", Some(3), "empty list"),
        ("[train]\nlr = 0.1\n", None, "search space is empty"),
        (
            "[train]\nlr = 0.1\n[grid]\nlr = [1, 2]\n",
            Some(3),
            "both fixed in [train] and swept (line 5)",
        ),
        (
            "[random]\nlr = { log-uniform = [0, 1] }\n",
            None,
            "draws = N",
        ),
        (
            "[random]\ndraws = 3\nlr = { log-uniform = [0, 1] }\n",
            Some(4),
            "LO > 0",
        ),
        (
            "[random]\ndraws = 3\nlr = { normal = [0, 1] }\n",
            None,
            "unknown distribution 'normal'",
        ),
        ("folds = 1\n[grid]\nlr = [1]\n", Some(2), "K ≥ 2"),
        (
            "[grid]\nlr = [1]\n[train]\nthreads = 2\n",
            Some(5),
            "--threads-per-job",
        ),
        ("[grid\nlr = [1]\n", Some(2), ""),
    ] {
        let e = error(&format!("{D}{rest}"));
        let at = line.map_or(String::new(), |n| format!("spec.toml:{n}:"));
        assert!(e.starts_with(&at) && e.contains(needle), "{rest:?}: {e}");
        assert_eq!(e.lines().count(), 1, "one line: {e}");
    }
    assert_contains(&error("[grid]\nlr = [1]\n"), "missing field `data`");
}

/// A search space of more jobs than one sweep runs is refused when the spec is read, before anything is
/// expanded: four lists of a hundred values would be 10⁸ points.
#[test]
fn a_space_too_large_to_expand_is_refused() {
    let values = (1..=100)
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        "data = \"d.txt\"\nseeds = [1, 2]\n[grid]\nepochs = [{values}]\nmomentum = [{values}]\nlr = [{values}]\nlambda = [{values}]\n"
    );
    let e = parse(&text).unwrap_err().to_string();
    assert_contains(
        &e,
        "the search space holds 200000000 jobs (points × seeds), more than the 100000",
    );
    let random = "data = \"d.txt\"\n[random]\ndraws = 9223372036854775807\nlr = { log-uniform = [0.001, 1.0] }\n";
    let e = parse(random).unwrap_err().to_string();
    assert_contains(
        &e,
        "holds 9223372036854775807 jobs (points × seeds), more than the 100000",
    );
}

/// Every seed the fuzzer kept (`fuzz/seeds/sweep_spec`, among them the crashes it found) parses to a spec or
/// an error, never a panic; a spec that parses expands into jobs with distinct ids. The same seed listed twice
/// (found by the fuzzer: two jobs with one id, so one folder) is refused.
#[test]
fn fuzz_seeds_replay_without_a_panic() {
    for (path, data) in seeds::seeds("sweep_spec", 5) {
        check::check(&data, &path);
    }
    let e = parse("data = \"d.txt\"\nseeds = [0, 1, 1]\n[grid]\nlr = [1]\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "spec.toml:2: seeds: 1 is listed twice; list each seed once"
    );
}

/// `1` and `1.0` in one list are the same argument, so the same job (found by the fuzzer: two jobs with one
/// id): the point is kept once.
#[test]
fn values_that_give_the_same_arguments_are_one_point() {
    let spec = parse("data = \"d.txt\"\n[grid]\nlr = [1, 1.0, 0.5]\n").unwrap();
    let jobs = spec.expand();
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    assert_ne!(jobs[0].id, jobs[1].id);
}
