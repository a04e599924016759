//! The fuzz target `txt`: what it checks is in `fuzz/checks/txt.rs`, which the replay of its seeds
//! (`fuzz/seeds/txt`) in the tests shares.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../checks/txt.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data, "fuzz.csv".as_ref()));
