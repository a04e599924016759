//! The flags that say which data to read and how: the file, the label scheme, the table's columns and
//! pipeline, and the reading limits.

use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use nn_data::LabelScheme;
use std::path::PathBuf;
use std::str::FromStr;

/// The data file, and how it is read ([`nn::DataSettings`], where each setting is defined).
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Dataset file: delimited text (.txt, .csv, .tsv, gzipped or not; see "Text files"), .mat (see --x-var,
    /// --y-var) or IDX images.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    #[command(flatten)]
    pub settings: nn::DataSettings,
}

/// A value parser for a library enum: its names are listed in `--help` and in errors, and parsed by its
/// `FromStr`, so each name is written once, in the library.
pub(super) fn one_of<T>(
    names: impl IntoIterator<Item = &'static str>,
) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(names).try_map(|s| s.parse::<T>())
}

pub(super) fn label_schemes() -> impl TypedValueParser<Value = LabelScheme> {
    one_of(LabelScheme::ALL.map(LabelScheme::name))
}
