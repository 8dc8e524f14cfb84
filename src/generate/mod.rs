//! `conform generate`: a suite with a case per documented constraint of an
//! operation's input, from the service model and one valid input.
//!
//! [`generate`] reads the model and the request, walks the input shape
//! (`variants`), searches pattern violations with an ECMAScript engine
//! (`pattern`) and writes (or updates) `suite.toml`, `contract.toml` and
//! one case file per member ([`write`]). Every case is a step written as
//! `operation` + `input`, so the case loader serializes it with the same
//! [`crate::protocol`] code a hand-written step uses.

mod pattern;
mod variants;
mod write;

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use variants::{Constraint, Dropped, Variant};

use crate::contract::Model;

/// What `conform generate` is asked.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GenerateOptions {
    /// The botocore model (`service-2.json`, or `.json.gz`).
    pub model: PathBuf,
    /// The operation.
    pub operation: String,
    /// One valid input, JSON in the operation's input shape.
    pub request: PathBuf,
    /// The suite folder to write or update.
    pub out: PathBuf,
    /// The most cases written for the operation, the request as given
    /// included ([`DEFAULT_MAX_CASES`] unless set). `conform generate` does
    /// one operation a run: this is the per-run cap too.
    pub max_cases: usize,
}

/// The default of `--max-cases`: enough for every constraint of a large
/// operation (botocore's largest inputs give a few hundred), small enough
/// that a deep model cannot write hundreds of thousands of files.
pub const DEFAULT_MAX_CASES: usize = 1000;

impl GenerateOptions {
    /// Options for one operation.
    pub fn new(
        model: impl Into<PathBuf>,
        operation: impl Into<String>,
        request: impl Into<PathBuf>,
        out: impl Into<PathBuf>,
    ) -> Self {
        GenerateOptions {
            model: model.into(),
            operation: operation.into(),
            request: request.into(),
            out: out.into(),
            max_cases: DEFAULT_MAX_CASES,
        }
    }

    /// The most cases written (at least 1: the request as given).
    pub fn with_max_cases(mut self, max_cases: usize) -> Self {
        self.max_cases = max_cases.max(1);
        self
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Generated {
    /// Documented constraints of the operation's input.
    pub statements: usize,
    /// Of those, the ones no case checks (the statement says why).
    pub without_case: usize,
    /// Generated cases.
    pub cases: usize,
    /// Cases a person added (or took over) that were kept.
    pub kept: usize,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Generated files removed because the model no longer has their member.
    pub removed: Vec<PathBuf>,
    /// The error types violation cases expect.
    pub errors: Vec<String>,
    /// What `max_cases` left out: counted, not built. A constraint that
    /// lost some of its cases says so in its statement; the ones past the
    /// cap get none, and one statement (`<Operation>::capped`) sums them up.
    pub dropped: Dropped,
}

/// Why a suite could not be generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The model cannot be read or parsed.
    #[error("{0}")]
    Model(String),
    /// The model has no such operation, or it has no input.
    #[error("the model `{model}` {message}")]
    Operation {
        /// The model file.
        model: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The request file is unreadable, not JSON, or not a valid input.
    #[error("the request `{path}`: {message}")]
    Request {
        /// The request file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file of the suite cannot be read or written.
    #[error("cannot write the suite: `{path}`: {message}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The largest request file read.
const MAX_REQUEST_BYTES: u64 = 1024 * 1024;

fn read_request(path: &Path) -> Result<Value, GenerateError> {
    use std::io::Read;
    let err = |message: String| GenerateError::Request { path: path.to_path_buf(), message };
    let meta = std::fs::metadata(path).map_err(|e| err(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(err("not a regular file".into()));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_REQUEST_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| err(format!("cannot read: {e}")))?;
    if text.len() as u64 > MAX_REQUEST_BYTES {
        return Err(err(format!("larger than {MAX_REQUEST_BYTES} bytes")));
    }
    let v: Value = serde_json::from_str(&text).map_err(|e| err(format!("not valid JSON: {e}")))?;
    if !v.is_object() {
        return Err(err("must be a JSON object in the operation's input shape".into()));
    }
    Ok(v)
}

/// The error types a violation must answer with: the operation's
/// documented errors with status 400; when it lists none, the AWS
/// validation error (`ValidationException`, which the contract then lists
/// as a common error). The flag says whether the fallback was taken.
pub fn violation_errors(model: &Model, operation: &str) -> (Vec<String>, bool) {
    let Some(op) = model.operations.get(operation) else { return (Vec::new(), false) };
    let mut errors: Vec<String> =
        op.errors.iter().filter(|e| model.shapes.get(*e).and_then(|s| s.error_status) == Some(400)).cloned().collect();
    errors.sort();
    if errors.is_empty() { (vec!["ValidationException".to_owned()], true) } else { (errors, false) }
}

/// Writes or updates the suite for one operation; see the module docs.
pub fn generate(opts: &GenerateOptions) -> Result<Generated, GenerateError> {
    let text = crate::contract::read_model(&opts.model).map_err(GenerateError::Model)?;
    let json: Value = serde_json::from_str(&text).map_err(|e| {
        GenerateError::Model(format!("the service model `{}` is not valid JSON: {e}", opts.model.display()))
    })?;
    let model = Model::parse(&json)
        .map_err(|e| GenerateError::Model(format!("the service model `{}`: {e}", opts.model.display())))?;
    let operation_error = |message: String| GenerateError::Operation { model: opts.model.clone(), message };
    if !matches!(model.metadata.protocol.as_str(), "rest-json" | "json") {
        return Err(operation_error(format!(
            "uses the `{}` protocol; conform generates for rest-json and json",
            model.metadata.protocol
        )));
    }
    let Some(op) = model.operations.get(&opts.operation) else {
        let mut names: Vec<&str> = model.operations.keys().map(String::as_str).collect();
        names.sort();
        let close: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| n.to_lowercase().contains(&opts.operation.to_lowercase()))
            .take(5)
            .collect();
        let hint = if close.is_empty() { String::new() } else { format!(" (did you mean {}?)", close.join(", ")) };
        return Err(operation_error(format!("has no operation `{}`{hint}", opts.operation)));
    };
    let Some(input_shape) = op.input.clone() else {
        return Err(operation_error(format!("operation `{}` takes no input: there is nothing to generate", op.name)));
    };
    let request = read_request(&opts.request)?;
    crate::protocol::serialize_request(&model, &op.name, &request)
        .map_err(|e| GenerateError::Request { path: opts.request.clone(), message: e.to_string() })?;
    // The request as given is a case of its own.
    let (constraints, dropped) =
        variants::constraints(&model, &input_shape, &request, opts.max_cases.saturating_sub(1));
    let (errors, fallback) = violation_errors(&model, &op.name);
    let mut generated = write::write_suite(&write::Plan {
        model_path: &opts.model,
        model: &model,
        operation: &op.name,
        request: &request,
        constraints: &constraints,
        errors: &errors,
        validation_fallback: fallback,
        out: &opts.out,
        dropped: &dropped,
        max_cases: opts.max_cases,
    })?;
    generated.dropped = dropped;
    Ok(generated)
}
