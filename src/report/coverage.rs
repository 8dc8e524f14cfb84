//! Coverage: each documented statement, the cases that cover it and how
//! they fared.

use serde::Serialize;

use std::collections::BTreeSet;

use crate::runner::{CaseResult, Outcome, Phase, RunSummary};

/// A case that covers a statement, and its outcome.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct CoveredBy {
    /// Case id.
    pub id: String,
    /// The case's outcome.
    pub outcome: Outcome,
    /// Why the case says nothing about the statement, when it errored
    /// before any step under test was answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_run: Option<String>,
}

/// One documented statement and its cases.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct StatementCoverage {
    /// Statement id.
    pub id: String,
    /// The sentence or model fact it comes from.
    pub text: String,
    /// Cases that list it in `covers`.
    pub cases: Vec<CoveredBy>,
    /// What the cases say of the statement.
    pub verdict: Verdict,
}

/// What the cases that cover a statement say of it. In `report.json` and
/// every report, written as [`Verdict::as_str`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Verdict {
    /// Every case that ran passed.
    #[serde(rename = "conforms")]
    Conforms,
    /// No new divergence, but divergences a baseline knows.
    #[serde(rename = "known")]
    Known,
    /// A case that ran failed or errored.
    #[serde(rename = "diverges")]
    Diverges,
    /// Cases cover it, but none ran far enough to say anything.
    #[serde(rename = "not run")]
    NotRun,
    /// No case covers it.
    #[serde(rename = "uncovered")]
    Uncovered,
}

impl Verdict {
    /// Every verdict, in the order reports show them.
    pub const ALL: [Verdict; 5] =
        [Verdict::Conforms, Verdict::Known, Verdict::Diverges, Verdict::NotRun, Verdict::Uncovered];

    /// The verdict as reports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Conforms => "conforms",
            Verdict::Known => "known",
            Verdict::Diverges => "diverges",
            Verdict::NotRun => "not run",
            Verdict::Uncovered => "uncovered",
        }
    }
}

/// Coverage of every statement of a contract.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Coverage {
    /// Statements in contract order.
    pub statements: Vec<StatementCoverage>,
    /// How many statements no case covers.
    pub uncovered: usize,
    /// `covers` ids that name no statement, with the case that wrote them.
    pub unknown: Vec<CoveredBy>,
}

/// Whether a case ran far enough to say anything about what it covers: it
/// was not skipped, and it did not error before a step under test was
/// answered (a failed setup says nothing about the statement).
fn says_nothing(c: &CaseResult) -> Option<String> {
    match c.outcome {
        Outcome::Skipped => Some(c.reason.clone().unwrap_or_else(|| "skipped".to_owned())),
        Outcome::Errored if !c.steps.iter().any(|s| s.phase == Phase::Step && s.response.is_some()) => {
            Some(c.reason.clone().unwrap_or_else(|| "errored before its steps".to_owned()))
        }
        _ => None,
    }
}

/// Computes coverage of `statements` (id, text) by the cases of a run.
/// `left_out` holds the statements that cases not selected for this run
/// cover (filtered out, another shard): without a case in the run, they are
/// `not run` rather than `uncovered`.
pub fn coverage(statements: &[(String, String)], summary: &RunSummary, left_out: &BTreeSet<String>) -> Coverage {
    let mut out = Vec::new();
    for (id, text) in statements {
        let covering: Vec<_> = summary.cases.iter().filter(|c| c.covers.iter().any(|s| s == id)).collect();
        let cases: Vec<CoveredBy> = covering
            .iter()
            .map(|c| CoveredBy { id: c.id.clone(), outcome: c.outcome, not_run: says_nothing(c) })
            .collect();
        let ran: Vec<&&CaseResult> = covering.iter().filter(|c| says_nothing(c).is_none()).collect();
        let verdict = if cases.is_empty() && !left_out.contains(id) {
            Verdict::Uncovered
        } else if ran.iter().any(|c| matches!(c.outcome, Outcome::Failed | Outcome::Errored)) {
            Verdict::Diverges
        } else if ran.is_empty() {
            Verdict::NotRun
        } else if ran.iter().any(|c| c.known_count() > 0) {
            // A fixed case may still carry known divergences of other entries.
            Verdict::Known
        } else {
            Verdict::Conforms
        };
        out.push(StatementCoverage { id: id.clone(), text: text.clone(), cases, verdict });
    }
    let unknown = summary
        .cases
        .iter()
        .flat_map(|c| {
            c.covers.iter().filter(|s| !statements.iter().any(|(id, _)| id == *s)).map(|s| CoveredBy {
                id: format!("{} (in {})", s, c.id),
                outcome: c.outcome,
                not_run: None,
            })
        })
        .collect();
    Coverage { uncovered: out.iter().filter(|s| s.verdict == Verdict::Uncovered).count(), statements: out, unknown }
}
