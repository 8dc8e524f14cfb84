//! Helpers shared by the integration tests: temporary case folders, running
//! the `conform` binary, and small loopback servers.

// Each test target uses only some of these helpers.
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

/// A raw TCP server on loopback, hostile on purpose. Each connection is
/// treated by the path of its request line:
///
/// | path | behaviour |
/// | --- | --- |
/// | `/stall` | never answers |
/// | `/reset` | closes without reading: the kernel sends RST |
/// | `/reset-headers` | sends half a status line and headers, then resets |
/// | `/reset-body` | sends headers and part of the body, then resets |
/// | `/trickle` | sends a 1000-byte body one byte every 100 ms |
/// | `/huge` | announces and streams a 9 MiB body |
/// | `/not-json` | a JSON content type with a body that is not JSON |
/// | `/bad-utf8` | a JSON body holding invalid UTF-8 |
/// | `/short` | `content-length: 50` and 10 bytes, then closes |
/// | `/redirect` | `302` to itself |
/// | `/http10` | an HTTP/1.0 response whose body ends when the connection closes |
/// | `/early-hints` | `103 Early Hints`, then `200 {}` |
/// | `/no-content` | `204` with a body |
/// | anything else | `200 {}` |
///
/// Every response closes its connection. Runs until the process ends.
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
    let mut peek = [0u8; 128];
    let n = s.peek(&mut peek).unwrap_or(0);
    let head = String::from_utf8_lossy(&peek[..n]).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let consume = |s: &mut TcpStream| {
        let mut buf = [0u8; 8192];
        let _ = s.read(&mut buf);
    };
    let ok = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
    match path.as_str() {
        // Unread data in the receive buffer turns the close into a reset.
        "/reset" => std::thread::sleep(Duration::from_millis(20)),
        "/reset-headers" => {
            std::thread::sleep(Duration::from_millis(20));
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-ty");
        }
        "/reset-body" => {
            std::thread::sleep(Duration::from_millis(20));
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"a\": \"",
            );
            let _ = s.flush();
            std::thread::sleep(Duration::from_millis(50));
        }
        "/stall" => std::thread::sleep(Duration::from_secs(30)),
        "/trickle" => {
            consume(&mut s);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n");
            for _ in 0..1000 {
                if s.write_all(b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        "/huge" => {
            consume(&mut s);
            let size = 9 * 1024 * 1024;
            let _ = s.write_all(
                format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {size}\r\n\r\n")
                    .as_bytes(),
            );
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..(size / chunk.len()) {
                if s.write_all(&chunk).is_err() {
                    return;
                }
            }
        }
        "/not-json" => {
            consume(&mut s);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\nconnection: close\r\n\r\n{not json");
        }
        "/bad-utf8" => {
            consume(&mut s);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 8\r\nconnection: close\r\n\r\n{\"a\":\"\xff\xfe\"}");
        }
        "/short" => {
            consume(&mut s);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 50\r\nconnection: close\r\n\r\n{\"a\": 1234");
        }
        "/redirect" => {
            consume(&mut s);
            let _ = s.write_all(
                b"HTTP/1.1 302 Found\r\nlocation: /redirect\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
        "/http10" => {
            consume(&mut s);
            let _ = s.write_all(b"HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n{}");
        }
        "/early-hints" => {
            consume(&mut s);
            let _ = s.write_all(b"HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n");
            let _ = s.write_all(ok);
        }
        "/no-content" => {
            consume(&mut s);
            let _ = s.write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello");
        }
        _ => {
            consume(&mut s);
            let _ = s.write_all(ok);
        }
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
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_conform"));
        cmd.args(["serve", "--host", "127.0.0.1", "--port", "0"]).args(extra);
        Serve::spawn(cmd)
    }

    /// Like [`Serve::start`], with at most `files` open file descriptors
    /// (`ulimit -n` in a shell that then becomes `conform serve`).
    pub fn start_with_fd_limit(files: u32, extra: &[&str]) -> Serve {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", &format!("ulimit -n {files} && exec \"$0\" \"$@\"")])
            .arg(env!("CARGO_BIN_EXE_conform"))
            .args(["serve", "--host", "127.0.0.1", "--port", "0"])
            .args(extra);
        Serve::spawn(cmd)
    }

    fn spawn(mut cmd: Command) -> Serve {
        use std::io::BufRead;
        let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().expect("conform serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).expect("serve prints its URL");
        let url = line.trim().rsplit(' ').next().unwrap_or_default().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "unexpected first line: {line}");
        Serve { child, url }
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        self.signal_term();
        self.child.wait().expect("serve exits")
    }

    /// Sends SIGTERM and returns at once.
    pub fn signal_term(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        assert!(status.as_ref().is_ok_and(|s| s.success()), "kill -TERM failed: {status:?}");
    }

    /// Waits at most `limit` for the process to exit; `None` if it is still running.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll serve") {
                return Some(status);
            }
            if start.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `host:port` of the listener, for raw TCP.
    pub fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_owned()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback HTTP/1.1 proxy that forwards each request unchanged to
/// `upstream` and sends every response back with a chunked body (split in
/// two chunks) and an extra header: two liberties the documentation allows.
pub async fn chunking_proxy(upstream: std::net::SocketAddr) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            tokio::spawn(proxy_connection(conn, upstream));
        }
    });
    addr
}

async fn proxy_connection(down: tokio::net::TcpStream, upstream: std::net::SocketAddr) {
    use tokio::io::{AsyncWriteExt, BufReader};
    let (r, mut w) = down.into_split();
    let mut r = BufReader::new(r);
    while let Some((head, body)) = read_message(&mut r).await {
        let Ok(up) = tokio::net::TcpStream::connect(upstream).await else { return };
        let (ur, mut uw) = up.into_split();
        if uw.write_all(head.as_bytes()).await.is_err() || uw.write_all(&body).await.is_err() {
            return;
        }
        let Some((rhead, rbody)) = read_message(&mut BufReader::new(ur)).await else { return };
        let mut out = String::new();
        for line in rhead.trim_end().split("\r\n") {
            if !line.to_ascii_lowercase().starts_with("content-length:") {
                out.push_str(line);
                out.push_str("\r\n");
            }
        }
        let status_has_body = !rhead.starts_with("HTTP/1.1 204") && !rhead.starts_with("HTTP/1.1 304");
        if status_has_body {
            out.push_str("transfer-encoding: chunked\r\n");
        }
        out.push_str("x-proxied-by: conform-tests\r\n\r\n");
        let mut bytes = out.into_bytes();
        if status_has_body {
            let mid = rbody.len() / 2;
            for part in [&rbody[..mid], &rbody[mid..]] {
                if !part.is_empty() {
                    bytes.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                    bytes.extend_from_slice(part);
                    bytes.extend_from_slice(b"\r\n");
                }
            }
            bytes.extend_from_slice(b"0\r\n\r\n");
        }
        if w.write_all(&bytes).await.is_err() {
            return;
        }
    }
}

/// Reads one HTTP/1.1 message with a `content-length` body (or none).
async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Option<(String, Vec<u8>)> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let len = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>()))
        .transpose()
        .ok()?
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).await.ok()?;
    Some((head, body))
}

/// A Python with boto3 1.44.8 (and its botocore): `CONFORM_BOTO3_PYTHON`, or
/// a virtual environment made once in `target/boto3-venv`.
pub fn boto3_python() -> PathBuf {
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
