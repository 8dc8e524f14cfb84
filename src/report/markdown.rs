//! `report.md`: a summary, the coverage table and each failure with its
//! diff in a fenced block; fit for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`.

use std::fmt::Write;

use super::ReportInput;
use super::escape_controls;
use super::terminal::body_diff;
use crate::runner::{CaseResult, Outcome};

/// The report as Markdown.
pub fn to_markdown(input: &ReportInput) -> String {
    let s = input.summary;
    let c = s.counts();
    let mut out = String::new();
    let verdict = if s.success() { "conforms" } else { "diverges" };
    let _ = writeln!(out, "# conform report\n");
    let _ = writeln!(
        out,
        "Target `{}` **{verdict}**{}.\n",
        input.target,
        if s.interrupted { " (run interrupted)" } else { "" }
    );
    let _ = writeln!(out, "| passed | failed | errored | skipped | total |\n| ---: | ---: | ---: | ---: | ---: |");
    let _ = writeln!(out, "| {} | {} | {} | {} | {} |\n", c.passed, c.failed, c.errored, c.skipped, s.cases.len());
    if let Some(cov) = input.coverage {
        let _ = writeln!(out, "## Coverage of documented statements\n");
        let _ = writeln!(out, "| statement | source | cases | verdict |\n| --- | --- | --- | --- |");
        for st in &cov.statements {
            let cases = if st.cases.is_empty() {
                "**uncovered**".to_owned()
            } else {
                st.cases.iter().map(|c| format!("`{}` ({})", c.id, c.outcome.as_str())).collect::<Vec<_>>().join("<br>")
            };
            let _ = writeln!(out, "| `{}` | {} | {} | {} |", st.id, escape_cell(&st.text), cases, st.verdict());
        }
        let _ = writeln!(out);
    }
    section(&mut out, "Failures", s.cases.iter().filter(|r| r.outcome == Outcome::Failed));
    section(&mut out, "Errors", s.cases.iter().filter(|r| r.outcome == Outcome::Errored));
    let skipped: Vec<&CaseResult> = s.cases.iter().filter(|r| r.outcome == Outcome::Skipped).collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "## Skipped\n");
        for r in skipped {
            let _ = writeln!(out, "- `{}`: {}", r.id, escape_cell(r.reason.as_deref().unwrap_or("")));
        }
        let _ = writeln!(out);
    }
    out
}

fn section<'a>(out: &mut String, title: &str, cases: impl Iterator<Item = &'a CaseResult>) {
    let cases: Vec<&CaseResult> = cases.collect();
    if cases.is_empty() {
        return;
    }
    let _ = writeln!(out, "## {title}\n");
    for r in cases {
        let _ = writeln!(out, "### `{}`\n", r.id);
        if let Some(reason) = &r.reason {
            let _ = writeln!(out, "{}\n", escape_cell(reason));
        }
        for step in r.steps.iter().filter(|s| !s.ok()) {
            let req = step.request.as_ref().map(|q| format!(" — `{} {}`", q.method, q.url)).unwrap_or_default();
            let _ = writeln!(out, "Step `{}`{req}\n", step.name);
            for m in &step.mismatches {
                let at = if m.path.is_empty() { String::new() } else { format!(" at `{}`", inline(&m.path)) };
                let _ = writeln!(
                    out,
                    "- **{}**{at}: {} — expected `{}`, got `{}`",
                    m.kind.as_str(),
                    escape_cell(&m.message),
                    inline(&m.expected),
                    inline(&m.actual)
                );
            }
            if let Some(e) = &step.error {
                let _ = writeln!(out, "- **error**: {}", escape_cell(e));
            }
            if let Some(diff) = body_diff(step) {
                let lines: String = diff.lines().map(|l| format!("{}\n", escape_controls(l))).collect();
                let _ = writeln!(out, "\n```diff\n{lines}```");
            }
            let _ = writeln!(out);
        }
    }
}

fn inline(s: &str) -> String {
    let s: String = s.chars().take(200).collect();
    escape_controls(&s.replace('`', "'").replace('\n', " ")).into_owned()
}

fn escape_cell(s: &str) -> String {
    escape_controls(&s.replace('|', "\\|").replace('\n', " ")).into_owned()
}
