//! Coverage: each documented statement, the cases that cover it and how
//! they fared.

use serde::Serialize;

use crate::runner::{Outcome, RunSummary};

/// A case that covers a statement, and its outcome.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CoveredBy {
    /// Case id.
    pub id: String,
    /// The case's outcome.
    pub outcome: Outcome,
}

/// One documented statement and its cases.
#[derive(Debug, Clone, Serialize)]
pub struct StatementCoverage {
    /// Statement id.
    pub id: String,
    /// The sentence or model fact it comes from.
    pub text: String,
    /// Cases that list it in `covers`.
    pub cases: Vec<CoveredBy>,
    /// `uncovered`, `conforms`, `known` (no new divergence, but known
    /// ones), `diverges` or `not run`.
    pub verdict: &'static str,
}

impl StatementCoverage {
    /// The verdict on the statement.
    pub fn verdict(&self) -> &'static str {
        self.verdict
    }
}

/// Coverage of every statement of a contract.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Statements in contract order.
    pub statements: Vec<StatementCoverage>,
    /// How many statements no case covers.
    pub uncovered: usize,
    /// `covers` ids that name no statement, with the case that wrote them.
    pub unknown: Vec<CoveredBy>,
}

/// Computes coverage of `statements` (id, text) by the cases of a run.
pub fn coverage(statements: &[(String, String)], summary: &RunSummary) -> Coverage {
    let mut out = Vec::new();
    for (id, text) in statements {
        let covering: Vec<_> = summary.cases.iter().filter(|c| c.covers.iter().any(|s| s == id)).collect();
        let cases: Vec<CoveredBy> =
            covering.iter().map(|c| CoveredBy { id: c.id.clone(), outcome: c.outcome }).collect();
        let verdict = if cases.is_empty() {
            "uncovered"
        } else if cases.iter().any(|c| matches!(c.outcome, Outcome::Failed | Outcome::Errored)) {
            "diverges"
        } else if cases.iter().all(|c| c.outcome == Outcome::Skipped) {
            "not run"
        } else if covering.iter().any(|c| c.known_count() > 0) {
            // A fixed case may still carry known divergences of other entries.
            "known"
        } else {
            "conforms"
        };
        out.push(StatementCoverage { id: id.clone(), text: text.clone(), cases, verdict });
    }
    let unknown = summary
        .cases
        .iter()
        .flat_map(|c| {
            c.covers
                .iter()
                .filter(|s| !statements.iter().any(|(id, _)| id == *s))
                .map(|s| CoveredBy { id: format!("{} (in {})", s, c.id), outcome: c.outcome })
        })
        .collect();
    Coverage { uncovered: out.iter().filter(|s| s.cases.is_empty()).count(), statements: out, unknown }
}
