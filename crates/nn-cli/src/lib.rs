//! The presentation side of `nn`: progress rendering, summaries and metric tables. No training logic lives
//! here (that is the `nn` facade's), and the figures are `nn-plot`'s.

pub mod report;
