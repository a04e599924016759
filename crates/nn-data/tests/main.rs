//! The integration tests of nn-data, except `real_files`, which has a harness of its own (it reports a missing
//! dataset as a failure under CI).
//!
//! The other files beside this one are its modules, built into one test binary: every test binary links the whole
//! dependency graph, and CI builds each one cold, so fewer binaries make a shorter CI.

mod common;

mod csv;
mod csv_edges;
mod fuzz_seeds;
mod mat;
mod parts;
mod txt;
