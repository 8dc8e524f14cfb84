//! The parts of an AWS JSON service model (the `botocore` format) that a
//! contract needs: shapes with their constraints, operations with their
//! routes, statuses and errors.

use std::collections::HashMap;

use regex::Regex;
use serde_json::Value;

/// A member of a structure.
#[derive(Debug, Clone)]
pub struct Member {
    /// Member name (the JSON key, unless `json_name` says otherwise).
    pub name: String,
    /// Name of the target shape.
    pub target: String,
    /// `uri`, `querystring`, `header`, `statusCode`...; `None` for body members.
    pub location: Option<String>,
    /// JSON key override.
    pub json_name: Option<String>,
    /// The wire name where it differs from the member name: the URI label,
    /// query parameter, header (or header prefix) name, or JSON key.
    pub location_name: Option<String>,
    /// The member's own `timestampFormat`, over its shape's.
    pub timestamp_format: Option<String>,
}

impl Member {
    /// The JSON key of the member.
    pub fn key(&self) -> &str {
        self.json_name.as_deref().unwrap_or(&self.name)
    }
}

/// What a shape is.
#[derive(Debug, Clone)]
pub enum ShapeKind {
    /// A structure.
    Structure {
        /// Members, in model order.
        members: Vec<Member>,
        /// Required member names.
        required: Vec<String>,
    },
    /// A list.
    List {
        /// Element shape.
        member: String,
        /// Minimum length.
        min: Option<u64>,
        /// Maximum length.
        max: Option<u64>,
    },
    /// A map.
    Map {
        /// Value shape.
        value: String,
    },
    /// A string.
    String {
        /// Allowed values.
        enumeration: Option<Vec<String>>,
        /// Whole-value pattern.
        pattern: Option<Regex>,
        /// Minimum length, in characters.
        min: Option<u64>,
        /// Maximum length, in characters.
        max: Option<u64>,
    },
    /// An integer or long.
    Integer {
        /// Minimum.
        min: Option<i64>,
        /// Maximum.
        max: Option<i64>,
    },
    /// A float or double.
    Float,
    /// A boolean.
    Boolean,
    /// A timestamp; `iso8601` format is a string, the rest-json default a number.
    Timestamp {
        /// The model's `timestampFormat`.
        format: Option<String>,
    },
    /// Anything else (blobs, documents): not checked.
    Other,
}

/// A shape.
#[derive(Debug, Clone)]
pub struct Shape {
    /// Its kind and constraints.
    pub kind: ShapeKind,
    /// Whether its values are secrets.
    pub sensitive: bool,
    /// For error shapes, the HTTP status.
    pub error_status: Option<u16>,
    /// The botocore type as written (`string`, `long`, `double`, `blob`...).
    pub type_name: String,
    /// `min` as written: a length for strings, lists and maps, a value for numbers.
    pub min: Option<serde_json::Number>,
    /// `max` as written, like `min`.
    pub max: Option<serde_json::Number>,
    /// A string's `pattern` as written (an ECMAScript regex, unanchored).
    pub pattern_source: Option<String>,
    /// For structures, the member bound to the whole HTTP body (`payload`).
    pub payload: Option<String>,
}

/// An operation.
#[derive(Debug, Clone)]
pub struct OperationDef {
    /// Its name.
    pub name: String,
    /// HTTP method.
    pub method: String,
    /// Path segments of the request URI; `{name}` segments are labels.
    pub path: Vec<String>,
    /// Literal query parameters of the request URI (`?operation=create`).
    pub query: Vec<(String, String)>,
    /// The documented success status.
    pub response_code: u16,
    /// Output shape.
    pub output: Option<String>,
    /// Error shape names.
    pub errors: Vec<String>,
    /// Input shape.
    pub input: Option<String>,
    /// The request URI as written, labels and all (`/v1/{Key+}?op=x`).
    pub request_uri: String,
}

/// The service-wide facts of a model (`metadata`).
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    /// `rest-json`, `json`, ...
    pub protocol: String,
    /// For `json`: the `X-Amz-Target` prefix.
    pub target_prefix: Option<String>,
    /// For `json`: `1.0` or `1.1`.
    pub json_version: Option<String>,
    /// The SigV4 signing name (`signingName`, else `endpointPrefix`).
    pub signing_name: Option<String>,
    /// `serviceId`.
    pub service_id: Option<String>,
    /// `apiVersion`.
    pub api_version: Option<String>,
}

/// A parsed service model.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Shapes by name.
    pub shapes: HashMap<String, Shape>,
    /// Operations by name.
    pub operations: HashMap<String, OperationDef>,
    /// Service-wide facts.
    pub metadata: Metadata,
}

fn u(v: &Value, k: &str) -> Option<u64> {
    v.get(k).and_then(Value::as_u64)
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

impl Model {
    /// Parses a model; the error says which shape or operation is wrong.
    pub fn parse(json: &Value) -> Result<Model, String> {
        let mut model = Model::default();
        let shapes = json.get("shapes").and_then(Value::as_object).ok_or("the model has no `shapes` object")?;
        for (name, v) in shapes {
            let kind = match s(v, "type").ok_or_else(|| format!("shape `{name}` has no `type`"))? {
                "structure" => {
                    let members = v
                        .get("members")
                        .and_then(Value::as_object)
                        .map(|m| {
                            m.iter()
                                .map(|(mname, mv)| {
                                    Ok(Member {
                                        name: mname.clone(),
                                        target: s(mv, "shape")
                                            .ok_or_else(|| format!("member `{name}.{mname}` has no `shape`"))?
                                            .to_owned(),
                                        location: s(mv, "location").map(str::to_owned),
                                        json_name: s(mv, "jsonName").map(str::to_owned),
                                        location_name: s(mv, "locationName").map(str::to_owned),
                                        timestamp_format: s(mv, "timestampFormat").map(str::to_owned),
                                    })
                                })
                                .collect::<Result<Vec<_>, String>>()
                        })
                        .transpose()?
                        .unwrap_or_default();
                    let required = v
                        .get("required")
                        .and_then(Value::as_array)
                        .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                        .unwrap_or_default();
                    ShapeKind::Structure { members, required }
                }
                "list" => ShapeKind::List {
                    member: v
                        .get("member")
                        .and_then(|m| s(m, "shape"))
                        .ok_or_else(|| format!("list `{name}` has no member shape"))?
                        .to_owned(),
                    min: u(v, "min"),
                    max: u(v, "max"),
                },
                "map" => {
                    ShapeKind::Map { value: v.get("value").and_then(|m| s(m, "shape")).unwrap_or_default().to_owned() }
                }
                "string" => ShapeKind::String {
                    enumeration: v
                        .get("enum")
                        .and_then(Value::as_array)
                        .map(|e| e.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
                    pattern: match s(v, "pattern") {
                        Some(p) => Some(
                            Regex::new(&format!("^(?s:{p})$"))
                                .map_err(|e| format!("shape `{name}` has an invalid pattern: {e}"))?,
                        ),
                        None => None,
                    },
                    min: u(v, "min"),
                    max: u(v, "max"),
                },
                "integer" | "long" => ShapeKind::Integer {
                    min: v.get("min").and_then(Value::as_i64),
                    max: v.get("max").and_then(Value::as_i64),
                },
                "float" | "double" => ShapeKind::Float,
                "boolean" => ShapeKind::Boolean,
                "timestamp" => ShapeKind::Timestamp { format: s(v, "timestampFormat").map(str::to_owned) },
                _ => ShapeKind::Other,
            };
            let error_status =
                v.get("error").and_then(|e| e.get("httpStatusCode")).and_then(Value::as_u64).map(|c| c as u16);
            let sensitive = v.get("sensitive").and_then(Value::as_bool).unwrap_or(false);
            let number = |k: &str| v.get(k).and_then(|n| n.as_number()).cloned();
            model.shapes.insert(
                name.clone(),
                Shape {
                    kind,
                    sensitive,
                    error_status,
                    type_name: s(v, "type").unwrap_or_default().to_owned(),
                    min: number("min"),
                    max: number("max"),
                    pattern_source: s(v, "pattern").map(str::to_owned),
                    payload: s(v, "payload").map(str::to_owned),
                },
            );
        }
        let ops = json.get("operations").and_then(Value::as_object).ok_or("the model has no `operations` object")?;
        for (name, v) in ops {
            let http = v.get("http").ok_or_else(|| format!("operation `{name}` has no `http`"))?;
            let uri = s(http, "requestUri").ok_or_else(|| format!("operation `{name}` has no `requestUri`"))?;
            let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
            let op = OperationDef {
                name: name.clone(),
                method: s(http, "method").ok_or_else(|| format!("operation `{name}` has no method"))?.to_owned(),
                path: path.trim_start_matches('/').split('/').map(str::to_owned).collect(),
                query: query
                    .split('&')
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let (k, v) = p.split_once('=').unwrap_or((p, ""));
                        (k.to_owned(), v.to_owned())
                    })
                    .collect(),
                response_code: u(http, "responseCode").map_or(200, |c| c as u16),
                output: v.get("output").and_then(|o| s(o, "shape")).map(str::to_owned),
                errors: v
                    .get("errors")
                    .and_then(Value::as_array)
                    .map(|e| e.iter().filter_map(|x| s(x, "shape")).map(str::to_owned).collect())
                    .unwrap_or_default(),
                input: v.get("input").and_then(|o| s(o, "shape")).map(str::to_owned),
                request_uri: uri.to_owned(),
            };
            for shape in op.output.iter().chain(&op.errors) {
                if !model.shapes.contains_key(shape) {
                    return Err(format!("operation `{name}` names shape `{shape}`, which the model lacks"));
                }
            }
            model.operations.insert(name.clone(), op);
        }
        if let Some(meta) = json.get("metadata") {
            model.metadata = Metadata {
                protocol: s(meta, "protocol").unwrap_or_default().to_owned(),
                target_prefix: s(meta, "targetPrefix").map(str::to_owned),
                json_version: s(meta, "jsonVersion").map(str::to_owned),
                signing_name: s(meta, "signingName").or_else(|| s(meta, "endpointPrefix")).map(str::to_owned),
                service_id: s(meta, "serviceId").map(str::to_owned),
                api_version: s(meta, "apiVersion").map(str::to_owned),
            };
        }
        Ok(model)
    }

    /// Names of the members whose shape is sensitive (in any structure).
    pub fn sensitive_members(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .shapes
            .values()
            .filter_map(|s| match &s.kind {
                ShapeKind::Structure { members, .. } => Some(members),
                _ => None,
            })
            .flatten()
            .filter(|m| self.shapes.get(&m.target).is_some_and(|t| t.sensitive))
            .map(|m| m.key().to_owned())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The operation a request is, by method, path and the literal query
    /// parameters of the routes. A request whose query carries a routing
    /// parameter (one that some route of the same path fixes, such as
    /// `operation`) must match that route's value exactly; otherwise it is
    /// no documented operation.
    pub fn identify(&self, method: &str, path: &str, query: &[(String, String)]) -> Option<&OperationDef> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let candidates: Vec<&OperationDef> = self
            .operations
            .values()
            .filter(|op| op.method.eq_ignore_ascii_case(method) && path_matches(&op.path, &segments))
            .collect();
        let routing_keys: Vec<&str> =
            candidates.iter().flat_map(|op| op.query.iter().map(|(k, _)| k.as_str())).collect();
        candidates
            .into_iter()
            .filter(|op| {
                op.query.iter().all(|(k, v)| query.iter().any(|(qk, qv)| qk == k && qv == v))
                    && query
                        .iter()
                        .filter(|(k, _)| routing_keys.contains(&k.as_str()))
                        .all(|(k, v)| op.query.iter().any(|(ok, ov)| ok == k && ov == v))
            })
            .max_by_key(|op| op.query.len())
    }
}

fn path_matches(template: &[String], segments: &[&str]) -> bool {
    template.len() == segments.len()
        && template
            .iter()
            .zip(segments)
            .all(|(t, s)| if t.starts_with('{') && t.ends_with('}') { !s.is_empty() } else { t == s })
}
