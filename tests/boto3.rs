//! Interop with boto3, the client most emulators are tested with, against
//! `conform serve` on loopback. The Python side is
//! `tests/interop/boto3_check.py`. Python comes from `CONFORM_BOTO3_PYTHON`
//! when set; otherwise the test makes a virtual environment in
//! `target/boto3-venv` and installs boto3 there from PyPI (once).

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{Serve, root};

const AKID: &str = "AKIDBOTO3TEST";
const SECRET: &str = "boto3-test-secret";

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("CONFORM_BOTO3_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = root().join("target/boto3-venv");
    let py = venv.join("bin/python");
    let ready = Command::new(&py).args(["-c", "import boto3"]).status().is_ok_and(|s| s.success());
    if !ready {
        let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 runs");
        assert!(made.success(), "python3 -m venv failed");
        let pip = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "boto3==1.44.8"])
            .status()
            .expect("pip runs");
        assert!(pip.success(), "pip install boto3 failed");
    }
    py
}

#[test]
fn boto3_sees_the_documented_behaviour() {
    let py = python();
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
