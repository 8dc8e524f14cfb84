//! From one valid input and the model, every documented constraint of an
//! operation's input as variants of that input: each violation one step
//! past a limit, each limit itself as a valid variant.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

use super::pattern::{Pattern, violations};
use crate::contract::{Member, Model, Shape, ShapeKind};

/// How deep the walk descends into nested structures, lists and maps.
pub const MAX_DEPTH: usize = 6;
/// Limits larger than this (characters or items) get no case: the case
/// file would be mostly one value.
pub const MAX_GENERATED_SIZE: u64 = 4096;

/// One documented constraint of a member.
#[derive(Debug, Clone)]
pub struct Constraint {
    /// The member path (`UpdateUserRequestItems.UserId`; empty for the input).
    pub member_path: String,
    /// The constraint's short name (`required`, `length-max`, `pattern`...).
    pub kind: String,
    /// What the model states, in a sentence (with why no case, when none).
    pub text: String,
    /// Where in the model (`model: NonEmptyString.pattern = .*\S.*`).
    pub source: String,
    /// The cases that check it.
    pub variants: Vec<Variant>,
}

/// One input to send, and whether the model says it is valid.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The case name (`length-above-max`), unique per member path.
    pub name: String,
    /// What the input is, in a sentence.
    pub description: String,
    /// The whole input.
    pub input: Value,
    /// Valid (expects success) or a violation (expects a documented 400).
    pub valid: bool,
}

/// A step into the input: a member, or a list element.
#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn set(root: &mut Value, path: &[Seg], value: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        if let Some(v) = value {
            *root = v;
        }
        return;
    };
    let mut cur = root;
    for seg in parents {
        cur = match (seg, cur) {
            (Seg::Key(k), Value::Object(m)) => m.entry(k.clone()).or_insert(Value::Object(Map::new())),
            (Seg::Index(i), Value::Array(a)) if *i < a.len() => &mut a[*i],
            _ => return,
        };
    }
    match (last, cur, value) {
        (Seg::Key(k), Value::Object(m), Some(v)) => {
            m.insert(k.clone(), v);
        }
        (Seg::Key(k), Value::Object(m), None) => {
            m.remove(k);
        }
        (Seg::Index(i), Value::Array(a), Some(v)) if *i < a.len() => a[*i] = v,
        (Seg::Index(i), Value::Array(a), None) if *i < a.len() => {
            a.remove(*i);
        }
        _ => {}
    }
}

/// The value at `path`, if there is one.
fn get<'v>(root: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(root, |cur, seg| match (seg, cur) {
        (Seg::Key(k), Value::Object(m)) => m.get(k),
        (Seg::Index(i), Value::Array(a)) => a.get(*i),
        _ => None,
    })
}

fn has_template(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.contains("{{"))
}

fn number(n: &Option<serde_json::Number>) -> Option<f64> {
    n.as_ref().and_then(serde_json::Number::as_f64)
}

fn whole(n: &Option<serde_json::Number>) -> Option<i64> {
    n.as_ref().and_then(|n| n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)))
}

struct Walk<'a> {
    model: &'a Model,
    base: Value,
    out: Vec<Constraint>,
    /// Shapes on the current path, against recursion.
    stack: Vec<String>,
    /// Variants that may still be kept (the `--max-cases` cap).
    room: usize,
    /// Constraints without a case that may still be stated (the same cap).
    caseless_room: usize,
    /// Set once the cap dropped something: from then on the walk only
    /// counts, in [`Walk::dropped`].
    capped: bool,
    /// What the cap dropped.
    dropped: Dropped,
    /// Past the cap, what a structure's subtree adds to [`Walk::dropped`],
    /// by [`Walk::memo_key`]: a model of six levels of six members repeats
    /// one subtree thousands of times, and is counted once per level.
    memo: HashMap<String, Tally>,
    /// The shapes each shape leads to, for [`Walk::memo_key`].
    reach: HashMap<String, HashSet<String>>,
}

/// What the cap dropped of one kind of constraint (`length-max`, `type`...).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DroppedKind {
    /// Constraints past the cap: no statement, no case.
    pub constraints: usize,
    /// Cases not written (of those constraints, and of the one the cap cut).
    pub cases: usize,
}

/// What the `--max-cases` cap left out. Past the cap the walk builds
/// nothing: it counts.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Dropped {
    /// Cases not written.
    pub count: usize,
    /// Constraints past the cap, which get no statement.
    pub constraints: usize,
    /// The same counts by kind of constraint.
    pub kinds: BTreeMap<String, DroppedKind>,
    /// The first few cases left out, as `member.path: variant-name`.
    pub examples: Vec<String>,
}

impl Dropped {
    /// Whether the cap left anything out.
    pub fn any(&self) -> bool {
        self.count > 0 || self.constraints > 0
    }

    /// What was left out, by kind, then the first cases named:
    /// `length-max 9 constraints (18 cases), type 3 (3); first left out:
    /// A.B: length-at-max, ... and 40 more`.
    pub fn summary(&self) -> String {
        let kinds: Vec<String> = self
            .kinds
            .iter()
            .enumerate()
            .map(|(i, (k, n))| {
                if i == 0 {
                    format!("{k} {} constraints ({} cases)", n.constraints, n.cases)
                } else {
                    format!("{k} {} ({})", n.constraints, n.cases)
                }
            })
            .collect();
        let more = self.count.saturating_sub(self.examples.len());
        let and_more = if more > 0 { format!(" and {more} more") } else { String::new() };
        let first = if self.examples.is_empty() {
            String::new()
        } else {
            format!("; first left out: {}{and_more}", self.examples.join(", "))
        };
        format!("{}{first}", kinds.join(", "))
    }
}

/// What a subtree adds to [`Dropped`] (its examples aside).
#[derive(Debug, Clone, Default)]
struct Tally {
    count: usize,
    constraints: usize,
    kinds: BTreeMap<String, DroppedKind>,
}

impl Tally {
    fn of(d: &Dropped) -> Tally {
        Tally { count: d.count, constraints: d.constraints, kinds: d.kinds.clone() }
    }

    /// What `now` has that `self`, taken earlier, had not.
    fn since(&self, now: &Dropped) -> Tally {
        let mut kinds = BTreeMap::new();
        for (k, n) in &now.kinds {
            let was = self.kinds.get(k).copied().unwrap_or_default();
            let d = DroppedKind {
                constraints: n.constraints.saturating_sub(was.constraints),
                cases: n.cases.saturating_sub(was.cases),
            };
            if d != DroppedKind::default() {
                kinds.insert(k.clone(), d);
            }
        }
        Tally {
            count: now.count.saturating_sub(self.count),
            constraints: now.constraints.saturating_sub(self.constraints),
            kinds,
        }
    }

    fn add_to(&self, d: &mut Dropped) {
        // Saturating: a wide enough model has more paths than a usize counts.
        d.count = d.count.saturating_add(self.count);
        d.constraints = d.constraints.saturating_add(self.constraints);
        for (k, n) in &self.kinds {
            let e = d.kinds.entry(k.clone()).or_default();
            e.constraints = e.constraints.saturating_add(n.constraints);
            e.cases = e.cases.saturating_add(n.cases);
        }
    }
}

/// How many dropped variants [`Dropped::examples`] names.
pub const DROPPED_EXAMPLES: usize = 10;

/// Every constraint of the operation's input, with its variants, in model
/// order, keeping at most `max_variants` variants (the first in model
/// order) and at most `max_variants + 1` constraints without a case. At the
/// first thing the cap drops the walk stops building: what follows is only
/// counted in [`Dropped`] (no statement, no input), and a constraint that
/// lost some of its cases says so. `base` is the valid input the variants
/// are made from.
pub fn constraints(model: &Model, input_shape: &str, base: &Value, max_variants: usize) -> (Vec<Constraint>, Dropped) {
    let mut w = Walk {
        model,
        base: base.clone(),
        out: Vec::new(),
        stack: Vec::new(),
        room: max_variants,
        caseless_room: max_variants.saturating_add(1),
        capped: false,
        dropped: Dropped::default(),
        memo: HashMap::new(),
        reach: HashMap::new(),
    };
    w.structure(input_shape, base, &[], "", 0, None);
    (w.out, w.dropped)
}

impl Walk<'_> {
    fn with(&self, path: &[Seg], value: Option<Value>) -> Value {
        let mut input = self.base.clone();
        set(&mut input, path, value);
        input
    }

    fn push(&mut self, member_path: &str, kind: &str, mut text: String, source: String, mut variants: Vec<Variant>) {
        if !self.capped && variants.is_empty() {
            if self.caseless_room == 0 {
                self.capped = true;
            } else {
                self.caseless_room -= 1;
            }
        }
        if !self.capped && variants.len() > self.room {
            self.capped = true;
            if self.room > 0 {
                // Part of this constraint's cases fit: it is stated, and says which it lost.
                let cut = variants.split_off(self.room);
                self.note_dropped(member_path, kind, &cut, false);
                let names: Vec<&str> = cut.iter().map(|v| v.name.as_str()).collect();
                text.push_str(&format!(
                    "; no case for {}: over the cap of generated cases (--max-cases)",
                    names.join(", ")
                ));
                self.room = 0;
                self.out.push(Constraint {
                    member_path: member_path.to_owned(),
                    kind: kind.to_owned(),
                    text,
                    source,
                    variants,
                });
                return;
            }
        }
        if self.capped {
            self.note_dropped(member_path, kind, &variants, true);
            return;
        }
        self.room -= variants.len();
        self.out.push(Constraint {
            member_path: member_path.to_owned(),
            kind: kind.to_owned(),
            text,
            source,
            variants,
        });
    }

    /// Counts what the cap dropped: `variants` of a constraint (and the
    /// constraint itself when `whole`), naming the first few.
    fn note_dropped(&mut self, member_path: &str, kind: &str, variants: &[Variant], whole: bool) {
        for v in variants {
            if self.dropped.examples.len() < DROPPED_EXAMPLES {
                self.dropped.examples.push(format!("{member_path}: {}", v.name));
            }
        }
        self.dropped.count = self.dropped.count.saturating_add(variants.len());
        let k = self.dropped.kinds.entry(kind.to_owned()).or_default();
        k.cases = k.cases.saturating_add(variants.len());
        if whole {
            self.dropped.constraints = self.dropped.constraints.saturating_add(1);
            k.constraints = k.constraints.saturating_add(1);
        }
    }

    /// A variant. Once the cap leaves no room, its input is not built (a
    /// copy of the whole input per dropped variant): [`Walk::push`] drops it.
    fn variant(&self, name: &str, description: String, path: &[Seg], value: Option<Value>, valid: bool) -> Variant {
        let input = if self.room == 0 || self.capped { Value::Null } else { self.with(path, value) };
        Variant { name: name.to_owned(), description, input, valid }
    }

    /// What a structure's subtree past the cap depends on: the shape, the
    /// value walked, the depth, and the shapes on the path it can reach
    /// again (recursion stops there). Member paths only name examples.
    fn memo_key(&mut self, shape: &str, value: &Value, depth: usize) -> String {
        if !self.reach.contains_key(shape) {
            let mut seen = HashSet::new();
            let mut todo = vec![shape.to_owned()];
            while let Some(s) = todo.pop() {
                let next: Vec<&String> = match self.model.shapes.get(&s).map(|s| &s.kind) {
                    Some(ShapeKind::Structure { members, .. }) => members.iter().map(|m| &m.target).collect(),
                    Some(ShapeKind::List { member, .. }) => vec![member],
                    Some(ShapeKind::Map { key, value, .. }) => vec![key, value],
                    _ => Vec::new(),
                };
                for n in next {
                    if seen.insert(n.clone()) {
                        todo.push(n.clone());
                    }
                }
            }
            self.reach.insert(shape.to_owned(), seen);
        }
        let reach = self.reach.get(shape);
        let again: Vec<&str> =
            self.stack.iter().filter(|s| reach.is_some_and(|r| r.contains(*s))).map(String::as_str).collect();
        format!("{shape}\u{0}{depth}\u{0}{}\u{0}{value}", again.join("\u{1}"))
    }

    fn structure(
        &mut self,
        shape: &str,
        value: &Value,
        path: &[Seg],
        member_path: &str,
        depth: usize,
        _loc: Option<&str>,
    ) {
        let Some(ShapeKind::Structure { members, required, .. }) = self.model.shapes.get(shape).map(|s| s.kind.clone())
        else {
            return;
        };
        if depth > MAX_DEPTH || self.stack.iter().any(|s| s == shape) {
            return;
        }
        // Past the cap a subtree only counts: the same one is counted once.
        let memo =
            if self.capped { Some((self.memo_key(shape, value, depth), Tally::of(&self.dropped))) } else { None };
        if let Some((key, _)) = &memo
            && self.dropped.examples.len() >= DROPPED_EXAMPLES
            && let Some(t) = self.memo.get(key)
        {
            t.add_to(&mut self.dropped);
            return;
        }
        self.stack.push(shape.to_owned());
        for m in &members {
            let mut mpath = path.to_vec();
            mpath.push(Seg::Key(m.name.clone()));
            let mp = if member_path.is_empty() { m.name.clone() } else { format!("{member_path}.{}", m.name) };
            let present = value.get(&m.name).filter(|v| !v.is_null()).cloned();
            let is_required = required.contains(&m.name);
            if is_required {
                self.required(shape, m, &mpath, &mp);
            }
            // The rest needs a value of the member: the input's, or one made up.
            let (member_value, base_with) = match present {
                Some(v) => (v, None),
                None => match self.synthesize(&m.target, 0) {
                    Some(v) => (v.clone(), Some(v)),
                    None => {
                        let text = format!(
                            "{mp} ({}) is absent from the request and no valid value for it could be made up: its constraints have no cases",
                            m.target
                        );
                        self.push(&mp, "value", text, format!("model: {shape}.{}", m.name), Vec::new());
                        continue;
                    }
                },
            };
            // Only this member changes: it is put back, not the whole input
            // (a copy of the input per member was quadratic).
            let saved = base_with.is_some().then(|| get(&self.base, &mpath).cloned());
            if let Some(v) = base_with {
                set(&mut self.base, &mpath, Some(v));
            }
            self.member(m, &member_value, &mpath, &mp, depth);
            if let Some(old) = saved {
                set(&mut self.base, &mpath, old);
            }
        }
        self.stack.pop();
        if let Some((key, before)) = memo {
            let t = before.since(&self.dropped);
            self.memo.insert(key, t);
        }
    }

    fn required(&mut self, shape: &str, m: &Member, path: &[Seg], mp: &str) {
        let source = format!("model: {shape}.required includes {}", m.name);
        match m.location.as_deref() {
            Some("uri") => {
                let text = format!(
                    "{mp} is required; it fills a URI label, so a request without it is another route: no case"
                );
                self.push(mp, "required", text, source, Vec::new());
            }
            _ => {
                let v = self.variant(
                    "required-missing",
                    format!("{mp} is left out; the model requires it"),
                    path,
                    None,
                    false,
                );
                self.push(mp, "required", format!("{mp} is required"), source, vec![v]);
            }
        }
    }

    fn member(&mut self, m: &Member, value: &Value, path: &[Seg], mp: &str, depth: usize) {
        let Some(shape) = self.model.shapes.get(&m.target).cloned() else { return };
        let on_wire_as_text = matches!(m.location.as_deref(), Some("uri" | "querystring" | "header" | "headers"));
        if !on_wire_as_text && let Some(wrong) = wrong_type(&shape, value) {
            let v = self.variant(
                "wrong-type",
                format!("{mp} is {}, not {}", crate::runner::json_kind(&wrong), expected_type(&shape)),
                path,
                Some(wrong),
                false,
            );
            let text = format!("{mp} is {} ({})", expected_type(&shape), m.target);
            self.push(mp, "type", text, format!("model: {}.type = {}", m.target, shape.type_name), vec![v]);
        }
        self.shape_constraints(&m.target, &shape, value, path, mp, depth, m.location.as_deref());
    }

    #[expect(clippy::too_many_arguments, reason = "the walk's position and the shape, all needed")]
    fn shape_constraints(
        &mut self,
        name: &str,
        shape: &Shape,
        value: &Value,
        path: &[Seg],
        mp: &str,
        depth: usize,
        location: Option<&str>,
    ) {
        match &shape.kind {
            ShapeKind::String { enumeration, .. } => {
                if let Some(values) = enumeration {
                    self.enumeration(name, values, value, path, mp);
                } else {
                    self.string(name, shape, value, path, mp, location);
                }
            }
            ShapeKind::Integer { .. } | ShapeKind::Float => self.numeric(name, shape, path, mp),
            ShapeKind::List { member, .. } => {
                let items = value.as_array().cloned().unwrap_or_default();
                let first = match items.first() {
                    Some(v) => Some(v.clone()),
                    None => self.synthesize(member, 0),
                };
                if let Some(first) = &first {
                    self.count(name, shape, "items", path, mp, |n| Value::Array(vec![first.clone(); n]));
                }
                if let (Some(first), Some(elem)) = (first, self.model.shapes.get(member).cloned()) {
                    let mut epath = path.to_vec();
                    epath.push(Seg::Index(0));
                    let saved = items.is_empty().then(|| get(&self.base, path).cloned());
                    if items.is_empty() {
                        set(&mut self.base, path, Some(Value::Array(vec![first.clone()])));
                    }
                    let ep = format!("{mp}.member");
                    if location.is_none()
                        && let Some(wrong) = wrong_type(&elem, &first)
                    {
                        let v = self.variant(
                            "item-wrong-type",
                            format!(
                                "an item of {mp} is {}, not {}",
                                crate::runner::json_kind(&wrong),
                                expected_type(&elem)
                            ),
                            &epath,
                            Some(wrong),
                            false,
                        );
                        let text = format!("each item of {mp} is {} ({member})", expected_type(&elem));
                        self.push(mp, "item-type", text, format!("model: {name}.member = {member}"), vec![v]);
                    }
                    if let ShapeKind::Structure { .. } = elem.kind {
                        self.structure(member, &first, &epath, mp, depth + 1, None);
                    } else {
                        self.shape_constraints(member, &elem, &first, &epath, &ep, depth + 1, location);
                    }
                    if let Some(old) = saved {
                        set(&mut self.base, path, old);
                    }
                }
            }
            ShapeKind::Map { value: vshape, .. } => {
                let first =
                    value.as_object().and_then(|o| o.values().next().cloned()).or_else(|| self.synthesize(vshape, 0));
                let key = value.as_object().and_then(|o| o.keys().next().cloned()).unwrap_or_else(|| "key".into());
                if let Some(first) = first {
                    self.count(name, shape, "entries", path, mp, |n| {
                        Value::Object(
                            (0..n)
                                .map(|i| (if i == 0 { key.clone() } else { format!("{key}{i}") }, first.clone()))
                                .collect(),
                        )
                    });
                }
            }
            ShapeKind::Structure { .. } => self.structure(name, value, path, mp, depth + 1, location),
            _ => {}
        }
    }

    fn enumeration(&mut self, name: &str, values: &[String], value: &Value, path: &[Seg], mp: &str) {
        let mut variants = Vec::new();
        let outside = ["NotInTheEnum", "not-in-the-enum", "ZZZ"].into_iter().find(|c| !values.iter().any(|v| v == c));
        if let Some(o) = outside {
            variants.push(self.variant(
                "enum-outside",
                format!("{mp} is `{o}`, which is not one of {}", values.join(", ")),
                path,
                Some(Value::String(o.into())),
                false,
            ));
        }
        let base = value.as_str().filter(|s| !has_template(value) && values.iter().any(|v| v == s));
        let base = base
            .or_else(|| values.iter().find(|v| v.to_lowercase() != **v || v.to_uppercase() != **v).map(String::as_str));
        if let Some(b) = base {
            let lower = b.to_lowercase();
            let wrong = if lower != b { lower } else { b.to_uppercase() };
            if !values.contains(&wrong) && wrong != b {
                variants.push(self.variant(
                    "enum-wrong-case",
                    format!("{mp} is `{wrong}`: `{b}` in the wrong case (enum values are case-sensitive)"),
                    path,
                    Some(Value::String(wrong)),
                    false,
                ));
            }
        }
        let text = format!("{mp} is one of {} ({name})", values.join(", "));
        self.push(mp, "enum", text, format!("model: {name}.enum"), variants);
    }

    /// The variants of a string member: one per constraint it documents
    /// (length bounds, pattern, enum), each beside the value that meets it.
    /// Long on purpose: the constraints are checked in the order the model
    /// states them, and each arm is a few lines.
    fn string(&mut self, name: &str, shape: &Shape, value: &Value, path: &[Seg], mp: &str, location: Option<&str>) {
        let pattern = Pattern::of_shape(shape);
        let (min, max) = (whole(&shape.min).map(|m| m.max(0) as u64), whole(&shape.max).map(|m| m.max(0) as u64));
        let seed = value.as_str().filter(|_| !has_template(value)).unwrap_or("a").to_owned();
        let label = location == Some("uri");
        // A string of n characters that keeps the pattern, if there is one.
        let of_len = |n: u64| -> Option<String> {
            let fillers: Vec<char> = seed.chars().chain("aA0x".chars()).collect();
            let mut tries: Vec<String> = vec![seed.chars().cycle().take(n as usize).collect()];
            tries.extend(fillers.iter().map(|c| std::iter::repeat_n(*c, n as usize).collect()));
            tries.into_iter().find(|s| pattern.as_ref().is_none_or(|p| p.full_match(s)))
        };
        for (limit, kind, at) in [(min, "length-min", true), (max, "length-max", false)] {
            let Some(limit) = limit else { continue };
            if limit == 0 && at {
                continue;
            }
            let mut variants = Vec::new();
            let mut notes = Vec::new();
            let (past, past_name) = if at { (limit - 1, "length-below-min") } else { (limit + 1, "length-above-max") };
            let within_name = if at { "length-at-min" } else { "length-at-max" };
            if limit + 1 > MAX_GENERATED_SIZE {
                notes.push(format!(
                    "no case: {limit} characters is more than conform writes into a case ({MAX_GENERATED_SIZE})"
                ));
            } else {
                match of_len(limit) {
                    Some(s) if !(label && s.is_empty()) => variants.push(self.variant(
                        within_name,
                        format!(
                            "{mp} has exactly {limit} characters, the {} allowed",
                            if at { "fewest" } else { "most" }
                        ),
                        path,
                        Some(Value::String(s)),
                        true,
                    )),
                    _ => notes.push(format!("no valid variant: no {limit}-character value keeps the pattern")),
                }
                let past_value = of_len(past).unwrap_or_else(|| seed.chars().cycle().take(past as usize).collect());
                if label && past_value.is_empty() {
                    notes.push(
                        "no case for an empty value: it fills a URI label, and an empty label is another route".into(),
                    );
                } else {
                    variants.push(self.variant(
                        past_name,
                        format!(
                            "{mp} has {past} characters, one {} the limit of {limit}",
                            if at { "below" } else { "above" }
                        ),
                        path,
                        Some(Value::String(past_value)),
                        false,
                    ));
                }
            }
            let bound = if at { "at least" } else { "at most" };
            let mut text = format!("{mp} has {bound} {limit} characters (Unicode code points, as the SDKs count them)");
            for n in notes {
                text.push_str("; ");
                text.push_str(&n);
            }
            let which = if at { "min" } else { "max" };
            self.push(mp, kind, text, format!("model: {name}.{which} = {limit}"), variants);
        }
        if let (Some(p), Some(src)) = (&pattern, shape.pattern_source.as_deref()) {
            let base = value.as_str().filter(|_| !has_template(value));
            let found = violations(p, base, min.unwrap_or(0), max);
            let mut variants = Vec::new();
            let mut skipped_label = false;
            for (probe, v) in &found {
                if label && v.is_empty() {
                    skipped_label = true;
                    continue;
                }
                variants.push(self.variant(
                    &format!("pattern-{probe}"),
                    format!("{mp} is {} ({probe}), which does not match /{src}/", show(v)),
                    path,
                    Some(Value::String(v.clone())),
                    false,
                ));
            }
            let mut text = format!("{mp} matches the pattern /{src}/ (the whole value, ECMAScript syntax)");
            if variants.is_empty() {
                text.push_str(
                    "; no case: no candidate value (empty, blank, a character outside the class, one past the pattern's length, changed case, surrounding spaces) violates it while keeping the other constraints",
                );
            }
            if skipped_label {
                text.push_str("; the empty value fills a URI label (another route): no case for it");
            }
            self.push(mp, "pattern", text, format!("model: {name}.pattern = {src}"), variants);
        } else if shape.pattern_source.is_some() {
            let text = format!("{mp} matches a pattern the ECMAScript engine cannot compile: no case");
            self.push(mp, "pattern", text, format!("model: {name}.pattern"), Vec::new());
        }
    }

    fn numeric(&mut self, name: &str, shape: &Shape, path: &[Seg], mp: &str) {
        let integer = matches!(shape.kind, ShapeKind::Integer { .. });
        for (which, limit) in [("min", &shape.min), ("max", &shape.max)] {
            let Some(l) = number(limit) else { continue };
            let below = which == "min";
            let at = if integer {
                whole(limit).map(Value::from)
            } else {
                serde_json::Number::from_f64(l).map(Value::Number)
            };
            let step = if integer { 1.0 } else { 1e-3 * l.abs().max(1.0) };
            let past_f = if below { l - step } else { l + step };
            let past = if integer {
                whole(limit).and_then(|w| if below { w.checked_sub(1) } else { w.checked_add(1) }).map(Value::from)
            } else {
                serde_json::Number::from_f64(past_f).map(Value::Number)
            };
            let mut variants = Vec::new();
            if let Some(at) = at {
                variants.push(self.variant(
                    &format!("value-at-{which}"),
                    format!("{mp} is {at}, the {} allowed", if below { "least" } else { "most" }),
                    path,
                    Some(at),
                    true,
                ));
            }
            if let Some(past) = past {
                variants.push(self.variant(
                    &format!("value-{}-{which}", if below { "below" } else { "above" }),
                    format!("{mp} is {past}, just {} the limit of {l}", if below { "below" } else { "above" }),
                    path,
                    Some(past),
                    false,
                ));
            }
            let bound = if below { "at least" } else { "at most" };
            let shown = limit.as_ref().map(ToString::to_string).unwrap_or_default();
            self.push(
                mp,
                &format!("value-{which}"),
                format!("{mp} is {bound} {shown}"),
                format!("model: {name}.{which} = {shown}"),
                variants,
            );
        }
    }

    fn count(&mut self, name: &str, shape: &Shape, unit: &str, path: &[Seg], mp: &str, make: impl Fn(usize) -> Value) {
        for (which, limit) in [("min", whole(&shape.min)), ("max", whole(&shape.max))] {
            let Some(limit) = limit.map(|l| l.max(0) as u64) else { continue };
            let below = which == "min";
            if below && limit == 0 {
                continue;
            }
            let mut variants = Vec::new();
            let mut text = format!("{mp} has {} {limit} {unit}", if below { "at least" } else { "at most" });
            if limit + 1 > MAX_GENERATED_SIZE {
                text.push_str(&format!(
                    "; no case: more {unit} than conform writes into a case ({MAX_GENERATED_SIZE})"
                ));
            } else {
                variants.push(self.variant(
                    &format!("{unit}-at-{which}"),
                    format!("{mp} has {limit} {unit}, the {} allowed", if below { "fewest" } else { "most" }),
                    path,
                    Some(make(limit as usize)),
                    true,
                ));
                let past = if below { limit - 1 } else { limit + 1 };
                variants.push(self.variant(
                    &format!("{unit}-{}-{which}", if below { "below" } else { "above" }),
                    format!(
                        "{mp} has {past} {unit}, one {} the limit of {limit}",
                        if below { "below" } else { "above" }
                    ),
                    path,
                    Some(make(past as usize)),
                    false,
                ));
            }
            self.push(mp, &format!("{unit}-{which}"), text, format!("model: {name}.{which} = {limit}"), variants);
        }
    }

    /// A valid value of a shape, made up, for members the request leaves out.
    fn synthesize(&self, shape: &str, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let s = self.model.shapes.get(shape)?;
        let (min, max) = (whole(&s.min).unwrap_or(0).max(0) as usize, whole(&s.max).map(|m| m.max(0) as usize));
        Some(match &s.kind {
            ShapeKind::String { enumeration: Some(values), .. } => Value::String(values.first()?.clone()),
            ShapeKind::String { .. } => {
                let pattern = s.pattern_source.as_ref().map(|_| Pattern::of_shape(s));
                let n = min.max(1).min(max.unwrap_or(usize::MAX));
                ["a", "A", "0", "x1", "conform"]
                    .iter()
                    .map(|seed| {
                        seed.chars().cycle().take(n.max(seed.len()).min(max.unwrap_or(usize::MAX))).collect::<String>()
                    })
                    .find(|c| {
                        c.chars().count() >= min
                            && pattern.as_ref().is_none_or(|p| p.as_ref().is_some_and(|p| p.full_match(c)))
                    })
                    .map(Value::String)?
            }
            ShapeKind::Integer { .. } => {
                Value::from(whole(&s.min).unwrap_or(1).max(whole(&s.max).map_or(i64::MIN, |m| m.min(1))))
            }
            ShapeKind::Float => serde_json::Number::from_f64(number(&s.min).unwrap_or(1.0)).map(Value::Number)?,
            ShapeKind::Boolean => Value::Bool(true),
            ShapeKind::Timestamp { .. } => Value::from(1_700_000_000),
            ShapeKind::List { member, .. } => Value::Array(vec![self.synthesize(member, depth + 1)?; min.max(1)]),
            ShapeKind::Map { value, .. } => Value::Object(
                (0..min.max(1))
                    .map(|i| Some((format!("key{i}"), self.synthesize(value, depth + 1)?)))
                    .collect::<Option<_>>()?,
            ),
            ShapeKind::Structure { members, required, .. } => {
                let mut o = Map::new();
                for m in members.iter().filter(|m| required.contains(&m.name)) {
                    o.insert(m.name.clone(), self.synthesize(&m.target, depth + 1)?);
                }
                Value::Object(o)
            }
            ShapeKind::Blob | ShapeKind::Other => return None,
        })
    }
}

/// A value of another JSON type than the shape's, shaped like a plausible
/// mistake (a list given as its one item, a number given as text).
fn wrong_type(shape: &Shape, value: &Value) -> Option<Value> {
    Some(match &shape.kind {
        ShapeKind::String { .. } => Value::from(1),
        ShapeKind::Integer { .. } | ShapeKind::Float => Value::String("1".into()),
        ShapeKind::Boolean => Value::String("true".into()),
        ShapeKind::List { .. } => match value.as_array().and_then(|a| a.first()) {
            Some(first @ Value::Object(_)) => first.clone(),
            _ => Value::String("x".into()),
        },
        ShapeKind::Structure { .. } => Value::String("x".into()),
        ShapeKind::Map { .. } => Value::Array(vec![Value::String("x".into())]),
        ShapeKind::Timestamp { .. } => Value::Bool(true),
        ShapeKind::Blob => Value::from(1),
        ShapeKind::Other => return None,
    })
}

fn expected_type(shape: &Shape) -> &'static str {
    match &shape.kind {
        ShapeKind::String { .. } => "a string",
        ShapeKind::Integer { .. } => "an integer",
        ShapeKind::Float => "a number",
        ShapeKind::Boolean => "a boolean",
        ShapeKind::List { .. } => "a list",
        ShapeKind::Structure { .. } | ShapeKind::Map { .. } => "an object",
        ShapeKind::Timestamp { .. } => "a timestamp",
        ShapeKind::Blob => "a base64 string",
        ShapeKind::Other => "a value",
    }
}

fn show(s: &str) -> String {
    if s.is_empty() { "empty".into() } else { format!("{:?}", s) }
}

#[cfg(test)]
mod cap_tests {
    use serde_json::json;

    use super::*;

    /// Six levels of six optional members, strings at the bottom: 429,235
    /// variants uncapped (253 MB of cases once).
    fn deep_model() -> Model {
        let mut shapes = serde_json::Map::new();
        for level in 0..6 {
            let members: serde_json::Map<String, Value> =
                (0..6).map(|i| (format!("m{i}"), json!({"shape": format!("S{}", level + 1)}))).collect();
            shapes.insert(format!("S{level}"), json!({"type": "structure", "members": members}));
        }
        shapes.insert("S6".into(), json!({"type": "string", "min": 1, "max": 16, "pattern": "^[a-z]+$"}));
        Model::parse(&json!({"metadata": {"protocol": "rest-json"}, "shapes": shapes, "operations": {}}))
            .expect("the model parses")
    }

    #[test]
    fn the_cap_keeps_the_first_variants_and_counts_the_rest() {
        let model = deep_model();
        let (capped, dropped) = constraints(&model, "S2", &json!({}), 50);
        let kept: usize = capped.iter().map(|c| c.variants.len()).sum();
        assert_eq!(kept, 50);
        let (all, none) = constraints(&model, "S2", &json!({}), usize::MAX);
        let total: usize = all.iter().map(|c| c.variants.len()).sum();
        assert_eq!(none.count, 0);
        assert_eq!(dropped.count, total - 50);
        assert_eq!(dropped.examples.len(), DROPPED_EXAMPLES);
        // Each constraint that lost a case says so; the first ones are whole.
        assert!(capped.iter().any(|c| c.text.contains("over the cap of generated cases (--max-cases)")));
        assert_eq!(capped[0].variants.len(), all[0].variants.len());
        assert!(capped.iter().all(|c| c.variants.iter().all(|v| !v.input.is_null())));
    }
}

#[cfg(test)]
mod counted_tests {
    use serde_json::json;

    use super::*;

    /// `levels` levels of six optional members, strings at the bottom.
    fn deep_model(levels: usize) -> Model {
        let mut shapes = serde_json::Map::new();
        for level in 0..levels {
            let members: serde_json::Map<String, Value> =
                (0..6).map(|i| (format!("m{i}"), json!({"shape": format!("S{}", level + 1)}))).collect();
            shapes.insert(format!("S{level}"), json!({"type": "structure", "members": members}));
        }
        shapes.insert(format!("S{levels}"), json!({"type": "string", "min": 1, "max": 16, "pattern": "^[a-z]+$"}));
        Model::parse(&json!({"metadata": {"protocol": "rest-json"}, "shapes": shapes, "operations": {}}))
            .expect("the model parses")
    }

    #[test]
    fn past_the_cap_constraints_are_counted_not_stated_and_the_counts_are_exact() {
        let model = deep_model(4);
        let (all, none) = constraints(&model, "S0", &json!({}), usize::MAX);
        assert!(!none.any());
        let (capped, dropped) = constraints(&model, "S0", &json!({}), 50);
        // Only the constraints that kept a case (or, the cut one, some) are stated.
        let kept: usize = capped.iter().map(|c| c.variants.len()).sum();
        assert_eq!(kept, 50);
        assert!(capped.len() <= 50, "{} statements for 50 cases", capped.len());
        assert!(capped.iter().all(|c| !c.variants.is_empty()));
        // What was not stated is counted, exactly, in total and by kind
        // (subtrees past the cap are counted once and reused).
        assert_eq!(capped.len() + dropped.constraints, all.len());
        let total: usize = all.iter().map(|c| c.variants.len()).sum();
        assert_eq!(dropped.count, total - 50);
        let mut by_kind: BTreeMap<String, DroppedKind> = BTreeMap::new();
        for c in &all[capped.len()..] {
            let k = by_kind.entry(c.kind.clone()).or_default();
            k.constraints += 1;
            k.cases += c.variants.len();
        }
        let cut = capped.last().expect("a statement");
        let cut_cases = all[capped.len() - 1].variants.len() - cut.variants.len();
        by_kind.entry(cut.kind.clone()).or_default().cases += cut_cases;
        by_kind.retain(|_, k| *k != DroppedKind::default());
        assert_eq!(dropped.kinds, by_kind);
        let summary = dropped.summary();
        assert!(summary.contains(&format!("and {} more", dropped.count - DROPPED_EXAMPLES)), "{summary}");
    }

    #[test]
    fn counts_past_the_cap_are_exact_on_a_recursive_model() {
        // T reaches itself directly, through a list and through U: what a
        // subtree holds depends on which of its shapes are already on the
        // path (T under U, then T under W, at the same depth).
        let model = Model::parse(&json!({
            "metadata": {"protocol": "rest-json"},
            "shapes": {
                "In": {"type": "structure", "members": {
                    "t": {"shape": "T"}, "u": {"shape": "U"}, "v": {"shape": "W"}, "l": {"shape": "TList"}}},
                "W": {"type": "structure", "members": {"t": {"shape": "T"}}},
                "T": {"type": "structure", "members": {
                    "a": {"shape": "Leaf"}, "b": {"shape": "T"}, "c": {"shape": "TList"}, "d": {"shape": "U"}}},
                "U": {"type": "structure", "members": {"x": {"shape": "T"}, "y": {"shape": "Leaf"}}},
                "TList": {"type": "list", "member": {"shape": "T"}, "max": 3},
                "Leaf": {"type": "string", "min": 1, "max": 4}
            },
            "operations": {}
        }))
        .expect("the model parses");
        let (all, _) = constraints(&model, "In", &json!({}), usize::MAX);
        let total: usize = all.iter().map(|c| c.variants.len()).sum();
        for cap in [0, 1, 7, 30] {
            let (capped, dropped) = constraints(&model, "In", &json!({}), cap);
            let kept: usize = capped.iter().map(|c| c.variants.len()).sum();
            assert_eq!(kept + dropped.count, total, "cap {cap}");
            assert_eq!(capped.len() + dropped.constraints, all.len(), "cap {cap}");
        }
    }

    #[test]
    fn six_levels_of_six_members_are_counted_without_being_built() {
        // 429,235 variants of 195,954 constraints: the walk builds 1,000 and
        // counts the rest (each repeated subtree once).
        let model = deep_model(6);
        let (capped, dropped) = constraints(&model, "S0", &json!({}), 999);
        let kept: usize = capped.iter().map(|c| c.variants.len()).sum();
        assert_eq!(kept, 999);
        assert_eq!(kept + dropped.count, 429_235 - 1);
        assert_eq!(capped.len() + dropped.constraints, 195_954);
        assert!(capped.len() < 1000);
    }

    #[test]
    fn constraints_without_a_case_are_capped_too() {
        // 3,000 header members, each too long to generate: no case at all.
        let members: serde_json::Map<String, Value> = (0..3000)
            .map(|i| {
                (format!("h{i}"), json!({"shape": "Long", "location": "header", "locationName": format!("x-h{i}")}))
            })
            .collect();
        let model = Model::parse(&json!({
            "metadata": {"protocol": "rest-json"},
            "shapes": {"In": {"type": "structure", "members": members}, "Long": {"type": "string", "min": 5000}},
            "operations": {}
        }))
        .expect("the model parses");
        let (capped, dropped) = constraints(&model, "In", &json!({}), 99);
        assert_eq!(capped.len(), 100);
        assert_eq!(dropped.constraints, 2900);
        assert_eq!(dropped.count, 0);
        assert!(dropped.any());
    }
}
