//! The model file fuzzer's kept inputs (`fuzz/seeds/model_file`), replayed through the check the fuzz target
//! makes (`fuzz/checks/model_file.rs`): as a file and re-framed as a body; each gives a model or an error,
//! never a panic, and a body that loads is written back to the same bytes.

#[path = "../../../fuzz/checks/model_file.rs"]
mod check;
#[path = "../../../fuzz/checks/seeds.rs"]
mod seeds;

#[test]
fn model_file_seeds_replay_without_a_panic() {
    for (path, data) in seeds::seeds("model_file", 3) {
        check::check(&data, &path);
    }
}
