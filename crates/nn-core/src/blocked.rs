//! Evaluating a large part a block of rows at a time, so that its workspace holds the activations of one
//! block instead of all its rows (at 100 hidden units, 800 bytes per row in f64).

use crate::error::Result;
use crate::network::Network;
use crate::objective::{Evaluation, L2};
use crate::output::{Pass, output_pass};
use crate::targets::Targets;
use crate::workspace::Workspace;
use nn_linalg::{Matrix, Scalar, Threads};

/// Rows per block of [`Network::evaluate_in_blocks`]. A part of at most this many rows is one block, and is
/// evaluated exactly as [`Network::evaluate_with`] does; every part of the report's replay is.
pub const EVALUATION_BLOCK: usize = 8192;

impl<T: Scalar> Network<T> {
    /// [`evaluate_with`](Self::evaluate_with) over blocks of [`EVALUATION_BLOCK`] rows, so that `ws` needs room
    /// for one block: make it with [`Workspace::for_evaluation`] for `m.min(EVALUATION_BLOCK)` rows.
    ///
    /// Up to one block this is `evaluate_with`, bit for bit. Over that, each block's rows (and target values)
    /// are copied into the workspace, and the loss and absolute error are the sums of the blocks' sums, in
    /// block order: a fixed order, whatever the threads or the SIMD level. The class counts
    /// ([`Workspace::class_counts`]) are over all rows. Allocates only the first time the workspace is used
    /// this way.
    pub fn evaluate_in_blocks(
        &self,
        x: &Matrix<T>,
        targets: Targets<'_, T>,
        l2: L2,
        ws: &mut Workspace<T>,
    ) -> Result<Evaluation> {
        let m = x.rows();
        if m <= EVALUATION_BLOCK {
            return self.evaluate_with(x, targets, l2, ws);
        }
        self.check_inputs(x, targets)?;
        // Taken out of the workspace while its other buffers are in use, and put back after.
        let mut block_x = std::mem::replace(&mut ws.block_x, Matrix::zeros(0, 0));
        let mut block_y = std::mem::take(&mut ws.block_y);
        let mut counts = std::mem::take(&mut ws.block_counts);
        if block_x.cols() != x.cols() {
            block_x = Matrix::zeros(0, x.cols());
        }
        counts.clear();
        counts.resize(ws.counts.len(), [0; 3]);
        let mut total = Pass::default();
        let mut result = Ok(());
        for first in (0..m).step_by(EVALUATION_BLOCK) {
            let rows = EVALUATION_BLOCK.min(m - first);
            x.copy_rows_into(first, rows, &mut block_x);
            let block = match targets {
                Targets::Classes(labels) => Targets::Classes(&labels[first..first + rows]),
                Targets::Values(values) => {
                    block_y.clear();
                    for column in values.chunks_exact(m) {
                        block_y.extend_from_slice(&column[first..first + rows]);
                    }
                    Targets::Values(&block_y)
                }
            };
            if let Err(e) = self.forward(&block_x, ws) {
                result = Err(e);
                break;
            }
            let pass = output_pass(self.architecture().output, ws, block, None);
            total.loss += pass.loss;
            total.correct += pass.correct;
            total.abs_error += pass.abs_error;
            for (sum, c) in counts.iter_mut().zip(&ws.counts) {
                for (s, c) in sum.iter_mut().zip(c) {
                    *s += c;
                }
            }
        }
        ws.counts.copy_from_slice(&counts);
        (ws.block_x, ws.block_y, ws.block_counts) = (block_x, block_y, counts);
        result.map(|()| self.evaluation(m, total, l2))
    }

    /// The output logits Z (m×k) of `x`, computed a block of [`EVALUATION_BLOCK`] rows at a time, so that only
    /// one block's hidden activations exist at once. Each row's logits are those of a pass over all rows, bit
    /// for bit (a product's rows do not depend on the others).
    pub(crate) fn logits_in_blocks(&self, x: &Matrix<T>) -> Result<Matrix<T>> {
        let m = x.rows();
        let mut ws =
            Workspace::for_evaluation(self.architecture(), m.min(EVALUATION_BLOCK), Threads::All);
        if m <= EVALUATION_BLOCK {
            self.forward(x, &mut ws)?;
            return Ok(ws.logits().clone());
        }
        let mut z = Matrix::zeros(m, self.architecture().n_outputs);
        let mut block = Matrix::zeros(0, x.cols());
        for first in (0..m).step_by(EVALUATION_BLOCK) {
            let rows = EVALUATION_BLOCK.min(m - first);
            x.copy_rows_into(first, rows, &mut block);
            self.forward(&block, &mut ws)?;
            for j in 0..z.cols() {
                z.col_mut(j)[first..first + rows].copy_from_slice(ws.logits().col(j));
            }
        }
        Ok(z)
    }
}
