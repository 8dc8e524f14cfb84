//! `conform serve` under abuse (issue #15,
//! "`conform serve` that survives abuse"): each misbehaviour of a client
//! driven against a real `conform serve` child process on loopback, over
//! raw TCP where the request itself is malformed, with the state checked
//! afterwards through the API.
//!
//! Every wait is bounded. Timed assertions are lower bounds (something did
//! *not* happen too early) or generous upper bounds, so that a busy machine
//! makes them slower, never wrong.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use common::Serve;
use serde_json::{Value, json};

/// How long any single read may block before the test gives up.
const READ_LIMIT: Duration = Duration::from_secs(20);

/// A response as read off the wire.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn error_type(&self) -> Option<&str> {
        self.header("x-amzn-errortype")
    }
}

/// One raw HTTP/1.1 connection (keep-alive unless a request says otherwise).
struct Conn {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(serve: &Serve) -> Conn {
        let stream = TcpStream::connect(serve.addr()).expect("connect to serve");
        stream.set_read_timeout(Some(READ_LIMIT)).expect("set a read timeout");
        stream.set_nodelay(true).expect("set TCP_NODELAY");
        let reader = BufReader::new(stream.try_clone().expect("clone the stream"));
        Conn { stream, reader }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
        self.stream.flush().expect("flush");
    }

    /// Sends a whole request with a JSON body (or none).
    fn request(&mut self, method: &str, path: &str, body: Option<&str>) -> Response {
        let body = body.unwrap_or("");
        self.send(format!("{}{body}", head(method, path, body.len())).as_bytes());
        self.response().unwrap_or_else(|| panic!("{method} {path}: no response"))
    }

    /// Reads one response with a `content-length` body; `None` if the
    /// connection ends (or resets) before a status line.
    fn response(&mut self) -> Option<Response> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) => return None,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return None,
            Err(e) => panic!("reading a status line: {e}"),
            Ok(_) => {}
        }
        let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status code");
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            self.reader.read_line(&mut h).expect("a header line");
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').expect("name: value");
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.parse::<usize>().expect("a content length"));
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body).expect("the whole body");
        Some(Response { status, headers, body })
    }

    /// Waits until the server closes the connection (EOF or reset), reading
    /// and discarding whatever it sends first; how long that took.
    fn time_to_close(&mut self, limit: Duration) -> Duration {
        let start = Instant::now();
        self.stream.set_read_timeout(Some(limit)).expect("set a read timeout");
        let mut buf = [0u8; 4096];
        loop {
            match self.reader.read(&mut buf) {
                Ok(0) => return start.elapsed(),
                Ok(_) => {}
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    panic!("still open after {:?}", start.elapsed())
                }
                Err(_) => return start.elapsed(),
            }
        }
    }
}

fn head(method: &str, path: &str, len: usize) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nhost: conform\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n"
    )
}

/// One request on a fresh connection.
fn call(serve: &Serve, method: &str, path: &str, body: Option<&str>) -> Response {
    Conn::open(serve).request(method, path, body)
}

fn create_account(c: &mut Conn) -> String {
    let r = c.request("POST", "/accounts", Some(r#"{"Name":"acme"}"#));
    assert_eq!(r.status, 201, "{}", r.json());
    r.json()["Account"]["AccountId"].as_str().expect("an account id").to_owned()
}

fn create_user(c: &mut Conn, account: &str, email: &str) -> Response {
    c.request(
        "POST",
        &format!("/accounts/{account}/users?operation=create"),
        Some(&json!({"Email": email}).to_string()),
    )
}

fn user_count(serve: &Serve, account: &str) -> usize {
    let r = call(serve, "GET", &format!("/accounts/{account}/users?max-results=200"), None);
    assert_eq!(r.status, 200);
    r.json()["Users"].as_array().expect("a Users list").len()
}

fn rules(serve: &Serve) -> Value {
    let r = call(serve, "GET", "/_localstack/chaos/faults", None);
    assert_eq!(r.status, 200);
    r.json()
}

/// Sends `head` and `partial`, half-closes the connection, and returns
/// what the server answers (if anything).
fn truncated(serve: &Serve, head: &str, partial: &[u8]) -> Option<Response> {
    let mut c = Conn::open(serve);
    c.send(head.as_bytes());
    c.send(partial);
    c.stream.shutdown(Shutdown::Write).expect("half-close");
    c.response()
}

#[test]
fn truncated_bodies_are_answered_400_and_change_nothing() {
    let serve = Serve::start(&["--no-auth"]);
    let mut c = Conn::open(&serve);
    let account = create_account(&mut c);
    let r = create_user(&mut c, &account, "kept@example.com");
    assert_eq!(r.status, 201);
    let user = r.json()["User"]["UserId"].as_str().expect("a user id").to_owned();
    let users = format!("/accounts/{account}/users");
    let create = format!("{users}?operation=create");

    // Content-Length not reached: a whole JSON object, but fewer bytes than announced.
    let body = br#"{"Email":"cut@example.com"}"#;
    let r = truncated(&serve, &head("POST", &create, 100), body).expect("an answer");
    assert_eq!((r.status, r.error_type()), (400, Some("BadRequestException")), "{}", r.json());
    // A chunked body without its last chunk.
    let chunked = format!(
        "POST {create} HTTP/1.1\r\nhost: conform\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    let chunk = format!("{:x}\r\n{}\r\n", body.len(), String::from_utf8_lossy(body));
    let r = truncated(&serve, &chunked, chunk.as_bytes()).expect("an answer");
    assert_eq!(r.status, 400, "{}", r.json());
    assert_eq!(user_count(&serve, &account), 1, "a truncated CreateUser was applied");

    // A BatchUpdateUser cut short leaves the license as it was.
    let update = json!({"UpdateUserRequestItems": [{"UserId": user, "LicenseType": "Basic"}]}).to_string();
    let r = truncated(&serve, &head("POST", &users, update.len() + 10), update.as_bytes()).expect("an answer");
    assert_eq!(r.status, 400, "{}", r.json());
    let got = call(&serve, "GET", &format!("{users}/{user}"), None);
    assert_eq!(got.json()["User"]["LicenseType"], "Pro", "a truncated BatchUpdateUser was applied");

    // So does the fault control.
    let rule = r#"[{"error":{"statusCode":500}}]"#;
    let r = truncated(&serve, &head("POST", "/_localstack/chaos/faults", rule.len() + 1), rule.as_bytes());
    assert_eq!(r.expect("an answer").status, 400);
    let r = truncated(
        &serve,
        &chunked.replace(&create, "/_localstack/chaos/faults"),
        format!("{:x}\r\n{rule}\r\n", rule.len()).as_bytes(),
    );
    assert_eq!(r.expect("an answer").status, 400);
    assert_eq!(rules(&serve), json!([]), "a truncated fault rule was installed");

    // The same requests, whole, are applied: the tests above could fail.
    let r = call(&serve, "POST", &users, Some(&update));
    assert_eq!(r.status, 200);
    assert_eq!(call(&serve, "GET", &format!("{users}/{user}"), None).json()["User"]["LicenseType"], "Basic");
    assert_eq!(create_user(&mut c, &account, "cut@example.com").status, 201);
    assert_eq!(user_count(&serve, &account), 2);
}

#[test]
fn a_body_sent_too_slowly_is_400_and_not_applied() {
    let serve = Serve::start(&["--no-auth", "--body-timeout", "1s"]);
    let mut c = Conn::open(&serve);
    let account = create_account(&mut c);
    let create = format!("/accounts/{account}/users?operation=create");
    let body = br#"{"Email":"slow@example.com"}"#;
    let mut slow = Conn::open(&serve);
    slow.send(head("POST", &create, body.len()).as_bytes());
    slow.send(&body[..5]);
    let start = Instant::now();
    let r = slow.response().expect("an answer");
    let waited = start.elapsed();
    assert_eq!(r.status, 400, "{}", r.json());
    assert!(waited >= Duration::from_millis(500), "answered after {waited:?}, before the body timeout");
    // The rest arrives too late to matter.
    let _ = slow.stream.write_all(&body[5..]);
    assert_eq!(user_count(&serve, &account), 0);
}

#[test]
fn half_sent_headers_and_idle_connections_are_closed_within_the_header_timeout() {
    let serve = Serve::start(&["--no-auth", "--header-timeout", "1s"]);
    let mut conns: Vec<Conn> = (0..50)
        .map(|_| {
            let mut c = Conn::open(&serve);
            c.send(b"GET /accounts/x HTTP/1.1\r\nhost: conform\r\nx-slow: ");
            c
        })
        .collect();
    // An idle keep-alive connection, after one whole request.
    let mut idle = Conn::open(&serve);
    assert_eq!(idle.request("GET", "/accounts/none", None).status, 404);
    conns.push(idle);
    let start = Instant::now();
    for c in &mut conns {
        c.time_to_close(Duration::from_secs(15));
    }
    let all = start.elapsed();
    assert!(all < Duration::from_secs(15), "closing took {all:?}");
    // The server is still serving.
    assert_eq!(call(&serve, "GET", "/accounts/none", None).status, 404);
}

#[test]
fn the_header_timeout_is_not_cut_short() {
    let serve = Serve::start(&["--no-auth", "--header-timeout", "2s"]);
    let mut c = Conn::open(&serve);
    c.send(b"GET /accounts/x HTTP/1.1\r\nhost: conform\r\n");
    let took = c.time_to_close(Duration::from_secs(20));
    assert!(took >= Duration::from_millis(1500), "closed after {took:?}");
    // A request finished within the timeout is answered.
    let mut c = Conn::open(&serve);
    c.send(b"GET /accounts/x HTTP/1.1\r\nhost: conform\r\n");
    std::thread::sleep(Duration::from_millis(300));
    c.send(b"\r\n");
    assert_eq!(c.response().expect("an answer").status, 404);
}

#[test]
fn connections_past_the_cap_wait_until_one_closes() {
    let serve = Serve::start(&["--no-auth", "--max-connections", "2", "--header-timeout", "60s"]);
    let mut first = Conn::open(&serve);
    let mut second = Conn::open(&serve);
    // Both are accepted and served, then stay open (keep-alive).
    assert_eq!(first.request("GET", "/accounts/none", None).status, 404);
    assert_eq!(second.request("GET", "/accounts/none", None).status, 404);
    let mut third = Conn::open(&serve);
    third.send(head("GET", "/accounts/none", 0).as_bytes());
    third.stream.set_read_timeout(Some(Duration::from_millis(700))).expect("set a read timeout");
    let mut byte = [0u8; 1];
    match third.reader.read(&mut byte) {
        Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
        other => panic!("a third connection was served past a cap of 2: {other:?}"),
    }
    drop(first);
    third.stream.set_read_timeout(Some(READ_LIMIT)).expect("set a read timeout");
    assert_eq!(third.response().expect("an answer once a slot is free").status, 404);
}

#[test]
fn a_client_that_never_reads_its_responses_loses_its_connection() {
    let serve =
        Serve::start(&["--no-auth", "--max-connections", "1", "--body-timeout", "1s", "--header-timeout", "60s"]);
    let mut c = Conn::open(&serve);
    let account = create_account(&mut c);
    for i in 0..200 {
        assert_eq!(create_user(&mut c, &account, &format!("user{i}@example.com")).status, 201);
    }
    // 400 pipelined pages of 200 users (tens of MB), none of them read:
    // more than the socket buffers hold, so the server's writes stall.
    let page = head("GET", &format!("/accounts/{account}/users?max-results=200"), 0);
    c.send(page.repeat(400).as_bytes());
    // The stalled connection holds the only slot; another client is
    // served once the server has given up on it.
    let r = call(&serve, "GET", "/accounts/none", None);
    assert_eq!(r.status, 404);
    let mut received = Vec::new();
    let _ = c.reader.read_to_end(&mut received);
    let answered = received.windows(12).filter(|w| w == b"HTTP/1.1 200").count();
    assert!(answered < 400, "all {answered} responses were delivered: the writes never stalled");
}

/// CPU time (user and system) the process has used so far, from `/proc`.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the process's stat");
    // Fields after the command name, which ends with the last `)`.
    let fields: Vec<&str> = stat.rsplit_once(')').expect("a command name").1.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    // Linux reports these in USER_HZ, 100 a second on every common configuration.
    Duration::from_millis(ticks * 10)
}

#[cfg(target_os = "linux")]
#[test]
fn out_of_descriptors_the_accept_loop_backs_off_and_recovers() {
    let serve = Serve::start_with_fd_limit(32, &["--no-auth", "--header-timeout", "60s"]);
    // More connections than descriptors: the server accepts until it runs
    // out, and the rest wait in the backlog, each accept failing.
    let held: Vec<TcpStream> = (0..60).map(|_| TcpStream::connect(serve.addr()).expect("connect")).collect();
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_time(serve.pid());
    std::thread::sleep(Duration::from_millis(1500));
    let used = cpu_time(serve.pid()) - before;
    // A loop retrying at once would use most of a core; with the back-off
    // it sleeps between tries.
    assert!(used < Duration::from_millis(500), "{used:?} of CPU in 1.5 s while out of descriptors");
    drop(held);
    assert_eq!(call(&serve, "GET", "/accounts/none", None).status, 404);
}

#[test]
fn fault_codes_that_cannot_be_headers_are_400_and_the_server_stays_sound() {
    let serve = Serve::start(&["--no-auth"]);
    let mut c = Conn::open(&serve);
    let account = create_account(&mut c);
    let long = "E".repeat(129);
    for code in ["Bad\nCode", "Bad\r\nx-injected: 1", "Bad Code", "Ünicode", "", long.as_str()] {
        let rule = json!([{"error": {"statusCode": 500, "code": code}}]).to_string();
        let r = c.request("POST", "/_localstack/chaos/faults", Some(&rule));
        assert_eq!(r.status, 400, "{code:?}: {}", r.json());
        assert!(r.json()["error"].as_str().is_some_and(|m| m.contains("error.code")), "{}", r.json());
    }
    assert_eq!(rules(&serve), json!([]));
    let r = c.request("GET", &format!("/accounts/{account}"), None);
    assert_eq!(r.status, 200, "{}", r.json());
    assert!(r.header("x-amzn-requestid").is_some());
    // A code that is a token is accepted and comes back as the header.
    let rule = json!([{"operation": "GetAccount", "error": {"statusCode": 502, "code": "aws.test#Bad_Gateway-1"}}]);
    assert_eq!(c.request("POST", "/_localstack/chaos/faults", Some(&rule.to_string())).status, 200);
    let r = c.request("GET", &format!("/accounts/{account}"), None);
    assert_eq!((r.status, r.error_type()), (502, Some("aws.test#Bad_Gateway-1")));
}

#[test]
fn fault_control_caps_rules_and_request_size() {
    let serve = Serve::start(&["--no-auth"]);
    let mut c = Conn::open(&serve);
    let rule = |i: usize| json!({"region": format!("r{i}"), "error": {"statusCode": 503}});
    let thousand = Value::Array((0..1000).map(rule).collect()).to_string();
    assert_eq!(c.request("POST", "/_localstack/chaos/faults", Some(&thousand)).status, 200);
    let one_more = json!([rule(1000)]).to_string();
    let r = c.request("PATCH", "/_localstack/chaos/faults", Some(&one_more));
    assert_eq!(r.status, 400, "{}", r.json());
    let over = Value::Array((0..1001).map(rule).collect()).to_string();
    assert_eq!(c.request("POST", "/_localstack/chaos/faults", Some(&over)).status, 400);
    assert_eq!(rules(&serve).as_array().map(Vec::len), Some(1000), "a refused edit changed the rules");
    // Over the size cap, even with few rules.
    let big = json!([{"region": "x".repeat(300 * 1024)}]).to_string();
    let r = c.request("POST", "/_localstack/chaos/faults", Some(&big));
    assert_eq!(r.status, 400, "{}", r.json());
    assert!(r.json()["error"].as_str().is_some_and(|m| m.contains("bytes")), "{}", r.json());
    let r = c.request("DELETE", "/_localstack/chaos/faults", Some(&thousand));
    assert_eq!((r.status, r.json()), (200, json!([])));
}

#[test]
fn big_fault_edits_do_not_stall_other_requests() {
    let serve = Serve::start(&["--no-auth"]);
    let addr = serve.addr();
    let editor = std::thread::spawn(move || {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(READ_LIMIT)).expect("set a read timeout");
        let mut c = Conn { reader: BufReader::new(stream.try_clone().expect("clone")), stream };
        // Issue #15's attack: ten PATCHes of 45k distinct rules, then a DELETE
        // of 45k (quadratic, under the lock, it blocked every worker).
        // Now each is refused (400) without touching the rules.
        let huge = Value::Array((0..45_000).map(|i| json!({"region": i.to_string()})).collect()).to_string();
        for _ in 0..10 {
            assert_eq!(c.request("PATCH", "/_localstack/chaos/faults", Some(&huge)).status, 400);
        }
        assert_eq!(c.request("DELETE", "/_localstack/chaos/faults", Some(&huge)).status, 400);
        // Edits at the cap, over and over.
        let thousand = Value::Array(
            (0..1000).map(|i| json!({"service": format!("s{i}"), "operation": "X", "probability": 0.5})).collect(),
        )
        .to_string();
        for _ in 0..30 {
            assert_eq!(c.request("PATCH", "/_localstack/chaos/faults", Some(&thousand)).status, 200);
            assert_eq!(c.request("DELETE", "/_localstack/chaos/faults", Some(&thousand)).status, 200);
        }
    });
    // Meanwhile, unrelated requests: each answered well within the bound
    // (in issue #15 one waited 13.5 s).
    let mut c = Conn::open(&serve);
    let mut slowest = Duration::ZERO;
    loop {
        let start = Instant::now();
        assert_eq!(c.request("GET", "/nowhere", None).status, 404);
        slowest = slowest.max(start.elapsed());
        if editor.is_finished() {
            break;
        }
    }
    editor.join().expect("the editor thread");
    assert!(slowest < Duration::from_secs(3), "an unrelated request waited {slowest:?}");
    assert_eq!(rules(&serve), json!([]));
}

#[test]
fn caps_on_accounts_users_and_member_sizes_answer_bad_request() {
    let serve = Serve::start(&["--no-auth"]);
    let mut c = Conn::open(&serve);
    let accounts: Vec<String> = (0..100).map(|_| create_account(&mut c)).collect();
    let r = c.request("POST", "/accounts", Some(r#"{"Name":"one too many"}"#));
    assert_eq!((r.status, r.error_type()), (400, Some("BadRequestException")), "{}", r.json());
    assert_eq!(r.json()["Code"], "BadRequest");
    assert!(r.json()["Message"].as_str().is_some_and(|m| m.contains("100 accounts")), "{}", r.json());
    // Deleting one makes room again.
    assert_eq!(c.request("DELETE", &format!("/accounts/{}", accounts[0]), None).status, 204);
    let account = create_account(&mut c);

    for i in 0..1000 {
        let r = create_user(&mut c, &account, &format!("u{i}@example.com"));
        assert_eq!(r.status, 201, "user {i}: {}", r.json());
    }
    let r = create_user(&mut c, &account, "u1000@example.com");
    assert_eq!((r.status, r.error_type()), (400, Some("BadRequestException")), "{}", r.json());
    assert!(r.json()["Message"].as_str().is_some_and(|m| m.contains("1000 users")), "{}", r.json());
    // ListUsers pages at most 200 of them.
    let r = c.request("GET", &format!("/accounts/{account}/users?max-results=200&next-token=800"), None);
    assert_eq!(r.json()["Users"].as_array().map(Vec::len), Some(200));
    assert!(r.json().get("NextToken").is_none());

    let other = &accounts[1];
    let bad = [
        json!({"Email": format!("{}@example.com", "a".repeat(243))}), // 255 characters
        json!({"Email": "not-an-address"}),
        json!({"Email": "x@example.com", "Username": "n".repeat(257)}),
    ];
    for body in bad {
        let r = c.request("POST", &format!("/accounts/{other}/users?operation=create"), Some(&body.to_string()));
        assert_eq!((r.status, r.error_type()), (400, Some("BadRequestException")), "{}", r.json());
    }
    let at_bounds = json!({"Email": format!("{}@example.com", "a".repeat(242)), "Username": "n".repeat(256)});
    let r = c.request("POST", &format!("/accounts/{other}/users?operation=create"), Some(&at_bounds.to_string()));
    assert_eq!(r.status, 201, "{}", r.json());
    let r = c.request("POST", "/accounts", Some(&json!({"Name": "n".repeat(101)}).to_string()));
    assert_eq!(r.status, 400);
}

#[test]
fn next_token_and_max_results_out_of_range_are_400() {
    let serve = Serve::start(&["--no-auth"]);
    let mut c = Conn::open(&serve);
    let account = create_account(&mut c);
    for i in 0..3 {
        assert_eq!(create_user(&mut c, &account, &format!("u{i}@example.com")).status, 201);
    }
    let list = format!("/accounts/{account}/users");
    for query in [
        "next-token=18446744073709551615",
        "next-token=99999999999999999999999",
        "next-token=-1",
        "next-token=+1",
        "next-token=%201",
        "next-token=abc",
        "next-token=",
        "next-token=3",
        "max-results=0",
        "max-results=201",
        "max-results=18446744073709551617",
        "max-results=-5",
        "max-results=1.5",
    ] {
        let r = c.request("GET", &format!("{list}?{query}"), None);
        assert_eq!((r.status, r.error_type()), (400, Some("BadRequestException")), "{query}: {}", r.json());
    }
    // Tokens the server issues still page through every user once.
    let mut seen = Vec::new();
    let mut query = "max-results=2".to_owned();
    for _ in 0..5 {
        let r = c.request("GET", &format!("{list}?{query}"), None);
        assert_eq!(r.status, 200, "{}", r.json());
        let page = r.json();
        seen.extend(page["Users"].as_array().expect("Users").iter().map(|u| u["PrimaryEmail"].clone()));
        match page["NextToken"].as_str() {
            Some(t) => query = format!("max-results=2&next-token={t}"),
            None => break,
        }
    }
    assert_eq!(seen, vec![json!("u0@example.com"), json!("u1@example.com"), json!("u2@example.com")]);
}

#[test]
fn sigterm_delivers_the_response_to_a_slow_request_then_exits_0() {
    let mut serve = Serve::start(&["--no-auth", "--grace", "10s"]);
    let mut c = Conn::open(&serve);
    let account = create_account(&mut c);
    let body = br#"{"Email":"late@example.com"}"#;
    let mut slow = Conn::open(&serve);
    slow.send(head("POST", &format!("/accounts/{account}/users?operation=create"), body.len()).as_bytes());
    slow.send(&body[..10]);
    // Let the server read the head before the signal.
    std::thread::sleep(Duration::from_millis(200));
    serve.signal_term();
    // New connections are refused once the server has stopped accepting.
    let start = Instant::now();
    while TcpStream::connect(serve.addr()).is_ok() {
        assert!(start.elapsed() < Duration::from_secs(10), "still accepting after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(serve.wait_for_exit(Duration::ZERO).is_none(), "exited with a request in flight");
    slow.send(&body[10..]);
    let r = slow.response().expect("the response to the request in flight");
    assert_eq!(r.status, 201, "{}", r.json());
    assert_eq!(r.json()["User"]["PrimaryEmail"], "late@example.com");
    let status = serve.wait_for_exit(Duration::from_secs(15)).expect("serve exits after its last request");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn sigterm_right_after_start_up_exits_0() {
    for _ in 0..5 {
        let serve = Serve::start(&["--no-auth"]);
        assert_eq!(serve.terminate().code(), Some(0));
    }
}

#[test]
fn a_non_loopback_host_prints_a_warning_about_the_fault_control() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["serve", "--host", "0.0.0.0", "--port", "0", "--no-auth"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("conform serve starts");
    let pid = out.id();
    let mut child = out;
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the URL line");
    let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let output = child.wait_with_output().expect("serve exits");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning") && stderr.contains("/_localstack/chaos/faults"), "{stderr}");
    assert_eq!(output.status.code(), Some(0));
}
