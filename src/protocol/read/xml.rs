//! XML bodies (rest-xml, query, ec2) as the SDKs read them, and their errors.

use http::HeaderMap;
use serde_json::Map;

use super::{Cx, SdkError};
use crate::contract::OperationDef;

fn not_yet(cx: &mut Cx<'_>) {
    cx.err("$", "an XML body conform reads", "(not read)", "XML bodies are not read yet");
}

/// The body members of `shape` from a rest-xml body (the root element is
/// the output's, whatever its name).
pub(super) fn body(cx: &mut Cx<'_>, shape: &str, bytes: &[u8]) -> Option<Map<String, serde_json::Value>> {
    let _ = (shape, bytes);
    not_yet(cx);
    None
}

/// A structure payload member of a rest-xml output: the root element.
pub(super) fn payload(cx: &mut Cx<'_>, shape: &str, bytes: &[u8]) -> Option<Map<String, serde_json::Value>> {
    body(cx, shape, bytes)
}

/// The output of a query or ec2 success: `<OpResponse><OpResult>...`
/// (query, under the operation's `resultWrapper`) or `<OpResponse>...` (ec2).
pub(super) fn query_output(cx: &mut Cx<'_>, op: &OperationDef, shape: &str, bytes: &[u8]) -> serde_json::Value {
    let _ = (op, shape, bytes);
    not_yet(cx);
    serde_json::Value::Object(Map::new())
}

/// The error of a rest-xml, query or ec2 response.
pub(super) fn error(cx: &mut Cx<'_>, status: u16, headers: &HeaderMap, bytes: &[u8]) -> SdkError {
    let _ = (status, headers, bytes);
    not_yet(cx);
    SdkError::default()
}
