//! JSON Schemas of the three file kinds (case files, `suite.toml`,
//! `contract.toml`), for editors (completion, hover docs, errors as you
//! type) and validators. `conform schema case|suite|contract` prints them.
//!
//! The loader reads files into types whose values keep source spans
//! (`Spanned`, [`Node`](super::tree::Node)), which say nothing about what
//! a value may be. The types here mirror them, key for key, with the
//! value types the loader accepts and a description of each key; the
//! schemas are generated from these types with schemars. A test holds
//! the keys of each mirror to the keys serde accepts for the type it
//! mirrors, so a key added to the format without its schema fails the
//! build's tests. The schema checks structure (keys, types, enums,
//! ranges); the loader still checks meaning (templates, regexes, the
//! contract's operations) and gives located errors.

#![expect(dead_code, reason = "the mirror types exist for their schemas; nothing constructs or reads them")]

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

/// The file kinds that have a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A case file.
    Case,
    /// `suite.toml`.
    Suite,
    /// `contract.toml`.
    Contract,
}

impl FileKind {
    /// Every kind, with the file name of its committed schema.
    pub const ALL: [(FileKind, &'static str); 3] = [
        (FileKind::Case, "case.schema.json"),
        (FileKind::Suite, "suite.schema.json"),
        (FileKind::Contract, "contract.schema.json"),
    ];
}

/// The JSON Schema (draft 2020-12) of a file kind, as pretty JSON with a
/// final newline.
pub fn json_schema(kind: FileKind) -> String {
    let schema = match kind {
        FileKind::Case => schemars::schema_for!(CaseFile),
        FileKind::Suite => schemars::schema_for!(SuiteFile),
        FileKind::Contract => schemars::schema_for!(ContractFile),
    };
    let mut value = schema.to_value();
    drop_null(&mut value);
    // A step names its request one way or the other.
    if let Some(step) = value.pointer_mut("/$defs/StepTable").and_then(Value::as_object_mut) {
        step.insert("anyOf".into(), serde_json::json!([{"required": ["method", "path"]}, {"required": ["operation"]}]));
    }
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// TOML has no null (a key left out is how a file says "none"), so the
/// `null` schemars adds for each `Option` is taken out again.
fn drop_null(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(any)) = map.get_mut("anyOf") {
                any.retain(|s| s.get("type").is_none_or(|t| t != "null"));
                if any.len() == 1 {
                    let only = any.remove(0);
                    map.remove("anyOf");
                    if let Value::Object(inner) = only {
                        map.extend(inner);
                    }
                }
            }
            map.values_mut().for_each(drop_null);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}

/// A string that may hold `{{variables}}`.
struct Templated;

impl JsonSchema for Templated {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Templated".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "Text; `{{name}}` is replaced by the variable `name` (a case's, a suite's, a capture's or one given with --var)."
        })
    }
}

/// A header or query value: a string (templates allowed), an integer or a boolean.
struct Scalar;

impl JsonSchema for Scalar {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Scalar".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A string (`{{variables}}` allowed), an integer or a boolean; sent as text.",
            "type": ["string", "integer", "boolean"]
        })
    }
}

/// `expect.status`.
struct StatusExpect;

impl JsonSchema for StatusExpect {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Status".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The expected status, or a list of accepted statuses.",
            "oneOf": [
                {"type": "integer", "minimum": 100, "maximum": 599},
                {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 100, "maximum": 599}}
            ]
        })
    }
}

/// `sign`.
struct Sign;

impl JsonSchema for Sign {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Sign".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let modes: Vec<&str> = super::model::SignMode::NAMED.iter().map(|(k, _)| *k).collect();
        json_schema!({
            "description": "`true` (signed, the default), `false` (unsigned), or a deliberate mis-signing.",
            "oneOf": [{"type": "boolean"}, {"enum": modes}]
        })
    }
}

/// A header expectation.
struct HeaderExpect;

impl JsonSchema for HeaderExpect {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HeaderExpect".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The exact value (`{{variables}}` allowed), `{ regex = \"...\" }`, `{ present = true }` or `{ absent = true }`.",
            "oneOf": [
                {"type": "string"},
                {"type": "object", "properties": {"regex": {"type": "string"}}, "required": ["regex"], "additionalProperties": false},
                {"type": "object", "properties": {"present": {"const": true}}, "required": ["present"], "additionalProperties": false},
                {"type": "object", "properties": {"absent": {"const": true}}, "required": ["absent"], "additionalProperties": false}
            ]
        })
    }
}

/// `expect.text`.
struct TextExpect;

impl JsonSchema for TextExpect {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TextExpect".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The exact body (`{{variables}}` allowed) or `{ regex = \"...\" }`.",
            "oneOf": [
                {"type": "string"},
                {"type": "object", "properties": {"regex": {"type": "string"}}, "required": ["regex"], "additionalProperties": false}
            ]
        })
    }
}

/// `expect.error`.
struct ErrorExpect;

impl JsonSchema for ErrorExpect {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ErrorExpect".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The AWS error type, as SDKs read it, or a list of accepted ones.",
            "oneOf": [
                {"type": "string", "minLength": 1},
                {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}
            ]
        })
    }
}

/// `for_each`.
struct ForEach;

impl JsonSchema for ForEach {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ForEach".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Run the step once per element: a literal list, or a list variable (`\"{{users}}\"`); `{{item}}` is the element.",
            "type": ["array", "string"]
        })
    }
}

/// A case file: one or more `[[case]]` tables.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "conform case file")]
pub struct CaseFile {
    /// The cases of the file, each a `[[case]]` table.
    #[serde(default)]
    pub case: Vec<CaseTable>,
}

/// One test case: setup, steps and teardown, with the expectations.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseTable {
    /// Required. The case's name; its id is the file path and this name, slugged.
    pub name: String,
    /// Free text: what the case checks and why.
    pub description: Option<String>,
    /// Ids of the documented statements (in the suite's contract.toml) the case checks.
    pub covers: Option<Vec<String>>,
    /// Tags, for `--tag`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Capabilities the target must declare (`--capability`); otherwise the case is skipped.
    #[serde(default)]
    pub requires: Vec<String>,
    /// A reason to always skip the case.
    pub skip: Option<String>,
    /// Objects in expectations are strict (`true`, the default: undocumented members diverge) or lenient.
    pub strict: Option<bool>,
    /// Run alone, after the other cases (it changes state they share, such as fault rules).
    pub exclusive: Option<bool>,
    /// Variables for this case, over the suite's: any TOML value.
    pub vars: Option<BTreeMap<String, Value>>,
    /// Steps that provision what the case needs; a failure makes the case errored.
    #[serde(default)]
    pub setup: Vec<StepTable>,
    /// The steps under test, in order.
    #[serde(default)]
    pub step: Vec<StepTable>,
    /// Steps that clean up; they run even when a step failed.
    #[serde(default)]
    pub teardown: Vec<StepTable>,
}

/// One step: a request (method and path, or an operation and its input) and its expectation.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepTable {
    /// A label (default `step N`, `setup N`, `teardown N`).
    pub name: Option<String>,
    /// The HTTP method (`GET`, `POST`, ...); required unless `operation` is given.
    #[schemars(with = "Option<Templated>")]
    pub method: Option<()>,
    /// The path, starting with `/`, joined to the target's base URL; required unless `operation` is given.
    #[schemars(with = "Option<Templated>")]
    pub path: Option<()>,
    /// Instead of `method`, `path` and a body: an operation of the suite's contract model.
    pub operation: Option<String>,
    /// With `operation`: its input, JSON in the model's input shape (the member names boto3 takes).
    pub input: Option<BTreeMap<String, Value>>,
    /// Query parameters, percent-encoded for you.
    #[schemars(with = "Option<BTreeMap<String, Scalar>>")]
    pub query: Option<()>,
    /// Request headers.
    #[schemars(with = "Option<BTreeMap<String, Scalar>>")]
    pub headers: Option<()>,
    /// A body written as TOML, sent as JSON (`content-type: application/json` unless a header says otherwise).
    pub json: Option<Value>,
    /// A raw body, sent as is (for malformed JSON and other broken input).
    #[schemars(with = "Option<Templated>")]
    pub text: Option<()>,
    /// A body read from a file, relative to the case file.
    pub file: Option<String>,
    /// How the request is signed when credentials are available.
    #[schemars(with = "Option<Sign>")]
    pub sign: Option<()>,
    /// What the response must be.
    pub expect: Option<ExpectTable>,
    /// Variables taken from the response: `"$.json.path"` (RFC 9535), `"header:NAME"` or `"status"`, or a table
    /// `{ from = "...", optional = true, list = true }`.
    pub capture: Option<BTreeMap<String, CaptureSpec>>,
    /// Run the step N times (`{{index}}` counts from 0); its captures collect into lists.
    #[schemars(range(min = 1, max = 10000))]
    pub repeat: Option<u32>,
    /// Run the step once per element of a list.
    #[schemars(with = "Option<ForEach>")]
    pub for_each: Option<()>,
    /// Skip the step when this variable is given with --var (a fixture replaces what it provisions).
    pub unless_var: Option<String>,
    /// Run the step only when this variable is set (by a capture, --var, vars or the environment).
    pub if_var: Option<String>,
    /// Insert substituted values into the path as they are (no percent-encoding, dot segments allowed).
    pub raw_path: Option<bool>,
}

/// Where a capture takes its value from.
#[derive(JsonSchema)]
#[serde(untagged)]
pub enum CaptureSpec {
    /// `"$.json.path"` (RFC 9535), `"header:NAME"` or `"status"`.
    Source(String),
    /// The source, and how to take it.
    Table {
        /// `"$.json.path"`, `"header:NAME"` or `"status"`.
        from: String,
        /// Finding nothing leaves the variable unset instead of diverging (steps that use it say `if_var`).
        optional: Option<bool>,
        /// Always a list, even of one node (JSONPath captures only).
        list: Option<bool>,
    },
}

/// `expect`: the documented response. Keys left out are not checked (a
/// step without `status` expects 2xx).
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectTable {
    /// The status, or a list of accepted statuses.
    #[schemars(with = "Option<StatusExpect>")]
    pub status: Option<()>,
    /// Response headers (names case-insensitive).
    #[schemars(with = "Option<BTreeMap<String, HeaderExpect>>")]
    pub headers: Option<()>,
    /// The JSON body, written as TOML: values compare exactly; `$`-keys (`$type`, `$regex`, `$strict`, ...) match loosely.
    pub json: Option<Value>,
    /// The body as text.
    #[schemars(with = "Option<TextExpect>")]
    pub text: Option<()>,
    /// The AWS error type, as SDKs read it (header, then body).
    #[schemars(with = "Option<ErrorExpect>")]
    pub error: Option<()>,
    /// The output as the SDK deserializes it (members by model name, headers and status members included), matched like `json`: the same on XML, CBOR and JSON services. Needs a contract.
    pub output: Option<Value>,
    /// Objects in `json` are strict (`true`) or lenient, for this step.
    pub strict: Option<bool>,
    /// Accept a JSON body under any content type.
    pub any_content_type: Option<bool>,
}

/// What shape divergences do.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ShapeMode {
    /// Shape divergences fail the case (the default).
    Fail,
    /// Shape divergences are reported as warnings.
    Warn,
    /// No shape checks.
    Off,
}

/// `suite.toml`: defaults for every case in its folder and below.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "conform suite.toml")]
pub struct SuiteFile {
    /// The contract file (documented statements and service model), relative to this file.
    pub contract: Option<String>,
    /// Capabilities every case below requires.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Every case below runs alone.
    pub exclusive: Option<bool>,
    /// Variables for every case below: any TOML value.
    pub vars: Option<BTreeMap<String, Value>>,
    /// Variables whose values are secrets: replaced by `<redacted>` in every output.
    pub secrets: Option<Vec<String>>,
    /// Headers sent with every request of the cases below.
    #[schemars(with = "Option<BTreeMap<String, Scalar>>")]
    pub headers: Option<()>,
    /// Objects in expectations are strict (the default) or lenient.
    pub strict: Option<bool>,
    /// What shape divergences do (over the contract's setting).
    pub shape: Option<ShapeMode>,
    /// Where requests are signed for.
    pub target: Option<TargetTable>,
    /// Steps run before each case's own setup.
    #[serde(default)]
    pub setup: Vec<StepTable>,
    /// Steps run after each case's own teardown.
    #[serde(default)]
    pub teardown: Vec<StepTable>,
    /// Steps run once, after every case of the suite.
    #[serde(default)]
    pub after: Vec<StepTable>,
}

/// `[target]` of a suite.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetTable {
    /// The SigV4 signing name (`chime`); with credentials, requests are signed.
    pub signing_name: Option<String>,
    /// The SigV4 region, unless `AWS_REGION` says otherwise.
    pub region: Option<String>,
    /// The protocol to speak, one the contract's model lists (`query`,
    /// `smithy-rpc-v2-cbor`...); by default the one botocore picks.
    pub protocol: Option<String>,
    /// S3: buckets in the path (`path`, the default for local endpoints)
    /// or in the host name (`virtual`).
    pub s3_addressing: Option<crate::case::S3Addressing>,
    /// Put the host prefix an operation names (`endpoint.hostPrefix`)
    /// before the endpoint's host, as the SDKs do (default `true`; never
    /// before an IP address).
    pub host_prefix: Option<bool>,
}

/// `contract.toml`: what the documentation says.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "conform contract.toml")]
pub struct ContractFile {
    /// Required. The service model (botocore `service-2.json`, or `.json.gz`), relative to this file.
    pub model: String,
    /// Error types common to all operations, accepted with any status.
    #[serde(default)]
    pub common_errors: Vec<String>,
    /// The documented statements, each a `[[statement]]` table.
    #[serde(default)]
    pub statement: Vec<StatementTable>,
    /// What shape divergences do, unless a suite says.
    pub shape: Option<ShapeMode>,
}

/// One documented statement.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementTable {
    /// Stable id, referenced by cases' `covers`.
    pub id: String,
    /// What the documentation states, in a sentence.
    pub text: String,
    /// Where it comes from: the reference page or a model fact.
    pub source: String,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde::de::DeserializeOwned;

    use super::*;

    /// The keys serde accepts for `T`, read from its unknown-field error.
    fn serde_keys<T: DeserializeOwned + std::fmt::Debug>() -> BTreeSet<String> {
        let err = toml::from_str::<T>("zz_not_a_key = 1\n").expect_err("an unknown key is rejected");
        let msg = err.message().to_owned();
        let list = msg.split_once("expected").map_or("", |(_, l)| l);
        list.split('`').skip(1).step_by(2).map(str::to_owned).collect()
    }

    fn schema_keys<T: JsonSchema>(pointer: &str) -> BTreeSet<String> {
        let schema = serde_json::to_value(schemars::schema_for!(T)).expect("a schema is JSON");
        let props = schema.pointer(pointer).and_then(Value::as_object).unwrap_or_else(|| panic!("{pointer}"));
        props.keys().cloned().collect()
    }

    #[test]
    fn each_schema_has_exactly_the_keys_the_loader_accepts() {
        use crate::case::schema::{RawCase, RawCaseFile, RawExpect, RawStep, RawSuite, RawTarget};
        use crate::contract::{RawContract, Statement};
        let pairs = [
            (serde_keys::<RawCaseFile>(), schema_keys::<CaseFile>("/properties"), "case file"),
            (serde_keys::<RawCase>(), schema_keys::<CaseFile>("/$defs/CaseTable/properties"), "case"),
            (serde_keys::<RawStep>(), schema_keys::<CaseFile>("/$defs/StepTable/properties"), "step"),
            (serde_keys::<RawExpect>(), schema_keys::<CaseFile>("/$defs/ExpectTable/properties"), "expect"),
            (serde_keys::<RawSuite>(), schema_keys::<SuiteFile>("/properties"), "suite"),
            (serde_keys::<RawTarget>(), schema_keys::<SuiteFile>("/$defs/TargetTable/properties"), "target"),
            (serde_keys::<RawContract>(), schema_keys::<ContractFile>("/properties"), "contract"),
            (serde_keys::<Statement>(), schema_keys::<ContractFile>("/$defs/StatementTable/properties"), "statement"),
        ];
        for (serde, schema, what) in pairs {
            assert!(!serde.is_empty(), "{what}: no keys read from serde's message");
            assert_eq!(schema, serde, "the schema of `{what}` and the keys its loader accepts differ");
        }
    }
}
