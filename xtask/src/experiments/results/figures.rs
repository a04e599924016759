//! The plots of the showcase runs (seed 0, the report's protocol), and docs/report.md with its figures.

use super::Summary;
use crate::experiments::spec::Specs;
use anyhow::{Context, Result};
use nn_data::Dataset;
use nn_plot::{self as plots, FigureKind};
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
            let refs = &e.figures;
            let (caption, report) = match f.kind {
                FigureKind::Curves => (
                    format!("{}: loss and accuracy per epoch", e.title),
                    &refs.curves,
                ),
                FigureKind::DecisionBoundary => (
                    format!("{}: decision boundary in raw feature units", e.title),
                    &refs.boundary,
                ),
                FigureKind::Misclassified => {
                    ("Misclassified test digits".into(), &refs.misclassified)
                }
                FigureKind::ErrorsPerClass => (
                    "Misclassifications per class".into(),
                    &refs.errors_per_class,
                ),
                FigureKind::Confusion => (format!("{}: confusion matrix", e.title), &None),
                FigureKind::Roc => (format!("{}: ROC curve", e.title), &None),
            };
            let source = report
                .as_ref()
                .map_or("new".into(), |r| format!("cf. the report's {r}"));
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
    // The sweep study is written by its own run (`--only sweep --docs`): keep it.
    let path = root.join("docs/report.md");
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let text = match crate::experiments::sweeps::section_of(&old) {
        Some(section) => crate::experiments::sweeps::splice(&text, &format!("{section}\n")),
        None => text,
    };
    std::fs::write(path, text)?;
    Ok(())
}
