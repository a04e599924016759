//! `cargo xtask tidy`: structural rules that a compiler does not check.
//!
//! - Only `nn-linalg` names faer, in its manifest or its source: the rest of the workspace does its maths
//!   through `nn_linalg::Matrix`, so the backend can change in one crate.
//! - Dependencies point one way: cli/xtask → nn (the facade), nn-plot → export, sweep → train → data, core →
//!   linalg; xtask never depends on the command line (nn-cli).
//! - In a crate that turns `autotests` off (its integration tests are one binary, `tests/main.rs`), every
//!   `tests/*.rs` file is a module of that binary or a `[[test]]` target of its own: otherwise it is never
//!   compiled, and its tests never run.
//! - No module of a crate imports another that imports it back, directly or through others
//!   (`tidy/modules.rs`): a crate's modules form layers too.

mod modules;

use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};

/// What the clients at the top may use: every library crate (never each other: xtask does not use nn-cli).
const CLIENTS: &[&str] = &[
    "nn-linalg",
    "nn-core",
    "nn-data",
    "nn-train",
    "nn-export",
    "nn-sweep",
    "nn",
    "nn-plot",
];

/// The crates each workspace crate may depend on, lowest layer first.
const LAYERS: &[(&str, &[&str])] = &[
    ("nn-linalg", &[]),
    ("nn-core", &["nn-linalg"]),
    ("nn-data", &["nn-linalg"]),
    ("nn-train", &["nn-linalg", "nn-core", "nn-data"]),
    (
        "nn-export",
        &["nn-linalg", "nn-core", "nn-data", "nn-train"],
    ),
    (
        "nn",
        &["nn-linalg", "nn-core", "nn-data", "nn-train", "nn-export"],
    ),
    // A sweep's job is a run of the facade's settings (`nn::Settings`).
    (
        "nn-sweep",
        &["nn-linalg", "nn-core", "nn-data", "nn-train", "nn"],
    ),
    (
        "nn-plot",
        &["nn-linalg", "nn-core", "nn-data", "nn-train", "nn-sweep"],
    ),
    ("nn-cli", CLIENTS),
    ("xtask", CLIENTS),
    // The Python module reaches nn only through the facade.
    ("nn-python", &["nn"]),
];

pub fn run(root: &Path) -> Result<()> {
    let problems = check(root)?;
    if problems.is_empty() {
        println!("tidy: ok");
        return Ok(());
    }
    for p in &problems {
        eprintln!("tidy: {p}");
    }
    bail!("{} tidy problem(s)", problems.len())
}

/// Every violation found under `root`, as one line each.
pub fn check(root: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for dir in crate_dirs(root)? {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let manifest_path = dir.join("Cargo.toml");
        let manifest = fs::read_to_string(&manifest_path)
            .with_context(|| format!("reading {}", manifest_path.display()))?;
        if name != "nn-linalg" {
            if let Some(line) = manifest.lines().find(|l| names_faer(l)) {
                problems.push(format!(
                    "{} names faer (`{}`): only nn-linalg may",
                    manifest_path.display(),
                    line.trim()
                ));
            }
            // xtask's own source holds these rules as strings; its manifest is still checked.
            let sources = if name == "xtask" {
                Vec::new()
            } else {
                rust_files(&dir.join("src"))?
            };
            for file in sources.into_iter().chain(rust_files(&dir.join("tests"))?) {
                let text = fs::read_to_string(&file)?;
                if let Some((n, line)) = text
                    .lines()
                    .enumerate()
                    .find(|(_, l)| l.contains("faer::") || l.contains("use faer"))
                {
                    problems.push(format!(
                        "{}:{} uses faer (`{}`): go through nn_linalg",
                        file.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
        problems.extend(unbuilt_tests(&dir, &manifest)?);
        let src = dir.join("src");
        problems.extend(modules::cycles(&src, &rust_files(&src)?)?);
        if name.starts_with("nn-") && !LAYERS.iter().any(|(c, _)| *c == name) {
            problems.push(format!(
                "{name} is not in tidy's LAYERS: place it in the layering (and in docs/architecture.md)"
            ));
        }
        if let Some((_, allowed)) = LAYERS.iter().find(|(c, _)| *c == name) {
            for (other, _) in LAYERS {
                let declared = manifest.lines().any(|l| {
                    l.trim_start().starts_with(&format!("{other} "))
                        || l.trim_start().starts_with(&format!("{other}."))
                });
                if declared && *other != name && !allowed.contains(other) {
                    problems.push(format!("{name} depends on {other}, which is not below it"));
                }
            }
        }
    }
    Ok(problems)
}

/// The files of `dir/tests/` that no test target builds, when the manifest turns `autotests` off.
fn unbuilt_tests(dir: &Path, manifest: &str) -> Result<Vec<String>> {
    let tests = dir.join("tests");
    let autotests_off = manifest
        .lines()
        .any(|l| l.split_whitespace().collect::<String>() == "autotests=false");
    if !autotests_off || !tests.is_dir() {
        return Ok(Vec::new());
    }
    let main = fs::read_to_string(tests.join("main.rs")).unwrap_or_default();
    let mut problems = Vec::new();
    for entry in fs::read_dir(&tests)? {
        let path = entry?.path();
        let Some(stem) = path
            .file_stem()
            .filter(|_| path.extension().is_some_and(|e| e == "rs"))
            .map(|s| s.to_string_lossy().into_owned())
        else {
            continue;
        };
        let built = stem == "main"
            || main.lines().any(|l| l.trim() == format!("mod {stem};"))
            || manifest.lines().any(|l| {
                let l = l.split_whitespace().collect::<String>();
                l == format!("name=\"{stem}\"") || l == format!("path=\"tests/{stem}.rs\"")
            });
        if !built {
            problems.push(format!(
                "{} is in no test binary (autotests is off): add `mod {stem};` to tests/main.rs, or a [[test]]",
                path.display()
            ));
        }
    }
    problems.sort();
    Ok(problems)
}

fn names_faer(line: &str) -> bool {
    let l = line.trim_start();
    !l.starts_with('#') && (l.starts_with("faer") || l.contains("package = \"faer"))
}

fn crate_dirs(root: &Path) -> Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join("crates"))
        .with_context(|| format!("listing {}", root.join("crates").display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.push(root.join("xtask"));
    dirs.sort();
    Ok(dirs)
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real workspace obeys the rules. This is the tidy check in `cargo test --workspace`.
    #[test]
    fn workspace_is_tidy() {
        let problems = check(&crate::workspace_root()).unwrap();
        assert!(problems.is_empty(), "{problems:#?}");
    }

    /// A scratch workspace under the temporary directory: an xtask manifest and `files` (path, contents).
    fn scratch_workspace(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let root = std::env::temp_dir().join(format!("nn-tidy-{name}-{}", std::process::id()));
        let xtask = [("xtask/Cargo.toml", "[package]\nname = \"xtask\"\n")];
        for (path, text) in xtask.iter().chain(files) {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        root
    }

    /// And the check does catch a violation: a scratch workspace where nn-core names faer.
    #[test]
    fn faer_outside_linalg_is_caught() {
        let root = scratch_workspace(
            "faer",
            &[
                (
                    "crates/nn-core/Cargo.toml",
                    "[dependencies]\nfaer.workspace = true\nnn-train.workspace = true\n",
                ),
                (
                    "crates/nn-core/src/lib.rs",
                    "pub fn f(m: faer::Mat<f64>) {}\n",
                ),
            ],
        );
        let problems = check(&root).unwrap();
        fs::remove_dir_all(&root).unwrap();
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("names faer"));
        assert!(problems[1].contains("lib.rs:1 uses faer"));
        assert!(problems[2].contains("nn-core depends on nn-train"));
    }

    /// With autotests off, a test file that is neither a module of `tests/main.rs` nor a target is caught.
    #[test]
    fn a_test_file_in_no_binary_is_caught() {
        let root = scratch_workspace(
            "tests",
            &[
                (
                    "crates/nn-data/Cargo.toml",
                    "[package]\nname = \"nn-data\"\nautotests = false\n\n[[test]]\nname = \"own\"\nharness = false\n",
                ),
                ("crates/nn-data/tests/main.rs", "mod common;\nmod listed;\n"),
                ("crates/nn-data/tests/common/mod.rs", ""),
                ("crates/nn-data/tests/listed.rs", ""),
                ("crates/nn-data/tests/own.rs", ""),
                ("crates/nn-data/tests/forgotten.rs", ""),
            ],
        );
        let problems = check(&root).unwrap();
        fs::remove_dir_all(&root).unwrap();
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(problems[0].contains("forgotten.rs is in no test binary"));
    }
}
