//! The appendix of a model file's body (format 4 on): the fields added since format 3, and the appendix of each
//! older format, read by its own type.

/// The part of a body after the `ModelFile` (format 4 on): fields added since format 3, kept out of the
/// `ModelFile`'s own encoding (serde skips them there) so that the bodies of formats 2 and 3 decode as they
/// are, without conversion types.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct Appendix {
    /// [`ModelFile::schema`](crate::ModelFile::schema).
    pub(super) schema: Option<nn_data::Schema>,
    /// [`RunRecord::init`](crate::RunRecord::init) of the training record.
    pub(super) init: Option<nn_core::Init>,
    /// [`ModelFile::target_scale`](crate::ModelFile::target_scale) (format 5 on).
    pub(super) target_scale: Option<nn_data::Standardizer>,
    /// [`RunRecord::dropout`](crate::RunRecord::dropout) of the training record (format 5 on).
    pub(super) dropout: f64,
    /// [`RunRecord::shift`](crate::RunRecord::shift) of the training record (format 6 on).
    pub(super) shift: Option<crate::Shift>,
    /// [`RunRecord::class_weight`](crate::RunRecord::class_weight) of the training record (format 7 on).
    pub(super) class_weight: crate::ClassWeight,
    /// [`RunRecord::shuffle`](crate::RunRecord::shuffle) of the training record (format 7 on).
    pub(super) shuffle: bool,
}

/// The appendix of format 6.
#[derive(serde::Deserialize)]
pub(super) struct AppendixV6 {
    pub(super) schema: Option<nn_data::Schema>,
    pub(super) init: Option<nn_core::Init>,
    pub(super) target_scale: Option<nn_data::Standardizer>,
    pub(super) dropout: f64,
    pub(super) shift: Option<crate::Shift>,
}

/// The appendix of format 5.
#[derive(serde::Deserialize)]
pub(super) struct AppendixV5 {
    pub(super) schema: Option<nn_data::Schema>,
    pub(super) init: Option<nn_core::Init>,
    pub(super) target_scale: Option<nn_data::Standardizer>,
    pub(super) dropout: f64,
}

/// The appendix of format 4.
#[derive(serde::Deserialize)]
pub(super) struct AppendixV4 {
    pub(super) schema: Option<nn_data::Schema>,
    pub(super) init: Option<nn_core::Init>,
}

impl From<AppendixV4> for Appendix {
    fn from(a: AppendixV4) -> Self {
        Appendix {
            schema: a.schema,
            init: a.init,
            target_scale: None,
            dropout: 0.0,
            shift: None,
            class_weight: crate::ClassWeight::None,
            shuffle: true,
        }
    }
}

impl From<AppendixV5> for Appendix {
    fn from(a: AppendixV5) -> Self {
        Appendix {
            schema: a.schema,
            init: a.init,
            target_scale: a.target_scale,
            dropout: a.dropout,
            shift: None,
            class_weight: crate::ClassWeight::None,
            shuffle: true,
        }
    }
}

impl From<AppendixV6> for Appendix {
    fn from(a: AppendixV6) -> Self {
        Appendix {
            schema: a.schema,
            init: a.init,
            target_scale: a.target_scale,
            dropout: a.dropout,
            shift: a.shift,
            class_weight: crate::ClassWeight::None,
            shuffle: true,
        }
    }
}

/// [`Appendix`] by reference, for writing.
#[derive(serde::Serialize)]
pub(super) struct AppendixRef<'a> {
    pub(super) schema: &'a Option<nn_data::Schema>,
    pub(super) init: Option<nn_core::Init>,
    pub(super) target_scale: &'a Option<nn_data::Standardizer>,
    pub(super) dropout: f64,
    pub(super) shift: Option<crate::Shift>,
    pub(super) class_weight: &'a crate::ClassWeight,
    pub(super) shuffle: bool,
}
