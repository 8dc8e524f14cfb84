//! Interop with boto3, the client most emulators are tested with, against
//! `conform serve` on loopback. The Python side is
//! `tests/interop/boto3_check.py`. Python comes from `CONFORM_BOTO3_PYTHON`
//! when set; otherwise the test makes a virtual environment in
//! `target/boto3-venv` and installs boto3 there from PyPI (once).

mod common;

use std::process::Command;

use common::{Serve, root};

const AKID: &str = "AKIDBOTO3TEST";
const SECRET: &str = "boto3-test-secret";

#[test]
fn boto3_sees_the_documented_behaviour() {
    let py = common::boto3_python();
    let serve = Serve::start(&["--credentials", &format!("{AKID}:{SECRET}")]);
    let out = Command::new(py)
        .arg(root().join("tests/interop/boto3_check.py"))
        .args([&serve.url, AKID, SECRET])
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("python runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("boto3: all checks passed"), "{text}");
}
