//! How many threads a matrix product may use, and where they come from.

use std::num::NonZeroUsize;

/// Thread control for matrix products.
///
/// A product with several threads splits its *output* into two blocks of rows (or columns) per thread, each
/// computed by one sequential faer product on a thread of rayon's global pool. Every output element is still one dot
/// product over the whole inner dimension in the same order, so results do not depend on the thread count.
/// Products below [`Threads::MIN_PARALLEL_FLOPS`] always run on the calling thread: dispatching tiny work to a
/// pool costs more than it saves. The hidden layers' activation pass splits whole columns between the threads
/// the same way ([`ops::for_column_blocks`](crate::ops::for_column_blocks)), from
/// [`Threads::MIN_PARALLEL_ELEMENTS`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Threads {
    /// Run on the calling thread only.
    Single,
    /// Split products into exactly this many parts.
    Fixed(NonZeroUsize),
    /// One part per thread of the global pool (one per core unless `RAYON_NUM_THREADS` says otherwise).
    #[default]
    All,
}

impl Threads {
    /// Work (multiply-adds × 2) below which a product runs single-threaded whatever the setting: about 0.2 ms
    /// on one core, not much more than waking a sleeping pool thread costs. (Also splitting the digits epoch's
    /// 5-MFLOP output-layer products left the epoch as fast in f64 and 2% slower in f32.)
    pub const MIN_PARALLEL_FLOPS: usize = 1 << 24;

    /// Elements below which elementwise work ([`ops::for_column_blocks`](crate::ops::for_column_blocks)) runs
    /// on the calling thread whatever the setting.
    pub const MIN_PARALLEL_ELEMENTS: usize = 1 << 16;

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
            Threads::All => rayon::current_num_threads(),
        }
    }

    /// How many parts a product of `flops` is split into: two per thread, so that a thread that starts late
    /// (woken from sleep) still finds a part to take instead of leaving a whole half to the other.
    pub(crate) fn parts_for(self, flops: usize) -> usize {
        match self.count() {
            1 => 1,
            _ if flops < Self::MIN_PARALLEL_FLOPS => 1,
            n => 2 * n,
        }
    }

    /// Runs `work` where this setting's parallel products allocate nothing: on a thread of rayon's pool, whose
    /// work queues are already allocated (entering the pool from outside queues a job, and the queue allocates
    /// a block every few dozen entries). The caller waits for it. With [`Threads::Single`], `work` simply runs
    /// here. A training loop runs under this once, not once per epoch.
    pub fn run<R: Send>(self, work: impl FnOnce() -> R + Send) -> R {
        match self {
            Threads::Single => work(),
            Threads::Fixed(_) | Threads::All => rayon::scope(|_| work()),
        }
    }
}
