//! The real `nn` binary with its training options: per-optimiser defaults, cross-validation, initialisation,
//! dropout, L-BFGS and image shifts, each recorded in the model and refused where it does not fit.

use crate::common;
use common::{
    assert_clean_failure, assert_contains, blobs, inspect, nn, nn_in, scratch, stderr, train_on,
};
use std::path::Path;

/// Without --lr each optimiser trains at its customary rate and says so; Adam's β₁, β₂ and ε are settable.
#[test]
fn default_rate_per_optimizer_and_adam_settings() {
    let dir = scratch("rates");
    let data = blobs(&dir);
    for (optimizer, rate) in [("gd", "0.1"), ("momentum", "0.1"), ("adam", "0.001")] {
        let out = nn()
            .args(["train", "--epochs", "3", "--optimizer", optimizer, "--data"])
            .arg(&data)
            .arg("--out")
            .arg(dir.join(format!("{optimizer}.nnm")))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("learning rate: {rate} ({optimizer}'s default")),
            "{}",
            stderr(&out)
        );
    }
    // A given rate is used silently; other Adam settings train another model.
    let run = |extra: &[&str], name: &str| {
        let out = nn()
            .args([
                "train",
                "--epochs",
                "20",
                "--optimizer",
                "adam",
                "--lr",
                "0.01",
                "-q",
            ])
            .args(extra)
            .arg("--data")
            .arg(&data)
            .arg("--out")
            .arg(dir.join(name))
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{}",
            stderr(&out)
        );
        std::fs::read(dir.join(name)).unwrap()
    };
    let defaults = run(&[], "a.nnm");
    assert_eq!(
        defaults,
        run(
            &[
                "--beta1",
                "0.9",
                "--beta2",
                "0.999",
                "--adam-epsilon",
                "1e-8"
            ],
            "b.nnm"
        )
    );
    assert_ne!(
        defaults,
        run(&["--beta1", "0.5", "--beta2", "0.99"], "c.nnm")
    );
}

#[test]
fn cross_validation_prints_every_fold_and_the_mean_and_refuses_bad_k() {
    let dir = scratch("cv");
    let data = blobs(&dir);
    let cv = |more: &[&str]| {
        nn().arg("cv")
            .arg("--data")
            .arg(&data)
            .args(["--hidden", "3", "--epochs", "40", "--lr", "0.5"])
            .args(more)
            .output()
            .unwrap()
    };
    let out = cv(&["--folds", "4", "--stratify", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let folds = v["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 4);
    assert_eq!(
        folds
            .iter()
            .map(|f| f["test_rows"].as_u64().unwrap())
            .sum::<u64>(),
        80
    );
    let mean = v["mean"]["accuracy"].as_f64().unwrap();
    let by_hand = folds
        .iter()
        .map(|f| f["accuracy"].as_f64().unwrap())
        .sum::<f64>()
        / 4.0;
    assert!((mean - by_hand).abs() < 1e-12 && mean > 0.7, "{v}");
    assert!(v["mean"]["roc_auc"].as_f64().unwrap() > 0.7);
    // Any thread count gives the same folds.
    let again = cv(&["--folds", "4", "--stratify", "--json", "--threads", "1"]);
    assert_eq!(again.stdout, out.stdout);
    let text = cv(&["--folds", "3"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert_contains(&text, "3-fold cross-validation of 2-3-1");
    assert_contains(&text, "accuracy     ");

    assert_clean_failure(
        &cv(&["--folds", "1"]),
        "1 folds: cross-validation needs at least 2",
    );
    assert_clean_failure(
        &cv(&["--folds", "41", "--stratify"]),
        "41 stratified folds, but class 0 has only 40 samples",
    );
    assert_clean_failure(&cv(&["--out", "m.nnm"]), "nn cv does not take --out");
}

#[test]
fn init_is_xavier_by_default_or_chosen_by_flag_and_resume_keeps_it() {
    let dir = scratch("init");
    let data = blobs(&dir);
    let run = |args: &[&str]| nn().current_dir(&dir).args(args).output().unwrap();
    let train = |more: &[&str], out: &str| {
        let mut args = vec!["train", "--data"];
        let d = data.to_str().unwrap();
        args.push(d);
        args.extend(["--hidden", "5", "--epochs", "6", "-q", "--out", out]);
        args.extend(more);
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(dir.join(out)).unwrap()
    };
    let inspect = |model: &str| String::from_utf8(run(&["inspect", model]).stdout).unwrap();
    let default = train(&[], "default.nnm");
    assert!(inspect("default.nnm").contains("init xavier-uniform-biases"));
    // Naming the default changes no bit of the model's weights.
    train(&["--init", "xavier-uniform-biases"], "named.nnm");
    let w = |f: &str| {
        let c = nn_train::ModelFile::load(&dir.join(f)).unwrap();
        c.network.layers()[0].weights.to_row_major()
    };
    assert_eq!(w("default.nnm"), w("named.nnm"));
    assert!(!default.is_empty());
    train(&["--init", "he-normal"], "he.nnm");
    assert!(inspect("he.nnm").contains("init he-normal"));
    assert_ne!(w("default.nnm"), w("he.nnm"));
    train(&["--activation", "sigmoid"], "sigmoid.nnm");
    assert!(inspect("sigmoid.nnm").contains("init xavier-uniform-biases"));
    // The report's rule, with biases starting at 0, is a different run.
    train(&["--init", "xavier-uniform"], "zero.nnm");
    assert!(inspect("zero.nnm").contains("init xavier-uniform,"));
    assert_ne!(w("default.nnm"), w("zero.nnm"));
    assert_clean_failure(
        &run(&[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--resume",
            "he.nnm",
            "--init",
            "xavier-normal",
            "--epochs",
            "9",
            "--out",
            "r.nnm",
        ]),
        "--init is xavier-normal, but the run was trained with he-normal",
    );
    let bad = run(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--init",
        "glorot",
        "--out",
        "x.nnm",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains(
            "xavier-uniform-biases, xavier-uniform, xavier-normal, he-uniform, he-normal"
        )
    );
}

/// Dropout and L-BFGS from the command line: the model records them, `--resume` keeps them, L-BFGS stops on
/// convergence and says so, and bad values are one-line errors naming the value.
#[test]
fn dropout_and_lbfgs_train_record_and_refuse_bad_values() {
    let dir = scratch("modern");
    blobs(&dir);
    let train = |line: &str| nn_in(&dir, &format!("train --data blobs.txt {line}"));
    let dropout = "--hidden 8 --activation relu --optimizer adam --batch-size 16 -q";
    let out = train(&format!(
        "{dropout} --dropout 0.3 --epochs 20 --out drop.nnm"
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_contains(&inspect(&dir.join("drop.nnm")), "dropout 0.3");
    let changed = train(&format!(
        "{dropout} --dropout 0.5 --epochs 25 --resume drop.nnm --out d2.nnm"
    ));
    assert_clean_failure(&changed, "--dropout");
    let lbfgs =
        "--hidden 4 --optimizer lbfgs --tolerance 1e-3 --epochs 5000 --split 1 --select last";
    let out = train(&format!("{lbfgs} --out lbfgs.nnm"));
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_contains(&err, "learning rate: 1 (lbfgs's default");
    assert_contains(
        &err,
        "L-BFGS converged: the gradient is within the tolerance",
    );
    for (flags, needle) in [
        (
            "--optimizer lbfgs --batch-size 8",
            "batch_size = 8: L-BFGS trains on the full batch",
        ),
        (
            "--optimizer lbfgs --lbfgs-history 0",
            "history = 0: must be at least 1",
        ),
        ("--dropout 1", "dropout = 1.0: must be in [0, 1)"),
        ("--dropout -0.1", "dropout = -0.1"),
    ] {
        assert_clean_failure(&train(&format!("{flags} -q --out x.nnm")), needle);
    }
}

/// 4×4 "images" of a bar: a horizontal bar (class 0) or a vertical one (class 1) at a varying position,
/// 60 rows of 16 pixels and a label.
fn bars(dir: &Path) -> std::path::PathBuf {
    let mut s = String::new();
    for i in 0..60 {
        let (class, at) = (i % 2, (i / 2) % 4);
        let pixels: Vec<String> = (0..16)
            .map(|p| {
                let (r, c) = (p / 4, p % 4);
                let on = if class == 0 { r == at } else { c == at };
                if on { "1" } else { "0" }.to_string()
            })
            .collect();
        s.push_str(&format!("{},{class}\n", pixels.join(",")));
    }
    let path = dir.join("bars.txt");
    std::fs::write(&path, s).unwrap();
    path
}

/// `--shift` from the command line: the model records it (`nn inspect` says so), `--resume` refuses another
/// value, and every bad size is a one-line error naming it.
#[test]
fn image_shifts_train_record_and_refuse_bad_sizes() {
    let dir = scratch("shift");
    let data = bars(&dir);
    let base = ["--hidden", "8", "--optimizer", "adam", "--batch-size", "10"];
    let train =
        |extra: &[&str], name: &str| train_on(&data, &dir.join(name), &[&base, extra].concat());
    let out = train(&["--shift", "1", "--epochs", "10", "-q"], "shift.nnm");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = inspect(&dir.join("shift.nnm"));
    assert!(text.contains("±1 px shifts of 4x4 images"), "{text}");
    // The same run to 15 epochs, in one go and through a resume: the same bytes.
    let resume = dir.join("shift.nnm");
    let more = ["--shift", "1", "--epochs", "15", "-q"];
    let out = train(
        &[&more[..], &["--resume", resume.to_str().unwrap()]].concat(),
        "r.nnm",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(train(&more, "straight.nnm").status.success());
    assert_eq!(
        std::fs::read(dir.join("r.nnm")).unwrap(),
        std::fs::read(dir.join("straight.nnm")).unwrap(),
        "a resumed run with shifts is the uninterrupted one"
    );
    // Resuming with other shifts is refused, naming the flag and both values.
    let resume_with = |flags: &[&str]| {
        let rest = ["--epochs", "20", "--resume", resume.to_str().unwrap(), "-q"];
        train(&[flags, &rest].concat(), "x.nnm")
    };
    assert_clean_failure(
        &resume_with(&["--shift", "2"]),
        "--shift is 2, but the run was trained with 1",
    );
    assert_clean_failure(
        &resume_with(&["--shift", "1", "--image", "8x2"]),
        "--image is 8x2, but the run was trained with 4x4",
    );

    // A rectangle given by --image.
    let out = train(
        &["--shift", "1", "--image", "2x8", "--epochs", "3", "-q"],
        "rect.nnm",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for (flags, needle) in [
        (&["--shift", "0"][..], "shift = 0: must be at least 1 pixel"),
        (
            &["--shift", "4"],
            "shift = 4: must be less than the 4x4 image's larger side",
        ),
        (&["--shift", "1", "--image", "3x3"], "there are 16 features"),
    ] {
        assert_clean_failure(&train(&[flags, &["-q"]].concat(), "x.nnm"), needle);
    }
    common::assert_usage_error(
        &train(&["--shift", "1", "--image", "3by3", "-q"], "x.nnm"),
        "'3by3' for '--image <HxW>': '3by3': give the image size as HEIGHTxWIDTH",
    );
    assert_clean_failure(
        &nn_in(
            &dir,
            "train --data bars.txt --optimizer lbfgs --shift 1 -q --out x.nnm",
        ),
        "shifted images change it at every step",
    );
    blobs(&dir);
    assert_clean_failure(
        &nn_in(&dir, "train --data blobs.txt --shift 1 -q --out x.nnm"),
        "--shift 1: the 2 features are not a square image; give its size with --image HEIGHTxWIDTH",
    );
    let out = train(&["--image", "4x4"], "x.nnm");
    assert_eq!(out.status.code(), Some(2), "clap: --image needs --shift");
}

/// An L-BFGS run that meets its gradient tolerance is reported as converged, not as stopped by patience.
#[test]
fn a_converged_lbfgs_run_says_so() {
    let dir = scratch("lbfgs-converged");
    let data = blobs(&dir);
    let model = dir.join("m.nnm");
    let out = nn()
        .args(["train", "--data"])
        .arg(&data)
        .args([
            "--hidden",
            "2",
            "--optimizer",
            "lbfgs",
            "--tolerance",
            "1e-2",
        ])
        .args(["--epochs", "500", "-q", "--out"])
        .arg(&model)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = inspect(&model);
    assert!(
        shown.contains("converged before epoch 500 (L-BFGS's stopping test)")
            && !shown.contains("patience"),
        "{shown}"
    );
}
