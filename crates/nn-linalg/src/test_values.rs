//! Test inputs shared by the kernels' unit tests.

use crate::{Matrix, Scalar};
use std::sync::{Mutex, MutexGuard};

/// Held by a test while it pins a level, or while it reads a choice kept for the current level: the level
/// is process-wide, and the tests run on several threads.
static LEVELS: Mutex<()> = Mutex::new(());

/// [`LEVELS`], held until the guard drops.
pub(crate) fn hold_level() -> MutexGuard<'static, ()> {
    LEVELS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Pseudo-random values in [−1, 1) of every magnitude down to 2⁻¹⁰, so that rounding differs between orders.
pub(crate) fn filled<T: Scalar>(rows: usize, cols: usize, salt: u64) -> Matrix<T> {
    Matrix::from_fn(rows, cols, |i, j| {
        let z = mix((i * 7919 + j * 104_729) as u64 ^ salt);
        T::from_f64((z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0)
    })
}

/// SplitMix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs `check` on each `(m, k, n)` at every level this CPU has, the level pinned process-wide (holding
/// [`LEVELS`]; other tests may run meanwhile, which is harmless: every level gives the same bits), then
/// unpins it. The portable level's plain loop is slow, so it skips shapes over 2·10⁷ multiply-adds there
/// (`tests/levels.rs` covers it on smaller ones).
pub(crate) fn at_every_level(
    shapes: &[(usize, usize, usize)],
    check: impl Fn(usize, usize, usize),
) {
    use crate::simd::Level;
    let _held = hold_level();
    for level in Level::ALL.into_iter().filter(|l| l.available()) {
        crate::simd::pin(Some(level)).expect("an available level");
        for &(m, k, n) in shapes {
            if level == Level::Portable && m * k * n > 20_000_000 {
                continue;
            }
            check(m, k, n);
        }
    }
    crate::simd::pin(None).expect("the widest level");
}
