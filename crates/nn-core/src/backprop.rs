//! The forward pass, the loss computed from logits, and the backward pass.
//!
//! Shape letters: `m` samples, `n_in`/`n_out` a layer's widths, `k` output units. Layer `l` (0-based) maps
//! `A[l-1]` (m×n_in, with `A[-1] = X`) to `A[l]` (m×n_out):
//!
//! ```text
//! forward   Z[l] = A[l-1]·W[l] + b[l]              A[l] = f(Z[l]) for hidden layers; the output keeps Z[L-1]
//! loss      J = (1/m) Σᵢ loss(Z[L-1]ᵢ, yᵢ) + λ/(2n) Σₗ ‖W[l]‖²      (bias weights are not penalised)
//! output δ  δ[L-1] = (P − Y)/m                      P = σ(Z) or softmax(Z): both pair with their cross-entropy;
//!                                                   P = Z for the identity output with loss ½‖z − y‖²
//! backward  ∂J/∂W[l] = A[l-1]ᵀ·δ[l] + (λ/n)·W[l]     ∂J/∂b[l] = Σᵢ δ[l]ᵢ
//!           δ[l-1]  = (δ[l]·W[l]ᵀ) ⊙ f'(A[l-1])
//! ```
//!
//! `n` is the [`L2`] penalty's sample count: the training part's size, so that one λ means one objective at
//! any batch size. A full batch has `m = n`, which is the report's `Δ += a·δᵀ, D = Δ/m + (λ/m)Θ` for non-bias
//! weights (the report writes `+ λΘ`; the course's cost, whose gradient this is, has λ/m), written per batch
//! instead of per sample, with rows as samples.

use crate::activation::{Activation, Output, elu, gelu_derivative, leaky_relu, sigmoid};
use crate::error::{CoreError, Result};
use crate::network::Network;
use crate::objective::{Evaluation, L2};
use crate::output::{Pass, argmax_rows, output_pass};
use crate::targets::Targets;
use crate::workspace::{Gradients, Workspace};
use nn_linalg::simd::{Kernel, dispatch};
use nn_linalg::{Accum, Matrix, Packed, Scalar, Threads, ops};
use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};

/// The samples a gradient reads: their matrix, and optionally the same matrix packed for the first layer's
/// forward product ([`Packed`], our own kernel; the same bits as without). A full-batch trainer packs its
/// training inputs once per run; everything else passes a plain `&Matrix`.
#[derive(Clone, Copy, Debug)]
pub struct Input<'x, T: Scalar> {
    x: &'x Matrix<T>,
    packed: Option<&'x Packed<T>>,
}

impl<'x, T: Scalar> From<&'x Matrix<T>> for Input<'x, T> {
    fn from(x: &'x Matrix<T>) -> Self {
        Input { x, packed: None }
    }
}

impl<'x, T: Scalar> Input<'x, T> {
    /// `x` with its packed copy, if any. A `packed` of another shape than `x` is not used.
    pub fn new(x: &'x Matrix<T>, packed: Option<&'x Packed<T>>) -> Self {
        let packed = packed.filter(|p| p.rows() == x.rows() && p.cols() == x.cols());
        Input { x, packed }
    }
}

impl<T: Scalar> Network<T> {
    /// Checks that `x` and `targets` fit this network: width and count; every label a class for a sigmoid or
    /// softmax output; for the identity output, `m × k` finite values.
    pub fn check_inputs<'a>(&self, x: &Matrix<T>, targets: impl Into<Targets<'a, T>>) -> Result<()>
    where
        T: 'a,
    {
        let arch = self.architecture();
        if x.cols() != arch.n_input {
            return Err(CoreError::InputWidth {
                expected: arch.n_input,
                found: x.cols(),
            });
        }
        match (arch.output.is_regression(), targets.into()) {
            (false, Targets::Classes(labels)) => {
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
            }
            (true, Targets::Values(values)) => {
                if values.len() != x.rows() * arch.n_outputs {
                    return Err(CoreError::ValueCount {
                        rows: x.rows(),
                        outputs: arch.n_outputs,
                        values: values.len(),
                    });
                }
                if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                    return Err(CoreError::NonFiniteTarget {
                        row: i % x.rows().max(1),
                    });
                }
            }
            (_, given) => {
                return Err(CoreError::TargetKind {
                    output: arch.output.name(),
                    given: if given.classes().is_some() {
                        "class labels"
                    } else {
                        "real values"
                    },
                });
            }
        }
        Ok(())
    }

    /// Runs the forward pass over `x` (m×n_input) into `ws`, leaving the logits in [`Workspace::logits`].
    pub fn forward(&self, x: &Matrix<T>, ws: &mut Workspace<T>) -> Result<()> {
        self.forward_with(x.into(), ws, None)
    }

    /// The forward pass, with inverted dropout on the hidden layers if given.
    fn forward_with(
        &self,
        input: Input<'_, T>,
        ws: &mut Workspace<T>,
        dropout: Option<Dropout>,
    ) -> Result<()> {
        let x = input.x;
        if x.cols() != self.architecture().n_input {
            return Err(CoreError::InputWidth {
                expected: self.architecture().n_input,
                found: x.cols(),
            });
        }
        if dropout.is_some() {
            ws.ensure_dropout();
        }
        ws.prepare(x.rows());
        let activation = self.architecture().activation;
        let last = self.layers().len() - 1;
        for (l, layer) in self.layers().iter().enumerate() {
            let (done, rest) = ws.acts.split_at_mut(l);
            let a = match (l, dropout) {
                (0, _) => x,
                (_, Some(_)) => &ws.dropped[l - 1],
                (_, None) => &done[l - 1],
            };
            let z = &mut rest[0];
            // Z (m×n_out) = A (m×n_in) · W (n_in×n_out)
            match (l, input.packed) {
                (0, Some(packed)) => {
                    ops::matmul_packed(z, packed, &layer.weights, &mut ws.packed_w, ws.threads)
                }
                _ => ops::matmul(z, Accum::Replace, a, &layer.weights, T::ONE, ws.threads),
            }
            if l == last {
                ops::add_row_broadcast(z, &layer.bias);
            } else if activation.needs_input() {
                // Keep Z for the backward pass, then A = f(Z) (three passes over memory: GELU is not on the
                // report's path, so it is not fused).
                ops::add_row_broadcast(z, &layer.bias);
                ws.pre[l].copy_from(z);
                ops::map_inplace(z, |v| activation.apply(v));
            } else {
                bias_and_activation(z, &layer.bias, activation, ws.threads);
            }
            if let Some(d) = dropout
                && l < last
            {
                d.draw(l, &mut ws.mask[l]);
                ws.dropped[l].copy_from(&ws.acts[l]);
                ops::zip_map_inplace(&mut ws.dropped[l], &ws.mask[l], |a, m| a * m);
            }
        }
        Ok(())
    }

    /// Loss, penalty and accuracy (or absolute error) of the network on `(x, targets)`, using `ws` for buffers.
    pub fn evaluate_with<'a>(
        &self,
        x: &Matrix<T>,
        targets: impl Into<Targets<'a, T>>,
        l2: L2,
        ws: &mut Workspace<T>,
    ) -> Result<Evaluation>
    where
        T: 'a,
    {
        let targets = targets.into();
        self.check_inputs(x, targets)?;
        self.forward(x, ws)?;
        let pass = output_pass(self.architecture().output, ws, targets, None);
        Ok(self.evaluation(x.rows(), pass, l2))
    }

    /// Like [`evaluate_with`](Self::evaluate_with), and also writes ∂J/∂W, ∂J/∂b of every layer into `grads`.
    /// The evaluation is of the parameters before any update.
    pub fn gradient_with<'a, 'x>(
        &self,
        x: impl Into<Input<'x, T>>,
        targets: impl Into<Targets<'a, T>>,
        l2: L2,
        ws: &mut Workspace<T>,
        grads: &mut Gradients<T>,
    ) -> Result<Evaluation>
    where
        T: 'a,
    {
        self.gradient_impl(x.into(), targets.into(), l2, ws, grads, None)
    }

    /// [`gradient_with`](Self::gradient_with) of the network thinned by `dropout`: each hidden unit's output is
    /// kept with probability 1 − p and scaled by 1/(1 − p) (inverted dropout, Srivastava et al., 2014), the
    /// same units for the forward and the backward pass. The evaluation is the thinned network's. With the
    /// same `dropout.key` the masks are the same, so the result is reproducible and this is a deterministic
    /// function of the weights (which is how the gradient check tests it).
    pub fn gradient_with_dropout<'a, 'x>(
        &self,
        x: impl Into<Input<'x, T>>,
        targets: impl Into<Targets<'a, T>>,
        l2: L2,
        ws: &mut Workspace<T>,
        grads: &mut Gradients<T>,
        dropout: Dropout,
    ) -> Result<Evaluation>
    where
        T: 'a,
    {
        if !(0.0..1.0).contains(&dropout.p) {
            return Err(CoreError::DropoutRate(dropout.p));
        }
        let dropout = (dropout.p > 0.0).then_some(dropout);
        self.gradient_impl(x.into(), targets.into(), l2, ws, grads, dropout)
    }

    fn gradient_impl(
        &self,
        input: Input<'_, T>,
        targets: Targets<'_, T>,
        l2: L2,
        ws: &mut Workspace<T>,
        grads: &mut Gradients<T>,
        dropout: Option<Dropout>,
    ) -> Result<Evaluation> {
        let x = input.x;
        self.check_inputs(x, targets)?;
        let m = x.rows();
        if m == 0 {
            return Err(CoreError::NoSamples("a gradient"));
        }
        self.forward_with(input, ws, dropout)?;
        ws.ensure_deltas();
        let scale = T::from_f64(1.0 / m as f64);
        let pass = output_pass(self.architecture().output, ws, targets, Some(scale));
        self.backward(x, l2, ws, grads, dropout.is_some());
        Ok(self.evaluation(m, pass, l2))
    }

    fn backward(
        &self,
        x: &Matrix<T>,
        l2: L2,
        ws: &mut Workspace<T>,
        grads: &mut Gradients<T>,
        dropout: bool,
    ) {
        let activation = self.architecture().activation;
        let decay = T::from_f64(l2.decay());
        for (l, layer) in self.layers().iter().enumerate().rev() {
            // The weight gradient reads what the layer read: the thinned outputs under dropout.
            let input = match (l, dropout) {
                (0, _) => x,
                (_, true) => &ws.dropped[l - 1],
                (_, false) => &ws.acts[l - 1],
            };
            let grad = &mut grads.layers[l];
            // ∂J/∂W (n_in×n_out) = Aᵀ (n_in×m) · δ (m×n_out) + (λ/n)·W
            ops::matmul(
                &mut grad.weights,
                Accum::Replace,
                input.t(),
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
                ops::matmul(
                    delta_below,
                    Accum::Replace,
                    &here[0],
                    layer.weights.t(),
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
                    Activation::Relu => {
                        ops::zip_map_inplace(delta_below, &ws.acts[l - 1], |d, a| {
                            d * Activation::Relu.derivative_from_output(a)
                        })
                    }
                    Activation::LeakyRelu { slope } => {
                        let f = Activation::LeakyRelu { slope };
                        ops::zip_map_inplace(delta_below, &ws.acts[l - 1], |d, a| {
                            d * f.derivative_from_output(a)
                        })
                    }
                    Activation::Elu => {
                        ops::zip_map_inplace(delta_below, &ws.acts[l - 1], |d, a| {
                            d * Activation::Elu.derivative_from_output(a)
                        })
                    }
                    Activation::Gelu => {
                        ops::zip_map_inplace(delta_below, &ws.pre[l - 1], |d, z| {
                            d * gelu_derivative(z)
                        })
                    }
                }
                // ⊙ M/(1 − p): a dropped unit passed nothing forward, so nothing flows back through it. f′
                // above was taken at the unthinned output, which is what the unit computed.
                if dropout {
                    ops::zip_map_inplace(delta_below, &ws.mask[l - 1], |d, m| d * m);
                }
            }
        }
    }

    pub(crate) fn evaluation(&self, m: usize, pass: Pass, l2: L2) -> Evaluation {
        let penalty = l2.penalty(|| self.weight_sum_squares());
        let mean = |sum: f64| if m == 0 { 0.0 } else { sum / m as f64 };
        Evaluation {
            samples: m,
            loss: mean(pass.loss),
            penalty,
            correct: pass.correct,
            abs_error: mean(pass.abs_error),
        }
    }

    /// [`evaluate_in_blocks`](Self::evaluate_in_blocks) with a fresh workspace, and the penalty over these samples
    /// (`n = m`, the course's `λ/(2m)`).
    pub fn evaluate<'a>(
        &self,
        x: &Matrix<T>,
        targets: impl Into<Targets<'a, T>>,
        lambda: f64,
    ) -> Result<Evaluation>
    where
        T: 'a,
    {
        let rows = x.rows().min(crate::EVALUATION_BLOCK);
        let mut ws = Workspace::for_evaluation(self.architecture(), rows, Threads::All);
        self.evaluate_in_blocks(x, targets, L2::new(lambda, x.rows()), &mut ws)
    }

    /// [`gradient_with`](Self::gradient_with) with fresh buffers, and the penalty over these samples (`n = m`).
    pub fn gradient<'a>(
        &self,
        x: &Matrix<T>,
        targets: impl Into<Targets<'a, T>>,
        lambda: f64,
    ) -> Result<(Evaluation, Gradients<T>)>
    where
        T: 'a,
    {
        let mut ws = Workspace::new(self.architecture(), x.rows(), Threads::All);
        let mut grads = Gradients::zeros(self.architecture());
        let eval =
            self.gradient_with(x, targets, L2::new(lambda, x.rows()), &mut ws, &mut grads)?;
        Ok((eval, grads))
    }

    /// Class probabilities (m×k): σ(Z) per unit, or softmax(Z) per row; for the identity output, the
    /// predicted values Z.
    pub fn predict_proba(&self, x: &Matrix<T>) -> Result<Matrix<T>> {
        let mut p = self.logits_in_blocks(x)?;
        match self.architecture().output {
            Output::Identity => {}
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

    /// The most probable class of every sample (ties go to the lower class). A regression network (identity
    /// output) has no classes: use [`predict_proba`](Self::predict_proba) for its values.
    pub fn predict(&self, x: &Matrix<T>) -> Result<Vec<usize>> {
        if self.architecture().output.is_regression() {
            return Err(CoreError::NotClassifier);
        }
        let z = &self.logits_in_blocks(x)?;
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

/// Inverted dropout on the hidden layers of one training pass.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dropout {
    /// The probability of dropping a hidden unit's output, in [0, 1).
    pub p: f64,
    /// Picks the masks: hidden layer l's mask is drawn from ChaCha8 seeded with a mix of `key` and l, one
    /// `u32` per unit and sample, column by column, so the same key gives the same masks on any machine and
    /// at any thread count. A trainer derives it from the seed, the epoch and the step.
    pub key: u64,
}

impl Dropout {
    /// Fills `mask` with 1/(1 − p) where a draw keeps the unit (probability 1 − p) and 0 elsewhere.
    fn draw<T: Scalar>(self, layer: usize, mask: &mut Matrix<T>) {
        let mut rng = ChaCha8Rng::seed_from_u64(splitmix64(self.key ^ splitmix64(layer as u64)));
        // Keep when u < (1 − p)·2³², u uniform on 0..2³².
        let threshold = ((1.0 - self.p) * 4_294_967_296.0) as u64;
        let kept = T::from_f64(1.0 / (1.0 - self.p));
        for j in 0..mask.cols() {
            for v in mask.col_mut(j) {
                *v = if u64::from(rng.next_u32()) < threshold {
                    kept
                } else {
                    T::ZERO
                };
            }
        }
    }
}

/// SplitMix64's increment, the golden ratio's fractional bits (Steele, Lea & Flood, 2014).
pub const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output step (Steele, Lea & Flood, 2014): one increment by [`GOLDEN_GAMMA`], then [`mix64`].
pub fn splitmix64(z: u64) -> u64 {
    mix64(z.wrapping_add(GOLDEN_GAMMA))
}

/// SplitMix64's finaliser (Stafford's "variant 13"): spreads a key's bits over the whole word.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
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
                Activation::Relu => {
                    for (j, &b) in bias.iter().enumerate() {
                        for v in z.col_mut(j) {
                            *v = (*v + b).max(T::ZERO);
                        }
                    }
                }
                Activation::LeakyRelu { slope } => {
                    let slope = T::from_f64(slope);
                    for (j, &b) in bias.iter().enumerate() {
                        for v in z.col_mut(j) {
                            *v = leaky_relu(*v + b, slope);
                        }
                    }
                }
                Activation::Elu => {
                    for (j, &b) in bias.iter().enumerate() {
                        for v in z.col_mut(j) {
                            *v = elu(*v + b);
                        }
                    }
                }
                Activation::Gelu => unreachable!("the forward pass keeps Z for GELU itself"),
            }
        }
    }
    ops::for_column_blocks(z, threads, &|block| dispatch(K(block, bias, activation)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropout_masks_keep_one_minus_p_scaled_by_its_inverse() {
        let mut mask = Matrix::<f64>::zeros(400, 50);
        let d = Dropout { p: 0.3, key: 5 };
        d.draw(0, &mut mask);
        let values: Vec<f64> = (0..50).flat_map(|j| mask.col(j).to_vec()).collect();
        let kept = values.iter().filter(|&&v| v != 0.0).count() as f64 / values.len() as f64;
        // 20,000 draws: the kept share's standard deviation is √(0.21/20000) ≈ 0.0032.
        assert!((kept - 0.7).abs() < 0.02, "{kept}");
        assert!(values.iter().all(|&v| v == 0.0 || v == 1.0 / 0.7));
        // Same key and layer: same mask; another layer: another.
        let mut again = Matrix::<f64>::zeros(400, 50);
        d.draw(0, &mut again);
        assert_eq!(again, mask);
        d.draw(1, &mut again);
        assert_ne!(again, mask);
    }
}
