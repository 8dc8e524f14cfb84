//! Members that appear more than once in one JSON object.
//!
//! A parsed `serde_json::Value` keeps the last of duplicate members, so
//! `{"UserErrors":[{...}],"UserErrors":[]}` would read as an empty list. A
//! client may read the first, the last, or fail: a duplicate is a divergence
//! of its own, found here on the text, whatever the expectation says.
//!
//! One pass over the text, linear in its length: each open container keeps
//! only its own segment (the member being read, or the element index), and
//! a path is written out only for a duplicate found.

use std::collections::HashMap;

use super::json::MAX_DIVERGENCES;
use super::mismatch::{Mismatch, MismatchKind, join_key};
use super::path::short_key;

enum Frame {
    Object {
        /// Each member name, with how often it appeared and where first.
        seen: HashMap<String, (usize, usize)>,
        /// The member being read, as a path writes it ([`short_key`]).
        key: Option<String>,
        expecting_key: bool,
    },
    Array {
        index: usize,
    },
}

/// The path of the container on top of `stack` (each frame's segment is
/// where the next frame sits).
fn path_of(stack: &[Frame]) -> String {
    let mut path = "$".to_owned();
    // The top frame is the container itself: its segment is inside it.
    let parents = stack.len().saturating_sub(1);
    for frame in stack.iter().take(parents) {
        match frame {
            Frame::Object { key, .. } => path = join_key(&path, key.as_deref().unwrap_or("")),
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// Every duplicated member in `text`, which must be valid JSON (parse it
/// first); one divergence per duplicated name and object, in text order.
/// At most [`MAX_DIVERGENCES`] are listed; past that, one more counts the
/// rest.
pub fn duplicate_members(text: &[u8]) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut unlisted = 0usize;
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while let Some(&byte) = text.get(i) {
        match byte {
            b'{' => stack.push(Frame::Object { seen: HashMap::new(), key: None, expecting_key: true }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                // The path is written out only for an object with a
                // duplicate, and only while duplicates are still listed.
                let dups = match stack.last() {
                    Some(Frame::Object { seen, .. }) => seen.values().filter(|(n, _)| *n > 1).count(),
                    _ => 0,
                };
                if dups > 0 && out.len() >= MAX_DIVERGENCES {
                    unlisted += dups;
                    stack.pop();
                } else if dups > 0 {
                    let path = path_of(&stack);
                    let seen = match stack.pop() {
                        Some(Frame::Object { seen, .. }) => seen,
                        _ => HashMap::new(),
                    };
                    let mut dups: Vec<(usize, usize, String)> =
                        seen.into_iter().filter(|(_, (n, _))| *n > 1).map(|(k, (n, at))| (at, n, k)).collect();
                    dups.sort_unstable();
                    for (_, n, k) in dups {
                        if out.len() >= MAX_DIVERGENCES {
                            unlisted += 1;
                            continue;
                        }
                        let k = short_key(&k);
                        out.push(Mismatch::new(
                            MismatchKind::Json,
                            join_key(&path, &k),
                            "a member that appears once",
                            format!("{n} members named {k:?}"),
                            format!("member appears {n} times"),
                        ));
                    }
                } else {
                    stack.pop();
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let start = i;
                i += 1;
                while let Some(&c) = text.get(i)
                    && c != b'"'
                {
                    i += if c == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { seen, key, expecting_key }) = stack.last_mut()
                    && *expecting_key
                {
                    let raw = text.get(start..=i).unwrap_or_else(|| text.get(start..).unwrap_or_default());
                    // Escapes decoded, so `"a"` and `"\u0061"` are one name.
                    let name: String =
                        serde_json::from_slice(raw).unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned());
                    let order = seen.len();
                    // Shortened once here, not in each path written under it.
                    *key = Some(short_key(&name).into_owned());
                    seen.entry(name).or_insert((0, order)).0 += 1;
                    *expecting_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if unlisted > 0 {
        out.push(Mismatch::new(
            MismatchKind::Json,
            "$",
            format!("at most {MAX_DIVERGENCES} duplicated members listed"),
            format!("{} duplicated members", MAX_DIVERGENCES + unlisted),
            format!("and {unlisted} more duplicated members, not listed"),
        ));
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

/// Issue #24, item 1: linear in the text, and bounded in what it reports.
#[cfg(test)]
mod bounds {
    use super::*;

    /// A long member name above many containers: each container used to
    /// copy the name into its own path (here 200 kB × 20,000 = 4 GB).
    #[test]
    fn a_long_name_above_many_containers_is_not_copied_issue_24_item_1() {
        let key = "k".repeat(200_000);
        let arrays = vec!["[]"; 20_000].join(",");
        let text = format!(r#"{{"{key}":[{arrays}],"x":[{{"d":1,"d":2}}]}}"#);
        let found = duplicate_members(text.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "$.x[0].d");
        let text = format!(r#"{{"{key}":[[{{"d":1,"d":2}}]]}}"#);
        let short = format!("{}… (200000 chars)", "k".repeat(crate::matcher::MAX_SEGMENT_CHARS));
        assert_eq!(duplicate_members(text.as_bytes())[0].path, format!("$['{short}'][0][0].d"));
    }

    /// A long key above many objects holding a duplicate: each divergence's
    /// path once held the whole key (a 2 MB key above 1,000 such objects
    /// made 2 GB of paths).
    #[test]
    fn paths_under_a_long_key_stay_short_issue_24() {
        let key = "k".repeat(5_000);
        let dup = r#"{"d":1,"d":2}"#;
        let text = format!(r#"{{"{key}":[{}], "{key}x":{dup}}}"#, vec![dup; 50].join(","));
        let found = duplicate_members(text.as_bytes());
        assert_eq!(found.len(), 51);
        let bound = crate::matcher::MAX_SEGMENT_CHARS + 100;
        assert!(found.iter().all(|m| m.path.chars().count() < bound), "{:?}", found.first().map(|m| m.path.len()));
        assert!(found.iter().all(|m| m.actual.chars().count() < bound));
        let text = format!(r#"{{"{key}":1,"{key}":2}}"#);
        let found = duplicate_members(text.as_bytes());
        assert!(found.len() == 1 && found.iter().all(|m| m.path.chars().count() < bound && m.actual.len() < bound));
    }

    #[test]
    fn duplicates_past_the_limit_are_counted_issue_24_item_1() {
        let one = r#"{"a":1,"a":2}"#;
        let text = format!("[{}]", vec![one; MAX_DIVERGENCES + 5].join(","));
        let found = duplicate_members(text.as_bytes());
        assert_eq!(found.len(), MAX_DIVERGENCES + 1);
        assert_eq!(found[MAX_DIVERGENCES - 1].path, format!("$[{}].a", MAX_DIVERGENCES - 1));
        let last = found.last().unwrap();
        assert_eq!((last.path.as_str(), last.message.as_str()), ("$", "and 5 more duplicated members, not listed"));
    }
}
