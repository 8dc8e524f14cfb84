//! `conform`: a contract-test and conformance harness for HTTP APIs.
//!
//! Cases written in TOML describe requests and the documented responses;
//! `conform` sends them to an endpoint (or to its built-in double of the
//! documented behaviour) and reports every divergence.
//!
//! # The ten-minute tour
//!
//! A vendor who proves an API conforms in `cargo test` needs one type:
//! [`Conformance`], a test harness that turns each case into a test.
//!
//! ```no_run
//! // tests/conformance.rs, with `harness = false` in Cargo.toml
//! fn main() -> std::process::ExitCode {
//!     conform::Conformance::suite("cases").from_env().run()
//! }
//! ```
//!
//! To drive a run yourself, the flow is:
//!
//! 1. [`load_cases`] reads case files into [`Case`]s (every problem of every
//!    file at once, as [`LoadError`]s with their locations);
//! 2. [`run`] sends them to a [`Target`] as [`RunOptions`] say,
//!    reporting [`Event`]s as it goes, and returns a [`RunSummary`] of
//!    [`CaseResult`]s, whose divergences are [`Mismatch`]es;
//! 3. [`write_reports`] writes `report.json`, JUnit XML, Markdown and HTML
//!    from a [`ReportInput`].
//!
//! ```no_run
//! use std::sync::Arc;
//! use conform::{Event, LoadOptions, OnEvent, ReportInput, RunOptions, SigningCredentials, Target};
//! use conform::{load_cases, run, write_reports};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let cases = load_cases(&["cases".into()], &LoadOptions::default()).map_err(|errors| {
//!     // Every problem of every file, each with its file:line:col.
//!     errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")
//! })?;
//! let target = Target { base_url: "http://127.0.0.1:8080".parse()?, capabilities: Default::default() };
//! let on_event: OnEvent = Arc::new(|e: &Event<'_>| {
//!     if let Event::CaseFinished { result } = e {
//!         eprintln!("{} {:?}", result.id, result.outcome);
//!     }
//! });
//! // Without credentials requests go unsigned (`conform run` refuses that
//! // for a suite that signs; `run` does as it is told).
//! let credentials = SigningCredentials::from_env();
//! let opts = RunOptions { on_event: Some(on_event), credentials, ..RunOptions::default() };
//! let summary = run(cases, &target, &opts).await?;
//! let input = ReportInput { summary: &summary, target: "my-service", coverage: None };
//! write_reports("reports".as_ref(), &input)?;
//! # Ok(()) }
//! ```
//!
//! Public enums and result types are `#[non_exhaustive]`: match them with a
//! wildcard arm, and read results rather than build them.
//!
//! The target can be the [`Double`]: the documented behaviour of Amazon
//! Chime's user operations as a real HTTP server on loopback, whose
//! [`Service`] answers `http` requests.
//!
//! The modules hold the rest: [`case`] (the file format), [`matcher`]
//! (pure expected-versus-actual checks), [`contract`] (service models and
//! their documented statements), [`protocol`] (AWS JSON request
//! serialization from a model), [`baseline`] (known divergences),
//! [`runner`], [`report`], [`double`] and [`harness`]. The command line is
//! [`main`].

// Nothing a user or an endpoint controls may panic the library.
#![warn(clippy::unwrap_used)]
// Every type a public item mentions can be named by its users.
#![warn(unnameable_types)]

pub mod baseline;
pub mod case;
mod civil;
mod cli;
pub mod contract;
pub mod double;
mod files;
pub mod fuzzing;
mod generate;
pub mod harness;
pub mod matcher;
pub mod protocol;
pub mod report;
pub mod runner;
mod target;

pub use baseline::Baseline;
pub use case::{Case, LoadError, LoadOptions, load_cases};
pub use double::{Double, DoubleConfig, Service};
pub use harness::Conformance;
pub use matcher::Mismatch;
pub use report::{ReportInput, write_reports};
pub use runner::{CaseResult, Event, OnEvent, RunOptions, RunSummary, SigningCredentials, Target, run};

/// The `conform` command line, as the binary runs it: reads the arguments
/// of the process, runs the command, and returns its exit code (0 passed,
/// 1 failed, 2 usage or load error, 130 interrupted).
pub fn main() -> std::process::ExitCode {
    cli::run()
}
