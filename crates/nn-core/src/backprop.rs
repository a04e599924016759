//! The forward pass, the loss computed from logits, and the backward pass.
//!
//! Shape letters: `m` samples, `n_in`/`n_out` a layer's widths, `k` output units. Layer `l` (0-based) maps
//! `A[l-1]` (m×n_in, with `A[-1] = X`) to `A[l]` (m×n_out):
//!
//! ```text
//! forward   Z[l] = A[l-1]·W[l] + b[l]              A[l] = f(Z[l]) for hidden layers; the output keeps Z[L-1]
//! loss      J = (1/m) Σᵢ loss(Z[L-1]ᵢ, yᵢ) + λ/(2n) Σₗ ‖W[l]‖²      (bias weights are not penalised)
//! output δ  δ[L-1] = (P − Y)/m                      P = σ(Z) or softmax(Z): both pair with their cross-entropy
//! backward  ∂J/∂W[l] = A[l-1]ᵀ·δ[l] + (λ/n)·W[l]     ∂J/∂b[l] = Σᵢ δ[l]ᵢ
//!           δ[l-1]  = (δ[l]·W[l]ᵀ) ⊙ f'(A[l-1])
//! ```
//!
//! `n` is the [`L2`] penalty's sample count: the training part's size, so that one λ means one objective at
//! any batch size. A full batch has `m = n`, which is the report's `Δ += a·δᵀ, D = Δ/m + (λ/m)Θ` for non-bias
//! weights (the report writes `+ λΘ`; the course's cost, whose gradient this is, has λ/m), written per batch
//! instead of per sample, with rows as samples.

use crate::activation::{Activation, Output, bce_and_sigmoid, bce_with_logit, sigmoid};
use crate::error::{CoreError, Result};
use crate::network::{Architecture, Layer, Network, unroll_theta};
use nn_linalg::simd::{self, Kernel, dispatch};
use nn_linalg::{Accum, Matrix, Scalar, Threads, ops};

/// Every buffer one forward and backward pass over `m` samples needs. Create it once; passes reuse it, and
/// [`Workspace::prepare`] follows a changing batch size without allocating once it has seen the largest.
#[derive(Clone, Debug)]
pub struct Workspace<T: Scalar = f64> {
    threads: Threads,
    /// `acts[l]` (m×n_out of layer l): hidden activations, and the output logits in the last one.
    acts: Vec<Matrix<T>>,
    /// `deltas[l]` (m×n_out of layer l): ∂J/∂Z[l].
    deltas: Vec<Matrix<T>>,
    /// Per-sample scratch for the output layer: row maximum and arg-max; the softmax normaliser, or each
    /// sample's loss for a sigmoid output.
    row_max: Vec<T>,
    row_sum: Vec<T>,
    row_arg: Vec<usize>,
}

impl<T: Scalar> Workspace<T> {
    /// Buffers for `m` samples through `arch`.
    pub fn new(arch: &Architecture, m: usize, threads: Threads) -> Self {
        let widths = arch.widths();
        let buffers = || {
            widths[1..]
                .iter()
                .map(|&n| Matrix::zeros(m, n))
                .collect::<Vec<_>>()
        };
        Workspace {
            threads,
            acts: buffers(),
            deltas: buffers(),
            row_max: vec![T::ZERO; m],
            row_sum: vec![T::ZERO; m],
            row_arg: vec![0; m],
        }
    }

    /// The thread setting products use.
    pub fn threads(&self) -> Threads {
        self.threads
    }

    /// Number of samples the buffers currently hold.
    pub fn rows(&self) -> usize {
        self.row_max.len()
    }

    /// Resizes every buffer to `m` samples. Allocates only when `m` exceeds every size seen before.
    pub fn prepare(&mut self, m: usize) {
        if m == self.rows() {
            return;
        }
        for a in self.acts.iter_mut().chain(self.deltas.iter_mut()) {
            a.resize_rows(m);
        }
        self.row_max.resize(m, T::ZERO);
        self.row_sum.resize(m, T::ZERO);
        self.row_arg.resize(m, 0);
    }

    /// The output logits `Z` (m×k) of the last forward pass.
    pub fn logits(&self) -> &Matrix<T> {
        self.acts.last().expect("a network has at least one layer")
    }
}

/// The gradient of the cost: one [`Layer`] of ∂J/∂W and ∂J/∂b per layer of the network.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients<T: Scalar = f64> {
    /// Same shapes as the network's layers.
    pub layers: Vec<Layer<T>>,
}

impl<T: Scalar> Gradients<T> {
    /// Zeros shaped like `arch`'s layers.
    pub fn zeros(arch: &Architecture) -> Self {
        Gradients {
            layers: arch
                .widths()
                .windows(2)
                .map(|w| Layer::zeros(w[0], w[1]))
                .collect(),
        }
    }

    /// Every entry in the course's unrolled order (each layer as a Θ matrix, column-major).
    pub fn unrolled_theta(&self) -> Vec<T> {
        unroll_theta(&self.layers)
    }
}

/// The L2 weight penalty λ/(2n)·Σ W² of the objective (bias weights are not penalised).
///
/// `n` is the number of samples the objective is defined over: the whole training part. With it, the same λ
/// is the same objective `J = (1/n)·Σᵢ loss(xᵢ) + λ/(2n)·Σ W²` at any batch size: a mini-batch of `m` samples
/// is a `m/n` share of the data and of the penalty, so its gradient `(1/m)·Σ ∇loss + (λ/n)·W` estimates ∇J
/// without bias. Full-batch training has `m = n`: the course's `λ/(2m)`. Every part of the data (train,
/// validation, test) reports its cost with the same `n`, so costs differ between parts by their loss alone.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct L2 {
    /// λ ≥ 0.
    pub lambda: f64,
    /// The samples the objective is defined over.
    pub n: usize,
}

impl L2 {
    /// No penalty.
    pub const NONE: L2 = L2 { lambda: 0.0, n: 1 };

    /// λ over an objective of `n` samples.
    pub fn new(lambda: f64, n: usize) -> Self {
        L2 { lambda, n }
    }

    /// The coefficient of W in the gradient: λ/n.
    pub fn decay(&self) -> f64 {
        self.lambda / self.n as f64
    }

    /// λ/(2n)·`sum_squares` (0 when λ = 0 or n = 0).
    pub fn penalty(&self, sum_squares: impl FnOnce() -> f64) -> f64 {
        if self.lambda == 0.0 || self.n == 0 {
            0.0
        } else {
            self.lambda / (2.0 * self.n as f64) * sum_squares()
        }
    }
}

/// What one pass over a set of samples measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Evaluation {
    /// Samples seen.
    pub samples: usize,
    /// Mean cross-entropy over the samples, without the penalty.
    pub loss: f64,
    /// The weight penalty λ/(2n)·Σ W² (see [`L2`]).
    pub penalty: f64,
    /// Samples whose most probable class is their label.
    pub correct: usize,
}

impl Evaluation {
    /// J = loss + penalty, the quantity gradient descent minimises.
    pub fn cost(&self) -> f64 {
        self.loss + self.penalty
    }

    /// correct / samples (0 for no samples).
    pub fn accuracy(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.correct as f64 / self.samples as f64
        }
    }
}

impl<T: Scalar> Network<T> {
    /// Checks that `x` and `labels` fit this network: width, count, and every label a class.
    pub fn check_inputs(&self, x: &Matrix<T>, labels: &[usize]) -> Result<()> {
        let arch = self.architecture();
        if x.cols() != arch.n_input {
            return Err(CoreError::InputWidth {
                expected: arch.n_input,
                found: x.cols(),
            });
        }
        if labels.len() != x.rows() {
            return Err(CoreError::LabelCount {
                rows: x.rows(),
                labels: labels.len(),
            });
        }
        let classes = arch.classes();
        if let Some(row) = labels.iter().position(|&c| c >= classes) {
            return Err(CoreError::LabelOutOfRange {
                row,
                label: labels[row],
                classes,
            });
        }
        Ok(())
    }

    /// Runs the forward pass over `x` (m×n_input) into `ws`, leaving the logits in [`Workspace::logits`].
    pub fn forward(&self, x: &Matrix<T>, ws: &mut Workspace<T>) -> Result<()> {
        if x.cols() != self.architecture().n_input {
            return Err(CoreError::InputWidth {
                expected: self.architecture().n_input,
                found: x.cols(),
            });
        }
        ws.prepare(x.rows());
        let activation = self.architecture().activation;
        let last = self.layers().len() - 1;
        for (l, layer) in self.layers().iter().enumerate() {
            let (done, rest) = ws.acts.split_at_mut(l);
            let input = if l == 0 { x } else { &done[l - 1] };
            let z = &mut rest[0];
            // Z (m×n_out) = A (m×n_in) · W (n_in×n_out)
            ops::matmul(z, Accum::Replace, input, &layer.weights, T::ONE, ws.threads);
            if l == last {
                ops::add_row_broadcast(z, &layer.bias);
            } else {
                bias_and_activation(z, &layer.bias, activation, ws.threads);
            }
        }
        Ok(())
    }

    /// Loss, penalty and accuracy of the network on `(x, labels)`, using `ws` for buffers.
    pub fn evaluate_with(
        &self,
        x: &Matrix<T>,
        labels: &[usize],
        l2: L2,
        ws: &mut Workspace<T>,
    ) -> Result<Evaluation> {
        self.check_inputs(x, labels)?;
        self.forward(x, ws)?;
        let (loss_sum, correct) = output_pass(self.architecture().output, ws, labels, None);
        Ok(self.evaluation(x.rows(), loss_sum, correct, l2))
    }

    /// Like [`evaluate_with`](Self::evaluate_with), and also writes ∂J/∂W, ∂J/∂b of every layer into `grads`.
    /// The evaluation is of the parameters before any update.
    pub fn gradient_with(
        &self,
        x: &Matrix<T>,
        labels: &[usize],
        l2: L2,
        ws: &mut Workspace<T>,
        grads: &mut Gradients<T>,
    ) -> Result<Evaluation> {
        self.check_inputs(x, labels)?;
        let m = x.rows();
        if m == 0 {
            return Err(CoreError::NoSamples("a gradient"));
        }
        self.forward(x, ws)?;
        let scale = T::from_f64(1.0 / m as f64);
        let (loss_sum, correct) = output_pass(self.architecture().output, ws, labels, Some(scale));
        self.backward(x, l2, ws, grads);
        Ok(self.evaluation(m, loss_sum, correct, l2))
    }

    fn backward(&self, x: &Matrix<T>, l2: L2, ws: &mut Workspace<T>, grads: &mut Gradients<T>) {
        let activation = self.architecture().activation;
        let decay = T::from_f64(l2.decay());
        for (l, layer) in self.layers().iter().enumerate().rev() {
            let input = if l == 0 { x } else { &ws.acts[l - 1] };
            let grad = &mut grads.layers[l];
            // ∂J/∂W (n_in×n_out) = Aᵀ (n_in×m) · δ (m×n_out) + (λ/n)·W
            ops::matmul_tn(
                &mut grad.weights,
                Accum::Replace,
                input,
                &ws.deltas[l],
                T::ONE,
                ws.threads,
            );
            if l2.lambda != 0.0 {
                ops::axpy(&mut grad.weights, decay, &layer.weights);
            }
            // ∂J/∂b (n_out) = Σᵢ δᵢ
            ops::col_sums(&mut grad.bias, Accum::Replace, &ws.deltas[l]);
            if l > 0 {
                let (below, here) = ws.deltas.split_at_mut(l);
                let delta_below = &mut below[l - 1];
                // δ[l-1] (m×n_in) = δ[l] (m×n_out) · Wᵀ (n_out×n_in) ⊙ f'(A[l-1])
                ops::matmul_nt(
                    delta_below,
                    Accum::Replace,
                    &here[0],
                    &layer.weights,
                    T::ONE,
                    ws.threads,
                );
                // ⊙ f'(A), matched outside the loop so that it vectorises.
                match activation {
                    Activation::Sigmoid => {
                        ops::zip_map_inplace(delta_below, &ws.acts[l - 1], |d, a| {
                            d * (a * (T::ONE - a))
                        })
                    }
                    Activation::Tanh => {
                        ops::zip_map_inplace(delta_below, &ws.acts[l - 1], |d, a| {
                            d * (T::ONE - a * a)
                        })
                    }
                }
            }
        }
    }

    fn evaluation(&self, m: usize, loss_sum: f64, correct: usize, l2: L2) -> Evaluation {
        let penalty = l2.penalty(|| self.weight_sum_squares());
        Evaluation {
            samples: m,
            loss: if m == 0 { 0.0 } else { loss_sum / m as f64 },
            penalty,
            correct,
        }
    }

    /// [`evaluate_with`](Self::evaluate_with) with a fresh workspace, and the penalty over these samples
    /// (`n = m`, the course's `λ/(2m)`).
    pub fn evaluate(&self, x: &Matrix<T>, labels: &[usize], lambda: f64) -> Result<Evaluation> {
        let mut ws = Workspace::new(self.architecture(), x.rows(), Threads::All);
        self.evaluate_with(x, labels, L2::new(lambda, x.rows()), &mut ws)
    }

    /// [`gradient_with`](Self::gradient_with) with fresh buffers, and the penalty over these samples (`n = m`).
    pub fn gradient(
        &self,
        x: &Matrix<T>,
        labels: &[usize],
        lambda: f64,
    ) -> Result<(Evaluation, Gradients<T>)> {
        let mut ws = Workspace::new(self.architecture(), x.rows(), Threads::All);
        let mut grads = Gradients::zeros(self.architecture());
        let eval = self.gradient_with(x, labels, L2::new(lambda, x.rows()), &mut ws, &mut grads)?;
        Ok((eval, grads))
    }

    /// Class probabilities (m×k): σ(Z) per unit, or softmax(Z) per row.
    pub fn predict_proba(&self, x: &Matrix<T>) -> Result<Matrix<T>> {
        let mut ws = Workspace::new(self.architecture(), x.rows(), Threads::All);
        self.forward(x, &mut ws)?;
        let mut p = ws.logits().clone();
        match self.architecture().output {
            Output::Sigmoid => ops::map_inplace(&mut p, sigmoid),
            Output::Softmax => {
                for i in 0..p.rows() {
                    let mut row = p.row_to_vec(i);
                    let max = row.iter().copied().fold(row[0], T::max);
                    let mut sum = T::ZERO;
                    for v in &mut row {
                        *v = (*v - max).exp();
                        sum += *v;
                    }
                    for (j, v) in row.iter().enumerate() {
                        p.set(i, j, *v / sum);
                    }
                }
            }
        }
        Ok(p)
    }

    /// The most probable class of every sample (ties go to the lower class).
    pub fn predict(&self, x: &Matrix<T>) -> Result<Vec<usize>> {
        let mut ws = Workspace::new(self.architecture(), x.rows(), Threads::All);
        self.forward(x, &mut ws)?;
        let z = ws.logits();
        if z.cols() == 1 {
            return Ok(z.col(0).iter().map(|&v| usize::from(v > T::ZERO)).collect());
        }
        let (mut row_max, mut row_arg) = (vec![T::ZERO; z.rows()], vec![0; z.rows()]);
        argmax_rows(z, &mut row_max, &mut row_arg);
        Ok(row_arg)
    }

    /// One step of gradient descent: θ ← θ − lr·∂J/∂θ for every weight and bias.
    pub fn gradient_descent_step(&mut self, grads: &Gradients<T>, lr: T) {
        for (layer, grad) in self.layers_mut().iter_mut().zip(&grads.layers) {
            ops::axpy(&mut layer.weights, -lr, &grad.weights);
            for (b, &g) in layer.bias.iter_mut().zip(&grad.bias) {
                *b -= lr * g;
            }
        }
    }
}

/// `z ← f(z + b)` column by column, in one pass over memory, vectorised, and split between the threads for big
/// matrices. The activation is matched once, outside the loops.
fn bias_and_activation<T: Scalar>(
    z: &mut Matrix<T>,
    bias: &[T],
    activation: Activation,
    threads: Threads,
) {
    struct K<'a, T: Scalar>(ops::ColumnsMut<'a, T>, &'a [T], Activation);
    impl<T: Scalar> Kernel for K<'_, T> {
        type Output = ();
        #[inline(always)]
        fn run(self) {
            let K(mut z, bias, activation) = self;
            let bias = &bias[z.first()..z.first() + z.cols()];
            match activation {
                Activation::Sigmoid => {
                    for (j, &b) in bias.iter().enumerate() {
                        for v in z.col_mut(j) {
                            *v = sigmoid(*v + b);
                        }
                    }
                }
                Activation::Tanh => {
                    for (j, &b) in bias.iter().enumerate() {
                        for v in z.col_mut(j) {
                            *v = (*v + b).tanh();
                        }
                    }
                }
            }
        }
    }
    ops::for_column_blocks(z, threads, &|block| dispatch(K(block, bias, activation)));
}

/// Row maximum and its column (first on ties) of `z`, in column passes.
#[inline(always)]
fn argmax_rows<T: Scalar>(z: &Matrix<T>, row_max: &mut [T], row_arg: &mut [usize]) {
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

/// Sum of the per-sample losses and the number of correct predictions, from the logits in `ws`. With
/// `Some(1/m)`, also writes the output δ = (P − Y)/m into the last delta buffer.
fn output_pass<T: Scalar>(
    output: Output,
    ws: &mut Workspace<T>,
    labels: &[usize],
    delta_scale: Option<T>,
) -> (f64, usize) {
    struct K<'a, T: Scalar>(Output, &'a mut Workspace<T>, &'a [usize], Option<T>);
    impl<T: Scalar> Kernel for K<'_, T> {
        type Output = (f64, usize);
        #[inline(always)]
        fn run(self) -> (f64, usize) {
            output_pass_kernel(self.0, self.1, self.2, self.3)
        }
    }
    dispatch(K(output, ws, labels, delta_scale))
}

#[inline(always)]
fn output_pass_kernel<T: Scalar>(
    output: Output,
    ws: &mut Workspace<T>,
    labels: &[usize],
    delta_scale: Option<T>,
) -> (f64, usize) {
    let Workspace {
        acts,
        deltas,
        row_max,
        row_sum,
        row_arg,
        ..
    } = ws;
    let z = acts.last().expect("a network has at least one layer");
    let mut delta = delta_scale.map(|s| {
        (
            s,
            deltas.last_mut().expect("a network has at least one layer"),
        )
    });
    let k = z.cols();
    let mut loss = 0.0;
    let correct;
    match output {
        Output::Sigmoid => {
            // Unit j's target for sample i: its label if there is one unit, else [label == j] (one-vs-all).
            let target = |label: usize, j: usize| if k == 1 { label == 1 } else { label == j };
            // Per column: each sample's loss into `row_sum` (and its δ beside it), one exponential per sample,
            // then a lane-parallel sum. A running `loss +=` would chain every addition and stay scalar.
            for j in 0..k {
                let per_sample = &mut row_sum[..labels.len()];
                match delta.as_mut() {
                    Some((scale, d)) => {
                        for (((l, dv), &v), &c) in per_sample
                            .iter_mut()
                            .zip(d.col_mut(j))
                            .zip(z.col(j))
                            .zip(labels)
                        {
                            let y = if target(c, j) { T::ONE } else { T::ZERO };
                            let (l_i, p) = bce_and_sigmoid(v, y);
                            *l = l_i;
                            *dv = (p - y) * *scale;
                        }
                    }
                    None => {
                        for ((l, &v), &c) in per_sample.iter_mut().zip(z.col(j)).zip(labels) {
                            let y = if target(c, j) { T::ONE } else { T::ZERO };
                            *l = bce_with_logit(v, y);
                        }
                    }
                }
                loss += simd::sum(per_sample).to_f64();
            }
            correct = if k == 1 {
                z.col(0)
                    .iter()
                    .zip(labels)
                    .filter(|&(&v, &c)| usize::from(v > T::ZERO) == c)
                    .count()
            } else {
                argmax_rows(z, row_max, row_arg);
                row_arg.iter().zip(labels).filter(|(a, c)| a == c).count()
            };
        }
        Output::Softmax => {
            argmax_rows(z, row_max, row_arg);
            correct = row_arg
                .iter()
                .zip(labels.iter())
                .filter(|(a, c)| a == c)
                .count();
            // row_sum = Σⱼ exp(z − max), with the max subtracted so no exponent exceeds 0. With a δ to write,
            // the exponentials are kept in it, to be scaled below.
            row_sum.fill(T::ZERO);
            for j in 0..k {
                match delta.as_mut() {
                    Some((_, d)) => {
                        for (((s, dv), &mx), &v) in row_sum
                            .iter_mut()
                            .zip(d.col_mut(j))
                            .zip(row_max.iter())
                            .zip(z.col(j))
                        {
                            *dv = (v - mx).exp();
                            *s += *dv;
                        }
                    }
                    None => {
                        for ((s, &mx), &v) in row_sum.iter_mut().zip(row_max.iter()).zip(z.col(j)) {
                            *s += (v - mx).exp();
                        }
                    }
                }
            }
            // −log softmax(z)_y = ln Σ exp(z − max) + max − z_y
            for (i, &c) in labels.iter().enumerate() {
                loss += (row_sum[i].ln() + row_max[i] - z.get(i, c)).to_f64();
            }
            if let Some((scale, d)) = delta.as_mut() {
                // δ = (softmax(z) − onehot(y)) / m
                for s in row_sum.iter_mut() {
                    *s = *scale / *s;
                }
                for j in 0..k {
                    for (dv, &inv) in d.col_mut(j).iter_mut().zip(row_sum.iter()) {
                        *dv *= inv;
                    }
                }
                for (i, &c) in labels.iter().enumerate() {
                    let v = d.get(i, c);
                    d.set(i, c, v - *scale);
                }
            }
        }
    }
    (loss, correct)
}
