//! The model file format stays readable: `tests/fixtures/golden-vN.nnm` was written by format N, for every
//! format this build reads, and must load, encode back to the very same body, and predict what it predicted
//! when it was written.
//!
//! If a change to any type in the body (`ModelFile` and everything it holds) makes this test fail, the format
//! has changed: bump `VERSION`, keep reading the old version or refuse it with a hint, and write a new golden
//! file with `cargo test -p nn-train --test integration -- --ignored golden::write_golden_files`.

use nn_core::{Activation, Output};
use nn_data::{
    ClassMap, Dataset, MissingPolicy, PipelineOptions, ReadOptions, Selected, SplitSpec, Table,
};
use nn_linalg::{Matrix, Threads};
use nn_train::job::{JobSpec, Saving, predict_proba, run_job};
use nn_train::{
    ClassWeight, ModelFile, OLDEST_READABLE, Optimizer, Precision, Selection, Shift, Status,
    TrainConfig, VERSION,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The samples of [`numbers`] as a CSV with a header and named classes, read through the pipeline with
/// mean imputation, so the model stores an input schema (format 4 on).
fn dataset() -> Dataset {
    let d = numbers();
    let mut text = String::from("x1,x2,class\n");
    for i in 0..d.len() {
        let x = d.x().row_to_vec(i);
        text.push_str(&format!("{:?},{:?},c{}\n", x[0], x[1], d.labels()[i]));
    }
    let table = Table::parse(
        text.as_bytes(),
        Path::new("golden.txt"),
        &ReadOptions::default(),
    )
    .unwrap();
    let opts = PipelineOptions {
        missing: MissingPolicy::Mean,
        ..PipelineOptions::default()
    };
    let selected = Selected::new(&table, &opts).unwrap();
    let all: Vec<usize> = (0..d.len()).collect();
    let (_, data) = selected.fit(&all).unwrap();
    assert_eq!(data.x(), d.x());
    data
}

/// 24 samples of 2 features in 3 classes, from a formula.
fn numbers() -> Dataset {
    let x = Matrix::from_fn(24, 2, |i, j| {
        let c = (i % 3) as f64;
        let k = i as f64;
        if j == 0 {
            c + 0.3 * (k * 1.3).sin()
        } else {
            c * 0.5 - 0.4 * (k * 0.7).cos()
        }
    });
    let labels = (0..24).map(|i| i % 3).collect();
    Dataset::new(x, labels, ClassMap::zero_based(3), Path::new("golden.txt")).unwrap()
}

/// Points to predict on, inside and around the data.
fn probe() -> Matrix<f64> {
    Matrix::from_fn(9, 2, |i, j| (i as f64 - 4.0) * 0.6 + j as f64 * 0.25)
}

/// Probabilities as lines of `{:e}` values (exact round trip through text).
fn to_text(p: &Matrix<f64>) -> String {
    (0..p.rows())
        .map(|i| {
            let row: Vec<String> = p.row_to_vec(i).iter().map(|v| format!("{v:e}")).collect();
            row.join(",") + "\n"
        })
        .collect()
}

fn from_text(s: &str) -> Vec<Vec<f64>> {
    s.lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect()
}

/// Every readable version's golden file, oldest first: each must load and predict as written.
#[test]
fn golden_model_files_load_round_trip_and_predict_as_written() {
    assert!(
        fixture(&format!("golden-v{VERSION}.nnm")).is_file(),
        "a new format version needs a new golden file (see the module docs)"
    );
    for version in OLDEST_READABLE..=VERSION {
        golden(version);
    }
}

fn golden(version: u32) {
    let path = fixture(&format!("golden-v{version}.nnm"));
    let mut bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        u32::from_le_bytes(bytes[8..12].try_into().unwrap()),
        version
    );
    let c = ModelFile::load(&path).unwrap();
    if version < 4 {
        assert_eq!(c.schema, None);
    } else {
        let schema = c.schema.as_ref().expect("a schema");
        assert_eq!(schema.feature_names(), ["x1", "x2"]);
        assert_eq!(c.classes.names(), ["c0", "c1", "c2"]);
        let init = c.training.as_ref().and_then(|t| t.run.init);
        assert_eq!(init, Some(nn_core::Init::XavierNormal));
    }
    assert_eq!(c.target_scale, None, "the golden models are classifiers");
    let shift = c.training.as_ref().and_then(|t| t.run.shift);
    if version < 6 {
        assert_eq!(shift, None);
    } else {
        let image = Shift {
            max: 1,
            height: 1,
            width: 2,
        };
        assert_eq!(
            shift,
            Some(image),
            "v{version}: the two features as a 1×2 image"
        );
    }
    let simd = c.training.as_ref().and_then(|t| t.run.simd);
    let recorded = (version >= 8).then_some(nn_linalg::simd::Level::Portable);
    assert_eq!(simd, recorded, "v{version}: the SIMD level");
    if version == VERSION {
        assert_eq!(
            c.to_bytes().unwrap(),
            bytes,
            "v{version}: the body no longer encodes as it did: the format changed without a version bump"
        );
    } else {
        // An older body holds less (before 4 no appendix; before 5 no R² in the epoch metrics, no target
        // scaling): written again in the current format, it reads back as the same model.
        let again = ModelFile::from_bytes(&c.to_bytes().unwrap(), &path).unwrap();
        assert_eq!(again, c, "v{version}");
        let epochs = &c.resume_state().unwrap().progress.history;
        assert!(epochs.iter().all(|e| e.train.r2.is_none()));
        bytes[8..12].copy_from_slice(&VERSION.to_le_bytes());
        assert_ne!(
            c.to_bytes().unwrap(),
            bytes,
            "v{version} is not the current layout"
        );
    }
    // What the file says about itself.
    assert_eq!(
        c.network.architecture().describe(),
        "2-5-3 (tanh hidden, softmax output)"
    );
    assert!(matches!(
        c.status,
        Status::Finished {
            epochs_run: 30,
            early_stopped: false
        }
    ));
    let t = c.training.as_ref().unwrap();
    assert_eq!(t.data.name, "golden.txt");
    assert_eq!(t.data.train_samples, 16);
    assert_eq!(t.run.optimizer.name(), "adam");
    assert_eq!(c.resume_state().unwrap().progress.epoch, 30);
    predictions_match(&c, version);
}

/// The model's predictions on the probe rows are those written beside it for `version`, to rounding (another
/// CPU may add in another order), with the same classes.
fn predictions_match(c: &ModelFile, version: u32) {
    let expected = from_text(
        &std::fs::read_to_string(fixture(&format!("golden-v{version}-proba.csv"))).unwrap(),
    );
    let p = predict_proba(c, &probe()).unwrap();
    assert_eq!(p.shape(), (9, 3));
    for (i, row) in expected.iter().enumerate() {
        let got = p.row_to_vec(i);
        for (a, b) in got.iter().zip(row) {
            assert!((a - b).abs() <= 1e-12, "row {i}: {got:?} vs {row:?}");
        }
        let argmax = |v: &[f64]| (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
        assert_eq!(argmax(&got), argmax(row), "row {i}");
    }
}

/// Writes the golden files for the current format version (run by hand, see the module docs).
#[test]
#[ignore = "writes the golden fixture files; run by hand when the format version changes"]
fn write_golden_files() {
    let spec = JobSpec {
        hidden: vec![5],
        output: Output::Softmax,
        activation: Activation::Tanh,
        config: TrainConfig {
            epochs: 30,
            lr: 0.05,
            optimizer: Optimizer::ADAM,
            batch_size: Some(5),
            lambda: 0.01,
            seed: 11,
            selection: Selection::VAL_LOSS,
            threads: Threads::Single,
            // Format 6 on: the two features as a 1×2 image, shifted by a pixel at random.
            shift: Some(Shift {
                max: 1,
                height: 1,
                width: 2,
            }),
            // Format 7 on: a weight per class, and mini-batches in the data's order.
            class_weight: ClassWeight::Given(vec![1.0, 2.0, 0.5]),
            shuffle: false,
            // Format 8 on: the SIMD level that trained it (portable: any CPU can write the file).
            simd: Some(nn_linalg::simd::Level::Portable),
            ..TrainConfig::default()
        },
        split: SplitSpec {
            train: 0.7,
            validation: 0.15,
            stratified: true,
            seed: 11,
        },
        standardize: true,
        precision: Precision::F64,
        init: Some(nn_core::Init::XavierNormal),
    };
    let path = fixture(&format!("golden-v{VERSION}.nnm"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let saving = Saving {
        path: &path,
        every: Duration::from_secs(3600),
    };
    let o = run_job::<f64>(dataset(), &spec, None, Some(saving), None, &mut |_| {}).unwrap();
    let p = predict_proba(&o.model_file, &probe()).unwrap();
    std::fs::write(
        fixture(&format!("golden-v{VERSION}-proba.csv")),
        to_text(&p),
    )
    .unwrap();
}
