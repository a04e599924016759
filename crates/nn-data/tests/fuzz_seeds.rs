//! The fuzzers' kept inputs (`fuzz/seeds/txt` and `fuzz/seeds/mat`), replayed through the checks the fuzz
//! targets make (`fuzz/checks/`): each gives a dataset or an error, never a panic, and a schema reads its own
//! table back.

#[path = "../../../fuzz/checks/mat.rs"]
mod mat_check;
#[path = "../../../fuzz/checks/seeds.rs"]
mod seeds;
#[path = "../../../fuzz/checks/txt.rs"]
mod txt_check;

#[test]
fn text_seeds_replay_without_a_panic() {
    for (path, data) in seeds::seeds("txt", 1) {
        txt_check::check(&data, &path);
    }
}

#[test]
fn mat_seeds_replay_without_a_panic() {
    for (path, data) in seeds::seeds("mat", 1) {
        mat_check::check(&data, &path);
    }
}
