//! The model file fuzzer's kept inputs (`fuzz/seeds/model_file`), replayed as the fuzz target calls the loader:
//! as a file and re-framed as a body; each gives a model or an error, never a panic, and a body that loads is
//! written back to the same bytes.

use nn_train::ModelFile;
use std::path::Path;

#[test]
fn model_file_seeds_replay_without_a_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/model_file");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        n += 1;
        let _ = ModelFile::from_bytes(&data, &path);
        if let Ok(c) = ModelFile::from_bytes(&ModelFile::frame(&data), &path) {
            let bytes = c
                .to_bytes()
                .expect("the writer accepts what the loader accepted");
            let again = ModelFile::from_bytes(&bytes, &path).expect("a written file loads");
            assert_eq!(again.to_bytes().ok(), Some(bytes), "{}", path.display());
        }
    }
    assert!(n >= 3, "the seeds are there ({n})");
}
