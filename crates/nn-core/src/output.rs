//! The output layer's pass: per-sample losses from the logits, the number of correct predictions, and (when
//! training) the output δ = (P − Y)/m, in as few passes over the logits as each output allows.
//!
//! A sigmoid unit's loss and δ come from one exponential per sample ([`bce_and_sigmoid`]); a softmax row's from
//! `exp(z − max)`, kept in δ to be normalised there; an identity unit's from the residual z − y. Losses are
//! summed lane-parallel, since a running `loss +=` would chain every addition and keep the loop scalar.

use crate::activation::{Output, bce_and_sigmoid, bce_with_logit};
use crate::targets::Targets;
use crate::workspace::Workspace;
use nn_linalg::simd::{self, Kernel, dispatch};
use nn_linalg::{Matrix, Scalar};

/// What the output pass measured over its samples.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Pass {
    /// Sum of the per-sample losses.
    pub loss: f64,
    /// Samples whose predicted class is their label (classification).
    pub correct: usize,
    /// Sum of |z − y| over samples and units (regression).
    pub abs_error: f64,
}

/// The per-sample losses and the correct predictions (or absolute errors), from the logits in `ws`. With
/// `Some(1/m)`, also writes the output δ = (P − Y)/m into the last delta buffer. `targets` must suit
/// `output` (checked by `Network::check_inputs`).
pub(crate) fn output_pass<T: Scalar>(
    output: Output,
    ws: &mut Workspace<T>,
    targets: Targets<'_, T>,
    delta_scale: Option<T>,
) -> Pass {
    struct K<'a, T: Scalar>(Output, &'a mut Workspace<T>, Targets<'a, T>, Option<T>);
    impl<T: Scalar> Kernel for K<'_, T> {
        type Output = Pass;
        #[inline(always)]
        fn run(self) -> Pass {
            let K(output, ws, targets, delta_scale) = self;
            let Workspace {
                acts,
                deltas,
                row_max,
                row_sum,
                row_arg,
                counts,
                class_weights,
                ..
            } = ws;
            let (Some(z), Some(d)) = (acts.last(), deltas.last_mut()) else {
                return Pass::default(); // a network has at least one layer; Workspace::new makes its buffers
            };
            let scratch = Scratch {
                z,
                delta: delta_scale.map(|scale| (scale, d)),
                row_max,
                row_sum,
                row_arg,
                counts,
            };
            let classified = |(loss, correct)| Pass {
                loss,
                correct,
                abs_error: 0.0,
            };
            match (output, targets) {
                (Output::Sigmoid, Targets::Classes(labels)) => {
                    classified(sigmoid_output(scratch, labels, class_weights))
                }
                (Output::Softmax, Targets::Classes(labels)) => {
                    classified(softmax_output(scratch, labels, class_weights))
                }
                (Output::Identity, Targets::Values(y)) => identity_output(scratch, y),
                // `Network::check_inputs` refuses these pairs before any pass.
                _ => Pass::default(),
            }
        }
    }
    dispatch(K(output, ws, targets, delta_scale))
}

/// Identity units with the squared error: loss ½(z − y)², δ = (z − y)·scale, per unit column.
#[inline(always)]
fn identity_output<T: Scalar>(s: Scratch<'_, T>, y: &[T]) -> Pass {
    let (z, mut delta) = (s.z, s.delta);
    let m = z.rows();
    let half = T::from_f64(0.5);
    let (squares, absolute) = (&mut s.row_sum[..m], &mut s.row_max[..m]);
    let mut pass = Pass::default();
    for j in 0..z.cols() {
        let y = &y[j * m..(j + 1) * m];
        for (((sq, ab), &v), &t) in squares
            .iter_mut()
            .zip(absolute.iter_mut())
            .zip(z.col(j))
            .zip(y)
        {
            let r = v - t;
            *sq = half * r * r;
            *ab = r.abs();
        }
        if let Some((scale, d)) = delta.as_mut() {
            for ((dv, &v), &t) in d.col_mut(j).iter_mut().zip(z.col(j)).zip(y) {
                *dv = (v - t) * *scale;
            }
        }
        pass.loss += simd::sum(squares).to_f64();
        pass.abs_error += simd::sum(absolute).to_f64();
    }
    pass
}

/// The output pass's logits, its δ (when training), and its scratch: row maxima and arg-maxima, a per-sample
/// sum or loss, and the per-class counts.
struct Scratch<'a, T: Scalar> {
    z: &'a Matrix<T>,
    delta: Delta<'a, T>,
    row_max: &'a mut [T],
    row_sum: &'a mut [T],
    row_arg: &'a mut [usize],
    counts: &'a mut [[usize; 3]],
}

/// δ's scale 1/m and its buffer (m×k), when the pass is a training step.
type Delta<'a, T> = Option<(T, &'a mut Matrix<T>)>;

/// Multiplies each sample's value by the weight of its class (see [`Workspace::weigh_classes`]).
#[inline(always)]
fn weigh<T: Scalar>(values: &mut [T], labels: &[usize], weights: &[T]) {
    for (v, &c) in values.iter_mut().zip(labels) {
        *v *= weights.get(c).copied().unwrap_or(T::ONE);
    }
}

/// Sigmoid units: one unit for two classes (target: label == 1), else one-vs-all (target: label == j). With
/// class weights, each sample's loss and δ are multiplied by its class's weight.
#[inline(always)]
fn sigmoid_output<T: Scalar>(s: Scratch<'_, T>, labels: &[usize], weights: &[T]) -> (f64, usize) {
    let (z, mut delta) = (s.z, s.delta);
    let k = z.cols();
    let target = |label: usize, j: usize| if k == 1 { label == 1 } else { label == j };
    let per_sample = &mut s.row_sum[..labels.len()];
    let mut loss = 0.0;
    for j in 0..k {
        let y = |c: usize| if target(c, j) { T::ONE } else { T::ZERO };
        match delta.as_mut() {
            Some((scale, d)) => {
                sigmoid_losses_and_deltas(per_sample, d.col_mut(j), z.col(j), labels, y, *scale)
            }
            None => {
                for ((l, &v), &c) in per_sample.iter_mut().zip(z.col(j)).zip(labels) {
                    *l = bce_with_logit(v, y(c));
                }
            }
        }
        if !weights.is_empty() {
            weigh(per_sample, labels, weights);
            if let Some((_, d)) = delta.as_mut() {
                weigh(d.col_mut(j), labels, weights);
            }
        }
        loss += simd::sum(per_sample).to_f64();
    }
    if k == 1 {
        for (p, &v) in s.row_arg.iter_mut().zip(z.col(0)) {
            *p = usize::from(v > T::ZERO);
        }
    } else {
        argmax_rows(z, s.row_max, s.row_arg);
    }
    (loss, count_correct(s.row_arg, labels, s.counts))
}

/// One column of sigmoid units: each sample's loss into `losses` and its δ = (σ(z) − y)·scale into `d`.
#[inline(always)]
fn sigmoid_losses_and_deltas<T: Scalar>(
    losses: &mut [T],
    d: &mut [T],
    z: &[T],
    labels: &[usize],
    y: impl Fn(usize) -> T,
    scale: T,
) {
    for (((l, dv), &v), &c) in losses.iter_mut().zip(d).zip(z).zip(labels) {
        let y = y(c);
        let (l_i, p) = bce_and_sigmoid(v, y);
        *l = l_i;
        *dv = (p - y) * scale;
    }
}

/// A softmax over each row: loss −log softmax(z)_y = ln Σ exp(z − max) + max − z_y. With class weights, each
/// sample's loss and δ are multiplied by its class's weight.
#[inline(always)]
fn softmax_output<T: Scalar>(s: Scratch<'_, T>, labels: &[usize], weights: &[T]) -> (f64, usize) {
    let (z, mut delta) = (s.z, s.delta);
    argmax_rows(z, s.row_max, s.row_arg);
    let correct = count_correct(s.row_arg, labels, s.counts);
    // row_sum = Σⱼ exp(z − max), with the max subtracted so no exponent exceeds 0. With a δ to write, the
    // exponentials are kept in it, to be normalised below.
    s.row_sum.fill(T::ZERO);
    for j in 0..z.cols() {
        let sums = s.row_sum.iter_mut().zip(s.row_max.iter()).zip(z.col(j));
        match delta.as_mut() {
            Some((_, d)) => {
                for (((sum, &mx), &v), dv) in sums.zip(d.col_mut(j)) {
                    *dv = (v - mx).exp();
                    *sum += *dv;
                }
            }
            None => {
                for ((sum, &mx), &v) in sums {
                    *sum += (v - mx).exp();
                }
            }
        }
    }
    let mut loss = 0.0;
    for (i, &c) in labels.iter().enumerate() {
        let l = s.row_sum[i].ln() + s.row_max[i] - z.get(i, c);
        loss += match weights.get(c) {
            Some(&w) => (l * w).to_f64(),
            None => l.to_f64(),
        };
    }
    if let Some((scale, d)) = delta {
        softmax_deltas(d, s.row_sum, labels, scale);
        if !weights.is_empty() {
            for j in 0..d.cols() {
                weigh(d.col_mut(j), labels, weights);
            }
        }
    }
    (loss, correct)
}

/// δ = (softmax(z) − onehot(y))·scale, from the exponentials already in `d` and their row sums.
#[inline(always)]
fn softmax_deltas<T: Scalar>(d: &mut Matrix<T>, row_sum: &mut [T], labels: &[usize], scale: T) {
    for sum in row_sum.iter_mut() {
        *sum = scale / *sum;
    }
    for j in 0..d.cols() {
        for (dv, &inv) in d.col_mut(j).iter_mut().zip(row_sum.iter()) {
            *dv *= inv;
        }
    }
    for (i, &c) in labels.iter().enumerate() {
        let v = d.get(i, c);
        d.set(i, c, v - scale);
    }
}

/// Row maximum and its column (first on ties) of `z`, in column passes.
#[inline(always)]
pub(crate) fn argmax_rows<T: Scalar>(z: &Matrix<T>, row_max: &mut [T], row_arg: &mut [usize]) {
    row_max.copy_from_slice(z.col(0));
    row_arg.fill(0);
    for j in 1..z.cols() {
        for ((mx, arg), &v) in row_max.iter_mut().zip(row_arg.iter_mut()).zip(z.col(j)) {
            if v > *mx {
                *mx = v;
                *arg = j;
            }
        }
    }
}

/// The samples whose prediction is their label; and per class [correct, predicted, actual] into `counts`.
fn count_correct(predicted: &[usize], labels: &[usize], counts: &mut [[usize; 3]]) -> usize {
    counts.fill([0; 3]);
    let mut correct = 0;
    for (&p, &c) in predicted.iter().zip(labels) {
        // Labels are checked against the classes before any pass; predictions come from the units.
        if let (Some(_), Some(_)) = (counts.get(p), counts.get(c)) {
            counts[p][1] += 1;
            counts[c][2] += 1;
            if p == c {
                counts[c][0] += 1;
                correct += 1;
            }
        }
    }
    correct
}
