//! `cargo xtask experiments --only sweep`: the hyper-parameter study the report could not afford ("I did not
//! experiment with hyperparameters … due to the long training times"), as the sweep specs in `experiments/`,
//! run by the `nn` binary's own `nn sweep`, so the study is exactly what a user would run. With `--docs` its
//! leaderboards and plots become a section of docs/report.md, which later full replays keep.

use anyhow::{Context, Result, bail};
use nn_sweep::leaderboard::format_score;
use nn_sweep::{Leaderboard, Spec, Sweep};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The id `--only` takes for the study.
pub const ID: &str = "sweep";

/// The study's specs, in `experiments/`, with their section titles.
const SPECS: [(&str, &str); 2] = [
    (
        "sweep-binary.toml",
        "Binary set: hidden width × depth × learning rate (full-batch GD)",
    ),
    (
        "sweep-digits.toml",
        "Digits: learning rate × hidden width × optimiser (GD, Adam)",
    ),
];

/// The markers around the study's section in docs/report.md.
const BEGIN: &str =
    "<!-- sweep study: written by `cargo xtask experiments --only sweep --docs` -->";
const END: &str = "<!-- end of the sweep study -->";

/// Runs every study spec with `nn sweep` into `out/<spec>/`, prints the leaderboards, and with `docs`
/// rewrites the study's section of docs/report.md and its figures.
pub fn run(root: &Path, out: &Path, docs: bool, quiet: bool) -> Result<()> {
    let nn = build_nn(root)?;
    let mut section = format!(
        "{BEGIN}\n## The hyper-parameter study the report could not afford\n\n\
         The report ends: \"I did not experiment with hyperparameters … due to the long training times\". \
         These sweeps are that study, run with `nn sweep` (specs in `experiments/sweep-*.toml`; \
         `cargo xtask experiments --only sweep` reruns them). Every configuration runs with 3 seeds on the \
         60/20/20 split of the beyond-the-report rows; each run keeps its epoch of best **validation** \
         accuracy, and configurations are ranked by mean validation accuracy. The test part plays no part \
         in any choice: it is read once, for the configuration ranked first.\n"
    );
    for (file, title) in SPECS {
        let spec_path = root.join("experiments").join(file);
        let spec = Spec::read(&spec_path)?;
        crate::data::ensure(root, &spec.data)?;
        let stem = file.trim_end_matches(".toml");
        let dir = out.join(stem);
        // A fresh study every time: a sweep directory would otherwise keep the last run's results.
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        let started = Instant::now();
        let mut cmd = std::process::Command::new(&nn);
        cmd.current_dir(root)
            .arg("sweep")
            .arg(&spec_path)
            .arg("--out")
            .arg(&dir);
        if quiet {
            cmd.arg("--quiet");
        }
        let status = cmd
            .status()
            .with_context(|| format!("running {}", nn.display()))?;
        if !status.success() {
            bail!("nn sweep {} failed ({status})", spec_path.display());
        }
        let wall = started.elapsed();
        let sweep = Sweep::open(&dir)?;
        let results = sweep.results()?;
        let board = Leaderboard::new(&sweep.plan, &results, None).map_err(anyhow::Error::msg)?;
        section.push_str(&study(&sweep, &board, title, stem, wall.as_secs_f64()));
        if docs {
            let figures = root.join("docs/figures");
            std::fs::create_dir_all(&figures)?;
            for param in &board.swept {
                let name = format!("{stem}-{param}.svg");
                std::fs::copy(
                    dir.join("report").join(format!("{param}.svg")),
                    figures.join(&name),
                )
                .with_context(|| format!("copying {name}"))?;
            }
        }
    }
    section.push_str(END);
    section.push('\n');
    std::fs::write(out.join("sweeps.md"), &section)?;
    if docs {
        let path = root.join("docs/report.md");
        let report = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        std::fs::write(&path, splice(&report, &section))?;
        println!("docs:    {} (the sweep study's section)", path.display());
    }
    println!("sweeps:  {}", out.join("sweeps.md").display());
    Ok(())
}

/// One spec's part of the section: how many jobs and how long, the top of the leaderboard, the best
/// configuration's test score and command, and a plot per swept flag.
fn study(sweep: &Sweep, board: &Leaderboard, title: &str, stem: &str, wall: f64) -> String {
    let mut s = String::new();
    let jobs = sweep.plan.jobs.len();
    let times: Vec<f64> = sweep
        .plan
        .jobs
        .iter()
        .filter_map(|j| sweep.time(j))
        .collect();
    let per_run = times.iter().sum::<f64>() / times.len().max(1) as f64;
    let _ = writeln!(
        s,
        "\n### {title}\n\n{jobs} runs ({} configurations × {} seeds) of `experiments/{stem}.toml`: \
         {wall:.0} s of wall time on this machine's {} cores, {per_run:.2} s per run on one core on average. \
         Top 10 of {}:\n",
        board.rows.len(),
        jobs / board.rows.len().max(1),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        board.rows.len(),
    );
    // The CSV is in the sweep's directory, not beside the page.
    s.push_str(&board.markdown(10).replace(
        "more rows in leaderboard.csv",
        &format!("more rows in `target/experiments/{stem}/report/leaderboard.csv` after a run"),
    ));
    if let Some(best) = board.rows.first() {
        let test = board.metric.replacen("val-", "test-", 1);
        let params: Vec<String> = best
            .params
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        if let (Some(v), Some(t)) = (best.scores.get(&board.metric), best.scores.get(&test)) {
            let _ = write!(
                s,
                "\nRanked first on validation: **{}** ({} {}). On the untouched test part it scores \
                 **{} {}** (mean ± std over its seeds).",
                params.join(", "),
                board.metric,
                format_score(&board.metric, *v),
                test,
                format_score(&test, *t),
            );
            // The winner's validation score is the best of many noisy estimates: say so when the test
            // part shows it.
            let gap = v.mean - t.mean;
            if board.higher_is_better && gap > v.std.max(t.std) {
                let _ = write!(
                    s,
                    " The gap ({:.1} points) is the optimism of choosing the best of {} configurations on \
                     one small validation part: part of the winner's lead is noise that the test part does \
                     not share.",
                    100.0 * gap,
                    board.rows.len()
                );
            }
            s.push('\n');
        }
        if let Some(cmd) = board.best_command(&sweep.plan) {
            let _ = writeln!(s, "\n```sh\n{cmd}\n```");
        }
    }
    for param in &board.swept {
        let _ = writeln!(
            s,
            "\n![{} against {param}](figures/{stem}-{param}.svg)",
            board.metric
        );
    }
    s
}

/// `report` with its study section replaced by `section` (or, if it has none, `section` put before the
/// figures).
pub fn splice(report: &str, section: &str) -> String {
    if let Some(start) = report.find(BEGIN)
        && let Some(end) = report[start..].find(END)
    {
        let end = start + end + END.len();
        let rest = report[end..].strip_prefix('\n').unwrap_or(&report[end..]);
        return format!("{}{section}{rest}", &report[..start]);
    }
    match report.find("\n## Figures") {
        Some(at) => format!("{}{section}{}", &report[..at + 1], &report[at..]),
        None => format!("{report}\n{section}"),
    }
}

/// The study's section of `report`, if it has one, to keep when a full replay rewrites the page.
pub fn section_of(report: &str) -> Option<&str> {
    let start = report.find(BEGIN)?;
    let end = start + report[start..].find(END)? + END.len();
    Some(&report[start..end])
}

/// Builds the `nn` binary in xtask's own profile and returns its path (beside xtask's).
fn build_nn(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(root)
        .args(["build", "--quiet", "-p", "nn-cli", "--bin", "nn"])
        .status()
        .context("running cargo build -p nn-cli")?;
    if !status.success() {
        bail!("cargo build -p nn-cli failed ({status})");
    }
    let nn = std::env::current_exe()?.with_file_name(format!("nn{}", std::env::consts::EXE_SUFFIX));
    if !nn.is_file() {
        bail!("built nn, but found no {}", nn.display());
    }
    Ok(nn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_study_section_is_replaced_kept_or_inserted_before_the_figures() {
        let page = "# R\n\n## Beyond\n\ntext\n\n## Figures\n\nfig\n";
        let section = format!("{BEGIN}\n## Study\n\nold\n{END}\n");
        let with = splice(page, &section);
        assert_eq!(
            with,
            format!("# R\n\n## Beyond\n\ntext\n\n{section}\n## Figures\n\nfig\n")
        );
        assert_eq!(section_of(&with), Some(section.trim_end()));
        let new = format!("{BEGIN}\n## Study\n\nnew\n{END}\n");
        let replaced = splice(&with, &new);
        assert_eq!(replaced, with.replace("old", "new"));
        assert_eq!(splice("no figures", &new), format!("no figures\n{new}"));
    }

    /// Every sweep spec in `experiments/` names its initialisation, so that a change of `nn train`'s default
    /// (as the bias draw of 2026-12-03) cannot change a sweep's results under its old job ids.
    #[test]
    fn every_sweep_spec_names_its_initialisation() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../experiments");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !(name.starts_with("sweep-") && name.ends_with(".toml")) {
                continue;
            }
            let spec: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
            let init = spec.get("train").and_then(|t| t.get("init"));
            assert!(init.is_some(), "{name}: [train] names no init");
            seen += 1;
        }
        assert!(
            seen >= SPECS.len(),
            "only {seen} sweep specs found in {}",
            dir.display()
        );
    }
}
