//! The integration tests of nn-linalg.
//!
//! The other files beside this one are its modules, built into one test binary: every test binary links the whole
//! dependency graph, and CI builds each one cold, so fewer binaries make a shorter CI.

mod exp;
mod ops;
mod serde;
