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

use std::collections::BTreeSet;

use serde_json::Value;

use super::result::{CaseResult, REDACTED, StepError};

/// Headers whose values never appear in output.
pub const SECRET_HEADERS: &[&str] =
    &["authorization", "x-amz-security-token", "proxy-authorization", "cookie", "set-cookie"];

/// Query parameters of presigned URLs that carry secrets.
const SECRET_QUERY: &[&str] = &["x-amz-signature", "x-amz-credential", "x-amz-security-token"];

/// Values shorter than this are not scrubbed from free text: they would
/// match everywhere. Structured places (headers, members) are redacted whatever their length.
const MIN_SCRUB_LEN: usize = 3;

/// What to redact in one case's result.
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    secrets: BTreeSet<String>,
    sensitive_members: Vec<String>,
    /// Each secret's longest run of ASCII letters and digits, which every
    /// encoding of it keeps: a text holding none of them holds no secret.
    /// Fixed by `seal` once collection is over.
    anchors: Vec<String>,
    /// Every encoding of every secret, longest first, so that a secret
    /// containing another is replaced whole; built the first time a text
    /// holds an anchor.
    forms: Option<Vec<String>>,
}

impl Redactor {
    /// Redacts `secrets` (exact strings) and the values of JSON members named
    /// in `sensitive_members`.
    pub fn new(secrets: impl IntoIterator<Item = String>, sensitive_members: impl IntoIterator<Item = String>) -> Self {
        Redactor {
            secrets: secrets.into_iter().filter(|s| s.len() >= MIN_SCRUB_LEN).collect(),
            sensitive_members: sensitive_members.into_iter().collect(),
            anchors: Vec::new(),
            forms: None,
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
        self.seal();
        for s in &mut r.steps {
            if let Some(q) = &mut s.request {
                q.url = redact_query(&q.url);
                self.scrub(&mut q.url);
                q.headers.iter_mut().for_each(|(_, v)| self.scrub(v));
                self.scrub(&mut q.body);
            }
            if let Some(p) = &mut s.response {
                p.headers.iter_mut().for_each(|(_, v)| self.scrub(v));
                self.scrub(&mut p.body);
            }
            for m in &mut s.mismatches {
                self.scrub(&mut m.expected);
                self.scrub(&mut m.actual);
                self.scrub(&mut m.message);
                self.scrub(&mut m.path);
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

    /// Ends collection: the secrets are known, their anchors fixed.
    fn seal(&mut self) {
        self.anchors = self.secrets.iter().map(|s| anchor(s).to_owned()).collect();
        self.forms = None;
    }

    fn scrub(&mut self, text: &mut String) {
        // An empty anchor (a secret without letters or digits) is in every text.
        if !self.anchors.iter().any(|a| text.contains(a.as_str())) {
            return;
        }
        let forms = self.forms.get_or_insert_with(|| {
            let all: BTreeSet<String> = self.secrets.iter().flat_map(|s| encodings(s)).collect();
            let mut forms: Vec<String> = all.into_iter().filter(|s| s.len() >= MIN_SCRUB_LEN).collect();
            forms.sort_by_key(|s| std::cmp::Reverse(s.len()));
            forms
        });
        for s in forms.iter() {
            if text.contains(s.as_str()) {
                *text = text.replace(s.as_str(), REDACTED);
            }
        }
    }

    fn scrub_json(&mut self, v: &mut Value) {
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

/// The longest run of ASCII letters and digits in a secret: no encoding
/// changes it, so every form of the secret contains it.
fn anchor(secret: &str) -> &str {
    secret.split(|c: char| !c.is_ascii_alphanumeric()).max_by_key(|run| run.len()).unwrap_or("")
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
    fn every_encoding_of_a_secret_holds_its_anchor() {
        for secret in
            [r#"s3cr/et+tok=en &"\x"#, "AWS4-HMAC-SHA256 Credential=AKID/2026, Signature=ab12", "&&&", "ünï-cödé42"]
        {
            let a = anchor(secret);
            for form in encodings(secret) {
                assert!(form.contains(a), "{form:?} lacks {a:?}");
            }
        }
        assert_eq!(anchor("a/bcd+ef"), "bcd");
        assert_eq!(anchor("&&&"), "");
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
