//! The packed kernel's order of arithmetic, against a scalar reference and against the general product.

use super::{Packed, TileShape, matmul_packed};
use crate::test_values::{at_every_level, filled};
use crate::{Matrix, Scalar, Threads};

/// The order the module promises: per element, one fused multiply-add chain from 0 over each depth block
/// of 512, the blocks' sums added in order.
fn chain<T: Scalar>(a: &Matrix<T>, b: &Matrix<T>) -> Matrix<T> {
    Matrix::from_fn(a.rows(), b.cols(), |i, j| {
        let block = |p0: usize| {
            (p0..(p0 + 512).min(a.cols())).fold(T::ZERO, |z, p| a.get(i, p).fma(b.get(p, j), z))
        };
        (512..a.cols())
            .step_by(512)
            .fold(block(0), |z, p0| z + block(p0))
    })
}

fn check<T: Scalar>() {
    // Rows: none, fewer than a panel, whole panels, one over, a ragged edge. Depth: none, one, within one
    // depth block (KC = 512), and over one and two. Columns: under, at and over a register tile (NR = 6),
    // and the digits' hidden widths.
    for (m, k, n) in [
        (0, 3, 2),
        (5, 0, 4),
        (1, 17, 7),
        (7, 1, 65),
        (64, 16, 1),
        (65, 17, 5),
        (100, 255, 6),
        (257, 256, 7),
        (130, 300, 13),
        (97, 513, 25),
        (33, 1100, 9),
        (200, 40, 64),
    ] {
        let (a, b) = (filled::<T>(m, k, 1), filled::<T>(k, n, 2));
        let want = chain(&a, &b);
        // Every register tile the kernel has gives the same bits.
        let tiles = (2..=4).flat_map(|v| (1..=14).map(move |c| TileShape::new(v, c)));
        for tile in tiles.filter(|t| t.is_supported()) {
            let packed = Packed::with_tile(&a, tile);
            for threads in [
                Threads::Single,
                Threads::from_count(2),
                Threads::from_count(3),
            ] {
                let mut got = Matrix::zeros(m, n);
                matmul_packed(&mut got, &packed, &b, &mut Vec::new(), threads);
                assert_eq!(got, want, "{m}×{k} · {k}×{n}, tile {tile}, {threads:?}");
            }
        }
        let packed = Packed::new(&a);
        // W read transposed in place (δ·Wᵀ in the backward pass) takes the same path.
        let bt = b.transpose();
        let mut got = Matrix::zeros(m, n);
        matmul_packed(&mut got, &packed, bt.t(), &mut Vec::new(), Threads::Single);
        assert_eq!(got, want, "{m}×{k} · ({n}×{k})ᵀ");
    }
}

#[test]
fn every_element_is_one_fma_chain_on_awkward_shapes_f64() {
    check::<f64>();
}

#[test]
fn every_element_is_one_fma_chain_on_awkward_shapes_f32() {
    check::<f32>();
}

/// The kernel and the general product ([`crate::ops::matmul`], faer's x86 kernels at each level) give the
/// same bits, in both precisions, split between two threads too, at every level this CPU has: on the
/// shapes of `cargo xtask experiments` (full batch, mini-batches of 64, the evaluation passes) and on
/// MNIST's 784 inputs, two depth blocks. (The levels are pinned process-wide while other tests run; that
/// is harmless, since every level gives the same bits.)
#[test]
fn equals_the_general_product_at_every_level() {
    fn one<T: Scalar>(m: usize, k: usize, n: usize) {
        let (a, b) = (filled::<T>(m, k, 3), filled::<T>(k, n, 4));
        let mut general = Matrix::zeros(m, n);
        crate::ops::matmul(
            &mut general,
            crate::Accum::Replace,
            &a,
            &b,
            T::ONE,
            Threads::Single,
        );
        // Every tile Packed::tuned may choose.
        for tile in TileShape::WIDE {
            let packed = Packed::with_tile(&a, tile);
            for threads in [Threads::Single, Threads::from_count(2)] {
                let mut z = Matrix::zeros(m, n);
                matmul_packed(&mut z, &packed, &b, &mut Vec::new(), threads);
                assert!(
                    z == general,
                    "{} {m}×{k} · {k}×{n}, tile {}, {threads:?}, {:?}",
                    T::NAME,
                    packed.tile(),
                    crate::simd::level()
                );
            }
        }
    }
    at_every_level(
        &[
            (4000, 400, 25),
            (4000, 25, 10),
            (4000, 400, 64),
            (4000, 64, 10),
            (4000, 10, 64),
            (3000, 400, 256),
            (64, 400, 256),
            (64, 256, 10),
            (1000, 400, 256),
            (70, 2, 4),
            (70, 4, 4),
            (300, 784, 100),
        ],
        |m, k, n| {
            one::<f64>(m, k, n);
            one::<f32>(m, k, n);
        },
    );
}

/// `Packed::tuned` keeps the default tile for a small product without timing, and for a large one returns a
/// tile the kernel has, or none (the general product was faster); either way, the same bits.
#[test]
fn tuning_chooses_a_kernel_that_gives_the_same_bits() {
    let small = filled::<f64>(100, 20, 5);
    let packed = Packed::tuned(&small, 10).expect("a small product is packed untimed");
    assert_eq!(packed.tile(), TileShape::DEFAULT);

    let (a, b) = (filled::<f64>(2000, 300, 6), filled::<f64>(300, 64, 7));
    let want = chain(&a, &b);
    match Packed::tuned(&a, 64) {
        Some(packed) => {
            assert!(TileShape::WIDE.contains(&packed.tile()));
            let mut got = Matrix::zeros(2000, 64);
            matmul_packed(&mut got, &packed, &b, &mut Vec::new(), Threads::Single);
            assert_eq!(got, want);
        }
        None => {
            let mut got = Matrix::zeros(2000, 64);
            let replace = crate::Accum::Replace;
            crate::ops::matmul(&mut got, replace, &a, &b, 1.0, Threads::Single);
            assert_eq!(got, want);
        }
    }
}

/// A timed choice is kept for the process, by shape, element type and level, and given again without timing;
/// a product that is not timed (small, or no 512-bit vectors) is not kept.
#[test]
fn a_timed_choice_is_kept_for_the_process() {
    // The choices are kept by level: none may be pinned while this reads them.
    let _held = crate::test_values::hold_level();
    let kept = |rows, k, n| crate::tuning::kept(Packed::<f64>::tuning_key(rows, k, n));
    let small = filled::<f64>(100, 20, 11);
    assert_eq!(Packed::fastest_tile(&small, 10), Some(TileShape::DEFAULT));
    assert_eq!(kept(100, 20, 10), None);

    let a = filled::<f64>(1500, 301, 12);
    let choice = Packed::fastest_tile(&a, 33);
    if super::wide::<f64>(crate::simd::arch()) {
        let candidates = TileShape::WIDE.map(Some);
        let index = candidates.iter().chain([&None]).position(|&c| c == choice);
        assert_eq!(kept(1500, 301, 33), index);
        // Another matrix of the same shape gets the same choice.
        assert_eq!(
            Packed::fastest_tile(&filled::<f64>(1500, 301, 13), 33),
            choice
        );
    } else {
        assert_eq!(choice, Some(TileShape::DEFAULT));
        assert_eq!(kept(1500, 301, 33), None);
    }
}

/// A run too short to win back the timing takes the default tile untimed, and keeps nothing; a long one times
/// the tiles as `fastest_tile` does; and once a choice is kept, even a short run takes it.
#[test]
fn only_a_run_long_enough_times_the_tiles() {
    let _held = crate::test_values::hold_level();
    let kept = || crate::tuning::kept(Packed::<f64>::tuning_key(1600, 257, 31));
    let a = filled::<f64>(1600, 257, 14);
    let candidates = TileShape::WIDE.len() + 1;
    // One use is far below ten times the timing's products (8 runs of each candidate on all 1600 rows).
    assert!(!crate::tuning::pays_off(1, 1600, 1600, candidates));
    let short = Packed::tuned_for(&a, 31, 1).map(|p| p.tile());
    assert_eq!(short, Some(TileShape::DEFAULT));
    assert_eq!(kept(), None);

    assert!(crate::tuning::pays_off(10_000, 1600, 1600, candidates));
    let long = Packed::tuned_for(&a, 31, 10_000).map(|p| p.tile());
    if super::wide::<f64>(crate::simd::arch()) {
        assert!(kept().is_some());
        assert_eq!(long, Packed::fastest_tile(&a, 31));
        // Now kept, the choice is a short run's too.
        assert_eq!(Packed::tuned_for(&a, 31, 1).map(|p| p.tile()), long);
    } else {
        assert_eq!(long, Some(TileShape::DEFAULT));
        assert_eq!(kept(), None);
    }
}

/// The prefetch of the next block misses no line: for every length up to two lines a step, wherever the values
/// start in a line, in both precisions' lines, the steps fetch every line that the values touch, within them,
/// and no step more than three.
#[test]
fn the_spread_prefetch_fetches_every_line_ahead() {
    use std::collections::BTreeSet;
    for line in [8, 16] {
        for steps in [1, 2, 7, 64, 272, 512] {
            for len in (0..=2 * line * steps).step_by(1 + steps / 16) {
                for offset in 0..line {
                    let mut spread = super::Spread::new(len, offset, steps, line);
                    let mut fetched = BTreeSet::new();
                    for _ in 0..steps {
                        let step: Vec<usize> = spread.step().collect();
                        assert!(step.len() <= 3, "{step:?}: {spread:?}");
                        assert!(step.iter().all(|&i| i < len), "{step:?}: {spread:?}");
                        fetched.extend(step.iter().map(|i| (offset + i) / line));
                    }
                    let wanted: BTreeSet<usize> = (0..len).map(|i| (offset + i) / line).collect();
                    assert_eq!(
                        fetched, wanted,
                        "{len} values over {steps} steps, {line} a line, from {offset}"
                    );
                }
            }
        }
    }
}

/// The slivers of W cover its columns in order, each at most a tile wide, as few as that allows, and their
/// widths differ by at most one (no narrow tile left over at the end).
#[test]
fn slivers_are_as_even_as_the_tile_allows() {
    for width in 1..=14 {
        for n in 0..=130 {
            let slivers: Vec<(usize, usize)> = super::column_slivers(n, width).collect();
            assert_eq!(slivers.len(), n.div_ceil(width), "{n} at {width}");
            let mut next = 0;
            for &(j0, w) in &slivers {
                assert_eq!(j0, next, "{n} at {width}: {slivers:?}");
                assert!((1..=width).contains(&w), "{n} at {width}: {slivers:?}");
                next += w;
            }
            assert_eq!(next, n);
            let widths = slivers.iter().map(|s| s.1);
            let (lo, hi) = (widths.clone().min(), widths.max());
            assert!(
                hi.zip(lo).is_none_or(|(hi, lo)| hi - lo <= 1),
                "{slivers:?}"
            );
        }
    }
    let mnist: Vec<usize> = super::column_slivers(128, 14).map(|s| s.1).collect();
    assert_eq!(mnist, [12, 13, 13, 13, 13, 12, 13, 13, 13, 13]);
}
