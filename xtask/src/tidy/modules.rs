//! Import cycles between the modules of one crate: a module that imports another which imports it back,
//! directly or through others.
//!
//! A module is a source file (`a/b.rs` or `a/b/mod.rs` is `a::b`; `lib.rs` and `main.rs` are the root). It
//! imports a module when a `use` or a path in its code (`crate::…`, `super::…`, `self::…`, or a child's name)
//! names an item of it. A name that a module only re-exports (`pub use x::Name`) counts as an import of the
//! module that defines it, so `use crate::Matrix` imports `matrix`, not the root. Test modules (`mod tests`
//! and `#[cfg(test)] mod tests { … }`) and comments are left out; inside an inline `mod name { … }`, `super::`
//! is the file's own module; a module declared with `#[path]` is known by its declared name. The reading is textual, which is enough for
//! this workspace's plain `use` trees; it errs towards seeing an import, never towards missing one.

use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// One line per cycle among the modules of the crate whose source is in `src`, made of `files`.
pub(super) fn cycles(src: &Path, files: &[PathBuf]) -> Result<Vec<String>> {
    let mut modules: BTreeMap<Module, String> = BTreeMap::new();
    for file in files {
        let module = module_of(&file.strip_prefix(src)?.to_string_lossy());
        modules.insert(module, code_of(&fs::read_to_string(file)?));
    }
    // A module declared at another path (`#[path = "…"] mod name;`) is known by its declared name.
    let declared: Vec<Module> = (modules.iter())
        .flat_map(|(m, code)| {
            path_declared(code)
                .into_iter()
                .map(move |name| [m.clone(), vec![name]].concat())
        })
        .collect();
    for m in declared {
        modules.entry(m).or_default();
    }
    let graph = imports(&modules);
    Ok(strongly_connected(&graph)
        .into_iter()
        .map(|cycle| {
            let names: Vec<String> = cycle.iter().map(display).collect();
            format!(
                "{}: modules that import each other: {}",
                src.display(),
                names.join(" ↔ ")
            )
        })
        .collect())
}

/// `a/b.rs`, `a/b/mod.rs` → `a::b`; `lib.rs`, `main.rs` → the root.
fn module_of(relative: &str) -> Module {
    let relative = relative.trim_end_matches(".rs").replace('\\', "/");
    let mut parts: Module = relative.split('/').map(str::to_string).collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("lib" | "main" | "mod")
    ) {
        parts.pop();
    }
    parts
}

/// The names of the modules that `code` declares with a `#[path]` attribute.
fn path_declared(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[path") {
        rest = &rest[at..];
        if let Some(m) = rest.find("mod ") {
            let name: String = (rest[m + 4..].chars())
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
        }
        rest = &rest[6..];
    }
    names
}

fn display(m: &Module) -> String {
    if m.is_empty() {
        "(root)".into()
    } else {
        m.join("::")
    }
}

/// The code of a file: without its `#[cfg(test)] mod tests { … }` (the rest of the file) and comment lines.
/// Inside an inline `mod name { … }`, `super::` is the file's own module, and is read as `self::`.
fn code_of(text: &str) -> String {
    let end = text.find("#[cfg(test)]\nmod tests {").unwrap_or(text.len());
    let mut depth_in_inline: Option<i32> = None;
    let mut out = Vec::new();
    for line in text[..end].lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        if depth_in_inline.is_none() && code.contains("mod ") && code.trim_end().ends_with('{') {
            depth_in_inline = Some(0);
        }
        match depth_in_inline.as_mut() {
            Some(depth) => {
                out.push(line.replace("super::", "self::"));
                *depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
                if *depth <= 0 {
                    depth_in_inline = None;
                }
            }
            None => out.push(line.to_string()),
        }
    }
    out.join("\n")
}

/// Every `use` tree (`pub` or not) as its flattened paths, with whether it is a re-export.
fn use_paths(code: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = &rest[..at];
        let starts_item = before
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == ')' || c == '{' || c == ';');
        if !starts_item {
            rest = &rest[at + 4..];
            continue;
        }
        let Some(end) = rest[at..].find(';') else {
            break;
        };
        let tree = &rest[at + 4..at + end];
        let public = before.trim_end().ends_with("pub") || before.trim_end().ends_with(')');
        flatten("", tree, &mut |p| out.push((public, p)));
        rest = &rest[at + end + 1..];
    }
    out
}

/// Calls `f` with each path of the use tree `tree` under `prefix`.
fn flatten(prefix: &str, tree: &str, f: &mut dyn FnMut(String)) {
    let tree = tree.trim();
    match tree.find('{') {
        Some(open) if tree.ends_with('}') => {
            let head = format!("{prefix}{}", &tree[..open]);
            let inner = &tree[open + 1..tree.len() - 1];
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        flatten(&head, &inner[start..i], f);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            flatten(&head, &inner[start..], f);
        }
        _ if !tree.is_empty() => {
            let path = tree.split(" as ").next().unwrap_or(tree).trim();
            f(format!("{prefix}{path}").replace(' ', ""));
        }
        _ => {}
    }
}

/// Paths in the code that start at `crate`, `super` or `self`.
fn inline_paths(code: &str) -> Vec<String> {
    ["crate::", "super::", "self::"]
        .iter()
        .flat_map(|start| inline_paths_from(code, start))
        .collect()
}

/// Paths in the code that start with `start` (`crate::`, or a child module's `name::`).
fn inline_paths_from(code: &str, start: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    {
        let mut from = 0;
        while let Some(at) = code[from..].find(start) {
            let at = from + at;
            let boundary =
                at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
            let end = (code[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')))
            .map_or(code.len(), |e| at + e);
            let path = code[at..end].trim_end_matches(':');
            // `crate::{…}` is a use tree, which `use_paths` reads.
            if boundary && path.contains("::") {
                out.push(path.to_string());
            }
            from = end.max(at + 1);
        }
    }
    out
}

/// The module that `path`, written in `from`, starts in (the longest prefix that is a module), and the
/// segments after it.
fn resolve<'p>(
    from: &Module,
    path: &'p str,
    modules: &BTreeMap<Module, String>,
) -> Option<(Module, Vec<&'p str>)> {
    let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base = match segments.first().copied() {
        Some("crate") => {
            segments.remove(0);
            Vec::new()
        }
        Some("self") => {
            segments.remove(0);
            from.clone()
        }
        Some("super") => {
            let mut base = from.clone();
            while segments.first() == Some(&"super") {
                segments.remove(0);
                base.pop()?;
            }
            base
        }
        Some(first) => {
            // A child module's name (`use child::Item`); anything else is another crate.
            let mut child = from.clone();
            child.push(first.to_string());
            if !modules.contains_key(&child) {
                return None;
            }
            from.clone()
        }
        None => return None,
    };
    let mut taken = 0;
    for (k, s) in segments.iter().enumerate() {
        let mut next = base.clone();
        next.push(s.to_string());
        if modules.contains_key(&next) {
            base = next;
            taken = k + 1;
        } else {
            break;
        }
    }
    Some((base, segments[taken..].to_vec()))
}

/// Module → the modules it imports.
fn imports(modules: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    // Which module defines each name that a module re-exports.
    let mut reexports: BTreeMap<(Module, String), Module> = BTreeMap::new();
    for (m, code) in modules {
        for (public, path) in use_paths(code) {
            if let (true, Some((target, rest))) = (public, resolve(m, &path, modules))
                && let Some(name) = rest.last()
            {
                reexports.insert((m.clone(), name.to_string()), target);
            }
        }
    }
    let mut graph = BTreeMap::new();
    for (m, code) in modules {
        let mut to = BTreeSet::new();
        if m.last().map(String::as_str) != Some("tests") {
            let paths = use_paths(code).into_iter().map(|(_, p)| p);
            let children = modules
                .keys()
                .filter(|c| c.len() == m.len() + 1 && c.starts_with(m));
            let child_paths: Vec<String> = children
                .filter_map(|c| c.last())
                .flat_map(|name| inline_paths_from(code, &format!("{name}::")))
                .collect();
            for path in paths.chain(inline_paths(code)).chain(child_paths) {
                let Some((mut target, rest)) = resolve(m, &path, modules) else {
                    continue;
                };
                if let Some(defined) =
                    (rest.first()).and_then(|n| reexports.get(&(target.clone(), n.to_string())))
                {
                    target = defined.clone();
                }
                if &target != m {
                    to.insert(target);
                }
            }
        }
        graph.insert(m.clone(), to);
    }
    graph
}

/// The strongly connected components of more than one module (Tarjan's algorithm, iterative).
fn strongly_connected(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    let nodes: Vec<&Module> = graph.keys().collect();
    let id = |m: &Module| nodes.iter().position(|n| *n == m);
    let edges: Vec<Vec<usize>> = (nodes.iter())
        .map(|n| graph[*n].iter().filter_map(&id).collect())
        .collect();
    let (mut index, mut low) = (vec![usize::MAX; nodes.len()], vec![0; nodes.len()]);
    let (mut stack, mut on_stack, mut next, mut found) =
        (Vec::new(), vec![false; nodes.len()], 0, Vec::new());
    for root in 0..nodes.len() {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0)];
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(nodes[w].clone());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    found.push(component);
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests;
