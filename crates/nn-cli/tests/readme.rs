//! Every `sh` block of the README runs as written: in order, each as one bash script (`set -euo pipefail`), in
//! a scratch folder holding a copy of the repository's `data/` files and `experiments/` specs, with this build's
//! `nn` first on the PATH and `NN_EPOCHS_CAP` set so that the long runs take seconds. Blocks whose fence says
//! `sh no-test` are left out (each says why beside it); any other line that does not start with `nn` or a
//! comment must be in one of those, so that no command is skipped by accident.

use crate::common::scratch;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The README's fenced blocks whose info string is `info`, with their first line numbers.
fn blocks(readme: &str, info: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in readme.lines().enumerate() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(fence)) if fence.trim() == info => current = Some((i + 2, String::new())),
            (None, Some(_)) => current = Some((0, String::new())),
            (Some(_), Some("")) => {
                if let Some((start, text)) = current.take().filter(|(start, _)| *start > 0) {
                    out.push((start, text));
                }
            }
            (Some((_, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path, keep: impl Fn(&Path) -> bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && keep(&path) {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn every_sh_block_of_the_readme_runs_as_written() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let dir = scratch("readme");
    copy_dir(&root.join("data"), &dir.join("data"), |p| {
        p.extension()
            .is_some_and(|e| e == "csv" || e == "txt" || e == "mat")
    });
    copy_dir(&root.join("experiments"), &dir.join("experiments"), |_| {
        true
    });
    let nn = PathBuf::from(env!("CARGO_BIN_EXE_nn"));
    let path = format!(
        "{}:{}",
        nn.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let run = blocks(&readme, "sh");
    assert!(run.len() >= 5, "the README's sh blocks: {run:?}");
    for (line, script) in &run {
        let joined = script.replace("\\\n", " ");
        for command in joined.lines().map(str::trim) {
            assert!(
                command.is_empty() || command.starts_with('#') || command.starts_with("nn "),
                "README.md:{line}: `{command}` is neither an nn command nor a comment; mark its block `sh no-test`"
            );
        }
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", script])
            .current_dir(&dir)
            .env("PATH", &path)
            .env("NN_EPOCHS_CAP", "3")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README.md:{line}: the block failed ({}):\n{script}\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What the commands write is there.
    for file in [
        "chips.nnm",
        "digits.nnm",
        "chips-lbfgs.nnm",
        "penguins.nnm",
        "housing.nnm",
        "chips.onnx",
        "chips.safetensors",
        "chips-theta.mat",
        "course.nnm",
        "sweeps/binary/sweep.json",
    ] {
        assert!(dir.join(file).is_file(), "{file} was not written");
    }
    // The blocks left out are few: the two commands (CI runs the tests; the replay is the main job), installing
    // the binary, the Slurm submission and the Python package's install.
    let left_out = blocks(&readme, "sh no-test");
    assert!(left_out.len() <= 4, "{left_out:?}");
}
