//! The matching rule: an entry knows a divergence when the case id is the
//! same and each of step, kind and path the entry names is the same. Paths
//! compare with array indices and filter selectors as `[*]` (list order and
//! generated ids change between runs), header names without case. Values
//! (expected, actual, messages) are never compared.

use crate::matcher::{Mismatch, MismatchKind};

/// What an entry matches on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The case id.
    pub case: String,
    /// The step name, or any step.
    pub step: Option<String>,
    /// The kind, or any kind.
    pub kind: Option<MismatchKind>,
    /// The path (normalized when compared), or any path.
    pub path: Option<String>,
}

// `MismatchKind` is compared by its report name, so the matcher's type
// needs no ordering of its own.
impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts().cmp(&other.parts())
    }
}

impl Key {
    fn parts(&self) -> (&str, Option<&str>, Option<&'static str>, Option<&str>) {
        (&self.case, self.step.as_deref(), self.kind.map(MismatchKind::as_str), self.path.as_deref())
    }

    /// The exact key of one divergence, as a baseline writes it: the step's
    /// name without a repetition index, the path normalized.
    pub fn of(case: &str, step: &str, m: &Mismatch) -> Key {
        Key {
            case: case.to_owned(),
            step: Some(base_step_name(step).to_owned()),
            kind: Some(m.kind),
            path: Some(normalize(m.kind, &m.path)),
        }
    }

    /// The key with its path normalized, for comparing entries.
    pub fn normalized(&self) -> Key {
        let mut k = self.clone();
        k.path = k.path.as_deref().map(|p| normalize(k.kind.unwrap_or(MismatchKind::Body), p));
        k
    }

    /// Whether this key knows divergence `m` of step `step` of case `case`.
    pub fn matches(&self, case: &str, step: &str, m: &Mismatch) -> bool {
        if self.case != case {
            return false;
        }
        if let Some(s) = &self.step
            && s != step
            && s != base_step_name(step)
        {
            return false;
        }
        if self.kind.is_some_and(|k| k != m.kind) {
            return false;
        }
        match &self.path {
            None => true,
            Some(p) => normalize(m.kind, p) == normalize(m.kind, &m.path),
        }
    }

    /// One line: `case`, then step, kind and path where given.
    pub fn describe(&self) -> String {
        let mut s = format!("case `{}`", self.case);
        if let Some(step) = &self.step {
            s.push_str(&format!(", step `{step}`"));
        }
        if let Some(kind) = self.kind {
            s.push_str(&format!(", {}", kind.as_str()));
        }
        if let Some(path) = self.path.as_deref().filter(|p| !p.is_empty()) {
            s.push_str(&format!(" at `{path}`"));
        }
        s
    }
}

/// One way of naming divergences under the matching rule: a step, a kind
/// and a path (normalized, with whether it compares as a header name),
/// each given or any. An entry and a divergence match exactly when the
/// entry's probes and the divergence's share one, so that matching many
/// entries against many divergences is a set lookup per pair of sides,
/// not a comparison per pair of items.
pub(crate) type Probe = (Option<String>, Option<&'static str>, Option<(bool, String)>);

impl Key {
    /// The probes an entry of this key is found by (two when it names a
    /// path but no kind: the path then compares as a divergence's kind
    /// says, as a header name or as a JSON path).
    pub(crate) fn probes(&self) -> Vec<Probe> {
        let kind = self.kind.map(MismatchKind::as_str);
        let paths: Vec<Option<(bool, String)>> = match (&self.path, self.kind) {
            (None, _) => vec![None],
            (Some(p), Some(k)) => vec![Some((k == MismatchKind::Header, normalize(k, p)))],
            (Some(p), None) => vec![Some((true, p.to_ascii_lowercase())), Some((false, normalize_path(p)))],
        };
        paths.into_iter().map(|path| (self.step.clone(), kind, path)).collect()
    }
}

/// Every probe that finds divergence `m` of step `step`: any or each of
/// the step's name (with and without a repetition index), its kind and its
/// normalized path. [`Key::matches`] holds exactly when the key's probes
/// and these share one.
pub(crate) fn divergence_probes(step: &str, m: &Mismatch) -> Vec<Probe> {
    let base = base_step_name(step);
    let mut steps = vec![None, Some(step.to_owned())];
    if base != step {
        steps.push(Some(base.to_owned()));
    }
    let path = (m.kind == MismatchKind::Header, normalize(m.kind, &m.path));
    let mut out = Vec::with_capacity(steps.len() * 4);
    for step in steps {
        for kind in [None, Some(m.kind.as_str())] {
            for path in [None, Some(path.clone())] {
                out.push((step.clone(), kind, path));
            }
        }
    }
    out
}

/// Parses a divergence kind's report name.
pub fn kind_from_str(s: &str) -> Option<MismatchKind> {
    Some(match s {
        "status" => MismatchKind::Status,
        "header" => MismatchKind::Header,
        "body" => MismatchKind::Body,
        "error" => MismatchKind::Error,
        "shape" => MismatchKind::Shape,
        "capture" => MismatchKind::Capture,
        "json" => MismatchKind::Json,
        _ => return None,
    })
}

/// A step name without the ` [N]` a repeated step's runs carry.
pub fn base_step_name(name: &str) -> &str {
    if let Some(open) = name.rfind(" [")
        && let Some(inner) = name[open + 2..].strip_suffix(']')
        && !inner.is_empty()
        && inner.bytes().all(|b| b.is_ascii_digit())
    {
        return &name[..open];
    }
    name
}

fn normalize(kind: MismatchKind, path: &str) -> String {
    if kind == MismatchKind::Header { path.to_ascii_lowercase() } else { normalize_path(path) }
}

/// A JSON path with every array index (`[3]`) and filter selector
/// (`[?@.UserId=="u-81f2"]`) written `[*]`: what stays the same from run
/// to run. Member names (`.a`, `['a b']`) are kept.
pub fn normalize_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match selector_end(after) {
            Some((end, true)) => {
                out.push_str("[*]");
                rest = &after[end + 1..];
            }
            Some((end, false)) => {
                out.push_str(&rest[open..open + 1 + end + 1]);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The offset of the `]` that closes a selector starting right after `[`
/// (quotes respected), and whether the selector is an index, a wildcard or
/// a filter (true) rather than a member name (false).
fn selector_end(s: &str) -> Option<(usize, bool)> {
    let bytes = s.as_bytes();
    let (mut i, mut quote, mut escaped) = (0, None::<u8>, false);
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b']' => {
                    let inner = s[..i].trim();
                    let positional = inner == "*"
                        || inner.starts_with('?')
                        || (!inner.is_empty()
                            && inner.trim_start_matches('-').bytes().all(|c| c.is_ascii_digit() || c == b':'));
                    return Some((i, positional));
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keep_members_and_drop_positions() {
        let table = [
            ("$.a.b", "$.a.b"),
            ("$.Users[3].Extra", "$.Users[*].Extra"),
            (r#"$.UserErrors[?@.UserId=="u-1]x"].ErrorCode"#, "$.UserErrors[*].ErrorCode"),
            ("$['a b'][0]['c]']", "$['a b'][*]['c]']"),
            ("$.x[*]", "$.x[*]"),
            ("$.x[-1]", "$.x[*]"),
            ("", ""),
            ("$.broken[", "$.broken["),
        ];
        for (input, want) in table {
            assert_eq!(normalize_path(input), want, "{input}");
        }
    }

    /// Issue #24: the probes of a key and of a divergence meet exactly when
    /// the key matches the divergence, for every combination of what the
    /// key names.
    #[test]
    fn probes_meet_exactly_when_a_key_matches_issue_24() {
        let divergences = [
            ("list [2]", Mismatch::new(MismatchKind::Shape, "$.Items[4].Arn", "e", "a", "m")),
            ("list", Mismatch::new(MismatchKind::Body, "$.Items[0].Arn", "e", "a", "m")),
            ("get", Mismatch::new(MismatchKind::Header, "Content-Type", "e", "a", "m")),
            ("get", Mismatch::new(MismatchKind::Status, "", "e", "a", "m")),
            ("x []", Mismatch::new(MismatchKind::Body, "$['A']", "e", "a", "m")),
        ];
        let steps = [None, Some("list"), Some("list [2]"), Some("get"), Some("x []"), Some("x")];
        let kinds = [None, Some(MismatchKind::Shape), Some(MismatchKind::Body), Some(MismatchKind::Header)];
        let paths =
            [None, Some(""), Some("$.Items[*].Arn"), Some("$.Items[1].Arn"), Some("content-type"), Some("$['A']")];
        let mut matched = 0;
        for step in steps {
            for kind in kinds {
                for path in paths {
                    let key =
                        Key { case: "c".into(), step: step.map(str::to_owned), kind, path: path.map(str::to_owned) };
                    let probes = key.probes();
                    for (s, m) in &divergences {
                        let meet = divergence_probes(s, m).iter().any(|p| probes.contains(p));
                        assert_eq!(meet, key.matches("c", s, m), "{key:?} against {s} {m:?}");
                        matched += usize::from(meet);
                    }
                }
            }
        }
        assert!(matched > 20, "{matched}");
    }

    #[test]
    fn step_names_lose_only_a_repetition_index() {
        assert_eq!(base_step_name("update [12]"), "update");
        assert_eq!(base_step_name("update"), "update");
        assert_eq!(base_step_name("list [a]"), "list [a]");
        assert_eq!(base_step_name("x []"), "x []");
    }

    #[test]
    fn keys_match_on_what_they_name_and_never_on_values() {
        let m = Mismatch::new(MismatchKind::Shape, "$.Items[4].Arn", "absent", "arn:aws:x:1", "undocumented member");
        let key = |step: Option<&str>, kind, path: Option<&str>| Key {
            case: "c::d".into(),
            step: step.map(str::to_owned),
            kind,
            path: path.map(str::to_owned),
        };
        assert!(key(None, None, None).matches("c::d", "step 1", &m));
        assert!(!key(None, None, None).matches("c::e", "step 1", &m));
        assert!(key(Some("list"), Some(MismatchKind::Shape), Some("$.Items[*].Arn")).matches("c::d", "list [2]", &m));
        assert!(key(Some("list"), Some(MismatchKind::Shape), Some("$.Items[0].Arn")).matches("c::d", "list", &m));
        assert!(!key(Some("get"), None, None).matches("c::d", "list", &m));
        assert!(!key(None, Some(MismatchKind::Body), None).matches("c::d", "list", &m));
        assert!(!key(None, None, Some("$.Items[*].Name")).matches("c::d", "list", &m));
        let h = Mismatch::new(MismatchKind::Header, "Content-Type", "x", "y", "m");
        assert!(key(None, Some(MismatchKind::Header), Some("content-type")).matches("c::d", "s", &h));
        assert_eq!(Key::of("c::d", "list [3]", &m).path.as_deref(), Some("$.Items[*].Arn"));
        assert_eq!(Key::of("c::d", "list [3]", &m).step.as_deref(), Some("list"));
    }
}
