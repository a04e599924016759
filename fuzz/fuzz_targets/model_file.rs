//! Any bytes given to the model file loader give a model file or an error: never a panic, and never a large
//! allocation from a forged length (libFuzzer's -rss_limit_mb catches those).
//!
//! Most random bytes fail the magic or checksum, so the target also re-wraps its input as a correctly framed,
//! correctly checksummed body: the bincode decoder and the consistency checks then see arbitrary bodies.
#![no_main]
use libfuzzer_sys::fuzz_target;
use nn_train::ModelFile;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.nnm");
    let _ = ModelFile::from_bytes(data, path);
    let framed = ModelFile::frame(data);
    if let Ok(c) = ModelFile::from_bytes(&framed, path) {
        // A body that decodes and checks must be writable, and read back to the same bytes (compared as
        // bytes: metrics may hold a NaN, which no struct comparison calls equal).
        let bytes = c.to_bytes().expect("the writer accepts what the loader accepted");
        let again = ModelFile::from_bytes(&bytes, path).expect("a written file loads");
        assert_eq!(again.to_bytes().ok(), Some(bytes));
    }
});
