//! `junit.xml`: one `<testsuite>` per case file, one `<testcase>` per case;
//! `<failure>` for divergences (the diff in its body), `<error>` for cases
//! that could not run, `<skipped>` with the reason.
//!
//! With a baseline, a `known` case is a passed `<testcase>` whose
//! `<system-out>` lists its known divergences and their entries: it ran and
//! it does not fail the gate, which is what GitHub's, GitLab's and
//! Jenkins' JUnit views show for a pass, and the note is one click away in
//! each. (As `<skipped>` it would read as "did not run" in every one of
//! them, and drop out of pass-rate trends.) A `fixed` case is a
//! `<failure type="fixed">` naming the stale entries, since it fails the
//! run; under `--allow-fixed` it is a pass with the same note. Every
//! `<testsuite>` carries the run's parity figures as `<properties>`.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::readable::{group, headline_text, one_line};
use super::terminal::{Style, case_details};
use super::{ReportInput, parity};
use crate::runner::{CaseResult, Outcome};

/// The report as JUnit XML.
pub fn to_junit(input: &ReportInput) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("conform");
    report.set_time(input.summary.duration);
    // One suite per case file, named by the file part of the case ids
    // (stable wherever the files are checked out).
    let mut by_file: BTreeMap<String, Vec<&CaseResult>> = BTreeMap::new();
    for r in &input.summary.cases {
        let file = r.id.split_once("::").map_or(r.id.as_str(), |(f, _)| f);
        by_file.entry(file.to_owned()).or_default().push(r);
    }
    let p = parity::parity(input);
    let mut props = vec![("conform.parity.score", p.score.to_string()), ("conform.parity.basis", p.basis.to_owned())];
    if let Some(st) = &p.statements {
        props.extend([
            ("conform.parity.statements", st.total.to_string()),
            ("conform.parity.statements.conforming", st.conforms.to_string()),
            ("conform.parity.statements.known", st.known.to_string()),
            ("conform.parity.statements.diverging", st.diverges.to_string()),
            ("conform.parity.statements.not_run", st.not_run.to_string()),
        ]);
    }
    props.extend([
        ("conform.parity.cases.run", p.cases_run.to_string()),
        ("conform.parity.cases.passing", p.cases_passing.to_string()),
        ("conform.parity.known_divergences", p.known_divergences.to_string()),
        ("conform.parity.badge", super::BADGE_FILE.to_owned()),
    ]);
    let allow_fixed = input.summary.baseline.as_ref().is_some_and(|b| b.allow_fixed);
    for (file, cases) in by_file {
        let mut suite = TestSuite::new(file.clone());
        suite.add_properties(props.iter().map(|(k, v)| (k.to_string(), v.clone())));
        for r in cases {
            let plain = Style { color: false };
            let mut notes = r.warnings.clone();
            let status = match r.outcome {
                Outcome::Passed => TestCaseStatus::success(),
                Outcome::Known => {
                    notes.insert(0, case_details(plain, r));
                    TestCaseStatus::success()
                }
                Outcome::Fixed if allow_fixed => {
                    notes.insert(0, case_details(plain, r));
                    TestCaseStatus::success()
                }
                Outcome::Fixed => {
                    let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let first = r.fixed.first().map(|e| e.location.clone()).unwrap_or_default();
                    st.set_message(format!(
                        "baseline entry no longer occurs ({first}{}): remove it from the baseline",
                        if r.fixed.len() > 1 { format!(" and {} more", r.fixed.len() - 1) } else { String::new() }
                    ))
                    .set_type("fixed")
                    .set_description(case_details(plain, r));
                    st
                }
                Outcome::Failed | Outcome::Errored => {
                    let kind =
                        if r.outcome == Outcome::Failed { NonSuccessKind::Failure } else { NonSuccessKind::Error };
                    let mut st = TestCaseStatus::non_success(kind);
                    let message = match (&r.reason, r.steps.iter().find(|s| s.has_new_divergences())) {
                        (Some(reason), _) => reason.clone(),
                        (None, Some(s)) => {
                            let g = group(s);
                            match g.headline {
                                Some(h) => {
                                    format!("step `{}`: {}", s.name, headline_text(&s.mismatches[h], g.rest.len()))
                                }
                                None => {
                                    let more = g.rest.len().saturating_sub(1);
                                    let more = if more > 0 { format!(" (and {more} more)") } else { String::new() };
                                    let first = g.rest.first().map(|&i| one_line(&s.mismatches[i])).unwrap_or_default();
                                    format!("step `{}`: {first}{more}", s.name)
                                }
                            }
                        }
                        (None, None) => "failed".into(),
                    };
                    st.set_message(message).set_description(case_details(plain, r));
                    st
                }
                Outcome::Skipped => {
                    let mut st = TestCaseStatus::skipped();
                    if let Some(reason) = &r.reason {
                        st.set_message(reason.clone());
                    }
                    st
                }
            };
            let mut tc = TestCase::new(r.id.clone(), status);
            tc.set_classname(file.replace('/', ".")).set_time(r.duration);
            if !notes.is_empty() {
                tc.set_system_out(notes.join("\n"));
            }
            suite.add_test_case(tc);
        }
        report.add_test_suite(suite);
    }
    let xml = report.to_string()?;
    Ok(drop_testsuites_skipped(&xml))
}

/// quick-junit writes a `skipped` count on `<testsuites>`, which Jenkins'
/// published JUnit schema (junit-10.xsd) does not allow there; each
/// `<testsuite>` keeps its own count, which every reader uses.
fn drop_testsuites_skipped(xml: &str) -> String {
    let Some(start) = xml.find("<testsuites") else { return xml.to_owned() };
    let end = xml[start..].find('>').map_or(xml.len(), |e| start + e);
    let tag = &xml[start..end];
    let Some(attr) = tag.find(" skipped=\"") else { return xml.to_owned() };
    let attr_end = tag[attr + 10..].find('"').map_or(tag.len(), |q| attr + 10 + q + 1);
    format!("{}{}{}", &xml[..start + attr], &tag[attr_end..], &xml[end..])
}
