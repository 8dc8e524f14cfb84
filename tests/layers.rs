//! Issue #17: dependencies point one way. Each module may use only the
//! modules below it; this reads every `crate::` path in `src/` and fails on
//! one that points up, and on two files of one module that use each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom to top. A module may use the modules listed before it.
const LAYERS: &[&str] = &[
    "civil", "matcher", "files", "double", "contract", "protocol", "case", "baseline", "runner", "report", "target",
    "generate", "harness", "cli",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module a file of `src/` belongs to (`src/case/load.rs` is `case`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component").as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_owned()
}

/// The code of a file without its `#[cfg(test)]` module and comments.
fn code(text: &str) -> String {
    let body = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    body.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

#[test]
fn no_module_uses_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let uses = regex::Regex::new(r"crate::([a-z_]+)").expect("regex");
    let mut violations = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        let Some(&own) = rank.get(module.as_str()) else { continue };
        let text = std::fs::read_to_string(file).expect("read");
        let used: BTreeSet<String> = uses.captures_iter(&code(&text)).map(|c| c[1].to_owned()).collect();
        for m in used {
            if let Some(&other) = rank.get(m.as_str())
                && other > own
            {
                violations.push(format!("{} ({module}) uses {m}, which sits above it", file.display()));
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn no_two_files_of_a_module_use_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let sibling = regex::Regex::new(r"super::([a-z_]+)").expect("regex");
    let group = regex::Regex::new(r"super::\{([^}]*)\}").expect("regex");
    // (module folder, file stem) -> siblings it uses.
    let mut graph: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let (Some(dir), Some(stem)) = (file.parent(), file.file_stem()) else { continue };
        if dir == src || stem == "mod" {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("read");
        let code = code(&text);
        let mut used: BTreeSet<String> = sibling.captures_iter(&code).map(|c| c[1].to_owned()).collect();
        for g in group.captures_iter(&code) {
            used.extend(g[1].split(',').map(|p| p.trim().split("::").next().unwrap_or("").to_owned()));
        }
        graph.insert((dir.display().to_string(), stem.to_string_lossy().into_owned()), used);
    }
    let mut cycles = Vec::new();
    for ((dir, a), used) in &graph {
        for b in used {
            if graph.get(&(dir.clone(), b.clone())).is_some_and(|back| back.contains(a)) && a < b {
                cycles.push(format!("{dir}: {a}.rs and {b}.rs use each other"));
            }
        }
    }
    assert!(cycles.is_empty(), "{cycles:#?}");
}
