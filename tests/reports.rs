//! Every report format for one real run, with a baseline, that has passed,
//! known, fixed, failed, errored and skipped cases: insta snapshots (volatile fields normalized), the
//! JUnit XML validated against a published JUnit XSD with xmllint, and the
//! HTML page driven in headless Chromium.
//!
//! The XSD is Jenkins' `junit-10.xsd` as the pytest source distribution
//! ships it; the test fetches that from PyPI once into `target/junit-xsd/`.
//! xmllint and Chromium come from Debian (`.ci/test-deps` installs them).

mod common;

use std::path::PathBuf;
use std::process::Command;

use std::sync::Arc;

use conform::baseline::Baseline;
use conform::case::{LoadOptions, load_cases};
use conform::report::{ReportInput, html, json, junit, markdown, terminal, write_reports};
use conform::runner::{self, RunOptions, RunSummary, Target};
use regex::Regex;
use serde_json::json as j;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CASES: &str = r#"
[[case]]
name = "passes"
covers = ["S-OK"]
tags = ["smoke"]
[[case.step]]
method = "GET"
path = "/ok"
expect.json = { id = "a1", n = 1 }

[[case]]
name = "diverges"
covers = ["S-BODY"]
[[case.step]]
name = "fetch"
method = "GET"
path = "/wrong"
headers = { authorization = "Bearer very-secret-token" }
expect.status = 200
expect.json = { id = "a1", n = 1, tags = ["x", "y"] }

[[case]]
name = "cannot run"
covers = ["S-BODY"]
[[case.setup]]
name = "provision"
method = "GET"
path = "/broken"
[[case.step]]
method = "GET"
path = "/ok"

[[case]]
name = "not for this target"
requires = ["teleport"]
[[case.step]]
method = "GET"
path = "/ok"

[[case]]
name = "known quirk"
covers = ["S-KNOWN"]
[[case.step]]
name = "first"
method = "GET"
path = "/quirk"
expect.json = { id = "a1" }
[[case.step]]
name = "second"
method = "GET"
path = "/ok"
expect.json = { id = "a1", n = 1 }

[[case]]
name = "fixed quirk"
covers = ["S-OK"]
[[case.step]]
method = "GET"
path = "/ok"
expect.json = { id = "a1", n = 1 }
"#;

const BASELINE: &str = r#"# what the sample server is known to do
[[known]]
case = "sample/cases::known-quirk"
step = "first"
kind = "body"
path = "$.extra"
reason = "the server adds `extra`"
link = "https://example.com/issues/1"

[[known]]
case = "sample/cases::fixed-quirk"
kind = "status"
reason = "it once answered 500"
"#;

const CONTRACT: &str = r#"
model = "model.json"
[[statement]]
id = "S-OK"
text = "GET /ok answers 200"
source = "test"
[[statement]]
id = "S-BODY"
text = "GET /wrong answers the documented body"
source = "test"
[[statement]]
id = "S-KNOWN"
text = "GET /quirk answers only the documented members"
source = "test"
[[statement]]
id = "S-NONE"
text = "a statement no case covers"
source = "test"
"#;

struct Sample {
    summary: RunSummary,
    target: String,
    coverage: conform::report::Coverage,
    _server: MockServer,
}

async fn sample() -> Sample {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(j!({"id": "a1", "n": 1})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/wrong"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(j!({"id": "b<2>", "n": 1, "tags": ["y"], "extra": true})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(path("/broken")).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    Mock::given(method("GET"))
        .and(path("/quirk"))
        .respond_with(ResponseTemplate::new(200).set_body_json(j!({"id": "a1", "extra": "x"})))
        .mount(&server)
        .await;
    let dir = common::case_dir(&[
        ("sample/suite.toml", "contract = \"contract.toml\"\n"),
        ("sample/contract.toml", CONTRACT),
        ("sample/model.json", r#"{"shapes": {}, "operations": {}}"#),
        ("sample/cases.toml", CASES),
        ("known.toml", BASELINE),
    ]);
    let baseline = Baseline::load(&dir.path().join("known.toml")).unwrap();
    let cases = load_cases(&[dir.path().join("sample")], &LoadOptions::default()).unwrap();
    let statements: Vec<(String, String)> =
        cases[0].contract.as_ref().unwrap().statements.iter().map(|s| (s.id.clone(), s.text.clone())).collect();
    let target = Target { base_url: server.uri().parse().unwrap(), capabilities: Default::default() };
    let opts = RunOptions { baseline: Some(Arc::new(baseline)), ..RunOptions::default() };
    let summary = runner::run(cases, &target, &opts).await.unwrap();
    let coverage = conform::report::coverage(&statements, &summary, &Default::default());
    Sample { summary, target: server.uri(), coverage, _server: server }
}

/// Replaces what changes from run to run: ports, durations, dates, temp paths.
fn normalize(s: &str) -> String {
    let rules = [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        (r#""duration_ms": \d+"#, r#""duration_ms": 0"#),
        (r"\(\d+ ms\)", "(0 ms)"),
        (r#"time="[0-9.]+""#, r#"time="0""#),
        (r#"timestamp="[^"]*""#, r#"timestamp="T""#),
        (r#"(?i)"date",\s*"[^"]*""#, r#""date", "DATE""#),
        (r"(?i)date: [A-Za-z]{3}, \d\d [A-Za-z]{3} \d{4} [0-9:]{8} GMT", "date: DATE"),
        (r"finished in [0-9.]+ s", "finished in 0 s"),
        (r#"/tmp/[^"/\s]+/"#, "/TMP/"),
    ];
    let mut out = s.to_owned();
    for (re, with) in rules {
        out = Regex::new(re).unwrap().replace_all(&out, with).into_owned();
    }
    out
}

fn input(s: &Sample) -> ReportInput<'_> {
    ReportInput { summary: &s.summary, target: &s.target, coverage: Some(&s.coverage) }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_format_matches_its_snapshot() {
    let s = sample().await;
    let c = s.summary.counts();
    assert_eq!((c.passed, c.failed, c.errored, c.skipped, c.known, c.fixed), (1, 1, 1, 1, 1, 1), "{:#?}", s.summary);
    let input = input(&s);
    let json_text = serde_json::to_string_pretty(&json::to_json(&input)).unwrap();
    insta::assert_snapshot!("report.json", normalize(&json_text));
    insta::assert_snapshot!("junit.xml", normalize(&junit::to_junit(&input).unwrap()));
    insta::assert_snapshot!("report.md", normalize(&markdown::to_markdown(&input)));
    insta::assert_snapshot!("report.html", normalize(&html::to_html(&input)));
    let mut term = Vec::new();
    let plain = terminal::Style { color: false };
    terminal::write_report(&mut term, plain, &s.summary, Some(&s.coverage), terminal::Detail::Normal).unwrap();
    insta::assert_snapshot!("terminal", normalize(&String::from_utf8(term).unwrap()));
    let p = conform::report::parity::parity(&input);
    insta::assert_snapshot!("parity.svg", conform::report::badge::to_svg(&p));
    // The bearer token the case sent never reaches a report.
    for text in [json_text, junit::to_junit(&input).unwrap(), markdown::to_markdown(&input), html::to_html(&input)] {
        assert!(!text.contains("very-secret-token"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn report_json_reads_back_as_it_was_written() {
    let s = sample().await;
    let input = input(&s);
    let written = json::to_json(&input);
    let parsed = json::from_json(&written).unwrap();
    let again =
        json::to_json(&ReportInput { summary: &parsed.summary, target: &parsed.target, coverage: Some(&s.coverage) });
    assert_eq!(written, again);
}

/// Jenkins' junit-10.xsd, from the pytest sdist on PyPI (fetched once).
fn junit_xsd() -> PathBuf {
    let dir = common::root().join("target/junit-xsd");
    let xsd = dir.join("pytest-8.3.5/testing/example_scripts/junit-10.xsd");
    if !xsd.is_file() {
        std::fs::create_dir_all(&dir).unwrap();
        let pip = Command::new("python3")
            .args(["-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", "pytest==8.3.5", "-d"])
            .arg(&dir)
            .status()
            .expect("python3 -m pip runs");
        assert!(pip.success(), "downloading the pytest sdist failed");
        let tar = Command::new("tar")
            .args(["xzf", "pytest-8.3.5.tar.gz", "pytest-8.3.5/testing/example_scripts/junit-10.xsd"])
            .current_dir(&dir)
            .status()
            .expect("tar runs");
        assert!(tar.success() && xsd.is_file(), "junit-10.xsd not found in the sdist");
    }
    xsd
}

#[tokio::test(flavor = "multi_thread")]
async fn junit_xml_validates_against_the_published_junit_xsd() {
    let s = sample().await;
    let dir = tempfile::tempdir().unwrap();
    write_reports(dir.path(), &input(&s)).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(junit_xsd())
        .arg(dir.path().join("junit.xml"))
        .output()
        .expect("xmllint is installed (Debian package libxml2-utils; see .ci/test-deps)");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("validates"), "{text}");
    // The badge beside it is well-formed XML.
    let badge = Command::new("xmllint").arg("--noout").arg(dir.path().join("parity.svg")).output().unwrap();
    assert!(badge.status.success(), "{}", String::from_utf8_lossy(&badge.stderr));
}

/// A minimal WebDriver client over chromedriver, for the HTML report.
struct Browser {
    http: reqwest::Client,
    base: String,
    session: String,
    driver: std::process::Child,
}

impl Browser {
    async fn start() -> Browser {
        let port = common::refused_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver is installed (Debian package chromium-driver; see .ci/test-deps)");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let caps = j!({"capabilities": {"alwaysMatch": {
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"
            ]},
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let mut session = None;
        for _ in 0..100 {
            if let Ok(r) = http.post(format!("{base}/session")).json(&caps).send().await {
                let v: serde_json::Value = r.json().await.unwrap();
                session =
                    Some(v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_owned());
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Browser { http, base, session: session.expect("chromedriver answers"), driver }
    }

    async fn call(&self, verb: reqwest::Method, path: &str, body: serde_json::Value) -> serde_json::Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let v: serde_json::Value = self.http.request(verb, url).json(&body).send().await.unwrap().json().await.unwrap();
        v["value"].clone()
    }

    async fn script(&self, js: &str) -> serde_json::Value {
        self.call(reqwest::Method::POST, "/execute/sync", j!({"script": js, "args": []})).await
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn html_report_works_in_headless_chromium() {
    let s = sample().await;
    let dir = tempfile::tempdir().unwrap();
    write_reports(dir.path(), &input(&s)).unwrap();
    let page = format!("file://{}", dir.path().join("report.html").display());
    let b = Browser::start().await;
    b.call(reqwest::Method::POST, "/url", j!({"url": page})).await;

    let logs = b.call(reqwest::Method::POST, "/se/log", j!({"type": "browser"})).await;
    assert!(logs.is_array(), "chromedriver returned no browser log: {logs}");
    let errors: Vec<&serde_json::Value> =
        logs.as_array().into_iter().flatten().filter(|l| l["level"] == "SEVERE").collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");

    let visible = "return [...document.querySelectorAll('.case')].filter(c => c.offsetParent !== null).map(c => c.dataset.outcome).sort()";
    assert_eq!(b.script(visible).await, j!(["errored", "failed", "fixed", "known", "passed", "skipped"]));
    // The badge is drawn inline.
    assert_eq!(b.script("return document.querySelectorAll('#parity svg text').length").await, j!(2));

    // Untick `passed` and `skipped`: failed, errored, known and fixed cases remain.
    for outcome in ["passed", "skipped"] {
        let el = b
            .call(
                reqwest::Method::POST,
                "/element",
                j!({"using": "css selector", "value": format!(".filters input[value={outcome}]")}),
            )
            .await;
        let id = el.as_object().and_then(|o| o.values().next()).and_then(|v| v.as_str()).unwrap().to_owned();
        b.call(reqwest::Method::POST, &format!("/element/{id}/click"), j!({})).await;
    }
    assert_eq!(b.script(visible).await, j!(["errored", "failed", "fixed", "known"]));

    // The failed case's diff is on screen, with its removed and added lines.
    let diff = b
        .script(
            "const d = document.querySelector('.case[data-outcome=failed] pre.diff');
             return d && d.offsetParent !== null ? [d.querySelectorAll('.del').length, d.querySelectorAll('.add').length, d.innerText] : null",
        )
        .await;
    assert!(diff[0].as_u64().unwrap() > 0 && diff[1].as_u64().unwrap() > 0, "{diff}");
    assert!(diff[2].as_str().unwrap().contains("\"b<2>\""), "{diff}");
    b.call(reqwest::Method::DELETE, "", j!({})).await;
}
