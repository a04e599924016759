//! A file's rows read on a thread of their own, a batch at a time, while the caller's thread types the cells
//! of the batch before. Splitting the fields and checking the text is about half the work of reading a large
//! numeric CSV and parsing its numbers the other half, so on two cores the two halves overlap.
//!
//! The caller sees the rows in the file's order, and a reading error exactly where the file has it: after
//! every row before it. At most [`IN_FLIGHT`] batches are read ahead, so memory stays bounded whatever the
//! file's size, and the rows' buffers are handed back and reused.

use super::input::Input;
use crate::error::Result;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

/// Rows in a batch.
const BATCH: usize = 1024;
/// Batches read ahead of the one being typed.
const IN_FLIGHT: usize = 2;

/// Rows, each with the line it starts on; only the first `len` are this batch's.
#[derive(Default)]
struct Batch {
    rows: Vec<(usize, csv::StringRecord)>,
    len: usize,
}

enum Message {
    Rows(Batch),
    End,
    Failed(crate::error::DataError),
}

/// The caller's end: the rows one at a time.
pub(super) struct Rows {
    full: Receiver<Message>,
    empty: Sender<Batch>,
    batch: Batch,
    at: usize,
    done: bool,
}

impl Rows {
    /// The next row and the line it starts on; `None` after the last; the reader's error where it occurred.
    pub(super) fn next(&mut self) -> Result<Option<(usize, &csv::StringRecord)>> {
        while self.at == self.batch.len {
            if self.done {
                return Ok(None);
            }
            // The reader may have stopped for want of a place to put rows; a closed channel only means it
            // has finished.
            let spent = std::mem::take(&mut self.batch);
            let _ = self.empty.send(spent);
            self.at = 0;
            match self.full.recv() {
                Ok(Message::Rows(batch)) => self.batch = batch,
                Ok(Message::End) => self.done = true,
                Ok(Message::Failed(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The reader always says End or Failed before it stops; without either it panicked, and the
                // scope that joins it passes the panic on.
                Err(_) => self.done = true,
            }
        }
        let (line, record) = &self.batch.rows[self.at];
        self.at += 1;
        Ok(Some((*line, record)))
    }
}

/// Runs `consume` on `input`'s rows, read on a second thread.
pub(super) fn rows<T>(input: Input<'_>, consume: impl FnOnce(&mut Rows) -> Result<T>) -> Result<T> {
    std::thread::scope(|scope| {
        let (full_tx, full) = sync_channel(IN_FLIGHT);
        let (empty, empty_rx) = channel();
        scope.spawn(move || read(input, full_tx, empty_rx));
        let mut rows = Rows {
            full,
            empty,
            batch: Batch::default(),
            at: 0,
            done: false,
        };
        // Returning drops `rows`: a reader still going finds its channel closed and stops.
        consume(&mut rows)
    })
}

/// The reading thread: fills batches (reusing the ones handed back) until the end, an error, or until the
/// caller stops listening.
fn read(mut input: Input<'_>, full: SyncSender<Message>, empty: Receiver<Batch>) {
    loop {
        // A batch the caller has handed back, else a new one (while the first few are in flight).
        let mut batch = empty.try_recv().unwrap_or_default();
        batch.len = 0;
        let mut last = None;
        while batch.len < BATCH {
            match input.next() {
                Ok(Some(line)) => {
                    match batch.rows.get_mut(batch.len) {
                        Some((at, record)) => {
                            *at = line;
                            // The record's buffers go to `input` for the next row: nothing is allocated
                            // once every batch has been filled once.
                            std::mem::swap(record, &mut input.record);
                        }
                        None => batch.rows.push((line, std::mem::take(&mut input.record))),
                    }
                    batch.len += 1;
                }
                Ok(None) => {
                    last = Some(Message::End);
                    break;
                }
                Err(e) => {
                    last = Some(Message::Failed(e));
                    break;
                }
            }
        }
        if batch.len > 0 && full.send(Message::Rows(batch)).is_err() {
            return;
        }
        if let Some(last) = last {
            let _ = full.send(last);
            return;
        }
    }
}
