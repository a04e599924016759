//! A sweep spec file: what it holds ([`Spec`]) and how it is read: its layout (TOML, with the line of every
//! key), then every key and value checked against the settings ([`nn::Settings`]), the seeds, the folds and
//! the size of the space. Expanding it into jobs is the parent's.

use super::value::{Distribution, Value};
use crate::error::{Result, SweepError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::path::PathBuf;
use toml::Spanned;

/// Settings the sweep sets itself (or that make no sense per job): a spec may not name them.
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

/// One setting with the line it is on.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The setting's name.
    pub key: String,
    /// Where the key is in the spec (1-based).
    pub line: usize,
}

/// The part of a spec a key is in, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// `[train]`: fixed settings.
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

/// Random draws: how many, the seed, and a distribution per setting.
pub type Random = (usize, u64, BTreeMap<String, Distribution>);

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
    /// Fixed settings.
    pub fixed: BTreeMap<String, Value>,
    /// Grids (a list or a point is a grid of single values).
    pub grids: Vec<BTreeMap<String, Vec<Value>>>,
    /// Random draws.
    pub random: Option<Random>,
    /// Slurm settings (flags of `nn sweep --runner slurm` override them).
    pub slurm: SlurmSpec,
    /// Every setting named, with its section and line.
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

mod space;

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

impl Raw<Flags> {
    fn many(self) -> Raw<Vec<Flags>> {
        Raw {
            data: self.data,
            seeds: self.seeds,
            metric: self.metric,
            folds: self.folds,
            train: self.train,
            grid: self.grid.map(|g| vec![g]),
            list: self.list,
            random: self.random,
            slurm: self.slurm,
        }
    }
}

/// Reads one spec, collecting every key's section and line.
pub(super) struct Parser<'a> {
    text: &'a str,
    path: &'a Path,
    settings: Vec<(Section, Setting)>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str, path: &'a Path) -> Parser<'a> {
        Parser {
            text,
            path,
            settings: Vec::new(),
        }
    }

    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn fail(&self, offset: usize, message: String) -> SweepError {
        SweepError::Spec {
            path: self.path.to_path_buf(),
            line: self.line(offset),
            message,
        }
    }

    fn whole(&self, message: String) -> SweepError {
        SweepError::Spec {
            path: self.path.to_path_buf(),
            line: 0,
            message,
        }
    }

    fn raw(&self) -> Result<Raw<Vec<Flags>>> {
        let parse_error = |e: toml::de::Error| {
            let offset = e.span().map_or(0, |s| s.start);
            self.fail(offset, e.message().trim().replace('\n', " "))
        };
        let many = toml::from_str::<toml::Table>(self.text)
            .map_err(parse_error)?
            .get("grid")
            .is_some_and(toml::Value::is_array);
        Ok(if many {
            toml::from_str(self.text).map_err(parse_error)?
        } else {
            toml::from_str::<Raw<Flags>>(self.text)
                .map_err(parse_error)?
                .many()
        })
    }

    pub(super) fn spec(mut self) -> Result<Spec> {
        let raw = self.raw()?;
        let fixed = self.table(Section::Train, &raw.train)?;
        let mut grids = Vec::new();
        for table in raw.grid.iter().flatten() {
            grids.push(self.grid(table)?);
        }
        for table in &raw.list {
            let point = self.table(Section::List, table)?;
            grids.push(
                (point.into_iter())
                    .map(|(k, v)| (k, vec![v.into_inner()]))
                    .collect(),
            );
        }
        let random = match &raw.random {
            None => None,
            Some(table) => Some(self.random(table)?),
        };
        self.swept_once(&fixed)?;
        if grids.is_empty() && random.is_none() {
            return Err(self.whole(
                "the search space is empty: give a [grid], [[list]] points or [random] draws"
                    .into(),
            ));
        }
        let seeds = self.seeds(raw.seeds)?;
        let folds = match raw.folds {
            Some(k) if *k.get_ref() < 2 => {
                let message = format!(
                    "folds = {}: K-fold cross-validation needs K ≥ 2",
                    k.get_ref()
                );
                return Err(self.fail(k.span().start, message));
            }
            k => k.map(Spanned::into_inner),
        };
        if raw.data.get_ref().is_empty() {
            let message = "data = \"\": name a dataset file".into();
            return Err(self.fail(raw.data.span().start, message));
        }
        self.check_size(&grids, random.as_ref(), seeds.len())?;
        Ok(Spec {
            path: self.path.to_path_buf(),
            data: raw.data.into_inner(),
            seeds,
            metric: raw.metric,
            folds,
            fixed: (fixed.into_iter())
                .map(|(k, v)| (k, v.into_inner()))
                .collect(),
            grids,
            random,
            slurm: raw.slurm,
            settings: self.settings,
        })
    }

    /// A table of settings: each name not reserved and a setting's, each value read (and, outside a grid,
    /// checked against its setting).
    fn table(
        &mut self,
        section: Section,
        table: &Flags,
    ) -> Result<BTreeMap<String, Spanned<Value>>> {
        let mut out = BTreeMap::new();
        for (key, value) in table {
            let name = key.get_ref().as_str();
            self.name(section, key)?;
            let v = Value::from_toml(value.get_ref()).map_err(|m| {
                self.fail(
                    value.span().start,
                    format!("{} '{name}': {m}", section.name()),
                )
            })?;
            if section != Section::Grid {
                self.check(section, name, &v, value.span().start)?;
            }
            out.insert(name.to_string(), Spanned::new(value.span(), v));
        }
        Ok(out)
    }

    /// A key: not one the sweep sets itself, and a setting's name. Recorded with its line.
    fn name(&mut self, section: Section, key: &Spanned<String>) -> Result<()> {
        let name = key.get_ref().as_str();
        let at = key.span().start;
        if RESERVED.contains(&name) {
            let hint = match name {
                "seed" => " (list seeds in `seeds = [...]`)",
                "data" => " (name the dataset in the top-level `data = ...`)",
                "threads" => {
                    " (nn sweep --threads-per-job sets it; results are the same bits at any count)"
                }
                _ => "",
            };
            let message = format!(
                "{} '{name}': the sweep sets --{name} itself{hint}",
                section.name()
            );
            return Err(self.fail(at, message));
        }
        if let Err(e) = nn::Settings::check_one(name, &true)
            && matches!(e.problem, nn::NamedProblem::Unknown { .. })
        {
            return Err(self.fail(at, format!("{} {e}", section.name())));
        }
        self.settings.push((
            section,
            Setting {
                key: name.to_string(),
                line: self.line(at),
            },
        ));
        Ok(())
    }

    /// One value of a setting, as its setting takes it.
    fn check(&self, section: Section, name: &str, value: &Value, at: usize) -> Result<()> {
        nn::Settings::check_one(name, value)
            .map_err(|e| self.fail(at, format!("{} {e}", section.name())))
    }

    /// A `[grid]` table: each setting's alternatives (a single value is one), each checked.
    fn grid(&mut self, table: &Flags) -> Result<BTreeMap<String, Vec<Value>>> {
        let mut grid = BTreeMap::new();
        for (key, value) in self.table(Section::Grid, table)? {
            let at = value.span().start;
            let alternatives = match value.into_inner() {
                Value::List(items) if items.is_empty() => {
                    let message =
                        format!("[grid] '{key}': an empty list of values leaves nothing to run");
                    return Err(self.fail(at, message));
                }
                Value::List(items) => items,
                single => vec![single],
            };
            for v in &alternatives {
                self.check(Section::Grid, &key, v, at)?;
            }
            grid.insert(key, alternatives);
        }
        Ok(grid)
    }
}
