//! Secrets never reach output: a run with known secret values (the AWS
//! secret key and session token, a secret variable, a bearer token, a
//! presigned URL's signature, a member the model marks sensitive) writes
//! its terminal output and every report, and none of them holds any of
//! those values.

mod common;

use common::{Serve, case_dir, root};

const SECRET_KEY: &str = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYSECRETKEY";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzSESSIONTOKEN0123456789";
const API_TOKEN: &str = "tok-API-TOKEN-5f3a9c";
const BEARER: &str = "bearer-VALUE-77e1";
const PRESIGNED: &str = "PRESIGNEDSIG0badc0ffee";
const ROOM_ARN: &str = "arn:aws:a4b:us-east-1:123456789012:room/ROOM-ARN-SECRET";
/// A sensitive member's value sent in a `text` body that is JSON.
const ROOM_ARN_IN_TEXT: &str = "arn:aws:a4b:us-east-1:123456789012:room/TEXT-BODY-ARN";

#[test]
fn no_secret_appears_in_terminal_output_or_any_report() {
    let serve = Serve::start(&["--credentials", &format!("AKIDSECRETSTEST:{SECRET_KEY}")]);
    let chime = root().join("cases/chime");
    let suite = format!(
        "contract = \"{contract}\"\nsecrets = [\"api_token\"]\n[target]\nsigning_name = \"chime\"\n\
         [vars]\napi_token = \"{{{{env.CONFORM_TEST_API_TOKEN}}}}\"\n[headers]\nx-api-token = \"{{{{api_token}}}}\"\n",
        contract = chime.join("contract.toml").display()
    );
    let cases = format!(
        r#"
[[case]]
name = "leaks nothing"
[[case.step]]
method = "POST"
path = "/accounts"
json = {{ Name = "acme" }}
expect.status = 201
capture = {{ account_id = "$.Account.AccountId" }}
[[case.step]]
name = "text body"
method = "POST"
path = "/accounts/{{{{account_id}}}}/users"
headers = {{ content-type = "application/json" }}
text = '{{"UpdateUserRequestItems":[{{"UserId":"u2","AlexaForBusinessMetadata":{{"AlexaForBusinessRoomArn":"{ROOM_ARN_IN_TEXT}"}}}}]}}'
expect.status = 200
[[case.step]]
method = "POST"
path = "/accounts/{{{{account_id}}}}/users"
query = {{ X-Amz-Signature = "{PRESIGNED}" }}
headers = {{ authorization-extra = "x", proxy-authorization = "Bearer {BEARER}" }}
json = {{ UpdateUserRequestItems = [{{ UserId = "u1", AlexaForBusinessMetadata = {{ AlexaForBusinessRoomArn = "{ROOM_ARN}" }} }}] }}
expect.status = 200
expect.json = {{ UserErrors = [], Token = "{{{{api_token}}}}" }}
"#
    );
    let dir = case_dir(&[("s/suite.toml", &suite), ("s/c.toml", &cases)]);
    let reports = dir.path().join("reports");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--verbose", "--endpoint", &serve.url, "--report-dir"])
        .arg(&reports)
        .arg("s")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", "AKIDSECRETSTEST")
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .env("CONFORM_TEST_API_TOKEN", API_TOKEN)
        .output()
        .unwrap();
    let terminal = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "the case is meant to fail, so its details are printed:\n{terminal}");
    assert!(terminal.contains("UserErrors"), "{terminal}");
    let mut outputs = vec![("terminal".to_owned(), terminal)];
    for f in ["report.json", "junit.xml", "report.md", "report.html"] {
        outputs.push((f.to_owned(), std::fs::read_to_string(reports.join(f)).unwrap()));
    }
    let mut hits = Vec::new();
    // A SigV4 signature: 64 hex digits after `Signature=`.
    let signature = regex::Regex::new("Signature=[0-9a-f]{64}").unwrap();
    for (name, text) in &outputs {
        for secret in [SECRET_KEY, SESSION_TOKEN, API_TOKEN, BEARER, PRESIGNED, ROOM_ARN, ROOM_ARN_IN_TEXT] {
            if text.contains(secret) {
                hits.push(format!("{name} contains {secret}"));
            }
        }
        if let Some(m) = signature.find(text) {
            hits.push(format!("{name} contains a signature: {}", m.as_str()));
        }
    }
    assert!(hits.is_empty(), "{hits:#?}");
    // Redacted, not dropped: the places are still there.
    assert!(outputs.iter().any(|(_, t)| t.contains("<redacted>")));
}
