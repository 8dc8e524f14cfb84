//! Responses as the SDKs read them: the *SDK view*.
//!
//! [`read_response`] turns one HTTP response to one operation into what an
//! AWS SDK hands its caller, whatever the protocol: the output structure by
//! member name (headers, status and payload members included), or the
//! error code and message an SDK reports. What an SDK could not read the
//! way the model says (a body that is not the protocol's format, a number
//! that is not one, an error without a code) is a divergence.
//!
//! The view is JSON, the same on every protocol, so that one expectation
//! (`expect.output`) reads alike on XML, CBOR and JSON services:
//!
//! - a structure is an object keyed by **member name** (not the wire name);
//!   a list an array; a map an object;
//! - strings and enums are strings; integers and floats numbers; a float
//!   the protocol sends as `NaN`, `Infinity` or `-Infinity` is that string;
//! - a timestamp is an ISO 8601 string in UTC, `2014-04-29T18:30:38Z`, with
//!   the fraction it was sent with (`.123Z`), whatever its wire format;
//! - a blob is a string when its bytes are UTF-8 text, else
//!   `{ "base64": "..." }` (the convention of `input`);
//! - a document is its JSON value.
//!
//! Bounded like the rest of the judge: the readers of each format refuse a
//! body nested deeper than [`MAX_DEPTH`] and keep at most
//! [`crate::matcher::MAX_DIVERGENCES`] divergences.

mod cbor;
mod json;
mod judge;
mod rest;
mod xml;

pub use judge::check_sdk_response;

use http::HeaderMap;
use serde_json::{Map, Value};

use crate::contract::{Model, OperationDef, Protocol, ShapeKind};
use crate::matcher::{MAX_DIVERGENCES, Mismatch, MismatchKind};

/// The deepest nesting a reader follows in a body (XML elements, CBOR or
/// JSON containers). botocore's deepest output shapes nest about 20 deep.
pub const MAX_DEPTH: usize = 128;

/// One response as the SDK reads it.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct SdkResponse {
    /// A success: the output structure by member name (an empty object for
    /// an operation without output). `None` for an error.
    pub output: Option<Value>,
    /// An error: its code and message as the SDK reports them.
    pub error: Option<SdkError>,
    /// What the SDK could not read the way the model says, each naming the
    /// wire name and the model name where they differ (kind `shape`).
    pub divergences: Vec<Mismatch>,
}

/// An error response as the SDK reports it.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct SdkError {
    /// The code (botocore's `Error.Code`): the wire code, namespace and
    /// `:`-suffix cut off. `None` when the SDK finds none (it then reports
    /// the HTTP status).
    pub code: Option<String>,
    /// The message, if any.
    pub message: Option<String>,
    /// The model's error shape the code resolves to (by `error.code`, else
    /// by shape name), if the model has one.
    pub shape: Option<String>,
    /// The error shape's members as read, by member name.
    pub fields: Map<String, Value>,
}

/// Reads one response to `operation` as the model's protocol says an SDK
/// reads it.
pub fn read_response(model: &Model, operation: &str, status: u16, headers: &HeaderMap, body: &[u8]) -> SdkResponse {
    let mut cx = Cx::new(model);
    let Some(op) = model.operations.get(operation) else {
        cx.err("", "an operation of the model", operation, "the model has no such operation");
        return cx.finish(None, None);
    };
    if status >= 300 {
        let error = cx.error(op, status, headers, body);
        return cx.finish(None, Some(error));
    }
    let output = match &op.output {
        Some(shape) => cx.output(op, shape, status, headers, body),
        None => Value::Object(Map::new()),
    };
    cx.finish(Some(output), None)
}

/// The state of one read: the model, and the divergences found so far.
pub(crate) struct Cx<'a> {
    pub(crate) model: &'a Model,
    divergences: Vec<Mismatch>,
    unlisted: usize,
}

impl<'a> Cx<'a> {
    fn new(model: &'a Model) -> Cx<'a> {
        Cx { model, divergences: Vec::new(), unlisted: 0 }
    }

    fn finish(mut self, output: Option<Value>, error: Option<SdkError>) -> SdkResponse {
        if self.unlisted > 0 {
            self.divergences.push(Mismatch::new(
                MismatchKind::Shape,
                "$",
                format!("at most {MAX_DIVERGENCES} divergences listed"),
                format!("{} divergences", MAX_DIVERGENCES + self.unlisted),
                format!("and {} more divergences reading the response, not listed", self.unlisted),
            ));
        }
        SdkResponse { output, error, divergences: self.divergences }
    }

    /// Keeps a divergence (kind `shape`) while there is room; counts it past that.
    pub(crate) fn err(
        &mut self,
        path: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
        message: impl Into<String>,
    ) {
        if self.divergences.len() >= MAX_DIVERGENCES {
            self.unlisted += 1;
            return;
        }
        self.divergences.push(Mismatch::new(MismatchKind::Shape, path, expected, actual, message));
    }

    /// The output of a success, by protocol.
    fn output(&mut self, op: &OperationDef, shape: &str, status: u16, headers: &HeaderMap, body: &[u8]) -> Value {
        match self.model.protocol {
            Protocol::RestJson | Protocol::RestXml => rest::output(self, op, shape, status, headers, body),
            Protocol::Json => Value::Object(json::body(self, shape, body).unwrap_or_default()),
            Protocol::Query | Protocol::Ec2 => xml::query_output(self, op, shape, body),
            Protocol::Cbor => Value::Object(cbor::body(self, shape, body).unwrap_or_default()),
        }
    }

    /// The error of a response with a status of 300 or more, by protocol.
    fn error(&mut self, op: &OperationDef, status: u16, headers: &HeaderMap, body: &[u8]) -> SdkError {
        let mut error = match self.model.protocol {
            Protocol::RestJson | Protocol::Json => json::error(self, status, headers, body),
            Protocol::RestXml | Protocol::Query | Protocol::Ec2 => xml::error(self, status, headers, body),
            Protocol::Cbor => cbor::error(self, status, headers, body),
        };
        if error.shape.is_none() {
            error.shape = error.code.as_deref().and_then(|c| self.error_shape(op, c));
        }
        error
    }

    /// The error shape a wire code names: the one whose `error.code` it is,
    /// else the one of that name. The operation's own errors first.
    pub(crate) fn error_shape(&self, op: &OperationDef, code: &str) -> Option<String> {
        let shapes = &self.model.shapes;
        let by_code = |name: &&String| shapes.get(*name).is_some_and(|s| s.error_code.as_deref() == Some(code));
        op.errors
            .iter()
            .find(by_code)
            .or_else(|| shapes.iter().filter(|(_, s)| s.is_error).map(|(n, _)| n).find(by_code))
            .or_else(|| shapes.get_key_value(code).filter(|(_, s)| s.is_error).map(|(n, _)| n))
            .cloned()
    }

    /// A scalar sent as text (a header, an XML element, a query value) as
    /// the view holds it, by the target shape. `ts_default` is the wire's
    /// timestamp format when the model names none.
    pub(crate) fn scalar_from_text(&self, shape: &str, ts_format: Option<&str>, text: &str) -> Result<Value, String> {
        let Some(s) = self.model.shapes.get(shape) else { return Ok(Value::String(text.to_owned())) };
        match &s.kind {
            ShapeKind::String { .. } => Ok(Value::String(text.to_owned())),
            ShapeKind::Integer { .. } => text
                .trim()
                .parse::<i128>()
                .ok()
                .and_then(|i| serde_json::from_str::<serde_json::Number>(&i.to_string()).ok())
                .map(Value::Number)
                .ok_or_else(|| "not an integer".to_owned()),
            ShapeKind::Float => float_from_text(text.trim()).ok_or_else(|| "not a number".to_owned()),
            ShapeKind::Boolean => match text.trim() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err("not a boolean (`true` or `false`)".to_owned()),
            },
            ShapeKind::Timestamp { format } => {
                let format = ts_format.or(format.as_deref());
                timestamp_view(text.trim(), format)
                    .ok_or_else(|| format!("not a timestamp{}", format.map(|f| format!(" ({f})")).unwrap_or_default()))
            }
            ShapeKind::Blob => base64_decode(text.trim()).map(blob_view).ok_or_else(|| "not base64".to_owned()),
            _ => Ok(Value::String(text.to_owned())),
        }
    }
}

/// A JSON path one key further, as the matcher writes it.
pub(crate) fn join(path: &str, key: &str) -> String {
    let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let key = crate::matcher::short_key(key);
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}['{}']", key.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// A float sent as text: a JSON number, or `NaN`, `Infinity`, `-Infinity`.
pub(crate) fn float_from_text(text: &str) -> Option<Value> {
    match text {
        "NaN" | "Infinity" | "-Infinity" => Some(Value::String(text.to_owned())),
        _ => serde_json::from_str::<serde_json::Number>(text).ok().map(Value::Number),
    }
}

/// A timestamp as the view holds it: ISO 8601 in UTC. Read from epoch
/// seconds, ISO 8601 (any offset) or an HTTP date, as the SDKs' parsers
/// accept any of them wherever the model does not insist.
pub(crate) fn timestamp_view(text: &str, _format: Option<&str>) -> Option<Value> {
    let (secs, nanos) = crate::contract::timestamp::parse_any(text)?;
    Some(Value::String(iso_utc(secs, nanos)))
}

/// Epoch seconds as the view's ISO 8601 text.
pub(crate) fn iso_utc(secs: i64, nanos: u32) -> String {
    let (y, mo, d) = crate::civil::civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    let (h, mi, s) = (t / 3600, t % 3600 / 60, t % 60);
    let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Bytes as the view holds a blob: text when they are UTF-8, else base64.
pub(crate) fn blob_view(bytes: Vec<u8>) -> Value {
    match String::from_utf8(bytes) {
        Ok(text) => Value::String(text),
        Err(e) => {
            let mut o = Map::new();
            o.insert("base64".to_owned(), Value::String(base64_encode(e.as_bytes())));
            Value::Object(o)
        }
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64, padded.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 as the SDKs decode a blob: padded or not, whitespace
/// ignored. `None` if it is not base64.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits, mut pad) = (0u32, 0u32, 0usize);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            pad += 1;
            continue;
        }
        if pad > 0 {
            return None;
        }
        let v = B64.iter().position(|b| *b == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (pad <= 2 && bits < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_refuses_what_is_not() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar", &[0xff, 0x00, 0x80]] {
            let text = base64_encode(bytes);
            assert_eq!(base64_decode(&text).as_deref(), Some(bytes), "{text}");
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_decode("Zm9vYg").as_deref(), Some(&b"foob"[..]));
        assert_eq!(base64_decode("Zm9v\nYmFy").as_deref(), Some(&b"foobar"[..]));
        assert!(base64_decode("Zm9v!").is_none());
        assert!(base64_decode("Zm=9v").is_none());
    }

    #[test]
    fn timestamps_read_from_any_wire_format_become_iso_utc() {
        for (text, want) in [
            ("1398796238", "2014-04-29T18:30:38Z"),
            ("1398796238.123", "2014-04-29T18:30:38.123Z"),
            ("2014-04-29T18:30:38Z", "2014-04-29T18:30:38Z"),
            ("2014-04-29T20:30:38+02:00", "2014-04-29T18:30:38Z"),
            ("Tue, 29 Apr 2014 18:30:38 GMT", "2014-04-29T18:30:38Z"),
        ] {
            assert_eq!(timestamp_view(text, None), Some(Value::String(want.to_owned())), "{text}");
        }
        assert_eq!(timestamp_view("yesterday", None), None);
    }

    #[test]
    fn blobs_are_text_when_they_can_be() {
        assert_eq!(blob_view(b"hi".to_vec()), Value::String("hi".into()));
        assert_eq!(blob_view(vec![0xff]), serde_json::json!({"base64": "/w=="}));
    }
}
