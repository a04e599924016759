//! How raw labels in a file map to the class indices `0..k` a network predicts, and back to names.

use crate::error::{DataError, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How to read the label column of a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabelScheme {
    /// 0..k−1 (including binary {0, 1}) are taken as they are; 1..k is shifted down by one.
    #[default]
    Auto,
    /// Labels are 0..k−1.
    ZeroBased,
    /// Labels are 1..k; label ℓ is class ℓ − 1.
    OneBased,
    /// The course's digits: labels 1..10, where 10 means digit 0. Class index = digit.
    Digits10,
    /// Classes named by the text of a label column, in sorted order (chosen by the data, not on the command
    /// line: a text target column gives it).
    Named,
}

impl LabelScheme {
    /// Every scheme, in the order `--help` lists them.
    pub const ALL: [LabelScheme; 4] = [
        LabelScheme::Auto,
        LabelScheme::ZeroBased,
        LabelScheme::OneBased,
        LabelScheme::Digits10,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            LabelScheme::Auto => "auto",
            LabelScheme::ZeroBased => "zero-based",
            LabelScheme::OneBased => "one-based",
            LabelScheme::Digits10 => "digits10",
            LabelScheme::Named => "named",
        }
    }
}

nn_linalg::text_names!(LabelScheme, "label scheme");

/// The most classes a label column may define. A larger label is almost surely not a class (an id, a
/// measurement, or a corrupted value), and a class map that large would take gigabytes.
pub const MAX_CLASSES: usize = 10_000;

/// The mapping between class indices and the labels of the file they came from. Stored with every dataset
/// and every model, so predictions can be reported in the file's own terms.
///
/// The fields are private so labels and names stay one per class; a map decoded from a model file is checked
/// by the model loader before use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassMap {
    scheme: LabelScheme,
    labels: Vec<i64>,
    names: Vec<String>,
}

impl ClassMap {
    /// Classes 0..k−1 with labels 0..k−1.
    pub fn zero_based(k: usize) -> Self {
        let labels: Vec<i64> = (0..k as i64).collect();
        ClassMap {
            scheme: LabelScheme::ZeroBased,
            names: labels.iter().map(ToString::to_string).collect(),
            labels,
        }
    }

    /// Classes 0..k−1 with labels 1..k.
    pub fn one_based(k: usize) -> Self {
        let labels: Vec<i64> = (1..=k as i64).collect();
        ClassMap {
            scheme: LabelScheme::OneBased,
            names: labels.iter().map(ToString::to_string).collect(),
            labels,
        }
    }

    /// The course's digits: class d is digit d, stored as label d, except digit 0, stored as 10.
    pub fn digits10() -> Self {
        ClassMap {
            scheme: LabelScheme::Digits10,
            labels: (0..10).map(|d| if d == 0 { 10 } else { d }).collect(),
            names: (0..10).map(|d| d.to_string()).collect(),
        }
    }

    /// Classes named by `names`, sorted, with labels 0..k−1 (the class indices). Duplicates are removed.
    pub fn named(mut names: Vec<String>) -> Self {
        names.sort();
        names.dedup();
        ClassMap {
            scheme: LabelScheme::Named,
            labels: (0..names.len() as i64).collect(),
            names,
        }
    }

    /// The class whose name is `name`.
    pub fn class_named(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The class of raw label `label` in a numeric label column.
    pub fn class_of_label(&self, label: i64) -> Option<usize> {
        self.labels.iter().position(|&l| l == label)
    }

    /// The resolved scheme (never `Auto`).
    pub fn scheme(&self) -> LabelScheme {
        self.scheme
    }

    /// `labels()[c]`: the raw label of class `c` in the file.
    pub fn labels(&self) -> &[i64] {
        &self.labels
    }

    /// `names()[c]`: how class `c` is shown (for the digits, the digit).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no classes.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The display name of class `c`.
    pub fn name(&self, c: usize) -> &str {
        self.names.get(c).map_or("?", String::as_str)
    }

    /// One line for people: `"digits10: label 10 → class 0, labels 1..9 → classes 1..9"`.
    pub fn describe(&self) -> String {
        match self.scheme {
            LabelScheme::Digits10 => {
                "digits10: label 10 is digit 0 (class 0); labels 1..9 are classes 1..9".into()
            }
            LabelScheme::Named => format!("named: {}", self.names.join(", ")),
            LabelScheme::OneBased => format!(
                "one-based: labels 1..{k} are classes 0..{}",
                self.len() - 1,
                k = self.len()
            ),
            _ => format!(
                "zero-based: labels 0..{k} are classes 0..{k}",
                k = self.len().saturating_sub(1)
            ),
        }
    }

    /// Maps the raw labels of `path` to class indices under `scheme`, and returns the map it settled on.
    /// Labels must be whole numbers; an out-of-range label is an error naming its 1-based row.
    pub fn resolve(
        scheme: LabelScheme,
        raw: &[f64],
        path: &Path,
    ) -> Result<(ClassMap, Vec<usize>)> {
        let err = |row: usize, value: f64, reason: String| DataError::Label {
            path: path.to_path_buf(),
            row: row + 1,
            value,
            reason,
        };
        for (i, &v) in raw.iter().enumerate() {
            if !v.is_finite() || v.fract() != 0.0 || v.abs() > 1e9 {
                return Err(err(i, v, "is not a whole number".into()));
            }
        }
        let min = raw.iter().copied().fold(f64::INFINITY, f64::min);
        let max = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let scheme = match scheme {
            LabelScheme::Auto if min == 0.0 => LabelScheme::ZeroBased,
            LabelScheme::Auto if min == 1.0 => LabelScheme::OneBased,
            LabelScheme::Named => {
                return Err(err(
                    0,
                    raw.first().copied().unwrap_or(0.0),
                    "is a number; named classes come from a text column".into(),
                ));
            }
            LabelScheme::Auto => {
                let row = raw.iter().position(|&v| v == min).unwrap_or(0);
                return Err(err(row, min, "is below 0 or the labels start above 1; auto expects 0..k−1 or 1..k (choose a scheme explicitly)".into()));
            }
            s => s,
        };
        let k = match scheme {
            LabelScheme::ZeroBased => max.max(0.0) as usize + 1,
            LabelScheme::OneBased => max.max(1.0) as usize,
            _ => 10,
        };
        if k > MAX_CLASSES {
            let row = raw.iter().position(|&v| v == max).unwrap_or(0);
            let reason = format!(
                "would make {k} classes; nn supports at most {MAX_CLASSES} (is this column really a class label?)"
            );
            return Err(err(row, max, reason));
        }
        let map = match scheme {
            LabelScheme::ZeroBased => ClassMap::zero_based(k),
            LabelScheme::OneBased => ClassMap::one_based(k),
            _ => ClassMap::digits10(),
        };
        // The class of label v: v (zero-based), v − 1 (one-based), v mod 10 for 1..=10 (digits10).
        let class_of = |v: i64| -> Option<usize> {
            let c = match map.scheme {
                LabelScheme::OneBased => v - 1,
                LabelScheme::Digits10 if (1..=10).contains(&v) => v % 10,
                LabelScheme::Digits10 => -1,
                _ => v,
            };
            usize::try_from(c).ok().filter(|&c| c < map.len())
        };
        let outside = |i: usize, v: f64| {
            err(
                i,
                v,
                format!(
                    "is outside the {} labels {}",
                    map.scheme.name(),
                    map.range_text()
                ),
            )
        };
        let classes = raw
            .iter()
            .enumerate()
            .map(|(i, &v)| class_of(v as i64).ok_or_else(|| outside(i, v)))
            .collect::<Result<Vec<_>>>()?;
        Ok((map, classes))
    }

    fn range_text(&self) -> String {
        match self.scheme {
            LabelScheme::OneBased => format!("1..{}", self.len()),
            LabelScheme::Digits10 => "1..10".into(),
            _ => format!("0..{}", self.len().saturating_sub(1)),
        }
    }
}
