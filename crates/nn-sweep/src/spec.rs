//! The sweep spec: a TOML file, and its expansion into jobs.
//!
//! ```toml
//! data = "classification2.txt"     # found as `nn train --data` finds it, or beside the spec
//! seeds = [1, 2, 3]                # every point of the space runs once per seed (default [1])
//! metric = "val-acc"               # what the leaderboard ranks by (default: val-acc, val-r2 or cv-acc)
//! # folds = 5                      # score by K-fold cross-validation (`nn cv`) instead of the validation split
//!
//! [train]                          # fixed settings, by name (nn::Settings: nn train's flags)
//! epochs = 2000
//! split = "0.6,0.2"
//!
//! [grid]                           # every combination ([[grid]] tables: the union of several grids)
//! hidden = ["4", "8", "4,4"]
//! lr = [0.1, 0.3, 1.0]
//!
//! [[list]]                         # single points
//! hidden = "16"
//! lr = 0.5
//!
//! [random]                         # N draws, reproducible from `seed`
//! draws = 20
//! seed = 7
//! lr = { log-uniform = [1e-4, 1e-1] }
//! dropout = { uniform = [0.0, 0.5] }
//! epochs = { int-uniform = [50, 200] }
//! activation = ["relu", "tanh"]    # a list is a uniform choice
//! ```
//!
//! A key is a setting's name ([`nn::Settings`]: a training setting of [`nn::Spec`] or a data setting of
//! [`nn::DataSettings`], named as `nn train`'s flags). A value is a number, a string (the flag's text:
//! `hidden = "4,4"`), a boolean (a switch such as `stratify = true`; `no-shuffle = true` is `shuffle = false`),
//! or, for a list-valued setting in `[train]` and `[[list]]`, an array (`lr-step = ["5000:0.04"]`); in a grid
//! an array lists the alternatives, so a list-valued setting's alternatives are arrays of arrays. Every value
//! is checked against its setting when the spec is read; a job is run as its [`nn::Settings`], not as a
//! command line.

use crate::error::Result;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

mod file;
mod value;

pub use file::{MAX_JOBS, RESERVED, Random, Section, Setting, SlurmSpec, Spec};
pub use value::{Distribution, Value};

/// One job: a point of the space and a seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Its position in the plan (the Slurm array index).
    pub index: usize,
    /// A hash of everything that decides its result: the data as named, the evaluation and the settings.
    pub id: String,
    /// The swept settings' values.
    pub params: BTreeMap<String, Value>,
    /// The seed.
    pub seed: u64,
    /// The settings as `nn train` arguments after `--data`: fixed and swept settings in key order, then
    /// `--seed`. The job's id hashes them, and the leaderboard prints the best job's command from them; the
    /// job itself runs from its [`nn::Settings`] ([`Plan::settings`](crate::Plan::settings)).
    pub args: Vec<String>,
}

impl Spec {
    /// Reads and checks the spec at `path`.
    pub fn read(path: &Path) -> Result<Spec> {
        let text = std::fs::read_to_string(path).map_err(crate::error::SweepError::io(path))?;
        Spec::parse(&text, path)
    }

    /// Parses and checks `text`, the contents of `path`: its layout, every key against the settings and
    /// every value against its setting.
    pub fn parse(text: &str, path: &Path) -> Result<Spec> {
        file::Parser::new(text, path).spec()
    }

    /// The line of `key` in `section`, for the caller's messages about a setting.
    pub fn line_of(&self, section: Section, key: &str) -> usize {
        self.settings
            .iter()
            .find(|(s, k)| *s == section && k.key == key)
            .map_or(0, |(_, k)| k.line)
    }

    /// The names of the swept settings, in key order.
    pub fn swept(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .settings
            .iter()
            .filter(|(s, _)| *s != Section::Train)
            .map(|(_, k)| k.key.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The points of the space: every grid's combinations, then the random draws, without repeats, in that
    /// order.
    pub fn points(&self) -> Vec<BTreeMap<String, Value>> {
        let mut points: Vec<BTreeMap<String, Value>> = Vec::new();
        for grid in &self.grids {
            let mut combos = vec![BTreeMap::new()];
            for (key, alternatives) in grid {
                combos = combos
                    .into_iter()
                    .flat_map(|c| {
                        alternatives.iter().map(move |v| {
                            let mut c = c.clone();
                            c.insert(key.clone(), v.clone());
                            c
                        })
                    })
                    .collect();
            }
            points.extend(combos);
        }
        if let Some((draws, seed, dists)) = &self.random {
            // ChaCha8, seeded from the spec's `seed`: the same spec draws the same points everywhere.
            let mut rng = ChaCha8Rng::seed_from_u64(*seed);
            for _ in 0..*draws {
                // Keys in order, so the same spec draws the same points.
                points.push(
                    dists
                        .iter()
                        .map(|(k, d)| (k.clone(), d.draw(&mut rng)))
                        .collect(),
                );
            }
        }
        // Without repeats, first seen kept. Two points are the same job when they give the same arguments
        // (`1` and `1.0` are both `1`), which is also what a job's id hashes.
        let mut seen = std::collections::HashSet::with_capacity(points.len());
        points.retain(|p| {
            let args: Vec<String> = p.iter().flat_map(|(k, v)| v.args(k)).collect();
            seen.insert(args)
        });
        points
    }

    /// The jobs: every point times every seed, point-major.
    pub fn expand(&self) -> Vec<Job> {
        let mut jobs = Vec::new();
        for point in self.points() {
            for &seed in &self.seeds {
                let mut flags = self.fixed.clone();
                flags.extend(point.clone());
                let mut args: Vec<String> = flags.iter().flat_map(|(k, v)| v.args(k)).collect();
                args.extend(["--seed".to_string(), seed.to_string()]);
                jobs.push(Job {
                    index: jobs.len(),
                    id: job_id(&self.data, self.folds, &args),
                    params: point.clone(),
                    seed,
                    args,
                });
            }
        }
        jobs
    }
}

/// A job's id: the first 16 hex digits of SHA-256 over the data's name, the evaluation and the arguments.
/// It does not depend on the spec's layout (keys are in order), the sweep directory or the machine; it is the
/// same as before jobs ran from [`nn::Settings`] (the arguments are still what it hashes), so a sweep
/// directory made earlier keeps its finished jobs.
pub fn job_id(data: &str, folds: Option<usize>, args: &[String]) -> String {
    let canonical = serde_json::json!({ "data": data, "folds": folds, "args": args });
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}
