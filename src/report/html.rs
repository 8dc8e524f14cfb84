//! `report.html`: one self-contained page (inline CSS, SVG and script; no
//! network), readable on a phone and printable. People scan a report by
//! eye first, so it opens with a picture of the run:
//!
//! - `#summary`: the verdict, and the outcome counts as a stacked bar;
//! - `#parity`: the parity score with its badge (inline SVG) and figures;
//! - `#coverage`: documented statements × verdict as a colour-coded matrix;
//! - the baseline's fixed entries and unknown cases, when there is one;
//! - `#cases`: filters by outcome and by text, then every case, failing
//!   ones first and open, each collapsible, with each step's divergences
//!   (a headline with the rest beneath), the diff, the request and the
//!   response (bodies pretty-printed, long ones folded).

use std::fmt::Write;

use super::readable::{fold, group, headline_text, pretty_body};
use super::terminal::body_diff;
use super::{MAX_BODY_CHARS, ReportInput, Verdict, badge, cut, parity};
use crate::runner::{CaseResult, Outcome, Phase, StepResult};

/// Lines of a body shown before the rest is folded into a disclosure.
const BODY_LINES: usize = 60;
/// Characters of one body line shown before it is cut (the whole body is
/// in `report.json`).
const BODY_LINE_CHARS: usize = 2000;

const STYLE: &str = r#"
:root{--passed:#1a7f37;--known:#0969da;--fixed:#bc4c00;--failed:#cf222e;--errored:#8250df;--skipped:#9a6700;--uncovered:#6e7781;--line:#d0d7de}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:1em;max-width:72em;color:#1b1f24;background:#fff}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.2em 0 .4em}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em}
code{overflow-wrap:anywhere}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid var(--line);padding:.25em .5em;text-align:left;vertical-align:top}
.scroll{overflow-x:auto;max-width:100%}
.passed{color:var(--passed)}.failed{color:var(--failed)}.errored{color:var(--errored)}.skipped{color:var(--skipped)}
.known{color:var(--known)}.fixed{color:var(--fixed)}
.verdict{font-weight:600;padding:.1em .5em;border-radius:1em;color:#fff}
.verdict.ok{background:var(--passed)}.verdict.bad{background:var(--failed)}
#summary{border:1px solid var(--line);border-radius:8px;padding:.8em 1em;margin:.8em 0}
.bar{display:flex;height:1.6em;border-radius:4px;overflow:hidden;margin:.6em 0;background:#eaeef2}
.bar span{display:block;min-width:3px}
.bg-passed{background:var(--passed)}.bg-known{background:var(--known)}.bg-fixed{background:var(--fixed)}
.bg-failed{background:var(--failed)}.bg-errored{background:var(--errored)}.bg-skipped{background:var(--skipped)}
.bg-uncovered{background:var(--uncovered)}.bg-conforms{background:var(--passed)}.bg-diverges{background:var(--failed)}
.bg-not-run{background:var(--skipped)}
.legend{display:flex;flex-wrap:wrap;gap:.3em 1.2em;list-style:none;padding:0;margin:0}
.legend i{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.3em;vertical-align:-.05em}
.pictures{display:flex;flex-wrap:wrap;gap:1em 2em;align-items:flex-start}
.matrix td.cell{width:2.2em;text-align:center;padding:0}
.matrix td.cell.on{color:#fff;font-weight:600}
.matrix th.rot{font-weight:500;font-size:.85em}
.case{border:1px solid var(--line);border-left-width:5px;border-radius:6px;margin:.5em 0;padding:.3em .8em}
.case.o-failed{border-left-color:var(--failed)}.case.o-errored{border-left-color:var(--errored)}
.case.o-fixed{border-left-color:var(--fixed)}.case.o-known{border-left-color:var(--known)}
.case.o-passed{border-left-color:var(--passed)}.case.o-skipped{border-left-color:var(--skipped)}
.case>summary{cursor:pointer;font-family:ui-monospace,monospace;overflow-wrap:anywhere}
.step{margin:.6em 0 .8em}.step h4{margin:.4em 0;font-weight:600}
.headline{font-weight:600;margin:.3em 0}
pre{background:#f6f8fa;padding:.6em;overflow:auto;max-height:40em;margin:.3em 0;white-space:pre}
.add{background:#dafbe1;display:block}.del{background:#ffebe9;display:block}
.filters{display:flex;flex-wrap:wrap;gap:.4em 1em;align-items:center;margin:.5em 0}
.filters input[type=search]{flex:1 1 14em;padding:.3em;font:inherit}
.hidden{display:none}
@media (max-width:600px){body{padding:.5em;font-size:13px}td,th{padding:.2em .3em}}
@media print{.filters{display:none}.case,.step{break-inside:avoid-page}pre{max-height:none;white-space:pre-wrap}
.bar,.verdict,.matrix td.cell.on,.legend i{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"#;

const SCRIPT: &str = r#"
function applyFilters(){
  var on={};
  document.querySelectorAll('.filters input[type=checkbox]').forEach(function(b){on[b.value]=b.checked;});
  var q=(document.getElementById('text-filter').value||'').toLowerCase();
  var shown=0;
  document.querySelectorAll('.case').forEach(function(c){
    var hit=on[c.dataset.outcome]&&(!q||c.textContent.toLowerCase().indexOf(q)>=0);
    c.classList.toggle('hidden',!hit);if(hit)shown++;
  });
  document.getElementById('shown').textContent=shown;
}
document.querySelectorAll('.filters input').forEach(function(b){b.addEventListener('input',applyFilters);b.addEventListener('change',applyFilters);});
window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.dataset.wasOpen=d.open;d.open=true;});});
window.addEventListener('afterprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=d.dataset.wasOpen==='true';});});
applyFilters();
"#;

pub(crate) use super::escape_markup as esc;

/// Cases in the order a reader wants them: what needs action first.
fn rank(o: Outcome) -> u8 {
    match o {
        Outcome::Failed => 0,
        Outcome::Errored => 1,
        Outcome::Fixed => 2,
        Outcome::Known => 3,
        Outcome::Skipped => 4,
        Outcome::Passed => 5,
    }
}

/// The report as a self-contained HTML page.
pub fn to_html(input: &ReportInput) -> String {
    let s = input.summary;
    let c = s.counts();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>conform report</title><style>{STYLE}</style></head><body>\n"
    );
    let _ = writeln!(h, "<h1>conform report</h1>");

    // The picture of the run: verdict, stacked bar, legend.
    let (verdict, class) = if s.success() { ("conforms", "ok") } else { ("diverges", "bad") };
    let _ = writeln!(
        h,
        "<section id=\"summary\"><p>Target <code>{}</code> <span class=\"verdict {class}\">{verdict}</span>{} · {} cases in {:.2} s</p>",
        esc(input.target),
        if s.interrupted { " — <strong>run interrupted</strong>" } else { "" },
        s.cases.len(),
        s.duration.as_secs_f64()
    );
    let counts = [
        (Outcome::Failed, c.failed),
        (Outcome::Errored, c.errored),
        (Outcome::Fixed, c.fixed),
        (Outcome::Known, c.known),
        (Outcome::Passed, c.passed),
        (Outcome::Skipped, c.skipped),
    ];
    let label: Vec<String> = counts.iter().map(|(o, n)| format!("{n} {}", o.as_str())).collect();
    let _ = write!(h, "<div class=\"bar\" id=\"outcome-bar\" role=\"img\" aria-label=\"{}\">", label.join(", "));
    for (o, n) in counts.iter().filter(|(_, n)| *n > 0) {
        let _ = write!(h, "<span class=\"bg-{o}\" style=\"flex:{n}\" title=\"{n} {o}\"></span>", o = o.as_str());
    }
    let _ = writeln!(h, "</div><ul class=\"legend\">");
    for (o, n) in counts {
        let _ = write!(h, "<li class=\"{o}\"><i class=\"bg-{o}\"></i>{n} {o}</li>", o = o.as_str());
    }
    let _ = writeln!(h, "</ul></section>");

    let _ = writeln!(h, "<div class=\"pictures\">");
    parity_block(&mut h, input);
    if let Some(cov) = input.coverage {
        coverage_matrix(&mut h, cov);
    }
    let _ = writeln!(h, "</div>");

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

    let _ = writeln!(h, "<section id=\"cases\"><h2>Cases (<span id=\"shown\">{}</span> shown)</h2>", s.cases.len());
    let _ = write!(h, "<div class=\"filters\">");
    for (o, n) in counts {
        let _ = write!(
            h,
            "<label class=\"{o}\"><input type=\"checkbox\" value=\"{o}\" checked> {o} ({n})</label>",
            o = o.as_str()
        );
    }
    let _ = writeln!(
        h,
        "<input type=\"search\" id=\"text-filter\" placeholder=\"filter by text: id, path, message…\" aria-label=\"filter by text\"></div>"
    );
    let mut ordered: Vec<&CaseResult> = s.cases.iter().collect();
    ordered.sort_by(|a, b| rank(a.outcome).cmp(&rank(b.outcome)).then_with(|| a.id.cmp(&b.id)));
    for r in ordered {
        case(&mut h, r);
    }
    let _ = write!(h, "</section><script>{SCRIPT}</script>\n</body></html>\n");
    h
}

fn parity_block(h: &mut String, input: &ReportInput) {
    let p = parity::parity(input);
    let _ = writeln!(
        h,
        "<section id=\"parity\"><h2>Parity</h2>{}<p>{}</p><details><summary>figures</summary><table id=\"parity-figures\"><tr><th>measure</th><th>figure</th></tr>",
        badge::to_svg(&p).trim_end(),
        esc(&p.line())
    );
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
    let _ = writeln!(h, "</table></details></section>");
}

/// Documented statements × verdict: one row per statement, its verdict's
/// column filled in that verdict's colour, with the number of cases.
fn coverage_matrix(h: &mut String, cov: &super::Coverage) {
    let _ = writeln!(
        h,
        "<section id=\"coverage\"><h2>Coverage of documented statements</h2><p>{} statements, {} covered, {} uncovered.</p><div class=\"scroll\"><table class=\"matrix\"><tr><th>statement</th>",
        cov.statements.len(),
        cov.statements.len() - cov.uncovered,
        cov.uncovered
    );
    for v in Verdict::ALL {
        let _ = write!(h, "<th class=\"rot\">{}</th>", v.as_str());
    }
    let _ = writeln!(h, "</tr>");
    for st in &cov.statements {
        let cases: Vec<String> = st.cases.iter().map(|c| format!("{} ({})", c.id, c.outcome.as_str())).collect();
        let title = if cases.is_empty() { st.text.clone() } else { format!("{}\n{}", st.text, cases.join("\n")) };
        let _ = write!(
            h,
            "<tr data-verdict=\"{}\"><td title=\"{}\"><code>{}</code><br><small>{}</small></td>",
            esc(st.verdict.as_str()),
            esc(&title),
            esc(&st.id),
            esc(&st.text)
        );
        for verdict in Verdict::ALL {
            let v = verdict.as_str();
            if verdict == st.verdict {
                let _ = write!(
                    h,
                    "<td class=\"cell on bg-{}\" title=\"{}: {} case{}\">{}</td>",
                    v.replace(' ', "-"),
                    esc(v),
                    st.cases.len(),
                    if st.cases.len() == 1 { "" } else { "s" },
                    st.cases.len()
                );
            } else {
                let _ = write!(h, "<td class=\"cell\"></td>");
            }
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</table></div>");
    if !cov.unknown.is_empty() {
        let _ = writeln!(h, "<p class=\"skipped\">Ids in <code>covers</code> that the contract does not list:</p><ul>");
        for u in &cov.unknown {
            let _ = writeln!(h, "<li><code>{}</code></li>", esc(&u.id));
        }
        let _ = writeln!(h, "</ul>");
    }
    let _ = writeln!(h, "</section>");
}

fn case(h: &mut String, r: &CaseResult) {
    let o = r.outcome.as_str();
    let open = if matches!(r.outcome, Outcome::Failed | Outcome::Errored | Outcome::Fixed) { " open" } else { "" };
    let _ = writeln!(
        h,
        "<details class=\"case o-{o}\" data-outcome=\"{o}\" id=\"{}\"{open}><summary><span class=\"{o}\">{o}</span> {} <small>({} ms)</small></summary>",
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
        for s in &r.steps {
            step(h, s);
        }
    }
    let _ = writeln!(h, "</details>");
}

/// How a step went, in a sentence: "step `update` failed".
fn step_sentence(s: &StepResult) -> (String, &'static str) {
    let phase = match s.phase {
        Phase::Setup => "setup step",
        Phase::Step => "step",
        Phase::Teardown => "teardown step",
    };
    let (what, class) = if s.error.is_some() {
        ("could not run", "errored")
    } else if !s.ok() {
        ("failed", "failed")
    } else if !s.mismatches.is_empty() {
        ("diverged as the baseline knows", "known")
    } else {
        ("passed", "passed")
    };
    (format!("{phase} <code>{}</code> <span class=\"{class}\">{what}</span>", esc(&s.name)), class)
}

fn step(h: &mut String, s: &StepResult) {
    let (sentence, class) = step_sentence(s);
    let _ = writeln!(h, "<section class=\"step\" data-state=\"{class}\"><h4>{sentence}</h4>");
    if let Some(e) = &s.error {
        let _ = writeln!(h, "<p class=\"errored\">error: {}</p>", esc(&e.to_string()));
    }
    let g = group(s);
    if let Some(i) = g.headline {
        let _ = writeln!(h, "<p class=\"headline\">{}</p>", esc(&headline_text(&s.mismatches[i], g.rest.len())));
    }
    if !s.mismatches.is_empty() {
        let _ = writeln!(
            h,
            "<div class=\"scroll\"><table class=\"divergences\"><tr><th>kind</th><th>path</th><th>expected</th><th>actual</th><th>message</th><th>baseline</th></tr>"
        );
        // The headline's row first, then the rest, then the known ones.
        let known = (0..s.mismatches.len()).filter(|&i| s.known_at(i).is_some());
        for i in g.headline.into_iter().chain(g.rest.iter().copied()).chain(known) {
            let m = &s.mismatches[i];
            let known = s.known_at(i).map_or_else(String::new, |k| {
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
        let _ = writeln!(h, "</table></div>");
        if let Some(more) = s.omitted.describe() {
            let _ = writeln!(h, "<p><small>{}</small></p>", esc(&more));
        }
    }
    if let Some(diff) = body_diff(s) {
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
    if let Some(q) = &s.request {
        let headers: String = q.headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        let _ = write!(
            h,
            "<details class=\"exchange\"><summary>request <code>{} {}</code></summary><pre class=\"request\">{}",
            esc(&q.method),
            esc(&q.url),
            esc(&headers)
        );
        body(h, &q.body);
        if let Some(c) = &q.cut {
            let _ = write!(h, "<p><small>body {}</small></p>", esc(&c.describe(q.body.len())));
        }
        let _ = writeln!(h, "</details>");
    }
    if let Some(resp) = &s.response {
        let headers: String = resp.headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        // Open where the response is what went wrong and no diff shows it.
        let open = if !s.ok() && s.body_diff.is_none() { " open" } else { "" };
        let _ = write!(
            h,
            "<details class=\"exchange\"{open}><summary>response <code>{}</code></summary><pre class=\"response\">{}",
            resp.status,
            esc(&headers)
        );
        body(h, &resp.body);
        if let Some(c) = &resp.cut {
            let _ = write!(h, "<p><small>body {}</small></p>", esc(&c.describe(resp.body.len())));
        }
        let _ = writeln!(h, "</details>");
    }
    let _ = writeln!(h, "</section>");
}

/// Closes the `<pre>` opened by the caller after a body: pretty-printed,
/// the first lines shown and the rest folded into a disclosure.
fn body(h: &mut String, text: &str) {
    let (text, truncated) = cut(text, MAX_BODY_CHARS);
    let f = fold(&pretty_body(&text), BODY_LINES, BODY_LINE_CHARS);
    if !f.shown.is_empty() {
        let _ = write!(h, "\n{}", esc(&f.shown));
    }
    let _ = write!(h, "</pre>");
    if f.folded_lines > 0 {
        let _ = write!(
            h,
            "<details class=\"folded\"><summary>{} more line{}</summary><pre>{}</pre></details>",
            f.folded_lines,
            if f.folded_lines == 1 { "" } else { "s" },
            esc(&f.rest)
        );
    }
    if truncated {
        let _ = write!(h, "<p><small>body cut after {MAX_BODY_CHARS} characters</small></p>");
    }
}
