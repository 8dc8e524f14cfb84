//! Variables during one run of a case: suite and case `vars`, `--var`
//! values, captures, `env.` and generated values.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::case::{JsonTemplate, PatternTemplate, Template};

/// The current item of a repetition: a repeated step, or a `$repeat` or
/// `$map` body. `{{index}}` is its 0-based number, `{{item}}` its element.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// 0-based position.
    pub index: usize,
    /// The element (`$map`, `for_each`), or the index again (`$repeat`, `repeat`).
    pub item: Value,
}

/// The variables visible to a case's steps.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    values: HashMap<String, Value>,
    /// The repetition of the step being run, if any.
    pub binding: Option<Binding>,
    /// Secret values seen while running (secret headers sent), for redaction.
    pub secrets: Vec<String>,
    /// The values looked up while a request is rendered, recorded so that
    /// the same request can be rendered again for the report with its
    /// secrets masked and every other value (fresh UUIDs included) the same.
    tape: std::cell::RefCell<Tape>,
}

/// What [`Scope::lookup`] does with the values it finds.
#[derive(Debug, Clone, Default)]
enum Tape {
    /// Nothing.
    #[default]
    Off,
    /// Keeps each value, in order.
    Record(Vec<Option<Value>>),
    /// Gives the recorded values back in order; the names in `mask` (and
    /// their members) come back as [`REDACTED`](super::result::REDACTED).
    Replay { values: Vec<Option<Value>>, at: usize, mask: Vec<String> },
}

impl Scope {
    /// Renders the case's variables once. `--var` values win over the
    /// case's and the suite's; a variable may use others in any order.
    pub fn new(vars: &[(String, JsonTemplate)], cli: &BTreeMap<String, String>) -> Result<Scope, String> {
        let mut scope = Scope::default();
        for (k, v) in cli {
            scope.values.insert(k.clone(), Value::String(v.clone()));
        }
        let mut pending: Vec<&(String, JsonTemplate)> = vars.iter().filter(|(k, _)| !cli.contains_key(k)).collect();
        while !pending.is_empty() {
            let before = pending.len();
            let mut still = Vec::new();
            for entry in pending {
                match scope.render_json(&entry.1, None) {
                    Ok(v) => {
                        scope.values.insert(entry.0.clone(), v);
                    }
                    Err(_) => still.push(entry),
                }
            }
            if still.len() == before {
                let names: Vec<&str> = still.iter().map(|(k, _)| k.as_str()).collect();
                let first = scope.render_json(&still[0].1, None).err().unwrap_or_default();
                return Err(format!(
                    "variables {} cannot be resolved (a cycle, or `{first}` is undefined)",
                    names.join(", ")
                ));
            }
            pending = still;
        }
        Ok(scope)
    }

    /// Sets a variable (a capture).
    pub fn set(&mut self, name: &str, value: Value) {
        self.values.insert(name.to_owned(), value);
    }

    /// Unsets a variable (an optional capture that found nothing).
    pub fn unset(&mut self, name: &str) {
        self.values.remove(name);
    }

    /// Whether a name has a value (`if_var`): a variable, a member or
    /// element of one (`ids.0`), or an `env.` variable that is set.
    pub fn is_set(&self, name: &str) -> bool {
        self.lookup(name, None).is_some()
    }

    /// Appends to a list variable (a capture of a repeated step).
    pub fn push(&mut self, name: &str, value: Value) {
        match self.values.get_mut(name) {
            Some(Value::Array(items)) => items.push(value),
            _ => {
                self.values.insert(name.to_owned(), Value::Array(vec![value]));
            }
        }
    }

    /// Looks a name up: `uuid` is fresh each time, `env.X` reads the
    /// environment, `index` and `item` the innermost repetition.
    pub fn lookup(&self, name: &str, binding: Option<&Binding>) -> Option<Value> {
        let mut tape = self.tape.borrow_mut();
        match &mut *tape {
            Tape::Off => {
                drop(tape);
                self.find(name, binding)
            }
            Tape::Record(values) => {
                let v = self.find(name, binding);
                values.push(v.clone());
                v
            }
            Tape::Replay { values, at, mask } => {
                let root = name.split('.').next().unwrap_or(name);
                let recorded = values.get(*at).cloned();
                *at += 1;
                let Some(v) = recorded else {
                    // The masked rendering took another path: look up afresh.
                    drop(tape);
                    return self.find(name, binding);
                };
                if mask.iter().any(|m| m == root) && v.is_some() {
                    return Some(Value::String(super::REDACTED.to_owned()));
                }
                v
            }
        }
    }

    /// Starts recording the values looked up.
    pub fn record(&self) {
        *self.tape.borrow_mut() = Tape::Record(Vec::new());
    }

    /// Stops recording and replays what was recorded, with the variables
    /// named in `mask` redacted.
    pub fn replay_masked(&self, mask: &[String]) {
        let mut tape = self.tape.borrow_mut();
        let values = match std::mem::take(&mut *tape) {
            Tape::Record(values) => values,
            _ => Vec::new(),
        };
        *tape = Tape::Replay { values, at: 0, mask: mask.to_vec() };
    }

    /// Back to plain lookups.
    pub fn stop_tape(&self) {
        *self.tape.borrow_mut() = Tape::Off;
    }

    fn find(&self, name: &str, binding: Option<&Binding>) -> Option<Value> {
        let binding = binding.or(self.binding.as_ref());
        match (name, binding) {
            ("uuid", _) => Some(Value::String(uuid::Uuid::new_v4().to_string())),
            ("index", Some(b)) => Some(Value::from(b.index)),
            ("item", Some(b)) => Some(b.item.clone()),
            _ => {
                if let Some(var) = name.strip_prefix("env.") {
                    return std::env::var(var).ok().map(Value::String);
                }
                if let Some(v) = self.values.get(name) {
                    return Some(v.clone());
                }
                // `a.b.0`: a member or element of a variable, borrowed down
                // to the value named and only that value cloned.
                let mut parts = name.split('.');
                let root = parts.next()?;
                let mut cur = match root {
                    "item" => &binding?.item,
                    _ => self.values.get(root)?,
                };
                for p in parts {
                    cur = match cur {
                        Value::Object(m) => m.get(p)?,
                        Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
                        _ => return None,
                    };
                }
                Some(cur.clone())
            }
        }
    }

    /// Renders a string template; the error names the undefined variable.
    pub fn render(&self, t: &Template) -> Result<Value, String> {
        t.render(&mut |n| self.lookup(n, None)).map_err(|n| undefined(&n))
    }

    /// Renders a string template to text.
    pub fn render_str(&self, t: &Template) -> Result<String, String> {
        Ok(match self.render(t)? {
            Value::String(s) => s,
            other => other.to_string(),
        })
    }

    /// Renders a regex whose values are matched literally.
    pub fn render_pattern(&self, p: &PatternTemplate) -> Result<regex::Regex, String> {
        if let Some(r) = &p.compiled {
            return Ok(r.clone());
        }
        let source = p.source.render_each(&mut |n| self.lookup(n, None), &mut |text| regex::escape(text))?;
        regex::Regex::new(&source).map_err(|e| format!("the regex `{}` is invalid once rendered: {e}", p.source))
    }

    /// Renders a request path. Each substituted value is one path segment
    /// (or, after a `?`, one query component): everything but unreserved
    /// characters is percent-encoded, and a value that is a dot segment is
    /// refused, since URLs resolve `.` and `..` even when encoded. With
    /// `raw`, values are inserted as they are.
    pub fn render_path(&self, t: &Template, raw: bool) -> Result<String, String> {
        if raw {
            return self.render_str(t);
        }
        let mut problem = None;
        // An empty value leaves a mark, so that one filling a whole path
        // segment can be told from one inside a segment or the query. No
        // encoded value holds a NUL; a template that does is not checked.
        let mark = !t.to_string().contains(EMPTY_MARK);
        let path = t.render_each(&mut |n| self.lookup(n, None), &mut |text| {
            if text == "." || text == ".." {
                problem = Some(format!(
                    "a value substituted into the path is `{text}`, a dot segment that would move the request elsewhere (set `raw_path = true` to insert values as they are)"
                ));
            }
            if text.is_empty() && mark { EMPTY_MARK.to_string() } else { encode_component(text) }
        })?;
        if let Some(p) = problem {
            return Err(p);
        }
        if !mark || !path.contains(EMPTY_MARK) {
            return Ok(path);
        }
        let end = path.find(['?', '#']).unwrap_or(path.len());
        let segments = path.get(..end).unwrap_or_default().split('/');
        if segments.into_iter().any(|seg| !seg.is_empty() && seg.chars().all(|c| c == EMPTY_MARK)) {
            return Err(
                "a value substituted into the path is empty, which leaves an empty path segment and sends the request elsewhere (`/things/` instead of `/things/ID`; set `raw_path = true` to insert values as they are)"
                    .into(),
            );
        }
        Ok(path.replace(EMPTY_MARK, ""))
    }

    /// Renders a JSON template, expanding `$repeat` and `$map`.
    pub fn render_json(&self, t: &JsonTemplate, binding: Option<&Binding>) -> Result<Value, String> {
        Ok(match t {
            JsonTemplate::Lit(v) => v.clone(),
            JsonTemplate::Str(t) => t.render(&mut |n| self.lookup(n, binding)).map_err(|n| undefined(&n))?,
            JsonTemplate::Array(items) => {
                Value::Array(items.iter().map(|i| self.render_json(i, binding)).collect::<Result<_, _>>()?)
            }
            JsonTemplate::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.render_json(v, binding)?)))
                    .collect::<Result<_, String>>()?,
            ),
            JsonTemplate::Repeat { count, item } => Value::Array(
                (0..*count)
                    .map(|i| self.render_json(item, Some(&Binding { index: i, item: Value::from(i) })))
                    .collect::<Result<_, _>>()?,
            ),
            JsonTemplate::Map { list, item } => {
                let list = t_render(self, list, binding)?;
                let Value::Array(elements) = list else {
                    return Err(format!("`$map` needs a list, and `{}` is {}", list_name(t), kind(&list)));
                };
                let values = (elements.len() as u64).saturating_mul(crate::case::expanded_size(item));
                if values > crate::case::MAX_EXPANDED_VALUES {
                    return Err(format!(
                        "`$map` over `{}` ({} elements) would make {values} JSON values, over the limit of {}",
                        list_name(t),
                        elements.len(),
                        crate::case::MAX_EXPANDED_VALUES
                    ));
                }
                Value::Array(
                    elements
                        .into_iter()
                        .enumerate()
                        .map(|(i, e)| self.render_json(item, Some(&Binding { index: i, item: e })))
                        .collect::<Result<_, _>>()?,
                )
            }
        })
    }
}

/// Stands for an empty value while a path is rendered.
const EMPTY_MARK: char = '\0';

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn t_render(scope: &Scope, t: &Template, binding: Option<&Binding>) -> Result<Value, String> {
    t.render(&mut |n| scope.lookup(n, binding)).map_err(|n| undefined(&n))
}

fn list_name(t: &JsonTemplate) -> String {
    match t {
        JsonTemplate::Map { list, .. } => list.to_string(),
        _ => String::new(),
    }
}

/// A JSON type name, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn undefined(name: &str) -> String {
    crate::case::undefined_message(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> JsonTemplate {
        JsonTemplate::Str(Template::parse(s).unwrap())
    }

    #[test]
    fn vars_may_use_each_other_in_any_order_and_cli_wins() {
        let vars = vec![("a".to_owned(), t("x-{{b}}")), ("b".to_owned(), t("{{c}}")), ("c".to_owned(), t("{{d}}"))];
        let cli = BTreeMap::from([("d".to_owned(), "1".to_owned())]);
        let s = Scope::new(&vars, &cli).unwrap();
        assert_eq!(s.lookup("a", None), Some(json!("x-1")));
    }

    #[test]
    fn dotted_names_reach_into_objects_and_lists() {
        let mut s = Scope::default();
        s.set("u", json!({"ids": ["a", "b"], "n": 1}));
        assert_eq!(s.lookup("u.ids.1", None), Some(json!("b")));
        assert_eq!(s.lookup("u.n", None), Some(json!(1)));
        assert_eq!(s.lookup("u.ids.2", None), None);
        assert_eq!(s.lookup("u.x", None), None);
        let b = Binding { index: 0, item: json!({"id": "z"}) };
        assert_eq!(s.lookup("item.id", Some(&b)), Some(json!("z")));
    }

    #[test]
    fn cycles_are_reported() {
        let vars = vec![("a".to_owned(), t("{{b}}")), ("b".to_owned(), t("{{a}}"))];
        let e = Scope::new(&vars, &BTreeMap::new()).unwrap_err();
        assert!(e.contains("a, b cannot be resolved"), "{e}");
    }

    #[test]
    fn an_empty_value_filling_a_path_segment_is_refused() {
        let mut s = Scope::default();
        s.set("id", json!(""));
        s.set("x", json!("a b"));
        let path = |p: &str| s.render_path(&Template::parse(p).unwrap(), false);
        for refused in ["/things/{{id}}", "/things/{{id}}/parts", "/things/{{id}}{{id}}?q=1", "{{id}}"] {
            let e = path(refused).unwrap_err();
            assert!(e.contains("is empty, which leaves an empty path segment"), "{refused}: {e}");
        }
        assert_eq!(path("/things/x{{id}}").unwrap(), "/things/x");
        assert_eq!(path("/things/{{x}}?q={{id}}").unwrap(), "/things/a%20b?q=");
        assert_eq!(path("/things/{{x}}#{{id}}").unwrap(), "/things/a%20b#");
        assert_eq!(s.render_path(&Template::parse("/things/{{id}}").unwrap(), true).unwrap(), "/things/");
    }

    #[test]
    fn repeat_renders_each_item_anew() {
        let s = Scope::default();
        let rep = JsonTemplate::Repeat {
            count: 3,
            item: Box::new(JsonTemplate::Object(vec![("i".into(), t("{{index}}")), ("u".into(), t("{{uuid}}"))])),
        };
        let v = s.render_json(&rep, None).unwrap();
        let items = v.as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[2]["i"], json!(2));
        assert_ne!(items[0]["u"], items[1]["u"]);
    }
}
