//! Path segments as divergences write them: a member name or map key of
//! any length takes at most [`MAX_SEGMENT_CHARS`] characters in a path, so
//! a body with a megabyte key above many divergences does not copy the key
//! into each of them.

use std::borrow::Cow;

/// The longest member name or map key a path writes whole; a longer one is
/// written as its first this many characters, then `… (N chars)`.
pub const MAX_SEGMENT_CHARS: usize = 200;

/// `key` as a path writes it: whole up to [`MAX_SEGMENT_CHARS`] characters,
/// else its first characters and its length (`kkk… (4194304 chars)`).
pub fn short_key(key: &str) -> Cow<'_, str> {
    match key.char_indices().nth(MAX_SEGMENT_CHARS) {
        None => Cow::Borrowed(key),
        Some((cut, _)) => {
            let head = key.get(..cut).unwrap_or_default();
            Cow::Owned(format!("{head}… ({} chars)", key.chars().count()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_keys_are_cut_short_ones_kept() {
        assert_eq!(short_key("Name"), "Name");
        let edge = "é".repeat(MAX_SEGMENT_CHARS);
        assert_eq!(short_key(&edge), edge);
        let long = format!("{edge}x");
        assert_eq!(short_key(&long), format!("{edge}… ({} chars)", MAX_SEGMENT_CHARS + 1));
    }

    /// The body matcher writes its paths through the same helper.
    #[test]
    fn body_matcher_paths_cut_long_keys_issue_24() {
        let key = "k".repeat(10_000);
        let strict = crate::matcher::Matcher::Object { fields: Vec::new(), strict: Some(true) };
        let found = crate::matcher::match_json(&strict, Some(&serde_json::json!({ key.as_str(): 1 })), true);
        let short = format!("{}… (10000 chars)", "k".repeat(MAX_SEGMENT_CHARS));
        assert_eq!(found.mismatches.iter().map(|m| m.path.as_str()).collect::<Vec<_>>(), [format!("$['{short}']")]);
    }
}
