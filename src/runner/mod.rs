//! Running cases: tokio + reqwest, one shared keep-alive client, cases
//! concurrently (steps of a case in order), per-request timeouts, and a
//! deterministic result order. Yields a [`RunSummary`]; prints nothing.

mod event;
mod exec;
mod redact;
mod result;
mod scope;
mod select;
mod sign;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::Url;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub use event::{Event, OnEvent};
pub use result::*;
pub(crate) use scope::kind as json_kind;
pub use select::{Selection, Shard};
pub use sign::{SigningCredentials, sign_request};

use crate::baseline::Baseline;
use crate::case::Case;

/// A cancellation signal shared by a run and whoever may interrupt it
/// (Ctrl-C). Cheap to clone.
#[derive(Debug, Clone)]
pub struct Cancel {
    tx: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Default for Cancel {
    fn default() -> Self {
        Cancel { tx: Arc::new(tokio::sync::watch::channel(false).0) }
    }
}

impl Cancel {
    /// Interrupts the run: no case starts any more, requests in flight are
    /// abandoned, started cases get a bounded teardown.
    pub fn cancel(&self) {
        self.tx.send_replace(true);
    }

    /// Whether the run was interrupted.
    pub fn is_cancelled(&self) -> bool {
        *self.tx.borrow()
    }

    /// Resolves once the run is interrupted.
    pub async fn cancelled(&self) {
        let mut rx = self.tx.subscribe();
        // The sender lives as long as `self`, so this cannot fail early.
        let _ = rx.wait_for(|v| *v).await;
    }
}

/// Responses larger than this are not read to the end; the step errors.
pub const DEFAULT_MAX_BODY: usize = 8 * 1024 * 1024;

/// Divergences kept per step by default (`--max-divergences`); the rest
/// are counted.
pub const DEFAULT_MAX_DIVERGENCES: usize = 100;

/// Bytes of a response body kept in a result once it is judged, by
/// default (`--max-body-bytes`): what the reports show.
pub const DEFAULT_MAX_BODY_KEPT: usize = 64 * 1024;

/// Items a runtime `for_each` may have by default (`--max-for-each`).
pub const DEFAULT_MAX_FOR_EACH: usize = 1_000;

/// JSON values a response body may hold to be judged, by default
/// (`--max-json-values`): a parsed value takes tens of bytes, so this
/// bounds a body's parsed form to tens of MiB.
pub const DEFAULT_MAX_JSON_VALUES: usize = 1_000_000;

/// Where requests go and what the target can do.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL; case paths are appended to it (a path prefix is kept).
    pub base_url: Url,
    /// Capabilities the target declares; cases that require others are skipped.
    pub capabilities: BTreeSet<String>,
}

/// How to run.
#[derive(Clone)]
pub struct RunOptions {
    /// Cases in flight at once.
    pub jobs: usize,
    /// Per-request timeout (connect, send, and read the whole body).
    pub timeout: Duration,
    /// Stop starting cases after the first failure or error.
    pub fail_fast: bool,
    /// `--var` values.
    pub vars: BTreeMap<String, String>,
    /// Response bodies larger than this make the step error.
    pub max_body: usize,
    /// Listens to the run's events (progress).
    pub on_event: Option<OnEvent>,
    /// Credentials to sign with; requests go unsigned without them.
    pub credentials: Option<SigningCredentials>,
    /// Region to sign for, over the suite's (`AWS_REGION`).
    pub region: Option<String>,
    /// Interrupts the run.
    pub cancel: Cancel,
    /// Extra trusted CA certificates (PEM), beside the system roots.
    pub ca_certs: Vec<Vec<u8>>,
    /// Accept any TLS certificate (`--insecure`).
    pub insecure: bool,
    /// Known divergences: they do not fail cases, and entries that no
    /// longer occur make their case `fixed`.
    pub baseline: Option<Arc<Baseline>>,
    /// Fixed baseline entries do not fail the run.
    pub allow_fixed: bool,
    /// Divergences kept per step; the verdict and the baseline see every
    /// one, reports the first this many and a count of the rest.
    pub max_divergences: usize,
    /// Bytes of each response body kept once judged (judging sees the
    /// whole body); the rest is summed up by its length and SHA-256.
    pub max_body_kept: usize,
    /// Items a runtime `for_each` may have; more make the step error.
    pub max_for_each: usize,
    /// JSON values a response body may hold; more make the step error
    /// before the body is parsed.
    pub max_json_values: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            jobs: 16,
            timeout: Duration::from_secs(10),
            fail_fast: false,
            vars: BTreeMap::new(),
            max_body: DEFAULT_MAX_BODY,
            on_event: None,
            credentials: None,
            region: None,
            cancel: Cancel::default(),
            ca_certs: Vec::new(),
            insecure: false,
            baseline: None,
            allow_fixed: false,
            max_divergences: DEFAULT_MAX_DIVERGENCES,
            max_body_kept: DEFAULT_MAX_BODY_KEPT,
            max_for_each: DEFAULT_MAX_FOR_EACH,
            max_json_values: DEFAULT_MAX_JSON_VALUES,
        }
    }
}

/// A problem that stops a run before any case starts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The HTTP client could not be built (TLS setup).
    #[error("failed to build the HTTP client")]
    Client(#[source] reqwest::Error),
    /// A `--ca-cert` file is not a PEM certificate.
    #[error("invalid CA certificate (PEM expected)")]
    CaCert(#[source] reqwest::Error),
}

/// Runs `cases` against `target`. Results come back sorted by case id,
/// whatever order they finished in.
pub async fn run(cases: Vec<Case>, target: &Target, opts: &RunOptions) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let mut certs = Vec::new();
    for pem in &opts.ca_certs {
        certs.extend(reqwest::Certificate::from_pem_bundle(pem).map_err(RunError::CaCert)?);
    }
    let client = reqwest::Client::builder()
        // A conformance check reports redirects; it does not follow them.
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(opts.jobs.max(1))
        // Certificates are checked by rustls-platform-verifier against the
        // system's roots, plus any `--ca-cert`.
        .tls_certs_merge(certs)
        .tls_danger_accept_invalid_certs(opts.insecure)
        .build()
        .map_err(RunError::Client)?;
    let ctx = Arc::new(exec::Ctx {
        client,
        base: target.base_url.clone(),
        timeout: opts.timeout,
        max_body: opts.max_body,
        vars: opts.vars.clone(),
        credentials: opts.credentials.clone(),
        region: opts.region.clone(),
        cancel: opts.cancel.clone(),
        baseline: opts.baseline.clone(),
        on_event: opts.on_event.clone(),
        max_divergences: opts.max_divergences.max(1),
        max_body_kept: opts.max_body_kept,
        max_for_each: opts.max_for_each,
        max_json_values: opts.max_json_values,
        warned_short_secret: AtomicBool::new(false),
    });
    emit(opts, &Event::RunStarted { cases: cases.len() });
    let stop = Arc::new(AtomicBool::new(false));
    let mut results = Vec::with_capacity(cases.len());
    // Exclusive cases change state other cases share: they run one at a
    // time, after the rest.
    let (exclusive, shared): (Vec<Case>, Vec<Case>) = cases.into_iter().partition(|c| c.exclusive);
    run_batch(shared, opts.jobs.max(1), target, opts, &ctx, &stop, &mut results).await;
    run_batch(exclusive, 1, target, opts, &ctx, &stop, &mut results).await;
    results.sort_by(|a, b| a.id.cmp(&b.id));
    let baseline = opts.baseline.as_ref().map(|b| {
        let ran: BTreeSet<&str> =
            results.iter().filter(|r| r.outcome != Outcome::Skipped).map(|r| r.id.as_str()).collect();
        BaselineUse {
            file: b.path.display().to_string(),
            allow_fixed: opts.allow_fixed,
            entries: b.entries.len(),
            not_run: b.entries.iter().filter(|e| !ran.contains(e.case.as_str())).count(),
            unknown_cases: Vec::new(),
        }
    });
    let summary =
        RunSummary { cases: results, duration: started.elapsed(), interrupted: opts.cancel.is_cancelled(), baseline };
    emit(opts, &Event::RunFinished { summary: &summary });
    Ok(summary)
}

/// Runs `cases` with at most `jobs` in flight, appending their results.
async fn run_batch(
    cases: Vec<Case>,
    jobs: usize,
    target: &Target,
    opts: &RunOptions,
    ctx: &Arc<exec::Ctx>,
    stop: &Arc<AtomicBool>,
    results: &mut Vec<CaseResult>,
) {
    let semaphore = Arc::new(Semaphore::new(jobs));
    let mut tasks = JoinSet::new();
    for case in cases {
        if let Some(reason) = skip_reason(&case, target) {
            let r = skipped(&case, reason);
            notify(opts, &r);
            results.push(r);
            continue;
        }
        let permit = tokio::select! {
            p = semaphore.clone().acquire_owned() => p.ok(),
            () = opts.cancel.cancelled() => None,
        };
        let Some(permit) = permit.filter(|_| !opts.cancel.is_cancelled()) else {
            let r = skipped(&case, "not run: the run was interrupted".into());
            notify(opts, &r);
            results.push(r);
            continue;
        };
        if stop.load(Ordering::Relaxed) {
            let r = skipped(&case, "not run: --fail-fast stopped the run".into());
            notify(opts, &r);
            results.push(r);
            continue;
        }
        let (ctx, stop, opts2) = (ctx.clone(), stop.clone(), opts.clone());
        tasks.spawn(async move {
            let r = exec::run_case(&case, &ctx).await;
            if opts2.fail_fast && matches!(r.outcome, Outcome::Failed | Outcome::Errored) {
                stop.store(true, Ordering::Relaxed);
            }
            notify(&opts2, &r);
            drop(permit);
            r
        });
        // Collect finished tasks as we go so memory stays bounded by `jobs`.
        while let Some(done) = tasks.try_join_next() {
            results.push(joined(done));
        }
    }
    while let Some(done) = tasks.join_next().await {
        results.push(joined(done));
    }
}

fn notify(opts: &RunOptions, r: &CaseResult) {
    emit(opts, &Event::CaseFinished { result: r });
}

fn emit(opts: &RunOptions, event: &Event<'_>) {
    if let Some(f) = &opts.on_event {
        f(event);
    }
}

/// A task that panicked is a bug in conform; it is reported, not hidden.
fn joined(done: Result<CaseResult, tokio::task::JoinError>) -> CaseResult {
    done.unwrap_or_else(|e| CaseResult {
        id: "(internal)".into(),
        name: "(internal)".into(),
        file: Default::default(),
        tags: vec![],
        covers: vec![],
        outcome: Outcome::Errored,
        reason: Some(format!("internal error: a case task failed: {e}")),
        steps: vec![],
        warnings: vec![],
        fixed: vec![],
        duration: Duration::ZERO,
    })
}

fn skip_reason(case: &Case, target: &Target) -> Option<String> {
    if let Some(reason) = &case.skip {
        return Some(reason.clone());
    }
    let missing: Vec<&str> =
        case.requires.iter().filter(|c| !target.capabilities.contains(*c)).map(String::as_str).collect();
    (!missing.is_empty()).then(|| format!("the target lacks capability {}", missing.join(", ")))
}

/// A result for a case that was not run.
pub fn skipped(case: &Case, reason: String) -> CaseResult {
    CaseResult {
        id: case.id.clone(),
        name: case.name.clone(),
        file: case.file.clone(),
        tags: case.tags.clone(),
        covers: case.covers.clone(),
        outcome: Outcome::Skipped,
        reason: Some(reason),
        steps: vec![],
        warnings: vec![],
        fixed: vec![],
        duration: Duration::ZERO,
    }
}
