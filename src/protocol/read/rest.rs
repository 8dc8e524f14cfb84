//! The HTTP bindings of rest-json and rest-xml outputs: header, prefix
//! header, status code and payload members, around the body members that
//! the protocol's body reader reads.

use http::HeaderMap;
use serde_json::{Map, Value};

use super::{Cx, blob_view, json};
use crate::contract::{Member, OperationDef, Protocol, ShapeKind};

/// The output of a rest-json or rest-xml success.
pub(super) fn output(
    cx: &mut Cx<'_>,
    op: &OperationDef,
    shape: &str,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Value {
    let _ = op;
    let model = cx.model;
    let Some(s) = model.shapes.get(shape) else { return Value::Object(Map::new()) };
    let ShapeKind::Structure { members, .. } = &s.kind else { return Value::Object(Map::new()) };
    let mut out = Map::new();
    let payload = s.payload.as_deref();
    for m in members {
        match m.location.as_deref() {
            Some("header") => {
                if let Some(v) = header_member(cx, m, headers) {
                    out.insert(m.name.clone(), v);
                }
            }
            Some("headers") => {
                let prefix = m.location_name.as_deref().unwrap_or("").to_ascii_lowercase();
                let mut map = Map::new();
                for (name, value) in headers {
                    if let Some(rest) = name.as_str().strip_prefix(prefix.as_str())
                        && let Ok(text) = value.to_str()
                    {
                        map.insert(rest.to_owned(), Value::String(text.to_owned()));
                    }
                }
                if !map.is_empty() {
                    out.insert(m.name.clone(), Value::Object(map));
                }
            }
            Some("statusCode") => {
                out.insert(m.name.clone(), Value::from(status));
            }
            _ if payload == Some(m.name.as_str()) => {
                if let Some(v) = payload_member(cx, m, body) {
                    out.insert(m.name.clone(), v);
                }
            }
            _ => {}
        }
    }
    if payload.is_none() {
        let read = match model.protocol {
            Protocol::RestXml => super::xml::body(cx, shape, body),
            _ => json::body(cx, shape, body),
        };
        out.extend(read.unwrap_or_default());
    }
    Value::Object(out)
}

/// A payload member: the whole body, as bytes (blob), text (string) or a
/// document of the protocol's format (structure, union, document).
fn payload_member(cx: &mut Cx<'_>, m: &Member, body: &[u8]) -> Option<Value> {
    let target = cx.model.shapes.get(&m.target)?;
    match &target.kind {
        ShapeKind::Blob => Some(blob_view(body.to_vec())),
        ShapeKind::String { .. } => match std::str::from_utf8(body) {
            Ok(text) => Some(Value::String(text.to_owned())),
            Err(_) => {
                cx.err("$", "UTF-8 text", "bytes that are not", format!("the payload {} is a string", m.name));
                None
            }
        },
        _ if body.iter().all(u8::is_ascii_whitespace) => None,
        _ if target.document => json::parse(cx, body),
        _ => match cx.model.protocol {
            Protocol::RestXml => super::xml::payload(cx, &m.target, body).map(Value::Object),
            _ => json::parse(cx, body).and_then(|v| json::value(cx, &m.target, &v, "$")),
        },
    }
}

/// A header member: a scalar, a list (comma-separated), or a `jsonvalue`
/// (base64 of a JSON text).
fn header_member(cx: &mut Cx<'_>, m: &Member, headers: &HeaderMap) -> Option<Value> {
    let wire = m.location_name.as_deref().unwrap_or(&m.name);
    let values: Vec<&str> = headers.get_all(wire).iter().filter_map(|v| v.to_str().ok()).collect();
    if values.is_empty() {
        return None;
    }
    let text = values.join(", ");
    let at = format!("header {wire} ({})", m.name);
    if m.json_value {
        let parsed = super::base64_decode(text.trim()).and_then(|b| serde_json::from_slice::<Value>(&b).ok());
        if parsed.is_none() {
            cx.err(at, "base64 of a JSON text", text.clone(), format!("{} is a JSON value header", m.name));
        }
        return parsed;
    }
    let target = cx.model.shapes.get(&m.target)?;
    let read = match &target.kind {
        ShapeKind::List { member, .. } => {
            let is_timestamp =
                matches!(cx.model.shapes.get(member).map(|s| &s.kind), Some(ShapeKind::Timestamp { .. }));
            let items = split_header_list(&text, is_timestamp);
            items
                .iter()
                .map(|item| cx.scalar_from_text(member, Some("rfc822"), item))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        _ => cx.scalar_from_text(&m.target, m.timestamp_format.as_deref().or(Some("rfc822")), &text),
    };
    match read {
        Ok(v) => Some(v),
        Err(why) => {
            cx.err(at, format!("a value of {}", m.target), text, format!("header {wire}: {why}"));
            None
        }
    }
}

/// The items of a list header: split on commas outside double quotes
/// (quotes removed); HTTP dates, which hold a comma, split every second comma.
fn split_header_list(text: &str, http_dates: bool) -> Vec<String> {
    if http_dates && text.contains("GMT") {
        let parts: Vec<&str> = text.split(',').collect();
        return parts.chunks(2).map(|c| c.join(",").trim().to_owned()).collect();
    }
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => cur.extend(chars.next()),
            ',' if !quoted => items.push(std::mem::take(&mut cur).trim().to_owned()),
            c => cur.push(c),
        }
    }
    items.push(cur.trim().to_owned());
    items
}
