//! JSON body matchers: exact values, types, regexes, one-of, any, absent,
//! strict or lenient objects, arrays in order, unordered, keyed by a
//! member, or checked element by element, exact numeric comparisons,
//! lengths, and negation.

use std::cmp::Ordering;

use regex::Regex;
use serde_json::{Map, Number, Value};

use super::mismatch::{Mismatch, MismatchKind, join_key};
use super::number::{canonical_number, compare_numbers, is_integer_literal, numbers_equal};

/// A numeric comparison, for `$gt`, `$gte`, `$lt` and `$lte`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Comparison {
    /// `$gt`: greater than the bound.
    Gt,
    /// `$gte`: greater than or equal to the bound.
    Gte,
    /// `$lt`: less than the bound.
    Lt,
    /// `$lte`: less than or equal to the bound.
    Lte,
}

impl Comparison {
    /// The key and the comparison, as written in a case.
    pub const NAMED: &'static [(&'static str, Comparison)] =
        &[("$gt", Comparison::Gt), ("$gte", Comparison::Gte), ("$lt", Comparison::Lt), ("$lte", Comparison::Lte)];

    /// The operator, for messages (`>=`).
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Gt => ">",
            Comparison::Gte => ">=",
            Comparison::Lt => "<",
            Comparison::Lte => "<=",
        }
    }

    /// Whether a value that orders `ord` against the bound satisfies this.
    pub fn holds(self, ord: Ordering) -> bool {
        match self {
            Comparison::Gt => ord == Ordering::Greater,
            Comparison::Gte => ord != Ordering::Less,
            Comparison::Lt => ord == Ordering::Less,
            Comparison::Lte => ord != Ordering::Greater,
        }
    }
}

/// A JSON type, for `$type` matchers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonType {
    /// `"string"`.
    String,
    /// `"number"` (integers and floats).
    Number,
    /// `"integer"`.
    Integer,
    /// `"boolean"`.
    Boolean,
    /// `"array"`.
    Array,
    /// `"object"`.
    Object,
    /// `"null"`.
    Null,
}

impl JsonType {
    /// Parses a type name as written in a case.
    pub fn parse(s: &str) -> Option<JsonType> {
        Some(match s {
            "string" => JsonType::String,
            "number" => JsonType::Number,
            "integer" => JsonType::Integer,
            "boolean" => JsonType::Boolean,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            "null" => JsonType::Null,
            _ => return None,
        })
    }

    /// All names, for messages.
    pub const NAMES: &'static [&'static str] = &["string", "number", "integer", "boolean", "array", "object", "null"];

    /// The name as written in a case.
    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Array => "array",
            JsonType::Object => "object",
            JsonType::Null => "null",
        }
    }

    /// Whether `v` has this type.
    pub fn holds(self, v: &Value) -> bool {
        match self {
            JsonType::String => v.is_string(),
            JsonType::Number => v.is_number(),
            JsonType::Integer => v.as_number().is_some_and(is_integer_literal),
            JsonType::Boolean => v.is_boolean(),
            JsonType::Array => v.is_array(),
            JsonType::Object => v.is_object(),
            JsonType::Null => v.is_null(),
        }
    }
}

/// An expectation on a JSON value. `V` is what a literal leaf holds: a
/// [`Value`] when the matcher judges; a case compiles leaves that are
/// templates once, at load, and renders them into values per response
/// ([`Matcher::map_values`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Matcher<V = Value> {
    /// Equal to this value (numbers compare by value: `1 == 1.0`).
    Eq(V),
    /// Of this type.
    Type(JsonType),
    /// A string matching this regex (unanchored, as written).
    Regex(Regex),
    /// Equal to one of these values.
    OneOf(Vec<V>),
    /// Present, with any value.
    Any,
    /// Not present.
    Absent,
    /// An object with these members. `strict` says whether members not named
    /// here are divergences; `None` inherits from the enclosing object, the
    /// case, or the suite.
    Object {
        /// Named members and their matchers, in case order.
        fields: Vec<(String, Matcher<V>)>,
        /// Per-object strictness override.
        strict: Option<bool>,
    },
    /// An array with exactly these items, in this order.
    Array(Vec<Matcher<V>>),
    /// An array with exactly these items, in any order.
    Unordered(Vec<Matcher<V>>),
    /// An array of objects with exactly these items, paired by the value of
    /// member `key` whatever their order, and compared item by item.
    Keyed {
        /// The member that identifies an item (`UserId`).
        key: String,
        /// Expected items; each is an object matcher naming `key` exactly.
        items: Vec<Matcher<V>>,
    },
    /// An array whose every element matches.
    Each(Box<Matcher<V>>),
    /// Absent, or present and matching.
    Optional(Box<Matcher<V>>),
    /// A number satisfying every comparison with its bound (exactly, on the
    /// decimal text). A bound is a number once rendered; a string holding a
    /// JSON number is taken as that number.
    Compare(Vec<(Comparison, V)>),
    /// A string (its length in characters), an array (its elements) or an
    /// object (its members) whose length matches the inner matcher.
    Len(Box<Matcher<V>>),
    /// Present, and not matching the inner matcher. A value of another type
    /// than the inner matcher is about (an array for `$unordered`, a number
    /// for `$gt`, ...) is still a divergence: `$not` negates what the
    /// matcher says about such a value, not its type.
    Not(Box<Matcher<V>>),
    /// Equal to one element of a list given by a variable
    /// (`"$one_of" = "{{ids}}"`); the value renders to an array.
    OneOfList(V),
}

impl<V> Matcher<V> {
    /// Applies `f` to every literal leaf (`Eq`, `OneOf`, comparison bounds,
    /// `$one_of` lists), for example to render templates, and rebuilds the
    /// matcher with the results.
    pub fn map_values<U, E>(&self, f: &mut dyn FnMut(&V) -> Result<U, E>) -> Result<Matcher<U>, E> {
        Ok(match self {
            Matcher::Eq(v) => Matcher::Eq(f(v)?),
            Matcher::OneOf(vs) => Matcher::OneOf(vs.iter().map(&mut *f).collect::<Result<_, _>>()?),
            Matcher::Object { fields, strict } => Matcher::Object {
                fields: fields.iter().map(|(k, m)| Ok((k.clone(), m.map_values(f)?))).collect::<Result<_, E>>()?,
                strict: *strict,
            },
            Matcher::Array(items) => Matcher::Array(map_all(items, f)?),
            Matcher::Unordered(items) => Matcher::Unordered(map_all(items, f)?),
            Matcher::Keyed { key, items } => Matcher::Keyed { key: key.clone(), items: map_all(items, f)? },
            Matcher::Each(m) => Matcher::Each(Box::new(m.map_values(f)?)),
            Matcher::Optional(m) => Matcher::Optional(Box::new(m.map_values(f)?)),
            Matcher::Compare(bounds) => {
                Matcher::Compare(bounds.iter().map(|(c, v)| Ok((*c, f(v)?))).collect::<Result<_, E>>()?)
            }
            Matcher::Len(m) => Matcher::Len(Box::new(m.map_values(f)?)),
            Matcher::Not(m) => Matcher::Not(Box::new(m.map_values(f)?)),
            Matcher::OneOfList(v) => Matcher::OneOfList(f(v)?),
            Matcher::Type(t) => Matcher::Type(*t),
            Matcher::Regex(r) => Matcher::Regex(r.clone()),
            Matcher::Any => Matcher::Any,
            Matcher::Absent => Matcher::Absent,
        })
    }

    /// Whether `f` holds for any literal leaf.
    pub fn any_value<'a>(&'a self, f: &mut dyn FnMut(&'a V) -> bool) -> bool {
        match self {
            Matcher::Eq(v) | Matcher::OneOfList(v) => f(v),
            Matcher::OneOf(vs) => vs.iter().any(&mut *f),
            Matcher::Compare(bounds) => bounds.iter().any(|(_, v)| f(v)),
            Matcher::Object { fields, .. } => fields.iter().any(|(_, m)| m.any_value(f)),
            Matcher::Array(items) | Matcher::Unordered(items) | Matcher::Keyed { items, .. } => {
                items.iter().any(|m| m.any_value(f))
            }
            Matcher::Each(m) | Matcher::Optional(m) | Matcher::Len(m) | Matcher::Not(m) => m.any_value(f),
            Matcher::Type(_) | Matcher::Regex(_) | Matcher::Any | Matcher::Absent => false,
        }
    }
}

impl Matcher {
    /// What is wrong with the matcher once its values are rendered, if
    /// anything: a comparison bound that is not a number, or a `$one_of`
    /// variable that is not a list. Such a matcher cannot judge anything:
    /// the step errors rather than reporting divergences.
    pub fn render_problem(&self) -> Option<String> {
        match self {
            Matcher::Compare(bounds) => bounds
                .iter()
                .find(|(_, v)| bound_number(v).is_none())
                .map(|(c, v)| format!("the bound of `{}` must be a number, got {}", name_of(*c), show(Some(v)))),
            Matcher::OneOfList(v) if !v.is_array() => Some(format!("`$one_of` needs a list, got {}", show(Some(v)))),
            Matcher::Object { fields, .. } => fields.iter().find_map(|(_, m)| m.render_problem()),
            Matcher::Array(items) | Matcher::Unordered(items) | Matcher::Keyed { items, .. } => {
                items.iter().find_map(Matcher::render_problem)
            }
            Matcher::Each(m) | Matcher::Optional(m) | Matcher::Len(m) | Matcher::Not(m) => m.render_problem(),
            _ => None,
        }
    }

    /// A short description, for messages.
    pub fn describe(&self) -> String {
        match self {
            Matcher::Eq(v) => v.to_string(),
            Matcher::Type(t) => format!("any {}", t.name()),
            Matcher::Regex(r) => format!("a string matching /{}/", r.as_str()),
            Matcher::OneOf(vs) => format!("one of {}", list_of(vs)),
            Matcher::Any => "any value".into(),
            Matcher::Optional(m) => format!("absent, or {}", m.describe()),
            Matcher::Absent => "no value (absent)".into(),
            Matcher::Object { .. } => "an object".into(),
            Matcher::Array(_) | Matcher::Unordered(_) | Matcher::Keyed { .. } | Matcher::Each(_) => "an array".into(),
            Matcher::Compare(bounds) => format!(
                "a number {}",
                bounds
                    .iter()
                    .map(|(c, v)| format!("{} {}", c.symbol(), show_bound(v)))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Matcher::Len(m) => format!("a length of {}", m.describe()),
            Matcher::Not(m) => format!("anything but {}", m.describe()),
            Matcher::OneOfList(v) => match v {
                Value::Array(vs) => format!("one of {}", list_of(vs)),
                other => format!("one of {other}"),
            },
        }
    }

    /// The type a value must have for this matcher to say anything about
    /// it beyond "wrong type"; `$not` keeps that requirement.
    fn required_type(&self) -> Option<fn(&Value) -> bool> {
        match self {
            Matcher::Regex(_) => Some(Value::is_string),
            Matcher::Compare(_) => Some(Value::is_number),
            Matcher::Object { .. } => Some(Value::is_object),
            Matcher::Array(_) | Matcher::Unordered(_) | Matcher::Keyed { .. } | Matcher::Each(_) => {
                Some(Value::is_array)
            }
            Matcher::Len(_) => Some(|v| v.is_string() || v.is_array() || v.is_object()),
            _ => None,
        }
    }
}

/// A bound given as a string holding a JSON number (a `--var` value) is
/// that number; anything else stays as it is.
/// A comparison bound as a number: a number, or a string holding a JSON
/// number (a variable captured from a header renders to a string).
fn bound_number(v: &Value) -> Option<std::borrow::Cow<'_, Number>> {
    match v {
        Value::Number(n) => Some(std::borrow::Cow::Borrowed(n)),
        Value::String(s) => s.trim().parse::<Number>().ok().map(std::borrow::Cow::Owned),
        _ => None,
    }
}

/// A bound as messages show it: a number without quotes.
fn show_bound(v: &Value) -> String {
    bound_number(v).map_or_else(|| v.to_string(), |n| n.to_string())
}

fn name_of(c: Comparison) -> &'static str {
    Comparison::NAMED.iter().find(|(_, k)| *k == c).map_or("$gt", |(n, _)| n)
}

/// How many values of a `$one_of` list a message names.
const NAMED_VALUES: usize = 10;

/// A list of allowed values for a message: the first [`NAMED_VALUES`],
/// then how many more (a list captured from a response can be long).
fn list_of(vs: &[Value]) -> String {
    let mut s = vs.iter().take(NAMED_VALUES).map(|v| show(Some(v))).collect::<Vec<_>>().join(", ");
    if vs.len() > NAMED_VALUES {
        s.push_str(&format!(", … ({} values)", vs.len()));
    }
    s
}

/// The length `$len` measures: characters of a string, elements of an
/// array, members of an object.
fn length_of(v: &Value) -> Option<usize> {
    match v {
        Value::String(s) => Some(s.chars().count()),
        Value::Array(a) => Some(a.len()),
        Value::Object(o) => Some(o.len()),
        _ => None,
    }
}

fn map_all<V, U, E>(items: &[Matcher<V>], f: &mut dyn FnMut(&V) -> Result<U, E>) -> Result<Vec<Matcher<U>>, E> {
    items.iter().map(|m| m.map_values(f)).collect()
}

/// How many divergences [`match_json`] keeps by default; the rest are
/// counted ([`BodyMatch::omitted`]) and summed up in one last divergence.
pub const MAX_DIVERGENCES: usize = 1000;

/// How many unexpected elements past an array's expected length are listed
/// one by one; the rest are one divergence that gives the lengths.
const LISTED_EXTRAS: usize = 10;

/// Item-by-element checks the `$unordered` of one body may make, together,
/// to pair their items. Only the search's checks count: an item against the
/// element at its own index, and against the first element a hash finds
/// for it, is free (linear), and so is any `$unordered` of at most 64
/// items × elements (`SMALL_PAIRING`). Over it, the items are compared in
/// order, after a divergence that says so.
pub const PAIRING_BUDGET: usize = 1_000_000;

/// Items × elements up to which an `$unordered` is always paired in full,
/// whatever the body's other `$unordered` left of the budget: a
/// body of many short unordered lists (tags of every element) is judged
/// whole.
pub const SMALL_PAIRING: usize = 64;

/// The result of matching a body: the divergences, and a view of the
/// expectation shaped like the actual value (matched leaves take the actual
/// value, keyed and unordered items follow the actual order), so that a line
/// diff of the two shows only real divergences.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BodyMatch {
    /// The divergences, with their JSON paths: the first ones found, and,
    /// when more were found than kept, a last one that counts the rest.
    pub mismatches: Vec<Mismatch>,
    /// How many divergences were found but not kept (0 when all were).
    pub omitted: usize,
    /// The expectation as JSON, for the diff.
    pub expected_view: Value,
}

/// Matches `actual` (`None` when there is no JSON body) against `m`.
/// `strict` is the default for objects that do not say. Keeps the first
/// [`MAX_DIVERGENCES`] divergences (see [`match_json_within`]).
pub fn match_json(m: &Matcher, actual: Option<&Value>, strict: bool) -> BodyMatch {
    match_json_within(m, actual, strict, MAX_DIVERGENCES)
}

/// [`match_json`] keeping at most `limit` divergences in detail: past it,
/// divergences are only counted, and one more divergence at `$` says how
/// many were left out, so a body with any divergence never passes.
pub fn match_json_within(m: &Matcher, actual: Option<&Value>, strict: bool, limit: usize) -> BodyMatch {
    match_found(m, actual, strict, limit, Found::new(limit))
}

fn match_found(m: &Matcher, actual: Option<&Value>, strict: bool, limit: usize, mut out: Found) -> BodyMatch {
    let view = check(m, actual, &Path::ROOT, strict, &mut out).unwrap_or(Value::Null);
    let omitted = out.total - out.kept.len();
    let mut mismatches = out.kept;
    if omitted > 0 {
        mismatches.push(Mismatch::new(
            MismatchKind::Body,
            "$",
            format!("at most {limit} divergences listed"),
            format!("{} divergences", out.total),
            format!("and {omitted} more divergences, not listed"),
        ));
    }
    BodyMatch { mismatches, omitted, expected_view: view }
}

/// The divergences found so far: the first `cap` kept, all counted. A
/// divergence is built only when it is kept.
pub(super) struct Found {
    kept: Vec<Mismatch>,
    cap: usize,
    total: usize,
    /// How many of `total` say a value could not be judged (a number beyond
    /// exact comparison): `$not` must not turn those into a pass.
    undecided: usize,
    /// Checks left for pairing `$unordered` items ([`PAIRING_BUDGET`]),
    /// shared by every `$unordered` of one body, however nested.
    budget: std::rc::Rc<std::cell::Cell<usize>>,
    /// Hash indexes of long `$one_of` lists, built once per list and body
    /// (keyed by the list's address and length).
    lists: std::rc::Rc<std::cell::RefCell<ListIndexes>>,
}

type ListIndexes = std::collections::HashMap<(usize, usize), std::collections::HashMap<u64, Vec<usize>>>;

impl Found {
    pub(super) fn new(cap: usize) -> Found {
        Found::with_budget(cap, PAIRING_BUDGET)
    }

    fn with_budget(cap: usize, budget: usize) -> Found {
        Found {
            kept: Vec::new(),
            cap,
            total: 0,
            undecided: 0,
            budget: std::rc::Rc::new(std::cell::Cell::new(budget)),
            lists: std::rc::Rc::default(),
        }
    }

    /// An empty collector keeping `cap` divergences, on the same budget.
    fn scratch(&self, cap: usize) -> Found {
        Found { kept: Vec::new(), cap, total: 0, undecided: 0, budget: self.budget.clone(), lists: self.lists.clone() }
    }

    /// Whether `a` equals one of `vs`. A long list is looked up through a
    /// hash index built once, so `$each` of `$one_of` a captured list is
    /// linear, not elements × list.
    fn one_of(&self, vs: &[Value], a: &Value) -> bool {
        if vs.len() <= 8 {
            return vs.iter().any(|v| values_equal(v, a));
        }
        let mut lists = self.lists.borrow_mut();
        let index = lists.entry((vs.as_ptr() as usize, vs.len())).or_insert_with(|| {
            let mut index: std::collections::HashMap<u64, Vec<usize>> = std::collections::HashMap::new();
            for (i, v) in vs.iter().enumerate() {
                index.entry(value_hash(v)).or_default().push(i);
            }
            index
        });
        index.get(&value_hash(a)).is_some_and(|at| at.iter().any(|&i| vs.get(i).is_some_and(|v| values_equal(v, a))))
    }

    /// Takes one pairing check from the budget; false when none is left.
    fn spend(&self) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(1));
        left > 0
    }

    /// Counts a divergence, and keeps it while under the cap.
    pub(super) fn push(&mut self, make: impl FnOnce() -> Mismatch) {
        self.total += 1;
        if self.kept.len() < self.cap {
            self.kept.push(make());
        }
    }

    /// A divergence that says the value could not be judged.
    fn push_undecided(&mut self, make: impl FnOnce() -> Mismatch) {
        self.undecided += 1;
        self.push(make);
    }

    fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Divergences that say the value differs (not that it cannot be judged).
    fn definite(&self) -> usize {
        self.total - self.undecided
    }

    /// Takes `other`'s divergences; as undecided ones when `undecided`.
    fn absorb(&mut self, other: Found, undecided: bool) {
        let room = self.cap.saturating_sub(self.kept.len());
        self.kept.extend(other.kept.into_iter().take(room));
        self.total += other.total;
        self.undecided += if undecided { other.total } else { other.undecided };
    }
}

/// A JSON path built only when a divergence is reported: each level holds
/// its own segment and a reference to its parent, so checking a million
/// elements formats no path at all.
#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Root,
    Member(&'a str),
    Index(usize),
    /// `[?@.key==value]`, the item of a keyed array.
    Keyed(&'a str, &'a Value),
    /// `[*]`, any element.
    Any,
}

impl<'a> Path<'a> {
    const ROOT: Path<'static> = Path { parent: None, segment: Segment::Root };

    fn member(&'a self, name: &'a str) -> Path<'a> {
        Path { parent: Some(self), segment: Segment::Member(name) }
    }

    fn index(&'a self, i: usize) -> Path<'a> {
        Path { parent: Some(self), segment: Segment::Index(i) }
    }

    fn render(&self) -> String {
        let mut segments = vec![self.segment];
        let mut at = self.parent;
        while let Some(p) = at {
            segments.push(p.segment);
            at = p.parent;
        }
        let mut s = String::new();
        for seg in segments.iter().rev() {
            match seg {
                Segment::Root => s.push('$'),
                Segment::Member(k) => s = join_key(&s, &super::path::short_key(k)),
                Segment::Index(i) => s.push_str(&format!("[{i}]")),
                Segment::Keyed(k, v) => s.push_str(&format!("[?@.{k}=={v}]")),
                Segment::Any => s.push_str("[*]"),
            }
        }
        s
    }
}

fn body(path: &Path, expected: impl Into<String>, actual: Option<&Value>, message: impl Into<String>) -> Mismatch {
    Mismatch::new(MismatchKind::Body, path.render(), expected, show(actual), message)
}

/// How many characters of an actual value a message shows.
const SHOWN: usize = 200;

/// Renders an actual value for a message; long values are cut (and only
/// their first characters are ever written out).
pub fn show(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(v) => {
            let mut w = Prefix { bytes: Vec::new(), limit: SHOWN * 6 + 8 };
            let complete = serde_json::to_writer(&mut w, v).is_ok();
            let s = String::from_utf8_lossy(&w.bytes);
            if !complete || s.chars().count() > SHOWN {
                format!("{}…", s.chars().take(SHOWN).collect::<String>())
            } else {
                s.into_owned()
            }
        }
    }
}

/// A writer that takes the first `limit` bytes, then refuses the rest.
struct Prefix {
    bytes: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Prefix {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let room = self.limit.saturating_sub(self.bytes.len());
        if room == 0 {
            return Err(std::io::Error::other("long enough"));
        }
        let n = room.min(buf.len());
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn placeholder(m: &Matcher) -> Value {
    Value::String(format!("<{}>", m.describe()))
}

/// Equality of JSON values, numbers by exact decimal value (`1 == 1.0`).
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| values_equal(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

/// A hash that agrees with [`values_equal`]: equal values hash alike
/// (numbers by their exact decimal value, object members in any order).
pub(crate) fn value_hash(v: &Value) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    fn feed(v: &Value, h: &mut DefaultHasher) {
        match v {
            Value::Null => 0u8.hash(h),
            Value::Bool(b) => (1u8, b).hash(h),
            Value::Number(n) => {
                2u8.hash(h);
                match canonical_number(n) {
                    Some(parts) => parts.hash(h),
                    None => n.to_string().hash(h),
                }
            }
            Value::String(s) => (3u8, s).hash(h),
            Value::Array(a) => {
                (4u8, a.len()).hash(h);
                a.iter().for_each(|x| feed(x, h));
            }
            Value::Object(o) => {
                let members = o.iter().fold(0u64, |acc, (k, x)| {
                    let mut one = DefaultHasher::new();
                    k.hash(&mut one);
                    feed(x, &mut one);
                    acc.wrapping_add(one.finish())
                });
                (5u8, o.len(), members).hash(h);
            }
        }
    }
    let mut h = DefaultHasher::new();
    feed(v, &mut h);
    h.finish()
}

/// Checks one value; returns the expected view (`None` when the expectation
/// is that the value is absent).
///
/// Long on purpose: one arm per [`Matcher`] variant, so that each kind's
/// verdict and view sit side by side; the larger ones (`$unordered`, keyed
/// items) are functions of their own.
fn check(m: &Matcher, actual: Option<&Value>, path: &Path, strict: bool, out: &mut Found) -> Option<Value> {
    let present = |out: &mut Found| {
        if actual.is_none() {
            out.push(|| body(path, m.describe(), None, "missing member"));
            false
        } else {
            true
        }
    };
    match m {
        Matcher::Absent => {
            if let Some(a) = actual {
                out.push(|| body(path, "(absent)", Some(a), "unexpected member"));
            }
            None
        }
        Matcher::Optional(inner) => match actual {
            None => None,
            Some(_) => check(inner, actual, path, strict, out),
        },
        Matcher::Any => {
            present(out);
            Some(actual.cloned().unwrap_or_else(|| placeholder(m)))
        }
        Matcher::Eq(expected) => {
            if let Some(a) = actual {
                if !values_equal(expected, a) {
                    out.push(|| body(path, expected.to_string(), Some(a), "value differs"));
                }
            } else {
                present(out);
            }
            Some(expected.clone())
        }
        Matcher::Type(t) => leaf(m, actual, path, out, |a| t.holds(a), || format!("expected {}", t.name())),
        Matcher::Regex(r) => leaf(
            m,
            actual,
            path,
            out,
            |a| a.as_str().is_some_and(|s| r.is_match(s)),
            || "does not match the pattern".into(),
        ),
        Matcher::OneOf(vs) => {
            let ok = actual.is_some_and(|a| out.one_of(vs, a));
            leaf(m, actual, path, out, |_| ok, || "not one of the allowed values".into())
        }
        Matcher::Object { fields, strict: own } => {
            // `$strict` governs this object's own members only; the objects
            // inside it follow the case's (or suite's) default.
            let here = own.unwrap_or(strict);
            let Some(Value::Object(obj)) = actual else {
                if present(out) {
                    out.push(|| body(path, "an object", actual, "expected an object"));
                }
                return Some(sketch(m));
            };
            let mut view = Map::new();
            for (k, fm) in fields {
                if let Some(v) = check(fm, obj.get(k), &path.member(k), strict, out) {
                    view.insert(k.clone(), v);
                }
            }
            let named: std::collections::HashSet<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
            for (k, v) in obj {
                if named.contains(k.as_str()) {
                    continue;
                }
                if here {
                    out.push(|| body(&path.member(k), "(absent)", Some(v), "undocumented member (strict object)"));
                } else {
                    view.insert(k.clone(), v.clone());
                }
            }
            Some(Value::Object(view))
        }
        Matcher::Array(items) => {
            let Some(arr) = as_array(m, actual, path, out) else { return Some(sketch(m)) };
            extra_elements(items.len(), arr, path, out, "unexpected element");
            let view = items
                .iter()
                .enumerate()
                .map(|(i, im)| check(im, arr.get(i), &path.index(i), strict, out).unwrap_or(Value::Null))
                .collect();
            Some(Value::Array(view))
        }
        Matcher::Each(im) => {
            let Some(arr) = as_array(m, actual, path, out) else { return Some(sketch(m)) };
            let view = arr
                .iter()
                .enumerate()
                .map(|(i, a)| check(im, Some(a), &path.index(i), strict, out).unwrap_or(Value::Null))
                .collect();
            Some(Value::Array(view))
        }
        Matcher::Unordered(items) => {
            let Some(arr) = as_array(m, actual, path, out) else { return Some(sketch(m)) };
            Some(unordered(items, arr, path, strict, out))
        }
        Matcher::Keyed { key, items } => {
            let Some(arr) = as_array(m, actual, path, out) else { return Some(sketch(m)) };
            Some(keyed(key, items, arr, path, strict, out))
        }
        Matcher::OneOfList(list) => {
            let vs = list.as_array().map_or(&[][..], Vec::as_slice);
            let ok = actual.is_some_and(|a| out.one_of(vs, a));
            leaf(m, actual, path, out, |_| ok, || "not one of the allowed values".into())
        }
        Matcher::Compare(bounds) => {
            let Some(a) = actual else { return leaf(m, actual, path, out, |_| false, String::new) };
            let Value::Number(n) = a else {
                out.push(|| body(path, m.describe(), Some(a), "expected a number"));
                return Some(placeholder(m));
            };
            let mut failed = Vec::new();
            let mut undecided = false;
            for (c, bound) in bounds {
                match bound_number(bound).map(|b| compare_numbers(n, &b)) {
                    Some(Some(ord)) if c.holds(ord) => {}
                    Some(Some(_)) => failed.push(format!("not {} {}", c.symbol(), show_bound(bound))),
                    // Exponents beyond 38 digits cannot be placed exactly;
                    // a bound that is not a number is a step error before this.
                    _ => {
                        undecided = true;
                        failed.push(format!("cannot be compared with {}", show_bound(bound)));
                    }
                }
            }
            if failed.is_empty() {
                return Some(a.clone());
            }
            // Undecided only when no bound is known to fail: a value known
            // to break one bound differs, whatever the others say.
            let make = || body(path, m.describe(), Some(a), failed.join(", "));
            if undecided && failed.iter().all(|f| f.starts_with("cannot")) {
                out.push_undecided(make);
            } else {
                out.push(make);
            }
            Some(placeholder(m))
        }
        Matcher::Len(inner) => {
            let Some(a) = actual else { return leaf(m, actual, path, out, |_| false, String::new) };
            let Some(len) = length_of(a) else {
                out.push(|| body(path, m.describe(), Some(a), "expected a string, an array or an object (to measure)"));
                return Some(placeholder(m));
            };
            let mut scratch = out.scratch(0);
            check(inner, Some(&Value::from(len)), path, strict, &mut scratch);
            if scratch.is_empty() {
                return Some(a.clone());
            }
            let make = || {
                Mismatch::new(
                    MismatchKind::Body,
                    path.render(),
                    m.describe(),
                    format!("length {len}: {}", show(Some(a))),
                    if scratch.definite() == 0 { "length cannot be judged" } else { "length out of range" },
                )
            };
            if scratch.definite() == 0 {
                out.push_undecided(make);
            } else {
                out.push(make);
            }
            Some(placeholder(m))
        }
        Matcher::Not(inner) => {
            let Some(a) = actual else { return leaf(m, actual, path, out, |_| false, String::new) };
            if let Some(is) = inner.required_type()
                && !is(a)
            {
                out.push(|| body(path, m.describe(), Some(a), "wrong type for what `$not` excludes"));
                return Some(placeholder(m));
            }
            let mut scratch = out.scratch(1);
            check(inner, Some(a), path, strict, &mut scratch);
            if scratch.is_empty() {
                out.push(|| body(path, m.describe(), Some(a), "matches what `$not` excludes"));
                Some(placeholder(m))
            } else if scratch.definite() == 0 {
                // What `$not` excludes could not be judged: that is no pass.
                let why = scratch.kept.first().map(|d| format!(" ({})", d.message)).unwrap_or_default();
                out.push_undecided(|| {
                    body(path, m.describe(), Some(a), format!("cannot be judged against what `$not` excludes{why}"))
                });
                Some(placeholder(m))
            } else {
                Some(a.clone())
            }
        }
    }
}

fn leaf(
    m: &Matcher,
    actual: Option<&Value>,
    path: &Path,
    out: &mut Found,
    ok: impl Fn(&Value) -> bool,
    why: impl Fn() -> String,
) -> Option<Value> {
    match actual {
        None => {
            out.push(|| body(path, m.describe(), None, "missing member"));
            Some(placeholder(m))
        }
        Some(a) if ok(a) => Some(a.clone()),
        Some(a) => {
            out.push(|| body(path, m.describe(), Some(a), why()));
            Some(placeholder(m))
        }
    }
}

fn as_array<'a>(m: &Matcher, actual: Option<&'a Value>, path: &Path, out: &mut Found) -> Option<&'a Vec<Value>> {
    match actual {
        Some(Value::Array(a)) => Some(a),
        None => {
            out.push(|| body(path, m.describe(), None, "missing member"));
            None
        }
        Some(other) => {
            out.push(|| body(path, "an array", Some(other), "expected an array"));
            None
        }
    }
}

/// Elements past the `expected` first ones: the first [`LISTED_EXTRAS`]
/// one by one, the rest as one divergence that gives the lengths.
fn extra_elements(expected: usize, arr: &[Value], path: &Path, out: &mut Found, message: &str) {
    for (j, extra) in arr.iter().enumerate().skip(expected).take(LISTED_EXTRAS) {
        out.push(|| body(&path.index(j), "(no such item)", Some(extra), message));
    }
    let rest = arr.len().saturating_sub(expected.saturating_add(LISTED_EXTRAS));
    if rest > 0 {
        out.push(|| {
            Mismatch::new(
                MismatchKind::Body,
                path.render(),
                format!("{expected} elements"),
                format!("{} elements", arr.len()),
                format!("and {rest} more unexpected elements"),
            )
        });
    }
}

/// The expectation as JSON without an actual value to borrow from.
fn sketch(m: &Matcher) -> Value {
    match m {
        Matcher::Eq(v) => v.clone(),
        Matcher::Object { fields, .. } => Value::Object(
            fields.iter().filter(|(_, f)| !matches!(f, Matcher::Absent)).map(|(k, f)| (k.clone(), sketch(f))).collect(),
        ),
        Matcher::Array(items) | Matcher::Unordered(items) | Matcher::Keyed { items, .. } => {
            Value::Array(items.iter().map(sketch).collect())
        }
        Matcher::Each(im) => Value::Array(vec![sketch(im)]),
        other => placeholder(other),
    }
}

/// Which elements an expected item can possibly match, found by hashing
/// instead of checking: an exact value matches only elements equal to it,
/// an object naming a member with an exact value only elements with that
/// member equal to it. Everything else may match any element.
struct Candidates<'a> {
    whole: std::collections::HashMap<u64, Vec<usize>>,
    member: std::collections::HashMap<(&'a str, u64), Vec<usize>>,
    filters: Vec<Option<Filter<'a>>>,
    elements: usize,
}

#[derive(Clone, Copy)]
enum Filter<'a> {
    Whole(u64),
    Member(&'a str, u64),
}

impl<'a> Candidates<'a> {
    fn new(items: &'a [Matcher], arr: &'a [Value]) -> Candidates<'a> {
        let filters: Vec<Option<Filter<'a>>> = items
            .iter()
            .map(|im| match im {
                Matcher::Eq(v) => Some(Filter::Whole(value_hash(v))),
                Matcher::Object { fields, .. } => fields.iter().find_map(|(k, f)| match f {
                    Matcher::Eq(v) => Some(Filter::Member(k.as_str(), value_hash(v))),
                    _ => None,
                }),
                _ => None,
            })
            .collect();
        let wants_whole = filters.iter().any(|f| matches!(f, Some(Filter::Whole(_))));
        let names: std::collections::HashSet<&str> = filters
            .iter()
            .filter_map(|f| match f {
                Some(Filter::Member(k, _)) => Some(*k),
                _ => None,
            })
            .collect();
        let mut whole: std::collections::HashMap<u64, Vec<usize>> = std::collections::HashMap::new();
        let mut member: std::collections::HashMap<(&str, u64), Vec<usize>> = std::collections::HashMap::new();
        for (j, e) in arr.iter().enumerate() {
            if wants_whole {
                whole.entry(value_hash(e)).or_default().push(j);
            }
            if let Value::Object(o) = e {
                for &k in &names {
                    if let Some(v) = o.get(k) {
                        member.entry((k, value_hash(v))).or_default().push(j);
                    }
                }
            }
        }
        Candidates { whole, member, filters, elements: arr.len() }
    }

    /// Whether item `i`'s elements are found by hash (not every element).
    fn hashed(&self, i: usize) -> bool {
        self.filters.get(i).copied().flatten().is_some()
    }

    /// The elements item `i` may match, in order.
    fn of(&self, i: usize) -> Box<dyn Iterator<Item = usize> + '_> {
        let bucket = match self.filters.get(i).copied().flatten() {
            None => return Box::new(0..self.elements),
            Some(Filter::Whole(h)) => self.whole.get(&h),
            Some(Filter::Member(k, h)) => self.member.get(&(k, h)),
        };
        Box::new(bucket.into_iter().flatten().copied())
    }
}

/// Pairs expected items with actual elements, any order, so that a pairing
/// is found whenever one exists (a maximum bipartite matching). The common
/// cases cost little: items given in the actual order pair with one check
/// each; exact values and objects naming a member exactly are paired by
/// hash. What is left is paired by augmenting paths over rows of the
/// item-element table computed only when needed, within
/// [`PAIRING_BUDGET`] checks; over it, the items are compared in order,
/// after a divergence that says the pairing was not tried.
///
/// Without a perfect matching, each expected item left over is reported with
/// the closest leftover element (fewest divergences; when the budget allows
/// finding it), and each element left over as unexpected; the view puts each
/// such item beside its closest element, so the diff shows what differs.
fn unordered(items: &[Matcher], arr: &[Value], path: &Path, strict: bool, out: &mut Found) -> Value {
    let any = Path { parent: Some(path), segment: Segment::Any };
    // Whether a check has said "cannot be judged" rather than "differs".
    let mut undecided = false;
    let mut element_of: Vec<Option<usize>> = vec![None; items.len()];
    let mut item_of: Vec<Option<usize>> = vec![None; arr.len()];
    // Item k against element k, checked once and kept (divergences up to
    // what the body may still list, and the view): every later use of the
    // pair reads it, so nested `$unordered` checks each level once, not
    // once per use (which was exponential in the depth).
    let mut room = out.cap.saturating_sub(out.kept.len());
    let mut in_order: Vec<(Found, Option<Value>)> = Vec::new();
    // Small enough to pair in full whatever is left of the budget.
    let small = items.len().saturating_mul(arr.len()) <= SMALL_PAIRING;
    for k in 0..items.len().min(arr.len()) {
        // Linear, so free: only the search below spends the budget.
        let mut s = out.scratch(room);
        let view = check(&items[k], Some(&arr[k]), &path.index(k), strict, &mut s);
        room -= s.kept.len();
        undecided |= s.definite() == 0 && !s.is_empty();
        if s.is_empty() {
            element_of[k] = Some(k);
            item_of[k] = Some(k);
        }
        in_order.push((s, view));
    }
    let fits = |i: usize, j: usize, undecided: &mut bool| -> bool {
        if i == j
            && let Some((s, _)) = in_order.get(i)
        {
            return s.is_empty();
        }
        let mut s = out.scratch(0);
        check(&items[i], Some(&arr[j]), &path.index(j), strict, &mut s);
        *undecided |= s.definite() == 0 && !s.is_empty();
        s.is_empty()
    };
    let candidates = Candidates::new(items, arr);
    let mut rows: Vec<Option<Vec<usize>>> = vec![None; items.len()];
    let mut over_budget = false;
    'roots: for root in 0..items.len() {
        if element_of[root].is_some() {
            continue;
        }
        // Kuhn's augmenting path from `root`, with an explicit stack so that
        // long arrays cannot overflow the stack; `via[k]` is the element
        // that led to `stack[k + 1]`.
        let mut visited = vec![false; arr.len()];
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        let mut via: Vec<usize> = Vec::new();
        let mut free = None;
        while let Some(&(item, cursor)) = stack.last() {
            if rows[item].is_none() {
                let mut row = Vec::new();
                let hashed = candidates.hashed(item);
                for (n, j) in candidates.of(item).enumerate() {
                    // Free: the pair checked in order (kept), and the first
                    // element the hash finds (one per item, so linear).
                    let free = small || (item == j && item < in_order.len()) || (hashed && n == 0);
                    if !free && !out.spend() {
                        over_budget = true;
                        break 'roots;
                    }
                    if fits(item, j, &mut undecided) {
                        row.push(j);
                    }
                }
                rows[item] = Some(row);
            }
            let Some(&element) = rows[item].as_ref().and_then(|r| r.get(cursor)) else {
                stack.pop();
                via.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            if std::mem::replace(&mut visited[element], true) {
                continue;
            }
            match item_of[element] {
                None => {
                    free = Some(element);
                    break;
                }
                Some(owner) => {
                    via.push(element);
                    stack.push((owner, 0));
                }
            }
        }
        // Augment along the path: each item on it takes the next element.
        if let Some(mut element) = free {
            for k in (0..stack.len()).rev() {
                let item = stack[k].0;
                element_of[item] = Some(element);
                item_of[element] = Some(item);
                if let Some(&e) = k.checked_sub(1).and_then(|p| via.get(p)) {
                    element = e;
                }
            }
        }
    }
    if over_budget {
        return unordered_in_order(items, arr, path, strict, in_order, out);
    }

    // Leftover items take their closest leftover element, closest pairs
    // first, when the budget allows the table.
    let left_items: Vec<usize> = (0..items.len()).filter(|&i| element_of[i].is_none()).collect();
    let left_elements: Vec<usize> = (0..arr.len()).filter(|&j| item_of[j].is_none()).collect();
    let mut closest: Vec<Option<usize>> = vec![None; items.len()];
    let table_size = left_items.len().saturating_mul(left_elements.len());
    if small || table_size <= out.budget.get() {
        if !small {
            out.budget.set(out.budget.get() - table_size);
        }
        let mut table: Vec<(usize, usize, usize)> = Vec::new();
        for &i in &left_items {
            for &j in &left_elements {
                let total = match in_order.get(i) {
                    Some((s, _)) if i == j => s.total,
                    _ => {
                        let mut s = out.scratch(0);
                        check(&items[i], Some(&arr[j]), &path.index(j), strict, &mut s);
                        s.total
                    }
                };
                table.push((total, i, j));
            }
        }
        table.sort_unstable();
        let mut taken = vec![false; arr.len()];
        for (_, i, j) in table {
            if closest[i].is_none() && !taken[j] {
                closest[i] = Some(j);
                taken[j] = true;
            }
        }
    }
    // A pairing that failed because a value could not be judged is itself
    // undecided: `$not` must not read it as "differs".
    let mut here = out.scratch(out.cap.saturating_sub(out.kept.len()));
    let mut view: Vec<Option<Value>> = vec![None; arr.len()];
    let mut unmatched_views = Vec::new();
    let mut in_order: Vec<Option<(Found, Option<Value>)>> = in_order.into_iter().map(Some).collect();
    // Item i against element j: as kept when j is i, else checked now.
    let mut result = |i: usize, j: usize, cap: usize| -> (Found, Option<Value>) {
        if i == j
            && let Some(kept) = in_order.get_mut(i).and_then(Option::take)
        {
            return kept;
        }
        let mut s = out.scratch(cap);
        let v = check(&items[i], arr.get(j), &path.index(j), strict, &mut s);
        (s, v)
    };
    for (i, im) in items.iter().enumerate() {
        if let Some(j) = element_of[i] {
            view[j] = result(i, j, 0).1;
            continue;
        }
        let expected = || serde_json::to_string(&sketch(im)).unwrap_or_default();
        match closest[i] {
            Some(j) => {
                let diffs;
                (diffs, view[j]) = result(i, j, 1);
                // The first divergence, cut: nested `$unordered` would
                // otherwise repeat every level's message in the next.
                let first = diffs
                    .kept
                    .first()
                    .map(|d| {
                        let text = format!(": {} {}", d.path, d.message);
                        if text.chars().count() > SHOWN {
                            format!("{}…", text.chars().take(SHOWN).collect::<String>())
                        } else {
                            text
                        }
                    })
                    .unwrap_or_default();
                let n = diffs.total;
                here.push(|| {
                    body(
                        &any,
                        expected(),
                        Some(&arr[j]),
                        format!(
                            "no element matches this expected item (closest: {} with {n} divergence{}{first})",
                            path.index(j).render(),
                            if n == 1 { "" } else { "s" }
                        ),
                    )
                });
            }
            None => {
                here.push(|| body(&any, expected(), None, "no element matches this expected item"));
                unmatched_views.push(sketch(im));
            }
        }
    }
    // An element left over (closest to an item or not) is unexpected; one
    // closest to no item has no place in the view, so the diff shows it added.
    for &j in &left_elements {
        here.push(|| body(&path.index(j), "(no such item)", arr.get(j), "unexpected element"));
    }
    out.absorb(here, undecided);
    Value::Array(view.into_iter().flatten().chain(unmatched_views).collect())
}

/// `$unordered` over [`PAIRING_BUDGET`]: one divergence that says so, then
/// the items compared in order. The verdict is a failure (the pairing was
/// not tried) and says so; under `$not` it is undecided, not a pass.
fn unordered_in_order(
    items: &[Matcher],
    arr: &[Value],
    path: &Path,
    strict: bool,
    in_order: Vec<(Found, Option<Value>)>,
    out: &mut Found,
) -> Value {
    let mut here = out.scratch(out.cap.saturating_sub(out.kept.len()));
    here.push(|| {
        Mismatch::new(
            MismatchKind::Body,
            path.render(),
            format!("{} items in any order", items.len()),
            format!("{} elements", arr.len()),
            format!(
                "too many unordered items to pair ({} items × {} elements, over {PAIRING_BUDGET} checks); compared in order",
                items.len(),
                arr.len()
            ),
        )
    });
    extra_elements(items.len(), arr, path, &mut here, "unexpected element");
    // Item k against element k was checked already: its divergences and
    // view are taken as they are; items past the elements are missing.
    let mut view = Vec::with_capacity(items.len());
    let checked = in_order.len();
    for (found, v) in in_order {
        here.absorb(found, false);
        view.push(v.unwrap_or(Value::Null));
    }
    for (i, im) in items.iter().enumerate().skip(checked) {
        view.push(check(im, arr.get(i), &path.index(i), strict, &mut here).unwrap_or(Value::Null));
    }
    out.absorb(here, true);
    Value::Array(view)
}

/// Pairs expected items with elements by the value of member `key`: the
/// elements are indexed by that value once (so pairing is linear), each item
/// takes the first element with its key, later ones are duplicates. Two
/// items naming one key (templated keys that render alike; literal ones are
/// refused at load) do not share its element: the second is a divergence.
fn keyed(key: &str, items: &[Matcher], arr: &[Value], path: &Path, strict: bool, out: &mut Found) -> Value {
    let mut by_key: std::collections::HashMap<u64, Vec<usize>> = std::collections::HashMap::new();
    for (j, e) in arr.iter().enumerate() {
        if let Some(v) = e.get(key) {
            by_key.entry(value_hash(v)).or_default().push(j);
        }
    }
    let mut used = vec![false; arr.len()];
    let mut view: Vec<Option<Value>> = vec![None; arr.len()];
    let mut missing_views = Vec::new();
    for im in items {
        let Some(kv) = key_of(im, key) else {
            // Checked at load: every keyed item names its key exactly.
            continue;
        };
        let item_path = Path { parent: Some(path), segment: Segment::Keyed(key, kv) };
        let hits: Vec<usize> = by_key
            .get(&value_hash(kv))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&j| arr[j].get(key).is_some_and(|a| values_equal(a, kv)))
            .collect();
        match hits.as_slice() {
            [] => {
                out.push(|| body(&item_path, format!("an item with {key} = {kv}"), None, "missing item"));
                missing_views.push(sketch(im));
            }
            [j, ..] if used[*j] => {
                out.push(|| {
                    body(
                        &item_path,
                        format!("an item of its own with {key} = {kv}"),
                        None,
                        format!("two items name the key {key} = {kv}; each needs its own element"),
                    )
                });
                missing_views.push(sketch(im));
            }
            [j, rest @ ..] => {
                for &extra in rest {
                    out.push(|| {
                        body(
                            &path.index(extra),
                            format!("one item with {key} = {kv}"),
                            arr.get(extra),
                            "duplicate item",
                        )
                    });
                    used[extra] = true;
                }
                used[*j] = true;
                view[*j] = check(im, arr.get(*j), &item_path, strict, out);
            }
        }
    }
    for (j, u) in used.iter().enumerate() {
        if !u {
            out.push(|| body(&path.index(j), "(no such item)", arr.get(j), "unexpected item"));
        }
    }
    Value::Array(view.into_iter().flatten().chain(missing_views).collect())
}

/// The exact key value an expected keyed item names.
pub fn key_of<'a>(item: &'a Matcher, key: &str) -> Option<&'a Value> {
    match item {
        Matcher::Object { fields, .. } => fields.iter().find(|(k, _)| k == key).and_then(|(_, m)| match m {
            Matcher::Eq(v) => Some(v),
            _ => None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(fields: Vec<(&str, Matcher)>) -> Matcher {
        Matcher::Object { fields: fields.into_iter().map(|(k, m)| (k.to_owned(), m)).collect(), strict: None }
    }
    fn eq(v: Value) -> Matcher {
        Matcher::Eq(v)
    }
    fn paths(m: &Matcher, actual: Option<&Value>, strict: bool) -> Vec<String> {
        match_json(m, actual, strict).mismatches.into_iter().map(|m| format!("{} {}", m.path, m.message)).collect()
    }

    #[test]
    fn scalars_types_regexes_and_one_of() {
        let table: Vec<(Matcher, Value, bool)> = vec![
            (eq(json!(1)), json!(1.0), true),
            (eq(json!("a")), json!("b"), false),
            (Matcher::Type(JsonType::String), json!("x"), true),
            (Matcher::Type(JsonType::String), json!(1), false),
            (Matcher::Type(JsonType::Integer), json!(1.5), false),
            (Matcher::Type(JsonType::Null), json!(null), true),
            (Matcher::Regex(Regex::new("^a+$").unwrap()), json!("aaa"), true),
            (Matcher::Regex(Regex::new("^a+$").unwrap()), json!(1), false),
            (Matcher::OneOf(vec![json!("Basic"), json!("Pro")]), json!("Pro"), true),
            (Matcher::OneOf(vec![json!("Basic"), json!("Pro")]), json!("pro"), false),
            (Matcher::Any, json!(null), true),
        ];
        for (m, actual, ok) in table {
            let r = match_json(&m, Some(&actual), true);
            assert_eq!(r.mismatches.is_empty(), ok, "{m:?} vs {actual}: {:?}", r.mismatches);
        }
    }

    #[test]
    fn absent_and_any_distinguish_missing_members() {
        let m = obj(vec![("gone", Matcher::Absent), ("here", Matcher::Any)]);
        assert!(paths(&m, Some(&json!({"here": 0})), true).is_empty());
        assert_eq!(
            paths(&m, Some(&json!({"gone": 1})), true),
            vec!["$.gone unexpected member", "$.here missing member"]
        );
    }

    #[test]
    fn strict_objects_reject_extra_members_and_lenient_ones_allow_them() {
        let m = obj(vec![("a", eq(json!(1)))]);
        let actual = json!({"a": 1, "b": 2});
        assert_eq!(paths(&m, Some(&actual), true), vec!["$.b undocumented member (strict object)"]);
        assert!(paths(&m, Some(&actual), false).is_empty());
        let lenient_here = Matcher::Object { fields: vec![("a".into(), eq(json!(1)))], strict: Some(false) };
        assert!(paths(&lenient_here, Some(&actual), true).is_empty());
    }

    #[test]
    fn lenient_never_passes_missing_members_or_missing_bodies() {
        let m = obj(vec![("UserErrors", Matcher::Type(JsonType::Array))]);
        assert_eq!(paths(&m, Some(&json!({})), false), vec!["$.UserErrors missing member"]);
        assert_eq!(paths(&m, None, false), vec!["$ missing member"]);
        assert_eq!(paths(&m, Some(&json!([])), false), vec!["$ expected an object"]);
    }

    #[test]
    fn ordered_arrays_compare_position_by_position() {
        let m = Matcher::Array(vec![eq(json!(1)), eq(json!(2))]);
        assert!(paths(&m, Some(&json!([1, 2])), true).is_empty());
        assert_eq!(paths(&m, Some(&json!([2, 1])), true), vec!["$[0] value differs", "$[1] value differs"]);
        assert_eq!(paths(&m, Some(&json!([1])), true), vec!["$[1] missing member"]);
        assert_eq!(paths(&m, Some(&json!([1, 2, 3])), true), vec!["$[2] unexpected element"]);
    }

    #[test]
    fn unordered_arrays_accept_any_order_but_not_other_items() {
        let m = Matcher::Unordered(vec![eq(json!("a")), eq(json!("b"))]);
        assert!(paths(&m, Some(&json!(["b", "a"])), true).is_empty());
        assert_eq!(
            paths(&m, Some(&json!(["b", "c"])), true),
            vec![
                "$[*] no element matches this expected item (closest: $[1] with 1 divergence: $[1] value differs)",
                "$[1] unexpected element"
            ]
        );
    }

    /// Issue #12, item 1: a valid pairing must be found whatever the item order.
    #[test]
    fn unordered_finds_a_pairing_where_greedy_pairing_fails_issue_12_item_1() {
        let m = Matcher::Unordered(vec![Matcher::Type(JsonType::String), eq(json!("a"))]);
        assert!(paths(&m, Some(&json!(["a", "b"])), true).is_empty());
        let m = Matcher::Unordered(vec![Matcher::Regex(Regex::new("^a").unwrap()), eq(json!("ab"))]);
        assert!(paths(&m, Some(&json!(["ab", "ac"])), true).is_empty());
        // Without a perfect matching, the leftovers are reported and the
        // view puts the unmatched item beside its closest element.
        let m = Matcher::Unordered(vec![
            obj(vec![("id", eq(json!(1))), ("v", eq(json!("x")))]),
            obj(vec![("id", eq(json!(2))), ("v", eq(json!("y")))]),
        ]);
        let actual = json!([{"id": 2, "v": "y"}, {"id": 1, "v": "z"}, {"id": 3, "v": "w"}]);
        let r = match_json(&m, Some(&actual), true);
        let got: Vec<String> = r.mismatches.iter().map(|m| format!("{} {}", m.path, m.message)).collect();
        assert_eq!(
            got,
            vec![
                "$[*] no element matches this expected item (closest: $[1] with 1 divergence: $[1].v value differs)",
                "$[1] unexpected element",
                "$[2] unexpected element"
            ]
        );
        assert_eq!(r.expected_view, json!([{"id": 2, "v": "y"}, {"id": 1, "v": "x"}]));
    }

    /// Issue #12, item 2: integers are compared exactly, `1 == 1.0` stays.
    #[test]
    fn big_integers_are_compared_exactly_issue_12_item_2() {
        let parse = |t: &str| -> Value { serde_json::from_str(t).unwrap() };
        let m = obj(vec![("n", eq(parse("9007199254740992")))]);
        assert_eq!(paths(&m, Some(&parse(r#"{"n":9007199254740993}"#)), true), vec!["$.n value differs"]);
        let m = eq(parse("9223372036854775807"));
        assert!(!paths(&m, Some(&parse("9223372036854775806")), true).is_empty());
        assert!(paths(&eq(json!(1)), Some(&parse("1.0")), true).is_empty());
        assert!(paths(&Matcher::Type(JsonType::Integer), Some(&parse("18446744073709551616")), true).is_empty());
        // `$key` pairs by the same exact equality.
        let keyed = Matcher::Keyed {
            key: "Id".into(),
            items: vec![obj(vec![("Id", eq(parse("9007199254740993"))), ("v", eq(json!(1)))])],
        };
        assert_eq!(
            paths(&keyed, Some(&parse(r#"[{"Id":9007199254740992,"v":1}]"#)), true),
            vec!["$[?@.Id==9007199254740993] missing item", "$[0] unexpected item"]
        );
    }

    /// Issue #12, item 10: `$strict` governs its own object only, in both directions.
    #[test]
    fn strict_applies_to_its_own_object_only_issue_12_item_10() {
        let inner = |strict: Option<bool>| Matcher::Object { fields: vec![("a".into(), eq(json!(1)))], strict };
        let outer =
            |strict: Option<bool>, child: Matcher| Matcher::Object { fields: vec![("o".into(), child)], strict };
        let actual = json!({"o": {"a": 1, "extra": 1}, "extra": 1});
        // A lenient outer object in a strict case: its child stays strict.
        assert_eq!(
            paths(&outer(Some(false), inner(None)), Some(&actual), true),
            vec!["$.o.extra undocumented member (strict object)"]
        );
        // A strict outer object in a lenient case: its child stays lenient.
        assert_eq!(
            paths(&outer(Some(true), inner(None)), Some(&actual), false),
            vec!["$.extra undocumented member (strict object)"]
        );
        // Each object says for itself.
        assert!(paths(&outer(Some(false), inner(Some(false))), Some(&actual), true).is_empty());
    }

    #[test]
    fn keyed_arrays_pair_items_by_key_and_diff_each() {
        let item = |id: &str, code: Matcher| obj(vec![("UserId", eq(json!(id))), ("ErrorCode", code)]);
        let m = Matcher::Keyed {
            key: "UserId".into(),
            items: vec![item("u1", eq(json!("NotFound"))), item("u2", Matcher::Type(JsonType::String))],
        };
        let good = json!([{"UserId": "u2", "ErrorCode": "X"}, {"UserId": "u1", "ErrorCode": "NotFound"}]);
        let r = match_json(&m, Some(&good), true);
        assert!(r.mismatches.is_empty(), "{:?}", r.mismatches);
        assert_eq!(r.expected_view, good, "the view follows the actual order");

        let bad = json!([{"UserId": "u1", "ErrorCode": "Forbidden"}, {"UserId": "u3", "ErrorCode": "X"}]);
        assert_eq!(
            paths(&m, Some(&bad), true),
            vec![
                "$[?@.UserId==\"u1\"].ErrorCode value differs",
                "$[?@.UserId==\"u2\"] missing item",
                "$[1] unexpected item"
            ]
        );
        let dup = json!([{"UserId": "u1", "ErrorCode": "NotFound"}, {"UserId": "u1", "ErrorCode": "NotFound"}, {"UserId": "u2", "ErrorCode": "X"}]);
        assert_eq!(paths(&m, Some(&dup), true), vec!["$[1] duplicate item"]);
    }

    #[test]
    fn optional_accepts_absence_but_not_a_wrong_value() {
        let m = obj(vec![("UserErrors", Matcher::Optional(Box::new(Matcher::Array(vec![]))))]);
        assert!(paths(&m, Some(&json!({})), true).is_empty());
        assert!(paths(&m, Some(&json!({"UserErrors": []})), true).is_empty());
        assert_eq!(paths(&m, Some(&json!({"UserErrors": [1]})), true), vec!["$.UserErrors[0] unexpected element"]);
    }

    #[test]
    fn each_checks_every_element() {
        let m = Matcher::Each(Box::new(Matcher::OneOf(vec![json!("a"), json!("b")])));
        assert!(paths(&m, Some(&json!([])), true).is_empty());
        assert_eq!(paths(&m, Some(&json!(["a", "z"])), true), vec!["$[1] not one of the allowed values"]);
        assert_eq!(paths(&m, Some(&json!({})), true), vec!["$ expected an array"]);
    }

    #[test]
    fn paths_quote_unusual_member_names() {
        let m = obj(vec![("a b", eq(json!(1)))]);
        assert_eq!(paths(&m, Some(&json!({"a b": 2})), true), vec!["$['a b'] value differs"]);
    }

    #[test]
    fn expected_view_borrows_matched_leaves() {
        let m = obj(vec![("id", Matcher::Type(JsonType::String)), ("n", eq(json!(1)))]);
        let r = match_json(&m, Some(&json!({"id": "abc", "n": 2})), true);
        assert_eq!(r.expected_view, json!({"id": "abc", "n": 1}));
    }

    fn parse(t: &str) -> Value {
        serde_json::from_str(t).unwrap()
    }
    fn cmp(bounds: &[(Comparison, &str)]) -> Matcher {
        Matcher::Compare(bounds.iter().map(|(c, b)| (*c, parse(b))).collect())
    }

    /// Issue #13, item 8: `$gt`/`$gte`/`$lt`/`$lte`, exact on the decimal text.
    #[test]
    fn comparisons_are_exact_and_combine_into_ranges_issue_13_item_8() {
        use Comparison::*;
        let range = cmp(&[(Gte, "1"), (Lte, "64")]);
        for (actual, ok) in [("1", true), ("64", true), ("64.0", true), ("0.999", false), ("65", false), ("1e1", true)]
        {
            assert_eq!(paths(&range, Some(&parse(actual)), true).is_empty(), ok, "{actual}");
        }
        // Past 2^53 a double would call these equal.
        let gt = cmp(&[(Gt, "9007199254740992")]);
        assert!(paths(&gt, Some(&parse("9007199254740993")), true).is_empty());
        assert_eq!(
            paths(&cmp(&[(Lt, "9007199254740993")]), Some(&parse("9007199254740993")), true),
            vec!["$ not < 9007199254740993"]
        );
        assert_eq!(paths(&gt, Some(&json!("9007199254740993")), true), vec!["$ expected a number"]);
        assert_eq!(paths(&obj(vec![("n", gt.clone())]), Some(&json!({})), true), vec!["$.n missing member"]);
        // A bound rendered from a `--var` string is taken as a number.
        let rendered = cmp(&[(Gt, "0")]).map_values(&mut |_| Ok::<_, ()>(json!("10"))).unwrap();
        assert!(rendered.render_problem().is_none());
        assert!(paths(&rendered, Some(&json!(11)), true).is_empty());
        assert!(!paths(&rendered, Some(&json!(10)), true).is_empty());
        let bad = cmp(&[(Gt, "0")]).map_values(&mut |_| Ok::<_, ()>(json!("ten"))).unwrap();
        assert_eq!(bad.render_problem().as_deref(), Some("the bound of `$gt` must be a number, got \"ten\""));
    }

    /// Issue #13, item 8: `$len` counts characters, elements and members.
    #[test]
    fn len_measures_strings_arrays_and_objects_issue_13_item_8() {
        let at_most_3 = Matcher::Len(Box::new(cmp(&[(Comparison::Lte, "3")])));
        for (actual, ok) in [
            (json!("abc"), true),
            (json!("éèê"), true), // characters, not bytes
            (json!("abcd"), false),
            (json!([1, 2, 3]), true),
            (json!([1, 2, 3, 4]), false),
            (json!({"a": 1}), true),
        ] {
            assert_eq!(paths(&at_most_3, Some(&actual), true).is_empty(), ok, "{actual}");
        }
        assert_eq!(
            paths(&at_most_3, Some(&json!(12)), true),
            vec!["$ expected a string, an array or an object (to measure)"]
        );
        assert_eq!(paths(&at_most_3, None, true), vec!["$ missing member"]);
        let exactly_2 = Matcher::Len(Box::new(eq(json!(2))));
        assert_eq!(paths(&exactly_2, Some(&json!([1])), true), vec!["$ length out of range"]);
    }

    /// Issue #13, item 8: `$not`, and how it composes.
    #[test]
    fn not_negates_what_the_matcher_says_about_a_present_value_issue_13_item_8() {
        let not_a = Matcher::Not(Box::new(eq(json!("a"))));
        assert!(paths(&not_a, Some(&json!("b")), true).is_empty());
        assert_eq!(paths(&not_a, Some(&json!("a")), true), vec!["$ matches what `$not` excludes"]);
        // Absent is not "not a": a named member must be there, unless `$optional`.
        assert_eq!(paths(&obj(vec![("x", not_a.clone())]), Some(&json!({})), true), vec!["$.x missing member"]);
        let optional = obj(vec![("x", Matcher::Optional(Box::new(not_a.clone())))]);
        assert!(paths(&optional, Some(&json!({})), true).is_empty());
        // The type stays required: a string is no pass for "not these items".
        let not_perm = Matcher::Not(Box::new(Matcher::Unordered(vec![eq(json!(1)), eq(json!(2))])));
        assert!(paths(&not_perm, Some(&json!([1, 3])), true).is_empty());
        assert!(paths(&not_perm, Some(&json!([1, 2, 2])), true).is_empty());
        assert_eq!(paths(&not_perm, Some(&json!([2, 1])), true), vec!["$ matches what `$not` excludes"]);
        assert_eq!(paths(&not_perm, Some(&json!("12")), true), vec!["$ wrong type for what `$not` excludes"]);
        // `$each` of `$not`: no element matches; `$not` of `$each`: some element does not.
        let page1 = json!(["a", "b"]);
        let none_repeated = Matcher::Each(Box::new(Matcher::Not(Box::new(Matcher::OneOfList(page1.clone())))));
        assert!(paths(&none_repeated, Some(&json!(["c", "d"])), true).is_empty());
        assert_eq!(paths(&none_repeated, Some(&json!(["c", "b"])), true), vec!["$[1] matches what `$not` excludes"]);
        let not_all_in_page1 = Matcher::Not(Box::new(Matcher::Each(Box::new(Matcher::OneOfList(page1)))));
        assert!(paths(&not_all_in_page1, Some(&json!(["c", "b"])), true).is_empty());
        assert!(!paths(&not_all_in_page1, Some(&json!(["b", "a"])), true).is_empty());
        // `$not` of a strict object also passes on an extra member: the
        // object as a whole differs.
        let not_obj = Matcher::Not(Box::new(obj(vec![("id", eq(json!(1)))])));
        assert!(paths(&not_obj, Some(&json!({"id": 1, "x": 0})), true).is_empty());
        assert!(!paths(&not_obj, Some(&json!({"id": 1, "x": 0})), false).is_empty());
    }

    #[test]
    fn one_of_a_list_variable_needs_a_list() {
        let m = Matcher::OneOfList(json!(["a", 1]));
        assert!(paths(&m, Some(&json!(1.0)), true).is_empty());
        assert!(!paths(&m, Some(&json!("b")), true).is_empty());
        assert!(Matcher::OneOfList(json!("a")).render_problem().is_some());
    }
}

/// Issue #24: the matcher's own bounds.
#[cfg(test)]
mod bounds {
    use super::*;
    use serde_json::json;

    fn paths(r: &BodyMatch) -> Vec<String> {
        r.mismatches.iter().map(|m| format!("{} {}", m.path, m.message)).collect()
    }

    /// Item 4: `$not` of a comparison that cannot be made is no pass.
    #[test]
    fn not_of_a_comparison_that_cannot_be_made_is_a_divergence_issue_24_item_4() {
        let huge: Value = serde_json::from_str("1e999999999999999999999999999999999999999999").unwrap();
        let bound: Value = serde_json::from_str("1e400").unwrap();
        let not_gt = Matcher::Not(Box::new(Matcher::Compare(vec![(Comparison::Gt, bound.clone())])));
        let r = match_json(&not_gt, Some(&huge), true);
        assert_eq!(paths(&r), vec!["$ cannot be judged against what `$not` excludes (cannot be compared with 1e+400)"]);
        // Twice negated, still undecided; and `$len` of it too.
        let not_not = Matcher::Not(Box::new(not_gt.clone()));
        assert_eq!(match_json(&not_not, Some(&huge), true).mismatches.len(), 1);
        // A bound known to fail decides: `$not` of (> 5 and > 1e400...) on 3.
        let decided =
            Matcher::Not(Box::new(Matcher::Compare(vec![(Comparison::Gt, json!(5)), (Comparison::Gt, huge.clone())])));
        assert!(match_json(&decided, Some(&json!(3)), true).mismatches.is_empty());
        // Inside an object beside a member that differs, the object differs.
        let obj = Matcher::Not(Box::new(Matcher::Object {
            fields: vec![
                ("a".into(), Matcher::Eq(json!(1))),
                ("b".into(), Matcher::Compare(vec![(Comparison::Gt, bound.clone())])),
            ],
            strict: None,
        }));
        assert!(match_json(&obj, Some(&json!({"a": 2, "b": huge.clone()})), true).mismatches.is_empty());
        assert_eq!(match_json(&obj, Some(&json!({"a": 1, "b": huge.clone()})), true).mismatches.len(), 1);
        // `$not` of `$unordered` whose pairing failed on such a number.
        let not_unordered =
            Matcher::Not(Box::new(Matcher::Unordered(vec![Matcher::Compare(vec![(Comparison::Gt, bound)])])));
        assert_eq!(match_json(&not_unordered, Some(&json!([huge])), true).mismatches.len(), 1);
    }

    /// Item 3: `[1]` against a long array of zeros: the first extra
    /// elements one by one, the rest as one divergence with the lengths.
    #[test]
    fn extra_elements_are_listed_then_counted_issue_24_item_3() {
        let actual = Value::Array(vec![json!(0); 100_000]);
        let r = match_json(&Matcher::Array(vec![Matcher::Eq(json!(1))]), Some(&actual), true);
        let got = paths(&r);
        assert_eq!(got.len(), LISTED_EXTRAS + 2, "{got:?}");
        assert_eq!(got[0], "$[1] unexpected element");
        assert!(got.contains(&"$ and 99989 more unexpected elements".to_owned()), "{got:?}");
        assert!(got.contains(&"$[0] value differs".to_owned()), "{got:?}");
        assert_eq!(r.omitted, 0);
    }

    /// Item 3: past the limit, divergences are counted, not kept, and one
    /// more says how many; the verdict stays a failure.
    #[test]
    fn divergences_past_the_limit_are_counted_issue_24_item_3() {
        let actual = Value::Array(vec![json!(0); 50_000]);
        let each_one = Matcher::Each(Box::new(Matcher::Eq(json!(1))));
        let r = match_json(&each_one, Some(&actual), true);
        assert_eq!(r.mismatches.len(), MAX_DIVERGENCES + 1);
        assert_eq!(r.omitted, 50_000 - MAX_DIVERGENCES);
        let last = r.mismatches.last().unwrap();
        assert_eq!((last.path.as_str(), last.message.as_str()), ("$", "and 49000 more divergences, not listed"));
        let r = match_json_within(&each_one, Some(&actual), true, 3);
        assert_eq!(
            paths(&r),
            vec![
                "$[0] value differs",
                "$[1] value differs",
                "$[2] value differs",
                "$ and 49997 more divergences, not listed"
            ]
        );
        let r = match_json_within(&each_one, Some(&actual), true, 0);
        assert_eq!(r.mismatches.len(), 1, "a limit of 0 still fails the body");
        assert!(match_json_within(&each_one, Some(&json!([1, 1])), true, 0).mismatches.is_empty());
    }

    /// Item 2: items given in order pair with one check each.
    #[test]
    fn unordered_in_order_pairs_quickly_issue_24_item_2() {
        let n = 5000;
        let items: Vec<Matcher> =
            (0..n).map(|i| Matcher::Type(if i % 2 == 0 { JsonType::Integer } else { JsonType::String })).collect();
        let actual = Value::Array((0..n).map(|i| if i % 2 == 0 { json!(i) } else { json!(i.to_string()) }).collect());
        // A budget of one check per item: only the in-order pairing fits in it.
        let r = match_found(&Matcher::Unordered(items.clone()), Some(&actual), true, 10, Found::with_budget(10, n));
        assert!(r.mismatches.is_empty(), "{:?}", paths(&r));
        // Shuffled exact values pair by hash: one check for the in-order
        // try and one for the element the hash finds, per item.
        let items: Vec<Matcher> = (0..n).map(|i| Matcher::Eq(json!(i))).collect();
        let reversed = Value::Array((0..n).rev().map(|i| json!(i)).collect());
        let r = match_found(&Matcher::Unordered(items), Some(&reversed), true, 10, Found::with_budget(10, 2 * n));
        assert!(r.mismatches.is_empty(), "{:?}", paths(&r));
        // Objects naming a member exactly, too.
        let items: Vec<Matcher> = (0..n)
            .map(|i| Matcher::Object {
                fields: vec![("id".into(), Matcher::Eq(json!(i))), ("v".into(), Matcher::Type(JsonType::String))],
                strict: None,
            })
            .collect();
        let reversed = Value::Array((0..n).rev().map(|i| json!({"id": i, "v": "x"})).collect());
        let r = match_found(&Matcher::Unordered(items), Some(&reversed), true, 10, Found::with_budget(10, 2 * n));
        assert!(r.mismatches.is_empty(), "{:?}", paths(&r));
    }

    /// Item 2: over the budget, a divergence says the pairing was not tried
    /// (never a pass), then the items are compared in order; under `$not`
    /// that is undecided, not a pass either.
    #[test]
    fn unordered_over_budget_says_so_issue_24_item_2() {
        let items: Vec<Matcher> = (0..40).map(|_| Matcher::Regex(Regex::new("^a").unwrap())).collect();
        let mut elements: Vec<Value> = (0..40).map(|_| json!("a")).collect();
        elements[0] = json!("b");
        elements.swap(0, 39);
        let actual = Value::Array(elements);
        let m = Matcher::Unordered(items);
        let r = match_found(&m, Some(&actual), true, 10, Found::with_budget(10, 30));
        assert_eq!(
            paths(&r),
            vec![
                "$ too many unordered items to pair (40 items × 40 elements, over 1000000 checks); compared in order",
                "$[39] does not match the pattern"
            ]
        );
        let r = match_found(&Matcher::Not(Box::new(m.clone())), Some(&actual), true, 10, Found::with_budget(10, 30));
        assert_eq!(r.mismatches.len(), 1, "{:?}", paths(&r));
        assert!(r.mismatches[0].message.starts_with("cannot be judged"), "{:?}", paths(&r));
        // With the budget, the same pairing finds the element that differs.
        let r = match_json(&m, Some(&actual), true);
        assert_eq!(paths(&r)[1], "$[39] unexpected element");
    }

    /// Item 2: the budget is shared by the whole body, and pairs checked in
    /// order or found by hash spent it too: `$each` of a two-tag
    /// `$unordered` over 400,000 elements given `["b","a"]` (a right body)
    /// failed every element past the 250,000th. Here on a budget of 100,
    /// which the old accounting spent by the 26th element.
    #[test]
    fn each_of_small_unordered_lists_is_judged_whole_issue_24_item_2() {
        let eq = Matcher::Eq;
        let obj = |fields: Vec<(&str, Matcher)>| Matcher::Object {
            fields: fields.into_iter().map(|(k, m)| (k.to_string(), m)).collect(),
            strict: None,
        };
        let tags = Matcher::Unordered(vec![eq(json!("a")), eq(json!("b"))]);
        let m = Matcher::Each(Box::new(obj(vec![("tags", tags)])));
        let mut elements: Vec<Value> = (0..200).map(|_| json!({"tags": ["b", "a"]})).collect();
        let r = match_found(&m, Some(&Value::Array(elements.clone())), true, 10, Found::with_budget(10, 100));
        assert!(r.mismatches.is_empty(), "{:?}", paths(&r));
        // Small lists are paired in full even with nothing left: a wrong
        // element is found, and said as it is.
        elements[199] = json!({"tags": ["c", "a"]});
        let r = match_found(&m, Some(&Value::Array(elements)), true, 10, Found::with_budget(10, 0));
        assert_eq!(
            paths(&r),
            vec![
                "$[199].tags[*] no element matches this expected item (closest: $[199].tags[0] with 1 divergence: $[199].tags[0] value differs)",
                "$[199].tags[0] unexpected element"
            ]
        );
    }

    /// Item 2: past the small size, in-order and hash-found pairs are still
    /// free: ten exact values reversed in each of 50 elements spend nothing
    /// (20 checks an element before, so a budget of 100 ran out at the 6th).
    #[test]
    fn unordered_pairs_found_in_order_or_by_hash_are_free_issue_24_item_2() {
        let eq = Matcher::Eq;
        let values: Vec<Value> = (0..10).map(|i| json!(format!("v{i}"))).collect();
        let m = Matcher::Each(Box::new(Matcher::Unordered(values.iter().cloned().map(eq).collect())));
        let reversed = Value::Array(values.iter().rev().cloned().collect());
        let actual = Value::Array(vec![reversed; 50]);
        let r = match_found(&m, Some(&actual), true, 10, Found::with_budget(10, 100));
        assert!(r.mismatches.is_empty(), "{:?}", paths(&r));
        // A search that needs real checks still spends the budget: past
        // the small size, with none left, it says it was not tried.
        let m = Matcher::Unordered((0..9).map(|_| Matcher::Regex(Regex::new("^a").unwrap())).collect());
        let actual = json!(["b", "a", "a", "a", "a", "a", "a", "a", "a"]);
        let r = match_found(&m, Some(&actual), true, 10, Found::with_budget(10, 0));
        assert!(
            paths(&r)[0].starts_with("$ too many unordered items to pair (9 items × 9 elements"),
            "{:?}",
            paths(&r)
        );
    }

    /// Item 4: two keyed items naming one key (templated keys that render
    /// alike) both matched the one element with it, so a missing second
    /// item passed; each needs its own element.
    #[test]
    fn keyed_items_naming_one_key_need_an_element_each_issue_24_item_4() {
        let obj = |fields: Vec<(&str, Matcher)>| Matcher::Object {
            fields: fields.into_iter().map(|(k, m)| (k.to_string(), m)).collect(),
            strict: None,
        };
        let eq = Matcher::Eq;
        let item = |code: &str| obj(vec![("UserId", eq(json!("u1"))), ("ErrorCode", eq(json!(code)))]);
        let m = Matcher::Keyed { key: "UserId".into(), items: vec![item("X"), item("X")] };
        let actual = json!([{"UserId": "u1", "ErrorCode": "X"}]);
        let r = match_json(&m, Some(&actual), true);
        assert_eq!(
            paths(&r),
            vec!["$[?@.UserId==\"u1\"] two items name the key UserId = \"u1\"; each needs its own element"]
        );
        assert_eq!(r.expected_view, json!([{"UserId": "u1", "ErrorCode": "X"}, {"UserId": "u1", "ErrorCode": "X"}]));
    }

    /// Item 6: `$each` of `$one_of` a long list (a captured page of ids)
    /// looks each element up by hash, not through the list (20,000 × 20,000
    /// comparisons before), and messages name the first values only.
    #[test]
    fn each_of_one_of_a_long_list_is_linear_issue_24_item_6() {
        let n = 20_000;
        let ids = Value::Array((0..n).map(|i| json!(format!("id-{i}"))).collect());
        let m = Matcher::Each(Box::new(Matcher::OneOfList(ids.clone())));
        let mut page: Vec<Value> = (0..n).rev().map(|i| json!(format!("id-{i}"))).collect();
        assert!(match_json(&m, Some(&Value::Array(page.clone())), true).mismatches.is_empty());
        page[7] = json!("other");
        page.push(json!(1.0));
        let r = match_json(&m, Some(&Value::Array(page)), true);
        assert_eq!(paths(&r), vec!["$[7] not one of the allowed values", "$[20000] not one of the allowed values"]);
        assert!(r.mismatches[0].expected.ends_with(", \"id-9\", … (20000 values)"), "{}", r.mismatches[0].expected);
        // Numbers by value through the index as through the list.
        let numbers = Matcher::OneOf((0..20).map(|i| json!(i)).collect());
        assert!(match_json(&numbers, Some(&serde_json::from_str("1.0e1").unwrap()), true).mismatches.is_empty());
    }

    /// Item 6: the matcher recurses as deep as the expectation (the loader
    /// refuses more than 128 levels) and no deeper than the actual value
    /// (serde_json parses at most 128): both at their limits fit in the
    /// 2 MiB stack of a runtime worker, even in a debug build; and nested
    /// `$unordered` checks each level once.
    #[test]
    fn deepest_expectation_against_deepest_body_fits_a_worker_stack_issue_24_item_6() {
        let depth = 127;
        let text = format!("{}1{}", "[{\"a\":".repeat(depth / 2), "}]".repeat(depth / 2));
        let actual: Value = serde_json::from_str(&text).expect("within serde_json's depth");
        let mut m = Matcher::Not(Box::new(Matcher::Unordered(vec![Matcher::Eq(json!(1))])));
        for _ in 0..depth / 2 {
            m = Matcher::Unordered(vec![Matcher::Object { fields: vec![("a".into(), m)], strict: None }]);
        }
        let worker = std::thread::Builder::new().stack_size(2 << 20);
        let r = worker.spawn(move || match_json(&m, Some(&actual), true)).unwrap().join().unwrap();
        // The outer item has no match (its element is left over); one
        // check per level, not four (4^63 before: each use of a pair
        // checked it again).
        let got: Vec<&str> = r.mismatches.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(got, vec!["$[*]", "$[0]"]);
        let said = &r.mismatches[0].message;
        assert!(
            said.starts_with("no element matches this expected item (closest: $[0] with 2 divergences: $[0].a[*]"),
            "{said}"
        );
        assert!(said.chars().count() < 2 * SHOWN, "{said}");
    }

    /// Item 6: paths are written only for divergences; deep expectations
    /// and long member names cost what they are.
    #[test]
    fn paths_are_written_only_for_divergences_issue_24_item_6() {
        let mut m = Matcher::Eq(json!(1));
        let mut actual = json!(2);
        for i in 0..100 {
            let name = if i % 2 == 0 { "a b".to_owned() } else { "k".to_owned() };
            m = Matcher::Object { fields: vec![(name.clone(), m)], strict: None };
            actual = json!({ name: actual });
            m = Matcher::Array(vec![m]);
            actual = json!([actual]);
        }
        let r = match_json(&m, Some(&actual), true);
        let p = &r.mismatches[0].path;
        assert!(p.starts_with("$[0].k[0]['a b'][0].k"), "{p}");
        assert!(p.ends_with("[0].k[0]['a b']"), "{p}");
        assert_eq!(p.len(), 50 * "[0].k".len() + 50 * "[0]['a b']".len() + 1);
        // A value shown in a message is cut, and only its start written.
        let long = Value::Array(vec![json!("x"); 1_000_000]);
        let s = show(Some(&long));
        assert_eq!(s.chars().count(), SHOWN + 1);
    }
}
