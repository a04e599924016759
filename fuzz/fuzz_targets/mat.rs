//! Any bytes given to the .mat reader give variables or an error: never a panic, and never an allocation
//! beyond what the input's own bytes justify (libFuzzer's -rss_limit_mb catches those).
#![no_main]
use libfuzzer_sys::fuzz_target;
use nn_data::{LabelScheme, MatFile, dataset_from_mat};

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = MatFile::from_bytes(data.to_vec(), "fuzz.mat".as_ref()) {
        for name in file.names() {
            let _ = file.matrix(&name);
            let _ = file.vector(&name, 3);
        }
        let _ = dataset_from_mat(&file, "X", "y", LabelScheme::Auto);
    }
});
