//! CBOR bodies (smithy-rpc-v2-cbor) as the SDKs read them, and their errors.

use http::HeaderMap;
use serde_json::{Map, Value};

use super::{Cx, SdkError};

fn not_yet(cx: &mut Cx<'_>) {
    cx.err("$", "a CBOR body conform reads", "(not read)", "CBOR bodies are not read yet");
}

/// The output members of `shape` from a CBOR body.
pub(super) fn body(cx: &mut Cx<'_>, shape: &str, bytes: &[u8]) -> Option<Map<String, Value>> {
    let _ = (shape, bytes);
    not_yet(cx);
    None
}

/// The error of a CBOR response.
pub(super) fn error(cx: &mut Cx<'_>, status: u16, headers: &HeaderMap, bytes: &[u8]) -> SdkError {
    let _ = (status, headers, bytes);
    not_yet(cx);
    SdkError::default()
}
