//! The matrix facade of `nn`, and the only crate of the workspace that depends on [faer].
//!
//! Everything above this crate does its linear algebra through [`Matrix`] and the functions in [`ops`], so that
//! no faer type appears in another crate's public API and the backend could be swapped here alone.
//!
//! - [`Matrix<T>`]: dense, column-major, rows = samples; `T` is `f64` (the default) or `f32` ([`Scalar`]).
//! - [`ops`]: products `A·B`, `Aᵀ·B`, `A·Bᵀ` that replace or accumulate into a preallocated output, the bias
//!   broadcast, column sums, elementwise maps and the Hadamard product.
//! - [`Threads`]: how many threads a product may use; products split their output between them.
//! - [`Packed`] and [`ops::matmul_packed`]: a full-batch run's first-layer product `X·W` by our own kernel, from
//!   an X packed once per run; the same bits as [`ops::matmul`] on the replay's shapes.
//!
//! ```
//! use nn_linalg::{ops, Accum, Matrix, Threads};
//!
//! let a = Matrix::<f64>::from_row_major(2, 2, &[1., 2., 3., 4.]);
//! let b = Matrix::<f64>::from_row_major(2, 1, &[1., 1.]);
//! let mut c = Matrix::zeros(2, 1); // allocated once, reused by every product
//! ops::matmul(&mut c, Accum::Replace, &a, &b, 1.0, Threads::Single);
//! ops::add_row_broadcast(&mut c, &[0.5]);
//! assert_eq!(c.col(0), &[3.5, 7.5]);
//! ```

// A library never panics on input a user can pass in; tests may unwrap (clippy.toml allows it there).
#![warn(clippy::unwrap_used)]

// First, so that the modules below see the macro by name.
#[macro_use]
mod names;
mod factor;
mod gemm;
mod lanes;
mod matrix;
pub mod ops;
pub mod peak;
mod product;
mod scalar;
mod shapes;
pub mod simd;
#[cfg(test)]
mod test_values;
mod threads;
mod tuning;

pub use gemm::{Packed, TileShape};
pub use matrix::Matrix;
pub use ops::Accum;
pub use scalar::Scalar;
pub use threads::Threads;
