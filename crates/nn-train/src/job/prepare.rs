//! From a dataset to the parts a run trains on: split, standardise with the training part's statistics, and
//! cast to the run's precision.

use crate::error::Result;
use crate::trainer::{Samples, TrainData, Y};
use nn_data::{Dataset, Split, SplitSpec, Standardizer};
use nn_linalg::{Matrix, Scalar};
use sha2::Digest;

/// The parts of a dataset ready for training, and how they were made.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Standardised parts; their `scaling` is the standardiser fitted on the training part (the identity if
    /// not standardising).
    pub data: TrainData<f64>,
    /// Which rows of the dataset went where.
    pub split: Split,
    /// Regression: the target's mean and standard deviation on the training part, which every part's
    /// targets are standardised with (always, whatever `standardize` says of the features).
    pub target_scale: Option<Standardizer>,
}

/// SHA-256 over a dataset's shape, feature bits and labels, as 64 hex digits.
pub fn data_digest(d: &Dataset) -> String {
    let mut h = sha2::Sha256::new();
    h.update((d.x().rows() as u64).to_le_bytes());
    h.update((d.x().cols() as u64).to_le_bytes());
    for j in 0..d.x().cols() {
        for v in d.x().col(j) {
            h.update(v.to_bits().to_le_bytes());
        }
    }
    for &c in d.labels() {
        h.update((c as u64).to_le_bytes());
    }
    for v in d.values().unwrap_or_default() {
        h.update(v.to_bits().to_le_bytes());
    }
    format!("{:x}", h.finalize())
}

/// Splits `dataset` and standardises every part with statistics of the training part (for regression, the
/// target too). The dataset is taken, not borrowed: the training part keeps its matrix
/// ([`Dataset::into_parts`]), so a large file's features are held once, not twice.
pub fn prepare(dataset: Dataset, split: &SplitSpec, standardize: bool) -> Result<Prepared> {
    let parts = nn_data::split(dataset.labels(), split)?;
    let features = dataset.features();
    let [train, validation, test] = dataset.into_parts(&parts);
    let target_scale = train
        .values()
        .map(|values| Standardizer::fit(&Matrix::from_fn(values.len(), 1, |i, _| values[i])));
    let take = |part: Dataset| match part.values() {
        Some(values) => {
            let scale = target_scale.as_ref();
            let y = values
                .iter()
                .map(|&v| scale.map_or(v, |s| (v - s.mean()[0]) / s.scale()[0]))
                .collect();
            let (x, _) = part.into_x_values();
            Samples { x, y: Y::Values(y) }
        }
        None => {
            let (x, labels) = part.into_xy();
            Samples::classes(x, labels)
        }
    };
    let mut train = take(train);
    let standardizer = if standardize {
        Standardizer::fit(&train.x)
    } else {
        Standardizer::identity(features)
    };
    standardizer.transform(&mut train.x);
    let other = |part: Dataset| {
        (!part.is_empty()).then(|| {
            let mut s = take(part);
            standardizer.transform(&mut s.x);
            s
        })
    };
    let validation = other(validation);
    let test = other(test);
    Ok(Prepared {
        data: TrainData {
            train,
            validation,
            test,
            scaling: Some(standardizer),
        },
        split: parts,
        target_scale,
    })
}

fn cast_samples<T: Scalar>(s: &Samples<f64>) -> Samples<T> {
    Samples {
        x: s.x.cast(),
        y: s.y.cast(),
    }
}

/// The parts in precision `T`, and the f64 parts to give back after the run ([`back_to_f64`]): for f64, `d`
/// itself, moved, not copied (on a large file a second copy of the parts was the largest allocation of a
/// run); for f32, a cast copy, with `d` kept beside it.
pub(crate) fn into_precision<T: Scalar>(
    d: TrainData<f64>,
) -> (TrainData<T>, Option<TrainData<f64>>) {
    match (Box::new(d) as Box<dyn std::any::Any>).downcast::<TrainData<T>>() {
        Ok(same) => (*same, None),
        Err(other) => match other.downcast::<TrainData<f64>>() {
            Ok(d) => (cast_data(&d), Some(*d)),
            Err(_) => unreachable!("the box holds the TrainData<f64> put in it"),
        },
    }
}

/// The f64 parts after a run in precision `T` on [`into_precision`]'s result: the kept original, or for f64
/// the parts themselves.
pub(crate) fn back_to_f64<T: Scalar>(
    d: TrainData<T>,
    kept: Option<TrainData<f64>>,
) -> TrainData<f64> {
    if let Some(original) = kept {
        return original;
    }
    match (Box::new(d) as Box<dyn std::any::Any>).downcast::<TrainData<f64>>() {
        Ok(same) => *same,
        // Only f32 parts come without a kept original, and `into_precision` keeps one for them.
        Err(_) => unreachable!("into_precision keeps the f64 parts of a run in another precision"),
    }
}

/// A cast copy of the parts in precision `T`.
pub fn cast_data<T: Scalar>(d: &TrainData<f64>) -> TrainData<T> {
    TrainData {
        train: cast_samples(&d.train),
        validation: d.validation.as_ref().map(cast_samples),
        test: d.test.as_ref().map(cast_samples),
        scaling: d.scaling.clone(),
    }
}
