//! Interop with the official AWS SDK for Rust (`aws-sdk-chime`) against
//! `conform serve` on loopback with signature verification on. Run with
//! `cargo test --all-features` (or `--features sdk-tests --test sdk`).

mod common;

use aws_sdk_chime::Client;
use aws_sdk_chime::config::{BehaviorVersion, Credentials, Region, retry::RetryConfig};
use aws_sdk_chime::error::DisplayErrorContext;
use aws_sdk_chime::types::{License, UpdateUserRequestItem};
use common::Serve;

const AKID: &str = "AKIDSDKTEST";
const SECRET: &str = "sdk-test-secret";

fn config(url: &str) -> aws_sdk_chime::config::Builder {
    aws_sdk_chime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .retry_config(RetryConfig::disabled())
}

fn client(url: &str, secret: &str) -> Client {
    let creds = Credentials::new(AKID, secret, None, None, "test");
    Client::from_conf(config(url).credentials_provider(creds).build())
}

fn item(user: &str, license: License) -> UpdateUserRequestItem {
    UpdateUserRequestItem::builder().user_id(user).license_type(license).build().expect("user id set")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_aws_sdk_for_rust_sees_the_documented_behaviour() {
    let serve = Serve::start(&["--credentials", &format!("{AKID}:{SECRET}")]);
    let c = client(&serve.url, SECRET);

    let account = c.create_account().name("sdk").send().await.map_err(|e| DisplayErrorContext(e).to_string()).unwrap();
    let account_id = account.account().map(|a| a.account_id()).unwrap().to_owned();
    let mut users = Vec::new();
    for i in 0..2 {
        let u = c
            .create_user()
            .account_id(&account_id)
            .email(format!("sdk{i}@example.com"))
            .send()
            .await
            .map_err(|e| DisplayErrorContext(e).to_string())
            .unwrap();
        users.push(u.user().map(|u| u.user_id()).unwrap().to_owned());
    }

    // A mixed batch: Ok, with the unknown user in user_errors.
    let out = c
        .batch_update_user()
        .account_id(&account_id)
        .update_user_request_items(item(&users[0], License::Basic))
        .update_user_request_items(item("no-such-user", License::Basic))
        .send()
        .await
        .map_err(|e| DisplayErrorContext(e).to_string())
        .unwrap();
    let errors = out.user_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].user_id(), Some("no-such-user"));
    assert!(errors[0].error_code().is_some());

    let got = c.get_user().account_id(&account_id).user_id(&users[0]).send().await.unwrap();
    assert_eq!(got.user().and_then(|u| u.license_type()), Some(&License::Basic));
    let listed = c.list_users().account_id(&account_id).send().await.unwrap();
    assert_eq!(listed.users().len(), 2);

    // 21 items: the typed BadRequestException.
    let mut big = c.batch_update_user().account_id(&account_id);
    for _ in 0..21 {
        big = big.update_user_request_items(item(&users[1], License::Pro));
    }
    let err = big.send().await.unwrap_err().into_service_error();
    assert!(err.is_bad_request_exception(), "{err:?}");

    // Unknown account: NotFoundException.
    let err = c
        .batch_update_user()
        .account_id("no-such-account")
        .update_user_request_items(item(&users[0], License::Pro))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_not_found_exception(), "{err:?}");

    // Unsigned: UnauthorizedClientException.
    let unsigned = Client::from_conf(config(&serve.url).allow_no_auth().build());
    let err = unsigned.get_account().account_id(&account_id).send().await.unwrap_err().into_service_error();
    assert!(err.is_unauthorized_client_exception(), "{err:?}");

    // Wrong secret: ForbiddenException.
    let wrong = client(&serve.url, "not-the-secret");
    let err = wrong.get_account().account_id(&account_id).send().await.unwrap_err().into_service_error();
    assert!(err.is_forbidden_exception(), "{err:?}");

    // A chaos rule: ThrottledClientException, then normal service once cleared.
    let faults = format!("{}/_localstack/chaos/faults", serve.url);
    let http = reqwest::Client::new();
    let rule = r#"[{"service":"chime","operation":"BatchUpdateUser","error":{"statusCode":429,"code":"ThrottledClientException"}}]"#;
    assert!(http.post(&faults).body(rule).send().await.unwrap().status().is_success());
    let call =
        || c.batch_update_user().account_id(&account_id).update_user_request_items(item(&users[1], License::Plus));
    let err = call().send().await.unwrap_err().into_service_error();
    assert!(err.is_throttled_client_exception(), "{err:?}");
    assert!(http.post(&faults).body("[]").send().await.unwrap().status().is_success());
    call().send().await.map_err(|e| DisplayErrorContext(e).to_string()).unwrap();
    let got = c.get_user().account_id(&account_id).user_id(&users[1]).send().await.unwrap();
    assert_eq!(got.user().and_then(|u| u.license_type()), Some(&License::Plus));
}
