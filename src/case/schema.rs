//! The TOML schema of case and suite files, as serde sees it. Only shapes
//! live here; meaning and validation are in `load`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::tree::Node;

/// `suite.toml`: defaults for every case in its folder and below.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSuite {
    pub contract: Option<Spanned<String>>,
    #[serde(default)]
    pub requires: Vec<String>,
    pub exclusive: Option<bool>,
    pub vars: Option<Spanned<BTreeMap<String, Node>>>,
    pub secrets: Option<Vec<String>>,
    pub headers: Option<BTreeMap<String, Node>>,
    pub strict: Option<bool>,
    pub shape: Option<crate::contract::ShapeMode>,
    pub target: Option<RawTarget>,
    #[serde(default)]
    pub setup: Vec<Spanned<RawStep>>,
    #[serde(default)]
    pub teardown: Vec<Spanned<RawStep>>,
    #[serde(default)]
    pub after: Vec<Spanned<RawStep>>,
}

/// `[target]` in a suite.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub signing_name: Option<String>,
    pub region: Option<String>,
    pub protocol: Option<Spanned<String>>,
    pub s3_addressing: Option<crate::case::S3Addressing>,
    pub host_prefix: Option<bool>,
}

/// A case file: `[[case]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCaseFile {
    #[serde(default)]
    pub case: Vec<Spanned<RawCase>>,
}

/// One `[[case]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    pub name: Spanned<String>,
    pub description: Option<String>,
    pub covers: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub requires: Vec<String>,
    pub skip: Option<String>,
    pub strict: Option<bool>,
    pub exclusive: Option<bool>,
    pub vars: Option<Spanned<BTreeMap<String, Node>>>,
    #[serde(default)]
    pub setup: Vec<Spanned<RawStep>>,
    #[serde(default)]
    pub step: Vec<Spanned<RawStep>>,
    #[serde(default)]
    pub teardown: Vec<Spanned<RawStep>>,
}

/// One step: a request and its expectation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub name: Option<String>,
    pub method: Option<Node>,
    pub path: Option<Node>,
    /// An operation of the suite's model, instead of `method` and `path`.
    pub operation: Option<Spanned<String>>,
    /// The operation's input (JSON in its input shape), serialized by the protocol.
    pub input: Option<Node>,
    pub query: Option<Spanned<BTreeMap<String, Node>>>,
    pub headers: Option<Spanned<BTreeMap<String, Node>>>,
    pub json: Option<Node>,
    pub text: Option<Node>,
    pub file: Option<Spanned<String>>,
    pub sign: Option<Node>,
    pub expect: Option<RawExpect>,
    pub capture: Option<BTreeMap<String, Node>>,
    pub repeat: Option<Node>,
    pub for_each: Option<Node>,
    pub unless_var: Option<String>,
    /// Run the step only when this variable has a value (a capture, `--var`,
    /// `vars` or `env.`): the converse of `unless_var`.
    pub if_var: Option<Spanned<String>>,
    pub raw_path: Option<bool>,
}

/// `expect = { ... }` of a step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    pub status: Option<Node>,
    pub headers: Option<BTreeMap<String, Node>>,
    pub json: Option<Node>,
    pub text: Option<Node>,
    pub error: Option<Node>,
    pub output: Option<Node>,
    pub strict: Option<bool>,
    pub any_content_type: Option<bool>,
}
