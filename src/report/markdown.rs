//! `report.md`: a summary, the parity score with its badge, the coverage
//! table, each failure with its diff in a fenced block, fixed baseline
//! entries and known divergences; fit for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`.

use std::fmt::Write;

use super::escape_controls;
use super::readable::{fold, group, headline_text, pretty_body};
use super::terminal::BODY_LINE_CHARS;

/// Lines of a response body shown in `report.md` before the rest is folded.
const MD_BODY_LINES: usize = 40;

/// A code fence longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat(longest.max(2) + 1)
}
use super::terminal::body_diff;
use super::{BADGE_FILE, ReportInput, parity};
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
    let _ = writeln!(
        out,
        "| passed | known | fixed | failed | errored | skipped | total |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |\n",
        c.passed,
        c.known,
        c.fixed,
        c.failed,
        c.errored,
        c.skipped,
        s.cases.len()
    );
    let p = parity::parity(input);
    let _ = writeln!(out, "## Parity\n\n![conform parity {}%]({BADGE_FILE})\n", p.score);
    let _ = writeln!(out, "| measure | figure |\n| --- | ---: |");
    let _ = writeln!(out, "| score ({}) | {}% |", p.basis, p.score);
    if let Some(st) = &p.statements {
        let _ = writeln!(out, "| documented statements | {} |", st.total);
        let _ = writeln!(out, "| conform | {} |", st.conforms);
        let _ = writeln!(out, "| known divergences only | {} |", st.known);
        let _ = writeln!(out, "| diverge | {} |", st.diverges);
        let _ = writeln!(out, "| not run | {} |", st.not_run);
        let _ = writeln!(out, "| uncovered | {} |", st.uncovered);
    }
    let _ = writeln!(out, "| cases passing | {} of {} run |", p.cases_passing, p.cases_run);
    let _ = writeln!(out, "| cases with known divergences | {} |", p.cases_known);
    let _ = writeln!(out, "| known divergences | {} |", p.known_divergences);
    let _ = writeln!(out, "| fixed baseline entries | {} |\n", p.fixed_entries);
    if let Some(cov) = input.coverage {
        let _ = writeln!(out, "## Coverage of documented statements\n");
        let _ = writeln!(out, "| statement | source | cases | verdict |\n| --- | --- | --- | --- |");
        for st in &cov.statements {
            let cases = if st.cases.is_empty() {
                "**uncovered**".to_owned()
            } else {
                st.cases.iter().map(|c| format!("`{}` ({})", c.id, c.outcome.as_str())).collect::<Vec<_>>().join("<br>")
            };
            let _ = writeln!(out, "| `{}` | {} | {} | {} |", st.id, escape_cell(&st.text), cases, st.verdict.as_str());
        }
        let _ = writeln!(out);
    }
    if let Some(b) = &s.baseline {
        let fixed: Vec<_> = s.fixed_entries().collect();
        let _ = writeln!(
            out,
            "## Baseline\n\n`{}`: {} entries, {} known divergences, {} fixed{}, {} not run.\n",
            b.file,
            b.entries,
            s.known_divergences(),
            fixed.len(),
            if b.allow_fixed { " (allowed)" } else { "" },
            b.not_run
        );
        for (_, e) in &fixed {
            let _ = writeln!(out, "- **fixed** `{}`: {} matched nothing", e.location, escape_cell(&e.describe()));
        }
        for u in &b.unknown_cases {
            let _ = writeln!(out, "- **no such case** {}", escape_cell(u));
        }
        if !fixed.is_empty() || !b.unknown_cases.is_empty() {
            let _ = writeln!(out);
        }
    }
    section(&mut out, "Failures", s.cases.iter().filter(|r| r.outcome == Outcome::Failed));
    section(&mut out, "Errors", s.cases.iter().filter(|r| r.outcome == Outcome::Errored));
    let known: Vec<&CaseResult> = s.cases.iter().filter(|r| r.known_count() > 0).collect();
    if !known.is_empty() {
        let _ = writeln!(out, "## Known divergences\n");
        for r in known {
            for st in &r.steps {
                for (m, k) in st.judged() {
                    let Some(k) = k else { continue };
                    let at = if m.path.is_empty() { String::new() } else { format!(" at `{}`", m.path) };
                    let why = k.reason.as_deref().map(|r| format!(": {}", escape_cell(r))).unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "- `{}` step `{}`: **{}**{at} ({}{why})",
                        r.id,
                        st.name,
                        m.kind.as_str(),
                        k.location
                    );
                }
            }
        }
        let _ = writeln!(out);
    }
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
            let item = |m: &crate::matcher::Mismatch, known: String| {
                let at = if m.path.is_empty() { String::new() } else { format!(" at `{}`", inline(&m.path)) };
                format!(
                    "{known}**{}**{at}: {} — expected `{}`, got `{}`",
                    m.kind.as_str(),
                    escape_cell(&m.message),
                    inline(&m.expected),
                    inline(&m.actual)
                )
            };
            for (m, k) in step.judged() {
                if let Some(k) = k {
                    let _ = writeln!(out, "- {}", item(m, format!("known ({}) ", k.location)));
                }
            }
            let g = group(step);
            let mut indent = "";
            if let Some(h) = g.headline {
                let _ = writeln!(out, "- **{}**", escape_cell(&headline_text(&step.mismatches[h], g.rest.len())));
                indent = "  ";
            }
            for i in g.headline.into_iter().chain(g.rest.iter().copied()) {
                let _ = writeln!(out, "{indent}- {}", item(&step.mismatches[i], String::new()));
            }
            if let Some(more) = step.omitted.describe() {
                let _ = writeln!(out, "{indent}- {}", escape_cell(&more));
            }
            if let Some(e) = &step.error {
                let _ = writeln!(out, "- **error**: {}", escape_cell(&e.to_string()));
            }
            if let Some(diff) = body_diff(step) {
                let lines: String = diff.lines().map(|l| format!("{}\n", escape_controls(l))).collect();
                let _ = writeln!(out, "\n```diff\n{lines}```");
            } else if let Some(resp) = step.response.as_ref().filter(|p| !p.body.trim().is_empty()) {
                // Without a diff, the body itself says what came back, folded.
                let body = pretty_body(&resp.body);
                let f = fold(&body, MD_BODY_LINES, BODY_LINE_CHARS);
                let lang = if serde_json::from_str::<serde_json::Value>(&resp.body).is_ok() { "json" } else { "text" };
                let fence = fence_for(&body);
                let _ = write!(
                    out,
                    "\n<details><summary>response body ({}{})</summary>\n\n{fence}{lang}\n{}\n",
                    resp.status,
                    if f.folded_lines > 0 { format!(", {} more lines folded", f.folded_lines) } else { String::new() },
                    f.shown.lines().map(|l| escape_controls(l).into_owned()).collect::<Vec<_>>().join("\n")
                );
                let _ = writeln!(out, "{fence}\n");
                if let Some(c) = &resp.cut {
                    let _ = writeln!(out, "body {}\n", c.describe(resp.body.len()));
                }
                let _ = writeln!(out, "</details>");
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
