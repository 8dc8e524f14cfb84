//! Reports: the terminal report and the files of `--report-dir`:
//! `report.json`, `junit.xml`, `report.md`, `report.html`, and the parity
//! badge `parity.svg`. Reporters read a
//! [`RunSummary`]; they never decide outcomes. Every file is written
//! atomically: to a temporary file in the same folder, then renamed.

pub mod badge;
mod coverage;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod parity;
mod readable;
pub mod terminal;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::runner::RunSummary;
pub use coverage::{Coverage, CoveredBy, StatementCoverage, Verdict, coverage};

/// Request and response bodies longer than this many characters are cut in
/// report files (`truncated: true` in `report.json`).
pub(crate) const MAX_BODY_CHARS: usize = 64 * 1024;

/// What the reporters read.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The results.
    pub summary: &'a RunSummary,
    /// What was tested: an endpoint URL, or `built-in double`.
    pub target: &'a str,
    /// Coverage of documented statements, when the suite has a contract.
    pub coverage: Option<&'a Coverage>,
}

/// A report file could not be written, or a `report.json` read back (to
/// merge shards) is not one this version reads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// An I/O failure on a report file.
    #[error("failed to write report file `{path}`")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// JUnit serialization failed.
    #[error("failed to serialize the JUnit report")]
    Junit(#[source] quick_junit::SerializeError),
    /// A `report.json` read back (to merge shards) has a schema version this
    /// conform does not read.
    #[error("schema_version {found:?} is not 1 or {}", json::SCHEMA_VERSION)]
    SchemaVersion {
        /// The version the file says, if it says one.
        found: Option<u64>,
    },
    /// A `report.json` read back does not have the documented fields.
    #[error("the report does not have the documented fields")]
    Fields(#[source] serde_json::Error),
}

/// Cuts `s` to at most `max` characters; says whether it cut.
pub(crate) fn cut(s: &str, max: usize) -> (String, bool) {
    match s.char_indices().nth(max) {
        Some((i, _)) => (s[..i].to_owned(), true),
        None => (s.to_owned(), false),
    }
}

/// The badge's file name in a report folder.
pub(crate) const BADGE_FILE: &str = "parity.svg";

/// Writes all four report files and the badge into `dir` (created if needed). Returns the
/// paths written.
pub fn write_reports(dir: &Path, input: &ReportInput) -> Result<Vec<PathBuf>, ReportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReportError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let json = json::to_json_text(input) + "\n";
    let junit = junit::to_junit(input).map_err(ReportError::Junit)?;
    let files = [
        ("report.json", json),
        ("junit.xml", junit),
        ("report.md", markdown::to_markdown(input)),
        ("report.html", html::to_html(input)),
        (BADGE_FILE, badge::to_svg(&parity::parity(input))),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes()).map_err(io(&path))?;
        written.push(path);
    }
    Ok(written)
}

/// Writes a file so that readers see the old content or the new, never a
/// part: a temporary file in the same folder, flushed, then renamed over.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Appends the Markdown report to `$GITHUB_STEP_SUMMARY` when it is set.
pub(crate) fn append_step_summary(input: &ReportInput) -> Result<(), ReportError> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else { return Ok(()) };
    let path = PathBuf::from(path);
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|source| ReportError::Io { path: path.clone(), source })?;
    f.write_all(markdown::to_markdown(input).as_bytes()).map_err(|source| ReportError::Io { path, source })
}

/// Text that did not come from conform (a target's bodies, headers, member
/// names, messages) with its control characters shown escaped, so it cannot
/// move the cursor, retitle the terminal or clear the screen: `\x1b`,
/// `\x00`, `\n` for C0 controls and DEL, `\u{9b}` for C1 controls.
pub(crate) fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Escapes text for HTML.
pub(crate) fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod escape_tests {
    use super::escape_controls;

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(escape_controls("plain text é"), "plain text é");
        assert_eq!(escape_controls("\u{1b}]0;title\u{7}\u{1b}[2J\0x\n"), "\\x1b]0;title\\x07\\x1b[2J\\x00x\\n");
        assert_eq!(escape_controls("\u{9b}31m"), "\\u{9b}31m");
    }
}
