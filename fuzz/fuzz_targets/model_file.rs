//! The fuzz target `model_file`: what it checks is in `fuzz/checks/model_file.rs`, which the replay of its seeds
//! (`fuzz/seeds/model_file`) in the tests shares.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../checks/model_file.rs"]
mod check;

fuzz_target!(|data: &[u8]| check::check(data, "fuzz.nnm".as_ref()));
