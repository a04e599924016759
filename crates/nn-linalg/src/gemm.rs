//! The forward product of a dense layer, `Z = X·W`, by our own kernel, for a tall X that does not change
//! between calls (the training inputs of a full-batch run): [`Packed`] X once, then [`matmul_packed`].
//!
//! faer's general product packs X into its own layout on every call, and ran the digits' `X·W` (4000×400 ·
//! 400×64) at 35–45% of one core's FMA peak. This kernel reads X from a layout packed once ([`Packed`]: rows
//! in panels of one register tile, each stored step by step along the inner dimension), and packs W (small)
//! on every call into a buffer the caller keeps. In a probe beside faer, in the same process, it ran that
//! product 1.5–1.7× as fast as faer. (Reading X in place, column-major, was no faster than faer: every step of
//! the chain then lands on another page of X.)
//!
//! **Order of the arithmetic.** Every output element is, for each depth block of [`KC`] = 512, one chain of
//! fused multiply-adds over the block, in order, starting from 0: `z ← fma(x_p, w_p, z)`; the first block's
//! sum is stored and each later block's is added to it. A split of the rows between threads changes nothing.
//! This is the order of the general product (`product.rs`, faer's x86 kernels) at every level, bit for bit,
//! and a test checks it, so the two kernels can stand in for each other. (Inner dimensions up to 512, as in
//! the report's replay, are one chain; MNIST's 784 inputs are two blocks, which until 2026-12-02 this kernel
//! ran as one chain.)
//!
//! **Blocking.** For each depth block of [`KC`], for each block of panels ([`BLOCK_BYTES`], in L2), for
//! each sliver of `nr` columns of W (packed, it stays in L1), each panel accumulates a 2-vector × `nr` tile in
//! registers: two loads of X and `nr` broadcasts of W per step of the chain. `nr` is [`NR`] = 6 (12
//! accumulators) by default; [`Packed::tuned`] times wider tiles where there are 32 vector registers, and the
//! general product, and keeps the fastest.
//!
//! **Prefetch.** A block's first pass would wait on memory for every line of its panels (from L3 or DRAM),
//! and the later passes find them in L2. So while a block is in use, the next block is fetched into L2, a
//! little at every step of every pass (`prefetcht1`; the CPU may ignore a hint, and no result depends on it).
//! On an Intel Xeon (Ice Lake, AVX-512), before and after in one process, three runs: the digits' X·W at
//! one thread took 1.03–1.24× less time, MNIST's 0.92–1.18× (docs/performance.md). A probe had shown why:
//! the tile ran at 83–88% of the FMA peak from L2 and 27% from DRAM.

use crate::{Matrix, Scalar, Threads, tuning};
use faer::{MatMut, MatRef};
use pulp::Simd;
use std::ops::Range;

/// Columns of W per register tile by default: under 16 vector registers (AVX2), 12 accumulators, two vectors
/// of X and one broadcast. Under AVX-512's 32 registers a wider tile reads X less per FMA
/// ([`Packed::tuned`] tries [`MAX_NR`]).
const NR: usize = 6;
/// The widest tile the kernel has, which [`Packed::tuned`] times under 512-bit vectors beside [`NR`]: 28
/// accumulators, the most that 32 registers hold beside two vectors of X and a broadcast. (8 and 12 were
/// between 6 and 14 on the Xeon where this was measured.)
const MAX_NR: usize = 14;
/// Depth per pass: a packed sliver of W is `KC × nr` values (24 KiB in f64 at the default tile), which stays
/// in L1. It is also the length of the chains, so it fixes the bits and is the same at every tile width. The digits'
/// 400 inputs fit in one pass; 256 split them in two and was slower (17–22 against 22–28 GFLOP/s).
const KC: usize = 512;
/// Bytes of X per block of panels: they stay in L2 while every sliver of W passes over them, beside the next
/// block, which is being fetched ([`Spread`]): 4 panels under AVX-512, 8 under AVX2. On the Zen 3 where the
/// blocks were first measured, without the prefetch, 4 to 8 AVX2 panels were best and 24 was 15% slower. On
/// the Ice Lake Xeon, with it, in one process: 4 AVX-512 panels were level with 8 on MNIST and 5–10% faster on
/// the digits, and under AVX2 8 panels were 5–15% faster than 4.
const BLOCK_BYTES: usize = 256 << 10;

/// Rows per register tile under `arch`: two vectors (8 in f64 and 16 in f32 under AVX2, twice that under
/// AVX-512).
fn tile_rows<T: Scalar>(arch: pulp::Arch) -> usize {
    struct Rows<T>(std::marker::PhantomData<T>);
    impl<T: Scalar> pulp::WithSimd for Rows<T> {
        type Output = usize;
        #[inline(always)]
        fn with_simd<S: Simd>(self, _: S) -> usize {
            2 * T::lanes::<S>()
        }
    }
    arch.dispatch(Rows::<T>(std::marker::PhantomData))
}

/// Whether `arch` has 512-bit vectors (32 registers under AVX-512): a tile's two vectors span 128 bytes.
fn wide<T: Scalar>(arch: pulp::Arch) -> bool {
    tile_rows::<T>(arch) * size_of::<T>() >= 128
}

/// A matrix packed for [`matmul_packed`]: its rows in panels of one register tile (two vectors), each panel
/// stored step by step along the inner dimension, so that the kernel reads it as one contiguous stream. The
/// last panel is padded with zeros.
///
/// Packing costs a pass over the matrix; the trainer packs its training inputs once per full-batch run and
/// reuses them every epoch (they do not change).
#[derive(Clone, Debug)]
pub struct Packed<T: Scalar> {
    data: Vec<T>,
    /// Where the panels start in `data`: the first element on a 64-byte boundary, so that no vector load of
    /// a panel straddles two cache lines.
    start: usize,
    rows: usize,
    cols: usize,
    /// Rows per panel.
    mr: usize,
    /// Columns of `b` per register tile, at most [`MAX_NR`].
    nr: usize,
    /// The dispatch it was packed for, which its products use.
    arch: pulp::Arch,
}

impl<T: Scalar> Packed<T> {
    /// `a`, packed, for products with the default register tile.
    pub fn new(a: &Matrix<T>) -> Self {
        Self::with_tile(a, NR)
    }

    /// `a`, packed for products with `n` columns at the [`fastest_tile`](Self::fastest_tile) on this CPU,
    /// or `None` where the general product is faster.
    pub fn tuned(a: &Matrix<T>, n: usize) -> Option<Self> {
        Self::fastest_tile(a, n).map(|nr| Self::with_tile(a, nr))
    }

    /// Which is fastest on this CPU for `a` times a matrix of `n` columns, timed now: this kernel at each
    /// register tile its vector registers allow (`Some(width)`), or the general product (`ops::matmul`,
    /// `None`). Every choice gives the same bits (the module's order), so the choice changes the speed only.
    /// The candidates run, interleaved, on up to 4,096 rows of `a`; each one's median of 7 rounds after a
    /// warm-up one counts (about 0.2 s for the digits). The choice is kept for the rest of the process, by
    /// shape, element type and level, so that a sweep or the report's replay, which train many runs of one
    /// shape, time it once. A product under 2²² multiply-adds, or one without 512-bit vectors, takes the
    /// default tile untimed.
    ///
    /// Measured, not assumed, because the winner differs by CPU: on an AMD Zen 4 this kernel beat the general
    /// product at the default tile; on an Intel Xeon (Ice Lake, two AVX-512 FMA units) it lost to it there and
    /// was level or ahead at the widest tile (docs/performance.md).
    pub fn fastest_tile(a: &Matrix<T>, n: usize) -> Option<usize> {
        let arch = crate::simd::arch();
        let (m, k) = (a.rows(), a.cols());
        if m * k * n < tuning::MIN_WORK || !wide::<T>(arch) {
            return Some(NR);
        }
        let rows = m.min(tuning::ROWS);
        // The candidates: each tile, then the general product.
        let tiles = [NR, MAX_NR];
        let choice = tuning::fastest(Self::tuning_key(rows, k, n), tiles.len() + 1, || {
            let sample = Matrix::from_fn(rows, k, |i, j| a.get(i, j));
            let w = Matrix::from_fn(k, n, |i, j| {
                T::from_f64(((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.5)
            });
            let mut z = Matrix::zeros(rows, n);
            let mut scratch = Vec::new();
            let packed: Vec<Self> = tiles
                .iter()
                .map(|&nr| Self::with_tile(&sample, nr))
                .collect();
            move |c| match packed.get(c) {
                Some(p) => matmul_packed(&mut z, p, &w, &mut scratch, Threads::Single),
                None => crate::product::product(
                    z.inner.as_mut(),
                    crate::product::Accum::Replace,
                    sample.inner.as_ref(),
                    w.inner.as_ref(),
                    T::ONE,
                ),
            }
        });
        tiles.get(choice).copied()
    }

    /// What [`fastest_tile`](Self::fastest_tile)'s choice is kept under.
    fn tuning_key(rows: usize, k: usize, n: usize) -> tuning::Key {
        tuning::Key {
            what: "first layer",
            shape: (rows, k, n),
            scalar: T::NAME,
            level: crate::simd::level(),
        }
    }

    /// `a`, packed for products with a register tile of `nr` columns (for benchmarks and tests; the trainer
    /// uses [`tuned`](Self::tuned)). Every tile gives the same bits.
    ///
    /// # Panics
    /// If `nr` is not between 1 and 14, the widest tile the kernel has.
    pub fn with_tile(a: &Matrix<T>, nr: usize) -> Self {
        assert!(
            (1..=MAX_NR).contains(&nr),
            "a register tile of {nr} columns"
        );
        let arch = crate::simd::arch();
        let (rows, cols, mr) = (a.rows(), a.cols(), tile_rows::<T>(arch));
        let panels = rows.div_ceil(mr);
        let slack = 64 / size_of::<T>();
        let mut data = vec![T::ZERO; panels * cols * mr + slack];
        // Measured on an Intel Xeon (Ice Lake) with AVX-512, where a load across two lines is costly: the
        // digits' X·W took 15–20% less time aligned (docs/performance.md).
        let start = data.as_ptr().align_offset(64).min(slack);
        for p in 0..cols {
            for (i, &v) in a.col(p).iter().enumerate() {
                data[start + ((i / mr) * cols + p) * mr + i % mr] = v;
            }
        }
        Packed {
            data,
            start,
            rows,
            cols,
            mr,
            nr,
            arch,
        }
    }

    /// Rows of the matrix.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns of the matrix.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Columns of the other factor per register tile of its products (for reports).
    pub fn tile_cols(&self) -> usize {
        self.nr
    }

    /// Panel `r`: rows `r·mr .. (r + 1)·mr`, step by step along the inner dimension.
    fn panel(&self, r: usize) -> &[T] {
        let len = self.cols * self.mr;
        &self.data[self.start + r * len..self.start + (r + 1) * len]
    }
}

/// `dst (m×n) ← a (m×k) · b (k×n)`, `a` packed ([`Packed`]), in the order the module describes. `b` is first
/// packed into `scratch` on this thread (it grows to k·n values on the first call and is reused after). The
/// rows are split between `threads` in whole panels, so the result does not depend on the thread count.
///
/// # Panics
/// If the shapes do not chain (a bug in the caller).
pub fn matmul_packed<'b, T: Scalar>(
    dst: &mut Matrix<T>,
    a: &Packed<T>,
    b: impl Into<crate::factor::Factor<'b, T>>,
    scratch: &mut Vec<T>,
    threads: Threads,
) {
    let b = b.into().as_ref();
    let (m, k, n) = (a.rows, a.cols, b.ncols());
    crate::shapes::assert_chains("matmul_packed", (m, k, n), b.nrows(), dst);
    if k == 0 {
        dst.inner.fill(T::ZERO);
        return;
    }
    scratch.resize(k * n, T::ZERO);
    pack_slivers(b, scratch, a.nr);
    let panels = m.div_ceil(a.mr);
    let parts = threads.parts_for(2 * m * n * k).min(panels);
    split(dst.inner.as_mut(), a, 0..panels, scratch, n, parts.max(1));
}

/// `b` (k×n) in the order the kernel reads it: depth block by depth block ([`KC`]); within one, sliver by
/// sliver (`width` columns, fewer in the last); within one, step by step. The block of `p0` starts at `p0·n`,
/// and its sliver of `j0` at `p0·n + j0·kc`.
fn pack_slivers<T: Scalar>(b: MatRef<'_, T>, out: &mut [T], width: usize) {
    let (k, n) = (b.nrows(), b.ncols());
    for p0 in (0..k).step_by(KC) {
        let kc = KC.min(k - p0);
        for j0 in (0..n).step_by(width) {
            let nr = width.min(n - j0);
            let sliver = &mut out[p0 * n + j0 * kc..p0 * n + (j0 + nr) * kc];
            for jj in 0..nr {
                let column = b.col(j0 + jj);
                for (p, v) in sliver.iter_mut().skip(jj).step_by(nr).enumerate() {
                    *v = column[p0 + p];
                }
            }
        }
    }
}

/// The panels `panels` of `a` into `dst` (their rows), in `parts` blocks of whole panels under `rayon::join`.
fn split<T: Scalar>(
    dst: MatMut<'_, T>,
    a: &Packed<T>,
    panels: Range<usize>,
    slivers: &[T],
    n: usize,
    parts: usize,
) {
    if parts <= 1 {
        a.arch.dispatch(Forward {
            dst,
            a,
            panels,
            slivers,
            n,
        });
        return;
    }
    let first = parts / 2;
    let mid = panels.start + panels.len() * first / parts;
    let (top, bottom) = dst.split_at_row_mut((mid - panels.start) * a.mr);
    rayon::join(
        || split(top, a, panels.start..mid, slivers, n, first),
        || split(bottom, a, mid..panels.end, slivers, n, parts - first),
    );
}

struct Forward<'a, T: Scalar> {
    /// The rows of `panels`.
    dst: MatMut<'a, T>,
    a: &'a Packed<T>,
    panels: Range<usize>,
    /// `b`, packed by [`pack_slivers`].
    slivers: &'a [T],
    /// Columns of `b`.
    n: usize,
}

/// Column `j` of a matrix with contiguous columns (faer's own matrices and their row ranges), as a slice.
#[inline(always)]
fn col_mut<T>(m: MatMut<'_, T>, j: usize) -> &mut [T] {
    match m.col_mut(j).try_as_col_major_mut() {
        Some(c) => c.as_slice_mut(),
        None => unreachable!("a Matrix and its row ranges have contiguous columns"),
    }
}

impl<T: Scalar> pulp::WithSimd for Forward<'_, T> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, s: S) {
        let Forward {
            mut dst,
            a,
            panels,
            slivers,
            n,
        } = self;
        // The kernel's vectors must be the panels' rows (the same dispatch packed them).
        assert_eq!(
            2 * T::lanes::<S>(),
            a.mr,
            "packed for another instruction set"
        );
        let k = a.cols;
        let prefetch = Prefetch::new();
        let pieces = n.div_ceil(a.nr);
        let per_block = (BLOCK_BYTES / (KC * a.mr * size_of::<T>())).max(1);
        for p0 in (0..k).step_by(KC) {
            let kc = KC.min(k - p0);
            let depth = |r: usize| &a.panel(r)[p0 * a.mr..(p0 + kc) * a.mr];
            for r0 in panels.clone().step_by(per_block) {
                let block = r0..(r0 + per_block).min(panels.end);
                for (piece, j0) in (0..n).step_by(a.nr).enumerate() {
                    let nr = a.nr.min(n - j0);
                    let tile = Tile {
                        sliver: &slivers[p0 * n + j0 * kc..p0 * n + (j0 + nr) * kc],
                        p0,
                        j0,
                    };
                    for r in block.clone() {
                        let panel = depth(r);
                        // While this block's panels are in use, the next block's are fetched into L2: the
                        // panel a block ahead of this one, in as many pieces as there are slivers.
                        let ahead = match r + block.len() {
                            next if next < panels.end => {
                                let next = depth(next);
                                next.chunks(next.len().div_ceil(pieces).max(1))
                                    .nth(piece)
                                    .unwrap_or_default()
                            }
                            _ => &[],
                        };
                        let first = (r - panels.start) * a.mr;
                        let rows = first..(first + a.mr).min(dst.nrows());
                        // The tile's width is a constant of its loop, so each width is its own instance.
                        macro_rules! widths {
                            ($($w:literal)*) => {
                                match nr {
                                    $($w => tile.run::<S, $w>(s, panel, dst.as_mut(), rows, ahead, prefetch),)*
                                    _ => tile.run::<S, 1>(s, panel, dst.as_mut(), rows, ahead, prefetch),
                                }
                            };
                        }
                        widths!(14 13 12 11 10 9 8 7 6 5 4 3 2)
                    }
                }
            }
        }
    }
}

/// How a pass of `steps` steps fetches the lines that hold `len` values ahead: evenly, `lines / steps` lines a
/// step (a running count decides which steps fetch one more), so that every line is fetched once and the
/// fetches are spread over the whole pass. (The values ahead are at most one panel, and a step of a panel is
/// at most two lines, so a step fetches at most three lines where the values do not start on a line.)
#[derive(Clone, Debug)]
struct Spread {
    lines: usize,
    steps: usize,
    /// Values per cache line.
    line: usize,
    /// Where the values start in their first line, in values.
    offset: usize,
    /// The next line to fetch, and the steps' running count towards it.
    next: usize,
    credit: usize,
}

impl Spread {
    fn new(len: usize, offset: usize, steps: usize, line: usize) -> Self {
        Spread {
            lines: if len == 0 {
                0
            } else {
                (offset + len).div_ceil(line)
            },
            steps: steps.max(1),
            line,
            offset,
            next: 0,
            credit: 0,
        }
    }

    /// The index of one value in each line that the next step fetches.
    #[inline(always)]
    fn step(&mut self) -> impl Iterator<Item = usize> + use<> {
        let first = self.next;
        self.credit += self.lines;
        while self.credit >= self.steps {
            self.credit -= self.steps;
            self.next += 1;
        }
        let (line, offset) = (self.line, self.offset);
        (first..self.next).map(move |k| (k * line).saturating_sub(offset))
    }
}

/// A hint to the CPU to bring a cache line into L2 before it is needed (x86's `prefetcht1`; nothing
/// elsewhere). A hint changes no result.
#[derive(Clone, Copy)]
struct Prefetch {
    #[cfg(target_arch = "x86_64")]
    sse: Option<pulp::core_arch::x86::Sse>,
}

impl Prefetch {
    fn new() -> Self {
        Prefetch {
            #[cfg(target_arch = "x86_64")]
            sse: pulp::core_arch::x86::Sse::try_new(),
        }
    }

    /// The line that holds `value`.
    #[inline(always)]
    fn line<T>(self, value: &T) {
        #[cfg(target_arch = "x86_64")]
        if let Some(sse) = self.sse {
            sse._mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T1 }>(
                std::ptr::from_ref(value).cast(),
            );
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = value;
    }
}

/// One depth block of one sliver of `b`, packed step by step (`kc × nr`).
struct Tile<'s, T> {
    sliver: &'s [T],
    p0: usize,
    j0: usize,
}

impl<T: Scalar> Tile<'_, T> {
    /// `rows` (one panel, or the part of the last one that exists) of columns `j0..j0 + NR` of `dst`:
    /// NR × 2 vector accumulators, each a chain of fused multiply-adds.
    #[inline(always)]
    fn run<S: Simd, const NR: usize>(
        &self,
        s: S,
        panel: &[T],
        mut dst: MatMut<'_, T>,
        rows: Range<usize>,
        ahead: &[T],
        prefetch: Prefetch,
    ) {
        let zero = T::splat(s, T::ZERO);
        let mut acc = [[zero; 2]; NR];
        let steps = T::as_simd::<S>(panel).chunks_exact(2);
        let line = 64 / size_of::<T>();
        let offset = ahead.as_ptr().addr() % 64 / size_of::<T>();
        let mut spread = Spread::new(ahead.len(), offset, steps.len(), line);
        for (a, w) in steps.zip(self.sliver.chunks_exact(NR)) {
            for i in spread.step() {
                if let Some(v) = ahead.get(i) {
                    prefetch.line(v);
                }
            }
            for (acc, &w) in acc.iter_mut().zip(w) {
                let w = T::splat(s, w);
                acc[0] = T::mul_add(s, a[0], w, acc[0]);
                acc[1] = T::mul_add(s, a[1], w, acc[1]);
            }
        }
        for (jj, acc) in acc.iter().enumerate() {
            let z: &[T] = pulp::bytemuck::cast_slice(acc);
            let out = &mut col_mut(dst.as_mut(), self.j0 + jj)[rows.clone()];
            if self.p0 == 0 {
                out.copy_from_slice(&z[..rows.len()]);
            } else {
                // A later depth block: its chain started from 0, and its sum is added to the stored one.
                for (o, &v) in out.iter_mut().zip(z) {
                    *o += v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
