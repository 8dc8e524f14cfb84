//! Shape checks: every response of a documented operation is held against
//! the documented shape for its status, whether or not the case asks.
//! Divergences are [`Mismatch`]es of kind `shape`.

use http::HeaderMap;
use serde_json::Value;

use super::model::{Model, Protocol, ShapeKind};
use super::{Contract, timestamp};
use crate::matcher::{Body, Mismatch, MismatchKind, aws_error_type, join_key, show};

/// A noun with its indefinite article, as a person would write it:
/// `an ErrorCode`, `a UserId`, `an iso8601 timestamp`, `a Uuid`.
pub fn with_article(noun: &str) -> String {
    let lower = noun.to_ascii_lowercase();
    // Vowel letters that sound like a consonant ("you", "one") take `a`.
    let consonant_sound = ["uni", "use", "usu", "uu", "uri", "eu", "one"].iter().any(|p| lower.starts_with(p));
    let vowel = lower.starts_with(['a', 'e', 'i', 'o', 'u']) && !consonant_sound;
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

/// A range in words: `1 to 64 characters`, `at least 1 item`, `at most 20 items`.
fn bounds<T: std::fmt::Display + Copy>(min: Option<T>, max: Option<T>, unit: &str) -> String {
    let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
    match (min, max) {
        (Some(a), Some(b)) => format!("{a} to {b}{unit}"),
        (Some(a), None) => format!("at least {a}{unit}"),
        (None, Some(b)) => format!("at most {b}{unit}"),
        (None, None) => format!("any number of{unit}"),
    }
}

fn shape_err(
    path: impl Into<String>,
    expected: impl Into<String>,
    actual: impl Into<String>,
    message: impl Into<String>,
) -> Mismatch {
    Mismatch::new(MismatchKind::Shape, path, expected, actual, message)
}

fn check_timestamp(format: Option<&str>, v: &Value, path: &str, shape: &str, out: &mut Vec<Mismatch>) {
    if !timestamp::is_valid(format, v) {
        out.push(shape_err(
            path,
            with_article(&format!("{} timestamp", timestamp::format_name(format))),
            show(Some(v)),
            format!("not a valid timestamp for {shape}"),
        ));
    }
}

/// Checks a value against a shape; appends divergences.
///
/// Long on purpose: one arm per shape kind with its constraints (length,
/// pattern, range, enum, members, list and map bounds), read as a table.
pub fn check_value(model: &Model, shape: &str, v: &Value, path: &str, out: &mut Vec<Mismatch>) {
    let Some(s) = model.shapes.get(shape) else { return };
    match (&s.kind, v) {
        (ShapeKind::Structure { members, required }, Value::Object(obj)) => {
            for m in members.iter().filter(|m| m.location.is_none()) {
                match obj.get(m.key()) {
                    None | Some(Value::Null) => {
                        if required.contains(&m.name) {
                            out.push(shape_err(
                                join_key(path, m.key()),
                                with_article(&m.target),
                                "(absent)",
                                "required member missing",
                            ));
                        }
                    }
                    Some(value) => match (&m.timestamp_format, model.shapes.get(&m.target).map(|t| &t.kind)) {
                        (Some(format), Some(ShapeKind::Timestamp { .. })) => {
                            check_timestamp(Some(format), value, &join_key(path, m.key()), &m.target, out)
                        }
                        _ => check_value(model, &m.target, value, &join_key(path, m.key()), out),
                    },
                }
            }
            for (k, value) in obj {
                if !members.iter().any(|m| m.location.is_none() && m.key() == k) {
                    out.push(shape_err(
                        join_key(path, k),
                        "(absent)",
                        show(Some(value)),
                        format!("member not documented in {shape}"),
                    ));
                }
            }
        }
        (ShapeKind::List { member, min, max }, Value::Array(items)) => {
            let n = items.len() as u64;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                out.push(shape_err(
                    path,
                    bounds(*min, *max, "items"),
                    format!("{n} items"),
                    format!("length outside {shape}"),
                ));
            }
            for (i, item) in items.iter().enumerate() {
                check_value(model, member, item, &format!("{path}[{i}]"), out);
            }
        }
        (ShapeKind::Map { value, min, max }, Value::Object(obj)) => {
            let n = obj.len() as u64;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                out.push(shape_err(
                    path,
                    bounds(*min, *max, "entries"),
                    format!("{n} entries"),
                    format!("size outside {shape}"),
                ));
            }
            for (k, item) in obj {
                check_value(model, value, item, &join_key(path, k), out);
            }
        }
        (ShapeKind::String { enumeration, pattern, min, max }, Value::String(text)) => {
            if let Some(allowed) = enumeration
                && !allowed.iter().any(|a| a == text)
            {
                out.push(shape_err(
                    path,
                    format!("one of {}", allowed.join(", ")),
                    show(Some(v)),
                    format!("value outside the enum {shape}"),
                ));
            }
            if let Some(p) = pattern
                && !p.is_match(text)
            {
                out.push(shape_err(
                    path,
                    format!("/{}/", p.as_str()),
                    show(Some(v)),
                    format!("value does not match the pattern of {shape}"),
                ));
            }
            let n = text.chars().count() as u64;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                out.push(shape_err(
                    path,
                    bounds(*min, *max, "characters"),
                    format!("{n} characters"),
                    format!("length outside {shape}"),
                ));
            }
        }
        (ShapeKind::Integer { min, max }, Value::Number(n)) if crate::matcher::is_integer(n) => {
            // Beyond i128 is beyond any bound a model writes (and any `long`).
            let x = n.to_string().parse::<i128>().unwrap_or(i128::MAX);
            let (lo, hi) = (min.map(i128::from), max.map(i128::from));
            if lo.is_some_and(|m| x < m) || hi.is_some_and(|m| x > m) {
                out.push(shape_err(path, bounds(*min, *max, ""), n.to_string(), format!("value outside {shape}")));
            }
        }
        (ShapeKind::Float, Value::Number(_)) | (ShapeKind::Boolean, Value::Bool(_)) | (ShapeKind::Other, _) => {}
        (ShapeKind::Timestamp { format }, _) => check_timestamp(format.as_deref(), v, path, shape, out),
        (kind, _) => {
            let expected = match kind {
                ShapeKind::Structure { .. } | ShapeKind::Map { .. } => "an object",
                ShapeKind::List { .. } => "a list",
                ShapeKind::String { .. } => "a string",
                ShapeKind::Integer { .. } => "an integer",
                ShapeKind::Float => "a number",
                ShapeKind::Boolean => "a boolean",
                _ => "a value",
            };
            out.push(shape_err(path, expected, show(Some(v)), format!("wrong type for {shape}")));
        }
    }
}

/// What identifies the operation of a request that was sent.
#[derive(Debug, Clone, Copy)]
pub struct RequestLine<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path, relative to the target's base URL.
    pub path: &'a str,
    /// The query parameters, decoded.
    pub query: &'a [(String, String)],
    /// The `X-Amz-Target` header (awsJson routing), if sent.
    pub amz_target: Option<&'a str>,
}

/// Checks one response against the contract. `path` and `query` are the
/// request's, relative to the target's base URL.
pub fn check_response(
    contract: &Contract,
    request: &RequestLine<'_>,
    status: u16,
    headers: &HeaderMap,
    body: &Body<'_>,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let model = &contract.model;
    let Some(op) = model.identify(request.method, request.path, request.query, request.amz_target) else { return out };
    let empty = body.is_blank();
    let json = body.json();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    let expect_json = |out: &mut Vec<Mismatch>| -> bool {
        if !empty && json.is_none() {
            out.push(shape_err("$", "a JSON body", body.excerpt(200), format!("{} documents a JSON body", op.name)));
            return false;
        }
        if !empty && !crate::matcher::is_json_media_type(content_type) {
            let expected = match model.protocol {
                Protocol::Json => format!("application/x-amz-json-{}", model.json_version.as_deref().unwrap_or("1.1")),
                Protocol::RestJson => "application/json".to_owned(),
            };
            out.push(shape_err(
                "content-type",
                expected,
                if content_type.is_empty() { "(absent)" } else { content_type },
                "a JSON body needs a JSON content type",
            ));
        }
        true
    };
    if status < 300 {
        if status != op.response_code {
            out.push(shape_err(
                "",
                op.response_code.to_string(),
                status.to_string(),
                format!("status not documented for {}", op.name),
            ));
            return out;
        }
        let Some(output) = &op.output else { return out };
        let has_body_members = matches!(
            model.shapes.get(output).map(|s| &s.kind),
            Some(ShapeKind::Structure { members, .. }) if members.iter().any(|m| m.location.is_none())
        );
        if has_body_members && expect_json(&mut out) {
            check_value(model, output, json.unwrap_or(&Value::Object(Default::default())), "$", &mut out);
        }
        return out;
    }
    if status < 400 {
        return out;
    }
    let Some(etype) = aws_error_type(headers, json) else {
        out.push(shape_err(
            "",
            format!("one of {}", op.errors.join(", ")),
            "(no error type)",
            "error response without an error type",
        ));
        return out;
    };
    if model.protocol == Protocol::Json
        && let Some(botocore) = botocore_json_error_type(headers, json)
        && botocore != etype
    {
        // awsJson: botocore reads the body's `__type` first, smithy-rs the
        // `X-Amzn-ErrorType` header first; a conforming answer satisfies both.
        out.push(shape_err(
            "",
            format!("one error type that every client reads alike ({etype})"),
            format!("botocore reads {botocore}, smithy-rs reads {etype}"),
            "the error type is read differently by different clients",
        ));
    }
    if contract.common_errors.contains(&etype) {
        return out;
    }
    if !op.errors.contains(&etype) {
        out.push(shape_err(
            "",
            format!("one of {}", op.errors.join(", ")),
            etype,
            format!("error type not documented for {}", op.name),
        ));
        return out;
    }
    if let Some(documented) = model.shapes.get(&etype).and_then(|s| s.error_status)
        && documented != status
    {
        out.push(shape_err(
            "",
            documented.to_string(),
            status.to_string(),
            format!("status differs from the one documented for {etype}"),
        ));
    }
    if expect_json(&mut out) {
        let mut body = json.cloned().unwrap_or(Value::Object(Default::default()));
        // `__type` is part of the rest-json error protocol, not of the shape.
        if let Value::Object(m) = &mut body {
            m.remove("__type");
            if model.protocol == Protocol::Json {
                // awsJson error bodies may carry `code` beside `__type`.
                m.remove("code");
            }
            // The SDKs read an error's message as `message` or `Message`,
            // whether or not the error's shape lists one: either spelling is
            // the documented member, and one the shape omits is no
            // undocumented member.
            let documented = match model.shapes.get(&etype).map(|s| &s.kind) {
                Some(ShapeKind::Structure { members, .. }) => {
                    members.iter().find(|m| m.key().eq_ignore_ascii_case("message")).map(|m| m.key().to_owned())
                }
                _ => None,
            };
            if documented.as_ref().is_none_or(|d| !m.contains_key(d))
                && let Some(sent) = m.keys().find(|k| k.eq_ignore_ascii_case("message")).cloned()
                && let Some(value) = m.remove(&sent)
                && let Some(documented) = documented
            {
                m.insert(documented, value);
            }
        }
        check_value(model, &etype, &body, "$", &mut out);
    }
    out
}

/// The error type as botocore's awsJson parser reads it: the body's
/// `__type`, else the `X-Amzn-ErrorType` header; cut at `:`, namespace dropped.
fn botocore_json_error_type(headers: &HeaderMap, body: Option<&Value>) -> Option<String> {
    let raw = body
        .and_then(|b| b.get("__type"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| headers.get("x-amzn-errortype").and_then(|v| v.to_str().ok()).map(str::to_owned))?;
    let cut = raw.split(':').next().unwrap_or(&raw);
    Some(cut.rsplit('#').next().unwrap_or(cut).trim().to_owned())
}

#[cfg(test)]
mod article_tests {
    use super::with_article;

    #[test]
    fn nouns_take_the_article_a_person_would_write() {
        let table = [
            ("ErrorCode", "an ErrorCode"),
            ("UserId", "a UserId"),
            ("iso8601 timestamp", "an iso8601 timestamp"),
            ("epoch-seconds timestamp", "an epoch-seconds timestamp"),
            ("Uuid", "a Uuid"),
            ("UserType", "a UserType"),
            ("AccountName", "an AccountName"),
            ("License", "a License"),
        ];
        for (noun, want) in table {
            assert_eq!(with_article(noun), want);
        }
    }
}
