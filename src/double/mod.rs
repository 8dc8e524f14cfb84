//! The built-in double of the documented Chime API: a real HTTP server on
//! loopback with in-memory state. `conform run` and the tests start it in
//! process on wiremock-rs ([`Double`]); `conform serve` fronts the same
//! [`Service`] with a bare hyper server.
//!
//! Operations: `CreateAccount`, `GetAccount`, `DeleteAccount`,
//! `CreateUser`, `GetUser`, `ListUsers` and `BatchUpdateUser`, with the
//! routes, statuses, shapes and errors of the service model. Requests are
//! authenticated per [`AuthMode`]; faults are injected through the control
//! endpoint `/_localstack/chaos/faults` (LocalStack's rule shape). This module is the only one that uses wiremock.

mod auth;
mod clock;
mod faults;
// Without the `mutants` feature the deviations are never built: the type
// stays so that the checks for them compile away.
#[cfg_attr(not(feature = "mutants"), expect(dead_code, reason = "mutants are built only by the tests"))]
mod mutants;
mod reply;
mod routes;
mod server;
mod service;

use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use serde_json::Value;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub use auth::{AuthMode, Credential};
pub(crate) use faults::FAULTS_PATH;
// The deliberate deviations exist for the tests (feature `mutants`); the
// shipped build has the type only to compile the checks away.
#[cfg(feature = "mutants")]
pub use mutants::Mutant;
#[cfg(not(feature = "mutants"))]
pub(crate) use mutants::Mutant;
pub use reply::Reply;
use reply::{ApiError, Exception};
use routes::{NoRoute, Operation, route};
pub(crate) use server::{Limits, ShutdownSignals, serve};

use faults::Faults;
use http::HeaderValue;
use service::State;

/// Request bodies larger than this are refused with 400 (they are still
/// read by the HTTP layer first).
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// Behaviour where the documentation is silent. The default is one
/// reasonable choice; a conforming implementation may make any other, and
/// the suite must accept all of them.
#[derive(Debug, Clone)]
pub struct Quirks {
    /// Word error messages differently.
    pub other_wording: bool,
    /// List `UserErrors` in reverse request order.
    pub reverse_user_errors: bool,
    /// Add a `:namespace` suffix to `x-amzn-ErrorType`.
    pub error_type_suffix: bool,
    /// Send extra response headers.
    pub extra_headers: bool,
    /// Pretty-print JSON with keys in reverse order.
    pub reformat_json: bool,
    /// The license of a new user.
    pub default_license: String,
    /// Ids as 32 hex digits instead of UUIDs.
    pub hex_ids: bool,
    /// For an invalid request to a missing account, answer 404 rather than 400.
    pub not_found_first: bool,
    /// Apply `UserType` changes in `BatchUpdateUser`.
    pub apply_user_type: bool,
    /// A deliberate deviation from the documentation, to prove that a
    /// suite fails against it (the `mutants` feature, for tests only).
    #[cfg(feature = "mutants")]
    pub mutant: Option<Mutant>,
}

impl Default for Quirks {
    fn default() -> Self {
        Quirks {
            other_wording: false,
            reverse_user_errors: false,
            error_type_suffix: false,
            extra_headers: false,
            reformat_json: false,
            default_license: "Pro".into(),
            hex_ids: false,
            not_found_first: false,
            apply_user_type: false,
            #[cfg(feature = "mutants")]
            mutant: None,
        }
    }
}

impl Quirks {
    /// The deliberate deviation switched on, if any.
    #[cfg(feature = "mutants")]
    pub(crate) fn mutant(&self) -> Option<Mutant> {
        self.mutant
    }

    /// Without the `mutants` feature, never one: the deviations compile away.
    #[cfg(not(feature = "mutants"))]
    pub(crate) fn mutant(&self) -> Option<Mutant> {
        None
    }

    /// The other choice in every dimension where the reference is silent.
    pub fn all_other_choices() -> Quirks {
        Quirks {
            other_wording: true,
            reverse_user_errors: true,
            error_type_suffix: true,
            extra_headers: true,
            reformat_json: true,
            default_license: "Basic".into(),
            hex_ids: true,
            not_found_first: true,
            apply_user_type: true,
            #[cfg(feature = "mutants")]
            mutant: None,
        }
    }
}

/// How to start the double.
#[derive(Debug, Clone)]
pub struct DoubleConfig {
    /// Authentication mode.
    pub auth: AuthMode,
    /// Region the double signs for.
    pub region: String,
    /// Signing name.
    pub service: String,
    /// Choices where the documentation is silent.
    pub quirks: Quirks,
}

impl Default for DoubleConfig {
    fn default() -> Self {
        DoubleConfig {
            auth: AuthMode::default(),
            region: "us-east-1".into(),
            service: "chime".into(),
            quirks: Quirks::default(),
        }
    }
}

/// A running double. Dropping it stops the server.
pub struct Double {
    server: MockServer,
}

impl Double {
    /// Starts the double on `listener` (bind port 0 for a free one).
    pub async fn start(config: DoubleConfig, listener: TcpListener) -> Double {
        let server = MockServer::builder().listener(listener).disable_request_recording().start().await;
        let handler = Handler { service: Service::new(config) };
        Mock::given(wiremock::matchers::any()).respond_with(handler).named("conform double").mount(&server).await;
        Double { server }
    }

    /// Starts the double on a free loopback port.
    pub async fn start_local(config: DoubleConfig) -> std::io::Result<Double> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        Ok(Double::start(config, listener).await)
    }

    /// The base URL, like `http://127.0.0.1:PORT`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }
}

struct Inner {
    config: DoubleConfig,
    state: Mutex<State>,
    faults: Mutex<Faults>,
}

/// The double's behaviour without the HTTP server: a request in, a reply
/// out. [`Double`] serves it over wiremock; tests and fuzzers call it directly.
#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

impl Service {
    /// The choices this service makes where the documentation is silent.
    pub fn quirks(&self) -> &Quirks {
        &self.inner.config.quirks
    }

    /// A fresh service with no accounts and no fault rules.
    pub fn new(config: DoubleConfig) -> Service {
        Service { inner: Arc::new(Inner { config, state: Mutex::default(), faults: Mutex::default() }) }
    }

    /// Answers one request (`uri` in origin or absolute form: only its
    /// path and query are read). Never panics, whatever the input.
    pub fn respond(&self, method: &http::Method, uri: &http::Uri, headers: &http::HeaderMap, body: &[u8]) -> Reply {
        let quirks = &self.inner.config.quirks;
        let target = uri.path_and_query().map_or("/", |p| p.as_str());
        let Ok(url) = reqwest::Url::parse(&format!("http://localhost{target}")) else {
            return Reply::error(&ApiError::bad_request("the request target is not a valid path"), quirks);
        };
        self.handle(method.as_str(), &url, headers, body).unwrap_or_else(|e| Reply::error(&e, quirks))
    }
}

#[derive(Clone)]
struct Handler {
    service: Service,
}

/// A poisoned lock still holds consistent state here: every update is
/// applied whole under one lock, so recover rather than fail every request.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Respond for Handler {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let quirks = &self.service.inner.config.quirks;
        let reply = match req.url.as_str().parse::<http::Uri>() {
            Ok(uri) => self.service.respond(&req.method, &uri, &req.headers, &req.body),
            Err(_) => Reply::error(&ApiError::bad_request("the request target is not a valid path"), quirks),
        };
        render(reply, quirks)
    }
}

impl Service {
    fn handle(
        &self,
        method: &str,
        url: &reqwest::Url,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<Reply, ApiError> {
        let cfg = &self.inner.config;
        let path = url.path();
        let query = url.query();
        if path == FAULTS_PATH {
            // Parsed and checked before the lock, rendered after it: the
            // lock is held only for the edit itself.
            let applied = faults::Edit::parse(method, body).and_then(|edit| lock(&self.inner.faults).apply(edit));
            return Ok(applied.map_or_else(|reply| reply, |rules| faults::rules_reply(&rules)));
        }
        if body.len() > MAX_REQUEST_BODY {
            return Err(ApiError::bad_request(format!("the request body is larger than {MAX_REQUEST_BODY} bytes")));
        }
        let mutant = cfg.quirks.mutant();
        let routed = route(method, path, query);
        let routed = match routed {
            // The mutant routes as if the `operation` parameter were not there.
            Ok(Operation::CreateUser(_)) | Err(NoRoute::UnsupportedOperation(_))
                if mutant == Some(Mutant::BodyDecidesOperation)
                    && String::from_utf8_lossy(body).contains("UpdateUserRequestItems") =>
            {
                route(method, path, None)
            }
            other => other,
        };
        let op = match routed {
            Ok(op) => op,
            Err(NoRoute::UnsupportedOperation(o)) => {
                return Err(ApiError::bad_request(format!("operation `{o}` is not supported on {method} {path}")));
            }
            Err(NoRoute::Unknown) => {
                let mut r =
                    Reply::json(404, serde_json::json!({"Message": format!("no operation for {method} {path}")}));
                r.headers.push(("x-amzn-ErrorType".into(), "UnknownOperationException".into()));
                return Ok(r);
            }
        };
        let path_and_query = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        };
        let scope = auth::Scope { region: cfg.region.clone(), service: cfg.service.clone() };
        let auth_mode = match (&cfg.auth, mutant) {
            (_, Some(Mutant::UnsignedAccepted)) => AuthMode::Open,
            (AuthMode::Verify(_), Some(Mutant::SignatureNotVerified)) => AuthMode::RequireSigV4,
            (mode, _) => mode.clone(),
        };
        let region = auth::authenticate(&auth_mode, &scope, method, &path_and_query, headers, body, SystemTime::now())?;
        let roll = (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64;
        let region = region.unwrap_or_else(|| cfg.region.clone());
        if let Some(mut fault) = lock(&self.inner.faults).inject(&cfg.service, &region, op.name(), roll) {
            match mutant {
                Some(Mutant::FaultsNotInjected) => {}
                Some(Mutant::FaultsAlways500) => {
                    fault.status = 500;
                    fault.error_type = Exception::ServiceFailure.name().into();
                    fault.code = Exception::ServiceFailure.code().into();
                    return Ok(fault.reply());
                }
                _ => return Ok(fault.reply()),
            }
        }
        let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        lock(&self.inner.state).handle(&op, body, &pairs, &cfg.quirks)
    }
}

fn render(reply: Reply, quirks: &Quirks) -> ResponseTemplate {
    let (status, headers, body) = rendered(reply, quirks);
    let mut t = ResponseTemplate::new(status);
    for (k, v) in &headers {
        // `rendered` keeps only valid values; wiremock panics on others.
        if let Ok(v) = HeaderValue::from_str(v) {
            t = t.insert_header(k.as_str(), v);
        }
    }
    if body.is_empty() { t } else { t.set_body_bytes(body) }
}

/// A reply as it goes on the wire, for both front ends: status, headers
/// (request id, content type, quirks) and body bytes.
fn rendered(reply: Reply, quirks: &Quirks) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut headers = vec![("x-amzn-RequestId".to_owned(), uuid::Uuid::new_v4().to_string())];
    if quirks.extra_headers {
        headers.push(("x-amz-apigw-id".into(), "conform-double".into()));
        headers.push(("cache-control".into(), "no-store".into()));
    }
    // Every value is checked where it enters (fault codes in `faults`); a
    // value that is still not a valid header is dropped rather than
    // allowed to turn the whole response into an error or a panic.
    headers.extend(reply.headers.into_iter().filter(|(_, v)| HeaderValue::from_str(v).is_ok()));
    let body = match reply.body {
        Some(v) => {
            let mime = if quirks.mutant() == Some(Mutant::TextContentType) && reply.status < 300 {
                "text/plain"
            } else {
                "application/json"
            };
            headers.push(("content-type".into(), mime.into()));
            if quirks.reformat_json { reformat(&v, 0) } else { v.to_string() }.into_bytes()
        }
        None => Vec::new(),
    };
    (reply.status, headers, body)
}

/// Pretty JSON with object keys in reverse order: same data, other bytes.
fn reformat(v: &Value, depth: usize) -> String {
    let pad = "  ".repeat(depth + 1);
    let end = "  ".repeat(depth);
    match v {
        Value::Object(m) if !m.is_empty() => {
            let items: Vec<String> = m
                .iter()
                .rev()
                .map(|(k, v)| format!("{pad}{} : {}", Value::String(k.clone()), reformat(v, depth + 1)))
                .collect();
            format!("{{\n{}\n{end}}}", items.join(",\n"))
        }
        Value::Array(a) if !a.is_empty() => {
            let items: Vec<String> = a.iter().map(|v| format!("{pad}{}", reformat(v, depth + 1))).collect();
            format!("[\n{}\n{end}]", items.join(",\n"))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_value_that_is_not_valid_is_dropped_never_a_panic() {
        let mut reply = Reply::json(500, serde_json::json!({}));
        reply.headers.push(("x-amzn-ErrorType".into(), "Bad\nCode".into()));
        let (_, headers, _) = rendered(reply.clone(), &Quirks::default());
        assert!(headers.iter().all(|(k, _)| k != "x-amzn-ErrorType"), "{headers:?}");
        // The wiremock front end, which panics on such a value, renders it too.
        let _ = render(reply, &Quirks::default());
    }

    #[test]
    fn a_fault_code_with_a_newline_is_400_in_process_too() {
        let service = Service::new(DoubleConfig { auth: AuthMode::Open, ..DoubleConfig::default() });
        let uri = |p: &str| p.parse::<http::Uri>().expect("a valid URI");
        let headers = http::HeaderMap::new();
        let body = br#"[{"error":{"statusCode":500,"code":"Bad\nCode"}}]"#;
        assert_eq!(service.respond(&http::Method::POST, &uri(FAULTS_PATH), &headers, body).status, 400);
        let r = service.respond(&http::Method::GET, &uri("/accounts/none"), &headers, b"");
        assert_eq!(r.status, 404);
        let _ = render(r, service.quirks());
    }
}
