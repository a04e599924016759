//! The real `nn` binary: every subcommand's success path, and bad input exiting non-zero with one line and no
//! panic.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn nn() -> Command {
    Command::cargo_bin("nn").unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nn-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Two overlapping blobs, 80 rows of `x1,x2,label`.
fn blobs(dir: &Path) -> PathBuf {
    let mut s = String::new();
    for i in 0..80 {
        let c = i % 2;
        let sign = if c == 1 { 1.0 } else { -1.0 };
        let k = i as f64;
        s.push_str(&format!(
            "{:.5},{:.5},{c}\n",
            sign * 0.8 + 0.7 * (k * 1.7).sin(),
            sign * 0.5 + 0.7 * (k * 2.3).cos()
        ));
    }
    let path = dir.join("blobs.txt");
    std::fs::write(&path, s).unwrap();
    path
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A failure is one `error:` line (plus nothing), exit code 1, never a panic (101).
fn assert_clean_failure(out: &std::process::Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: ") && err.contains(needle),
        "'{needle}' not in: {err}"
    );
    assert!(
        !err.contains("panicked")
            && !err.contains("RUST_BACKTRACE")
            && err.trim().lines().count() == 1,
        "{err}"
    );
}

#[test]
fn every_subcommand_has_examples_in_its_help() {
    for sub in ["train", "eval", "predict", "gradcheck", "inspect"] {
        let out = nn().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Examples:") && text.contains(&format!("nn {sub}")),
            "{sub}: {text}"
        );
    }
}

#[test]
fn gradcheck_passes_and_fails_by_tolerance() {
    let out = nn().args(["gradcheck", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pass"], true);
    assert_eq!(v["layers"].as_array().unwrap().len(), 4);
    assert!(v["max_abs_diff"].as_f64().unwrap() < 1e-9);
    let out = nn()
        .args([
            "gradcheck",
            "--hidden",
            "3",
            "--output",
            "softmax",
            "--lambda",
            "0.5",
        ])
        .output()
        .unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("PASS"));
    let out = nn()
        .args(["gradcheck", "--tolerance", "1e-30"])
        .output()
        .unwrap();
    assert_clean_failure(&out, "gradient check failed");
}

#[test]
fn train_eval_predict_inspect_and_exact_resume() {
    let dir = scratch("flow");
    let data = blobs(&dir);
    let model = dir.join("m.nnm");
    let train = |epochs: &str, out: &Path, resume: Option<&Path>| {
        let mut cmd = nn();
        cmd.arg("train")
            .arg("--data")
            .arg(&data)
            .args(["--epochs", epochs, "--quiet", "--out"])
            .arg(out);
        match resume {
            Some(r) => cmd.arg("--resume").arg(r),
            None => cmd.args([
                "--hidden",
                "4",
                "--lr",
                "0.5",
                "--optimizer",
                "momentum",
                "--batch-size",
                "16",
                "--split",
                "0.6,0.2",
                "--seed",
                "3",
            ]),
        };
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    train("40", &model, None);
    train("20", &dir.join("half.nnm"), None);
    train("40", &dir.join("resumed.nnm"), Some(&dir.join("half.nnm")));
    assert_eq!(
        std::fs::read(&model).unwrap(),
        std::fs::read(dir.join("resumed.nnm")).unwrap(),
        "resume gives the same bytes"
    );

    let out = nn()
        .args(["eval", "--json", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["cost", "accuracy", "correct", "total"] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["total"], 80);
    assert!(v["accuracy"].as_f64().unwrap() > 0.7, "{v}");
    let text = nn()
        .args(["eval", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("/80; 95% Wilson interval") && text.contains("true\\pred"),
        "{text}"
    );

    let out = nn()
        .args(["predict", "--proba", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert_eq!(csv.lines().next(), Some("row,predicted,p_0,p_1"));
    assert_eq!(csv.lines().count(), 81);
    // Features alone (no label column) work too.
    let features: String = std::fs::read_to_string(&data)
        .unwrap()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    std::fs::write(dir.join("x.txt"), features).unwrap();
    let out = nn()
        .args(["predict", "--model"])
        .arg(&model)
        .arg("--data")
        .arg(dir.join("x.txt"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .skip(1)
            .collect::<Vec<_>>(),
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
    );

    let out = nn()
        .args(["inspect", "--json"])
        .arg(&model)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["training"]["run"]["seed"], 3);
    assert_eq!(v["resumable_from_epoch"], 40);
    assert_eq!(
        v["state"],
        "finished after 40 epochs (resumable to more epochs)"
    );
    assert_eq!(v["architecture"]["hidden"], serde_json::json!([4]));
    let text = String::from_utf8_lossy(&nn().arg("inspect").arg(&model).output().unwrap().stdout)
        .into_owned();
    assert!(
        text.contains("2-4-1") && text.contains("selection val-loss"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn train_writes_metrics_and_plots() {
    let dir = scratch("plots");
    let data = blobs(&dir);
    let out = nn()
        .args(["train", "--quiet", "--epochs", "30", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(dir.join("m.nnm"))
        .arg("--metrics")
        .arg(dir.join("m.csv"))
        .arg("--plots")
        .arg(dir.join("plots"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("m.csv"))
            .unwrap()
            .lines()
            .count(),
        31
    );
    for plot in ["curves.svg", "boundary.svg", "confusion.svg"] {
        let svg = std::fs::read_to_string(dir.join("plots").join(plot)).unwrap();
        assert!(svg.starts_with("<svg") && svg.len() > 1000, "{plot}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_fails_cleanly() {
    let dir = scratch("bad");
    let data = blobs(&dir);
    let model = dir.join("m.nnm");
    std::fs::write(dir.join("header.txt"), "x1,x2,label\n1,2,0\n").unwrap();
    std::fs::write(dir.join("ragged.txt"), "1,2,0\n1,1\n").unwrap();
    std::fs::write(dir.join("garbage.nnm"), "not a model").unwrap();
    let run = |args: &[&str]| nn().current_dir(&dir).args(args).output().unwrap();
    assert_clean_failure(
        &run(&["train", "--data", "header.txt", "--out", "m.nnm"]),
        "header.txt:1:1",
    );
    assert_clean_failure(
        &run(&["train", "--data", "ragged.txt", "--out", "m.nnm"]),
        "ragged.txt:2: row has 2 columns, expected 3",
    );
    assert_clean_failure(
        &run(&["train", "--data", "absent.txt", "--out", "m.nnm"]),
        "absent.txt not found",
    );
    assert_clean_failure(
        &run(&[
            "train",
            "--data",
            "blobs.txt",
            "--lr",
            "-1",
            "--out",
            "m.nnm",
            "-q",
        ]),
        "lr = -1.0",
    );
    assert_clean_failure(
        &run(&[
            "train",
            "--data",
            "blobs.txt",
            "--hidden",
            "4,0",
            "--out",
            "m.nnm",
            "-q",
        ]),
        "--hidden: '0'",
    );
    assert_clean_failure(
        &run(&["train", "--data", "blobs.txt", "--out", "no/such/dir/m.nnm"]),
        "does not exist",
    );
    assert_clean_failure(
        &run(&["eval", "--model", "garbage.nnm", "--data", "blobs.txt"]),
        "not an nn checkpoint",
    );
    assert_clean_failure(&run(&["inspect", "nothing.nnm"]), "nothing.nnm");
    // A resume that asks for no more epochs than were run, or another dataset.
    let o = nn()
        .arg("train")
        .arg("--data")
        .arg(&data)
        .args(["--epochs", "5", "-q", "--out"])
        .arg(&model)
        .output()
        .unwrap();
    assert!(o.status.success());
    // `nn train --data DATA --resume m.nnm --epochs EPOCHS --out m2.nnm -q`, with more flags.
    let resume_on = |data: &str, epochs: &str, more: &[&str]| {
        let mut args = vec![
            "train", "--data", data, "--resume", "m.nnm", "--epochs", epochs, "--out", "m2.nnm",
            "-q",
        ];
        args.extend_from_slice(more);
        run(&args)
    };
    let resume = |more: &[&str]| resume_on("blobs.txt", "9", more);
    assert_clean_failure(
        &resume_on("blobs.txt", "5", &[]),
        // The error names the file given to --resume, not --out.
        "m.nnm: cannot resume: it has already run 5 epochs",
    );
    std::fs::write(
        dir.join("other.txt"),
        "1,2,0\n2,1,1\n3,3,0\n4,1,1\n5,5,0\n1,6,1\n",
    )
    .unwrap();
    assert_clean_failure(
        &resume_on("other.txt", "9", &[]),
        "m.nnm: cannot resume: it was trained on other data",
    );
    // A flag whose value differs from the saved run's is refused, naming the flag and both values; the
    // same value, or leaving the flag out, is fine.
    for (flag, value, saved) in [
        ("--lr", "0.9", "0.1"),
        ("--hidden", "8", "4"),
        ("--lambda", "1", "0"),
        ("--seed", "7", "0"),
        ("--split", "0.8", "0.7,0.15"),
        ("--optimizer", "adam", "gd"),
        ("--precision", "f32", "f64"),
        ("--labels", "one-based", "zero-based"),
    ] {
        let out = resume(&[flag, value]);
        assert_clean_failure(&out, &format!("m.nnm: cannot resume: {flag} is "));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("trained with {saved}")),
            "{flag}: {err}"
        );
    }
    let o = resume(&[
        "--lr",
        "0.1",
        "--hidden",
        "4",
        "--threads",
        "2",
        "--save-every",
        "1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Model paths mean exactly the path given: never looked up in the data directories.
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy(&model, dir.join("data/only-in-data.nnm")).unwrap();
    assert_clean_failure(&run(&["inspect", "only-in-data.nnm"]), "only-in-data.nnm");
    assert_clean_failure(
        &run(&["eval", "--model", "only-in-data.nnm", "--data", "blobs.txt"]),
        "only-in-data.nnm: No such file",
    );
    assert_clean_failure(
        &run(&[
            "train",
            "--data",
            "blobs.txt",
            "--resume",
            "only-in-data.nnm",
            "--epochs",
            "9",
            "--out",
            "m3.nnm",
        ]),
        "only-in-data.nnm: No such file",
    );
    // Sizes beyond the limits are errors before anything is allocated.
    assert_clean_failure(
        &run(&[
            "train",
            "--data",
            "blobs.txt",
            "--hidden",
            "100000000",
            "--out",
            "big.nnm",
            "-q",
        ]),
        "more than the limit of 1048576",
    );
    assert_clean_failure(
        &run(&[
            "train",
            "--data",
            "blobs.txt",
            "--hidden",
            "5000,5000",
            "--out",
            "big.nnm",
            "-q",
        ]),
        "trainable parameters, more than the limit of 16777216",
    );
    assert_clean_failure(
        &run(&[
            "train",
            "--data",
            "blobs.txt",
            "--hidden",
            "3000,3000",
            "--optimizer",
            "adam",
            "--epochs",
            "100",
            "--out",
            "big.nnm",
            "-q",
        ]),
        "over the 268435456-byte limit",
    );
    assert!(!dir.join("big.nnm").exists());
    // A run that diverges: the error says so, the file keeps the last good selection and says it diverged,
    // and it cannot be resumed.
    assert_clean_failure(
        &run(&[
            "train",
            "--data",
            "blobs.txt",
            "--lr",
            "1e308",
            "--epochs",
            "60",
            "--out",
            "d.nnm",
            "-q",
        ]),
        "diverged at epoch",
    );
    let text = String::from_utf8_lossy(&run(&["inspect", "d.nnm"]).stdout).into_owned();
    assert!(
        text.contains("state        stopped: diverged at epoch"),
        "{text}"
    );
    assert_clean_failure(
        &run(&[
            "train",
            "--data",
            "blobs.txt",
            "--resume",
            "d.nnm",
            "--epochs",
            "90",
            "--out",
            "d2.nnm",
            "-q",
        ]),
        "d.nnm: cannot resume: its training diverged at epoch",
    );
    // Usage errors are clap's: exit 2.
    assert_eq!(run(&["train"]).status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}
