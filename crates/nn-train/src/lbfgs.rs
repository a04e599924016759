//! L-BFGS, one iteration per epoch: the two-loop recursion for the direction (Nocedal & Wright, *Numerical
//! Optimization*, 2nd ed., Algorithm 7.4) and a backtracking line search on the Armijo condition
//! J(θ + αd) ≤ J(θ) + c₁·α·∇J(θ)ᵀd with c₁ = 10⁻⁴ (their §3.1), halving α from the first trial step.
//!
//! Near the optimum the decrease a step makes falls below the rounding of J itself (J − J* ≈ ½δᵀHδ is
//! ~10⁻¹⁶ for weights 10⁻⁸ from the optimum), and a test on J alone would stop there. So a step that leaves J
//! unchanged to rounding is also accepted when it shrinks the slope along the direction (|∇J(θ + αd)ᵀd| ≤
//! 0.9·|∇J(θ)ᵀd|, the curvature condition's c₂ = 0.9): the gradient, which is still accurate there, shows
//! the progress. Convergence is then decided on the gradient.
//!
//! The parameters are read as one vector: layer by layer, the weights column by column, then the biases
//! (the order of [`Gradients::unrolled_theta`](nn_core::Gradients)). The memory (the curvature pairs, the
//! current gradient and cost) lives in the optimiser state, so a resumed run continues exactly.

use nn_core::{Gradients, Layer, Network};
use nn_linalg::Scalar;

/// c₁ of the Armijo condition.
const ARMIJO: f64 = 1e-4;
/// Halvings of the step before the line search gives up.
pub(crate) const MAX_HALVINGS: usize = 40;
/// c₂ of the curvature condition, for steps whose decrease is below rounding.
const CURVATURE: f64 = 0.9;
/// The rounding allowance on J: 4 machine ε relative.
const ROUNDING: f64 = 4.0 * f64::EPSILON;

/// Why L-BFGS stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Convergence {
    /// The gradient's largest component is at most the tolerance.
    Gradient,
    /// No step along the direction decreased the cost, nor (with the cost flat to rounding) the slope: the
    /// limit of floating point, or of the model.
    NoDecrease,
}

impl Convergence {
    /// For people.
    pub fn describe(self) -> &'static str {
        match self {
            Convergence::Gradient => "the gradient is within the tolerance",
            Convergence::NoDecrease => "no step along the search direction decreases the cost",
        }
    }
}

/// `θ` of `net` into `out`.
pub(crate) fn read_params<T: Scalar>(net: &Network<T>, out: &mut [T]) {
    read_layers(net.layers(), out);
}

/// Layers' weights (column by column) then biases, one layer after another, into `out`.
fn read_layers<T: Scalar>(layers: &[Layer<T>], out: &mut [T]) {
    let mut at = 0;
    for layer in layers {
        for j in 0..layer.n_out() {
            let col = layer.weights.col(j);
            out[at..at + col.len()].copy_from_slice(col);
            at += col.len();
        }
        out[at..at + layer.bias.len()].copy_from_slice(&layer.bias);
        at += layer.bias.len();
    }
}

/// `net`'s parameters ← `from`.
pub(crate) fn write_params<T: Scalar>(net: &mut Network<T>, from: &[T]) {
    let mut at = 0;
    for layer in net.layers_mut() {
        for j in 0..layer.n_out() {
            let col = layer.weights.col_mut(j);
            let n = col.len();
            col.copy_from_slice(&from[at..at + n]);
            at += n;
        }
        let n = layer.bias.len();
        layer.bias.copy_from_slice(&from[at..at + n]);
        at += n;
    }
}

/// The gradient as one vector, in the parameters' order.
pub(crate) fn read_grads<T: Scalar>(grads: &Gradients<T>, out: &mut [T]) {
    read_layers(&grads.layers, out);
}

/// Σ aᵢbᵢ, accumulated in f64.
pub(crate) fn dot<T: Scalar>(a: &[T], b: &[T]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x.to_f64() * y.to_f64()).sum()
}

/// The curvature pairs, newest last: `s[k] = θₖ₊₁ − θₖ`, `y[k] = ∇Jₖ₊₁ − ∇Jₖ`, held in a ring of `capacity`.
pub(crate) struct Pairs<'a, T> {
    pub s: &'a [Vec<T>],
    pub y: &'a [Vec<T>],
    pub len: usize,
    pub next: usize,
}

impl<T: Scalar> Pairs<'_, T> {
    /// Ring index of the k-th pair, oldest first.
    fn index(&self, k: usize) -> usize {
        let m = self.s.len();
        (self.next + m - self.len + k) % m
    }

    /// `d ← −H·g` by the two-loop recursion, H₀ = γI with γ = sᵀy/yᵀy of the newest pair (1/‖g‖ without pairs,
    /// so the first trial step has length lr). `alpha` holds one scalar per pair.
    pub fn direction(&self, g: &[T], d: &mut [T], alpha: &mut [f64]) {
        d.copy_from_slice(g);
        for k in (0..self.len).rev() {
            let i = self.index(k);
            let rho = 1.0 / dot(&self.s[i], &self.y[i]);
            let a = rho * dot(&self.s[i], d);
            alpha[k] = a;
            let a = T::from_f64(a);
            for (q, &y) in d.iter_mut().zip(&self.y[i]) {
                *q -= a * y;
            }
        }
        let gamma = if self.len > 0 {
            let i = self.index(self.len - 1);
            dot(&self.s[i], &self.y[i]) / dot(&self.y[i], &self.y[i])
        } else {
            1.0 / dot(g, g).sqrt().max(f64::MIN_POSITIVE)
        };
        let gamma = T::from_f64(gamma);
        for q in d.iter_mut() {
            *q *= gamma;
        }
        for (k, &a) in alpha.iter().enumerate().take(self.len) {
            let i = self.index(k);
            let rho = 1.0 / dot(&self.s[i], &self.y[i]);
            let beta = rho * dot(&self.y[i], d);
            let c = T::from_f64(a - beta);
            for (r, &s) in d.iter_mut().zip(&self.s[i]) {
                *r += c * s;
            }
        }
        for r in d.iter_mut() {
            *r = -*r;
        }
    }
}

/// Whether a trial step of size `step` along a direction with slope `slope` (= ∇Jᵀd < 0) from cost `cost` is
/// accepted: finite and decreasing J by at least c₁·step·|slope| (Armijo), or leaving J unchanged to rounding
/// while the slope there, `trial_slope`, has shrunk to c₂·|slope| (see the module docs).
pub(crate) fn accept(cost: f64, trial: f64, step: f64, slope: f64, trial_slope: f64) -> bool {
    trial.is_finite()
        && (trial <= cost + ARMIJO * step * slope
            || (trial <= cost + ROUNDING * cost.abs()
                && trial_slope.abs() <= CURVATURE * slope.abs()))
}

#[cfg(test)]
mod tests {
    use super::Pairs;

    /// One pair in two dimensions, worked by hand through the two-loop recursion (Nocedal & Wright,
    /// Algorithm 7.4), and equal to −H₁g with H₁ = (I − ρsyᵀ)H₀(I − ρysᵀ) + ρssᵀ, H₀ = γI (their 7.19 and 7.20):
    /// g = (1, 2), s = (1, 0), y = (2, 1): ρ = 1/2, α = ρsᵀg = 1/2, q = g − αy = (0, 1.5), γ = sᵀy/yᵀy = 0.4,
    /// r = γq = (0, 0.6), β = ρyᵀr = 0.3, r + (α − β)s = (0.2, 0.6), so d = (−0.2, −0.6). Without a pair the
    /// direction is −g/‖g‖, so that the first trial step has the learning rate's length.
    #[test]
    fn the_direction_of_one_pair_is_the_hand_computed_one() {
        let (s, y) = (vec![vec![1.0, 0.0]], vec![vec![2.0, 1.0]]);
        let pairs = Pairs {
            s: &s,
            y: &y,
            len: 1,
            next: 0,
        };
        let (mut d, mut alpha) = ([0.0f64; 2], [0.0; 1]);
        pairs.direction(&[1.0, 2.0], &mut d, &mut alpha);
        assert!(
            (d[0] + 0.2).abs() < 1e-15 && (d[1] + 0.6).abs() < 1e-15,
            "{d:?}"
        );
        assert_eq!(alpha, [0.5]);
        let empty = Pairs {
            s: &s,
            y: &y,
            len: 0,
            next: 0,
        };
        empty.direction(&[1.0, 2.0], &mut d, &mut alpha);
        let n = 5.0f64.sqrt();
        assert!(
            (d[0] + 1.0 / n).abs() < 1e-15 && (d[1] + 2.0 / n).abs() < 1e-15,
            "{d:?}"
        );
    }
}
