//! The whole judge, driven from bytes: the `judge` fuzz target and the
//! replay of its inputs (`tests/fuzz_regressions.rs`) both call [`judge`].
//! Only with the `fuzzing` feature; no shipped build carries it.
//!
//! The bytes choose, structure-aware (through `arbitrary`, so that the
//! fuzzer reaches deep paths instead of failing to parse): a service model
//! (one operation, `rest-json` or `json`, its output and errors built from
//! every shape kind: structure, union, list, map with key constraints,
//! string with pattern, length and enum, integer, long, float, double with
//! ranges, timestamp in each format, blob, boolean, nested), a case (one to
//! three steps: status, headers, error type, a JSON or text expectation made
//! of every matcher, captures, `for_each` over a captured list, secrets), a
//! baseline, a signing secret, and the responses, whose bodies are mostly
//! drawn from the model's shapes (then broken here and there) and sometimes
//! any bytes. The case runs through [`crate::run`] against a loopback server
//! that answers those responses, so every line of the judge that a real
//! run takes is taken; then every report is rendered in memory, and
//! `report.json` read back.
#![cfg(feature = "fuzzing")]
#![doc(hidden)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use arbitrary::Unstructured;
use http_body_util::Full;
use hyper::body::Bytes;
use serde_json::{Map, Value, json};

use crate::baseline::Baseline;
use crate::case::{LoadOptions, load_bytes};
use crate::contract::{Contract, Model, ShapeMode};
use crate::report::{self, ReportInput};
use crate::runner::{Outcome, RunOptions, RunSummary, SigningCredentials, Target, run};

/// One response the loopback server sends.
#[derive(Debug, Clone, Default)]
pub struct Response {
    /// The status (100 to 999; hyper sends what `http` accepts).
    pub status: u16,
    /// Header names and values as bytes; those `http` refuses are left out.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Everything one judging takes: what the bytes decoded to.
#[derive(Debug, Clone, Default)]
pub struct Exchange {
    /// A service model in botocore's JSON format.
    pub model: Value,
    /// A case file.
    pub case: String,
    /// What shape divergences do.
    pub shape: ShapeMode,
    /// A baseline file, if any.
    pub baseline: Option<String>,
    /// The signing secret (redacted from every report), if any.
    pub secret: Option<String>,
    /// Variables of the case (captures among them) whose values are secret.
    pub secrets: Vec<String>,
    /// The responses, in the order of the requests; the last one repeats.
    pub responses: Vec<Response>,
}

/// What a judging came to.
#[derive(Debug)]
pub struct Judged {
    /// The run's results, `None` when the case file or model did not load
    /// (the generator made something the loader refuses, which is fine).
    pub summary: Option<RunSummary>,
}

/// Decodes bytes into an exchange and judges it. Panics when the judge
/// does (a case task that panicked is reported as `(internal)`: that is
/// turned back into a panic, for the fuzzer to see).
pub fn judge(data: &[u8]) -> Judged {
    judge_exchange(&exchange(data))
}

/// Judges an exchange, as [`judge`] does.
pub fn judge_exchange(x: &Exchange) -> Judged {
    let _turn = lock(turn());
    let server = server();
    *lock(&server.canned) = Canned { responses: x.responses.clone(), next: 0 };
    let contract = Model::parse(&x.model).ok().map(|model| {
        let sensitive_members = model.sensitive_members();
        Arc::new(Contract {
            path: "fuzz/contract.toml".into(),
            model,
            common_errors: vec!["ThrottlingException".into()],
            statements: Vec::new(),
            sensitive_members,
            shape: None,
        })
    });
    let Ok(mut cases) = load_bytes(Path::new("fuzz/judge.toml"), x.case.as_bytes(), &LoadOptions::default()) else {
        return Judged { summary: None };
    };
    for c in &mut cases {
        c.contract.clone_from(&contract);
        c.shape = x.shape;
        c.secrets.extend(x.secrets.iter().cloned());
    }
    let baseline =
        x.baseline.as_deref().and_then(|b| Baseline::parse(Path::new("fuzz/baseline.toml"), b).ok()).map(Arc::new);
    let opts = RunOptions {
        jobs: 1,
        timeout: Duration::from_secs(30),
        credentials: x.secret.as_ref().map(|s| SigningCredentials {
            access_key: "AKIDFUZZ".into(),
            secret: s.clone(),
            session_token: None,
        }),
        baseline,
        ..RunOptions::default()
    };
    let target = Target { base_url: server.base.clone(), capabilities: Default::default() };
    let summary = match server.runtime.block_on(run(cases, &target, &opts)) {
        Ok(s) => s,
        Err(e) => panic!("the run did not start: {e}"),
    };
    for r in &summary.cases {
        if r.id == "(internal)" {
            panic!("the judge panicked: {}", r.reason.as_deref().unwrap_or_default());
        }
        assert!(r.outcome != Outcome::Skipped || r.reason.is_some(), "a skipped case without a reason");
    }
    render_reports(&summary);
    Judged { summary: Some(summary) }
}

/// Every report, rendered in memory; `report.json` read back.
fn render_reports(summary: &RunSummary) {
    let input = ReportInput { summary, target: "fuzz", coverage: None };
    let json = report::json::to_json(&input);
    if let Err(e) = report::json::from_json(&json) {
        panic!("report.json does not read back: {e}");
    }
    let _ = report::junit::to_junit(&input);
    let _ = report::markdown::to_markdown(&input);
    let _ = report::html::to_html(&input);
    let style = report::terminal::Style { color: true };
    for r in &summary.cases {
        let _ = report::terminal::case_details(style, r);
    }
}

/// A body judged through every response path: against each of a fixed set
/// of models, expectations and statuses, as JSON and as any bytes, with a
/// signing secret and a secret capture. For replaying a corpus whose inputs
/// are bodies or any bytes (`tests/fixtures/fuzz/*`).
pub fn response_paths(body: &[u8]) -> Vec<Exchange> {
    let text = String::from_utf8_lossy(body);
    let expectations = [
        // Status only, and no expectation at all.
        "expect.status = [200, 400]\n".to_owned(),
        String::new(),
        // Every JSON matcher at the root and below.
        r#"expect.json = { "$type" = "object" }"#.to_owned() + "\n",
        r#"expect.json = { "$not" = { "$gt" = 0 } }"#.to_owned() + "\n",
        r#"expect.json = { "$unordered" = [1, "a", { x = 1 }] }"#.to_owned() + "\n",
        r#"expect.json = { "$each" = { "$len" = { "$lte" = 3 } } }"#.to_owned() + "\n",
        r#"expect.json = { "$key" = "Id", "$items" = [{ Id = "a" }, { Id = "b", "$strict" = false }] }"#.to_owned()
            + "\n",
        r#"expect.json = { "$strict" = false, Items = { "$optional" = [1] }, Id = { "$regex" = "^[a-z]+$" }, Gone = { "$absent" = true } }"#.to_owned() + "\n",
        r#"expect.json = [1]"#.to_owned() + "\n",
        r#"expect.json = { "$one_of" = [1, "x", true, 1.5] }"#.to_owned() + "\n",
        // Error type, headers and text.
        "expect.status = 400\nexpect.error = [\"BadRequestException\", \"Err\"]\n".to_owned(),
        "expect.headers = { content-type = { regex = \"json\" }, x-a = \"b\", etag = { absent = true }, x-p = { present = true } }\n".to_owned(),
        "expect.text = { regex = \"^\\\\{\" }\n".to_owned(),
        format!("expect.text = {}\n", toml_string(&text)),
    ];
    let models = [model_every_kind("rest-json"), model_every_kind("json")];
    let mut out = Vec::new();
    for (i, expect) in expectations.iter().enumerate() {
        for model in &models {
            for status in [200, 400, 500] {
                let json_protocol = model.pointer("/metadata/protocol") == Some(&json!("json"));
                let case = format!(
                    "[[case]]\nname = \"path {i}\"\n[[case.step]]\nmethod = \"POST\"\npath = \"/op\"\n{}\
                     capture = {{ c = {{ from = \"$..Id\", optional = true, list = true }}, s = \"status\" }}\n{expect}",
                    if json_protocol { "headers = { x-amz-target = \"Fuzz.Op\" }\n" } else { "" },
                );
                let content_type = if i % 2 == 0 { "application/json" } else { "application/x-amz-json-1.1" };
                out.push(Exchange {
                    model: model.clone(),
                    case,
                    shape: if i % 3 == 0 { ShapeMode::Warn } else { ShapeMode::Fail },
                    baseline: Some(
                        "[[known]]\ncase = \"judge::path-0\"\nkind = \"shape\"\nreason = \"r\"\n[[known]]\ncase = \"judge::path-2\"\nstep = \"step 1\"\nreason = \"r\"\n".into(),
                    ),
                    secret: Some("Id".into()),
                    secrets: vec!["c".into()],
                    responses: vec![Response {
                        status,
                        headers: vec![
                            ("content-type".into(), content_type.into()),
                            ("x-amzn-errortype".into(), b"Err:http://x".to_vec()),
                        ],
                        body: body.to_vec(),
                    }],
                });
            }
        }
    }
    out
}

/// A model with one shape of every kind below its output and error.
fn model_every_kind(protocol: &str) -> Value {
    json!({
        "metadata": { "protocol": protocol, "targetPrefix": "Fuzz", "jsonVersion": "1.1" },
        "operations": { "Op": {
            "name": "Op", "http": { "method": "POST", "requestUri": "/op", "responseCode": 200 },
            "output": { "shape": "Out" }, "errors": [{ "shape": "Err" }]
        }},
        "shapes": {
            "Out": { "type": "structure", "required": ["Id"], "members": {
                "Id": { "shape": "Id" }, "Items": { "shape": "Items" }, "Tags": { "shape": "Tags" },
                "Kind": { "shape": "Kind" }, "Count": { "shape": "Count" }, "Size": { "shape": "Size" },
                "Ratio": { "shape": "Ratio" }, "Weight": { "shape": "Weight" }, "Data": { "shape": "Data" },
                "On": { "shape": "On" }, "Choice": { "shape": "Choice" }, "Secret": { "shape": "Secret" },
                "Iso": { "shape": "Iso" }, "Epoch": { "shape": "Epoch" }, "Http": { "shape": "Http" },
                "Stamp": { "shape": "Stamp", "timestampFormat": "iso8601" },
                "Wire": { "shape": "Id", "jsonName": "wire" }, "Nested": { "shape": "Out" },
                "Hdr": { "shape": "Id", "location": "header", "locationName": "x-hdr" }
            }},
            "Id": { "type": "string", "min": 1, "max": 64, "pattern": "^[a-zA-Z0-9_-]+$" },
            "Kind": { "type": "string", "enum": ["A", "B"] },
            "Slot": { "type": "string", "pattern": "^([A-Za-z](-|_|.)?)+$" },
            "Secret": { "type": "string", "sensitive": true },
            "Items": { "type": "list", "member": { "shape": "Out" }, "min": 0, "max": 3 },
            "Tags": { "type": "map", "key": { "shape": "Slot" }, "value": { "shape": "Id" }, "min": 1, "max": 5 },
            "Count": { "type": "integer", "min": -5, "max": 2147483647 },
            "Size": { "type": "long", "min": 0 },
            "Ratio": { "type": "float", "min": 0, "max": 1 },
            "Weight": { "type": "double", "min": -1e10, "max": 1e10 },
            "Data": { "type": "blob" },
            "On": { "type": "boolean" },
            "Choice": { "type": "structure", "union": true, "members": { "A": { "shape": "Id" }, "B": { "shape": "Count" } } },
            "Iso": { "type": "timestamp", "timestampFormat": "iso8601" },
            "Epoch": { "type": "timestamp", "timestampFormat": "unixTimestamp" },
            "Http": { "type": "timestamp", "timestampFormat": "rfc822" },
            "Stamp": { "type": "timestamp" },
            "Err": { "type": "structure", "error": { "httpStatusCode": 400 }, "exception": true,
                "members": { "Message": { "shape": "Id" }, "Reason": { "shape": "Kind" } } }
        }
    })
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

// ---------------------------------------------------------------------------
// The loopback server.

struct Canned {
    responses: Vec<Response>,
    next: usize,
}

struct Server {
    runtime: tokio::runtime::Runtime,
    base: reqwest::Url,
    canned: Mutex<Canned>,
}

/// One judging at a time: the server's answers are shared.
fn turn() -> &'static Mutex<()> {
    static TURN: Mutex<()> = Mutex::new(());
    &TURN
}

/// A lock, even if a judging that panicked held it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        // One thread: the server and the run take turns, and the fuzzer
        // sees the same path for the same input.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime for the fuzzing server");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))))
            .expect("a loopback port for the fuzzing server");
        let addr = listener.local_addr().expect("the fuzzing server's address");
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                // Without it, a response written in two parts waits for the
                // client's delayed ACK (40 ms a request on Linux loopback).
                let _ = stream.set_nodelay(true);
                tokio::spawn(async move {
                    let handler =
                        hyper::service::service_fn(|_req| async { Ok::<_, std::convert::Infallible>(answer()) });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), handler)
                        .await;
                });
            }
        });
        let base = reqwest::Url::parse(&format!("http://{addr}")).expect("a loopback URL");
        Server { runtime, base, canned: Mutex::new(Canned { responses: Vec::new(), next: 0 }) }
    })
}

/// The next canned response; the last one repeats.
fn answer() -> hyper::Response<Full<Bytes>> {
    let server = server();
    let mut canned = lock(&server.canned);
    let i = canned.next.min(canned.responses.len().saturating_sub(1));
    canned.next = canned.next.saturating_add(1);
    let r = canned.responses.get(i).cloned().unwrap_or_default();
    drop(canned);
    let mut builder = hyper::Response::builder().status(r.status);
    for (k, v) in &r.headers {
        // Framing is hyper's; a header `http` refuses is left out.
        if ["content-length", "transfer-encoding", "connection"].contains(&k.to_ascii_lowercase().as_str()) {
            continue;
        }
        if let (Ok(k), Ok(v)) = (http::HeaderName::from_bytes(k.as_bytes()), http::HeaderValue::from_bytes(v)) {
            builder = builder.header(k, v);
        }
    }
    builder.body(Full::new(Bytes::from(r.body))).unwrap_or_else(|_| {
        let mut fallback = hyper::Response::new(Full::new(Bytes::new()));
        *fallback.status_mut() = http::StatusCode::OK;
        fallback
    })
}

// ---------------------------------------------------------------------------
// Bytes to an exchange.

/// Decodes bytes into an exchange: every choice is read from them; when
/// they run out, each choice takes its first option.
pub fn exchange(data: &[u8]) -> Exchange {
    let mut g = Gen { u: Unstructured::new(data), shapes: Map::new(), count: 0 };
    g.exchange()
}

const MEMBER_NAMES: &[&str] =
    &["Id", "Name", "Items", "Tags", "Created", "message", "Message", "Count", "Nested", "Arn", "__type", "code"];

const PATTERNS: &[&str] = &[
    "^[a-z]+$",
    "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    ".*\\S.*",
    "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*",
    "^(?!aws:).*",
    "^[a-zA-Z0-9._-]{3,63}$",
    "^([A-Za-z](-|_|.)?)+$",
    "^arn:aws:[a-z]+:[a-z0-9-]*:\\d{12}:.+$",
    "(?<=a)b",
    "\\p{L}+",
];

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-1e40",
    "1e400",
    "-1e400",
    "1.5",
    "-0",
    "0.1",
    "1E2",
    "100000000000000000000000000000",
    "1e-400",
    "3.4028235e38",
];

const STRINGS: &[&str] = &[
    "",
    "a",
    "Id",
    "test",
    "2024-01-01T00:00:00Z",
    "2024-01-01T00:00:00.123456789+01:00",
    "2024-01-01T00:00:0\u{e9}Z",
    "2024-02-30T25:61:61Z",
    "Tue, 29 Apr 2014 18:30:38 GMT",
    "Tue, 29 Apr 2014 18:30:3\u{e9} GMT",
    "1700000000.5",
    "aGVsbG8=",
    "not base64!",
    "\u{e9}\u{1F600}\u{0}",
    "<redacted>",
    "BadRequestException",
    "aws.protocoltests#Err:http://x",
    "{{nothing}}",
];

const TIMESTAMP_FORMATS: &[&str] = &["iso8601", "unixTimestamp", "rfc822", "epoch-seconds", "date-time", ""];

struct Gen<'a> {
    u: Unstructured<'a>,
    shapes: Map<String, Value>,
    count: usize,
}

impl Gen<'_> {
    fn pick<T: Copy>(&mut self, from: &[T]) -> Option<T> {
        let n = from.len();
        if n == 0 {
            return None;
        }
        let i = self.u.choose_index(n).unwrap_or(0);
        from.get(i).copied()
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.u.choose_index(n).unwrap_or(0) }
    }

    fn flip(&mut self) -> bool {
        self.u.arbitrary::<bool>().unwrap_or(false)
    }

    /// True one time in `n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0 && !self.u.is_empty()
    }

    fn text(&mut self) -> String {
        if self.flip() {
            self.pick(STRINGS).unwrap_or_default().to_owned()
        } else {
            let len = self.below(24);
            let bytes = self.u.bytes(len).unwrap_or_default();
            String::from_utf8_lossy(bytes).into_owned()
        }
    }

    /// Text for a case file: `{{` would be a template naming an undefined
    /// variable, which the loader refuses; templates are chosen on purpose.
    fn case_text(&mut self) -> String {
        self.text().replace("{{", "{ {")
    }

    fn number(&mut self) -> Value {
        let text = if self.flip() {
            self.pick(NUMBERS).unwrap_or("0").to_owned()
        } else if self.flip() {
            self.u.arbitrary::<i64>().unwrap_or(0).to_string()
        } else {
            let f = self.u.arbitrary::<f64>().unwrap_or(0.0);
            if f.is_finite() { f.to_string() } else { "0.5".to_owned() }
        };
        serde_json::from_str(&text).unwrap_or(Value::from(0))
    }

    fn exchange(&mut self) -> Exchange {
        let json_protocol = self.flip();
        let model = self.model(json_protocol);
        let output = self.shapes.get("Out").is_some();
        let shape = match self.below(3) {
            0 => ShapeMode::Fail,
            1 => ShapeMode::Warn,
            _ => ShapeMode::Off,
        };
        let steps = 1 + self.below(3);
        let mut responses = Vec::new();
        for _ in 0..steps.max(2) {
            responses.push(self.response(output));
        }
        let case = self.case(json_protocol, steps, &responses);
        let baseline = self.flip().then(|| self.baseline());
        let secret = self.flip().then(|| self.text());
        let secrets = if self.flip() { vec!["a".to_owned(), "l".to_owned()] } else { Vec::new() };
        Exchange { model, case, shape, baseline, secret, secrets, responses }
    }

    // -- the model

    fn model(&mut self, json_protocol: bool) -> Value {
        self.shapes = Map::new();
        self.count = 0;
        let out = self.structure(0, false);
        self.rename(&out, "Out");
        let mut errors = Vec::new();
        for i in 0..self.below(3) {
            let name = format!("Err{i}");
            let e = self.structure(1, false);
            self.rename(&e, &name);
            if let Some(Value::Object(s)) = self.shapes.get_mut(&name) {
                let status = [400, 404, 409, 500][i % 4];
                s.insert("error".into(), json!({ "httpStatusCode": status }));
                s.insert("exception".into(), Value::Bool(true));
            }
            errors.push(json!({ "shape": name }));
        }
        let response_code = [200, 201, 204, 200][self.below(4)];
        let mut op = json!({
            "name": "Op",
            "http": { "method": "POST", "requestUri": "/op", "responseCode": response_code },
            "errors": errors,
        });
        if !self.one_in(8)
            && let Value::Object(o) = &mut op
        {
            o.insert("output".into(), json!({ "shape": "Out" }));
        }
        json!({
            "metadata": {
                "protocol": if json_protocol { "json" } else { "rest-json" },
                "targetPrefix": "Fuzz",
                "jsonVersion": if self.flip() { "1.0" } else { "1.1" },
            },
            "operations": { "Op": op },
            "shapes": Value::Object(std::mem::take(&mut self.shapes)),
        })
    }

    fn rename(&mut self, from: &str, to: &str) {
        if let Some(s) = self.shapes.remove(from) {
            self.shapes.insert(to.to_owned(), s);
        }
        // Members that pointed at it (a structure nested in itself) keep the
        // old name, which the model then lacks: that is a test too.
    }

    fn new_shape(&mut self, shape: Value) -> String {
        self.count += 1;
        let name = format!("S{}", self.count);
        self.shapes.insert(name.clone(), shape);
        name
    }

    fn shape(&mut self, depth: usize) -> String {
        // Reuse a shape now and then (recursion through a name).
        if self.count > 2 && self.one_in(10) {
            let n = 1 + self.below(self.count);
            return format!("S{n}");
        }
        let kinds = if depth >= 4 { 9 } else { 13 };
        match self.below(kinds) {
            0 => self.string(),
            1 => self.integer("integer"),
            2 => self.integer("long"),
            3 => self.float(),
            4 => self.timestamp(),
            5 => self.new_shape(json!({ "type": "blob" })),
            6 => self.new_shape(json!({ "type": "boolean" })),
            7 => self.string(),
            8 => {
                let kind = ["document", "char", "weird"][self.below(3)];
                self.new_shape(json!({ "type": kind }))
            }
            9 => self.structure(depth + 1, false),
            10 => self.structure(depth + 1, true),
            11 => {
                let member = self.shape(depth + 1);
                let mut s = json!({ "type": "list", "member": { "shape": member } });
                self.bounds(&mut s);
                self.new_shape(s)
            }
            _ => {
                let key = self.string();
                let value = self.shape(depth + 1);
                let mut s = json!({ "type": "map", "key": { "shape": key }, "value": { "shape": value } });
                self.bounds(&mut s);
                self.new_shape(s)
            }
        }
    }

    fn bounds(&mut self, s: &mut Value) {
        if let Value::Object(o) = s {
            if self.flip() {
                o.insert("min".into(), Value::from(self.below(4)));
            }
            if self.flip() {
                o.insert("max".into(), Value::from(self.below(6)));
            }
        }
    }

    fn structure(&mut self, depth: usize, union: bool) -> String {
        let mut members = Map::new();
        let mut required = Vec::new();
        for _ in 0..self.below(5) {
            let name = if self.one_in(4) { self.text() } else { self.pick(MEMBER_NAMES).unwrap_or("Id").to_owned() };
            let target = self.shape(depth);
            let mut m = json!({ "shape": target });
            if let Value::Object(o) = &mut m {
                match self.below(8) {
                    0 => {
                        o.insert("jsonName".into(), Value::String(self.text()));
                    }
                    1 => {
                        o.insert("timestampFormat".into(), json!(self.pick(TIMESTAMP_FORMATS)));
                    }
                    2 => {
                        o.insert("location".into(), json!(["header", "statusCode", "headers"][self.below(3)]));
                        o.insert("locationName".into(), json!(["x-a", "x-amzn-requestid", "ETag"][self.below(3)]));
                    }
                    _ => {}
                }
            }
            if self.flip() {
                required.push(Value::String(name.clone()));
            }
            members.insert(name, m);
        }
        let mut s = json!({ "type": "structure", "members": members, "required": required });
        if union && let Value::Object(o) = &mut s {
            o.insert("union".into(), Value::Bool(true));
        }
        self.new_shape(s)
    }

    fn string(&mut self) -> String {
        let mut s = json!({ "type": "string" });
        if let Value::Object(o) = &mut s {
            match self.below(4) {
                0 => {
                    let p = if self.one_in(16) { self.text() } else { self.pick(PATTERNS).unwrap_or("").to_owned() };
                    o.insert("pattern".into(), Value::String(p));
                }
                1 => {
                    let e: Vec<Value> = (0..1 + self.below(3)).map(|_| Value::String(self.text())).collect();
                    o.insert("enum".into(), Value::Array(e));
                }
                _ => {}
            }
            if self.one_in(4) {
                o.insert("sensitive".into(), Value::Bool(true));
            }
        }
        self.bounds(&mut s);
        self.new_shape(s)
    }

    fn integer(&mut self, kind: &str) -> String {
        let mut s = json!({ "type": kind });
        if let Value::Object(o) = &mut s {
            if self.flip() {
                o.insert("min".into(), self.number());
            }
            if self.flip() {
                o.insert("max".into(), self.number());
            }
        }
        self.new_shape(s)
    }

    fn float(&mut self) -> String {
        let kind = if self.flip() { "float" } else { "double" };
        self.integer(kind)
    }

    fn timestamp(&mut self) -> String {
        let mut s = json!({ "type": "timestamp" });
        if self.flip()
            && let Value::Object(o) = &mut s
        {
            o.insert("timestampFormat".into(), json!(self.pick(TIMESTAMP_FORMATS)));
        }
        self.new_shape(s)
    }

    // -- values and responses

    /// A value of a shape, broken one time in eight.
    fn value(&mut self, shape: &str, depth: usize) -> Value {
        if depth > 6 || self.one_in(8) {
            return self.wild(depth);
        }
        let Some(s) = self.shapes.get(shape).cloned() else { return self.wild(depth) };
        let kind = s.get("type").and_then(Value::as_str).unwrap_or_default();
        match kind {
            "structure" => {
                let mut out = Map::new();
                if let Some(Value::Object(members)) = s.get("members") {
                    for (name, m) in members {
                        if self.one_in(4) {
                            continue;
                        }
                        let key = m.get("jsonName").and_then(Value::as_str).unwrap_or(name).to_owned();
                        let target = m.get("shape").and_then(Value::as_str).unwrap_or_default().to_owned();
                        let v = self.value(&target, depth + 1);
                        out.insert(key, v);
                    }
                }
                if self.one_in(6) {
                    let k = self.text();
                    let v = self.wild(depth + 1);
                    out.insert(k, v);
                }
                Value::Object(out)
            }
            "list" => {
                let member = s.pointer("/member/shape").and_then(Value::as_str).unwrap_or_default().to_owned();
                let n = self.below(6);
                Value::Array((0..n).map(|_| self.value(&member, depth + 1)).collect())
            }
            "map" => {
                let value = s.pointer("/value/shape").and_then(Value::as_str).unwrap_or_default().to_owned();
                let mut out = Map::new();
                for _ in 0..self.below(4) {
                    let k = self.text();
                    let v = self.value(&value, depth + 1);
                    out.insert(k, v);
                }
                Value::Object(out)
            }
            "string" => match s.get("enum").and_then(Value::as_array) {
                Some(e) if self.flip() => {
                    let i = self.below(e.len());
                    e.get(i).cloned().unwrap_or_default()
                }
                _ => Value::String(self.text()),
            },
            "timestamp" | "blob" if self.flip() => Value::String(self.pick(STRINGS).unwrap_or_default().to_owned()),
            "integer" | "long" | "float" | "double" | "timestamp" => self.number(),
            "boolean" => Value::Bool(self.flip()),
            _ => self.wild(depth),
        }
    }

    /// Any JSON value.
    fn wild(&mut self, depth: usize) -> Value {
        match self.below(if depth > 6 { 4 } else { 6 }) {
            0 => Value::Null,
            1 => Value::Bool(self.flip()),
            2 => self.number(),
            3 => Value::String(self.text()),
            4 => Value::Array((0..self.below(4)).map(|_| self.wild(depth + 1)).collect()),
            _ => {
                let mut m = Map::new();
                for _ in 0..self.below(4) {
                    let k = self.text();
                    let v = self.wild(depth + 1);
                    m.insert(k, v);
                }
                Value::Object(m)
            }
        }
    }

    fn response(&mut self, has_output: bool) -> Response {
        let status = match self.below(4) {
            0 => self.pick(&[200, 201, 204, 400, 404, 409, 429, 500, 503]).unwrap_or(200),
            1 => self.u.int_in_range(100..=999).unwrap_or(200),
            _ => 200,
        };
        let mut headers = Vec::new();
        match self.below(5) {
            0 => {}
            1 => headers.push(("content-type".into(), b"application/x-amz-json-1.1".to_vec())),
            2 => headers.push(("content-type".into(), self.text().into_bytes())),
            _ => headers.push(("content-type".into(), b"application/json".to_vec())),
        }
        for _ in 0..self.below(4) {
            let name = ["x-amzn-errortype", "x-a", "x-amzn-requestid", "etag", "content-type", "x-hdr", "set-cookie"]
                [self.below(7)];
            let value = self.text().into_bytes();
            headers.push((name.into(), value));
        }
        let body = match self.below(8) {
            0 => {
                let n = self.below(64);
                self.u.bytes(n).unwrap_or_default().to_vec()
            }
            1 => Vec::new(),
            _ => {
                let v = if has_output && self.below(4) != 0 {
                    let name = if status >= 400 && self.flip() { "Err0" } else { "Out" };
                    self.value(name, 0)
                } else {
                    self.wild(0)
                };
                let mut text = serde_json::to_string(&v).unwrap_or_default();
                match self.below(6) {
                    // A member named twice.
                    0 if text.starts_with('{') && text.len() > 2 => text.insert_str(1, "\"Id\":1,"),
                    // Cut short.
                    1 => {
                        let cut = self.below(text.len() + 1);
                        let cut = (0..=cut).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
                        text.truncate(cut);
                    }
                    _ => {}
                }
                text.into_bytes()
            }
        };
        Response { status, headers, body }
    }

    // -- the case

    fn case(&mut self, json_protocol: bool, steps: usize, responses: &[Response]) -> String {
        let mut case = toml::Table::new();
        case.insert("name".into(), "fuzz".into());
        if self.flip() {
            case.insert("strict".into(), self.flip().into());
        }
        let mut list = Vec::new();
        for i in 0..steps {
            let body =
                responses.get(i).and_then(|r| serde_json::from_slice::<Value>(&r.body).ok()).unwrap_or(Value::Null);
            let status = responses.get(i).map_or(200, |r| r.status);
            list.push(toml::Value::Table(self.step(i, json_protocol, status, &body)));
        }
        case.insert("step".into(), toml::Value::Array(list));
        let mut file = toml::Table::new();
        file.insert("case".into(), toml::Value::Array(vec![toml::Value::Table(case)]));
        toml::to_string(&file).unwrap_or_default()
    }

    fn step(&mut self, index: usize, json_protocol: bool, status: u16, body: &Value) -> toml::Table {
        // What a case may expect; a response may send any status.
        let status = if (100..=599).contains(&status) { status } else { 200 };
        let mut step = toml::Table::new();
        step.insert("method".into(), "POST".into());
        step.insert("path".into(), "/op".into());
        if json_protocol {
            let mut h = toml::Table::new();
            h.insert("x-amz-target".into(), "Fuzz.Op".into());
            step.insert("headers".into(), h.into());
        }
        // Later steps may use what the first captured.
        let later = index > 0;
        if later && self.one_in(3) {
            step.insert("for_each".into(), "{{l}}".into());
        }
        let mut expect = toml::Table::new();
        match self.below(4) {
            0 => {}
            1 => {
                expect.insert("status".into(), i64::from(status).into());
            }
            2 => {
                let other = i64::from(self.u.int_in_range(100..=599).unwrap_or(200));
                expect.insert("status".into(), toml::Value::Array(vec![i64::from(status).into(), other.into()]));
            }
            _ => {
                expect.insert("status".into(), 200.into());
            }
        }
        if self.one_in(3) {
            let mut h = toml::Table::new();
            for _ in 0..1 + self.below(3) {
                let name = ["content-type", "x-a", "etag", "x-amzn-requestid"][self.below(4)];
                let v: toml::Value = match self.below(4) {
                    0 => self.case_text().into(),
                    1 => table(&[("regex", self.regex().into())]),
                    2 => table(&[("present", true.into())]),
                    _ => table(&[("absent", true.into())]),
                };
                h.insert(name.into(), v);
            }
            expect.insert("headers".into(), h.into());
        }
        if self.one_in(4) {
            let e: toml::Value = if self.flip() {
                self.case_text().into()
            } else {
                toml::Value::Array(vec!["Err0".into(), self.case_text().into()])
            };
            expect.insert("error".into(), e);
        }
        match self.below(6) {
            0 => {}
            1 => {
                let t: toml::Value =
                    if self.flip() { self.case_text().into() } else { table(&[("regex", self.regex().into())]) };
                expect.insert("text".into(), t);
            }
            _ => {
                let m = self.expect(body, 0, later);
                expect.insert("json".into(), m);
            }
        }
        if self.one_in(4) {
            expect.insert("strict".into(), self.flip().into());
        }
        if self.one_in(4) {
            expect.insert("any_content_type".into(), true.into());
        }
        step.insert("expect".into(), expect.into());
        if index == 0 {
            let mut c = toml::Table::new();
            c.insert("s".into(), "status".into());
            c.insert("h".into(), "header:x-a".into());
            let path = self.json_path(body);
            c.insert("a".into(), table(&[("from", path.into()), ("optional", true.into())]));
            let list_path = if self.flip() { "$..Id".to_owned() } else { self.json_path(body) };
            c.insert(
                "l".into(),
                table(&[("from", list_path.into()), ("optional", true.into()), ("list", true.into())]),
            );
            step.insert("capture".into(), c.into());
        }
        if index == 1 {
            step.insert("if_var".into(), "a".into());
        }
        step
    }

    /// A regex for an expectation (the `regex` crate's syntax, mostly).
    fn regex(&mut self) -> String {
        if self.one_in(8) {
            self.case_text()
        } else {
            let p = self.pick(PATTERNS).unwrap_or("");
            if p.contains("(?") { ".*".to_owned() } else { p.to_owned() }
        }
    }

    /// A JSONPath to some node of the body (or any text).
    fn json_path(&mut self, body: &Value) -> String {
        let mut path = "$".to_owned();
        let mut at = body;
        for _ in 0..4 {
            match at {
                Value::Object(m) if !m.is_empty() => {
                    let i = self.below(m.len());
                    let Some((k, v)) = m.iter().nth(i) else { break };
                    path.push_str(&format!("[{}]", serde_json::to_string(k).unwrap_or_default().replace('"', "'")));
                    at = v;
                }
                Value::Array(a) if !a.is_empty() => {
                    if self.flip() {
                        path.push_str("[*]");
                    } else {
                        path.push_str(&format!("[{}]", self.below(a.len())));
                    }
                    at = a.first().unwrap_or(&Value::Null);
                }
                _ => break,
            }
            if self.one_in(3) {
                break;
            }
        }
        if self.one_in(32) { self.case_text() } else { path }
    }

    /// A JSON expectation for a value: the value itself, or some matcher
    /// that it passes or fails.
    fn expect(&mut self, v: &Value, depth: usize, templates: bool) -> toml::Value {
        if depth > 5 {
            return table(&[("$any", true.into())]);
        }
        match self.below(14) {
            0 | 1 => exact(v),
            2 => table(&[(
                "$type",
                ["string", "number", "integer", "boolean", "array", "object", "null"][self.below(7)].into(),
            )]),
            3 => table(&[("$any", true.into())]),
            4 => {
                let inner = self.expect(v, depth + 1, templates);
                table(&[("$not", inner)])
            }
            5 => {
                let inner = self.expect(v, depth + 1, templates);
                table(&[("$optional", inner)])
            }
            6 => {
                let mut m = toml::Table::new();
                for op in ["$gt", "$gte", "$lt", "$lte"] {
                    if self.flip() {
                        let n =
                            if templates && self.one_in(4) { "{{s}}".to_owned() } else { self.number().to_string() };
                        m.insert(op.into(), n.into());
                    }
                }
                if m.is_empty() {
                    m.insert("$gt".into(), self.number().to_string().into());
                }
                m.into()
            }
            7 => {
                let n = match v {
                    Value::String(s) => s.chars().count(),
                    Value::Array(a) => a.len(),
                    Value::Object(o) => o.len(),
                    _ => self.below(3),
                } as i64;
                match self.below(3) {
                    0 => table(&[("$len", n.into())]),
                    1 => table(&[("$len", table(&[("$lte", n.into())]))]),
                    _ => table(&[(
                        "$len",
                        table(&[("$not", table(&[("$one_of", toml::Value::Array(vec![n.into()]))]))]),
                    )]),
                }
            }
            8 => {
                let other = self.wild(3);
                // `$one_of` takes plain values only.
                let mut options: Vec<toml::Value> = [v, &other].into_iter().filter_map(plain).collect();
                if self.flip() {
                    options.reverse();
                }
                if templates && self.one_in(3) {
                    table(&[("$one_of", "{{l}}".into())])
                } else if options.is_empty() {
                    table(&[("$any", true.into())])
                } else {
                    table(&[("$one_of", toml::Value::Array(options))])
                }
            }
            9 => table(&[("$eq", plain(v).unwrap_or_else(|| exact(v)))]),
            10 => table(&[("$regex", self.regex().into())]),
            11 if templates => ["{{a}}", "{{s}}", "{{h}}", "{{l}}", "{{item}}", "{{index}}"][self.below(6)].into(),
            _ => match v {
                Value::Array(items) => self.expect_array(items, depth, templates),
                Value::Object(members) => {
                    let mut m = toml::Table::new();
                    for (k, item) in members {
                        if self.one_in(4) {
                            continue;
                        }
                        let e = self.expect(item, depth + 1, templates);
                        m.insert(k.clone(), e);
                    }
                    match self.below(5) {
                        0 => {
                            m.insert("$strict".into(), self.flip().into());
                        }
                        1 => {
                            m.insert(self.case_text(), table(&[("$absent", true.into())]));
                        }
                        2 => {
                            let w = self.wild(4);
                            m.insert(self.case_text(), exact(&w));
                        }
                        _ => {}
                    }
                    m.into()
                }
                _ => exact(v),
            },
        }
    }

    fn expect_array(&mut self, items: &[Value], depth: usize, templates: bool) -> toml::Value {
        match self.below(4) {
            0 => {
                let mut e: Vec<toml::Value> = items.iter().map(|i| self.expect(i, depth + 1, templates)).collect();
                if e.len() > 1 && self.flip() {
                    let i = self.below(e.len());
                    e.swap(0, i);
                }
                if self.one_in(4) {
                    let w = self.wild(4);
                    e.push(exact(&w));
                }
                table(&[("$unordered", toml::Value::Array(e))])
            }
            1 => {
                let first = items.first().cloned().unwrap_or(Value::Null);
                let e = self.expect(&first, depth + 1, templates);
                table(&[("$each", e)])
            }
            2 => {
                // Items paired by a member: the first string member of the first object.
                let key = items
                    .iter()
                    .filter_map(Value::as_object)
                    .flat_map(|o| o.iter())
                    .find(|(_, v)| v.is_string())
                    .map_or_else(|| "Id".to_owned(), |(k, _)| k.clone());
                let mut e: Vec<toml::Value> = items.iter().map(|i| self.expect(i, depth + 1, templates)).collect();
                if self.one_in(4)
                    && let Some(first) = e.first().cloned()
                {
                    // The same key twice.
                    e.push(first);
                }
                table(&[("$key", key.into()), ("$items", toml::Value::Array(e))])
            }
            _ => toml::Value::Array(items.iter().map(|i| self.expect(i, depth + 1, templates)).collect()),
        }
    }

    fn baseline(&mut self) -> String {
        let mut s = String::new();
        for _ in 0..1 + self.below(3) {
            s.push_str("[[known]]\ncase = \"judge::fuzz\"\nreason = \"r\"\n");
            if self.flip() {
                s.push_str("step = \"step 1\"\n");
            }
            if self.flip() {
                let kind = ["shape", "json", "status", "header", "capture", "body"][self.below(6)];
                s.push_str(&format!("kind = \"{kind}\"\n"));
            }
            if self.flip() {
                let path = ["$", "$.Id", "$[*]", "", "content-type"][self.below(5)];
                s.push_str(&format!("path = {}\n", toml_string(path)));
            }
        }
        s
    }
}

/// A JSON value as a plain TOML value, if TOML can say it without matchers.
fn plain(v: &Value) -> Option<toml::Value> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some((*b).into()),
        Value::Number(n) => {
            let text = n.to_string();
            text.parse::<i64>()
                .ok()
                .map(toml::Value::from)
                .or_else(|| text.parse::<f64>().ok().filter(|f| f.is_finite()).map(toml::Value::from))
        }
        Value::String(s) => Some(s.replace("{{", "{ {").into()),
        Value::Array(a) => a.iter().map(plain).collect::<Option<Vec<_>>>().map(toml::Value::Array),
        Value::Object(o) => o
            .iter()
            .map(|(k, v)| plain(v).map(|v| (k.clone(), v)))
            .collect::<Option<toml::Table>>()
            .map(toml::Value::Table),
    }
}

fn table(pairs: &[(&str, toml::Value)]) -> toml::Value {
    toml::Value::Table(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
}

/// A JSON value as a TOML expectation of it (exact where TOML can say it).
fn exact(v: &Value) -> toml::Value {
    match v {
        Value::Null => table(&[("$type", "null".into())]),
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => {
            let text = n.to_string();
            if let Ok(i) = text.parse::<i64>() {
                i.into()
            } else if let Ok(f) = text.parse::<f64>()
                && f.is_finite()
            {
                f.into()
            } else {
                // Past what TOML writes: compared as a bound instead.
                table(&[("$gte", text.clone().into()), ("$lte", text.into())])
            }
        }
        Value::String(s) => s.replace("{{", "{ {").into(),
        Value::Array(a) => toml::Value::Array(a.iter().map(exact).collect()),
        Value::Object(o) => {
            let mut m = toml::Table::new();
            for (k, v) in o {
                m.insert(k.clone(), exact(v));
            }
            m.into()
        }
    }
}
