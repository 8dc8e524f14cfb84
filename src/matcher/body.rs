//! A response body as every check sees it: the bytes as received and, when
//! they are JSON, the value parsed from them, parsed once.

use serde_json::Value;

/// A response body, parsed once: the step's expectations, the contract's
/// shape check, captures and redaction all read the same value.
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    bytes: &'a [u8],
    json: Option<&'a Value>,
}

impl<'a> Body<'a> {
    /// Parses `bytes` as JSON unless they are blank. The parsed value lives
    /// in `slot`, which the caller keeps for as long as the body is read.
    pub fn parse(bytes: &'a [u8], slot: &'a mut Option<Value>) -> Body<'a> {
        *slot = if is_blank(bytes) { None } else { serde_json::from_slice(bytes).ok() };
        Body { bytes, json: slot.as_ref() }
    }

    /// The bytes as received.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The JSON value, when the body is JSON.
    pub fn json(&self) -> Option<&'a Value> {
        self.json
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
        let mut slot = None;
        let b = Body::parse(b" \n", &mut slot);
        assert!(b.is_blank() && b.json().is_none());
        let mut slot = None;
        let b = Body::parse(br#"{"a":1}"#, &mut slot);
        assert_eq!(b.json(), Some(&serde_json::json!({"a": 1})));
        let mut slot = None;
        let b = Body::parse(b"not json", &mut slot);
        assert!(!b.is_blank() && b.json().is_none());
        assert_eq!(b.excerpt(3), "not");
    }
}
