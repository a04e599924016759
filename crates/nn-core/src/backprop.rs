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

use crate::activation::{Activation, elu, gelu, gelu_derivative, leaky_relu, sigmoid, tanh};
use crate::dropout::Dropout;
use crate::error::{CoreError, Result};
use crate::input::Input;
use crate::network::Network;
use crate::objective::{Evaluation, L2};
use crate::output::{Pass, output_pass};
use crate::targets::Targets;
use crate::workspace::{Gradients, Workspace};
use nn_linalg::simd::{Kernel, dispatch};
use nn_linalg::{Accum, Matrix, Scalar, Threads, ops};

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
            if l == last || activation == Activation::Identity {
                // No activation: the bias alone.
                ops::add_row_broadcast(z, &layer.bias);
            } else if activation.needs_input() {
                // An activation that keeps Z for the backward pass (GELU): Z, then A = f(Z) (three passes over
                // memory: GELU is not on the report's path, so it is not fused).
                ops::add_row_broadcast(z, &layer.bias);
                ws.pre[l].copy_from(z);
                match activation {
                    // A plain function, so that its loop vectorises with no match per element.
                    Activation::Gelu => ops::map_inplace(z, gelu),
                    other => ops::map_inplace(z, |v| other.apply(v)),
                }
            } else {
                bias_and_activation(z, &layer.bias, activation, ws.threads);
            }
            if let Some(d) = dropout
                && l < last
            {
                d.draw(l, &mut ws.mask[l]);
                ws.dropped[l].copy_from(&ws.acts[l]);
                ops::zip_map_columns(&mut ws.dropped[l], &ws.mask[l], ws.threads, |a, m| a * m);
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
    ///
    /// With `dropout`, of the network thinned by it: each hidden unit's output is kept with probability 1 − p
    /// and scaled by 1/(1 − p) (inverted dropout, Srivastava et al., 2014), the same units for the forward and
    /// the backward pass, and the evaluation is the thinned network's. With the same `dropout.key` the masks
    /// are the same, so the result is reproducible and this is a deterministic function of the weights (which
    /// is how the gradient check tests it). A rate of 0 is no dropout.
    pub fn gradient_with<'a, 'x>(
        &self,
        x: impl Into<Input<'x, T>>,
        targets: impl Into<Targets<'a, T>>,
        l2: L2,
        ws: &mut Workspace<T>,
        grads: &mut Gradients<T>,
        dropout: Option<Dropout>,
    ) -> Result<Evaluation>
    where
        T: 'a,
    {
        if let Some(d) = dropout
            && !(0.0..1.0).contains(&d.p)
        {
            return Err(CoreError::DropoutRate(d.p));
        }
        let dropout = dropout.filter(|d| d.p > 0.0);
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
            ops::matmul_tn(
                &mut grad.weights,
                input,
                &ws.deltas[l],
                &mut ws.grad_t[l],
                ws.threads,
                ws.passes,
            );
            if l2.lambda != 0.0 {
                ops::axpy(&mut grad.weights, decay, &layer.weights);
            }
            // ∂J/∂b (n_out) = Σᵢ δᵢ
            ops::col_sums(&mut grad.bias, Accum::Replace, &ws.deltas[l], ws.threads);
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
                times_derivative(
                    activation,
                    delta_below,
                    &ws.acts,
                    &ws.pre,
                    l - 1,
                    ws.threads,
                );
                // ⊙ M/(1 − p): a dropped unit passed nothing forward, so nothing flows back through it. f′
                // above was taken at the unthinned output, which is what the unit computed.
                if dropout {
                    ops::zip_map_columns(delta_below, &ws.mask[l - 1], ws.threads, |d, m| d * m);
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
                            *v = tanh(*v + b);
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
                Activation::Identity => {
                    unreachable!("the forward pass adds the bias alone for identity")
                }
            }
        }
    }
    ops::for_column_blocks(z, threads, &|block| dispatch(K(block, bias, activation)));
}

/// δ ⊙ f′ of layer `i`'s output (`acts[i]`; its input `pre[i]` for GELU, the one activation that keeps it),
/// in place; matched outside the loop so that each case vectorises.
fn times_derivative<T: Scalar>(
    activation: Activation,
    delta: &mut Matrix<T>,
    acts: &[Matrix<T>],
    pre: &[Matrix<T>],
    i: usize,
    threads: Threads,
) {
    let a = &acts[i];
    match activation {
        Activation::Sigmoid => {
            ops::zip_map_columns(delta, a, threads, |d, a| d * (a * (T::ONE - a)));
        }
        Activation::Tanh => ops::zip_map_columns(delta, a, threads, |d, a| d * (T::ONE - a * a)),
        Activation::Relu => ops::zip_map_columns(delta, a, threads, |d, a| {
            d * Activation::Relu.derivative_from_output(a)
        }),
        Activation::LeakyRelu { slope } => {
            let f = Activation::LeakyRelu { slope };
            ops::zip_map_columns(delta, a, threads, |d, a| d * f.derivative_from_output(a))
        }
        Activation::Elu => ops::zip_map_columns(delta, a, threads, |d, a| {
            d * Activation::Elu.derivative_from_output(a)
        }),
        Activation::Gelu => {
            ops::zip_map_columns(delta, &pre[i], threads, |d, z| d * gelu_derivative(z));
        }
        // f′ = 1: δ as it is.
        Activation::Identity => {}
    }
}
