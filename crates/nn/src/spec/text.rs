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

/// A list-valued setting given as a list, or as one value (`lr-step = "5000:0.04"`, as the repeatable flag
/// given once).
pub fn one_or_many<'de, T, D>(d: D) -> Result<Vec<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    use serde::de::value::{MapAccessDeserializer, StrDeserializer};
    use serde::de::{MapAccess, SeqAccess, Visitor};

    struct OneOrMany<T>(std::marker::PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrMany<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list, or one value")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut all = Vec::new();
            while let Some(one) = seq.next_element()? {
                all.push(one);
            }
            Ok(all)
        }

        fn visit_str<E: Error>(self, s: &str) -> Result<Vec<T>, E> {
            T::deserialize(StrDeserializer::<E>::new(s)).map(|one| vec![one])
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(|one| vec![one])
        }
    }

    d.deserialize_any(OneOrMany(std::marker::PhantomData))
}

/// A value given as its text (`"4,4"`, `"5000:0.04"`, a bare number) or in its structured serde form `S`:
/// a sweep spec and the command line write the text, JSON from the Python package the structure.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum TextOr<S> {
    Text(Text),
    Structured(S),
}

impl<S> TextOr<S> {
    pub(crate) fn resolve<T: FromStr<Err = String> + From<S>>(self) -> Result<T, String> {
        match self {
            TextOr::Text(t) => t.0.parse(),
            TextOr::Structured(s) => Ok(s.into()),
        }
    }
}

/// The structured serde form of a value type that also reads from its text: a mirror of its fields.
macro_rules! text_or_fields {
    ($($ty:ident $fields:ident { $($field:ident: $fty:ty),* })*) => {$(
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct $fields { $($field: $fty),* }

        impl From<$fields> for $ty {
            fn from(f: $fields) -> $ty {
                $ty { $($field: f.$field),* }
            }
        }

        impl TryFrom<TextOr<$fields>> for $ty {
            type Error = String;
            fn try_from(v: TextOr<$fields>) -> Result<$ty, String> {
                v.resolve()
            }
        }
    )*};
}

pub(crate) use text_or_fields;

/// The names a setting of a library enum takes on the command line, for `--help` and its errors.
#[cfg(feature = "cli")]
pub(crate) fn choices<T>(names: &[&'static str]) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(names.iter().copied()).try_map(|s| s.parse::<T>())
}
