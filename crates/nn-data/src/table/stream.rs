//! A file's rows, read and split on threads of their own while the caller's thread types them into columns.
//!
//! - One thread reads the text in blocks of whole lines ([`Split::block`] bytes, 256 KiB, and the rest of the
//!   last line), and counts their lines.
//! - Workers, one per core, each take every `W`-th block: they check that it is UTF-8, split it into rows and
//!   cells ([`Batch::split`]) and parse the numbers. Splitting and parsing were nearly all of reading a large
//!   numeric CSV, and blocks are independent, so this is the part spread over the cores.
//! - From the first line that holds a `"`, the `csv` crate splits the rest of the text on the reading thread
//!   (a quoted cell may hold delimiters and line breaks), and the workers only parse the numbers. (Before it,
//!   every line feed ends a row.)
//! - The caller's thread adds each batch to the columns, a column at a time where it can
//!   ([`Builder::push_batch`](super::builder::Builder::push_batch)).
//!
//! The caller sees the rows in the file's order, and a reading error exactly where the file has it: after
//! every row before it. Each worker holds at most a few batches, so memory stays bounded whatever the file's
//! size, and the batches' buffers are handed back and reused.

use super::Delimiter;
use super::input::{Input, io_error};
use super::lines::{Batch, Row};
use crate::error::{DataError, Result};
use std::io::{BufRead, Read};
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

/// Rows in a batch split by the `csv` crate.
const BATCH_ROWS: usize = 4096;

/// The text to split: its source, its name in errors, its delimiter, how large a block is, and how many
/// workers split the blocks.
pub(super) struct Source<'a> {
    pub(super) reader: Box<dyn BufRead + Send + 'a>,
    pub(super) path: &'a Path,
    pub(super) delimiter: Delimiter,
    pub(super) split: Split,
}

/// How the text is cut up: bytes in a block (it ends at the end of the line this falls in) and workers.
/// Neither changes the rows or the errors, only the speed and the memory.
#[derive(Clone, Copy, Debug)]
pub(super) struct Split {
    pub(super) block: usize,
    pub(super) workers: usize,
}

impl Default for Split {
    /// Blocks of 256 KiB, and a worker per core (at most 4).
    fn default() -> Self {
        Split {
            block: 1 << 18,
            workers: crate::threads::reading_threads(),
        }
    }
}

/// What the reading thread asks of a worker.
enum Job {
    /// Split these lines, the first of them line `first_line`, into `into`.
    Lines {
        bytes: Vec<u8>,
        first_line: usize,
        into: Batch,
    },
    /// Parse the numbers of rows that the `csv` crate has split.
    Split(Batch),
    End,
    Failed(DataError),
}

/// What a worker hands the caller.
enum Message {
    Rows(Batch),
    End,
    Failed(DataError),
}

/// The caller's end: the rows one at a time.
pub(super) struct Rows {
    /// Worker `k`'s results; batch `n` of the file comes from worker `n % W`.
    results: Vec<Receiver<Message>>,
    next: usize,
    spent: Sender<Batch>,
    batch: Batch,
    at: usize,
    done: bool,
}

impl Rows {
    /// The next row; `None` after the last; the reader's error where it occurred.
    pub(super) fn next(&mut self) -> Result<Option<Row<'_>>> {
        if !self.fetch()? {
            return Ok(None);
        }
        self.at += 1;
        Ok(Some(self.batch.row(self.at - 1)))
    }

    /// The rest of the rows of the current batch, or the next batch: the batch and the first of its rows not
    /// yet seen. `None` after the last; the reader's error where it occurred.
    pub(super) fn next_batch(&mut self) -> Result<Option<(&Batch, usize)>> {
        if !self.fetch()? {
            return Ok(None);
        }
        let from = self.at;
        self.at = self.batch.rows();
        Ok(Some((&self.batch, from)))
    }

    /// Moves to the next batch if every row of this one has been seen: false after the last.
    fn fetch(&mut self) -> Result<bool> {
        while self.at == self.batch.rows() {
            if let Some(e) = self.batch.failed.take() {
                self.done = true;
                return Err(e);
            }
            if self.done {
                return Ok(false);
            }
            // The reader may have stopped; a closed channel only means it has finished.
            let _ = self.spent.send(std::mem::take(&mut self.batch));
            self.at = 0;
            let from = &self.results[self.next % self.results.len()];
            self.next += 1;
            match from.recv() {
                Ok(Message::Rows(batch)) => self.batch = batch,
                Ok(Message::End) => self.done = true,
                Ok(Message::Failed(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // A worker always passes on End or Failed before the channels close; without either a thread
                // panicked, and the scope that joins it passes the panic on.
                Err(_) => self.done = true,
            }
        }
        Ok(true)
    }
}

/// Runs `consume` on the rows of `source`, read and split on other threads.
pub(super) fn rows<T>(
    source: Source<'_>,
    consume: impl FnOnce(&mut Rows) -> Result<T>,
) -> Result<T> {
    std::thread::scope(|scope| {
        let (spent, spent_rx) = channel();
        let workers = source.split.workers.max(1);
        let mut jobs = Vec::with_capacity(workers);
        let mut results = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (job_tx, job_rx) = sync_channel(1);
            let (result_tx, result_rx) = sync_channel(1);
            let (delimiter, path) = (source.delimiter, source.path);
            scope.spawn(move || work(job_rx, result_tx, delimiter, path));
            jobs.push(job_tx);
            results.push(result_rx);
        }
        scope.spawn(move || read(source, jobs, spent_rx));
        let mut rows = Rows {
            results,
            next: 0,
            spent,
            batch: Batch::default(),
            at: 0,
            done: false,
        };
        // Returning drops `rows`: the workers find their channels closed and stop, and so does the reader.
        consume(&mut rows)
    })
}

/// A worker: does each job it is given and passes the result on, until the reader or the caller stops.
fn work(jobs: Receiver<Job>, results: SyncSender<Message>, delimiter: Delimiter, path: &Path) {
    for job in jobs {
        let message = match job {
            Job::Lines {
                bytes,
                first_line,
                mut into,
            } => {
                into.split(bytes, first_line, delimiter, path);
                into.by_column();
                Message::Rows(into)
            }
            Job::Split(mut batch) => {
                batch.parse_numbers();
                batch.by_column();
                Message::Rows(batch)
            }
            Job::End => Message::End,
            Job::Failed(e) => Message::Failed(e),
        };
        if results.send(message).is_err() {
            return;
        }
    }
}

/// Hands job `n` to worker `n % W`: false once the workers have stopped.
struct Dealer {
    jobs: Vec<SyncSender<Job>>,
    sent: usize,
}

impl Dealer {
    fn deal(&mut self, job: Job) -> bool {
        let to = &self.jobs[self.sent % self.jobs.len()];
        self.sent += 1;
        to.send(job).is_ok()
    }
}

/// The reading thread: blocks of lines for the workers until the end, an error, or the first `"` (after which
/// the `csv` crate splits the rest); batches the caller has finished with are reused.
fn read(source: Source<'_>, jobs: Vec<SyncSender<Job>>, spent: Receiver<Batch>) {
    let Source {
        mut reader,
        path,
        delimiter,
        split,
    } = source;
    let block = split.block.max(1);
    let mut dealer = Dealer { jobs, sent: 0 };
    // The line the next block starts on.
    let mut line = 1;
    loop {
        let mut into = spent.try_recv().unwrap_or_default();
        let mut bytes = into.take_buffer();
        let failed = fill(&mut reader, &mut bytes, block).err();
        // Quotes matter from the line the first one is on (and never to whitespace splitting): the lines
        // before it are dealt out as any others, and the rest goes to the csv crate.
        let quoted = (delimiter.byte()).and_then(|d| Some((d, memchr::memchr(b'"', &bytes)?)));
        let rest = quoted.map(|(byte, quote)| {
            let start = memchr::memrchr(b'\n', &bytes[..quote]).map_or(0, |i| i + 1);
            let mut rest = bytes.split_off(start);
            if line > 1 || start > 0 {
                // The csv crate drops a byte order mark that opens its text. Past the file's start, one is put
                // first, for it to drop, so that a mark there stays in its cell. (It goes in the same buffer as
                // the text after it: a first read that held only the mark would look to the csv crate like the
                // end of the text.)
                rest.splice(0..0, "\u{feff}".bytes());
            }
            (byte, rest)
        });
        let lines = memchr::memchr_iter(b'\n', &bytes).count();
        let empty = bytes.is_empty();
        if !empty
            && !dealer.deal(Job::Lines {
                bytes,
                first_line: line,
                into,
            })
        {
            return;
        }
        line += lines;
        if let Some((byte, rest)) = rest {
            let rest = std::io::Cursor::new(rest);
            // After a failed read the text stops at the last whole line before the failure, and the error
            // follows its rows.
            let (text, after): (Box<dyn BufRead + Send + '_>, _) = match failed {
                Some(e) => (Box::new(rest), Job::Failed(io_error(e, path))),
                None => (Box::new(rest.chain(reader)), Job::End),
            };
            let input = Input::new(text, path, byte, line - 1);
            return read_quoted(input, after, dealer, spent);
        }
        let last = match failed {
            Some(e) => Job::Failed(io_error(e, path)),
            None if empty => Job::End,
            None => continue,
        };
        dealer.deal(last);
        return;
    }
}

/// The rest of the text, split by the `csv` crate on this thread; `after` follows its rows (the error that
/// ended the text given to `input`, or the end).
fn read_quoted(mut input: Input<'_>, after: Job, mut dealer: Dealer, spent: Receiver<Batch>) {
    let mut after = Some(after);
    loop {
        let mut batch = spent.try_recv().unwrap_or_default();
        batch.clear();
        let mut last = None;
        while batch.rows() < BATCH_ROWS {
            match input.next() {
                Ok(Some(line)) => batch.push_record(line, &input.record),
                Ok(None) => {
                    last = after.take();
                    break;
                }
                Err(e) => {
                    last = Some(Job::Failed(e));
                    break;
                }
            }
        }
        if batch.rows() > 0 && !dealer.deal(Job::Split(batch)) {
            return;
        }
        if let Some(last) = last {
            dealer.deal(last);
            return;
        }
    }
}

/// Appends to `bytes` about `block` bytes of `reader`: the whole lines they fall in. On an error, `bytes`
/// holds the whole lines read before it.
fn fill(reader: &mut dyn BufRead, bytes: &mut Vec<u8>, block: usize) -> std::io::Result<()> {
    let result = (|| {
        while bytes.len() < block {
            let buffer = reader.fill_buf()?;
            if buffer.is_empty() {
                return Ok(());
            }
            let n = buffer.len().min(block - bytes.len());
            bytes.extend_from_slice(&buffer[..n]);
            reader.consume(n);
        }
        if bytes.last() != Some(&b'\n') {
            reader.read_until(b'\n', bytes)?;
        }
        Ok(())
    })();
    if result.is_err() {
        let whole = memchr::memrchr(b'\n', bytes).map_or(0, |i| i + 1);
        bytes.truncate(whole);
    }
    result
}
