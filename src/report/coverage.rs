//! Coverage: each documented statement, the cases that cover it and how
//! they fared.

use serde::Serialize;

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::runner::{CaseResult, Outcome, Phase, RunSummary};

/// A case that covers a statement, and its outcome.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct CoveredBy {
    /// Case id.
    pub id: String,
    /// Why the case says nothing about the statement, when it errored
    /// before any step under test was answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_run: Option<String>,
    /// The case's outcome.
    pub outcome: Outcome,
}

/// One documented statement and its cases. Fields (here and in
/// [`CoveredBy`] and [`Coverage`]) are declared in name order: `report.json`
/// writes the coverage straight from them, keys sorted like the rest.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct StatementCoverage {
    /// Cases that list it in `covers`.
    pub cases: Vec<CoveredBy>,
    /// Statement id.
    pub id: String,
    /// The sentence or model fact it comes from.
    pub text: String,
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
    // The cases of each statement id, gathered in one pass over the cases'
    // `covers`: looking them up per statement is statements times cases.
    let known: HashSet<&str> = statements.iter().map(|(id, _)| id.as_str()).collect();
    let mut by_statement: HashMap<&str, Vec<&CaseResult>> = HashMap::new();
    let mut unknown = Vec::new();
    for c in &summary.cases {
        // A case listing a statement twice still covers it once.
        let mut listed = HashSet::new();
        for s in &c.covers {
            if !known.contains(s.as_str()) {
                unknown.push(CoveredBy { id: format!("{} (in {})", s, c.id), outcome: c.outcome, not_run: None });
            } else if listed.insert(s.as_str()) {
                by_statement.entry(s.as_str()).or_default().push(c);
            }
        }
    }
    let mut out = Vec::with_capacity(statements.len());
    for (id, text) in statements {
        let covering = by_statement.get(id.as_str()).map_or(&[][..], Vec::as_slice);
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
    Coverage { uncovered: out.iter().filter(|s| s.verdict == Verdict::Uncovered).count(), statements: out, unknown }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Duration;

    fn case(id: &str, outcome: Outcome, covers: &[&str]) -> CaseResult {
        CaseResult {
            id: id.to_owned(),
            name: id.to_owned(),
            file: PathBuf::from("c.toml"),
            tags: Vec::new(),
            covers: covers.iter().map(|s| (*s).to_owned()).collect(),
            outcome,
            reason: None,
            steps: Vec::new(),
            warnings: Vec::new(),
            fixed: Vec::new(),
            duration: Duration::ZERO,
        }
    }

    fn summary(cases: Vec<CaseResult>) -> RunSummary {
        RunSummary { cases, duration: Duration::ZERO, interrupted: false, baseline: None }
    }

    #[test]
    fn each_statement_lists_its_cases_in_order_and_unknown_ids_are_named() {
        let statements: Vec<(String, String)> =
            ["s1", "s2", "s3", "s4"].iter().map(|s| ((*s).to_owned(), format!("text of {s}"))).collect();
        let run = summary(vec![
            case("a", Outcome::Passed, &["s1", "s2", "s1", "nope"]),
            case("b", Outcome::Failed, &["s2"]),
            case("c", Outcome::Skipped, &["s3"]),
        ]);
        let cov = coverage(&statements, &run, &BTreeSet::from(["s4".to_owned()]));
        let got: Vec<(&str, Vec<&str>, Verdict)> = cov
            .statements
            .iter()
            .map(|s| (s.id.as_str(), s.cases.iter().map(|c| c.id.as_str()).collect(), s.verdict))
            .collect();
        assert_eq!(
            got,
            [
                ("s1", vec!["a"], Verdict::Conforms),
                ("s2", vec!["a", "b"], Verdict::Diverges),
                ("s3", vec!["c"], Verdict::NotRun),
                ("s4", vec![], Verdict::NotRun),
            ]
        );
        assert_eq!(cov.uncovered, 0);
        assert_eq!(cov.unknown.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["nope (in a)"]);
        let cov = coverage(&statements, &run, &BTreeSet::new());
        assert_eq!((cov.uncovered, cov.statements[3].verdict), (1, Verdict::Uncovered));
    }

    /// Issue #24: coverage of 150,000 statements by 30,000 cases is one pass
    /// over each (looking up each statement's cases took minutes).
    #[test]
    #[ignore = "slow probe; run with --ignored"]
    fn coverage_of_150k_statements_is_linear_issue_24() {
        let n = 150_000;
        let statements: Vec<(String, String)> = (0..n).map(|i| (format!("s{i}"), String::new())).collect();
        let cases = (0..n / 5)
            .map(|k| {
                let covers: Vec<String> = (k * 5..k * 5 + 5).map(|i| format!("s{i}")).collect();
                let covers: Vec<&str> = covers.iter().map(String::as_str).collect();
                case(&format!("c{k}"), Outcome::Passed, &covers)
            })
            .collect();
        let cov = coverage(&statements, &summary(cases), &BTreeSet::new());
        assert_eq!(cov.uncovered, 0);
        assert!(cov.statements.iter().all(|s| s.cases.len() == 1 && s.verdict == Verdict::Conforms));
    }
}
