//! Test inputs shared by the kernels' unit tests.

use crate::{Matrix, Scalar};

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
