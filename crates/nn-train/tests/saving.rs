//! The model file during a job: written before the first epoch, then whenever the save interval has passed,
//! and at the end. At every epoch it holds the best weights as of its last write (a new best inside an
//! interval goes out with the next write, never dropped) and a resume state at most one interval old.

use crate::common::lowest_validation_loss;
use nn_core::Output;
use nn_data::{ClassMap, Dataset, SplitSpec};
use nn_linalg::{Matrix, Threads};
use nn_train::job::{JobSpec, Saving, run_job};
use nn_train::{ModelFile, Precision, Selection, Status, TrainConfig, TrainEvent};
use std::path::Path;
use std::time::{Duration, Instant};

fn dataset() -> Dataset {
    let x = Matrix::from_fn(200, 3, |i, j| ((i * (j + 2)) as f64 * 0.37).sin());
    let labels = (0..200).map(|i| usize::from((i * 7) % 5 < 2)).collect();
    Dataset::new(x, labels, ClassMap::zero_based(2), Path::new("rows.txt")).unwrap()
}

fn spec(epochs: usize) -> JobSpec {
    JobSpec {
        hidden: vec![6],
        output: Output::Sigmoid,
        activation: nn_core::Activation::Sigmoid,
        config: TrainConfig {
            epochs,
            lr: 0.5,
            selection: Selection::VAL_LOSS,
            seed: 2,
            threads: Threads::Single,
            ..TrainConfig::default()
        },
        split: SplitSpec {
            train: 0.6,
            validation: 0.2,
            stratified: false,
            seed: 2,
        },
        standardize: true,
        precision: Precision::F64,
        init: None,
    }
}

#[test]
fn the_file_keeps_up_with_training_and_never_drops_a_best() {
    let dir = std::env::temp_dir().join(format!("nn-saving-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.nnm");
    let every = Duration::from_millis(30);
    let pause = Duration::from_millis(8);
    // When each write was first seen (never before the writer's own clock started its interval), and when the
    // previous observer call ended (the writer's check for an epoch comes after it).
    let mut seen: Option<(usize, Instant)> = None;
    let mut previous_end: Option<Instant> = None;
    let (mut checked, mut due) = (0, 0);
    let outcome = run_job::<f64>(
        dataset(),
        &spec(40),
        None,
        Some(Saving { path: &path, every }),
        None,
        &mut |e| {
            let TrainEvent::Snapshot { progress, .. } = e else {
                return;
            };
            // The writer has already handled this epoch. What is on disk now:
            let on_disk = ModelFile::load(&path).expect("the file always loads");
            assert!(matches!(on_disk.status, Status::InProgress));
            let done = on_disk.resume_state().unwrap().progress.epoch;
            assert!(done <= progress.epoch);
            // Its selected weights are the best of the epochs it has seen: none dropped.
            let best_then =
                lowest_validation_loss(&progress.history[..done]).map_or(0, |r| r.epoch);
            assert_eq!(on_disk.epoch, best_then, "epoch {}", progress.epoch);
            // A due write is never skipped: if a whole interval had passed between the last write and the
            // moment this epoch's check could start at the earliest, this epoch wrote. (A bound, not a
            // timing: it holds however the machine schedules the threads.)
            if let (Some((_, written)), Some(end)) = (seen, previous_end)
                && end.duration_since(written) >= every
            {
                assert_eq!(done, progress.epoch, "a due write was skipped");
                due += 1;
            }
            if seen.is_none_or(|(d, _)| d != done) {
                seen = Some((done, Instant::now()));
            }
            checked += 1;
            std::thread::sleep(pause);
            previous_end = Some(Instant::now());
        },
    )
    .unwrap();
    assert_eq!(checked, 40);
    // 8 ms per epoch against a 30 ms interval: a write falls due every few epochs.
    assert!(due >= 5, "only {due} epochs had a write due");
    let on_disk = ModelFile::load(&path).unwrap();
    assert_eq!(on_disk, outcome.model_file);
    assert_eq!(
        on_disk.status,
        Status::Finished {
            epochs_run: 40,
            early_stopped: false
        }
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A periodic write that fails (here: the directory is gone for a few epochs) costs nothing once the problem
/// passes: the writer tries again at the next interval, and the final write saves the whole run.
#[test]
fn a_passing_write_failure_does_not_lose_the_run() {
    let dir = std::env::temp_dir().join(format!("nn-saving-gone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.nnm");
    let outcome = run_job::<f64>(
        dataset(),
        &spec(12),
        None,
        Some(Saving {
            path: &path,
            every: Duration::ZERO,
        }),
        None,
        &mut |e| {
            let TrainEvent::Epoch(report) = e else {
                return;
            };
            // The writes of epochs 3 to 6 go to a directory that does not exist.
            if report.epoch == 3 {
                std::fs::remove_dir_all(&dir).unwrap();
            }
            if report.epoch == 7 {
                std::fs::create_dir_all(&dir).unwrap();
            }
        },
    )
    .expect("the final write succeeds, so the run is saved");
    let on_disk = ModelFile::load(&path).unwrap();
    assert_eq!(on_disk, outcome.model_file);
    assert!(matches!(
        on_disk.status,
        Status::Finished { epochs_run: 12, .. }
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
