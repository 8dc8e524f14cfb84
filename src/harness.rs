//! Cases as `cargo test` trials (libtest-mimic): one trial per case, named
//! by its id, so that `cargo test`, `cargo nextest`, filters, `--list`,
//! `--exact` and partitions work on cases.
//!
//! A vendor's crate gets the same in a `tests/` file with `harness = false`:
//!
//! ```no_run
//! use conform::harness::Conformance;
//!
//! fn main() -> std::process::ExitCode {
//!     Conformance::suite("cases/chime")
//!         .endpoint("http://127.0.0.1:8080")   // or leave out: CONFORM_ENDPOINT, else the built-in double
//!         .capability("faults")
//!         .run()
//! }
//! ```
//!
//! `suite` reads `CONFORM_ENDPOINT`, `CONFORM_CAPABILITIES` and
//! `CONFORM_VARS` from the environment; the builder's own calls win. The
//! target is decided as `conform run` decides it (one target builder for both): the
//! built-in double only for suites of its service, credentials required
//! where a suite signs.
//!
//! Each trial builds its own runtime. Against the built-in double, each
//! trial also gets its own double, so trials never share state. Against an
//! endpoint, cases marked `exclusive` hold a process-wide write lock while
//! the others hold read locks; under `cargo nextest` (one process per
//! trial) run such suites with `--test-threads 1`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, RwLock};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::case::{Case, LoadError, LoadOptions, load_cases};
use crate::report::terminal::{Style, case_details, case_line};
use crate::runner::{self, Outcome, RunOptions};
use crate::target::TargetRequest;

pub use crate::target::DOUBLE_CAPABILITIES;

/// Environment variable naming the endpoint (read by [`Conformance::suite`]).
pub const ENV_ENDPOINT: &str = "CONFORM_ENDPOINT";
/// Environment variable with comma-separated capabilities of that endpoint.
pub const ENV_CAPABILITIES: &str = "CONFORM_CAPABILITIES";
/// Environment variable with `KEY=VALUE` pairs, separated by commas.
pub const ENV_VARS: &str = "CONFORM_VARS";

/// A suite, and where to run it, as `cargo test` trials.
#[derive(Debug, Clone)]
pub struct Conformance {
    paths: Vec<PathBuf>,
    endpoint: Option<String>,
    capabilities: BTreeSet<String>,
    vars: BTreeMap<String, String>,
}

impl Conformance {
    /// The cases under `path` (a folder or a file), with the endpoint,
    /// capabilities and variables the environment gives (`CONFORM_*`).
    pub fn suite(path: impl Into<PathBuf>) -> Conformance {
        Conformance { paths: vec![path.into()], endpoint: None, capabilities: BTreeSet::new(), vars: BTreeMap::new() }
            .from_env()
    }

    /// Runs against this base URL instead of the built-in double.
    pub fn endpoint(mut self, url: impl Into<String>) -> Conformance {
        self.endpoint = Some(url.into());
        self
    }

    /// Declares a capability of the endpoint (`auth`, `faults`, ...).
    pub fn capability(mut self, name: impl Into<String>) -> Conformance {
        self.capabilities.insert(name.into());
        self
    }

    /// Sets a variable, as `--var` does.
    pub fn var(mut self, key: impl Into<String>, value: impl Into<String>) -> Conformance {
        self.vars.insert(key.into(), value.into());
        self
    }

    /// Takes the endpoint, capabilities and variables from
    /// `CONFORM_ENDPOINT`, `CONFORM_CAPABILITIES` and `CONFORM_VARS` when
    /// set. [`Conformance::suite`] already does; calling it again is harmless.
    pub fn from_env(mut self) -> Conformance {
        if let Some(url) = std::env::var(ENV_ENDPOINT).ok().filter(|u| !u.is_empty()) {
            self.endpoint = Some(url);
        }
        if let Ok(caps) = std::env::var(ENV_CAPABILITIES) {
            self.capabilities.extend(caps.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned));
        }
        if let Ok(vars) = std::env::var(ENV_VARS) {
            for pair in vars.split(',') {
                if let Some((k, v)) = pair.split_once('=') {
                    self.vars.insert(k.trim().to_owned(), v.to_owned());
                }
            }
        }
        self
    }

    /// One trial per case, sorted by id.
    pub fn trials(&self) -> Result<Vec<Trial>, Vec<LoadError>> {
        let opts = LoadOptions { cli_vars: self.vars.keys().cloned().collect() };
        let cases = load_cases(&self.paths, &opts)?;
        let shared = Arc::new(Shared { setup: self.clone(), lock: RwLock::new(()) });
        Ok(cases
            .into_iter()
            .map(|case| {
                let shared = shared.clone();
                Trial::ignorable_test(case.id.clone(), move || shared.run_one(case))
            })
            .collect())
    }

    /// Parses the libtest command line, runs the trials, and returns the
    /// exit code. Load errors are printed and fail the run.
    pub fn run(self) -> ExitCode {
        let args = Arguments::from_args();
        match self.trials() {
            Ok(trials) => libtest_mimic::run(&args, trials).exit_code(),
            Err(errors) => {
                for e in &errors {
                    eprintln!("error: {e}\n");
                }
                eprintln!("{} problem(s) in the case files; no trial was run", errors.len());
                ExitCode::from(2)
            }
        }
    }
}

struct Shared {
    setup: Conformance,
    /// Exclusive cases write-lock, the others read-lock.
    lock: RwLock<()>,
}

impl Shared {
    fn run_one(&self, case: Case) -> Result<Completion, Failed> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let exclusive = case.exclusive;
        let summary = rt.block_on(async {
            let request = TargetRequest {
                endpoint: self.setup.endpoint.clone(),
                capabilities: self.setup.capabilities.clone(),
                unsigned: false,
            };
            let prepared = crate::target::prepare(&request, std::slice::from_ref(&case)).await?;
            let opts = RunOptions {
                vars: self.setup.vars.clone(),
                credentials: prepared.credentials.clone(),
                region: prepared.region.clone(),
                ..RunOptions::default()
            };
            let target = prepared.target.clone();
            let _guard = if self.setup.endpoint.is_some() {
                Some(if exclusive {
                    Guard::Write { _held: self.lock.write().unwrap_or_else(|e| e.into_inner()) }
                } else {
                    Guard::Read { _held: self.lock.read().unwrap_or_else(|e| e.into_inner()) }
                })
            } else {
                None
            };
            Ok::<_, Failed>(runner::run(vec![case], &target, &opts).await?)
        })?;
        let Some(r) = summary.cases.first() else { return Err("the case produced no result".into()) };
        match r.outcome {
            // The harness runs without a baseline, so `known` cannot occur;
            // were it to, the case met every expectation not excused.
            Outcome::Passed | Outcome::Known => Ok(Completion::Completed),
            Outcome::Skipped => Ok(Completion::ignored_with(r.reason.clone().unwrap_or_default())),
            Outcome::Failed | Outcome::Errored | Outcome::Fixed => {
                let style = Style { color: false };
                Err(format!("{}\n{}", case_line(style, r), case_details(style, r)).into())
            }
        }
    }
}

/// Held for its lifetime only.
enum Guard<'a> {
    Read { _held: std::sync::RwLockReadGuard<'a, ()> },
    Write { _held: std::sync::RwLockWriteGuard<'a, ()> },
}
