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
