//! `nn sweep status` and `nn sweep report`: where the jobs are, and the leaderboard with its files and plots.

use super::job::describe;
use crate::cmd::common::out;
use anyhow::{Context, Result, anyhow, bail};
use nn_sweep::leaderboard::format_score;
use nn_sweep::{JobState, Leaderboard, Sweep};
use std::path::Path;

/// `nn sweep status DIR`: jobs by state, and the failed ones with their errors.
pub(super) fn status(dir: &Path) -> Result<()> {
    let sweep = Sweep::open(dir)?;
    let [pending, started, done, failed] = sweep.counts();
    let mut s = format!(
        "{}: {} jobs: {done} done, {failed} failed, {started} started (running, or killed: a rerun runs them again), {pending} pending\n",
        dir.display(),
        sweep.plan.jobs.len()
    );
    for job in &sweep.plan.jobs {
        if let JobState::Failed(e) = sweep.state(job) {
            s.push_str(&format!(
                "  failed: job {} ({}, id {}): {e}\n",
                job.index,
                describe(job),
                job.id
            ));
        }
    }
    out(&s)
}

/// The leaderboard in Markdown (top `top` rows), the best command, and the best setting's test score; writes
/// `DIR/report/leaderboard.{md,csv,json}` and one SVG per swept flag.
pub(super) fn report(sweep: &Sweep, metric: Option<&str>, top: usize) -> Result<String> {
    let results = sweep.results()?;
    if results.is_empty() {
        bail!(
            "{}: no job has finished yet (nn sweep status {} shows where they are)",
            sweep.dir.display(),
            sweep.dir.display()
        );
    }
    let board = Leaderboard::new(&sweep.plan, &results, metric)
        .map_err(|e| anyhow!("{}: {e}", sweep.dir.display()))?;
    let dir = sweep.dir.join("report");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut text = format!(
        "{} of {} jobs finished; ranked by {} ({} is better), mean ± std over {}\n\n",
        board.finished,
        board.jobs,
        board.metric,
        if board.higher_is_better {
            "higher"
        } else {
            "lower"
        },
        if sweep.plan.folds.is_some() {
            "seeds × folds"
        } else {
            "seeds"
        }
    );
    text.push_str(&board.markdown(top));
    if let Some(best) = board.rows.first() {
        let test = board
            .metric
            .strip_prefix("val-")
            .map(|m| format!("test-{m}"));
        if let Some(t) = test
            .as_ref()
            .and_then(|t| best.scores.get(t).map(|s| (t, s)))
        {
            text.push_str(&format!(
                "\nThe best setting on the test part (not used to choose it): {} {}\n",
                t.0,
                format_score(t.0, *t.1)
            ));
        }
    }
    if let Some(cmd) = board.best_command(&sweep.plan) {
        text.push_str(&format!("\nBest configuration:\n  {cmd}\n"));
    }
    for (name, contents) in [
        ("leaderboard.md", text.clone()),
        ("leaderboard.csv", board.csv()),
        ("leaderboard.json", board.json()),
    ] {
        let path = dir.join(name);
        nn_train::write_atomically(&path, contents.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    for param in &board.swept {
        let path = dir.join(format!("{}.svg", param));
        nn_plot::sweep_parameter(&path, &board, param)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(text)
}
