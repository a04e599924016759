//! How many threads reading a large file, and a pass over a large matrix, use.

/// The threads that read and encode a large file: one per core, at most 4.
pub(crate) fn reading_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
}

/// The threads for a pass over a matrix of `entries` values: [`reading_threads`] from 2^20 (8 MiB of f64) on,
/// and one below it, where the threads would cost more than they save.
pub(crate) fn threads_for(entries: usize) -> usize {
    if entries >= 1 << 20 {
        reading_threads()
    } else {
        1
    }
}
