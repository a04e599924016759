//! A numeric target through the real binary: a regression that predicts in the target's units, its
//! cross-validation, and the flags that do not fit it.

use crate::common;
use crate::tabular::{ok, penguins, run};
use common::{args, assert_clean_failure, assert_contains, nn_in, scratch, stderr};
use std::path::{Path, PathBuf};

/// y = sin(x1) + x2² + (0.5 for colour "red"), with a text feature and an id column, as a CSV with a header.
fn regression_csv(dir: &Path, rows: usize, offset: usize) -> PathBuf {
    let mut s = String::from("id,x1,x2,colour,y\n");
    for i in 0..rows {
        let k = (i + offset) as f64;
        // Two incommensurate sequences fill [−2, 2] × [−1.5, 1.5] evenly enough.
        let x1 = 4.0 * ((k * 0.618_034).fract() - 0.5);
        let x2 = 3.0 * ((k * 0.414_214).fract() - 0.5);
        let colour = if (i + offset).is_multiple_of(3) {
            "red"
        } else {
            "blue"
        };
        let y = x1.sin() + x2 * x2 + if colour == "red" { 0.5 } else { 0.0 };
        s.push_str(&format!("{},{x1:.6},{x2:.6},{colour},{y:.6}\n", i + offset));
    }
    let path = dir.join(format!("reg-{offset}.csv"));
    std::fs::write(&path, s).unwrap();
    path
}

#[test]
fn a_numeric_target_trains_a_regression_that_predicts_in_the_targets_units() {
    let dir = scratch("regression");
    regression_csv(&dir, 600, 0);
    let fresh = regression_csv(&dir, 200, 10_000);
    let settings = "--drop id --hidden 32 --activation tanh --optimizer adam --lr 0.003 --batch-size 32 \
                    --split 0.7,0.15 --select val-r2";
    let line =
        format!("train --data reg-0.csv {settings} --epochs 300 --out reg.nnm --metrics reg.csv");
    let out = nn_in(&dir, &line);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_contains(
        &err,
        "note: regression: target 'y' holds numbers that are not all integers",
    );
    let summary = String::from_utf8(out.stdout).unwrap();
    assert!(summary.contains("identity output"), "{summary}");
    let test_r2: f64 = summary
        .lines()
        .find(|l| l.trim_start().starts_with("test"))
        .and_then(|l| l.split("R² ").nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no test R² in: {summary}"));
    assert!(test_r2 > 0.95, "held-out R² {test_r2}: {summary}");
    let metrics = std::fs::read_to_string(dir.join("reg.csv")).unwrap();
    assert!(
        metrics.starts_with("epoch,lr,train_loss,train_cost,train_r2,train_mae,val_loss,val_r2")
    );

    // New rows, columns in another order, target present: eval scores them in the target's units.
    let eval = format!("eval --model reg.nnm --data {} --json", fresh.display());
    let json = ok(&args(&eval), &dir);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["task"], "regression");
    assert_eq!(v["samples"], 200);
    let r2 = v["r2"].as_f64().unwrap();
    assert!(r2 > 0.95, "R² on new rows {r2}");
    let mse = v["mse"].as_f64().unwrap();
    assert!((v["rmse"].as_f64().unwrap() - mse.sqrt()).abs() < 1e-12);

    // Predictions are values near the formula's, in its units (not standardised).
    let mut reordered = String::from("colour,x2,x1\n");
    for (x1, x2, colour) in [(1.0, 0.5, "red"), (-1.5, -1.0, "blue")] {
        reordered.push_str(&format!("{colour},{x2},{x1}\n"));
    }
    std::fs::write(dir.join("new.csv"), reordered).unwrap();
    let predicted = ok(
        &["predict", "--model", "reg.nnm", "--data", "new.csv"],
        &dir,
    );
    let mut lines = predicted.lines();
    assert_eq!(lines.next(), Some("row,predicted_y"));
    let values: Vec<f64> = lines
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let truth = [1f64.sin() + 0.25 + 0.5, (-1.5f64).sin() + 1.0];
    for (p, t) in values.iter().zip(truth) {
        assert!((p - t).abs() < 0.25, "predicted {p}, formula {t}");
    }

    // Resuming continues the regression; the model says what it predicts.
    let resume =
        format!("train --data reg-0.csv {settings} --epochs 320 --resume reg.nnm --out reg.nnm");
    let resumed = nn_in(&dir, &resume);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let inspect = ok(&["inspect", "reg.nnm"], &dir);
    assert_contains(&inspect, "target       'y' (regression)");
}

#[test]
fn regression_flags_that_do_not_fit_fail_with_one_line() {
    let dir = scratch("regression-bad");
    regression_csv(&dir, 60, 0);
    penguins(&dir);
    let train = |more: &[&str]| {
        run(
            &[
                &["train", "--data", "reg-0.csv", "--out", "m.nnm", "-q"],
                more,
            ]
            .concat(),
            &dir,
        )
    };
    assert_clean_failure(
        &train(&["--output", "softmax"]),
        "--output softmax: the target is numeric and read as regression, which needs the identity output",
    );
    assert_clean_failure(
        &train(&["--select", "val-acc"]),
        "--select val-acc: a regression model has no accuracy",
    );
    assert_clean_failure(
        &run(
            &args(
                "train --data penguins.csv --target species --task regression --drop rowid,year --missing mean --out m.nnm -q",
            ),
            &dir,
        ),
        "target column 'species': holds text, and regression needs numbers",
    );
    std::fs::write(dir.join("flat.csv"), "x,y\n1,2.5\n2,2.5\n3,2.5\n").unwrap();
    assert_clean_failure(
        &run(
            &args("train --data flat.csv --task regression --out m.nnm -q"),
            &dir,
        ),
        "every sample has y = 2.5; there is nothing to predict",
    );
    // Whole-number prices are not classes: the error says how to predict them as numbers.
    std::fs::write(
        dir.join("price.csv"),
        "x,price\n1,100000\n2,250000\n3,180000\n",
    )
    .unwrap();
    assert_clean_failure(
        &run(
            &["train", "--data", "price.csv", "--out", "m.nnm", "-q"],
            &dir,
        ),
        "(if 'price' is a quantity, --task regression predicts it as a number)",
    );
    // --task classification reads the same column as classes, and refuses its fractions.
    assert_clean_failure(
        &train(&["--task", "classification"]),
        "is not a whole number",
    );
}

/// Cross-validation of a regression: MSE, MAE and R² per fold, and their mean ± std; stratifying is refused.
#[test]
fn a_regression_cross_validates_with_its_own_scores() {
    let dir = scratch("regression-cv");
    regression_csv(&dir, 60, 0);
    let cv = run(
        &["cv", "--data", "reg-0.csv", "--folds", "3", "-q", "--json"],
        &dir,
    );
    assert!(cv.status.success(), "{}", stderr(&cv));
    let v: serde_json::Value = serde_json::from_slice(&cv.stdout).unwrap();
    let folds = v["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 3);
    for f in folds {
        assert_eq!(f["task"], "values", "{f}");
        assert!(f["mse"].as_f64().unwrap() >= 0.0 && f["r2"].is_f64(), "{f}");
    }
    let mean_r2 = folds.iter().map(|f| f["r2"].as_f64().unwrap()).sum::<f64>() / 3.0;
    assert!(
        (v["mean"]["r2"].as_f64().unwrap() - mean_r2).abs() < 1e-12,
        "{v}"
    );
    assert!(v["std"]["mae"].as_f64().unwrap() >= 0.0);
    let text = run(&["cv", "--data", "reg-0.csv", "--folds", "3", "-q"], &dir);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("MSE") && text.contains("r2  "), "{text}");
    assert_clean_failure(
        &run(
            &["cv", "--data", "reg-0.csv", "--folds", "3", "--stratify"],
            &dir,
        ),
        "--stratify true: a regression target has no classes to keep the shares of",
    );
}
