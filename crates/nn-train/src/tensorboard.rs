//! TensorBoard event files: what `nn train --logdir DIR` writes, so that `tensorboard --logdir DIR` shows a run
//! while it trains.
//!
//! A file is a sequence of records in TensorFlow's record format: the data's length (u64, little-endian), the
//! masked CRC-32C of those 8 bytes (u32), the data, and the data's masked CRC-32C. Each record's data is an
//! `Event` protocol buffer (tensorflow/core/util/event.proto). Three kinds are written, encoded here by hand
//! (they need five fields):
//!
//! ```text
//! Event { wall_time: double = 1; step: int64 = 2; file_version: string = 3; summary: Summary = 5;
//!         session_log: SessionLog = 7 }
//! Summary { repeated Value value = 1 }   Value { tag: string = 1; simple_value: float = 2 }
//! SessionLog { status: enum = 1 }        (START = 1)
//! ```
//!
//! The first record names the format (`brain.Event:2`); the second is a `SessionLog` START at the run's first
//! epoch. TensorBoard takes a run directory's first START as the start of the session and every later one as
//! a restart, dropping the points at and after its step from the earlier files. So a resumed run, which
//! repeats the epochs run after the model file's last write, continues the curve with no repeated or missing
//! step. Each epoch is one record, appended and flushed: a run
//! killed mid-write leaves at most a truncated last record, which TensorBoard's reader stops at. Every file
//! has its own name (time, host, process, and a counter), created with `create_new`, so no two writers ever
//! share one. An epoch's record is encoded into buffers the file keeps, so after the first epoch logging
//! allocates nothing (`tests/allocations.rs`); its one I/O is the record's write.

use crate::epoch::{EpochReport, PartMetrics};
use crate::metrics::{Scores, weighted_f1};
use crate::report::TrainEvent;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// An event file being written.
#[derive(Debug)]
pub struct EventFile {
    path: PathBuf,
    file: File,
    /// Scratch, reused from record to record: the event, its summary, one value, and the framed record.
    event: Vec<u8>,
    summary: Vec<u8>,
    value: Vec<u8>,
    framed: Vec<u8>,
}

impl EventFile {
    /// Makes a new event file in `dir` (and `dir` if missing) for a run whose first epoch is `first_step`.
    pub fn create(dir: &Path, first_step: u64) -> io::Result<EventFile> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        std::fs::create_dir_all(dir)?;
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
        let host: String = (host.chars())
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!(
            "events.out.tfevents.{:010}.{host}.{}.{}",
            now().as_secs(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = dir.join(name);
        let file = File::options().write(true).create_new(true).open(&path)?;
        let mut events = EventFile {
            path,
            file,
            event: Vec::new(),
            summary: Vec::new(),
            value: Vec::new(),
            framed: Vec::new(),
        };
        event_head(&mut events.event, 0);
        field_bytes(&mut events.event, 3, b"brain.Event:2");
        events.write_event()?;
        event_head(&mut events.event, first_step);
        let mut session_log = Vec::new();
        field_varint(&mut session_log, 1, 1);
        field_bytes(&mut events.event, 7, &session_log);
        events.write_event()?;
        Ok(events)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes an epoch's report: every part's loss (and cost, with a penalty) and metrics, and the learning
    /// rate, at step = the epoch.
    pub fn epoch(&mut self, r: &EpochReport) -> io::Result<()> {
        self.epoch_with_classes(r, None)
    }

    /// [`epoch`](Self::epoch), and each part's weighted F1 and every class's precision, recall and F1 where
    /// `classes` holds that epoch's counts.
    fn epoch_with_classes(
        &mut self,
        r: &EpochReport,
        classes: Option<&ClassLog>,
    ) -> io::Result<()> {
        self.summary.clear();
        self.scalar(&["lr"], r.lr);
        for (part, m) in [
            ("train", Some(&r.train)),
            ("validation", r.validation.as_ref()),
            ("test", r.test.as_ref()),
        ] {
            if let Some(m) = m {
                self.part_scalars(part, m);
            }
        }
        if let Some(c) = classes.filter(|c| c.epoch == Some(r.epoch)) {
            self.class_scalars(c);
        }
        self.write_summary(r.epoch as u64)
    }

    /// The per-class scores of [`ClassLog`]'s counts, under its tags.
    fn class_scalars(&mut self, c: &ClassLog) {
        let k = c.tags.len() / PARTS.len();
        for (part, tags) in c.tags.chunks_exact(k.max(1)).enumerate() {
            if !c.present[part] {
                continue;
            }
            let counts = &c.counts[part * k..(part + 1) * k];
            self.scalar(&[&c.weighted[part]], weighted_f1(counts));
            for (tags, &[correct, predicted, actual]) in tags.iter().zip(counts) {
                let scores = Scores::of(correct, predicted, actual);
                for (tag, v) in tags
                    .iter()
                    .zip([scores.precision, scores.recall, scores.f1])
                {
                    self.scalar(&[tag], v);
                }
            }
        }
    }

    /// A part's loss, its cost where a penalty makes it differ, R² or accuracy, and MAE and F1 where known,
    /// tagged `part/name`.
    fn part_scalars(&mut self, part: &str, m: &PartMetrics) {
        self.scalar(&[part, "/loss"], m.loss);
        if m.cost != m.loss {
            self.scalar(&[part, "/cost"], m.cost);
        }
        match m.r2 {
            Some(r2) => self.scalar(&[part, "/r2"], r2),
            None => self.scalar(&[part, "/accuracy"], m.accuracy),
        }
        for (name, v) in [("/mae", m.mae), ("/f1", m.f1)] {
            if let Some(v) = v {
                self.scalar(&[part, name], v);
            }
        }
    }

    /// Appends one `Value { tag, simple_value }` to the summary; the tag is the concatenation of `tag`.
    fn scalar(&mut self, tag: &[&str], value: f64) {
        let v = &mut self.value;
        v.clear();
        key(v, 1, 2);
        varint(v, tag.iter().map(|t| t.len()).sum::<usize>() as u64);
        for t in tag {
            v.extend_from_slice(t.as_bytes());
        }
        key(v, 2, 5);
        v.extend_from_slice(&(value as f32).to_le_bytes());
        field_bytes(&mut self.summary, 1, &self.value);
    }

    /// The summary, as one event at `step`.
    fn write_summary(&mut self, step: u64) -> io::Result<()> {
        event_head(&mut self.event, step);
        field_bytes(&mut self.event, 5, &self.summary);
        self.write_event()
    }

    /// The event, framed as a record (length, its masked CRC, the data, its masked CRC), appended and flushed.
    fn write_event(&mut self) -> io::Result<()> {
        let (data, out) = (&self.event, &mut self.framed);
        let len = (data.len() as u64).to_le_bytes();
        out.clear();
        out.extend_from_slice(&len);
        out.extend_from_slice(&masked_crc(&len).to_le_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(&masked_crc(data).to_le_bytes());
        self.file.write_all(out)?;
        self.file.flush()
    }
}

/// An observer that logs a run into a TensorBoard log directory: the event file is made when the run starts,
/// and each epoch is appended. A failure to write stops the log, not the run: it is kept in `problem` for the
/// caller to report.
#[derive(Debug)]
pub struct TensorBoard<'a> {
    dir: &'a Path,
    file: Option<EventFile>,
    classes: Option<ClassLog>,
    /// What went wrong, if the log stopped.
    pub problem: Option<String>,
}

/// The parts, as TensorBoard's tags name them.
const PARTS: [&str; 3] = ["train", "validation", "test"];

/// A classification's per-class tags, and the counts of the epoch being logged (from
/// [`TrainEvent::Classes`], which comes before the epoch's [`TrainEvent::Epoch`]).
#[derive(Debug)]
struct ClassLog {
    /// Per part, `part/weighted_f1`.
    weighted: [String; 3],
    /// Per part and class (part-major), `part_by_class/precision/name`, `…/recall/…` and `…/f1/…`.
    tags: Vec<[String; 3]>,
    /// The epoch the counts are of.
    epoch: Option<usize>,
    /// Per part and class (part-major), `[correct, predicted, actual]`.
    counts: Vec<[usize; 3]>,
    present: [bool; 3],
}

impl<'a> TensorBoard<'a> {
    /// A log of the coming run in `dir`.
    pub fn new(dir: &'a Path) -> Self {
        TensorBoard {
            dir,
            file: None,
            classes: None,
            problem: None,
        }
    }

    /// A log of the coming run on `data` in `dir`: for a classification, [`with_classes`](Self::with_classes)
    /// its class names.
    pub fn for_dataset(dir: &'a Path, data: &nn_data::Dataset) -> Self {
        let log = Self::new(dir);
        match data.values() {
            None => log.with_classes(data.classes().names()),
            Some(_) => log,
        }
    }

    /// Also logs, for a classification with these classes, each part's weighted F1 (`train/weighted_f1`) and
    /// every class's precision, recall and F1 (`train_by_class/f1/<class>`): the metrics CSV's per-class
    /// columns. The tags are made here, so logging them allocates nothing per epoch.
    pub fn with_classes(mut self, names: &[String]) -> Self {
        let tags = PARTS
            .iter()
            .flat_map(|part| {
                names.iter().map(move |name| {
                    ["precision", "recall", "f1"]
                        .map(|score| format!("{part}_by_class/{score}/{name}"))
                })
            })
            .collect();
        self.classes = Some(ClassLog {
            weighted: PARTS.map(|part| format!("{part}/weighted_f1")),
            tags,
            epoch: None,
            counts: Vec::with_capacity(PARTS.len() * names.len()),
            present: [false; 3],
        });
        self
    }

    /// Logs what `e` says of the run.
    pub fn event<T: nn_linalg::Scalar>(&mut self, e: &TrainEvent<'_, T>) {
        if self.problem.is_some() {
            return;
        }
        let written = match e {
            TrainEvent::Start { first_epoch, .. } => {
                EventFile::create(self.dir, *first_epoch as u64).map(|f| self.file = Some(f))
            }
            TrainEvent::Classes {
                epoch,
                train,
                validation,
                test,
            } => {
                if let Some(c) = self.classes.as_mut() {
                    c.keep(*epoch, [Some(*train), *validation, *test]);
                }
                Ok(())
            }
            TrainEvent::Epoch(r) => match self.file.as_mut() {
                Some(f) => f.epoch_with_classes(r, self.classes.as_ref()),
                None => Ok(()),
            },
            _ => Ok(()),
        };
        if let Err(err) = written {
            self.problem = Some(format!("{}: {err}", self.dir.display()));
        }
    }
}

impl ClassLog {
    /// Keeps an epoch's counts (a part the run lacks is absent). Counts of another number of classes than the
    /// tags are not kept.
    fn keep(&mut self, epoch: usize, parts: [Option<&[[usize; 3]]>; 3]) {
        let k = self.tags.len() / PARTS.len();
        self.epoch = None;
        self.counts.clear();
        for (part, counts) in parts.into_iter().enumerate() {
            match counts {
                Some(c) if c.len() == k => self.counts.extend_from_slice(c),
                Some(_) => return,
                None => self.counts.extend(std::iter::repeat_n([0; 3], k)),
            }
            self.present[part] = counts.is_some();
        }
        self.epoch = Some(epoch);
    }
}

fn now() -> std::time::Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// TensorFlow's masked CRC-32C: the checksum rotated right by 15 bits plus a constant, so that a CRC of data
/// that itself holds CRCs stays well distributed.
pub fn masked_crc(data: &[u8]) -> u32 {
    let crc = crc32c::crc32c(data);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// Starts `e` afresh with an event's wall time and step (a step of 0 is left out, as protocol buffers leave
/// out a default: the file-version event is then 24 bytes, as TensorFlow writes it).
fn event_head(e: &mut Vec<u8>, step: u64) {
    e.clear();
    key(e, 1, 1);
    e.extend_from_slice(&now().as_secs_f64().to_le_bytes());
    if step != 0 {
        field_varint(e, 2, step);
    }
}

fn key(out: &mut Vec<u8>, field: u32, wire: u32) {
    varint(out, u64::from(field << 3 | wire));
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn field_varint(out: &mut Vec<u8>, field: u32, v: u64) {
    key(out, field, 0);
    varint(out, v);
}

fn field_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    key(out, field, 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRC-32C's check value, and the masked CRC that starts nearly every TensorFlow event file: that of
    /// the length field of its 24-byte first record (`18 00 00 00 00 00 00 00`, then `a3 7f 4b 22`).
    #[test]
    fn masked_crc_of_known_inputs() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(masked_crc(&24u64.to_le_bytes()), 0x224b_7fa3);
    }

    #[test]
    fn varints_are_protobuf_varints() {
        let mut v = Vec::new();
        varint(&mut v, 300);
        assert_eq!(v, [0xAC, 0x02]);
        let mut k = Vec::new();
        key(&mut k, 5, 2);
        assert_eq!(k, [0x2A]);
    }
}
