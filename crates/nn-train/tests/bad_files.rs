//! Model files that must be refused, each with its own error: wrong magic, versions, truncation, checksum,
//! bodies that do not decode, and bodies that decode but break a rule (one `Inconsistency` case each). The
//! writer refuses what the loader would.

use crate::common;
use common::{data, forge, model_file, trainer};
use nn_linalg::Threads;
use nn_train::job::JobSpec;
use nn_train::*;
use std::path::Path;

/// Ten epochs of mini-batch Adam with λ: a model file with every part (resume state, Adam's moments, history).
pub(crate) fn adam_run() -> Trainer<f64> {
    let mut t = trainer(TrainConfig {
        epochs: 10,
        seed: 5,
        lambda: 0.01,
        lr: 0.01,
        optimizer: Optimizer::ADAM,
        batch_size: Some(16),
        ..TrainConfig::default()
    });
    t.run(&data(), &mut |_| {}).unwrap();
    t
}

fn problem(bytes: &[u8]) -> ModelFileProblem {
    match ModelFile::from_bytes(bytes, Path::new("m.nnm")) {
        Err(TrainError::ModelFile { problem, .. }) => problem,
        other => panic!("expected a model file problem, got {other:?}"),
    }
}

/// `good` with its body edited and re-framed with a valid checksum, without the writer's checks.
pub(crate) fn with_body(good: &[u8], edit: impl FnOnce(&mut ModelFile)) -> Vec<u8> {
    let mut c = ModelFile::from_bytes(good, Path::new("m")).unwrap();
    edit(&mut c);
    forge(&c)
}

/// The cause of refusing `bytes` as inconsistent contents.
pub(crate) fn invalid(bytes: &[u8]) -> Inconsistency {
    match problem(bytes) {
        ModelFileProblem::Invalid(s) => s,
        other => panic!("expected inconsistent contents, got {other:?}"),
    }
}

#[test]
fn every_bad_file_has_its_own_error() {
    let good = model_file(&adam_run()).to_bytes().unwrap();
    assert!(matches!(
        problem(b"PK\x03\x04 a zip file"),
        ModelFileProblem::Magic(_)
    ));
    assert!(matches!(problem(b""), ModelFileProblem::Truncated(_)));

    let mut newer = good.clone();
    newer[8..12].copy_from_slice(&(VERSION + 1).to_le_bytes());
    let p = problem(&newer);
    assert_eq!(
        p,
        ModelFileProblem::NewerVersion {
            found: VERSION + 1,
            supported: VERSION
        }
    );
    assert!(p.to_string().contains("HINT"), "{p}");
    let mut older = good.clone();
    older[8..12].copy_from_slice(&1u32.to_le_bytes());
    let p = problem(&older);
    assert_eq!(
        p,
        ModelFileProblem::OlderVersion {
            found: 1,
            supported: OLDEST_READABLE
        }
    );
    assert!(p.to_string().contains("HINT"), "{p}");

    for cut in [10, 19, 20, good.len() / 2, good.len() - 1] {
        assert!(
            matches!(problem(&good[..cut]), ModelFileProblem::Truncated(_)),
            "cut at {cut}"
        );
    }
    let mut trailing = good.clone();
    trailing.extend_from_slice(b"xyz");
    assert_eq!(problem(&trailing), ModelFileProblem::Trailing(3));

    let mut flipped = good.clone();
    flipped[100] ^= 1;
    assert_eq!(problem(&flipped), ModelFileProblem::Checksum);

    // A forged body length in the header: refused before anything is allocated.
    let mut forged = good.clone();
    forged[12..20].copy_from_slice(&(8u64 << 30).to_le_bytes());
    assert!(matches!(
        problem(&forged),
        ModelFileProblem::TooLarge {
            bytes: 0x2_0000_0000,
            limit: MAX_BODY
        }
    ));

    // A forged length *inside* a well-checksummed body (the history's element count): bincode's limit and the
    // bytes that exist bound it; no gigabytes are allocated.
    let forged_inner = forge_history_length(&good);
    assert!(
        matches!(problem(&forged_inner), ModelFileProblem::Decode(_)),
        "{:?}",
        problem(&forged_inner)
    );
}

/// Rewrites the varint length of the history (the body's last sequence) to a huge value, with a valid
/// checksum, by re-encoding: the body is decoded, the history emptied, and the bytes patched.
fn forge_history_length(good: &[u8]) -> Vec<u8> {
    let mut c = ModelFile::from_bytes(good, Path::new("m")).unwrap();
    c.training
        .as_mut()
        .unwrap()
        .resume
        .as_mut()
        .unwrap()
        .progress
        .history
        .clear();
    c.training.as_mut().unwrap().run.simd = None;
    c.training.as_mut().unwrap().job = None;
    let bytes = forge(&c);
    let n = u64::from_le_bytes(bytes[12..20].try_into().unwrap()) as usize;
    let mut body = bytes[20..20 + n].to_vec();
    // The body ends with the empty history (a single 0 byte) and the appendix of format 7 (no schema, no
    // initialisation, no target scaling: three 0 bytes; dropout 0.0: eight; no shifts: one; no class
    // weights: one; shuffled: a 1), the SIMD level of format 8 (none recorded: one 0 byte) and the job record
    // of format 9 (none: one 0 byte); make the history's length a u64 varint of 2^40.
    let mut tail = [0; 17];
    tail[14] = 1;
    assert_eq!(body.split_off(body.len() - 17), tail);
    body.push(253);
    body.extend_from_slice(&(1u64 << 40).to_le_bytes());
    body.extend_from_slice(&tail[1..]);
    ModelFile::frame(&body)
}

/// The job record of format 9 is what a resume runs: it must agree with the rest of the file, and a record
/// edited to disagree (a forged rate) is refused with the file's other records untouched.
#[test]
fn a_job_record_that_disagrees_with_the_file_is_refused() {
    let good = model_file(&adam_run()).to_bytes().unwrap();
    let c = ModelFile::from_bytes(&good, Path::new("m")).unwrap();
    let t = c.training.as_ref().unwrap();
    let job = JobSpec::of_file(&c, 7, Threads::Single, None)
        .unwrap()
        .unwrap();
    assert_eq!((job.config.lr, job.config.epochs), (t.run.lr, 7));
    let lr = format!("\"lr\":{}", t.run.lr);
    assert!(t.job.as_ref().unwrap().contains(&lr));
    for forged in [
        t.job.as_ref().unwrap().replace(&lr, "\"lr\":0.5"),
        "{".to_string(),
    ] {
        let bytes = with_body(&good, |c| {
            c.training.as_mut().unwrap().job = Some(forged.clone())
        });
        let c = ModelFile::from_bytes(&bytes, Path::new("m")).unwrap();
        let why = JobSpec::of_file(&c, 7, Threads::Single, None).unwrap_err();
        assert!(why.contains("job record"), "{why}");
    }
}

/// The model file fuzzer's kept inputs (`fuzz/seeds/model_file`), replayed through the check the fuzz target
/// makes (`fuzz/checks/model_file.rs`): as a file and re-framed as a body; each gives a model or an error,
/// never a panic, and a body that loads is written back to the same bytes.
#[test]
fn model_file_fuzz_seeds_replay_without_a_panic() {
    for (path, data) in fuzz_seeds::seeds("model_file", 3) {
        fuzz_check::check(&data, &path);
    }
}

#[path = "../../../fuzz/checks/model_file.rs"]
mod fuzz_check;
#[path = "../../../fuzz/checks/seeds.rs"]
mod fuzz_seeds;
