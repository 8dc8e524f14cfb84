//! Steps written as `operation` + `input`: the suite's model serializes
//! the input, so a case names what it calls, not how it is bound to HTTP.

mod common;

use common::{case_dir, conform, root, text};

fn with_chime_model(files: &[(&str, &str)]) -> tempfile::TempDir {
    let model = std::fs::read_to_string(root().join("cases/chime/chime-2018-05-01.subset.json")).expect("the model");
    let mut all: Vec<(&str, &str)> = vec![
        ("s/model.json", &model),
        ("s/contract.toml", "model = \"model.json\"\n"),
        (
            "s/suite.toml",
            r#"contract = "contract.toml"
[target]
signing_name = "chime"
[[setup]]
operation = "CreateAccount"
input = { Name = "acct-{{uuid}}" }
expect.status = 201
capture = { account_id = "$.Account.AccountId" }
[[setup]]
operation = "CreateUser"
input = { AccountId = "{{account_id}}", Email = "{{uuid}}@example.com" }
expect.status = 201
capture = { user_id = "$.User.UserId" }
"#,
        ),
    ];
    all.extend_from_slice(files);
    case_dir(&all)
}

#[test]
fn an_operation_step_is_sent_as_the_protocol_binds_it() {
    let dir = with_chime_model(&[(
        "s/a.toml",
        r#"
[[case]]
name = "update by operation"
[[case.step]]
operation = "BatchUpdateUser"
input = { AccountId = "{{account_id}}", UpdateUserRequestItems = [{ UserId = "{{user_id}}", LicenseType = "Pro" }] }
expect = { status = 200, json = { UserErrors = [] } }
[[case.step]]
operation = "GetUser"
input = { AccountId = "{{account_id}}", UserId = "{{user_id}}" }
expect.json.User = { "$strict" = false, LicenseType = "Pro" }
"#,
    )]);
    let out = conform(&["run", "--verbose", "s"], dir.path());
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("1 passed"), "{t}");
    // CreateUser's route carries its literal query parameter.
    assert!(t.contains("users?operation=create"), "{t}");
}

#[test]
fn operation_steps_report_model_errors_where_they_are_written() {
    let dir = with_chime_model(&[(
        "s/a.toml",
        r#"
[[case]]
name = "typo in a member"
[[case.step]]
operation = "BatchUpdateUser"
input = { AccountId = "a", UpdateUserRequestItems = [{ UserID = "u" }] }

[[case]]
name = "no such operation"
[[case.step]]
operation = "BatchUpdateUsers"

[[case]]
name = "both forms"
[[case.step]]
operation = "GetUser"
method = "GET"
input = { AccountId = "a", UserId = "u" }
"#,
    )]);
    let out = conform(&["check", "s"], dir.path());
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(
        t.contains("s/a.toml:6:9: BatchUpdateUser: `UpdateUserRequestItems[0].UserID` is not a member of shape `UpdateUserRequestItem`, did you mean `UserId`?"),
        "{t}"
    );
    assert!(t.contains("s/a.toml:11:13: the model has no operation `BatchUpdateUsers`"), "{t}");
    assert!(t.contains("a step with `operation` has no `method`"), "{t}");
}

#[test]
fn an_operation_step_needs_a_contract() {
    let dir = case_dir(&[(
        "s/a.toml",
        "[[case]]\nname = \"x\"\n[[case.step]]\noperation = \"GetUser\"\ninput = { AccountId = \"a\" }\n",
    )]);
    let out = conform(&["check", "s"], dir.path());
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("`operation` needs a suite contract"), "{t}");
}

/// `expect.output` and `output:` captures read the response as the SDK
/// deserializes it (members by model name, timestamps as ISO 8601 in
/// UTC), and report.json keeps that view beside the body.
#[test]
fn expect_output_and_output_captures_read_the_sdk_view() {
    let dir = with_chime_model(&[(
        "s/a.toml",
        r#"
[[case]]
name = "the SDK view"
[[case.step]]
operation = "GetUser"
input = { AccountId = "{{account_id}}", UserId = "{{user_id}}" }
expect.output.User = { "$strict" = false, UserId = "{{user_id}}", LicenseType = { "$type" = "string" } }
capture = { again = "output:$.User.UserId" }
[[case.step]]
operation = "GetUser"
input = { AccountId = "{{account_id}}", UserId = "{{again}}" }
expect.output.User = { "$strict" = false, UserId = "{{user_id}}", AccountId = "not the account" }
"#,
    )]);
    let report = dir.path().join("out");
    let out = conform(&["run", "--report-dir", report.to_str().expect("UTF-8"), "s"], dir.path());
    let t = text(&out);
    // The second step's `AccountId` differs: the case fails there, at the
    // output path, which proves the capture took the id.
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("output:$.User.AccountId"), "{t}");
    assert!(!t.contains("output:$.User.UserId"), "{t}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("report.json")).expect("report.json")).expect("JSON");
    let steps = json["cases"][0]["steps"].as_array().expect("steps");
    let get = steps.iter().find(|s| s["name"] == "step 1").expect("the first step");
    assert!(get["response"]["sdk"]["output"]["User"]["UserId"].is_string(), "{get:#}");
}

#[test]
fn expect_output_needs_a_contract() {
    let dir = case_dir(&[(
        "t/a.toml",
        "[[case]]\nname = \"c\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/\"\nexpect.output = { A = 1 }\ncapture = { x = \"output:$.A\" }\n",
    )]);
    let out = conform(&["check", "t"], dir.path());
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(t.contains("`expect.output` reads the response as the SDK does"), "{t}");
    assert!(t.contains("an `output:` capture reads the response as the SDK does"), "{t}");
}
