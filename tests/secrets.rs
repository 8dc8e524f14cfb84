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

/// Answers every request with `body` as JSON (one request per connection).
fn fixed_server(body: &'static str) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut r = BufReader::new(&s);
                let mut h = String::new();
                while r.read_line(&mut h).is_ok_and(|n| n > 2) {
                    h.clear();
                }
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

/// Issue 24: `AWS_SECRET_ACCESS_KEY=test` (the README's emulator example)
/// must not turn `$.latestVersion` into `$.la<redacted>Version` in reports
/// or in a baseline written from them; values holding it are still scrubbed,
/// and the run warns once that the secret is short.
#[test]
fn a_short_secret_leaves_paths_and_member_names_alone() {
    let port = fixed_server(r#"{"latestVersion": "1", "note": "my-test-x", "other": "test"}"#);
    let cases = r#"
[[case]]
name = "one"
[[case.step]]
method = "GET"
path = "/v"
expect = { status = 200, json = { latestVersion = "2", note = "x", other = "y" } }

[[case]]
name = "two"
[[case.step]]
method = "GET"
path = "/v"
expect = { status = 200, json = { latestVersion = "2" } }
"#;
    let dir = case_dir(&[("s/c.toml", cases)]);
    let reports = dir.path().join("reports");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["run", "--endpoint", &format!("http://127.0.0.1:{port}"), "--report-dir"])
        .arg(&reports)
        .arg("s")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap();
    let terminal = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert_eq!(run.status.code(), Some(1), "{terminal}");
    let baseline = dir.path().join("baseline.toml");
    let written = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["baseline", "--out"])
        .arg(&baseline)
        .arg(&reports)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
    let mut outputs = vec![("terminal".to_owned(), terminal)];
    for f in ["report.json", "junit.xml", "report.md", "report.html"] {
        outputs.push((f.to_owned(), std::fs::read_to_string(reports.join(f)).unwrap()));
    }
    outputs.push(("baseline".to_owned(), std::fs::read_to_string(&baseline).unwrap()));
    for (name, text) in &outputs {
        assert!(!text.contains("la<redacted>"), "{name} rewrote a member name:\n{text}");
        assert!(!text.contains("my-test-x"), "{name} shows a value holding the secret:\n{text}");
        assert!(!text.contains("\"test\""), "{name} shows the secret:\n{text}");
    }
    let report = &outputs[1].1;
    assert!(report.contains("$.latestVersion"), "{report}");
    assert!(report.contains("my-<redacted>-x"), "{report}");
    assert!(outputs[5].1.contains("path = \"$.latestVersion\""), "{}", outputs[5].1);
    let warning = "a secret is shorter than 8 characters";
    assert_eq!(report.matches(warning).count(), 1, "warned once in the run:\n{report}");
}
