//! The integration tests of the `nn` binary, except those with a harness of their own (`datasets`, `interop`,
//! `slurm`: they report a missing dataset or service as a failure under CI).
//!
//! The other files beside this one are its modules, built into one test binary: every test binary links the whole
//! dependency graph, and CI builds each one cold, so fewer binaries make a shorter CI.

mod common;

mod bad_input;
mod cli;
mod kill_resume;
mod options;
mod readme;
mod regression;
mod sweep;
mod tabular;
mod tensorboard;
