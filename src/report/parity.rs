//! The parity score: how close the target is to the documented behaviour,
//! per documented statement (from coverage) and overall. Computed from the
//! results; every report format shows the same figures.

use serde::Serialize;

use super::{ReportInput, Verdict};
use crate::runner::Outcome;

/// Statements by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatementParity {
    /// Documented statements in the contract(s).
    pub total: usize,
    /// Every covering case conformed.
    pub conforms: usize,
    /// No new divergence, but known ones.
    pub known: usize,
    /// A covering case failed or errored.
    pub diverges: usize,
    /// Covered, but no covering case ran.
    pub not_run: usize,
    /// No case covers the statement.
    pub uncovered: usize,
}

/// The overall figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Parity {
    /// Statements by verdict; `None` without a contract.
    pub statements: Option<StatementParity>,
    /// Cases that ran (not skipped).
    pub cases_run: usize,
    /// Cases that conform fully: passed, or fixed with no known divergence.
    pub cases_passing: usize,
    /// Cases that pass except for known divergences.
    pub cases_known: usize,
    /// Divergences the baseline knows, over every case.
    pub known_divergences: usize,
    /// Baseline entries that no longer occur.
    pub fixed_entries: usize,
    /// The score, 0 to 100: statements conforming out of all documented
    /// statements, or without a contract, conforming cases out of cases run.
    pub score: u32,
    /// `statements` or `cases`: what the score counts.
    pub basis: &'static str,
}

/// Computes the parity figures of a run.
pub fn parity(input: &ReportInput) -> Parity {
    let s = input.summary;
    let cases_run = s.cases.iter().filter(|c| c.outcome != Outcome::Skipped).count();
    let cases_passing = s
        .cases
        .iter()
        .filter(|c| c.outcome == Outcome::Passed || (c.outcome == Outcome::Fixed && c.known_count() == 0))
        .count();
    let cases_known = s.cases.iter().filter(|c| c.known_count() > 0 && c.outcome != Outcome::Failed).count();
    let statements = input.coverage.map(|cov| {
        let mut p = StatementParity { total: cov.statements.len(), ..StatementParity::default() };
        for st in &cov.statements {
            match st.verdict {
                Verdict::Conforms => p.conforms += 1,
                Verdict::Known => p.known += 1,
                Verdict::Diverges => p.diverges += 1,
                Verdict::NotRun => p.not_run += 1,
                _ => p.uncovered += 1,
            }
        }
        p
    });
    let (num, den, basis) = match statements {
        Some(p) if p.total > 0 => (p.conforms, p.total, "statements"),
        _ => (cases_passing, cases_run, "cases"),
    };
    Parity {
        statements,
        cases_run,
        cases_passing,
        cases_known,
        known_divergences: s.known_divergences(),
        fixed_entries: s.fixed_entries().count(),
        score: percent(num, den),
        basis,
    }
}

/// `num / den` as a whole percentage, rounded down (100 only when equal).
fn percent(num: usize, den: usize) -> u32 {
    num.saturating_mul(100).checked_div(den).map_or(0, |p| u32::try_from(p).unwrap_or(100))
}

impl Parity {
    /// One line for people: the score and what it counts.
    pub fn line(&self) -> String {
        let mut s = format!("parity {}%", self.score);
        if let Some(p) = &self.statements {
            s.push_str(&format!(
                ": {}/{} documented statements conform, {} known, {} diverge, {} not run, {} uncovered",
                p.conforms, p.total, p.known, p.diverges, p.not_run, p.uncovered
            ));
            s.push_str(&format!("; {}/{} cases pass", self.cases_passing, self.cases_run));
        } else {
            s.push_str(&format!(": {}/{} cases pass", self.cases_passing, self.cases_run));
        }
        let plural =
            |n: usize, one: &str, many: &str| if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") };
        s.push_str(&format!(
            ", {} with known divergences ({})",
            self.cases_known,
            plural(self.known_divergences, "known divergence", "known divergences")
        ));
        if self.fixed_entries > 0 {
            s.push_str(&format!(", {} fixed", plural(self.fixed_entries, "baseline entry", "baseline entries")));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_down() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(2, 3), 66);
        assert_eq!(percent(24, 25), 96);
        assert_eq!(percent(25, 25), 100);
    }
}
