//! How many threads a matrix product may use, and where they come from.

use crate::Scalar;
use crate::product::{Accum, product};
use std::num::NonZeroUsize;

/// Thread control for matrix products.
///
/// A product with several threads splits its *output* into two blocks of rows (or columns) per thread, each
/// computed by one sequential faer product on a thread of the pool it runs in: under [`Threads::run`], a
/// dedicated pool of exactly `n` threads for [`Threads::Fixed`], rayon's global pool for [`Threads::All`]. Every output element is still one dot
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

    /// Runs `work` on the threads this setting stands for, where its parallel products allocate nothing: on a
    /// thread of a rayon pool, whose work queues are already allocated (entering a pool from outside queues a
    /// job, and the queue allocates a block every few dozen entries). The caller waits for it.
    ///
    /// - [`Threads::Single`]: `work` simply runs here.
    /// - [`Threads::Fixed`]`(n)`: a dedicated pool of exactly `n` threads (named `nn-worker-i`) is built for the
    ///   call, so `--threads 2` uses two cores whatever the machine has. Should the system refuse to start its
    ///   threads, `work` runs on the global pool instead; the results are the same bits either way.
    /// - [`Threads::All`]: rayon's global pool.
    ///
    /// Before `work` starts, every thread of the pool runs one small product of each precision: faer's blocked
    /// kernel creates a per-thread packing buffer the first time a thread multiplies, and without this a pool
    /// thread that happens to take its first share of a product in epoch 2 or later would allocate it then.
    ///
    /// A training loop runs under this once, not once per epoch.
    pub fn run<R: Send>(self, work: impl FnOnce() -> R + Send) -> R {
        fn warm_then<R>(work: impl FnOnce() -> R) -> R {
            rayon::broadcast(|_| warm_up_thread());
            work()
        }
        match self {
            Threads::Single => work(),
            Threads::Fixed(n) => match rayon::ThreadPoolBuilder::new()
                .num_threads(n.get())
                .thread_name(|i| format!("nn-worker-{i}"))
                .build()
            {
                Ok(pool) => pool.install(|| warm_then(work)),
                Err(_) => rayon::scope(|_| warm_then(work)),
            },
            Threads::All => rayon::scope(|_| warm_then(work)),
        }
    }
}

/// Runs one product of each precision on this thread, so that the x86 kernel (`product.rs`) allocates its
/// per-thread packing buffer now, not in a training loop. See [`Threads::run`].
pub(crate) fn warm_up_thread() {
    fn one<T: Scalar>() {
        let a = faer::Mat::<T>::zeros(32, 32);
        let mut c = faer::Mat::<T>::zeros(32, 32);
        product(c.as_mut(), Accum::Replace, a.as_ref(), a.as_ref(), T::ONE);
    }
    one::<f64>();
    one::<f32>();
}
