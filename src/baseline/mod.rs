//! Baselines: the divergences an implementation is known to have, so a run
//! fails only on new ones (and on known ones that went away).
//!
//! A baseline file holds `[[known]]` entries. Each names a case id and,
//! optionally, a step, a divergence kind and a JSON path (or header name),
//! with a `reason` and a `link` for people. Entries never name values: a
//! fresh run against a fresh emulator (new ids, dates, request ids) matches
//! the same entries.
//!
//! [`Baseline::load`] reads a file with located errors; [`Baseline::classify`]
//! says which divergences of a step an entry knows; [`update`] rewrites a
//! file from observed divergences, keeping reasons, links and comments.
//! This module knows the file format and the matching rule; the runner
//! applies them and the reports show them.

mod file;
mod matching;
mod update;

pub use file::{Baseline, Entry, Known, MAX_BASELINE_BYTES, MAX_UNKNOWN_LISTED};
pub use matching::{Key, base_step_name, kind_from_str, normalize_path};
pub(crate) use matching::{Probe, divergence_probes};
pub use update::{Change, Observed, ObservedCase, update};
