//! SVG plots, drawn with plotters' SVG backend (no system libraries): the report's loss and accuracy curves
//! (its Figures 4, 6, 8, 10), decision boundaries (5, 7, 9), misclassified digits (11), per-class errors (12),
//! and a confusion-matrix heat map.

use anyhow::{Result, anyhow};
use nn_data::{Dataset, Image, PixelOrder};
use nn_linalg::Matrix;
use nn_train::job::JobOutcome;
use nn_train::metrics::Confusion;
use nn_train::{Checkpoint, EpochReport};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

const TRAIN: RGBColor = RGBColor(31, 119, 180);
const VAL: RGBColor = RGBColor(44, 160, 44);
const TEST: RGBColor = RGBColor(214, 39, 40);

fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing: {e}")
}

/// Loss (left) and accuracy (right) per epoch for every part, with the selected epoch marked.
pub fn curves(path: &Path, history: &[EpochReport], title: &str, selected: usize) -> Result<()> {
    let root = SVGBackend::new(path, (1100, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(title, ("sans-serif", 18)).map_err(err)?;
    let panels = root.split_evenly((1, 2));
    let n = history.len().max(1) as f64;
    type Get = fn(&EpochReport) -> Option<(f64, f64)>;
    let parts: [(&str, RGBColor, Get); 3] = [
        ("train", TRAIN, |r| Some((r.train.loss, r.train.accuracy))),
        ("validation", VAL, |r| {
            r.validation.map(|p| (p.loss, p.accuracy))
        }),
        ("test", TEST, |r| r.test.map(|p| (p.loss, p.accuracy))),
    ];
    for (panel, is_loss) in panels.iter().zip([true, false]) {
        let value = |v: (f64, f64)| if is_loss { v.0 } else { 100.0 * v.1 };
        let ys = history
            .iter()
            .flat_map(|r| parts.iter().filter_map(move |(_, _, g)| g(r)))
            .map(value);
        let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
            (a.min(y), b.max(y))
        });
        let (lo, hi) = if lo.is_finite() && hi > lo {
            (lo, hi)
        } else {
            (0.0, 1.0)
        };
        let pad = 0.05 * (hi - lo);
        let mut chart = ChartBuilder::on(panel)
            .margin(12)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d(1.0..n, (lo - pad)..(hi + pad))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_label_formatter(&|v| format!("{v:.0}"))
            .x_desc("epoch")
            .y_desc(if is_loss {
                "cross-entropy loss"
            } else {
                "accuracy (%)"
            })
            .draw()
            .map_err(err)?;
        for (name, color, get) in parts {
            let points: Vec<(f64, f64)> = history
                .iter()
                .filter_map(|r| get(r).map(|v| (r.epoch as f64, value(v))))
                .collect();
            if points.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        if selected > 0 {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(selected as f64, lo - pad), (selected as f64, hi + pad)],
                    BLACK.mix(0.5),
                )))
                .map_err(err)?
                .label(format!("selected epoch {selected}"))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.mix(0.5)));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .position(if is_loss {
                SeriesLabelPosition::UpperRight
            } else {
                SeriesLabelPosition::LowerRight
            })
            .draw()
            .map_err(err)?;
    }
    root.present().map_err(err)
}

/// The model's decision regions over the two raw features, with the samples drawn on top (circles: training
/// part, triangles: other parts). `x` holds raw (unstandardised) features; the model applies its standardiser.
pub fn decision_boundary(
    path: &Path,
    ckpt: &Checkpoint,
    x: &Matrix<f64>,
    labels: &[usize],
    is_train: &[bool],
    title: &str,
) -> Result<()> {
    if x.cols() != 2 {
        return Err(anyhow!(
            "a decision boundary needs 2 features, the data has {}",
            x.cols()
        ));
    }
    let range = |j: usize| {
        let (lo, hi) = x
            .col(j)
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let pad = 0.1 * (hi - lo).max(1e-9);
        (lo - pad, hi + pad)
    };
    let ((x0, x1), (y0, y1)) = (range(0), range(1));
    const GRID: usize = 150;
    let grid = Matrix::from_fn(GRID * GRID, 2, |k, j| {
        let (i, jj) = (k / GRID, k % GRID);
        if j == 0 {
            x0 + (x1 - x0) * (jj as f64 + 0.5) / GRID as f64
        } else {
            y0 + (y1 - y0) * (i as f64 + 0.5) / GRID as f64
        }
    });
    let p = nn_train::job::predict_proba(ckpt, &grid)?;
    let root = SVGBackend::new(path, (640, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(35)
        .y_label_area_size(50)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("feature 1 (raw units)")
        .y_desc("feature 2 (raw units)")
        .draw()
        .map_err(err)?;
    let (dx, dy) = ((x1 - x0) / GRID as f64, (y1 - y0) / GRID as f64);
    let prob1 = |k: usize| {
        if p.cols() == 1 {
            p.get(k, 0)
        } else {
            p.get(k, 1)
        }
    };
    chart
        .draw_series((0..GRID * GRID).map(|k| {
            let (gx, gy) = (grid.get(k, 0), grid.get(k, 1));
            let q = prob1(k);
            // Blue-ish where class 1 is likely, red-ish where class 0 is; the boundary is where they meet.
            let c = RGBColor(
                (255.0 - 90.0 * q) as u8,
                (235.0 - 40.0 * (q - 0.5).abs()) as u8,
                (165.0 + 90.0 * q) as u8,
            );
            Rectangle::new(
                [
                    (gx - dx / 2.0, gy - dy / 2.0),
                    (gx + dx / 2.0, gy + dy / 2.0),
                ],
                c.filled(),
            )
        }))
        .map_err(err)?;
    // The p = 0.5 contour: grid cells whose neighbour lies on the other side.
    chart
        .draw_series(
            (0..GRID * GRID)
                .filter(|&k| {
                    k % GRID + 1 < GRID
                        && ((prob1(k) >= 0.5) != (prob1(k + 1) >= 0.5)
                            || (k + GRID < GRID * GRID
                                && (prob1(k) >= 0.5) != (prob1(k + GRID) >= 0.5)))
                })
                .map(|k| Circle::new((grid.get(k, 0), grid.get(k, 1)), 1, BLACK.filled())),
        )
        .map_err(err)?;
    for (class, color) in [(0usize, TEST), (1, TRAIN)] {
        let pts: Vec<(f64, f64, bool)> = (0..x.rows())
            .filter(|&i| labels[i] == class)
            .map(|i| (x.get(i, 0), x.get(i, 1), is_train[i]))
            .collect();
        chart
            .draw_series(
                pts.iter()
                    .filter(|p| p.2)
                    .map(|&(a, b, _)| Circle::new((a, b), 4, color.filled())),
            )
            .map_err(err)?
            .label(format!("class {class} (train)"))
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
        chart
            .draw_series(
                pts.iter()
                    .filter(|p| !p.2)
                    .map(|&(a, b, _)| TriangleMarker::new((a, b), 6, color.stroke_width(2))),
            )
            .map_err(err)?
            .label(format!("class {class} (held out)"))
            .legend(move |(x, y)| TriangleMarker::new((x + 8, y), 6, color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(err)?;
    root.present().map_err(err)
}

/// A grid of images, each captioned `true → predicted`.
pub fn image_grid(path: &Path, images: &[(Image, String, String)], title: &str) -> Result<()> {
    let cols = 8usize;
    let rows = images.len().div_ceil(cols).max(1);
    let cell = 80i32;
    let root = SVGBackend::new(
        path,
        (
            (cols as i32 * cell) as u32,
            (rows as i32 * (cell + 18) + 40) as u32,
        ),
    )
    .into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    root.draw(&Text::new(title.to_string(), (10, 10), ("sans-serif", 16)))
        .map_err(err)?;
    for (n, (img, truth, pred)) in images.iter().enumerate() {
        let (ox, oy) = (
            (n % cols) as i32 * cell + 8,
            (n / cols) as i32 * (cell + 18) + 40,
        );
        let px = (cell - 16) / img.width.max(1) as i32;
        for r in 0..img.height {
            for c in 0..img.width {
                let v = (255.0 * (1.0 - img.get(r, c).clamp(0.0, 1.0))) as u8;
                let (x, y) = (ox + c as i32 * px, oy + r as i32 * px);
                root.draw(&Rectangle::new(
                    [(x, y), (x + px, y + px)],
                    RGBColor(v, v, v).filled(),
                ))
                .map_err(err)?;
            }
        }
        root.draw(&Text::new(
            format!("{truth} → {pred}"),
            (ox, oy + img.height as i32 * px + 2),
            ("sans-serif", 13).into_font().color(&TEST),
        ))
        .map_err(err)?;
    }
    root.present().map_err(err)
}

/// The label of a class-axis segment: the class name at its centre, nothing elsewhere.
fn class_label(names: &[String], v: &SegmentValue<i32>, flip: bool) -> String {
    match v {
        SegmentValue::CenterOf(c) => {
            let c = if flip { names.len() as i32 - 1 - c } else { *c };
            usize::try_from(c)
                .ok()
                .and_then(|c| names.get(c))
                .cloned()
                .unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// Misclassified samples per class, as bars.
pub fn class_error_bars(
    path: &Path,
    names: &[String],
    errors: &[usize],
    totals: &[usize],
    title: &str,
) -> Result<()> {
    let root = SVGBackend::new(path, (700, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let top = errors.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.15;
    let k = names.len() as i32;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(35)
        .y_label_area_size(45)
        .build_cartesian_2d((0..k - 1).into_segmented(), 0f64..top) // segments 0..=k−1
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(names.len() + 1)
        .x_label_formatter(&|v| class_label(names, v, false))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("true class")
        .y_desc("misclassified samples")
        .draw()
        .map_err(err)?;
    chart
        .draw_series((0..k).map(|c| {
            let mut bar = Rectangle::new(
                [
                    (SegmentValue::Exact(c), 0.0),
                    (SegmentValue::Exact(c + 1), errors[c as usize] as f64),
                ],
                TRAIN.filled(),
            );
            bar.set_margin(0, 0, 8, 8);
            bar
        }))
        .map_err(err)?;
    let centred = ("sans-serif", 12)
        .into_font()
        .into_text_style(&root)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    chart
        .draw_series((0..k).map(|c| {
            let u = c as usize;
            Text::new(
                format!("{}/{}", errors[u], totals[u]),
                (SegmentValue::CenterOf(c), errors[u] as f64 + top * 0.01),
                centred.clone(),
            )
        }))
        .map_err(err)?;
    root.present().map_err(err)
}

/// Counts of (true, predicted) as a heat map with the counts written in.
pub fn confusion_heatmap(
    path: &Path,
    names: &[String],
    confusion: &Confusion,
    title: &str,
) -> Result<()> {
    let k = names.len() as i32;
    let size = (60 * k as u32 + 140).max(300);
    let root = SVGBackend::new(path, (size, size + 30)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let max = confusion
        .counts
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d((0..k - 1).into_segmented(), (0..k - 1).into_segmented()) // segments 0..=k−1
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(names.len() + 1)
        .y_labels(names.len() + 1)
        .x_label_formatter(&|v| class_label(names, v, false))
        .y_label_formatter(&|v| class_label(names, v, true))
        .x_desc("predicted")
        .y_desc("true")
        .draw()
        .map_err(err)?;
    for (t, row) in confusion.counts.iter().enumerate() {
        let y = k - 1 - t as i32; // true class 0 at the top
        for (p, &c) in row.iter().enumerate() {
            let p = p as i32;
            let shade = (c as f64 / max).sqrt();
            let color = RGBColor(
                (255.0 - 200.0 * shade) as u8,
                (255.0 - 150.0 * shade) as u8,
                255,
            );
            let cell = [
                (SegmentValue::Exact(p), SegmentValue::Exact(y)),
                (SegmentValue::Exact(p + 1), SegmentValue::Exact(y + 1)),
            ];
            chart
                .draw_series(std::iter::once(Rectangle::new(cell, color.filled())))
                .map_err(err)?;
            let text = ("sans-serif", 13)
                .into_font()
                .color(if shade > 0.6 { &WHITE } else { &BLACK })
                .pos(Pos::new(HPos::Center, VPos::Center));
            chart
                .draw_series(std::iter::once(Text::new(
                    c.to_string(),
                    (SegmentValue::CenterOf(p), SegmentValue::CenterOf(y)),
                    text,
                )))
                .map_err(err)?;
        }
    }
    root.present().map_err(err)
}

/// The plots `nn train --plots DIR` writes: curves; the decision boundary for two features; the confusion
/// matrix on the test part (or validation, or training); misclassified 20×20 or 28×28 images.
pub fn training_plots(dir: &Path, outcome: &JobOutcome, dataset: &Dataset) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let ckpt = &outcome.checkpoint;
    let split = &outcome.prepared.split;
    curves(
        &dir.join("curves.svg"),
        outcome.history(),
        &ckpt.network.architecture().describe(),
        ckpt.epoch,
    )?;
    if dataset.features() == 2 {
        let mut is_train = vec![false; dataset.len()];
        for &i in &split.train {
            is_train[i] = true;
        }
        decision_boundary(
            &dir.join("decision-boundary.svg"),
            ckpt,
            &dataset.x,
            &dataset.labels,
            &is_train,
            "decision boundary",
        )?;
    }
    let (rows, part) = if !split.test.is_empty() {
        (&split.test, "test")
    } else if !split.validation.is_empty() {
        (&split.validation, "validation")
    } else {
        (&split.train, "train")
    };
    let subset = dataset.select(rows);
    let (_, predicted) = nn_train::job::evaluate(ckpt, &subset.x, &subset.labels)?;
    let confusion = Confusion::new(ckpt.classes.len(), &subset.labels, &predicted);
    confusion_heatmap(
        &dir.join("confusion.svg"),
        &ckpt.classes.names,
        &confusion,
        &format!("confusion matrix ({part} part)"),
    )?;
    let side = (dataset.features() as f64).sqrt() as usize;
    if side * side == dataset.features() && side >= 8 {
        let order = if nn_data::kind_of(&dataset.source) == "mat" {
            PixelOrder::ColumnMajor
        } else {
            PixelOrder::RowMajor
        };
        let wrong = misclassified_images(&subset, &predicted, &ckpt.classes.names, side, order, 48);
        image_grid(
            &dir.join("misclassified.svg"),
            &wrong,
            &format!("misclassified ({part} part): true → predicted"),
        )?;
        let totals = subset.class_counts();
        class_error_bars(
            &dir.join("errors-per-class.svg"),
            &ckpt.classes.names,
            &confusion.errors_per_class(),
            &totals,
            "misclassified per class",
        )?;
    }
    Ok(())
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
        .filter(|&i| predicted[i] != d.labels[i])
        .take(limit)
        .filter_map(|i| {
            let img = Image::from_row(&d.x.row_to_vec(i), side, side, order)?;
            Some((img, names[d.labels[i]].clone(), names[predicted[i]].clone()))
        })
        .collect()
}
