//! Finding case files, reading their suites, and turning TOML into
//! validated [`Case`]s. Every problem in every file is collected; nothing is
//! returned until all files have been read.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;
use serde_json::Value;
use serde_json_path::JsonPath;
use toml::Spanned;

pub use super::discover::{MAX_DEPTH, MAX_FILE_BYTES, SUITE_FILE};
use super::discover::{decode, read_source, walk};
use super::error::{LineIndex, LoadError, nearest};
use super::model::*;
use super::schema::*;
use super::template::{Budget, Template, is_valid_name, reserved_name};
use super::tree::{Node, Tree};
use crate::contract::{Contract, RawContract};
use crate::files::read_regular;

/// The most JSON values (objects, arrays and leaves) the bodies of one step
/// may expand to, over its repetitions: `$repeat` and `repeat` multiply.
pub const MAX_EXPANDED_VALUES: u64 = 1_000_000;
/// The largest body `file` a step may send.
pub const MAX_BODY_FILE_BYTES: u64 = 32 * 1024 * 1024;

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

/// Suite settings merged from the outermost `suite.toml` inwards.
#[derive(Debug, Clone, Default)]
pub(super) struct Suite {
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
pub(super) struct SuiteCache {
    /// A folder's own suite file, parsed; `None` when there is none or it is broken.
    own: HashMap<PathBuf, Option<Arc<Suite>>>,
}

impl SuiteCache {
    /// The merged suite for a case file: every `suite.toml` from the file's
    /// folder up to the file system root (or a folder holding `.git`).
    pub(super) fn chain(&mut self, file: &Path, errors: &mut Vec<LoadError>) -> Suite {
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
pub(super) fn display_path(abs: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| abs.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| abs.to_path_buf())
}

/// Lays `over` onto `into` as if each of its pairs, in order, removed
/// every pair of its name and was then appended (the last of a name wins),
/// in one pass over each rather than a scan of `into` per pair.
pub(super) fn overlay<T: Clone>(into: &mut Vec<(String, T)>, over: &[(String, T)]) {
    if over.is_empty() {
        return;
    }
    let last: HashMap<&str, usize> = over.iter().enumerate().map(|(i, (k, _))| (k.as_str(), i)).collect();
    into.retain(|(k, _)| !last.contains_key(k.as_str()));
    into.extend(over.iter().enumerate().filter(|(i, (k, _))| last.get(k.as_str()) == Some(i)).map(|(_, p)| p.clone()));
}

pub(super) fn merge(into: &mut Suite, s: &Suite) {
    overlay(&mut into.vars, &s.vars);
    into.secrets.extend(s.secrets.iter().cloned());
    overlay(&mut into.headers, &s.headers);
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

pub(super) fn load_suite(dir: &Path, errors: &mut Vec<LoadError>) -> Option<Arc<Suite>> {
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
    let mut cx = Cx::new(&path, &src, &bodies, None);
    let target = raw.target.unwrap_or_default();
    // Steps written as `operation` + `input` need the model, speaking the
    // protocol the suite picks.
    let contract = raw.contract.as_ref().and_then(|c| cx.contract(dir, c, target.protocol.as_ref()));
    cx.contract = contract.clone();
    let vars = raw.vars.as_ref().map(|v| cx.vars(v)).unwrap_or_default();
    let headers = raw.headers.as_ref().map(|h| cx.string_table(h, true)).unwrap_or_default();
    let setup = cx.steps(&raw.setup, "setup");
    let teardown = cx.steps(&raw.teardown, "teardown");
    let after = cx.steps(&raw.after, "after");
    let suite = Suite {
        id_base: None,
        vars,
        secrets: raw.secrets.unwrap_or_default(),
        headers,
        strict: raw.strict,
        shape: raw.shape,
        requires: raw.requires,
        exclusive: raw.exclusive,
        target: TargetSettings {
            signing_name: target.signing_name,
            region: target.region,
            s3_addressing: target.s3_addressing.unwrap_or_default(),
            host_prefix: target.host_prefix.unwrap_or(true),
        },
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
pub(super) fn toml_error(path: &Path, src: &str, e: &toml::de::Error) -> LoadError {
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
pub(super) fn key_before(src: &str, at: usize) -> Option<String> {
    static KEY: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r#"([A-Za-z0-9_\-]+|"[^"]*")\s*=\s*$"#).expect("a valid constant regex")
    });
    let before = src.get(..at)?;
    let line = before.rsplit('\n').next()?;
    KEY.captures(line).map(|c| c[1].trim_matches('"').to_owned())
}

/// Rewrites serde's ``unknown field `x`, expected one of `a`, `b` `` into a
/// shorter message that names the nearest key.
pub(super) fn suggest_key(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    let (word, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let list = expected.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    Some(match nearest(word, expected.iter().copied()) {
        Some(k) => format!("unknown key `{word}`, did you mean `{k}`? (expected one of {list})"),
        None => format!("unknown key `{word}` (expected one of {list})"),
    })
}

pub(super) fn slug(name: &str) -> String {
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

pub(super) fn load_file(
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
    let mut cx = Cx::new(path, src, bodies, suite.contract.clone());
    let mut ids: HashMap<String, String> = HashMap::new();
    // The suite's own steps are built once per file and shared by its
    // cases, not copied into each.
    let shared = |steps: &[Step]| -> Vec<Arc<Step>> {
        with_headers(steps.to_vec(), &suite.headers).into_iter().map(Arc::new).collect()
    };
    let (suite_setup, suite_after, suite_teardown) =
        (shared(&suite.setup), shared(&suite.after), shared(&suite.teardown));
    let own = |steps: Vec<Step>| with_headers(steps, &suite.headers).into_iter().map(Arc::new);
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
        overlay(&mut vars, &rc.vars.as_ref().map(|v| cx.vars(v)).unwrap_or_default());
        let setup: Vec<Arc<Step>> = suite_setup.iter().cloned().chain(own(cx.steps(&rc.setup, "setup"))).collect();
        let steps: Vec<Arc<Step>> = own(cx.steps(&rc.step, "step")).chain(suite_after.iter().cloned()).collect();
        let teardown: Vec<Arc<Step>> =
            own(cx.steps(&rc.teardown, "teardown")).chain(suite_teardown.iter().cloned()).collect();
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
            setup,
            steps,
            teardown,
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
pub(super) fn self_find(src: &str, span: Range<usize>, needle: &str) -> usize {
    src.get(span.clone()).and_then(|text| text.find(&format!("\"{needle}\""))).map_or(span.start, |i| span.start + i)
}

/// Suite headers come first; a step's own header of the same name wins.
pub(super) fn with_headers(mut steps: Vec<Step>, suite: &[(String, Template)]) -> Vec<Step> {
    for s in &mut steps {
        let own = std::mem::take(&mut s.request.headers);
        let names: HashSet<&str> = own.iter().map(|(k, _)| k.as_str()).collect();
        let mut all: Vec<(String, Template)> =
            suite.iter().filter(|(k, _)| !names.contains(k.as_str())).cloned().collect();
        all.extend(own);
        all.shrink_to_fit();
        s.request.headers = all;
    }
    steps.shrink_to_fit();
    steps
}

/// The parts of a step's request: method, path, query, headers, body.
pub(super) type RequestParts = (Template, Template, Vec<(String, Template)>, Vec<(String, Template)>, RequestBody);

/// Conversion context: the file, its text and the errors found so far.
pub(super) struct Cx<'a> {
    pub(super) path: &'a Path,
    pub(super) src: &'a str,
    pub(super) errors: Vec<LoadError>,
    bodies: &'a BodyFiles,
    /// The suite's contract, whose model serializes `operation` steps.
    pub(super) contract: Option<Arc<Contract>>,
    /// The lines of `src`, indexed at the first error: a file with many
    /// errors is not scanned from its start for each.
    lines: std::cell::OnceCell<LineIndex>,
    /// What the file's `repeat` calls may still generate.
    generated: Budget,
    /// The host prefix of the `operation` step being read, for its request.
    host_prefix: Option<Template>,
}

/// A body file as read, or why it could not be.
pub(super) type BodyFile = Result<Arc<Vec<u8>>, String>;

/// Body files of one load, each read once however many steps send it.
#[derive(Default)]
pub(super) struct BodyFiles(std::sync::Mutex<HashMap<PathBuf, BodyFile>>);

impl BodyFiles {
    pub(super) fn read(&self, path: &Path) -> BodyFile {
        let key = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(key).or_insert_with(|| read_regular(path, MAX_BODY_FILE_BYTES).map(Arc::new)).clone()
    }
}

impl<'a> Cx<'a> {
    pub(super) fn new(path: &'a Path, src: &'a str, bodies: &'a BodyFiles, contract: Option<Arc<Contract>>) -> Cx<'a> {
        Cx {
            path,
            src,
            errors: Vec::new(),
            bodies,
            contract,
            lines: std::cell::OnceCell::new(),
            generated: Budget::default(),
            host_prefix: None,
        }
    }

    pub(super) fn err(&mut self, span: Range<usize>, msg: impl Into<String>) {
        let lines = self.lines.get_or_init(|| LineIndex::new(self.src));
        self.errors.push(LoadError::at_indexed(self.path, lines, self.src, span, msg));
    }

    /// Parses a template, reporting errors at the right column.
    pub(super) fn template(&mut self, s: &str, span: Range<usize>) -> Option<Template> {
        let refused = self.generated.refused;
        match Template::parse_within(s, &mut self.generated) {
            Ok(t) => Some(t),
            // The file's budget is spent and was reported at the first call
            // it refused: one error says it, not one per later call.
            Err(_) if refused > 0 && self.generated.refused > refused => None,
            Err(e) => {
                let at = span.start + self.quote_len(&span) + e.offset;
                self.err(at..at, e.message);
                None
            }
        }
    }

    /// Where the text of a string value starts after its opening quote(s).
    pub(super) fn quote_len(&self, span: &Range<usize>) -> usize {
        let s = self.src.get(span.clone()).unwrap_or("");
        if s.starts_with("\"\"\"") || s.starts_with("'''") {
            3
        } else if s.starts_with('"') || s.starts_with('\'') {
            1
        } else {
            0
        }
    }

    pub(super) fn string(&mut self, node: &Node, what: &str) -> Option<Template> {
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
    pub(super) fn string_table(&mut self, table: &BTreeMap<String, Node>, lowercase: bool) -> Vec<(String, Template)> {
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
    pub(super) fn contract(
        &mut self,
        dir: &Path,
        name: &Spanned<String>,
        protocol: Option<&Spanned<String>>,
    ) -> Option<Arc<Contract>> {
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
        if let Some(p) = protocol
            && crate::contract::Protocol::from_name(p.get_ref()).is_none()
        {
            let known: Vec<&str> = crate::contract::Protocol::BOTOCORE_PRIORITY.iter().map(|p| p.name()).collect();
            self.err(p.span(), format!("`{}` is no AWS protocol (known: {})", p.get_ref(), known.join(", ")));
            return None;
        }
        match Contract::from_raw_speaking(&path, raw, protocol.map(|p| p.get_ref().as_str())) {
            Ok(c) => Some(Arc::new(c)),
            Err(e) => {
                self.errors.extend(e.problems.into_iter().map(|p| LoadError::file(&path, p)));
                None
            }
        }
    }

    pub(super) fn vars(&mut self, vars: &Spanned<BTreeMap<String, Node>>) -> Vec<(String, JsonTemplate)> {
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

    pub(super) fn json_template(&mut self, node: &Node, allow_repeat: bool) -> Option<JsonTemplate> {
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
    pub(super) fn generator_item<'n>(
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

    pub(super) fn steps(&mut self, raw: &[Spanned<RawStep>], kind: &str) -> Vec<Step> {
        let mut steps: Vec<Step> =
            raw.iter().enumerate().filter_map(|(i, s)| self.step(s, &format!("{kind} {}", i + 1))).collect();
        // Cases stay in memory for the whole run: no spare capacity.
        steps.shrink_to_fit();
        steps
    }

    pub(super) fn step(&mut self, spanned: &Spanned<RawStep>, default_name: &str) -> Option<Step> {
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
        let request = Request {
            method,
            path,
            query,
            headers,
            body,
            raw_path: raw.raw_path == Some(true),
            operation: raw.operation.as_ref().map(|o| o.get_ref().clone()),
            host_prefix: self.host_prefix.take(),
        };
        Some(Step {
            name: raw.name.clone().unwrap_or_else(|| default_name.to_owned()),
            request,
            expect,
            captures,
            sign,
            repeat,
            unless_var: raw.unless_var.clone(),
            if_var: raw.if_var.as_ref().map(|v| v.get_ref().clone()),
        })
    }

    /// The request of a step written with `method` and `path`.
    pub(super) fn http_parts(&mut self, spanned: &Spanned<RawStep>) -> Option<RequestParts> {
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
    pub(super) fn operation(&mut self, spanned: &Spanned<RawStep>, op: &Spanned<String>) -> Option<RequestParts> {
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
        let names: HashSet<&str> = own.iter().map(|(k, _)| k.as_str()).collect();
        let mut headers: Vec<(String, Template)> = req
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .filter(|(k, _)| !names.contains(k.as_str()))
            .filter_map(|(k, v)| Some((k, self.template(v, input_span.clone())?)))
            .collect();
        headers.extend(own);
        use crate::protocol::SerializedBody as Body;
        let body = match &req.body {
            Body::Json(v) => self.value_template(v, &input_span).map(RequestBody::Json),
            Body::Text(t) | Body::Xml(t) => self.template(t, input_span.clone()).map(RequestBody::Text),
            Body::Bytes(b) => Some(RequestBody::File(Arc::new(b.clone()))),
            Body::Form(pairs) => pairs
                .iter()
                .map(|(k, v)| Some((k.clone(), self.template(v, input_span.clone())?)))
                .collect::<Option<Vec<_>>>()
                .map(RequestBody::Form),
            Body::Cbor(v) => Some(RequestBody::Cbor(Arc::new(v.clone()))),
            Body::Empty => Some(RequestBody::Empty),
        };
        self.host_prefix = req.host_prefix.as_ref().and_then(|p| self.template(p, input_span.clone()));
        if self.errors.len() > before {
            return None;
        }
        Some((method?, path?, query, headers, body?))
    }

    /// A TOML value as plain JSON (strings keep their `{{templates}}`).
    pub(super) fn plain_json(&mut self, node: &Node) -> Option<Value> {
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
    pub(super) fn value_template(&mut self, v: &Value, span: &Range<usize>) -> Option<JsonTemplate> {
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

    pub(super) fn captures(&mut self, table: &BTreeMap<String, Node>) -> Vec<Capture> {
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
            } else if let Some(p) = s.strip_prefix("output:") {
                if self.contract.is_none() {
                    self.err(
                        span.clone(),
                        "an `output:` capture reads the response as the SDK does, and needs a suite contract",
                    );
                    continue;
                }
                match JsonPath::parse(p.trim()) {
                    Ok(path) => CaptureSource::Output { path, text: p.trim().to_owned() },
                    Err(e) => {
                        self.err(span, format!("invalid JSONPath `{p}`: {e}"));
                        continue;
                    }
                }
            } else {
                match JsonPath::parse(&s) {
                    Ok(p) => CaptureSource::Body { path: p, text: s.clone() },
                    Err(e) => {
                        self.err(span, format!("invalid JSONPath `{s}`: {e}"));
                        continue;
                    }
                }
            };
            if list && !matches!(source, CaptureSource::Body { .. } | CaptureSource::Output { .. }) {
                self.err(node.span(), "`list = true` is for JSONPath captures, which may find several nodes");
                continue;
            }
            out.push(Capture { name: name.clone(), source, optional, list });
        }
        out
    }

    /// `{ from = "...", optional = true, list = true }`: the source (with its
    /// span) and the two flags.
    pub(super) fn capture_table(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(src: &str) -> Vec<String> {
        load_bytes(Path::new("c.toml"), src.as_bytes(), &LoadOptions::default())
            .expect_err("the file has errors")
            .iter()
            .map(LoadError::headline)
            .collect()
    }

    const HEAD: &str = "[[case]]\nname = \"a\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/\"\n[case.vars]\n";

    /// Issue #24: overlaying names is what removing and appending each
    /// in turn was, the last of a name winning.
    #[test]
    fn overlay_keeps_order_and_the_last_of_a_name_issue_24() {
        let pairs = |s: &str| -> Vec<(String, u8)> {
            s.split(' ').filter(|p| !p.is_empty()).map(|p| (p[..1].to_owned(), p.as_bytes()[1])).collect()
        };
        for (base, over) in [("a1 b1 c1", "b2 d2 a2 b3"), ("", "x1 x2"), ("a1", ""), ("a1 b1", "c1")] {
            let mut slow = pairs(base);
            for (k, v) in pairs(over) {
                slow.retain(|(n, _)| *n != k);
                slow.push((k, v));
            }
            let mut fast = pairs(base);
            overlay(&mut fast, &pairs(over));
            assert_eq!(fast, slow, "{base} + {over}");
        }
    }

    /// Issue #24: a case of 40,000 variables over a suite's, and 20,000
    /// headers over a suite's, load in one pass (each variable scanned the
    /// others: 33 s to check).
    #[test]
    fn many_variables_and_headers_load_in_one_pass_issue_24() {
        let mut src = HEAD.to_owned();
        for i in 0..40_000 {
            src.push_str(&format!("v{i} = {i}\n"));
        }
        let cases = load_bytes(Path::new("c.toml"), src.as_bytes(), &LoadOptions::default()).unwrap();
        assert_eq!(cases[0].vars.len(), 40_000);
        let mut suite = Suite::default();
        let mut over = Suite::default();
        for i in 0..20_000 {
            suite.vars.push((format!("s{i}"), JsonTemplate::Lit(Value::from(1))));
            over.vars.push((format!("s{}", i * 2), JsonTemplate::Lit(Value::from(2))));
            suite.headers.push((format!("h{i}"), Template::parse("x").unwrap()));
        }
        merge(&mut suite, &over);
        assert_eq!(suite.vars.len(), 30_000);
        assert_eq!(suite.vars.last().map(|(k, _)| k.as_str()), Some("s39998"));
        let step = Step {
            name: "s".into(),
            request: Request {
                method: Template::parse("GET").unwrap(),
                path: Template::parse("/").unwrap(),
                query: Vec::new(),
                headers: (0..20_000).map(|i| (format!("h{}", i * 2), Template::parse("y").unwrap())).collect(),
                body: RequestBody::Empty,
                raw_path: false,
                operation: None,
                host_prefix: None,
            },
            expect: Expect::default(),
            captures: Vec::new(),
            sign: SignMode::Signed,
            repeat: None,
            unless_var: None,
            if_var: None,
        };
        let steps = with_headers(vec![step], &suite.headers);
        assert_eq!(steps[0].request.headers.len(), 30_000);
    }

    /// Issue #24: a case of 10,000 undefined names among 10,000 defined
    /// ones: each was compared with every defined name and looked for
    /// from the case's start (over 100 s to check); the first 100 are
    /// located and suggested for, the rest counted.
    #[test]
    fn many_undefined_names_are_capped_and_counted_issue_24() {
        let headers: Vec<String> = (0..10_000).map(|i| format!("h{i} = \"{{{{u{i}}}}}\"")).collect();
        let mut src = format!(
            "[[case]]\nname = \"a\"\n[[case.step]]\nmethod = \"GET\"\npath = \"/{{{{v_1}}}}\"\nheaders = {{ {} }}\n[case.vars]\n",
            headers.join(", ")
        );
        for i in 0..10_000 {
            src.push_str(&format!("v{i} = 1\n"));
        }
        let errs = errors(&src);
        assert_eq!(errs.len(), 101, "{:?}", &errs[..3]);
        assert!(errs[0].starts_with("c.toml:6:19: undefined variable `u0`, did you mean `v0`?"), "{}", errs[0]);
        assert_eq!(errs[100], "c.toml:2:8: and 9901 more undefined or unset variables in this case");
    }

    /// Issue #24: each of many errors of one file is at its own line and
    /// column (they are located through one index of the file's lines).
    #[test]
    fn every_error_of_a_file_has_its_own_location_issue_24() {
        let src = format!("{HEAD}\"bad 1\" = 1\nok = 1\n  \"é bad\" = 2\nuuid = 3\n");
        assert_eq!(
            errors(&src),
            [
                "c.toml:7:11: invalid variable name `bad 1`",
                "c.toml:10:8: `uuid` is a reserved name: `{{uuid}}` is a fresh UUID at each use; choose another name",
                "c.toml:9:13: invalid variable name `é bad`",
            ]
        );
    }

    /// Issue #24: 40,000 errors in one file (each was located from the
    /// start of the file: 56 s to check).
    #[test]
    fn forty_thousand_errors_are_located_in_one_pass_issue_24() {
        let mut src = HEAD.to_owned();
        for i in 0..40_000 {
            src.push_str(&format!("\"bad {i}\" = 1\n"));
        }
        let errs = errors(&src);
        assert_eq!(errs.len(), 40_000);
        assert!(errs.contains(&"c.toml:40006:15: invalid variable name `bad 39999`".to_owned()), "{:?}", errs.last());
    }
}
