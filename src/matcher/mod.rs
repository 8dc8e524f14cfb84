//! Pure expected-vs-actual checks. Each function takes an expectation and
//! what came back and returns [`Mismatch`] values; nothing here does I/O.
//!
//! - [`match_json`]: body matchers ([`Matcher`]) with JSON paths and a diff view;
//! - [`status`], [`header`], [`aws_error`]: the other parts of a response.

mod body;
mod duplicates;
mod json;
mod mismatch;
mod number;
mod path;

use http::HeaderMap;
use regex::Regex;
use serde_json::Value;

pub use body::Body;
pub use duplicates::duplicate_members;
pub use json::{
    BodyMatch, Comparison, JsonType, MAX_DIVERGENCES, Matcher, PAIRING_BUDGET, match_json, match_json_within,
    values_equal,
};
pub(crate) use json::{key_of, show, value_hash};
pub use mismatch::{Mismatch, MismatchKind, join_key};
pub(crate) use number::compare_numbers;
pub use number::is_integer_literal as is_integer;
pub use path::{MAX_SEGMENT_CHARS, short_key};

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
#[non_exhaustive]
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

/// The error type of a rest-json response, resolved as botocore's rest-json
/// parser and smithy-rs do: the `x-amzn-ErrorType` header; else the body's
/// `code` (or `Code`); else its `__type`. The name is cut at the first `:`
/// (`Name:http://...`) and any namespace before the last `#` is dropped
/// (`aws.ns#Name`; smithy-rs drops up to the first `#`, which differs only
/// for names with two, and botocore is followed).
pub fn aws_error_type(headers: &HeaderMap, body: Option<&Value>) -> Option<String> {
    let strip = |s: &str| -> String {
        let s = s.split(':').next().unwrap_or(s);
        s.rsplit('#').next().unwrap_or(s).trim().to_owned()
    };
    if let Some(h) = headers.get("x-amzn-errortype").and_then(|v| v.to_str().ok()) {
        return Some(strip(h));
    }
    let obj = body?.as_object()?;
    let from_body = obj.get("code").or_else(|| obj.get("Code")).or_else(|| obj.get("__type"))?;
    from_body.as_str().map(strip)
}

/// Whether a `Content-Type` value names a JSON media type:
/// `application/json`, `application/*+json`, or
/// `application/x-amz-json-1.0`/`1.1`, with any parameters, in any case.
pub fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let Some(subtype) = essence.strip_prefix("application/") else { return false };
    matches!(subtype, "json" | "x-amz-json-1.0" | "x-amz-json-1.1")
        || (subtype.ends_with("+json") && subtype.len() > "+json".len() && !subtype.contains('/'))
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
            "error type differs (x-amzn-ErrorType, else code, else __type)",
        )
    })
}

/// An expectation on a body as text.
#[derive(Debug, Clone)]
#[non_exhaustive]
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
            // Issue #12, item 6: `code` wins over `__type`, as botocore and smithy-rs read it.
            (
                HeaderMap::new(),
                Some(json!({"__type": "NotFoundException", "code": "BadRequestException"})),
                Some("BadRequestException"),
            ),
            (HeaderMap::new(), Some(json!({"CODE": "X", "__type": "Y"})), Some("Y")),
            // Two `#`: botocore keeps what follows the last.
            (HeaderMap::new(), Some(json!({"code": "a#b#Name"})), Some("Name")),
        ];
        for (h, body, want) in table {
            assert_eq!(aws_error_type(&h, body.as_ref()).as_deref(), want, "{h:?} {body:?}");
        }
    }

    /// The error-discrimination vectors of Smithy's restJson1 protocol
    /// tests (aws.protocoltests.restjson, `FooError`), written as a table:
    /// each must resolve to `FooError`.
    #[test]
    fn error_type_passes_the_rest_json1_error_discrimination_vectors() {
        const URI: &str = "http://internal.amazon.com/coral/com.amazon.coral.validate/";
        let ns_uri = format!("aws.protocoltests.restjson#FooError:{URI}");
        let header = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert("x-amzn-errortype", v.parse().unwrap());
            h
        };
        let vectors: Vec<(&str, HeaderMap, Option<Value>)> = vec![
            ("RestJsonFooErrorUsingXAmznErrorType", header("FooError"), Some(json!({}))),
            ("RestJsonFooErrorUsingXAmznErrorTypeWithUri", header(&format!("FooError:{URI}")), Some(json!({}))),
            ("RestJsonFooErrorUsingXAmznErrorTypeWithUriAndNamespace", header(&ns_uri), Some(json!({}))),
            ("RestJsonFooErrorUsingCode", HeaderMap::new(), Some(json!({"code": "FooError"}))),
            (
                "RestJsonFooErrorUsingCodeAndNamespace",
                HeaderMap::new(),
                Some(json!({"code": "aws.protocoltests.restjson#FooError"})),
            ),
            ("RestJsonFooErrorUsingCodeUriAndNamespace", HeaderMap::new(), Some(json!({"code": ns_uri}))),
            ("RestJsonFooErrorWithDunderType", HeaderMap::new(), Some(json!({"__type": "FooError"}))),
            (
                "RestJsonFooErrorWithDunderTypeAndNamespace",
                HeaderMap::new(),
                Some(json!({"__type": "aws.protocoltests.restjson#FooError"})),
            ),
            ("RestJsonFooErrorWithDunderTypeUriAndNamespace", HeaderMap::new(), Some(json!({"__type": ns_uri}))),
        ];
        for (name, h, body) in vectors {
            assert_eq!(aws_error_type(&h, body.as_ref()).as_deref(), Some("FooError"), "{name}");
        }
    }

    #[test]
    fn json_media_types() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/problem+json",
            "application/x-amz-json-1.0",
            "application/x-amz-json-1.1; charset=UTF-8",
        ] {
            assert!(is_json_media_type(ok), "{ok}");
        }
        for bad in
            ["text/html", "", "text/json", "application/jsonx", "application/+json", "application/x-amz-json-1.2"]
        {
            assert!(!is_json_media_type(bad), "{bad}");
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
