//! Replays the inputs kept from fuzzing (`tests/fixtures/fuzz/<target>/`)
//! through the same code the fuzz targets drive: every input that once
//! crashed, and a few seeds. Each must be handled without a panic.
//! Every kept input, of every target, is also judged as a response body
//! through every response path (`conform::fuzzing::response_paths`).
//! `tests/fixtures/fuzz/judge-open/` holds inputs that still crash the
//! judge: they are not read here until they are fixed and moved.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use conform::case::{LoadOptions, load_bytes};
use conform::double::{AuthMode, DoubleConfig, Service};

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

#[test]
fn kept_loader_inputs_load_or_fail_cleanly() {
    for (name, data) in inputs("load_case") {
        let r = std::panic::catch_unwind(|| load_bytes(Path::new("fuzz.toml"), &data, &LoadOptions::default()));
        assert!(r.is_ok(), "{name} panicked the loader");
    }
}

#[test]
fn kept_requests_get_an_answer_below_500() {
    let service = Service::new(DoubleConfig { auth: AuthMode::Open, ..DoubleConfig::default() });
    for (name, data) in inputs("double_request") {
        let text = String::from_utf8_lossy(&data);
        let mut parts = text.splitn(3, '\n');
        let method = parts.next().unwrap_or("GET");
        let target = parts.next().unwrap_or("/");
        let rest = parts.next().unwrap_or("");
        let (head, body) = rest.split_once("\n\n").unwrap_or((rest, ""));
        let Ok(uri) = format!("/{}", target.trim_start_matches('/')).parse::<http::Uri>() else {
            continue;
        };
        let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
            continue;
        };
        let mut headers = http::HeaderMap::new();
        for line in head.lines() {
            if let Some((k, v)) = line.split_once(':')
                && let (Ok(k), Ok(v)) =
                    (http::HeaderName::from_bytes(k.trim().as_bytes()), http::HeaderValue::from_str(v.trim()))
            {
                headers.append(k, v);
            }
        }
        let reply = service.respond(&method, &uri, &headers, body.as_bytes());
        assert!(reply.status < 500, "{name}: {method} {uri} answered {}", reply.status);
    }
}

/// How long one judging may take before the test calls it a hang: far
/// above what any kept input needs (well under a second), so it never
/// flakes, and a hang fails the test instead of stalling it.
const HANG: Duration = Duration::from_secs(120);

/// Runs `f` on its own thread; fails on a panic or after [`HANG`].
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(HANG) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} did not finish within {} s", HANG.as_secs()),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let cause = handle.join().err().and_then(|p| {
                p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            });
            panic!("{what} panicked: {}", cause.unwrap_or_default())
        }
    }
}

#[test]
fn kept_judge_inputs_are_judged_without_panic() {
    let mut judged = 0;
    for (name, data) in inputs("judge") {
        let j = bounded(&format!("judge/{name}"), move || conform::fuzzing::judge(&data));
        judged += usize::from(j.summary.is_some());
    }
    // The seeds are chosen to load: a generator that only made files the
    // loader refuses would reach no judging at all.
    assert!(judged > 0, "no kept judge input reached a run");
}

#[test]
fn every_kept_input_is_judged_through_every_response_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut targets: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|t| t != "judge-open")
        .collect();
    targets.sort();
    assert!(targets.iter().any(|t| t == "judge"), "no judge inputs in {}", root.display());
    for target in targets {
        for (name, data) in inputs(&target) {
            let what = format!("{target}/{name} as a body");
            let runs = bounded(&what, move || {
                conform::fuzzing::response_paths(&data)
                    .iter()
                    .map(|x| conform::fuzzing::judge_exchange(x).summary.map_or(0, |s| s.cases.len()))
                    .collect::<Vec<usize>>()
            });
            // Every fixed expectation loads, so every path ran its case.
            assert!(runs.iter().all(|&n| n == 1), "{what}: a response path did not run: {runs:?}");
        }
    }
}
