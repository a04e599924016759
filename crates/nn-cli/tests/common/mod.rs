//! Helpers shared by the tests of the `nn` binary. Each test binary uses some of them.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The `nn` binary of this build.
pub fn nn() -> Command {
    Command::cargo_bin("nn").unwrap()
}

/// `nn` run in `dir` with the arguments written as one line, split at the spaces.
pub fn nn_in(dir: &Path, line: &str) -> std::process::Output {
    nn().current_dir(dir).args(args(line)).output().unwrap()
}

/// Arguments written as one line, split at the spaces.
pub fn args(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// A fresh empty directory for one test, unique to this process. It is removed when the test is done,
/// and kept when the test fails, to be looked at.
pub fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("nn-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// A test's directory (see [`scratch`]); it derefs to its path.
pub struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for Scratch {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Two overlapping blobs, 80 rows of `x1,x2,label`.
pub fn blobs(dir: &Path) -> PathBuf {
    let mut s = String::new();
    for i in 0..80 {
        let c = i % 2;
        let sign = if c == 1 { 1.0 } else { -1.0 };
        let k = i as f64;
        s.push_str(&format!(
            "{:.5},{:.5},{c}\n",
            sign * 0.8 + 0.7 * (k * 1.7).sin(),
            sign * 0.5 + 0.7 * (k * 2.3).cos()
        ));
    }
    let path = dir.join("blobs.txt");
    std::fs::write(&path, s).unwrap();
    path
}

/// `nn train --data DATA --out OUT ARGS…`, run to the end.
pub fn train_on(data: &Path, out: &Path, args: &[&str]) -> std::process::Output {
    nn().args(["train", "--data"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .unwrap()
}

/// `nn sweep SPEC --out DIR ARGS...`, run to its end.
pub fn sweep(spec: &Path, out: &Path, args: &[&str]) -> std::process::Output {
    nn().arg("sweep")
        .arg(spec)
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .unwrap()
}

/// What `nn inspect --model MODEL` prints.
pub fn inspect(model: &Path) -> String {
    let out = nn()
        .args(["inspect", "--model"])
        .arg(model)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A command's standard error as text.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A failure is one `error:` line (plus nothing), exit code 1, never a panic (101).
pub fn assert_clean_failure(out: &std::process::Output, needle: &str) {
    let err = assert_failure(out, 1, "error: ", needle);
    assert!(
        !err.contains("RUST_BACKTRACE") && err.trim().lines().count() == 1,
        "{err}"
    );
}

/// `out` failed with `code`, its standard error starts with `prefix` and says `needle`, and nothing panicked.
fn assert_failure(out: &std::process::Output, code: i32, prefix: &str, needle: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(
        err.starts_with(prefix) && err.contains(needle),
        "'{needle}' not in: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// `text` contains `needle`; the message shows all of `text`.
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "'{needle}' not in: {text}");
}

/// Every file of every job of the sweep in `dir` (job.json and time.json aside: when and where, not what),
/// by path relative to `dir`.
pub fn job_files(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    for job in std::fs::read_dir(dir.join("jobs")).unwrap() {
        for f in std::fs::read_dir(job.unwrap().path()).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name != "job.json" && name != "time.json" {
                files.insert(
                    f.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&f).unwrap(),
                );
            }
        }
    }
    files
}

/// A value the command line's parser refuses: clap's usage error (exit code 2) naming the flag and saying
/// what it expected, never a panic.
pub fn assert_usage_error(out: &std::process::Output, needle: &str) {
    assert_failure(out, 2, "error: invalid value", needle);
}

/// The job files of the sweeps in `a` and `b` are the same, byte for byte (`what` names `b` in the message).
pub fn assert_same_job_files(a: &Path, b: &Path, what: &str) {
    let (a, b) = (job_files(a), job_files(b));
    let differ: Vec<_> = (a.keys().chain(b.keys()))
        .filter(|k| a.get(*k) != b.get(*k))
        .collect();
    assert!(differ.is_empty(), "{what}'s files differ: {differ:?}");
}
