//! What a run produces: [`CaseResult`]s and the [`RunSummary`]. Reporters
//! read these; they never decide outcomes themselves.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::matcher::Mismatch;

/// The verdict on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every expectation held.
    Passed,
    /// At least one divergence.
    Failed,
    /// The case could not run: transport failure, failed setup, bad input.
    Errored,
    /// Not run: skipped by the case, a missing capability, or `--fail-fast`.
    Skipped,
}

impl Outcome {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Errored => "errored",
            Outcome::Skipped => "skipped",
        }
    }
}

/// Which part of a case a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
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
pub struct SentRequest {
    /// HTTP method.
    pub method: String,
    /// Full URL.
    pub url: String,
    /// Headers as sent, in order.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8).
    pub body: String,
}

/// A response as received.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedResponse {
    /// Status code.
    pub status: u16,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8).
    pub body: String,
}

/// The result of one step.
#[derive(Debug, Clone, Serialize)]
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
    /// Why the step could not run (transport failure, bad template, ...).
    pub error: Option<String>,
    /// For a JSON body divergence: the expectation shaped like the actual
    /// body, and the actual body, for a line diff.
    #[serde(skip)]
    pub body_diff: Option<(Value, Value)>,
    /// Wall time of the exchange.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
}

impl StepResult {
    /// Whether the step met its expectation.
    pub fn ok(&self) -> bool {
        self.error.is_none() && self.mismatches.is_empty()
    }
}

/// The result of one case.
#[derive(Debug, Clone, Serialize)]
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
    /// Teardown problems: reported, never a failure.
    pub warnings: Vec<String>,
    /// Wall time of the whole case.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
}

impl CaseResult {
    /// Every divergence of the case, with the step it came from.
    pub fn mismatches(&self) -> impl Iterator<Item = (&StepResult, &Mismatch)> {
        self.steps.iter().flat_map(|s| s.mismatches.iter().map(move |m| (s, m)))
    }
}

/// Counts per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Passed cases.
    pub passed: usize,
    /// Failed cases.
    pub failed: usize,
    /// Errored cases.
    pub errored: usize,
    /// Skipped cases.
    pub skipped: usize,
}

/// Everything a run produced, cases sorted by id.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// One result per case, sorted by id.
    pub cases: Vec<CaseResult>,
    /// Wall time of the run.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// Whether the run was cut short by an interrupt.
    pub interrupted: bool,
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
            }
        }
        c
    }

    /// Whether everything that ran conformed.
    pub fn success(&self) -> bool {
        let c = self.counts();
        c.failed == 0 && c.errored == 0 && !self.interrupted
    }
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
