//! What a first day sees of the command line (#18): the README synopsis
//! names exactly the flags each command's `--help` lists, every `--help`
//! ends with its exit codes, an endpoint without a scheme gets a
//! did-you-mean, a CI log has one line per case, and `--verbose` shows
//! bodies.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;

fn help(args: &[&str]) -> String {
    let out = common::conform(args, &common::root());
    assert!(out.status.success(), "{}", common::text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The commands `conform --help` lists.
fn commands() -> Vec<String> {
    let text = help(&["--help"]);
    let block = text.split("Commands:").nth(1).expect("a Commands section");
    block
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

/// Each command of the README's synopsis block with the flags it names.
fn synopsis() -> BTreeMap<String, BTreeSet<String>> {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let section = readme.split("## The command line").nth(1).expect("a command line section");
    let block = section.split("```").nth(1).expect("a synopsis block");
    let flag = Regex::new(r"--[a-z][a-z-]*").unwrap();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current = String::new();
    for line in block.lines() {
        if let Some(rest) = line.strip_prefix("conform ") {
            current = rest.split_whitespace().next().unwrap_or_default().to_owned();
        }
        if !current.is_empty() {
            out.entry(current.clone()).or_default().extend(flag.find_iter(line).map(|m| m.as_str().to_owned()));
        }
    }
    out
}

#[test]
fn readme_synopsis_names_exactly_the_flags_of_each_help() {
    let synopsis = synopsis();
    let commands = commands();
    assert!(commands.len() >= 8, "{commands:?}");
    let listed: BTreeSet<&String> = synopsis.keys().collect();
    assert_eq!(listed, commands.iter().collect(), "commands in the README synopsis vs `conform --help`");
    let option = Regex::new(r"^\s+(?:-[a-zA-Z], )?(--[a-z][a-z-]*)").unwrap();
    for c in &commands {
        let flags: BTreeSet<String> = help(&[c, "--help"])
            .lines()
            .filter_map(|l| option.captures(l).map(|m| m[1].to_owned()))
            .filter(|f| f != "--help" && f != "--version")
            .collect();
        assert_eq!(synopsis[c], flags, "`conform {c}`: flags in the README synopsis vs `conform {c} --help`");
    }
}

#[test]
fn every_help_ends_with_its_exit_codes() {
    for c in commands() {
        let text = help(&[&c, "--help"]);
        let codes =
            text.split("Exit codes:").nth(1).unwrap_or_else(|| panic!("`conform {c} --help` has no exit codes"));
        assert!(codes.contains("  0 ") && codes.contains("  2 "), "`conform {c} --help`: {codes}");
    }
    let run = help(&["run", "--help"]);
    assert!(run.contains("  1 ") && run.contains("  130 "), "{run}");
}

#[test]
fn an_endpoint_without_a_scheme_suggests_http() {
    let out = common::conform(&["run", "--endpoint", "127.0.0.1:4599", "cases"], &common::root());
    let text = common::text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("did you mean `http://127.0.0.1:4599`?"), "{text}");
    assert!(!text.contains("relative URL without a base"), "{text}");
}

const CASES: &str = r#"
[[case]]
name = "lists"
[[case.step]]
method = "GET"
path = "/ok"
expect.json = { items = [{ id = "a1" }] }

[[case]]
name = "rejects"
[[case.step]]
method = "POST"
path = "/ok"
json = { n = -1, name = "x" }
expect.status = 400
expect.error = "ValidationException"
"#;

/// A loopback server that answers every request 200 with a JSON body of
/// 50 items, so a body is long enough to fold.
fn server() -> (u16, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let items: Vec<String> = (0..50).map(|i| format!(r#"{{"id":"a{i}"}}"#)).collect();
        let body = format!(r#"{{"items":[{}]}}"#, items.join(","));
        for stream in listener.incoming().take(2) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, handle)
}

#[test]
fn a_ci_log_has_one_line_per_case_and_verbose_shows_folded_bodies() {
    let dir = common::case_dir(&[("t/cases.toml", CASES)]);
    let (port, server) = server();
    let endpoint = format!("http://127.0.0.1:{port}");
    // Not a terminal: stdout and stderr are pipes, as in CI.
    let out = common::conform(&["run", "--jobs", "1", "--endpoint", &endpoint, "--verbose", "t"], dir.path());
    server.join().unwrap();
    let text = common::text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for id in ["t/cases::lists", "t/cases::rejects"] {
        assert_eq!(text.matches(id).count(), 1, "`{id}` once in stdout and stderr together:\n{text}");
    }
    // --verbose: the request body and the response body, pretty-printed
    // and folded.
    assert!(text.contains("request body:\n        {\n          \"n\": -1,"), "{text}");
    assert!(text.contains("response body:\n        {\n          \"items\": ["), "{text}");
    assert!(text.contains("more lines (the whole body is in the report files)"), "{text}");
    // The headline of the wrongly accepted request.
    assert!(text.contains("the request was accepted (200) where 400 was expected"), "{text}");
}
