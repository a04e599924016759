//! The plots of the showcase runs (seed 0, the report's protocol), and docs/report.md with its figures.

use super::Summary;
use crate::experiments::spec::Specs;
use anyhow::{Context, Result};
use nn_cli::plots;
use nn_data::{Dataset, PixelOrder};
use nn_train::job::JobOutcome;
use nn_train::metrics::Confusion;
use std::path::Path;

/// The report's figures for the seed-0 run of each experiment: (caption, file, which report figure).
pub fn plots(
    out: &Path,
    specs: &Specs,
    datasets: &[Dataset],
    showcases: &[(usize, JobOutcome)],
) -> Result<Vec<(String, String, String)>> {
    let mut figures = Vec::new();
    for (i, o) in showcases {
        let e = &specs.experiment[*i];
        let d = &datasets[*i];
        let ckpt = &o.checkpoint;
        let file = format!("{}-curves.svg", e.id);
        let title = format!(
            "{} — seed 0, selected epoch {} (test-set selection)",
            e.title, ckpt.epoch
        );
        plots::curves(&out.join(&file), o.history(), &title, ckpt.epoch)?;
        figures.push((
            format!("{}: loss and accuracy per epoch", e.title),
            file,
            format!("cf. the report's {}", e.figures),
        ));
        let test = d.select(&o.prepared.split.test);
        if d.features() == 2 {
            let mut is_train = vec![false; d.len()];
            for &r in &o.prepared.split.train {
                is_train[r] = true;
            }
            let file = format!("{}-boundary.svg", e.id);
            plots::decision_boundary(
                &out.join(&file),
                ckpt,
                &d.x,
                &d.labels,
                &is_train,
                &format!("{}: decision boundary (seed 0)", e.title),
            )?;
            figures.push((
                format!("{}: decision boundary in raw feature units", e.title),
                file,
                format!("cf. the report's {}", e.figures),
            ));
        } else {
            let (_, predicted) = nn_train::job::evaluate(ckpt, &test.x, &test.labels)?;
            let names = &ckpt.classes.names;
            let confusion = Confusion::new(names.len(), &test.labels, &predicted);
            let wrong = plots::misclassified_images(
                &test,
                &predicted,
                names,
                20,
                PixelOrder::ColumnMajor,
                48,
            );
            let file = format!("{}-misclassified.svg", e.id);
            plots::image_grid(
                &out.join(&file),
                &wrong,
                &format!(
                    "misclassified test digits (seed 0): true → predicted, {} of {}",
                    test.len() - confusion.correct(),
                    test.len()
                ),
            )?;
            figures.push((
                "Misclassified test digits".into(),
                file,
                "cf. the report's Figure 11".into(),
            ));
            let file = format!("{}-errors-per-class.svg", e.id);
            plots::class_error_bars(
                &out.join(&file),
                names,
                &confusion.errors_per_class(),
                &test.class_counts(),
                "misclassified test digits per class (seed 0)",
            )?;
            figures.push((
                "Misclassifications per class".into(),
                file,
                "cf. the report's Figure 12".into(),
            ));
            let file = format!("{}-confusion.svg", e.id);
            plots::confusion_heatmap(
                &out.join(&file),
                names,
                &confusion,
                "confusion matrix, test part (seed 0)",
            )?;
            figures.push(("Confusion matrix".into(), file, "new".into()));
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
