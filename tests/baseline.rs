//! Baselines end to end, through the `conform` binary against a small
//! loopback server whose answers change from run to run (fresh ids, list
//! order): known, fixed and new divergences in one run; a known divergence
//! that no longer stops its case; `conform baseline` writing, merging
//! shards and updating in place; `--allow-fixed`; entries that match
//! nothing; invalid files; `shape` modes.

mod common;

use std::path::Path;

use common::{case_dir, conform, text};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// `GET /items`: two items, each with an undocumented `Extra` member, in
/// an order and with ids and a request id that are new on every request.
struct Items;

impl Respond for Items {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let id = || uuid::Uuid::new_v4().to_string();
        let mut items =
            vec![json!({"Id": id(), "Name": "a", "Extra": id()}), json!({"Id": id(), "Name": "b", "Extra": id()})];
        if id() < id() {
            items.reverse();
        }
        ResponseTemplate::new(200).set_body_json(json!({"Items": items, "RequestId": id()}))
    }
}

async fn server() -> MockServer {
    let s = MockServer::start().await;
    Mock::given(method("GET")).and(path("/items")).respond_with(Items).mount(&s).await;
    Mock::given(method("GET"))
        .and(path("/ok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/later"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"v": 2})))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/thing"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"Name": "x", "Extra": 1})))
        .mount(&s)
        .await;
    s
}

const LIST_STEP: &str = r#"
[[case.step]]
name = "list"
method = "GET"
path = "/items"
expect.json = { Items = { "$each" = { Id = { "$type" = "string" }, Name = { "$type" = "string" } } }, RequestId = { "$type" = "string" } }
"#;

fn cases() -> String {
    format!(
        r#"
[[case]]
name = "list"
{LIST_STEP}
[[case]]
name = "ok"
[[case.step]]
method = "GET"
path = "/ok"
expect.json = {{ ok = true }}

[[case]]
name = "new"
[[case.step]]
method = "GET"
path = "/later"
expect.json = {{ v = 1 }}

[[case]]
name = "two steps"
{LIST_STEP}
[[case.step]]
name = "later"
method = "GET"
path = "/later"
expect.json = {{ v = 1 }}
"#
    )
}

fn run(dir: &Path, s: &MockServer, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", "--endpoint", s.uri().leak(), "s"];
    args.extend_from_slice(extra);
    conform(&args, dir)
}

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

fn case<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no case {id}"))
}

fn outcomes(report: &Value) -> Vec<(String, String)> {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["outcome"].as_str().unwrap().to_owned()))
        .collect()
}

const LIST_KNOWN: &str = r#"
[[known]]
case = "s/cases::list"
step = "list"
kind = "body"
path = "$.Items[*].Extra"
reason = "the server adds Extra to every item"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn known_fixed_and_new_divergences_in_one_run() {
    let s = server().await;
    let baseline = format!("{LIST_KNOWN}\n[[known]]\ncase = \"s/cases::ok\"\nkind = \"status\"\n");
    let dir = case_dir(&[("s/suite.toml", ""), ("s/cases.toml", &cases()), ("known.toml", &baseline)]);
    let o = run(
        dir.path(),
        &s,
        &[
            "--baseline",
            "known.toml",
            "--filter",
            "::list",
            "--filter",
            "::ok",
            "--filter",
            "::new",
            "--report-dir",
            "r",
        ],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let r = report(&dir.path().join("r"));
    assert_eq!(
        outcomes(&r),
        [("s/cases::list", "known"), ("s/cases::new", "failed"), ("s/cases::ok", "fixed")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(r["schema_version"], 2);
    assert_eq!((r["summary"]["known"].as_u64(), r["summary"]["fixed"].as_u64()), (Some(1), Some(1)));
    // Both list items diverge; one entry knows both, whatever their order.
    let list = case(&r, "s/cases::list");
    let divs = list["divergences"].as_array().unwrap();
    assert_eq!(divs.len(), 2, "{list}");
    assert!(divs.iter().all(|d| d["known"]["entry"] == "known.toml:2"), "{list}");
    assert_eq!(case(&r, "s/cases::ok")["fixed"][0]["entry"], "known.toml:9");
    assert!(case(&r, "s/cases::new")["divergences"][0]["known"].is_null());
    assert!(out.contains("KNOWN s/cases::list"), "{out}");
    assert!(out.contains("FIXED s/cases::ok"), "{out}");
    assert!(out.contains("FAIL  s/cases::new"), "{out}");
    assert!(out.contains("fixed: known.toml:9: case `s/cases::ok`, status matched nothing"), "{out}");
    assert!(out.contains("0 passed, 1 failed, 0 errored, 0 skipped, 1 known, 1 fixed"), "{out}");
    // The two-step case was not selected: its (absent) entries play no part,
    // and the entry of no case here is not reported as fixed.
    assert_eq!(r["baseline"]["not_run"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_known_divergence_at_step_1_lets_a_new_one_at_step_2_fail_the_case() {
    let s = server().await;
    let baseline = LIST_KNOWN.replace("s/cases::list", "s/cases::two-steps");
    let dir = case_dir(&[("s/suite.toml", ""), ("s/cases.toml", &cases()), ("known.toml", &baseline)]);
    // Without the baseline the case stops at step 1, as it always did.
    let o = run(dir.path(), &s, &["--filter", "two-steps", "--report-dir", "plain"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let plain = report(&dir.path().join("plain"));
    assert_eq!(case(&plain, "s/cases::two-steps")["steps"].as_array().unwrap().len(), 1);
    // With it, step 1 is known and step 2 runs and fails.
    let o = run(dir.path(), &s, &["--filter", "two-steps", "--baseline", "known.toml", "--report-dir", "r"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let r = report(&dir.path().join("r"));
    let c = case(&r, "s/cases::two-steps");
    assert_eq!(c["outcome"], "failed", "{c}");
    let steps = c["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "{c}");
    assert_eq!(steps[1]["name"], "later");
    let new: Vec<&Value> = c["divergences"].as_array().unwrap().iter().filter(|d| d["known"].is_null()).collect();
    assert_eq!(new.len(), 1, "{c}");
    assert_eq!((new[0]["step"].as_str(), new[0]["path"].as_str()), (Some("later"), Some("$.v")));
    assert!(out.contains("step `later`"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_baseline_written_from_one_run_matches_the_next_though_every_value_changed() {
    let s = server().await;
    let dir = case_dir(&[("s/suite.toml", ""), ("s/cases.toml", &cases())]);
    let o = run(dir.path(), &s, &["--filter", "::list", "--report-dir", "r1"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = conform(&["baseline", "--out", "known.toml", "r1"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("added    case `s/cases::list`, step `list`, body at `$.Items[*].Extra`"), "{out}");
    assert!(out.contains("known.toml: 1 entries (1 added, 0 removed)"), "{out}");
    let written = std::fs::read_to_string(dir.path().join("known.toml")).unwrap();
    let r1 = report(&dir.path().join("r1"));
    let body1 = case(&r1, "s/cases::list")["steps"][0]["response"]["body"]["text"].as_str().unwrap().to_owned();
    let extra1: Value = serde_json::from_str(&body1).unwrap();
    assert!(!written.contains(extra1["Items"][0]["Extra"].as_str().unwrap()), "no value in the baseline: {written}");

    let o = run(dir.path(), &s, &["--filter", "::list", "--baseline", "known.toml", "--report-dir", "r2"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r2 = report(&dir.path().join("r2"));
    assert_eq!(case(&r2, "s/cases::list")["outcome"], "known");
    let body2 = case(&r2, "s/cases::list")["steps"][0]["response"]["body"]["text"].as_str().unwrap().to_owned();
    let extra2: Value = serde_json::from_str(&body2).unwrap();
    assert_ne!(extra1["RequestId"], extra2["RequestId"]);
    assert_ne!(extra1["Items"][0]["Id"], extra2["Items"][0]["Id"]);
    // --quiet leaves known cases to the counts.
    let o = run(dir.path(), &s, &["--filter", "::list", "--baseline", "known.toml", "--quiet"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(!out.contains("KNOWN s/cases::list") && out.contains("0 skipped, 1 known, 0 fixed"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reports_of_shards_merge_into_one_baseline() {
    let s = server().await;
    let many: String =
        (0..8).map(|i| format!("[[case]]\nname = \"list {i}\"\n{LIST_STEP}\n")).collect::<Vec<_>>().join("\n");
    let dir = case_dir(&[("s/suite.toml", ""), ("s/cases.toml", &many)]);
    for k in 1..=2 {
        let o = run(dir.path(), &s, &["--shard", &format!("{k}/2"), "--report-dir", &format!("shard{k}")]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    }
    let (n1, n2) = (
        report(&dir.path().join("shard1"))["cases"].as_array().unwrap().len(),
        report(&dir.path().join("shard2"))["cases"].as_array().unwrap().len(),
    );
    assert!(n1 > 0 && n2 > 0 && n1 + n2 == 8, "{n1} + {n2}");
    let o = conform(&["baseline", "--out", "known.toml", "shard1", "shard2"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("8 entries (8 added, 0 removed) from 8 cases in 2 reports"), "{}", text(&o));
    let o = run(dir.path(), &s, &["--baseline", "known.toml"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("0 passed, 0 failed, 0 errored, 0 skipped, 8 known, 0 fixed"), "{out}");
    // The same shard twice is refused, as `merge` refuses it.
    let o = conform(&["baseline", "--out", "other.toml", "shard1", "shard1"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("is in more than one report"), "{}", text(&o));
    assert!(!dir.path().join("other.toml").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn allow_fixed_lets_a_stale_entry_pass_and_still_reports_it() {
    let s = server().await;
    let baseline = "[[known]]\ncase = \"s/cases::ok\"\nreason = \"it used to answer 500\"\n";
    let dir = case_dir(&[("s/suite.toml", ""), ("s/cases.toml", &cases()), ("known.toml", baseline)]);
    let o = run(dir.path(), &s, &["--filter", "::ok", "--baseline", "known.toml"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o =
        run(dir.path(), &s, &["--filter", "::ok", "--baseline", "known.toml", "--allow-fixed", "--report-dir", "r"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("fixed (allowed): known.toml:1: case `s/cases::ok` matched nothing"), "{out}");
    assert!(out.contains("1 fixed (allowed)"), "{out}");
    let r = report(&dir.path().join("r"));
    assert_eq!(r["baseline"]["allow_fixed"], true);
    let junit = std::fs::read_to_string(dir.path().join("r/junit.xml")).unwrap();
    assert!(!junit.contains("<failure"), "{junit}");
    // --allow-fixed without a baseline is a usage error.
    let o = run(dir.path(), &s, &["--allow-fixed"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn entries_that_match_nothing_are_reported_with_their_location() {
    let s = server().await;
    let baseline = format!(
        "{LIST_KNOWN}\n[[known]]\ncase = \"s/cases::gone\"\n\n[[known]]\ncase = \"s/cases::new\"\n\n[[known]]\ncase = \"s/cases::list\"\nstep = \"list\"\nkind = \"status\"\n"
    );
    let dir = case_dir(&[("s/suite.toml", ""), ("s/cases.toml", &cases()), ("known.toml", &baseline)]);
    let o = run(dir.path(), &s, &["--filter", "::list", "--baseline", "known.toml", "--report-dir", "r"]);
    let out = text(&o);
    // The status entry of `list` was checked (its step ran) and matched nothing.
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("fixed: known.toml:15: case `s/cases::list`, step `list`, status matched nothing"), "{out}");
    // An entry naming no case is reported with its line; it fails nothing.
    assert!(out.contains("no such case: known.toml:9: case `s/cases::gone` names no case of this suite"), "{out}");
    // `new` was filtered out: its entry is neither used nor fixed.
    assert!(!out.contains("known.toml:12"), "{out}");
    let r = report(&dir.path().join("r"));
    assert_eq!(r["baseline"]["not_run"], 2, "{}", r["baseline"]);
    assert_eq!(r["summary"]["fixed"], 1);
    let md = std::fs::read_to_string(dir.path().join("r/report.md")).unwrap();
    assert!(md.contains("**fixed** `known.toml:15`"), "{md}");
    assert!(md.contains("**no such case** known.toml:9"), "{md}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_keeps_reasons_and_comments_and_says_what_changed() {
    let s = server().await;
    let dir = case_dir(&[("s/suite.toml", ""), ("s/cases.toml", &cases())]);
    let o = run(dir.path(), &s, &["--filter", "::list", "--filter", "::new", "--report-dir", "r1"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = conform(&["baseline", "--out", "known.toml", "r1"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A maintainer explains each entry.
    let path = dir.path().join("known.toml");
    let written = std::fs::read_to_string(&path).unwrap();
    let explained = written
        .replace(
            "case = \"s/cases::list\"\n",
            "case = \"s/cases::list\"\nreason = \"Extra on every item\" # since 1.2\nlink = \"https://example.com/1\"\n",
        )
        .replace("[[known]]\ncase = \"s/cases::new\"", "# v is 2 until the fix lands\n[[known]]\ncase = \"s/cases::new\"");
    assert_ne!(explained, written);
    std::fs::write(&path, &explained).unwrap();
    let o = run(dir.path(), &s, &["--filter", "::list", "--filter", "::new", "--baseline", "known.toml"]);
    assert_eq!(o.status.code(), Some(0), "green with the baseline: {}", text(&o));

    // The server's `new` behaviour becomes what the case expects, and `ok`
    // now diverges: one entry goes, one comes.
    let changed = cases()
        .replace(
            "expect.json = { v = 1 }\n\n[[case]]\nname = \"two steps\"",
            "expect.json = { v = 2 }\n\n[[case]]\nname = \"two steps\"",
        )
        .replace("expect.json = { ok = true }", "expect.json = { ok = false }");
    std::fs::write(dir.path().join("s/cases.toml"), changed).unwrap();
    let o = run(
        dir.path(),
        &s,
        &[
            "--filter",
            "::list",
            "--filter",
            "::new",
            "--filter",
            "::ok",
            "--baseline",
            "known.toml",
            "--report-dir",
            "r2",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = conform(&["baseline", "--out", "known.toml", "r2"], dir.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("removed  known.toml:"), "{out}");
    assert!(out.contains("case `s/cases::new`, step `step 1`, body at `$.v`"), "{out}");
    assert!(out.contains("added    case `s/cases::ok`, step `step 1`, body at `$.ok`"), "{out}");
    let updated = std::fs::read_to_string(&path).unwrap();
    assert!(
        updated.contains(
            "case = \"s/cases::list\"\nreason = \"Extra on every item\" # since 1.2\nlink = \"https://example.com/1\"\n"
        ),
        "{updated}"
    );
    assert!(!updated.contains("s/cases::new"), "{updated}");
    assert!(updated.starts_with("# Known divergences"), "{updated}");
    let o = run(
        dir.path(),
        &s,
        &["--filter", "::list", "--filter", "::new", "--filter", "::ok", "--baseline", "known.toml"],
    );
    assert_eq!(o.status.code(), Some(0), "green again: {}", text(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_baseline_is_a_usage_error_with_its_location_and_sends_nothing() {
    let s = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&s).await;
    let bad =
        "[[known]]\ncase = \"s/cases::ok\"\nkind = \"stauts\"\n\n[[known]]\ncase = \"s/cases::ok\"\npth = \"$.x\"\n";
    let dir = case_dir(&[("s/suite.toml", ""), ("s/cases.toml", &cases()), ("known.toml", bad)]);
    let o = run(dir.path(), &s, &["--baseline", "known.toml"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("known.toml:7:1: unknown field `pth`"), "{out}");
    let o = run(dir.path(), &s, &["--baseline", "missing.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("missing.toml: cannot read the baseline"), "{}", text(&o));
    let bad_kind = "[[known]]\ncase = \"s/cases::ok\"\nkind = \"stauts\"\n";
    std::fs::write(dir.path().join("known.toml"), bad_kind).unwrap();
    let o = run(dir.path(), &s, &["--baseline", "known.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("known.toml:3:8: unknown divergence kind `stauts`"), "{}", text(&o));
    // `conform baseline` refuses to rewrite an invalid file.
    let o = conform(&["baseline", "--out", "known.toml", "nowhere"], dir.path());
    assert_ne!(o.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(dir.path().join("known.toml")).unwrap(), bad_kind);
}

const MODEL: &str = r#"{
  "metadata": {"protocol": "rest-json"},
  "operations": {"GetThing": {"name": "GetThing", "http": {"method": "GET", "requestUri": "/thing", "responseCode": 200},
                               "output": {"shape": "GetThingResponse"}}},
  "shapes": {"GetThingResponse": {"type": "structure", "members": {"Name": {"shape": "String"}}},
             "String": {"type": "string"}}
}"#;

const THING: &str = r#"
[[case]]
name = "thing"
[[case.step]]
method = "GET"
path = "/thing"
expect.json = { "$strict" = false, Name = "x" }
"#;

#[tokio::test(flavor = "multi_thread")]
async fn shape_fail_warn_and_off() {
    let s = server().await;
    for (suite_shape, contract_shape, code, warned) in [
        ("", "", 1, false),
        ("shape = \"warn\"\n", "", 0, true),
        ("", "shape = \"warn\"\n", 0, true),
        ("shape = \"fail\"\n", "shape = \"warn\"\n", 1, false),
        ("shape = \"off\"\n", "", 0, false),
    ] {
        let suite = format!("contract = \"contract.toml\"\n{suite_shape}");
        let contract = format!("model = \"model.json\"\n{contract_shape}");
        let dir = case_dir(&[
            ("s/suite.toml", &suite),
            ("s/contract.toml", &contract),
            ("s/model.json", MODEL),
            ("s/cases.toml", THING),
        ]);
        let o = run(dir.path(), &s, &[]);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(code), "{suite_shape} {contract_shape}: {out}");
        assert_eq!(out.contains("warning: step `step 1`: shape at $.Extra"), warned, "{out}");
        assert_eq!(out.contains("shape $.Extra"), code == 1, "{out}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_entry_behind_a_broader_one_is_used_and_an_empty_path_is_only_the_empty_path() {
    let s = server().await;
    // The first entry knows every divergence of the step; the second, more
    // precise, is still in use. The third names the empty path only, which
    // none of these divergences has: it is fixed.
    let baseline = "[[known]]\ncase = \"s/cases::list\"\nstep = \"list\"\n\n[[known]]\ncase = \"s/cases::list\"\nstep = \"list\"\nkind = \"body\"\npath = \"$.Items[*].Extra\"\n\n[[known]]\ncase = \"s/cases::list\"\nstep = \"list\"\nkind = \"body\"\npath = \"\"\n";
    let dir = case_dir(&[("s/suite.toml", ""), ("s/cases.toml", &cases()), ("known.toml", baseline)]);
    let o = run(dir.path(), &s, &["--filter", "::list", "--baseline", "known.toml", "--report-dir", "r"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let r = report(&dir.path().join("r"));
    let fixed = case(&r, "s/cases::list")["fixed"].as_array().unwrap().clone();
    assert_eq!(fixed.len(), 1, "{fixed:?}");
    assert_eq!(fixed[0]["entry"], "known.toml:11");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_known_divergence_in_setup_no_longer_errors_the_case() {
    let s = server().await;
    let file = format!(
        "[[case]]\nname = \"provisioned\"\n{}\n[[case.step]]\nmethod = \"GET\"\npath = \"/ok\"\nexpect.json = {{ ok = true }}\n",
        LIST_STEP.replace("[[case.step]]\nname = \"list\"", "[[case.setup]]")
    );
    let baseline = "[[known]]\ncase = \"s/cases::provisioned\"\nstep = \"setup 1\"\nkind = \"body\"\n";
    let dir = case_dir(&[("s/suite.toml", ""), ("s/cases.toml", &file), ("known.toml", baseline)]);
    let o = run(dir.path(), &s, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("ERROR s/cases::provisioned"), "{}", text(&o));
    let o = run(dir.path(), &s, &["--baseline", "known.toml", "--report-dir", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = report(&dir.path().join("r"));
    let c = case(&r, "s/cases::provisioned");
    assert_eq!(c["outcome"], "known", "{c}");
    assert_eq!(c["steps"].as_array().unwrap().len(), 2, "the step after the setup ran: {c}");
}
