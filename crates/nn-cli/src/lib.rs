//! The presentation side of `nn`, shared by the `nn` binary and `cargo xtask experiments`: progress
//! rendering, summaries, metric tables and SVG plots. No training logic lives here.

pub mod plots;
pub mod report;
