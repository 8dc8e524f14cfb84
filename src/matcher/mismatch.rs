//! The [`Mismatch`] value: one divergence between what the case expected and
//! what came back.

use serde::Serialize;

/// What part of an exchange diverged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum MismatchKind {
    /// The status code.
    Status,
    /// A response header.
    Header,
    /// The response body.
    Body,
    /// The AWS error type, as SDKs read it.
    Error,
    /// The documented shape of the response (from the contract).
    Shape,
    /// A capture that found nothing in the response.
    Capture,
    /// The JSON text itself (a member that appears more than once).
    Json,
}

impl MismatchKind {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MismatchKind::Status => "status",
            MismatchKind::Header => "header",
            MismatchKind::Body => "body",
            MismatchKind::Error => "error",
            MismatchKind::Shape => "shape",
            MismatchKind::Capture => "capture",
            MismatchKind::Json => "json",
        }
    }
}

/// One divergence: where, what was expected, what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Mismatch {
    /// What diverged.
    pub kind: MismatchKind,
    /// A JSON path (`$.UserErrors[0].ErrorCode`) for body and shape
    /// divergences, the header name for headers, empty otherwise.
    pub path: String,
    /// The expectation, as text.
    pub expected: String,
    /// What came back, as text.
    pub actual: String,
    /// A one-line explanation.
    pub message: String,
}

impl Mismatch {
    /// A new mismatch.
    pub fn new(
        kind: MismatchKind,
        path: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Mismatch { kind, path: path.into(), expected: expected.into(), actual: actual.into(), message: message.into() }
    }
}

/// Appends a member name to a JSON path, quoting names that are not plain
/// identifiers (`$['a b']`).
pub fn join_key(path: &str, key: &str) -> String {
    let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}['{}']", key.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}
