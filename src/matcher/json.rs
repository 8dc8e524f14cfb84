//! JSON body matchers: exact values, types, regexes, one-of, any, absent,
//! strict or lenient objects, and arrays in order, unordered, keyed by a
//! member, or checked element by element.

use regex::Regex;
use serde_json::{Map, Value};

use super::mismatch::{Mismatch, MismatchKind, join_key};

/// A JSON type, for `$type` matchers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
            JsonType::Integer => v.is_i64() || v.is_u64(),
            JsonType::Boolean => v.is_boolean(),
            JsonType::Array => v.is_array(),
            JsonType::Object => v.is_object(),
            JsonType::Null => v.is_null(),
        }
    }
}

/// An expectation on a JSON value.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Equal to this value (numbers compare by value: `1 == 1.0`).
    Eq(Value),
    /// Of this type.
    Type(JsonType),
    /// A string matching this regex (unanchored, as written).
    Regex(Regex),
    /// Equal to one of these values.
    OneOf(Vec<Value>),
    /// Present, with any value.
    Any,
    /// Not present.
    Absent,
    /// An object with these members. `strict` says whether members not named
    /// here are divergences; `None` inherits from the enclosing object, the
    /// case, or the suite.
    Object {
        /// Named members and their matchers, in case order.
        fields: Vec<(String, Matcher)>,
        /// Per-object strictness override.
        strict: Option<bool>,
    },
    /// An array with exactly these items, in this order.
    Array(Vec<Matcher>),
    /// An array with exactly these items, in any order.
    Unordered(Vec<Matcher>),
    /// An array of objects with exactly these items, paired by the value of
    /// member `key` whatever their order, and compared item by item.
    Keyed {
        /// The member that identifies an item (`UserId`).
        key: String,
        /// Expected items; each is an object matcher naming `key` exactly.
        items: Vec<Matcher>,
    },
    /// An array whose every element matches.
    Each(Box<Matcher>),
    /// Absent, or present and matching.
    Optional(Box<Matcher>),
}

impl Matcher {
    /// Applies `f` to every literal value (`Eq`, `OneOf`), for example to
    /// render templates, and rebuilds the matcher.
    pub fn map_values<E>(&self, f: &mut dyn FnMut(&Value) -> Result<Value, E>) -> Result<Matcher, E> {
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
            Matcher::Type(_) | Matcher::Regex(_) | Matcher::Any | Matcher::Absent => self.clone(),
        })
    }

    /// A short description, for messages.
    pub fn describe(&self) -> String {
        match self {
            Matcher::Eq(v) => v.to_string(),
            Matcher::Type(t) => format!("any {}", t.name()),
            Matcher::Regex(r) => format!("a string matching /{}/", r.as_str()),
            Matcher::OneOf(vs) => format!("one of {}", vs.iter().map(Value::to_string).collect::<Vec<_>>().join(", ")),
            Matcher::Any => "any value".into(),
            Matcher::Optional(m) => format!("absent, or {}", m.describe()),
            Matcher::Absent => "no value (absent)".into(),
            Matcher::Object { .. } => "an object".into(),
            Matcher::Array(_) | Matcher::Unordered(_) | Matcher::Keyed { .. } | Matcher::Each(_) => "an array".into(),
        }
    }
}

fn map_all<E>(items: &[Matcher], f: &mut dyn FnMut(&Value) -> Result<Value, E>) -> Result<Vec<Matcher>, E> {
    items.iter().map(|m| m.map_values(f)).collect()
}

/// The result of matching a body: the divergences, and a view of the
/// expectation shaped like the actual value (matched leaves take the actual
/// value, keyed and unordered items follow the actual order), so that a line
/// diff of the two shows only real divergences.
#[derive(Debug, Clone)]
pub struct BodyMatch {
    /// Every divergence, with its JSON path.
    pub mismatches: Vec<Mismatch>,
    /// The expectation as JSON, for the diff.
    pub expected_view: Value,
}

/// Matches `actual` (`None` when there is no JSON body) against `m`.
/// `strict` is the default for objects that do not say.
pub fn match_json(m: &Matcher, actual: Option<&Value>, strict: bool) -> BodyMatch {
    let mut out = Vec::new();
    let view = check(m, actual, "$", strict, &mut out).unwrap_or(Value::Null);
    BodyMatch { mismatches: out, expected_view: view }
}

fn body(
    path: impl Into<String>,
    expected: impl Into<String>,
    actual: Option<&Value>,
    message: impl Into<String>,
) -> Mismatch {
    Mismatch::new(MismatchKind::Body, path, expected, show(actual), message)
}

/// Renders an actual value for a message; long values are cut.
pub fn show(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 200 { format!("{}…", s.chars().take(200).collect::<String>()) } else { s }
        }
    }
}

fn placeholder(m: &Matcher) -> Value {
    Value::String(format!("<{}>", m.describe()))
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| values_equal(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Checks one value; returns the expected view (`None` when the expectation
/// is that the value is absent).
fn check(m: &Matcher, actual: Option<&Value>, path: &str, strict: bool, out: &mut Vec<Mismatch>) -> Option<Value> {
    let present = |out: &mut Vec<Mismatch>| {
        if actual.is_none() {
            out.push(body(path, m.describe(), None, "missing member"));
            false
        } else {
            true
        }
    };
    match m {
        Matcher::Absent => {
            if let Some(a) = actual {
                out.push(body(path, "(absent)", Some(a), "unexpected member"));
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
                    out.push(body(path, expected.to_string(), Some(a), "value differs"));
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
        Matcher::OneOf(vs) => leaf(
            m,
            actual,
            path,
            out,
            |a| vs.iter().any(|v| values_equal(v, a)),
            || "not one of the allowed values".into(),
        ),
        Matcher::Object { fields, strict: own } => {
            let strict = own.unwrap_or(strict);
            let Some(Value::Object(obj)) = actual else {
                if present(out) {
                    out.push(body(path, "an object", actual, "expected an object"));
                }
                return Some(sketch(m, strict));
            };
            let mut view = Map::new();
            for (k, fm) in fields {
                let p = join_key(path, k);
                if let Some(v) = check(fm, obj.get(k), &p, strict, out) {
                    view.insert(k.clone(), v);
                }
            }
            for (k, v) in obj {
                if fields.iter().any(|(f, _)| f == k) {
                    continue;
                }
                if strict {
                    out.push(body(join_key(path, k), "(absent)", Some(v), "undocumented member (strict object)"));
                } else {
                    view.insert(k.clone(), v.clone());
                }
            }
            Some(Value::Object(view))
        }
        Matcher::Array(items) => {
            let Some(arr) = as_array(m, actual, path, out) else { return Some(sketch(m, strict)) };
            for (j, extra) in arr.iter().enumerate().skip(items.len()) {
                out.push(body(format!("{path}[{j}]"), "(no such item)", Some(extra), "unexpected element"));
            }
            let view = items
                .iter()
                .enumerate()
                .map(|(i, im)| check(im, arr.get(i), &format!("{path}[{i}]"), strict, out).unwrap_or(Value::Null))
                .collect();
            Some(Value::Array(view))
        }
        Matcher::Each(im) => {
            let Some(arr) = as_array(m, actual, path, out) else { return Some(sketch(m, strict)) };
            let view = arr
                .iter()
                .enumerate()
                .map(|(i, a)| check(im, Some(a), &format!("{path}[{i}]"), strict, out).unwrap_or(Value::Null))
                .collect();
            Some(Value::Array(view))
        }
        Matcher::Unordered(items) => {
            let Some(arr) = as_array(m, actual, path, out) else { return Some(sketch(m, strict)) };
            Some(unordered(items, arr, path, strict, out))
        }
        Matcher::Keyed { key, items } => {
            let Some(arr) = as_array(m, actual, path, out) else { return Some(sketch(m, strict)) };
            Some(keyed(key, items, arr, path, strict, out))
        }
    }
}

fn leaf(
    m: &Matcher,
    actual: Option<&Value>,
    path: &str,
    out: &mut Vec<Mismatch>,
    ok: impl Fn(&Value) -> bool,
    why: impl Fn() -> String,
) -> Option<Value> {
    match actual {
        None => {
            out.push(body(path, m.describe(), None, "missing member"));
            Some(placeholder(m))
        }
        Some(a) if ok(a) => Some(a.clone()),
        Some(a) => {
            out.push(body(path, m.describe(), Some(a), why()));
            Some(placeholder(m))
        }
    }
}

fn as_array<'a>(m: &Matcher, actual: Option<&'a Value>, path: &str, out: &mut Vec<Mismatch>) -> Option<&'a Vec<Value>> {
    match actual {
        Some(Value::Array(a)) => Some(a),
        None => {
            out.push(body(path, m.describe(), None, "missing member"));
            None
        }
        Some(other) => {
            out.push(body(path, "an array", Some(other), "expected an array"));
            None
        }
    }
}

/// The expectation as JSON without an actual value to borrow from.
fn sketch(m: &Matcher, strict: bool) -> Value {
    match m {
        Matcher::Eq(v) => v.clone(),
        Matcher::Object { fields, strict: own } => Value::Object(
            fields
                .iter()
                .filter(|(_, f)| !matches!(f, Matcher::Absent))
                .map(|(k, f)| (k.clone(), sketch(f, own.unwrap_or(strict))))
                .collect(),
        ),
        Matcher::Array(items) | Matcher::Unordered(items) | Matcher::Keyed { items, .. } => {
            Value::Array(items.iter().map(|i| sketch(i, strict)).collect())
        }
        Matcher::Each(im) => Value::Array(vec![sketch(im, strict)]),
        other => placeholder(other),
    }
}

/// Pairs expected items with actual elements, any order. An expected item
/// takes the first unused element it matches without divergence; items left
/// over are reported against the leftover elements.
fn unordered(items: &[Matcher], arr: &[Value], path: &str, strict: bool, out: &mut Vec<Mismatch>) -> Value {
    let mut used = vec![false; arr.len()];
    let mut pairs: Vec<Option<usize>> = Vec::with_capacity(items.len());
    for im in items {
        let found = (0..arr.len()).find(|&j| {
            !used[j] && {
                let mut scratch = Vec::new();
                check(im, Some(&arr[j]), path, strict, &mut scratch);
                scratch.is_empty()
            }
        });
        if let Some(j) = found {
            used[j] = true;
        }
        pairs.push(found);
    }
    let mut view: Vec<Option<Value>> = vec![None; arr.len()];
    let mut unmatched_views = Vec::new();
    for (im, pair) in items.iter().zip(&pairs) {
        match pair {
            Some(j) => {
                view[*j] = check(im, Some(&arr[*j]), path, strict, &mut Vec::new());
            }
            None => {
                out.push(body(
                    format!("{path}[*]"),
                    serde_json::to_string(&sketch(im, strict)).unwrap_or_default(),
                    None,
                    "no element matches this expected item",
                ));
                unmatched_views.push(sketch(im, strict));
            }
        }
    }
    for (j, u) in used.iter().enumerate() {
        if !u {
            out.push(body(format!("{path}[{j}]"), "(no such item)", Some(&arr[j]), "unexpected element"));
        }
    }
    Value::Array(view.into_iter().flatten().chain(unmatched_views).collect())
}

fn keyed(key: &str, items: &[Matcher], arr: &[Value], path: &str, strict: bool, out: &mut Vec<Mismatch>) -> Value {
    let mut used = vec![false; arr.len()];
    let mut view: Vec<Option<Value>> = vec![None; arr.len()];
    let mut missing_views = Vec::new();
    for im in items {
        let Some(kv) = key_of(im, key) else {
            // Checked at load: every keyed item names its key exactly.
            continue;
        };
        let item_path = format!("{path}[?@.{key}=={}]", kv);
        let hits: Vec<usize> =
            (0..arr.len()).filter(|&j| arr[j].get(key).is_some_and(|a| values_equal(a, kv))).collect();
        match hits.as_slice() {
            [] => {
                out.push(body(item_path, format!("an item with {key} = {kv}"), None, "missing item"));
                missing_views.push(sketch(im, strict));
            }
            [j, rest @ ..] => {
                for extra in rest {
                    out.push(body(
                        format!("{path}[{extra}]"),
                        format!("one item with {key} = {kv}"),
                        Some(&arr[*extra]),
                        "duplicate item",
                    ));
                    used[*extra] = true;
                }
                used[*j] = true;
                view[*j] = check(im, Some(&arr[*j]), &item_path, strict, out);
            }
        }
    }
    for (j, u) in used.iter().enumerate() {
        if !u {
            out.push(body(format!("{path}[{j}]"), "(no such item)", Some(&arr[j]), "unexpected item"));
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
            vec!["$[*] no element matches this expected item", "$[1] unexpected element"]
        );
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
}
