//! Contracts: the documented operations of a suite (routes, shapes,
//! errors) and its documented statements, for shape checks and coverage.

mod coverage;

pub use coverage::{Coverage, CoveredBy, StatementCoverage, coverage};
