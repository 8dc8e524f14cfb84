//! Issue #12: every verdict right. Each test drives `conform run` against a
//! loopback server returning crafted responses, and names the item of the
//! issue it proves. Items proven by unit tests and loader fixtures instead:
//! 1 and 10 (`src/matcher/json.rs`), 3 (`tests/fixtures/invalid/nan-in-expectation.toml`),
//! 7 (`tests/fixtures/invalid/reserved-variable-name.toml`), 12
//! (`src/contract/timestamp.rs`, and `timestamps_are_checked_per_format` below).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::{case_dir, conform, text};

/// A crafted response: status line and headers, then the body.
struct Reply {
    head: &'static str,
    body: &'static str,
}

/// A loopback server answering each path with its crafted response (`200 {}`
/// for others) and recording every request target it receives.
fn crafted(routes: Vec<(&'static str, Reply)>) -> (u16, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let routes = routes.clone();
            let log = log.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 65536];
                let n = s.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).into_owned();
                let target = req.split_whitespace().nth(1).unwrap_or("/").to_owned();
                log.lock().expect("log").push(target.clone());
                let path = target.split('?').next().unwrap_or("/");
                let (head, body) = routes
                    .iter()
                    .find(|(p, _)| *p == path)
                    .map_or(("HTTP/1.1 200 OK\r\ncontent-type: application/json", "{}"), |(_, r)| (r.head, r.body));
                let _ = s.write_all(
                    format!("{head}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes(),
                );
            });
        }
    });
    (port, seen)
}

const JSON_200: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json";

fn run(port: u16, files: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = case_dir(files);
    let o = conform(&["run", "--endpoint", &format!("http://127.0.0.1:{port}"), "t"], dir.path());
    (o.status.code(), text(&o))
}

fn step(path: &str, expect: &str) -> String {
    format!("[[case]]\nname = \"c\"\n[[case.step]]\nmethod = \"GET\"\npath = \"{path}\"\n{expect}\n")
}

#[test]
fn big_integers_rounded_through_a_double_are_caught_issue_12_item_2() {
    let (port, _) = crafted(vec![
        ("/n", Reply { head: JSON_200, body: r#"{"n":9007199254740993}"# }),
        ("/id", Reply { head: JSON_200, body: r#"{"id":9223372036854775806}"# }),
    ]);
    let (code, out) = run(port, &[("t/a.toml", &step("/n", "expect.json = { n = 9007199254740992 }"))]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("$.n") && out.contains("value differs"), "{out}");
    let (code, out) = run(port, &[("t/a.toml", &step("/id", "expect.json = { id = 9223372036854775807 }"))]);
    assert_eq!(code, Some(1), "{out}");
    let (code, out) = run(port, &[("t/a.toml", &step("/n", "expect.json = { n = 9007199254740993 }"))]);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn header_and_text_expectations_are_templated_issue_12_item_4() {
    let (port, _) = crafted(vec![
        ("/good", Reply { head: "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-id: r-1.x", body: "id=r-1.x" }),
        ("/echo", Reply { head: "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-id: {{rid}}", body: "id={{rid}}" }),
        // A value substituted into a regex is matched literally: `.` is no wildcard.
        ("/near", Reply { head: "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-id: r-1.x", body: "id=r-1yx" }),
    ]);
    let expect = |path: &str| {
        format!(
            "[[case]]\nname = \"c\"\nvars = {{ rid = \"r-1.x\" }}\n[[case.step]]\nmethod = \"GET\"\npath = \"{path}\"\n\
             expect.headers = {{ x-id = \"{{{{rid}}}}\" }}\nexpect.text = {{ regex = \"^id={{{{rid}}}}$\" }}\n"
        )
    };
    let (code, out) = run(port, &[("t/a.toml", &expect("/good"))]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(port, &[("t/a.toml", &expect("/echo"))]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("x-id") && out.contains("body text differs"), "{out}");
    let (code, out) = run(port, &[("t/a.toml", &expect("/near"))]);
    assert_eq!(code, Some(1), "{out}");
}

#[test]
fn duplicate_members_are_a_divergence_of_their_own_issue_12_item_5() {
    let (port, _) =
        crafted(vec![("/dup", Reply { head: JSON_200, body: r#"{"UserErrors":[{"a":1}],"UserErrors":[]}"# })]);
    let (code, out) = run(port, &[("t/a.toml", &step("/dup", "expect.json = { UserErrors = [] }"))]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("json") && out.contains("$.UserErrors") && out.contains("member appears 2 times"), "{out}");
    // Whatever the expectation says: none at all, or a lenient one.
    let (code, out) = run(port, &[("t/a.toml", &step("/dup", "expect.strict = false"))]);
    assert_eq!(code, Some(1), "{out}");
}

#[test]
fn the_error_type_is_resolved_code_before_dunder_type_issue_12_item_6() {
    let (port, _) = crafted(vec![(
        "/err",
        Reply {
            head: "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json",
            body: r#"{"__type":"NotFoundException","code":"BadRequestException"}"#,
        },
    )]);
    let ok = step("/err", "expect = { status = 400, error = \"BadRequestException\" }");
    let (code, out) = run(port, &[("t/a.toml", &ok)]);
    assert_eq!(code, Some(0), "{out}");
    let wrong = step("/err", "expect = { status = 400, error = \"NotFoundException\" }");
    let (code, out) = run(port, &[("t/a.toml", &wrong)]);
    assert_eq!(code, Some(1), "{out}");
}

#[test]
fn a_run_that_selects_no_case_is_an_error_issue_12_item_8() {
    let (port, _) = crafted(vec![]);
    let dir = case_dir(&[("t/a.toml", &step("/x", "")), ("empty/README.md", "no cases here")]);
    let endpoint = format!("http://127.0.0.1:{port}");
    let o = conform(&["run", "--endpoint", &endpoint, "empty"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no case found in empty"), "{}", text(&o));
    for args in [["--filter", "nothing-matches"], ["--tag", "no-such-tag"]] {
        let o = conform(&["run", "--endpoint", &endpoint, "t", args[0], args[1]], dir.path());
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains("left out by --filter, --tag or --shard"), "{}", text(&o));
    }
}

#[cfg(unix)]
#[test]
fn symlinked_folders_are_followed_and_loops_reported_issue_12_item_8() {
    let (port, _) = crafted(vec![]);
    let real = case_dir(&[("inner/a.toml", &step("/x", ""))]);
    let dir = case_dir(&[]);
    std::fs::create_dir(dir.path().join("t")).expect("mkdir");
    std::os::unix::fs::symlink(real.path().join("inner"), dir.path().join("t/linked")).expect("symlink");
    let endpoint = format!("http://127.0.0.1:{port}");
    let o = conform(&["run", "--endpoint", &endpoint, "t"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("1 passed"), "{}", text(&o));
    std::os::unix::fs::symlink(dir.path().join("t"), dir.path().join("t/loop")).expect("symlink");
    let o = conform(&["run", "--endpoint", &endpoint, "t"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("symbolic link loop"), "{}", text(&o));
}

#[test]
fn values_substituted_into_a_path_stay_one_segment_issue_12_item_9() {
    let (port, seen) = crafted(vec![(
        "/start",
        Reply { head: JSON_200, body: r#"{"id":"u1/../../admin?operation=delete#x","dot":".."}"# },
    )]);
    let case = |second: &str| {
        format!(
            "[[case]]\nname = \"c\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/start\"\n\
             capture = {{ id = \"$.id\", dot = \"$.dot\" }}\n[[case.step]]\nmethod = \"GET\"\n{second}\n"
        )
    };
    let (code, out) = run(port, &[("t/a.toml", &case("path = \"/users/{{id}}\""))]);
    assert_eq!(code, Some(0), "{out}");
    let last = seen.lock().expect("log").last().cloned().unwrap_or_default();
    assert_eq!(last, "/users/u1%2F..%2F..%2Fadmin%3Foperation%3Ddelete%23x");
    // A dot segment cannot be one segment: the step errors, nothing is sent.
    let before = seen.lock().expect("log").len();
    let (code, out) = run(port, &[("t/a.toml", &case("path = \"/users/{{dot}}/x\""))]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("dot segment"), "{out}");
    assert_eq!(seen.lock().expect("log").len(), before + 1, "only the first step was sent");
    // The documented opt-out inserts the value as it is.
    let (code, out) = run(port, &[("t/a.toml", &case("path = \"/raw/{{id}}\"\nraw_path = true"))]);
    assert_eq!(code, Some(0), "{out}");
    let last = seen.lock().expect("log").last().cloned().unwrap_or_default();
    assert_eq!(last, "/admin?operation=delete%23x");
}

#[test]
fn a_json_expectation_needs_a_json_content_type_issue_12_item_11() {
    let (port, _) = crafted(vec![
        ("/html", Reply { head: "HTTP/1.1 200 OK\r\ncontent-type: text/html", body: "{}" }),
        ("/none", Reply { head: "HTTP/1.1 200 OK", body: "{}" }),
        ("/amz", Reply { head: "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1", body: "{}" }),
        (
            "/problem",
            Reply { head: "HTTP/1.1 200 OK\r\ncontent-type: application/problem+json; charset=utf-8", body: "{}" },
        ),
    ]);
    for (path, want) in [("/html", 1), ("/none", 1), ("/amz", 0), ("/problem", 0)] {
        let (code, out) = run(port, &[("t/a.toml", &step(path, "expect.json = {}"))]);
        assert_eq!(code, Some(want), "{path}: {out}");
        if want == 1 {
            assert!(out.contains("a JSON body needs a JSON content type"), "{out}");
        }
    }
    let (code, out) = run(port, &[("t/a.toml", &step("/html", "expect = { json = {}, any_content_type = true }"))]);
    assert_eq!(code, Some(0), "{out}");
}

const MODEL: &str = r#"{
  "metadata": {"protocol": "rest-json"},
  "operations": {
    "GetThing": {
      "name": "GetThing",
      "http": {"method": "GET", "requestUri": "/things/{id}", "responseCode": 200},
      "output": {"shape": "Thing"}
    }
  },
  "shapes": {
    "Thing": {"type": "structure", "members": {
      "Created": {"shape": "Iso"},
      "Seen": {"shape": "Epoch"},
      "Modified": {"shape": "Epoch", "timestampFormat": "rfc822"}
    }},
    "Iso": {"type": "timestamp", "timestampFormat": "iso8601"},
    "Epoch": {"type": "timestamp"}
  }
}"#;

#[test]
fn timestamps_are_checked_per_format_issue_12_item_12() {
    let (port, _) = crafted(vec![
        (
            "/things/good",
            Reply {
                head: JSON_200,
                body: r#"{"Created":"2024-02-29T12:30:00Z","Seen":1700000000.5,"Modified":"Thu, 29 Feb 2024 12:30:00 GMT"}"#,
            },
        ),
        ("/things/bad-iso", Reply { head: JSON_200, body: r#"{"Created":"2024-not-a-date!!"}"# }),
        ("/things/bad-day", Reply { head: JSON_200, body: r#"{"Created":"2023-02-29T12:30:00Z"}"# }),
        ("/things/bad-epoch", Reply { head: JSON_200, body: r#"{"Seen":"1700000000"}"# }),
        ("/things/bad-822", Reply { head: JSON_200, body: r#"{"Modified":"Fri, 29 Feb 2024 12:30:00 GMT"}"# }),
    ]);
    let suite = "contract = \"contract.toml\"\nstrict = false\n";
    let contract = "model = \"model.json\"\n";
    for (id, want) in [("good", 0), ("bad-iso", 1), ("bad-day", 1), ("bad-epoch", 1), ("bad-822", 1)] {
        let files = [
            ("t/suite.toml", suite),
            ("t/contract.toml", contract),
            ("t/model.json", MODEL),
            ("t/a.toml", &step(&format!("/things/{id}"), "")),
        ];
        let (code, out) = run(port, &files);
        assert_eq!(code, Some(want), "{id}: {out}");
        if want == 1 {
            assert!(out.contains("not a valid timestamp"), "{id}: {out}");
        }
    }
}
