//! The loaded, validated form of cases: what the runner executes.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use serde_json_path::JsonPath;

use super::template::Template;
use crate::contract::Contract;
use crate::matcher::Matcher;

/// A JSON value whose strings may hold `{{templates}}`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum JsonTemplate {
    /// A value with no templates (numbers, booleans, plain strings).
    Lit(Value),
    /// A string with at least one reference.
    Str(Template),
    /// An array.
    Array(Vec<JsonTemplate>),
    /// An object, in source order.
    Object(Vec<(String, JsonTemplate)>),
    /// `{ "$repeat" = N, "$item" = ... }`: N copies of the item, each
    /// rendered anew (so `{{uuid}}` differs per item; `{{index}}` counts from 0).
    Repeat {
        /// How many items.
        count: usize,
        /// The item.
        item: Box<JsonTemplate>,
    },
    /// `{ "$map" = "{{list}}", "$item" = ... }`: one item per element of a
    /// list variable (`{{item}}` is the element, `{{index}}` its number).
    Map {
        /// The list, a template that renders to an array.
        list: Template,
        /// The item.
        item: Box<JsonTemplate>,
    },
}

/// How often a step runs. Captures of a repeated step collect into lists.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum StepRepeat {
    /// `repeat = N`: N times, `{{index}}` and `{{item}}` from 0.
    Times(usize),
    /// `for_each = "{{list}}"` or a literal list: once per element,
    /// `{{item}}` the element.
    ForEach(JsonTemplate),
}

/// Where requests of a case are signed for, when they are signed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TargetSettings {
    /// The SigV4 signing name (`chime`).
    pub signing_name: Option<String>,
    /// The SigV4 region, unless `AWS_REGION` says otherwise.
    pub region: Option<String>,
    /// Where S3 requests name the bucket.
    pub s3_addressing: S3Addressing,
    /// Whether host prefixes are put before the endpoint's host.
    pub host_prefix: bool,
}

/// Where S3 requests name the bucket: `[target] s3_addressing`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum S3Addressing {
    /// `http://host/bucket/key`: what the SDKs do for a custom endpoint
    /// with path-style forced, and what works on loopback.
    #[default]
    Path,
    /// `http://bucket.host/key`.
    Virtual,
}

/// How a step's request is signed (when credentials are configured).
/// Written `sign = false` or `sign = "wrong-secret"` and so on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignMode {
    /// Signed normally.
    #[default]
    Signed,
    /// Sent without any signature (`false`).
    Unsigned,
    /// Signed with a secret that is not the key's (`"wrong-secret"`).
    WrongSecret,
    /// Signed for another region (`"wrong-region"`).
    WrongRegion,
    /// Signed for another service (`"wrong-service"`).
    WrongService,
    /// Signed an hour ago, outside the allowed skew (`"stale-date"`).
    StaleDate,
    /// The body changed after signing (`"body-altered"`).
    BodyAlteredAfterSigning,
    /// `x-amz-date` removed after signing (`"no-date"`).
    NoDate,
}

impl SignMode {
    /// The names a case may write, with their modes.
    pub const NAMED: &'static [(&'static str, SignMode)] = &[
        ("wrong-secret", SignMode::WrongSecret),
        ("wrong-region", SignMode::WrongRegion),
        ("wrong-service", SignMode::WrongService),
        ("stale-date", SignMode::StaleDate),
        ("body-altered", SignMode::BodyAlteredAfterSigning),
        ("no-date", SignMode::NoDate),
    ];
}

/// One test case: setup, steps and teardown, with the expectations.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Case {
    /// Stable id: `<path from the suite root>::<name slug>`.
    pub id: String,
    /// The name as written.
    pub name: String,
    /// The file the case is in.
    pub file: PathBuf,
    /// Free text.
    pub description: Option<String>,
    /// Ids of the documented statements the case checks.
    pub covers: Vec<String>,
    /// Tags, for `--tag`.
    pub tags: Vec<String>,
    /// Capabilities the target must declare, or the case is skipped.
    pub requires: Vec<String>,
    /// A reason to skip the case always.
    pub skip: Option<String>,
    /// Run alone, after the other cases (it changes state that other cases
    /// share, such as fault rules).
    pub exclusive: bool,
    /// Whether objects are strict unless they say otherwise.
    pub strict: bool,
    /// Variables (suite ones first, then the case's), rendered once per run of the case.
    pub vars: Vec<(String, JsonTemplate)>,
    /// Names of variables whose values are secrets (redacted in output).
    pub secrets: Vec<String>,
    /// Suite setup then case setup (a suite's steps are shared by its
    /// cases).
    pub setup: Vec<Arc<Step>>,
    /// The steps under test, then the suite's `after` steps.
    pub steps: Vec<Arc<Step>>,
    /// Case teardown then suite teardown.
    pub teardown: Vec<Arc<Step>>,
    /// Signing settings from the suite.
    pub target: TargetSettings,
    /// The suite's contract, for shape checks and coverage.
    pub contract: Option<Arc<Contract>>,
    /// What shape divergences do (`suite.toml`, else `contract.toml`).
    pub shape: crate::contract::ShapeMode,
}

/// A request and what its response must be.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Step {
    /// A label for reports (`step 2` when not named).
    pub name: String,
    /// The request.
    pub request: Request,
    /// The expectation.
    pub expect: Expect,
    /// Values to take from the response for later steps.
    pub captures: Vec<Capture>,
    /// How to sign.
    pub sign: SignMode,
    /// Repetition, if any.
    pub repeat: Option<StepRepeat>,
    /// Skip the step when this variable is given with `--var` (a fixture
    /// replaces what the step would provision).
    pub unless_var: Option<String>,
    /// Run the step only when this variable has a value at that point: an
    /// earlier capture, `--var`, `vars` or `env.` (`if_var`).
    pub if_var: Option<String>,
}

/// A request, before rendering.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Request {
    /// HTTP method.
    pub method: Template,
    /// Path, joined to the target's base URL (which may carry a prefix).
    pub path: Template,
    /// Query parameters, in order.
    pub query: Vec<(String, Template)>,
    /// Headers (suite defaults, then the step's), names in lowercase.
    pub headers: Vec<(String, Template)>,
    /// The body.
    pub body: RequestBody,
    /// Insert values into the path as they are (`raw_path = true`), instead
    /// of percent-encoding each as one path segment.
    pub raw_path: bool,
    /// The operation of a step written as `operation` + `input`: its
    /// response is judged as that operation's, whatever route it matches.
    pub operation: Option<String>,
    /// What goes before the endpoint's host (`endpoint.hostPrefix`, labels
    /// filled), unless the suite turns host prefixes off.
    pub host_prefix: Option<Template>,
}

/// A request body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RequestBody {
    /// No body.
    Empty,
    /// JSON, sent with `content-type: application/json` unless a header says otherwise.
    Json(JsonTemplate),
    /// Raw text, sent as is (for malformed bodies).
    Text(Template),
    /// The bytes of a file, read at load time.
    File(Arc<Vec<u8>>),
    /// A form (query and ec2 requests), encoded as the SDKs encode it when
    /// sent; values may hold templates.
    Form(Vec<(String, Template)>),
    /// A CBOR document (smithy-rpc-v2-cbor), encoded when sent; its text
    /// items may hold templates.
    Cbor(Arc<crate::protocol::cbor::CborValue>),
}

/// What a response must be. An absent `status` means any 2xx.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Expect {
    /// Allowed statuses.
    pub status: Option<Vec<u16>>,
    /// Header expectations (names in lowercase).
    pub headers: Vec<(String, HeaderExpect)>,
    /// Body expectation.
    pub body: Option<BodyExpect>,
    /// Expected AWS error type; with several, any of them. Each may be a
    /// template; one that renders to a list adds every element.
    pub error: Option<Vec<Template>>,
    /// The output as the SDK deserializes it (`expect.output`): the JSON
    /// matcher on the SDK view of the response.
    pub output: Option<JsonExpect>,
    /// Strictness override for this step's objects.
    pub strict: Option<bool>,
    /// Accept a JSON body under any `Content-Type` (by default a step that
    /// expects JSON requires a JSON media type).
    pub any_content_type: bool,
}

/// A regex whose source may hold `{{variables}}`; substituted values are
/// matched literally (escaped). Compiled once at load when it has none.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PatternTemplate {
    /// The source, as written.
    pub source: Template,
    /// The compiled regex, when the source has no references.
    pub compiled: Option<regex::Regex>,
}

/// An expectation on one response header; strings may hold `{{variables}}`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum HeaderExpect {
    /// Exactly this value.
    Exact(Template),
    /// A value matching this regex.
    Regex(PatternTemplate),
    /// Present, any value.
    Present,
    /// Not present.
    Absent,
}

/// An expectation on a body as text; strings may hold `{{variables}}`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TextExpect {
    /// Exactly this text.
    Exact(Template),
    /// Text matching this regex.
    Regex(PatternTemplate),
}

/// A body expectation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum BodyExpect {
    /// The body is JSON matching this.
    Json(JsonExpect),
    /// The body as text.
    Text(TextExpect),
}

/// A JSON body expectation, compiled once at load.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum JsonExpect {
    /// No leaf is a template: the matcher judges every response as it is.
    Literal(Matcher),
    /// Some leaves are templates (parsed at load), rendered per response.
    Templated(Matcher<Leaf>),
}

impl JsonExpect {
    /// Compiles a matcher whose string leaves may hold `{{...}}`
    /// templates: each such leaf is parsed once, here.
    pub fn compile(m: Matcher) -> JsonExpect {
        let templated = |v: &Value| v.as_str().is_some_and(|s| s.contains("{{") && Template::parse(s).is_ok());
        if !m.any_value(&mut |v| templated(v)) {
            return JsonExpect::Literal(m);
        }
        let leaves = m.map_values(&mut |v: &Value| -> Result<Leaf, std::convert::Infallible> {
            Ok(match v.as_str().filter(|s| s.contains("{{")).map(Template::parse) {
                Some(Ok(t)) => Leaf::Template(t),
                _ => Leaf::Value(v.clone()),
            })
        });
        match leaves {
            Ok(m) => JsonExpect::Templated(m),
        }
    }

    /// The templates of the expectation.
    pub fn templates(&self) -> Vec<&Template> {
        let mut out = Vec::new();
        if let JsonExpect::Templated(m) = self {
            m.any_value(&mut |leaf| {
                if let Leaf::Template(t) = leaf {
                    out.push(t);
                }
                false
            });
        }
        out
    }
}

/// A literal leaf of a JSON expectation: a value, or a template that
/// renders to one.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Leaf {
    /// Taken as it is.
    Value(Value),
    /// Rendered per response (`"{{user_id}}"`).
    Template(Template),
}

/// A value taken from a response into a variable.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Capture {
    /// The variable to set.
    pub name: String,
    /// Where to take it from.
    pub source: CaptureSource,
    /// Finding nothing is no divergence: the variable is left unset (an
    /// empty list, with `list`).
    pub optional: bool,
    /// The value is always the list of nodes found, even of one node.
    pub list: bool,
}

/// Where a capture reads.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CaptureSource {
    /// A JSONPath (RFC 9535) into the JSON body; one node gives its value,
    /// several give an array.
    Body {
        /// The compiled path.
        path: JsonPath,
        /// The path as written.
        text: String,
    },
    /// A response header.
    Header(String),
    /// The status code.
    Status,
    /// A JSONPath into the output as the SDK deserializes it
    /// (`output:$.Bucket`), on every protocol.
    Output {
        /// The compiled path.
        path: JsonPath,
        /// The path as written, after `output:`.
        text: String,
    },
}
