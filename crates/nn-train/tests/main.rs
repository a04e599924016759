//! The integration tests of nn-train (except `allocations`, which counts allocations with its own global allocator
//! and so needs a process of its own).
//!
//! The other files beside this one are its modules, built into one test binary: every test binary links the whole
//! dependency graph, and CI builds each one cold, so fewer binaries make a shorter CI.

mod common;

mod bad_bodies;
mod bad_files;
mod determinism;
mod golden;
mod model_file;
mod optimizer_steps;
mod saving;
mod selection;
mod training;
