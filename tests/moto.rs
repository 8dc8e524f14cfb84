//! The gate on a real emulator is strict: `examples/moto/run.sh` runs the
//! Polly suite against moto_server with the committed baseline and exits
//! 0; without one of its entries the run fails on that divergence; with an
//! extra entry for a divergence that does not occur it fails as `fixed`.
//! The script installs moto[server] from PyPI into `target/moto-venv`
//! (once) and starts moto_server on a free loopback port for each run.

mod common;

use std::path::Path;
use std::process::Command;

use common::root;
use serde_json::Value;

/// Runs the gate with `baseline`; returns the exit code, the output and
/// the report.
fn gate(baseline: &Path, reports: &Path) -> (Option<i32>, String, Value) {
    let out = Command::new("bash")
        .arg(root().join("examples/moto/run.sh"))
        .arg("--quiet")
        .env("MOTO_BASELINE", baseline)
        .env("MOTO_REPORT_DIR", reports)
        .env("CONFORM", env!("CARGO_BIN_EXE_conform"))
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let report = std::fs::read_to_string(reports.join("report.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (out.status.code(), text, report)
}

fn outcome<'a>(report: &'a Value, id: &str) -> &'a str {
    report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id)
        .and_then(|c| c["outcome"].as_str())
        .unwrap_or("")
}

#[test]
fn the_moto_gate_passes_with_its_baseline_and_is_strict() {
    let committed = std::fs::read_to_string(root().join("examples/moto/known.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();

    // As committed: green, every case known or passed, nothing fixed.
    let (code, text, report) = gate(&root().join("examples/moto/known.toml"), &dir.path().join("as-committed"));
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(report["summary"]["failed"], 0, "{text}");
    assert_eq!(report["summary"]["fixed"], 0, "{text}");
    assert!(report["summary"]["known"].as_u64().unwrap_or(0) > 0, "{text}");
    assert!(
        committed.matches("[[known]]").count() == committed.matches("reason = ").count(),
        "every entry has a reason"
    );

    // One entry removed: its divergence is new again, and the run fails.
    let first = committed.find("[[known]]").unwrap();
    let second = first + 1 + committed[first + 1..].find("[[known]]").unwrap();
    let removed_case = committed[first..second].split('"').nth(1).unwrap().to_owned();
    let fewer = dir.path().join("fewer.toml");
    std::fs::write(&fewer, format!("{}{}", &committed[..first], &committed[second..])).unwrap();
    let (code, text, report) = gate(&fewer, &dir.path().join("fewer"));
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(outcome(&report, &removed_case), "failed", "{text}");

    // An entry for a divergence that does not occur: fixed, and the run fails.
    let more = dir.path().join("more.toml");
    let bogus = "\n[[known]]\ncase = \"polly/voices::every-voice-has-the-documented-members\"\nstep = \"describe\"\nkind = \"status\"\nreason = \"not true: moto answers 200\"\n";
    std::fs::write(&more, format!("{committed}{bogus}")).unwrap();
    let (code, text, report) = gate(&more, &dir.path().join("more"));
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(outcome(&report, "polly/voices::every-voice-has-the-documented-members"), "fixed", "{text}");
    assert!(text.contains("more.toml:") && text.contains("status matched nothing"), "{text}");
}
