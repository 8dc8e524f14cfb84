//! Issue #13: one target builder for the CLI and the harness. Signing cannot
//! fail silently; the built-in double verifies the region the runner signs
//! with, and serves only suites of its own service.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;

use common::{case_dir, root, text};

/// Runs conform without any AWS variables, plus `envs`.
fn conform_env(args: &[&str], cwd: &std::path::Path, envs: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_conform"));
    cmd.args(args).current_dir(cwd).env("NO_COLOR", "1");
    for v in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION"] {
        cmd.env_remove(v);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("conform runs")
}

/// Answers `200 {}` and counts requests, noting whether they were signed.
fn ok_server() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<bool>>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 8192];
            let n = s.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
            log.lock().expect("log").push(head.contains("\r\nauthorization: aws4-hmac-sha256"));
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
        }
    });
    (port, seen)
}

const SIGNED_SUITE: &str = "[target]\nsigning_name = \"polly\"\nregion = \"eu-west-1\"\n";
const CASE: &str = "[[case]]\nname = \"c\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/v1/voices\"\n";

#[test]
fn a_signing_suite_without_credentials_is_refused_before_sending() {
    let (port, seen) = ok_server();
    let dir = case_dir(&[("s/suite.toml", SIGNED_SUITE), ("s/c.toml", CASE)]);
    let endpoint = format!("http://127.0.0.1:{port}");
    let o = conform_env(&["run", "--endpoint", &endpoint, "s"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"), "{}", text(&o));
    assert!(seen.lock().expect("log").is_empty(), "nothing was sent");
    // One variable missing is named alone.
    let o = conform_env(&["run", "--endpoint", &endpoint, "s"], dir.path(), &[("AWS_ACCESS_KEY_ID", "AKID")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("AWS_SECRET_ACCESS_KEY is not set"), "{}", text(&o));
    // --unsigned says so explicitly: sent, unsigned.
    let o = conform_env(&["run", "--unsigned", "--endpoint", &endpoint, "s"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(*seen.lock().expect("log"), vec![false]);
    // With credentials, signed.
    let creds = [("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "secret")];
    let o = conform_env(&["run", "--endpoint", &endpoint, "s"], dir.path(), &creds);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(*seen.lock().expect("log"), vec![false, true]);
    // Steps that say `sign = false` need no credentials.
    let unsigned_case = format!("{CASE}sign = false\n");
    let dir = case_dir(&[("s/suite.toml", SIGNED_SUITE), ("s/c.toml", &unsigned_case)]);
    let o = conform_env(&["run", "--endpoint", &endpoint, "s"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn a_suite_for_another_service_needs_an_endpoint() {
    let dir = case_dir(&[("s/suite.toml", SIGNED_SUITE), ("s/c.toml", CASE), ("plain/c.toml", CASE)]);
    for path in ["s", "plain"] {
        let o = conform_env(&["run", path], dir.path(), &[]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains("the built-in double implements only `chime`"), "{}", text(&o));
        assert!(text(&o).contains("pass --endpoint URL"), "{}", text(&o));
    }
}

#[test]
fn the_double_verifies_the_region_the_suite_signs_for() {
    // The Chime suite, copied, declaring eu-west-1.
    let dir = case_dir(&[]);
    let copy = dir.path().join("chime");
    copy_tree(&root().join("cases/chime"), &copy);
    let suite = std::fs::read_to_string(copy.join("suite.toml")).expect("suite.toml");
    assert!(suite.contains("region = \"us-east-1\""));
    std::fs::write(copy.join("suite.toml"), suite.replace("region = \"us-east-1\"", "region = \"eu-west-1\""))
        .expect("write");
    let o = conform_env(&["run", "--filter", "batch-update-user", "chime"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("0 failed, 0 errored"), "{}", text(&o));
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}

/// The coverage table's verdict for a statement, from the terminal output.
fn verdict<'a>(out: &'a str, statement: &str) -> Option<&'a str> {
    out.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        (words.next() == Some(statement)).then(|| words.next()).flatten()
    })
}

#[test]
fn coverage_tells_the_truth_on_partial_runs() {
    let chime = root().join("cases");
    // One case selected: the statements only other cases cover are `not run`, not `uncovered`.
    let o = conform_env(
        &["run", "--filter", "an-unknown-account-is-notfoundexception", chime.to_str().expect("utf-8")],
        &root(),
        &[],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("0 uncovered"), "{out}");
    assert_eq!(verdict(&out, "BUU-MAX-20"), Some("not"), "{out}");
    // Every case errors in setup (nothing listens): `not run`, never `diverges`.
    let refused = common::refused_port();
    let creds = [("AWS_ACCESS_KEY_ID", "AKID"), ("AWS_SECRET_ACCESS_KEY", "secret")];
    let o = conform_env(
        &[
            "run",
            "--endpoint",
            &format!("http://127.0.0.1:{refused}"),
            "--timeout",
            "2s",
            chime.to_str().expect("utf-8"),
        ],
        &root(),
        &creds,
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(!out.contains(" diverges "), "{out}");
    assert_eq!(verdict(&out, "BUU-MAX-20"), Some("not"), "{out}");
}
