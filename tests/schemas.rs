//! The JSON Schemas of the file kinds (#18): the committed copies in
//! `schemas/` are what `conform schema` prints (`CONFORM_BLESS=1` rewrites
//! them), every shipped TOML file validates against its schema, and the
//! broken fixtures whose problem is structure (an unknown key, a wrong
//! type, a value out of range, a required key missing) are rejected.

mod common;

use std::path::{Path, PathBuf};

use conform::case::{FileKind, json_schema};
use serde_json::Value;

fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Case => "case",
        FileKind::Suite => "suite",
        FileKind::Contract => "contract",
        _ => "a kind this test does not know yet",
    }
}

fn validator(kind: FileKind) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&json_schema(kind)).expect("the schema is JSON");
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("the {} schema is not valid: {e}", kind_name(kind)))
}

/// A TOML file as the JSON value a schema validator sees.
fn toml_as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::to_value(value).expect("TOML converts to JSON")
}

/// The kind of a TOML file by its name; `None` for other TOML files
/// (baselines).
fn kind_of(path: &Path) -> Option<FileKind> {
    match path.file_name()?.to_str()? {
        "suite.toml" => Some(FileKind::Suite),
        "contract.toml" => Some(FileKind::Contract),
        // A baseline lists `[[known]]` divergences; it is not a case file.
        _ if std::fs::read_to_string(path).is_ok_and(|t| t.contains("[[known]]")) => None,
        _ => Some(FileKind::Case),
    }
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

#[test]
fn committed_schemas_are_the_generated_ones() {
    let dir = common::root().join("schemas");
    for (kind, file) in FileKind::ALL {
        let generated = json_schema(kind);
        let path = dir.join(file);
        if std::env::var_os("CONFORM_BLESS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} differs from `conform schema {}`: run `CONFORM_BLESS=1 cargo test --test schemas` and commit the result",
            path.display(),
            kind_name(kind)
        );
    }
}

#[test]
fn conform_schema_prints_each_schema() {
    for (kind, _) in FileKind::ALL {
        let out = common::conform(&["schema", kind_name(kind)], &common::root());
        assert!(out.status.success(), "{}", common::text(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), json_schema(kind));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    }
    let out = common::conform(&["schema", "baseline"], &common::root());
    assert_eq!(out.status.code(), Some(2), "{}", common::text(&out));
}

#[test]
fn every_shipped_toml_file_validates_against_its_schema() {
    let root = common::root();
    let mut files = Vec::new();
    for dir in ["cases", "examples"] {
        toml_files(&root.join(dir), &mut files);
    }
    let validators: Vec<_> = FileKind::ALL.iter().map(|(k, _)| (*k, validator(*k))).collect();
    let mut checked = [0usize; 3];
    let mut problems = Vec::new();
    for path in &files {
        let Some(kind) = kind_of(path) else { continue };
        let (i, (_, v)) = validators.iter().enumerate().find(|(_, (k, _))| *k == kind).expect("a validator per kind");
        checked[i] += 1;
        for e in v.iter_errors(&toml_as_json(path)) {
            problems.push(format!(
                "{}: {} at {}",
                path.strip_prefix(&root).unwrap_or(path).display(),
                e,
                e.instance_path()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The shipped files hold every kind: the test checks something.
    assert!(checked.iter().all(|n| *n >= 2), "files checked per kind (case, suite, contract): {checked:?}");
}

/// Broken fixtures whose problem a schema can see, and what breaks them.
const STRUCTURAL: &[(&str, &str)] = &[
    ("unknown-top-level-key.toml", "unknown key at the top"),
    ("unknown-case-key.toml", "unknown key in a case"),
    ("unknown-step-key.toml", "unknown key in a step"),
    ("unknown-expect-key.toml", "unknown key in expect"),
    ("unknown-header-matcher.toml", "unknown header matcher"),
    ("unknown-sign-mode.toml", "unknown signing mode"),
    ("wrong-type-method.toml", "method of the wrong type"),
    ("wrong-type-name.toml", "name of the wrong type"),
    ("wrong-type-tags.toml", "tags of the wrong type"),
    ("status-as-string.toml", "status as a string"),
    ("status-out-of-range.toml", "status out of range"),
    ("status-empty-list.toml", "empty list of statuses"),
    ("capture-not-a-string.toml", "capture not a string"),
    ("error-not-a-string.toml", "error type not a string"),
    ("missing-name.toml", "case without a name"),
    ("missing-method.toml", "step without a method"),
    ("missing-path.toml", "step without a path"),
    ("bad-suite/suite.toml", "unknown key in a suite"),
    ("bad-shape-mode/suite.toml", "unknown shape mode"),
];

#[test]
fn structurally_broken_fixtures_are_rejected() {
    let dir = common::root().join("tests/fixtures/invalid");
    let mut accepted = Vec::new();
    for (file, what) in STRUCTURAL {
        let path = dir.join(file);
        let kind = kind_of(&path).expect("a fixture is a case or suite file");
        if validator(kind).is_valid(&toml_as_json(&path)) {
            accepted.push(format!("{file} ({what})"));
        }
    }
    assert!(accepted.is_empty(), "the schema accepts: {}", accepted.join(", "));
}
