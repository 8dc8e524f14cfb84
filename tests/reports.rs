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
name = "accepts what it should reject"
covers = ["S-BODY"]
[[case.step]]
name = "reject"
method = "POST"
path = "/accepts-anything"
json = { n = -1 }
expect.status = 400
expect.error = "ValidationException"

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
    /// The run's events as they came, one line each.
    events: Vec<String>,
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
    Mock::given(method("POST"))
        .and(path("/accepts-anything"))
        .respond_with(ResponseTemplate::new(200).set_body_json(j!({"accepted": true, "items": [{"n": -1}]})))
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
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = events.clone();
    let on_event: runner::OnEvent = Arc::new(move |e: &runner::Event<'_>| {
        let line = match e {
            runner::Event::RunStarted { cases } => format!("run started {cases}"),
            runner::Event::CaseStarted { id } => format!("case started {id}"),
            runner::Event::StepExchanged { case, step, phase, status, passed, .. } => {
                format!("step {case} {step} {phase:?} {status:?} passed={passed}")
            }
            runner::Event::CaseFinished { result } => format!("case finished {} {:?}", result.id, result.outcome),
            runner::Event::RunFinished { summary } => format!("run finished {}", summary.cases.len()),
            _ => "unknown event".to_owned(),
        };
        log.lock().unwrap().push(line);
    });
    let opts = RunOptions { baseline: Some(Arc::new(baseline)), on_event: Some(on_event), ..RunOptions::default() };
    let summary = runner::run(cases, &target, &opts).await.unwrap();
    let events = events.lock().unwrap().clone();
    let coverage = conform::report::coverage(&statements, &summary, &Default::default());
    Sample { summary, events, target: server.uri(), coverage, _server: server }
}

/// The runner's events (#17): the run's bounds first and last, each case
/// started before its steps and finished after them, a case that does not
/// run only finished, and no text of an exchange in any event.
#[tokio::test]
async fn events_come_in_order_for_every_consumer() {
    let s = sample().await;
    let ev = &s.events;
    assert_eq!(ev.first().map(String::as_str), Some("run started 7"), "{ev:#?}");
    assert_eq!(ev.last().map(String::as_str), Some("run finished 7"), "{ev:#?}");
    let at = |line: &str| ev.iter().position(|e| e == line);
    for case in &s.summary.cases {
        let finished = at(&format!("case finished {} {:?}", case.id, case.outcome))
            .unwrap_or_else(|| panic!("no finish for {}: {ev:#?}", case.id));
        let started = at(&format!("case started {}", case.id));
        let steps: Vec<usize> = ev
            .iter()
            .enumerate()
            .filter(|(_, e)| e.starts_with(&format!("step {} ", case.id)))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(steps.len(), case.steps.len(), "{}: {ev:#?}", case.id);
        match started {
            Some(started) => assert!(steps.iter().all(|&i| started < i && i < finished), "{}: {ev:#?}", case.id),
            None => assert_eq!(case.outcome, runner::Outcome::Skipped, "{}", case.id),
        }
    }
    assert!(ev.contains(&"step sample/cases::diverges fetch Step Some(200) passed=false".to_owned()), "{ev:#?}");
    assert!(ev.contains(&"step sample/cases::cannot-run provision Setup Some(500) passed=false".to_owned()), "{ev:#?}");
    assert_eq!(ev.iter().filter(|e| e.starts_with("case finished")).count(), 7);
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
        (r"cases in [0-9.]+ s", "cases in 0 s"),
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
    assert_eq!((c.passed, c.failed, c.errored, c.skipped, c.known, c.fixed), (1, 2, 1, 1, 1, 1), "{:#?}", s.summary);
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
    assert_eq!(b.script(visible).await, j!(["errored", "failed", "failed", "fixed", "known", "passed", "skipped"]));
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
    assert_eq!(b.script(visible).await, j!(["errored", "failed", "failed", "fixed", "known"]));

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

impl Browser {
    async fn async_script(&self, js: &str, args: serde_json::Value) -> serde_json::Value {
        self.call(reqwest::Method::POST, "/execute/async", j!({"script": js, "args": args})).await
    }

    async fn window(&self, width: u32, height: u32) {
        self.call(reqwest::Method::POST, "/window/rect", j!({"width": width, "height": height})).await;
    }
}

/// Reads a screenshot (base64 PNG) back in the page: its size, the share
/// of pixels that are not near-white, how many colours it has, and the
/// colour at a point.
const PIXELS: &str = r#"
const [png, x, y] = arguments; const done = arguments[arguments.length - 1];
const img = new Image();
img.onload = () => {
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let ink = 0; const colours = new Set();
  for (let i = 0; i < d.length; i += 4) {
    if (!(d[i] > 240 && d[i + 1] > 240 && d[i + 2] > 240)) ink++;
    colours.add(((d[i] >> 4) << 8) | ((d[i + 1] >> 4) << 4) | (d[i + 2] >> 4));
  }
  const at = g.getImageData(x, y, 1, 1).data;
  done({width: c.width, height: c.height, ink: ink / (d.length / 4), colours: colours.size, at: [at[0], at[1], at[2]]});
};
img.onerror = () => done(null);
img.src = 'data:image/png;base64,' + png;
"#;

/// The page as a person first sees it: a screenshot that is not blank and
/// shows the summary (its outcome bar drawn in the failed colour where the
/// failed segment is), the summary at the top, and no sideways scrolling
/// on a phone. `CONFORM_BLESS=1` writes the screenshot to
/// `docs/report.png` for the README.
#[tokio::test(flavor = "multi_thread")]
async fn html_report_screenshot_shows_the_summary_first() {
    let s = sample().await;
    let dir = tempfile::tempdir().unwrap();
    write_reports(dir.path(), &input(&s)).unwrap();
    let page = format!("file://{}", dir.path().join("report.html").display());
    let b = Browser::start().await;
    b.window(1100, 1000).await;
    b.call(reqwest::Method::POST, "/url", j!({"url": page})).await;

    let summary = b
        .script(
            "const s = document.getElementById('summary'), bar = document.getElementById('outcome-bar');
             if (!s || !bar) return null;
             const r = s.getBoundingClientRect(), f = bar.querySelector('.bg-failed').getBoundingClientRect();
             return {top: r.top, height: r.height, segments: bar.children.length, x: Math.round(f.left + f.width / 2), y: Math.round(f.top + f.height / 2),
                     cases_top: document.getElementById('cases').getBoundingClientRect().top,
                     first_case: document.querySelector('.case').dataset.outcome}",
        )
        .await;
    assert!(summary.is_object(), "no #summary with an #outcome-bar: {summary}");
    assert!(summary["top"].as_f64().unwrap() < 150.0 && summary["height"].as_f64().unwrap() > 40.0, "{summary}");
    assert_eq!(summary["segments"], j!(6), "one segment per outcome present: {summary}");
    assert!(summary["cases_top"].as_f64().unwrap() > summary["top"].as_f64().unwrap(), "{summary}");
    assert_eq!(summary["first_case"], j!("failed"), "failing cases come first");

    let png = b.call(reqwest::Method::GET, "/screenshot", j!({})).await;
    let png = png.as_str().expect("a base64 screenshot").to_owned();
    let px = b.async_script(PIXELS, j!([png, summary["x"], summary["y"]])).await;
    assert!(px.is_object(), "the screenshot does not decode: {px}");
    assert!(px["ink"].as_f64().unwrap() > 0.03, "the page rendered (nearly) blank: {px}");
    assert!(px["colours"].as_u64().unwrap() > 8, "the page rendered in too few colours: {px}");
    let at: Vec<u64> = px["at"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert!(at[0] > 150 && at[1] < 90 && at[2] < 90, "the failed segment of the bar is not drawn red: {at:?} ({px})");

    if std::env::var_os("CONFORM_BLESS").is_some() {
        let mut child = Command::new("base64")
            .arg("-d")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(png.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        std::fs::write(common::root().join("docs/report.png"), out.stdout).unwrap();
    }

    // A phone: the page itself never scrolls sideways (wide content
    // scrolls inside its own box).
    b.window(390, 844).await;
    let widths = b.script("return [document.documentElement.scrollWidth, window.innerWidth]").await;
    let (scroll, inner) = (widths[0].as_u64().unwrap(), widths[1].as_u64().unwrap());
    assert!(scroll <= inner, "the page is {scroll}px wide in a {inner}px window");
    b.call(reqwest::Method::DELETE, "", j!({})).await;
}

/// Issue #17: `report.json` is one set of types, written and read back by
/// them; `merge` loses nothing of a report that uses every field (known
/// and fixed outcomes, divergences with and without baseline entries,
/// diffs, errors, warnings, coverage, parity, a baseline).
#[tokio::test(flavor = "multi_thread")]
async fn report_json_round_trips_losslessly() {
    let s = sample().await;
    let input = ReportInput { summary: &s.summary, target: &s.target, coverage: Some(&s.coverage) };
    let written = conform::report::json::to_json(&input);
    let parsed = conform::report::json::from_json(&written).expect("reads back");
    assert_eq!(parsed.target, s.target);
    let again = ReportInput { summary: &parsed.summary, target: &parsed.target, coverage: Some(&s.coverage) };
    let rewritten = conform::report::json::to_json(&again);
    assert_eq!(written, rewritten, "report.json changed on a round trip");
    for outcome in ["\"known\"", "\"fixed\"", "\"failed\"", "\"errored\"", "\"passed\""] {
        assert!(written.to_string().contains(outcome), "the sample uses {outcome}");
    }
}

/// Issue #24: `report.json` is written from the typed coverage and read
/// straight from its bytes (no JSON value of the whole file), and both are
/// the same as through JSON values: same text, same report read back.
#[tokio::test]
async fn report_json_text_and_bytes_match_the_json_value_issue_24() {
    let s = sample().await;
    let input = ReportInput { summary: &s.summary, target: &s.target, coverage: Some(&s.coverage) };
    let value = conform::report::json::to_json(&input);
    let text = conform::report::json::to_json_text(&input);
    assert_eq!(text, serde_json::to_string_pretty(&value).unwrap());
    assert!(text.contains("\"coverage\": {"), "the sample has coverage");
    let from_bytes = conform::report::json::from_slice(text.as_bytes()).expect("reads back");
    let from_value = conform::report::json::from_json(&value).expect("reads back");
    assert_eq!(from_bytes.statements, from_value.statements);
    assert!(!from_bytes.statements.is_empty());
    let again = |p: &conform::report::json::ParsedReport| {
        conform::report::json::to_json(&ReportInput {
            summary: &p.summary,
            target: &p.target,
            coverage: Some(&s.coverage),
        })
    };
    assert_eq!(again(&from_bytes), again(&from_value));
    assert_eq!(again(&from_bytes), value);
    let bad = conform::report::json::from_slice(br#"{"schema_version": 9}"#);
    assert!(matches!(bad, Err(conform::report::ReportError::SchemaVersion { found: Some(9) })), "{bad:?}");
}
