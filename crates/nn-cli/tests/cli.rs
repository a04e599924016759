//! The real `nn` binary: every subcommand's success path (bad input: `bad_input.rs`).

use crate::common;
use common::{
    assert_clean_failure, assert_contains, blobs, inspect, nn, nn_in, scratch, stderr, train_on,
};
use std::path::Path;

#[test]
fn every_subcommand_has_examples_in_its_help() {
    // Every subcommand `nn --help` lists, so that a new one is covered without editing this test.
    let top = nn().arg("--help").output().unwrap();
    let top = String::from_utf8_lossy(&top.stdout).into_owned();
    let subs: Vec<&str> = (top.lines())
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A name is indented by two spaces; a wrapped description, by more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|&s| s != "help")
        .collect();
    assert_eq!(subs.len(), 9, "{top}");
    for sub in subs {
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

/// The blobs in `dir` and a momentum run on them for `epochs`, saved as `out` (or resumed from `resume`).
fn train_blobs(dir: &Path, epochs: usize, out: &str, resume: Option<&str>) {
    let settings = match resume {
        Some(r) => format!("--resume {r}"),
        None => "--hidden 4 --lr 0.5 --optimizer momentum --batch-size 16 --split 0.6,0.2 --seed 3"
            .into(),
    };
    let line = format!("train --data blobs.txt --epochs {epochs} --quiet --out {out} {settings}");
    let o = nn_in(dir, &line);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn train_and_exact_resume_then_inspect() {
    let dir = scratch("flow");
    blobs(&dir);
    train_blobs(&dir, 40, "m.nnm", None);
    train_blobs(&dir, 20, "half.nnm", None);
    train_blobs(&dir, 40, "resumed.nnm", Some("half.nnm"));
    assert_eq!(
        std::fs::read(dir.join("m.nnm")).unwrap(),
        std::fs::read(dir.join("resumed.nnm")).unwrap(),
        "resume gives the same bytes"
    );
    let out = nn_in(&dir, "inspect --json m.nnm");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["training"]["run"]["seed"], 3);
    assert_eq!(v["resumable_from_epoch"], 40);
    assert_eq!(
        v["state"],
        "finished after 40 epochs (resumable to more epochs)"
    );
    assert_eq!(v["architecture"]["hidden"], serde_json::json!([4]));
    let text = inspect(&dir.join("m.nnm"));
    assert_contains(&text, "2-4-1");
    assert_contains(&text, "selection val-loss");
}

#[test]
fn eval_and_predict_report_on_a_trained_model() {
    let dir = scratch("eval-predict");
    blobs(&dir);
    train_blobs(&dir, 40, "m.nnm", None);
    let out = nn_in(&dir, "eval --json --model m.nnm --data blobs.txt");
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["cost", "accuracy", "correct", "total"] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["total"], 80);
    assert!(v["accuracy"].as_f64().unwrap() > 0.7, "{v}");
    // The classification report agrees with the counts; two classes get a ROC AUC that beats chance.
    let report = &v["report"];
    assert_eq!(report["classes"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(report["macro_avg"]["support"], 80);
    assert_eq!(report["accuracy"], v["accuracy"]);
    let auc = v["roc_auc"].as_f64().unwrap();
    assert!(auc > 0.7 && auc <= 1.0, "{v}");
    let text = nn_in(&dir, "eval --model m.nnm --data blobs.txt");
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in [
        "/80; 95% Wilson interval",
        "true\\pred",
        "ROC AUC",
        "weighted avg",
    ] {
        assert_contains(&text, needle);
    }
    let out = nn_in(&dir, "predict --proba --model m.nnm --data blobs.txt");
    let csv = String::from_utf8_lossy(&out.stdout);
    assert_eq!(csv.lines().next(), Some("row,predicted,p_0,p_1"));
    assert_eq!(csv.lines().count(), 81);
    // Features alone (no label column) work too.
    let features: String = std::fs::read_to_string(dir.join("blobs.txt"))
        .unwrap()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    std::fs::write(dir.join("x.txt"), features).unwrap();
    let out = nn_in(&dir, "predict --model m.nnm --data x.txt");
    let classes = |text: &str| -> Vec<String> {
        let rows = text.lines().skip(1);
        rows.map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(
        classes(&String::from_utf8_lossy(&out.stdout)),
        classes(&csv)
    );
}

#[test]
fn train_writes_metrics_and_plots() {
    let dir = scratch("plots");
    blobs(&dir);
    let train = "train --quiet --epochs 30 --data blobs.txt --split 0.7,0.1 --out m.nnm --metrics m.csv --plots plots";
    let out = nn_in(&dir, train);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("m.csv"))
            .unwrap()
            .lines()
            .count(),
        31
    );
    for plot in ["curves.svg", "boundary.svg", "confusion.svg", "roc.svg"] {
        let svg = std::fs::read_to_string(dir.join("plots").join(plot)).unwrap();
        assert!(svg.starts_with("<svg") && svg.len() > 1000, "{plot}");
    }
    // Per-class precision, recall and F1 of every part and epoch: their mean is the macro-F1 column, and the
    // weighted F1 lies between the classes' F1. A resumed run has them for its own epochs only.
    let resume =
        "train --quiet --epochs 40 --data blobs.txt --resume m.nnm --out m.nnm --metrics m40.csv";
    let resumed = nn_in(&dir, resume);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    for (file, first_with_classes) in [("m.csv", 1), ("m40.csv", 31)] {
        let csv = std::fs::read_to_string(dir.join(file)).unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .unwrap_or_else(|| panic!("{name}"))
        };
        for row in lines {
            let cells: Vec<&str> = row.split(',').collect();
            assert_eq!(cells.len(), header.len(), "{row}");
            let epoch: usize = cells[0].parse().unwrap();
            for part in ["train", "val", "test"] {
                let f1 = |c: &str| cells[col(&format!("{part}_f1_{c}"))].parse::<f64>();
                if epoch < first_with_classes {
                    assert!(
                        f1("0").is_err() && cells[col(&format!("{part}_weighted_f1"))].is_empty(),
                        "{file} {row}"
                    );
                    continue;
                }
                let (f0, f1v) = (f1("0").unwrap(), f1("1").unwrap());
                let macro_f1: f64 = cells[col(&format!("{part}_f1"))].parse().unwrap();
                assert!(
                    ((f0 + f1v) / 2.0 - macro_f1).abs() < 1e-12,
                    "{file} {part} {row}"
                );
                let weighted: f64 = cells[col(&format!("{part}_weighted_f1"))].parse().unwrap();
                assert!(weighted >= f0.min(f1v) - 1e-12 && weighted <= f0.max(f1v) + 1e-12);
                for score in ["precision", "recall"] {
                    let v: f64 = cells[col(&format!("{part}_{score}_1"))].parse().unwrap();
                    assert!((0.0..=1.0).contains(&v));
                }
            }
        }
    }
}

/// One writer per model file: while a process holds `--out`'s lock, `nn train --out` with the same file is
/// refused at once, naming the file and the holder's pid; once the holder is gone, a run takes the file and
/// removes the temporary files a killed writer left, and leaves no lock file behind.
#[test]
fn a_second_writer_of_one_model_file_is_refused() {
    let dir = scratch("one-writer");
    let data = blobs(&dir);
    let model = dir.join("m.nnm");
    let train = || {
        nn().args(["train", "--data"])
            .arg(&data)
            .args(["--epochs", "5", "-q", "--out"])
            .arg(&model)
            .output()
            .unwrap()
    };
    let held = nn_train::OutputLock::acquire(&model).unwrap();
    assert_clean_failure(
        &train(),
        &format!(
            "{} is being written by another process (pid {})",
            model.display(),
            std::process::id()
        ),
    );
    assert!(!model.exists(), "the refused run wrote nothing");
    drop(held);
    let stale = dir.join(".m.nnm.tmp-4194304");
    std::fs::write(&stale, b"half a model").unwrap();
    let out = train();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(model.is_file());
    assert!(
        !stale.exists(),
        "a killed writer's temporary file is removed"
    );
    assert!(!dir.join(".m.nnm.lock").exists(), "no lock file is left");
}

/// Through the binary: `--threads 2` writes the same model file as `--threads 1`, and a run stopped halfway
/// and resumed writes the same file as one run, with dropout and shifts on mini-batches, and with L-BFGS.
#[test]
fn thread_counts_and_resumes_give_the_same_bytes_through_the_binary() {
    let dir = scratch("threads-resume");
    let data = blobs(&dir);
    let train = |name: &str, epochs: &str, flags: &[&str], more: &[&str]| {
        let out = nn()
            .args(["train", "--data"])
            .arg(&data)
            .args(flags)
            .args(["--epochs", epochs, "-q", "--out"])
            .arg(dir.join(name))
            .args(more)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        std::fs::read(dir.join(name)).unwrap()
    };
    let minibatch: &[&str] = &[
        "--hidden",
        "8",
        "--optimizer",
        "adam",
        "--batch-size",
        "16",
        "--dropout",
        "0.2",
        "--shift",
        "1",
        "--image",
        "1x2",
    ];
    let lbfgs: &[&str] = &["--hidden", "4", "--optimizer", "lbfgs"];
    for (label, flags) in [("minibatch", minibatch), ("lbfgs", lbfgs)] {
        let one = train(&format!("{label}-1.nnm"), "30", flags, &["--threads", "1"]);
        let two = train(&format!("{label}-2.nnm"), "30", flags, &["--threads", "2"]);
        assert!(one == two, "{label}: --threads 2 differs from --threads 1");
        // Stopped at epoch 10, before L-BFGS meets its tolerance (at epoch 14 on these blobs): a run cut short.
        let half = format!("{label}-half.nnm");
        train(&half, "10", flags, &[]);
        let resumed = train(
            &format!("{label}-resumed.nnm"),
            "30",
            flags,
            &["--resume", dir.join(&half).to_str().unwrap()],
        );
        assert!(
            one == resumed,
            "{label}: the resumed run differs from one run"
        );
    }
}

/// The progress lines name the epoch selected so far (the facade passes `NewBest` on without its weights).
#[test]
fn progress_lines_name_the_best_epoch_so_far() {
    let dir = scratch("progress-best");
    let data = blobs(&dir);
    let out = train_on(
        &data,
        &dir.join("m.nnm"),
        &["--epochs", "30", "--log-every", "10"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let best: Vec<usize> = err
        .lines()
        .filter_map(|l| l.split("best epoch ").nth(1))
        .map(|n| n.trim().parse().unwrap())
        .collect();
    assert_eq!(best.len(), 4, "{err}");
    assert!(best.iter().skip(1).all(|&b| b > 0), "{err}");
}

/// Every command that reads a model takes it as `--model M`; `nn inspect M` and `nn export M`, the older form,
/// still work, giving both is refused, and giving neither names `--model`.
#[test]
fn a_model_is_given_with_model_everywhere() {
    let dir = scratch("model-flag");
    let model = dir.join("m.nnm");
    assert!(
        train_on(&blobs(&dir), &model, &["--epochs", "2"])
            .status
            .success()
    );
    let out = |args: &[&str], model: Option<&Path>| {
        let mut cmd = nn();
        cmd.current_dir(&dir).args(args);
        if let Some(m) = model {
            cmd.arg(m);
        }
        cmd.output().unwrap()
    };
    let by_flag = out(&["inspect", "--model"], Some(&model));
    let by_position = out(&["inspect"], Some(&model));
    assert!(by_flag.status.success(), "{}", stderr(&by_flag));
    assert_eq!(by_flag.stdout, by_position.stdout);
    let m = model.to_str().unwrap();
    let both = out(&["inspect", "--model", m], Some(&model));
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
    let neither = out(&["export", "--format", "onnx", "--out", "x.onnx"], None);
    assert_eq!(neither.status.code(), Some(2));
    assert!(
        stderr(&neither).contains("--model <MODEL>"),
        "{}",
        stderr(&neither)
    );
    assert!(!dir.join("x.onnx").exists());
    let exported = out(
        &["export", "--format", "onnx", "--out", "x.onnx", "--model"],
        Some(&model),
    );
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(dir.join("x.onnx").exists());
}

/// With no flag, a classification trains on every training row and the training loss selects (scikit-learn's
/// rule); a run cut short by its epoch limit while that loss still falls says so. A split given keeps a
/// validation part, and its loss selects.
#[test]
fn a_classification_trains_by_scikit_learns_rule_unless_a_split_is_given() {
    let dir = scratch("default-rule");
    blobs(&dir);
    let out = nn_in(&dir, "train --epochs 3 --data blobs.txt --out m.nnm");
    let (err, said) = (stderr(&out), String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success(), "{err}");
    assert!(said.contains("selected epoch 3 by train-loss"), "{said}");
    let rule = "selection: train-loss, stopping after 11 epochs without a fall of 0.0001; \
                split 0.8/0/0.2 (a classification's default; --split and --select change it)";
    assert!(err.contains(rule), "{err}");
    assert!(
        err.contains(
            "note: the training loss was still falling when the run reached its last epoch"
        ),
        "{err}"
    );
    let inspect = nn_in(&dir, "inspect m.nnm");
    let shown = String::from_utf8_lossy(&inspect.stdout);
    assert!(shown.contains("split train 0.8 / validation 0"), "{shown}");
    let out = nn_in(
        &dir,
        "train --epochs 3 --data blobs.txt --split 0.7,0.1 --out v.nnm",
    );
    let (err, said) = (stderr(&out), String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success(), "{err}");
    assert!(said.contains("by val-loss"), "{said}");
    assert!(!err.contains("selection: "), "{err}");
    assert!(
        err.contains("the validation loss was still falling"),
        "{err}"
    );
}
