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

    /// [`Body::parse`], unless the text holds more than `max_values` JSON
    /// values: then `Err(max_values)`, decided by one pass over the bytes
    /// before anything is parsed. A parsed value takes tens of bytes a
    /// value, so an 8 MiB `[0,0,...]` of four million numbers would take
    /// hundreds of MiB to hold; the limit bounds that.
    pub fn parse_within(bytes: &'a [u8], max_values: usize) -> Result<Body<'a>, usize> {
        if more_values_than(bytes, max_values) { Err(max_values) } else { Ok(Body::parse(bytes)) }
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

/// Whether the JSON text holds more than `max` values. Counts the values a
/// text can hold at most: one, plus one for every `,`, `[` and `{` outside
/// strings (an empty container counts one more than it holds). Linear, and
/// stops as soon as the count passes `max`; text that is not JSON is
/// counted the same way and then fails to parse.
fn more_values_than(bytes: &[u8], max: usize) -> bool {
    // Only an array or an object holds more than one value (and text that
    // starts otherwise is no JSON container): most non-JSON bodies end here.
    if !matches!(bytes.iter().find(|b| !b.is_ascii_whitespace()), Some(b'[' | b'{')) {
        return max == 0;
    }
    let (mut count, mut in_string, mut escaped) = (1usize, false, false);
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b',' | b'[' | b'{' => {
                count += 1;
                if count > max {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
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

    #[test]
    fn a_body_over_the_value_limit_is_not_parsed_issue_24() {
        // [0,0,0] holds four values (three numbers and the array).
        assert!(Body::parse_within(b"[0,0,0]", 4).is_ok());
        assert_eq!(Body::parse_within(b"[0,0,0]", 3).err(), Some(3));
        // Commas and brackets inside strings, escaped quotes included, are text.
        let text = br#"{"a":"x,[{\",y","b":[1]}"#;
        assert!(Body::parse_within(text, 4).is_ok_and(|b| b.json().is_some()));
        assert!(Body::parse_within(text, 3).is_err());
        // Text that is no array or object holds one value at most.
        assert!(Body::parse_within(b"  a,b,c,[,{", 1).is_ok());
        assert!(Body::parse_within(b"\"x,y\"", 1).is_ok());
        // Four million values in 8 MB are refused before parsing.
        let mut zeros = b"[0".to_vec();
        zeros.extend(std::iter::repeat_n(&b",0"[..], 4_000_000).flatten());
        zeros.push(b']');
        assert_eq!(Body::parse_within(&zeros, 1_000_000).err(), Some(1_000_000));
    }
}
