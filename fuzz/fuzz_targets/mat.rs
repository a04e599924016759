//! The fuzz target `mat`: what it checks is in `fuzz/checks/mat.rs`, which the replay of its seeds
//! (`fuzz/seeds/mat`) in the tests shares.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../checks/mat.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data, "fuzz.mat".as_ref()));
