//! Contracts: what a suite's documentation says, in a form the harness
//! reads. A contract (`contract.toml`, named by a `suite.toml`) points at
//! an AWS JSON service model for routes, shapes, statuses and errors, and
//! lists the documented statements, each with a stable id and its source.
//!
//! The runner uses it to check every response against the documented shape
//! ([`check_response`]); the reports compute coverage from its statements
//! and a run's results. Nothing here knows of runs.

mod check;
mod engine;
// The wire facts of every protocol are parsed now; the XML, query and CBOR
// readers and writers that read them land next (#25).
#[allow(dead_code)]
mod model;
mod pattern;
pub(crate) mod timestamp;

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use check::{
    RequestLine, ShapeCheck, check_response, check_response_noted, check_value, check_value_noted, check_view_noted,
    with_article,
};
#[allow(unused_imports)]
pub(crate) use model::{Member, OperationDef, Pattern, Shape, ShapeKind, XmlNamespace};
pub use model::{Model, Protocol};
pub use pattern::NotChecked;

/// One documented statement.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Stable id, referenced by cases' `covers`.
    pub id: String,
    /// What the documentation states, in a sentence.
    pub text: String,
    /// Where it comes from: the reference page or a model fact.
    pub source: String,
}

/// What shape divergences do to a case: `shape = "fail"` (the default)
/// counts them like any divergence, `"warn"` reports them as warnings
/// without failing, `"off"` skips the shape checks. Set in `suite.toml`
/// (wins) or `contract.toml`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ShapeMode {
    /// Shape divergences fail the case.
    #[default]
    Fail,
    /// Shape divergences are warnings.
    Warn,
    /// No shape checks.
    Off,
}

/// The largest model conform reads, decompressed: botocore's largest
/// models are a few MiB.
pub const MAX_MODEL_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a service model as text: plain JSON, or gzip-compressed JSON
/// (`.gz`, as botocore ships its models). The read is bounded, compressed
/// or not.
pub(crate) fn read_model(path: &Path) -> Result<String, String> {
    use std::io::Read;
    // A regular file only (a FIFO would block, a device never end), bounded.
    let raw = crate::files::read_regular(path, MAX_MODEL_BYTES)
        .map_err(|e| format!("the service model `{}`: {e}", path.display()))?;
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .take(MAX_MODEL_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read the service model `{}`: not valid gzip: {e}", path.display()))?;
        bytes
    } else {
        raw
    };
    if bytes.len() as u64 > MAX_MODEL_BYTES {
        return Err(format!("the service model `{}` is larger than {MAX_MODEL_BYTES} bytes", path.display()));
    }
    String::from_utf8(bytes).map_err(|_| {
        format!("the service model `{}` is not UTF-8 text (a compressed model must end in .gz)", path.display())
    })
}

/// `contract.toml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContract {
    /// The service model file, relative to the contract.
    pub model: String,
    /// Error types common to all operations, accepted with any status.
    #[serde(default)]
    pub common_errors: Vec<String>,
    /// The documented statements.
    #[serde(default, rename = "statement")]
    pub statements: Vec<Statement>,
    /// What shape divergences do, unless a suite says.
    pub shape: Option<ShapeMode>,
}

/// A loaded contract.
#[derive(Debug, Clone)]
pub struct Contract {
    /// The contract file.
    pub path: PathBuf,
    /// The service model.
    pub model: Model,
    /// Error types common to all operations.
    pub common_errors: Vec<String>,
    /// The documented statements, in file order.
    pub statements: Vec<Statement>,
    /// Names of the members the model marks sensitive, for redaction.
    pub sensitive_members: Vec<String>,
    /// What shape divergences do, unless a suite says.
    pub shape: Option<ShapeMode>,
}

/// A contract or service model that cannot be used: every problem found,
/// each naming the shape, member, operation or statement it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.join("; "))]
#[non_exhaustive]
pub struct ContractError {
    /// The problems, in the order found.
    pub problems: Vec<String>,
}

impl ContractError {
    fn new(problems: Vec<String>) -> ContractError {
        ContractError { problems }
    }
}

impl Contract {
    /// Builds a contract from its parsed file; `dir` resolves the model path.
    /// Every problem is reported (of the model, each naming its shape,
    /// member or operation; of the statements).
    pub fn from_raw(path: &Path, raw: RawContract) -> Result<Contract, ContractError> {
        Contract::from_raw_speaking(path, raw, None)
    }

    /// [`Contract::from_raw`], speaking `protocol` (one the model lists;
    /// `None`: the one botocore picks).
    pub fn from_raw_speaking(path: &Path, raw: RawContract, protocol: Option<&str>) -> Result<Contract, ContractError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let model_path = dir.join(&raw.model);
        let text = read_model(&model_path).map_err(|e| ContractError::new(vec![e]))?;
        let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            ContractError::new(vec![format!("the service model `{}` is not valid JSON: {e}", model_path.display())])
        })?;
        let mut problems = Vec::new();
        let model = Model::parse_speaking(&json, protocol).map_err(|e| {
            e.problems
                .into_iter()
                .map(|p| format!("the service model `{}`: {p}", model_path.display()))
                .collect::<Vec<_>>()
        });
        let mut seen = std::collections::HashSet::new();
        for s in &raw.statements {
            if !seen.insert(s.id.as_str()) {
                problems.push(format!("statement id `{}` appears twice", s.id));
            }
        }
        let model = match model {
            Ok(m) if problems.is_empty() => m,
            Ok(_) => return Err(ContractError::new(problems)),
            Err(mut e) => {
                e.append(&mut problems);
                return Err(ContractError::new(e));
            }
        };
        let sensitive_members = model.sensitive_members();
        Ok(Contract {
            path: path.to_path_buf(),
            model,
            common_errors: raw.common_errors,
            statements: raw.statements,
            sensitive_members,
            shape: raw.shape,
        })
    }

    /// Whether a statement id exists.
    pub fn has_statement(&self, id: &str) -> bool {
        self.statements.iter().any(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn models_are_read_plain_or_gzipped_as_botocore_ships_them() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let json = r#"{"shapes": {}, "operations": {}}"#;
        let plain = dir.path().join("m.json");
        std::fs::write(&plain, json).expect("write");
        assert_eq!(read_model(&plain).expect("plain"), json);
        let gz = dir.path().join("m.json.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(json.as_bytes()).expect("compress");
        std::fs::write(&gz, enc.finish().expect("compress")).expect("write");
        assert_eq!(read_model(&gz).expect("gzip"), json);
        let fake = dir.path().join("fake.json.gz");
        std::fs::write(&fake, json).expect("write");
        assert!(read_model(&fake).expect_err("not gzip").contains("not valid gzip"));
        std::fs::write(&plain, [0x1f, 0x8b, 0x08, 0x00]).expect("write");
        assert!(read_model(&plain).expect_err("binary").contains("must end in .gz"));
    }

    #[test]
    fn the_shipped_polly_model_loads_as_shipped() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/moto/polly/service-2.json.gz");
        let json: serde_json::Value = serde_json::from_str(&read_model(&path).expect("read")).expect("JSON");
        Model::parse(&json).expect("the botocore Polly model parses");
    }
}
