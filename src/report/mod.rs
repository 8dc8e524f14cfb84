//! Reports: the terminal report and the files of `--report-dir`. Reporters
//! read a [`RunSummary`](crate::runner::RunSummary); they never decide outcomes.

pub mod terminal;
