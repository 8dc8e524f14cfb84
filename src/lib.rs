//! `conform`: a contract-test and conformance harness for HTTP APIs.
//!
//! Cases written in TOML describe requests and the documented responses;
//! [`runner::run`] sends them to an endpoint (or the built-in [`double`])
//! and every divergence comes back as a [`matcher::Mismatch`].
//!
//! Flow: [`case::load_cases`] → `Vec<Case>` → [`runner::run`] →
//! [`runner::RunSummary`] → each [`report`] writer.

// Nothing a user or an endpoint controls may panic the library.
#![warn(clippy::unwrap_used)]

pub mod baseline;
pub mod case;
mod civil;
pub mod cli;
pub mod contract;
pub mod double;
mod files;
pub mod generate;
pub mod harness;
pub mod matcher;
pub mod protocol;
pub mod report;
pub mod runner;
pub mod target;
