//! Every `{{name}}` must be defined before its step runs: by the suite,
//! the case, `--var`, an earlier capture, or be generated or `env.`.

use std::collections::BTreeSet;

use regex::Regex;

use super::error::nearest;
use super::load::*;
use super::model::*;
use super::schema::*;
use super::template::{GENERATED, Template};

/// The name problems of one case that are located and suggested for;
/// beyond them, one error counts the rest.
const MAX_PROBLEMS: usize = 100;
/// The undefined names of one case that a suggestion is looked for.
const MAX_HINTS: usize = 20;

impl Cx<'_> {
    /// Every `{{name}}` must be defined before its step runs: by the suite,
    /// the case, `--var`, an earlier capture, or be generated or `env.`. A
    /// name that an optional capture may have left unset is usable only in
    /// a step that says `if_var` for it.
    pub(super) fn check_names(&mut self, case: &Case, raw: &RawCase, opts: &LoadOptions) {
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
        // Each suggestion compares a name with every defined one: a case
        // with thousands of undefined names gets them for the first few.
        let (mut hints, mut if_var_hints) = (0usize, 0usize);
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
                hints += 1;
                let hint = (hints <= MAX_HINTS)
                    .then(|| nearest(name, defined.iter().map(String::as_str)))
                    .flatten()
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
                    if_var_hints += 1;
                    (if_var_hints <= MAX_HINTS).then(|| nearest(root, known)).flatten().map(|n| {
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
                for t in m.templates() {
                    t.vars().for_each(|(n, _)| check(n, repeated, &defined, &maybe, guard));
                }
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
        // Each problem is looked for in the file: the first ones are
        // located, the rest counted.
        let more = problems.len().saturating_sub(MAX_PROBLEMS);
        problems.truncate(MAX_PROBLEMS);
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
        if more > 0 {
            self.err(raw.name.span(), format!("and {more} more undefined or unset variables in this case"));
        }
    }
}

pub(super) fn json_names_in(t: &JsonTemplate, in_repeat: bool, f: &mut dyn FnMut(&str, bool)) {
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
