//! The replay's arithmetic floor, measured in the same process right before the runs: for each experiment
//! and variant, the time of one epoch's matrix products at its shapes (the training part's gradient, in
//! mini-batches if the variant uses them, and a forward pass over each held-out part), on one thread as each
//! run has one core; times the epochs each run did, summed over the runs and divided by the workers.
//!
//! The machines this runs on change speed by up to 2× within an hour, so the replay's time means something
//! only beside a floor measured in the same run.

use super::spec::{Specs, Variant};
use anyhow::Result;
use nn_data::Dataset;
use nn_linalg::{Scalar, Threads};
use nn_train::bench::{Products, quick_time};
use serde::Serialize;
use std::time::Duration;

/// The replay's wall time beside its floor.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Floor {
    /// Wall time of the runs (training only: no loading, plots or writing).
    pub runs_wall_seconds: f64,
    /// The runs' matrix products alone, summed over the runs.
    pub products_seconds: f64,
    /// `products_seconds` over the workers: the shortest wall time the products allow.
    pub floor_wall_seconds: f64,
    /// `runs_wall_seconds / floor_wall_seconds`.
    pub ratio: f64,
    /// Runs left out because they did not finish (their epoch count is unknown).
    pub runs_left_out: usize,
}

/// The products time of one epoch, per (experiment index, variant).
pub struct EpochFloors(Vec<((usize, Variant), f64)>);

impl EpochFloors {
    /// Measures every experiment and variant of `specs` in precision `T`.
    pub fn measure<T: Scalar>(specs: &Specs, datasets: &[Dataset]) -> Result<EpochFloors> {
        let mut floors = Vec::new();
        for (i, e) in specs.experiment.iter().enumerate() {
            let d = &datasets[i];
            for variant in Variant::ALL.into_iter().filter(|v| v.applies_to(e)) {
                let job = specs.job(e, variant, 0, 1.0, nn::shape(d))?;
                let widths = job.architecture(d.features(), d.classes().len()).widths();
                let parts = nn_data::split(d.labels(), &job.split)?;
                let train = parts.train.len();
                let mut seconds = 0.0;
                match job.config.batch_size {
                    Some(b) if b < train => {
                        seconds += (train / b) as f64 * gradient_time::<T>(b, &widths);
                        if train % b > 0 {
                            seconds += gradient_time::<T>(train % b, &widths);
                        }
                    }
                    _ => seconds += gradient_time::<T>(train, &widths),
                }
                for held_out in [parts.validation.len(), parts.test.len()] {
                    if held_out > 0 {
                        seconds += forward_time::<T>(held_out, &widths);
                    }
                }
                floors.push(((i, variant), seconds));
            }
        }
        Ok(EpochFloors(floors))
    }

    /// The floor of `runs` on `workers` cores, beside the wall time they took. Each run is its experiment's id,
    /// its variant and, if it finished, the epochs it ran (the others are counted as left out).
    pub fn floor<'r>(
        &self,
        specs: &Specs,
        runs: impl IntoIterator<Item = (&'r str, Variant, Option<usize>)>,
        workers: usize,
        runs_wall: Duration,
    ) -> Floor {
        let mut products = 0.0;
        let mut left_out = 0;
        for (experiment, variant, epochs_run) in runs {
            let per_epoch = specs
                .experiment
                .iter()
                .position(|e| e.id == experiment)
                .and_then(|i| self.0.iter().find(|(k, _)| *k == (i, variant)))
                .map(|(_, s)| *s);
            match (epochs_run, per_epoch) {
                (Some(epochs), Some(s)) => products += epochs as f64 * s,
                _ => left_out += 1,
            }
        }
        let floor_wall = products / workers.max(1) as f64;
        Floor {
            runs_wall_seconds: runs_wall.as_secs_f64(),
            products_seconds: products,
            floor_wall_seconds: floor_wall,
            ratio: runs_wall.as_secs_f64() / floor_wall,
            runs_left_out: left_out,
        }
    }
}

fn gradient_time<T: Scalar>(m: usize, widths: &[usize]) -> f64 {
    let mut p = Products::<T>::new(m, widths);
    quick_time(|| p.run(Threads::Single))
}

fn forward_time<T: Scalar>(m: usize, widths: &[usize]) -> f64 {
    let mut p = Products::<T>::new(m, widths);
    quick_time(|| p.forward(Threads::Single))
}
