//! ModelFile files: round trip, byte-identical reruns, exact resume, and a clear error for every bad file.

use crate::common;
use common::{data, model_file, trainer};
use nn_train::*;
use std::path::Path;

fn run(config: TrainConfig) -> Trainer<f64> {
    let mut t = trainer(config);
    t.run(&data(), &mut |_| {}).unwrap();
    t
}

/// What every config below shares: 10 epochs, seed 5, λ = 0.01.
fn base() -> TrainConfig {
    TrainConfig {
        epochs: 10,
        seed: 5,
        lambda: 0.01,
        ..TrainConfig::default()
    }
}

/// Configs of every optimiser and augmentation, by name.
fn configs() -> Vec<(&'static str, TrainConfig)> {
    let base = base();
    let gd = TrainConfig {
        lr: 0.5,
        optimizer: Optimizer::Gd,
        ..base.clone()
    };
    let adam = TrainConfig {
        lr: 0.01,
        optimizer: Optimizer::ADAM,
        batch_size: Some(16),
        ..base.clone()
    };
    let dropout = TrainConfig {
        dropout: 0.3,
        ..adam.clone()
    };
    let shift = |height, width| {
        Some(Shift {
            max: 1,
            height,
            width,
        })
    };
    let lbfgs = Optimizer::Lbfgs {
        history: 3,
        tolerance: 1e-12,
    };
    let plateau = Schedule::Plateau {
        factor: 0.5,
        patience: 1,
        min_lr: 0.0,
    };
    vec![
        ("gd", gd.clone()),
        (
            "sgd+momentum, shuffled",
            TrainConfig {
                lr: 0.05,
                optimizer: Optimizer::MOMENTUM,
                batch_size: Some(7),
                ..base.clone()
            },
        ),
        ("adam, mini-batch", adam),
        ("adam, mini-batch, dropout", dropout.clone()),
        (
            "adam, mini-batch, dropout, shifted 1×2 images",
            TrainConfig {
                shift: shift(1, 2),
                ..dropout
            },
        ),
        (
            "gd, full batch, shifted images",
            TrainConfig {
                shift: shift(2, 1),
                ..gd.clone()
            },
        ),
        (
            "l-bfgs",
            TrainConfig {
                lr: 1.0,
                optimizer: lbfgs,
                ..base
            },
        ),
        (
            "plateau schedule",
            TrainConfig {
                schedule: plateau,
                ..gd
            },
        ),
    ]
}

/// 5 epochs, save to bytes, load, resume for 5 more = 10 epochs straight, bit for bit.
#[test]
fn resume_is_exact() {
    for (name, config) in configs() {
        let straight = run(config.clone());

        let first = run(TrainConfig {
            epochs: 5,
            ..config.clone()
        });
        let bytes = model_file(&first).to_bytes().unwrap();
        let loaded = ModelFile::from_bytes(&bytes, Path::new("state.nnm")).unwrap();
        let state = loaded.resume_state().unwrap().clone();
        let valid = TrainConfig {
            epochs: 10,
            ..config.clone()
        }
        .validate(60, true, true)
        .unwrap();
        let mut resumed = Trainer::resume(valid, state.current, state.progress);
        resumed.run(&data(), &mut |_| {}).unwrap();

        assert_eq!(
            resumed.network(),
            straight.network(),
            "{name}: current weights"
        );
        assert_eq!(
            resumed.selected().0,
            straight.selected().0,
            "{name}: selected weights"
        );
        assert_eq!(
            resumed.progress(),
            straight.progress(),
            "{name}: optimiser, schedule, selector and history"
        );
        assert_eq!(
            model_file(&resumed).to_bytes().unwrap(),
            model_file(&straight).to_bytes().unwrap(),
            "{name}: file bytes"
        );
    }
}

#[test]
fn same_seed_same_bytes() {
    for (name, config) in configs() {
        let a = model_file(&run(config.clone())).to_bytes().unwrap();
        let b = model_file(&run(config.clone())).to_bytes().unwrap();
        assert_eq!(a, b, "{name}");
        let c = model_file(&run(TrainConfig { seed: 6, ..config }))
            .to_bytes()
            .unwrap();
        assert_ne!(a, c, "{name}: another seed");
    }
}

/// `save` replaces the file in place through a temporary file that it renames, and leaves none behind, also
/// when it fails. (That a killed writer never leaves a half-written file is checked by killing real runs in
/// nn-cli's `tests/kill_resume.rs`, which load the file after every kill.)
#[test]
fn save_overwrites_in_place_and_leaves_no_temporary_file() {
    let dir = std::env::temp_dir().join(format!("nn-model_file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.nnm");
    let model_file = model_file(&run(configs()[0].1.clone()));
    model_file.save(&path).unwrap();
    model_file.save(&path).unwrap(); // overwrite in place
    assert_eq!(ModelFile::load(&path).unwrap(), model_file);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        vec![std::ffi::OsString::from("model.nnm")],
        "no temporary files remain"
    );
    let err = model_file
        .save(&dir.join("no/such/dir/model.nnm"))
        .unwrap_err();
    assert!(matches!(err, TrainError::Io { .. }), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `job::predict` and `job::predict_proba` standardise a block of rows at a time: over several blocks they
/// give the bits of one pass over the whole standardised matrix, in either precision.
#[test]
fn predictions_over_many_blocks_are_those_of_one_pass() {
    use nn_core::{EVALUATION_BLOCK, Network, Output};
    use nn_data::{ClassMap, Standardizer};
    use nn_linalg::Matrix;
    let m = 2 * EVALUATION_BLOCK + 123;
    let raw = Matrix::from_fn(m, 3, |i, j| ((i * 31 + j * 7) % 97) as f64 * 0.37 - 5.0);
    let standardizer = Standardizer::fit(&raw);
    let mut x = raw.clone();
    standardizer.transform(&mut x);
    let net = Network::xavier(3, &[6], 3, Output::Softmax, 5).unwrap();
    let classes = ClassMap::named(vec!["a".into(), "b".into(), "c".into()]);
    for precision in [Precision::F64, Precision::F32] {
        let file = ModelFile::untrained(
            net.clone(),
            precision,
            standardizer.clone(),
            classes.clone(),
        );
        let (p, c) = match precision {
            Precision::F64 => (net.predict_proba(&x).unwrap(), net.predict(&x).unwrap()),
            Precision::F32 => {
                let net = net.cast::<f32>();
                let x = x.cast::<f32>();
                (
                    net.predict_proba(&x).unwrap().cast(),
                    net.predict(&x).unwrap(),
                )
            }
        };
        assert_eq!(job::predict_proba(&file, &raw).unwrap(), p, "{precision:?}");
        assert_eq!(job::predict(&file, &raw).unwrap(), c, "{precision:?}");
    }
}
