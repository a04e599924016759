//! Datasets for `nn`: loaders that validate at the door, class maps, seeded splits and standardisation.
//!
//! - [`Table`] reads delimited text (a header or none, `,` `;` tab or spaces, quotes, gzip, missing cells) and
//!   [`Selected`] / [`Schema`] turn it into features: chosen columns, one-hot categories, imputation, all
//!   fitted on the training part and stored with the model ([`pipeline`]).
//! - [`load_txt`], [`load_mat`], [`load_idx`] return a [`Dataset`]: finite, rectangular, labelled within its
//!   [`ClassMap`], with at least two classes. Every error names the file and the line, column or variable.
//! - [`split()`] shuffles with a named, portable RNG (ChaCha8) and cuts train/validation/test parts,
//!   optionally stratified.
//! - [`Standardizer`] is fitted on training rows and applied to any split; it travels with the model.
//! - [`find_from`] looks for a dataset file in a directory the caller names (the CLI passes `$NN_DATA_DIR`),
//!   then `./data`, then `../shared/data`; this crate reads no environment variable.
//!
//! ```
//! use nn_data::{LabelScheme, SplitSpec, Standardizer, parse_txt, split};
//!
//! let text = b"0.1,0.2,1\n0.3,0.1,0\n-0.2,0.5,1\n0.9,-0.4,0\n0.0,0.0,1\n";
//! let data = parse_txt(text, "inline.txt".as_ref(), LabelScheme::Auto)?;
//! let parts = split(data.labels(), &SplitSpec::report(42))?;
//! assert_eq!((parts.train.len(), parts.test.len()), (4, 1));
//!
//! let mut train = data.select(&parts.train);
//! let scaler = Standardizer::fit(train.x());
//! train.standardize(&scaler);
//! # Ok::<(), nn_data::DataError>(())
//! ```

// A library never panics on input a user can pass in; tests may unwrap (clippy.toml allows it there).
#![warn(clippy::unwrap_used)]

mod classes;
mod dataset;
mod error;
pub mod idx;
mod image;
mod limits;
mod load;
mod locate;
pub mod mat;
pub mod pipeline;
mod split;
mod standardize;
pub mod table;
mod threads;
mod txt;

pub use classes::{ClassMap, LabelScheme, MAX_CLASSES};
pub use dataset::Dataset;
pub use error::{DataError, Result};
pub use idx::load_idx;
pub use image::{Image, PixelOrder};
pub use limits::{LimitHit, Limits};
pub use load::{FileKind, LoadOptions, load};
pub use locate::{find_from, search_dirs};
pub use mat::{MatFile, dataset_from_mat, load_mat};
pub use pipeline::{
    Applied, Expect, InputColumn, InputKind, MissingPolicy, PipelineOptions, Schema, Selected,
    Task, UnknownCategory,
};
pub use split::{Split, SplitSpec, folds, split};
pub use standardize::Standardizer;
pub use table::{Column, Decimal, Delimiter, ReadOptions, Table};
pub use txt::{load_table, load_txt, parse_table, parse_txt};
