//! `conform generate` for Chime's BatchUpdateUser from a one-item request:
//! the generated suite passes against the built-in double, kills the
//! mutant doubles that accept invalid input, and a second run keeps what a
//! person added.

mod common;

use std::path::Path;

use common::{conform, root, text};
use conform::case::{Case, LoadOptions, load_cases};
use conform::double::{AuthMode, Credential, Double, DoubleConfig, Mutant, Quirks};
use conform::runner::{self, Outcome, RunOptions, RunSummary, SigningCredentials, Target};

const AKID: &str = "AKIDGENERATETEST";
const SECRET: &str = "generate-test-secret";
const REQUEST: &str =
    r#"{"AccountId": "{{account_id}}", "UpdateUserRequestItems": [{"UserId": "{{user_id}}", "LicenseType": "Basic"}]}"#;
/// What a person adds to the generated suite.toml: an account and a user to update.
const SETUP: &str = r#"
[[setup]]
operation = "CreateAccount"
input = { Name = "conform-{{uuid}}" }
expect.status = 201
capture = { account_id = "$.Account.AccountId" }

[[setup]]
operation = "CreateUser"
input = { AccountId = "{{account_id}}", Email = "{{uuid}}@example.com" }
expect.status = 201
capture = { user_id = "$.User.UserId" }
"#;

fn generate(dir: &Path) -> String {
    let request = dir.join("request.json");
    std::fs::write(&request, REQUEST).expect("write the request");
    let model = root().join("cases/chime/chime-2018-05-01.subset.json");
    let out = conform(
        &[
            "generate",
            "--model",
            &model.to_string_lossy(),
            "--operation",
            "BatchUpdateUser",
            "--request",
            "request.json",
            "--out",
            "buu",
        ],
        dir,
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    t
}

/// A generated suite with the person's setup, generated a second time.
fn suite_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    generate(dir.path());
    let suite = dir.path().join("buu/suite.toml");
    let mut text = std::fs::read_to_string(&suite).expect("suite.toml");
    text.push_str(SETUP);
    std::fs::write(&suite, text).expect("add the setup");
    generate(dir.path());
    dir
}

fn cases(dir: &Path) -> Vec<Case> {
    load_cases(&[dir.join("buu")], &LoadOptions::default())
        .unwrap_or_else(|e| panic!("the generated suite loads: {e:?}"))
}

async fn run_against(double: &Double, cases: Vec<Case>) -> RunSummary {
    let target = Target { base_url: double.uri().parse().expect("a URL"), capabilities: Default::default() };
    let opts = RunOptions {
        credentials: Some(SigningCredentials { access_key: AKID.into(), secret: SECRET.into(), session_token: None }),
        ..RunOptions::default()
    };
    runner::run(cases, &target, &opts).await.expect("the run completes")
}

fn config(mutant: Option<Mutant>) -> DoubleConfig {
    DoubleConfig {
        auth: AuthMode::Verify(vec![Credential { access_key: AKID.into(), secret: SECRET.into() }]),
        quirks: Quirks { mutant, ..Quirks::default() },
        ..DoubleConfig::default()
    }
}

#[test]
fn the_generated_suite_passes_against_the_built_in_double() {
    let dir = suite_dir();
    let out = conform(&["run", "buu"], dir.path());
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let ids: Vec<String> = cases(dir.path()).iter().map(|c| c.id.clone()).collect();
    for id in [
        "buu/BatchUpdateUser/request::valid-as-given",
        "buu/BatchUpdateUser/UpdateUserRequestItems::items-above-max",
        "buu/BatchUpdateUser/UpdateUserRequestItems::items-at-max",
        "buu/BatchUpdateUser/UpdateUserRequestItems::required-missing",
        "buu/BatchUpdateUser/UpdateUserRequestItems.UserId::pattern-blank",
        "buu/BatchUpdateUser/UpdateUserRequestItems.LicenseType::enum-wrong-case",
    ] {
        assert!(ids.iter().any(|i| i == id), "no case {id} in {ids:#?}");
    }
    assert!(t.contains(&format!("{} passed, 0 failed, 0 errored, 0 skipped", ids.len())), "{t}");
}

#[test]
fn regenerating_keeps_what_a_person_added_and_changed() {
    let dir = suite_dir();
    let suite = std::fs::read_to_string(dir.path().join("buu/suite.toml")).expect("suite.toml");
    assert!(suite.contains("operation = \"CreateAccount\""), "the setup was lost:\n{suite}");
    // A case the person wrote, and a generated one they took over (tag removed).
    let file = dir.path().join("buu/BatchUpdateUser/UpdateUserRequestItems.UserId.toml");
    let text = std::fs::read_to_string(&file).expect("case file");
    let edited =
        text.replacen("name = \"pattern-blank\"\ndescription", "name = \"pattern-blank\"\n# mine now\ndescription", 1);
    let start = edited.find("name = \"pattern-blank\"").expect("the case");
    let tag_at = start + edited[start..].find("tags = [\"generated\"]").expect("its tag");
    let mut edited = format!("{}tags = []{}", &edited[..tag_at], &edited[tag_at + "tags = [\"generated\"]".len()..]);
    edited.push_str(
        "\n[[case]]\nname = \"my own case\"\n[[case.step]]\noperation = \"BatchUpdateUser\"\ninput = { AccountId = \"{{account_id}}\", UpdateUserRequestItems = [] }\nexpect.status = 200\n",
    );
    std::fs::write(&file, edited).expect("edit");
    let contract = dir.path().join("buu/contract.toml");
    let mut c = std::fs::read_to_string(&contract).expect("contract.toml");
    c.push_str("\n[[statement]]\nid = \"MINE\"\ntext = \"mine\"\nsource = \"me\"\n");
    std::fs::write(&contract, c).expect("edit");

    let out = generate(dir.path());
    assert!(out.contains("2 of yours kept"), "{out}");
    let text = std::fs::read_to_string(&file).expect("case file");
    assert!(text.contains("# mine now"), "{text}");
    assert_eq!(text.matches("name = \"pattern-blank\"").count(), 1, "{text}");
    assert!(text.contains("name = \"my own case\""), "{text}");
    assert!(text.contains("name = \"pattern-empty\""), "{text}");
    assert!(std::fs::read_to_string(&contract).expect("contract").contains("id = \"MINE\""));
    let ids: Vec<String> = cases(dir.path()).iter().map(|c| c.id.clone()).collect();
    assert!(ids.contains(&"buu/BatchUpdateUser/UpdateUserRequestItems.UserId::my-own-case".to_owned()), "{ids:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn mutants_that_accept_invalid_input_are_killed_by_generated_cases() {
    let dir = suite_dir();
    let clean = Double::start_local(config(None)).await.expect("the double starts");
    let summary = run_against(&clean, cases(dir.path())).await;
    assert!(summary.success(), "the generated suite fails against the correct double");
    let mutants = [
        Mutant::AcceptsTwentyOne,
        Mutant::MissingUserIdSkipped,
        Mutant::BlankUserIdAccepted,
        Mutant::EmptyUserIdAccepted,
        Mutant::LicenseUnchecked,
        Mutant::LicenseCaseInsensitive,
        Mutant::MissingItemsAccepted,
        Mutant::UserTypeCaseInsensitive,
        Mutant::UserIdNumberAccepted,
        Mutant::ListNotArrayAccepted,
        Mutant::ItemNotObjectSkipped,
        Mutant::AlexaTypesUnchecked,
        Mutant::LimitIsTen,
        Mutant::ValidationIs422,
    ];
    let mut survivors = Vec::new();
    for mutant in mutants {
        let double = Double::start_local(config(Some(mutant))).await.expect("the double starts");
        let summary = run_against(&double, cases(dir.path())).await;
        let killers: Vec<&str> =
            summary.cases.iter().filter(|c| c.outcome == Outcome::Failed).map(|c| c.id.as_str()).collect();
        println!(
            "{mutant:?}: killed by {}",
            if killers.is_empty() { "nothing — SURVIVED".into() } else { killers.join(", ") }
        );
        if killers.is_empty() {
            survivors.push(mutant);
        }
    }
    assert!(survivors.is_empty(), "mutants no generated case kills: {survivors:?}");
}

/// The model of the `generate-6x6` probe (bench/probes/gen.py): six levels of
/// six members, each leaf a string with bounds and a pattern; 429,235 cases
/// before the cap.
fn deep_model() -> String {
    let mut shapes = serde_json::Map::new();
    shapes.insert("Leaf".into(), serde_json::json!({"type": "string", "min": 1, "max": 8, "pattern": "^[a-z]+$"}));
    for level in 1..=6 {
        let inner = if level == 6 { "Leaf".to_owned() } else { format!("L{}", level + 1) };
        let members: serde_json::Map<String, serde_json::Value> = ["A", "B", "C", "D", "E", "F"]
            .iter()
            .map(|n| (n.to_string(), serde_json::json!({"shape": inner})))
            .collect();
        shapes.insert(format!("L{level}"), serde_json::json!({"type": "structure", "members": members}));
    }
    shapes.insert("Out".into(), serde_json::json!({"type": "structure", "members": {}}));
    shapes.insert(
        "Bad".into(),
        serde_json::json!({"type": "structure", "members": {}, "error": {"httpStatusCode": 400}, "exception": true}),
    );
    serde_json::json!({
        "version": "2.0",
        "metadata": {"apiVersion": "2024-01-01", "endpointPrefix": "deep", "protocol": "rest-json",
                     "serviceId": "Deep", "signatureVersion": "v4", "signingName": "deep", "uid": "deep-2024-01-01"},
        "operations": {"Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/put", "responseCode": 200},
                               "input": {"shape": "L1"}, "output": {"shape": "Out"}, "errors": [{"shape": "Bad"}]}},
        "shapes": shapes,
    })
    .to_string()
}

#[test]
fn a_deep_model_gets_statements_only_for_the_cases_written_issue_24() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("model.json"), deep_model()).expect("write the model");
    std::fs::write(dir.path().join("request.json"), "{}").expect("write the request");
    let out = conform(
        &["generate", "--model", "model.json", "--operation", "Put", "--request", "request.json", "--out", "deep"],
        dir.path(),
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("1000 generated cases"), "{t}");
    assert!(t.contains("capped: 428235 cases not written and 195495 constraints not listed (--max-cases 1000)"), "{t}");
    assert!(t.contains("and 428225 more"), "{t}");
    // contract.toml: a statement per constraint that kept a case, the two of
    // the operation, and the one that sums up what the cap left out (it was
    // 195,956 statements and 51 MB).
    let contract = std::fs::read_to_string(dir.path().join("deep/contract.toml")).expect("contract.toml");
    let statements = contract.matches("[[statement]]").count();
    assert!(statements <= 1000 + 3, "{statements} statements");
    assert!(contract.len() < 512 * 1024, "contract.toml holds {} bytes", contract.len());
    assert_eq!(contract.matches("id = \"Put::capped\"").count(), 1);
    // Every statement but that one is covered by a written case.
    let cases = cases_in(&dir.path().join("deep"));
    assert_eq!(cases.len(), 1000);
    let ids: Vec<&str> = contract.lines().filter_map(|l| l.strip_prefix("id = \"")?.strip_suffix('"')).collect();
    for id in ids.iter().filter(|i| **i != "Put::capped") {
        assert!(cases.iter().any(|c| c.covers.iter().any(|x| x == id)), "no case covers {id}");
    }
    let bytes: u64 = walk_bytes(&dir.path().join("deep"));
    assert!(bytes < 4 * 1024 * 1024, "the suite holds {bytes} bytes");
}

fn cases_in(dir: &Path) -> Vec<Case> {
    load_cases(&[dir.to_path_buf()], &LoadOptions::default()).unwrap_or_else(|e| panic!("the suite loads: {e:?}"))
}

fn walk_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .expect("a folder")
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() { walk_bytes(&p) } else { e.metadata().map_or(0, |m| m.len()) }
        })
        .sum()
}
