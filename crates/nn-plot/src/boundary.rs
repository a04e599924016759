//! The decision boundary of a two-feature model, with the samples on top.

use crate::charts::{TEST, TRAIN, err};
use anyhow::{Result, anyhow};
use nn_linalg::Matrix;
use nn_train::ModelFile;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::path::Path;

/// Cells per side of the grid the model is evaluated on.
const GRID: usize = 150;

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The model's decision regions over the two raw features, with the samples drawn on top (circles: training
/// part, triangles: other parts). `x` holds raw (unstandardised) features; the model applies its standardiser.
pub fn decision_boundary(
    path: &Path,
    model_file: &ModelFile,
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
    let grid = Grid::over(x, model_file)?;
    let ((x0, x1), (y0, y1)) = grid.range;
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
    grid.draw_regions(&mut chart)?;
    grid.draw_contour(&mut chart)?;
    draw_samples(&mut chart, x, labels, is_train)?;
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(err)?;
    root.present().map_err(err)
}

/// The model's probability of class 1 at the centres of a GRID × GRID grid over the data's range, padded by
/// a tenth on each side.
struct Grid {
    /// (x0, x1), (y0, y1).
    range: ((f64, f64), (f64, f64)),
    /// Cell centres, row by row (cell k is row k / GRID, column k % GRID).
    points: Matrix<f64>,
    /// P(class 1) at each centre.
    p1: Vec<f64>,
}

impl Grid {
    fn over(x: &Matrix<f64>, model_file: &ModelFile) -> Result<Grid> {
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
        let points = Matrix::from_fn(GRID * GRID, 2, |k, j| {
            let (row, col) = (k / GRID, k % GRID);
            if j == 0 {
                x0 + (x1 - x0) * (col as f64 + 0.5) / GRID as f64
            } else {
                y0 + (y1 - y0) * (row as f64 + 0.5) / GRID as f64
            }
        });
        let p = nn_train::job::predict_proba(model_file, &points)?;
        // One sigmoid unit scores class 1; two softmax units score classes 0 and 1.
        let p1 = (0..GRID * GRID).map(|k| p.get(k, p.cols() - 1)).collect();
        Ok(Grid {
            range: ((x0, x1), (y0, y1)),
            points,
            p1,
        })
    }

    /// Each cell filled blue-ish where class 1 is likely, red-ish where class 0 is.
    fn draw_regions(&self, chart: &mut Chart) -> Result<()> {
        let ((x0, x1), (y0, y1)) = self.range;
        let (dx, dy) = ((x1 - x0) / GRID as f64, (y1 - y0) / GRID as f64);
        chart
            .draw_series(self.p1.iter().enumerate().map(|(k, &q)| {
                let (gx, gy) = (self.points.get(k, 0), self.points.get(k, 1));
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
        Ok(())
    }

    /// The p = 0.5 contour: a dot on each cell whose right or upper neighbour lies on the other side.
    fn draw_contour(&self, chart: &mut Chart) -> Result<()> {
        let side = |k: usize| self.p1[k] >= 0.5;
        chart
            .draw_series(
                (0..GRID * GRID)
                    .filter(|&k| {
                        k % GRID + 1 < GRID
                            && (side(k) != side(k + 1)
                                || (k + GRID < GRID * GRID && side(k) != side(k + GRID)))
                    })
                    .map(|k| {
                        Circle::new(
                            (self.points.get(k, 0), self.points.get(k, 1)),
                            1,
                            BLACK.filled(),
                        )
                    }),
            )
            .map_err(err)?;
        Ok(())
    }
}

/// The samples of each class: circles for the training part, triangles for the parts held out.
fn draw_samples(
    chart: &mut Chart,
    x: &Matrix<f64>,
    labels: &[usize],
    is_train: &[bool],
) -> Result<()> {
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
    Ok(())
}
