//! The search space of a spec: its random draws, its seeds, and its size.

use super::{Flags, MAX_JOBS, Parser, Random, Section};
use crate::error::Result;
use crate::spec::value::{Value, distribution};
use std::collections::BTreeMap;
use toml::Spanned;

impl Parser<'_> {
    /// The `[random]` table: `draws`, `seed`, and a distribution per setting.
    pub(super) fn random(&mut self, table: &Spanned<Flags>) -> Result<Random> {
        let start = table.span().start;
        let mut table = table.get_ref().clone();
        let draws = table.remove("draws").ok_or_else(|| {
            self.fail(
                start,
                "[random] needs `draws = N`, the number of points to draw".into(),
            )
        })?;
        let draws = match draws.get_ref() {
            toml::Value::Integer(n) if *n > 0 => *n as usize,
            other => {
                let message = format!("[random] draws = {other}: give a whole number ≥ 1");
                return Err(self.fail(draws.span().start, message));
            }
        };
        let seed = match table.remove("seed") {
            None => 0,
            Some(s) => match s.get_ref() {
                toml::Value::Integer(n) if *n >= 0 => *n as u64,
                other => {
                    let message = format!("[random] seed = {other}: give a whole number ≥ 0");
                    return Err(self.fail(s.span().start, message));
                }
            },
        };
        let mut dists = BTreeMap::new();
        for (key, value) in &table {
            let name = key.get_ref().clone();
            let at = value.span().start;
            self.name(Section::Random, key)?;
            let dist = distribution(value.get_ref())
                .map_err(|m| self.fail(at, format!("[random] '{name}': {m}")))?;
            for v in dist.extremes() {
                self.check(Section::Random, &name, &v, at)?;
            }
            dists.insert(name, dist);
        }
        if dists.is_empty() {
            let message = "[random] draws nothing: give at least one setting's distribution".into();
            return Err(self.fail(start, message));
        }
        Ok((draws, seed, dists))
    }

    /// No setting is both fixed and swept.
    pub(super) fn swept_once(&self, fixed: &BTreeMap<String, Spanned<Value>>) -> Result<()> {
        let swept = (self.settings.iter()).filter(|(s, _)| *s != Section::Train);
        for (_, s) in swept {
            if let Some(v) = fixed.get(&s.key) {
                let message = format!(
                    "'{}' is both fixed in [train] and swept (line {})",
                    s.key, s.line
                );
                return Err(self.fail(v.span().start, message));
            }
        }
        Ok(())
    }

    pub(super) fn seeds(&self, seeds: Option<Spanned<Vec<u64>>>) -> Result<Vec<u64>> {
        let Some(s) = seeds else {
            return Ok(vec![1]);
        };
        let start = s.span().start;
        let seeds = s.into_inner();
        if seeds.is_empty() {
            return Err(self.fail(start, "seeds = []: give at least one seed".into()));
        }
        // The same seed twice would be the same job twice, with one id and one folder.
        if let Some(twice) = (seeds.iter().enumerate()).find(|(i, v)| seeds[..*i].contains(v)) {
            let message = format!("seeds: {} is listed twice; list each seed once", twice.1);
            return Err(self.fail(start, message));
        }
        Ok(seeds)
    }

    /// The space holds at most [`MAX_JOBS`] jobs.
    pub(super) fn check_size(
        &self,
        grids: &[BTreeMap<String, Vec<Value>>],
        random: Option<&Random>,
        seeds: usize,
    ) -> Result<()> {
        let points = (grids.iter())
            .map(|g| g.values().fold(1usize, |n, v| n.saturating_mul(v.len())))
            .fold(random.map_or(0, |r| r.0), usize::saturating_add);
        let jobs = points.saturating_mul(seeds);
        if jobs <= MAX_JOBS {
            return Ok(());
        }
        let count = if jobs == usize::MAX {
            "too many".to_string()
        } else {
            jobs.to_string()
        };
        Err(self.whole(format!(
            "the search space holds {count} jobs (points × seeds), more than the {MAX_JOBS} one sweep runs; split it into several sweeps"
        )))
    }
}
