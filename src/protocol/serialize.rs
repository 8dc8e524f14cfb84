//! The request serializer for `rest-json` and `json` (awsJson 1.0/1.1).
//!
//! Values are taken as given: a member of the wrong JSON type goes into
//! the body as it is (conform sends invalid input on purpose), and only
//! what cannot be written at all (an unknown member, a missing URI label,
//! an object in a header) is an error.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

use super::timestamp::{TimestampFormat, format_timestamp};
use crate::contract::{Member, Model, OperationDef, Protocol, ShapeKind};

/// An operation's input as an HTTP request. Strings may still hold
/// `{{templates}}`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SerializedRequest {
    /// HTTP method.
    pub method: String,
    /// The path, labels percent-encoded (templates inside them kept).
    pub path: String,
    /// Query parameters in order, not yet encoded; the literal ones of the
    /// request URI first.
    pub query: Vec<(String, String)>,
    /// Headers in order (names as the model writes them).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: SerializedBody,
    /// What the SDKs put before the endpoint's host (`endpoint.hostPrefix`,
    /// labels filled: `data-foo.`), if anything.
    pub host_prefix: Option<String>,
}

/// The body of a serialized request.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SerializedBody {
    /// No body.
    Empty,
    /// A JSON document (`content-type` is among the headers).
    Json(Value),
    /// Raw text: a string or blob `payload` member.
    Text(String),
    /// Raw bytes: a blob `payload` member that is not text.
    Bytes(Vec<u8>),
    /// A form (`application/x-www-form-urlencoded`; query and ec2), pairs
    /// in order, not yet encoded.
    Form(Vec<(String, String)>),
    /// An XML document (rest-xml), as text.
    Xml(String),
    /// A CBOR document (smithy-rpc-v2-cbor), encoded when sent.
    Cbor(super::cbor::CborValue),
}

/// Why an input cannot be serialized. Each names the operation, and the
/// member path and shape where it applies.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SerializeError {
    /// The model has no such operation.
    #[error("the model has no operation `{0}`")]
    UnknownOperation(String),
    /// The model's protocol is neither `rest-json` nor `json`.
    #[error("the model's protocol `{0}` is not supported (rest-json and json are)")]
    UnsupportedProtocol(String),
    /// A member the input shape does not have.
    #[error("{operation}: `{path}` is not a member of shape `{shape}`{hint}")]
    UnknownMember {
        /// The operation.
        operation: String,
        /// The member path, such as `Items[0].Nmae`.
        path: String,
        /// The structure shape.
        shape: String,
        /// A did-you-mean, or empty.
        hint: String,
    },
    /// A value that cannot be written where the protocol binds it.
    #[error("{operation}: `{path}`: {message}")]
    Member {
        /// The operation.
        operation: String,
        /// The member path.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Everything but unreserved characters (RFC 3986), as the SDKs encode URI labels.
const LABEL: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// Greedy labels (`{Key+}`) keep their slashes.
const GREEDY_LABEL: &AsciiSet = &LABEL.remove(b'/');

/// Serializes `input` (JSON in the input shape of `operation`) as the
/// model's protocol binds it.
///
/// ```
/// # use conform::contract::Model;
/// # use conform::protocol::{serialize_request, SerializedBody};
/// let model = Model::parse(&serde_json::json!({
///     "metadata": {"protocol": "rest-json"},
///     "operations": {"Get": {"http": {"method": "GET", "requestUri": "/things/{Id}"}, "input": {"shape": "In"}}},
///     "shapes": {
///         "In": {"type": "structure", "required": ["Id"], "members": {
///             "Id": {"shape": "S", "location": "uri", "locationName": "Id"},
///             "Verbose": {"shape": "B", "location": "querystring", "locationName": "verbose"}}},
///         "S": {"type": "string"}, "B": {"type": "boolean"}}
/// })).unwrap();
/// let req = serialize_request(&model, "Get", &serde_json::json!({"Id": "a b", "Verbose": true})).unwrap();
/// assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", "/things/a%20b"));
/// assert_eq!(req.query, [("verbose".to_owned(), "true".to_owned())]);
/// assert_eq!(req.body, SerializedBody::Empty);
/// ```
pub fn serialize_request(model: &Model, operation: &str, input: &Value) -> Result<SerializedRequest, SerializeError> {
    let op = model.operations.get(operation).ok_or_else(|| SerializeError::UnknownOperation(operation.to_owned()))?;
    let cx = Cx { model, op };
    let empty = Map::new();
    let obj = match input {
        Value::Object(o) => o,
        Value::Null => &empty,
        other => return Err(cx.member("", format!("the input must be a JSON object, found {}", type_name(other)))),
    };
    match model.protocol {
        Protocol::RestJson => cx.rest_json(obj),
        Protocol::Json => cx.json(obj),
        other => Err(SerializeError::UnsupportedProtocol(other.name().to_owned())),
    }
}

struct Cx<'a> {
    model: &'a Model,
    op: &'a OperationDef,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

/// The closest of `names` to `word`, by edit distance, if close enough.
fn nearest<'n>(word: &str, names: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }
    let lower = word.to_lowercase();
    names
        .map(|n| (distance(&lower, &n.to_lowercase()), n))
        .filter(|(d, n)| *d <= (n.chars().count() / 3).max(1))
        .min()
        .map(|(_, n)| n)
}

impl Cx<'_> {
    fn member(&self, path: &str, message: impl Into<String>) -> SerializeError {
        SerializeError::Member { operation: self.op.name.clone(), path: path.to_owned(), message: message.into() }
    }

    /// The members of the input shape, with the input's values, checking
    /// that every input key is a member.
    fn input_members<'v>(
        &self,
        shape: &str,
        obj: &'v Map<String, Value>,
        path: &str,
    ) -> Result<Vec<(&Member, &'v Value)>, SerializeError> {
        let members: &[Member] = match self.model.shapes.get(shape).map(|s| &s.kind) {
            Some(ShapeKind::Structure { members, .. }) => members,
            _ => &[],
        };
        for key in obj.keys() {
            if !members.iter().any(|m| &m.name == key) {
                let hint = nearest(key, members.iter().map(|m| m.name.as_str()))
                    .map(|n| format!(", did you mean `{n}`?"))
                    .unwrap_or_default();
                return Err(SerializeError::UnknownMember {
                    operation: self.op.name.clone(),
                    path: join(path, key),
                    shape: shape.to_owned(),
                    hint,
                });
            }
        }
        // Model order, so the output does not depend on the input's key order.
        Ok(members.iter().filter_map(|m| obj.get(&m.name).filter(|v| !v.is_null()).map(|v| (m, v))).collect())
    }

    fn json(&self, obj: &Map<String, Value>) -> Result<SerializedRequest, SerializeError> {
        let meta = &self.model.metadata;
        let body = match &self.op.input {
            Some(shape) => self.body_value(shape, &Value::Object(obj.clone()), "", false)?,
            None if obj.is_empty() => Value::Object(Map::new()),
            None => return Err(self.member("", "the operation takes no input")),
        };
        let mut headers = Vec::new();
        if let Some(prefix) = &meta.target_prefix {
            headers.push(("X-Amz-Target".to_owned(), format!("{prefix}.{}", self.op.name)));
        }
        let version = meta.json_version.as_deref().unwrap_or("1.0");
        headers.push(("Content-Type".to_owned(), format!("application/x-amz-json-{version}")));
        Ok(SerializedRequest {
            method: "POST".into(),
            path: "/".into(),
            query: Vec::new(),
            headers,
            body: SerializedBody::Json(body),
            host_prefix: None,
        })
    }

    fn rest_json(&self, obj: &Map<String, Value>) -> Result<SerializedRequest, SerializeError> {
        let (template, literal_query) = self.op.request_uri.split_once('?').unwrap_or((&self.op.request_uri, ""));
        let mut query: Vec<(String, String)> = literal_query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        let mut labels: Vec<(&str, String)> = Vec::new();
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut body = Map::new();
        let mut payload: Option<SerializedBody> = None;
        let input_shape = self.op.input.as_deref().unwrap_or_default();
        let shape = self.model.shapes.get(input_shape);
        let payload_member = shape.and_then(|s| s.payload.as_deref());
        for (m, v) in self.input_members(input_shape, obj, "")? {
            let wire = m.location_name.as_deref().unwrap_or(&m.name);
            let path = m.name.as_str();
            match m.location.as_deref() {
                Some("uri") => labels.push((wire, self.text(m, v, path, TimestampFormat::Iso8601)?)),
                Some("querystring") => self.query(m, v, path, &mut query)?,
                Some("header") => {
                    if let Some(h) = self.header(m, v, path)? {
                        headers.push((wire.to_owned(), h));
                    }
                }
                Some("headers") => {
                    let Value::Object(map) = v else {
                        return Err(self.member(path, format!("prefix headers take an object, found {}", type_name(v))));
                    };
                    for (k, item) in map {
                        let text = match item {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        headers.push((format!("{wire}{k}"), text));
                    }
                }
                Some(other) if other != "body" => {
                    return Err(self.member(path, format!("location `{other}` cannot be written in a request")));
                }
                _ if payload_member == Some(m.name.as_str()) => {
                    payload = Some(match self.model.shapes.get(&m.target).map(|s| &s.kind) {
                        Some(ShapeKind::Structure { .. })
                        | Some(ShapeKind::Map { .. })
                        | Some(ShapeKind::List { .. }) => {
                            SerializedBody::Json(self.body_value(&m.target, v, path, true)?)
                        }
                        _ => match v {
                            Value::String(s) => SerializedBody::Text(s.clone()),
                            other => SerializedBody::Text(other.to_string()),
                        },
                    });
                }
                _ => {
                    let key = m.location_name.as_deref().or(m.json_name.as_deref()).unwrap_or(&m.name);
                    body.insert(key.to_owned(), self.member_value(m, v, path, true)?);
                }
            }
        }
        let path = self.expand(template, &labels)?;
        let has_body_members = match shape.map(|s| &s.kind) {
            Some(ShapeKind::Structure { members, .. }) => {
                members.iter().any(|m| m.location.is_none() && payload_member != Some(m.name.as_str()))
            }
            _ => false,
        };
        let body = match payload {
            Some(p) => p,
            None if !body.is_empty() || (has_body_members && payload_member.is_none()) => {
                SerializedBody::Json(Value::Object(body))
            }
            None if payload_member.is_some_and(|p| self.payload_is_structure(input_shape, p)) => {
                SerializedBody::Json(Value::Object(Map::new()))
            }
            None => SerializedBody::Empty,
        };
        if matches!(body, SerializedBody::Json(_))
            && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        Ok(SerializedRequest { method: self.op.method.clone(), path, query, headers, body, host_prefix: None })
    }

    fn payload_is_structure(&self, input_shape: &str, payload: &str) -> bool {
        let Some(ShapeKind::Structure { members, .. }) = self.model.shapes.get(input_shape).map(|s| &s.kind) else {
            return false;
        };
        members
            .iter()
            .find(|m| m.name == payload)
            .and_then(|m| self.model.shapes.get(&m.target))
            .is_some_and(|s| matches!(s.kind, ShapeKind::Structure { .. }))
    }

    /// Fills the `{Label}` and `{Label+}` segments of the URI template.
    fn expand(&self, template: &str, labels: &[(&str, String)]) -> Result<String, SerializeError> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                return Err(self.member("", format!("the request URI `{}` has an unclosed label", self.op.request_uri)));
            };
            let name = &rest[open + 1..open + close];
            let (name, greedy) = match name.strip_suffix('+') {
                Some(n) => (n, true),
                None => (name, false),
            };
            let Some((_, value)) = labels.iter().find(|(l, _)| *l == name) else {
                let member = self.label_member(name).unwrap_or(name);
                return Err(self.member(member, format!("required: it fills the URI label `{{{name}}}`")));
            };
            out.push_str(&encode_keeping_templates(value, if greedy { GREEDY_LABEL } else { LABEL }));
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn label_member(&self, label: &str) -> Option<&str> {
        let shape = self.model.shapes.get(self.op.input.as_deref()?)?;
        let ShapeKind::Structure { members, .. } = &shape.kind else { return None };
        members
            .iter()
            .find(|m| m.location.as_deref() == Some("uri") && m.location_name.as_deref().unwrap_or(&m.name) == label)
            .map(|m| m.name.as_str())
    }

    fn timestamp_format(&self, m: &Member, default: TimestampFormat) -> TimestampFormat {
        let shape_format = match self.model.shapes.get(&m.target).map(|s| &s.kind) {
            Some(ShapeKind::Timestamp { format }) => format.as_deref(),
            _ => None,
        };
        m.timestamp_format.as_deref().or(shape_format).and_then(TimestampFormat::parse).unwrap_or(default)
    }

    fn is_timestamp(&self, target: &str) -> bool {
        matches!(self.model.shapes.get(target).map(|s| &s.kind), Some(ShapeKind::Timestamp { .. }))
    }

    /// A scalar as text, for labels, query parameters and headers.
    fn text(&self, m: &Member, v: &Value, path: &str, ts_default: TimestampFormat) -> Result<String, SerializeError> {
        let v = if self.is_timestamp(&m.target) {
            format_timestamp(v, self.timestamp_format(m, ts_default))
        } else {
            v.clone()
        };
        scalar_text(&v).ok_or_else(|| {
            self.member(
                path,
                format!(
                    "{} value is written as text, found {}",
                    crate::contract::with_article(&m.target),
                    type_name(&v)
                ),
            )
        })
    }

    fn query(&self, m: &Member, v: &Value, path: &str, out: &mut Vec<(String, String)>) -> Result<(), SerializeError> {
        let wire = m.location_name.as_deref().unwrap_or(&m.name);
        match (self.model.shapes.get(&m.target).map(|s| &s.kind), v) {
            (Some(ShapeKind::Map { .. }), Value::Object(map)) => {
                for (k, item) in map {
                    match item {
                        Value::Array(items) => {
                            for i in items {
                                out.push((k.clone(), scalar_text(i).unwrap_or_else(|| i.to_string())));
                            }
                        }
                        other => out.push((k.clone(), scalar_text(other).unwrap_or_else(|| other.to_string()))),
                    }
                }
            }
            (_, Value::Array(items)) => {
                let member_target = match self.model.shapes.get(&m.target).map(|s| &s.kind) {
                    Some(ShapeKind::List { member, .. }) => member.clone(),
                    _ => m.target.clone(),
                };
                let item_member = Member { target: member_target, ..m.clone() };
                for (i, item) in items.iter().enumerate() {
                    out.push((
                        wire.to_owned(),
                        self.text(&item_member, item, &format!("{path}[{i}]"), TimestampFormat::Iso8601)?,
                    ));
                }
            }
            _ => out.push((wire.to_owned(), self.text(m, v, path, TimestampFormat::Iso8601)?)),
        }
        Ok(())
    }

    fn header(&self, m: &Member, v: &Value, path: &str) -> Result<Option<String>, SerializeError> {
        match v {
            // An empty list sends no header at all.
            Value::Array(items) if items.is_empty() => Ok(None),
            Value::Array(items) => {
                let member_target = match self.model.shapes.get(&m.target).map(|s| &s.kind) {
                    Some(ShapeKind::List { member, .. }) => member.clone(),
                    _ => m.target.clone(),
                };
                let item_member = Member { target: member_target, ..m.clone() };
                let parts: Result<Vec<String>, _> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let t = self.text(&item_member, item, &format!("{path}[{i}]"), TimestampFormat::Rfc822)?;
                        // A value holding a comma or a quote is quoted, as the SDKs do.
                        Ok(if t.contains(',') || t.contains('"') {
                            format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""))
                        } else {
                            t
                        })
                    })
                    .collect();
                Ok(Some(parts?.join(",")))
            }
            _ => self.text(m, v, path, TimestampFormat::Rfc822).map(Some),
        }
    }

    fn member_value(&self, m: &Member, v: &Value, path: &str, rest: bool) -> Result<Value, SerializeError> {
        if self.is_timestamp(&m.target) {
            return Ok(format_timestamp(v, self.timestamp_format(m, TimestampFormat::UnixTimestamp)));
        }
        self.body_value(&m.target, v, path, rest)
    }

    /// A value in a JSON body: structures get their wire keys, timestamps
    /// their format; anything else (or of another JSON type) as given.
    fn body_value(&self, shape: &str, v: &Value, path: &str, rest: bool) -> Result<Value, SerializeError> {
        let kind = self.model.shapes.get(shape).map(|s| &s.kind);
        Ok(match (kind, v) {
            (Some(ShapeKind::Structure { .. }), Value::Object(obj)) => {
                let mut out = Map::new();
                for (m, value) in self.input_members(shape, obj, path)? {
                    // botocore models carry the wire name in `locationName`;
                    // `jsonName` (Smithy's, rest-json only) when there is none.
                    let key = m
                        .location_name
                        .as_deref()
                        .or(if rest { m.json_name.as_deref() } else { None })
                        .unwrap_or(&m.name);
                    out.insert(key.to_owned(), self.member_value(m, value, &join(path, &m.name), rest)?);
                }
                Value::Object(out)
            }
            (Some(ShapeKind::List { member, .. }), Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.element(member, item, &format!("{path}[{i}]"), rest))
                    .collect::<Result<_, _>>()?,
            ),
            (Some(ShapeKind::Map { value, .. }), Value::Object(obj)) => Value::Object(
                obj.iter()
                    .map(|(k, item)| Ok((k.clone(), self.element(value, item, &join(path, k), rest)?)))
                    .collect::<Result<_, SerializeError>>()?,
            ),
            _ => v.clone(),
        })
    }

    fn element(&self, shape: &str, v: &Value, path: &str, rest: bool) -> Result<Value, SerializeError> {
        if self.is_timestamp(shape) {
            let format = match self.model.shapes.get(shape).map(|s| &s.kind) {
                Some(ShapeKind::Timestamp { format }) => format.as_deref().and_then(TimestampFormat::parse),
                _ => None,
            };
            return Ok(format_timestamp(v, format.unwrap_or(TimestampFormat::UnixTimestamp)));
        }
        self.body_value(shape, v, path, rest)
    }
}

/// Text of a scalar: strings as they are, numbers and booleans as JSON writes them.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Percent-encodes `s` except its `{{template}}` references, which are
/// rendered later.
fn encode_keeping_templates(s: &str, set: &'static AsciiSet) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else { break };
        out.extend(utf8_percent_encode(&rest[..open], set));
        out.push_str(&rest[open..open + close + 2]);
        rest = &rest[open + close + 2..];
    }
    out.extend(utf8_percent_encode(rest, set));
    out
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    /// A rest-json model with a member in every binding location.
    fn rest_model() -> Model {
        let text = include_str!("../../tests/fixtures/models/rest-bindings.json");
        Model::parse(&serde_json::from_str(text).expect("JSON")).expect("the test model parses")
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// Members come in the model's order, which is its key order: compare
    /// parameters and headers without order (repeated names keep theirs).
    fn sorted(mut p: Vec<(String, String)>) -> Vec<(String, String)> {
        p.sort_by(|a, b| a.0.cmp(&b.0));
        p
    }

    #[test]
    fn uri_labels_are_percent_encoded_and_greedy_labels_keep_slashes() {
        let req = serialize_request(&rest_model(), "PutThing", &json!({"Bucket": "a b/c", "Key": "dir/sub dir/é~x"}))
            .expect("serializes");
        assert_eq!(req.method, "PUT");
        assert_eq!(req.path, "/v1/a%20b%2Fc/things/dir/sub%20dir/%C3%A9~x");
        // The literal query of the request URI comes first.
        assert_eq!(req.query, pairs(&[("tagging", "")]));
    }

    #[test]
    fn templates_in_labels_are_kept_for_the_runner() {
        let req = serialize_request(&rest_model(), "PutThing", &json!({"Bucket": "{{bucket}}", "Key": "k {{ id }}/x"}))
            .expect("ok");
        assert_eq!(req.path, "/v1/{{bucket}}/things/k%20{{ id }}/x");
    }

    #[test]
    fn a_missing_label_names_its_member() {
        let err = serialize_request(&rest_model(), "PutThing", &json!({"Bucket": "b"})).expect_err("no Key");
        assert_eq!(err.to_string(), "PutThing: `Key`: required: it fills the URI label `{Key}`");
    }

    #[test]
    fn query_members_scalars_lists_maps_and_timestamps() {
        let req = serialize_request(
            &rest_model(),
            "PutThing",
            &json!({"Bucket": "b", "Key": "k", "MaxItems": 5, "Ids": ["x", "y z"], "Since": 1546984736, "Filters": {"color": "red"}}),
        )
        .expect("ok");
        assert_eq!(
            sorted(req.query),
            sorted(pairs(&[
                ("tagging", ""),
                ("max-items", "5"),
                ("id", "x"),
                ("id", "y z"),
                ("since", "2019-01-08T21:58:56Z"),
                ("color", "red")
            ]))
        );
    }

    #[test]
    fn header_members_scalars_lists_and_http_dates() {
        let req = serialize_request(
            &rest_model(),
            "PutThing",
            &json!({"Bucket": "b", "Key": "k", "Token": "t1", "Modified": "2019-01-08T21:58:56Z", "Labels": ["a", "b,c"]}),
        )
        .expect("ok");
        assert_eq!(
            sorted(req.headers),
            sorted(pairs(&[
                ("X-Amz-Token", "t1"),
                ("If-Modified-Since", "Tue, 08 Jan 2019 21:58:56 GMT"),
                ("X-Labels", "a,\"b,c\""),
                ("Content-Type", "application/json"),
            ]))
        );
    }

    #[test]
    fn prefix_headers_spread_a_map() {
        let req = serialize_request(
            &rest_model(),
            "PutThing",
            &json!({"Bucket": "b", "Key": "k", "Meta": {"owner": "me", "tier": "gold"}}),
        )
        .expect("ok");
        assert_eq!(
            req.headers,
            pairs(&[("x-amz-meta-owner", "me"), ("x-amz-meta-tier", "gold"), ("Content-Type", "application/json")])
        );
    }

    #[test]
    fn body_members_use_wire_names_and_epoch_seconds() {
        let req = serialize_request(
            &rest_model(),
            "PutThing",
            &json!({"Bucket": "b", "Key": "k", "Name": "n", "Created": "2019-01-08T21:58:56Z", "Expires": 1546984736,
                    "Parts": [{"Size": 3, "At": "2019-01-08T21:58:56Z"}]}),
        )
        .expect("ok");
        assert_eq!(
            req.body,
            SerializedBody::Json(json!({"name": "n", "Created": 1546984736, "Expires": "2019-01-08T21:58:56Z",
                                         "Parts": [{"size": 3, "At": 1546984736}]}))
        );
    }

    #[test]
    fn an_input_shape_with_body_members_always_sends_a_json_object() {
        let req = serialize_request(&rest_model(), "PutThing", &json!({"Bucket": "b", "Key": "k"})).expect("ok");
        assert_eq!(req.body, SerializedBody::Json(json!({})));
        let get = serialize_request(&rest_model(), "List", &json!({"Next": "2"})).expect("ok");
        assert_eq!((get.body, get.headers), (SerializedBody::Empty, vec![]));
    }

    #[test]
    fn payload_members_are_the_whole_body() {
        let blob = serialize_request(&rest_model(), "Upload", &json!({"Id": "1", "Data": "raw bytes"})).expect("ok");
        assert_eq!(blob.body, SerializedBody::Text("raw bytes".into()));
        assert!(blob.headers.is_empty(), "{:?}", blob.headers);
        let structure = serialize_request(&rest_model(), "Configure", &json!({"Config": {"Size": 2}})).expect("ok");
        assert_eq!(structure.body, SerializedBody::Json(json!({"size": 2})));
        let absent = serialize_request(&rest_model(), "Configure", &json!({})).expect("ok");
        assert_eq!(absent.body, SerializedBody::Json(json!({})));
    }

    #[test]
    fn values_of_the_wrong_type_go_into_the_body_as_given() {
        let req = serialize_request(
            &rest_model(),
            "PutThing",
            &json!({"Bucket": "b", "Key": "k", "Name": 12, "Parts": {"Size": "x"}}),
        )
        .expect("ok");
        assert_eq!(req.body, SerializedBody::Json(json!({"name": 12, "Parts": {"Size": "x"}})));
    }

    #[test]
    fn unknown_members_are_errors_with_a_suggestion() {
        let err =
            serialize_request(&rest_model(), "PutThing", &json!({"Bucket": "b", "Key": "k", "Parts": [{"Sise": 1}]}))
                .expect_err("unknown");
        assert_eq!(err.to_string(), "PutThing: `Parts[0].Sise` is not a member of shape `Part`, did you mean `Size`?");
        let err = serialize_request(&rest_model(), "Nope", &json!({})).expect_err("unknown operation");
        assert_eq!(err.to_string(), "the model has no operation `Nope`");
        let err = serialize_request(&rest_model(), "PutThing", &json!({"Bucket": {"a": 1}, "Key": "k"}))
            .expect_err("object label");
        assert_eq!(err.to_string(), "PutThing: `Bucket`: a Str value is written as text, found an object");
    }

    #[test]
    fn json_protocol_posts_to_the_root_with_a_target_header() {
        let text = include_str!("../../tests/fixtures/models/json-bindings.json");
        let model = Model::parse(&serde_json::from_str(text).expect("JSON")).expect("parses");
        let req = serialize_request(
            &model,
            "PutItem",
            &json!({"Name": "n", "At": "2019-01-08T21:58:56Z", "Tags": {"k": "v"}}),
        )
        .expect("ok");
        assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", "/"));
        assert_eq!(
            req.headers,
            pairs(&[("X-Amz-Target", "Lexicons_20240101.PutItem"), ("Content-Type", "application/x-amz-json-1.1")])
        );
        assert_eq!(req.body, SerializedBody::Json(json!({"name": "n", "At": 1546984736, "Tags": {"k": "v"}})));
        let empty = serialize_request(&model, "PutItem", &json!({})).expect("ok");
        assert_eq!(empty.body, SerializedBody::Json(json!({})));
    }
}
