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
//!         .endpoint("http://127.0.0.1:8080")   // or leave out: the built-in double
//!         .capability("faults")
//!         .run()
//! }
//! ```
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
use crate::double::{AuthMode, Credential, Double, DoubleConfig};
use crate::report::terminal::{Style, case_details, case_line};
use crate::runner::{self, Outcome, RunOptions, SigningCredentials, Target};

/// Capabilities of the built-in double.
pub const DOUBLE_CAPABILITIES: &[&str] = &["auth", "faults", "signature-verification"];

/// Environment variable naming the endpoint for [`Conformance::from_env`].
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
    /// The cases under `path` (a folder or a file).
    pub fn suite(path: impl Into<PathBuf>) -> Conformance {
        Conformance { paths: vec![path.into()], endpoint: None, capabilities: BTreeSet::new(), vars: BTreeMap::new() }
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
    /// `CONFORM_ENDPOINT`, `CONFORM_CAPABILITIES` and `CONFORM_VARS` when set.
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

/// Starts the built-in double on a free loopback port as a run target: it
/// verifies signatures made with `creds` for `region`, and has every
/// capability (plus `extra`).
pub async fn start_double(
    creds: &SigningCredentials,
    region: &str,
    extra: &BTreeSet<String>,
) -> std::io::Result<(Double, Target)> {
    let config = DoubleConfig {
        auth: AuthMode::Verify(vec![Credential { access_key: creds.access_key.clone(), secret: creds.secret.clone() }]),
        region: region.to_owned(),
        ..DoubleConfig::default()
    };
    let double = Double::start_local(config).await?;
    let base_url = double.uri().parse().map_err(std::io::Error::other)?;
    let mut capabilities: BTreeSet<String> = DOUBLE_CAPABILITIES.iter().map(|s| s.to_string()).collect();
    capabilities.extend(extra.iter().cloned());
    Ok((double, Target { base_url, capabilities }))
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
            let (target, credentials, _double) = match &self.setup.endpoint {
                Some(url) => {
                    let target = Target { base_url: url.parse()?, capabilities: self.setup.capabilities.clone() };
                    (target, SigningCredentials::from_env(), None)
                }
                None => {
                    let creds = SigningCredentials::random();
                    let (double, target) = start_double(&creds, "us-east-1", &self.setup.capabilities).await?;
                    (target, Some(creds), Some(double))
                }
            };
            let opts = RunOptions { vars: self.setup.vars.clone(), credentials, ..RunOptions::default() };
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
