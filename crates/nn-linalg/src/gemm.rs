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
//! each sliver of W (packed, it stays in L1), each panel accumulates a tile of `vectors × cols` vector
//! accumulators in registers ([`TileShape`]): `vectors` loads of X and `cols` broadcasts of W per step of the
//! chain. The default is 2 × 6 (12 accumulators, for 16 registers); where there are 32, [`Packed::tuned`]
//! times the tiles of [`TileShape::WIDE`] and the general product, and keeps the fastest. The slivers of W
//! are as even as the tile allows ([`column_slivers`]), so that no narrow tile is left over at the end.
//!
//! **Tall tiles.** On the Ice Lake Xeon, in one process, interleaved, one thread: with X in L2 the 2 × 14
//! tile ran at 52–60% of the FMA peak where faer's kernel (4 vectors × 6 columns) ran the gradient's product
//! at 72–80%; the 3 × 8 and 4 × 6 tiles here ran the digits' X·W 1.07–1.25× as fast as 2 × 14, and MNIST's
//! 1.06–1.17× (docs/performance.md). A taller tile loads fewer values per multiply-add (10 for 24 at 4 × 6,
//! 16 for 28 at 2 × 14). At two threads no shape was ahead in every run.
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

/// The shape of the kernel's register tile: `vectors` vectors of X's rows (a panel, [`Packed`]) by `cols`
/// columns of W, `vectors × cols` accumulators. Every shape gives the same bits (the module's order); the
/// shape changes the speed only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TileShape {
    /// Vectors of rows per tile: 2, 3 or 4.
    pub vectors: usize,
    /// Columns of W per tile: at most 14, 8 or 6 at 2, 3 or 4 vectors.
    pub cols: usize,
}

impl TileShape {
    /// The default: 2 × 6, 12 accumulators, two vectors of X and one broadcast, which 16 vector registers
    /// (AVX2) hold.
    pub const DEFAULT: TileShape = TileShape::new(2, 6);
    /// The shapes [`Packed::tuned`] times under 32 vector registers (AVX-512), each with as many
    /// accumulators as 32 registers hold beside its vectors of X and a broadcast: the default, 2 × 14
    /// (28 accumulators; 8 and 12 columns were between 6 and 14 on the Xeon where this was measured), 3 × 8 and
    /// 4 × 6 (24 each; the last is the shape of faer's own AVX-512 kernel).
    pub const WIDE: [TileShape; 4] = [
        TileShape::DEFAULT,
        TileShape::new(2, 14),
        TileShape::new(3, 8),
        TileShape::new(4, 6),
    ];

    /// `vectors` × `cols`.
    pub const fn new(vectors: usize, cols: usize) -> Self {
        TileShape { vectors, cols }
    }

    /// Whether the kernel has this shape: 2 to 4 vectors, and at least one column, at most the widest that
    /// 32 registers hold.
    pub fn is_supported(self) -> bool {
        let widest = match self.vectors {
            2 => 14,
            3 => 8,
            4 => 6,
            _ => 0,
        };
        (1..=widest).contains(&self.cols)
    }
}

impl std::fmt::Display for TileShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}×{}", self.vectors, self.cols)
    }
}

/// Depth per pass: a packed sliver of W is `KC × nr` values (24 KiB in f64 at the default tile), which stays
/// in L1. It is also the length of the chains, so it fixes the bits and is the same at every tile width. The digits'
/// 400 inputs fit in one pass; 256 split them in two and was slower (17–22 against 22–28 GFLOP/s).
const KC: usize = 512;
/// Bytes of X per block of panels: they stay in L2 while every sliver of W passes over them, beside the next
/// block, which is being fetched ([`Spread`]): 4 panels of a 2-vector tile under AVX-512 (2 of a 4-vector
/// one), 8 under AVX2. On the Zen 3 where the blocks were first measured, without the prefetch, 4 to 8 AVX2
/// panels were best and 24 was 15% slower. On the Ice Lake Xeon, with it, in one process: 4 AVX-512 panels
/// were level with 8 on MNIST and 5–10% faster on the digits, and under AVX2 8 panels were 5–15% faster than
/// 4.
const BLOCK_BYTES: usize = 256 << 10;

/// Values per vector under `arch` (4 in f64 and 8 in f32 under AVX2, twice that under AVX-512).
fn lanes<T: Scalar>(arch: pulp::Arch) -> usize {
    struct Lanes<T>(std::marker::PhantomData<T>);
    impl<T: Scalar> pulp::WithSimd for Lanes<T> {
        type Output = usize;
        #[inline(always)]
        fn with_simd<S: Simd>(self, _: S) -> usize {
            T::lanes::<S>()
        }
    }
    arch.dispatch(Lanes::<T>(std::marker::PhantomData))
}

/// Whether `arch` has 512-bit vectors (32 registers under AVX-512).
fn wide<T: Scalar>(arch: pulp::Arch) -> bool {
    lanes::<T>(arch) * size_of::<T>() >= 64
}

/// A matrix packed for [`matmul_packed`]: its rows in panels of one register tile (its vectors), each panel
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
    /// Rows per panel: the tile's vectors.
    mr: usize,
    /// The register tile of its products.
    tile: TileShape,
    /// The dispatch it was packed for, which its products use.
    arch: pulp::Arch,
}

impl<T: Scalar> Packed<T> {
    /// `a`, packed, for products with the default register tile.
    pub fn new(a: &Matrix<T>) -> Self {
        Self::with_tile(a, TileShape::DEFAULT)
    }

    /// `a`, packed for products with `n` columns at the [`fastest_tile`](Self::fastest_tile) on this CPU,
    /// or `None` where the general product is faster.
    pub fn tuned(a: &Matrix<T>, n: usize) -> Option<Self> {
        Self::tuned_for(a, n, usize::MAX)
    }

    /// `a`, packed as [`tuned`](Self::tuned) packs it, for a run that will use it in `uses` products (a
    /// full-batch run's epochs), where timing the tiles pays off: where `uses` products come to at least ten
    /// times the timing's own. Otherwise at the tile already chosen in this process for the shape, if one
    /// was, else at the default tile, untimed (and nothing is kept). Every tile gives the same bits, so
    /// `uses` changes the speed only.
    pub fn tuned_for(a: &Matrix<T>, n: usize, uses: usize) -> Option<Self> {
        Self::tile_for(a, n, uses).map(|tile| Self::with_tile(a, tile))
    }

    /// Which is fastest on this CPU for `a` times a matrix of `n` columns, timed now: this kernel at each
    /// register tile of [`TileShape::WIDE`] (`Some(tile)`), or the general product (`ops::matmul`, `None`).
    /// Every choice gives the same bits (the module's order), so the choice changes the speed only.
    /// The candidates run, interleaved, on up to 4,096 rows of `a`; each one's median of 7 rounds after a
    /// warm-up one counts. On the Ice Lake Xeon that took 0.3 s for the digits in f64 (0.15 s in f32) and
    /// 0.5–1 s for MNIST's 784 inputs by 128 columns. The choice is kept for the rest of the process, by
    /// shape, element type and level, so that a sweep or the report's replay, which train many runs of one
    /// shape, time it once. A product under 2²² multiply-adds, or one without 512-bit vectors, takes the
    /// default tile untimed.
    ///
    /// Measured, not assumed, because the winner differs by CPU: on an AMD Zen 4 this kernel beat the general
    /// product at the default tile; on an Intel Xeon (Ice Lake, two AVX-512 FMA units) it lost to it there,
    /// and the tall tiles were fastest (docs/performance.md).
    pub fn fastest_tile(a: &Matrix<T>, n: usize) -> Option<TileShape> {
        Self::tile_for(a, n, usize::MAX)
    }

    /// [`fastest_tile`](Self::fastest_tile) for `uses` products: timed only where they pay for it, as
    /// [`tuned_for`](Self::tuned_for) says.
    fn tile_for(a: &Matrix<T>, n: usize, uses: usize) -> Option<TileShape> {
        let arch = crate::simd::arch();
        let (m, k) = (a.rows(), a.cols());
        if m * k * n < tuning::MIN_WORK || !wide::<T>(arch) {
            return Some(TileShape::DEFAULT);
        }
        let rows = m.min(tuning::ROWS);
        // The candidates: each tile, then the general product.
        let tiles = TileShape::WIDE;
        let untimed = tiles
            .iter()
            .position(|&t| t == TileShape::DEFAULT)
            .unwrap_or(0);
        let key = Self::tuning_key(rows, k, n);
        let choice = tuning::fastest(key, tiles.len() + 1, (uses, m), untimed, || {
            let sample = Matrix::from_fn(rows, k, |i, j| a.get(i, j));
            let w = Matrix::from_fn(k, n, |i, j| {
                T::from_f64(((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.5)
            });
            let mut z = Matrix::zeros(rows, n);
            let mut scratch = Vec::new();
            let packed: Vec<Self> = tiles
                .iter()
                .map(|&tile| Self::with_tile(&sample, tile))
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

    /// `a`, packed for products with the register tile `tile` (for benchmarks and tests; the trainer uses
    /// [`tuned`](Self::tuned)). Every tile gives the same bits. (A tile of more than 2 vectors runs under 16
    /// registers too, correctly, but it spills.)
    ///
    /// # Panics
    /// If the kernel has no such tile ([`TileShape::is_supported`]).
    pub fn with_tile(a: &Matrix<T>, tile: TileShape) -> Self {
        assert!(tile.is_supported(), "a register tile of {tile}");
        let arch = crate::simd::arch();
        let (rows, cols, mr) = (a.rows(), a.cols(), tile.vectors * lanes::<T>(arch));
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
            tile,
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

    /// The register tile of its products (for reports).
    pub fn tile(&self) -> TileShape {
        self.tile
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
    pack_slivers(b, scratch, a.tile.cols);
    let panels = m.div_ceil(a.mr);
    let parts = threads.parts_for(2 * m * n * k).min(panels);
    split(dst.inner.as_mut(), a, 0..panels, scratch, n, parts.max(1));
}

/// The slivers of `n` columns at tiles of at most `width` columns, `(first column, width)` in order: as few
/// as that allows, their widths as even as can be. 128 columns at 14 are 8 slivers of 13 and 2 of 12, not 9
/// of 14 and one of 2, whose narrow tile would load a vector of X for every two multiply-adds.
fn column_slivers(n: usize, width: usize) -> impl Iterator<Item = (usize, usize)> {
    let pieces = n.div_ceil(width.max(1));
    (0..pieces).map(move |i| (i * n / pieces, (i + 1) * n / pieces - i * n / pieces))
}

/// `b` (k×n) in the order the kernel reads it: depth block by depth block ([`KC`]); within one, sliver by
/// sliver ([`column_slivers`] of at most `width` columns); within one, step by step. The block of `p0`
/// starts at `p0·n`, and its sliver of `j0` at `p0·n + j0·kc`.
fn pack_slivers<T: Scalar>(b: MatRef<'_, T>, out: &mut [T], width: usize) {
    let (k, n) = (b.nrows(), b.ncols());
    for p0 in (0..k).step_by(KC) {
        let kc = KC.min(k - p0);
        for (j0, nr) in column_slivers(n, width) {
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
            a.tile.vectors * T::lanes::<S>(),
            a.mr,
            "packed for another instruction set"
        );
        let k = a.cols;
        let prefetch = Prefetch::new();
        let pieces = column_slivers(n, a.tile.cols).count();
        let per_block = (BLOCK_BYTES / (KC * a.mr * size_of::<T>())).max(1);
        for p0 in (0..k).step_by(KC) {
            let kc = KC.min(k - p0);
            let depth = |r: usize| &a.panel(r)[p0 * a.mr..(p0 + kc) * a.mr];
            for r0 in panels.clone().step_by(per_block) {
                let block = r0..(r0 + per_block).min(panels.end);
                for (piece, (j0, nr)) in column_slivers(n, a.tile.cols).enumerate() {
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
                        // The tile's shape is a constant of its loop, so each shape is its own instance.
                        macro_rules! widths {
                            ($v:literal: $($w:literal)*) => {
                                match nr {
                                    $($w => tile.run::<S, $v, $w>(s, panel, dst.as_mut(), rows, ahead, prefetch),)*
                                    _ => tile.run::<S, $v, 1>(s, panel, dst.as_mut(), rows, ahead, prefetch),
                                }
                            };
                        }
                        match a.tile.vectors {
                            2 => widths!(2: 14 13 12 11 10 9 8 7 6 5 4 3 2),
                            3 => widths!(3: 8 7 6 5 4 3 2),
                            _ => widths!(4: 6 5 4 3 2),
                        }
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
    /// NR × V vector accumulators, each a chain of fused multiply-adds.
    #[inline(always)]
    fn run<S: Simd, const V: usize, const NR: usize>(
        &self,
        s: S,
        panel: &[T],
        mut dst: MatMut<'_, T>,
        rows: Range<usize>,
        ahead: &[T],
        prefetch: Prefetch,
    ) {
        let zero = T::splat(s, T::ZERO);
        let mut acc = [[zero; V]; NR];
        let steps = T::as_simd::<S>(panel).chunks_exact(V);
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
                for (acc, &a) in acc.iter_mut().zip(a) {
                    *acc = T::mul_add(s, a, w, *acc);
                }
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
