//! Issue #13: `Conformance::suite` reads `CONFORM_ENDPOINT`,
//! `CONFORM_CAPABILITIES` and `CONFORM_VARS` without being asked, and a
//! suite for another service than the double's, with no endpoint, is refused.
//!
//! This target has no libtest harness: it runs itself as a vendor's
//! harness would (in a child process, with the environment set), and
//! checks what reached a loopback endpoint.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, ExitCode};

const CASES: &str = "[[case]]\nname = \"c\"\nrequires = [\"widgets\"]\n[[case.step]]\nmethod = \"GET\"\npath = \"/items/{{item_id}}\"\n";

fn main() -> ExitCode {
    if let Ok(dir) = std::env::var("HARNESS_ENV_CHILD") {
        // The vendor's side: no `.from_env()`, no `.endpoint()`.
        return conform::harness::Conformance::suite(dir).run();
    }
    let mut failures = Vec::new();
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("c.toml"), CASES).expect("write");

    // A loopback endpoint that records request lines.
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let line = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_owned();
            let _ = tx.send(line);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    let child = |envs: &[(&str, String)]| {
        let mut cmd = Command::new(std::env::current_exe().expect("this test binary"));
        cmd.env("HARNESS_ENV_CHILD", dir.path()).env_remove("CONFORM_ENDPOINT").env_remove("CONFORM_VARS");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().expect("the child runs")
    };

    let o = child(&[
        ("CONFORM_ENDPOINT", format!("http://127.0.0.1:{port}")),
        ("CONFORM_CAPABILITIES", "widgets".to_owned()),
        ("CONFORM_VARS", "item_id=w-42".to_owned()),
    ]);
    let seen: Vec<String> = rx.try_iter().collect();
    if !o.status.success() || seen != ["GET /items/w-42 HTTP/1.1"] {
        failures.push(format!(
            "CONFORM_* were not read by suite(): {:?} {seen:?}\n{}",
            o.status,
            String::from_utf8_lossy(&o.stdout)
        ));
    }

    // No endpoint: a suite that is not Chime's is refused, not run against the double.
    let o = child(&[("CONFORM_CAPABILITIES", "widgets".to_owned()), ("CONFORM_VARS", "item_id=w-42".to_owned())]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    if o.status.success() || !out.contains("built-in double implements only `chime`") {
        failures.push(format!("a non-Chime suite without an endpoint was not refused: {:?}\n{out}", o.status));
    }

    for f in &failures {
        eprintln!("FAILED: {f}");
    }
    println!("{} passed, {} failed", 2 - failures.len(), failures.len());
    if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
