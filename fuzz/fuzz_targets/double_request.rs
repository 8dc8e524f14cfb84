//! Any request to the double (method, path and query, headers, body): it
//! answers without panicking, and never with a 5xx, since no fault rule is
//! ever installed here (requests to the fault control are left out).
#![no_main]

use std::sync::OnceLock;

use conform::double::{AuthMode, DoubleConfig, Service};
use libfuzzer_sys::fuzz_target;

fn service() -> &'static Service {
    static S: OnceLock<Service> = OnceLock::new();
    S.get_or_init(|| Service::new(DoubleConfig { auth: AuthMode::Open, ..DoubleConfig::default() }))
}

fuzz_target!(|data: &[u8]| {
    // Layout: method \n path-and-query \n header lines \n\n body.
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let method = parts.next().unwrap_or("GET");
    let target = parts.next().unwrap_or("/");
    let rest = parts.next().unwrap_or("");
    let (head, body) = rest.split_once("\n\n").unwrap_or((rest, ""));
    let Ok(uri) = format!("/{}", target.trim_start_matches('/')).parse::<http::Uri>() else { return };
    let Ok(method) = http::Method::from_bytes(method.as_bytes()) else { return };
    let mut headers = http::HeaderMap::new();
    for line in head.lines() {
        if let Some((k, v)) = line.split_once(':')
            && let (Ok(k), Ok(v)) =
                (http::HeaderName::from_bytes(k.trim().as_bytes()), http::HeaderValue::from_str(v.trim()))
        {
            headers.append(k, v);
        }
    }
    if uri.path().starts_with("/_localstack") {
        // The fault control may install 5xx rules; skip it so every answer can be judged.
        return;
    }
    let reply = service().respond(&method, &uri, &headers, body.as_bytes());
    assert!(reply.status < 500, "{method} {uri}: {}", reply.status);
});
