//! A response body as every check sees it: the bytes as received and, when
//! they are JSON, the value parsed from them, parsed once.

use serde_json::Value;

/// A response body, parsed once: the step's expectations, the contract's
/// shape check, captures and redaction all read the same value.
#[derive(Debug, Clone)]
pub struct Body<'a> {
    bytes: &'a [u8],
    json: Option<Value>,
}

impl<'a> Body<'a> {
    /// Parses `bytes` as JSON unless they are blank.
    pub fn parse(bytes: &'a [u8]) -> Body<'a> {
        Body { bytes, json: if is_blank(bytes) { None } else { serde_json::from_slice(bytes).ok() } }
    }

    /// The bytes as received.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The JSON value, when the body is JSON.
    pub fn json(&self) -> Option<&Value> {
        self.json.as_ref()
    }

    /// Whether the body is empty or only whitespace.
    pub fn is_blank(&self) -> bool {
        is_blank(self.bytes)
    }

    /// The first `chars` characters of the body as text, for messages.
    pub fn excerpt(&self, chars: usize) -> String {
        String::from_utf8_lossy(self.bytes).chars().take(chars).collect()
    }
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_bodies_are_not_parsed_and_json_is_parsed_once() {
        let b = Body::parse(b" \n");
        assert!(b.is_blank() && b.json().is_none());
        let b = Body::parse(br#"{"a":1}"#);
        assert_eq!(b.json(), Some(&serde_json::json!({"a": 1})));
        let b = Body::parse(b"not json");
        assert!(!b.is_blank() && b.json().is_none());
        assert_eq!(b.excerpt(3), "not");
    }
}
