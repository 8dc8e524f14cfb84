//! What a run reports while it goes: typed events, in order, to whoever
//! listens (the progress display, a harness, a vendor's own reporter). One
//! runner, many consumers; the final [`RunSummary`] is the last event's.
//!
//! Events carry no request or response text: those are redacted when their
//! case finishes, so the exchange itself is only in [`Event::CaseFinished`]'s
//! result.

use std::sync::Arc;
use std::time::Duration;

use super::result::{CaseResult, Phase, RunSummary};

/// One thing that happened in a run. For each case, `CaseStarted` comes
/// before its `StepExchanged` events, and `CaseFinished` after them; a
/// case that is not run (skipped, or left after an interrupt or
/// `--fail-fast`) has only `CaseFinished`. `RunStarted` comes first and
/// `RunFinished` last.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The run begins.
    RunStarted {
        /// How many cases it holds, run or not.
        cases: usize,
    },
    /// A case starts its first step.
    CaseStarted {
        /// The case's id.
        id: &'a str,
    },
    /// A step got its response (or failed to), and was judged.
    StepExchanged {
        /// The id of the case the step belongs to.
        case: &'a str,
        /// The step's name (with ` [i]` for a repetition).
        step: &'a str,
        /// Setup, step under test, or teardown.
        phase: Phase,
        /// The response's status, when one came.
        status: Option<u16>,
        /// Whether the step passed (no divergence that is not known, no error).
        passed: bool,
        /// From sending to the judged response.
        duration: Duration,
    },
    /// A case has its result (redacted).
    CaseFinished {
        /// The result.
        result: &'a CaseResult,
    },
    /// The run is over; results are sorted by case id.
    RunFinished {
        /// The summary [`run`](super::run) returns.
        summary: &'a RunSummary,
    },
}

/// A listener for a run's events. Called from the runner's tasks, so it
/// should return quickly.
pub type OnEvent = Arc<dyn Fn(&Event<'_>) + Send + Sync>;
