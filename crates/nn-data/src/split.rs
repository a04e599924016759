//! Seeded shuffles and train/validation/test splits.
//!
//! The shuffle is rand's Fisher–Yates (`SliceRandom::shuffle`) driven by ChaCha8 seeded with
//! `seed_from_u64(seed)`: the same seed gives the same split on every machine.

use crate::error::{DataError, Result};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// How to split: fractions for training and validation (the test set gets the rest).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SplitSpec {
    /// Fraction of samples for training, in (0, 1].
    pub train: f64,
    /// Fraction for validation, in [0, 1); 0 means none.
    pub validation: f64,
    /// Keep each class's share the same in every part.
    pub stratified: bool,
    /// Seed of the shuffle.
    pub seed: u64,
}

impl SplitSpec {
    /// The rows of the training part of `n` samples, as [`split`] counts them (a stratified split may differ
    /// by a row or two, class by class).
    pub fn train_rows(&self, n: usize) -> usize {
        part(self.train, n)
    }

    /// The report's split: 80% train, 20% test, no validation, not stratified.
    pub fn report(seed: u64) -> Self {
        SplitSpec {
            train: 0.8,
            validation: 0.0,
            stratified: false,
            seed,
        }
    }

    fn check(&self) -> Result<()> {
        let ok = self.train > 0.0
            && self.train <= 1.0
            && self.validation >= 0.0
            && self.train + self.validation <= 1.0 + 1e-12;
        if ok {
            Ok(())
        } else {
            Err(DataError::Split(format!(
                "train {} and validation {} must be fractions with train > 0 and train + validation ≤ 1",
                self.train, self.validation
            )))
        }
    }
}

/// The samples in a seeded random order; stratified, an order in which every prefix holds each class in
/// proportion.
fn shuffled_order(labels: &[usize], stratified: bool, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.shuffle(rng);
    if stratified {
        // Give each sample the relative rank (r + ½)/|class| it has within its (shuffled) class, and order by
        // it: every prefix then holds each class in proportion, to within one sample, and the part sizes are
        // exactly those of the unstratified split.
        let k = labels.iter().copied().max().map_or(0, |m| m + 1);
        let (mut size, mut seen) = (vec![0usize; k], vec![0usize; k]);
        for &c in labels {
            size[c] += 1;
        }
        let mut keyed: Vec<(f64, usize)> = order
            .iter()
            .map(|&i| {
                let c = labels[i];
                seen[c] += 1;
                ((seen[c] as f64 - 0.5) / size[c] as f64, i)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(labels[a.1].cmp(&labels[b.1])));
        order = keyed.into_iter().map(|(_, i)| i).collect();
    }
    order
}

/// The test rows of each of `k` cross-validation folds: disjoint, together every sample, sizes within one of
/// each other, each sorted. The order is ChaCha8 from `seed`; stratified, each fold holds each class in
/// proportion (to within one sample), and `k` may not exceed the smallest class.
///
/// ```
/// let labels = [0, 1, 0, 1, 0, 1, 0, 1, 1, 0];
/// let folds = nn_data::folds(&labels, 5, true, 3)?;
/// assert_eq!(folds.len(), 5);
/// assert!(folds.iter().all(|f| f.len() == 2 && labels[f[0]] != labels[f[1]]));
/// # Ok::<(), nn_data::DataError>(())
/// ```
pub fn folds(labels: &[usize], k: usize, stratified: bool, seed: u64) -> Result<Vec<Vec<usize>>> {
    if k < 2 {
        return Err(DataError::Split(format!(
            "{k} folds: cross-validation needs at least 2"
        )));
    }
    if k > labels.len() {
        return Err(DataError::Split(format!(
            "{k} folds of {} samples would leave a fold empty",
            labels.len()
        )));
    }
    if stratified {
        let classes = labels.iter().copied().max().map_or(0, |m| m + 1);
        let mut count = vec![0usize; classes];
        for &c in labels {
            count[c] += 1;
        }
        if let Some((c, &smallest)) = count
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .min_by_key(|&(_, &n)| n)
            && smallest < k
        {
            return Err(DataError::Split(format!(
                "{k} stratified folds, but class {c} has only {smallest} samples (use at most {smallest} folds)"
            )));
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.shuffle(&mut rng);
    if stratified {
        // Class by class (each in its shuffled order), so that dealing round-robin gives every fold
        // ⌊n_c/k⌋ or ⌈n_c/k⌉ samples of each class c; the deal runs on across classes, so fold sizes stay
        // within one of each other.
        order.sort_by_key(|&i| labels[i]);
    }
    let mut folds = vec![Vec::with_capacity(labels.len() / k + 1); k];
    for (p, &i) in order.iter().enumerate() {
        folds[p % k].push(i);
    }
    for f in &mut folds {
        f.sort_unstable();
    }
    Ok(folds)
}

/// Sample indices of each part, each in shuffled order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Training samples.
    pub train: Vec<usize>,
    /// Validation samples (empty if none were asked for).
    pub validation: Vec<usize>,
    /// Test samples.
    pub test: Vec<usize>,
}

/// `⌊fraction · n⌋`, with a tolerance so that 0.8 · 5000 is 4000 and not 3999.
fn part(fraction: f64, n: usize) -> usize {
    ((fraction * n as f64) + 1e-9).floor() as usize
}

/// Splits samples with these `labels` as `spec` says. With 118 samples and the report's 0.8, the parts are
/// 94 and 24, as in the report.
pub fn split(labels: &[usize], spec: &SplitSpec) -> Result<Split> {
    spec.check()?;
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let n = labels.len();
    let order = shuffled_order(labels, spec.stratified, &mut rng);
    // The test part is what follows train + validation, so splits with the same seed and the same
    // train + validation share their test part: carving a validation part out of the report's 80% leaves the
    // report's 20% test part as it was.
    let n_train = part(spec.train, n);
    let n_val = part(spec.train + spec.validation, n).max(n_train) - n_train;
    let mut out = Split {
        train: order[..n_train].to_vec(),
        validation: order[n_train..n_train + n_val].to_vec(),
        test: order[n_train + n_val..].to_vec(),
    };
    if spec.stratified {
        // The rank order cycles through the classes; shuffle each part so that it does not.
        out.train.shuffle(&mut rng);
        out.validation.shuffle(&mut rng);
        out.test.shuffle(&mut rng);
    }
    if out.train.is_empty() {
        return Err(DataError::Split(format!(
            "{} samples leave the training part empty",
            labels.len()
        )));
    }
    Ok(out)
}
