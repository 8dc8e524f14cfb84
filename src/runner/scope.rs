//! Variables during one run of a case: suite and case `vars`, `--var`
//! values, captures, `env.` and generated values.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::case::{JsonTemplate, Template};

/// The variables visible to a case's steps.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    values: HashMap<String, Value>,
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

    /// Looks a name up: `uuid` is fresh each time, `env.X` reads the
    /// environment, `index` is the current `$repeat` item.
    pub fn lookup(&self, name: &str, index: Option<usize>) -> Option<Value> {
        match name {
            "uuid" => Some(Value::String(uuid::Uuid::new_v4().to_string())),
            "index" if index.is_some() => index.map(Value::from),
            _ => {
                if let Some(var) = name.strip_prefix("env.") {
                    return std::env::var(var).ok().map(Value::String);
                }
                self.values.get(name).cloned()
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

    /// Renders a JSON template, expanding `$repeat`.
    pub fn render_json(&self, t: &JsonTemplate, index: Option<usize>) -> Result<Value, String> {
        Ok(match t {
            JsonTemplate::Lit(v) => v.clone(),
            JsonTemplate::Str(t) => t.render(&mut |n| self.lookup(n, index)).map_err(|n| undefined(&n))?,
            JsonTemplate::Array(items) => {
                Value::Array(items.iter().map(|i| self.render_json(i, index)).collect::<Result<_, _>>()?)
            }
            JsonTemplate::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.render_json(v, index)?)))
                    .collect::<Result<_, String>>()?,
            ),
            JsonTemplate::Repeat { count, item } => {
                Value::Array((0..*count).map(|i| self.render_json(item, Some(i))).collect::<Result<_, _>>()?)
            }
        })
    }

    /// Renders a literal from an expectation: strings are templates.
    pub fn render_value(&self, v: &Value) -> Result<Value, String> {
        match v {
            Value::String(s) => match Template::parse(s) {
                Ok(t) if !t.is_literal() => self.render(&t),
                _ => Ok(v.clone()),
            },
            other => Ok(other.clone()),
        }
    }
}

fn undefined(name: &str) -> String {
    if let Some(var) = name.strip_prefix("env.") {
        format!("environment variable `{var}` is not set")
    } else {
        format!("variable `{name}` is undefined here (was an earlier capture skipped?)")
    }
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
    fn cycles_are_reported() {
        let vars = vec![("a".to_owned(), t("{{b}}")), ("b".to_owned(), t("{{a}}"))];
        let e = Scope::new(&vars, &BTreeMap::new()).unwrap_err();
        assert!(e.contains("a, b cannot be resolved"), "{e}");
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
