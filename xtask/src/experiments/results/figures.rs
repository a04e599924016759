//! The plots of the showcase runs (seed 0, the report's protocol), and docs/report.md with its figures.

use super::Summary;
use crate::experiments::spec::Specs;
use anyhow::{Context, Result};
use nn_cli::plots::{self, FigureKind};
use nn_data::Dataset;
use nn_train::job::JobOutcome;
use std::path::Path;

/// The report's figures for the seed-0 run of each experiment: (caption, file, which report figure). The
/// figures themselves are `nn train --plots`'s ([`plots::training_figures`]); this adds the captions.
pub fn plots(
    out: &Path,
    specs: &Specs,
    datasets: &[Dataset],
    showcases: &[(usize, JobOutcome)],
) -> Result<Vec<(String, String, String)>> {
    let mut figures = Vec::new();
    for (i, o) in showcases {
        let e = &specs.experiment[*i];
        let prefix = format!("{}-", e.id);
        let title = format!("{} (seed 0, test-set selection)", e.title);
        for f in plots::training_figures(out, &prefix, &title, o, &datasets[*i])? {
            let report = |what: &str| format!("cf. the report's {what}");
            let (caption, source) = match f.kind {
                FigureKind::Curves => (
                    format!("{}: loss and accuracy per epoch", e.title),
                    report(&e.figures),
                ),
                FigureKind::DecisionBoundary => (
                    format!("{}: decision boundary in raw feature units", e.title),
                    report(&e.figures),
                ),
                FigureKind::Misclassified => {
                    ("Misclassified test digits".into(), report("Figure 11"))
                }
                FigureKind::ErrorsPerClass => {
                    ("Misclassifications per class".into(), report("Figure 12"))
                }
                FigureKind::Confusion => (format!("{}: confusion matrix", e.title), "new".into()),
            };
            figures.push((caption, f.file, source));
        }
    }
    Ok(figures)
}

/// docs/report.md and docs/figures/, from this run.
pub fn write_docs(
    root: &Path,
    out: &Path,
    summary: &Summary,
    figures: &[(String, String, String)],
) -> Result<()> {
    let fig_dir = root.join("docs/figures");
    std::fs::create_dir_all(&fig_dir)?;
    for (_, file, _) in figures {
        std::fs::copy(out.join(file), fig_dir.join(file))
            .with_context(|| format!("copying {file}"))?;
    }
    let intro = include_str!("../report_intro.md");
    let discussion = include_str!("../report_discussion.md");
    let text = format!(
        "{intro}\n{}\n{discussion}",
        summary.markdown(figures, "figures/")
    );
    std::fs::write(root.join("docs/report.md"), text)?;
    Ok(())
}
