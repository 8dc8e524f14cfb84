//! Replays the inputs kept from fuzzing (`tests/fixtures/fuzz/<target>/`)
//! through the same code the fuzz targets drive: every input that once
//! crashed, and a few seeds. Each must be handled without a panic.

use std::path::Path;

use conform::case::{LoadOptions, load_bytes};
use conform::double::{AuthMode, DoubleConfig, Service};

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

#[test]
fn kept_loader_inputs_load_or_fail_cleanly() {
    for (name, data) in inputs("load_case") {
        let r = std::panic::catch_unwind(|| load_bytes(Path::new("fuzz.toml"), &data, &LoadOptions::default()));
        assert!(r.is_ok(), "{name} panicked the loader");
    }
}

#[test]
fn kept_requests_get_an_answer_below_500() {
    let service = Service::new(DoubleConfig { auth: AuthMode::Open, ..DoubleConfig::default() });
    for (name, data) in inputs("double_request") {
        let text = String::from_utf8_lossy(&data);
        let mut parts = text.splitn(3, '\n');
        let method = parts.next().unwrap_or("GET");
        let target = parts.next().unwrap_or("/");
        let rest = parts.next().unwrap_or("");
        let (head, body) = rest.split_once("\n\n").unwrap_or((rest, ""));
        let Ok(uri) = format!("/{}", target.trim_start_matches('/')).parse::<http::Uri>() else {
            continue;
        };
        let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
            continue;
        };
        let mut headers = http::HeaderMap::new();
        for line in head.lines() {
            if let Some((k, v)) = line.split_once(':')
                && let (Ok(k), Ok(v)) =
                    (http::HeaderName::from_bytes(k.trim().as_bytes()), http::HeaderValue::from_str(v.trim()))
            {
                headers.append(k, v);
            }
        }
        let reply = service.respond(&method, &uri, &headers, body.as_bytes());
        assert!(reply.status < 500, "{name}: {method} {uri} answered {}", reply.status);
    }
}
