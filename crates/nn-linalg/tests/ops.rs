//! Every operation against a naive triple loop, on seeded random shapes that include 0 and 1.

use nn_linalg::{Accum, Matrix, Scalar, Threads, ops};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

const DIMS: [usize; 6] = [0, 1, 2, 5, 17, 70];

fn random<T: Scalar>(rng: &mut ChaCha8Rng, rows: usize, cols: usize) -> Matrix<T> {
    Matrix::from_fn(rows, cols, |_, _| T::from_f64(rng.random_range(-1.0..1.0)))
}

fn naive_product<T: Scalar>(a: &Matrix<T>, b: &Matrix<T>) -> Matrix<T> {
    Matrix::from_fn(a.rows(), b.cols(), |i, j| {
        (0..a.cols())
            .map(|p| a.get(i, p).to_f64() * b.get(p, j).to_f64())
            .sum::<f64>()
    })
    .cast()
}

fn assert_close<T: Scalar>(got: &Matrix<T>, want: &Matrix<T>, tol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    let diff = got.max_abs_diff(want).to_f64();
    assert!(diff <= tol, "{what}: max |got - want| = {diff:e} > {tol:e}");
}

fn check_products<T: Scalar>(tol: f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for &m in &DIMS {
        for &k in &DIMS {
            for &n in &DIMS {
                let a = random::<T>(&mut rng, m, k);
                let b = random::<T>(&mut rng, k, n);
                let c0 = random::<T>(&mut rng, m, n);
                let want = naive_product(&a, &b);
                let what = format!("{} {m}×{k}·{k}×{n}", T::NAME);
                for threads in [Threads::Single, Threads::All] {
                    // A·B, replace and accumulate, with α
                    let mut c = c0.clone();
                    ops::matmul(&mut c, Accum::Replace, &a, &b, T::ONE, threads);
                    assert_close(&c, &want, tol, &format!("matmul {what}"));
                    let mut c = c0.clone();
                    ops::matmul(&mut c, Accum::Add, &a, &b, T::from_f64(0.5), threads);
                    let mut expect = c0.clone();
                    ops::axpy(&mut expect, T::from_f64(0.5), &want);
                    assert_close(&c, &expect, tol, &format!("matmul add {what}"));
                    // Aᵀ·B with A stored as k×m... i.e. (aᵀ)ᵀ·b
                    let at = a.transpose();
                    let mut c = c0.clone();
                    ops::matmul(&mut c, Accum::Replace, at.t(), &b, T::ONE, threads);
                    assert_close(&c, &want, tol, &format!("Aᵀ·B {what}"));
                    // A·Bᵀ with B stored as n×k
                    let bt = b.transpose();
                    let mut c = c0.clone();
                    ops::matmul(&mut c, Accum::Replace, &a, bt.t(), T::ONE, threads);
                    assert_close(&c, &want, tol, &format!("A·Bᵀ {what}"));
                }
            }
        }
    }
}

#[test]
fn products_match_naive_loops_f64() {
    check_products::<f64>(1e-12);
}

#[test]
fn products_match_naive_loops_f32() {
    check_products::<f32>(1e-4);
}

#[test]
fn large_product_goes_parallel_and_stays_exact() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let a = random::<f64>(&mut rng, 300, 200);
    let b = random::<f64>(&mut rng, 200, 150);
    let want = naive_product(&a, &b);
    const { assert!(2 * 300 * 200 * 150 >= Threads::MIN_PARALLEL_FLOPS) };
    let mut c = Matrix::zeros(300, 150);
    ops::matmul(&mut c, Accum::Replace, &a, &b, 1.0, Threads::All);
    assert_close(&c, &want, 1e-11, "parallel matmul");
}

/// Split products (rows when the output is tall, columns when it is wide; 2 to 7 parts; replace and
/// accumulate; all three forms) give the same bits as one sequential product.
#[test]
fn split_products_equal_the_single_thread_product_bit_for_bit() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for (m, k, n) in [(301, 400, 80), (64, 500, 333), (97, 2200, 41)] {
        assert!(2 * m * k * n >= Threads::MIN_PARALLEL_FLOPS);
        let a = random::<f64>(&mut rng, m, k);
        let b = random::<f64>(&mut rng, k, n);
        let (at, bt) = (a.transpose(), b.transpose());
        let start = random::<f64>(&mut rng, m, n);
        for accum in [Accum::Replace, Accum::Add] {
            let product = |threads: Threads, form: usize| {
                let mut c = start.clone();
                match form {
                    0 => ops::matmul(&mut c, accum, &a, &b, 0.5, threads),
                    1 => ops::matmul(&mut c, accum, at.t(), &b, 0.5, threads),
                    _ => ops::matmul(&mut c, accum, &a, bt.t(), 0.5, threads),
                }
                c
            };
            for form in 0..3 {
                let one = product(Threads::Single, form);
                for parts in 2..=7 {
                    let split = product(Threads::from_count(parts), form);
                    assert!(
                        one.max_abs_diff(&split) == 0.0,
                        "{m}×{k}×{n} {accum:?} form {form}, {parts} threads"
                    );
                }
            }
        }
    }
}

#[test]
fn elementwise_ops_match_naive_loops() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for &m in &DIMS {
        for &n in &DIMS {
            let a = random::<f64>(&mut rng, m, n);
            let b = random::<f64>(&mut rng, m, n);
            let row: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();

            let mut c = a.clone();
            ops::add_row_broadcast(&mut c, &row);
            assert_close(
                &c,
                &Matrix::from_fn(m, n, |i, j| a.get(i, j) + row[j]),
                0.0,
                "broadcast",
            );

            let mut sums = vec![1.0; n];
            ops::col_sums(&mut sums, Accum::Replace, &a, Threads::Single);
            let want: Vec<f64> = (0..n).map(|j| (0..m).map(|i| a.get(i, j)).sum()).collect();
            for (s, w) in sums.iter().zip(&want) {
                assert!((s - w).abs() < 1e-12, "col_sums {m}×{n}");
            }
            ops::col_sums(&mut sums, Accum::Add, &a, Threads::Single);
            for (s, w) in sums.iter().zip(&want) {
                assert!((s - 2.0 * w).abs() < 1e-12, "col_sums add {m}×{n}");
            }

            let mut c = a.clone();
            ops::hadamard_inplace(&mut c, &b);
            assert_close(
                &c,
                &Matrix::from_fn(m, n, |i, j| a.get(i, j) * b.get(i, j)),
                0.0,
                "hadamard",
            );

            let mut c = Matrix::zeros(m, n);
            ops::map_into(&mut c, &a, |x| 2.0 * x + 1.0);
            assert_close(
                &c,
                &Matrix::from_fn(m, n, |i, j| 2.0 * a.get(i, j) + 1.0),
                0.0,
                "map_into",
            );
            ops::map_inplace(&mut c, |x| x - 1.0);
            assert_close(
                &c,
                &Matrix::from_fn(m, n, |i, j| 2.0 * a.get(i, j)),
                1e-15,
                "map_inplace",
            );
        }
    }
}

#[test]
fn layout_conversions_round_trip() {
    let data: Vec<f64> = (0..12).map(f64::from).collect();
    let a = Matrix::from_row_major(3, 4, &data);
    assert_eq!(a.get(1, 2), 6.0);
    assert_eq!(a.to_row_major(), data);
    let b = Matrix::from_col_major(3, 4, &a.to_col_major());
    assert_eq!(a, b);
    assert_eq!(a.row_to_vec(2), vec![8.0, 9.0, 10.0, 11.0]);
    assert_eq!(a.transpose().transpose(), a);
}

#[test]
fn resize_rows_keeps_data_and_gather_selects_rows() {
    let a = Matrix::<f64>::from_fn(5, 3, |i, j| (10 * i + j) as f64);
    let mut batch = Matrix::zeros(5, 3);
    a.gather_rows_into(&[4, 0, 2], &mut batch);
    assert_eq!(batch.shape(), (3, 3));
    assert_eq!(batch.row_to_vec(0), vec![40.0, 41.0, 42.0]);
    assert_eq!(batch.row_to_vec(2), vec![20.0, 21.0, 22.0]);
    batch.resize_rows(5);
    assert_eq!(batch.row_to_vec(1), vec![0.0, 1.0, 2.0]);
    assert_eq!(batch.row_to_vec(4), vec![0.0, 0.0, 0.0]);
    assert_eq!(a.select_rows(&[]).shape(), (0, 3));
    a.copy_rows_into(1, 2, &mut batch);
    assert_eq!(batch.shape(), (2, 3));
    assert_eq!(batch.to_row_major(), [10.0, 11.0, 12.0, 20.0, 21.0, 22.0]);
    a.copy_rows_into(5, 0, &mut batch);
    assert_eq!(batch.shape(), (0, 3));
}

#[test]
fn threads_map_counts() {
    assert_eq!(Threads::from_count(0), Threads::All);
    assert_eq!(Threads::from_count(1), Threads::Single);
    assert_eq!(Threads::from_count(3).count(), 3);
    assert!(Threads::All.count() >= 1);
}

/// Column blocks cover every column exactly once, with the right offsets, on any thread count; small matrices
/// stay in one block.
#[test]
fn column_blocks_cover_every_column_once() {
    let (m, n) = (1100, 64);
    assert!(m * n >= Threads::MIN_PARALLEL_ELEMENTS);
    for threads in [
        Threads::Single,
        Threads::from_count(2),
        Threads::from_count(5),
        Threads::All,
    ] {
        let mut a = Matrix::<f64>::zeros(m, n);
        let blocks = std::sync::atomic::AtomicUsize::new(0);
        ops::for_column_blocks(&mut a, threads, &|mut block| {
            blocks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            for j in 0..block.cols() {
                let column = (block.first() + j) as f64;
                for v in block.col_mut(j) {
                    *v += 1.0 + column;
                }
            }
        });
        for j in 0..n {
            assert!(
                a.col(j).iter().all(|&v| v == 1.0 + j as f64),
                "{threads:?}: column {j}"
            );
        }
        assert_eq!(
            blocks.into_inner(),
            threads.count().min(n),
            "{threads:?}: one block per thread"
        );
    }
    let mut small = Matrix::<f64>::zeros(10, 10);
    let blocks = std::sync::atomic::AtomicUsize::new(0);
    ops::for_column_blocks(&mut small, Threads::from_count(4), &|_| {
        blocks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    assert_eq!(blocks.into_inner(), 1, "small matrices stay in one block");
}

/// Gathering samples from the transposed matrix equals gathering rows from the matrix, on awkward sizes
/// (groups of eight samples with a partial last group, and widths of 0, 1, 7, 17 and 65).
#[test]
fn gathering_columns_as_rows_equals_gathering_rows() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for n in [0, 1, 7, 17, 65] {
        let x = Matrix::<f64>::from_fn(23, n, |i, j| (100 * i + j) as f64);
        let xt = x.transpose();
        for count in [0, 1, 7, 8, 9, 17, 23] {
            let indices: Vec<usize> = (0..count).map(|_| rng.random_range(0..23)).collect();
            let mut want = Matrix::zeros(0, n);
            x.gather_rows_into(&indices, &mut want);
            let mut got = Matrix::zeros(3, n);
            xt.gather_cols_as_rows_into(&indices, &mut got);
            assert_eq!(got, want, "width {n}, {count} samples");
        }
    }
}

/// The column sums and the elementwise product split between threads give one thread's bits, on a matrix big
/// enough to be split and with a column count that no thread count divides evenly.
#[test]
fn split_column_work_gives_one_thread_s_bits() {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let (m, n) = (1100, 67);
    assert!(m * n >= Threads::MIN_PARALLEL_ELEMENTS);
    let a = Matrix::<f32>::from_fn(m, n, |_, _| rng.random_range(-1.0..1.0));
    let d = Matrix::<f32>::from_fn(m, n, |_, _| rng.random_range(-1.0..1.0));
    let mut want_sums = vec![0.0; n];
    ops::col_sums(&mut want_sums, Accum::Replace, &a, Threads::Single);
    let mut want = d.clone();
    ops::zip_map_inplace(&mut want, &a, |d, a| d * (a * (1.0 - a)));
    for threads in [Threads::from_count(2), Threads::from_count(3), Threads::All] {
        let mut sums = vec![1.0; n];
        ops::col_sums(&mut sums, Accum::Replace, &a, threads);
        assert_eq!(sums, want_sums, "{threads:?}");
        let mut got = d.clone();
        ops::zip_map_columns(&mut got, &a, threads, |d, a| d * (a * (1.0 - a)));
        assert_eq!(got, want, "{threads:?}");
    }
    // Accumulating adds to what is there, column by column.
    let mut sums: Vec<f32> = (0..n).map(|j| j as f32).collect();
    ops::col_sums(&mut sums, Accum::Add, &a, Threads::from_count(2));
    for (j, (s, w)) in sums.iter().zip(&want_sums).enumerate() {
        assert_eq!(*s, j as f32 + w);
    }
}
