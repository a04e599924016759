//! The value types of [`Spec`](super::Spec)'s settings that the lower crates do not have: each parses from
//! and prints as the text the command line and a sweep spec take (`4,4`, `5000:0.04`, `28x28`, …), and
//! [`Shown`] prints any setting's value for messages.

use super::text::{TextOr, text_or_fields};
use nn_core::{Activation, Init, Output};
use nn_train::{Optimizer, Precision, Selection};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::str::FromStr;

/// Hidden layer widths: `4,4`, or `none` for no hidden layer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Widths(pub Vec<usize>);

/// Samples per optimiser step: `auto` (min(200, the training rows), scikit-learn's default), `full` (the
/// whole training part, the report's full-batch descent) or a number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BatchSize {
    /// min(200, the training rows).
    #[default]
    Auto,
    /// The whole training part.
    Full,
    /// This many samples (at least 1).
    Rows(usize),
}

impl BatchSize {
    /// The rows a step takes on a training part of `train_rows` (`None`: all of them).
    pub fn resolve(self, train_rows: usize) -> Option<usize> {
        match self {
            BatchSize::Auto => (train_rows > 200).then_some(200),
            BatchSize::Full => None,
            BatchSize::Rows(n) => Some(n),
        }
    }
}

impl From<usize> for BatchSize {
    fn from(n: usize) -> Self {
        BatchSize::Rows(n)
    }
}

impl FromStr for BatchSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(BatchSize::Auto),
            "full" => Ok(BatchSize::Full),
            n => match n.parse::<usize>() {
                Ok(n) if n > 0 => Ok(BatchSize::Rows(n)),
                _ => Err(format!(
                    "batch size {n:?}: expected auto, full or a number of samples >= 1"
                )),
            },
        }
    }
}

impl fmt::Display for BatchSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchSize::Auto => f.write_str("auto"),
            BatchSize::Full => f.write_str("full"),
            BatchSize::Rows(n) => write!(f, "{n}"),
        }
    }
}

/// The optimiser, by name; its hyper-parameters are settings of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    /// Gradient descent, the report's.
    Gd,
    /// Classical momentum.
    Momentum,
    /// Nesterov's momentum.
    Nesterov,
    /// Adam (Kingma & Ba, 2015).
    Adam,
    /// Adam with decoupled weight decay (Loshchilov & Hutter, 2019).
    #[serde(rename = "adamw")]
    AdamW,
    /// Full-batch L-BFGS with a line search.
    Lbfgs,
}

/// A step of the learning rate: from after `epoch` on, `lr` (`5000:0.04`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TextOr<LrStepFields>")]
pub struct LrStep {
    /// The epoch after which the rate changes.
    pub epoch: usize,
    /// The new rate.
    pub lr: f64,
}

/// Reduce the rate by `factor` after `patience` epochs without improvement (`0.5:10`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TextOr<PlateauFields>")]
pub struct Plateau {
    /// In (0, 1).
    pub factor: f64,
    /// Epochs without improvement.
    pub patience: usize,
}

/// An image's height and width in pixels (`28x28`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TextOr<ImageSizeFields>")]
pub struct ImageSize {
    /// Rows of pixels.
    pub height: usize,
    /// Pixels per row.
    pub width: usize,
}

/// The training and validation shares of a split (`0.7,0.15`, or `0.8` for no validation part).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TextOr<FractionsFields>")]
pub struct Fractions {
    /// The training share, in (0, 1].
    pub train: f64,
    /// The validation share; train + validation ≤ 1.
    pub validation: f64,
}

text_or_fields! {
    LrStep LrStepFields { epoch: usize, lr: f64 }
    Plateau PlateauFields { factor: f64, patience: usize }
    ImageSize ImageSizeFields { height: usize, width: usize }
    Fractions FractionsFields { train: f64, validation: f64 }
}

impl<'de> Deserialize<'de> for Widths {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Widths, D::Error> {
        TextOr::<Vec<usize>>::deserialize(d)?
            .resolve()
            .map_err(serde::de::Error::custom)
    }
}

impl OptimizerKind {
    /// Every kind, in the order `--help` lists them.
    pub const ALL: [OptimizerKind; 6] = [
        OptimizerKind::Gd,
        OptimizerKind::Momentum,
        OptimizerKind::Nesterov,
        OptimizerKind::Adam,
        OptimizerKind::AdamW,
        OptimizerKind::Lbfgs,
    ];

    /// The kind of an optimiser.
    pub fn of(o: &Optimizer) -> OptimizerKind {
        (Self::ALL.into_iter())
            .find(|k| k.name() == o.name())
            .unwrap_or(OptimizerKind::Gd)
    }

    /// Its name, as [`Optimizer::name`] gives it.
    pub fn name(self) -> &'static str {
        Optimizer::NAMES[self as usize]
    }
}

impl<const N: usize> From<[usize; N]> for Widths {
    fn from(w: [usize; N]) -> Widths {
        Widths(w.to_vec())
    }
}

impl From<Vec<usize>> for Widths {
    fn from(w: Vec<usize>) -> Widths {
        Widths(w)
    }
}

impl From<(f64, f64)> for Fractions {
    fn from((train, validation): (f64, f64)) -> Fractions {
        Fractions { train, validation }
    }
}

impl From<f64> for Fractions {
    fn from(train: f64) -> Fractions {
        Fractions {
            train,
            validation: 0.0,
        }
    }
}

/// `a` and `b` of `A:B` (or `AxB`), each parsed as a number of the kind the value needs.
fn pair<A: FromStr, B: FromStr>(s: &str, seps: &[char], what: &str) -> Result<(A, B), String> {
    s.split_once(seps)
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
        .ok_or_else(|| format!("'{s}': give {what}"))
}

impl FromStr for Widths {
    type Err = String;
    fn from_str(s: &str) -> Result<Widths, String> {
        let s = s.trim();
        if s.is_empty() || s.eq_ignore_ascii_case("none") {
            return Ok(Widths(Vec::new()));
        }
        let width = |w: &str| match w.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!(
                "'{}' is not a layer width (a whole number ≥ 1)",
                w.trim()
            )),
        };
        s.split(',')
            .map(width)
            .collect::<Result<_, _>>()
            .map(Widths)
    }
}

nn_linalg::text_names!(OptimizerKind, "optimiser");

impl FromStr for LrStep {
    type Err = String;
    fn from_str(s: &str) -> Result<LrStep, String> {
        let (epoch, lr) = pair(s, &[':'], "EPOCH:LR, e.g. 5000:0.04")?;
        Ok(LrStep { epoch, lr })
    }
}

impl FromStr for Plateau {
    type Err = String;
    fn from_str(s: &str) -> Result<Plateau, String> {
        let (factor, patience) = pair(s, &[':'], "FACTOR:PATIENCE, e.g. 0.5:10")?;
        Ok(Plateau { factor, patience })
    }
}

impl FromStr for ImageSize {
    type Err = String;
    fn from_str(s: &str) -> Result<ImageSize, String> {
        let (height, width) = pair(
            s,
            &['x', 'X', '×'],
            "the image size as HEIGHTxWIDTH, e.g. 28x28",
        )?;
        Ok(ImageSize { height, width })
    }
}

impl FromStr for Fractions {
    type Err = String;
    fn from_str(s: &str) -> Result<Fractions, String> {
        let num = |p: &str| {
            p.trim()
                .parse::<f64>()
                .map_err(|_| format!("'{}' is not a fraction", p.trim()))
        };
        match s.split(',').collect::<Vec<_>>().as_slice() {
            [t] => Ok(Fractions {
                train: num(t)?,
                validation: 0.0,
            }),
            [t, v] => Ok(Fractions {
                train: num(t)?,
                validation: num(v)?,
            }),
            _ => Err(format!("give TRAIN or TRAIN,VAL fractions, got '{s}'")),
        }
    }
}

impl fmt::Display for Widths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        let w: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&w.join(","))
    }
}

/// `Display` as the flag's text, two fields and the mark between them (`5000:0.04`, `20x20`, `0.6,0.2`), which
/// `FromStr` reads back.
macro_rules! display_pair {
    ($($ty:ty: $a:ident $mark:literal $b:ident),* $(,)?) => {
        $(impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}{}", self.$a, $mark, self.$b)
            }
        })*
    };
}

display_pair!(
    LrStep: epoch ":" lr,
    Plateau: factor ":" patience,
    ImageSize: height "x" width,
    Fractions: train "," validation,
);

/// A setting's value as messages show it.
pub trait Shown {
    /// The value as text (`none` where there is none).
    fn shown(&self) -> String;
}

macro_rules! shown_by_display {
    ($($ty:ty),*) => {
        $(impl Shown for $ty {
            fn shown(&self) -> String {
                self.to_string()
            }
        })*
    };
}

shown_by_display!(
    f64,
    usize,
    u64,
    bool,
    Widths,
    OptimizerKind,
    Plateau,
    ImageSize,
    Fractions,
    Activation,
    Output,
    Precision,
    Selection,
    nn_train::ClassWeight,
    BatchSize,
    super::simd::Simd
);

impl Shown for Init {
    fn shown(&self) -> String {
        self.name().to_string()
    }
}

impl<T: Shown> Shown for Option<T> {
    fn shown(&self) -> String {
        self.as_ref()
            .map_or_else(|| "none".to_string(), Shown::shown)
    }
}

impl Shown for Vec<LrStep> {
    fn shown(&self) -> String {
        if self.is_empty() {
            return "none".into();
        }
        let steps: Vec<String> = self.iter().map(ToString::to_string).collect();
        steps.join(" ")
    }
}

/// What [`Spec::job`](super::Spec::job) needs to know of the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataShape {
    /// Features per sample (after one-hot encoding).
    pub features: usize,
    /// Classes (1 for a regression target).
    pub classes: usize,
    /// Rows (samples), before the split.
    pub rows: usize,
    /// The target is a number to predict.
    pub regression: bool,
}

/// `Some` of what converts to `T`: the setter of an optional setting given in another form (a split as `0.8`
/// or `(0.7, 0.1)`).
pub(crate) fn some_into<T>(value: impl Into<T>) -> Option<T> {
    Some(value.into())
}
