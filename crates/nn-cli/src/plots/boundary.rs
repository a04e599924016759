//! The decision boundary of a two-feature model, with the samples on top.

use super::{TEST, TRAIN, err};
use anyhow::{Result, anyhow};
use nn_linalg::Matrix;
use nn_train::Checkpoint;
use plotters::prelude::*;
use std::path::Path;

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
