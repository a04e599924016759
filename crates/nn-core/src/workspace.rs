//! [`Workspace`], every buffer of a forward and backward pass, allocated once; and [`Gradients`], shaped like
//! the network's layers.

use crate::error::{CoreError, Result};
use crate::layer::Layer;
use crate::network::{Architecture, unroll_theta};
use nn_linalg::{Matrix, Scalar, Threads};

/// Every buffer one forward and backward pass over `m` samples needs. Create it once; passes reuse it, and
/// [`Workspace::prepare`] follows a changing batch size without allocating once it has seen the largest.
#[derive(Clone, Debug)]
pub struct Workspace<T: Scalar = f64> {
    pub(crate) threads: Threads,
    /// How many gradient passes this workspace is expected to serve ([`expect_passes`](Self::expect_passes)),
    /// which decides whether a weight gradient's two forms are worth timing.
    pub(crate) passes: usize,
    /// `acts[l]` (m×n_out of layer l): hidden activations, and the output logits in the last one.
    pub(crate) acts: Vec<Matrix<T>>,
    /// `deltas[l]` (m×n_out of layer l): ∂J/∂Z[l].
    pub(crate) deltas: Vec<Matrix<T>>,
    /// `pre[l]` (m×n_out of hidden layer l): the pre-activations Z, kept only for an activation whose
    /// derivative needs them ([`Activation::needs_input`](crate::Activation::needs_input)); empty otherwise.
    pub(crate) pre: Vec<Matrix<T>>,
    /// Per-sample scratch for the output layer: row maximum and arg-max; the softmax normaliser, or each
    /// sample's loss for a sigmoid output.
    pub(crate) row_max: Vec<T>,
    pub(crate) row_sum: Vec<T>,
    pub(crate) row_arg: Vec<usize>,
    /// Per class, after a classifier's pass: [true positives, predicted, actual] (see
    /// [`class_counts`](Self::class_counts)). Empty for regression.
    pub(crate) counts: Vec<[usize; 3]>,
    /// Dropout only (made by the first pass with dropout), per hidden layer: `mask[l]` holds 0 or 1/(1 − p)
    /// per unit and sample, `dropped[l]` = A[l] ⊙ mask[l], what layer l + 1 and ∂J/∂W[l+1] read.
    pub(crate) mask: Vec<Matrix<T>>,
    pub(crate) dropped: Vec<Matrix<T>>,
    /// The first layer's weights as [`ops::matmul_packed`](nn_linalg::ops::matmul_packed) reads them, when the
    /// input comes packed ([`Input::new`](crate::Input::new)); grows on the first such pass.
    pub(crate) packed_w: Vec<T>,
    /// Per layer, room for the weight gradient transposed (n_out×n_in), where
    /// [`ops::matmul_tn`](nn_linalg::ops::matmul_tn) finds that form faster; empty until it does.
    pub(crate) grad_t: Vec<Matrix<T>>,
    /// Per class, the weight of each sample's loss ([`weigh_classes`](Self::weigh_classes)); empty: all 1.
    pub(crate) class_weights: Vec<T>,
    /// Whether the δ buffers follow [`prepare`](Self::prepare): not in a workspace made
    /// [`for_evaluation`](Self::for_evaluation), until a gradient pass needs them.
    with_deltas: bool,
    /// A blocked evaluation's ([`Network::evaluate_in_blocks`](crate::Network::evaluate_in_blocks)) copies
    /// of one block's inputs and target values, and its class counts over the blocks so far.
    pub(crate) block_x: Matrix<T>,
    pub(crate) block_y: Vec<T>,
    pub(crate) block_counts: Vec<[usize; 3]>,
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
        let hidden = widths.len().saturating_sub(2);
        let pre = if arch.activation.needs_input() {
            buffers().into_iter().take(hidden).collect()
        } else {
            Vec::new()
        };
        Workspace {
            threads,
            passes: usize::MAX,
            acts: buffers(),
            deltas: buffers(),
            pre,
            row_max: vec![T::ZERO; m],
            row_sum: vec![T::ZERO; m],
            row_arg: vec![0; m],
            counts: if arch.output.is_regression() {
                Vec::new()
            } else {
                vec![[0; 3]; arch.classes()]
            },
            mask: Vec::new(),
            dropped: Vec::new(),
            packed_w: Vec::new(),
            grad_t: vec![Matrix::zeros(0, 0); widths.len().saturating_sub(1)],
            class_weights: Vec::new(),
            with_deltas: true,
            block_x: Matrix::zeros(0, 0),
            block_y: Vec::new(),
            block_counts: Vec::new(),
        }
    }

    /// Buffers for forward passes only over `m` samples (evaluations and predictions): like
    /// [`new`](Self::new) without room for δ, which is as large as the activations. A gradient pass through it
    /// would grow them; the evaluation passes never touch them.
    pub fn for_evaluation(arch: &Architecture, m: usize, threads: Threads) -> Self {
        let mut ws = Self::new(arch, 0, threads);
        ws.with_deltas = false;
        ws.resize(m);
        ws
    }

    /// Weighs each sample's loss, and so its share of the gradient, by `weights[c]` for its class `c`: passes
    /// through this workspace then give the loss (1/m)·Σᵢ w_{cᵢ}·lossᵢ. An empty slice weighs every sample 1
    /// (bit for bit the unweighted pass). Refused: a regression network, a length other than the class count,
    /// a weight that is negative or not finite.
    pub fn weigh_classes(&mut self, weights: &[f64]) -> Result<()> {
        if !weights.is_empty() {
            if self.counts.len() != weights.len() {
                return Err(CoreError::ClassWeights(format!(
                    "{} weights for {} classes",
                    weights.len(),
                    self.counts.len()
                )));
            }
            if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
                return Err(CoreError::ClassWeights(format!(
                    "weight {w}: must be finite and >= 0"
                )));
            }
        }
        self.class_weights = weights.iter().map(|&w| T::from_f64(w)).collect();
        Ok(())
    }

    /// Gives the δ buffers the samples' rows, which a workspace [`for_evaluation`](Self::for_evaluation) lacks
    /// (once: a full workspace has them, and this is then a comparison per layer).
    pub(crate) fn ensure_deltas(&mut self) {
        self.with_deltas = true;
        let m = self.rows();
        for d in &mut self.deltas {
            if d.rows() != m {
                d.resize_rows(m);
            }
        }
    }

    /// Makes the dropout buffers (once; they then follow [`prepare`](Self::prepare) like the others).
    pub(crate) fn ensure_dropout(&mut self) {
        let hidden = self.acts.len().saturating_sub(1);
        if self.mask.len() == hidden {
            return;
        }
        let like = |a: &Matrix<T>| Matrix::zeros(a.rows(), a.cols());
        self.mask = self.acts[..hidden].iter().map(like).collect();
        self.dropped = self.acts[..hidden].iter().map(like).collect();
    }

    /// Per class, from the last pass of a classifier: `[correct, predicted, actual]` — the samples of that class
    /// predicted as it, the samples predicted as it, and the samples of it. Precision is `correct/predicted`,
    /// recall `correct/actual`. Empty for a regression network.
    pub fn class_counts(&self) -> &[[usize; 3]] {
        &self.counts
    }

    /// The thread setting products use.
    pub fn threads(&self) -> Threads {
        self.threads
    }

    /// Tells the workspace how many gradient passes it will serve (a run's epochs times its batches an epoch;
    /// unbounded until told). A weight gradient's product has two forms with the same bits, and the first
    /// pass of a large one times them only if the passes to come pay for the timing
    /// ([`ops::matmul_tn`](nn_linalg::ops::matmul_tn)): a short run skips a timing that would take longer
    /// than its training. The speed only changes, never the bits.
    pub fn expect_passes(&mut self, passes: usize) {
        self.passes = passes;
    }

    /// Number of samples the buffers currently hold.
    pub fn rows(&self) -> usize {
        self.row_max.len()
    }

    /// Resizes every buffer to `m` samples. Allocates only when `m` exceeds every size seen before.
    pub fn prepare(&mut self, m: usize) {
        if m != self.rows() {
            self.resize(m);
        }
    }

    /// Resizes the per-sample buffers to `m` rows (the δ buffers only if they are in use).
    fn resize(&mut self, m: usize) {
        let deltas: &mut [Matrix<T>] = if self.with_deltas {
            &mut self.deltas
        } else {
            &mut []
        };
        for a in (self.acts.iter_mut())
            .chain(deltas)
            .chain(&mut self.pre)
            .chain(&mut self.mask)
            .chain(&mut self.dropped)
        {
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
