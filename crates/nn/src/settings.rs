//! Settings by name: a run's [`Spec`] and [`DataSettings`] from `name = value` pairs, as a sweep spec (or any
//! key-value file) gives them.
//!
//! A name is the setting's serialised name, which is also its command-line flag (`batch-size`, `target`). A
//! value is what its serialised form takes, or its command-line text (`hidden = "4,4"`, `split = "0.6,0.2"`,
//! `lr-step = ["5000:0.04"]`). A switch that the command line turns off as `--no-X` may be given as
//! `no-X = true`, the same as `X = false`. Nothing here lists the settings: the names are read from the two
//! types' serialised defaults, so a setting added to either is known here at once.

use crate::data::settings::DataSettings;
use crate::spec::Spec;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::fmt;

/// A run's settings: how the network is trained and how its data is read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// How the network is trained.
    pub spec: Spec,
    /// How the data file is read.
    pub data: DataSettings,
}

/// A named setting that is not one, or whose value it does not take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedError {
    /// The name, as given.
    pub name: String,
    /// What is wrong: an unknown name (with the names it is close to), or the value's fault.
    pub problem: NamedProblem,
}

/// What is wrong with a named setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamedProblem {
    /// No setting has this name; these are close to it.
    Unknown {
        /// Names within two edits, in order.
        close: Vec<String>,
    },
    /// The value is not one the setting takes (or conflicts with another setting).
    Value(String),
}

impl fmt::Display for NamedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            NamedProblem::Unknown { close } if close.is_empty() => write!(
                f,
                "'{}' is not a setting of nn train (nn train --help lists them)",
                self.name
            ),
            NamedProblem::Unknown { close } => write!(
                f,
                "'{}' is not a setting of nn train (did you mean {}?)",
                self.name,
                close.join(", ")
            ),
            NamedProblem::Value(why) => write!(f, "'{}': {why}", self.name),
        }
    }
}

impl std::error::Error for NamedError {}

impl Settings {
    /// Every setting's name: the spec's, then the data's.
    pub fn names() -> Vec<String> {
        let mut names = field_names(&Spec::default());
        names.extend(field_names(&DataSettings::default()));
        names
    }

    /// Checks one named setting alone: that the name is a setting's and the value one it takes.
    pub fn check_one(name: &str, value: &impl Serialize) -> Result<(), NamedError> {
        Settings::from_named([(name, value)]).map(|_| ())
    }

    /// The settings that `pairs` give, every other one at its default. Each pair is checked alone first, so
    /// that an error names the setting at fault; then the whole, for the rules between settings.
    pub fn from_named<'a, V: Serialize + 'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a V)>,
    ) -> Result<Settings, NamedError> {
        let spec_names = field_names(&Spec::default());
        let data_names = field_names(&DataSettings::default());
        let (mut spec, mut data) = (Map::new(), Map::new());
        for (given, value) in pairs {
            let fail = |problem| NamedError {
                name: given.to_string(),
                problem,
            };
            let value = serde_json::to_value(value)
                .map_err(|e| fail(NamedProblem::Value(e.to_string())))?;
            let (name, value) = match (given.strip_prefix("no-"), &value) {
                (Some(switch), Value::Bool(b)) if is_switch(switch) => {
                    (switch.to_string(), Value::Bool(!b))
                }
                _ => (given.to_string(), value),
            };
            let alone = Map::from_iter([(name.clone(), value.clone())]);
            let (target, checked) = if spec_names.contains(&name) {
                (&mut spec, decode::<Spec>(alone).map(drop))
            } else if data_names.contains(&name) {
                (&mut data, decode::<DataSettings>(alone).map(drop))
            } else {
                let close = (spec_names.iter().chain(&data_names))
                    .filter(|n| edit_distance(n, given) <= 2)
                    .cloned()
                    .collect();
                return Err(fail(NamedProblem::Unknown { close }));
            };
            checked.map_err(|why| fail(NamedProblem::Value(why)))?;
            target.insert(name, value);
        }
        let whole = |why: String| NamedError {
            name: "settings".into(),
            problem: NamedProblem::Value(why),
        };
        let settings = Settings {
            spec: decode(spec).map_err(whole)?,
            data: decode(data).map_err(whole)?,
        };
        settings.spec.check().map_err(|e| whole(e.to_string()))?;
        Ok(settings)
    }
}

fn decode<T: DeserializeOwned>(map: Map<String, Value>) -> Result<T, String> {
    serde_json::from_value(Value::Object(map)).map_err(|e| e.to_string())
}

/// The serialised names of a settings type's fields, from its default.
fn field_names(defaults: &impl Serialize) -> Vec<String> {
    match serde_json::to_value(defaults) {
        Ok(Value::Object(fields)) => fields.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// `name` is a setting that is on or off, whose command-line flag turns it off as `--no-NAME`.
fn is_switch(name: &str) -> bool {
    let defaults = serde_json::to_value(Spec::default()).unwrap_or_default();
    defaults.get(name).is_some_and(Value::is_boolean)
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}
