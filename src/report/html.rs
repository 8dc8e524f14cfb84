//! `report.html`: one self-contained page (inline CSS and script, no
//! external assets): the summary, the parity score with its badge (inline
//! SVG), the baseline's fixed entries, filters by outcome, the coverage table,
//! and for each case that did not pass its requests, responses and a
//! highlighted diff.

use std::fmt::Write;

use super::terminal::body_diff;
use super::{MAX_BODY_CHARS, ReportInput, badge, cut, parity};
use crate::runner::{CaseResult, Outcome};

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24}
h1{font-size:1.5em}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #d0d7de;padding:.3em .6em;text-align:left;vertical-align:top}
.passed{color:#1a7f37}.failed{color:#cf222e}.errored{color:#8250df}.skipped{color:#9a6700}
.known{color:#0969da}.fixed{color:#bc4c00}
.case{border:1px solid #d0d7de;border-radius:6px;margin:.5em 0;padding:.4em .8em}
.case>summary{cursor:pointer;font-family:ui-monospace,monospace}
pre{background:#f6f8fa;padding:.6em;overflow:auto;max-height:30em}
.add{background:#dafbe1;display:block}.del{background:#ffebe9;display:block}
.filters label{margin-right:1em}.hidden{display:none}
"#;

const SCRIPT: &str = r#"
function applyFilters(){
  var boxes=document.querySelectorAll('.filters input');
  var on={};boxes.forEach(function(b){on[b.value]=b.checked;});
  document.querySelectorAll('.case').forEach(function(c){
    c.classList.toggle('hidden',!on[c.dataset.outcome]);
  });
}
document.querySelectorAll('.filters input').forEach(function(b){b.addEventListener('change',applyFilters);});
applyFilters();
"#;

pub use super::escape_markup as esc;

/// The report as a self-contained HTML page.
pub fn to_html(input: &ReportInput) -> String {
    let s = input.summary;
    let c = s.counts();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>conform report</title><style>{STYLE}</style></head><body>\n"
    );
    let _ = writeln!(h, "<h1>conform report</h1>");
    let _ = writeln!(
        h,
        "<p id=\"summary\">Target <code>{}</code>: <span class=\"passed\">{} passed</span>, <span class=\"known\">{} known</span>, <span class=\"fixed\">{} fixed</span>, <span class=\"failed\">{} failed</span>, <span class=\"errored\">{} errored</span>, <span class=\"skipped\">{} skipped</span>{}.</p>",
        esc(input.target),
        c.passed,
        c.known,
        c.fixed,
        c.failed,
        c.errored,
        c.skipped,
        if s.interrupted { " — <strong>run interrupted</strong>" } else { "" }
    );
    let p = parity::parity(input);
    let _ = writeln!(h, "<h2>Parity</h2><div id=\"parity\">{}<p>{}</p>", badge::to_svg(&p).trim_end(), esc(&p.line()));
    let _ = writeln!(h, "<table id=\"parity-figures\"><tr><th>measure</th><th>figure</th></tr>");
    let mut rows = vec![(format!("score ({})", p.basis), format!("{}%", p.score))];
    if let Some(st) = &p.statements {
        rows.extend([
            ("documented statements".to_owned(), st.total.to_string()),
            ("conform".to_owned(), st.conforms.to_string()),
            ("known divergences only".to_owned(), st.known.to_string()),
            ("diverge".to_owned(), st.diverges.to_string()),
            ("not run".to_owned(), st.not_run.to_string()),
            ("uncovered".to_owned(), st.uncovered.to_string()),
        ]);
    }
    rows.extend([
        ("cases passing".to_owned(), format!("{} of {} run", p.cases_passing, p.cases_run)),
        ("cases with known divergences".to_owned(), p.cases_known.to_string()),
        ("known divergences".to_owned(), p.known_divergences.to_string()),
        ("fixed baseline entries".to_owned(), p.fixed_entries.to_string()),
    ]);
    for (k, v) in rows {
        let _ = writeln!(h, "<tr><td>{}</td><td>{}</td></tr>", esc(&k), esc(&v));
    }
    let _ = writeln!(h, "</table></div>");
    if let Some(b) = &s.baseline {
        let _ = writeln!(
            h,
            "<h2>Baseline</h2><p id=\"baseline\"><code>{}</code>: {} entries, {} known divergences, {} fixed{}, {} not run.</p><ul>",
            esc(&b.file),
            b.entries,
            s.known_divergences(),
            s.fixed_entries().count(),
            if b.allow_fixed { " (allowed)" } else { "" },
            b.not_run
        );
        for (_, e) in s.fixed_entries() {
            let _ = writeln!(
                h,
                "<li><span class=\"fixed\">fixed</span> <code>{}</code>: {} matched nothing</li>",
                esc(&e.location),
                esc(&e.describe())
            );
        }
        for u in &b.unknown_cases {
            let _ = writeln!(h, "<li><span class=\"skipped\">no such case</span> {}</li>", esc(u));
        }
        let _ = writeln!(h, "</ul>");
    }
    if let Some(cov) = input.coverage {
        let _ = writeln!(
            h,
            "<h2>Coverage of documented statements</h2><table id=\"coverage\"><tr><th>statement</th><th>source</th><th>cases</th><th>verdict</th></tr>"
        );
        for st in &cov.statements {
            let cases: Vec<String> = st
                .cases
                .iter()
                .map(|c| format!("<code>{}</code> <span class=\"{o}\">{o}</span>", esc(&c.id), o = c.outcome.as_str()))
                .collect();
            let cases = if cases.is_empty() { "<strong>uncovered</strong>".to_owned() } else { cases.join("<br>") };
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&st.id),
                esc(&st.text),
                cases,
                esc(st.verdict())
            );
        }
        let _ = writeln!(h, "</table>");
    }
    let _ = writeln!(h, "<h2>Cases</h2><div class=\"filters\">");
    for o in Outcome::ALL.map(Outcome::as_str) {
        let _ = write!(h, "<label><input type=\"checkbox\" value=\"{o}\" checked> {o}</label>");
    }
    let _ = writeln!(h, "</div>");
    for r in &s.cases {
        case(&mut h, r);
    }
    let _ = write!(h, "<script>{SCRIPT}</script>\n</body></html>\n");
    h
}

fn case(h: &mut String, r: &CaseResult) {
    let o = r.outcome.as_str();
    let open = if matches!(r.outcome, Outcome::Failed | Outcome::Errored | Outcome::Fixed) { " open" } else { "" };
    let _ = writeln!(
        h,
        "<details class=\"case\" data-outcome=\"{o}\" id=\"{}\"{open}><summary><span class=\"{o}\">{o}</span> {} <small>({} ms)</small></summary>",
        esc(&r.id),
        esc(&r.id),
        r.duration.as_millis()
    );
    if let Some(reason) = &r.reason {
        let _ = writeln!(h, "<p>{}</p>", esc(reason));
    }
    for e in &r.fixed {
        let _ = writeln!(
            h,
            "<p class=\"fixed\">fixed: <code>{}</code>: {} no longer occurs: remove the entry</p>",
            esc(&e.location),
            esc(&e.describe())
        );
    }
    for w in &r.warnings {
        let _ = writeln!(h, "<p class=\"skipped\">warning: {}</p>", esc(w));
    }
    if r.outcome != Outcome::Passed {
        for step in &r.steps {
            let state = match (step.ok(), step.mismatches.is_empty()) {
                (true, true) => "passed",
                (true, false) => "known",
                (false, _) => "failed",
            };
            let _ = writeln!(
                h,
                "<h4>{:?} step <code>{}</code> <span class=\"{state}\">{state}</span></h4>",
                step.phase,
                esc(&step.name)
            );
            if !step.mismatches.is_empty() {
                let _ = writeln!(
                    h,
                    "<table class=\"divergences\"><tr><th>kind</th><th>path</th><th>expected</th><th>actual</th><th>message</th><th>baseline</th></tr>"
                );
                for (m, k) in step.judged() {
                    let known = k.map_or_else(String::new, |k| {
                        let why = k.reason.as_deref().map(|r| format!(": {}", esc(r))).unwrap_or_default();
                        format!("<span class=\"known\">known</span> <code>{}</code>{why}", esc(&k.location))
                    });
                    let _ = writeln!(
                        h,
                        "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{known}</td></tr>",
                        m.kind.as_str(),
                        esc(&m.path),
                        esc(&m.expected),
                        esc(&m.actual),
                        esc(&m.message)
                    );
                }
                let _ = writeln!(h, "</table>");
            }
            if let Some(e) = &step.error {
                let _ = writeln!(h, "<p class=\"errored\">error: {}</p>", esc(e));
            }
            if let Some(diff) = body_diff(step) {
                let _ = write!(h, "<pre class=\"diff\">");
                for line in diff.lines() {
                    let class = if line.starts_with('+') && !line.starts_with("+++") {
                        "add"
                    } else if line.starts_with('-') && !line.starts_with("---") {
                        "del"
                    } else {
                        "ctx"
                    };
                    let _ = writeln!(h, "<span class=\"{class}\">{}</span>", esc(line));
                }
                let _ = writeln!(h, "</pre>");
            }
            if let Some(q) = &step.request {
                let headers: String = q.headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
                let (body, _) = cut(&q.body, MAX_BODY_CHARS);
                let _ = writeln!(
                    h,
                    "<p>Request</p><pre class=\"request\">{} {}\n{}\n{}</pre>",
                    esc(&q.method),
                    esc(&q.url),
                    esc(&headers),
                    esc(&body)
                );
            }
            if let Some(resp) = &step.response {
                let headers: String = resp.headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
                let (body, _) = cut(&resp.body, MAX_BODY_CHARS);
                let _ = writeln!(
                    h,
                    "<p>Response</p><pre class=\"response\">{}\n{}\n{}</pre>",
                    resp.status,
                    esc(&headers),
                    esc(&body)
                );
            }
        }
    }
    let _ = writeln!(h, "</details>");
}
