//! `nn predict`: one CSV row per sample with the predicted class (and probabilities).

use super::{locate, out};
use crate::args::PredictArgs;
use anyhow::{Result, bail};
use nn_data::{FileKind, MatFile, load_table};
use nn_train::Checkpoint;

pub fn run(a: PredictArgs) -> Result<()> {
    let ckpt = Checkpoint::load(&a.model)?;
    let n = ckpt.network.architecture().n_input;
    let path = locate(&a.data)?;
    let x = if FileKind::of(&path) == FileKind::Mat {
        MatFile::open(&path)?.matrix(&a.x_var)?
    } else {
        let table = load_table(&path)?;
        // The features alone, or the features and a label column, which is ignored.
        match table.cols() {
            c if c == n => table,
            c if c == n + 1 => table.select_columns(n),
            c => bail!(
                "{}: rows have {c} columns; the model takes {n} features (optionally followed by a label)",
                path.display()
            ),
        }
    };
    let p = nn_train::job::predict_proba(&ckpt, &x)?;
    let names = ckpt.classes.names();
    let mut s = String::from("row,predicted");
    if a.proba {
        for name in names {
            s.push_str(&format!(",p_{name}"));
        }
    }
    s.push('\n');
    let k = names.len();
    for i in 0..p.rows() {
        let probs: Vec<f64> = if p.cols() == 1 {
            vec![1.0 - p.get(i, 0), p.get(i, 0)]
        } else {
            p.row_to_vec(i)
        };
        let best = (0..k).fold(0, |b, c| if probs[c] > probs[b] { c } else { b });
        s.push_str(&format!("{},{}", i + 1, names[best]));
        if a.proba {
            for v in &probs {
                s.push_str(&format!(",{v:.6}"));
            }
        }
        s.push('\n');
    }
    out(&s)
}
