//! The fuzz target `sweep_spec`: what it checks is in `fuzz/checks/sweep_spec.rs`, which the replay of its seeds
//! (`fuzz/seeds/sweep_spec`) in the tests shares.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../checks/sweep_spec.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data, "fuzz.toml".as_ref()));
