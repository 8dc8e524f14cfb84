//! Helpers shared by the integration tests: temporary case folders, running
//! the `conform` binary, and small loopback servers.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// Writes `files` (relative path, content) under a fresh temporary folder.
pub fn case_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        std::fs::write(path, text).expect("write a case file");
    }
    dir
}

/// Runs the `conform` binary with colours off.
pub fn conform(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .expect("the conform binary runs")
}

/// Stdout and stderr as text, for assertions and failure messages.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A port on loopback where nothing listens.
pub fn refused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    port
}

/// A raw TCP server on loopback that treats each connection by the path of
/// its request line: `/stall` never answers, `/reset` closes without
/// reading (the kernel sends RST), anything else gets `200 {}`. Runs on a
/// background thread until the process ends.
pub fn raw_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in l.incoming().flatten() {
            std::thread::spawn(move || serve_raw(stream));
        }
    });
    port
}

fn serve_raw(mut s: TcpStream) {
    let mut peek = [0u8; 64];
    let n = s.peek(&mut peek).unwrap_or(0);
    let head = String::from_utf8_lossy(&peek[..n]).into_owned();
    if head.contains(" /reset") {
        // Unread data in the receive buffer turns the close into a reset.
        std::thread::sleep(Duration::from_millis(20));
        drop(s);
    } else if head.contains(" /stall") {
        std::thread::sleep(Duration::from_secs(30));
    } else {
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}");
    }
}

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `conform serve` process on a free loopback port; killed on drop.
pub struct Serve {
    child: std::process::Child,
    /// Base URL, like `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Serve {
    /// Starts `conform serve --port 0` with extra arguments and waits for its URL.
    pub fn start(extra: &[&str]) -> Serve {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
            .args(["serve", "--host", "127.0.0.1", "--port", "0"])
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("conform serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).expect("serve prints its URL");
        let url = line.trim().rsplit(' ').next().unwrap_or_default().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "unexpected first line: {line}");
        Serve { child, url }
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        self.child.wait().expect("serve exits")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
