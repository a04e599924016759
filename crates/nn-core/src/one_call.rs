//! The network's one-call forms: each sizes a workspace of its own (the training loop keeps one instead and
//! calls `evaluate_with`, `gradient_with`).

use crate::activation::{Output, sigmoid};
use crate::error::{CoreError, Result};
use crate::network::Network;
use crate::objective::{Evaluation, L2};
use crate::output::argmax_rows;
use crate::targets::Targets;
use crate::workspace::{Gradients, Workspace};
use nn_linalg::{Matrix, Scalar, Threads, ops};

impl<T: Scalar> Network<T> {
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
        self.evaluate_in_blocks(x, targets.into(), L2::new(lambda, x.rows()), &mut ws)
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
        let eval = self.gradient_with(
            x,
            targets,
            L2::new(lambda, x.rows()),
            &mut ws,
            &mut grads,
            None,
        )?;
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
