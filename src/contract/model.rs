//! The parts of an AWS JSON service model (the `botocore` format) that a
//! contract needs: shapes with their constraints, operations with their
//! routes, statuses and errors.

use std::collections::HashMap;

use serde_json::Value;

pub use super::pattern::Pattern;

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
    /// XML: the member is an attribute of its parent element (`xmlAttribute`).
    pub xml_attribute: bool,
    /// XML: the namespace declared on the member's element (`xmlNamespace`).
    pub xml_namespace: Option<XmlNamespace>,
    /// ec2: the query key (`queryName`), over the capitalized `locationName`.
    pub query_name: Option<String>,
    /// XML and query: a list or map member written without a wrapper element
    /// (`flattened` on the member; the shape may say it too).
    pub flattened: bool,
    /// Filled with a fresh UUID by the SDKs when absent (`idempotencyToken`).
    pub idempotency_token: bool,
    /// Part of the host prefix (`hostLabel`).
    pub host_label: bool,
    /// A header holding the base64 of a JSON text (`jsonvalue`).
    pub json_value: bool,
    /// Event streams: the member is the event's payload (`eventpayload`).
    pub event_payload: bool,
}

/// An XML namespace: the `xmlns` (or `xmlns:prefix`) attribute an element carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlNamespace {
    /// The prefix, if any (`xmlns:prefix`).
    pub prefix: Option<String>,
    /// The namespace URI.
    pub uri: String,
}

impl XmlNamespace {
    fn parse(v: Option<&Value>) -> Option<XmlNamespace> {
        match v? {
            Value::String(uri) => Some(XmlNamespace { prefix: None, uri: uri.clone() }),
            Value::Object(o) => Some(XmlNamespace {
                prefix: o.get("prefix").and_then(Value::as_str).map(str::to_owned),
                uri: o.get("uri").and_then(Value::as_str).unwrap_or_default().to_owned(),
            }),
            _ => None,
        }
    }
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
        /// A union (`"union": true`): exactly one member is set.
        union: bool,
    },
    /// A list.
    List {
        /// Element shape.
        member: String,
        /// XML and query: the name of each element (`member.locationName`),
        /// `member` when the model names none.
        member_name: Option<String>,
        /// Minimum length.
        min: Option<u64>,
        /// Maximum length.
        max: Option<u64>,
    },
    /// A map.
    Map {
        /// Key shape (a string shape; its length, pattern and enum bind
        /// the keys). Empty when the model names none.
        key: String,
        /// Value shape.
        value: String,
        /// XML and query: the names of an entry's key and value elements
        /// (`key`/`value` when the model names none).
        key_name: Option<String>,
        /// See `key_name`.
        value_name: Option<String>,
        /// Minimum number of entries.
        min: Option<u64>,
        /// Maximum number of entries.
        max: Option<u64>,
    },
    /// A string.
    String {
        /// Allowed values.
        enumeration: Option<Vec<String>>,
        /// The model's pattern (ECMA-262, not anchored).
        pattern: Option<Pattern>,
        /// Minimum length, in characters.
        min: Option<u64>,
        /// Maximum length, in characters.
        max: Option<u64>,
    },
    /// A `byte`, `short`, `integer` or `long`.
    /// Its range (`min`, `max`) is the shape's, as written.
    Integer {
        /// The width in bits (8, 16, 32, 64): a value outside it is one no
        /// SDK reads into the member's type.
        bits: u32,
    },
    /// A float or double. Its range (`min`, `max`) is the shape's, as written.
    Float,
    /// A boolean.
    Boolean,
    /// A timestamp; `iso8601` format is a string, the rest-json default a number.
    Timestamp {
        /// The model's `timestampFormat`.
        format: Option<String>,
    },
    /// A blob: in the JSON protocols, a base64 string.
    Blob,
    /// Anything else (documents): not checked.
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
    /// XML and query: lists and maps written without a wrapper element.
    pub flattened: bool,
    /// XML: the element name of the shape (`locationName` on the shape).
    pub xml_name: Option<String>,
    /// XML: the namespace the shape's element declares.
    pub xml_namespace: Option<XmlNamespace>,
    /// A document type (`"document": true`): any JSON value.
    pub document: bool,
    /// An event stream (`"eventstream": true`).
    pub event_stream: bool,
    /// A streaming blob (`"streaming": true`): the raw body.
    pub streaming: bool,
    /// For errors: the code the query protocols (and awsQueryCompatible
    /// services) send, where it differs from the shape name (`error.code`).
    pub error_code: Option<String>,
    /// Whether the shape is an error (`exception` or `error`).
    pub is_error: bool,
    /// Whether a list or map may hold nulls (`sparse`).
    pub sparse: bool,
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
    /// Input shape.
    pub input: Option<String>,
    /// Output shape.
    pub output: Option<String>,
    /// Error shape names.
    pub errors: Vec<String>,
    /// The request URI as written, labels and all (`/v1/{Key+}?op=x`).
    pub request_uri: String,
    /// The host prefix the SDKs put before the endpoint's host
    /// (`endpoint.hostPrefix`, labels as `{Name}`).
    pub host_prefix: Option<String>,
    /// A checksum of the body is required (`httpChecksumRequired`, or
    /// `httpChecksum.requestChecksumRequired`).
    pub checksum_required: bool,
    /// The member naming the flexible checksum algorithm
    /// (`httpChecksum.requestAlgorithmMember`).
    pub checksum_algorithm_member: Option<String>,
    /// Encodings the SDKs compress the body with (`requestcompression`).
    pub request_compression: Vec<String>,
    /// The body is sent unsigned (`unsignedPayload`, `authtype: v4-unsigned-body`).
    pub unsigned_payload: bool,
    /// The input's payload member named on the operation's input reference
    /// (older models), when the shape names none.
    pub input_payload: Option<String>,
    /// rest-xml: the root element of the input body, with its namespace
    /// (`input.locationName`, `input.xmlNamespace`).
    pub input_xml: Option<(String, Option<XmlNamespace>)>,
    /// query: the element wrapping the output (`output.resultWrapper`).
    pub result_wrapper: Option<String>,
    /// Whether the operation is documented (not `deprecated`).
    pub deprecated: bool,
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
    /// Every protocol the model lists, in its order (`protocols`, else `protocol`).
    pub protocols: Vec<String>,
    /// `awsQueryCompatible`: an awsJson or CBOR service that also answers
    /// its query error codes (`x-amzn-query-error`).
    pub aws_query_compatible: bool,
    /// The XML namespace of the service (`xmlNamespace`).
    pub xml_namespace: Option<String>,
    /// `apiVersion`: query and ec2 requests send it as `Version`.
    pub api_version: Option<String>,
    /// `endpointPrefix`.
    pub endpoint_prefix: Option<String>,
    /// `serviceId`.
    pub service_id: Option<String>,
    /// `checksumFormat` (`md5` or `sha256`; S3 names none and uses MD5).
    pub checksum_format: Option<String>,
}

/// The wire protocol of a model (`metadata.protocol`, or one of
/// `metadata.protocols`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// `rest-json`: routed by method, URI template and routing query.
    #[default]
    RestJson,
    /// `json` (awsJson1.0/1.1): `POST /`, routed by `X-Amz-Target`.
    Json,
    /// `rest-xml`: routed like rest-json, XML bodies.
    RestXml,
    /// `query` (awsQuery): a form `POST /` with `Action` and `Version`, XML answers.
    Query,
    /// `ec2`: query with ec2's key names and error envelope.
    Ec2,
    /// `smithy-rpc-v2-cbor`: `POST /service/{Service}/operation/{Op}`, CBOR bodies.
    Cbor,
}

impl Protocol {
    /// Every protocol, in botocore's order of preference: the one it
    /// speaks to a model that lists several is the first listed here.
    pub const BOTOCORE_PRIORITY: [Protocol; 6] =
        [Protocol::Json, Protocol::RestJson, Protocol::RestXml, Protocol::Cbor, Protocol::Query, Protocol::Ec2];

    /// The name botocore gives the protocol.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::RestJson => "rest-json",
            Protocol::Json => "json",
            Protocol::RestXml => "rest-xml",
            Protocol::Query => "query",
            Protocol::Ec2 => "ec2",
            Protocol::Cbor => "smithy-rpc-v2-cbor",
        }
    }

    /// The protocol botocore names `name`.
    pub fn from_name(name: &str) -> Option<Protocol> {
        Protocol::BOTOCORE_PRIORITY.into_iter().find(|p| p.name() == name)
    }

    /// Whether bodies are XML (responses) or forms (query and ec2 requests).
    pub fn is_xml(self) -> bool {
        matches!(self, Protocol::RestXml | Protocol::Query | Protocol::Ec2)
    }

    /// Whether requests are routed by method and URI template.
    pub fn is_rest(self) -> bool {
        matches!(self, Protocol::RestJson | Protocol::RestXml)
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A parsed service model.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// The wire protocol.
    pub(crate) protocol: Protocol,
    /// `metadata.targetPrefix`: the `X-Amz-Target` prefix of a `json` model.
    pub(crate) target_prefix: Option<String>,
    /// `metadata.jsonVersion` (`1.0` or `1.1`) of a `json` model.
    pub(crate) json_version: Option<String>,
    /// Shapes by name.
    pub(crate) shapes: HashMap<String, Shape>,
    /// Operations by name.
    pub(crate) operations: HashMap<String, OperationDef>,
    /// Service-wide facts.
    pub(crate) metadata: Metadata,
}

fn u(v: &Value, k: &str) -> Option<u64> {
    v.get(k).and_then(Value::as_u64)
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

impl Model {
    /// Parses a model, speaking the protocol botocore picks among those it
    /// lists ([`Protocol::BOTOCORE_PRIORITY`]). Every problem is reported,
    /// each naming its shape, member or operation.
    pub fn parse(json: &Value) -> Result<Model, super::ContractError> {
        Model::parse_speaking(json, None)
    }

    /// Parses a model, speaking `protocol` (which the model must list), or
    /// the protocol botocore picks when `None`.
    pub fn parse_speaking(json: &Value, protocol: Option<&str>) -> Result<Model, super::ContractError> {
        let mut model = Model::default();
        let mut problems = Vec::new();
        let metadata = json.get("metadata");
        let listed: Vec<String> = match metadata.and_then(|m| m.get("protocols")).and_then(Value::as_array) {
            Some(list) if !list.is_empty() => list.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => metadata.and_then(|m| s(m, "protocol")).map(str::to_owned).into_iter().collect(),
        };
        model.protocol = match protocol {
            Some(name) => match (Protocol::from_name(name), listed.iter().any(|l| l == name) || listed.is_empty()) {
                (Some(p), true) => p,
                (Some(_), false) => {
                    problems.push(format!(
                        "the model does not list the protocol `{name}` (it lists {})",
                        listed.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ")
                    ));
                    Protocol::RestJson
                }
                (None, _) => {
                    problems.push(format!("`{name}` is no AWS protocol (known: {})", known_protocols()));
                    Protocol::RestJson
                }
            },
            None => match Protocol::BOTOCORE_PRIORITY.into_iter().find(|p| listed.iter().any(|l| l == p.name())) {
                Some(p) => p,
                None if listed.is_empty() => Protocol::RestJson,
                None => {
                    problems.push(format!(
                        "the model lists no protocol conform speaks ({}; known: {})",
                        listed.join(", "),
                        known_protocols()
                    ));
                    Protocol::RestJson
                }
            },
        };
        model.target_prefix = metadata.and_then(|m| s(m, "targetPrefix")).map(str::to_owned);
        model.json_version = metadata.and_then(|m| s(m, "jsonVersion")).map(str::to_owned);
        let Some(shapes) = json.get("shapes").and_then(Value::as_object) else {
            return Err(super::ContractError::new(vec!["the model has no `shapes` object".to_owned()]));
        };
        for (name, v) in shapes {
            match parse_shape(name, v) {
                Ok(shape) => {
                    model.shapes.insert(name.clone(), shape);
                }
                Err(mut e) => problems.append(&mut e),
            }
        }
        if let Some(meta) = json.get("metadata") {
            model.metadata = Metadata {
                protocol: s(meta, "protocol").unwrap_or_default().to_owned(),
                target_prefix: s(meta, "targetPrefix").map(str::to_owned),
                json_version: s(meta, "jsonVersion").map(str::to_owned),
                signing_name: s(meta, "signingName").or_else(|| s(meta, "endpointPrefix")).map(str::to_owned),
                protocols: listed,
                aws_query_compatible: meta.get("awsQueryCompatible").is_some(),
                xml_namespace: s(meta, "xmlNamespace").map(str::to_owned),
                api_version: s(meta, "apiVersion").map(str::to_owned),
                endpoint_prefix: s(meta, "endpointPrefix").map(str::to_owned),
                service_id: s(meta, "serviceId").map(str::to_owned),
                checksum_format: s(meta, "checksumFormat").map(str::to_owned),
            };
        }
        let Some(ops) = json.get("operations").and_then(Value::as_object) else {
            problems.push("the model has no `operations` object".to_owned());
            return Err(super::ContractError::new(problems));
        };
        for (name, v) in ops {
            match parse_operation(name, v, &model) {
                Ok(op) => {
                    model.operations.insert(name.clone(), op);
                }
                Err(mut e) => problems.append(&mut e),
            }
        }
        if matches!(model.protocol, Protocol::Json | Protocol::Cbor) && model.target_prefix.is_none() {
            problems.push(format!(
                "a `{}` model needs `metadata.targetPrefix` (for {})",
                model.protocol,
                if model.protocol == Protocol::Json { "`X-Amz-Target`" } else { "the request path" }
            ));
        }
        if problems.is_empty() { Ok(model) } else { Err(super::ContractError::new(problems)) }
    }

    /// The protocol conform speaks to the service.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Every protocol the model lists, in its order.
    pub fn protocols(&self) -> &[String] {
        &self.metadata.protocols
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

    /// The operation a request is. For `rest-json`: by method, path and the
    /// literal query parameters of the routes; a request whose query carries
    /// a routing parameter (one that some route of the same path fixes, such
    /// as `operation`) must match that route's value exactly. For `json`: by
    /// `X-Amz-Target: <targetPrefix>.<Operation>` on a `POST`.
    pub(crate) fn identify(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        amz_target: Option<&str>,
    ) -> Option<&OperationDef> {
        match self.protocol {
            Protocol::Json => {
                let prefix = self.target_prefix.as_deref()?;
                let name = amz_target?.trim().strip_prefix(prefix)?.strip_prefix('.')?;
                return self.operations.get(name).filter(|_| method.eq_ignore_ascii_case("POST"));
            }
            Protocol::Query | Protocol::Ec2 => {
                // `Action` in the query (GET) or the form body: the caller
                // passes the body's pairs in `query`.
                let action = query.iter().find(|(k, _)| k == "Action").map(|(_, v)| v.as_str())?;
                return self.operations.get(action);
            }
            Protocol::Cbor => {
                // `/service/{ServiceName}/operation/{OperationName}`, after any base path.
                let rest = path.rsplit_once("/service/")?.1;
                let (_, name) = rest.split_once("/operation/")?;
                return self.operations.get(name).filter(|_| method.eq_ignore_ascii_case("POST"));
            }
            Protocol::RestJson | Protocol::RestXml => {}
        }
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
            // The most specific route: most routing parameters, then most
            // literal segments (`/a/b` before `/a/{x}`).
            .max_by_key(|op| (op.query.len(), op.path.iter().filter(|t| !t.starts_with('{')).count()))
    }
}

fn known_protocols() -> String {
    Protocol::BOTOCORE_PRIORITY.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
}

fn flag(v: &Value, k: &str) -> bool {
    v.get(k).and_then(Value::as_bool).unwrap_or(false)
}

fn parse_member(shape: &str, name: &str, v: &Value) -> Result<Member, String> {
    Ok(Member {
        name: name.to_owned(),
        target: s(v, "shape").ok_or_else(|| format!("member `{shape}.{name}` has no `shape`"))?.to_owned(),
        location: s(v, "location").map(str::to_owned),
        json_name: s(v, "jsonName").map(str::to_owned),
        location_name: s(v, "locationName").map(str::to_owned),
        timestamp_format: s(v, "timestampFormat").map(str::to_owned),
        xml_attribute: flag(v, "xmlAttribute"),
        xml_namespace: XmlNamespace::parse(v.get("xmlNamespace")),
        query_name: s(v, "queryName").map(str::to_owned),
        flattened: flag(v, "flattened"),
        idempotency_token: flag(v, "idempotencyToken"),
        host_label: flag(v, "hostLabel"),
        json_value: flag(v, "jsonvalue"),
        event_payload: flag(v, "eventpayload"),
    })
}

fn parse_shape(name: &str, v: &Value) -> Result<Shape, Vec<String>> {
    let mut problems = Vec::new();
    let Some(kind) = s(v, "type") else { return Err(vec![format!("shape `{name}` has no `type`")]) };
    let kind = match kind {
        "structure" => {
            let mut members = Vec::new();
            for (mname, mv) in v.get("members").and_then(Value::as_object).into_iter().flatten() {
                match parse_member(name, mname, mv) {
                    Ok(m) => members.push(m),
                    Err(e) => problems.push(e),
                }
            }
            let required = v
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            ShapeKind::Structure { members, required, union: v.get("union").and_then(Value::as_bool).unwrap_or(false) }
        }
        "list" => match v.get("member").and_then(|m| s(m, "shape")) {
            Some(member) => ShapeKind::List {
                member: member.to_owned(),
                member_name: v.get("member").and_then(|m| s(m, "locationName")).map(str::to_owned),
                min: u(v, "min"),
                max: u(v, "max"),
            },
            None => return Err(vec![format!("list `{name}` has no member shape")]),
        },
        "map" => ShapeKind::Map {
            key: v.get("key").and_then(|m| s(m, "shape")).unwrap_or_default().to_owned(),
            value: v.get("value").and_then(|m| s(m, "shape")).unwrap_or_default().to_owned(),
            key_name: v.get("key").and_then(|m| s(m, "locationName")).map(str::to_owned),
            value_name: v.get("value").and_then(|m| s(m, "locationName")).map(str::to_owned),
            min: u(v, "min"),
            max: u(v, "max"),
        },
        "string" => ShapeKind::String {
            enumeration: v
                .get("enum")
                .and_then(Value::as_array)
                .map(|e| e.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
            // A pattern no engine reads loads, and checks nothing (a note
            // on each value, never a divergence).
            pattern: s(v, "pattern").map(Pattern::lenient),
            min: u(v, "min"),
            max: u(v, "max"),
        },
        "byte" | "short" | "integer" | "long" => ShapeKind::Integer {
            bits: match kind {
                "byte" => 8,
                "short" => 16,
                "integer" => 32,
                _ => 64,
            },
        },
        "float" | "double" => ShapeKind::Float,
        "boolean" => ShapeKind::Boolean,
        "timestamp" => ShapeKind::Timestamp { format: s(v, "timestampFormat").map(str::to_owned) },
        "blob" => ShapeKind::Blob,
        _ => ShapeKind::Other,
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let error_status = v.get("error").and_then(|e| e.get("httpStatusCode")).and_then(Value::as_u64).map(|c| c as u16);
    let sensitive = v.get("sensitive").and_then(Value::as_bool).unwrap_or(false);
    let number = |k: &str| v.get(k).and_then(|n| n.as_number()).cloned();
    Ok(Shape {
        kind,
        sensitive,
        error_status,
        type_name: s(v, "type").unwrap_or_default().to_owned(),
        min: number("min"),
        max: number("max"),
        pattern_source: s(v, "pattern").map(str::to_owned),
        payload: s(v, "payload").map(str::to_owned),
        flattened: flag(v, "flattened"),
        xml_name: s(v, "locationName").map(str::to_owned),
        xml_namespace: XmlNamespace::parse(v.get("xmlNamespace")),
        document: flag(v, "document"),
        event_stream: flag(v, "eventstream"),
        streaming: flag(v, "streaming"),
        error_code: v.get("error").and_then(|e| s(e, "code")).map(str::to_owned),
        is_error: flag(v, "exception") || v.get("error").is_some(),
        sparse: flag(v, "sparse"),
    })
}

fn parse_operation(name: &str, v: &Value, model: &Model) -> Result<OperationDef, Vec<String>> {
    let mut problems = Vec::new();
    let http = v.get("http");
    // A `json` model routes by `X-Amz-Target`; its `http` is `POST /` when present.
    let (method, uri) = match (http.and_then(|h| s(h, "method")), http.and_then(|h| s(h, "requestUri"))) {
        (Some(m), Some(u)) => (m, u),
        _ if !model.protocol.is_rest() => ("POST", "/"),
        _ => return Err(vec![format!("operation `{name}` has no `http` method and `requestUri`")]),
    };
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let op = OperationDef {
        name: name.to_owned(),
        method: method.to_owned(),
        path: path.trim_start_matches('/').split('/').map(str::to_owned).collect(),
        query: query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect(),
        response_code: http.and_then(|h| u(h, "responseCode")).map_or(200, |c| c as u16),
        input: v.get("input").and_then(|o| s(o, "shape")).map(str::to_owned),
        request_uri: uri.to_owned(),
        output: v.get("output").and_then(|o| s(o, "shape")).map(str::to_owned),
        errors: v
            .get("errors")
            .and_then(Value::as_array)
            .map(|e| e.iter().filter_map(|x| s(x, "shape")).map(str::to_owned).collect())
            .unwrap_or_default(),
        host_prefix: v.get("endpoint").and_then(|e| s(e, "hostPrefix")).map(str::to_owned),
        checksum_required: flag(v, "httpChecksumRequired")
            || v.get("httpChecksum").is_some_and(|c| flag(c, "requestChecksumRequired")),
        checksum_algorithm_member: v
            .get("httpChecksum")
            .and_then(|c| s(c, "requestAlgorithmMember"))
            .map(str::to_owned),
        request_compression: v
            .get("requestcompression")
            .and_then(|c| c.get("encodings"))
            .and_then(Value::as_array)
            .map(|e| e.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default(),
        unsigned_payload: flag(v, "unsignedPayload") || s(v, "authtype") == Some("v4-unsigned-body"),
        input_payload: v.get("input").and_then(|i| s(i, "payload")).map(str::to_owned),
        input_xml: v
            .get("input")
            .and_then(|i| Some((s(i, "locationName")?.to_owned(), XmlNamespace::parse(i.get("xmlNamespace"))))),
        result_wrapper: v.get("output").and_then(|o| s(o, "resultWrapper")).map(str::to_owned),
        deprecated: flag(v, "deprecated"),
    };
    for shape in op.input.iter().chain(&op.output).chain(&op.errors) {
        if !model.shapes.contains_key(shape) {
            problems.push(format!("operation `{name}` names shape `{shape}`, which the model lacks"));
        }
    }
    if problems.is_empty() { Ok(op) } else { Err(problems) }
}

/// Whether path segments fit a URI template: `{Label}` takes one non-empty
/// segment, a greedy `{Label+}` one or more.
fn path_matches(template: &[String], segments: &[&str]) -> bool {
    let fits = |t: &String, s: &&str| if t.starts_with('{') && t.ends_with('}') { !s.is_empty() } else { t == *s };
    match template.iter().position(|t| t.starts_with('{') && t.ends_with("+}")) {
        None => template.len() == segments.len() && template.iter().zip(segments).all(|(t, s)| fits(t, s)),
        Some(g) => {
            let after = template.len() - g - 1;
            segments.len() >= template.len()
                && template[..g].iter().zip(segments).all(|(t, s)| fits(t, s))
                && template[g + 1..].iter().zip(&segments[segments.len() - after..]).all(|(t, s)| fits(t, s))
                && segments[g..segments.len() - after].iter().all(|s| !s.is_empty())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn look_around_patterns_load_and_are_enforced_both_ways() {
        // A botocore-style pattern with a negative look-ahead, which the
        // `regex` crate refuses: no `..` anywhere, not anchored by itself.
        let p = Pattern::new(r"^(?!.*\.\.)[a-z.]+$").expect("ECMA-262 pattern");
        assert!(p.is_match("a.b"));
        assert!(!p.is_match("a..b"));
        assert!(!p.is_match("A"));
        // Not anchored: a pattern without ^$ matches anywhere.
        assert!(Pattern::new(r"\d").expect("pattern").is_match("abc1"));
        // Surrogate pairs in a pattern are characters: astral ranges work.
        let p = Pattern::new(r"^[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF]*$").expect("pattern");
        assert!(p.is_match("emoji 🎉 ok"));
        assert!(!p.is_match("bell \u{7}"));
    }

    #[test]
    fn every_problem_of_a_model_is_reported_at_once() {
        let model = json!({
            "metadata": {"protocol": "rest-json"},
            "shapes": {
                "A": {"type": "string", "pattern": "(unclosed"},
                "B": {"type": "structure", "members": {"x": {}}},
                "C": {"type": "list"},
                "D": {"type": "string", "pattern": "^ok$"}
            },
            "operations": {"Op": {"http": {"method": "GET", "requestUri": "/"}, "output": {"shape": "Missing"}}}
        });
        let problems = Model::parse(&model).expect_err("three problems").problems;
        // An invalid pattern is not one: it loads and checks nothing.
        assert_eq!(problems.len(), 3, "{problems:#?}");
        for needle in ["member `B.x` has no `shape`", "list `C`", "shape `Missing`"] {
            assert!(problems.iter().any(|p| p.contains(needle)), "{needle}: {problems:#?}");
        }
    }

    #[test]
    fn greedy_labels_take_one_or_more_segments() {
        let t = |s: &str| s.trim_start_matches('/').split('/').map(str::to_owned).collect::<Vec<_>>();
        let template = t("/buckets/{Bucket}/objects/{Key+}/acl");
        assert!(path_matches(&template, &["buckets", "b", "objects", "k", "acl"]));
        assert!(path_matches(&template, &["buckets", "b", "objects", "a", "b", "c", "acl"]));
        assert!(!path_matches(&template, &["buckets", "b", "objects", "acl"]));
        assert!(!path_matches(&template, &["buckets", "b", "objects", "k", "other"]));
    }

    #[test]
    fn json_protocol_routes_by_x_amz_target() {
        let model = json!({
            "metadata": {"protocol": "json", "targetPrefix": "Svc_2020", "jsonVersion": "1.1"},
            "shapes": {"In": {"type": "structure", "members": {}}},
            "operations": {
                "ListThings": {"http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "In"}},
                "GetThing": {"input": {"shape": "In"}}
            }
        });
        let m = Model::parse(&model).expect("a json model");
        assert_eq!(m.identify("POST", "/", &[], Some("Svc_2020.GetThing")).map(|o| o.name.as_str()), Some("GetThing"));
        assert!(m.identify("POST", "/", &[], Some("Other.GetThing")).is_none());
        assert!(m.identify("POST", "/", &[], None).is_none());
        assert!(m.identify("GET", "/", &[], Some("Svc_2020.ListThings")).is_none());
    }
}
