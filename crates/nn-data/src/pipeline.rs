//! From a [`Table`](crate::Table) to a [`Dataset`](crate::Dataset): choose the target and feature columns, deal with missing cells, one-hot
//! encode text features, and remember all of it as a [`Schema`] that travels with the model, so new files are
//! read exactly as the training file was.
//!
//! Everything fitted (categories, imputed means and modes) is fitted on the training part only: first
//! [`Selected::new`] picks the columns and reads the labels, the caller splits those labels, then
//! [`Selected::fit`] fits on the training rows and encodes every row.
//!
//! ```
//! use nn_data::{Expect, PipelineOptions, ReadOptions, Selected, SplitSpec, Table, split};
//!
//! let csv = "size,colour,kind\n1.0,red,apple\n1.2,green,apple\n3.1,yellow,banana\n2.9,yellow,banana\n\
//!            1.1,red,apple\n3.3,green,banana\n";
//! let table = Table::parse(csv.as_bytes(), "fruit.csv".as_ref(), &ReadOptions::default())?;
//! let selected = Selected::new(&table, &PipelineOptions::default())?;   // target: the last column
//! let parts = split(selected.labels(), &SplitSpec { train: 1.0, validation: 0.0, stratified: false, seed: 1 })?;
//! let (schema, data) = selected.fit(&parts.train)?;
//! assert_eq!(data.classes().names(), ["apple", "banana"]);
//! assert_eq!(schema.feature_names(), ["size", "colour=green", "colour=red", "colour=yellow"]);
//!
//! // A new file, its columns in another order and without the target, read through the schema.
//! let new = Table::parse(b"colour,size\nred,1.05\n", "new.csv".as_ref(), &schema.read_options())?;
//! let applied = schema.apply(new, Expect::Features, None)?;
//! assert_eq!(applied.x.row_to_vec(0), vec![1.05, 0.0, 1.0, 0.0]);
//! # Ok::<(), nn_data::DataError>(())
//! ```

mod columns;
mod options;
pub(crate) mod schema;
mod select;

pub use options::{MAX_CATEGORIES, MissingPolicy, PipelineOptions, Task, UnknownCategory};
pub use schema::{Applied, Expect, InputColumn, InputKind, Schema};
pub use select::Selected;
