//! `{{name}}` templates in string values.
//!
//! A name is a variable (from the suite, the case, `--var` or a capture), an
//! environment variable in the explicit `env.` namespace (`{{env.HOME}}`),
//! or a generated value: `{{uuid}}` is a fresh random UUID at each use.
//! Inside a `$repeat` body, `{{index}}` is the 0-based item number.
//!
//! `{{ repeat('ab', 3) }}` is text generated when the file loads
//! (`ababab`): as if it had been typed, so it goes wherever text goes
//! (paths, queries, headers, bodies, expectations) without being a value
//! that is encoded or escaped.

use std::fmt;

use serde_json::Value;

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Literal text.
    Lit(String),
    /// A `{{name}}` reference, with its byte offset inside the string.
    Var {
        /// The name between the braces, trimmed.
        name: String,
        /// Byte offset of the opening `{{` in the string.
        offset: usize,
    },
}

/// A parsed string value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
}

/// A template that does not parse: where (byte offset in the string) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte offset inside the string.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// The longest text one `{{ repeat(...) }}` may generate, in bytes.
pub const MAX_REPEAT_BYTES: usize = 1024 * 1024;

/// The most text the `{{ repeat(...) }}` calls of one file may generate
/// together, in bytes: each call is held to [`MAX_REPEAT_BYTES`], and a
/// file of many calls to this.
pub const MAX_GENERATED_BYTES: usize = 8 * 1024 * 1024;

/// What is left of one file's [`MAX_GENERATED_BYTES`] as its templates
/// parse, and how many `repeat` calls it refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget {
    /// Bytes `repeat` may still generate.
    pub(crate) left: usize,
    /// Calls refused for want of budget.
    pub(crate) refused: usize,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget { left: MAX_GENERATED_BYTES, refused: 0 }
    }
}

/// Names the runner generates; they need no definition.
pub const GENERATED: &[&str] = &["uuid"];

/// Why `name` cannot be defined, if it cannot: the runner gives `uuid`,
/// `index`, `item` and `env.*` their meaning, so a definition would be
/// shadowed.
pub fn reserved_name(name: &str) -> Option<String> {
    let what = match name {
        "uuid" => "`{{uuid}}` is a fresh UUID at each use",
        "index" | "item" => "`{{index}}` and `{{item}}` name the current repetition",
        _ if name.starts_with("env.") => "`{{env.NAME}}` reads the environment",
        _ => return None,
    };
    Some(format!("`{name}` is a reserved name: {what}; choose another name"))
}

impl Template {
    /// Parses `{{name}}` references out of `s`.
    pub fn parse(s: &str) -> Result<Template, TemplateError> {
        Template::parse_within(s, &mut Budget::default())
    }

    /// Parses `s`, its `repeat` calls taking what they generate from
    /// `budget` (shared by the templates of one file); a call that would
    /// generate more than is left is refused before any text is made.
    pub(crate) fn parse_within(s: &str, budget: &mut Budget) -> Result<Template, TemplateError> {
        let mut segments = Vec::new();
        let mut rest = s;
        let mut base = 0;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                segments.push(Segment::Lit(rest[..open].to_owned()));
            }
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                return Err(TemplateError { offset: base + open, message: "unclosed `{{`: expected `}}`".into() });
            };
            let name = after[..close].trim();
            if let Some(generated) = repeat_call(name, budget) {
                let text = generated.map_err(|message| TemplateError { offset: base + open, message })?;
                budget.left = budget.left.saturating_sub(text.len());
                segments.push(Segment::Lit(text));
            } else if !valid_name(name) {
                return Err(TemplateError {
                    offset: base + open,
                    message: format!("invalid variable name `{name}`: use letters, digits, `_`, `-` and `.`"),
                });
            } else {
                segments.push(Segment::Var { name: name.to_owned(), offset: base + open });
            }
            let consumed = open + 2 + close + 2;
            base += consumed;
            rest = &rest[consumed..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Lit(rest.to_owned()));
        }
        // Cases stay in memory for the whole run: no spare capacity.
        segments.shrink_to_fit();
        Ok(Template { segments })
    }

    /// The variables the template refers to, with their offsets.
    pub fn vars(&self) -> impl Iterator<Item = (&str, usize)> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Var { name, offset } => Some((name.as_str(), *offset)),
            Segment::Lit(_) => None,
        })
    }

    /// Whether the string has no references at all.
    pub fn is_literal(&self) -> bool {
        self.vars().next().is_none()
    }

    /// Renders the template. A string that is exactly one reference takes the
    /// variable's JSON value as it is (a number stays a number, a list a
    /// list); otherwise values are spliced in as text.
    pub(crate) fn render(&self, lookup: &mut dyn FnMut(&str) -> Option<Value>) -> Result<Value, String> {
        if let [Segment::Var { name, .. }] = self.segments.as_slice() {
            return lookup(name).ok_or_else(|| name.clone());
        }
        let mut out = String::new();
        for seg in &self.segments {
            match seg {
                Segment::Lit(s) => out.push_str(s),
                Segment::Var { name, .. } => match lookup(name).ok_or_else(|| name.clone())? {
                    Value::String(s) => out.push_str(&s),
                    other => out.push_str(&other.to_string()),
                },
            }
        }
        Ok(Value::String(out))
    }

    /// Renders to text, passing each substituted value's text through
    /// `transform` (escaping, encoding); the error names an undefined variable.
    pub(crate) fn render_each(
        &self,
        lookup: &mut dyn FnMut(&str) -> Option<Value>,
        transform: &mut dyn FnMut(&str) -> String,
    ) -> Result<String, String> {
        let mut out = String::new();
        for seg in &self.segments {
            match seg {
                Segment::Lit(s) => out.push_str(s),
                Segment::Var { name, .. } => match lookup(name).ok_or_else(|| undefined_message(name))? {
                    Value::String(s) => out.push_str(&transform(&s)),
                    other => out.push_str(&transform(&other.to_string())),
                },
            }
        }
        Ok(out)
    }
}

/// The message for a reference to a name that has no value.
pub fn undefined_message(name: &str) -> String {
    if let Some(var) = name.strip_prefix("env.") {
        format!("environment variable `{var}` is not set")
    } else {
        format!("variable `{name}` is undefined here (was an earlier capture skipped?)")
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for seg in &self.segments {
            match seg {
                Segment::Lit(s) => f.write_str(s)?,
                Segment::Var { name, .. } => write!(f, "{{{{{name}}}}}")?,
            }
        }
        Ok(())
    }
}

/// `repeat('text', N)` (or with double quotes): `None` when `inner` is no
/// call at all, else the text or why it cannot be generated.
fn repeat_call(inner: &str, budget: &mut Budget) -> Option<Result<String, String>> {
    let args = inner.strip_prefix("repeat")?.trim_start().strip_prefix('(')?;
    let usage = "write `{{ repeat('text', N) }}`: a quoted text and a count";
    let Some(args) = args.trim_end().strip_suffix(')') else { return Some(Err(usage.into())) };
    let args = args.trim();
    let Some(quote) = args.chars().next().filter(|c| *c == '\'' || *c == '"') else {
        return Some(Err(usage.into()));
    };
    let Some((text, rest)) = args[1..].split_once(quote) else { return Some(Err(usage.into())) };
    let Some(count) = rest.trim().strip_prefix(',').map(str::trim) else { return Some(Err(usage.into())) };
    let Ok(count) = count.parse::<usize>() else {
        return Some(Err(format!("`repeat` needs a whole number of repetitions, found `{count}`")));
    };
    Some(if text.is_empty() {
        Err("`repeat` needs a non-empty text".into())
    } else if text.contains("{{") {
        Err("the text of `repeat` cannot hold `{{`".into())
    } else if text.len().saturating_mul(count) > MAX_REPEAT_BYTES {
        Err(format!(
            "`repeat` would make {} bytes, over the limit of {MAX_REPEAT_BYTES}",
            text.len().saturating_mul(count)
        ))
    } else if text.len().saturating_mul(count) > budget.left {
        budget.refused += 1;
        Err(format!(
            "`repeat` would make {} bytes, but the `repeat` calls of this file may make {MAX_GENERATED_BYTES} bytes in all and only {} are left",
            text.len().saturating_mul(count),
            budget.left
        ))
    } else {
        Ok(text.repeat(count))
    })
}

/// Whether `name` can name a variable (letters, digits, `_`, `-`, `.`,
/// starting with a letter or `_`).
pub fn is_valid_name(name: &str) -> bool {
    valid_name(name)
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(s: &str) -> Result<Value, String> {
        Template::parse(s).unwrap().render(&mut |n| match n {
            "n" => Some(json!(3)),
            "s" => Some(json!("x")),
            _ => None,
        })
    }

    #[test]
    fn renders_text_and_values() {
        assert_eq!(render("a{{s}}b{{ n }}").unwrap(), json!("axb3"));
        assert_eq!(render("{{n}}").unwrap(), json!(3));
        assert_eq!(render("plain").unwrap(), json!("plain"));
        assert_eq!(render("{{missing}}"), Err("missing".into()));
    }

    #[test]
    fn bad_templates_say_where() {
        let table = [
            ("ab{{x", 2, "unclosed `{{`: expected `}}`"),
            ("{{}}", 0, "invalid variable name ``: use letters, digits, `_`, `-` and `.`"),
            ("x{{a b}}", 1, "invalid variable name `a b`: use letters, digits, `_`, `-` and `.`"),
        ];
        for (input, offset, message) in table {
            let e = Template::parse(input).unwrap_err();
            assert_eq!((e.offset, e.message.as_str()), (offset, message), "{input}");
        }
    }

    /// Issue #13, item 8: generated text, as if typed.
    #[test]
    fn repeat_generates_text_at_load_issue_13_item_8() {
        let t = Template::parse("/n/{{ repeat('a', 65) }}").unwrap();
        assert!(t.is_literal());
        assert_eq!(t.to_string(), format!("/n/{}", "a".repeat(65)));
        assert_eq!(render("{{repeat(\"é-\",2)}}{{s}}").unwrap(), json!("é-é-x"));
        assert_eq!(render("{{ repeat('x', 0) }}").unwrap(), json!(""));
        let table = [
            ("a{{ repeat(a, 3) }}", 1, "write `{{ repeat('text', N) }}`: a quoted text and a count"),
            ("{{ repeat('a', -1) }}", 0, "`repeat` needs a whole number of repetitions, found `-1`"),
            ("{{ repeat('', 3) }}", 0, "`repeat` needs a non-empty text"),
            ("{{ repeat('ab', 1048577) }}", 0, "`repeat` would make 2097154 bytes, over the limit of 1048576"),
            ("{{ repeat('a' 3) }}", 0, "write `{{ repeat('text', N) }}`: a quoted text and a count"),
        ];
        for (input, offset, message) in table {
            let e = Template::parse(input).unwrap_err();
            assert_eq!((e.offset, e.message.as_str()), (offset, message), "{input}");
        }
    }

    /// Issue #24: one file's `repeat` calls share one budget; the call that
    /// would pass it is refused before it generates anything.
    #[test]
    fn repeat_calls_share_a_budget_issue_24() {
        let mut budget = Budget::default();
        let mib = "{{ repeat('a', 1048576) }}";
        for _ in 0..8 {
            assert!(Template::parse_within(mib, &mut budget).is_ok());
        }
        assert_eq!(budget, Budget { left: 0, refused: 0 });
        let e = Template::parse_within(&format!("x{mib}"), &mut budget).unwrap_err();
        assert_eq!(e.offset, 1);
        assert_eq!(
            e.message,
            "`repeat` would make 1048576 bytes, but the `repeat` calls of this file may make 8388608 bytes in all and only 0 are left"
        );
        assert_eq!(budget.refused, 1);
        assert!(Template::parse_within("typed text is not counted", &mut budget).is_ok());
        assert!(Template::parse(mib).is_ok(), "a lone parse has a budget of its own");
    }

    #[test]
    fn lists_references_with_offsets() {
        let t = Template::parse("/a/{{x}}/b/{{env.HOME}}").unwrap();
        assert_eq!(t.vars().collect::<Vec<_>>(), vec![("x", 3), ("env.HOME", 11)]);
    }
}
