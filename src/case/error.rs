//! Located load errors: every problem in a case file becomes a [`LoadError`]
//! with a `path:line:col` location, the offending line and a caret.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A 1-based position in a source file, columns counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

/// One problem found while loading case files.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadError {
    /// The file the problem is in.
    pub path: PathBuf,
    /// Where in the file, when the problem has a place.
    pub position: Option<Position>,
    /// The source line at `position`, for display.
    pub source_line: Option<String>,
    /// What is wrong, in lowercase, without the location.
    pub message: String,
}

impl LoadError {
    /// An error that points at a byte span of `src`.
    pub fn at(path: &Path, src: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let (position, line) = locate(src, span.start);
        LoadError {
            path: path.to_path_buf(),
            position: Some(position),
            source_line: Some(line),
            message: message.into(),
        }
    }

    /// An error about a whole file (unreadable, too large, ...).
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        LoadError { path: path.to_path_buf(), position: None, source_line: None, message: message.into() }
    }

    /// The one-line editor form: `path:line:col: message`.
    pub fn headline(&self) -> String {
        match self.position {
            Some(p) => format!("{}:{}:{}: {}", self.path.display(), p.line, p.col, self.message),
            None => format!("{}: {}", self.path.display(), self.message),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.headline())?;
        if let (Some(p), Some(line)) = (self.position, &self.source_line) {
            let gutter = p.line.to_string().len();
            write!(f, "\n{:gutter$} |\n{} | {}\n{:gutter$} | {}^", "", p.line, line, "", " ".repeat(p.col - 1))?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Turns a byte offset into a 1-based line and character column, and returns
/// the text of that line. Offsets past the end or inside a character are
/// clamped, so any offset is safe.
pub fn locate(src: &str, byte: usize) -> (Position, String) {
    let mut byte = byte.min(src.len());
    while !src.is_char_boundary(byte) {
        byte -= 1;
    }
    let before = &src[..byte];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = src[line_start..byte].chars().count() + 1;
    let line_end = src[line_start..].find('\n').map_or(src.len(), |i| line_start + i);
    let text = src[line_start..line_end].trim_end_matches('\r');
    // Very long lines (minified files) are cut so that the display stays readable.
    let text: String = text.chars().take(200).collect();
    (Position { line, col }, text)
}

/// The nearest candidate to `word` by edit distance, when it is close enough
/// to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal-string-alignment distance: edits, with a swap of two
/// neighbours counted as one (`$tpye` is one edit from `$type`).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_lines_and_characters() {
        let src = "a = 1\nbé = \"x\"\n";
        let (p, line) = locate(src, src.find("\"x").unwrap());
        assert_eq!(p, Position { line: 2, col: 6 });
        assert_eq!(line, "bé = \"x\"");
    }

    #[test]
    fn locate_clamps_offsets_past_the_end_and_inside_characters() {
        let src = "é";
        assert_eq!(locate(src, 1).0, Position { line: 1, col: 1 });
        assert_eq!(locate(src, 99).0, Position { line: 1, col: 2 });
    }

    #[test]
    fn nearest_suggests_close_keys_only() {
        let keys = ["method", "path", "query", "headers"];
        assert_eq!(nearest("methd", keys), Some("method"));
        assert_eq!(nearest("header", keys), Some("headers"));
        assert_eq!(nearest("zzzzzz", keys), None);
        assert_eq!(nearest("$tpye", ["$type", "$regex"]), Some("$type"));
    }

    #[test]
    fn display_shows_the_line_and_a_caret() {
        let src = "name = 1\nmethod = \"POST\n";
        let e = LoadError::at(Path::new("c.toml"), src, 14..14, "invalid string");
        assert_eq!(e.to_string(), "c.toml:2:6: invalid string\n  |\n2 | method = \"POST\n  |      ^");
    }
}
