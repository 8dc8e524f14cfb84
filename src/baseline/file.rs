//! The baseline file: `[[known]]` entries, loaded with `path:line:col`
//! errors for every problem at once.

use std::collections::HashMap;
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
    /// Entry indices per case id.
    by_case: HashMap<String, Vec<usize>>,
    /// Per case id, the first entry (in file order) each probe finds: a
    /// divergence is classified by a lookup per probe, not a comparison
    /// with each entry of its case.
    by_probe: HashMap<String, HashMap<Probe, usize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    known: Vec<Spanned<RawEntry>>,
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

impl Baseline {
    /// Reads and checks a baseline file. Every problem is reported, each
    /// with its location.
    pub fn load(path: &Path) -> Result<Baseline, Vec<LoadError>> {
        let src = read_bounded(path).map_err(|e| vec![e])?;
        Baseline::parse(path, &src)
    }

    /// Checks the text of a baseline file; `path` names it in messages.
    pub fn parse(path: &Path, src: &str) -> Result<Baseline, Vec<LoadError>> {
        let raw: RawFile = toml::from_str(src).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            vec![LoadError::at(path, src, span, e.message().trim().to_owned())]
        })?;
        let mut errors = Vec::new();
        let mut entries: Vec<Entry> = Vec::with_capacity(raw.known.len());
        let mut seen: HashMap<Key, usize> = HashMap::new();
        // Every entry and error is located through one index of the lines:
        // counting them from the start for each entry is quadratic.
        let lines = LineIndex::new(src);
        let at = |span, message: String| LoadError::at_indexed(path, &lines, src, span, message);
        for spanned in raw.known {
            let span = spanned.span();
            let r = spanned.into_inner();
            let line = lines.locate(src, span.start).0.line;
            if r.case.get_ref().trim().is_empty() {
                errors.push(at(r.case.span(), "`case` names a case id and cannot be empty".to_owned()));
                continue;
            }
            let kind = match &r.kind {
                None => None,
                Some(k) => match kind_from_str(k.get_ref()) {
                    Some(kind) => Some(kind),
                    None => {
                        errors.push(at(
                            k.span(),
                            format!(
                                "unknown divergence kind `{}` (expected one of `status`, `header`, `body`, `error`, `shape`, `capture`)",
                                k.get_ref()
                            ),
                        ));
                        continue;
                    }
                },
            };
            let entry = Entry {
                case: r.case.into_inner(),
                step: r.step.filter(|s| !s.is_empty()),
                kind,
                // `path = ""` names the empty path (a divergence of the whole
                // response); only an absent `path` means any path.
                path: r.path,
                reason: r.reason,
                link: r.link,
                location: format!("{}:{line}", path.display()),
            };
            let key = entry.key().normalized();
            if let Some(first) = seen.get(&key) {
                let first = entries.get(*first).map_or("", |e| e.location.as_str());
                errors.push(at(span, format!("this entry repeats the one at {first}")));
                continue;
            }
            seen.insert(key, entries.len());
            entries.push(entry);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Baseline::from_entries(path, entries))
    }

    /// A baseline of these entries, as if read from `path`.
    pub fn from_entries(path: &Path, entries: Vec<Entry>) -> Baseline {
        let mut by_case: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_probe: HashMap<String, HashMap<Probe, usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            by_case.entry(e.case.clone()).or_default().push(i);
            let probes = by_probe.entry(e.case.clone()).or_default();
            for p in e.key().probes() {
                probes.entry(p).or_insert(i);
            }
        }
        Baseline { path: path.to_path_buf(), entries, by_case, by_probe }
    }

    /// The entries of one case, with their indices.
    pub fn entries_for<'a>(&'a self, case: &str) -> impl Iterator<Item = (usize, &'a Entry)> + 'a {
        self.by_case.get(case).into_iter().flatten().map(|&i| (i, &self.entries[i]))
    }

    /// For each divergence of a step, the first entry (in file order) that
    /// knows it, if any.
    pub fn classify(&self, case: &str, step: &str, mismatches: &[Mismatch]) -> Vec<Option<Known>> {
        let Some(probes) = self.by_probe.get(case) else { return vec![None; mismatches.len()] };
        mismatches
            .iter()
            .map(|m| {
                divergence_probes(step, m)
                    .iter()
                    .filter_map(|p| probes.get(p).copied())
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

    #[test]
    fn every_bad_entry_is_reported_at_once() {
        let errs = parse("[[known]]\ncase = \"\"\n[[known]]\ncase = \"a\"\nkind = \"nope\"\n").unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
    }
}
