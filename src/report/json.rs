//! `report.json`: the machine-readable report, versioned by
//! `schema_version`. Its fields are documented in the README ("Reports").

use serde_json::{Value, json};

use super::{MAX_BODY_CHARS, ReportInput, cut};
use crate::runner::{CaseResult, StepResult};

/// The schema version of `report.json`. Bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

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
        },
        "coverage": input.coverage.map(|cov| serde_json::to_value(cov).unwrap_or(Value::Null)),
        "cases": input.summary.cases.iter().map(case).collect::<Vec<_>>(),
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
        "divergences": r.mismatches().map(|(s, m)| json!({
            "step": s.name,
            "kind": m.kind.as_str(),
            "path": m.path,
            "expected": m.expected,
            "actual": m.actual,
            "message": m.message,
        })).collect::<Vec<_>>(),
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
    })
}
