//! `nn predict`: one CSV row per sample with the predicted class (and probabilities), or for a regression model
//! the predicted value in the target's units.

use super::common::{locate, out, print_notes};
use crate::args::PredictArgs;
use anyhow::{Result, bail};
use nn_train::ModelFile;

pub fn run(a: PredictArgs) -> Result<()> {
    let model_file = ModelFile::load(&a.model)?;
    let mut data = nn::Data::file(locate(&a.data)?).variables(&a.x_var, "y");
    if let Some(d) = a.delimiter {
        data = data.delimiter(d);
    }
    if let Some(u) = a.unknown {
        data = data.unknown_category(u);
    }
    let features = data.features_for(&model_file)?;
    print_notes(&features.notes, false);
    // The 1-based data row of each prediction (rows left out for a missing value have none).
    let rows = features.rows;
    let x = features.x;
    let digits = usize::from(a.digits);
    let row_of = |i: usize| rows.as_ref().map_or(i + 1, |r| r[i]);
    if model_file.network.architecture().output.is_regression() {
        if a.proba {
            bail!("--proba: a regression model predicts values, not class probabilities");
        }
        let values = nn_train::job::predict_values(&model_file, &x)?;
        let mut s = String::from("row");
        for name in model_file.classes.names() {
            s.push_str(&format!(",{}", csv_field(&format!("predicted_{name}"))));
        }
        s.push('\n');
        for i in 0..values.rows() {
            s.push_str(&row_of(i).to_string());
            for v in values.row_to_vec(i) {
                s.push_str(&format!(",{v:.digits$}"));
            }
            s.push('\n');
        }
        return out(&s);
    }
    // The class is the largest logit, as `nn eval` counts it (and an exported ONNX graph's `label`).
    let predicted = nn_train::job::predict(&model_file, &x)?;
    let p = if a.proba {
        Some(nn_train::job::predict_proba(&model_file, &x)?)
    } else {
        None
    };
    let names = model_file.classes.names();
    let mut s = String::from("row,predicted");
    if a.proba {
        for name in names {
            s.push_str(&format!(",{}", csv_field(&format!("p_{name}"))));
        }
    }
    s.push('\n');
    for (i, &class) in predicted.iter().enumerate() {
        s.push_str(&format!("{},{}", row_of(i), csv_field(&names[class])));
        if let Some(p) = &p {
            // One sigmoid unit gives P(class 1); class 0's probability is its complement.
            let probs = if p.cols() == 1 {
                vec![1.0 - p.get(i, 0), p.get(i, 0)]
            } else {
                p.row_to_vec(i)
            };
            for v in probs {
                s.push_str(&format!(",{v:.digits$}"));
            }
        }
        s.push('\n');
    }
    out(&s)
}

/// A class name as one CSV field: quoted (quotes doubled) if it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
