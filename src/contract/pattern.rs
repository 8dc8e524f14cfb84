//! Service-model `pattern`s. Smithy says they are ECMA-262 regexes; the
//! models botocore ships also hold patterns written for Java's engine: inline
//! flags (`(?s)`, `(?i)`), possessive quantifiers (`\d{12}+`), `\A` and `\z`,
//! Unicode classes (`\p{L}`) and a `-` after a class escape meaning a
//! literal hyphen (`[\p{L}\p{Z}-_]`), a quantified anchor (`${1,128}`) and a
//! quantified quantifier (`{11}{0,1011}`). Each is rewritten to its
//! ECMAScript meaning, validated by an ECMAScript engine (`regress`), and
//! run on a bounded engine (see [`Pattern`] and `engine.rs`).
//! Where Java and ECMAScript differ in effect, the rewrite says so:
//!
//! - an inline flag applies to the whole pattern (Java scopes it to the
//!   rest of its group);
//! - a possessive quantifier becomes greedy (it may then match where Java's
//!   would not: never a false failure).

/// A shape's `pattern`, compiled; not anchored (a pattern that means the
/// whole value says `^...$`). Values are matched by code point, and a
/// surrogate pair written in a pattern (`\uD800\uDC00`) stands for the
/// character it encodes, as the models mean it.
///
/// Bounded, whatever the pattern and the value: a pattern the `regex`
/// crate can express (no look-around, no back-reference; nearly all of
/// botocore's) runs there, in time linear in the value. The rest run on a
/// backtracking engine with a budget of [`BACKTRACK_BUDGET`] steps, on
/// values of at most [`MAX_BACKTRACK_INPUT`] bytes; past either, the value
/// is "not checked" ([`NotChecked`]): a warning, never a divergence and
/// never a hang.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    engine: Engine,
}

#[derive(Clone)]
enum Engine {
    /// Linear time.
    Linear(regex::Regex),
    /// Backtracking, with a step budget.
    Bounded(Box<fancy_regex::Regex>),
    /// A valid ECMAScript pattern neither engine can run: why.
    Unsupported(String),
}

/// Steps the backtracking engine may take for one value.
pub const BACKTRACK_BUDGET: usize = 100_000;
/// The longest value (in bytes) a backtracking pattern is run on: each of
/// its steps may scan the value.
pub const MAX_BACKTRACK_INPUT: usize = 4096;
/// The compiled size the linear engine may use for one pattern (a counted
/// repetition such as `{11}{0,1011}` compiles large).
const LINEAR_SIZE_LIMIT: usize = 32 * 1024 * 1024;

/// Why a value was not held to a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotChecked(pub String);

impl std::fmt::Display for NotChecked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Pattern {
    /// Compiles a model pattern; the error says why it cannot be. A pattern
    /// that is valid ECMAScript but that no bounded engine here runs loads,
    /// and checks nothing ([`Pattern::check`] says why).
    pub fn new(source: &str) -> Result<Pattern, String> {
        let (rewritten, flags) = to_ecmascript(source);
        // regress, an ECMAScript engine, judges what is a valid pattern; it
        // never runs one (it has no step budget).
        regress::Regex::with_flags(&rewritten, flags.as_str()).map_err(|e| e.to_string())?;
        let engine = match super::engine::translate(&rewritten, &flags) {
            Ok(t) if !t.backtracking => {
                match regex::RegexBuilder::new(&t.source).size_limit(LINEAR_SIZE_LIMIT).build() {
                    Ok(r) => Engine::Linear(r),
                    Err(e) => Engine::Unsupported(format!("the linear engine cannot compile it: {e}")),
                }
            }
            Ok(t) => match fancy_regex::RegexBuilder::new(&t.source).backtrack_limit(BACKTRACK_BUDGET).build() {
                Ok(r) => Engine::Bounded(Box::new(r)),
                Err(e) => Engine::Unsupported(format!("the backtracking engine cannot compile it: {e}")),
            },
            Err(e) => Engine::Unsupported(e),
        };
        Ok(Pattern { source: source.to_owned(), engine })
    }

    /// Compiles a model pattern as [`Pattern::new`] does; a pattern that is
    /// no valid regex at all loads too, and checks nothing: botocore does not
    /// validate patterns, and one such pattern (Directory Service's
    /// `\p{LD}`) must not make a whole model unusable.
    pub fn lenient(source: &str) -> Pattern {
        Pattern::new(source).unwrap_or_else(|e| Pattern {
            source: source.to_owned(),
            engine: Engine::Unsupported(format!("the model's pattern is no valid regex ({e})")),
        })
    }

    /// The pattern as the model writes it.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern matches somewhere in `text`, or why that was not
    /// found out within the budget.
    pub fn check(&self, text: &str) -> Result<bool, NotChecked> {
        match &self.engine {
            Engine::Linear(r) => Ok(r.is_match(text)),
            Engine::Bounded(_) if text.len() > MAX_BACKTRACK_INPUT => Err(NotChecked(format!(
                "pattern not checked: it needs backtracking (look-around or a back-reference), and the value is longer than {MAX_BACKTRACK_INPUT} bytes"
            ))),
            Engine::Bounded(r) => r.is_match(text).map_err(|e| {
                NotChecked(format!(
                    "pattern not checked: over the budget of {BACKTRACK_BUDGET} backtracking steps ({e})"
                ))
            }),
            Engine::Unsupported(why) => Err(NotChecked(format!("pattern not checked: {why}"))),
        }
    }

    /// Whether the pattern matches somewhere in `text`; a value not checked
    /// counts as matching (no divergence is claimed without proof).
    #[cfg(test)]
    pub fn is_match(&self, text: &str) -> bool {
        self.check(text).unwrap_or(true)
    }

    /// Whether values run in linear time (not on the backtracking engine).
    #[cfg(test)]
    pub fn is_linear(&self) -> bool {
        matches!(self.engine, Engine::Linear(_))
    }
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

/// Characters that keep their backslash in ECMAScript's Unicode mode
/// (and `-`, inside a class).
const SYNTAX: &str = "^$\\.*+?()[]{}|/";

/// Rewrites a model pattern into ECMAScript source and flags.
///
/// Long on purpose: one pass of a small lexer whose state (inside a class,
/// after an escape, pending quantifier) the arms share; split, that state
/// would have to travel between functions.
pub fn to_ecmascript(java: &str) -> (String, String) {
    let chars: Vec<char> = java.chars().collect();
    let unicode = java.contains("\\p{") || java.contains("\\P{");
    let mut flags = String::new();
    let mut out = String::new();
    // Where the last atom (and its quantifier, if any) starts in `out`,
    // and whether it already carries a quantifier.
    let mut atom: Option<usize> = None;
    let mut quantified = false;
    let mut groups: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // Inline flags: `(?s)`, `(?i)`, `(?is)`, or `(?i:...)`.
        if c == '(' && chars.get(i + 1) == Some(&'?') {
            let mut j = i + 2;
            while j < chars.len() && matches!(chars[j], 'i' | 's' | 'm' | 'x' | 'u' | 'd') {
                j += 1;
            }
            if j > i + 2 && matches!(chars.get(j), Some(')') | Some(':')) {
                for f in chars[i + 2..j].iter().filter(|f| matches!(f, 'i' | 's' | 'm')) {
                    if !flags.contains(*f) {
                        flags.push(*f);
                    }
                }
                if chars[j] == ')' {
                    i = j + 1;
                    continue;
                }
                groups.push(out.len());
                out.push_str("(?:");
                atom = None;
                i = j + 1;
                continue;
            }
        }
        match c {
            '\\' => {
                let start = out.len();
                let Some(&next) = chars.get(i + 1) else {
                    out.push_str("\\\\");
                    i += 1;
                    continue;
                };
                i += 2;
                match next {
                    'A' => out.push('^'),
                    'z' | 'Z' => out.push('$'),
                    'p' | 'P' => {
                        let end = chars[i..].iter().position(|&x| x == '}').map_or(chars.len(), |p| i + p + 1);
                        let braced: String = chars[i..end].iter().collect();
                        match (posix_class(&braced), next) {
                            (Some(ranges), 'p') => out.push_str(&format!("[{ranges}]")),
                            (Some(ranges), _) => out.push_str(&format!("[^{ranges}]")),
                            (None, _) => {
                                out.push('\\');
                                out.push(next);
                                out.push_str(&unicode_property(&braced));
                            }
                        }
                        i = end;
                    }
                    n if unicode && !n.is_ascii_alphanumeric() && !SYNTAX.contains(n) => out.push(n),
                    n => {
                        out.push('\\');
                        out.push(n);
                    }
                }
                atom = Some(start);
                quantified = false;
            }
            '[' => {
                let start = out.len();
                let end = class_end(&chars, i);
                let class: String = chars[i..end].iter().collect();
                // Java's intersection with a negated class, `[X&&[^Y]]`:
                // an X that is no Y.
                if let Some((x, y)) = class.strip_suffix("]]").and_then(|c| c.split_once("&&[^")) {
                    let x: Vec<char> = format!("{x}]").chars().collect();
                    let y: Vec<char> = format!("[{y}]").chars().collect();
                    out.push_str("(?:(?!");
                    copy_class(&y, 0, unicode, &mut out);
                    out.push(')');
                    copy_class(&x, 0, unicode, &mut out);
                    out.push(')');
                    i = end;
                } else {
                    i = copy_class(&chars, i, unicode, &mut out);
                }
                atom = Some(start);
                quantified = false;
                continue;
            }
            '(' => {
                groups.push(out.len());
                out.push('(');
                atom = None;
                i += 1;
            }
            ')' => {
                out.push(')');
                atom = groups.pop();
                quantified = false;
                i += 1;
            }
            '*' | '+' | '?' | '{' => {
                let len = quantifier_len(&chars[i..]);
                if len == 0 {
                    // A `{` that is no quantifier is a literal.
                    let start = out.len();
                    out.push_str(if unicode { "\\{" } else { "{" });
                    atom = Some(start);
                    quantified = false;
                    i += 1;
                    continue;
                }
                let q: String = chars[i..i + len].iter().collect();
                i += len;
                // `?` after a quantifier makes it lazy: keep it.
                let lazy = chars.get(i) == Some(&'?');
                // `+` after a quantifier makes it possessive: greedy here.
                let possessive = chars.get(i) == Some(&'+');
                match atom {
                    // A quantified anchor (`${1,128}`) is the anchor.
                    None if out.ends_with('^') || out.ends_with('$') => {}
                    None => out.push_str(&q),
                    // A quantified quantifier applies to the quantified atom.
                    Some(start) if quantified => {
                        out.insert_str(start, "(?:");
                        out.push(')');
                        out.push_str(&q);
                    }
                    Some(_) => out.push_str(&q),
                }
                quantified = true;
                if lazy {
                    out.push('?');
                    i += 1;
                } else if possessive {
                    i += 1;
                }
            }
            '^' | '$' => {
                out.push(c);
                atom = None;
                i += 1;
            }
            '|' => {
                out.push(c);
                atom = None;
                i += 1;
            }
            '}' | ']' if unicode => {
                let start = out.len();
                out.push('\\');
                out.push(c);
                atom = Some(start);
                quantified = false;
                i += 1;
            }
            _ => {
                let start = out.len();
                out.push(c);
                atom = Some(start);
                quantified = false;
                i += 1;
            }
        }
    }
    if unicode {
        flags.push('u');
    }
    (out, flags)
}

/// The length of the quantifier at the start of `s` (0 when there is none).
fn quantifier_len(s: &[char]) -> usize {
    match s.first() {
        Some('*' | '+' | '?') => 1,
        Some('{') => {
            let close = s.iter().position(|&c| c == '}');
            match close {
                Some(end) if end > 1 => {
                    let inner: String = s[1..end].iter().collect();
                    let (a, b) = inner.split_once(',').unwrap_or((&inner, "0"));
                    let digits = |x: &str| x.chars().all(|c| c.is_ascii_digit());
                    if !a.is_empty() && digits(a) && digits(b) { end + 1 } else { 0 }
                }
                _ => 0,
            }
        }
        _ => 0,
    }
}

/// Copies a character class starting at `chars[i] == '['`; returns the
/// index after it. A `-` right after a class escape (`\p{Z}-_`, `\d-x`) is
/// a literal hyphen, as in Java.
fn copy_class(chars: &[char], mut i: usize, unicode: bool, out: &mut String) -> usize {
    out.push('[');
    i += 1;
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    let mut after_class_escape = false;
    while i < chars.len() {
        let c = chars[i];
        if c == ']' && !first {
            out.push(']');
            return i + 1;
        }
        first = false;
        match c {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    out.push_str("\\\\");
                    return i + 1;
                };
                i += 2;
                match next {
                    'p' | 'P' => {
                        let end = chars[i..].iter().position(|&x| x == '}').map_or(chars.len(), |p| i + p + 1);
                        let braced: String = chars[i..end].iter().collect();
                        match (posix_class(&braced), next) {
                            (Some(ranges), 'p') => out.push_str(ranges),
                            _ => {
                                out.push('\\');
                                out.push(next);
                                out.push_str(&unicode_property(&braced));
                            }
                        }
                        i = end;
                        after_class_escape = true;
                    }
                    'd' | 'D' | 'w' | 'W' | 's' | 'S' => {
                        out.push('\\');
                        out.push(next);
                        after_class_escape = true;
                    }
                    n if unicode && !n.is_ascii_alphanumeric() && !SYNTAX.contains(n) && n != '-' => {
                        out.push(n);
                        after_class_escape = false;
                    }
                    n => {
                        out.push('\\');
                        out.push(n);
                        after_class_escape = false;
                    }
                }
                continue;
            }
            '-' if after_class_escape || (unicode && chars.get(i + 1).is_some_and(|n| *n == ']')) => {
                out.push_str("\\-");
            }
            '[' if unicode => out.push_str("\\["),
            '{' | '}' | '(' | ')' | '|' | '/' if unicode => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        after_class_escape = false;
        i += 1;
    }
    out.push(']');
    i
}

/// The end (exclusive) of the class starting at `chars[i] == '['`, nested
/// classes and escapes included.
fn class_end(chars: &[char], i: usize) -> usize {
    let mut depth = 0;
    let mut j = i;
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 1,
            '[' => depth += 1,
            ']' if j > i + 1 || depth > 1 => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    chars.len()
}

/// Java's POSIX classes, which are ASCII-only, as class ranges
/// (`\p{Print}` is `\x20-\x7E`); `\p{all}` is every character.
fn posix_class(braced: &str) -> Option<&'static str> {
    Some(match braced.trim_start_matches('{').trim_end_matches('}') {
        "Print" => r"\x20-\x7E",
        "Graph" => r"\x21-\x7E",
        "XDigit" => "0-9a-fA-F",
        "Alnum" => "a-zA-Z0-9",
        "Alpha" => "a-zA-Z",
        "Punct" => r"\x21-\x2F\x3A-\x40\x5B-\x60\x7B-\x7E",
        "Blank" => r"\x20\t",
        "Space" => r"\x20\t\n\x0B\f\r",
        "Lower" => "a-z",
        "Upper" => "A-Z",
        "Digit" => "0-9",
        "Cntrl" => r"\x00-\x1F\x7F",
        "ASCII" => r"\x00-\x7F",
        "all" => r"\u{0}-\u{10FFFF}",
        _ => return None,
    })
}

/// A Java Unicode property (`{L}`, `{IsAlphabetic}`, `{javaLowerCase}`) as
/// ECMAScript writes it (`{L}`, `{Alphabetic}`, `{Lowercase}`).
fn unicode_property(braced: &str) -> String {
    let name = braced.trim_start_matches('{').trim_end_matches('}');
    let name = name.strip_prefix("Is").filter(|n| !n.is_empty()).unwrap_or(name);
    let mapped = match name {
        "javaLowerCase" => "Lowercase",
        "javaUpperCase" => "Uppercase",
        "Whitespace" | "javaWhitespace" => "White_Space",
        other => other,
    };
    format!("{{{mapped}}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, text: &str) -> bool {
        Pattern::new(p).unwrap_or_else(|e| panic!("{p}: {e}")).is_match(text)
    }

    #[test]
    fn ecmascript_patterns_pass_through() {
        assert_eq!(to_ecmascript(r"^(?!.*\.\.)[a-z.]+$"), (r"^(?!.*\.\.)[a-z.]+$".to_owned(), String::new()));
        assert!(m(r"^(?!.*\.\.)[a-z.]+$", "a.b"));
        assert!(!m(r"^(?!.*\.\.)[a-z.]+$", "a..b"));
    }

    #[test]
    fn java_constructs_from_shipped_models_mean_what_they_mean_in_java() {
        // Inline dotAll: `.` matches a newline.
        assert!(m("^(?s).+$", "a\nb"));
        // Inline case-insensitivity, at the start and inside a group.
        assert!(m("^(?i)(true|false)$", "TRUE"));
        assert!(!m("(?!(?i)AWS_)^[a-zA-Z_][a-zA-Z0-9_]*$", "aws_X"));
        assert!(m("(?!(?i)AWS_)^[a-zA-Z_][a-zA-Z0-9_]*$", "MY_VAR"));
        // Possessive quantifiers.
        assert!(m(
            r"^arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\d{1}+:\d{12}+:application/x$",
            "arn:aws:kinesisanalytics:us-east-1:123456789012:application/x"
        ));
        assert!(m(r"^[\/]?+[a-z]+$", "/abc"));
        // \A and \z.
        assert!(m(r"(?i)\Amailto:\S+\z", "MAILTO:x@y"));
        assert!(!m(r"\Aab\z", "xaby"));
        // Unicode classes with a literal `-` after a class escape.
        assert!(m(r"^(?! )[\p{L}\p{N}\p{Z}-_]*(?<! )$", "Café-team_1"));
        assert!(!m(r"^(?! )[\p{L}\p{N}\p{Z}-_]*(?<! )$", " lead"));
        assert!(!m(r"^(?! )[\p{L}\p{N}\p{Z}-_]*(?<! )$", "semi;colon"));
        // A quantified anchor is the anchor.
        assert!(m(r"^[-_a-zA-Z0-9]*${2,64}$", "abc"));
        // Java's POSIX classes are ASCII; class intersection.
        assert!(m(r"^\p{XDigit}{8}$", "deadBEEF"));
        assert!(!m(r"^\p{XDigit}{8}$", "deadBEEG"));
        assert!(m(r"^[\p{Print}&&[^|:/]]+$", "plan-1 x"));
        assert!(!m(r"^[\p{Print}&&[^|:/]]+$", "a/b"));
        assert!(!m(r"^[\p{Print}&&[^|:/]]+$", "é"));
        assert!(m(r"^[^\p{C}\p{IsWhitespace}]+$", "abc"));
        assert!(!m(r"^[^\p{C}\p{IsWhitespace}]+$", "a b"));
        assert!(m(r"^[\p{all}]*$", "anything\n at all"));
        assert!(m(r"^[\p{Alnum}\p{Punct}\p{Blank}]*$", "ok: fine!"));
        assert!(!m(r"^[\p{Alnum}\p{Punct}\p{Blank}]*$", "tab\nnewline"));
        // A quantified quantifier applies to the quantified atom.
        assert!(m(r"^x:[0-9a-zA-Z]{11}{0,1011}$", "x:abcdefghijkabcdefghijk"));
        assert!(!m(r"^x:[0-9a-zA-Z]{11}{0,1011}$", "x:abc"));
    }
}
#[cfg(test)]
mod bounded_tests {
    use super::*;

    /// lex-models `SlotName` (botocore): nested quantifiers, exponential on
    /// a backtracking engine for a value that almost matches.
    const SLOT_NAME: &str = "^([A-Za-z](-|_|.)?)+$";
    /// DynamoDB `S3Bucket`: cubic on a backtracking engine.
    const S3_BUCKET: &str = r"^[a-z0-9A-Z]+[\.\-\w]*[a-z0-9A-Z]+$";

    #[test]
    fn an_exponential_model_pattern_runs_in_linear_time() {
        let p = Pattern::new(SLOT_NAME).expect("compiles");
        assert!(p.is_linear());
        // 62 characters that fail only at the end: regress never finishes.
        let adversarial = format!("{}\n", "a".repeat(61));
        assert_eq!(p.check(&adversarial), Ok(false));
        assert_eq!(p.check("slot-name_x"), Ok(true));
        let long = format!("{}\n", "a".repeat(100_000));
        assert_eq!(p.check(&long), Ok(false));
    }

    #[test]
    fn a_cubic_model_pattern_runs_in_linear_time() {
        let p = Pattern::new(S3_BUCKET).expect("compiles");
        assert!(p.is_linear());
        assert_eq!(p.check("my-bucket.logs"), Ok(true));
        assert_eq!(p.check("-bucket"), Ok(false));
        let long = format!("a{}-", "-".repeat(20_000));
        assert_eq!(p.check(&long), Ok(false));
    }

    #[test]
    fn look_around_runs_on_the_bounded_engine_and_says_when_it_gives_up() {
        let p = Pattern::new(r"^(?!.*\.\.)[a-z.]+$").expect("compiles");
        assert!(!p.is_linear());
        assert_eq!(p.check("a.b"), Ok(true));
        assert_eq!(p.check("a..b"), Ok(false));
        let long = "a".repeat(MAX_BACKTRACK_INPUT + 1);
        assert!(p.check(&long).expect_err("too long for backtracking").0.contains("not checked"));
        // Unchecked is no divergence.
        assert!(p.is_match(&long));
        // Exponential with a look-ahead in front: over budget, not a hang.
        let p = Pattern::new("^((?=a)a|a)*$").expect("compiles");
        let adversarial = format!("{}b", "a".repeat(60));
        assert!(p.check(&adversarial).expect_err("over budget").0.contains("budget"));
        assert_eq!(p.check("aaa"), Ok(true));
    }

    #[test]
    fn ecmascript_meanings_are_kept_on_the_linear_engine() {
        let check = |p: &str, s: &str| Pattern::new(p).expect("compiles").check(s).expect("checked");
        // \d and \w are ASCII in ECMAScript.
        assert!(!check(r"^\d$", "\u{0663}"));
        assert!(!check(r"^\w$", "é"));
        // \s is ECMAScript's set: U+FEFF is in it, U+0085 is not.
        assert!(check(r"^\s$", "\u{FEFF}"));
        assert!(!check(r"^\s$", "\u{85}"));
        assert!(check(r"^\S$", "\u{85}"));
        // `.` leaves out the line terminators.
        assert!(!check("^.$", "\r"));
        assert!(!check("^.$", "\u{2028}"));
        assert!(check("(?s)^.$", "\r"));
        // \b is an ASCII word boundary.
        assert!(check(r"^a\b", "a-"));
        assert!(check(r"^a\b", "aé"));
        // Class members that the regex crate reads as syntax are literals.
        assert!(check(r"^[a&&b]+$", "a&b"));
        assert!(check(r"^[[a]+$", "[a"));
        assert!(check(r"^[a~-]+$", "~-"));
        // \uXXXX, a surrogate pair as one character, \x, \cX.
        assert!(check(r"^\u0041\x42$", "AB"));
        assert!(check(r"^\uD83C\uDF89$", "🎉"));
        assert!(check(r"^\cJ$", "\n"));
        // A literal `{`.
        assert!(check("^a{,2}$", "a{,2}"));
        // ECMAScript's [] is nothing and [^] anything (a model's `[]` is
        // Java's, rewritten before: these are the engine's own).
        let run = |src: &str, s: &str| {
            let t = super::super::engine::translate(src, "").expect("translates");
            regex::Regex::new(&t.source).expect("compiles").is_match(s)
        };
        assert!(!run("a[]", "a"));
        assert!(run("^[^]$", "\n"));
        // A quantified look-ahead asserts once (+) or not at all (*).
        assert!(!check(r"^(?!\.)+[a.]+$", ".a"));
        assert!(check(r"^(?!\.)*[a.]+$", ".a"));
    }
}
