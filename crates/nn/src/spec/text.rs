//! Settings serialised as their text form (`--help`'s: `"leaky-relu"`, `"val-loss"`, `"auto"`), where the type's
//! own serde form is structured: `#[serde(with = "text")]`, and `text::or_none` for an optional setting. A bare
//! number is read as its text too (`batch-size = 64` in TOML or JSON).

use serde::{Deserialize, Deserializer, Serializer, de::Error};
use std::fmt::Display;
use std::str::FromStr;

pub fn serialize<T: Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

pub fn deserialize<'de, T, D>(d: D) -> Result<T, D::Error>
where
    T: FromStr<Err = String>,
    D: Deserializer<'de>,
{
    Text::deserialize(d)?.0.parse().map_err(D::Error::custom)
}

/// A setting's text, also from a bare number.
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Whole(u64),
            Number(f64),
        }
        Ok(Text(match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Whole(n) => n.to_string(),
            Raw::Number(x) => x.to_string(),
        }))
    }
}

/// [`text`](self) for an optional setting: absent or `null` is `None`.
pub mod or_none {
    use super::Text;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use std::fmt::Display;
    use std::str::FromStr;

    pub fn serialize<T: Display, S: Serializer>(
        value: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr<Err = String>,
        D: Deserializer<'de>,
    {
        Option::<Text>::deserialize(d)?
            .map(|s| s.0.parse().map_err(D::Error::custom))
            .transpose()
    }
}
