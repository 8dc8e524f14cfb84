//! `report.json`: the machine-readable report, versioned by
//! `schema_version`. Its fields are documented in the README ("Reports").

use serde_json::{Value, json};

use std::path::PathBuf;
use std::time::Duration;

use super::{BADGE_FILE, MAX_BODY_CHARS, ReportInput, cut, parity};
use crate::baseline::{Entry, Known};
use crate::matcher::{Mismatch, MismatchKind};
use crate::runner::{BaselineUse, CaseResult, Outcome, Phase, ReceivedResponse, RunSummary, SentRequest, StepResult};

/// The schema version of `report.json`. Bumped on any incompatible change.
/// Version 2 added baselines (`known` and `fixed` outcomes and counts,
/// `divergences[].known`, `cases[].fixed`, `baseline`), `parity` and `badge`.
pub const SCHEMA_VERSION: u32 = 2;

/// The whole report as JSON.
pub fn to_json(input: &ReportInput) -> Value {
    let c = input.summary.counts();
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "conform", "version": env!("CARGO_PKG_VERSION")},
        "target": input.target,
        "interrupted": input.summary.interrupted,
        "duration_ms": input.summary.duration.as_millis() as u64,
        "summary": {
            "total": input.summary.cases.len(),
            "passed": c.passed,
            "failed": c.failed,
            "errored": c.errored,
            "skipped": c.skipped,
            "known": c.known,
            "fixed": c.fixed,
        },
        "baseline": input.summary.baseline.as_ref().map(|b| json!({
            "file": b.file,
            "allow_fixed": b.allow_fixed,
            "entries": b.entries,
            "known_divergences": input.summary.known_divergences(),
            "fixed": input.summary.fixed_entries().count(),
            "not_run": b.not_run,
            "unknown_cases": b.unknown_cases,
        })),
        "parity": serde_json::to_value(parity::parity(input)).unwrap_or(Value::Null),
        "badge": BADGE_FILE,
        "coverage": input.coverage.map(|cov| serde_json::to_value(cov).unwrap_or(Value::Null)),
        "cases": input.summary.cases.iter().map(case).collect::<Vec<_>>(),
    })
}

fn known(k: Option<&Known>) -> Value {
    k.map_or(Value::Null, |k| json!({"entry": k.location, "reason": k.reason}))
}

fn fixed(e: &Entry) -> Value {
    json!({
        "entry": e.location,
        "step": e.step,
        "kind": e.kind.map(|k| k.as_str()),
        "path": e.path,
        "reason": e.reason,
        "link": e.link,
    })
}

fn case(r: &CaseResult) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "file": r.file.to_string_lossy().replace('\\', "/"),
        "tags": r.tags,
        "covers": r.covers,
        "outcome": r.outcome.as_str(),
        "reason": r.reason,
        "duration_ms": r.duration.as_millis() as u64,
        "warnings": r.warnings,
        "divergences": r.steps.iter().flat_map(|s| s.judged().map(move |(m, k)| {
            let mut d = divergence(m, k);
            d["step"] = json!(s.name);
            d
        })).collect::<Vec<_>>(),
        "fixed": r.fixed.iter().map(fixed).collect::<Vec<_>>(),
        "steps": r.steps.iter().map(step).collect::<Vec<_>>(),
    })
}

fn step(s: &StepResult) -> Value {
    let body = |b: &str| {
        let (text, truncated) = cut(b, MAX_BODY_CHARS);
        json!({"text": text, "truncated": truncated, "bytes": b.len()})
    };
    json!({
        "phase": s.phase,
        "name": s.name,
        "duration_ms": s.duration.as_millis() as u64,
        "request": s.request.as_ref().map(|q| json!({
            "method": q.method,
            "url": q.url,
            "headers": q.headers,
            "body": body(&q.body),
        })),
        "response": s.response.as_ref().map(|r| json!({
            "status": r.status,
            "headers": r.headers,
            "body": body(&r.body),
        })),
        "error": s.error,
        "divergences": s.judged().map(|(m, k)| divergence(m, k)).collect::<Vec<_>>(),
        "diff": s.body_diff.as_ref().map(|(expected, actual)| json!({"expected": expected, "actual": actual})),
    })
}

fn divergence(m: &Mismatch, k: Option<&Known>) -> Value {
    json!({
        "kind": m.kind.as_str(),
        "path": m.path,
        "expected": m.expected,
        "actual": m.actual,
        "message": m.message,
        "known": known(k),
    })
}

/// A `report.json` read back: the results, the target, and the documented
/// statements of its coverage. Used to merge the reports of shards.
#[derive(Debug, Clone)]
pub struct ParsedReport {
    /// The results.
    pub summary: RunSummary,
    /// The target it ran against.
    pub target: String,
    /// `(id, text)` of each documented statement in its coverage.
    pub statements: Vec<(String, String)>,
}

/// Reads a `report.json` of this schema version (or of version 1, which
/// has no baseline fields).
pub fn from_json(v: &Value) -> Result<ParsedReport, String> {
    let version = v.get("schema_version").and_then(Value::as_u64);
    if !matches!(version, Some(1) | Some(2)) {
        return Err(format!("schema_version {version:?} is not 1 or {SCHEMA_VERSION}"));
    }
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let ms = |v: &Value, k: &str| Duration::from_millis(v.get(k).and_then(Value::as_u64).unwrap_or(0));
    let list = |v: &Value, k: &str| -> Vec<String> {
        v.get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let pairs = |v: Option<&Value>| -> Vec<(String, String)> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|p| Some((p.get(0)?.as_str()?.to_owned(), p.get(1)?.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let kind_of = |d: &Value| -> Result<MismatchKind, String> {
        let k = d.get("kind").and_then(Value::as_str);
        k.and_then(crate::baseline::kind_from_str).ok_or_else(|| format!("unknown divergence kind {k:?}"))
    };
    let mismatch = |d: &Value| -> Result<(Mismatch, Option<Known>), String> {
        let m = Mismatch::new(kind_of(d)?, text(d, "path"), text(d, "expected"), text(d, "actual"), text(d, "message"));
        let k = d
            .get("known")
            .filter(|k| !k.is_null())
            .map(|k| Known::new(text(k, "entry"), k.get("reason").and_then(Value::as_str).map(str::to_owned)));
        Ok((m, k))
    };
    let mut cases = Vec::new();
    for c in v.get("cases").and_then(Value::as_array).ok_or("no `cases` list")? {
        let outcome = match c.get("outcome").and_then(Value::as_str) {
            Some("passed") => Outcome::Passed,
            Some("failed") => Outcome::Failed,
            Some("errored") => Outcome::Errored,
            Some("skipped") => Outcome::Skipped,
            Some("known") => Outcome::Known,
            Some("fixed") => Outcome::Fixed,
            other => return Err(format!("case {}: unknown outcome {other:?}", text(c, "id"))),
        };
        let mut steps = Vec::new();
        for st in c.get("steps").and_then(Value::as_array).into_iter().flatten() {
            let phase = match st.get("phase").and_then(Value::as_str) {
                Some("setup") => Phase::Setup,
                Some("teardown") => Phase::Teardown,
                _ => Phase::Step,
            };
            let body_text = |b: Option<&Value>| {
                b.and_then(|b| b.get("text")).and_then(Value::as_str).unwrap_or_default().to_owned()
            };
            let judged: Vec<(Mismatch, Option<Known>)> = st
                .get("divergences")
                .and_then(Value::as_array)
                .map(|d| d.iter().map(mismatch).collect::<Result<Vec<_>, _>>())
                .transpose()?
                .unwrap_or_default();
            let (mismatches, known): (Vec<Mismatch>, Vec<Option<Known>>) = judged.into_iter().unzip();
            steps.push(StepResult {
                phase,
                name: text(st, "name"),
                request: st.get("request").filter(|r| !r.is_null()).map(|r| SentRequest {
                    method: text(r, "method"),
                    url: text(r, "url"),
                    headers: pairs(r.get("headers")),
                    body: body_text(r.get("body")),
                }),
                response: st.get("response").filter(|r| !r.is_null()).map(|r| ReceivedResponse {
                    status: r.get("status").and_then(Value::as_u64).unwrap_or(0) as u16,
                    headers: pairs(r.get("headers")),
                    body: body_text(r.get("body")),
                }),
                known: if known.iter().any(Option::is_some) { known } else { Vec::new() },
                mismatches,
                warnings: Vec::new(),
                error: st.get("error").and_then(Value::as_str).map(str::to_owned),
                body_diff: st.get("diff").filter(|d| !d.is_null()).map(|d| {
                    (d.get("expected").cloned().unwrap_or_default(), d.get("actual").cloned().unwrap_or_default())
                }),
                duration: ms(st, "duration_ms"),
            });
        }
        cases.push(CaseResult {
            id: text(c, "id"),
            name: text(c, "name"),
            file: PathBuf::from(text(c, "file")),
            tags: list(c, "tags"),
            covers: list(c, "covers"),
            outcome,
            reason: c.get("reason").and_then(Value::as_str).map(str::to_owned),
            steps,
            warnings: list(c, "warnings"),
            fixed: c
                .get("fixed")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|f| -> Result<Entry, String> {
                    let opt = |k: &str| f.get(k).and_then(Value::as_str).map(str::to_owned);
                    let kind = match f.get("kind").filter(|k| !k.is_null()) {
                        Some(_) => Some(kind_of(f)?),
                        None => None,
                    };
                    Ok(Entry::read_back(
                        text(c, "id"),
                        opt("step"),
                        kind,
                        opt("path"),
                        opt("reason"),
                        opt("link"),
                        text(f, "entry"),
                    ))
                })
                .collect::<Result<Vec<_>, _>>()?,
            duration: ms(c, "duration_ms"),
        });
    }
    let statements = v
        .get("coverage")
        .and_then(|c| c.get("statements"))
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|s| (text(s, "id"), text(s, "text"))).collect())
        .unwrap_or_default();
    Ok(ParsedReport {
        summary: RunSummary {
            cases,
            duration: ms(v, "duration_ms"),
            interrupted: v.get("interrupted").and_then(Value::as_bool).unwrap_or(false),
            baseline: v.get("baseline").filter(|b| !b.is_null()).map(|b| BaselineUse {
                file: text(b, "file"),
                allow_fixed: b.get("allow_fixed").and_then(Value::as_bool).unwrap_or(false),
                entries: b.get("entries").and_then(Value::as_u64).unwrap_or(0) as usize,
                not_run: b.get("not_run").and_then(Value::as_u64).unwrap_or(0) as usize,
                unknown_cases: list(b, "unknown_cases"),
            }),
        },
        target: text(v, "target"),
        statements,
    })
}
