//! The facade's integration tests, one binary (see docs/architecture.md).

mod facade;
mod settings;
