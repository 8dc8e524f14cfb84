//! Pure expected-vs-actual checks. Each function takes an expectation and
//! what came back and returns [`Mismatch`] values; nothing here does I/O.
//!
//! - [`json`]: body matchers ([`Matcher`]) with JSON paths and a diff view;
//! - [`status`], [`header`], [`aws_error`]: the other parts of a response.

pub mod json;
mod mismatch;

use http::HeaderMap;
use regex::Regex;
use serde_json::Value;

pub use json::{BodyMatch, JsonType, Matcher, match_json};
pub use mismatch::{Mismatch, MismatchKind, join_key};

/// Checks the status against the allowed set.
pub fn status(allowed: &[u16], actual: u16) -> Option<Mismatch> {
    if allowed.contains(&actual) {
        return None;
    }
    let expected = allowed.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ");
    Some(Mismatch::new(MismatchKind::Status, "", expected, actual.to_string(), "unexpected status"))
}

/// An expectation on one response header (names are case-insensitive).
#[derive(Debug, Clone)]
pub enum HeaderMatcher {
    /// Exactly this value.
    Exact(String),
    /// A value matching this regex.
    Regex(Regex),
    /// Present, any value.
    Present,
    /// Not present.
    Absent,
}

/// Checks one header. When a header is repeated, any of its values may match.
pub fn header(name: &str, m: &HeaderMatcher, headers: &HeaderMap) -> Option<Mismatch> {
    let values: Vec<String> =
        headers.get_all(name).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect();
    let actual = if values.is_empty() { "(absent)".to_owned() } else { values.join(", ") };
    let (ok, expected) = match m {
        HeaderMatcher::Exact(s) => (values.iter().any(|v| v == s), s.clone()),
        HeaderMatcher::Regex(r) => (values.iter().any(|v| r.is_match(v)), format!("/{}/", r.as_str())),
        HeaderMatcher::Present => (!values.is_empty(), "(present)".to_owned()),
        HeaderMatcher::Absent => (values.is_empty(), "(absent)".to_owned()),
    };
    (!ok).then(|| Mismatch::new(MismatchKind::Header, name, expected, actual, "header differs"))
}

/// The error type of a rest-json response, read the way the AWS SDKs read
/// it: the `x-amzn-ErrorType` header up to any `:`; else the body's
/// `__type`, else `code` (any case), with any namespace (`ns#Name`) removed.
pub fn aws_error_type(headers: &HeaderMap, body: Option<&Value>) -> Option<String> {
    let strip = |s: &str| -> String {
        let s = s.split(':').next().unwrap_or(s);
        s.rsplit('#').next().unwrap_or(s).trim().to_owned()
    };
    if let Some(h) = headers.get("x-amzn-errortype").and_then(|v| v.to_str().ok()) {
        return Some(strip(h));
    }
    let obj = body?.as_object()?;
    let from_body =
        obj.get("__type").or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case("code")).map(|(_, v)| v))?;
    from_body.as_str().map(strip)
}

/// Checks the AWS error type against the allowed ones.
pub fn aws_error(allowed: &[String], headers: &HeaderMap, body: Option<&Value>) -> Option<Mismatch> {
    let actual = aws_error_type(headers, body);
    (!actual.as_ref().is_some_and(|a| allowed.contains(a))).then(|| {
        Mismatch::new(
            MismatchKind::Error,
            "",
            allowed.join(" or "),
            actual.unwrap_or_else(|| "(no error type)".into()),
            "error type differs (x-amzn-ErrorType, else __type/code)",
        )
    })
}

/// An expectation on a body as text.
#[derive(Debug, Clone)]
pub enum TextMatcher {
    /// Exactly this text.
    Exact(String),
    /// Text matching this regex.
    Regex(Regex),
}

/// Checks a body as text.
pub fn text(m: &TextMatcher, actual: &str) -> Option<Mismatch> {
    let (ok, expected) = match m {
        TextMatcher::Exact(s) => (s == actual, s.clone()),
        TextMatcher::Regex(r) => (r.is_match(actual), format!("/{}/", r.as_str())),
    };
    (!ok).then(|| Mismatch::new(MismatchKind::Body, "", expected, actual, "body text differs"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn status_accepts_any_allowed_code() {
        assert!(status(&[200, 201], 201).is_none());
        let m = status(&[200, 201], 500).unwrap();
        assert_eq!((m.expected.as_str(), m.actual.as_str()), ("200 or 201", "500"));
    }

    #[test]
    fn headers_are_case_insensitive_and_support_every_form() {
        let h = headers(&[("Content-Type", "application/json"), ("X-A", "1"), ("x-a", "2")]);
        assert!(header("content-type", &HeaderMatcher::Exact("application/json".into()), &h).is_none());
        assert!(header("CONTENT-TYPE", &HeaderMatcher::Regex(Regex::new("^application/").unwrap()), &h).is_none());
        assert!(header("x-a", &HeaderMatcher::Exact("2".into()), &h).is_none());
        assert!(header("x-b", &HeaderMatcher::Absent, &h).is_none());
        assert!(header("x-b", &HeaderMatcher::Present, &h).is_some());
        let m = header("x-a", &HeaderMatcher::Absent, &h).unwrap();
        assert_eq!(m.actual, "1, 2");
        assert!(header("content-type", &HeaderMatcher::Exact("text/plain".into()), &h).is_some());
    }

    #[test]
    fn error_type_is_read_like_the_sdks() {
        let table: Vec<(HeaderMap, Option<Value>, Option<&str>)> = vec![
            (headers(&[("x-amzn-ErrorType", "BadRequestException")]), None, Some("BadRequestException")),
            (
                headers(&[("x-amzn-errortype", "BadRequestException:http://internal.amazon.com/")]),
                Some(json!({"__type": "Other"})),
                Some("BadRequestException"),
            ),
            (HeaderMap::new(), Some(json!({"__type": "com.amazon#NotFoundException"})), Some("NotFoundException")),
            (HeaderMap::new(), Some(json!({"code": "ForbiddenException"})), Some("ForbiddenException")),
            (HeaderMap::new(), Some(json!({"Code": "BadRequest", "Message": "m"})), Some("BadRequest")),
            (HeaderMap::new(), Some(json!({"Message": "m"})), None),
            (HeaderMap::new(), None, None),
        ];
        for (h, body, want) in table {
            assert_eq!(aws_error_type(&h, body.as_ref()).as_deref(), want, "{h:?} {body:?}");
        }
    }

    #[test]
    fn aws_error_reports_the_type_found() {
        let h = headers(&[("x-amzn-ErrorType", "NotFoundException")]);
        let one = |s: &str| vec![s.to_owned()];
        assert!(aws_error(&one("NotFoundException"), &h, None).is_none());
        assert!(aws_error(&["A".into(), "NotFoundException".into()], &h, None).is_none());
        let m = aws_error(&one("BadRequestException"), &h, None).unwrap();
        assert_eq!(m.actual, "NotFoundException");
        assert_eq!(aws_error(&one("X"), &HeaderMap::new(), None).unwrap().actual, "(no error type)");
    }

    #[test]
    fn text_matches_exactly_or_by_regex() {
        assert!(text(&TextMatcher::Exact("ok".into()), "ok").is_none());
        assert!(text(&TextMatcher::Exact("ok".into()), "ok\n").is_some());
        assert!(text(&TextMatcher::Regex(Regex::new("^o").unwrap()), "ok").is_none());
    }
}
