//! `nn export` of models trained on the report's two files, checked by code nn did not write: the ONNX graphs
//! run in tract and give `nn predict --proba`'s probabilities and classes; the course-format Θ files give
//! `nn eval`'s predictions through `nn eval --theta` and `nn import`.

use super::{nn, tract};
use nn_data::{LabelScheme, LoadOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nn-interop-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The report's settings for its binary set (its 2-4-4-1 network, full-batch gradient descent).
const REPORT_BINARY: &str = "--hidden 4,4 --epochs 2000 --lr 1 --select last --activation sigmoid --optimizer gd --batch-size full";

/// Flags written as one line, split at the spaces.
fn flags(line: &'static str) -> Vec<&'static str> {
    line.split_whitespace().collect()
}

/// Trains `model` on `data` with the extra flags `args` (a short run: the weights only have to be a trained
/// model's, not a good one's).
fn train(model: &Path, data: &Path, args: &[&str]) {
    run(nn()
        .args(["train", "-q", "--seed", "3", "--out"])
        .arg(model)
        .arg("--data")
        .arg(data)
        .args(args));
}

/// The report's binary set and the digits, with the settings each model is trained with.
fn models(binary: &Path, digits: &Path) -> Vec<(&'static str, PathBuf, Vec<&'static str>)> {
    vec![
        ("binary f64", binary.into(), flags(REPORT_BINARY)),
        (
            "binary f32 tanh",
            binary.into(),
            flags("--hidden 4,4 --activation tanh --epochs 300 --precision f32"),
        ),
        (
            "digits softmax f64",
            digits.into(),
            flags("--labels digits10 --hidden 25 --output softmax --epochs 40"),
        ),
        (
            "digits one-vs-all f32",
            digits.into(),
            flags("--labels digits10 --hidden 25 --output sigmoid --epochs 40 --precision f32"),
        ),
    ]
}

/// `nn predict --proba --digits 17` as (class names, probability rows).
fn predict(model: &Path, data: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let out = run(nn()
        .args(["predict", "--proba", "--digits", "17", "--model"])
        .arg(model)
        .arg("--data")
        .arg(data));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut names = Vec::new();
    let mut probs = Vec::new();
    for line in text.lines().skip(1) {
        let mut fields = line.split(',');
        fields.next(); // row
        names.push(fields.next().unwrap().to_string());
        probs.push(fields.map(|f| f.parse::<f64>().unwrap()).collect());
    }
    (names, probs)
}

pub fn onnx_matches_predict(binary: &Path, digits: &Path) {
    let dir = scratch("onnx");
    for (what, data, args) in models(binary, digits) {
        let model = dir.join("model.nnm");
        train(&model, &data, &args);
        let f32_model = args.contains(&"f32");
        let (names, expected) = predict(&model, &data);
        let scheme = if args.contains(&"digits10") {
            LabelScheme::Digits10
        } else {
            LabelScheme::Auto
        };
        let options = LoadOptions {
            labels: scheme,
            ..LoadOptions::default()
        };
        let x = nn_data::load(&data, &options).unwrap().into_xy().0;
        let classes: Vec<String> = {
            let out = run(nn().args(["inspect", "--json"]).arg(&model));
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            serde_json::from_value(v["classes"]["names"].clone()).unwrap()
        };
        for dtype in ["f32", "f64"] {
            let onnx = dir.join(format!("model-{dtype}.onnx"));
            run(nn()
                .args(["export", "--format", "onnx", "--dtype", dtype, "--out"])
                .arg(&onnx)
                .arg("--model")
                .arg(&model));
            let (p, labels) = tract::run(&std::fs::read(&onnx).unwrap(), &x, dtype == "f64");
            let diff = p
                .iter()
                .zip(&expected)
                .flat_map(|(r, s)| r.iter().zip(s).map(|(a, b)| (a - b).abs()))
                .fold(0.0, f64::max);
            // nn predict prints 17 decimals: below the f64 graph's 1e-12. A model trained in f32 predicts in
            // f32, so its f64 graph is held to the f32 bound.
            let tolerance = if dtype == "f64" && !f32_model {
                1e-12
            } else {
                1e-5
            };
            eprintln!(
                "{what}, {dtype} graph: max |Δp| = {diff:.2e} over {} rows",
                p.len()
            );
            assert!(diff <= tolerance, "{what} {dtype}: max |Δp| = {diff:e}");
            let onnx_names: Vec<&str> = labels
                .iter()
                .map(|&c| classes[c as usize].as_str())
                .collect();
            assert_eq!(onnx_names, names, "{what} {dtype}: labels");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `nn eval --json` of the model, and of its Θ export (folded standardiser) read by `nn eval --theta`.
pub fn theta_reproduces_predictions(binary: &Path, digits: &Path) {
    let dir = scratch("theta");
    let cases = [
        (binary, flags(REPORT_BINARY), "Theta1,Theta2,Theta3", vec![]),
        (
            digits,
            flags(
                "--labels digits10 --hidden 25 --output sigmoid --epochs 40 --activation sigmoid --optimizer gd --batch-size full",
            ),
            "Theta1,Theta2",
            vec!["--labels", "digits10"],
        ),
    ];
    for (data, args, vars, eval_labels) in cases {
        let model = dir.join("model.nnm");
        let theta = dir.join("theta.mat");
        train(&model, data, &args);
        run(nn()
            .args([
                "export",
                "--format",
                "theta",
                "--fold-standardizer",
                "--out",
            ])
            .arg(&theta)
            .arg(&model));
        let eval = |source: &[&str], file: &Path| -> serde_json::Value {
            let out = run(nn()
                .args(["eval", "--json"])
                .args(source)
                .arg(file)
                .arg("--data")
                .arg(data)
                .args(&eval_labels));
            serde_json::from_slice(&out.stdout).unwrap()
        };
        let ours = eval(&["--model"], &model);
        let course = eval(&["--theta-vars", vars, "--theta"], &theta);
        assert_eq!(course["classes"], ours["classes"]);
        assert_eq!(course["confusion"], ours["confusion"], "{}", data.display());
        assert!((course["loss"].as_f64().unwrap() - ours["loss"].as_f64().unwrap()).abs() < 1e-9);
        // The same through nn import: a model file whose predictions are the original's, row by row.
        let imported = dir.join("imported.nnm");
        run(nn()
            .args(["import", "--theta-vars", vars, "--theta"])
            .arg(&theta)
            .arg("--out")
            .arg(&imported)
            .args(&eval_labels));
        assert_eq!(predict(&imported, data).0, predict(&model, data).0);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
