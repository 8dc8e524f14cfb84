//! A vendor's own conformance tests: start the implementation (here a
//! small in-memory notes service) in this process, point the suite at it,
//! and run one `cargo test`-style trial per case.
//!
//! `cargo run --example vendor` runs it; `-- --list`, filters and the other
//! libtest flags work as in `cargo test`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use conform::harness::Conformance;
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers::any};

fn main() -> std::process::ExitCode {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let server = rt.block_on(notes_service());
    Conformance::suite(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/notes")).endpoint(server.uri()).run()
}

/// The implementation under test: POST /notes, GET /notes/{id}.
async fn notes_service() -> MockServer {
    let notes: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let server = MockServer::start().await;
    let respond = move |req: &Request| {
        let mut notes = notes.lock().unwrap_or_else(|e| e.into_inner());
        let path = req.url.path().to_owned();
        match (req.method.as_str(), path.strip_prefix("/notes")) {
            ("POST", Some("")) => {
                let body: serde_json::Value = req.body_json().unwrap_or_default();
                let text = body["text"].as_str().unwrap_or_default().to_owned();
                let id = format!("n{}", notes.len() + 1);
                notes.insert(id.clone(), text.clone());
                ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": id, "text": text}))
            }
            ("GET", Some(rest)) => match notes.get(rest.trim_start_matches('/')) {
                Some(text) => ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"id": rest.trim_start_matches('/'), "text": text})),
                None => ResponseTemplate::new(404).set_body_json(serde_json::json!({"error": "not found"})),
            },
            _ => ResponseTemplate::new(405),
        }
    };
    Mock::given(any()).respond_with(respond).mount(&server).await;
    server
}
