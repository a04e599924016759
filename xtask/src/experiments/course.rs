//! The course's published values, recomputed in the same run: its trained weights (`ex4weights.mat`, the same
//! as ex3's) evaluated on the digits as the course does (raw features, one-based labels, sigmoid outputs).

use super::spec::CourseSpec;
use anyhow::{Context, Result};
use nn_core::{Network, Output};
use nn_data::{LabelScheme, LoadOptions, MatFile};
use serde::Serialize;
use std::path::Path;

/// The course's figures beside ours.
#[derive(Debug, Serialize)]
pub struct CourseCheck {
    pub weights: String,
    pub data: String,
    pub correct: usize,
    pub total: usize,
    pub published_accuracy: f64,
    /// (λ, our J, the course's J).
    pub costs: Vec<(f64, f64, f64)>,
}

impl CourseCheck {
    pub fn run(root: &Path, spec: &CourseSpec) -> Result<CourseCheck> {
        let weights = crate::data::ensure(root, &spec.weights)?;
        let digits = crate::data::ensure(root, &spec.data)?;
        let data = nn_data::load(
            &digits,
            &LoadOptions {
                labels: LabelScheme::OneBased,
                ..LoadOptions::default()
            },
        )?;
        let file = MatFile::open(&weights)?;
        let thetas = spec
            .theta_vars
            .iter()
            .map(|v| file.matrix(v))
            .collect::<Result<Vec<_>, _>>()?;
        let net = Network::<f64>::from_theta(&thetas, Output::Sigmoid)
            .with_context(|| format!("the network of {}", weights.display()))?;
        let mut costs = Vec::new();
        let mut correct = 0;
        for &(lambda, published) in &spec.published_cost {
            let eval = net.evaluate(data.x(), data.labels(), lambda)?;
            correct = eval.correct;
            costs.push((lambda, eval.cost(), published));
        }
        Ok(CourseCheck {
            weights: spec.weights.clone(),
            data: spec.data.clone(),
            correct,
            total: data.len(),
            published_accuracy: spec.published_accuracy,
            costs,
        })
    }
}
