//! The `conform` binary end to end against real loopback servers: a
//! wiremock server with fixed answers, a raw TCP server that stalls or
//! resets, a port where nothing listens, and the built-in double.

mod common;

use std::time::{Duration, Instant};

use common::{case_dir, conform, raw_server, refused_port, root, text};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn fixed_server() -> MockServer {
    let s = MockServer::start().await;
    let ok = ResponseTemplate::new(200)
        .insert_header("x-a", "1")
        .set_body_json(json!({"id": "abc", "n": 1, "tags": ["x", "y"]}));
    Mock::given(method("GET")).and(path("/ok")).respond_with(ok.clone()).mount(&s).await;
    Mock::given(method("GET")).and(path("/console/ok")).respond_with(ok).mount(&s).await;
    Mock::given(method("GET"))
        .and(path("/items/abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "found"})))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/err"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-amzn-ErrorType", "BadRequestException:http://internal/")
                .set_body_json(json!({"Code": "BadRequest", "Message": "no"})),
        )
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/text"))
        .respond_with(ResponseTemplate::new(200).set_body_string("plain text"))
        .mount(&s)
        .await;
    Mock::given(method("DELETE")).and(path("/cleanup")).respond_with(ResponseTemplate::new(204)).mount(&s).await;
    s
}

const PASSING: &str = r#"
[[case]]
name = "ok with every matcher"
tags = ["smoke"]

[[case.step]]
method = "GET"
path = "/ok"
expect.status = [200, 201]
expect.headers = { x-a = "1", X-A = { regex = "^1$" }, x-missing = { absent = true }, content-type = { present = true } }
expect.json = { id = { "$type" = "string" }, n = { "$one_of" = [1, 2] }, tags = { "$unordered" = ["y", "x"] } }

[[case]]
name = "aws error read like the sdks"

[[case.step]]
method = "GET"
path = "/err"
expect = { status = 400, error = "BadRequestException", json = { Code = "BadRequest", Message = { "$type" = "string" } } }
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_conforming_endpoint_passes_with_exit_0() {
    let s = fixed_server().await;
    let dir = case_dir(&[("suite/a.toml", PASSING)]);
    let o = conform(&["run", "--endpoint", &s.uri(), "suite"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("PASS  suite/a::ok-with-every-matcher"), "{out}");
    assert!(out.contains("2 passed, 0 failed, 0 errored, 0 skipped"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_divergence_kind_is_reported_with_exit_1() {
    let s = fixed_server().await;
    let cases = r#"
[[case]]
name = "status"
[[case.step]]
method = "GET"
path = "/ok"
expect.status = 201

[[case]]
name = "header"
[[case.step]]
method = "GET"
path = "/ok"
expect.headers = { x-a = "2" }

[[case]]
name = "body"
[[case.step]]
method = "GET"
path = "/ok"
expect.json = { id = "abd", n = 1, tags = ["x", "y"] }

[[case]]
name = "strict extra member"
[[case.step]]
method = "GET"
path = "/ok"
expect.json = { id = "abc", n = 1 }

[[case]]
name = "error type"
[[case.step]]
method = "GET"
path = "/err"
expect = { status = 400, error = "NotFoundException" }

[[case]]
name = "capture"
[[case.step]]
method = "GET"
path = "/ok"
capture = { nothing = "$.nope" }

[[case]]
name = "not json"
[[case.step]]
method = "GET"
path = "/text"
expect.json = { a = 1 }

[[case]]
name = "text"
[[case.step]]
method = "GET"
path = "/text"
expect.text = "other text"
"#;
    let dir = case_dir(&[("d/k.toml", cases)]);
    let o = conform(&["run", "--endpoint", &s.uri(), "d"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    for needle in [
        "status: unexpected status",
        "expected: 201",
        "header x-a: header differs",
        "body $.id: value differs",
        "-  \"id\": \"abd\",",
        "+  \"id\": \"abc\",",
        "body $.tags: undocumented member (strict object)",
        "error: error type differs",
        "actual:   BadRequestException",
        "capture $.nope: capture found nothing",
        "body $: body is not JSON",
        "body: body text differs",
        "0 passed, 8 failed, 0 errored, 0 skipped",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn transport_failures_error_their_case_and_the_others_still_run() {
    let s = fixed_server().await;
    let raw = raw_server();
    let refused = refused_port();
    let dir = case_dir(&[("t/ok.toml", "[[case]]\nname = \"ok\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/ok\"\n")]);
    // One endpoint per run; the raw server serves stall, reset and ok paths.
    let started = Instant::now();
    let hostile = case_dir(&[(
        "h/h.toml",
        "[[case]]\nname = \"stall\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/stall\"\n\n\
         [[case]]\nname = \"reset\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/reset\"\n\n\
         [[case]]\nname = \"fine\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/fine\"\n",
    )]);
    let o =
        conform(&["run", "--timeout", "300ms", "--endpoint", &format!("http://127.0.0.1:{raw}"), "h"], hostile.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("PASS  h/h::fine"), "{out}");
    assert!(out.contains("ERROR h/h::stall") && out.contains("timed out after 300 ms"), "{out}");
    assert!(out.contains("ERROR h/h::reset"), "{out}");
    assert!(out.contains("1 passed, 0 failed, 2 errored, 0 skipped"), "{out}");
    // The stalled request is bounded by --timeout, not by the server.
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());

    let o = conform(&["run", "--endpoint", &format!("http://127.0.0.1:{refused}"), "t"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("ERROR t/ok::ok") && out.contains("connection failed"), "{out}");

    let o = conform(&["run", "--endpoint", &s.uri(), "t"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn captures_flow_into_later_steps_and_base_url_prefixes_are_kept() {
    let s = fixed_server().await;
    let cases = r#"
[[case]]
name = "capture then use"
[[case.step]]
method = "GET"
path = "/ok"
capture = { item_id = "$.id", code = "status", ax = "header:x-a" }
[[case.step]]
method = "GET"
path = "/items/{{item_id}}"
expect.json = { name = "found" }
"#;
    let dir = case_dir(&[
        ("c/c.toml", cases),
        (
            "p/p.toml",
            "[[case]]\nname = \"prefixed\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/ok\"\nexpect.status = 200\n",
        ),
    ]);
    let o = conform(&["run", "--endpoint", &s.uri(), "c"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = conform(&["run", "--endpoint", &format!("{}/console", s.uri()), "p"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_setup_errors_the_case_and_teardown_still_runs() {
    let s = fixed_server().await;
    let cases = r#"
[[case]]
name = "setup fails"
[[case.setup]]
name = "provision"
method = "GET"
path = "/missing"
[[case.step]]
method = "GET"
path = "/ok"
[[case.teardown]]
method = "DELETE"
path = "/cleanup"
expect.status = 204

[[case]]
name = "teardown fails"
[[case.step]]
method = "GET"
path = "/ok"
[[case.teardown]]
method = "DELETE"
path = "/not-there"
"#;
    let dir = case_dir(&[("s/s.toml", cases)]);
    let o = conform(&["run", "--endpoint", &s.uri(), "s"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("ERROR s/s::setup-fails") && out.contains("setup failed: provision"), "{out}");
    assert!(out.contains("PASS  s/s::teardown-fails"), "{out}");
    assert!(out.contains("warning: teardown `teardown 1`"), "{out}");
    let cleanups =
        s.received_requests().await.unwrap_or_default().iter().filter(|r| r.url.path() == "/cleanup").count();
    assert_eq!(cleanups, 1, "the teardown of the errored case ran");
}

#[test]
fn invalid_files_and_bad_usage_exit_2_and_send_nothing() {
    let o = conform(&["check", "tests/fixtures/invalid"], &root());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    let fixtures = std::fs::read_dir(root().join("tests/fixtures/invalid"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "toml"))
        .count();
    assert!(fixtures >= 40);
    for e in std::fs::read_dir(root().join("tests/fixtures/invalid")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let name = format!("tests/fixtures/invalid/{}:", p.file_name().unwrap().to_string_lossy());
            assert!(out.contains(&name), "no error reported for {name}\n{out}");
        }
    }
    assert!(out.contains("nothing was sent"), "{out}");

    // `run` refuses the same files before sending: the refused port would error otherwise.
    let port = refused_port();
    let o = conform(&["run", "--endpoint", &format!("http://127.0.0.1:{port}"), "tests/fixtures/invalid"], &root());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!text(&o).contains("connection failed"));

    let o = conform(&["run", "--jobs", "0"], &root());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = conform(&["run", "--endpoint", "not a url"], &root());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn list_filter_tag_and_shard_select_cases() {
    let dir = case_dir(&[
        (
            "s/a.toml",
            "[[case]]\nname = \"one\"\ntags = [\"smoke\"]\n[[case.step]]\nmethod = \"GET\"\npath = \"/\"\n\n[[case]]\nname = \"two\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/\"\n",
        ),
        ("s/b.toml", "[[case]]\nname = \"three\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/\"\n"),
    ]);
    let list = |args: &[&str]| {
        let mut all = vec!["list"];
        all.extend_from_slice(args);
        all.push("s");
        let o = conform(&all, dir.path());
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout).lines().map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(list(&[]), vec!["s/a::one", "s/a::two", "s/b::three"]);
    assert_eq!(list(&["--filter", "two"]), vec!["s/a::two"]);
    assert_eq!(list(&["--filter", "s/*::t*"]), vec!["s/a::two", "s/b::three"]);
    assert_eq!(list(&["--tag", "smoke"]), vec!["s/a::one"]);
    let mut union: Vec<String> = (1..=3).flat_map(|k| list(&["--shard", &format!("{k}/3")])).collect();
    union.sort();
    assert_eq!(union, list(&[]));
}

#[test]
fn the_shipped_cases_pass_against_the_built_in_double() {
    let o = conform(&["run"], &root());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains(" 0 failed, 0 errored"), "{out}");
}

#[test]
fn shards_split_the_suite_and_merge_back_into_one_report() {
    let dir = tempfile::tempdir().unwrap();
    let o = conform(&["list"], &root());
    let all: Vec<String> = String::from_utf8_lossy(&o.stdout).lines().map(str::to_owned).collect();
    assert!(all.len() >= 20);
    let mut seen: Vec<String> = Vec::new();
    let mut shard_dirs = Vec::new();
    for k in 1..=3 {
        let out = dir.path().join(format!("shard-{k}"));
        let o = conform(&["run", "--shard", &format!("{k}/3"), "--report-dir", out.to_str().unwrap()], &root());
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
        let ids: Vec<String> =
            report["cases"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
        assert!(!ids.is_empty(), "shard {k} is empty");
        seen.extend(ids);
        shard_dirs.push(out);
    }
    seen.sort();
    assert_eq!(seen, all, "the shards together hold every case exactly once");

    let merged = dir.path().join("merged");
    let mut args = vec!["merge", "--out", merged.to_str().unwrap()];
    args.extend(shard_dirs.iter().map(|d| d.to_str().unwrap()));
    let o = conform(&args, &root());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(merged.join("report.json")).unwrap()).unwrap();
    let ids: Vec<String> =
        report["cases"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, all);
    assert_eq!(report["summary"]["passed"], all.len());
    assert_eq!(report["coverage"]["uncovered"], 0, "combined coverage covers every statement");
    for f in ["junit.xml", "report.md", "report.html"] {
        assert!(merged.join(f).is_file(), "{f}");
    }
    // Merging overlapping reports is refused.
    let o = conform(
        &["merge", "--out", merged.to_str().unwrap(), shard_dirs[0].to_str().unwrap(), shard_dirs[0].to_str().unwrap()],
        &root(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn ctrl_c_abandons_requests_runs_teardown_and_writes_a_partial_report() {
    let port = raw_server();
    let cases = "[[case]]\nname = \"fine\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/fine\"\n\n\
                 [[case]]\nname = \"stalls\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/stall\"\n\
                 [[case.teardown]]\nmethod = \"GET\"\npath = \"/cleanup\"\n\n\
                 [[case]]\nname = \"later\"\nexclusive = true\n[[case.step]]\nmethod = \"GET\"\npath = \"/fine\"\n";
    let dir = case_dir(&[("i/i.toml", cases)]);
    let reports = dir.path().join("reports");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--timeout", "60s", "--endpoint", &format!("http://127.0.0.1:{port}"), "--report-dir"])
        .arg(&reports)
        .arg("i")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let interrupted_at = Instant::now();
    let _ = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let o = child.wait_with_output().unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(130), "{out}");
    assert!(
        interrupted_at.elapsed() < Duration::from_secs(10),
        "the interrupt was not prompt: {:?}",
        interrupted_at.elapsed()
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["interrupted"], true);
    let case = |id: &str| report["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!(case("i/i::fine")["outcome"], "passed");
    let stalled = case("i/i::stalls");
    assert_eq!(stalled["outcome"], "errored");
    assert!(stalled["reason"].as_str().unwrap().contains("interrupted"), "{stalled}");
    let phases: Vec<&str> = stalled["steps"].as_array().unwrap().iter().map(|s| s["phase"].as_str().unwrap()).collect();
    assert_eq!(phases, vec!["teardown"], "the request in flight is abandoned; teardown still runs");
    assert_eq!(case("i/i::later")["outcome"], "skipped");
    for f in ["junit.xml", "report.md", "report.html"] {
        assert!(reports.join(f).is_file(), "{f}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_markdown_report_is_appended_to_the_github_step_summary() {
    let s = fixed_server().await;
    let dir = case_dir(&[("suite/a.toml", PASSING)]);
    let summary = dir.path().join("step-summary.md");
    std::fs::write(&summary, "earlier content\n").unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--quiet", "--endpoint", &s.uri(), "suite"])
        .current_dir(dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("earlier content\n# conform report"), "{md}");
    assert!(md.contains("| 2 | 0 | 0 | 0 | 0 | 0 | 2 |"), "{md}");
}

/// Runs `conform` with a deadline: a command that blocks (on a FIFO) is
/// killed and reported as such instead of hanging the test.
#[cfg(unix)]
fn conform_within(args: &[&str], cwd: &std::path::Path, deadline: Duration) -> Result<std::process::Output, String> {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            return Err(format!("`conform {}` still ran after {deadline:?}", args.join(" ")));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(child.wait_with_output().unwrap())
}

/// Issue #24: `merge` and `baseline` read only regular files, bounded: a
/// FIFO (which blocked forever), a device (`/dev/zero` grew without end) and
/// a file over the report limit are each refused at once, naming the file.
#[cfg(unix)]
#[test]
fn merge_and_baseline_refuse_what_is_not_a_regular_file_issue_24() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fifo = d.join("report.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // A sparse file one byte over the limit of 2 GiB: nothing is written.
    let huge = d.join("huge.json");
    std::fs::File::create(&huge).unwrap().set_len(2 * 1024 * 1024 * 1024 + 1).unwrap();
    let reports = d.join("r");
    let o = conform(
        &["run", "--quiet", "--filter", "batch-update-user", "--report-dir", reports.to_str().unwrap()],
        &root(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (fifo, huge, reports) = (fifo.to_str().unwrap(), huge.to_str().unwrap(), reports.to_str().unwrap());
    let out = d.join("out");
    let out = out.to_str().unwrap();
    let table: &[(&[&str], String)] = &[
        (&["merge", "--out", out, fifo], format!("cannot read `{fifo}`: a FIFO is not read: only regular files are")),
        (&["merge", "--out", out, "/dev/zero"], "cannot read `/dev/zero`: a device is not read".to_owned()),
        (
            &["merge", "--out", out, reports, huge],
            format!("cannot read `{huge}`: file is too large (2147483649 bytes; the limit is 2147483648)"),
        ),
        (&["baseline", "--out", "known.toml", fifo], format!("cannot read `{fifo}`: a FIFO is not read")),
        (&["baseline", "--out", "known.toml", "/dev/zero"], "cannot read `/dev/zero`: a device is not read".to_owned()),
        (&["baseline", "--out", fifo, reports], format!("cannot read `{fifo}`: a FIFO is not read")),
        (&["baseline", "--out", "/dev/zero", reports], "cannot read `/dev/zero`: a device is not read".to_owned()),
    ];
    for (args, want) in table {
        let o = conform_within(args, d, Duration::from_secs(30)).unwrap_or_else(|e| panic!("{e}"));
        let shown = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {shown}");
        assert!(shown.contains(want.as_str()), "{args:?}: {shown}\nshould contain: {want}");
    }
    assert!(!d.join("known.toml").exists(), "nothing is written");
}
