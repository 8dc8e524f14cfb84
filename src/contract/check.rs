//! Shape checks: every response of a documented operation is held against
//! the documented shape for its status, whether or not the case asks.
//! Divergences are [`Mismatch`]es of kind `shape`.

use http::HeaderMap;
use serde_json::Value;

use super::model::{Model, Protocol, ShapeKind};
use super::{Contract, timestamp};
use crate::matcher::{Body, MAX_DIVERGENCES, Mismatch, MismatchKind, aws_error_type, compare_numbers, short_key, show};

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
fn bounds<T: std::fmt::Display>(min: Option<T>, max: Option<T>, unit: &str) -> String {
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

/// Checks a value against a shape; appends divergences.
///
/// Linear in the size of the value: one path buffer is extended and cut
/// back on the way down (no path is copied per element); the members of a
/// structure are looked up by key, not searched per key.
///
/// Bounded in what it keeps: `out` grows to at most [`MAX_DIVERGENCES`]
/// divergences, then one more counts the rest ("and K more shape
/// divergences, not listed"), so the verdict still fails; `notes` likewise.
/// A member name or map key in a path is cut to its first characters
/// ([`short_key`]).
pub fn check_value(model: &Model, shape: &str, v: &Value, path: &str, out: &mut Vec<Mismatch>) {
    let mut notes = Vec::new();
    check_value_noted(model, shape, v, path, out, &mut notes);
}

/// [`check_value`], and what could not be checked (a pattern over its
/// budget), in `notes`.
pub fn check_value_noted(
    model: &Model,
    shape: &str,
    v: &Value,
    path: &str,
    out: &mut Vec<Mismatch>,
    notes: &mut Vec<String>,
) {
    walk_value(model, shape, v, path, out, notes, false);
}

/// [`check_value_noted`] on the SDK view of a value (`protocol::read_response`):
/// members by model name, every location included; the reader has
/// settled types, timestamps and blobs, so what is left are the model's
/// constraints (required members, enums, patterns, lengths, ranges, unions).
pub fn check_view_noted(
    model: &Model,
    shape: &str,
    v: &Value,
    path: &str,
    out: &mut Vec<Mismatch>,
    notes: &mut Vec<String>,
) {
    walk_value(model, shape, v, path, out, notes, true);
}

fn walk_value(
    model: &Model,
    shape: &str,
    v: &Value,
    path: &str,
    out: &mut Vec<Mismatch>,
    notes: &mut Vec<String>,
    view: bool,
) {
    let (room, notes_room) = (MAX_DIVERGENCES.saturating_sub(out.len()), MAX_DIVERGENCES.saturating_sub(notes.len()));
    let mut walk =
        Walk { model, out, notes, path: path.to_owned(), room, unlisted: 0, notes_room, notes_unlisted: 0, view };
    walk.value(shape, v);
    let (unlisted, notes_unlisted) = (walk.unlisted, walk.notes_unlisted);
    if unlisted > 0 {
        out.push(shape_err(
            path,
            format!("at most {MAX_DIVERGENCES} shape divergences listed"),
            format!("{} shape divergences", room + unlisted),
            format!("and {unlisted} more shape divergences, not listed"),
        ));
    }
    if notes_unlisted > 0 {
        notes.push(format!("and {notes_unlisted} more values not checked, not listed"));
    }
}

/// Appends a member's key to a JSON path, as `matcher::join_key` writes it.
/// A key longer than [`crate::matcher::MAX_SEGMENT_CHARS`] is cut.
fn push_key(path: &mut String, key: &str) {
    let key = short_key(key);
    let key = key.as_ref();
    let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str("['");
        for c in key.chars() {
            if matches!(c, '\\' | '\'') {
                path.push('\\');
            }
            path.push(c);
        }
        path.push_str("']");
    }
}

/// The widest value of each integer width, as JSON numbers compare them.
fn int_range(bits: u32) -> (serde_json::Number, serde_json::Number) {
    match bits {
        8 => (i8::MIN.into(), i8::MAX.into()),
        16 => (i16::MIN.into(), i16::MAX.into()),
        32 => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    }
}

/// Whether `s` is base64 as the SDKs decode a blob (the standard alphabet,
/// padded to a multiple of four).
fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    let body = s.trim_end_matches('=');
    b.len().is_multiple_of(4)
        && b.len() - body.len() <= 2
        && body.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

struct Walk<'a> {
    model: &'a Model,
    out: &'a mut Vec<Mismatch>,
    notes: &'a mut Vec<String>,
    /// The JSON path of the value being checked.
    path: String,
    /// Divergences still kept in `out`; past them, `unlisted` counts.
    room: usize,
    unlisted: usize,
    /// Notes still kept in `notes`; past them, `notes_unlisted` counts.
    notes_room: usize,
    notes_unlisted: usize,
    /// Walking the SDK view: members by name, every location, types settled.
    view: bool,
}

impl Walk<'_> {
    /// Keeps a divergence at `self.path` while there is room; counts it past that.
    fn err(&mut self, expected: impl Into<String>, actual: impl Into<String>, message: impl Into<String>) {
        if self.room == 0 {
            self.unlisted += 1;
            return;
        }
        self.room -= 1;
        self.out.push(shape_err(self.path.clone(), expected, actual, message));
    }

    /// Keeps a note while there is room; counts it past that.
    fn note(&mut self, note: impl FnOnce(&str) -> String) {
        if self.notes_room == 0 {
            self.notes_unlisted += 1;
            return;
        }
        self.notes_room -= 1;
        let note = note(&self.path);
        self.notes.push(note);
    }

    fn timestamp(&mut self, format: Option<&str>, v: &Value, shape: &str) {
        if !timestamp::is_valid(format, v) {
            self.err(
                with_article(&format!("{} timestamp", timestamp::format_name(format))),
                show(Some(v)),
                format!("not a valid timestamp for {shape}"),
            );
        }
    }

    /// Checks the value at `self.path` under `key`, then cuts the path back.
    fn at_key(&mut self, key: &str, f: impl FnOnce(&mut Self)) {
        let len = self.path.len();
        push_key(&mut self.path, key);
        f(self);
        self.path.truncate(len);
    }

    /// A number against the range `min`/`max` the model writes, exactly;
    /// `width` is the integer type's own range.
    fn range(&mut self, shape: &str, n: &serde_json::Number, width: Option<u32>) {
        use std::cmp::Ordering;
        let Some(s) = self.model.shapes.get(shape) else { return };
        if let Some(bits) = width {
            let (lo, hi) = int_range(bits);
            let inside = compare_numbers(n, &lo).is_some_and(|o| o != Ordering::Less)
                && compare_numbers(n, &hi).is_some_and(|o| o != Ordering::Greater);
            if !inside {
                let ty = if s.type_name.is_empty() { "integer".to_owned() } else { s.type_name.clone() };
                self.err(
                    format!("{lo} to {hi} ({ty}, {bits} bits)"),
                    n.to_string(),
                    format!("value does not fit the {bits}-bit {ty} {shape}"),
                );
                return;
            }
        }
        // A bound the value cannot be placed against (an exponent beyond
        // 38 digits) is a divergence: no SDK reads such a number into range.
        let below = s.min.as_ref().is_some_and(|m| compare_numbers(n, m).is_none_or(|o| o == Ordering::Less));
        let above = s.max.as_ref().is_some_and(|m| compare_numbers(n, m).is_none_or(|o| o == Ordering::Greater));
        if below || above {
            self.err(bounds(s.min.as_ref(), s.max.as_ref(), ""), n.to_string(), format!("value outside {shape}"));
        }
    }

    /// A string (a value, or a map key) against a string shape's enum,
    /// pattern and length. `what` names it in messages (`value`, `map key`).
    fn text(&mut self, shape: &str, text: &str, what: &str) {
        let Some(s) = self.model.shapes.get(shape) else { return };
        let ShapeKind::String { enumeration, pattern, min, max } = &s.kind else { return };
        let shown = || show(Some(&Value::String(text.to_owned())));
        if let Some(allowed) = enumeration
            && !allowed.iter().any(|a| a == text)
        {
            let expected = format!("one of {}", allowed.join(", "));
            self.err(expected, shown(), format!("{what} outside the enum {shape}"));
        }
        if let Some(p) = pattern {
            match p.check(text) {
                Ok(true) => {}
                Ok(false) => {
                    let expected = format!("/{}/", p.as_str());
                    self.err(expected, shown(), format!("{what} does not match the pattern of {shape}"));
                }
                Err(why) => self.note(|path| {
                    let at = if path.is_empty() { String::new() } else { format!(" at {path}") };
                    format!("{what}{at} ({shape}): {why}")
                }),
            }
        }
        let n = text.chars().count() as u64;
        if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
            self.err(
                bounds(*min, *max, "characters"),
                format!("{n} characters"),
                format!("{what} length outside {shape}"),
            );
        }
    }

    /// Long on purpose: one arm per shape kind with its constraints (length,
    /// pattern, range, enum, members, list and map bounds), read as a table.
    fn value(&mut self, shape: &str, v: &Value) {
        let model = self.model;
        let Some(s) = model.shapes.get(shape) else { return };
        match (&s.kind, v) {
            (ShapeKind::Structure { members, required, union }, Value::Object(obj)) => {
                let mut set = 0usize;
                let view = self.view;
                let key = |m: &'_ crate::contract::Member| -> String {
                    if view { m.name.clone() } else { m.key().to_owned() }
                };
                for m in members.iter().filter(|m| view || m.location.is_none()) {
                    let k = key(m);
                    match obj.get(k.as_str()) {
                        None | Some(Value::Null) => {
                            if required.contains(&m.name) {
                                self.at_key(&k, |w| {
                                    w.err(with_article(&m.target), "(absent)", "required member missing")
                                });
                            }
                        }
                        Some(value) => {
                            set += 1;
                            match (&m.timestamp_format, model.shapes.get(&m.target).map(|t| &t.kind)) {
                                (Some(format), Some(ShapeKind::Timestamp { .. })) if !view => {
                                    self.at_key(&k, |w| w.timestamp(Some(format), value, &m.target))
                                }
                                _ => self.at_key(&k, |w| w.value(&m.target, value)),
                            }
                        }
                    }
                }
                if *union && set > 1 {
                    self.err(
                        "exactly one member",
                        format!("{set} members"),
                        format!("{shape} is a union: more than one member is set"),
                    );
                }
                // Each key looked up once (a structure documents few members;
                // a response may send many).
                let documented: std::collections::HashSet<&str> = members
                    .iter()
                    .filter(|m| view || m.location.is_none())
                    .map(|m| if view { m.name.as_str() } else { m.key() })
                    .collect();
                for (k, value) in obj {
                    if !documented.contains(k.as_str()) {
                        self.at_key(k, |w| {
                            w.err("(absent)", show(Some(value)), format!("member not documented in {shape}"))
                        });
                    }
                }
            }
            (ShapeKind::List { member, min, max, .. }, Value::Array(items)) => {
                let n = items.len() as u64;
                if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                    self.err(bounds(*min, *max, "items"), format!("{n} items"), format!("length outside {shape}"));
                }
                let len = self.path.len();
                for (i, item) in items.iter().enumerate() {
                    use std::fmt::Write;
                    let _ = write!(self.path, "[{i}]");
                    self.value(member, item);
                    self.path.truncate(len);
                }
            }
            (ShapeKind::Map { key, value, min, max, .. }, Value::Object(obj)) => {
                let n = obj.len() as u64;
                if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                    self.err(bounds(*min, *max, "entries"), format!("{n} entries"), format!("size outside {shape}"));
                }
                for (k, item) in obj {
                    self.at_key(k, |w| {
                        w.text(key, k, "map key");
                        w.value(value, item);
                    });
                }
            }
            // The view holds what the reader settled: documents, blobs,
            // timestamps and the floats a protocol spells out.
            _ if self.view && s.document => {}
            (ShapeKind::Blob | ShapeKind::Timestamp { .. }, _) if self.view => {}
            (ShapeKind::Float, Value::String(t))
                if self.view && matches!(t.as_str(), "NaN" | "Infinity" | "-Infinity") => {}
            (ShapeKind::String { .. }, Value::String(text)) => self.text(shape, text, "value"),
            (ShapeKind::Integer { bits, .. }, Value::Number(n)) if crate::matcher::is_integer(n) => {
                self.range(shape, n, Some(*bits))
            }
            (ShapeKind::Float, Value::Number(n)) => self.range(shape, n, None),
            (ShapeKind::Blob, Value::String(text)) => {
                if !is_base64(text) {
                    self.err("a base64 string", show(Some(v)), format!("not base64, as the blob {shape} is sent"));
                }
            }
            (ShapeKind::Boolean, Value::Bool(_)) | (ShapeKind::Other, _) => {}
            (ShapeKind::Timestamp { format }, _) => self.timestamp(format.as_deref(), v, shape),
            (kind, _) => {
                let expected = match kind {
                    ShapeKind::Structure { .. } | ShapeKind::Map { .. } => "an object",
                    ShapeKind::List { .. } => "a list",
                    ShapeKind::String { .. } => "a string",
                    ShapeKind::Integer { .. } => "an integer",
                    ShapeKind::Float => "a number",
                    ShapeKind::Boolean => "a boolean",
                    ShapeKind::Blob => "a base64 string",
                    _ => "a value",
                };
                self.err(expected, show(Some(v)), format!("wrong type for {shape}"));
            }
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
    /// The operation the step sent (`operation` + `input`): the response
    /// is judged as that operation's, whatever route it matches (S3's
    /// `PutObject` and `CopyObject` share one).
    pub operation: Option<&'a str>,
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
    check_response_noted(contract, request, status, headers, body).divergences
}

/// What the shape check found in one response.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct ShapeCheck {
    /// The divergences from the documented shape.
    pub divergences: Vec<Mismatch>,
    /// What was not checked, and why (a pattern over its budget): warnings,
    /// never divergences.
    pub not_checked: Vec<String>,
}

/// [`check_response`], with what could not be checked.
pub fn check_response_noted(
    contract: &Contract,
    request: &RequestLine<'_>,
    status: u16,
    headers: &HeaderMap,
    body: &Body<'_>,
) -> ShapeCheck {
    let mut notes = Vec::new();
    let divergences = check_response_into(contract, request, status, headers, body, &mut notes);
    ShapeCheck { divergences, not_checked: notes }
}

fn check_response_into(
    contract: &Contract,
    request: &RequestLine<'_>,
    status: u16,
    headers: &HeaderMap,
    body: &Body<'_>,
    notes: &mut Vec<String>,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let model = &contract.model;
    let sent = request.operation.and_then(|o| model.operations.get(o));
    let Some(op) = sent.or_else(|| model.identify(request.method, request.path, request.query, request.amz_target))
    else {
        return out;
    };
    if !matches!(model.protocol, Protocol::RestJson | Protocol::Json) {
        notes.push(format!(
            "{}: a `{}` response is checked through the SDK view (`protocol::check_sdk_response`), not here",
            op.name, model.protocol
        ));
        return out;
    }
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
                _ => "application/json".to_owned(),
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
            let empty = Value::Object(Default::default());
            check_value_noted(model, output, json.unwrap_or(&empty), "$", &mut out, notes);
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
        check_value_noted(model, &etype, &body, "$", &mut out, notes);
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

#[cfg(test)]
mod verdict_tests {
    use serde_json::{Value, json};

    use super::*;

    fn model() -> Model {
        Model::parse(&json!({
            "metadata": {"protocol": "rest-json"},
            "shapes": {
                "Out": {"type": "structure", "members": {
                    "I": {"shape": "Int"}, "L": {"shape": "Long"}, "B": {"shape": "Byte"}, "S": {"shape": "Short"},
                    "Min": {"shape": "NonNegative"}, "D": {"shape": "Ratio"}, "F": {"shape": "Small"},
                    "Data": {"shape": "Bytes"}, "U": {"shape": "Choice"}, "Tags": {"shape": "TagMap"},
                    "Deep": {"shape": "Deep"}, "Name": {"shape": "Guarded"}, "Names": {"shape": "GuardedList"}
                }},
                "Int": {"type": "integer"},
                "Long": {"type": "long"},
                "Byte": {"type": "byte"},
                "Short": {"type": "short"},
                "NonNegative": {"type": "long", "min": 0},
                "Ratio": {"type": "double", "min": 0, "max": 1},
                "Small": {"type": "float", "min": -1.5},
                "Bytes": {"type": "blob"},
                "Choice": {"type": "structure", "union": true, "members": {"A": {"shape": "Int"}, "B": {"shape": "Int"}}},
                "TagMap": {"type": "map", "key": {"shape": "TagKey"}, "value": {"shape": "Int"}},
                "TagKey": {"type": "string", "min": 1, "max": 8, "pattern": "^[a-z]+$"},
                "Deep": {"type": "map", "key": {"shape": "Any"}, "value": {"shape": "Ints"}},
                "Any": {"type": "string"},
                "Ints": {"type": "list", "member": {"shape": "Int"}},
                "Guarded": {"type": "string", "pattern": "^((?=a)a|a)*$"},
                "GuardedList": {"type": "list", "member": {"shape": "Guarded"}}
            },
            "operations": {}
        }))
        .expect("the model parses")
    }

    fn divergences(body: Value) -> Vec<String> {
        let mut out = Vec::new();
        check_value(&model(), "Out", &body, "$", &mut out);
        out.into_iter().map(|m| format!("{}: {}", m.path, m.message)).collect()
    }

    #[test]
    fn integers_beyond_their_width_are_divergences() {
        assert!(divergences(json!({"I": 2147483647, "L": 9223372036854775807_i64, "B": -128, "S": 32767})).is_empty());
        let found = divergences(json!({"I": 2147483648_i64, "B": 128, "S": -32769}));
        assert_eq!(
            found,
            [
                "$.B: value does not fit the 8-bit byte Byte",
                "$.I: value does not fit the 32-bit integer Int",
                "$.S: value does not fit the 16-bit short Short"
            ]
        );
        let beyond_long: Value = serde_json::from_str(r#"{"L": 9223372036854775808}"#).expect("JSON");
        assert_eq!(divergences(beyond_long), ["$.L: value does not fit the 64-bit long Long"]);
    }

    #[test]
    fn ranges_compare_exactly_whatever_the_size() {
        // 41 digits below zero: once read as i128::MAX, so above `min`.
        let huge: Value = serde_json::from_str(r#"{"Min": -10000000000000000000000000000000000000000}"#).expect("JSON");
        assert_eq!(divergences(huge), ["$.Min: value does not fit the 64-bit long NonNegative"]);
        let tiny: Value = serde_json::from_str(r#"{"D": -1e40, "F": -1e40}"#).expect("JSON");
        assert_eq!(divergences(tiny), ["$.D: value outside Ratio", "$.F: value outside Small"]);
    }

    #[test]
    fn float_and_double_ranges_are_checked() {
        assert!(divergences(json!({"D": 0.5, "F": -1.5})).is_empty());
        assert_eq!(divergences(json!({"D": 1.0000001})), ["$.D: value outside Ratio"]);
        assert_eq!(divergences(json!({"F": -1.6})), ["$.F: value outside Small"]);
    }

    #[test]
    fn a_blob_is_a_base64_string() {
        assert!(divergences(json!({"Data": "aGVsbG8="})).is_empty());
        assert_eq!(divergences(json!({"Data": 12})), ["$.Data: wrong type for Bytes"]);
        assert_eq!(divergences(json!({"Data": "hello!"})), ["$.Data: not base64, as the blob Bytes is sent"]);
    }

    #[test]
    fn a_union_sets_one_member() {
        assert!(divergences(json!({"U": {"A": 1}})).is_empty());
        assert_eq!(
            divergences(json!({"U": {"A": 1, "B": 2}})),
            ["$.U: Choice is a union: more than one member is set"]
        );
    }

    #[test]
    fn map_keys_keep_the_key_shape() {
        assert!(divergences(json!({"Tags": {"abc": 1}})).is_empty());
        let found = divergences(json!({"Tags": {"": 1, "UPPER": 2, "waytoolongkey": 3}}));
        assert_eq!(
            found,
            [
                "$.Tags['']: map key does not match the pattern of TagKey",
                "$.Tags['']: map key length outside TagKey",
                "$.Tags.UPPER: map key does not match the pattern of TagKey",
                "$.Tags.waytoolongkey: map key length outside TagKey"
            ]
        );
    }

    #[test]
    fn a_pattern_over_its_budget_is_a_note_not_a_divergence() {
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        let body = json!({"Name": format!("{}b", "a".repeat(60))});
        check_value_noted(&model(), "Out", &body, "$", &mut out, &mut notes);
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].starts_with("value at $.Name (Guarded): pattern not checked: over the budget"), "{notes:?}");
    }

    #[test]
    fn a_long_key_above_many_items_is_checked_in_linear_time() {
        // The path of every item once copied the key: 1 MiB x 100,000 items
        // (4.9 s in a debug build with the copy, 0.6 s without, mostly building
        // the value).
        let key = "k".repeat(1 << 20);
        let mut items: Vec<Value> = (0..100_000).map(|_| json!(1)).collect();
        items.push(json!("x"));
        let mut map = serde_json::Map::new();
        map.insert(key, Value::Array(items));
        let mut out = Vec::new();
        check_value(&model(), "Out", &json!({"Deep": map}), "$", &mut out);
        assert_eq!(out.len(), 1);
        let key = format!("{}… (1048576 chars)", "k".repeat(crate::matcher::MAX_SEGMENT_CHARS));
        assert_eq!(out[0].path, format!("$.Deep['{key}'][100000]"));
    }

    /// Every wrong item under a long map key once kept its divergence, each
    /// with the whole key in its path: a 4 MB key above a million wrong
    /// items did not fit in memory.
    #[test]
    fn divergences_are_capped_and_their_paths_short_issue_24() {
        let key = "k".repeat(1_000);
        let mut map = serde_json::Map::new();
        map.insert(key, Value::Array(vec![json!("x"); 3_000]));
        let mut out = Vec::new();
        check_value(&model(), "Out", &json!({"Deep": map}), "$", &mut out);
        assert_eq!(out.len(), MAX_DIVERGENCES + 1);
        let bound = crate::matcher::MAX_SEGMENT_CHARS + 100;
        assert!(out.iter().all(|m| m.path.chars().count() < bound), "{:?}", out.first().map(|m| m.path.len()));
        assert!(
            out.get(MAX_DIVERGENCES - 1)
                .is_some_and(|m| m.path.ends_with("[999]") && m.message == "wrong type for Int")
        );
        let last = out.last().expect("a summary");
        assert_eq!((last.path.as_str(), last.message.as_str()), ("$", "and 2000 more shape divergences, not listed"));
        assert_eq!(last.actual, "3000 shape divergences");
    }

    #[test]
    fn notes_are_capped_issue_24() {
        // Notes already made count against the cap: five more, two kept.
        let (mut out, mut notes) = (Vec::new(), vec![String::from("earlier"); MAX_DIVERGENCES - 2]);
        let names = vec![json!(format!("{}b", "a".repeat(60))); 5];
        check_value_noted(&model(), "Out", &json!({"Names": names}), "$", &mut out, &mut notes);
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(notes.len(), MAX_DIVERGENCES + 1);
        assert_eq!(notes.last().map(String::as_str), Some("and 3 more values not checked, not listed"));
    }
}
