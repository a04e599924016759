//! [`OutputLock`]: one writer per output file. A process that writes a file for a long time (a training run's
//! model file, a sweep job's folder) holds an advisory lock on a small lock file beside it, `.NAME.lock`,
//! holding its pid; a second writer is refused at once, with the holder's pid.
//!
//! The lock is the operating system's (`flock` on Unix, `LockFileEx` on Windows, through `std::fs::File`'s
//! locks), so a writer that is killed, even with `kill -9`, releases it. It is advisory: only writers that
//! ask for it are kept out, which every writer of nn does.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// An exclusive lock on an output file, held until dropped.
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
    // Kept open: closing it releases the lock.
    _file: File,
}

/// Why a lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error("{} is being written by another process{}; wait for it to end, or write elsewhere", output.display(), pid.map_or(String::new(), |p| format!(" (pid {p})")))]
    Held {
        /// The output file.
        output: PathBuf,
        /// The holder's pid, as it wrote it in the lock file.
        pid: Option<u32>,
    },
    /// The lock file could not be made or locked.
    #[error("{}: {source}", lock.display())]
    Io {
        /// The lock file.
        lock: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
}

impl OutputLock {
    /// The lock file of `output`: `.NAME.lock` beside it.
    pub fn lock_path(output: &Path) -> PathBuf {
        let dir = output.parent().unwrap_or(Path::new(""));
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        dir.join(format!(".{name}.lock"))
    }

    /// Takes the lock on `output`, or says who holds it. Then removes the temporary files that an earlier
    /// writer of `output` left when it was killed ([`write_atomically`](crate::write_atomically)'s
    /// `.NAME.tmp-PID`): with the lock held, no live process is writing them.
    pub fn acquire(output: &Path) -> Result<OutputLock, LockError> {
        let path = Self::lock_path(output);
        let io = |source| LockError::Io {
            lock: path.clone(),
            source,
        };
        loop {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(LockError::Held {
                        output: output.to_path_buf(),
                        pid: text.trim().parse().ok(),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
            // The holder before us may have removed the file after we opened it: then the lock we hold is on
            // a file nobody else will open, and we take the one at the path anew.
            if !same_file(&file, &path) {
                continue;
            }
            file.set_len(0).map_err(io)?;
            file.rewind().map_err(io)?;
            write!(file, "{}", std::process::id()).map_err(io)?;
            remove_stale_temporaries(output);
            return Ok(OutputLock { path, _file: file });
        }
    }
}

impl Drop for OutputLock {
    /// Removes the lock file while still holding the lock; a process waiting on the old file sees it gone
    /// (see [`OutputLock::acquire`]) and takes a new one.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// `file` is the file now at `path`.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.exists()
    }
}

/// Removes `.NAME.tmp-*` beside `output`: what a killed writer of `output` left.
fn remove_stale_temporaries(output: &Path) {
    let dir = output
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(name) = output.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
