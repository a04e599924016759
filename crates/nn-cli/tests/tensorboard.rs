//! `nn train --logdir`: the event files are TensorFlow records (lengths and masked CRC-32Cs checked here by a
//! reader of the test's own), each epoch one event of scalars at step = epoch, and a resumed run continues
//! the curve: a SessionLog START at its first epoch, then exactly the epochs after it.

use crate::common::{blobs, scratch, stderr, train_on};
use std::collections::BTreeMap;
use std::path::Path;

/// One decoded event: its step, its scalars by tag, and whether it is a SessionLog START or the file
/// version record.
#[derive(Debug, Default)]
struct Event {
    wall_time: f64,
    step: u64,
    scalars: BTreeMap<String, f32>,
    start: bool,
    version: Option<String>,
}

fn masked_crc(data: &[u8]) -> u32 {
    crc32c::crc32c(data)
        .rotate_right(15)
        .wrapping_add(0xa282_ead8)
}

/// The records of an event file, each checked against its two CRCs.
fn records(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let len_bytes = &bytes[at..at + 8];
        let len = u64::from_le_bytes(len_bytes.try_into().unwrap()) as usize;
        let crc = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap());
        assert_eq!(crc, masked_crc(len_bytes), "length CRC at byte {at}");
        let data = &bytes[at + 12..at + 12 + len];
        let crc = u32::from_le_bytes(bytes[at + 12 + len..at + 16 + len].try_into().unwrap());
        assert_eq!(crc, masked_crc(data), "data CRC at byte {at}");
        out.push(data);
        at += 16 + len;
    }
    out
}

fn varint(b: &[u8], at: &mut usize) -> u64 {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let byte = b[*at];
        *at += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// The fields of a protobuf message: (field number, varint value or the bytes of a length-delimited or
/// fixed-width field).
fn fields(b: &[u8]) -> Vec<(u64, u64, &[u8])> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < b.len() {
        let key = varint(b, &mut at);
        let (field, wire) = (key >> 3, key & 7);
        match wire {
            0 => out.push((field, varint(b, &mut at), &b[0..0])),
            1 => {
                out.push((field, 0, &b[at..at + 8]));
                at += 8;
            }
            2 => {
                let n = varint(b, &mut at) as usize;
                out.push((field, 0, &b[at..at + n]));
                at += n;
            }
            5 => {
                out.push((field, 0, &b[at..at + 4]));
                at += 4;
            }
            other => panic!("wire type {other}"),
        }
    }
    out
}

fn decode(record: &[u8]) -> Event {
    let mut e = Event::default();
    for (field, v, bytes) in fields(record) {
        match field {
            1 => e.wall_time = f64::from_le_bytes(bytes.try_into().unwrap()),
            2 => e.step = v,
            3 => e.version = Some(String::from_utf8(bytes.to_vec()).unwrap()),
            5 => {
                for (_, _, value) in fields(bytes) {
                    let (mut tag, mut x) = (String::new(), f32::NAN);
                    for (f, _, b) in fields(value) {
                        match f {
                            1 => tag = String::from_utf8(b.to_vec()).unwrap(),
                            2 => x = f32::from_le_bytes(b.try_into().unwrap()),
                            _ => {}
                        }
                    }
                    e.scalars.insert(tag, x);
                }
            }
            7 => e.start = fields(bytes).iter().any(|&(f, v, _)| f == 1 && v == 1),
            other => panic!("unexpected Event field {other}"),
        }
    }
    e
}

/// The decoded events of each file in `dir`, oldest file first (by the time of its first event).
fn runs(dir: &Path) -> Vec<Vec<Event>> {
    let mut runs: Vec<Vec<Event>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| {
            let bytes = std::fs::read(f.unwrap().path()).unwrap();
            records(&bytes).into_iter().map(decode).collect()
        })
        .collect();
    runs.sort_by(|a: &Vec<Event>, b| a[0].wall_time.total_cmp(&b[0].wall_time));
    for run in &runs {
        assert!(run.iter().all(|e| e.wall_time > 1.7e9), "wall times");
    }
    runs
}

#[test]
fn logdir_writes_every_epoch_and_a_resume_continues_the_curve() {
    let dir = scratch("tensorboard");
    let data = blobs(&dir);
    let (model, logs) = (dir.join("m.nnm"), dir.join("logs"));
    let logdir = logs.to_str().unwrap();
    let first = train_on(
        &data,
        &model,
        &[
            "--hidden", "4", "--epochs", "12", "--lambda", "0.1", "--split", "0.7,0.1", "--logdir",
            logdir, "-q",
        ],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let resumed = train_on(
        &data,
        &model,
        &[
            "--resume",
            model.to_str().unwrap(),
            "--epochs",
            "20",
            "--logdir",
            logdir,
            "-q",
        ],
    );
    assert!(resumed.status.success(), "{}", stderr(&resumed));

    let runs = runs(&logs);
    assert_eq!(runs.len(), 2);
    for run in &runs {
        assert_eq!(run[0].version.as_deref(), Some("brain.Event:2"));
    }
    // The first run: START at 1, then epochs 1..=12, each with every part's scalars and the learning rate.
    assert!(runs[0][1].start && runs[0][1].step == 1);
    let steps: Vec<u64> = runs[0][2..].iter().map(|e| e.step).collect();
    assert_eq!(steps, (1..=12).collect::<Vec<_>>());
    let tags: Vec<&str> = runs[0][2].scalars.keys().map(String::as_str).collect();
    for tag in [
        "lr",
        "train/loss",
        "train/cost",
        "train/accuracy",
        "train/f1",
        "validation/loss",
        "validation/accuracy",
        "test/loss",
    ] {
        assert!(tags.contains(&tag), "{tag} missing from {tags:?}");
    }
    assert!(runs[0][13].scalars["train/loss"] < runs[0][2].scalars["train/loss"]);
    // The resumed run: START at 13, then 13..=20, no epoch repeated or missing.
    assert!(runs[1][1].start && runs[1][1].step == 13);
    let steps: Vec<u64> = runs[1][2..].iter().map(|e| e.step).collect();
    assert_eq!(steps, (13..=20).collect::<Vec<_>>());
}

#[test]
fn an_unwritable_logdir_warns_and_training_goes_on() {
    let dir = scratch("tensorboard-bad");
    let data = blobs(&dir);
    let blocker = dir.join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let out = train_on(
        &data,
        &dir.join("m.nnm"),
        &[
            "--epochs",
            "3",
            "--logdir",
            blocker.join("logs").to_str().unwrap(),
            "-q",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("warning: --logdir: "),
        "{}",
        stderr(&out)
    );
    assert!(dir.join("m.nnm").is_file());
}

#[test]
fn a_sweep_gives_each_job_a_run_named_by_its_settings() {
    let dir = scratch("tensorboard-sweep");
    blobs(&dir);
    let spec = dir.join("spec.toml");
    std::fs::write(
        &spec,
        "data = \"blobs.txt\"\nseeds = [1]\n\n[train]\nepochs = 5\n\n[grid]\nhidden = [\"3\", \"4,4\"]\n",
    )
    .unwrap();
    let logs = dir.join("logs");
    let out = crate::common::nn()
        .arg("sweep")
        .arg(&spec)
        .arg("--out")
        .arg(dir.join("sweep"))
        .arg("--logdir")
        .arg(&logs)
        .arg("-q")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut names: Vec<String> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["hidden=3 seed=1", "hidden=4,4 seed=1"]);
    for name in names {
        let run = &runs(&logs.join(name))[0];
        let steps: Vec<u64> = run[2..].iter().map(|e| e.step).collect();
        assert_eq!(steps, (1..=5).collect::<Vec<_>>());
    }
}
