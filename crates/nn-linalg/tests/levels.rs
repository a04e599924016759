//! The vector kernels and the general products give the same bits at every instruction-set level: each level's
//! results against the portable level's, on seeded random inputs whose shapes leave ragged edges (rows not a multiple of a
//! register tile, columns not of a sliver, a depth over one block). A level this CPU does not have is
//! reported as *ignored*, with the reason printed first; it is checked on a machine that has it.
//!
//! A harness of its own (libtest-mimic), because a level's absence is known only at run time. The trials pin
//! the process-wide level, so they run one at a time.

use libtest_mimic::{Arguments, Failed, Trial};
use nn_linalg::simd::{self, Level};
use nn_linalg::{Accum, Matrix, Packed, Scalar, Threads, ops};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::sync::Mutex;

/// Held by a trial while it pins a level.
static PINNING: Mutex<()> = Mutex::new(());

fn random<T: Scalar>(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> Matrix<T> {
    Matrix::from_fn(rows, cols, |_, _| T::from_f64(rng.random_range(-2.0..2.0)))
}

/// Every kernel's outputs, as bits, on inputs drawn from one seed.
fn outputs<T: Scalar>() -> Vec<Vec<u64>> {
    let bits = |m: &Matrix<T>| {
        m.to_col_major()
            .iter()
            .map(|v| v.to_f64().to_bits())
            .collect()
    };
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let mut out = Vec::new();
    for (m, k, n) in [(37, 5, 7), (100, 530, 13), (1, 1, 1), (64, 400, 25)] {
        let (a, w) = (random::<T>(&mut rng, m, k), random::<T>(&mut rng, k, n));
        let packed = Packed::new(&a);
        let mut z = Matrix::zeros(m, n);
        let mut scratch = Vec::new();
        for threads in [Threads::Single, Threads::from_count(2)] {
            ops::matmul_packed(&mut z, &packed, &w, &mut scratch, threads);
            out.push(bits(&z));
        }
        let bias: Vec<T> = (0..n).map(|j| T::from_f64(j as f64 * 0.25 - 1.0)).collect();
        ops::add_row_broadcast(&mut z, &bias);
        out.push(bits(&z));
        let mut sums = vec![T::ZERO; n];
        ops::col_sums(&mut sums, Accum::Replace, &z, Threads::Single);
        out.push(sums.iter().map(|v| v.to_f64().to_bits()).collect());
        let mut y = z.clone();
        ops::map_inplace(&mut y, |v| {
            if v > T::ZERO {
                v
            } else {
                v * T::from_f64(0.01)
            }
        });
        out.push(bits(&y));
        ops::zip_map_inplace(&mut y, &z, |a, b| a * b - T::from_f64(0.5));
        ops::hadamard_inplace(&mut y, &z);
        ops::axpy(&mut y, T::from_f64(-0.3), &z);
        out.push(bits(&y));
        out.push(vec![simd::sum(&y.to_col_major()).to_f64().to_bits()]);
        // The backward products: the weight gradient Aᵀ·δ accumulated with a scale, and δ·Wᵀ replaced.
        let mut g = random::<T>(&mut rng, k, n);
        for threads in [Threads::Single, Threads::from_count(2)] {
            ops::matmul(&mut g, Accum::Add, a.t(), &z, T::from_f64(0.37), threads);
            out.push(bits(&g));
            let mut back = Matrix::zeros(m, k);
            ops::matmul(&mut back, Accum::Replace, &z, w.t(), T::ONE, threads);
            out.push(bits(&back));
        }
    }
    // Thin and small shapes, which faer sends to other kernels: a matrix times a vector, an outer product,
    // tiny blocks, an empty depth.
    for (m, k, n) in [(300, 20, 1), (1, 700, 9), (40, 1, 30), (3, 4, 5), (5, 0, 3)] {
        let (a, b) = (random::<T>(&mut rng, m, k), random::<T>(&mut rng, k, n));
        let mut c = random::<T>(&mut rng, m, n);
        ops::matmul(
            &mut c,
            Accum::Add,
            &a,
            &b,
            T::from_f64(-1.5),
            Threads::Single,
        );
        out.push(bits(&c));
        ops::matmul(&mut c, Accum::Replace, &a, &b, T::ONE, Threads::Single);
        out.push(bits(&c));
    }
    out
}

fn same_bits_as_portable(level: Level) -> Result<(), Failed> {
    let _held = PINNING.lock().unwrap_or_else(|e| e.into_inner());
    let at = |l: Level| -> Result<_, Failed> {
        simd::pin(Some(l)).map_err(|l| format!("cannot pin {}", l.name()))?;
        assert_eq!(simd::level(), l);
        Ok((outputs::<f64>(), outputs::<f32>()))
    };
    let portable = at(Level::Portable)?;
    let wide = at(level)?;
    simd::pin(None).map_err(|_| "cannot unpin")?;
    for (precision, a, b) in [("f64", &portable.0, &wide.0), ("f32", &portable.1, &wide.1)] {
        if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
            return Err(format!(
                "{precision}: output {i} differs between portable and {}",
                level.name()
            )
            .into());
        }
    }
    Ok(())
}

fn main() {
    let trials = [Level::Avx2, Level::Avx512]
        .into_iter()
        .map(|level| {
            let name = format!("{}_gives_the_portable_bits", level.name());
            if level.available() {
                Trial::test(name, move || same_bits_as_portable(level))
            } else {
                let reason = format!(
                    "this CPU has no {} (it is checked where one has)",
                    level.name()
                );
                println!("note: test {name} is ignored: {reason}");
                Trial::test(name, move || Err(reason.into())).with_ignored_flag(true)
            }
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}
