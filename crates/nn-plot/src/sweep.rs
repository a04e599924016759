//! A sweep's metric against one swept flag: each configuration's mean, with a bar of ± one standard deviation.

use crate::charts::err;
use anyhow::Result;
use nn_sweep::Leaderboard;
use nn_sweep::leaderboard::format_score;
use plotters::prelude::*;
use std::path::Path;

const POINT: RGBColor = RGBColor(31, 119, 180);
const BEST: RGBColor = RGBColor(214, 39, 40);

/// Draws `board`'s metric against the flag `param` into an SVG at `path`. A numeric flag gets a numeric axis,
/// logarithmic when its values are positive and span a factor of 10 or more; any other flag one column per
/// value, in the order the plan has them. The best configuration is red.
pub fn sweep_parameter(path: &Path, board: &Leaderboard, param: &str) -> Result<()> {
    let metric = &board.metric;
    let rows: Vec<(&nn_sweep::Value, f64, f64, bool)> = (board.rows.iter())
        .filter_map(|r| {
            let s = r.scores.get(metric)?;
            Some((r.params.get(param)?, s.mean, s.std, r.rank == 1))
        })
        .collect();
    let axis = Axis::new(board, param, rows.iter().map(|r| r.0));
    // Accuracies in percent.
    let percent = metric.ends_with("-acc");
    let scale = |y: f64| if percent { 100.0 * y } else { y };
    let points: Vec<Point> = (rows.iter())
        .map(|&(v, mean, std, best)| Point {
            x: axis.x(v),
            low: scale(mean - std),
            mean: scale(mean),
            high: scale(mean + std),
            best,
        })
        .collect();
    let best = (board.rows.first())
        .and_then(|r| r.scores.get(metric))
        .map(|s| format_score(metric, *s));
    let title = format!(
        "{metric} against {param} ({} configurations{})",
        points.len(),
        best.map_or(String::new(), |b| format!("; best {b}"))
    );
    let y_desc = if percent {
        format!("{metric} (%)")
    } else {
        metric.clone()
    };
    draw(path, &title, &axis, &y_desc, &points)
}

/// One configuration: its x position, and its mean with ± one standard deviation, in the axis's units.
struct Point {
    x: f64,
    low: f64,
    mean: f64,
    high: f64,
    best: bool,
}

/// The swept flag's axis: numeric (maybe logarithmic) or one column per value.
struct Axis {
    param: String,
    numeric: bool,
    log: bool,
    /// The values in the order the spec lists them (the columns of a non-numeric flag).
    categories: Vec<String>,
}

impl Axis {
    fn new<'a>(
        board: &Leaderboard,
        param: &str,
        values: impl Iterator<Item = &'a nn_sweep::Value> + Clone,
    ) -> Axis {
        let numbers: Option<Vec<f64>> = values.map(nn_sweep::Value::as_f64).collect();
        let log = numbers.as_ref().is_some_and(|xs| {
            let (lo, hi) =
                (xs.iter()).fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
            lo > 0.0 && hi / lo >= 10.0
        });
        Axis {
            param: param.to_string(),
            numeric: numbers.is_some(),
            log,
            categories: (board.levels.get(param))
                .map(|vs| vs.iter().map(ToString::to_string).collect())
                .unwrap_or_default(),
        }
    }

    /// The x position: log10 of the value, the value, or the category's column.
    fn x(&self, v: &nn_sweep::Value) -> f64 {
        match v.as_f64() {
            Some(x) if self.numeric && self.log => x.log10(),
            Some(x) if self.numeric => x,
            _ => (self.categories.iter())
                .position(|c| *c == v.to_string())
                .unwrap_or(0) as f64,
        }
    }

    /// The tick label at `x`.
    fn label(&self, x: f64) -> String {
        if self.numeric && self.log {
            // Two significant digits: 10^-3.5 reads 0.00032.
            let v = 10f64.powf(x);
            return format!("{v:.1e}").parse::<f64>().unwrap_or(v).to_string();
        }
        if self.numeric {
            return format!("{x}");
        }
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 {
            self.categories.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }

    fn description(&self) -> String {
        if self.log {
            format!("{} (log scale)", self.param)
        } else {
            self.param.clone()
        }
    }
}

/// The range of `values` with 8% of room on each side (`fallback` either side of them, or of 0, when they
/// span nothing).
fn padded(values: impl Iterator<Item = f64>, fallback: f64) -> std::ops::Range<f64> {
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !(lo.is_finite() && hi > lo) {
        (lo, hi) = (lo.min(0.0) - fallback, lo.max(0.0) + fallback);
    }
    let pad = 0.08 * (hi - lo);
    (lo - pad)..(hi + pad)
}

fn draw(path: &Path, title: &str, axis: &Axis, y_desc: &str, points: &[Point]) -> Result<()> {
    let root = SVGBackend::new(path, (720, 440)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let x_range = padded(points.iter().map(|p| p.x), 0.5);
    let y_range = padded(points.iter().flat_map(|p| [p.low, p.high]), 1.0);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x_range, y_range)
        .map_err(err)?;
    let label = |x: &f64| axis.label(*x);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(axis.description())
        .y_desc(y_desc)
        .x_label_formatter(&label);
    if !axis.numeric {
        mesh.x_labels(axis.categories.len().max(2) * 4 + 1);
    }
    mesh.draw().map_err(err)?;
    for p in points {
        let colour = if p.best { BEST } else { POINT };
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(p.x, p.low), (p.x, p.high)],
                colour.mix(0.6).stroke_width(1),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Circle::new(
                (p.x, p.mean),
                4,
                colour.filled(),
            )))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}
