//! What every report shares so that people can read it: bodies
//! pretty-printed and folded, and a step's divergences grouped under a
//! headline. Presentation only: nothing here decides an outcome.

use serde_json::Value;

use crate::matcher::{Mismatch, MismatchKind};
use crate::runner::StepResult;

/// A body as a person reads it: JSON pretty-printed (members sorted, as in
/// the diffs), anything else as it came.
pub fn pretty_body(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v @ (Value::Object(_) | Value::Array(_))) => {
            serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_owned())
        }
        _ => text.to_owned(),
    }
}

/// A text cut into what is shown and what is folded away: the first
/// `max_lines` lines (each at most `max_line_chars` characters), then how
/// many lines were left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    /// The lines shown, joined with `\n`.
    pub shown: String,
    /// The lines left out, joined with `\n` (empty when nothing was).
    pub rest: String,
    /// How many lines were left out.
    pub folded_lines: usize,
}

/// Folds `text` after `max_lines` lines; long lines are cut to
/// `max_line_chars` characters with `…`.
pub fn fold(text: &str, max_lines: usize, max_line_chars: usize) -> Folded {
    let cut_line = |l: &str| match l.char_indices().nth(max_line_chars) {
        Some((i, _)) => format!("{}…", &l[..i]),
        None => l.to_owned(),
    };
    let lines: Vec<&str> = text.lines().collect();
    let shown: Vec<String> = lines.iter().take(max_lines).map(|l| cut_line(l)).collect();
    let rest: Vec<String> = lines.iter().skip(max_lines).map(|l| cut_line(l)).collect();
    Folded { shown: shown.join("\n"), folded_lines: rest.len(), rest: rest.join("\n") }
}

/// A step's divergences in reading order: the headline first (the one a
/// reader must know first, which often explains the others), then the
/// rest beneath it. Indexes point into `step.mismatches`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouped {
    /// The headline divergence, when the step has a status or an error
    /// type divergence that the others follow from.
    pub headline: Option<usize>,
    /// Every other divergence, in the order the step found them.
    pub rest: Vec<usize>,
}

/// Groups a step's divergences no baseline entry knows. A wrong status
/// explains a wrong error type and a response in another shape, so it is
/// the headline; without one, a wrong error type is. Otherwise there is no
/// headline: the divergences are independent facts, listed in order.
pub fn group(step: &StepResult) -> Grouped {
    let new: Vec<usize> = (0..step.mismatches.len()).filter(|&i| step.known_at(i).is_none()).collect();
    let first_of = |kind: MismatchKind| new.iter().copied().find(|&i| step.mismatches[i].kind == kind);
    let headline = first_of(MismatchKind::Status).or_else(|| first_of(MismatchKind::Error)).filter(|_| new.len() > 1);
    Grouped { headline, rest: new.into_iter().filter(|i| Some(*i) != headline).collect() }
}

/// The headline in a sentence: for a status, what the server did
/// (accepted what it should reject, rejected what it should accept).
pub fn headline_text(m: &Mismatch, beneath: usize) -> String {
    let more = match beneath {
        0 => String::new(),
        1 => "; 1 more divergence follows from it".to_owned(),
        n => format!("; {n} more divergences follow from it"),
    };
    let success = |s: &str| s.starts_with('2');
    let what = match m.kind {
        MismatchKind::Status if success(&m.actual) && !success(&m.expected) => {
            format!("the request was accepted ({}) where {} was expected", m.actual, m.expected)
        }
        MismatchKind::Status if !success(&m.actual) && success(&m.expected) => {
            format!("the request was rejected ({}) where {} was expected", m.actual, m.expected)
        }
        MismatchKind::Status => format!("status {} where {} was expected", m.actual, m.expected),
        _ => format!("{}: expected {}, got {}", m.message, m.expected, m.actual),
    };
    format!("{what}{more}")
}

/// One divergence on one line: `kind at path: message (expected X, got Y)`.
pub fn one_line(m: &Mismatch) -> String {
    let at = if m.path.is_empty() { String::new() } else { format!(" {}", m.path) };
    format!("{}{at}: {} (expected {}, got {})", m.kind.as_str(), m.message, m.expected, m.actual)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Phase;

    fn step(ms: Vec<Mismatch>) -> StepResult {
        StepResult {
            phase: Phase::Step,
            name: "update".into(),
            request: None,
            response: None,
            mismatches: ms,
            error: None,
            known: Vec::new(),
            warnings: Vec::new(),
            body_diff: None,
            omitted: Default::default(),
            used_entries: Vec::new(),
            duration: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn a_wrongly_accepted_request_reads_as_one_headline_with_the_rest_beneath() {
        let s = step(vec![
            Mismatch::new(MismatchKind::Error, "", "BadRequestException", "(none)", "error type differs"),
            Mismatch::new(MismatchKind::Status, "", "400", "200", "status differs"),
            Mismatch::new(MismatchKind::Shape, "$.UserErrors", "(absent)", "[]", "member not documented in ErrorShape"),
        ]);
        let g = group(&s);
        assert_eq!(g, Grouped { headline: Some(1), rest: vec![0, 2] });
        assert_eq!(
            headline_text(&s.mismatches[1], g.rest.len()),
            "the request was accepted (200) where 400 was expected; 2 more divergences follow from it"
        );
    }

    #[test]
    fn independent_body_divergences_have_no_headline() {
        let s = step(vec![
            Mismatch::new(MismatchKind::Body, "$.a", "1", "2", "value differs"),
            Mismatch::new(MismatchKind::Body, "$.b", "1", "2", "value differs"),
        ]);
        assert_eq!(group(&s), Grouped { headline: None, rest: vec![0, 1] });
        // A lone status divergence needs no headline either.
        let s = step(vec![Mismatch::new(MismatchKind::Status, "", "200", "500", "status differs")]);
        assert_eq!(group(&s), Grouped { headline: None, rest: vec![0] });
    }

    #[test]
    fn json_bodies_are_pretty_printed_and_long_ones_folded() {
        assert_eq!(pretty_body(r#"{"b":1,"a":[true]}"#), "{\n  \"a\": [\n    true\n  ],\n  \"b\": 1\n}");
        assert_eq!(pretty_body("<html>oops</html>"), "<html>oops</html>");
        assert_eq!(pretty_body("  "), "");
        let long: String = (0..10).map(|i| format!("line {i}\n")).collect();
        let f = fold(&long, 3, 100);
        assert_eq!((f.shown.as_str(), f.folded_lines), ("line 0\nline 1\nline 2", 7));
        assert!(f.rest.starts_with("line 3") && f.rest.ends_with("line 9"));
        assert_eq!(fold("abcdef", 5, 3).shown, "abc…");
    }
}
