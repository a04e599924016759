//! The sweep spec: a TOML file, and its expansion into jobs.
//!
//! ```toml
//! data = "classification2.txt"     # found as `nn train --data` finds it, or beside the spec
//! seeds = [1, 2, 3]                # every point of the space runs once per seed (default [1])
//! metric = "val-acc"               # what the leaderboard ranks by (default: val-acc, val-r2 or cv-acc)
//! # folds = 5                      # score by K-fold cross-validation (`nn cv`) instead of the validation split
//!
//! [train]                          # fixed `nn train` flags, by their long names
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
//! A value is a number, a string, a boolean (a switch such as `stratify = true`), or, for a repeatable flag
//! in `[train]` and `[[list]]`, an array (`lr-step = ["5000:0.04"]`); in a grid an array lists the
//! alternatives, so a repeatable flag's alternatives are arrays of arrays.

use crate::error::{Result, SweepError};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Flags the sweep sets itself (or that make no sense per job): a spec may not name them.
pub const RESERVED: [&str; 11] = [
    "data",
    "seed",
    "out",
    "resume",
    "metrics",
    "plots",
    "quiet",
    "save-every",
    "log-every",
    "threads",
    "json",
];

/// The value of one flag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A switch: `true` gives the flag, `false` leaves it out.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A real number.
    Float(f64),
    /// Text, passed as it is.
    Text(String),
    /// A repeatable flag's values, one flag each.
    List(Vec<Value>),
}

impl Value {
    /// The command-line arguments that give `--key` this value.
    pub fn args(&self, key: &str) -> Vec<String> {
        match self {
            Value::Bool(true) => vec![format!("--{key}")],
            Value::Bool(false) => Vec::new(),
            Value::List(items) => items.iter().flat_map(|v| v.args(key)).collect(),
            v => vec![format!("--{key}"), v.to_string()],
        }
    }

    /// The number, for plotting against it.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    fn from_toml(v: &toml::Value) -> std::result::Result<Value, String> {
        Ok(match v {
            toml::Value::Boolean(b) => Value::Bool(*b),
            toml::Value::Integer(i) => Value::Int(*i),
            toml::Value::Float(f) if f.is_finite() => Value::Float(*f),
            toml::Value::Float(f) => return Err(format!("{f} is not a finite number")),
            toml::Value::String(s) => Value::Text(s.clone()),
            toml::Value::Array(items) => Value::List(
                items
                    .iter()
                    .map(Value::from_toml)
                    .collect::<std::result::Result<_, _>>()?,
            ),
            toml::Value::Table(_) => return Err("a table is not a flag's value".into()),
            toml::Value::Datetime(_) => return Err("a date is not a flag's value".into()),
        })
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            // Rust prints the shortest text that reads back as the same f64.
            Value::Float(x) => write!(f, "{x}"),
            Value::Text(s) => f.write_str(s),
            Value::List(items) => {
                let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", parts.join(" "))
            }
        }
    }
}

/// How a random draw picks a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// One of these, each equally likely.
    Choice(Vec<Value>),
    /// Uniform on [lo, hi].
    Uniform(f64, f64),
    /// exp of uniform on [ln lo, ln hi]: for rates, where each decade matters as much as the next.
    LogUniform(f64, f64),
    /// A whole number in lo..=hi, each equally likely.
    IntUniform(i64, i64),
}

impl Distribution {
    fn draw(&self, rng: &mut ChaCha8Rng) -> Value {
        match self {
            Distribution::Choice(vs) => vs[rng.random_range(0..vs.len())].clone(),
            Distribution::Uniform(lo, hi) => {
                Value::Float(round4(lo + (hi - lo) * rng.random::<f64>()))
            }
            Distribution::LogUniform(lo, hi) => {
                let (a, b) = (lo.ln(), hi.ln());
                Value::Float(round4((a + (b - a) * rng.random::<f64>()).exp()))
            }
            Distribution::IntUniform(lo, hi) => Value::Int(rng.random_range(*lo..=*hi)),
        }
    }
}

/// `x` to 4 significant digits, so drawn rates read as 0.003162, not 0.0031622776601683794.
fn round4(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.3e}").parse().unwrap_or(x)
}

/// One flag with the line it is on.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The flag's long name, without `--`.
    pub key: String,
    /// Where the key is in the spec (1-based).
    pub line: usize,
}

/// The part of a spec a key is in, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// `[train]`: fixed flags.
    Train,
    /// `[grid]` / `[[grid]]`.
    Grid,
    /// `[[list]]`.
    List,
    /// `[random]`.
    Random,
}

impl Section {
    /// As written in the spec.
    pub fn name(self) -> &'static str {
        match self {
            Section::Train => "[train]",
            Section::Grid => "[grid]",
            Section::List => "[[list]]",
            Section::Random => "[random]",
        }
    }
}

/// The most jobs one sweep holds: every grid's combinations and the random draws, times the seeds. A spec
/// past it is refused before anything is expanded (a few lists of a hundred values would otherwise ask for
/// more jobs than memory holds).
pub const MAX_JOBS: usize = 100_000;

/// A parsed, checked spec.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The spec file.
    pub path: PathBuf,
    /// The dataset as written in the spec.
    pub data: String,
    /// Seeds: each point of the space runs once per seed.
    pub seeds: Vec<u64>,
    /// The leaderboard's metric, if the spec names one.
    pub metric: Option<String>,
    /// K of K-fold cross-validation, or `None` to score on the validation split.
    pub folds: Option<usize>,
    /// Fixed flags.
    pub fixed: BTreeMap<String, Value>,
    /// Grids (a list or a point is a grid of single values).
    pub grids: Vec<BTreeMap<String, Vec<Value>>>,
    /// Random draws: how many, the seed, and a distribution per flag.
    pub random: Option<(usize, u64, BTreeMap<String, Distribution>)>,
    /// Slurm settings (flags of `nn sweep --runner slurm` override them).
    pub slurm: SlurmSpec,
    /// Every flag named, with its section and line, for the caller to check against `nn train`'s flags.
    pub settings: Vec<(Section, Setting)>,
}

/// The `[slurm]` table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SlurmSpec {
    /// `#SBATCH --partition`.
    pub partition: Option<String>,
    /// `#SBATCH --account`.
    pub account: Option<String>,
    /// `#SBATCH --time` (Slurm's formats, e.g. `00:10:00`).
    pub time: Option<String>,
    /// `#SBATCH --cpus-per-task` (default 1); each job trains with this many threads.
    pub cpus_per_task: Option<usize>,
    /// `#SBATCH --mem` (default 1G).
    pub mem: Option<String>,
    /// At most this many tasks at once (`%P` of `--array`).
    pub max_parallel: Option<usize>,
    /// Further `#SBATCH` lines, as written.
    #[serde(default)]
    pub extra: Vec<String>,
}

type Flags = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// The spec as written; `G` is one grid table (`[grid]`) or several (`[[grid]]`). (An untagged enum of the
/// two would lose the spans that messages need.)
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw<G> {
    data: Spanned<String>,
    seeds: Option<Spanned<Vec<u64>>>,
    metric: Option<String>,
    folds: Option<Spanned<usize>>,
    #[serde(default)]
    train: Flags,
    grid: Option<G>,
    #[serde(default)]
    list: Vec<Flags>,
    random: Option<Spanned<Flags>>,
    #[serde(default)]
    slurm: SlurmSpec,
}

/// One job: a point of the space and a seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Its position in the plan (the Slurm array index).
    pub index: usize,
    /// A hash of everything that decides its result: the data as named, the evaluation and the flags.
    pub id: String,
    /// The swept flags' values.
    pub params: BTreeMap<String, Value>,
    /// The seed.
    pub seed: u64,
    /// The `nn train` arguments after `--data`: fixed and swept flags in key order, then `--seed`.
    pub args: Vec<String>,
}

impl Spec {
    /// Reads and checks the spec at `path`.
    pub fn read(path: &Path) -> Result<Spec> {
        let text = std::fs::read_to_string(path).map_err(SweepError::io(path))?;
        Spec::parse(&text, path)
    }

    /// Parses and checks `text`, the contents of `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Spec> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let fail = |offset: usize, message: String| SweepError::Spec {
            path: path.to_path_buf(),
            line: line_of(offset),
            message,
        };
        let parse_error = |e: toml::de::Error| {
            let offset = e.span().map_or(0, |s| s.start);
            fail(offset, e.message().trim().replace('\n', " "))
        };
        let many = toml::from_str::<toml::Table>(text)
            .map_err(parse_error)?
            .get("grid")
            .is_some_and(toml::Value::is_array);
        let raw: Raw<Vec<Flags>> = if many {
            toml::from_str(text).map_err(parse_error)?
        } else {
            let one: Raw<Flags> = toml::from_str(text).map_err(parse_error)?;
            Raw {
                data: one.data,
                seeds: one.seeds,
                metric: one.metric,
                folds: one.folds,
                train: one.train,
                grid: one.grid.map(|g| vec![g]),
                list: one.list,
                random: one.random,
                slurm: one.slurm,
            }
        };
        let mut settings = Vec::new();
        let mut flags = |section: Section,
                         table: &Flags|
         -> Result<BTreeMap<String, Spanned<Value>>> {
            let mut out = BTreeMap::new();
            for (key, value) in table {
                let name = key.get_ref().as_str();
                if RESERVED.contains(&name) {
                    return Err(fail(
                        key.span().start,
                        format!(
                            "{} '{name}': the sweep sets --{name} itself{}",
                            section.name(),
                            match name {
                                "seed" => " (list seeds in `seeds = [...]`)",
                                "data" => " (name the dataset in the top-level `data = ...`)",
                                "threads" =>
                                    " (nn sweep --threads-per-job sets it; results are the same bits at any count)",
                                _ => "",
                            }
                        ),
                    ));
                }
                let v = Value::from_toml(value.get_ref()).map_err(|m| {
                    fail(
                        value.span().start,
                        format!("{} '{name}': {m}", section.name()),
                    )
                })?;
                settings.push((
                    section,
                    Setting {
                        key: name.to_string(),
                        line: line_of(key.span().start),
                    },
                ));
                out.insert(name.to_string(), Spanned::new(value.span(), v));
            }
            Ok(out)
        };
        let fixed_spanned = flags(Section::Train, &raw.train)?;
        let mut grids = Vec::new();
        for table in raw.grid.iter().flatten() {
            let mut grid = BTreeMap::new();
            for (key, value) in flags(Section::Grid, table)? {
                let alternatives = match value.get_ref() {
                    Value::List(items) if items.is_empty() => {
                        return Err(fail(
                            value.span().start,
                            format!(
                                "[grid] '{key}': an empty list of values leaves nothing to run"
                            ),
                        ));
                    }
                    Value::List(items) => items.clone(),
                    single => vec![single.clone()],
                };
                grid.insert(key, alternatives);
            }
            grids.push(grid);
        }
        for table in &raw.list {
            let point = flags(Section::List, table)?;
            grids.push(
                point
                    .into_iter()
                    .map(|(k, v)| (k, vec![v.into_inner()]))
                    .collect(),
            );
        }
        let random = match &raw.random {
            None => None,
            Some(table) => {
                let mut table = table.get_ref().clone();
                let mut take = |name: &str| table.remove(name);
                let draws = take("draws").ok_or_else(|| {
                    fail(
                        table_start(&raw.random),
                        "[random] needs `draws = N`, the number of points to draw".into(),
                    )
                })?;
                let draws = match draws.get_ref() {
                    toml::Value::Integer(n) if *n > 0 => *n as usize,
                    other => {
                        return Err(fail(
                            draws.span().start,
                            format!("[random] draws = {other}: give a whole number ≥ 1"),
                        ));
                    }
                };
                let seed = match take("seed") {
                    None => 0,
                    Some(s) => match s.get_ref() {
                        toml::Value::Integer(n) if *n >= 0 => *n as u64,
                        other => {
                            return Err(fail(
                                s.span().start,
                                format!("[random] seed = {other}: give a whole number ≥ 0"),
                            ));
                        }
                    },
                };
                let mut dists = BTreeMap::new();
                for (key, value) in &table {
                    let name = key.get_ref().clone();
                    let at = value.span().start;
                    let dist = distribution(value.get_ref())
                        .map_err(|m| fail(at, format!("[random] '{name}': {m}")))?;
                    dists.insert(name, dist);
                }
                // The keys go through the same checks (reserved names, settings) as the other sections.
                let keys: Flags = table
                    .keys()
                    .map(|k| {
                        (
                            k.clone(),
                            Spanned::new(k.span(), toml::Value::Boolean(true)),
                        )
                    })
                    .collect();
                flags(Section::Random, &keys)?;
                if dists.is_empty() {
                    return Err(fail(
                        table_start(&raw.random),
                        "[random] draws nothing: give at least one flag's distribution".into(),
                    ));
                }
                Some((draws, seed, dists))
            }
        };
        let swept: Vec<&Setting> = settings
            .iter()
            .filter(|(s, _)| *s != Section::Train)
            .map(|(_, s)| s)
            .collect();
        for s in &swept {
            if let Some(v) = fixed_spanned.get(&s.key) {
                return Err(fail(
                    v.span().start,
                    format!(
                        "'{}' is both fixed in [train] and swept (line {})",
                        s.key, s.line
                    ),
                ));
            }
        }
        if grids.is_empty() && random.is_none() {
            return Err(SweepError::Spec {
                path: path.to_path_buf(),
                line: 0,
                message:
                    "the search space is empty: give a [grid], [[list]] points or [random] draws"
                        .into(),
            });
        }
        let seeds = match raw.seeds {
            None => vec![1],
            Some(s) if s.get_ref().is_empty() => {
                return Err(fail(
                    s.span().start,
                    "seeds = []: give at least one seed".into(),
                ));
            }
            Some(s) => {
                let start = s.span().start;
                let seeds = s.into_inner();
                // The same seed twice would be the same job twice, with one id and one folder.
                if let Some(twice) =
                    (seeds.iter().enumerate()).find(|(i, v)| seeds[..*i].contains(v))
                {
                    return Err(fail(
                        start,
                        format!("seeds: {} is listed twice; list each seed once", twice.1),
                    ));
                }
                seeds
            }
        };
        let folds = match raw.folds {
            Some(k) if *k.get_ref() < 2 => {
                return Err(fail(
                    k.span().start,
                    format!(
                        "folds = {}: K-fold cross-validation needs K ≥ 2",
                        k.get_ref()
                    ),
                ));
            }
            k => k.map(Spanned::into_inner),
        };
        if raw.data.get_ref().is_empty() {
            return Err(fail(
                raw.data.span().start,
                "data = \"\": name a dataset file".into(),
            ));
        }
        let points = (grids.iter())
            .map(|g| g.values().fold(1usize, |n, v| n.saturating_mul(v.len())))
            .fold(random.as_ref().map_or(0, |r| r.0), usize::saturating_add);
        let jobs = points.saturating_mul(seeds.len());
        if jobs > MAX_JOBS {
            return Err(SweepError::Spec {
                path: path.to_path_buf(),
                line: 0,
                message: format!(
                    "the search space holds {} jobs (points × seeds), more than the {MAX_JOBS} one sweep runs; split it into several sweeps",
                    if jobs == usize::MAX {
                        "too many".to_string()
                    } else {
                        jobs.to_string()
                    }
                ),
            });
        }
        Ok(Spec {
            path: path.to_path_buf(),
            data: raw.data.into_inner(),
            seeds,
            metric: raw.metric,
            folds,
            fixed: fixed_spanned
                .into_iter()
                .map(|(k, v)| (k, v.into_inner()))
                .collect(),
            grids,
            random,
            slurm: raw.slurm,
            settings,
        })
    }

    /// The line of `key` in `section`, for the caller's messages about a flag.
    pub fn line_of(&self, section: Section, key: &str) -> usize {
        self.settings
            .iter()
            .find(|(s, k)| *s == section && k.key == key)
            .map_or(0, |(_, k)| k.line)
    }

    /// The names of the swept flags, in key order.
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

fn table_start(t: &Option<Spanned<Flags>>) -> usize {
    t.as_ref().map_or(0, |t| t.span().start)
}

/// A job's id: the first 16 hex digits of SHA-256 over the data's name, the evaluation and the arguments.
/// It does not depend on the spec's layout (keys are in order), the sweep directory or the machine.
pub fn job_id(data: &str, folds: Option<usize>, args: &[String]) -> String {
    let canonical = serde_json::json!({ "data": data, "folds": folds, "args": args });
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn distribution(v: &toml::Value) -> std::result::Result<Distribution, String> {
    let range = |name: &str, v: &toml::Value| -> std::result::Result<(f64, f64), String> {
        let pair = v.as_array().filter(|a| a.len() == 2);
        let num = |x: &toml::Value| x.as_float().or_else(|| x.as_integer().map(|i| i as f64));
        match pair.map(|a| (num(&a[0]), num(&a[1]))) {
            Some((Some(lo), Some(hi))) if lo.is_finite() && hi.is_finite() && lo <= hi => {
                Ok((lo, hi))
            }
            _ => Err(format!("{name} takes [LO, HI] with LO ≤ HI, got {v}")),
        }
    };
    match v {
        toml::Value::Array(items) if items.is_empty() => Err("an empty list of choices".into()),
        toml::Value::Array(items) => Ok(Distribution::Choice(
            items
                .iter()
                .map(Value::from_toml)
                .collect::<std::result::Result<_, _>>()?,
        )),
        toml::Value::Table(t) if t.len() == 1 => {
            let (name, arg) = t.iter().next().expect("one entry");
            match name.as_str() {
                "uniform" => {
                    let (lo, hi) = range(name, arg)?;
                    Ok(Distribution::Uniform(lo, hi))
                }
                "log-uniform" => {
                    let (lo, hi) = range(name, arg)?;
                    if lo <= 0.0 {
                        return Err(format!("log-uniform needs LO > 0, got {lo}"));
                    }
                    Ok(Distribution::LogUniform(lo, hi))
                }
                "int-uniform" => {
                    let pair = arg.as_array().filter(|a| a.len() == 2);
                    match pair.map(|a| (a[0].as_integer(), a[1].as_integer())) {
                        Some((Some(lo), Some(hi))) if lo <= hi => {
                            Ok(Distribution::IntUniform(lo, hi))
                        }
                        _ => Err(format!(
                            "int-uniform takes [LO, HI], whole numbers with LO ≤ HI, got {arg}"
                        )),
                    }
                }
                other => Err(format!(
                    "unknown distribution '{other}' (expected uniform, log-uniform or int-uniform, or a list to choose from)"
                )),
            }
        }
        other => Err(format!(
            "expected a list to choose from or one of {{ uniform = [LO, HI] }}, {{ log-uniform = [LO, HI] }}, {{ int-uniform = [LO, HI] }}, got {other}"
        )),
    }
}
