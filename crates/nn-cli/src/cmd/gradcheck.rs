//! `nn gradcheck`: the report's numerical gradient check.

use super::common::out;
use crate::args::{GradcheckArgs, parse_widths};
use anyhow::{Result, bail};
use nn_core::{Network, Output, Targets, check_gradients, report_dummy_problem};

pub fn run(a: GradcheckArgs) -> Result<()> {
    let hidden = parse_widths(&a.hidden)?;
    if !(a.epsilon.is_finite() && a.epsilon > 0.0) {
        bail!("--epsilon must be finite and > 0, got {}", a.epsilon);
    }
    let (x, y) = report_dummy_problem();
    let output = a.output;
    let k = match output {
        Output::Sigmoid | Output::Identity => 1,
        Output::Softmax => 2,
    };
    let net = Network::<f64>::xavier(3, &hidden, k, output, a.seed)?;
    // For the identity output, the dummy labels [1, 0, 1] serve as regression targets.
    let values: Vec<f64> = y.iter().map(|&c| c as f64).collect();
    let targets = if output.is_regression() {
        Targets::Values(&values)
    } else {
        Targets::Classes(&y)
    };
    let check = check_gradients(&net, &x, targets, a.lambda, a.epsilon)?;
    let pass = check.max_relative_error() <= a.tolerance;
    if a.json {
        let v = serde_json::json!({
            "architecture": net.architecture().describe(),
            "epsilon": a.epsilon,
            "lambda": a.lambda,
            "layers": check.layers,
            "max_abs_diff": check.max_abs_diff(),
            "max_relative_error": check.max_relative_error(),
            "tolerance": a.tolerance,
            "pass": pass,
        });
        out(&format!("{v}\n"))?;
    } else {
        let mut s = format!(
            "gradient check of {} on the report's dummy data (3 samples), ε = {:e}, λ = {}\n\n  layer  params     max |A − N|   ‖A − N‖/‖A + N‖\n",
            net.architecture().describe(),
            a.epsilon,
            a.lambda
        );
        for l in &check.layers {
            s.push_str(&format!(
                "  {:>5}  {:>6}  {:>14.3e}  {:>16.3e}\n",
                l.layer, l.parameters, l.max_abs_diff, l.relative_error
            ));
        }
        s.push_str(&format!(
            "\n{}: largest relative error {:.3e} (tolerance {:e})\n",
            if pass { "PASS" } else { "FAIL" },
            check.max_relative_error(),
            a.tolerance
        ));
        out(&s)?;
    }
    if !pass {
        bail!(
            "gradient check failed: relative error {:.3e} exceeds {:e}",
            check.max_relative_error(),
            a.tolerance
        );
    }
    Ok(())
}
