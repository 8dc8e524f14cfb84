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

/// Answers each request with the JSON body `route` gives for its method
/// and path (HTTP/1.1, one request per connection).
fn json_server(route: fn(&str, &str) -> String) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut r = BufReader::new(&s);
                let mut line = String::new();
                if r.read_line(&mut line).is_err() {
                    return;
                }
                let mut parts = line.split(' ');
                let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                // The head ends at an empty line; then the body is read.
                let mut h = String::new();
                let mut length = 0;
                while r.read_line(&mut h).is_ok_and(|n| n > 2) {
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    h.clear();
                }
                let _ = std::io::Read::read_exact(&mut r, &mut vec![0; length]);
                let body = route(method, path);
                let mut w = &s;
                let _ = write!(
                    w,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    port
}

fn route(method: &str, path: &str) -> String {
    match (method, path) {
        (_, "/many") => {
            let members: Vec<String> = (0..300).map(|i| format!("\"m{i:03}\": \"{}\"", "v".repeat(20))).collect();
            format!("{{{}}}", members.join(", "))
        }
        (_, "/list") => r#"{"ids": ["a", "b", "c", "d", "e"]}"#.into(),
        (_, "/zeros") => format!("[{}]", vec!["0"; 3000].join(",")),
        ("DELETE", "/things/") => r#"{"deleted": "every thing"}"#.into(),
        _ => "{}".into(),
    }
}

/// Issue 24: the caps of `conform run`, each with its flag, and an empty
/// path value refused before anything is sent.
#[test]
fn run_caps_divergences_bodies_and_for_each_and_refuses_an_empty_path_segment() {
    let port = json_server(route);
    let cases = r#"
[[case]]
name = "many"
[[case.step]]
method = "GET"
path = "/many"
expect = { status = 200, json = {}, strict = true }

[[case]]
name = "text"
[[case.step]]
method = "GET"
path = "/many"
expect = { status = 200, text = "nope" }

[[case]]
name = "zeros"
[[case.step]]
method = "GET"
path = "/zeros"
expect = { status = 200, json = { "$each" = 1 } }

[[case]]
name = "big request"
[[case.step]]
method = "POST"
path = "/echo"
text = "{{ repeat('x', 1000) }}"

[[case]]
name = "each"
[[case.step]]
method = "GET"
path = "/list"
capture = { ids = "$.ids" }
[[case.step]]
method = "GET"
path = "/item/{{item}}"
for_each = "{{ids}}"

[[case]]
name = "empty"
vars = { id = "" }
[[case.step]]
method = "DELETE"
path = "/things/{{id}}"
expect = { status = 200, json = { deleted = "one thing" } }
"#;
    let dir = case_dir(&[("h/h.toml", cases)]);
    let reports = dir.path().join("reports");
    let o = conform(
        &[
            "run",
            "--endpoint",
            &format!("http://127.0.0.1:{port}"),
            "--unsigned",
            "--max-divergences",
            "10",
            "--max-body-bytes",
            "100",
            "--max-for-each",
            "3",
            "--report-dir",
            reports.to_str().unwrap(),
            "h",
        ],
        dir.path(),
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("and 290 more divergences, not kept (see `--max-divergences`)"), "{out}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).unwrap()).unwrap();
    let case = |name: &str| {
        report["cases"].as_array().unwrap().iter().find(|c| c["id"] == format!("h/h::{name}").as_str()).unwrap().clone()
    };
    let many = case("many");
    assert_eq!(many["outcome"], "failed", "{many:#}");
    let step = &many["steps"][0];
    assert_eq!(step["divergences"].as_array().unwrap().len(), 10, "{step:#}");
    assert_eq!(step["more_divergences"], serde_json::json!({"count": 290, "new": 290}));
    let body = &step["response"]["body"];
    let whole = route("GET", "/many");
    assert!(body["text"].as_str().unwrap().len() <= 100, "{body:#}");
    assert!(whole.starts_with(body["text"].as_str().unwrap()), "{body:#}");
    assert_eq!(body["bytes"], whole.len());
    assert_eq!(body["truncated"], true);
    assert_eq!(body["sha256"].as_str().unwrap().len(), 64);
    for f in ["report.md", "report.html"] {
        let t = std::fs::read_to_string(reports.join(f)).unwrap();
        assert!(t.contains("and 290 more divergences"), "{f}");
        assert!(
            t.contains(&format!("cut after {} bytes of {}", body["text"].as_str().unwrap().len(), whole.len())),
            "{f}"
        );
    }
    // Past the matcher's own 1,000, divergences are counted, not built; the
    // step still says how many there were.
    let zeros = case("zeros");
    assert_eq!(zeros["outcome"], "failed", "{zeros:#}");
    assert_eq!(zeros["steps"][0]["divergences"].as_array().unwrap().len(), 10, "{zeros:#}");
    assert_eq!(zeros["steps"][0]["more_divergences"], serde_json::json!({"count": 2990, "new": 2990}));
    // A text divergence holds the body it judged: cut like one.
    let text_case = report["cases"].as_array().unwrap().iter().find(|c| c["name"] == "text").unwrap();
    let actual = text_case["steps"][0]["divergences"][0]["actual"].as_str().unwrap();
    assert!(actual.ends_with(&format!("… (cut after 100 bytes of {})", whole.len())), "{actual}");
    // A request body is kept like a response's.
    let sent = &report["cases"].as_array().unwrap().iter().find(|c| c["name"] == "big request").unwrap()["steps"][0]["request"]
        ["body"];
    assert_eq!(sent["bytes"], 1000, "{sent:#}");
    assert_eq!(sent["text"].as_str().unwrap().len(), 100, "{sent:#}");
    assert_eq!(sent["sha256"].as_str().unwrap().len(), 64, "{sent:#}");
    let each = case("each");
    assert_eq!(each["outcome"], "errored", "{each:#}");
    assert!(
        each.to_string().contains("`for_each` over 5 items, over the limit of 3 (raise it with `--max-for-each`)"),
        "{each:#}"
    );
    let empty = case("empty");
    assert_eq!(empty["outcome"], "errored", "{empty:#}");
    assert!(empty.to_string().contains("is empty, which leaves an empty path segment"), "{empty:#}");
    assert!(!empty.to_string().contains("every thing"), "the request was sent: {empty:#}");
}

/// Issue 24: a body with more JSON values than `--max-json-values` errors
/// its step before it is parsed, naming the limit and the flag; a body
/// within the limit is judged as before.
#[test]
fn a_body_over_the_json_value_limit_errors_its_step_before_parsing() {
    let port = json_server(route);
    let cases = r#"
[[case]]
name = "list"
[[case.step]]
method = "GET"
path = "/list"
expect = { status = 200, json = { ids = ["a", "b", "c", "d", "e"] } }
"#;
    let dir = case_dir(&[("v/v.toml", cases)]);
    let run = |limit: &str| {
        let reports = dir.path().join(format!("reports-{limit}"));
        let o = conform(
            &[
                "run",
                "--endpoint",
                &format!("http://127.0.0.1:{port}"),
                "--unsigned",
                "--max-json-values",
                limit,
                "--report-dir",
                reports.to_str().unwrap(),
                "v",
            ],
            dir.path(),
        );
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).unwrap()).unwrap();
        (o, report["cases"][0].clone())
    };
    // `{"ids": ["a", "b", "c", "d", "e"]}` holds seven values.
    let (o, case) = run("7");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(case["outcome"], "passed", "{case:#}");
    let (o, case) = run("6");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(case["outcome"], "errored", "{case:#}");
    assert!(
        case.to_string().contains(
            "response body holds more than 6 JSON values (status 200 OK): too many to judge (raise the limit with `--max-json-values`)"
        ),
        "{case:#}"
    );
    // The body is still in the report, for the reader.
    assert!(case["steps"][0]["response"]["body"]["text"].as_str().is_some_and(|t| t.contains("\"ids\"")), "{case:#}");
}

/// Issue 24: divergences the body matcher only counted (past its 1,000)
/// are known to a baseline entry that names no path, so a baselined step
/// stays `known`; an entry naming one path cannot know them.
#[test]
fn counted_divergences_are_known_to_an_entry_without_a_path() {
    let port = json_server(route);
    let cases = r#"
[[case]]
name = "zeros"
[[case.step]]
name = "get"
method = "GET"
path = "/zeros"
expect = { status = 200, json = { "$each" = 1 } }
"#;
    let dir = case_dir(&[("z/z.toml", cases)]);
    let run = |known: &str| {
        let baseline = dir.path().join("known.toml");
        std::fs::write(&baseline, known).unwrap();
        let reports = dir.path().join("reports");
        let o = conform(
            &[
                "run",
                "--endpoint",
                &format!("http://127.0.0.1:{port}"),
                "--unsigned",
                "--baseline",
                baseline.to_str().unwrap(),
                "--report-dir",
                reports.to_str().unwrap(),
                "z",
            ],
            dir.path(),
        );
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).unwrap()).unwrap();
        (o, report["cases"][0].clone())
    };
    let (o, case) =
        run("[[known]]\ncase = \"z/z::zeros\"\nstep = \"get\"\nkind = \"body\"\nreason = \"every element is 0\"\n");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(case["outcome"], "known", "{case:#}");
    let (o, case) =
        run("[[known]]\ncase = \"z/z::zeros\"\nstep = \"get\"\npath = \"$[0]\"\nreason = \"the first is 0\"\n");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(case["outcome"], "failed", "{case:#}");
}
