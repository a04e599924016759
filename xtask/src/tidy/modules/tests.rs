//! The import-cycle reader on small made-up crates.

use super::*;

fn graph_of(files: &[(&str, &str)]) -> Vec<Vec<String>> {
    let modules: BTreeMap<Module, String> = files
        .iter()
        .map(|(f, t)| (module_of(f), code_of(t)))
        .collect();
    strongly_connected(&imports(&modules))
        .iter()
        .map(|c| c.iter().map(display).collect())
        .collect()
}

#[test]
fn a_module_importing_one_that_imports_it_back_is_a_cycle() {
    let cycles = graph_of(&[
        ("lib.rs", "mod a;\nmod b;\nmod c;\npub use a::A;\n"),
        ("a.rs", "use crate::b::B;\npub struct A;\n"),
        ("b.rs", "use crate::c::{C, other::D};\npub struct B;\n"),
        ("c.rs", "pub struct C(crate::A);\n"),
    ]);
    assert_eq!(cycles, vec![vec!["a", "b", "c"]]);
}

#[test]
fn a_re_export_or_a_test_is_not_an_import_of_its_module() {
    let cycles = graph_of(&[
        ("lib.rs", "mod a;\nmod b;\npub use a::A;\npub use b::B;\n"),
        (
            "a.rs",
            "pub struct A;\n#[cfg(test)]\nmod tests {\n    use crate::B;\n}\n",
        ),
        (
            "b.rs",
            "use crate::A;\n// crate::b::B is ours\npub struct B;\n",
        ),
        ("a/tests.rs", "use crate::B;\n"),
    ]);
    assert!(cycles.is_empty(), "{cycles:?}");
}

#[test]
fn a_child_that_imports_its_parent_back_is_a_cycle() {
    let cycles = graph_of(&[
        ("lib.rs", "mod job;\n"),
        (
            "job/mod.rs",
            "mod cv;\npub use cv::cross_validate;\npub struct Spec;\n",
        ),
        (
            "job/cv.rs",
            "use super::Spec;\npub fn cross_validate() {}\n",
        ),
    ]);
    assert_eq!(cycles, vec![vec!["job", "job::cv"]]);
}

#[test]
fn a_parent_calling_its_child_counts_and_an_inline_modules_super_is_its_file() {
    let cycles = graph_of(&[
        ("lib.rs", "mod cmd;\nmod spec;\n"),
        (
            "cmd/mod.rs",
            "mod train;\npub fn run() { train::run() }\npub fn out() {}\n",
        ),
        ("cmd/train.rs", "pub fn run() { super::out() }\n"),
        ("spec.rs", "mod text;\npub struct Spec;\n"),
        (
            "spec/text.rs",
            "pub struct Text;\npub mod or_none {\n    use super::Text;\n}\n",
        ),
    ]);
    assert_eq!(cycles, vec![vec!["cmd", "cmd::train"]]);
}
