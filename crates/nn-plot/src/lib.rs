//! SVG figures of nn runs, shared by the `nn` binary and `cargo xtask experiments`, drawn with plotters' SVG
//! backend (no system libraries): the report's loss and accuracy curves (its Figures 4, 6, 8, 10), decision
//! boundaries (5, 7, 9), misclassified digits (11), per-class errors (12), and a confusion-matrix heat map.

mod boundary;
mod charts;
mod figures;
mod sweep;

pub use boundary::decision_boundary;
pub use charts::{class_error_bars, confusion_heatmap, curves, image_grid, roc_curve};
pub use figures::{Figure, FigureKind, training_figures};
pub use sweep::sweep_parameter;
