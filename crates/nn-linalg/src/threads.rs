//! How many threads a matrix product may use.

use std::num::NonZeroUsize;

/// Thread control for matrix products, mapped onto faer's per-call parallelism.
///
/// Products below [`Threads::MIN_PARALLEL_FLOPS`] always run on the calling thread: dispatching tiny work to a
/// pool costs more than it saves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Threads {
    /// Run on the calling thread only.
    Single,
    /// Use exactly this many threads of the global pool.
    Fixed(NonZeroUsize),
    /// Use every thread of the global pool (one per core unless `RAYON_NUM_THREADS` says otherwise).
    #[default]
    All,
}

impl Threads {
    /// Work (multiply-adds × 2) below which a product runs single-threaded whatever the setting.
    pub const MIN_PARALLEL_FLOPS: usize = 1 << 21;

    /// `0` means all threads, `1` a single thread, and `n` exactly `n`.
    pub fn from_count(n: usize) -> Self {
        match NonZeroUsize::new(n) {
            None => Threads::All,
            Some(n) if n.get() == 1 => Threads::Single,
            Some(n) => Threads::Fixed(n),
        }
    }

    /// The number of threads this setting stands for on this machine.
    pub fn count(self) -> usize {
        match self {
            Threads::Single => 1,
            Threads::Fixed(n) => n.get(),
            Threads::All => faer::Par::rayon(0).degree(),
        }
    }

    pub(crate) fn par_for(self, flops: usize) -> faer::Par {
        if flops < Self::MIN_PARALLEL_FLOPS {
            return faer::Par::Seq;
        }
        match self {
            Threads::Single => faer::Par::Seq,
            Threads::Fixed(n) => faer::Par::Rayon(n),
            Threads::All => faer::Par::rayon(0),
        }
    }
}
