//! A mini-batch epoch of the training loop: the shuffled order, the batches gathered (from the transposed copy
//! or a block at a time), image shifts, and a step per batch.

use super::Trainer;
use super::buffers::Buffers;
use super::samples::{Samples, Y};
use crate::epoch::{PartMetrics, r_squared};
use crate::error::Result;
use crate::keys::{Draw, shuffle_seed, step_key};
use nn_core::{Input, Targets};
use nn_linalg::Scalar;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;

impl<T: Scalar> Trainer<T> {
    /// One pass over the training part in mini-batches, in an order shuffled from (seed, epoch) alone, so that
    /// a resumed run shuffles as an uninterrupted one. The metrics average the batches' own passes.
    pub(super) fn mini_batch_epoch(
        &mut self,
        train: &Samples<T>,
        buf: &mut Buffers<T>,
        lr: f64,
        epoch: usize,
    ) -> Result<PartMetrics> {
        let m = train.x.rows();
        buf.order.clear();
        buf.order.extend(0..m);
        if self.config.shuffle {
            buf.order
                .shuffle(&mut ChaCha8Rng::seed_from_u64(shuffle_seed(
                    self.config.seed,
                    epoch,
                )));
        }
        let mut sum = PartMetrics::default();
        let (mut loss_sum, mut cost_sum, mut abs_sum) = (0.0, 0.0, 0.0);
        buf.counts.fill([0; 3]);
        let (batch, block) = (buf.batch, buf.block);
        let steps = buf
            .order
            .chunks(block)
            .flat_map(|rows| rows.chunks(batch).enumerate());
        for (step, (k, chunk)) in steps.enumerate() {
            // Gathering shuffled rows from the column-major X touches a new cache line for every value
            // (18% of a digits run in `perf`). So the samples are read from a transposed copy, one
            // contiguous run each; or, for data too large to copy, a block of batches at a time, column by
            // column, so that each column's random reads stay within a column the cache holds.
            if let Some(xt) = &buf.xt {
                xt.gather_cols_as_rows_into(chunk, &mut buf.xb);
            } else {
                if k == 0 {
                    let start = step * batch;
                    let rows = &buf.order[start..(start + block).min(m)];
                    train.x.gather_rows_into(rows, &mut buf.xblock);
                }
                buf.xblock
                    .copy_rows_into(k * batch, chunk.len(), &mut buf.xb);
            }
            if let Some(shifter) = &mut buf.shifter {
                shifter.apply(
                    &mut buf.xb,
                    step_key(Draw::Shifts, self.config.seed, epoch, step),
                );
            }
            let y = batch_targets(&train.y, chunk, m, &mut buf.yb, &mut buf.vb);
            let at = (epoch, step);
            let x = Input::from(&buf.xb);
            let eval = self.step(x, y, &mut buf.ws, &mut buf.grads, buf.l2, lr, at)?;
            loss_sum += eval.loss * chunk.len() as f64;
            cost_sum += eval.cost() * chunk.len() as f64;
            abs_sum += eval.abs_error * chunk.len() as f64;
            sum.correct += eval.correct;
            for (total, batch) in buf.counts.iter_mut().zip(buf.ws.class_counts()) {
                for (t, b) in total.iter_mut().zip(batch) {
                    *t += b;
                }
            }
        }
        sum.total = m;
        sum.loss = loss_sum / m as f64;
        sum.cost = cost_sum / m as f64;
        sum.accuracy = sum.correct as f64 / m as f64;
        sum.r2 = buf.spread[0].map(|spread| r_squared(sum.loss, spread));
        sum.mae = buf.spread[0].map(|_| abs_sum / m as f64);
        sum.f1 = (!buf.counts.is_empty()).then(|| crate::metrics::macro_f1(&buf.counts));
        Ok(sum)
    }
}

/// The targets of the samples `chunk` (of `m`), gathered into `yb` (classes) or `vb` (values, column by
/// column), which keep their capacity from batch to batch.
fn batch_targets<'a, T: Scalar>(
    y: &Y<T>,
    chunk: &[usize],
    m: usize,
    yb: &'a mut Vec<usize>,
    vb: &'a mut Vec<T>,
) -> Targets<'a, T> {
    match y {
        Y::Classes(labels) => {
            yb.clear();
            yb.extend(chunk.iter().map(|&i| labels[i]));
            Targets::Classes(yb)
        }
        Y::Values(values) => {
            vb.clear();
            for column in values.chunks(m) {
                vb.extend(chunk.iter().map(|&i| column[i]));
            }
            Targets::Values(vb)
        }
    }
}
