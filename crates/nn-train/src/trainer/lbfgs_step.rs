//! One L-BFGS iteration of the training loop: the direction from the remembered pairs, a line search, the
//! new pair ([`crate::lbfgs`] holds the rules).

use super::buffers::{Buffers, LbfgsScratch};
use super::samples::Samples;
use crate::config::Optimizer;
use crate::epoch::PartMetrics;
use crate::error::{Result, check_loss};
use crate::lbfgs::{self, Convergence, Pairs};
use crate::optimizer::OptimizerState;
use nn_core::{Input, Network};
use nn_linalg::Scalar;

/// One L-BFGS iteration ([`crate::lbfgs`]): the direction from the remembered pairs, a line search from
/// step `lr`, the new pair. The metrics are those of the accepted weights (the line search evaluated them).
pub(super) fn iterate<T: Scalar>(
    net: &mut Network<T>,
    optimizer: &Optimizer,
    state: &mut OptimizerState<T>,
    train: &Samples<T>,
    buf: &mut Buffers<T>,
    lr: f64,
    epoch: usize,
) -> Result<(PartMetrics, Option<Convergence>)> {
    let Optimizer::Lbfgs { tolerance, .. } = *optimizer else {
        unreachable!("L-BFGS buffers exist for an L-BFGS run only");
    };
    let Some(scratch) = buf.lbfgs.as_mut() else {
        unreachable!("checked by the caller");
    };
    let OptimizerState::Lbfgs {
        s,
        y,
        len,
        next,
        gradient,
        cost,
    } = state
    else {
        unreachable!("an L-BFGS run has L-BFGS state");
    };
    let x = Input::new(&train.x, buf.packed.as_ref());
    let targets = train.y.targets();
    if gradient.is_empty() {
        let eval = net.gradient_with(x, targets, buf.l2, &mut buf.ws, &mut buf.grads, None)?;
        check_loss(eval.loss, epoch)?;
        gradient.resize(scratch.theta.len(), T::ZERO);
        lbfgs::read_grads(&buf.grads, gradient);
        *cost = eval.cost();
    }
    let slope = descent_direction(s, y, len, *next, gradient, scratch);
    lbfgs::read_params(net, &mut scratch.theta);
    let mut step = lr;
    let mut accepted = None;
    for _ in 0..lbfgs::MAX_HALVINGS {
        let t = T::from_f64(step);
        for ((p, &t0), &d) in scratch.trial.iter_mut().zip(&scratch.theta).zip(&scratch.d) {
            *p = t0 + t * d;
        }
        lbfgs::write_params(net, &scratch.trial);
        let eval = net.gradient_with(x, targets, buf.l2, &mut buf.ws, &mut buf.grads, None)?;
        lbfgs::read_grads(&buf.grads, &mut scratch.g_new);
        let trial_slope = lbfgs::dot(&scratch.g_new, &scratch.d);
        if lbfgs::accept(*cost, eval.cost(), step, slope, trial_slope) {
            accepted = Some(eval);
            break;
        }
        step *= 0.5;
    }
    let Some(eval) = accepted else {
        // Back to the last accepted weights, and their metrics.
        lbfgs::write_params(net, &scratch.theta);
        let eval = net.evaluate_with(&train.x, targets, buf.l2, &mut buf.ws)?;
        let counts = buf.ws.class_counts();
        return Ok((
            PartMetrics::new(eval, buf.spread[0], counts),
            Some(Convergence::NoDecrease),
        ));
    };
    remember_pair(s, y, len, next, gradient, scratch);
    gradient.copy_from_slice(&scratch.g_new);
    *cost = eval.cost();
    let largest = gradient.iter().fold(0.0f64, |m, g| m.max(g.to_f64().abs()));
    let converged = (largest <= tolerance).then_some(Convergence::Gradient);
    let metrics = PartMetrics::new(eval, buf.spread[0], buf.ws.class_counts());
    Ok((metrics, converged))
}

/// The search direction into `scratch.d`, and its slope along the gradient. If the remembered pairs do not
/// give a descent direction (they no longer describe the curvature), they are forgotten (`len` = 0) and the
/// direction is the scaled steepest descent.
fn descent_direction<T: Scalar>(
    s: &[Vec<T>],
    y: &[Vec<T>],
    len: &mut usize,
    next: usize,
    gradient: &[T],
    scratch: &mut LbfgsScratch<T>,
) -> f64 {
    let pairs = Pairs {
        s,
        y,
        len: *len,
        next,
    };
    pairs.direction(gradient, &mut scratch.d, &mut scratch.alpha);
    let slope = lbfgs::dot(&scratch.d, gradient);
    if slope < 0.0 {
        return slope;
    }
    *len = 0;
    let empty = Pairs { s, y, len: 0, next };
    empty.direction(gradient, &mut scratch.d, &mut scratch.alpha);
    lbfgs::dot(&scratch.d, gradient)
}

/// The new pair: s = θ₊ − θ, y = ∇J₊ − ∇J, written in the ring's next slot and kept if sᵀy > 0 (which keeps
/// H positive definite).
fn remember_pair<T: Scalar>(
    s: &mut [Vec<T>],
    y: &mut [Vec<T>],
    len: &mut usize,
    next: &mut usize,
    gradient: &[T],
    scratch: &LbfgsScratch<T>,
) {
    let slot = *next;
    for ((sv, &p), &t0) in s[slot].iter_mut().zip(&scratch.trial).zip(&scratch.theta) {
        *sv = p - t0;
    }
    for ((yv, &g1), &g0) in y[slot].iter_mut().zip(&scratch.g_new).zip(gradient.iter()) {
        *yv = g1 - g0;
    }
    let (sy, yy) = (
        lbfgs::dot(&s[slot], &y[slot]),
        lbfgs::dot(&y[slot], &y[slot]),
    );
    if sy > 1e-10 * yy && sy.is_finite() {
        *next = (slot + 1) % s.len();
        *len = (*len + 1).min(s.len());
    }
}
