//! [`ClassWeight`]: how each sample's loss is weighted by its class.

use serde::{Deserialize, Serialize};

/// How each sample's loss is weighted by its class, in the training and the validation loss.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClassWeight {
    /// Every sample weighs 1.
    #[default]
    None,
    /// A sample of class c weighs n/(k·n_c), with n_c of the n training samples in class c of k: every class
    /// then carries the same total weight (scikit-learn's `class_weight="balanced"`). A class with no
    /// training sample weighs 1.
    Balanced,
    /// A sample of class c weighs `w[c]` (finite, ≥ 0), one weight per class in the order of the class
    /// indices.
    Given(Vec<f64>),
}

impl ClassWeight {
    /// Per class, the weight of its samples, from the training part's labels over `classes` classes; empty
    /// (all 1) for [`ClassWeight::None`].
    pub fn weights(&self, labels: &[usize], classes: usize) -> Vec<f64> {
        match self {
            ClassWeight::None => Vec::new(),
            ClassWeight::Given(w) => w.clone(),
            ClassWeight::Balanced => {
                let mut counts = vec![0usize; classes];
                for &c in labels {
                    if let Some(n) = counts.get_mut(c) {
                        *n += 1;
                    }
                }
                let n = labels.len() as f64;
                counts
                    .iter()
                    .map(|&n_c| match n_c {
                        0 => 1.0,
                        n_c => n / (classes as f64 * n_c as f64),
                    })
                    .collect()
            }
        }
    }
}

impl std::str::FromStr for ClassWeight {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(ClassWeight::None),
            "balanced" => Ok(ClassWeight::Balanced),
            list => {
                let weights = list
                    .split(',')
                    .map(|w| match w.trim().parse::<f64>() {
                        Ok(w) if w.is_finite() && w >= 0.0 => Ok(w),
                        _ => Err(format!(
                            "class weight {w:?}: expected none, balanced, or one weight (a number >= 0) per class, comma-separated"
                        )),
                    })
                    .collect::<Result<Vec<f64>, String>>()?;
                Ok(ClassWeight::Given(weights))
            }
        }
    }
}

impl std::fmt::Display for ClassWeight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClassWeight::None => f.write_str("none"),
            ClassWeight::Balanced => f.write_str("balanced"),
            ClassWeight::Given(w) => {
                let w: Vec<String> = w.iter().map(f64::to_string).collect();
                f.write_str(&w.join(","))
            }
        }
    }
}
