//! Small seeded problems shared by the training tests.
#![allow(dead_code)] // shared by several test binaries; each uses a part

use nn_core::{Network, Output};
use nn_data::{ClassMap, Standardizer};
use nn_linalg::Matrix;
use nn_train::{
    ClassWeight, DataRecord, EpochReport, ModelFile, Precision, ResumeState, Samples, Status,
    TrainConfig, TrainData, Trainer, Training,
};

/// Two overlapping blobs in 2-D, m samples, from a fixed formula (no RNG needed).
pub fn moons(m: usize, offset: usize) -> Samples<f64> {
    let x = Matrix::from_fn(m, 2, |i, j| {
        let k = (i + offset) as f64;
        let sign = if (i + offset) % 2 == 1 { 1.0 } else { -1.0 };
        if j == 0 {
            sign * 0.8 + 0.7 * (k * 1.7).sin()
        } else {
            sign * 0.5 + 0.7 * (k * 2.3).cos()
        }
    });
    Samples::classes(x, (0..m).map(|i| (i + offset) % 2).collect())
}

pub fn data() -> TrainData<f64> {
    TrainData {
        train: moons(60, 0),
        validation: Some(moons(20, 60)),
        test: Some(moons(20, 80)),
        scaling: None,
    }
}

pub fn net(seed: u64) -> Network<f64> {
    Network::xavier(2, &[5, 4], 1, Output::Sigmoid, seed).unwrap()
}

pub fn trainer(config: TrainConfig) -> Trainer<f64> {
    let n = net(config.seed);
    Trainer::new(config.validate(60, true, true).unwrap(), n)
}

/// The training record of a run of `config` on the 60 training samples of [`data`].
pub fn training(config: &TrainConfig, resume: Option<ResumeState>) -> Training {
    let spec = nn_train::job::JobSpec {
        hidden: vec![5, 4],
        output: Output::Sigmoid,
        activation: nn_core::Activation::Sigmoid,
        config: config.clone(),
        split: nn_data::SplitSpec::report(config.seed),
        standardize: false,
        precision: Precision::F64,
        init: None,
    };
    Training {
        run: spec.record(),
        data: DataRecord {
            name: "moons".into(),
            digest: "0123456789abcdef".repeat(4),
            train_samples: 60,
        },
        resume,
        job: serde_json::to_string(&spec).ok(),
    }
}

/// A model file (no training record) of `network` at `report`.
pub fn model_file_of(network: &Network<f64>, report: &EpochReport) -> ModelFile {
    ModelFile {
        network: network.clone(),
        precision: Precision::F64,
        standardizer: Standardizer::identity(network.architecture().n_input),
        classes: ClassMap::zero_based(network.classes()),
        epoch: report.epoch,
        metrics: Some(*report),
        status: Status::Finished {
            epochs_run: report.epoch,
            early_stopped: false,
        },
        training: None,
        schema: None,
        target_scale: None,
    }
}

/// A model file, with its resume state, of `t`, as `nn train` writes it while training.
pub fn model_file(t: &Trainer<f64>) -> ModelFile {
    let (selected, report) = t.selected();
    let report = report.filter(|r| r.epoch > 0);
    ModelFile {
        network: selected.clone(),
        precision: Precision::F64,
        standardizer: Standardizer::identity(selected.architecture().n_input),
        classes: ClassMap::zero_based(2),
        epoch: report.map_or(0, |r| r.epoch),
        metrics: report.copied(),
        status: Status::InProgress,
        training: Some(training(
            t.config(),
            Some(ResumeState {
                current: t.network().clone(),
                progress: t.progress().clone(),
            }),
        )),
        schema: None,
        target_scale: None,
    }
}

/// The file bytes of `c` without the writer's consistency check: for forging bad files.
pub fn forge(c: &ModelFile) -> Vec<u8> {
    ModelFile::frame(
        &bincode::serde::encode_to_vec(
            (
                c,
                &c.schema,
                c.training.as_ref().and_then(|t| t.run.init),
                &c.target_scale,
                c.training.as_ref().map_or(0.0, |t| t.run.dropout),
                c.training.as_ref().and_then(|t| t.run.shift),
                c.training
                    .as_ref()
                    .map_or(&ClassWeight::None, |t| &t.run.class_weight),
                c.training.as_ref().is_none_or(|t| t.run.shuffle),
                c.training.as_ref().and_then(|t| t.run.simd),
                c.training.as_ref().and_then(|t| t.job.as_deref()),
            ),
            bincode::config::standard(),
        )
        .unwrap(),
    )
}

/// The epoch of `history` with the lowest validation loss (the first of equals), if any.
pub fn lowest_validation_loss(history: &[EpochReport]) -> Option<&EpochReport> {
    let loss = |r: &EpochReport| r.validation.expect("a validation part").loss;
    history.iter().min_by(|a, b| loss(a).total_cmp(&loss(b)))
}
