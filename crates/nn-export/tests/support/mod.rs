//! Helpers of the export tests.
pub mod models;
pub mod tract;
