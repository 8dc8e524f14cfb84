//! Redaction: secrets never reach terminal output or reports. After a case
//! has run, every text of its result (URLs, headers, bodies, divergences,
//! diffs, errors) is scrubbed of:
//!
//! - the values of secret headers (`Authorization`, `X-Amz-Security-Token`,
//!   ...), already replaced when the request was recorded;
//! - the signature and credential parameters of signed URLs;
//! - the values of variables a suite lists in `secrets`, and the signing
//!   credentials;
//! - the values of members the contract's model marks sensitive (such as
//!   `AlexaForBusinessRoomArn`), wherever they appear.
//!
//! Every encoding of every secret is found in one pass over a text (one
//! Aho-Corasick automaton per case), so the work is linear in the texts
//! and the secrets however many there are.
//!
//! Redaction never rewrites structure: member names, the JSON paths of
//! divergences, header names and so baseline keys stay as they are, even
//! where a short secret (`AWS_SECRET_ACCESS_KEY=test`) occurs inside one
//! (`$.latestVersion`). Values are scrubbed however short the secret.

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde_json::Value;

use super::result::{CaseResult, REDACTED, StepError};
use crate::matcher::MismatchKind;

/// Headers whose values never appear in output.
pub const SECRET_HEADERS: &[&str] =
    &["authorization", "x-amz-security-token", "proxy-authorization", "cookie", "set-cookie"];

/// Query parameters of presigned URLs that carry secrets.
const SECRET_QUERY: &[&str] = &["x-amz-signature", "x-amz-credential", "x-amz-security-token"];

/// Values shorter than this are not scrubbed from free text: they would
/// match everywhere. Structured places (headers, members) are redacted whatever their length.
const MIN_SCRUB_LEN: usize = 3;

/// A configured secret shorter than this is still scrubbed, but the run
/// warns: it occurs inside many values, which makes reports hard to read.
pub const SHORT_SECRET_LEN: usize = 8;

/// What to redact in one case's result.
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    secrets: BTreeSet<String>,
    sensitive_members: Vec<String>,
    /// Names the result shows as structure (members of divergence paths,
    /// header names): a secret inside one of them is left there.
    names: BTreeSet<String>,
    /// The longest ASCII letter-or-digit run of each secret: no encoding
    /// changes it, so a text without any of them holds no secret form and
    /// needs no search (most texts of most cases).
    anchors: Vec<String>,
    /// The automata, built the first time a text holds an anchor: building
    /// them costs more than a case's whole exchange.
    built: std::cell::OnceCell<Built>,
}

/// What `scrub` searches with.
#[derive(Debug, Clone)]
enum Built {
    Automaton(Sealed),
    /// The automaton could not be built (a pattern set beyond its size
    /// limits): each form, longest first, is searched for plainly (slow,
    /// never open).
    Blind(Vec<String>),
}

impl Built {
    /// Every encoding of every secret, longest first.
    fn forms(&self) -> &[String] {
        match self {
            Built::Automaton(sealed) => &sealed.forms,
            Built::Blind(forms) => forms,
        }
    }
}

/// The automata of a case, built once.
#[derive(Debug, Clone)]
struct Sealed {
    /// Every encoding of every secret, leftmost-longest, so that a secret
    /// containing another is replaced whole.
    secrets: AhoCorasick,
    /// The names that hold a secret form inside them (and are longer).
    names: Option<AhoCorasick>,
    /// Every encoding of every secret, longest first.
    forms: Vec<String>,
}

impl Redactor {
    /// Redacts `secrets` (exact strings) and the values of JSON members named
    /// in `sensitive_members`.
    pub fn new(secrets: impl IntoIterator<Item = String>, sensitive_members: impl IntoIterator<Item = String>) -> Self {
        Redactor {
            secrets: secrets.into_iter().filter(|s| s.len() >= MIN_SCRUB_LEN).collect(),
            sensitive_members: sensitive_members.into_iter().collect(),
            names: BTreeSet::new(),
            anchors: Vec::new(),
            built: std::cell::OnceCell::new(),
        }
    }

    /// Scrubs a case result in place. Values of sensitive members in the
    /// bodies were collected while the case ran ([`sensitive_values`]);
    /// those of an expectation's diff view are collected here.
    pub fn apply(mut self, r: &mut CaseResult) {
        if !self.sensitive_members.is_empty() {
            for s in &r.steps {
                if let Some((expected, actual)) = &s.body_diff {
                    self.collect(expected);
                    self.collect(actual);
                }
            }
        }
        if self.secrets.is_empty() && self.sensitive_members.is_empty() {
            return;
        }
        for s in &r.steps {
            for m in &s.mismatches {
                match m.kind {
                    MismatchKind::Header => {
                        self.names.insert(m.path.to_ascii_lowercase());
                    }
                    _ => path_names(&m.path, |name| {
                        self.names.insert(name.to_owned());
                    }),
                }
            }
            let request = s.request.iter().flat_map(|q| &q.headers);
            let response = s.response.iter().flat_map(|p| &p.headers);
            for (name, _) in request.chain(response) {
                self.names.insert(name.to_ascii_lowercase());
            }
        }
        self.seal();
        for s in &mut r.steps {
            if let Some(q) = &mut s.request {
                if q.cut.is_some() {
                    self.trim_cut(&mut q.body);
                }
                q.url = redact_query(&q.url);
                self.scrub(&mut q.url);
                q.headers.iter_mut().for_each(|(_, v)| self.scrub(v));
                self.scrub(&mut q.body);
            }
            if let Some(p) = &mut s.response {
                if p.cut.is_some() {
                    self.trim_cut(&mut p.body);
                }
                p.headers.iter_mut().for_each(|(_, v)| self.scrub(v));
                self.scrub(&mut p.body);
                if let Some(o) = &mut p.output {
                    self.scrub(o);
                }
            }
            for m in &mut s.mismatches {
                self.scrub(&mut m.expected);
                self.scrub(&mut m.actual);
                self.scrub(&mut m.message);
                // A path is structure; only the values a filter selector
                // compares with (`[?@.id=='...']`) are scrubbed.
                if m.path.starts_with('$') {
                    self.scrub_path(&mut m.path);
                }
            }
            if let Some(e) = s.error.as_mut().and_then(StepError::text_mut) {
                self.scrub(e);
            }
            if let Some((expected, actual)) = &mut s.body_diff {
                self.scrub_json(expected);
                self.scrub_json(actual);
            }
        }
        if let Some(reason) = &mut r.reason {
            self.scrub(reason);
        }
        r.warnings.iter_mut().for_each(|w| self.scrub(w));
    }

    fn collect(&mut self, v: &Value) {
        let mut found = Vec::new();
        sensitive_values(v, &self.sensitive_members, &mut found);
        self.secrets.extend(found.into_iter().filter(|s| s.len() >= MIN_SCRUB_LEN));
    }

    /// Ends collection: the secrets are known, their anchors taken.
    fn seal(&mut self) {
        let anchors: BTreeSet<&str> = self.secrets.iter().map(|s| anchor(s)).collect();
        self.anchors = anchors.into_iter().map(str::to_owned).collect();
    }

    /// Whether a text may hold a secret form: it holds some secret's anchor.
    fn may_hold(&self, text: &str) -> bool {
        self.anchors.iter().any(|a| text.contains(a.as_str()))
    }

    /// The automata, built on first use.
    fn built(&self) -> &Built {
        self.built.get_or_init(|| {
            let automaton = |patterns: &[&String]| {
                // A contiguous NFA builds in a fraction of a DFA's time and
                // searches the few texts that hold an anchor fast enough.
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(patterns)
            };
            let mut forms: Vec<String> = self
                .secrets
                .iter()
                .flat_map(|s| encodings(s))
                .filter(|f| f.len() >= MIN_SCRUB_LEN)
                .collect::<BTreeSet<String>>()
                .into_iter()
                .collect();
            forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
            let Ok(secrets) = automaton(&forms.iter().collect::<Vec<_>>()) else { return Built::Blind(forms) };
            // Only names that hold a secret form strictly inside them need
            // protecting.
            let names: Vec<&String> =
                self.names.iter().filter(|n| secrets.find_iter(n.as_str()).any(|m| m.len() < n.len())).collect();
            let names = if names.is_empty() { None } else { automaton(&names).ok() };
            Built::Automaton(Sealed { secrets, names, forms })
        })
    }

    /// Replaces every secret form in a text, except inside a name the
    /// result shows as structure or a JSON member name.
    fn scrub(&self, text: &mut String) {
        let Some((sealed, found)) = self.found_in(text) else { return };
        let mut kept: Vec<(usize, usize)> = Vec::new();
        if let Some(names) = &sealed.names {
            kept.extend(names.find_iter(text.as_str()).map(|m| (m.start(), m.end())));
        }
        if looks_like_json(text) {
            let from = kept.len();
            member_name_spans(text, &mut kept);
            unkeep_whole_secrets(&sealed.secrets, text, &mut kept, from);
        }
        let out = replace_outside(text, found.into_iter(), &mut kept);
        *text = out;
    }

    /// The automaton and the spans of the secret forms in `text`, or
    /// `None` when there is nothing left to replace: no anchor, no form, or
    /// no automaton (the plain search has then replaced every form).
    fn found_in(&self, text: &mut String) -> Option<(&Sealed, Vec<(usize, usize)>)> {
        if !self.may_hold(text) {
            return None;
        }
        match self.built() {
            Built::Automaton(sealed) => {
                let found: Vec<(usize, usize)> =
                    sealed.secrets.find_iter(text.as_str()).map(|m| (m.start(), m.end())).collect();
                (!found.is_empty()).then_some((sealed, found))
            }
            blind => {
                scrub_plainly(blind.forms(), text);
                None
            }
        }
    }

    /// A body kept only in part may end inside a secret, where no form of
    /// it matches: its last bytes, fewer than the longest form, go.
    fn trim_cut(&self, body: &mut String) {
        let longest = self.built().forms().first().map_or(0, String::len);
        let mut end = body.len().saturating_sub(longest.saturating_sub(1));
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        body.truncate(end);
    }

    /// Scrubs the values of a JSON path's filter selectors; its member
    /// names stay whatever they hold.
    fn scrub_path(&self, path: &mut String) {
        let Some((sealed, found)) = self.found_in(path) else { return };
        let mut kept = Vec::new();
        path_name_spans(path, &mut kept);
        unkeep_whole_secrets(&sealed.secrets, path, &mut kept, 0);
        let out = replace_outside(path, found.into_iter(), &mut kept);
        *path = out;
    }

    fn scrub_json(&self, v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, v) in m.iter_mut() {
                    if self.sensitive_members.contains(k) && !v.is_null() {
                        *v = Value::String(REDACTED.into());
                    } else {
                        self.scrub_json(v);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|v| self.scrub_json(v)),
            Value::String(s) => self.scrub(s),
            _ => {}
        }
    }
}

/// `text` with each of the (ordered, non-overlapping) spans in `found`
/// replaced by the marker, except those inside a span of `kept`.
fn replace_outside(text: &str, found: impl Iterator<Item = (usize, usize)>, kept: &mut [(usize, usize)]) -> String {
    // Overlapping kept spans are merged, so one pointer walks them.
    kept.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(kept.len());
    for &(s, e) in kept.iter() {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut k = 0;
    for (start, end) in found {
        while merged.get(k).is_some_and(|&(_, e)| e < end) {
            k += 1;
        }
        if merged.get(k).is_some_and(|&(s, _)| s <= start) {
            continue;
        }
        out.push_str(text.get(last..start).unwrap_or_default());
        out.push_str(REDACTED);
        last = end;
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

/// Whether a text is a JSON document (an object or array), so that its
/// member names can be told from its values.
fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['))
}

/// Without an automaton, every form is searched for plainly, longest
/// first; structure is not told apart there.
fn scrub_plainly(forms: &[String], text: &mut String) {
    for form in forms {
        if text.contains(form.as_str()) {
            *text = text.replace(form.as_str(), REDACTED);
        }
    }
}

/// The longest run of ASCII letters and digits in a secret: every encoding
/// the redactor knows (percent, form, JSON) leaves those characters as they
/// are, so every form of the secret holds it. Empty when the secret has
/// none, and then every text may hold it.
fn anchor(secret: &str) -> &str {
    secret
        .split(|c: char| !c.is_ascii_alphanumeric())
        .fold("", |best, run| if run.len() > best.len() { run } else { best })
}

/// A name that is a secret form and nothing else, and not a short one, is
/// a value an endpoint echoed as a key (a map keyed by a token), not
/// structure: of the spans from `from` on, those whose name (quotes aside)
/// is wholly one such form are not kept. A name that only holds one
/// (`latestVersion` for the secret `test`) stays.
fn unkeep_whole_secrets(secrets: &AhoCorasick, text: &str, kept: &mut Vec<(usize, usize)>, from: usize) {
    let mut i = from;
    while let Some(&(s, e)) = kept.get(i) {
        let name = text.get(s..e).unwrap_or("").trim_matches(|c| c == '"' || c == '\'');
        // A short secret (`test`, an emulator's dummy key) may well be a
        // member's name too: that stays structure, as the run warns.
        let whole = name.len() >= SHORT_SECRET_LEN
            && secrets.find(name).is_some_and(|m| m.start() == 0 && m.end() == name.len());
        if whole {
            kept.swap_remove(i);
        } else {
            i += 1;
        }
    }
}

/// The index of the quote that closes the string opened by the quote at
/// `open` (a backslash escapes the next byte), or the text's length when
/// none does.
fn closing_quote(bytes: &[u8], open: usize) -> usize {
    let quote = bytes.get(open).copied();
    let mut i = open + 1;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'\\' => i += 2,
            _ if Some(c) == quote => return i,
            _ => i += 1,
        }
    }
    bytes.len().min(i)
}

/// Adds the byte spans of the member names of a JSON text (a string
/// followed by `:`), quotes included. One pass; no allocation per member.
fn member_name_spans(text: &str, into: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        i = closing_quote(bytes, i);
        let end = (i + 1).min(bytes.len());
        i = end;
        let mut j = end;
        while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if bytes.get(j) == Some(&b':') {
            into.push((start, end));
        }
    }
}

/// Calls `f` with each member name of a JSON path (`$.a['b c'][0][?@.d=='x']`
/// names `a`, `b c` and `d`).
fn path_names(path: &str, mut f: impl FnMut(&str)) {
    let mut spans = Vec::new();
    path_name_spans(path, &mut spans);
    for (s, e) in spans {
        if let Some(name) = path.get(s..e) {
            f(name.trim_matches('\''));
        }
    }
}

/// Adds the byte spans of the member names of a JSON path (`.name`,
/// `['name']`, and `@.name` inside a filter selector); indices and the
/// values a filter compares with are not names.
fn path_name_spans(path: &str, into: &mut Vec<(usize, usize)>) {
    let bytes = path.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'.' => {
                let start = i + 1;
                i = start;
                while bytes.get(i).is_some_and(|&c| ident(c)) {
                    i += 1;
                }
                if i > start {
                    into.push((start, i));
                }
            }
            b'\'' => {
                // A quoted name (`['a b']`) or a quoted filter value; the
                // character before the quote tells.
                let start = i;
                i = closing_quote(bytes, i);
                i = (i + 1).min(bytes.len());
                if start > 0 && bytes.get(start - 1) == Some(&b'[') {
                    into.push((start, i));
                }
            }
            b'"' => {
                // A filter value written in double quotes: skipped whole.
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
}

/// Adds to `into` the values of the members named in `members`, wherever
/// they are in `v` (strings as they are, other values as JSON text).
pub(crate) fn sensitive_values(v: &Value, members: &[String], into: &mut Vec<String>) {
    if members.is_empty() {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if members.iter().any(|n| n == k) {
                    match v {
                        Value::String(s) => into.push(s.clone()),
                        Value::Null => {}
                        other => into.push(other.to_string()),
                    }
                }
                sensitive_values(v, members, into);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| sensitive_values(v, members, into)),
        _ => {}
    }
}

/// A secret as it may appear in a request or in output: raw; percent-encoded
/// as one path segment or query component (upper- and lowercase hex); as the
/// URL parser encodes a path; form-encoded (a query string, `+` for space);
/// and JSON-escaped (inside a JSON string).
pub fn encodings(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_owned()];
    let all = super::scope::encode_component(secret);
    out.push(lower_hex(&all));
    out.push(all);
    let path_set =
        |b: u8| matches!(b, b' ' | b'"' | b'#' | b'<' | b'>' | b'?' | b'`' | b'{' | b'}') || !b.is_ascii_graphic();
    out.push(percent(secret, path_set));
    let form_set = |b: u8| !(b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_' | b' '));
    out.push(percent(secret, form_set).replace(' ', "+"));
    // JSON-escaped once (a string in a body), and twice (a body a target
    // echoes inside a JSON string of its own).
    let mut escaped = secret.to_owned();
    for _ in 0..2 {
        match serde_json::to_string(&escaped) {
            Ok(json) => escaped = json[1..json.len() - 1].to_owned(),
            Err(_) => break,
        }
        out.push(escaped.clone());
    }
    out.sort();
    out.dedup();
    out
}

/// Percent-encodes the bytes `encode` selects, with uppercase hex.
fn percent(text: &str, encode: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if encode(b) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

/// `%2F` as `%2f`: the hex digits of escapes in lowercase.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut escape = 0;
    for c in encoded.chars() {
        if c == '%' {
            escape = 2;
            out.push(c);
        } else if escape > 0 {
            escape -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Replaces the values of signature and credential parameters in a URL.
pub fn redact_query(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else { return url.to_owned() };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if SECRET_QUERY.contains(&k.to_ascii_lowercase().as_str()) => format!("{k}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_url_parameters_are_redacted() {
        let url = "https://h/p?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKID%2F2019&X-Amz-Signature=abcd&a=1";
        assert_eq!(
            redact_query(url),
            "https://h/p?X-Amz-Algorithm=AWS4&X-Amz-Credential=<redacted>&X-Amz-Signature=<redacted>&a=1"
        );
        assert_eq!(redact_query("https://h/p"), "https://h/p");
    }

    #[test]
    fn secrets_are_scrubbed_in_every_encoding() {
        let secret = r#"s3cr/et+tok=en &"\x"#;
        let mut r = Redactor::new([secret.to_owned()], []);
        r.seal();
        for form in [
            secret.to_owned(),
            "s3cr%2Fet%2Btok%3Den%20%26%22%5Cx".to_owned(),
            "s3cr%2fet%2btok%3den%20%26%22%5cx".to_owned(),
            "s3cr%2Fet%2Btok%3Den+%26%22%5Cx".to_owned(),
            r#"s3cr/et+tok=en &\"\\x"#.to_owned(),
        ] {
            let mut text = format!("before {form} after");
            r.scrub(&mut text);
            assert_eq!(text, "before <redacted> after", "{form}");
        }
    }

    #[test]
    fn a_secret_without_letters_or_digits_is_still_scrubbed() {
        let mut result = CaseResult {
            id: "x".into(),
            name: "x".into(),
            file: Default::default(),
            tags: Vec::new(),
            covers: Vec::new(),
            outcome: super::super::result::Outcome::Errored,
            reason: Some("got &&&& back, and %26%26%26%26".into()),
            steps: Vec::new(),
            warnings: vec!["no secret here".into()],
            fixed: Vec::new(),
            duration: Default::default(),
        };
        Redactor::new(["&&&&".to_owned()], []).apply(&mut result);
        assert_eq!(result.reason.as_deref(), Some("got <redacted> back, and <redacted>"));
        assert_eq!(result.warnings, ["no secret here"]);
    }

    #[test]
    fn sensitive_members_and_secrets_are_scrubbed_everywhere() {
        let mut r = Redactor::new(["s3cr3t".to_owned(), "ab".to_owned()], ["RoomArn".to_owned()]);
        r.collect(&serde_json::json!({"Meta": {"RoomArn": "arn:room:42"}}));
        r.seal();
        let mut text = "arn:room:42 and s3cr3t but ab stays".to_owned();
        r.scrub(&mut text);
        assert_eq!(text, "<redacted> and <redacted> but ab stays");
        let mut v = serde_json::json!({"RoomArn": "x", "n": "s3cr3t"});
        r.scrub_json(&mut v);
        assert_eq!(v, serde_json::json!({"RoomArn": "<redacted>", "n": "<redacted>"}));
    }
}

#[cfg(test)]
mod probe {
    use super::*;
    use crate::runner::result::{Outcome, Phase, ReceivedResponse, StepResult};

    pub(crate) fn result_with(body: String, mismatches: Vec<crate::matcher::Mismatch>) -> CaseResult {
        CaseResult {
            id: "x".into(),
            name: "x".into(),
            file: Default::default(),
            tags: Vec::new(),
            covers: Vec::new(),
            outcome: Outcome::Failed,
            reason: None,
            steps: vec![StepResult {
                phase: Phase::Step,
                name: "s".into(),
                request: None,
                response: Some(ReceivedResponse { status: 200, headers: Vec::new(), body, cut: None, output: None }),
                mismatches,
                error: None,
                known: Vec::new(),
                warnings: Vec::new(),
                body_diff: None,
                omitted: Default::default(),
                used_entries: Vec::new(),
                duration: Default::default(),
            }],
            warnings: Vec::new(),
            fixed: Vec::new(),
            duration: Default::default(),
        }
    }

    /// 100,000 sensitive values in one body, each scrubbed from it (4 s in
    /// a debug build; minutes before the automaton).
    #[test]
    #[ignore = "slow probe; run with --ignored"]
    fn many_sensitive_values_are_scrubbed_in_one_pass() {
        let n = 100_000;
        let values: Vec<String> = (0..n).map(|i| format!("tok-{i:06}-{}", i * 7919 % 100_003)).collect();
        let items: Vec<Value> = values.iter().map(|v| serde_json::json!({"Token": v})).collect();
        let body = serde_json::json!({ "Items": items }).to_string();
        let mut r = result_with(body, Vec::new());
        let started = std::time::Instant::now();
        Redactor::new(values.clone(), ["Token".to_owned()]).apply(&mut r);
        eprintln!("redacted {n} values in {:?}", started.elapsed());
        let body = &r.steps[0].response.as_ref().unwrap().body;
        assert_eq!(body.matches(REDACTED).count(), n);
        assert!(!body.contains("tok-"), "a value is left");
    }
}

#[cfg(test)]
mod structure {
    use super::probe::result_with;
    use super::*;
    use crate::matcher::Mismatch;
    use crate::runner::result::BodyCut;

    /// `AWS_SECRET_ACCESS_KEY=test`: paths, member names and header names
    /// keep the secret inside them; values equal to it or holding it do not.
    #[test]
    fn a_short_secret_leaves_names_and_paths_alone_and_scrubs_values() {
        let body = r#"{"latestVersion": "test", "note": "a test value", "attestVersion2": 1}"#.to_owned();
        let m = Mismatch::new(MismatchKind::Shape, "$.latestVersion", "a number", "\"my-test\"", "wrong type");
        let mut r = result_with(body, vec![m]);
        r.reason = Some("step s: shape at $.latestVersion: wrong type; expected a number, got \"test\"".into());
        if let Some(p) = r.steps[0].response.as_mut() {
            p.headers.push(("x-test-id".into(), "test".into()));
        }
        Redactor::new(["test".to_owned()], []).apply(&mut r);
        let s = &r.steps[0];
        let m = &s.mismatches[0];
        assert_eq!(m.path, "$.latestVersion");
        assert_eq!(m.actual, "\"my-<redacted>\"");
        let body = &s.response.as_ref().unwrap().body;
        assert_eq!(body, r#"{"latestVersion": "<redacted>", "note": "a <redacted> value", "attestVersion2": 1}"#);
        assert_eq!(s.response.as_ref().unwrap().headers, [("x-test-id".to_owned(), REDACTED.to_owned())]);
        assert_eq!(
            r.reason.as_deref(),
            Some("step s: shape at $.latestVersion: wrong type; expected a number, got \"<redacted>\"")
        );
    }

    /// A secret an endpoint echoes as a key (a map keyed by a token) is a
    /// value, not structure: scrubbed in bodies and paths; names that only
    /// hold it stay.
    #[test]
    fn a_member_name_that_is_a_secret_is_scrubbed() {
        let body = r#"{"Sessions": {"abc123xyz": {}, "abc123xyz-owner": 1}}"#.to_owned();
        let m = Mismatch::new(MismatchKind::Shape, "$.Sessions.abc123xyz", "absent", "{}", "not documented");
        let mut r = result_with(body, vec![m]);
        Redactor::new(["abc123xyz".to_owned()], []).apply(&mut r);
        let s = &r.steps[0];
        assert_eq!(s.mismatches[0].path, "$.Sessions.<redacted>");
        let body = &s.response.as_ref().unwrap().body;
        assert_eq!(body, r#"{"Sessions": {"<redacted>": {}, "abc123xyz-owner": 1}}"#);
    }

    /// Without its automaton (a pattern set beyond its limits), the
    /// redactor searches plainly: it never fails open.
    #[test]
    fn without_an_automaton_secrets_are_still_scrubbed() {
        let mut r = Redactor::new(["s3cr3t-value".to_owned(), "s3cr3t".to_owned()], []);
        r.seal();
        assert!(r.built.set(Built::Blind(vec!["s3cr3t-value".to_owned(), "s3cr3t".to_owned()])).is_ok());
        let mut text = "a s3cr3t-value and a s3cr3t".to_owned();
        r.scrub(&mut text);
        assert_eq!(text, "a <redacted> and a <redacted>");
        let mut path = "$.a[?@.b==\"s3cr3t-value\"]".to_owned();
        r.scrub_path(&mut path);
        assert_eq!(path, "$.a[?@.b==\"<redacted>\"]");
    }

    /// Every form of a secret holds its anchor, so a text without one
    /// needs no search; a secret with no letter or digit has an empty
    /// anchor, which every text holds.
    #[test]
    fn every_form_of_a_secret_holds_its_anchor() {
        for secret in ["wJalrXUtnFEMI/K7MDENG+bPxRfiCY", "a b&c=d\\\"e'f", "tok-ün-12345", "!!!!"] {
            let a = anchor(secret);
            for form in encodings(secret) {
                assert!(form.contains(a), "{form:?} lacks {a:?}");
            }
        }
        assert_eq!(anchor("wJalrXUtnFEMI/K7MDENG+bPxRfiCY"), "wJalrXUtnFEMI");
        assert_eq!(anchor("!!!!"), "");
        let mut r = Redactor::new(["s3cr3t-value".to_owned()], []);
        r.seal();
        let mut quiet = "nothing to see".to_owned();
        r.scrub(&mut quiet);
        assert!(r.built.get().is_none(), "a text without an anchor built the automaton");
        let mut loud = "a s3cr3t-value".to_owned();
        r.scrub(&mut loud);
        assert_eq!(loud, "a <redacted>");
    }

    /// A body kept in part may end inside a secret: that tail goes.
    #[test]
    fn a_cut_body_does_not_end_in_part_of_a_secret() {
        let mut r = result_with("{\"a\": \"s3cr3t-v".to_owned(), Vec::new());
        if let Some(p) = r.steps[0].response.as_mut() {
            p.cut = Some(BodyCut::new(400, "00".into()));
        }
        Redactor::new(["s3cr3t-value".to_owned()], []).apply(&mut r);
        let body = &r.steps[0].response.as_ref().unwrap().body;
        assert!(!body.contains("s3cr3t"), "{body}");
        assert!(body.starts_with("{\"a\""), "{body}");
    }

    #[test]
    fn filter_values_in_a_path_are_scrubbed_and_its_names_kept() {
        let m = Mismatch::new(MismatchKind::Body, "$.tests[?@.testId==\"s3cr3t\"].test", "x", "y", "missing item");
        let mut r = result_with(String::new(), vec![m]);
        Redactor::new(["s3cr3t".to_owned(), "test".to_owned()], []).apply(&mut r);
        assert_eq!(r.steps[0].mismatches[0].path, "$.tests[?@.testId==\"<redacted>\"].test");
    }

    #[test]
    fn spans_of_member_names_and_path_names() {
        let mut spans = Vec::new();
        member_name_spans(r#"{"a\"b": "c", "d" :[1, "e"]}"#, &mut spans);
        assert_eq!(spans, [(1, 7), (14, 17)]);
        let mut names = Vec::new();
        path_names("$.a['b c'][0][?@.d=='x'].e-f", |n| names.push(n.to_owned()));
        assert_eq!(names, ["a", "b c", "d", "e-f"]);
    }
}
