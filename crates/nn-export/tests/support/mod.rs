//! Helpers of the export tests.
pub mod tract;
