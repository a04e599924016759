//! The charts of a run: loss and accuracy curves, an image grid, per-class errors, a ROC curve and a
//! confusion-matrix heat map; and the colours and error conversion the other figures share.

use anyhow::{Result, anyhow};
use nn_data::Image;
use nn_train::metrics::Confusion;
use nn_train::{EpochReport, PartMetrics};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

pub(crate) const TRAIN: RGBColor = RGBColor(31, 119, 180);
pub(crate) const VAL: RGBColor = RGBColor(44, 160, 44);
pub(crate) const TEST: RGBColor = RGBColor(214, 39, 40);

pub(crate) fn err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing: {e}")
}

/// Loss (left) and accuracy (right; R² for regression) per epoch for every part, with the selected epoch
/// marked.
pub fn curves(path: &Path, history: &[EpochReport], title: &str, selected: usize) -> Result<()> {
    let root = SVGBackend::new(path, (1100, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(title, ("sans-serif", 18)).map_err(err)?;
    let panels = root.split_evenly((1, 2));
    for (panel, is_loss) in panels.iter().zip([true, false]) {
        curve_panel(panel, history, is_loss, selected)?;
    }
    root.present().map_err(err)
}

type PartOf = fn(&EpochReport) -> Option<&PartMetrics>;

/// The parts a report may have, with their names and colours.
const PARTS: [(&str, RGBColor, PartOf); 3] = [
    ("train", TRAIN, |r| Some(&r.train)),
    ("validation", VAL, |r| r.validation.as_ref()),
    ("test", TEST, |r| r.test.as_ref()),
];

/// One panel of [`curves`]: the loss, or the accuracy (R² for regression), of every part per epoch.
fn curve_panel(
    panel: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    history: &[EpochReport],
    is_loss: bool,
    selected: usize,
) -> Result<()> {
    let regression = history.first().is_some_and(|r| r.train.r2.is_some());
    let n = history.len().max(1) as f64;
    let value = |p: &PartMetrics| match (is_loss, p.r2) {
        (true, _) => p.loss,
        (false, Some(r2)) => r2,
        (false, None) => 100.0 * p.accuracy,
    };
    let ys = (history.iter())
        .flat_map(|r| PARTS.iter().filter_map(move |(_, _, g)| g(r)))
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
        .y_desc(match (is_loss, regression) {
            (true, false) => "cross-entropy loss",
            (true, true) => "loss ½·MSE (standardised target)",
            (false, false) => "accuracy (%)",
            (false, true) => "R²",
        })
        .draw()
        .map_err(err)?;
    for (name, color, get) in PARTS {
        let points: Vec<(f64, f64)> = (history.iter())
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
        .map_err(err)
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

/// A ROC curve (false-positive rate against true-positive rate) with the chance diagonal, its AUC in the title.
pub fn roc_curve(path: &Path, points: &[(f64, f64)], auc: f64, title: &str) -> Result<()> {
    let root = SVGBackend::new(path, (520, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("{title} (AUC {auc:.4})"), ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(35)
        .y_label_area_size(45)
        .build_cartesian_2d(0f64..1f64, 0f64..1f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("false-positive rate")
        .y_desc("true-positive rate")
        .draw()
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], BLACK.mix(0.3)))
        .map_err(err)?
        .label("chance")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.mix(0.3)));
    chart
        .draw_series(LineSeries::new(
            points.iter().copied(),
            TRAIN.stroke_width(2),
        ))
        .map_err(err)?
        .label("model")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], TRAIN.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
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
