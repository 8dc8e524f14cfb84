//! Values that violate a model's `pattern`, found by trying candidates
//! with an ECMAScript regex engine (botocore patterns are ECMA-262).

/// A compiled model pattern: the contract's, so that what the generator
/// calls a violation is what the shape check calls one (not anchored, as
/// Smithy says; the Java constructs of shipped models rewritten).
#[derive(Debug)]
pub struct Pattern(crate::contract::Pattern);

impl Pattern {
    /// Compiles `source`; `None` when it cannot be.
    #[cfg(test)]
    pub fn new(source: &str) -> Option<Pattern> {
        crate::contract::Pattern::new(source).ok().map(Pattern)
    }

    /// The pattern a model's shape holds, compiled once when the model was
    /// read (compiling it per member was most of the time on large inputs).
    pub fn of_shape(shape: &crate::contract::Shape) -> Option<Pattern> {
        match &shape.kind {
            crate::contract::ShapeKind::String { pattern: Some(p), .. } => Some(Pattern(p.clone())),
            _ => None,
        }
    }

    /// Whether `s` is known to satisfy the pattern (matches somewhere in
    /// it). A value the bounded engine gives up on is not known to.
    pub fn full_match(&self, s: &str) -> bool {
        self.0.check(s) == Ok(true)
    }

    /// Whether `s` is known to violate the pattern. A value the bounded
    /// engine gives up on is not known to: it is no violation case.
    pub fn violated_by(&self, s: &str) -> bool {
        self.0.check(s) == Ok(false)
    }
}

/// Characters that character classes in AWS patterns often leave out.
const OUTSIDE: &[char] = &['-', '!', ' ', '/', '.', '_', '@', ':', 'é', '\t', '\n', '*'];

/// Named candidates that violate `pattern` while keeping the length
/// limits, at most one per kind of probe and each value once. `base` is
/// the request's value when it is a literal.
pub fn violations(pattern: &Pattern, base: Option<&str>, min: u64, max: Option<u64>) -> Vec<(String, String)> {
    let fits = |s: &str| {
        let n = s.chars().count() as u64;
        n >= min && max.is_none_or(|m| n <= m)
    };
    let seed = base.filter(|b| !b.is_empty()).unwrap_or("a").to_owned();
    let n = (seed.chars().count() as u64).max(min.max(1)) as usize;
    let mut probes: Vec<(&str, Vec<String>)> = vec![
        ("empty", vec![String::new()]),
        ("blank", vec![" ".repeat(n), "\t".repeat(n)]),
        (
            "outside-class",
            OUTSIDE
                .iter()
                .map(|c| {
                    let mut s: String = seed.chars().collect();
                    s.pop();
                    s.push(*c);
                    s
                })
                .collect(),
        ),
        ("surrounding-space", vec![format!(" {seed}"), format!("{seed} ")]),
        ("case", vec![seed.to_uppercase(), seed.to_lowercase()]),
    ];
    // One past the longest value the pattern allows, when the length limit
    // leaves room for it.
    let longest = (1..=max.unwrap_or(256).min(512) as usize)
        .rev()
        .find(|k| pattern.full_match(&seed.chars().cycle().take(*k).collect::<String>()));
    if let Some(k) = longest {
        probes.push(("too-long-for-pattern", vec![seed.chars().cycle().take(k + 1).collect()]));
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, candidates) in probes {
        if let Some(v) = candidates.into_iter().find(|c| fits(c) && pattern.violated_by(c))
            && !out.iter().any(|(_, seen)| *seen == v)
        {
            out.push((name.to_owned(), v));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &str, base: Option<&str>, min: u64, max: Option<u64>) -> Vec<String> {
        let pattern = Pattern::new(p).expect("compiles");
        violations(&pattern, base, min, max).into_iter().map(|(n, v)| format!("{n}={v:?}")).collect()
    }

    #[test]
    fn a_non_blank_pattern_is_violated_by_empty_and_blank_values() {
        assert_eq!(names(r".*\S.*", None, 0, None), ["empty=\"\"", "blank=\" \""]);
    }

    #[test]
    fn a_class_pattern_gets_a_foreign_character_and_one_past_its_length() {
        // Not anchored, a pattern only asks for a match somewhere: a
        // foreign character or extra length violates nothing.
        assert_eq!(names("[0-9A-Za-z]{1,20}", Some("W3C"), 0, None), ["empty=\"\"", "blank=\"   \""]);
        assert_eq!(
            names("^[0-9A-Za-z]{1,20}$", Some("W3C"), 0, None),
            [
                "empty=\"\"",
                "blank=\"   \"",
                "outside-class=\"W3-\"",
                "surrounding-space=\" W3C\"",
                "too-long-for-pattern=\"W3CW3CW3CW3CW3CW3CW3C\""
            ]
        );
    }

    #[test]
    fn candidates_keep_the_length_limits() {
        // Every value of 1..=3 characters matches: nothing violates it within the limits.
        assert!(names("[\\s\\S]*", Some("abc"), 1, Some(3)).is_empty());
    }

    #[test]
    fn an_exponential_pattern_is_searched_in_bounded_time() {
        // lex-models SlotName: `conform generate` never finished on PutIntent
        // with a 40-character slot name (the outside-class probe ends in
        // `\n`, which the backtracking engine explored exponentially).
        let seed = "FlowerTypeChosenByTheCustomerAtCheckout";
        let found = names("^([A-Za-z](-|_|.)?)+$", Some(seed), 1, Some(100));
        assert!(found.contains(&format!("outside-class={:?}", format!("{}\n", &seed[..seed.len() - 1]))), "{found:?}");
        // A pattern over the budget yields no violation it cannot prove.
        let p = Pattern::new("^((?=a)a|a)*$").expect("compiles");
        let adversarial = format!("{}b", "a".repeat(60));
        assert!(!p.violated_by(&adversarial) && !p.full_match(&adversarial));
    }

    #[test]
    fn look_around_patterns_compile() {
        let p = Pattern::new("^(?!aws:)[a-z]+$").expect("look-ahead is ECMAScript");
        assert!(p.full_match("abc") && !p.full_match("aws:x"));
    }
}
