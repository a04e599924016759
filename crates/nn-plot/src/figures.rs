//! The standard set of figures of a training run, shared by `nn train --plots` and `cargo xtask experiments`:
//! which figures a run gets, on which part, and their file names, decided in one place.

use crate::boundary::decision_boundary;
use crate::charts::{class_error_bars, confusion_heatmap, curves, image_grid, roc_curve};
use anyhow::Result;
use nn_data::{Dataset, Image, PixelOrder};
use nn_train::job::JobOutcome;
use nn_train::metrics::{self, Confusion};
use std::path::Path;

/// What a written figure shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureKind {
    /// Loss and accuracy per epoch, every part, the selected epoch marked.
    Curves,
    /// The decision regions of a two-feature model in raw feature units.
    DecisionBoundary,
    /// Misclassified samples of the held-out part, as images (square image data only).
    Misclassified,
    /// Misclassified samples per class (square image data only).
    ErrorsPerClass,
    /// The confusion matrix on the held-out part.
    Confusion,
    /// The ROC curve on the held-out part (two classes only).
    Roc,
}

/// A figure written by [`training_figures`].
#[derive(Clone, Debug)]
pub struct Figure {
    /// Its file name in the output directory.
    pub file: String,
    /// What it shows.
    pub kind: FigureKind,
}

/// Writes the standard figures of `outcome` into `dir`, each file name starting with `prefix` and each title
/// with `title`: the curves; the decision boundary for two features; on the held-out part (test, else
/// validation, else training) the confusion matrix, for two classes the ROC curve, and for square images of at
/// least 8×8 pixels the misclassified samples and the errors per class. Returns what it wrote, in that order.
pub fn training_figures(
    dir: &Path,
    prefix: &str,
    title: &str,
    outcome: &JobOutcome,
    dataset: &Dataset,
) -> Result<Vec<Figure>> {
    std::fs::create_dir_all(dir)?;
    let model_file = &outcome.model_file;
    let split = &outcome.prepared.split;
    let mut files = Files {
        dir,
        prefix,
        written: Vec::new(),
    };
    curves(
        &files.add("curves", FigureKind::Curves),
        outcome.history(),
        &format!("{title}: selected epoch {}", model_file.epoch),
        model_file.epoch,
    )?;
    if dataset.is_regression() {
        // The class figures (boundary, confusion, ROC, misclassified digits) have no meaning for regression.
        return Ok(files.written);
    }
    if dataset.features() == 2 {
        let mut is_train = vec![false; dataset.len()];
        for &i in &split.train {
            is_train[i] = true;
        }
        decision_boundary(
            &files.add("boundary", FigureKind::DecisionBoundary),
            model_file,
            dataset.x(),
            dataset.labels(),
            &is_train,
            &format!("{title}: decision boundary"),
        )?;
    }
    let (rows, part) = if !split.test.is_empty() {
        (&split.test, "test")
    } else if !split.validation.is_empty() {
        (&split.validation, "validation")
    } else {
        (&split.train, "train")
    };
    let held_out = HeldOut::new(model_file, dataset, rows, part)?;
    held_out.figures(&mut files, title, dataset)?;
    Ok(files.written)
}

/// The figures written so far, and where the next goes.
struct Files<'a> {
    dir: &'a Path,
    prefix: &'a str,
    written: Vec<Figure>,
}

impl Files<'_> {
    fn add(&mut self, name: &str, kind: FigureKind) -> std::path::PathBuf {
        let file = format!("{}{name}.svg", self.prefix);
        let path = self.dir.join(&file);
        self.written.push(Figure { file, kind });
        path
    }
}

/// The part the class figures show, with the model's predictions on it.
struct HeldOut<'a> {
    model_file: &'a nn_train::ModelFile,
    data: Dataset,
    part: &'static str,
    predicted: Vec<usize>,
    confusion: Confusion,
}

impl<'a> HeldOut<'a> {
    fn new(
        model_file: &'a nn_train::ModelFile,
        dataset: &Dataset,
        rows: &[usize],
        part: &'static str,
    ) -> Result<HeldOut<'a>> {
        let data = dataset.select(rows);
        let (_, predicted) = nn_train::job::evaluate(model_file, data.x(), data.labels())?;
        let confusion = Confusion::new(model_file.classes.len(), data.labels(), &predicted);
        Ok(HeldOut {
            model_file,
            data,
            part,
            predicted,
            confusion,
        })
    }

    /// For square images of at least 8×8 pixels the misclassified samples and the errors per class; the
    /// confusion matrix; for two classes the ROC curve.
    fn figures(&self, files: &mut Files<'_>, title: &str, dataset: &Dataset) -> Result<()> {
        let (names, part, confusion) =
            (self.model_file.classes.names(), self.part, &self.confusion);
        let side = (dataset.features() as f64).sqrt() as usize;
        if side * side == dataset.features() && side >= 8 {
            let order = if nn_data::FileKind::of(dataset.source()) == nn_data::FileKind::Mat {
                PixelOrder::ColumnMajor
            } else {
                PixelOrder::RowMajor
            };
            let wrong = misclassified_images(&self.data, &self.predicted, names, side, order, 48);
            image_grid(
                &files.add("misclassified", FigureKind::Misclassified),
                &wrong,
                &format!(
                    "{title}: misclassified ({part} part), true → predicted, {} of {}",
                    self.data.len() - confusion.correct(),
                    self.data.len()
                ),
            )?;
            class_error_bars(
                &files.add("errors-per-class", FigureKind::ErrorsPerClass),
                names,
                &confusion.errors_per_class(),
                &self.data.class_counts(),
                &format!("{title}: misclassified per class ({part} part)"),
            )?;
        }
        confusion_heatmap(
            &files.add("confusion", FigureKind::Confusion),
            names,
            confusion,
            &format!("{title}: confusion matrix ({part} part)"),
        )?;
        if names.len() == 2 {
            // P(class 1): the last column (one sigmoid unit, or the second of two softmax units).
            let p = nn_train::job::predict_proba(self.model_file, self.data.x())?;
            let scores: Vec<f64> = (0..p.rows()).map(|i| p.get(i, p.cols() - 1)).collect();
            let positive: Vec<bool> = self.data.labels().iter().map(|&c| c == 1).collect();
            if let Some(auc) = metrics::roc_auc(&scores, &positive) {
                roc_curve(
                    &files.add("roc", FigureKind::Roc),
                    &metrics::roc_curve(&scores, &positive),
                    auc,
                    &format!("{title}: ROC, {part} part"),
                )?;
            }
        }
        Ok(())
    }
}

/// Up to `limit` misclassified samples as upright images with their true and predicted names.
pub fn misclassified_images(
    d: &Dataset,
    predicted: &[usize],
    names: &[String],
    side: usize,
    order: PixelOrder,
    limit: usize,
) -> Vec<(Image, String, String)> {
    (0..d.len())
        .filter(|&i| predicted[i] != d.labels()[i])
        .take(limit)
        .filter_map(|i| {
            let img = Image::from_row(&d.x().row_to_vec(i), side, side, order)?;
            Some((
                img,
                names[d.labels()[i]].clone(),
                names[predicted[i]].clone(),
            ))
        })
        .collect()
}
