//! Finding case files, reading their suites, and turning TOML into
//! validated [`Case`]s. Every problem in every file is collected; nothing is
//! returned until all files have been read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;
use serde_json::Value;
use serde_json_path::JsonPath;
use toml::Spanned;

use super::error::{LoadError, nearest};
use super::model::*;
use super::schema::*;
use super::template::{GENERATED, Template, is_valid_name, reserved_name};
use super::tree::{Node, Tree};
use crate::contract::{Contract, RawContract};
use crate::files::read_regular;
use crate::matcher::{Comparison, JsonType, Matcher, json::key_of};

/// Case and suite files larger than this are refused.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// The most JSON values (objects, arrays and leaves) the bodies of one step
/// may expand to, over its repetitions: `$repeat` and `repeat` multiply.
pub const MAX_EXPANDED_VALUES: u64 = 1_000_000;
/// The largest body `file` a step may send.
pub const MAX_BODY_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// TOML nested deeper than this is refused (the parser recurses).
pub const MAX_DEPTH: usize = 128;
/// The name of a suite file.
pub const SUITE_FILE: &str = "suite.toml";

/// What the loader needs to know from outside the files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--var` names: defined for every case.
    pub cli_vars: BTreeSet<String>,
}

/// Loads every case under `paths` (files or folders), sorted by id. Returns
/// all problems of all files when there is any.
pub fn load_cases(paths: &[PathBuf], opts: &LoadOptions) -> Result<Vec<Case>, Vec<LoadError>> {
    let mut errors = Vec::new();
    let mut files = BTreeSet::new();
    for p in paths {
        match fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, 0, &mut files, &mut errors),
            Ok(_) => {
                files.insert(p.clone());
            }
            Err(e) => errors.push(LoadError::file(p, format!("cannot read: {e}"))),
        }
    }
    let mut suites = SuiteCache::default();
    let mut cases = Vec::new();
    // Suites first (cheap, shared), then the files in parallel: parsing TOML
    // is most of the time it takes to load a large suite.
    let jobs: Vec<(&PathBuf, Suite)> = files.iter().map(|f| (f, suites.chain(f, &mut errors))).collect();
    let bodies = &BodyFiles::default();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(jobs.len().max(1));
    let chunk = jobs.len().div_ceil(threads).max(1);
    let loaded: Vec<(Vec<Case>, Vec<LoadError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let (mut cases, mut errors) = (Vec::new(), Vec::new());
                    for (file, chain) in part {
                        match read_source(file) {
                            Ok(src) => load_file(file, &src, chain, opts, bodies, &mut cases, &mut errors),
                            Err(e) => errors.push(e),
                        }
                    }
                    (cases, errors)
                })
            })
            .collect();
        handles
            .into_iter()
            .zip(jobs.chunks(chunk))
            .map(|(h, part)| {
                h.join().unwrap_or_else(|_| {
                    // A loader bug must not lose files silently.
                    let files = part.iter().map(|(f, _)| f.display().to_string()).collect::<Vec<_>>().join(", ");
                    let first = part.first().map_or(Path::new("."), |(f, _)| f.as_path());
                    (Vec::new(), vec![LoadError::file(first, format!("internal error while loading {files}"))])
                })
            })
            .collect()
    });
    for (c, e) in loaded {
        cases.extend(c);
        errors.extend(e);
    }
    let mut seen: HashMap<&str, &Path> = HashMap::new();
    for c in &cases {
        if let Some(first) = seen.insert(&c.id, &c.file) {
            errors
                .push(LoadError::file(&c.file, format!("duplicate case id `{}` (also in {})", c.id, first.display())));
        }
    }
    if errors.is_empty() {
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(cases)
    } else {
        Err(errors)
    }
}

/// Collects the case files under `dir`. Symbolic links are followed: to a
/// folder, unless it leads back into a folder being walked (a loop, which
/// is an error); to a file, like any file.
fn walk(dir: &Path, depth: usize, files: &mut BTreeSet<PathBuf>, errors: &mut Vec<LoadError>) {
    let mut ancestors = Vec::new();
    walk_in(dir, depth, &mut ancestors, files, errors);
}

fn walk_in(
    dir: &Path,
    depth: usize,
    ancestors: &mut Vec<PathBuf>,
    files: &mut BTreeSet<PathBuf>,
    errors: &mut Vec<LoadError>,
) {
    if depth > 32 {
        errors.push(LoadError::file(dir, "folders nested too deep (more than 32 levels)"));
        return;
    }
    let real = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if ancestors.contains(&real) {
        errors.push(LoadError::file(
            dir,
            format!("symbolic link loop: this folder is {}, which contains it", real.display()),
        ));
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return errors.push(LoadError::file(dir, format!("cannot read folder: {e}"))),
    };
    ancestors.push(real);
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(mut ft) = entry.file_type() else { continue };
        if ft.is_symlink() {
            match fs::metadata(&path) {
                Ok(m) => ft = m.file_type(),
                Err(e) => {
                    errors.push(LoadError::file(&path, format!("cannot follow symbolic link: {e}")));
                    continue;
                }
            }
        }
        if ft.is_dir() {
            walk_in(&path, depth + 1, ancestors, files, errors);
        } else if path.extension().is_some_and(|e| e == "toml") && !is_reserved(&path) {
            files.insert(path);
        }
    }
    ancestors.pop();
}

/// `suite.toml` and `contract.toml` hold no cases.
fn is_reserved(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == SUITE_FILE || n == "contract.toml")
}

/// Reads a file as UTF-8 text, refusing huge, non-UTF-8 and too deeply nested input.
pub fn read_source(path: &Path) -> Result<String, LoadError> {
    let bytes = read_regular(path, MAX_FILE_BYTES).map_err(|e| LoadError::file(path, e))?;
    decode(path, bytes)
}

/// Loads the cases of one file's bytes with no suite around them (what the
/// fuzzer drives): the same checks as for a file on disk. Never panics.
pub fn load_bytes(path: &Path, bytes: &[u8], opts: &LoadOptions) -> Result<Vec<Case>, Vec<LoadError>> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(vec![LoadError::file(path, "file is too large")]);
    }
    let src = decode(path, bytes.to_vec()).map_err(|e| vec![e])?;
    let (mut cases, mut errors) = (Vec::new(), Vec::new());
    load_file(path, &src, &Suite::default(), opts, &BodyFiles::default(), &mut cases, &mut errors);
    if errors.is_empty() { Ok(cases) } else { Err(errors) }
}

/// UTF-8 and nesting checks shared by every way in.
fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, LoadError> {
    let src = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let at = String::from_utf8_lossy(&e.as_bytes()[..good]).len();
            return Err(LoadError::at(path, &lossy, at..at, "invalid UTF-8: case files must be UTF-8 text"));
        }
    };
    if let Some(at) = too_deep(&src) {
        return Err(LoadError::at(path, &src, at..at, format!("nested deeper than {MAX_DEPTH} levels")));
    }
    Ok(src)
}

/// Finds where brackets outside strings and comments nest past
/// [`MAX_DEPTH`], before the recursive parser sees the text.
fn too_deep(src: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' && q == b'"' {
                    i += 1;
                } else if b == q || b == b'\n' {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(i);
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// Suite settings merged from the outermost `suite.toml` inwards.
#[derive(Debug, Clone, Default)]
struct Suite {
    /// The folder that case ids are relative to.
    id_base: Option<PathBuf>,
    vars: Vec<(String, JsonTemplate)>,
    secrets: Vec<String>,
    headers: Vec<(String, Template)>,
    strict: Option<bool>,
    shape: Option<crate::contract::ShapeMode>,
    requires: Vec<String>,
    exclusive: Option<bool>,
    target: TargetSettings,
    setup: Vec<Step>,
    teardown: Vec<Step>,
    /// Steps under test appended to every case's own steps.
    after: Vec<Step>,
    contract: Option<Arc<Contract>>,
}

#[derive(Default)]
struct SuiteCache {
    /// A folder's own suite file, parsed; `None` when there is none or it is broken.
    own: HashMap<PathBuf, Option<Arc<Suite>>>,
}

impl SuiteCache {
    /// The merged suite for a case file: every `suite.toml` from the file's
    /// folder up to the file system root (or a folder holding `.git`).
    fn chain(&mut self, file: &Path, errors: &mut Vec<LoadError>) -> Suite {
        let abs = fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        let mut dirs = Vec::new();
        let mut cur = abs.parent();
        while let Some(d) = cur {
            dirs.push(d.to_path_buf());
            if d.join(".git").exists() {
                break;
            }
            cur = d.parent();
        }
        let mut merged = Suite::default();
        let mut outermost = None;
        for d in dirs.iter().rev() {
            let own = self.own.entry(d.clone()).or_insert_with(|| load_suite(d, errors)).clone();
            if let Some(s) = own {
                outermost.get_or_insert_with(|| d.clone());
                merge(&mut merged, &s);
            }
        }
        // Ids are relative to the parent of the outermost suite folder, so
        // the suite's own folder name starts every id; with no suite, to the
        // parent of the file's folder.
        let root = outermost.unwrap_or_else(|| abs.parent().map(Path::to_path_buf).unwrap_or_default());
        merged.id_base = Some(root.parent().map(Path::to_path_buf).unwrap_or(root));
        merged
    }
}

/// A path relative to the working folder when it lies below it, for messages.
fn display_path(abs: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| abs.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| abs.to_path_buf())
}

fn merge(into: &mut Suite, s: &Suite) {
    for (k, v) in &s.vars {
        into.vars.retain(|(n, _)| n != k);
        into.vars.push((k.clone(), v.clone()));
    }
    into.secrets.extend(s.secrets.iter().cloned());
    for (k, v) in &s.headers {
        into.headers.retain(|(n, _)| n != k);
        into.headers.push((k.clone(), v.clone()));
    }
    into.strict = s.strict.or(into.strict);
    into.shape = s.shape.or(into.shape);
    into.exclusive = s.exclusive.or(into.exclusive);
    into.requires.extend(s.requires.iter().cloned());
    into.target.signing_name = s.target.signing_name.clone().or(into.target.signing_name.take());
    into.target.region = s.target.region.clone().or(into.target.region.take());
    into.contract = s.contract.clone().or(into.contract.take());
    into.setup.extend(s.setup.iter().cloned());
    into.after.extend(s.after.iter().cloned());
    let mut td = s.teardown.clone();
    td.append(&mut into.teardown);
    into.teardown = td;
}

fn load_suite(dir: &Path, errors: &mut Vec<LoadError>) -> Option<Arc<Suite>> {
    let path = display_path(&dir.join(SUITE_FILE));
    if !path.is_file() {
        return None;
    }
    let src = match read_source(&path) {
        Ok(s) => s,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let raw: RawSuite = match toml::from_str(&src) {
        Ok(r) => r,
        Err(e) => {
            errors.push(toml_error(&path, &src, &e));
            return None;
        }
    };
    let bodies = BodyFiles::default();
    let mut cx = Cx { path: &path, src: &src, errors: Vec::new(), bodies: &bodies, contract: None };
    // Steps written as `operation` + `input` need the model.
    let contract = raw.contract.as_ref().and_then(|c| cx.contract(dir, c));
    cx.contract = contract.clone();
    let vars = raw.vars.as_ref().map(|v| cx.vars(v)).unwrap_or_default();
    let headers = raw.headers.as_ref().map(|h| cx.string_table(h, true)).unwrap_or_default();
    let setup = cx.steps(&raw.setup, "setup");
    let teardown = cx.steps(&raw.teardown, "teardown");
    let after = cx.steps(&raw.after, "after");
    let target = raw.target.unwrap_or_default();
    let suite = Suite {
        id_base: None,
        vars,
        secrets: raw.secrets.unwrap_or_default(),
        headers,
        strict: raw.strict,
        shape: raw.shape,
        requires: raw.requires,
        exclusive: raw.exclusive,
        target: TargetSettings { signing_name: target.signing_name, region: target.region },
        setup,
        teardown,
        after,
        contract,
    };
    // Kept even when part of it is broken (its errors are reported): the
    // cases below are still checked on their own merits, with the suite's
    // vars and steps, rather than drowned in errors that follow from it.
    errors.append(&mut cx.errors);
    Some(Arc::new(suite))
}

/// Turns a toml/serde error into a located one, with a did-you-mean for
/// unknown keys.
fn toml_error(path: &Path, src: &str, e: &toml::de::Error) -> LoadError {
    let span = e.span().unwrap_or(0..0);
    let mut msg = e.message().trim().to_owned();
    if (msg.starts_with("invalid type") || msg.starts_with("invalid value"))
        && let Some(key) = key_before(src, span.start)
    {
        msg = format!("`{key}`: {msg}");
    }
    let msg = suggest_key(&msg).unwrap_or(msg);
    // Spanned values receive TOML dates as bare strings and refuse them.
    let msg = if msg.contains("expected a spanned value") {
        "TOML dates and times are not allowed here: quote the value to send it as a string".to_owned()
    } else {
        msg
    };
    LoadError::at(path, src, span, msg)
}

/// The key of the `key = value` whose value starts at `at`.
fn key_before(src: &str, at: usize) -> Option<String> {
    static KEY: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r#"([A-Za-z0-9_\-]+|"[^"]*")\s*=\s*$"#).expect("a valid constant regex")
    });
    let before = src.get(..at)?;
    let line = before.rsplit('\n').next()?;
    KEY.captures(line).map(|c| c[1].trim_matches('"').to_owned())
}

/// Rewrites serde's ``unknown field `x`, expected one of `a`, `b` `` into a
/// shorter message that names the nearest key.
fn suggest_key(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (word, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let list = expected.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    Some(match nearest(word, expected.iter().copied()) {
        Some(k) => format!("unknown key `{word}`, did you mean `{k}`? (expected one of {list})"),
        None => format!("unknown key `{word}` (expected one of {list})"),
    })
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

fn load_file(
    path: &Path,
    src: &str,
    suite: &Suite,
    opts: &LoadOptions,
    bodies: &BodyFiles,
    cases: &mut Vec<Case>,
    errors: &mut Vec<LoadError>,
) {
    let raw: RawCaseFile = match toml::from_str(src) {
        Ok(r) => r,
        Err(e) => return errors.push(toml_error(path, src, &e)),
    };
    if raw.case.is_empty() {
        return errors.push(LoadError::at(path, src, 0..0, "no `[[case]]` in this file"));
    }
    let abs = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let rel = suite.id_base.as_deref().and_then(|b| abs.strip_prefix(b).ok()).unwrap_or(path).with_extension("");
    let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let rel = rel.join("/");
    let mut cx = Cx { path, src, errors: Vec::new(), bodies, contract: suite.contract.clone() };
    let mut ids: HashMap<String, String> = HashMap::new();
    for spanned in &raw.case {
        let rc = spanned.get_ref();
        let name = rc.name.get_ref().trim().to_owned();
        let name_slug = slug(&name);
        if name_slug.is_empty() {
            cx.err(rc.name.span(), "a case name needs at least one letter or digit");
            continue;
        }
        if let Some(first) = ids.insert(name_slug.clone(), name.clone()) {
            cx.err(
                rc.name.span(),
                format!("duplicate case id `{rel}::{name_slug}`: `{name}` and `{first}` give the same id; rename one"),
            );
            continue;
        }
        if rc.step.is_empty() {
            cx.err(spanned.span(), format!("case `{name}` has no `[[case.step]]`"));
        }
        let mut vars = suite.vars.clone();
        for (k, v) in rc.vars.as_ref().map(|v| cx.vars(v)).unwrap_or_default() {
            vars.retain(|(n, _)| *n != k);
            vars.push((k, v));
        }
        let mut setup = suite.setup.clone();
        setup.extend(cx.steps(&rc.setup, "setup"));
        let mut steps = cx.steps(&rc.step, "step");
        steps.extend(suite.after.iter().cloned());
        let mut teardown = cx.steps(&rc.teardown, "teardown");
        teardown.extend(suite.teardown.iter().cloned());
        let case = Case {
            id: format!("{rel}::{name_slug}"),
            name,
            file: path.to_path_buf(),
            description: rc.description.clone(),
            covers: rc.covers.as_ref().map(|c| c.get_ref().clone()).unwrap_or_default(),
            tags: rc.tags.clone(),
            requires: suite.requires.iter().chain(&rc.requires).cloned().collect(),
            skip: rc.skip.clone(),
            exclusive: rc.exclusive.or(suite.exclusive).unwrap_or(false),
            strict: rc.strict.or(suite.strict).unwrap_or(true),
            vars,
            secrets: suite.secrets.clone(),
            setup: with_headers(setup, &suite.headers),
            steps: with_headers(steps, &suite.headers),
            teardown: with_headers(teardown, &suite.headers),
            target: suite.target.clone(),
            contract: suite.contract.clone(),
            shape: suite.shape.or(suite.contract.as_ref().and_then(|c| c.shape)).unwrap_or_default(),
        };
        if let (Some(contract), Some(covers)) = (&case.contract, &rc.covers) {
            for id in covers.get_ref() {
                if !contract.has_statement(id) {
                    let hint = nearest(id, contract.statements.iter().map(|s| s.id.as_str()))
                        .map(|n| format!(", did you mean `{n}`?"))
                        .unwrap_or_default();
                    let at = self_find(src, covers.span(), id);
                    cx.err(at..at, format!("`{id}` is not a statement of the contract{hint}"));
                }
            }
        }
        cx.check_names(&case, rc, opts);
        cases.push(case);
    }
    errors.append(&mut cx.errors);
}

/// The offset of `"needle"` inside `span`, or the span's start.
fn self_find(src: &str, span: Range<usize>, needle: &str) -> usize {
    src.get(span.clone()).and_then(|text| text.find(&format!("\"{needle}\""))).map_or(span.start, |i| span.start + i)
}

/// Suite headers come first; a step's own header of the same name wins.
fn with_headers(mut steps: Vec<Step>, suite: &[(String, Template)]) -> Vec<Step> {
    for s in &mut steps {
        let own = std::mem::take(&mut s.request.headers);
        let mut all: Vec<(String, Template)> =
            suite.iter().filter(|(k, _)| !own.iter().any(|(o, _)| o == k)).cloned().collect();
        all.extend(own);
        all.shrink_to_fit();
        s.request.headers = all;
    }
    steps.shrink_to_fit();
    steps
}

/// The parts of a step's request: method, path, query, headers, body.
type RequestParts = (Template, Template, Vec<(String, Template)>, Vec<(String, Template)>, RequestBody);

/// Conversion context: the file, its text and the errors found so far.
struct Cx<'a> {
    path: &'a Path,
    src: &'a str,
    errors: Vec<LoadError>,
    bodies: &'a BodyFiles,
    /// The suite's contract, whose model serializes `operation` steps.
    contract: Option<Arc<Contract>>,
}

/// A body file as read, or why it could not be.
type BodyFile = Result<Arc<Vec<u8>>, String>;

/// Body files of one load, each read once however many steps send it.
#[derive(Default)]
struct BodyFiles(std::sync::Mutex<HashMap<PathBuf, BodyFile>>);

impl BodyFiles {
    fn read(&self, path: &Path) -> BodyFile {
        let key = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(key).or_insert_with(|| read_regular(path, MAX_BODY_FILE_BYTES).map(Arc::new)).clone()
    }
}

impl Cx<'_> {
    fn err(&mut self, span: Range<usize>, msg: impl Into<String>) {
        self.errors.push(LoadError::at(self.path, self.src, span, msg));
    }

    /// Parses a template, reporting errors at the right column.
    fn template(&mut self, s: &str, span: Range<usize>) -> Option<Template> {
        match Template::parse(s) {
            Ok(t) => Some(t),
            Err(e) => {
                let at = span.start + self.quote_len(&span) + e.offset;
                self.err(at..at, e.message);
                None
            }
        }
    }

    /// Where the text of a string value starts after its opening quote(s).
    fn quote_len(&self, span: &Range<usize>) -> usize {
        let s = self.src.get(span.clone()).unwrap_or("");
        if s.starts_with("\"\"\"") || s.starts_with("'''") {
            3
        } else if s.starts_with('"') || s.starts_with('\'') {
            1
        } else {
            0
        }
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<Template> {
        match node.get_ref() {
            Tree::String(s) => self.template(s, node.span()),
            other => {
                self.err(node.span(), format!("{what} must be a string, found {}", other.type_name()));
                None
            }
        }
    }

    /// A table of string values (headers, query); numbers and booleans are
    /// accepted as their text.
    fn string_table(&mut self, table: &BTreeMap<String, Node>, lowercase: bool) -> Vec<(String, Template)> {
        let mut out = Vec::new();
        for (k, node) in table {
            let t = match node.get_ref() {
                Tree::String(s) => self.template(s, node.span()),
                Tree::Integer(i) => Template::parse(&i.to_string()).ok(),
                Tree::Boolean(b) => Template::parse(&b.to_string()).ok(),
                other => {
                    self.err(node.span(), format!("`{k}` must be a string, found {}", other.type_name()));
                    None
                }
            };
            if let Some(t) = t {
                out.push((if lowercase { k.to_ascii_lowercase() } else { k.clone() }, t));
            }
        }
        out.shrink_to_fit();
        out
    }

    /// Loads the contract a suite names, relative to the suite's folder.
    fn contract(&mut self, dir: &Path, name: &Spanned<String>) -> Option<Arc<Contract>> {
        let path = display_path(&dir.join(name.get_ref()));
        let src = match read_source(&path) {
            Ok(s) => s,
            Err(e) => {
                self.err(name.span(), format!("cannot load contract `{}`: {}", name.get_ref(), e.message));
                return None;
            }
        };
        let raw: RawContract = match toml::from_str(&src) {
            Ok(r) => r,
            Err(e) => {
                self.errors.push(toml_error(&path, &src, &e));
                return None;
            }
        };
        match Contract::from_raw(&path, raw) {
            Ok(c) => Some(Arc::new(c)),
            Err(problems) => {
                self.errors.extend(problems.into_iter().map(|e| LoadError::file(&path, e)));
                None
            }
        }
    }

    fn vars(&mut self, vars: &Spanned<BTreeMap<String, Node>>) -> Vec<(String, JsonTemplate)> {
        let mut out = Vec::new();
        for (k, node) in vars.get_ref() {
            if let Some(why) = reserved_name(k) {
                self.err(node.span(), why);
                continue;
            }
            if !is_valid_name(k) {
                self.err(node.span(), format!("invalid variable name `{k}`"));
                continue;
            }
            if let Some(t) = self.json_template(node, false) {
                out.push((k.clone(), t));
            }
        }
        out
    }

    fn json_template(&mut self, node: &Node, allow_repeat: bool) -> Option<JsonTemplate> {
        Some(match node.get_ref() {
            Tree::String(s) => {
                let t = self.template(s, node.span())?;
                // A literal's text is the template's: `{{ repeat(...) }}` expanded.
                if t.is_literal() { JsonTemplate::Lit(Value::String(t.to_string())) } else { JsonTemplate::Str(t) }
            }
            Tree::Integer(i) => JsonTemplate::Lit(Value::from(*i)),
            Tree::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => JsonTemplate::Lit(Value::Number(n)),
                None => {
                    self.err(node.span(), "JSON has no NaN or infinity");
                    return None;
                }
            },
            Tree::Boolean(b) => JsonTemplate::Lit(Value::Bool(*b)),
            Tree::Array(items) => {
                let items: Vec<_> = items.iter().map(|n| self.json_template(n, allow_repeat)).collect();
                JsonTemplate::Array(items.into_iter().collect::<Option<_>>()?)
            }
            Tree::Table(entries) => {
                let has = |k: &str| entries.iter().find(|(n, _)| n == k).map(|(_, v)| v);
                if let Some(list) = has("$map") {
                    let item = self.generator_item(node, list, entries, allow_repeat, "$map", "\"{{list}}\"")?;
                    let list = match list.get_ref() {
                        Tree::String(s) => self.template(s, list.span())?,
                        _ => {
                            self.err(list.span(), "`$map` takes a list variable, such as \"{{user_ids}}\"");
                            return None;
                        }
                    };
                    let item = self.json_template(item, allow_repeat)?;
                    return Some(JsonTemplate::Map { list, item: Box::new(item) });
                }
                if let Some(count) = has("$repeat") {
                    let item = self.generator_item(node, count, entries, allow_repeat, "$repeat", "N")?;
                    let count = match count.get_ref() {
                        Tree::Integer(n) if (0..=100_000).contains(n) => *n as usize,
                        _ => {
                            self.err(count.span(), "`$repeat` must be an integer from 0 to 100000");
                            return None;
                        }
                    };
                    let item = self.json_template(item, allow_repeat)?;
                    return Some(JsonTemplate::Repeat { count, item: Box::new(item) });
                }
                let mut out = Vec::new();
                let mut ok = true;
                for (k, v) in entries {
                    match self.json_template(v, allow_repeat) {
                        Some(t) => out.push((k.clone(), t)),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                out.shrink_to_fit();
                JsonTemplate::Object(out)
            }
        })
    }

    /// The `$item` of a `$repeat` or `$map` table, which only request bodies
    /// may hold and which has exactly those two keys.
    fn generator_item<'n>(
        &mut self,
        table: &Node,
        key_value: &Node,
        entries: &'n [(String, Node)],
        allowed: bool,
        key: &str,
        example: &str,
    ) -> Option<&'n Node> {
        if !allowed {
            self.err(key_value.span(), format!("`{key}` is only allowed in request bodies"));
            return None;
        }
        match (entries.iter().find(|(n, _)| n == "$item"), entries.len()) {
            (Some((_, item)), 2) => Some(item),
            _ => {
                self.err(table.span(), format!("`{key}` needs exactly `{key} = {example}` and `$item = ...`"));
                None
            }
        }
    }

    fn steps(&mut self, raw: &[Spanned<RawStep>], kind: &str) -> Vec<Step> {
        let mut steps: Vec<Step> =
            raw.iter().enumerate().filter_map(|(i, s)| self.step(s, &format!("{kind} {}", i + 1))).collect();
        // Cases stay in memory for the whole run: no spare capacity.
        steps.shrink_to_fit();
        steps
    }

    fn step(&mut self, spanned: &Spanned<RawStep>, default_name: &str) -> Option<Step> {
        let raw = spanned.get_ref();
        let before = self.errors.len();
        let parts = match &raw.operation {
            Some(op) => self.operation(spanned, op),
            None => self.http_parts(spanned),
        };
        let expect = raw.expect.as_ref().map(|e| self.expect(e)).unwrap_or_default();
        let captures = raw.capture.as_ref().map(|c| self.captures(c)).unwrap_or_default();
        let sign = match raw.sign.as_ref().map(|n| (n, n.get_ref())) {
            None | Some((_, Tree::Boolean(true))) => SignMode::Signed,
            Some((_, Tree::Boolean(false))) => SignMode::Unsigned,
            Some((n, Tree::String(s))) => match SignMode::NAMED.iter().find(|(k, _)| k == s) {
                Some((_, m)) => *m,
                None => {
                    let names: Vec<&str> = SignMode::NAMED.iter().map(|(k, _)| *k).collect();
                    let hint =
                        nearest(s, names.iter().copied()).map(|k| format!(", did you mean `{k}`?")).unwrap_or_default();
                    self.err(
                        n.span(),
                        format!("unknown signing mode `{s}`{hint} (true, false, or one of {})", names.join(", ")),
                    );
                    SignMode::Signed
                }
            },
            Some((n, other)) => {
                self.err(n.span(), format!("`sign` is true, false or a mis-signing mode, found {}", other.type_name()));
                SignMode::Signed
            }
        };
        let repeat = match (&raw.repeat, &raw.for_each) {
            (Some(_), Some(f)) => {
                self.err(f.span(), "a step has `repeat` or `for_each`, not both");
                None
            }
            (Some(n), None) => match n.get_ref() {
                Tree::Integer(c) if (1..=10_000).contains(c) => Some(StepRepeat::Times(*c as usize)),
                _ => {
                    self.err(n.span(), "`repeat` is an integer from 1 to 10000");
                    None
                }
            },
            (None, Some(f)) => match f.get_ref() {
                Tree::String(_) | Tree::Array(_) => self.json_template(f, false).map(StepRepeat::ForEach),
                other => {
                    self.err(f.span(), format!("`for_each` is a list or a list variable, found {}", other.type_name()));
                    None
                }
            },
            (None, None) => None,
        };
        if let Some(v) = &raw.if_var {
            let name = v.get_ref();
            let root = name.split('.').next().unwrap_or(name);
            if !is_valid_name(name) {
                self.err(v.span(), format!("invalid variable name `{name}` in `if_var`"));
            } else if !name.starts_with("env.") && reserved_name(root).is_some() {
                self.err(v.span(), format!("`if_var` cannot test `{name}`: the runner always gives it a value"));
            }
        }
        if let Some((_, _, _, _, RequestBody::Json(t))) = &parts {
            let times = match &repeat {
                Some(StepRepeat::Times(n)) => *n as u64,
                _ => 1,
            };
            let values = expanded_size(t).saturating_mul(times);
            if values > MAX_EXPANDED_VALUES {
                self.err(
                    raw.json.as_ref().map_or(spanned.span(), |j| j.span()),
                    format!(
                        "this step would send {values} JSON values (`$repeat` and `repeat` multiply), over the limit of {MAX_EXPANDED_VALUES}"
                    ),
                );
            }
        }
        if self.errors.len() > before {
            return None;
        }
        let (method, path, query, headers, body) = parts?;
        Some(Step {
            name: raw.name.clone().unwrap_or_else(|| default_name.to_owned()),
            request: Request { method, path, query, headers, body, raw_path: raw.raw_path == Some(true) },
            expect,
            captures,
            sign,
            repeat,
            unless_var: raw.unless_var.clone(),
            if_var: raw.if_var.as_ref().map(|v| v.get_ref().clone()),
        })
    }

    /// The request of a step written with `method` and `path`.
    fn http_parts(&mut self, spanned: &Spanned<RawStep>) -> Option<RequestParts> {
        let raw = spanned.get_ref();
        let before = self.errors.len();
        let (Some(raw_method), Some(raw_path)) = (&raw.method, &raw.path) else {
            let missing = if raw.method.is_none() { "method" } else { "path" };
            self.err(spanned.span(), format!("missing field `{missing}`"));
            return None;
        };
        if let Some(input) = &raw.input {
            self.err(input.span(), "`input` goes with `operation`, not with `method` and `path`");
        }
        let method = self.string(raw_method, "`method`");
        if let (Some(m), Tree::String(s)) = (&method, raw_method.get_ref())
            && m.is_literal()
            && (s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphabetic()))
        {
            self.err(raw_method.span(), format!("invalid HTTP method `{s}`"));
        }
        let path = self.string(raw_path, "`path`");
        if let Tree::String(s) = raw_path.get_ref()
            && !s.starts_with('/')
            && !s.starts_with("{{")
        {
            self.err(raw_path.span(), "`path` must start with `/` (it is joined to the target's base URL)");
        }
        let query = raw.query.as_ref().map(|q| self.string_table(q.get_ref(), false)).unwrap_or_default();
        let headers = raw.headers.as_ref().map(|h| self.string_table(h.get_ref(), true)).unwrap_or_default();
        let bodies = [raw.json.is_some(), raw.text.is_some(), raw.file.is_some()];
        if bodies.iter().filter(|b| **b).count() > 1 {
            self.err(spanned.span(), "a step has at most one of `json`, `text` and `file`");
        }
        let body = if let Some(j) = &raw.json {
            self.json_template(j, true).map(RequestBody::Json)
        } else if let Some(t) = &raw.text {
            self.string(t, "`text`").map(RequestBody::Text)
        } else if let Some(f) = &raw.file {
            let base = self.path.parent().unwrap_or(Path::new("."));
            match self.bodies.read(&base.join(f.get_ref())) {
                Ok(bytes) => Some(RequestBody::File(bytes)),
                Err(e) => {
                    self.err(f.span(), format!("body file `{}`: {e}", f.get_ref()));
                    None
                }
            }
        } else {
            Some(RequestBody::Empty)
        };
        if self.errors.len() > before {
            return None;
        }
        Some((method?, path?, query, headers, body?))
    }

    /// The request of a step written with `operation` and `input`: the
    /// suite's model serializes the input as its protocol binds it. The
    /// step's own `query` and `headers` are added (its headers win).
    fn operation(&mut self, spanned: &Spanned<RawStep>, op: &Spanned<String>) -> Option<RequestParts> {
        let raw = spanned.get_ref();
        let before = self.errors.len();
        for (given, key) in [
            (raw.method.is_some(), "method"),
            (raw.path.is_some(), "path"),
            (raw.json.is_some(), "json"),
            (raw.text.is_some(), "text"),
            (raw.file.is_some(), "file"),
        ] {
            if given {
                self.err(
                    op.span(),
                    format!("a step with `operation` has no `{key}`: the operation's input builds the request"),
                );
            }
        }
        let Some(contract) = self.contract.clone() else {
            self.err(op.span(), "`operation` needs a suite contract (`contract = \"contract.toml\"` in suite.toml) whose model defines it");
            return None;
        };
        let input_span = raw.input.as_ref().map_or(op.span(), |n| n.span());
        let input = match &raw.input {
            Some(node) => self.plain_json(node)?,
            None => Value::Object(Default::default()),
        };
        let req = match crate::protocol::serialize_request(&contract.model, op.get_ref(), &input) {
            Ok(r) => r,
            Err(e) => {
                let span = if matches!(e, crate::protocol::SerializeError::UnknownOperation(_)) {
                    op.span()
                } else {
                    input_span
                };
                self.err(span, format!("{e} (model `{}`)", contract.path.display()));
                return None;
            }
        };
        let method = self.template(&req.method, op.span());
        let path = self.template(&req.path, input_span.clone());
        let mut query: Vec<(String, Template)> =
            req.query.iter().filter_map(|(k, v)| Some((k.clone(), self.template(v, input_span.clone())?))).collect();
        query.extend(raw.query.as_ref().map(|q| self.string_table(q.get_ref(), false)).unwrap_or_default());
        let own = raw.headers.as_ref().map(|h| self.string_table(h.get_ref(), true)).unwrap_or_default();
        let mut headers: Vec<(String, Template)> = req
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .filter(|(k, _)| !own.iter().any(|(o, _)| o == k))
            .filter_map(|(k, v)| Some((k, self.template(v, input_span.clone())?)))
            .collect();
        headers.extend(own);
        let body = match &req.body {
            crate::protocol::SerializedBody::Json(v) => self.value_template(v, &input_span).map(RequestBody::Json),
            crate::protocol::SerializedBody::Text(t) => self.template(t, input_span.clone()).map(RequestBody::Text),
            _ => Some(RequestBody::Empty),
        };
        if self.errors.len() > before {
            return None;
        }
        Some((method?, path?, query, headers, body?))
    }

    /// A TOML value as plain JSON (strings keep their `{{templates}}`).
    fn plain_json(&mut self, node: &Node) -> Option<Value> {
        Some(match node.get_ref() {
            Tree::String(s) => Value::String(s.clone()),
            Tree::Integer(i) => Value::from(*i),
            Tree::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => Value::Number(n),
                None => {
                    self.err(node.span(), "JSON has no NaN or infinity");
                    return None;
                }
            },
            Tree::Boolean(b) => Value::Bool(*b),
            Tree::Array(items) => Value::Array(items.iter().map(|i| self.plain_json(i)).collect::<Option<_>>()?),
            Tree::Table(entries) => {
                if let Some((k, v)) = entries.iter().find(|(k, _)| k == "$repeat" || k == "$map") {
                    self.err(v.span(), format!("`{k}` is not available in `input`; write the items out"));
                    return None;
                }
                Value::Object(
                    entries.iter().map(|(k, v)| Some((k.clone(), self.plain_json(v)?))).collect::<Option<_>>()?,
                )
            }
        })
    }

    /// A serialized JSON body as a template (its strings may hold `{{...}}`).
    fn value_template(&mut self, v: &Value, span: &Range<usize>) -> Option<JsonTemplate> {
        Some(match v {
            Value::String(s) => {
                let t = self.template(s, span.clone())?;
                if t.is_literal() { JsonTemplate::Lit(Value::String(t.to_string())) } else { JsonTemplate::Str(t) }
            }
            Value::Array(items) => {
                JsonTemplate::Array(items.iter().map(|i| self.value_template(i, span)).collect::<Option<_>>()?)
            }
            Value::Object(m) => JsonTemplate::Object(
                m.iter().map(|(k, i)| Some((k.clone(), self.value_template(i, span)?))).collect::<Option<_>>()?,
            ),
            other => JsonTemplate::Lit(other.clone()),
        })
    }

    fn expect(&mut self, raw: &RawExpect) -> Expect {
        let status = raw.status.as_ref().and_then(|n| {
            let one = |cx: &mut Self, n: &Node| match n.get_ref() {
                Tree::Integer(i) if (100..=599).contains(i) => Some(*i as u16),
                _ => {
                    cx.err(n.span(), "a status is an integer from 100 to 599");
                    None
                }
            };
            match n.get_ref() {
                Tree::Array(items) if !items.is_empty() => items.iter().map(|i| one(self, i)).collect(),
                Tree::Array(_) => {
                    self.err(n.span(), "a list of statuses cannot be empty");
                    None
                }
                _ => one(self, n).map(|s| vec![s]),
            }
        });
        let mut headers = Vec::new();
        for (name, node) in raw.headers.iter().flatten() {
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                self.err(node.span(), format!("invalid header name `{name}`"));
                continue;
            }
            if let Some(m) = self.header_matcher(node) {
                headers.push((name.to_ascii_lowercase(), m));
            }
        }
        if raw.json.is_some() && raw.text.is_some() {
            self.err(raw.json.as_ref().map(|j| j.span()).unwrap_or(0..0), "expect either `json` or `text`, not both");
        }
        let body = if let Some(j) = &raw.json {
            self.matcher(j).map(BodyExpect::Json)
        } else if let Some(t) = &raw.text {
            self.text_matcher(t).map(BodyExpect::Text)
        } else {
            None
        };
        let error = raw.error.as_ref().and_then(|e| {
            let names: Option<Vec<Template>> = match e.get_ref() {
                Tree::String(s) if !s.trim().is_empty() => Template::parse(s).ok().map(|t| vec![t]),
                Tree::Array(items) if !items.is_empty() => items
                    .iter()
                    .map(|i| match i.get_ref() {
                        Tree::String(s) if !s.trim().is_empty() => Template::parse(s).ok(),
                        _ => None,
                    })
                    .collect(),
                _ => None,
            };
            if names.is_none() {
                self.err(
                    e.span(),
                    "`error` is an error type, such as \"BadRequestException\", or a list of the error types allowed",
                );
            }
            names
        });
        headers.shrink_to_fit();
        Expect {
            status,
            headers,
            body,
            error,
            strict: raw.strict,
            any_content_type: raw.any_content_type == Some(true),
        }
    }

    fn regex(&mut self, node: &Node) -> Option<Regex> {
        let Tree::String(s) = node.get_ref() else {
            self.err(node.span(), "a regex must be a string");
            return None;
        };
        self.compile_regex(s, node)
    }

    fn compile_regex(&mut self, source: &str, node: &Node) -> Option<Regex> {
        match Regex::new(source) {
            Ok(r) => Some(r),
            Err(e) => {
                let detail = e.to_string();
                let last = detail.lines().last().unwrap_or("invalid regex").trim().to_owned();
                self.err(node.span(), format!("invalid regex: {last}"));
                None
            }
        }
    }

    /// A regex of a header or text expectation, which may hold `{{variables}}`:
    /// compiled now when it has none, else checked with a literal stand-in
    /// for each value (values are matched literally at run time).
    fn pattern(&mut self, node: &Node) -> Option<PatternTemplate> {
        let Tree::String(s) = node.get_ref() else {
            self.err(node.span(), "a regex must be a string");
            return None;
        };
        let source = self.template(s, node.span())?;
        if source.is_literal() {
            let compiled = self.compile_regex(&source.to_string(), node)?;
            return Some(PatternTemplate { source, compiled: Some(compiled) });
        }
        let probe = source.render(&mut |_| Some(Value::String("x".into()))).ok()?;
        self.compile_regex(probe.as_str().unwrap_or_default(), node)?;
        Some(PatternTemplate { source, compiled: None })
    }

    /// `"exact"`, `{ regex = "..." }`, `{ present = true }` or `{ absent = true }`.
    fn header_matcher(&mut self, node: &Node) -> Option<HeaderExpect> {
        match node.get_ref() {
            Tree::String(s) => self.template(s, node.span()).map(HeaderExpect::Exact),
            Tree::Table(entries) if entries.len() == 1 => {
                let (k, v) = &entries[0];
                match (k.as_str(), v.get_ref()) {
                    ("regex", _) => self.pattern(v).map(HeaderExpect::Regex),
                    ("present", Tree::Boolean(true)) => Some(HeaderExpect::Present),
                    ("absent", Tree::Boolean(true)) => Some(HeaderExpect::Absent),
                    _ => {
                        let hint = nearest(k, ["regex", "present", "absent"])
                            .map(|n| format!(", did you mean `{n}`?"))
                            .unwrap_or_default();
                        self.err(
                            v.span(),
                            format!("unknown header matcher `{k}`{hint} (use a string, `regex = \"...\"`, `present = true` or `absent = true`)"),
                        );
                        None
                    }
                }
            }
            _ => {
                self.err(
                    node.span(),
                    "a header expectation is a string, `{ regex = \"...\" }`, `{ present = true }` or `{ absent = true }`",
                );
                None
            }
        }
    }

    fn text_matcher(&mut self, node: &Node) -> Option<TextExpect> {
        match node.get_ref() {
            Tree::String(s) => self.template(s, node.span()).map(TextExpect::Exact),
            Tree::Table(e) if e.len() == 1 && e[0].0 == "regex" => self.pattern(&e[0].1).map(TextExpect::Regex),
            _ => {
                self.err(node.span(), "`text` is a string or `{ regex = \"...\" }`");
                None
            }
        }
    }

    /// Turns an expectation tree into a [`Matcher`]. Tables whose keys start
    /// with `$` are matchers; see the README for the list.
    fn matcher(&mut self, node: &Node) -> Option<Matcher> {
        const MATCHERS: &[&str] = &[
            "$type",
            "$regex",
            "$optional",
            "$one_of",
            "$any",
            "$absent",
            "$unordered",
            "$key",
            "$items",
            "$each",
            "$eq",
            "$strict",
            "$gt",
            "$gte",
            "$lt",
            "$lte",
            "$len",
            "$not",
        ];
        Some(match node.get_ref() {
            Tree::String(s) => {
                self.template(s, node.span())?;
                Matcher::Eq(Value::String(s.clone()))
            }
            Tree::Array(items) => {
                let ms: Vec<_> = items.iter().map(|i| self.matcher(i)).collect();
                Matcher::Array(ms.into_iter().collect::<Option<_>>()?)
            }
            Tree::Table(entries) => {
                let get = |k: &str| entries.iter().find(|(n, _)| n == k).map(|(_, v)| v);
                if let Some(r) = get("$repeat") {
                    self.err(r.span(), "`$repeat` is only allowed in request bodies");
                    return None;
                }
                if let Some((k, v)) =
                    entries.iter().find(|(k, _)| k.starts_with('$') && !MATCHERS.contains(&k.as_str()))
                {
                    let hint = nearest(k, MATCHERS.iter().copied())
                        .map(|n| format!(", did you mean `{n}`?"))
                        .unwrap_or_default();
                    self.err(v.span(), format!("unknown matcher `{k}`{hint}"));
                    return None;
                }
                let special: Vec<&str> =
                    entries.iter().map(|(k, _)| k.as_str()).filter(|k| k.starts_with('$') && *k != "$strict").collect();
                let only = |cx: &mut Self, allowed: &[&str]| {
                    if let Some((k, v)) = entries.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
                        cx.err(v.span(), format!("`{k}` cannot stand beside `{}` in one table", allowed[0]));
                        false
                    } else {
                        true
                    }
                };
                match special.first().copied() {
                    None => {
                        let strict = match get("$strict").map(|n| (n, n.get_ref())) {
                            None => None,
                            Some((_, Tree::Boolean(b))) => Some(*b),
                            Some((n, _)) => {
                                self.err(n.span(), "`$strict` is true or false");
                                return None;
                            }
                        };
                        let mut fields = Vec::new();
                        let mut ok = true;
                        for (k, v) in entries.iter().filter(|(k, _)| k != "$strict") {
                            match self.matcher(v) {
                                Some(m) => fields.push((k.clone(), m)),
                                None => ok = false,
                            }
                        }
                        if !ok {
                            return None;
                        }
                        fields.shrink_to_fit();
                        Matcher::Object { fields, strict }
                    }
                    Some("$type") => {
                        only(self, &["$type"]).then_some(())?;
                        let v = get("$type")?;
                        match v.get_ref() {
                            Tree::String(s) if JsonType::parse(s).is_some() => Matcher::Type(JsonType::parse(s)?),
                            _ => {
                                let hint = match v.get_ref() {
                                    Tree::String(s) => nearest(s, JsonType::NAMES.iter().copied())
                                        .map(|n| format!(", did you mean `{n}`?"))
                                        .unwrap_or_default(),
                                    _ => String::new(),
                                };
                                self.err(
                                    v.span(),
                                    format!("unknown type{hint} (one of {})", JsonType::NAMES.join(", ")),
                                );
                                return None;
                            }
                        }
                    }
                    Some("$regex") => {
                        only(self, &["$regex"]).then_some(())?;
                        Matcher::Regex(self.regex(get("$regex")?)?)
                    }
                    Some("$one_of") => {
                        only(self, &["$one_of"]).then_some(())?;
                        let v = get("$one_of")?;
                        if let Tree::String(s) = v.get_ref()
                            && !self.template(s, v.span())?.is_literal()
                        {
                            // A list variable (`"{{page1_ids}}"`), rendered per run.
                            return Some(Matcher::OneOfList(Value::String(s.clone())));
                        }
                        let Tree::Array(items) = v.get_ref() else {
                            self.err(v.span(), "`$one_of` takes a list of values, or a list variable (\"{{ids}}\")");
                            return None;
                        };
                        let vals: Vec<_> =
                            items.iter().map(|i| self.json_template(i, false).and_then(|t| lit(self, i, t))).collect();
                        Matcher::OneOf(vals.into_iter().collect::<Option<_>>()?)
                    }
                    Some(flag @ ("$any" | "$absent")) => {
                        only(self, &[flag]).then_some(())?;
                        let v = get(flag)?;
                        if v.get_ref() != &Tree::Boolean(true) {
                            self.err(v.span(), format!("write `{flag} = true`"));
                            return None;
                        }
                        if flag == "$any" { Matcher::Any } else { Matcher::Absent }
                    }
                    Some("$unordered") => {
                        only(self, &["$unordered"]).then_some(())?;
                        let v = get("$unordered")?;
                        let Tree::Array(items) = v.get_ref() else {
                            self.err(v.span(), "`$unordered` takes a list");
                            return None;
                        };
                        let ms: Vec<_> = items.iter().map(|i| self.matcher(i)).collect();
                        Matcher::Unordered(ms.into_iter().collect::<Option<_>>()?)
                    }
                    Some("$key" | "$items") => {
                        only(self, &["$key", "$items"]).then_some(())?;
                        let (Some(k), Some(items)) = (get("$key"), get("$items")) else {
                            self.err(node.span(), "a keyed array needs both `$key = \"Member\"` and `$items = [...]`");
                            return None;
                        };
                        let Tree::String(key) = k.get_ref() else {
                            self.err(k.span(), "`$key` is a member name");
                            return None;
                        };
                        let Tree::Array(list) = items.get_ref() else {
                            self.err(items.span(), "`$items` takes a list of tables");
                            return None;
                        };
                        let mut ms = Vec::new();
                        for i in list {
                            let m = self.matcher(i)?;
                            if key_of(&m, key).is_none() {
                                self.err(
                                    i.span(),
                                    format!("each item of a keyed array names `{key}` with an exact value"),
                                );
                                return None;
                            }
                            ms.push(m);
                        }
                        Matcher::Keyed { key: key.clone(), items: ms }
                    }
                    Some("$each") => {
                        only(self, &["$each"]).then_some(())?;
                        Matcher::Each(Box::new(self.matcher(get("$each")?)?))
                    }
                    Some("$optional") => {
                        only(self, &["$optional"]).then_some(())?;
                        Matcher::Optional(Box::new(self.matcher(get("$optional")?)?))
                    }
                    Some("$eq") => {
                        only(self, &["$eq"]).then_some(())?;
                        let v = get("$eq")?;
                        let t = self.json_template(v, false)?;
                        Matcher::Eq(lit(self, v, t)?)
                    }
                    Some(first @ ("$gt" | "$gte" | "$lt" | "$lte")) => {
                        let mut allowed = vec![first];
                        allowed.extend(["$gt", "$gte", "$lt", "$lte"].into_iter().filter(|k| *k != first));
                        only(self, &allowed).then_some(())?;
                        let mut bounds = Vec::new();
                        for (k, v) in entries {
                            let Some((_, c)) = Comparison::NAMED.iter().find(|(n, _)| n == k) else { continue };
                            bounds.push((*c, self.bound(k, v)?));
                        }
                        Matcher::Compare(bounds)
                    }
                    Some("$len") => {
                        only(self, &["$len"]).then_some(())?;
                        let v = get("$len")?;
                        let inner = self.matcher(v)?;
                        if !is_count_matcher(&inner) {
                            self.err(
                                v.span(),
                                "`$len` takes a count (`3`) or a matcher of numbers (`{ \"$gte\" = 1, \"$lte\" = 64 }`, `$one_of`, `$not`)",
                            );
                            return None;
                        }
                        Matcher::Len(Box::new(inner))
                    }
                    Some("$not") => {
                        only(self, &["$not"]).then_some(())?;
                        let v = get("$not")?;
                        let inner = self.matcher(v)?;
                        if matches!(inner, Matcher::Absent | Matcher::Optional(_)) {
                            self.err(v.span(), "`$not` takes what a present value must not match (for \"present\", write `$any = true`)");
                            return None;
                        }
                        Matcher::Not(Box::new(inner))
                    }
                    Some(_) => return None,
                }
            }
            Tree::Integer(i) => Matcher::Eq(Value::from(*i)),
            Tree::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => Matcher::Eq(Value::Number(n)),
                None => {
                    self.err(node.span(), "JSON has no NaN or infinity");
                    return None;
                }
            },
            Tree::Boolean(b) => Matcher::Eq(Value::Bool(*b)),
        })
    }

    /// The bound of a comparison: a number, a string holding a JSON number
    /// (for integers past TOML's 64 bits), or a template rendered per run.
    fn bound(&mut self, key: &str, node: &Node) -> Option<Value> {
        let why = format!("`{key}` takes a number, a string holding one, or a variable (\"{{{{max}}}}\")");
        match node.get_ref() {
            Tree::Integer(i) => Some(Value::from(*i)),
            Tree::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => Some(Value::Number(n)),
                None => {
                    self.err(node.span(), "JSON has no NaN or infinity");
                    None
                }
            },
            Tree::String(s) => {
                let t = self.template(s, node.span())?;
                if !t.is_literal() {
                    return Some(Value::String(s.clone()));
                }
                match serde_json::from_str::<Value>(s.trim()) {
                    Ok(Value::Number(n)) => Some(Value::Number(n)),
                    _ => {
                        self.err(node.span(), why);
                        None
                    }
                }
            }
            _ => {
                self.err(node.span(), why);
                None
            }
        }
    }

    fn captures(&mut self, table: &BTreeMap<String, Node>) -> Vec<Capture> {
        const USAGE: &str = "a capture is a JSONPath (`$.a.b`), `header:NAME` or `status`, or a table `{ from = \"$.a\", optional = true, list = true }`";
        let mut out = Vec::new();
        for (name, node) in table {
            if let Some(why) = reserved_name(name) {
                self.err(node.span(), why);
                continue;
            }
            if !is_valid_name(name) {
                self.err(node.span(), format!("invalid variable name `{name}`"));
                continue;
            }
            let (from, optional, list) = match node.get_ref() {
                Tree::String(s) => ((s.clone(), node.span()), false, false),
                Tree::Table(entries) => {
                    let Some(parts) = self.capture_table(node, entries, USAGE) else { continue };
                    parts
                }
                _ => {
                    self.err(node.span(), USAGE);
                    continue;
                }
            };
            let (s, span) = from;
            let source = if let Some(h) = s.strip_prefix("header:") {
                CaptureSource::Header(h.trim().to_ascii_lowercase())
            } else if s == "status" {
                CaptureSource::Status
            } else {
                match JsonPath::parse(&s) {
                    Ok(p) => CaptureSource::Body { path: p, text: s.clone() },
                    Err(e) => {
                        self.err(span, format!("invalid JSONPath `{s}`: {e}"));
                        continue;
                    }
                }
            };
            if list && !matches!(source, CaptureSource::Body { .. }) {
                self.err(node.span(), "`list = true` is for JSONPath captures, which may find several nodes");
                continue;
            }
            out.push(Capture { name: name.clone(), source, optional, list });
        }
        out
    }

    /// `{ from = "...", optional = true, list = true }`: the source (with its
    /// span) and the two flags.
    fn capture_table(
        &mut self,
        node: &Node,
        entries: &[(String, Node)],
        usage: &str,
    ) -> Option<((String, Range<usize>), bool, bool)> {
        const KEYS: &[&str] = &["from", "optional", "list"];
        let mut from = None;
        let mut flags = [false, false];
        for (k, v) in entries {
            match (k.as_str(), v.get_ref()) {
                ("from", Tree::String(s)) => from = Some((s.clone(), v.span())),
                ("optional", Tree::Boolean(b)) => flags[0] = *b,
                ("list", Tree::Boolean(b)) => flags[1] = *b,
                ("from", _) => {
                    self.err(v.span(), "`from` is a JSONPath (`$.a.b`), `header:NAME` or `status`");
                    return None;
                }
                ("optional" | "list", other) => {
                    self.err(v.span(), format!("`{k}` is true or false, found {}", other.type_name()));
                    return None;
                }
                _ => {
                    let hint =
                        nearest(k, KEYS.iter().copied()).map(|n| format!(", did you mean `{n}`?")).unwrap_or_default();
                    self.err(
                        v.span(),
                        format!("unknown capture key `{k}`{hint} (expected one of `from`, `optional`, `list`)"),
                    );
                    return None;
                }
            }
        }
        let Some(from) = from else {
            self.err(node.span(), format!("missing `from`: {usage}"));
            return None;
        };
        Some((from, flags[0], flags[1]))
    }

    /// Every `{{name}}` must be defined before its step runs: by the suite,
    /// the case, `--var`, an earlier capture, or be generated or `env.`. A
    /// name that an optional capture may have left unset is usable only in
    /// a step that says `if_var` for it.
    fn check_names(&mut self, case: &Case, raw: &RawCase, opts: &LoadOptions) {
        let mut defined: BTreeSet<String> = GENERATED.iter().map(|s| s.to_string()).collect();
        defined.extend(case.vars.iter().map(|(k, _)| k.clone()));
        defined.extend(opts.cli_vars.iter().cloned());
        // Names that may be unset at this point: optional captures, and
        // captures of steps that `if_var` may skip.
        let mut maybe: BTreeSet<String> = BTreeSet::new();
        let all_steps = || case.setup.iter().chain(&case.steps).chain(&case.teardown);
        let captured_anywhere: BTreeSet<String> =
            all_steps().flat_map(|s| s.captures.iter().map(|c| c.name.clone())).collect();
        // (name, message, whether it is about an `if_var`)
        let mut problems: Vec<(String, String, bool)> = Vec::new();
        let mut if_var_problems: Vec<(String, String, bool)> = Vec::new();
        let mut check = |name: &str,
                         in_repeat: bool,
                         defined: &BTreeSet<String>,
                         maybe: &BTreeSet<String>,
                         guard: Option<&str>| {
            let root = name.split('.').next().unwrap_or(name);
            // A step guarded by `if_var` runs only when its variable has a value.
            if name.starts_with("env.")
                || defined.contains(name)
                || defined.contains(root)
                || guard == Some(root)
                || (in_repeat && (name == "index" || root == "item"))
            {
                return;
            }
            if maybe.contains(root) {
                problems.push((
                    name.to_owned(),
                    format!(
                        "variable `{root}` may be unset here (an optional capture may find nothing, or its step may be skipped): add `if_var = \"{root}\"` to this step"
                    ),
                    false,
                ));
                return;
            }
            let msg = if name == "index" || name == "item" {
                format!("`{{{{{name}}}}}` is only defined in a repeated step or inside `$repeat` and `$map`")
            } else if captured_anywhere.contains(name) {
                format!("variable `{name}` is used before the step that captures it")
            } else {
                let hint = nearest(name, defined.iter().map(String::as_str))
                    .map(|n| format!(", did you mean `{n}`?"))
                    .unwrap_or_default();
                format!(
                    "undefined variable `{name}`{hint} (define it in `vars`, pass `--var {name}=...`, or capture it in an earlier step)"
                )
            };
            problems.push((name.to_owned(), msg, false));
        };
        for (_, v) in &case.vars {
            json_names_in(v, false, &mut |n, _| check(n, false, &defined, &maybe, None));
        }
        for step in all_steps() {
            let guard = step.if_var.as_deref().map(|v| v.split('.').next().unwrap_or(v));
            if let Some(root) = guard
                && !step.if_var.as_deref().is_some_and(|v| v.starts_with("env."))
                && !defined.contains(root)
                && !maybe.contains(root)
            {
                // Not defined before this step: a name only `--var` gives,
                // unless it is a capture that comes later or a near miss.
                let known = defined.iter().chain(&maybe).chain(&captured_anywhere).map(String::as_str);
                let msg = if captured_anywhere.contains(root) {
                    Some(format!("`if_var` names `{root}`, which is captured only after this step"))
                } else {
                    nearest(root, known).map(|n| {
                        format!("`if_var` names `{root}`, which nothing defines before this step; did you mean `{n}`? (a name only `--var` gives must not be this close to another)")
                    })
                };
                if let Some(msg) = msg {
                    if_var_problems.push((root.to_owned(), msg, true));
                }
            }
            let r = &step.request;
            let repeated = step.repeat.is_some();
            if let Some(StepRepeat::ForEach(t)) = &step.repeat {
                json_names_in(t, false, &mut |n, rep| check(n, rep, &defined, &maybe, guard));
            }
            let mut templates: Vec<&Template> = vec![&r.method, &r.path];
            templates.extend(r.query.iter().chain(&r.headers).map(|(_, t)| t));
            if let RequestBody::Text(t) = &r.body {
                templates.push(t);
            }
            for t in templates {
                t.vars().for_each(|(n, _)| check(n, repeated, &defined, &maybe, guard));
            }
            if let RequestBody::Json(j) = &r.body {
                json_names_in(j, repeated, &mut |n, rep| check(n, rep, &defined, &maybe, guard));
            }
            for t in step.expect.error.iter().flatten() {
                t.vars().for_each(|(n, _)| check(n, repeated, &defined, &maybe, guard));
            }
            let mut expect_templates: Vec<&Template> = Vec::new();
            for (_, h) in &step.expect.headers {
                match h {
                    HeaderExpect::Exact(t) | HeaderExpect::Regex(PatternTemplate { source: t, .. }) => {
                        expect_templates.push(t)
                    }
                    HeaderExpect::Present | HeaderExpect::Absent => {}
                }
            }
            if let Some(BodyExpect::Text(TextExpect::Exact(t) | TextExpect::Regex(PatternTemplate { source: t, .. }))) =
                &step.expect.body
            {
                expect_templates.push(t);
            }
            for t in expect_templates {
                t.vars().for_each(|(n, _)| check(n, repeated, &defined, &maybe, guard));
            }
            if let Some(BodyExpect::Json(m)) = &step.expect.body {
                let _ = m.map_values(&mut |v: &Value| -> Result<Value, ()> {
                    if let Some(t) = v.as_str().and_then(|s| Template::parse(s).ok()) {
                        t.vars().for_each(|(n, _)| check(n, repeated, &defined, &maybe, guard));
                    }
                    Ok(v.clone())
                });
            }
            for c in &step.captures {
                // A repeated step's captures are lists from its start, and a
                // list capture finds at least the empty list; an optional
                // capture that finds nothing unsets its variable.
                if c.optional && !c.list && !repeated {
                    defined.remove(&c.name);
                    maybe.insert(c.name.clone());
                } else if step.if_var.is_some() {
                    if !defined.contains(&c.name) {
                        maybe.insert(c.name.clone());
                    }
                } else {
                    maybe.remove(&c.name);
                    defined.insert(c.name.clone());
                }
            }
        }
        problems.append(&mut if_var_problems);
        problems.sort();
        problems.dedup_by(|a, b| a.0 == b.0 && a.2 == b.2);
        for (name, msg, about_if_var) in problems {
            let start = raw.name.span().start;
            let at = if about_if_var {
                static IF_VAR: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
                    Regex::new(r#"if_var\s*=\s*["']([^"']*)["']"#).expect("a valid constant regex")
                });
                IF_VAR
                    .captures_iter(&self.src[start..])
                    .filter_map(|c| c.get(1))
                    .find(|m| m.as_str().split('.').next() == Some(name.as_str()))
                    .map_or(start, |m| start + m.start() - 1)
            } else {
                let needle = format!("{{{{{name}");
                self.src[start..].find(&needle).map(|i| start + i).or_else(|| self.src.find(&needle)).unwrap_or(start)
            };
            self.err(at..at, msg);
        }
    }
}

/// Whether a matcher judges a count: what `$len` takes.
fn is_count_matcher(m: &Matcher) -> bool {
    match m {
        Matcher::Eq(v) => v.is_number(),
        Matcher::Compare(_) | Matcher::OneOf(_) | Matcher::OneOfList(_) => true,
        Matcher::Not(inner) => is_count_matcher(inner),
        _ => false,
    }
}

fn lit(cx: &mut Cx, node: &Node, t: JsonTemplate) -> Option<Value> {
    match t {
        JsonTemplate::Lit(v) => Some(v),
        JsonTemplate::Str(t) => Some(Value::String(t.to_string())),
        _ => {
            cx.err(node.span(), "only plain values are allowed here");
            None
        }
    }
}

fn json_names_in(t: &JsonTemplate, in_repeat: bool, f: &mut dyn FnMut(&str, bool)) {
    match t {
        JsonTemplate::Lit(_) => {}
        JsonTemplate::Str(t) => t.vars().for_each(|(n, _)| f(n, in_repeat)),
        JsonTemplate::Array(items) => items.iter().for_each(|i| json_names_in(i, in_repeat, f)),
        JsonTemplate::Object(fields) => fields.iter().for_each(|(_, v)| json_names_in(v, in_repeat, f)),
        JsonTemplate::Repeat { item, .. } => json_names_in(item, true, f),
        JsonTemplate::Map { list, item } => {
            list.vars().for_each(|(n, _)| f(n, in_repeat));
            json_names_in(item, true, f)
        }
    }
}

/// How many JSON values a template expands to; a `$map` counts its item
/// once (its list is known only at run time, where it is bounded again).
pub fn expanded_size(t: &JsonTemplate) -> u64 {
    match t {
        JsonTemplate::Lit(_) | JsonTemplate::Str(_) => 1,
        JsonTemplate::Array(items) => items.iter().map(expanded_size).fold(1, u64::saturating_add),
        JsonTemplate::Object(fields) => fields.iter().map(|(_, v)| expanded_size(v)).fold(1, u64::saturating_add),
        JsonTemplate::Repeat { count, item } => (*count as u64).saturating_mul(expanded_size(item)).saturating_add(1),
        JsonTemplate::Map { item, .. } => expanded_size(item).saturating_add(1),
    }
}
