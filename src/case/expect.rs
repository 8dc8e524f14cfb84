//! Compiling a step's `expect` at load: status, headers, text, error
//! types and JSON matchers, each problem located.

use regex::Regex;
use serde_json::Value;

use super::error::nearest;
use super::load::*;
use super::model::*;
use super::schema::*;
use super::template::Template;
use super::tree::{Node, Tree};
use crate::matcher::{Comparison, JsonType, Matcher, key_of, value_hash, values_equal};

impl Cx<'_> {
    pub(super) fn expect(&mut self, raw: &RawExpect) -> Expect {
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
            self.matcher(j).map(|m| BodyExpect::Json(JsonExpect::compile(m)))
        } else if let Some(t) = &raw.text {
            self.text_matcher(t).map(BodyExpect::Text)
        } else {
            None
        };
        let error = raw.error.as_ref().and_then(|e| {
            let names: Option<Vec<Template>> = match e.get_ref() {
                // Through the file's template parser: its `repeat` calls count
                // against the file's budget like any other.
                Tree::String(s) if !s.trim().is_empty() => self.template(s, e.span()).map(|t| vec![t]),
                Tree::Array(items) if !items.is_empty() => items
                    .iter()
                    .map(|i| match i.get_ref() {
                        Tree::String(s) if !s.trim().is_empty() => self.template(s, i.span()),
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
        let output = raw.output.as_ref().and_then(|o| {
            if self.contract.is_none() {
                self.err(
                    o.span(),
                    "`expect.output` reads the response as the SDK does, and needs a suite contract whose model defines the operation",
                );
            }
            self.matcher(o).map(JsonExpect::compile)
        });
        Expect {
            status,
            headers,
            body,
            error,
            output,
            strict: raw.strict,
            any_content_type: raw.any_content_type == Some(true),
        }
    }

    pub(super) fn regex(&mut self, node: &Node) -> Option<Regex> {
        let Tree::String(s) = node.get_ref() else {
            self.err(node.span(), "a regex must be a string");
            return None;
        };
        self.compile_regex(s, node)
    }

    pub(super) fn compile_regex(&mut self, source: &str, node: &Node) -> Option<Regex> {
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
    pub(super) fn pattern(&mut self, node: &Node) -> Option<PatternTemplate> {
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
    pub(super) fn header_matcher(&mut self, node: &Node) -> Option<HeaderExpect> {
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

    pub(super) fn text_matcher(&mut self, node: &Node) -> Option<TextExpect> {
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
    ///
    /// Long on purpose: one arm per `$` key of the case language, each a few
    /// lines of checks with its own message; apart, they would only pass the
    /// same node and context around.
    pub(super) fn matcher(&mut self, node: &Node) -> Option<Matcher> {
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
                        let mut ms: Vec<Matcher> = Vec::new();
                        // Key values seen so far, by hash, to find a repeated one in linear time.
                        let mut seen: std::collections::HashMap<u64, Vec<usize>> = std::collections::HashMap::new();
                        for i in list {
                            let m = self.matcher(i)?;
                            let Some(kv) = key_of(&m, key) else {
                                self.err(
                                    i.span(),
                                    format!("each item of a keyed array names `{key}` with an exact value"),
                                );
                                return None;
                            };
                            let same = seen.entry(value_hash(kv)).or_default();
                            if let Some(first) = same.iter().find_map(|&at| {
                                ms.get(at).and_then(|f| key_of(f, key)).filter(|fv| values_equal(fv, kv)).map(|_| at)
                            }) {
                                self.err(
                                    i.span(),
                                    format!(
                                        "item {} of this keyed array has `{key}` = {kv}, as item {} does: each item needs its own `{key}`",
                                        ms.len() + 1,
                                        first + 1
                                    ),
                                );
                                return None;
                            }
                            same.push(ms.len());
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
    pub(super) fn bound(&mut self, key: &str, node: &Node) -> Option<Value> {
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
}

/// Whether a matcher judges a count: what `$len` takes.
pub(super) fn is_count_matcher(m: &Matcher) -> bool {
    match m {
        Matcher::Eq(v) => v.is_number(),
        Matcher::Compare(_) | Matcher::OneOf(_) | Matcher::OneOfList(_) => true,
        Matcher::Not(inner) => is_count_matcher(inner),
        _ => false,
    }
}

pub(super) fn lit(cx: &mut Cx, node: &Node, t: JsonTemplate) -> Option<Value> {
    match t {
        JsonTemplate::Lit(v) => Some(v),
        JsonTemplate::Str(t) => Some(Value::String(t.to_string())),
        _ => {
            cx.err(node.span(), "only plain values are allowed here");
            None
        }
    }
}
