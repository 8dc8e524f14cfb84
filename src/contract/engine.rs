//! ECMAScript pattern source (what [`super::pattern::to_ecmascript`]
//! writes) in the syntax of the `regex` crate, meaning kept:
//!
//! - `\d`, `\w` are ASCII in ECMAScript (Unicode in `regex`): written as
//!   their ASCII ranges; `\s` is ECMAScript's own set (Unicode `White_Space`
//!   differs: U+0085 is not in it, U+FEFF is), written out; `\D`, `\W`,
//!   `\S` are their complements, written out (no nested classes);
//! - `\b`, `\B` are ASCII word boundaries;
//! - `.` leaves out the four ECMAScript line terminators (`\n`, `\r`,
//!   U+2028, U+2029), unless the `s` flag is set;
//! - `\uXXXX` (a surrogate pair written as two is the character it
//!   encodes), `\u{...}`, `\xHH`, `\cX`, `\0`, `\v`, `\f` become `\x{...}`;
//!   a lone surrogate can never be in a Rust string: it matches nothing;
//! - inside a class, `[`, `&`, `~` and `-` are literals, as in ECMAScript
//!   (the `regex` crate reads them as nesting and set operations);
//! - `[]` matches nothing and `[^]` any character.
//!
//! Look-around and back-references need a backtracking engine: the
//! translation says so ([`Translated::backtracking`]) and keeps them in the
//! syntax `fancy-regex` reads. What is left unmatched: the `i` flag folds
//! case as Unicode simple case folding does (ECMAScript's non-Unicode mode
//! upper-cases instead; they differ on a handful of characters such as
//! U+017F), and the `m` flag's `^`/`$` see only `\n` as a line end.

/// A pattern in `regex` (or, with look-around, `fancy-regex`) syntax.
#[derive(Debug)]
pub struct Translated {
    /// The source.
    pub source: String,
    /// Whether it needs a backtracking engine (look-around, back-references).
    pub backtracking: bool,
}

const MAX_CHAR: u32 = 0x10FFFF;
const SURROGATES: (u32, u32) = (0xD800, 0xDFFF);
/// ECMAScript's `\s`: WhiteSpace and LineTerminator.
const SPACE: &[(u32, u32)] = &[
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
];
const WORD_CLASS: &str = "[0-9A-Za-z_]";
const DIGIT: &[(u32, u32)] = &[(0x30, 0x39)];
const WORD: &[(u32, u32)] = &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];
/// Matches nothing (a class of no character).
const NOTHING: &str = r"[^\x{0}-\x{10FFFF}]";

/// The complement of sorted, disjoint ranges.
fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0u32;
    for &(lo, hi) in ranges {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi.saturating_add(1);
    }
    if next <= MAX_CHAR {
        out.push((next, MAX_CHAR));
    }
    out
}

/// One member of a class.
enum Item {
    Ranges(Vec<(u32, u32)>),
    /// `\p{..}` or `\P{..}`, as written.
    Property(String),
}

/// What an escape stands for.
enum Escape {
    Char(u32),
    Item(Item),
    /// Written as is, outside classes only (a boundary, a back-reference).
    Raw(String),
}

struct Translator {
    chars: Vec<char>,
    i: usize,
    unicode: bool,
    dot_all: bool,
    out: String,
    backtracking: bool,
    /// Writing for fancy-regex (the pattern needs backtracking).
    fancy: bool,
    /// Open groups: where each starts in `out`, and whether it is a look-around.
    groups: Vec<(usize, bool)>,
}

/// Translates ECMAScript source with its flags (`i`, `m`, `s`, `u`).
pub fn translate(source: &str, flags: &str) -> Result<Translated, String> {
    let first = translate_for(source, flags, false)?;
    // Look-around anywhere: written again, boundaries in fancy-regex's terms.
    if first.backtracking { translate_for(source, flags, true) } else { Ok(first) }
}

fn translate_for(source: &str, flags: &str, fancy: bool) -> Result<Translated, String> {
    let mut t = Translator {
        chars: source.chars().collect(),
        i: 0,
        unicode: flags.contains('u'),
        dot_all: flags.contains('s'),
        out: String::new(),
        backtracking: false,
        fancy,
        groups: Vec::new(),
    };
    for (f, inline) in [('i', "(?i)"), ('m', "(?m)")] {
        if flags.contains(f) {
            t.out.push_str(inline);
        }
    }
    t.run()?;
    Ok(Translated { source: t.out, backtracking: t.backtracking })
}

fn push_char(out: &mut String, c: u32) {
    match char::from_u32(c) {
        Some(ch) if ch.is_alphanumeric() || (!ch.is_ascii() && !ch.is_whitespace() && !ch.is_control()) => out.push(ch),
        _ => out.push_str(&format!(r"\x{{{c:X}}}")),
    }
}

/// A class from its items; surrogates (never in a Rust string) left out.
fn render_class(negated: bool, items: &[Item]) -> String {
    let mut body = String::new();
    for item in items {
        match item {
            Item::Ranges(ranges) => {
                for &(lo, hi) in ranges {
                    let parts = [(lo, hi.min(SURROGATES.0 - 1)), (lo.max(SURROGATES.1 + 1), hi)];
                    for (a, b) in parts.into_iter().filter(|(a, b)| a <= b) {
                        push_char(&mut body, a);
                        if b > a {
                            body.push('-');
                            push_char(&mut body, b);
                        }
                    }
                }
            }
            Item::Property(p) => body.push_str(p),
        }
    }
    match (body.is_empty(), negated) {
        (true, false) => NOTHING.to_owned(),
        (true, true) => r"[\x{0}-\x{10FFFF}]".to_owned(),
        (false, n) => format!("[{}{body}]", if n { "^" } else { "" }),
    }
}

impl Translator {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.i += 1;
        }
        hit
    }

    /// `n` hex digits, consumed only when all are there.
    fn hex(&mut self, n: usize) -> Option<u32> {
        let digits: String = self.chars.get(self.i..self.i + n)?.iter().collect();
        let v = u32::from_str_radix(&digits, 16).ok().filter(|_| digits.chars().all(|c| c.is_ascii_hexdigit()))?;
        self.i += n;
        Some(v)
    }

    fn run(&mut self) -> Result<(), String> {
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                '\\' => match self.escape(false)? {
                    Escape::Char(c) if (SURROGATES.0..=SURROGATES.1).contains(&c) => self.out.push_str(NOTHING),
                    Escape::Char(c) => push_char(&mut self.out, c),
                    Escape::Item(item) => {
                        let class = render_class(false, &[item]);
                        self.out.push_str(&class);
                    }
                    Escape::Raw(raw) => self.out.push_str(&raw),
                },
                '[' => self.class()?,
                '.' if self.dot_all => self.out.push_str(r"[\x{0}-\x{10FFFF}]"),
                '.' => self.out.push_str(r"[^\n\r\x{2028}\x{2029}]"),
                '(' => self.group()?,
                ')' => self.close_group(),
                '|' | '^' | '$' | '*' | '+' | '?' => self.out.push(c),
                '{' => self.brace(),
                other => push_char(&mut self.out, other as u32),
            }
        }
        Ok(())
    }

    /// A `[` just read: the class, to its `]`.
    fn class(&mut self) -> Result<(), String> {
        let negated = self.eat('^');
        let mut items: Vec<Item> = Vec::new();
        loop {
            let Some(c) = self.peek() else { return Err("a class without its `]`".into()) };
            self.i += 1;
            if c == ']' {
                break;
            }
            let atom = if c == '\\' { self.escape(true)? } else { Escape::Char(c as u32) };
            let lo = match atom {
                Escape::Char(lo) => lo,
                Escape::Item(item) => {
                    items.push(item);
                    continue;
                }
                Escape::Raw(raw) => return Err(format!("`{raw}` inside a class")),
            };
            // A range, unless the `-` is the last member.
            if self.peek() == Some('-') && self.peek_at(1).is_some_and(|n| n != ']') {
                self.i += 1;
                let next = self.peek().unwrap_or(']');
                self.i += 1;
                let hi = if next == '\\' { self.escape(true)? } else { Escape::Char(next as u32) };
                match hi {
                    Escape::Char(hi) if hi >= lo => items.push(Item::Ranges(vec![(lo, hi)])),
                    Escape::Char(_) => return Err("a class range out of order".into()),
                    // `a-\d`: outside the Unicode mode, `a`, `-` and the digits.
                    Escape::Item(item) => {
                        items.push(Item::Ranges(vec![(lo, lo), ('-' as u32, '-' as u32)]));
                        items.push(item);
                    }
                    Escape::Raw(raw) => return Err(format!("`{raw}` inside a class")),
                }
            } else {
                items.push(Item::Ranges(vec![(lo, lo)]));
            }
        }
        let class = render_class(negated, &items);
        self.out.push_str(&class);
        Ok(())
    }

    /// A `{` just read: a quantifier (`{n}`, `{n,}`, `{n,m}`), else a literal.
    fn brace(&mut self) {
        let rest = &self.chars[self.i..];
        let close = rest.iter().position(|&c| c == '}');
        let quantifier = close.filter(|&end| {
            let inner: String = rest[..end].iter().collect();
            let (a, b) = inner.split_once(',').unwrap_or((&inner, "0"));
            !a.is_empty() && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
        });
        match quantifier {
            Some(end) => {
                self.out.push('{');
                self.out.extend(&rest[..=end]);
                self.i += end + 1;
            }
            None => self.out.push_str(r"\x{7B}"),
        }
    }

    /// A `)` just read. A quantified look-around (which ECMAScript allows
    /// outside its Unicode mode, and fancy-regex refuses) asserts once when
    /// the quantifier's least count is 1 or more, and nothing at all when it
    /// is 0.
    fn close_group(&mut self) {
        self.out.push(')');
        let Some((start, true)) = self.groups.pop() else { return };
        let least = match self.peek() {
            Some('+') => Some((1, 1)),
            Some('*' | '?') => Some((0, 1)),
            Some('{') => {
                let rest = &self.chars[self.i..];
                rest.iter().position(|&c| c == '}').and_then(|end| {
                    let inner: String = rest[1..end].iter().collect();
                    let least = inner.split(',').next().and_then(|a| a.parse::<u64>().ok())?;
                    Some((least, end + 1))
                })
            }
            _ => None,
        };
        if let Some((least, len)) = least {
            self.i += len;
            // A lazy quantifier's `?`.
            self.eat('?');
            if least == 0 {
                self.out.truncate(start);
            }
        }
    }

    /// A `(` just read.
    fn group(&mut self) -> Result<(), String> {
        let start = self.out.len();
        let look = self.peek() == Some('?')
            && matches!((self.peek_at(1), self.peek_at(2)), (Some('=' | '!'), _) | (Some('<'), Some('=' | '!')));
        self.groups.push((start, look));
        if !self.eat('?') {
            self.out.push('(');
            return Ok(());
        }
        match (self.peek(), self.peek_at(1)) {
            (Some(':'), _) => {
                self.i += 1;
                self.out.push_str("(?:");
            }
            (Some(c @ ('=' | '!')), _) => {
                self.i += 1;
                self.backtracking = true;
                self.out.push_str("(?");
                self.out.push(c);
            }
            (Some('<'), Some(c @ ('=' | '!'))) => {
                self.i += 2;
                self.backtracking = true;
                self.out.push_str("(?<");
                self.out.push(c);
            }
            (Some('<'), _) => {
                self.i += 1;
                let name: String = self.chars[self.i..].iter().take_while(|&&c| c != '>').collect();
                if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    return Err(format!("a group name `{name}` the engine cannot take"));
                }
                self.i += name.chars().count() + 1;
                self.out.push_str(&format!("(?P<{name}>"));
            }
            _ => return Err("an unknown group `(?`".into()),
        }
        Ok(())
    }

    /// After a `\`: what the escape stands for.
    fn escape(&mut self, in_class: bool) -> Result<Escape, String> {
        let Some(c) = self.peek() else { return Err("a trailing backslash".into()) };
        self.i += 1;
        let set = |ranges: &[(u32, u32)], negated: bool| {
            Escape::Item(Item::Ranges(if negated { complement(ranges) } else { ranges.to_vec() }))
        };
        Ok(match c {
            'd' | 'D' => set(DIGIT, c == 'D'),
            'w' | 'W' => set(WORD, c == 'W'),
            's' | 'S' => set(SPACE, c == 'S'),
            'b' if in_class => Escape::Char(8),
            'b' | 'B' if !in_class => {
                let raw = match (self.fancy, c == 'b') {
                    (false, true) => r"(?-u:\b)".to_owned(),
                    (false, false) => r"(?-u:\B)".to_owned(),
                    // fancy-regex reads `\b` as Unicode: spelled out in ASCII.
                    (true, true) => format!("(?:(?<={WORD_CLASS})(?!{WORD_CLASS})|(?<!{WORD_CLASS})(?={WORD_CLASS}))"),
                    (true, false) => format!("(?:(?<={WORD_CLASS})(?={WORD_CLASS})|(?<!{WORD_CLASS})(?!{WORD_CLASS}))"),
                };
                Escape::Raw(raw)
            }
            '1'..='9' if !in_class => {
                let digits: String = std::iter::once(c)
                    .chain(self.chars[self.i..].iter().copied().take_while(char::is_ascii_digit))
                    .collect();
                self.i += digits.len() - 1;
                self.backtracking = true;
                Escape::Raw(format!(r"\{digits}"))
            }
            'k' if !in_class && self.peek() == Some('<') => {
                let name: String = self.chars[self.i + 1..].iter().take_while(|&&c| c != '>').collect();
                self.i += name.chars().count() + 2;
                self.backtracking = true;
                Escape::Raw(format!(r"\k<{name}>"))
            }
            'p' | 'P' if self.peek() == Some('{') => {
                let name: String = self.chars[self.i + 1..].iter().take_while(|&&c| c != '}').collect();
                self.i += name.chars().count() + 2;
                Escape::Item(Item::Property(format!(r"\{c}{{{name}}}")))
            }
            't' => Escape::Char(9),
            'n' => Escape::Char(10),
            'v' => Escape::Char(11),
            'f' => Escape::Char(12),
            'r' => Escape::Char(13),
            '0' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => Escape::Char(0),
            'c' if self.peek().is_some_and(|l| l.is_ascii_alphabetic()) => {
                let l = self.peek().map_or(0, |l| l as u32);
                self.i += 1;
                Escape::Char(l % 32)
            }
            'x' => self.hex(2).map_or(Escape::Char('x' as u32), Escape::Char),
            'u' if self.unicode && self.peek() == Some('{') => {
                let digits: String = self.chars[self.i + 1..].iter().take_while(|&&c| c != '}').collect();
                let v = u32::from_str_radix(&digits, 16).map_err(|_| format!("a bad escape `\\u{{{digits}}}`"))?;
                self.i += digits.chars().count() + 2;
                Escape::Char(v)
            }
            'u' => match self.hex(4) {
                Some(hi @ 0xD800..=0xDBFF) if self.peek() == Some('\\') && self.peek_at(1) == Some('u') => {
                    let save = self.i;
                    self.i += 2;
                    match self.hex(4) {
                        Some(lo @ 0xDC00..=0xDFFF) => Escape::Char(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)),
                        _ => {
                            self.i = save;
                            Escape::Char(hi)
                        }
                    }
                }
                Some(v) => Escape::Char(v),
                None => Escape::Char('u' as u32),
            },
            other => Escape::Char(other as u32),
        })
    }
}
