//! A hostile endpoint never crashes a run: every case gets a clear outcome
//! and cause, the other cases still run, the reports are still written, and
//! the run ends within a bound set by `--timeout`.

mod common;

use std::time::{Duration, Instant};

use common::{case_dir, conform, raw_server, text};

const PATHS: &[(&str, &str, &str)] = &[
    // (path, outcome, a piece of the cause)
    ("/reset-headers", "errored", "request failed"),
    ("/reset-body", "errored", "reading the body failed"),
    ("/stall", "errored", "timed out after 2000 ms"),
    ("/trickle", "errored", "timed out after 2000 ms"),
    ("/huge", "errored", "exceeds the read limit of 8388608 bytes"),
    ("/not-json", "failed", "body is not JSON"),
    ("/bad-utf8", "failed", "body is not JSON"),
    ("/short", "errored", "reading the body failed"),
    ("/redirect", "failed", "unexpected status"),
    ("/http10", "passed", ""),
    ("/early-hints", "passed", ""),
    ("/no-content", "failed", "unexpected status"),
    ("/fine", "passed", ""),
];

#[test]
fn every_hostile_answer_gets_an_outcome_and_a_cause() {
    let port = raw_server();
    let mut cases = String::new();
    for (path, _, _) in PATHS {
        let name = path.trim_start_matches('/');
        cases.push_str(&format!(
            "[[case]]\nname = \"{name}\"\n[[case.step]]\nmethod = \"GET\"\npath = \"{path}\"\nexpect = {{ status = 200, json = {{}} }}\n\n"
        ));
    }
    let dir = case_dir(&[("h/h.toml", &cases)]);
    let reports = dir.path().join("reports");
    let started = Instant::now();
    let o = conform(
        &[
            "run",
            "--timeout",
            "2s",
            "--endpoint",
            &format!("http://127.0.0.1:{port}"),
            "--report-dir",
            reports.to_str().unwrap(),
            "h",
        ],
        dir.path(),
    );
    let elapsed = started.elapsed();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    // Cases run concurrently; the slowest is bounded by the 2 s timeout.
    assert!(elapsed < Duration::from_secs(15), "the run took {elapsed:?}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).unwrap()).unwrap();
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(cases.len(), PATHS.len());
    for (path, outcome, cause) in PATHS {
        let id = format!("h/h::{}", path.trim_start_matches('/'));
        let case = cases.iter().find(|c| c["id"] == id.as_str()).unwrap();
        assert_eq!(case["outcome"], *outcome, "{id}: {case:#}");
        let all = case.to_string();
        assert!(all.contains(cause), "{id}: no `{cause}` in {case:#}");
    }
    for f in ["junit.xml", "report.md", "report.html"] {
        assert!(reports.join(f).is_file(), "{f}");
    }
}

#[test]
fn a_very_large_case_file_is_refused_with_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    let mut text_ = String::from("[[case]]\nname = \"big\"\n# ");
    text_.push_str(&"x".repeat(9 * 1024 * 1024));
    let size = text_.len();
    std::fs::write(&big, text_).unwrap();
    let o = conform(&["check", "big.toml"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains(&format!("big.toml: file is too large ({size} bytes; the limit is 8388608)")), "{out}");
}
