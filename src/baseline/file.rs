//! The baseline file: `[[known]]` entries, loaded with `path:line:col`
//! errors for every problem at once.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::matching::{Key, Probe, divergence_probes, kind_from_str};
use crate::case::{LineIndex, LoadError};
use crate::matcher::{Mismatch, MismatchKind};

/// Baseline files larger than this are refused, and `conform baseline`
/// writes none larger: about 300,000 entries that each name a step, a kind
/// and a path (the divergences of a 100,000-case shard).
pub const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// Entries naming no case of the suite that a run lists, one line each;
/// the rest are counted in one more line (`and N more ...`). A baseline of
/// another suite would otherwise list every entry in every report.
pub const MAX_UNKNOWN_LISTED: usize = 100;

/// One known divergence (or family of them).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The case id.
    pub case: String,
    /// The step's name (`step 2`, or its `name`); any step when absent.
    pub step: Option<String>,
    /// The divergence kind; any kind when absent.
    pub kind: Option<MismatchKind>,
    /// The JSON path (or header name); any path when absent, only the empty
    /// path when `""`. Array indices and filter selectors are written `[*]`.
    pub path: Option<String>,
    /// Why the divergence is known.
    pub reason: Option<String>,
    /// Where it is tracked (an issue URL).
    pub link: Option<String>,
    /// `FILE:LINE` of the entry's `[[known]]` header.
    pub location: String,
}

impl Entry {
    /// An entry as a report wrote it back (`cases[].fixed` of `report.json`).
    pub fn read_back(
        case: String,
        step: Option<String>,
        kind: Option<MismatchKind>,
        path: Option<String>,
        reason: Option<String>,
        link: Option<String>,
        location: String,
    ) -> Entry {
        Entry { case, step, kind, path, reason, link, location }
    }

    /// The matching key of the entry.
    pub fn key(&self) -> Key {
        Key { case: self.case.clone(), step: self.step.clone(), kind: self.kind, path: self.path.clone() }
    }

    /// Whether the entry knows divergence `m` of step `step` of case `case`.
    pub fn matches(&self, case: &str, step: &str, m: &Mismatch) -> bool {
        self.key().matches(case, step, m)
    }

    /// A one-line description: case, step, kind and path.
    pub fn describe(&self) -> String {
        self.key().describe()
    }
}

/// What a baseline entry that knew a divergence says about it, as the
/// reports show it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Known {
    /// `FILE:LINE` of the entry.
    pub location: String,
    /// The entry's `reason`, when it has one.
    pub reason: Option<String>,
}

impl Known {
    /// A mark for the entry at `location`.
    pub fn new(location: String, reason: Option<String>) -> Known {
        Known { location, reason }
    }
}

/// A loaded baseline file.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// The file.
    pub path: PathBuf,
    /// Entries in file order.
    pub entries: Vec<Entry>,
    /// `(hash of the case id, entry index)`, sorted: the entries of a case
    /// are a range found by binary search (a hash that collides is told
    /// apart by comparing the case id). Indices, not copies of the ids: a
    /// map per case cost hundreds of bytes an entry.
    by_case: Vec<(u64, usize)>,
    /// `(hash of case id and probe, entry index)`, sorted: a divergence is
    /// classified by a lookup per probe, not a comparison with each entry
    /// of its case; the first entry of a range that has the probe is the
    /// first in file order.
    by_probe: Vec<(u64, usize)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    known: Option<Vec<Spanned<RawEntry>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    case: Spanned<String>,
    step: Option<String>,
    kind: Option<Spanned<String>>,
    path: Option<String>,
    reason: Option<String>,
    link: Option<String>,
}

/// A hash that is the same from run to run (no random keys): only used to
/// find candidates, each then compared in full.
fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

fn probe_hash(case: &str, p: &Probe) -> u64 {
    hash_of(&(case, p))
}

/// The pairs of a sorted `(hash, index)` list that have hash `h`.
fn range_of(list: &[(u64, usize)], h: u64) -> impl Iterator<Item = usize> + '_ {
    let start = list.partition_point(|&(x, _)| x < h);
    list.get(start..).unwrap_or_default().iter().take_while(move |&&(x, _)| x == h).map(|&(_, i)| i)
}

/// The byte offsets where a `[[known]]` header line starts, outside
/// strings, comments and multi-line values: the file is read one entry at
/// a time from there, so that the parsed form of only one entry is held at
/// once (the whole file's tables took about 2 KB an entry).
fn entry_starts(src: &str) -> Vec<usize> {
    use toml_parser::lexer::TokenKind;
    let mut starts = Vec::new();
    let (mut depth, mut line_start) = (0usize, true);
    for token in toml_parser::Source::new(src).lex() {
        let kind = token.kind();
        match kind {
            TokenKind::Newline => {
                line_start = true;
                continue;
            }
            TokenKind::Whitespace => continue,
            _ => {}
        }
        if line_start && depth == 0 && kind == TokenKind::LeftSquareBracket {
            let at = token.span().start();
            let line = src.get(at..).unwrap_or_default();
            let line = line.split('\n').next().unwrap_or_default();
            if let Some(rest) = line.strip_prefix("[[known]]")
                && (rest.trim().is_empty() || rest.trim_start().starts_with('#'))
            {
                starts.push(at);
            }
        }
        line_start = false;
        match kind {
            TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket => depth += 1,
            TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    starts
}

/// Passes each `[[known]]` entry of a baseline's text to `each`, with
/// spans into the whole text, and returns whether it could: the text is
/// read one entry at a time, so that only one entry's parsed tables are
/// held at once (the whole file's took about 2 KB an entry). `Ok(false)`:
/// a text the pieces do not read (a syntax error, `known` defined before
/// the first `[[known]]` header) must be read whole, so that its error is
/// the one the whole file gives.
fn each_piece(src: &str, each: &mut dyn FnMut(Spanned<RawEntry>)) -> bool {
    let starts = entry_starts(src);
    let mut bounds: Vec<usize> = Vec::with_capacity(starts.len() + 2);
    bounds.push(0);
    bounds.extend(starts.iter().copied().filter(|&s| s > 0));
    bounds.push(src.len());
    let has_prefix = bounds.len() > 2 && starts.first() != Some(&0);
    for (n, pair) in bounds.windows(2).enumerate() {
        let (from, to) = match pair {
            [a, b] => (*a, *b),
            _ => continue,
        };
        let Some(piece) = src.get(from..to) else { return false };
        let Ok(file) = toml::from_str::<RawFile>(piece) else { return false };
        let Some(known) = file.known else { continue };
        if n == 0 && has_prefix {
            // `known` before the first header: only the whole file says
            // whether the two go together.
            return false;
        }
        for e in known {
            let span = e.span();
            let mut r = e.into_inner();
            let shift = |s: std::ops::Range<usize>| s.start + from..s.end + from;
            r.case = Spanned::new(shift(r.case.span()), r.case.into_inner());
            r.kind = r.kind.map(|k| Spanned::new(shift(k.span()), k.into_inner()));
            each(Spanned::new(shift(span), r));
        }
    }
    true
}

impl Baseline {
    /// Reads and checks a baseline file. Every problem is reported, each
    /// with its location.
    pub fn load(path: &Path) -> Result<Baseline, Vec<LoadError>> {
        let src = read_bounded(path).map_err(|e| vec![e])?;
        Baseline::parse(path, &src)
    }

    /// Checks the text of a baseline file; `path` names it in messages.
    pub fn parse(path: &Path, src: &str) -> Result<Baseline, Vec<LoadError>> {
        // (offset of the entry, error): errors are reported in file order.
        type Read = (Vec<(usize, LoadError)>, Vec<Entry>, Vec<std::ops::Range<usize>>);
        let mut read: Read = Default::default();
        // Every entry and error is located through one index of the lines:
        // counting them from the start for each entry is quadratic.
        let lines = LineIndex::new(src);
        let at = |span, message: String| LoadError::at_indexed(path, &lines, src, span, message);
        let file = path.display().to_string();
        let each = |(errors, entries, spans): &mut Read, spanned: Spanned<RawEntry>| {
            let span = spanned.span();
            let r = spanned.into_inner();
            let line = lines.locate(src, span.start).0.line;
            if r.case.get_ref().trim().is_empty() {
                errors.push((span.start, at(r.case.span(), "`case` names a case id and cannot be empty".to_owned())));
                return;
            }
            let kind = match &r.kind {
                None => None,
                Some(k) => match kind_from_str(k.get_ref()) {
                    Some(kind) => Some(kind),
                    None => {
                        errors.push((
                            span.start,
                            at(
                                k.span(),
                                format!(
                                    "unknown divergence kind `{}` (expected one of `status`, `header`, `body`, `error`, `shape`, `capture`)",
                                    k.get_ref()
                                ),
                            ),
                        ));
                        return;
                    }
                },
            };
            entries.push(Entry {
                case: r.case.into_inner(),
                step: r.step.filter(|s| !s.is_empty()),
                kind,
                // `path = ""` names the empty path (a divergence of the whole
                // response); only an absent `path` means any path.
                path: r.path,
                reason: r.reason,
                link: r.link,
                location: format!("{file}:{line}"),
            });
            spans.push(span);
        };
        if !each_piece(src, &mut |e| each(&mut read, e)) {
            let raw = toml::from_str::<RawFile>(src).map_err(|e| {
                let span = e.span().unwrap_or(0..0);
                vec![LoadError::at(path, src, span, e.message().trim().to_owned())]
            })?;
            read = Default::default();
            for e in raw.known.unwrap_or_default() {
                each(&mut read, e);
            }
        }
        let (mut errors, entries, spans) = read;
        // Repeated entries, found through sorted hashes of the normalized
        // keys (a map of the keys held a copy of every entry).
        let mut hashed: Vec<(u64, usize)> =
            entries.iter().enumerate().map(|(i, e)| (hash_of(&e.key().normalized()), i)).collect();
        hashed.sort_unstable();
        for group in hashed.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
            let keys: Vec<(usize, Key)> =
                group.iter().filter_map(|&(_, i)| entries.get(i).map(|e| (i, e.key().normalized()))).collect();
            for (n, (i, key)) in keys.iter().enumerate() {
                let Some((first, _)) = keys.iter().take(n).find(|(_, k)| k == key) else { continue };
                let first_at = entries.get(*first).map_or("", |e| e.location.as_str());
                if let Some(span) = spans.get(*i) {
                    errors.push((span.start, at(span.clone(), format!("this entry repeats the one at {first_at}"))));
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|(start, _)| *start);
            return Err(errors.into_iter().map(|(_, e)| e).collect());
        }
        Ok(Baseline::from_entries(path, entries))
    }

    /// A baseline of these entries, as if read from `path`.
    pub fn from_entries(path: &Path, entries: Vec<Entry>) -> Baseline {
        let mut by_case = Vec::with_capacity(entries.len());
        let mut by_probe = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            by_case.push((hash_of(e.case.as_str()), i));
            for p in e.key().probes() {
                by_probe.push((probe_hash(&e.case, &p), i));
            }
        }
        by_case.sort_unstable();
        by_probe.sort_unstable();
        by_probe.dedup();
        Baseline { path: path.to_path_buf(), entries, by_case, by_probe }
    }

    /// The entries of one case, with their indices.
    pub fn entries_for<'a>(&'a self, case: &'a str) -> impl Iterator<Item = (usize, &'a Entry)> + 'a {
        range_of(&self.by_case, hash_of(case))
            .filter_map(move |i| self.entries.get(i).filter(|e| e.case == case).map(|e| (i, e)))
    }

    /// The entries whose case `is_case` does not know, as reports list them
    /// (`FILE:LINE: case ... names no case of this suite`): the first
    /// [`MAX_UNKNOWN_LISTED`], then one line counting the others.
    pub fn unknown_cases(&self, is_case: impl Fn(&str) -> bool) -> Vec<String> {
        let mut unknown = self.entries.iter().filter(|e| !is_case(&e.case));
        let mut listed: Vec<String> = unknown
            .by_ref()
            .take(MAX_UNKNOWN_LISTED)
            .map(|e| format!("{}: {} names no case of this suite", e.location, e.describe()))
            .collect();
        let more = unknown.count();
        if more > 0 {
            listed.push(format!("and {more} more entries name no case of this suite"));
        }
        listed
    }

    /// For each divergence of a step, the first entry (in file order) that
    /// knows it, if any.
    pub fn classify(&self, case: &str, step: &str, mismatches: &[Mismatch]) -> Vec<Option<Known>> {
        if range_of(&self.by_case, hash_of(case)).next().is_none() {
            return vec![None; mismatches.len()];
        }
        let first_with = |p: &Probe| {
            range_of(&self.by_probe, probe_hash(case, p))
                .find(|&i| self.entries.get(i).is_some_and(|e| e.case == case && e.key().probes().contains(p)))
        };
        mismatches
            .iter()
            .map(|m| {
                divergence_probes(step, m)
                    .iter()
                    .filter_map(first_with)
                    .min()
                    .and_then(|i| self.entries.get(i))
                    .map(|e| Known::new(e.location.clone(), e.reason.clone()))
            })
            .collect()
    }
}

/// Reads a regular file of at most [`MAX_BASELINE_BYTES`], as UTF-8.
fn read_bounded(path: &Path) -> Result<String, LoadError> {
    let bytes = crate::files::read_regular(path, MAX_BASELINE_BYTES)
        .map_err(|e| LoadError::file(path, format!("cannot read the baseline: {e}")))?;
    String::from_utf8(bytes).map_err(|e| LoadError::file(path, format!("the baseline is not UTF-8: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Baseline, Vec<String>> {
        Baseline::parse(Path::new("known.toml"), src).map_err(|e| e.iter().map(|e| e.headline()).collect())
    }

    #[test]
    fn entries_load_with_their_lines() {
        let b = parse(
            "# moto\n[[known]]\ncase = \"a::b\"\nkind = \"shape\"\npath = \"$.X\"\nreason = \"r\"\n\n[[known]]\ncase = \"a::c\"\n",
        )
        .unwrap();
        assert_eq!(b.entries.len(), 2);
        assert_eq!(b.entries[0].location, "known.toml:2");
        assert_eq!(b.entries[0].kind, Some(MismatchKind::Shape));
        assert_eq!(b.entries[1].location, "known.toml:8");
        assert_eq!(b.entries_for("a::c").count(), 1);
    }

    #[test]
    fn bad_files_are_reported_with_locations() {
        let table: &[(&str, &str)] = &[
            ("[[known]]\ncase = \"a\"\nknd = \"shape\"\n", "known.toml:3:1: unknown field `knd`"),
            ("[[known]]\ncase = \"a\"\nkind = \"shap\"\n", "known.toml:3:8: unknown divergence kind `shap`"),
            ("[[known]]\ncase = \"\"\n", "known.toml:2:8: `case` names a case id and cannot be empty"),
            ("[[known]]\nstep = \"x\"\n", "known.toml:1:1: missing field `case`"),
            (
                "[[known]]\ncase = \"a\"\n[[known]]\ncase = \"a\"\n",
                "known.toml:3:1: this entry repeats the one at known.toml:1",
            ),
            ("[[known]\n", "known.toml:1:"),
            ("known = 3\n", "known.toml:1:9: invalid type"),
        ];
        for (src, want) in table {
            let errs = parse(src).expect_err(src);
            assert!(errs.iter().any(|e| e.starts_with(want)), "{src:?}: {errs:?} should start with {want:?}");
        }
    }

    /// Issue #24: entries and errors far into a file carry their own lines.
    #[test]
    fn locations_are_right_far_into_the_file_issue_24() {
        let mut src = String::from("# é\n");
        for i in 0..500 {
            src.push_str(&format!("[[known]]\ncase = \"c{i}\"\n\n"));
        }
        src.push_str("[[known]]\ncase = \"c1\"\n[[known]]\ncase = \"x\"\nkind = \"nope\"\n");
        let errs = parse(&src).unwrap_err();
        assert_eq!(
            errs,
            [
                "known.toml:1502:1: this entry repeats the one at known.toml:5",
                "known.toml:1506:8: unknown divergence kind `nope` (expected one of `status`, `header`, `body`, `error`, `shape`, `capture`)",
            ]
        );
        let b = parse(&src[..src.find("[[known]]\ncase = \"c1\"\n[[known]]").unwrap()]).unwrap();
        assert_eq!(b.entries[499].location, "known.toml:1499");
    }

    /// Issue #24: each divergence is known by the first entry in file
    /// order that matches it, found by lookups rather than by trying each
    /// entry of the case.
    #[test]
    fn classify_names_the_first_matching_entry_issue_24() {
        let b = parse(concat!(
            "[[known]]\ncase = \"c\"\nstep = \"get\"\nkind = \"body\"\npath = \"$.A[*]\"\n",
            "[[known]]\ncase = \"c\"\nkind = \"header\"\npath = \"x-a\"\nreason = \"r\"\n",
            "[[known]]\ncase = \"c\"\nstep = \"list\"\n",
            "[[known]]\ncase = \"c\"\npath = \"$.A[*]\"\n",
            "[[known]]\ncase = \"d\"\n",
        ))
        .unwrap();
        let m = |kind, path: &str| Mismatch::new(kind, path, "e", "a", "m");
        let known = |step, ms: &[Mismatch]| -> Vec<Option<String>> {
            b.classify("c", step, ms).into_iter().map(|k| k.map(|k| k.location)).collect()
        };
        let ms = [
            m(MismatchKind::Body, "$.A[3]"),
            m(MismatchKind::Header, "X-A"),
            m(MismatchKind::Shape, "$.A[0]"),
            m(MismatchKind::Status, ""),
        ];
        let at = |line: &str| Some(format!("known.toml:{line}"));
        assert_eq!(known("get [2]", &ms), [at("1"), at("6"), at("14"), None]);
        assert_eq!(known("list", &ms), [at("11"), at("6"), at("11"), at("11")]);
        assert_eq!(b.classify("e", "get", &ms), vec![None; 4]);
    }

    /// Issue #24: a baseline of 300,000 entries loads in time linear in
    /// its size (numbering lines per entry took minutes).
    #[test]
    #[ignore = "slow probe; run with --ignored"]
    fn a_300k_entry_baseline_loads_quickly_issue_24() {
        let src: String = (0..300_000).map(|i| format!("[[known]]\ncase=\"c{i:06}\"\n")).collect();
        let b = parse(&src).unwrap();
        assert_eq!(b.entries.len(), 300_000);
        assert_eq!(b.entries[299_999].location, "known.toml:599999");
    }

    /// Issue #24: a baseline of 300,000 entries (7.7 MB) loads in well
    /// under 200 MiB: read one entry at a time and indexed by entry
    /// numbers (the whole file's parsed tables and maps of copied ids took
    /// about 2 KB an entry, 580 MiB).
    #[test]
    #[ignore = "slow probe; run alone with --ignored (the peak is the process's)"]
    fn a_300k_entry_baseline_loads_in_little_memory_issue_24() {
        let src: String = (0..300_000).map(|i| format!("[[known]]\ncase = \"z{i}\"\n")).collect();
        let before = crate::files::peak_kib().unwrap_or(0);
        let b = parse(&src).unwrap();
        assert_eq!(b.entries.len(), 300_000);
        let grew = crate::files::peak_kib().unwrap_or(0).saturating_sub(before);
        assert!(grew < 150 * 1024, "loading took {grew} KiB");
    }

    /// Entries read one at a time are the entries of the whole file:
    /// `[[known]]` inside strings, comments and multi-line values does not
    /// start an entry, and what only the whole file can judge is judged on
    /// it.
    #[test]
    fn entries_read_in_pieces_are_those_of_the_whole_file_issue_24() {
        let src = concat!(
            "# [[known]]\n",
            "[[known]]\ncase = \"a\"\nreason = \"\"\"\n[[known]]\ncase = \"b\"\n\"\"\"\n",
            "[[known]] # two\ncase = \"c\"\nlink = '''\n[[known]]\n'''\n",
            "[[ known ]]\ncase = \"d\"\n",
            "[[known]]\ncase = \"e\"\nkind = \"body\"\n",
        );
        let starts = entry_starts(src);
        assert_eq!(starts.len(), 3, "{starts:?}");
        let b = parse(src).unwrap();
        let cases: Vec<&str> = b.entries.iter().map(|e| e.case.as_str()).collect();
        assert_eq!(cases, ["a", "c", "d", "e"]);
        let lines: Vec<&str> = b.entries.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(lines, ["known.toml:2", "known.toml:8", "known.toml:13", "known.toml:15"]);
        assert_eq!(b.entries[3].kind, Some(MismatchKind::Body));
        // `known` given before the first header: the whole file refuses it.
        let errs = parse("known = []\n[[known]]\ncase = \"a\"\n").unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        // An error in a later entry is located in the whole file.
        let errs = parse("[[known]]\ncase = \"a\"\n[[known]]\ncase = \"b\"\nstep = 3\n").unwrap_err();
        assert!(errs[0].starts_with("known.toml:5:8: invalid type"), "{errs:?}");
        // A multi-line array whose items start lines is one value.
        assert_eq!(entry_starts("x = [\n[[known]]\n]\n"), Vec::<usize>::new());
        assert!(parse("x = [\n[[known]]\n]\n").is_err());
    }

    /// Issue #24: entries naming no case are listed up to a cap, the rest
    /// counted (300,000 such entries were each written in every report).
    #[test]
    fn unknown_cases_are_listed_up_to_a_cap_issue_24() {
        let src: String = (0..250).map(|i| format!("[[known]]\ncase = \"z{i}\"\n")).collect();
        let b = parse(&format!("[[known]]\ncase = \"real\"\n{src}")).unwrap();
        let listed = b.unknown_cases(|c| c == "real");
        assert_eq!(listed.len(), MAX_UNKNOWN_LISTED + 1);
        assert_eq!(listed[0], "known.toml:3: case `z0` names no case of this suite");
        assert_eq!(listed[MAX_UNKNOWN_LISTED], "and 150 more entries name no case of this suite");
        let few = parse("[[known]]\ncase = \"a\"\n[[known]]\ncase = \"b\"\n").unwrap();
        assert_eq!(few.unknown_cases(|c| c == "a"), ["known.toml:3: case `b` names no case of this suite"]);
    }

    #[test]
    fn every_bad_entry_is_reported_at_once() {
        let errs = parse("[[known]]\ncase = \"\"\n[[known]]\ncase = \"a\"\nkind = \"nope\"\n").unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
