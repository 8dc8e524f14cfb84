//! JSON bodies (rest-json, awsJson 1.0 and 1.1) as the SDKs read them, and
//! their errors.

use http::HeaderMap;
use serde_json::{Map, Value};

use super::{Cx, SdkError, base64_decode, blob_view, timestamp_view};
use crate::contract::ShapeKind;
use crate::matcher::show;

/// The body members of `shape` read from a JSON body, by member name. An
/// empty body is an empty structure; a body that is not JSON is a
/// divergence (and `None`).
pub(super) fn body(cx: &mut Cx<'_>, shape: &str, bytes: &[u8]) -> Option<Map<String, Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Some(Map::new());
    }
    let json = parse(cx, bytes)?;
    match structure(cx, shape, &json, "$") {
        Some(Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// Parses a JSON body; a body that is not JSON (or nests deeper than
/// serde_json's limit of 128) is a divergence.
pub(super) fn parse(cx: &mut Cx<'_>, bytes: &[u8]) -> Option<Value> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => Some(v),
        Err(e) => {
            let excerpt: String = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
            cx.err("$", "a JSON body", excerpt, format!("the body is not JSON: {e}"));
            None
        }
    }
}

/// A JSON value of `shape` as the view holds it; `None` (and a divergence)
/// when it cannot be read as that shape.
pub(super) fn value(cx: &mut Cx<'_>, shape: &str, v: &Value, path: &str) -> Option<Value> {
    let Some(s) = cx.model.shapes.get(shape) else { return Some(v.clone()) };
    if s.document {
        return Some(v.clone());
    }
    if v.is_null() {
        return None;
    }
    let wrong = |cx: &mut Cx<'_>, expected: &str| {
        cx.err(path, expected, show(Some(v)), format!("wrong type for {shape}"));
        None
    };
    match (&s.kind, v) {
        (ShapeKind::Structure { .. }, Value::Object(_)) => structure(cx, shape, v, path),
        (ShapeKind::List { member, .. }, Value::Array(items)) => Some(Value::Array(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match item {
                    Value::Null => Some(Value::Null),
                    item => value(cx, member, item, &format!("{path}[{i}]")),
                })
                .collect(),
        )),
        (ShapeKind::Map { value: target, .. }, Value::Object(entries)) => {
            let mut out = Map::new();
            for (k, item) in entries {
                let read = match item {
                    Value::Null => Some(Value::Null),
                    item => value(cx, target, item, &super::join(path, k)),
                };
                if let Some(read) = read {
                    out.insert(k.clone(), read);
                }
            }
            Some(Value::Object(out))
        }
        (ShapeKind::String { .. }, Value::String(_)) => Some(v.clone()),
        (ShapeKind::Integer { .. }, Value::Number(n)) if crate::matcher::is_integer(n) => Some(v.clone()),
        (ShapeKind::Float, Value::Number(_)) => Some(v.clone()),
        (ShapeKind::Float, Value::String(t)) if matches!(t.as_str(), "NaN" | "Infinity" | "-Infinity") => {
            Some(v.clone())
        }
        (ShapeKind::Boolean, Value::Bool(_)) => Some(v.clone()),
        (ShapeKind::Blob, Value::String(t)) => match base64_decode(t) {
            Some(bytes) => Some(blob_view(bytes)),
            None => {
                cx.err(path, "a base64 string", show(Some(v)), format!("not base64, as the blob {shape} is sent"));
                None
            }
        },
        (ShapeKind::Timestamp { .. }, Value::Number(n)) => match timestamp_view(&n.to_string(), None) {
            Some(t) => Some(t),
            None => wrong(cx, "a timestamp"),
        },
        (ShapeKind::Timestamp { .. }, Value::String(t)) => match timestamp_view(t, None) {
            Some(t) => Some(t),
            None => wrong(cx, "a timestamp"),
        },
        (ShapeKind::Other, _) => Some(v.clone()),
        (ShapeKind::Structure { .. } | ShapeKind::Map { .. }, _) => wrong(cx, "an object"),
        (ShapeKind::List { .. }, _) => wrong(cx, "a list"),
        (ShapeKind::String { .. }, _) => wrong(cx, "a string"),
        (ShapeKind::Integer { .. }, _) => wrong(cx, "an integer"),
        (ShapeKind::Float, _) => wrong(cx, "a number"),
        (ShapeKind::Boolean, _) => wrong(cx, "a boolean"),
        (ShapeKind::Blob, _) => wrong(cx, "a base64 string"),
        (ShapeKind::Timestamp { .. }, _) => wrong(cx, "a timestamp"),
    }
}

/// A JSON object as the body members of a structure: wire keys
/// (`jsonName`, `locationName`) become member names; a key no member has
/// is an undocumented member (the SDKs drop it).
fn structure(cx: &mut Cx<'_>, shape: &str, v: &Value, path: &str) -> Option<Value> {
    let Value::Object(obj) = v else {
        cx.err(path, "an object", show(Some(v)), format!("wrong type for {shape}"));
        return None;
    };
    let Some(ShapeKind::Structure { members, .. }) = cx.model.shapes.get(shape).map(|s| &s.kind) else {
        return Some(v.clone());
    };
    let rest = cx.model.protocol.is_rest();
    let mut out = Map::new();
    for (key, item) in obj {
        let member = members.iter().find(|m| {
            (!rest || m.location.is_none())
                && m.json_name.as_deref().or(if rest { m.location_name.as_deref() } else { None }).unwrap_or(&m.name)
                    == key
        });
        let at = super::join(path, key);
        match member {
            Some(m) => {
                if let Some(read) = value(cx, &m.target, item, &at) {
                    out.insert(m.name.clone(), read);
                }
            }
            None if item.is_null() => {}
            None => cx.err(at, "(absent)", show(Some(item)), format!("member not documented in {shape}")),
        }
    }
    Some(Value::Object(out))
}

/// The error of a JSON response as botocore reads it: the code from
/// `x-amzn-query-error` (awsQueryCompatible), else the body's `__type`
/// (awsJson) or `code`, else (rest-json) the `X-Amzn-ErrorType` header;
/// namespace (`ns#`) and `:`-suffix cut off.
pub(super) fn error(cx: &mut Cx<'_>, status: u16, headers: &HeaderMap, bytes: &[u8]) -> SdkError {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let json = if bytes.iter().all(u8::is_ascii_whitespace) { None } else { parse(cx, bytes) };
    let field = |k: &str| json.as_ref().and_then(|j| j.get(k)).and_then(Value::as_str).map(str::to_owned);
    let query_error = header("x-amzn-query-error")
        .filter(|_| cx.model.metadata.aws_query_compatible)
        .and_then(|q| q.split(';').next().map(str::to_owned));
    let raw = match cx.model.protocol {
        crate::contract::Protocol::Json => field("__type").or_else(|| field("code")),
        _ => header("x-amzn-errortype").or_else(|| field("code")).or_else(|| field("__type")),
    };
    let code = query_error.or_else(|| raw.map(|r| clean_code(&r)));
    if code.is_none() {
        let expected = match cx.model.protocol {
            crate::contract::Protocol::Json => "an error type in the body's `__type`",
            _ => "an error type (`X-Amzn-ErrorType` or the body's `code` or `__type`)",
        };
        cx.err("$", expected, format!("status {status} without one"), "error response without an error type");
    }
    let message = field("message").or_else(|| field("Message")).or_else(|| field("errorMessage"));
    let mut fields = Map::new();
    if let Some(Value::Object(obj)) = &json {
        for (k, v) in obj {
            if !matches!(k.as_str(), "__type" | "code") {
                fields.insert(k.clone(), v.clone());
            }
        }
    }
    SdkError { code, message, shape: None, fields }
}

/// A wire error code as the SDKs report it: `aws.ns#Code:http://...` is `Code`.
pub(crate) fn clean_code(raw: &str) -> String {
    let cut = raw.split(':').next().unwrap_or(raw);
    cut.rsplit('#').next().unwrap_or(cut).trim().to_owned()
}
