//! The values a sweep spec gives a setting, and the distributions of its random draws.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The value of one flag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A switch: `true` gives the flag, `false` leaves it out.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A real number.
    Float(f64),
    /// Text, passed as it is.
    Text(String),
    /// A repeatable flag's values, one flag each.
    List(Vec<Value>),
}

impl Value {
    /// The command-line arguments that give `--key` this value.
    pub fn args(&self, key: &str) -> Vec<String> {
        match self {
            Value::Bool(true) => vec![format!("--{key}")],
            Value::Bool(false) => Vec::new(),
            Value::List(items) => items.iter().flat_map(|v| v.args(key)).collect(),
            v => vec![format!("--{key}"), v.to_string()],
        }
    }

    /// The number, for plotting against it.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub(super) fn from_toml(v: &toml::Value) -> Result<Value, String> {
        Ok(match v {
            toml::Value::Boolean(b) => Value::Bool(*b),
            toml::Value::Integer(i) => Value::Int(*i),
            toml::Value::Float(f) if f.is_finite() => Value::Float(*f),
            toml::Value::Float(f) => return Err(format!("{f} is not a finite number")),
            toml::Value::String(s) => Value::Text(s.clone()),
            toml::Value::Array(items) => Value::List(
                items
                    .iter()
                    .map(Value::from_toml)
                    .collect::<Result<_, _>>()?,
            ),
            toml::Value::Table(_) => return Err("a table is not a flag's value".into()),
            toml::Value::Datetime(_) => return Err("a date is not a flag's value".into()),
        })
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            // Rust prints the shortest text that reads back as the same f64.
            Value::Float(x) => write!(f, "{x}"),
            Value::Text(s) => f.write_str(s),
            Value::List(items) => {
                let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", parts.join(" "))
            }
        }
    }
}

/// How a random draw picks a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// One of these, each equally likely.
    Choice(Vec<Value>),
    /// Uniform on [lo, hi].
    Uniform(f64, f64),
    /// exp of uniform on [ln lo, ln hi]: for rates, where each decade matters as much as the next.
    LogUniform(f64, f64),
    /// A whole number in lo..=hi, each equally likely.
    IntUniform(i64, i64),
}

impl Distribution {
    /// The values that stand for every draw when a setting is checked: the choices, or the range's ends.
    pub fn extremes(&self) -> Vec<Value> {
        match self {
            Distribution::Choice(vs) => vs.clone(),
            Distribution::Uniform(lo, hi) | Distribution::LogUniform(lo, hi) => {
                vec![Value::Float(*lo), Value::Float(*hi)]
            }
            Distribution::IntUniform(lo, hi) => vec![Value::Int(*lo), Value::Int(*hi)],
        }
    }

    pub(super) fn draw(&self, rng: &mut ChaCha8Rng) -> Value {
        match self {
            Distribution::Choice(vs) => vs[rng.random_range(0..vs.len())].clone(),
            Distribution::Uniform(lo, hi) => {
                Value::Float(round4(lo + (hi - lo) * rng.random::<f64>()))
            }
            Distribution::LogUniform(lo, hi) => {
                let (a, b) = (lo.ln(), hi.ln());
                Value::Float(round4((a + (b - a) * rng.random::<f64>()).exp()))
            }
            Distribution::IntUniform(lo, hi) => Value::Int(rng.random_range(*lo..=*hi)),
        }
    }
}

/// `x` to 4 significant digits, so drawn rates read as 0.003162, not 0.0031622776601683794.
fn round4(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.3e}").parse().unwrap_or(x)
}

pub(super) fn distribution(v: &toml::Value) -> Result<Distribution, String> {
    let range = |name: &str, v: &toml::Value| -> Result<(f64, f64), String> {
        let pair = v.as_array().filter(|a| a.len() == 2);
        let num = |x: &toml::Value| x.as_float().or_else(|| x.as_integer().map(|i| i as f64));
        match pair.map(|a| (num(&a[0]), num(&a[1]))) {
            Some((Some(lo), Some(hi))) if lo.is_finite() && hi.is_finite() && lo <= hi => {
                Ok((lo, hi))
            }
            _ => Err(format!("{name} takes [LO, HI] with LO ≤ HI, got {v}")),
        }
    };
    match v {
        toml::Value::Array(items) if items.is_empty() => Err("an empty list of choices".into()),
        toml::Value::Array(items) => Ok(Distribution::Choice(
            items
                .iter()
                .map(Value::from_toml)
                .collect::<Result<_, _>>()?,
        )),
        toml::Value::Table(t) if t.len() == 1 => {
            let (name, arg) = t.iter().next().expect("one entry");
            match name.as_str() {
                "uniform" => {
                    let (lo, hi) = range(name, arg)?;
                    Ok(Distribution::Uniform(lo, hi))
                }
                "log-uniform" => {
                    let (lo, hi) = range(name, arg)?;
                    if lo <= 0.0 {
                        return Err(format!("log-uniform needs LO > 0, got {lo}"));
                    }
                    Ok(Distribution::LogUniform(lo, hi))
                }
                "int-uniform" => {
                    let pair = arg.as_array().filter(|a| a.len() == 2);
                    match pair.map(|a| (a[0].as_integer(), a[1].as_integer())) {
                        Some((Some(lo), Some(hi))) if lo <= hi => {
                            Ok(Distribution::IntUniform(lo, hi))
                        }
                        _ => Err(format!(
                            "int-uniform takes [LO, HI], whole numbers with LO ≤ HI, got {arg}"
                        )),
                    }
                }
                other => Err(format!(
                    "unknown distribution '{other}' (expected uniform, log-uniform or int-uniform, or a list to choose from)"
                )),
            }
        }
        other => Err(format!(
            "expected a list to choose from or one of {{ uniform = [LO, HI] }}, {{ log-uniform = [LO, HI] }}, {{ int-uniform = [LO, HI] }}, got {other}"
        )),
    }
}
