//! Members that appear more than once in one JSON object.
//!
//! A parsed `serde_json::Value` keeps the last of duplicate members, so
//! `{"UserErrors":[{...}],"UserErrors":[]}` would read as an empty list. A
//! client may read the first, the last, or fail: a duplicate is a divergence
//! of its own, found here on the text, whatever the expectation says.

use std::collections::HashMap;

use super::mismatch::{Mismatch, MismatchKind, join_key};

enum Frame {
    Object {
        path: String,
        /// Each member name, with how often it appeared and where first.
        seen: HashMap<String, (usize, usize)>,
        key: Option<String>,
        expecting_key: bool,
    },
    Array {
        path: String,
        index: usize,
    },
}

impl Frame {
    /// The path of the value that starts now inside this frame.
    fn child_path(&self) -> String {
        match self {
            Frame::Object { path, key, .. } => join_key(path, key.as_deref().unwrap_or("")),
            Frame::Array { path, index } => format!("{path}[{index}]"),
        }
    }
}

/// Every duplicated member in `text`, which must be valid JSON (parse it
/// first); one divergence per duplicated name and object, in text order.
pub fn duplicate_members(text: &[u8]) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'{' | b'[' => {
                let path = stack.last().map_or_else(|| "$".to_owned(), Frame::child_path);
                stack.push(if text[i] == b'{' {
                    Frame::Object { path, seen: HashMap::new(), key: None, expecting_key: true }
                } else {
                    Frame::Array { path, index: 0 }
                });
            }
            b'}' | b']' => {
                if let Some(Frame::Object { path, seen, .. }) = stack.pop() {
                    let mut dups: Vec<(usize, usize, String)> =
                        seen.into_iter().filter(|(_, (n, _))| *n > 1).map(|(k, (n, at))| (at, n, k)).collect();
                    dups.sort_unstable();
                    out.extend(dups.into_iter().map(|(_, n, k)| {
                        Mismatch::new(
                            MismatchKind::Json,
                            join_key(&path, &k),
                            "a member that appears once",
                            format!("{n} members named {k:?}"),
                            format!("member appears {n} times"),
                        )
                    }));
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Frame::Array { index, .. }) => *index += 1,
                None => {}
            },
            b'"' => {
                let start = i;
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { seen, key, expecting_key, .. }) = stack.last_mut()
                    && *expecting_key
                {
                    let raw = &text[start..=i.min(text.len() - 1)];
                    // Escapes decoded, so `"a"` and `"\u0061"` are one name.
                    let name: String =
                        serde_json::from_slice(raw).unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned());
                    let order = seen.len();
                    seen.entry(name.clone()).or_insert((0, order)).0 += 1;
                    *key = Some(name);
                    *expecting_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        duplicate_members(text.as_bytes()).into_iter().map(|m| format!("{} {}", m.path, m.message)).collect()
    }

    #[test]
    fn finds_duplicates_at_any_depth_with_their_paths() {
        assert_eq!(found(r#"{"UserErrors":[{"a":1}],"UserErrors":[]}"#), vec!["$.UserErrors member appears 2 times"]);
        assert_eq!(found(r#"{"a":[{"x":1},{"y":1,"y":2,"y":3}]}"#), vec!["$.a[1].y member appears 3 times"]);
        assert_eq!(found(r#"[{"k":{"b":1,"b":2}}]"#), vec!["$[0].k.b member appears 2 times"]);
        assert_eq!(found(r#"{"a":1,"\u0061":2}"#), vec!["$.a member appears 2 times"]);
    }

    #[test]
    fn strings_that_look_like_structure_are_not_members() {
        assert!(found(r#"{"a":"{\"b\":1,\"b\":2}","b":"a","c":["a","a"]}"#).is_empty());
        assert!(found(r#"{"a":{"a":{"a":1}}}"#).is_empty());
        assert!(found(r#"{"q":"\\","q2":"x\"y"}"#).is_empty());
    }
}
