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
    /// Locating scans the text up to the span: for many errors in one
    /// text, build a line index once and locate each through it (as the loader does).
    pub fn at(path: &Path, src: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        LoadError::at_indexed(path, &LineIndex::new(src), src, span, message)
    }

    /// An error that points at a byte span of `src`, located through
    /// `lines` (the index of that same `src`): no scan from the start.
    pub(crate) fn at_indexed(
        path: &Path,
        lines: &LineIndex,
        src: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let (position, line) = lines.locate(src, span.start);
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
            // The line shown is cut (see `locate`): a caret past its end
            // would only print a line of spaces as long as the source line.
            let caret = p.col.saturating_sub(1).min(line.chars().count());
            write!(f, "\n{:gutter$} |\n{} | {}\n{:gutter$} | {}^", "", p.line, line, "", " ".repeat(caret))?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Where the lines of a text start, and how many characters come before
/// every block of [`LineIndex::BLOCK`] bytes: built in one pass, it locates
/// an offset by binary search plus a scan of at most one block, so that
/// locating every error of a file costs time linear in the file, not in
/// the file times the errors.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
    /// For each block, its first character boundary at or before
    /// `block * BLOCK`, and the characters before that boundary.
    blocks: Vec<(usize, usize)>,
    /// The length of the text indexed.
    len: usize,
}

impl LineIndex {
    const BLOCK: usize = 4096;

    /// Indexes `src`.
    pub(crate) fn new(src: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(src.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        let mut blocks = Vec::with_capacity(src.len() / Self::BLOCK + 1);
        let (mut prev, mut chars) = (0, 0);
        for block in 0..=src.len() / Self::BLOCK {
            let at = floor_char_boundary(src, block * Self::BLOCK);
            chars += src.get(prev..at).map_or(0, |s| s.chars().count());
            blocks.push((at, chars));
            prev = at;
        }
        LineIndex { starts, blocks, len: src.len() }
    }

    /// Characters before byte `byte` (a character boundary of the text).
    fn chars_before(&self, src: &str, byte: usize) -> usize {
        let (at, chars) = self.blocks.get(byte / Self::BLOCK).copied().unwrap_or((0, 0));
        chars + src.get(at..byte).map_or(0, |s| s.chars().count())
    }

    /// Turns a byte offset of the indexed text `src` into a 1-based line
    /// and character column, and returns the text of that line. Offsets
    /// past the end or inside a character are clamped, so any offset is
    /// safe.
    pub(crate) fn locate(&self, src: &str, byte: usize) -> (Position, String) {
        if src.len() != self.len {
            // Not the text this index was built for: locate the slow way
            // rather than wrongly.
            return LineIndex::new(src).locate(src, byte);
        }
        let byte = floor_char_boundary(src, byte);
        // The last line start at or before `byte`.
        let line = self.starts.partition_point(|&s| s <= byte).max(1);
        let line_start = self.starts.get(line - 1).copied().unwrap_or(0);
        let col = self.chars_before(src, byte) - self.chars_before(src, line_start) + 1;
        let line_end = self.starts.get(line).map_or(src.len(), |next| next - 1);
        let text = src.get(line_start..line_end).unwrap_or("").trim_end_matches('\r');
        // Very long lines (minified files) are cut so that the display stays readable.
        let text: String = text.chars().take(200).collect();
        (Position { line, col }, text)
    }
}

/// The largest character boundary of `src` at or before `byte` (the end
/// for offsets past it).
fn floor_char_boundary(src: &str, byte: usize) -> usize {
    let mut byte = byte.min(src.len());
    while !src.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

/// The longest name a typo suggestion is looked for.
const MAX_SUGGESTED: usize = 64;

/// The nearest candidate to `word` by edit distance, when it is close enough
/// to be a plausible typo.
///
/// Names longer than [`MAX_SUGGESTED`] characters get no suggestion, and
/// candidates whose length alone rules them out are not compared: the
/// distance costs the product of the two lengths.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = word.chars().count();
    if len > MAX_SUGGESTED {
        return None;
    }
    candidates
        .into_iter()
        .filter(|c| {
            let n = c.chars().take(MAX_SUGGESTED + 1).count();
            n <= MAX_SUGGESTED && n.abs_diff(len) <= (c.len().max(word.len()) / 3).max(1)
        })
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

    fn locate(src: &str, byte: usize) -> (Position, String) {
        LineIndex::new(src).locate(src, byte)
    }

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

    /// Issue #24: one index locates every offset, across lines, blocks and
    /// multi-byte characters, as a scan from the start would.
    #[test]
    fn one_index_locates_every_offset_issue_24() {
        let mut src = String::new();
        for i in 0..3000 {
            src.push_str(&format!("k{i} = \"é{}\"\r\n", "ü".repeat(i % 7)));
        }
        src.push_str(&"x".repeat(9000));
        let lines = LineIndex::new(&src);
        let slow = |byte: usize| {
            let mut byte = byte.min(src.len());
            while !src.is_char_boundary(byte) {
                byte -= 1;
            }
            let before = &src[..byte];
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            Position { line, col: src[start..byte].chars().count() + 1 }
        };
        for byte in (0..src.len() + 5).step_by(37).chain([0, 4095, 4096, 4097, src.len()]) {
            assert_eq!(lines.locate(&src, byte).0, slow(byte), "offset {byte}");
        }
        let (p, text) = lines.locate(&src, src.find("k2 =").unwrap() + 6);
        assert_eq!(p, Position { line: 3, col: 7 });
        assert_eq!(text, "k2 = \"éüü\"");
        let (p, text) = lines.locate(&src, src.len());
        assert_eq!((p.line, p.col, text.len()), (3001, 9001, 200));
    }

    #[test]
    fn a_caret_past_the_cut_line_stays_at_its_end_issue_24() {
        let src = format!("k = \"{}\"\n", "a".repeat(100_000));
        let e = LoadError::at(Path::new("c.toml"), &src, 90_000..90_000, "bad");
        let shown = e.to_string();
        assert!(shown.starts_with("c.toml:1:90001: bad\n"), "{shown}");
        assert!(shown.len() < 500, "{} bytes", shown.len());
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
