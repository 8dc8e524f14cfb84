//! Issue #13, item 8: the case language a real emulator needs. Each test
//! drives `conform run` against a loopback server and shows the feature
//! passing where it should and failing where it should.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use common::{case_dir, conform, text};

const JSON_200: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json";
const JSON_400: &str = "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json";

/// Requests seen, as `METHOD target`.
type Log = Arc<Mutex<Vec<String>>>;

/// A loopback server: each `(method, path)` gets its crafted reply; a path
/// under `/echo` gets `{"target": ..., "body": ...}` (the request target and
/// its JSON body); anything else `200 {}`.
fn server(routes: Vec<(&'static str, &'static str, &'static str, &'static str)>) -> (u16, Log) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let (routes, seen) = (routes.clone(), seen.clone());
            std::thread::spawn(move || answer(s, &routes, &seen));
        }
    });
    (port, log)
}

fn answer(mut s: TcpStream, routes: &[(&str, &str, &str, &str)], seen: &Log) {
    let (head, body) = read_request(&mut s);
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or("").to_owned(), words.next().unwrap_or("/").to_owned());
    seen.lock().expect("log").push(format!("{method} {target}"));
    let path = target.split('?').next().unwrap_or("/");
    let (status, reply) = if path.starts_with("/echo") {
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
        (JSON_200, serde_json::json!({ "target": target, "body": body }).to_string())
    } else {
        routes
            .iter()
            .find(|(m, p, _, _)| *m == method && *p == path)
            .map_or((JSON_200, "{}".to_owned()), |(_, _, h, b)| (*h, (*b).to_owned()))
    };
    let _ = s.write_all(
        format!("{status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}", reply.len()).as_bytes(),
    );
}

/// Reads the head and a `content-length` body, however the bytes arrive.
fn read_request(s: &mut TcpStream) -> (String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        let n = s.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let len = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        if buf.len() >= end + 4 + len {
            return (head, buf[end + 4..end + 4 + len].to_vec());
        }
    }
    (String::from_utf8_lossy(&buf).into_owned(), Vec::new())
}

fn run(port: u16, case: &str, extra: &[&str]) -> (Option<i32>, String) {
    let dir = case_dir(&[("t/a.toml", case)]);
    let endpoint = format!("http://127.0.0.1:{port}");
    let mut args = vec!["run", "--endpoint", &endpoint, "t"];
    args.extend_from_slice(extra);
    let o = conform(&args, dir.path());
    (o.status.code(), text(&o))
}

fn sent(log: &Log, what: &str) -> bool {
    log.lock().expect("log").iter().any(|l| l == what)
}

/// A create the target must refuse; if it accepts, the optional capture
/// finds the id and the guarded teardown deletes it.
fn cleanup_case(prefix: &str, capture: &str) -> String {
    format!(
        r#"[[case]]
name = "an empty name is refused"

[[case.step]]
method = "POST"
path = "/{prefix}/things"
json = {{ Name = "" }}
expect.status = 400
capture = {{ id = {capture} }}

[[case.teardown]]
if_var = "id"
method = "DELETE"
path = "/{prefix}/things/{{{{id}}}}"
"#
    )
}

#[test]
fn an_optional_capture_cleans_up_after_a_wrongly_accepted_create_issue_13_item_8() {
    let (port, log) = server(vec![
        ("POST", "/good/things", JSON_400, r#"{"message":"Name is empty"}"#),
        ("POST", "/bad/things", JSON_200, r#"{"Thing":{"Id":"t-1"}}"#),
    ]);
    let optional = r#"{ from = "$.Thing.Id", optional = true }"#;
    // A correct target: passes, no warning, nothing to clean up.
    let (code, out) = run(port, &cleanup_case("good", optional), &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("warning") && !out.contains("teardown"), "{out}");
    assert!(!log.lock().expect("log").iter().any(|l| l.starts_with("DELETE")), "nothing is deleted");
    // A target that wrongly accepts: the case fails, and what it made is deleted.
    let (code, out) = run(port, &cleanup_case("bad", optional), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("unexpected status"), "{out}");
    assert!(sent(&log, "DELETE /bad/things/t-1"), "{:?}", log.lock().expect("log"));
    // Without `optional`, finding nothing is a divergence: a correct target fails.
    let (code, out) = run(port, &cleanup_case("good", r#""$.Thing.Id""#), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("capture found nothing"), "{out}");
}

fn list_case(path: &str, capture: &str) -> String {
    format!(
        r#"[[case]]
name = "c"

[[case.step]]
method = "GET"
path = "{path}"
capture = {{ ids = {capture} }}

[[case.step]]
method = "GET"
path = "/items/{{{{item}}}}"
for_each = "{{{{ids}}}}"
"#
    )
}

#[test]
fn a_list_capture_is_a_list_even_of_one_node_issue_13_item_8() {
    let (port, log) = server(vec![
        ("GET", "/one", JSON_200, r#"{"Items":[{"Id":"a"}]}"#),
        ("GET", "/none", JSON_200, r#"{"Items":[]}"#),
    ]);
    let (code, out) = run(port, &list_case("/one", r#"{ from = "$.Items[*].Id", list = true }"#), &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(sent(&log, "GET /items/a"), "{:?}", log.lock().expect("log"));
    // Without `list`, one node is a scalar and `for_each` cannot run over it.
    let (code, out) = run(port, &list_case("/one", r#""$.Items[*].Id""#), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("`for_each` needs a list, got a string"), "{out}");
    // Nothing found: a divergence, unless optional, when the list is empty.
    let (code, out) = run(port, &list_case("/none", r#"{ from = "$.Items[*].Id", list = true }"#), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("capture found nothing"), "{out}");
    let before = log.lock().expect("log").len();
    let optional = r#"{ from = "$.Items[*].Id", list = true, optional = true }"#;
    let (code, out) = run(port, &list_case("/none", optional), &[]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(log.lock().expect("log").len(), before + 1, "the for_each step ran no time");
}

#[test]
fn if_var_runs_a_step_only_when_the_variable_has_a_value_issue_13_item_8() {
    let (port, log) = server(vec![]);
    let case = r#"[[case]]
name = "c"

[[case.step]]
method = "GET"
path = "/always"

[[case.step]]
if_var = "fixture"
method = "GET"
path = "/fixture/{{fixture}}"
"#;
    let (code, out) = run(port, case, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(sent(&log, "GET /always") && !log.lock().expect("log").iter().any(|l| l.contains("/fixture/")));
    // `--var` gives it a value: the step runs (unlike `unless_var`, which would skip it).
    let (code, out) = run(port, case, &["--var", "fixture=f-9"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(sent(&log, "GET /fixture/f-9"), "{:?}", log.lock().expect("log"));
}

#[test]
fn lengths_and_numeric_comparisons_are_exact_issue_13_item_8() {
    let (port, _) = server(vec![(
        "GET",
        "/page",
        JSON_200,
        r#"{"Items":[1,2,3],"Name":"héllo","Count":9007199254740993,"Ratio":0.1}"#,
    )]);
    let case = |expect: &str| {
        format!(
            "[[case]]\nname = \"c\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/page\"\nexpect.json = {{ \"$strict\" = false, {expect} }}\n"
        )
    };
    for (expect, want) in [
        (r#"Items = { "$len" = { "$lte" = 3 } }"#, 0),
        (r#"Items = { "$len" = { "$lte" = 2 } }"#, 1),
        (r#"Items = { "$len" = 3 }"#, 0),
        (r#"Name = { "$len" = { "$gte" = 1, "$lte" = 5 } }"#, 0), // characters, not bytes
        (r#"Name = { "$len" = { "$gte" = 6 } }"#, 1),
        (r#"Count = { "$gt" = "9007199254740992" }"#, 0),
        (r#"Count = { "$gt" = "9007199254740993" }"#, 1), // a double would round both to 2^53
        (r#"Count = { "$gte" = 1, "$lt" = 1e16 }"#, 0),
        (r#"Ratio = { "$lte" = "0.10000000000000001" }"#, 0),
        (r#"Ratio = { "$gt" = "0.09999999999999999" }"#, 0),
        (r#"Ratio = { "$gt" = 0.1 }"#, 1),
        (r#"Name = { "$gt" = 0 }"#, 1),
    ] {
        let (code, out) = run(port, &case(expect), &[]);
        assert_eq!(code, Some(want), "{expect}: {out}");
    }
    // A bound from `--var` is a number; one that is not is a step error, not a verdict.
    let templated = case(r#"Count = { "$gt" = "{{min}}" }"#);
    let (code, out) = run(port, &templated, &["--var", "min=9007199254740992"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(port, &templated, &["--var", "min=lots"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("the bound of `$gt` must be a number"), "{out}");
}

fn pages_case(page2: &str) -> String {
    format!(
        r#"[[case]]
name = "page 2 does not repeat page 1"

[[case.step]]
method = "GET"
path = "/p1"
capture = {{ page1 = {{ from = "$.Items[*].Id", list = true }} }}
expect.json = {{ Items = {{ "$len" = {{ "$lte" = 2 }} }}, Next = {{ "$type" = "string" }} }}

[[case.step]]
method = "GET"
path = "{page2}"
expect.json = {{ Items = {{ "$each" = {{ Id = {{ "$not" = {{ "$one_of" = "{{{{page1}}}}" }} }} }} }} }}
"#
    )
}

#[test]
fn not_says_page_2_does_not_repeat_page_1_issue_13_item_8() {
    let (port, _) = server(vec![
        ("GET", "/p1", JSON_200, r#"{"Items":[{"Id":"a"},{"Id":"b"}],"Next":"t"}"#),
        ("GET", "/p2-good", JSON_200, r#"{"Items":[{"Id":"c"},{"Id":"d"}]}"#),
        ("GET", "/p2-bad", JSON_200, r#"{"Items":[{"Id":"c"},{"Id":"b"}]}"#),
        ("GET", "/p2-no-id", JSON_200, r#"{"Items":[{"Name":"c"}]}"#),
    ]);
    let (code, out) = run(port, &pages_case("/p2-good"), &[]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(port, &pages_case("/p2-bad"), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("$.Items[1].Id") && out.contains("matches what `$not` excludes"), "{out}");
    // An absent member is no pass for `$not`.
    let (code, out) = run(port, &pages_case("/p2-no-id"), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("$.Items[0].Id") && out.contains("missing member"), "{out}");
}

#[test]
fn repeat_generates_text_in_paths_queries_and_bodies_issue_13_item_8() {
    let (port, log) = server(vec![]);
    let case = |expect_name: &str| {
        format!(
            r#"[[case]]
name = "a 65-character name"

[[case.step]]
method = "POST"
path = "/echo/{{{{ repeat('a', 65) }}}}"
query = {{ q = "{{{{ repeat('ab', 3) }}}}" }}
json = {{ Name = "{{{{ repeat('é', 65) }}}}" }}
expect.json.target = "/echo/{{{{ repeat('a', 65) }}}}?q=ababab"
expect.json.body.Name = {expect_name}
"#
        )
    };
    let (code, out) = run(port, &case(r#"{ "$len" = 65 }"#), &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(sent(&log, &format!("POST /echo/{}?q=ababab", "a".repeat(65))), "{:?}", log.lock().expect("log"));
    let (code, out) = run(port, &case(r#""{{ repeat('é', 65) }}""#), &[]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(port, &case(r#""{{ repeat('é', 64) }}""#), &[]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("$.body.Name") && out.contains("value differs"), "{out}");
}
