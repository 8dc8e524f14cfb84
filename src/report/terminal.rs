//! The terminal report: one line per case, then each divergence with what
//! the case expected, what came back, and a unified diff of JSON bodies.

use std::io::{self, Write};

use serde_json::Value;
use similar::TextDiff;

use super::readable::{fold, group, headline_text, pretty_body};
use super::{Verdict, escape_controls};
use crate::runner::{CaseResult, Outcome, Phase, RunSummary, StepResult};

/// Colours on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Whether to emit ANSI colours.
    pub color: bool,
}

impl Style {
    /// Colour only on a terminal, and never when `NO_COLOR` is set.
    pub fn detect(is_terminal: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: is_terminal && !no_color }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_owned() }
    }
}

/// The label of an outcome, padded.
fn label(style: Style, o: Outcome) -> String {
    match o {
        Outcome::Passed => style.paint("32", "PASS "),
        Outcome::Failed => style.paint("31;1", "FAIL "),
        Outcome::Errored => style.paint("35;1", "ERROR"),
        Outcome::Skipped => style.paint("33", "SKIP "),
        Outcome::Known => style.paint("36", "KNOWN"),
        Outcome::Fixed => style.paint("33;1", "FIXED"),
    }
}

/// The one line for a case.
pub(crate) fn case_line(style: Style, r: &CaseResult) -> String {
    let mut line = format!("{} {} ({} ms)", label(style, r.outcome), r.id, r.duration.as_millis());
    if matches!(r.outcome, Outcome::Skipped | Outcome::Errored)
        && let Some(reason) = &r.reason
    {
        line.push_str(&format!(": {}", escape_controls(reason)));
    }
    line
}

/// The details of a case: divergences and diffs of failed steps, known
/// divergences (one line each, with their baseline entry), fixed baseline
/// entries, warnings.
pub fn case_details(style: Style, r: &CaseResult) -> String {
    details(style, r, true)
}

/// [`case_details`], with or without the response body of a failed step
/// that has no diff (`--verbose` prints every body already).
fn details(style: Style, r: &CaseResult, failed_bodies: bool) -> String {
    let mut out = String::new();
    for s in &r.steps {
        if (s.error.is_none() && s.mismatches.is_empty()) || (s.phase == Phase::Teardown) {
            continue;
        }
        let phase = match s.phase {
            Phase::Setup => "setup ",
            Phase::Step => "",
            Phase::Teardown => "teardown ",
        };
        let req = s.request.as_ref().map(|q| format!(": {} {}", q.method, q.url)).unwrap_or_default();
        out.push_str(&format!("    {phase}step `{}`{req}\n", s.name));
        // An errored case's headline already carries its step error.
        let error = s.error.as_ref().map(ToString::to_string);
        if let Some(e) = error.filter(|e| !r.reason.as_deref().is_some_and(|why| why.contains(e.as_str()))) {
            out.push_str(&format!("      {}\n", style.paint("35", &format!("error: {}", escape_controls(&e)))));
        }
        for (m, known) in s.judged() {
            let Some(k) = known else { continue };
            let at = if m.path.is_empty() { String::new() } else { format!(" {}", escape_controls(&m.path)) };
            let why = k.reason.as_deref().map(|r| format!(": {}", escape_controls(r))).unwrap_or_default();
            out.push_str(&format!(
                "      {} {}{at}: {} ({}{why})\n",
                style.paint("36", "known"),
                m.kind.as_str(),
                escape_controls(&m.message),
                k.location
            ));
        }
        let g = group(s);
        let mut indent = "      ";
        if let Some(h) = g.headline {
            let text = headline_text(&s.mismatches[h], g.rest.len());
            out.push_str(&format!("      {}\n", style.paint("1", &escape_controls(&text))));
            indent = "        ";
        }
        for m in g.headline.into_iter().chain(g.rest.iter().copied()).map(|i| &s.mismatches[i]) {
            let at = if m.path.is_empty() { String::new() } else { format!(" {}", escape_controls(&m.path)) };
            out.push_str(&format!(
                "{indent}{}{at}: {}\n",
                style.paint("1", m.kind.as_str()),
                escape_controls(&m.message)
            ));
            out.push_str(&format!("{indent}  expected: {}\n", escape_controls(&m.expected)));
            out.push_str(&format!("{indent}  actual:   {}\n", escape_controls(&m.actual)));
        }
        if let Some(more) = s.omitted.describe() {
            out.push_str(&format!("{indent}{more}\n"));
        }
        // Without a diff, the body itself says what came back (an
        // emulator's HTML error page, say), folded.
        if failed_bodies
            && s.body_diff.is_none()
            && !s.ok()
            && let Some(resp) = &s.response
            && !resp.body.trim().is_empty()
        {
            out.push_str(&format!("      response body ({}):\n", resp.status));
            push_body(&mut out, &resp.body, "        ", DETAIL_BODY_LINES);
            if let Some(c) = &resp.cut {
                out.push_str(&format!("        ({})\n", c.describe(resp.body.len())));
            }
        }
        // A diff only where something new diverged: known ones are listed above.
        if let Some(diff) = body_diff(s).filter(|_| s.new_mismatches().next().is_some()) {
            for line in diff.lines() {
                let line = &*escape_controls(line);
                let painted = if line.starts_with('-') && !line.starts_with("---") {
                    style.paint("31", line)
                } else if line.starts_with('+') && !line.starts_with("+++") {
                    style.paint("32", line)
                } else {
                    line.to_owned()
                };
                out.push_str(&format!("      {painted}\n"));
            }
        }
    }
    for e in &r.fixed {
        out.push_str(&format!(
            "    {} {}: {} no longer occurs: remove the entry (or run with --allow-fixed)\n",
            style.paint("33;1", "fixed:"),
            e.location,
            e.describe()
        ));
    }
    for w in &r.warnings {
        out.push_str(&format!("    {} {}\n", style.paint("33", "warning:"), escape_controls(w)));
    }
    out
}

/// A unified diff of the expected and actual JSON bodies of a step.
pub(crate) fn body_diff(s: &StepResult) -> Option<String> {
    let (expected, actual) = s.body_diff.as_ref()?;
    Some(unified(expected, actual))
}

/// A unified diff of two JSON values, pretty-printed with sorted keys.
pub(crate) fn unified(expected: &Value, actual: &Value) -> String {
    let a = serde_json::to_string_pretty(expected).unwrap_or_default() + "\n";
    let b = serde_json::to_string_pretty(actual).unwrap_or_default() + "\n";
    TextDiff::from_lines(&a, &b).unified_diff().context_radius(3).header("expected", "actual").to_string()
}

/// How much the terminal report says about each case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detail {
    /// Only cases that did not pass (known cases count as passed here).
    Quiet,
    /// Every case; details of those that did not pass.
    Normal,
    /// Every case with every exchange.
    Verbose,
}

/// Lines of a body shown under a failed step, before the rest is folded.
pub(crate) const DETAIL_BODY_LINES: usize = 20;
/// Lines of a body shown by `--verbose`, before the rest is folded.
pub(crate) const VERBOSE_BODY_LINES: usize = 40;
/// Characters of one body line shown before it is cut.
pub(crate) const BODY_LINE_CHARS: usize = 200;

/// Appends a body, pretty-printed, control characters escaped, each line
/// indented, folded after `max_lines` lines.
fn push_body(out: &mut String, body: &str, indent: &str, max_lines: usize) {
    let f = fold(&pretty_body(body), max_lines, BODY_LINE_CHARS);
    for line in f.shown.lines() {
        out.push_str(&format!("{indent}{}\n", escape_controls(line)));
    }
    if f.folded_lines > 0 {
        out.push_str(&format!(
            "{indent}… {} more line{} (the whole body is in the report files)\n",
            f.folded_lines,
            if f.folded_lines == 1 { "" } else { "s" }
        ));
    }
}

/// Every exchange of a case (`--verbose`): phase, step, request, status,
/// time, then the request and response bodies as the runner recorded them
/// (secrets already redacted), pretty-printed and folded.
pub(crate) fn step_lines(r: &CaseResult) -> String {
    let mut out = String::new();
    for s in &r.steps {
        let req = s.request.as_ref().map(|q| format!("{} {}", q.method, escape_controls(&q.url))).unwrap_or_default();
        let status = s.response.as_ref().map_or_else(|| "no response".to_owned(), |p| p.status.to_string());
        let phase = match s.phase {
            Phase::Setup => "setup",
            Phase::Step => "step",
            Phase::Teardown => "teardown",
        };
        out.push_str(&format!(
            "    {phase} `{}`: {req} -> {status} ({} ms)\n",
            escape_controls(&s.name),
            s.duration.as_millis()
        ));
        if let Some(q) = s.request.as_ref().filter(|q| !q.body.trim().is_empty()) {
            out.push_str("      request body:\n");
            push_body(&mut out, &q.body, "        ", VERBOSE_BODY_LINES);
            if let Some(c) = &q.cut {
                out.push_str(&format!("        ({})\n", c.describe(q.body.len())));
            }
        }
        if let Some(p) = s.response.as_ref().filter(|p| !p.body.trim().is_empty()) {
            out.push_str("      response body:\n");
            push_body(&mut out, &p.body, "        ", VERBOSE_BODY_LINES);
            if let Some(c) = &p.cut {
                out.push_str(&format!("        ({})\n", c.describe(p.body.len())));
            }
        }
    }
    out
}

/// The closing line: counts and time.
pub(crate) fn summary_line(summary: &RunSummary) -> String {
    let c = summary.counts();
    let mut s = format!("{} passed, {} failed, {} errored, {} skipped", c.passed, c.failed, c.errored, c.skipped);
    if summary.baseline.is_some() || c.known + c.fixed > 0 {
        s.push_str(&format!(", {} known, {} fixed", c.known, c.fixed));
        if c.fixed > 0 && summary.baseline.as_ref().is_some_and(|b| b.allow_fixed) {
            s.push_str(" (allowed)");
        }
    }
    if summary.interrupted {
        s.push_str(" (interrupted)");
    }
    s
}

/// Writes the whole report: case lines in id order (passed ones left out
/// when quiet), details, the coverage table, the summary.
pub fn write_report(
    w: &mut dyn Write,
    style: Style,
    summary: &RunSummary,
    coverage: Option<&super::Coverage>,
    detail: Detail,
) -> io::Result<()> {
    for r in &summary.cases {
        if detail == Detail::Quiet && matches!(r.outcome, Outcome::Passed | Outcome::Known) {
            continue;
        }
        writeln!(w, "{}", case_line(style, r))?;
        if detail == Detail::Verbose {
            write!(w, "{}", step_lines(r))?;
        }
        write!(w, "{}", details(style, r, detail != Detail::Verbose))?;
    }
    writeln!(w)?;
    if let Some(cov) = coverage {
        write_coverage(w, style, cov)?;
    }
    if let Some(b) = &summary.baseline {
        write_baseline(w, style, summary, b)?;
    }
    let input = super::ReportInput { summary, target: "", coverage };
    writeln!(w, "{}", super::parity::parity(&input).line())?;
    writeln!(w, "{}", summary_line(summary))?;
    writeln!(w, "finished in {:.2} s", summary.duration.as_secs_f64())
}

/// What the baseline did: entries fixed (with their location), entries
/// naming no case, entries of cases that did not run.
pub(crate) fn write_baseline(
    w: &mut dyn Write,
    style: Style,
    summary: &RunSummary,
    b: &crate::runner::BaselineUse,
) -> io::Result<()> {
    let fixed: Vec<_> = summary.fixed_entries().collect();
    writeln!(
        w,
        "baseline {}: {} entries, {} known divergences, {} fixed, {} not run",
        b.file,
        b.entries,
        summary.known_divergences(),
        fixed.len(),
        b.not_run
    )?;
    for (_, e) in &fixed {
        let what = if b.allow_fixed { "fixed (allowed):" } else { "fixed:" };
        writeln!(w, "  {} {}: {} matched nothing", style.paint("33;1", what), e.location, e.describe())?;
    }
    for u in &b.unknown_cases {
        writeln!(w, "  {} {u}", style.paint("33", "no such case:"))?;
    }
    writeln!(w)
}

/// The coverage table: each documented statement, its verdict and cases.
pub(crate) fn write_coverage(w: &mut dyn Write, style: Style, cov: &super::Coverage) -> io::Result<()> {
    let covered = cov.statements.len() - cov.uncovered;
    writeln!(
        w,
        "coverage: {} documented statements, {covered} covered, {} uncovered",
        cov.statements.len(),
        cov.uncovered
    )?;
    let width = cov.statements.iter().map(|s| s.id.len()).max().unwrap_or(0);
    for s in &cov.statements {
        let verdict = match s.verdict {
            Verdict::Conforms => style.paint("32", "conforms "),
            Verdict::Known => style.paint("36", "known    "),
            Verdict::Diverges => style.paint("31;1", "diverges "),
            Verdict::Uncovered => style.paint("33;1", "uncovered"),
            Verdict::NotRun => format!("{:9}", Verdict::NotRun.as_str()),
        };
        writeln!(
            w,
            "  {:width$}  {verdict}  {} case{}",
            s.id,
            s.cases.len(),
            if s.cases.len() == 1 { "" } else { "s" }
        )?;
    }
    for u in &cov.unknown {
        writeln!(w, "  {} covers an id the contract does not list: {}", style.paint("33", "warning:"), u.id)?;
    }
    writeln!(w)
}
