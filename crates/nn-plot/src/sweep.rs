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
    let points: Vec<(&nn_sweep::Value, f64, f64, bool)> = board
        .rows
        .iter()
        .filter_map(|r| {
            let s = r.scores.get(metric)?;
            Some((r.params.get(param)?, s.mean, s.std, r.rank == 1))
        })
        .collect();
    let numbers: Option<Vec<f64>> = points.iter().map(|(v, ..)| v.as_f64()).collect();
    // Columns in the order the spec lists the values.
    let categories: Vec<String> = board
        .levels
        .get(param)
        .map(|vs| vs.iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    let log = numbers.as_ref().is_some_and(|xs| {
        let (lo, hi) = xs
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &x| (a.min(x), b.max(x)));
        lo > 0.0 && hi / lo >= 10.0
    });
    // x positions: log10 of the value, the value, or the category's column.
    let x_of = |v: &nn_sweep::Value| -> f64 {
        match (v.as_f64(), &numbers) {
            (Some(x), Some(_)) if log => x.log10(),
            (Some(x), Some(_)) => x,
            _ => categories
                .iter()
                .position(|c| *c == v.to_string())
                .unwrap_or(0) as f64,
        }
    };
    let xs: Vec<f64> = points.iter().map(|(v, ..)| x_of(v)).collect();
    let (mut x0, mut x1) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    if !(x0.is_finite() && x1 > x0) {
        (x0, x1) = (x0.min(0.0) - 0.5, x0.max(0.0) + 0.5);
    }
    let pad = 0.08 * (x1 - x0);
    let scale = |y: f64| {
        if metric.ends_with("-acc") {
            100.0 * y
        } else {
            y
        }
    };
    let (mut y0, mut y1) = points.iter().fold(
        (f64::INFINITY, f64::NEG_INFINITY),
        |(a, b), (_, m, s, _)| (a.min(scale(m - s)), b.max(scale(m + s))),
    );
    if !(y0.is_finite() && y1 > y0) {
        (y0, y1) = (y0.min(0.0) - 1.0, y0.max(0.0) + 1.0);
    }
    let ypad = 0.08 * (y1 - y0);
    let root = SVGBackend::new(path, (720, 440)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let best = board
        .rows
        .first()
        .and_then(|r| r.scores.get(metric))
        .map(|s| format_score(metric, *s));
    let title = format!(
        "{metric} against {param} ({} configurations{})",
        points.len(),
        best.map_or(String::new(), |b| format!("; best {b}"))
    );
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((x0 - pad)..(x1 + pad), (y0 - ypad)..(y1 + ypad))
        .map_err(err)?;
    let label = |x: &f64| -> String {
        match &numbers {
            // Two significant digits: 10^-3.5 reads 0.00032.
            Some(_) if log => {
                let v = 10f64.powf(*x);
                format!("{v:.1e}").parse::<f64>().unwrap_or(v).to_string()
            }
            Some(_) => format!("{x}"),
            None => {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    categories.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
        }
    };
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(if log {
        format!("{param} (log scale)")
    } else {
        param.to_string()
    })
    .y_desc(if metric.ends_with("-acc") {
        format!("{metric} (%)")
    } else {
        metric.clone()
    })
    .x_label_formatter(&label);
    if numbers.is_none() {
        mesh.x_labels(categories.len().max(2) * 4 + 1);
    }
    mesh.draw().map_err(err)?;
    for ((_, mean, std, is_best), x) in points.iter().zip(&xs) {
        let colour = if *is_best { BEST } else { POINT };
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(*x, scale(mean - std)), (*x, scale(mean + std))],
                colour.mix(0.6).stroke_width(1),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Circle::new(
                (*x, scale(*mean)),
                4,
                colour.filled(),
            )))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}
