//! Sending one step and judging its response; running one case through
//! setup, steps and teardown.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::HeaderMap;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use reqwest::{Client, Method, Url};
use serde_json::Value;

use super::Cancel;
use super::event::{Event, OnEvent};
use super::redact::{Redactor, SECRET_HEADERS, SHORT_SECRET_LEN, sensitive_values};
use super::result::*;
use super::scope::{Binding, Scope, kind};
use super::sign::{SigningCredentials, sign_request};
use crate::baseline::{Baseline, Probe, base_step_name, divergence_probes};
use crate::case::{
    BodyExpect, Capture, CaptureSource, Case, HeaderExpect, JsonExpect, Leaf, RequestBody, Step, StepRepeat,
    TargetSettings, TextExpect,
};
use crate::contract::{Protocol, RequestLine, ShapeMode, check_response_noted};
use crate::matcher::{self, Body, HeaderMatcher, Mismatch, MismatchKind, TextMatcher};
use crate::protocol::{SdkResponse, check_sdk_response, read_response};

/// Shared, read-only context of a run.
pub(crate) struct Ctx {
    pub client: Client,
    pub base: Url,
    pub timeout: Duration,
    pub max_body: usize,
    pub vars: BTreeMap<String, String>,
    pub credentials: Option<SigningCredentials>,
    pub region: Option<String>,
    pub cancel: Cancel,
    pub baseline: Option<Arc<Baseline>>,
    pub on_event: Option<OnEvent>,
    /// Divergences kept per step (`--max-divergences`).
    pub max_divergences: usize,
    /// Response body bytes kept in a result once judged (`--max-body-bytes`).
    pub max_body_kept: usize,
    /// Items a runtime `for_each` may have (`--max-for-each`).
    pub max_for_each: usize,
    /// JSON values a response body may hold to be judged (`--max-json-values`).
    pub max_json_values: usize,
    /// Set once the run has warned of a short secret.
    pub warned_short_secret: std::sync::atomic::AtomicBool,
}

impl Ctx {
    fn emit(&self, event: &Event<'_>) {
        if let Some(f) = &self.on_event {
            f(event);
        }
    }
}

/// Runs one case to its result. Never panics on what an endpoint sends.
pub(crate) async fn run_case(case: &Case, ctx: &Ctx) -> CaseResult {
    let started = Instant::now();
    let mut result = CaseResult {
        id: case.id.clone(),
        name: case.name.clone(),
        file: case.file.clone(),
        tags: case.tags.clone(),
        covers: case.covers.clone(),
        outcome: Outcome::Passed,
        reason: None,
        // Results are kept until the reports are written: no spare capacity.
        steps: Vec::with_capacity(case.setup.len() + case.steps.len() + case.teardown.len()),
        warnings: Vec::new(),
        fixed: Vec::new(),
        duration: Duration::ZERO,
    };
    let mut scope = match Scope::new(&case.vars, &ctx.vars) {
        Ok(s) => s,
        Err(e) => {
            result.outcome = Outcome::Errored;
            result.reason = Some(e);
            return result;
        }
    };
    ctx.emit(&Event::CaseStarted { id: &case.id });
    // Divergences a baseline knows do not stop a case: later steps run, so
    // a new divergence behind a known one is still caught.
    let body = async {
        for step in &case.setup {
            let mut runs = run_step(step, Phase::Setup, &mut scope, case, ctx).await;
            let failed = runs.iter().find(|r| !r.ok()).map(describe_failure);
            take_warnings(&mut runs, &mut result.warnings);
            result.steps.extend(runs);
            if let Some(why) = failed {
                result.outcome = Outcome::Errored;
                result.reason = Some(format!("setup failed: {why}"));
                return;
            }
        }
        for step in &case.steps {
            let mut runs = run_step(step, Phase::Step, &mut scope, case, ctx).await;
            let error = runs.iter().find_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.name)));
            let diverged = runs.iter().any(StepResult::has_new_divergences);
            take_warnings(&mut runs, &mut result.warnings);
            result.steps.extend(runs);
            if let Some(e) = error {
                result.outcome = Outcome::Errored;
                result.reason = Some(e);
                return;
            }
            if diverged {
                // Later steps usually depend on this one; stop here.
                result.outcome = Outcome::Failed;
                return;
            }
        }
    };
    let interrupted = tokio::select! {
        () = body => false,
        () = ctx.cancel.cancelled() => true,
    };
    if interrupted {
        // The request in flight is abandoned; the case is reported as it stood.
        result.outcome = Outcome::Errored;
        result.reason = Some("interrupted before the case finished".into());
    }
    let teardown = async {
        for step in &case.teardown {
            for r in run_step(step, Phase::Teardown, &mut scope, case, ctx).await {
                if !r.ok() {
                    result.warnings.push(format!("teardown `{}`: {}", step.name, describe_failure(&r)));
                }
                result.steps.push(r);
            }
        }
    };
    if interrupted {
        if tokio::time::timeout(TEARDOWN_BOUND_ON_INTERRUPT, teardown).await.is_err() {
            result.warnings.push(format!(
                "teardown abandoned: it did not finish within {} s of the interrupt",
                TEARDOWN_BOUND_ON_INTERRUPT.as_secs()
            ));
        }
    } else {
        teardown.await;
    }
    if let Some(baseline) = &ctx.baseline {
        settle_baseline(&mut result, baseline);
    }
    result.duration = started.elapsed();
    let (redactor, short) = redactor(case, &scope, ctx);
    if short && !ctx.warned_short_secret.swap(true, std::sync::atomic::Ordering::Relaxed) {
        result.warnings.push(format!(
            "a secret is shorter than {SHORT_SECRET_LEN} characters: it is redacted from every value that holds it \
             (member names, paths and header names are left as they are), which can make reports hard to read"
        ));
    }
    redactor.apply(&mut result);
    result
}

/// Moves the warnings of steps (`shape = "warn"`) to the case.
fn take_warnings(runs: &mut [StepResult], into: &mut Vec<String>) {
    for r in runs {
        into.append(&mut r.warnings);
    }
}

/// Marks the divergences of a step that the baseline knows, and notes
/// every entry that knows any of them. Teardown only warns, so it is left
/// alone. Then keeps the first `--max-divergences`: the baseline has seen
/// them all, and the count of the rest says how many are new.
fn mark_known(r: &mut StepResult, phase: Phase, case: &Case, ctx: &Ctx) {
    if let Some(baseline) = &ctx.baseline
        && phase != Phase::Teardown
        && !r.mismatches.is_empty()
    {
        r.known = baseline.classify(&case.id, &r.name, &r.mismatches);
        // An entry knows a divergence when its key is one of the
        // divergence's probes: one set of them, then one look-up an entry.
        let seen: HashSet<Probe> = r.mismatches.iter().flat_map(|m| divergence_probes(&r.name, m)).collect();
        r.used_entries = baseline
            .entries_for(&case.id)
            .filter(|(_, e)| e.key().probes().iter().any(|p| seen.contains(p)))
            .map(|(i, _)| i)
            .collect();
        // Body divergences the matcher only counted have no path: an entry
        // that names none (any path of the step, kind `body` or any) knows
        // them; a path-naming entry cannot tell, so they stay new.
        if r.omitted.new > 0 {
            let counted = Mismatch::new(MismatchKind::Body, "", "", "", "");
            let knows = baseline.entries_for(&case.id).any(|(_, e)| {
                e.path.is_none() && e.key().probes().iter().any(|p| divergence_probes(&r.name, &counted).contains(p))
            });
            if knows {
                r.omitted.new = 0;
            }
        }
    }
    cap_divergences(r, ctx.max_divergences);
    // A divergence's texts are bounded like a body: a text expectation's
    // divergence holds the whole body it judged.
    for m in &mut r.mismatches {
        cut_text(&mut m.expected, ctx.max_body_kept);
        cut_text(&mut m.actual, ctx.max_body_kept);
    }
}

/// Keeps the first `max` bytes of a text (at a character boundary) and
/// says how long it was.
fn cut_text(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let whole = text.len();
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(&format!("… (cut after {end} bytes of {whole})"));
    text.shrink_to_fit();
}

/// Keeps the first `max` divergences (and warnings) of a step; the rest
/// are counted, with how many of them no baseline entry knows.
fn cap_divergences(r: &mut StepResult, max: usize) {
    if r.warnings.len() > max {
        let more = r.warnings.len() - max;
        r.warnings.truncate(max);
        r.warnings.push(format!("step `{}`: and {more} more warnings, not kept (see `--max-divergences`)", r.name));
    }
    if r.mismatches.len() <= max {
        return;
    }
    // Divergences the matcher only counted are already in `omitted`.
    let new = (max..r.mismatches.len()).filter(|&i| r.known_at(i).is_none()).count();
    r.omitted = Omitted::new(r.omitted.count + r.mismatches.len() - max, r.omitted.new + new);
    r.mismatches.truncate(max);
    r.mismatches.shrink_to_fit();
    r.known.truncate(max);
}

/// After a case: entries of the case that were checked and matched nothing
/// are fixed; the outcome says `known` or `fixed` where it would say passed.
/// An entry is checked when its case ran to the end, or when it names a
/// step that ran; entries of steps a stop kept from running are not.
fn settle_baseline(result: &mut CaseResult, baseline: &Baseline) {
    let complete = result.outcome == Outcome::Passed;
    let ran: BTreeSet<&str> =
        result.steps.iter().filter(|s| s.phase != Phase::Teardown).map(|s| base_step_name(&s.name)).collect();
    // An entry is used when it knows any divergence, not only those it was
    // the first to know: an entry behind a broader one is not stale.
    // Marked per step before its divergences were capped.
    let used: HashSet<usize> = result
        .steps
        .iter()
        .filter(|s| s.phase != Phase::Teardown)
        .flat_map(|s| s.used_entries.iter().copied())
        .collect();
    let fixed: Vec<_> = baseline
        .entries_for(&result.id)
        .filter(|(i, e)| (complete || e.step.as_deref().is_some_and(|s| ran.contains(s))) && !used.contains(i))
        .map(|(_, e)| e.clone())
        .collect();
    if result.outcome == Outcome::Passed {
        if !fixed.is_empty() {
            result.outcome = Outcome::Fixed;
        } else if result.known_count() > 0 {
            result.outcome = Outcome::Known;
        }
    }
    result.fixed = fixed;
}

/// What to scrub from a case's result: secret variables, credentials,
/// secret header values, and the contract's sensitive members. Also says
/// whether a configured secret (a variable or credential) is short.
fn redactor(case: &Case, scope: &Scope, ctx: &Ctx) -> (Redactor, bool) {
    let mut configured = Vec::new();
    for name in &case.secrets {
        match scope.lookup(name, None) {
            Some(Value::String(s)) => configured.push(s),
            Some(other) if !other.is_null() => configured.push(other.to_string()),
            _ => {}
        }
    }
    if let Some(c) = &ctx.credentials {
        configured.push(c.secret.clone());
        configured.extend(c.session_token.clone());
    }
    let short = configured.iter().any(|s| !s.is_empty() && s.chars().count() < SHORT_SECRET_LEN);
    let secrets = scope.secrets.iter().cloned().chain(configured);
    let sensitive = case.contract.iter().flat_map(|c| c.sensitive_members.iter().cloned());
    (Redactor::new(secrets, sensitive), short)
}

/// After an interrupt, teardown of started cases gets this long.
pub const TEARDOWN_BOUND_ON_INTERRUPT: Duration = Duration::from_secs(5);

fn describe_failure(r: &StepResult) -> String {
    if let Some(e) = &r.error {
        return format!("{}: {e}", r.name);
    }
    let first = r.mismatches.first().map(|m| {
        let at = if m.path.is_empty() { String::new() } else { format!(" at {}", m.path) };
        format!("{}{at}: {}; expected {}, got {}", m.kind.as_str(), m.message, m.expected, m.actual)
    });
    format!("{}: {}", r.name, first.unwrap_or_default())
}

/// Runs a step once, or once per repetition (stopping at the first that
/// does not pass), or not at all when `unless_var` names a `--var` or
/// `if_var` names a variable without a value.
async fn run_step(step: &Step, phase: Phase, scope: &mut Scope, case: &Case, ctx: &Ctx) -> Vec<StepResult> {
    if step.unless_var.as_ref().is_some_and(|v| ctx.vars.contains_key(v)) {
        return Vec::new();
    }
    if step.if_var.as_ref().is_some_and(|v| !scope.is_set(v)) {
        return Vec::new();
    }
    let Some(repeat) = &step.repeat else {
        let mut r = exec_step(step, phase, scope, case, ctx, false).await;
        mark_known(&mut r, phase, case, ctx);
        exchanged(&r, case, ctx);
        return vec![r];
    };
    let items: Vec<Value> = match repeat {
        StepRepeat::Times(n) => (0..*n).map(Value::from).collect(),
        StepRepeat::ForEach(t) => match scope.render_json(t, None) {
            Ok(Value::Array(items)) if items.len() > ctx.max_for_each => {
                return vec![StepResult::failed_to_start(
                    step,
                    phase,
                    format!(
                        "`for_each` over {} items, over the limit of {} (raise it with `--max-for-each`)",
                        items.len(),
                        ctx.max_for_each
                    ),
                )];
            }
            Ok(Value::Array(items)) => items,
            Ok(other) => {
                return vec![StepResult::failed_to_start(
                    step,
                    phase,
                    format!("`for_each` needs a list, got {}", kind(&other)),
                )];
            }
            Err(e) => return vec![StepResult::failed_to_start(step, phase, e)],
        },
    };
    for c in &step.captures {
        scope.set(&c.name, Value::Array(Vec::new()));
    }
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        scope.binding = Some(Binding { index, item });
        let mut r = exec_step(step, phase, scope, case, ctx, true).await;
        r.name = format!("{} [{index}]", step.name);
        mark_known(&mut r, phase, case, ctx);
        exchanged(&r, case, ctx);
        let ok = r.ok();
        out.push(r);
        if !ok {
            break;
        }
    }
    scope.binding = None;
    out
}

fn exchanged(r: &StepResult, case: &Case, ctx: &Ctx) {
    ctx.emit(&Event::StepExchanged {
        case: &case.id,
        step: &r.name,
        phase: r.phase,
        status: r.response.as_ref().map(|p| p.status),
        passed: r.ok(),
        duration: r.duration,
    });
}

impl StepResult {
    fn failed_to_start(step: &Step, phase: Phase, error: String) -> StepResult {
        let error = StepError::Request(error);
        StepResult {
            phase,
            name: step.name.clone(),
            request: None,
            response: None,
            mismatches: Vec::new(),
            error: Some(error),
            known: Vec::new(),
            warnings: Vec::new(),
            body_diff: None,
            omitted: Omitted::default(),
            used_entries: Vec::new(),
            duration: Duration::ZERO,
        }
    }
}

/// Sends one step and judges the response. Captures of a repeated step
/// are appended to their lists.
async fn exec_step(step: &Step, phase: Phase, scope: &mut Scope, case: &Case, ctx: &Ctx, repeated: bool) -> StepResult {
    let target = &case.target;
    let started = Instant::now();
    let mut out = StepResult {
        phase,
        name: step.name.clone(),
        request: None,
        response: None,
        mismatches: Vec::new(),
        error: None,
        known: Vec::new(),
        warnings: Vec::new(),
        body_diff: None,
        omitted: Omitted::default(),
        used_entries: Vec::new(),
        duration: Duration::ZERO,
    };
    // Secrets are kept out of the report by structure: the request is
    // rendered a second time, with the same values but the suite's secret
    // variables masked, and that rendering is what the report records.
    let mask = !case.secrets.is_empty();
    if mask {
        scope.record();
    }
    let built = build_request(step, scope, ctx, target);
    let masked = if mask && built.is_ok() {
        scope.replay_masked(&case.secrets);
        let m = build_request(step, scope, ctx, target).ok().map(|b| b.req);
        scope.stop_tape();
        m
    } else {
        scope.stop_tape();
        None
    };
    let sensitive = case.contract.as_ref().map_or(&[][..], |c| &c.sensitive_members[..]);
    let req = match built.and_then(|Built { mut req, json }| {
        match &json {
            Some(json) => sensitive_values(json, sensitive, &mut scope.secrets),
            // A `text` or `file` body may be JSON too.
            None => {
                let bytes = req.body().and_then(|b| b.as_bytes()).unwrap_or_default();
                sensitive_values_in(bytes, sensitive, &mut scope.secrets);
            }
        }
        if let (Some(creds), Some(service)) = (&ctx.credentials, &target.signing_name) {
            let region = ctx.region.as_deref().or(target.region.as_deref()).unwrap_or("us-east-1");
            sign_request(&mut req, creds, region, service, step.sign)?;
        }
        Ok(req)
    }) {
        Ok(r) => r,
        Err(e) => {
            out.error = Some(StepError::Request(e));
            return out;
        }
    };
    for (k, v) in req.headers() {
        if SECRET_HEADERS.contains(&k.as_str())
            && let Ok(v) = v.to_str()
        {
            scope.secrets.push(v.to_owned());
            // `Bearer xyz`: the token alone is the secret.
            scope.secrets.extend(v.split_once(' ').map(|(_, t)| t.to_owned()));
        }
    }
    out.request = Some(match &masked {
        Some(m) => record_masked(&req, m, ctx.max_body_kept),
        None => record_request(&req, ctx.max_body_kept),
    });
    let (method, path, mut query) =
        (req.method().to_string(), relative_path(&ctx.base, req.url()), query_pairs(req.url()));
    // query and ec2 name the operation (`Action`) in a form body.
    if req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
        && let Some(body) = req.body().and_then(|b| b.as_bytes())
    {
        query.extend(form_pairs(body));
    }
    let amz_target = req.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let received = send(req, ctx).await;
    out.duration = started.elapsed();
    let (status, headers, bytes) = match received {
        Ok(r) => r,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    // The body is parsed once; every check below reads the same value.
    let body = match Body::parse_within(&bytes, ctx.max_json_values) {
        Ok(body) => body,
        Err(limit) => {
            out.error = Some(StepError::TooManyValues { limit, status: status.to_string() });
            // The values of sensitive members were not collected from a body
            // not parsed: with any to hide, none of it is kept.
            let keep = if sensitive.is_empty() { ctx.max_body_kept } else { 0 };
            out.response = Some(received_response(case, status.as_u16(), &headers, Hashed::plain(bytes), keep));
            return out;
        }
    };
    let status = status.as_u16();
    match body.json() {
        Some(json) => sensitive_values(json, sensitive, &mut scope.secrets),
        // Not JSON as received (invalid UTF-8 in a string, say): its text
        // still shows in the report, so what it names is still collected.
        None => sensitive_values_in(body.bytes(), sensitive, &mut scope.secrets),
    }
    // The response as the SDK reads it, when the operation is known: the
    // step's own, else the one the request's route or `Action` names.
    // Read only where something uses it: the shape check of a protocol
    // whose bodies are not JSON, `expect.output`, an `output:` capture.
    let non_json =
        case.contract.as_ref().is_some_and(|c| !matches!(c.model.protocol(), Protocol::Json | Protocol::RestJson));
    let sensitive_here = !case.contract.as_ref().is_none_or(|c| c.sensitive_members.is_empty());
    let wants_view = step.expect.output.is_some()
        || (non_json && (step.expect.error.is_some() || sensitive_here))
        || step.captures.iter().any(|c| matches!(c.source, CaptureSource::Output { .. }))
        || case.contract.as_ref().is_some_and(|c| {
            phase == Phase::Step
                && case.shape != ShapeMode::Off
                && !matches!(c.model.protocol(), Protocol::Json | Protocol::RestJson)
        });
    let view = case.contract.as_ref().filter(|_| wants_view).and_then(|contract| {
        let model = &contract.model;
        let op = match &step.request.operation {
            Some(op) => op.clone(),
            None => model.identify(&method, &path, &query, amz_target.as_deref()).map(|o| o.name.clone())?,
        };
        let read = read_response(model, &op, status, &headers, body.bytes());
        Some((op, read))
    });
    let sdk = view.as_ref().map(|(_, read)| read);
    // Sensitive members of an XML or CBOR body are found in what the SDK reads.
    if let Some(read) = sdk.filter(|_| non_json) {
        if let Some(o) = &read.output {
            sensitive_values(o, sensitive, &mut scope.secrets);
        }
        if let Some(e) = &read.error {
            sensitive_values(&Value::Object(e.fields.clone()), sensitive, &mut scope.secrets);
        }
    }
    judge(step, scope, case.strict, status, &headers, &body, sdk, &mut out);
    // Steps under test are also held to the documented shape of their
    // operation; setup and teardown only provision.
    if phase == Phase::Step
        && case.shape != ShapeMode::Off
        && let Some(contract) = &case.contract
    {
        let line = RequestLine {
            method: &method,
            path: &path,
            query: &query,
            amz_target: amz_target.as_deref(),
            operation: step.request.operation.as_deref(),
        };
        let shape = match &view {
            Some((op, read)) if !matches!(contract.model.protocol(), Protocol::Json | Protocol::RestJson) => {
                check_sdk_response(contract, op, status, read)
            }
            _ => check_response_noted(contract, &line, status, &headers, &body),
        };
        // What the shape check could not settle (a pattern over its budget) is a warning.
        out.warnings.extend(shape.not_checked.into_iter().map(|n| format!("step `{}`: shape: {n}", out.name)));
        settle_shape(case.shape, shape.divergences, &mut out);
    }
    capture(&step.captures, scope, status, &headers, body.json(), sdk, repeated, &mut out);
    drop(body);
    if bytes.len() > ctx.max_body_kept {
        // Judged whole; the result keeps a prefix, and no diff of a body
        // the reports cannot show.
        out.body_diff = None;
    }
    let bytes = if bytes.len() > ctx.max_body_kept { hashed_elsewhere(bytes).await } else { Hashed::plain(bytes) };
    let mut response = received_response(case, status, &headers, bytes, ctx.max_body_kept);
    response.output = view.as_ref().and_then(|(_, read)| sdk_text(read, ctx.max_body_kept));
    out.response = Some(response);
    out
}

/// The SDK view of a response as the report keeps it: `{"output": ...}`
/// or `{"error": {...}}`, when its text fits in `keep` bytes.
fn sdk_text(read: &SdkResponse, keep: usize) -> Option<String> {
    let mut o = serde_json::Map::new();
    if let Some(output) = &read.output {
        o.insert("output".to_owned(), output.clone());
    }
    if let Some(e) = &read.error {
        let mut err = serde_json::Map::new();
        err.insert("code".to_owned(), e.code.clone().map_or(Value::Null, Value::String));
        err.insert("message".to_owned(), e.message.clone().map_or(Value::Null, Value::String));
        err.insert("fields".to_owned(), Value::Object(e.fields.clone()));
        o.insert("error".to_owned(), Value::Object(err));
    }
    serde_json::to_string(&Value::Object(o)).ok().filter(|t| t.len() <= keep)
}

/// Collects the sensitive members' values from a body that was not parsed
/// as JSON, reading it as JSON text if it is (invalid UTF-8 replaced).
fn sensitive_values_in(bytes: &[u8], sensitive: &[String], into: &mut Vec<String>) {
    if sensitive.is_empty() || bytes.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    if let Ok(v) = serde_json::from_str::<Value>(&String::from_utf8_lossy(bytes)) {
        sensitive_values(&v, sensitive, into);
    }
}

/// The record of a response. Credentials a target sends back
/// (`set-cookie`, or a header the suite lists in `secrets`) are masked like
/// the ones sent.
/// A body as text, its first `keep` bytes only (cut back to a UTF-8
/// boundary) with the whole body's length and SHA-256 when it is longer.
fn kept_body(whole: &[u8], keep: usize) -> (String, Option<BodyCut>) {
    kept_body_hashed(whole, keep, None)
}

/// A received body, with its SHA-256 when it was taken already.
struct Hashed {
    bytes: Vec<u8>,
    sha256: Option<String>,
}

impl Hashed {
    fn plain(bytes: Vec<u8>) -> Hashed {
        Hashed { bytes, sha256: None }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::civil::hex(&sha2::Sha256::digest(bytes))
}

/// Hashes a body on the blocking pool: a body longer than what results
/// keep is named by its SHA-256, and hashing megabytes on the one thread
/// that drives the run held every other case up (150 bodies of 7.9 MB:
/// half the run's time).
async fn hashed_elsewhere(bytes: Vec<u8>) -> Hashed {
    let shared = Arc::new(bytes);
    let task = Arc::clone(&shared);
    let sha256 = tokio::task::spawn_blocking(move || sha256_hex(&task)).await.ok();
    // The task has dropped its handle once it is joined (or was cancelled
    // unrun): the bytes come back without a copy; the digest, if the pool
    // could not take it, is taken here.
    let bytes = Arc::try_unwrap(shared).unwrap_or_else(|still| (*still).clone());
    let sha256 = sha256.unwrap_or_else(|| sha256_hex(&bytes));
    Hashed { bytes, sha256: Some(sha256) }
}

fn kept_body_hashed(whole: &[u8], keep: usize, sha256: Option<String>) -> (String, Option<BodyCut>) {
    if whole.len() <= keep {
        return (String::from_utf8_lossy(whole).into_owned(), None);
    }
    let cut = BodyCut::new(whole.len(), sha256.unwrap_or_else(|| sha256_hex(whole)));
    let mut end = keep;
    while end > 0 && whole.get(end).is_some_and(|b| b & 0xC0 == 0x80) {
        end -= 1;
    }
    (String::from_utf8_lossy(whole.get(..end).unwrap_or_default()).into_owned(), Some(cut))
}

/// Only the first `keep` bytes of the body are kept.
fn received_response(case: &Case, status: u16, headers: &HeaderMap, body: Hashed, keep: usize) -> ReceivedResponse {
    let Hashed { bytes, sha256 } = body;
    let (body, cut) = if bytes.len() <= keep {
        // Valid UTF-8 (nearly every body) is kept without a copy.
        (String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()), None)
    } else {
        kept_body_hashed(&bytes, keep, sha256)
    };
    ReceivedResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| {
                let secret = SECRET_HEADERS.contains(&k.as_str())
                    || case.secrets.iter().any(|s| s.eq_ignore_ascii_case(k.as_str()));
                let value =
                    if secret { REDACTED.to_owned() } else { String::from_utf8_lossy(v.as_bytes()).into_owned() };
                (k.as_str().to_owned(), value)
            })
            .collect(),
        body,
        cut,
        output: None,
    }
}

/// Adds the contract's divergences to a step's: as warnings with `shape =
/// "warn"`, else as divergences, dropping the step's own check of a fact
/// the shape check already states.
fn settle_shape(mode: ShapeMode, shape: Vec<Mismatch>, out: &mut StepResult) {
    if mode == ShapeMode::Warn {
        // `shape = "warn"`: reported, never failing.
        out.warnings.extend(shape.into_iter().map(|m| {
            let at = if m.path.is_empty() { String::new() } else { format!(" at {}", m.path) };
            format!(
                "step `{}`: shape{at}: {} (expected {}, got {}) [shape = \"warn\"]",
                out.name, m.message, m.expected, m.actual
            )
        }));
        return;
    }
    // One fact, one divergence: where the documented shape already says it
    // (a wrong content type, an undocumented member), the step's own check
    // of the same thing is dropped.
    // Keyed on what makes two the same fact: one pass over each list.
    let content_type = shape.iter().any(|s| s.path == "content-type");
    let absent: HashSet<&str> = shape.iter().filter(|s| s.expected == "(absent)").map(|s| s.path.as_str()).collect();
    out.mismatches.retain(|m| match m.kind {
        MismatchKind::Header => !(content_type && m.path == "content-type"),
        MismatchKind::Body => !(m.expected == "(absent)" && absent.contains(m.path.as_str())),
        _ => true,
    });
    out.mismatches.extend(shape);
}

/// Judges a response against the step's expectations. `sdk` is the
/// response as the SDK reads it, when the step's operation is known and
/// something needs it.
#[allow(clippy::too_many_arguments)]
fn judge(
    step: &Step,
    scope: &Scope,
    strict: bool,
    status: u16,
    headers: &HeaderMap,
    body: &Body<'_>,
    sdk: Option<&SdkResponse>,
    out: &mut StepResult,
) {
    let e = &step.expect;
    match &e.status {
        Some(allowed) => out.mismatches.extend(matcher::status(allowed, status)),
        None if !(200..300).contains(&status) => out.mismatches.push(Mismatch::new(
            MismatchKind::Status,
            "",
            "2xx",
            status.to_string(),
            "unexpected status (a step without `expect.status` expects 2xx)",
        )),
        None => {}
    }
    for (name, h) in &e.headers {
        let m = match h {
            HeaderExpect::Exact(t) => scope.render_str(t).map(HeaderMatcher::Exact),
            HeaderExpect::Regex(p) => scope.render_pattern(p).map(HeaderMatcher::Regex),
            HeaderExpect::Present => Ok(HeaderMatcher::Present),
            HeaderExpect::Absent => Ok(HeaderMatcher::Absent),
        };
        match m {
            Ok(m) => out.mismatches.extend(matcher::header(name, &m, headers)),
            Err(err) => {
                out.error = Some(StepError::Expectation(err));
                return;
            }
        }
    }
    let json = body.json();
    if json.is_some() {
        // A member named twice is a divergence whatever the expectation:
        // clients disagree on which one they read.
        out.mismatches.extend(matcher::duplicate_members(body.bytes()));
    }
    if let Some(templates) = &e.error {
        let mut allowed = Vec::new();
        for t in templates {
            match scope.render(t) {
                Ok(Value::Array(items)) => {
                    allowed.extend(items.iter().map(|v| v.as_str().map_or(v.to_string(), str::to_owned)))
                }
                Ok(Value::String(s)) => allowed.push(s),
                Ok(other) => allowed.push(other.to_string()),
                Err(err) => {
                    out.error = Some(StepError::Expectation(err));
                    return;
                }
            }
        }
        match sdk {
            // Read as the SDK reads the protocol: the code, or the model's
            // shape it names (`NoSuchEntity` is `NoSuchEntityException`).
            Some(read) => {
                let error = read.error.as_ref();
                let code = error.and_then(|e| e.code.as_deref());
                let shape = error.and_then(|e| e.shape.as_deref());
                if !allowed.iter().any(|a| Some(a.as_str()) == code || Some(a.as_str()) == shape) {
                    out.mismatches.push(Mismatch::new(
                        MismatchKind::Error,
                        "",
                        allowed.join(" or "),
                        code.map_or_else(|| "(no error code)".to_owned(), str::to_owned),
                        "error code differs (as the SDK reads it)",
                    ));
                }
            }
            None => out.mismatches.extend(matcher::aws_error(&allowed, headers, json)),
        }
    }
    if let Some(expect) = &step.expect.output {
        judge_output(expect, &step.expect, scope, strict, sdk, out);
    }
    match &e.body {
        Some(BodyExpect::Json(expect)) => judge_json(expect, e, scope, strict, headers, body, out),
        Some(BodyExpect::Text(t)) => {
            let m = match t {
                TextExpect::Exact(t) => scope.render_str(t).map(TextMatcher::Exact),
                TextExpect::Regex(p) => scope.render_pattern(p).map(TextMatcher::Regex),
            };
            match m {
                Ok(m) => out.mismatches.extend(matcher::text(&m, &String::from_utf8_lossy(body.bytes()))),
                Err(err) => out.error = Some(StepError::Expectation(err)),
            }
        }
        None => {}
    }
}

/// Judges a body against a JSON expectation: the expectation rendered
/// (when it holds templates), the body JSON under a JSON media type, then
/// the matcher with its diff view.
fn judge_json(
    expect: &JsonExpect,
    e: &crate::case::Expect,
    scope: &Scope,
    strict: bool,
    headers: &HeaderMap,
    body: &Body<'_>,
    out: &mut StepResult,
) {
    let json = body.json();
    let mut rendered = None;
    let m = match render_expect(expect, scope, &mut rendered) {
        Ok(m) => m,
        Err(err) => {
            out.error = Some(StepError::Expectation(err));
            return;
        }
    };
    let has_body = !body.is_blank();
    if json.is_none() && has_body {
        out.mismatches.push(Mismatch::new(
            MismatchKind::Body,
            "$",
            "a JSON body",
            body.excerpt(200),
            "body is not JSON",
        ));
        return;
    }
    if has_body && !e.any_content_type {
        let types: Vec<&str> = headers.get_all(CONTENT_TYPE).iter().filter_map(|v| v.to_str().ok()).collect();
        if !matches!(types.as_slice(), [one] if matcher::is_json_media_type(one)) {
            out.mismatches.push(Mismatch::new(
                MismatchKind::Header,
                "content-type",
                "a JSON media type (application/json, application/*+json, application/x-amz-json-1.0 or 1.1)",
                if types.is_empty() { "(absent)".to_owned() } else { types.join(", ") },
                "a JSON body needs a JSON content type (`any_content_type = true` accepts any)",
            ));
        }
    }
    let r = matcher::match_json(m, json, e.strict.unwrap_or(strict));
    if !r.mismatches.is_empty() {
        out.body_diff = Some((r.expected_view, json.cloned().unwrap_or(Value::Null)));
    }
    let mut found = r.mismatches;
    if r.omitted > 0 {
        // The matcher built the first divergences and counted the rest; its
        // last divergence only says how many. The step counts them with its
        // own omitted ones instead, as new: no baseline entry was matched
        // against divergences that were never built.
        found.pop();
        out.omitted = Omitted::new(out.omitted.count + r.omitted, out.omitted.new + r.omitted);
    }
    out.mismatches.extend(found);
}

/// A JSON expectation ready to judge: a literal one as compiled, a
/// templated one with its (pre-parsed) templates rendered into `slot`.
fn render_expect<'a>(
    expect: &'a JsonExpect,
    scope: &Scope,
    slot: &'a mut Option<matcher::Matcher>,
) -> Result<&'a matcher::Matcher, String> {
    let m = match expect {
        JsonExpect::Literal(m) => m,
        JsonExpect::Templated(t) => &*slot.insert(t.map_values(&mut |leaf| match leaf {
            Leaf::Value(v) => Ok(v.clone()),
            Leaf::Template(t) => scope.render(t),
        })?),
    };
    match m.render_problem() {
        Some(problem) => Err(problem),
        None => Ok(m),
    }
}

/// Judges the output as the SDK reads it against `expect.output`. An error
/// response has no output: every expected member is then missing.
fn judge_output(
    expect: &JsonExpect,
    e: &crate::case::Expect,
    scope: &Scope,
    strict: bool,
    sdk: Option<&SdkResponse>,
    out: &mut StepResult,
) {
    let Some(read) = sdk else {
        out.error = Some(StepError::Expectation(
            "`expect.output` needs the step's operation: write the step as `operation` + `input`, or send a request the contract's model routes"
                .to_owned(),
        ));
        return;
    };
    let mut rendered = None;
    let m = match render_expect(expect, scope, &mut rendered) {
        Ok(m) => m,
        Err(err) => {
            out.error = Some(StepError::Expectation(err));
            return;
        }
    };
    let r = matcher::match_json(m, read.output.as_ref(), e.strict.unwrap_or(strict));
    let mut found = r.mismatches;
    if r.omitted > 0 {
        found.pop();
        out.omitted = Omitted::new(out.omitted.count + r.omitted, out.omitted.new + r.omitted);
    }
    out.mismatches.extend(found.into_iter().map(|mut m| {
        m.path = format!("output:{}", m.path);
        m
    }));
}

#[allow(clippy::too_many_arguments)]
fn capture(
    captures: &[Capture],
    scope: &mut Scope,
    status: u16,
    headers: &HeaderMap,
    json: Option<&Value>,
    sdk: Option<&SdkResponse>,
    repeated: bool,
    out: &mut StepResult,
) {
    for c in captures {
        let value = match &c.source {
            CaptureSource::Status => Some(Value::from(status)),
            CaptureSource::Header(h) => {
                headers.get(h).map(|v| Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()))
            }
            CaptureSource::Body { path, .. } | CaptureSource::Output { path, .. } => {
                let root = match &c.source {
                    CaptureSource::Output { .. } => sdk.and_then(|r| r.output.as_ref()),
                    _ => json,
                };
                let nodes = root.map(|j| path.query(j).all()).unwrap_or_default();
                match nodes.as_slice() {
                    [] if c.list && c.optional => Some(Value::Array(Vec::new())),
                    [] => None,
                    [one] if !c.list => Some((*one).clone()),
                    many => Some(Value::Array(many.iter().map(|v| (*v).clone()).collect())),
                }
            }
        };
        match value {
            Some(v) if repeated => scope.push(&c.name, v),
            Some(v) => scope.set(&c.name, v),
            // Nothing found, and that is allowed: the variable is unset, so
            // a later `if_var` step sees the truth. A repeated step's list
            // simply gets no element.
            None if c.optional => {
                if !repeated {
                    scope.unset(&c.name);
                }
            }
            None => {
                let from = match &c.source {
                    CaptureSource::Body { text, .. } => text.clone(),
                    CaptureSource::Output { text, .. } => format!("output:{text}"),
                    CaptureSource::Header(h) => format!("header:{h}"),
                    CaptureSource::Status => "status".into(),
                };
                out.mismatches.push(Mismatch::new(
                    MismatchKind::Capture,
                    from,
                    format!("a value for `{}`", c.name),
                    "(nothing)",
                    "capture found nothing",
                ));
            }
        }
    }
}

/// A request built from a step, with the JSON body it carries (before
/// encoding), so that the contract's sensitive members in it are known.
struct Built {
    req: reqwest::Request,
    json: Option<Value>,
}

fn build_request(step: &Step, scope: &Scope, ctx: &Ctx, target: &TargetSettings) -> Result<Built, String> {
    let r = &step.request;
    let method = scope.render_str(&r.method)?;
    let method = Method::from_bytes(method.as_bytes()).map_err(|_| format!("invalid HTTP method `{method}`"))?;
    let path = scope.render_path(&r.path, r.raw_path)?;
    let mut url = join_url(&ctx.base, &path)?;
    if !r.query.is_empty() {
        // As the SDKs encode a query: `%20` for a space, only unreserved
        // characters left as they are (a form would write `+`).
        let mut pairs = Vec::with_capacity(r.query.len());
        for (k, v) in &r.query {
            pairs.push((k.as_str(), scope.render_str(v)?));
        }
        let extra = encode_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())), false);
        let query = match url.query() {
            Some(q) if !q.is_empty() => format!("{q}&{extra}"),
            _ => extra,
        };
        url.set_query(Some(&query));
    }
    if let Some(prefix) = &r.host_prefix
        && target.host_prefix
    {
        let prefix = scope.render_str(prefix)?;
        // Never before an IP address: `foo.127.0.0.1` names no host.
        if let Some(host) = url.host_str().filter(|h| !h.starts_with('[') && h.parse::<std::net::IpAddr>().is_err()) {
            let host = format!("{prefix}{host}");
            url.set_host(Some(&host)).map_err(|e| format!("invalid host prefix `{prefix}`: {e}"))?;
        }
    }
    let mut req = reqwest::Request::new(method, url);
    *req.timeout_mut() = Some(ctx.timeout);
    let headers = req.headers_mut();
    for (k, v) in &r.headers {
        let name = HeaderName::from_bytes(k.as_bytes()).map_err(|_| format!("invalid header name `{k}`"))?;
        let value = scope.render_str(v)?;
        let value = HeaderValue::from_str(&value).map_err(|_| format!("invalid value for header `{k}`"))?;
        headers.append(name, value);
    }
    let mut json = None;
    let body: Option<Vec<u8>> = match &r.body {
        RequestBody::Empty => None,
        RequestBody::Json(t) => {
            let v = json.insert(scope.render_json(t, None)?);
            if !headers.contains_key(CONTENT_TYPE) {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Some(serde_json::to_vec(v).map_err(|e| format!("cannot encode the JSON body: {e}"))?)
        }
        RequestBody::Text(t) => Some(scope.render_str(t)?.into_bytes()),
        RequestBody::File(bytes) => Some(bytes.as_ref().clone()),
        RequestBody::Form(pairs) => {
            let mut rendered = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                rendered.push((k.as_str(), scope.render_str(v)?));
            }
            Some(encode_pairs(rendered.iter().map(|(k, v)| (*k, v.as_str())), true).into_bytes())
        }
        RequestBody::Cbor(_) => return Err("CBOR request bodies are not encoded yet".to_owned()),
    };
    if let Some(b) = body {
        *req.body_mut() = Some(b.into());
    }
    Ok(Built { req, json })
}

/// Everything but unreserved characters (RFC 3986).
const QUERY_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `k=v&...`, percent-encoded as the SDKs do: a query with `%20` for a
/// space; a form (`form`) with `+`, as botocore's `urlencode` writes it.
fn encode_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>, form: bool) -> String {
    let encode = |s: &str| {
        let encoded = percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string();
        if form { encoded.replace("%20", "+") } else { encoded }
    };
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode(k));
        out.push('=');
        out.push_str(&encode(v));
    }
    out
}

/// The pairs of a form body (`+` a space, percent-escapes decoded).
fn form_pairs(body: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    let decode = |s: &[u8]| {
        let plus: Vec<u8> = s.iter().map(|&c| if c == b'+' { b' ' } else { c }).collect();
        percent_encoding::percent_decode(&plus).decode_utf8_lossy().into_owned()
    };
    body.split(|&c| c == b'&').filter(|p| !p.is_empty()).map(move |p| {
        let mut kv = p.splitn(2, |&c| c == b'=');
        let k = kv.next().unwrap_or_default();
        (decode(k), decode(kv.next().unwrap_or_default()))
    })
}

/// The path of `url` below the base URL's path prefix.
fn relative_path(base: &Url, url: &Url) -> String {
    let prefix = base.path().trim_end_matches('/');
    url.path().strip_prefix(prefix).unwrap_or(url.path()).to_owned()
}

fn query_pairs(url: &Url) -> Vec<(String, String)> {
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// Joins a case path to the base URL, keeping any prefix the base carries
/// (`http://host/console` + `/accounts` = `http://host/console/accounts`).
pub fn join_url(base: &Url, path: &str) -> Result<Url, String> {
    // Only the path and query change: reuse the parsed base rather than
    // parsing scheme and host again for every request.
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let (path, fragment) = match path.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (path, None),
    };
    let mut url = base.clone();
    url.set_path(&format!("{}{path}", base.path().trim_end_matches('/')));
    url.set_query(query);
    url.set_fragment(fragment);
    if url.cannot_be_a_base() {
        return Err(format!("invalid base URL `{base}`"));
    }
    Ok(url)
}

/// The record of a request sent: its body kept up to `keep` bytes, like
/// a response's (a `file` body may be 32 MiB, sent by every repetition).
fn record_request(req: &reqwest::Request, keep: usize) -> SentRequest {
    let (body, cut) = kept_body(req.body().and_then(|b| b.as_bytes()).unwrap_or_default(), keep);
    SentRequest {
        method: req.method().to_string(),
        url: req.url().to_string(),
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| {
                let value = if SECRET_HEADERS.contains(&k.as_str()) {
                    REDACTED.to_owned()
                } else {
                    String::from_utf8_lossy(v.as_bytes()).into_owned()
                };
                (k.as_str().to_owned(), value)
            })
            .collect(),
        body,
        cut,
    }
}

/// The record of a request sent, with URL, body and the headers built from
/// templates taken from its masked rendering; headers added by signing come
/// from the request sent (secret ones redacted).
fn record_masked(sent: &reqwest::Request, masked: &reqwest::Request, keep: usize) -> SentRequest {
    let mut record = record_request(sent, keep);
    let shown = record_request(masked, keep);
    record.url = shown.url;
    record.body = shown.body;
    record.cut = shown.cut;
    for (name, value) in &mut record.headers {
        let masked_values: Vec<&String> = shown.headers.iter().filter(|(n, _)| n == name).map(|(_, v)| v).collect();
        if let [one] = masked_values.as_slice() {
            value.clone_from(one);
        }
    }
    record
}

/// Sends a request and reads the body up to the limit.
async fn send(req: reqwest::Request, ctx: &Ctx) -> Result<(http::StatusCode, HeaderMap, Vec<u8>), StepError> {
    let mut resp = ctx.client.execute(req).await.map_err(|e| transport_error(&e, ctx.timeout))?;
    let status = resp.status();
    let headers = resp.headers().clone();
    // Sized once from the announced length (up to the read limit): a body
    // grown by doubling can hold twice its bytes while it is judged.
    let announced = resp.content_length().map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX).min(ctx.max_body));
    let mut body = Vec::with_capacity(announced);
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > ctx.max_body {
                    return Err(StepError::TooLarge { limit: ctx.max_body, status: status.to_string() });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Err(StepError::Body(Box::new(transport_error(&e, ctx.timeout)))),
        }
    }
    Ok((status, headers, body))
}

/// A one-line cause chain for a transport failure.
fn transport_error(e: &reqwest::Error, timeout: Duration) -> StepError {
    if e.is_timeout() {
        return StepError::Timeout(timeout);
    }
    let mut parts = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.iter().any(|p: &String| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    if e.is_connect() { StepError::Connect(parts.join(": ")) } else { StepError::Transport(parts.join(": ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_forms_are_encoded_as_the_sdks_encode_them() {
        let pairs = [("a b", "c d/e~f"), ("Action", "Get+It&Now=1")];
        // A query: `%20` (botocore's `percent_encode_sequence`).
        assert_eq!(encode_pairs(pairs.into_iter(), false), "a%20b=c%20d%2Fe~f&Action=Get%2BIt%26Now%3D1");
        // A form body: `+` (botocore's `urlencode`).
        assert_eq!(encode_pairs(pairs.into_iter(), true), "a+b=c+d%2Fe~f&Action=Get%2BIt%26Now%3D1");
    }

    #[test]
    fn join_url_keeps_the_base_prefix() {
        let base = Url::parse("http://h:1/console/").unwrap();
        assert_eq!(join_url(&base, "/accounts/a").unwrap().as_str(), "http://h:1/console/accounts/a");
        let bare = Url::parse("http://h:1").unwrap();
        assert_eq!(join_url(&bare, "/x?y=1").unwrap().as_str(), "http://h:1/x?y=1");
        assert_eq!(join_url(&bare, "/a b/%41").unwrap().as_str(), "http://h:1/a%20b/%41");
        let with_query = Url::parse("http://h:1/p?keep=no").unwrap();
        assert_eq!(join_url(&with_query, "/x").unwrap().as_str(), "http://h:1/p/x");
    }
}

#[cfg(test)]
mod dedup {
    use super::*;

    /// 100,000 undocumented members, each reported by the step's strict
    /// expectation and by the shape check: one divergence each, found in
    /// one pass (26 s when every pair was compared).
    #[test]
    fn step_and_shape_divergences_of_one_fact_are_merged_in_linear_time() {
        let n = 100_000;
        let undocumented =
            |kind, i: usize| Mismatch::new(kind, format!("$.m{i}"), "(absent)", "1", "unexpected member");
        let mut out = StepResult {
            phase: Phase::Step,
            name: "s".into(),
            request: None,
            response: None,
            mismatches: (0..n).map(|i| undocumented(MismatchKind::Body, i)).collect(),
            error: None,
            known: Vec::new(),
            warnings: Vec::new(),
            body_diff: None,
            omitted: Omitted::default(),
            used_entries: Vec::new(),
            duration: Duration::ZERO,
        };
        out.mismatches.push(Mismatch::new(MismatchKind::Body, "$.kept", "(absent)", "1", "unexpected member"));
        out.mismatches.push(Mismatch::new(MismatchKind::Header, "content-type", "json", "text", "header differs"));
        let mut shape: Vec<Mismatch> = (0..n).map(|i| undocumented(MismatchKind::Shape, i)).collect();
        shape.push(Mismatch::new(MismatchKind::Shape, "content-type", "json", "text", "undocumented type"));
        let started = Instant::now();
        settle_shape(ShapeMode::Fail, shape, &mut out);
        eprintln!("{n} pairs settled in {:?}", started.elapsed());
        assert_eq!(out.mismatches.len(), n + 2);
        assert_eq!(out.mismatches[0].path, "$.kept");
        assert!(out.mismatches[1..].iter().all(|m| m.kind == MismatchKind::Shape));
    }

    #[test]
    fn long_divergence_texts_are_cut_at_a_character_boundary() {
        let mut t = "é".repeat(10);
        cut_text(&mut t, 5);
        assert_eq!(t, "éé… (cut after 4 bytes of 20)");
        let mut short = "abc".to_owned();
        cut_text(&mut short, 3);
        assert_eq!(short, "abc");
    }

    #[test]
    fn divergences_past_the_cap_are_counted_with_how_many_are_new() {
        let known = || Some(crate::baseline::Known::new("b.toml:1".into(), None));
        let mut out = StepResult {
            phase: Phase::Step,
            name: "s".into(),
            request: None,
            response: None,
            mismatches: Vec::new(),
            error: None,
            known: Vec::new(),
            warnings: Vec::new(),
            body_diff: None,
            omitted: Omitted::default(),
            used_entries: Vec::new(),
            duration: Duration::ZERO,
        };
        out.mismatches =
            (0..10).map(|i| Mismatch::new(MismatchKind::Body, format!("$[{i}]"), "1", "0", "differs")).collect();
        out.known = vec![known(), known(), None, known(), known(), known(), None, known(), known(), known()];
        cap_divergences(&mut out, 3);
        assert_eq!(out.mismatches.len(), 3);
        assert_eq!(out.known.len(), 3);
        assert_eq!(out.omitted, Omitted::new(7, 1));
        assert!(!out.ok(), "a new divergence past the cap still fails the step");
        out.known[2] = known();
        out.omitted = Omitted::new(7, 0);
        assert!(out.ok());
        assert_eq!(
            out.omitted.describe().as_deref(),
            Some("and 7 more divergences (all known), not kept (see `--max-divergences`)")
        );
    }
}
