//! The built-in double over real HTTP: `conform serve` on loopback, driven
//! by reqwest and by conform's own SigV4 signer.

mod common;

use common::Serve;
use conform::case::SignMode;
use conform::runner::{SigningCredentials, sign_request};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

const AKID: &str = "AKIDCONFORMTEST";
const SECRET: &str = "conform-test-secret";

fn creds() -> SigningCredentials {
    SigningCredentials { access_key: AKID.into(), secret: SECRET.into(), session_token: None }
}

/// Sends a request, signed as `mode` says; returns status, error type and JSON body.
async fn send(
    c: &Client,
    base: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    mode: SignMode,
) -> (u16, Option<String>, Value) {
    let mut req = c.request(method, format!("{base}{path}"));
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b.to_string());
    }
    let mut req = req.build().unwrap();
    sign_request(&mut req, &creds(), "us-east-1", "chime", mode).unwrap();
    let resp = c.execute(req).await.unwrap();
    let status = resp.status().as_u16();
    let etype = resp.headers().get("x-amzn-errortype").map(|v| v.to_str().unwrap().to_owned());
    let bytes = resp.bytes().await.unwrap();
    (status, etype, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn account_with_users(c: &Client, base: &str, n: usize) -> (String, Vec<String>) {
    let (s, _, b) = send(c, base, Method::POST, "/accounts", Some(json!({"Name": "acme"})), SignMode::Signed).await;
    assert_eq!(s, 201, "{b}");
    let account = b["Account"]["AccountId"].as_str().unwrap().to_owned();
    let mut users = Vec::new();
    for i in 0..n {
        let body = json!({"Email": format!("u{i}@example.com")});
        let (s, _, b) = send(
            c,
            base,
            Method::POST,
            &format!("/accounts/{account}/users?operation=create"),
            Some(body),
            SignMode::Signed,
        )
        .await;
        assert_eq!(s, 201, "{b}");
        users.push(b["User"]["UserId"].as_str().unwrap().to_owned());
    }
    (account, users)
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_mode_accepts_good_signatures_and_rejects_every_bad_one() {
    let serve = Serve::start(&["--credentials", &format!("{AKID}:{SECRET}")]);
    let c = Client::new();
    let (account, _) = account_with_users(&c, &serve.url, 0).await;
    let path = format!("/accounts/{account}");
    let (s, _, _) = send(&c, &serve.url, Method::GET, &path, None, SignMode::Signed).await;
    assert_eq!(s, 200);
    let (s, t, b) = send(&c, &serve.url, Method::GET, &path, None, SignMode::Unsigned).await;
    assert_eq!((s, t.as_deref()), (401, Some("UnauthorizedClientException")), "{b}");
    assert_eq!(b["Code"], "Unauthorized");
    let body = Some(json!({"UpdateUserRequestItems": []}));
    for mode in [
        SignMode::WrongSecret,
        SignMode::WrongRegion,
        SignMode::WrongService,
        SignMode::StaleDate,
        SignMode::BodyAlteredAfterSigning,
        SignMode::NoDate,
    ] {
        let (s, t, b) = send(&c, &serve.url, Method::POST, &format!("{path}/users"), body.clone(), mode).await;
        assert_eq!((s, t.as_deref()), (403, Some("ForbiddenException")), "{mode:?}: {b}");
        assert_eq!(b["Code"], "Forbidden", "{mode:?}");
    }
    let (s, _, _) = send(&c, &serve.url, Method::POST, &format!("{path}/users"), body, SignMode::Signed).await;
    assert_eq!(s, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn presence_mode_needs_a_well_formed_header_and_no_auth_needs_nothing() {
    let serve = Serve::start(&[]);
    let c = Client::new();
    let (s, t, _) =
        send(&c, &serve.url, Method::POST, "/accounts", Some(json!({"Name": "x"})), SignMode::Unsigned).await;
    assert_eq!((s, t.as_deref()), (401, Some("UnauthorizedClientException")));
    // Any key and secret will do: the header is checked for form only.
    let (s, _, _) =
        send(&c, &serve.url, Method::POST, "/accounts", Some(json!({"Name": "x"})), SignMode::WrongSecret).await;
    assert_eq!(s, 201);
    let r = c.post(format!("{}/accounts", serve.url)).header("authorization", "Bearer x").body(r#"{"Name":"x"}"#);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::UNAUTHORIZED);

    let open = Serve::start(&["--no-auth"]);
    let (s, _, _) =
        send(&c, &open.url, Method::POST, "/accounts", Some(json!({"Name": "x"})), SignMode::Unsigned).await;
    assert_eq!(s, 201);
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_update_applies_valid_items_and_reports_unknown_users() {
    let serve = Serve::start(&["--no-auth"]);
    let c = Client::new();
    let (account, users) = account_with_users(&c, &serve.url, 2).await;
    let (other, other_users) = account_with_users(&c, &serve.url, 1).await;
    assert_ne!(account, other);
    let body = json!({"UpdateUserRequestItems": [
        {"UserId": users[0], "LicenseType": "Basic"},
        {"UserId": "no-such-user", "LicenseType": "Basic"},
        {"UserId": other_users[0], "LicenseType": "Basic"},
    ]});
    let (s, _, b) =
        send(&c, &serve.url, Method::POST, &format!("/accounts/{account}/users"), Some(body), SignMode::Unsigned).await;
    assert_eq!(s, 200, "{b}");
    let errors = b["UserErrors"].as_array().unwrap();
    let ids: Vec<&str> = errors.iter().map(|e| e["UserId"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["no-such-user", other_users[0].as_str()]);
    assert!(errors.iter().all(|e| e["ErrorCode"] == "NotFound" && e["ErrorMessage"].is_string()));
    let get = |u: &str| format!("/accounts/{account}/users/{u}");
    let (_, _, u0) = send(&c, &serve.url, Method::GET, &get(&users[0]), None, SignMode::Unsigned).await;
    assert_eq!(u0["User"]["LicenseType"], "Basic");
    let (_, _, list) =
        send(&c, &serve.url, Method::GET, &format!("/accounts/{account}/users"), None, SignMode::Unsigned).await;
    let licenses: Vec<&str> =
        list["Users"].as_array().unwrap().iter().map(|u| u["LicenseType"].as_str().unwrap()).collect();
    assert_eq!(licenses, vec!["Basic", "Pro"]);
    // The other account's user was not touched.
    let (_, _, o) = send(
        &c,
        &serve.url,
        Method::GET,
        &format!("/accounts/{other}/users/{}", other_users[0]),
        None,
        SignMode::Unsigned,
    )
    .await;
    assert_eq!(o["User"]["LicenseType"], "Pro");

    // Invalid: nothing applied, 400 with the documented error form.
    let bad = json!({"UpdateUserRequestItems": [{"UserId": users[1], "LicenseType": "Basic"}, {"UserId": " "}]});
    let (s, t, b) =
        send(&c, &serve.url, Method::POST, &format!("/accounts/{account}/users"), Some(bad), SignMode::Unsigned).await;
    assert_eq!((s, t.as_deref(), &b["Code"]), (400, Some("BadRequestException"), &json!("BadRequest")));
    let (_, _, u1) = send(&c, &serve.url, Method::GET, &get(&users[1]), None, SignMode::Unsigned).await;
    assert_eq!(u1["User"]["LicenseType"], "Pro");

    let (s, t, _) = send(
        &c,
        &serve.url,
        Method::POST,
        "/accounts/nope/users",
        Some(json!({"UpdateUserRequestItems": []})),
        SignMode::Unsigned,
    )
    .await;
    assert_eq!((s, t.as_deref()), (404, Some("NotFoundException")));
    // Other `operation` values are never BatchUpdateUser.
    let body = json!({"UpdateUserRequestItems": [{"UserId": users[1], "LicenseType": "Basic"}]});
    let (s, _, _) = send(
        &c,
        &serve.url,
        Method::POST,
        &format!("/accounts/{account}/users?operation=suspend"),
        Some(body),
        SignMode::Unsigned,
    )
    .await;
    assert_eq!(s, 400);
    let (_, _, u1) = send(&c, &serve.url, Method::GET, &get(&users[1]), None, SignMode::Unsigned).await;
    assert_eq!(u1["User"]["LicenseType"], "Pro");
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_request_bodies_get_400_never_5xx() {
    let serve = Serve::start(&["--no-auth"]);
    let c = Client::new();
    let (account, _) = account_with_users(&c, &serve.url, 0).await;
    let url = format!("{}/accounts/{account}/users", serve.url);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let bodies: Vec<(Vec<u8>, &str)> = vec![
        (vec![b' '; 2 * 1024 * 1024], "application/json"),
        (deep.into_bytes(), "application/json"),
        (vec![0xff, 0xfe, b'{'], "application/json"),
        (br#"{"UpdateUserRequestItems": []}"#.to_vec(), "text/plain"),
        (b"{".to_vec(), "application/x-www-form-urlencoded"),
    ];
    for (body, ctype) in bodies {
        let len = body.len();
        let r = c.post(&url).header("content-type", ctype).body(body).send().await.unwrap();
        let s = r.status().as_u16();
        assert!(s < 500, "{len} bytes of {ctype}: {s}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn chaos_rules_inject_documented_errors_until_cleared() {
    let serve = Serve::start(&["--no-auth"]);
    let c = Client::new();
    let (account, _) = account_with_users(&c, &serve.url, 0).await;
    let faults = format!("{}/_localstack/chaos/faults", serve.url);
    let path = format!("/accounts/{account}/users");
    let body = Some(json!({"UpdateUserRequestItems": []}));
    for (status, etype) in [
        (403, "ForbiddenException"),
        (429, "ThrottledClientException"),
        (500, "ServiceFailureException"),
        (503, "ServiceUnavailableException"),
    ] {
        let rule = json!([{"service": "chime", "operation": "BatchUpdateUser", "error": {"statusCode": status, "code": etype}}]);
        let r = c.post(&faults).json(&rule).send().await.unwrap();
        assert_eq!(r.json::<Value>().await.unwrap(), rule);
        let (s, t, _) = send(&c, &serve.url, Method::POST, &path, body.clone(), SignMode::Unsigned).await;
        assert_eq!((s, t.as_deref()), (status, Some(etype)));
        // Other operations are untouched.
        let (s, _, _) =
            send(&c, &serve.url, Method::GET, &format!("/accounts/{account}"), None, SignMode::Unsigned).await;
        assert_eq!(s, 200);
    }
    let r = c.post(&faults).json(&json!([])).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap(), json!([]));
    let (s, _, _) = send(&c, &serve.url, Method::POST, &path, body, SignMode::Unsigned).await;
    assert_eq!(s, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_updates_leave_a_serializable_state() {
    let serve = Serve::start(&["--no-auth"]);
    let c = Client::new();
    let (account, users) = account_with_users(&c, &serve.url, 5).await;
    let mut tasks = Vec::new();
    for i in 0..64 {
        let (w, url, users) = (c.clone(), format!("{}/accounts/{account}/users", serve.url), users.clone());
        tasks.push(tokio::spawn(async move {
            // Each request sets every user to one license, in a different order.
            let license = ["Basic", "Plus", "Pro", "ProTrial"][i % 4];
            let mut items: Vec<Value> = users.iter().map(|u| json!({"UserId": u, "LicenseType": license})).collect();
            items.rotate_left(i % users.len());
            let r = w.post(url).json(&json!({"UpdateUserRequestItems": items})).send().await.unwrap();
            assert_eq!(r.status(), 200);
        }));
        let (r, url) = (c.clone(), format!("{}/accounts/{account}/users", serve.url));
        tasks.push(tokio::spawn(async move {
            // A reader never sees a half-applied batch either.
            let r: Value = r.get(url).send().await.unwrap().json().await.unwrap();
            let l: Vec<&Value> = r["Users"].as_array().unwrap().iter().map(|u| &u["LicenseType"]).collect();
            assert!(l.windows(2).all(|w| w[0] == w[1]), "mixed licenses seen: {l:?}");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let (_, _, list) =
        send(&c, &serve.url, Method::GET, &format!("/accounts/{account}/users"), None, SignMode::Unsigned).await;
    let l: Vec<&Value> = list["Users"].as_array().unwrap().iter().map(|u| &u["LicenseType"]).collect();
    assert!(l.windows(2).all(|w| w[0] == w[1]), "{l:?}");
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let serve = Serve::start(&["--no-auth"]);
    let status = serve.terminate();
    assert_eq!(status.code(), Some(0));
}
