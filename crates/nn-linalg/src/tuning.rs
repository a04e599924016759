//! Choices between kernels that give the same bits, made by timing them on this CPU: which is fastest differs
//! between CPUs (docs/performance.md), so it is measured, not assumed. Each choice is made once per process
//! for a shape, element type and level, and kept, so that a sweep or the report's replay, which train many
//! runs of one shape, time it once.

use crate::simd::Level;
use std::sync::Mutex;
use std::time::Instant;

/// Rows (samples) that the candidates are timed on: all of the digits' 4000. On 1024 rows the general
/// product, which packs its operands on every call, looked faster than it is on the whole.
pub(crate) const ROWS: usize = 4096;

/// Below this many multiply-adds a product is too small for the choice to matter, and is not timed.
pub(crate) const MIN_WORK: usize = 1 << 22;

/// Timed rounds per candidate, compared by their medians. (With the fastest of 4 rounds, 5 choices in 60 of
/// the first layer's kernel went to a slower one on a noisy virtual machine; with the median of 7, 1 in 90.)
const ROUNDS: usize = 7;

/// How many times the timing's own products the products a choice is for must come to before it is timed.
/// A choice wins back at most a few tenths of its products' time (the widest spread measured, between the
/// forward kernel's tiles on the Ice Lake Xeon, was about 1.4×), so the timing is kept to at most a tenth of
/// them. A shorter run takes the default untimed, and loses at most what the choice would have won on it.
/// Before this rule, on an AMD Zen 4, the timings took 0.3 s of a 20-epoch `nn train` on the digits of
/// 0.74 s (docs/performance.md).
const PAYBACK: usize = 10;

/// Whether timing `candidates` on `rows_timed` rows is worth it for `uses` products of `rows` rows: whether
/// those products come to at least [`PAYBACK`] times the timing's (a warm-up and [`ROUNDS`] of each).
pub(crate) fn pays_off(uses: usize, rows: usize, rows_timed: usize, candidates: usize) -> bool {
    uses.saturating_mul(rows) >= PAYBACK * (ROUNDS + 1) * candidates * rows_timed
}

/// What a choice is for, and the shape, element type and level it was timed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    /// Which choice: the first layer's forward kernel, or the form of a weight gradient.
    pub what: &'static str,
    /// The shape as timed: rows (at most [`ROWS`]), depth or inputs, columns.
    pub shape: (usize, usize, usize),
    pub scalar: &'static str,
    pub level: Level,
}

/// The choices made so far in this process.
static KEPT: Mutex<Vec<(Key, usize)>> = Mutex::new(Vec::new());

/// The choice kept for `key`, if one was made.
pub(crate) fn kept(key: Key) -> Option<usize> {
    let kept = KEPT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    kept.iter().find(|(seen, _)| *seen == key).map(|&(_, c)| c)
}

/// The index of the fastest of the candidates, made by `setup` (which prepares their inputs, and is called
/// only if they are timed): each runs once to warm the caches and buffers, then [`ROUNDS`] times,
/// interleaved, on the `key.shape.0` rows of `setup`'s inputs, and their medians are compared. The choice is
/// kept for `key`. A choice already kept for `key` is given without timing; so is `untimed`, not kept, where
/// the `uses` products of `rows` rows the choice is for do not pay for the timing ([`pays_off`]).
pub(crate) fn fastest<C: FnMut(usize)>(
    key: Key,
    count: usize,
    (uses, rows): (usize, usize),
    untimed: usize,
    setup: impl FnOnce() -> C,
) -> usize {
    // Held while timing: a second run of the same shape waits for this choice rather than timing beside it.
    let mut kept = KEPT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&(_, choice)) = kept.iter().find(|(seen, _)| *seen == key) {
        return choice;
    }
    if !pays_off(uses, rows, key.shape.0, count) {
        return untimed;
    }
    let mut run = setup();
    let mut times = vec![Vec::with_capacity(ROUNDS); count];
    for round in 0..=ROUNDS {
        for (candidate, kept) in times.iter_mut().enumerate() {
            let start = Instant::now();
            run(candidate);
            if round > 0 {
                kept.push(start.elapsed().as_secs_f64());
            }
        }
    }
    let medians: Vec<f64> = times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect();
    let choice = (0..count)
        .min_by(|&i, &j| medians[i].total_cmp(&medians[j]))
        .unwrap_or(0);
    kept.push((key, choice));
    choice
}
