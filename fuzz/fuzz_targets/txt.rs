//! Any bytes given to the text loader give a dataset or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nn_data::{LabelScheme, parse_txt};

fuzz_target!(|data: &[u8]| {
    for scheme in [LabelScheme::Auto, LabelScheme::Digits10] {
        let _ = parse_txt(data, "fuzz.txt".as_ref(), scheme);
    }
});
