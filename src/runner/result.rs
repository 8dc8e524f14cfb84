//! What a run produces: [`CaseResult`]s and the [`RunSummary`]. Reporters
//! read these; they never decide outcomes themselves.

use std::path::PathBuf;
use std::time::Duration;

/// Why a step could not be judged: the step errors (its case is
/// `errored`), which is not a divergence. Each reads as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StepError {
    /// The request could not be built or signed (an undefined variable, a
    /// value that is no valid header, ...).
    #[error("{0}")]
    Request(String),
    /// No whole response within the step's timeout.
    #[error("timed out after {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The connection could not be made; the cause chain follows.
    #[error("connection failed: {0}")]
    Connect(String),
    /// Sending or receiving failed otherwise; the cause chain follows.
    #[error("request failed: {0}")]
    Transport(String),
    /// The body broke off while it was read (the inner error says how).
    #[error("reading the body failed: {0}")]
    Body(Box<StepError>),
    /// The body is larger than the read limit.
    #[error("response body exceeds the read limit of {limit} bytes (status {status})")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
        /// The response's status line, as `200 OK`.
        status: String,
    },
    /// The body holds more JSON values than the judge parses
    /// (`--max-json-values`).
    #[error(
        "response body holds more than {limit} JSON values (status {status}): too many to judge (raise the limit with `--max-json-values`)"
    )]
    TooManyValues {
        /// The limit, in values.
        limit: usize,
        /// The response's status line, as `200 OK`.
        status: String,
    },
    /// The expectation could not be applied to this response (a template
    /// that does not render, a bound that is not a number, ...).
    #[error("{0}")]
    Expectation(String),
    /// An error as a `report.json` read back (to merge shards) states it.
    #[error("{0}")]
    Reported(String),
}

/// Written as it reads (`timed out after 10000 ms`).
impl Serialize for StepError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl StepError {
    /// The free text the error carries, for redaction.
    pub(crate) fn text_mut(&mut self) -> Option<&mut String> {
        match self {
            StepError::Request(t)
            | StepError::Connect(t)
            | StepError::Transport(t)
            | StepError::Expectation(t)
            | StepError::Reported(t) => Some(t),
            StepError::Body(inner) => inner.text_mut(),
            StepError::Timeout(_) | StepError::TooLarge { .. } | StepError::TooManyValues { .. } => None,
        }
    }
}

/// The marker that replaces redacted values.
pub const REDACTED: &str = "<redacted>";

use serde::Serialize;
use serde_json::Value;

use crate::baseline::{Entry, Known};
use crate::matcher::Mismatch;

/// The verdict on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Outcome {
    /// Every expectation held.
    Passed,
    /// At least one divergence.
    Failed,
    /// The case could not run: transport failure, failed setup, bad input.
    Errored,
    /// Not run: skipped by the case, a missing capability, or `--fail-fast`.
    Skipped,
    /// Every divergence is in the baseline: the case passed except for
    /// known divergences.
    Known,
    /// No new divergence, but a baseline entry of the case no longer
    /// occurs: the baseline must be tightened. Fails the run unless
    /// `--allow-fixed`.
    Fixed,
}

impl Outcome {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Errored => "errored",
            Outcome::Skipped => "skipped",
            Outcome::Known => "known",
            Outcome::Fixed => "fixed",
        }
    }

    /// Every outcome, in report order.
    pub const ALL: [Outcome; 6] =
        [Outcome::Passed, Outcome::Known, Outcome::Fixed, Outcome::Failed, Outcome::Errored, Outcome::Skipped];
}

/// Which part of a case a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Phase {
    /// Suite or case setup.
    Setup,
    /// A step under test.
    Step,
    /// Case or suite teardown.
    Teardown,
}

/// A request as sent (secrets redacted).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct SentRequest {
    /// HTTP method.
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Headers as sent, in order.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8); only its first bytes when `cut`.
    pub body: String,
    /// Set when only a prefix of the body is kept (`--max-body-bytes`).
    pub cut: Option<BodyCut>,
}

/// A response as received.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ReceivedResponse {
    /// Status code.
    pub status: u16,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8); only its first bytes when `cut`.
    pub body: String,
    /// Set when only a prefix of the body is kept (`--max-body-bytes`).
    pub cut: Option<BodyCut>,
    /// The response as the SDK reads it (JSON text: the output, or the
    /// error's code, message and members), when the step's operation is
    /// known and the text fits in `--max-body-bytes`.
    pub output: Option<String>,
}

/// What is kept of a response body beyond its prefix: its length and
/// digest (judging read it whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BodyCut {
    /// The whole body's length in bytes.
    pub length: usize,
    /// SHA-256 of the whole body, lowercase hex.
    pub sha256: String,
}

impl BodyCut {
    /// A cut body of `length` bytes with this digest.
    pub fn new(length: usize, sha256: String) -> BodyCut {
        BodyCut { length, sha256 }
    }

    /// `cut after 65536 bytes of 8000000; sha256 ab12...`.
    pub fn describe(&self, kept: usize) -> String {
        format!("cut after {kept} bytes of {}; sha256 {}", self.length, self.sha256)
    }
}

/// The result of one step.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct StepResult {
    /// Setup, step or teardown.
    pub phase: Phase,
    /// The step's label.
    pub name: String,
    /// What was sent, when the request could be built.
    pub request: Option<SentRequest>,
    /// What came back, when anything did.
    pub response: Option<ReceivedResponse>,
    /// Divergences from the expectation.
    pub mismatches: Vec<Mismatch>,
    /// Why the step could not be judged.
    pub error: Option<StepError>,
    /// For each divergence (same index), the baseline entry that knows it.
    /// Shorter than `mismatches` (or empty) when the rest are unknown.
    #[serde(skip)]
    pub known: Vec<Option<Known>>,
    /// Divergences reported as warnings (`shape = "warn"`), as text.
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// For a JSON body divergence: the expectation shaped like the actual
    /// body, and the actual body, for a line diff.
    #[serde(skip)]
    pub body_diff: Option<(Value, Value)>,
    /// Divergences past `--max-divergences`: judged, then counted, not kept.
    pub omitted: Omitted,
    /// Indices of the baseline entries that know any divergence of the
    /// step, kept ones or not.
    #[serde(skip)]
    pub(crate) used_entries: Vec<usize>,
    /// Wall time of the exchange.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
}

/// Divergences of a step past `--max-divergences`: the verdict and the
/// baseline saw them; the result keeps only their count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Omitted {
    /// How many were dropped.
    pub count: usize,
    /// How many of those no baseline entry knows.
    pub new: usize,
}

impl Omitted {
    /// Dropped divergences, `new` of them unknown to the baseline.
    pub fn new(count: usize, new: usize) -> Omitted {
        Omitted { count, new }
    }

    /// `and 12 more divergences (3 new)`, or nothing when none were dropped.
    pub fn describe(&self) -> Option<String> {
        (self.count > 0).then(|| {
            let noun = if self.count == 1 { "divergence" } else { "divergences" };
            let new = match self.new {
                0 => " (all known)".to_owned(),
                n if n == self.count => String::new(),
                n => format!(" ({n} new)"),
            };
            format!("and {} more {noun}{new}, not kept (see `--max-divergences`)", self.count)
        })
    }
}

impl StepResult {
    /// Whether the step met its expectation, known divergences aside.
    pub fn ok(&self) -> bool {
        self.error.is_none() && !self.has_new_divergences()
    }

    /// Whether a divergence no baseline entry knows occurred, kept or not.
    pub fn has_new_divergences(&self) -> bool {
        self.omitted.new > 0 || self.new_mismatches().next().is_some()
    }

    /// The baseline entry that knows divergence `i`, if any.
    pub fn known_at(&self, i: usize) -> Option<&Known> {
        self.known.get(i).and_then(Option::as_ref)
    }

    /// Divergences no baseline entry knows.
    pub fn new_mismatches(&self) -> impl Iterator<Item = &Mismatch> {
        self.mismatches.iter().enumerate().filter(|(i, _)| self.known_at(*i).is_none()).map(|(_, m)| m)
    }

    /// Divergences with the entry that knows each, if any.
    pub fn judged(&self) -> impl Iterator<Item = (&Mismatch, Option<&Known>)> {
        self.mismatches.iter().enumerate().map(|(i, m)| (m, self.known_at(i)))
    }
}

/// The result of one case.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CaseResult {
    /// The case id.
    pub id: String,
    /// The case name.
    pub name: String,
    /// The case file.
    pub file: PathBuf,
    /// The case's tags.
    pub tags: Vec<String>,
    /// The documented statements the case covers.
    pub covers: Vec<String>,
    /// The verdict.
    pub outcome: Outcome,
    /// Why the case errored or was skipped.
    pub reason: Option<String>,
    /// Every step that ran, setup and teardown included.
    pub steps: Vec<StepResult>,
    /// Teardown problems and `shape = "warn"` divergences: reported, never
    /// a failure.
    pub warnings: Vec<String>,
    /// Baseline entries of this case that were checked and matched nothing.
    #[serde(skip)]
    pub fixed: Vec<Entry>,
    /// Wall time of the whole case.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
}

impl CaseResult {
    /// Every divergence of the case, with the step it came from.
    pub fn mismatches(&self) -> impl Iterator<Item = (&StepResult, &Mismatch)> {
        self.steps.iter().flat_map(|s| s.mismatches.iter().map(move |m| (s, m)))
    }

    /// How many divergences of the case a baseline entry knows.
    pub fn known_count(&self) -> usize {
        self.steps
            .iter()
            .map(|s| s.known.iter().flatten().count() + s.omitted.count.saturating_sub(s.omitted.new))
            .sum()
    }
}

/// Counts per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Counts {
    /// Passed cases.
    pub passed: usize,
    /// Failed cases.
    pub failed: usize,
    /// Errored cases.
    pub errored: usize,
    /// Skipped cases.
    pub skipped: usize,
    /// Cases that passed except for known divergences.
    pub known: usize,
    /// Cases with a baseline entry that no longer occurs.
    pub fixed: usize,
}

/// Everything a run produced, cases sorted by id.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct RunSummary {
    /// One result per case, sorted by id.
    pub cases: Vec<CaseResult>,
    /// Wall time of the run.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// Whether the run was cut short by an interrupt.
    pub interrupted: bool,
    /// How a baseline was used, when the run had one.
    pub baseline: Option<BaselineUse>,
}

/// How a run used its baseline.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct BaselineUse {
    /// The baseline file, as given.
    pub file: String,
    /// `--allow-fixed`: fixed entries do not fail the run.
    pub allow_fixed: bool,
    /// Entries in the file.
    pub entries: usize,
    /// Entries whose case did not run (not selected, or skipped): neither
    /// used nor fixed.
    pub not_run: usize,
    /// Entries naming a case id that no loaded case file defines, each as
    /// `FILE:LINE: description`.
    pub unknown_cases: Vec<String>,
}

impl RunSummary {
    /// Counts per outcome.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.cases {
            match r.outcome {
                Outcome::Passed => c.passed += 1,
                Outcome::Failed => c.failed += 1,
                Outcome::Errored => c.errored += 1,
                Outcome::Skipped => c.skipped += 1,
                Outcome::Known => c.known += 1,
                Outcome::Fixed => c.fixed += 1,
            }
        }
        c
    }

    /// Whether everything that ran conformed.
    pub fn success(&self) -> bool {
        let c = self.counts();
        let fixed_fails = c.fixed > 0 && !self.baseline.as_ref().is_some_and(|b| b.allow_fixed);
        c.failed == 0 && c.errored == 0 && !fixed_fails && !self.interrupted
    }

    /// Baseline entries that no longer occur, over every case.
    pub fn fixed_entries(&self) -> impl Iterator<Item = (&CaseResult, &Entry)> {
        self.cases.iter().flat_map(|c| c.fixed.iter().map(move |e| (c, e)))
    }

    /// Divergences a baseline entry knows, over every case.
    pub fn known_divergences(&self) -> usize {
        self.cases.iter().map(CaseResult::known_count).sum()
    }
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_errors_read_as_one_line_and_expose_their_text_to_redaction() {
        let body = StepError::Body(Box::new(StepError::Transport("connection reset".into())));
        assert_eq!(body.to_string(), "reading the body failed: request failed: connection reset");
        let big = StepError::TooLarge { limit: 8, status: "200 OK".into() };
        assert_eq!(big.to_string(), "response body exceeds the read limit of 8 bytes (status 200 OK)");
        assert_eq!(StepError::Timeout(Duration::from_millis(300)).to_string(), "timed out after 300 ms");
        let mut e = StepError::Body(Box::new(StepError::Connect("secret".into())));
        if let Some(t) = e.text_mut() {
            *t = REDACTED.into();
        }
        assert_eq!(e.to_string(), "reading the body failed: connection failed: <redacted>");
        assert_eq!(serde_json::to_value(&big).ok(), Some(Value::String(big.to_string())));
    }
}
