//! Bring-your-own-data through the real binary: CSV files with headers, text classes, text features, missing
//! cells, gzip and other delimiters; prediction on new files with their columns in another order.

use crate::common;
use common::{args, assert_clean_failure, assert_contains, nn, nn_in, scratch, stderr};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A penguin-census-like table: an id, a text class, a text feature, numbers with "NA" cells, a text feature
/// with "NA", and a year. The classes are separable from the numbers.
pub(crate) fn penguins(dir: &Path) -> PathBuf {
    let species = [
        (
            "Adelie",
            ["Torgersen", "Biscoe", "Dream"],
            38.8,
            18.3,
            190.0,
        ),
        ("Chinstrap", ["Dream", "Dream", "Dream"], 48.8, 18.4, 196.0),
        ("Gentoo", ["Biscoe", "Biscoe", "Biscoe"], 47.5, 15.0, 217.0),
    ];
    let mut s = String::from(
        "\"rowid\",\"species\",\"island\",\"bill_mm\",\"depth_mm\",\"flipper_mm\",\"sex\",\"year\"\r\n",
    );
    for i in 0..150 {
        let (name, islands, bill, depth, flipper) = species[i % 3];
        let k = i as f64;
        let cell = |v: f64, missing: bool| {
            if missing {
                "NA".to_string()
            } else {
                format!("{v:.1}")
            }
        };
        s.push_str(&format!(
            "{},{name},{},{},{},{},{},{}\r\n",
            i + 1,
            islands[i % 7 % 3],
            cell(bill + 1.5 * (k * 1.3).sin(), i % 37 == 5),
            cell(depth + 0.6 * (k * 0.7).cos(), false),
            cell(flipper + 4.0 * (k * 2.1).sin(), i % 41 == 9),
            if i % 29 == 3 {
                "NA"
            } else if i % 2 == 0 {
                "male"
            } else {
                "female"
            },
            2007 + i % 3
        ));
    }
    let path = dir.join("penguins.csv");
    std::fs::write(&path, s).unwrap();
    path
}

pub(crate) fn run(args: &[&str], dir: &Path) -> std::process::Output {
    nn().current_dir(dir).args(args).output().unwrap()
}

pub(crate) fn ok(args: &[&str], dir: &Path) -> String {
    let out = run(args, dir);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

const TRAIN: &[&str] = &[
    "train",
    "--data",
    "penguins.csv",
    "--target",
    "species",
    "--drop",
    "rowid,year",
    "--missing",
    "mean",
    "--hidden",
    "6",
    "--optimizer",
    "adam",
    "--lr",
    "0.02",
    "--seed",
    "3",
    "-q",
];

/// The penguins table in `dir`, and a model trained on it for `epochs` as `out`.
fn trained_penguins(dir: &Path, epochs: usize, out: &str) {
    penguins(dir);
    let more = format!("--epochs {epochs} --out {out}");
    ok(&[TRAIN, &args(&more)].concat(), dir);
}

#[test]
fn a_csv_with_text_classes_categories_and_missing_cells_trains_and_evaluates() {
    let dir = scratch("penguins");
    penguins(&dir);
    // The defaults refuse missing cells, naming the line, column and text.
    assert_clean_failure(
        &nn_in(
            &dir,
            "train --data penguins.csv --target species --out m.nnm",
        ),
        "penguins.csv:5: column 'sex' is missing a value ('NA')",
    );
    trained_penguins(&dir, 150, "m.nnm");
    let eval = ok(&args("eval --model m.nnm --data penguins.csv"), &dir);
    assert_contains(&eval, "Chinstrap");
    assert_contains(&eval, "Gentoo");
    let accuracy: f64 = eval
        .lines()
        .find_map(|l| l.strip_prefix("accuracy  "))
        .and_then(|l| l.split('%').next())
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(accuracy > 90.0, "{eval}");
    assert_clean_failure(
        &nn_in(
            &dir,
            "eval --model m.nnm --data penguins.csv --target island",
        ),
        "nn eval reads the data as the model reads it",
    );
    let inspect = ok(&["inspect", "m.nnm"], &dir);
    for needle in [
        "target     'species' (column 2)",
        "'island': one-hot over Biscoe, Dream, Torgersen",
        "'sex': one-hot over female, male; missing → ",
        "missing values: mean",
    ] {
        assert_contains(&inspect, needle);
    }
}

/// New rows: columns in another order, no target, an extra column, a missing cell (imputed); a category
/// training never saw (an error naming it, or zeros when asked); a column the model needs, missing.
#[test]
fn new_rows_are_matched_by_column_name() {
    let dir = scratch("penguins-predict");
    trained_penguins(&dir, 150, "m.nnm");
    std::fs::write(
        dir.join("new.csv"),
        "note,sex,flipper_mm,depth_mm,bill_mm,island\n\
         a,male,217.0,15.0,47.5,Biscoe\n\
         b,female,190.0,18.3,38.8,Torgersen\n\
         c,NA,196.0,18.4,48.8,Dream\n",
    )
    .unwrap();
    let out = nn_in(&dir, "predict --model m.nnm --data new.csv");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "row,predicted\n1,Gentoo\n2,Adelie\n3,Chinstrap\n"
    );
    assert_contains(
        &stderr(&out),
        "ignored columns the model does not use: note",
    );
    let mars = "island,bill_mm,depth_mm,flipper_mm,sex\nMars,47.5,15.0,217.0,male\n";
    std::fs::write(dir.join("mars.csv"), mars).unwrap();
    assert_clean_failure(
        &nn_in(&dir, "predict --model m.nnm --data mars.csv"),
        "mars.csv:2: column 'island' has category 'Mars', which training never saw",
    );
    ok(
        &args("predict --model m.nnm --data mars.csv --unknown-category ignore"),
        &dir,
    );
    std::fs::write(dir.join("lacking.csv"), "island,bill_mm\nDream,40\n").unwrap();
    assert_clean_failure(
        &nn_in(&dir, "predict --model m.nnm --data lacking.csv"),
        "column 'depth_mm' is an input of the model but the file has no such column",
    );
}

/// Resuming continues bit for bit through the stored schema; the target and the rule for unseen categories
/// are part of the run.
#[test]
fn a_csv_run_resumes_bit_for_bit_through_its_schema() {
    let dir = scratch("penguins-resume");
    trained_penguins(&dir, 150, "m.nnm");
    ok(&[TRAIN, &args("--epochs 60 --out half.nnm")].concat(), &dir);
    let resume = "train --data penguins.csv --resume half.nnm --epochs 150 -q";
    ok(&args(&format!("{resume} --out resumed.nnm")), &dir);
    assert_eq!(
        std::fs::read(dir.join("m.nnm")).unwrap(),
        std::fs::read(dir.join("resumed.nnm")).unwrap()
    );
    for (more, needle) in [
        (
            "--target island",
            "--target is island, but the run was trained with species",
        ),
        (
            "--unknown-category ignore",
            "--unknown-category is ignore, but the run was trained with error",
        ),
    ] {
        let out = nn_in(&dir, &format!("{resume} {more} --out r.nnm"));
        assert_clean_failure(&out, needle);
    }
}

/// 60 rows of `a;b;kind`: numbers, with `?` for a missing `a` now and then, and a yes/no class.
fn semicolons_with_gaps() -> String {
    let mut text = String::from("a;b;kind\n");
    for i in 0..60 {
        let k = i as f64;
        let a = if i % 13 == 4 {
            "?".to_string()
        } else {
            format!("{:.3}", (k * 0.9).sin() + (i % 2) as f64)
        };
        text.push_str(&format!(
            "{a};{:.3};{}\n",
            (k * 1.7).cos(),
            if i % 2 == 0 { "no" } else { "yes" }
        ));
    }
    text
}

/// 40 rows of `a;b;kind` with decimal commas (`0,37;1,02;x`).
fn decimal_commas() -> String {
    let mut text = String::from("a;b;kind\n");
    for i in 0..40 {
        let k = i as f64;
        text.push_str(
            &format!(
                "{:.2};{:.2};{}\n",
                (k * 0.37).sin(),
                (k * 0.11).cos() + 1.0,
                ["x", "y"][i % 2]
            )
            .replace('.', ","),
        );
    }
    text
}

#[test]
fn semicolons_gzip_and_dropped_rows() {
    let dir = scratch("gz");
    let text = semicolons_with_gaps();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    std::fs::write(dir.join("data.txt"), gz.finish().unwrap()).unwrap();
    let out = run(
        &args("train --data data.txt --missing drop --epochs 20 --out m.nnm"),
        &dir,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_contains(&err, "left out 5 of 60 rows with a missing value");
    assert_contains(&err, "semicolon delimited, with a header; target 'kind'");
    assert!(err.contains("labels named: no, yes"), "{err}");
}

#[test]
fn bad_tables_fail_with_one_line_naming_the_cause() {
    let dir = scratch("badcsv");
    penguins(&dir);
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    let train = |data: &str, more: &[&str]| {
        run(
            &[&["train", "--data", data, "--out", "m.nnm", "-q"], more].concat(),
            &dir,
        )
    };
    assert_clean_failure(
        &train("penguins.csv", &["--target", "species_name"]),
        "column 'species_name' is not a column; the columns are: 1 'rowid', 2 'species', 3 'island'",
    );
    // (file, its text, more flags, what the error says)
    for (name, text, more, needle) in [
        (
            "ragged.csv",
            "1,2,0\n3,4\n",
            "",
            "ragged.csv:2: row has 2 columns, expected 3",
        ),
        (
            "wide-header.csv",
            "a,b,c,d\n1,2,0\n3,4,1\n",
            "",
            "wide-header.csv:2: the header names 4 columns but this row has 3",
        ),
        (
            "one.csv",
            "x,y\n1,a\n2,a\n3,a\n",
            "",
            "every sample has label a",
        ),
        (
            "stray.csv",
            "x,y\n1,0\n2,1\n3,0\nfour,1\n5,0\n",
            "",
            "stray.csv:5: column 'x' holds numbers (4 of them) but here 'four'",
        ),
        ("empty.csv", "", "", "no data rows"),
        (
            "blank.csv",
            "x,z,y\n1,NA,0\n2,,1\n",
            "--missing mean",
            "column 'z' has no values (every cell is missing)",
        ),
    ] {
        write(name, text);
        assert_clean_failure(&train(name, &args(more)), needle);
    }
    let mut ids = String::from("user,x,y\n");
    for i in 0..1500 {
        ids.push_str(&format!("u{i},{},{}\n", i % 7, i % 2));
    }
    write("ids.csv", &ids);
    assert_clean_failure(
        &train("ids.csv", &[]),
        "column 'user' is text with 1500 distinct values (more than 1000), which looks like an id",
    );
}

/// A `;`-delimited file with decimal commas trains on numbers and says so; read with `--decimal .`, its
/// columns become text with a value per row, which a warning names.
#[test]
fn decimal_commas_are_read_as_numbers_and_near_unique_text_is_warned_of() {
    let dir = scratch("decimal");
    let text = decimal_commas();
    std::fs::write(dir.join("comma.csv"), text).unwrap();
    let train = |more: &[&str]| {
        run(
            &[&args("train --data comma.csv --epochs 3 --out m.nnm"), more].concat(),
            &dir,
        )
    };
    let out = train(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_contains(&err, "note: decimal commas: in this ';'-delimited file");
    assert!(err.contains("40 samples × 2 features"), "{err}");
    let out = train(&["--decimal", "."]);
    let err = stderr(&out);
    assert_contains(&err, "warning: column 'a' is text with ");
    assert_contains(&err, "--decimal ,");
}
