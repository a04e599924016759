//! Every buffer of the training loop, allocated before the first epoch.

use super::samples::{Samples, TrainData};
use crate::augment::Shifter;
use crate::config::{Optimizer, ValidConfig};
use nn_core::{Architecture, Gradients, L2, Workspace};
use nn_linalg::{Matrix, Packed, Scalar};

/// Every buffer of the loop, allocated before the first epoch.
pub(super) struct Buffers<T: Scalar> {
    /// Samples per step (the training part's size for full batch).
    pub(super) batch: usize,
    pub(super) full_batch: bool,
    /// One objective for every batch size and every part: λ over the training part's m samples.
    pub(super) l2: L2,
    pub(super) ws: Workspace<T>,
    pub(super) grads: Gradients<T>,
    pub(super) ws_val: Option<Workspace<T>>,
    pub(super) ws_test: Option<Workspace<T>>,
    /// Mini-batches only: the shuffled order, and the batch's rows and labels (or values).
    pub(super) order: Vec<usize>,
    pub(super) xb: Matrix<T>,
    /// Full batch only: the training features packed for the first layer's forward product, when at most
    /// [`MAX_PACKED_BYTES`].
    pub(super) packed: Option<Packed<T>>,
    /// Mini-batches only: the training features transposed (a sample per column), when at most
    /// [`MAX_TRANSPOSED_BYTES`].
    pub(super) xt: Option<Matrix<T>>,
    /// Mini-batches of larger data: rows gathered at a time (a multiple of `batch`), and their copy.
    pub(super) block: usize,
    pub(super) xblock: Matrix<T>,
    pub(super) yb: Vec<usize>,
    pub(super) vb: Vec<T>,
    /// [`Samples::target_spread`] of the training, validation and test parts (regression only).
    pub(super) spread: [Option<f64>; 3],
    /// Mini-batches of a classifier: the epoch's per-class counts, summed over its batches.
    pub(super) counts: Vec<[usize; 3]>,
    /// L-BFGS only.
    pub(super) lbfgs: Option<LbfgsScratch<T>>,
    /// With image shifts (which need the mini-batch path, even for one batch of every sample).
    pub(super) shifter: Option<Shifter<T>>,
}

/// L-BFGS's working vectors, one entry per parameter (and one scalar per pair).
pub(super) struct LbfgsScratch<T> {
    /// The weights before the line search.
    pub(super) theta: Vec<T>,
    /// The trial weights.
    pub(super) trial: Vec<T>,
    /// The search direction.
    pub(super) d: Vec<T>,
    /// The gradient at the accepted weights.
    pub(super) g_new: Vec<T>,
    /// The two-loop recursion's αₖ.
    pub(super) alpha: Vec<f64>,
}

impl<T: Scalar> Buffers<T> {
    pub(super) fn new(arch: &Architecture, cfg: &ValidConfig, data: &TrainData<T>) -> Self {
        let m = data.train.x.rows();
        let batch = cfg.batch_size.unwrap_or(m).min(m);
        // Shifted images are a copy: the full batch then goes through the mini-batch path, one batch of m.
        let full_batch = batch == m && cfg.shift.is_none();
        // The gradient passes to come, the run's epochs of ⌈m / batch⌉ steps each: a product whose two forms
        // are timed ([`nn_linalg::ops::matmul_tn`]) is timed only if they pay for it.
        let passes = cfg.epochs.saturating_mul(m.div_ceil(batch.max(1)));
        let workspace = |rows| {
            let mut ws = Workspace::<T>::new(arch, rows, cfg.threads);
            ws.expect_passes(passes);
            ws
        };
        // The validation and test parts are only evaluated: no δ buffers, which are as large as the activations,
        // and room for one block of rows (`Network::evaluate_in_blocks`).
        let evaluation = |rows: usize| {
            Workspace::<T>::for_evaluation(arch, rows.min(nn_core::EVALUATION_BLOCK), cfg.threads)
        };
        let block = gather_block(batch, m, arch.n_input * size_of::<T>());
        let bytes = m * arch.n_input * size_of::<T>();
        let transposed = bytes <= MAX_TRANSPOSED_BYTES
            || (arch.n_input >= WIDE_ROW && bytes <= MAX_WIDE_TRANSPOSED_BYTES);
        let xt = (!full_batch && transposed).then(|| data.train.x.transpose());
        // The first layer's product by whichever kernel is fastest on this CPU, timed now if the run is long
        // enough to win back the timing (a fraction of a second), one product an epoch.
        let first_width = arch.widths()[1];
        let packed = (full_batch && bytes <= MAX_PACKED_BYTES)
            .then(|| Packed::tuned_for(&data.train.x, first_width, cfg.epochs))
            .flatten();
        let xblock = if full_batch || xt.is_some() {
            Matrix::zeros(0, 0)
        } else {
            Matrix::zeros(block.min(m), arch.n_input)
        };
        let (order, xb, yb, vb) = if full_batch {
            (Vec::new(), Matrix::zeros(0, 0), Vec::new(), Vec::new())
        } else {
            let values = if arch.output.is_regression() {
                batch * arch.n_outputs
            } else {
                0
            };
            (
                Vec::with_capacity(m),
                Matrix::zeros(batch, arch.n_input),
                Vec::with_capacity(batch),
                Vec::with_capacity(values),
            )
        };
        let spread = |part: Option<&Samples<T>>| part.and_then(Samples::target_spread);
        Buffers {
            batch,
            full_batch,
            l2: L2::new(cfg.lambda, m),
            ws: workspace(batch),
            grads: Gradients::<T>::zeros(arch),
            ws_val: (data.validation.as_ref()).map(|v| evaluation(v.x.rows())),
            ws_test: (data.test.as_ref()).map(|t| evaluation(t.x.rows())),
            order,
            xb,
            packed,
            xt,
            block,
            xblock,
            yb,
            vb,
            spread: [
                spread(Some(&data.train)),
                spread(data.validation.as_ref()),
                spread(data.test.as_ref()),
            ],
            counts: if arch.output.is_regression() {
                Vec::new()
            } else {
                vec![[0; 3]; arch.classes()]
            },
            lbfgs: match cfg.optimizer {
                Optimizer::Lbfgs { history, .. } => {
                    let n = arch.parameter_count();
                    Some(LbfgsScratch {
                        theta: vec![T::ZERO; n],
                        trial: vec![T::ZERO; n],
                        d: vec![T::ZERO; n],
                        g_new: vec![T::ZERO; n],
                        alpha: vec![0.0; history],
                    })
                }
                _ => None,
            },
            shifter: cfg
                .shift
                .map(|shift| Shifter::new(shift, data.scaling.as_ref(), &data.train.x)),
        }
    }
}

/// The largest training part (in bytes) of which a full-batch run keeps a packed copy, for the first layer's
/// forward product: the report's loop, whose speed the copy is for.
const MAX_PACKED_BYTES: usize = 512 << 20;

/// The largest training part (in bytes) of which a mini-batch run keeps a transposed copy, to gather its
/// batches from. A larger part is gathered a block at a time from its columns (`gather_block`), which
/// needs no copy. The copy buys speed with memory (docs/performance.md, "Memory: under 3× the file"): on the
/// 1,000,000-row CSV of `cargo xtask bench-csv` (a 118 MB training part) it takes 12% off an epoch, but adds
/// 118 MB to a peak of 283 MB (2.9× the file's size).
const MAX_TRANSPOSED_BYTES: usize = 64 << 20;

/// Rows at least this wide keep the transposed copy up to [`MAX_WIDE_TRANSPOSED_BYTES`]: a block gather reads a
/// column at a time, so its cost grows with the row's width, and on wide rows (images) the copy saves the
/// most: a third of an epoch on MNIST's 784-value rows, against 12% on the CSV's 21. Such data is also where
/// a limit in the file's size means least: 784 pixels of one byte each are 6 KB in f64 whatever the file.
const WIDE_ROW: usize = 256;

/// The largest training part of wide rows that keeps its transposed copy.
const MAX_WIDE_TRANSPOSED_BYTES: usize = 512 << 20;

/// Rows a mini-batch epoch gathers at a time: as many whole batches as fit in 16 MiB of `row_bytes`-byte
/// rows (at least one batch; the whole epoch when it fits).
pub(super) fn gather_block(batch: usize, m: usize, row_bytes: usize) -> usize {
    const GATHER_BYTES: usize = 16 << 20;
    let batches = (GATHER_BYTES / row_bytes.max(1) / batch.max(1)).max(1);
    (batches * batch).min(m.div_ceil(batch.max(1)) * batch)
}

#[cfg(test)]
mod tests {
    use super::gather_block;

    #[test]
    fn gather_blocks_are_whole_batches_within_the_budget() {
        // The digits (3000 × 400 f64 = 9.6 MB): the whole epoch in one block of 47 batches.
        assert_eq!(gather_block(64, 3000, 400 * 8), 47 * 64);
        // 60,000 × 784 f32: 16 MiB / 3136 B = 5349 rows, 83 batches of 64.
        assert_eq!(gather_block(64, 60_000, 784 * 4), 83 * 64);
        // Rows wider than the budget: one batch at a time.
        assert_eq!(gather_block(64, 1000, 1 << 20), 64);
    }
}
