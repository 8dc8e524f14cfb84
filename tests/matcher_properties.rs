//! Issue #12, proof: properties of the matcher against reference
//! implementations written plainly here.
//!
//! (a) `$unordered` verdicts equal a brute-force search over permutations;
//! (b) number equality, and the comparisons `$gt`, `$gte`, `$lt`, `$lte`
//!     (issue #13, item 8), equal exact decimal arithmetic;
//! (c) an expectation written as a value `v` passes against `v` and fails
//!     against every single-leaf change of `v` and against `v` with a
//!     member duplicated.

use conform::matcher::{Comparison, JsonType, Matcher, duplicate_members, match_json};
use proptest::prelude::*;
use regex::Regex;
use serde_json::{Map, Value, json};

// ---------- (a) $unordered against brute force ----------

/// A matcher and the plain predicate it stands for.
#[derive(Debug, Clone)]
enum Leaf {
    Eq(&'static str),
    IsString,
    IsNumber,
    StartsWithA,
    OneOf(&'static str, &'static str),
    Any,
}

impl Leaf {
    fn matcher(&self) -> Matcher {
        match self {
            Leaf::Eq(s) => Matcher::Eq(element(s)),
            Leaf::IsString => Matcher::Type(JsonType::String),
            Leaf::IsNumber => Matcher::Type(JsonType::Number),
            Leaf::StartsWithA => Matcher::Regex(Regex::new("^a").expect("regex")),
            Leaf::OneOf(a, b) => Matcher::OneOf(vec![element(a), element(b)]),
            Leaf::Any => Matcher::Any,
        }
    }

    /// The reference: what the matcher means, written directly.
    fn accepts(&self, e: &str) -> bool {
        let is_number = e.parse::<i64>().is_ok();
        match self {
            Leaf::Eq(s) => *s == e,
            Leaf::IsString => !is_number,
            Leaf::IsNumber => is_number,
            Leaf::StartsWithA => !is_number && e.starts_with('a'),
            Leaf::OneOf(a, b) => *a == e || *b == e,
            Leaf::Any => true,
        }
    }
}

/// Elements are strings, except those spelled as integers.
fn element(s: &str) -> Value {
    s.parse::<i64>().map_or_else(|_| json!(s), |n| json!(n))
}

const ELEMENTS: &[&str] = &["a", "b", "ab", "ac", "ba", "1", "2"];

fn leaf() -> impl Strategy<Value = Leaf> {
    let e = proptest::sample::select(ELEMENTS);
    prop_oneof![
        3 => e.clone().prop_map(Leaf::Eq),
        1 => Just(Leaf::IsString),
        1 => Just(Leaf::IsNumber),
        1 => Just(Leaf::StartsWithA),
        1 => (e.clone(), e).prop_map(|(a, b)| Leaf::OneOf(a, b)),
        1 => Just(Leaf::Any),
    ]
}

/// Every permutation of `0..n`, by Heap's algorithm.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    fn go(k: usize, p: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if k <= 1 {
            out.push(p.clone());
            return;
        }
        for i in 0..k {
            go(k - 1, p, out);
            let j = if k.is_multiple_of(2) { i } else { 0 };
            p.swap(j, k - 1);
        }
    }
    let mut out = Vec::new();
    go(n, &mut (0..n).collect(), &mut out);
    out
}

fn brute_force(items: &[Leaf], elements: &[&str]) -> bool {
    items.len() == elements.len()
        && permutations(elements.len()).iter().any(|p| items.iter().enumerate().all(|(i, l)| l.accepts(elements[p[i]])))
}

// ---------- (b) numbers against exact decimal arithmetic ----------

/// A decimal `mantissa * 10^-scale`, with |mantissa| < 2^64 and scale <= 18,
/// so both sides of a comparison fit in i128 once brought to one scale.
#[derive(Debug, Clone, Copy)]
struct Dec {
    mantissa: i128,
    scale: u32,
}

impl Dec {
    fn reference_eq(self, other: Dec) -> bool {
        self.reference_cmp(other) == std::cmp::Ordering::Equal
    }

    /// Both brought to one scale, compared as integers.
    fn reference_cmp(self, other: Dec) -> std::cmp::Ordering {
        let s = self.scale.max(other.scale);
        (self.mantissa * 10i128.pow(s - self.scale)).cmp(&(other.mantissa * 10i128.pow(s - other.scale)))
    }

    /// One of several JSON spellings of the value.
    fn spell(self, style: u8, pad: usize) -> String {
        let neg = self.mantissa < 0;
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if neg { "-" } else { "" };
        match style % 3 {
            // Plain decimal, with `pad` trailing zeros after the point.
            0 => {
                let s = self.scale as usize;
                let padded = format!("{digits:0>width$}", width = s + 1);
                let (int, frac) = padded.split_at(padded.len() - s);
                let frac = format!("{frac}{}", "0".repeat(pad));
                if frac.is_empty() { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") }
            }
            // Integer mantissa with a negative exponent.
            1 => {
                // No leading zeros in JSON: zero takes no padding.
                let pad = if digits == "0" { 0 } else { pad };
                format!("{sign}{digits}{}e-{}", "0".repeat(pad), self.scale as usize + pad)
            }
            // One digit before the point, then an exponent.
            _ => {
                let (first, rest) = digits.split_at(1);
                let exp = digits.len() as i64 - 1 - i64::from(self.scale);
                if rest.is_empty() { format!("{sign}{first}E{exp:+}") } else { format!("{sign}{first}.{rest}e{exp}") }
            }
        }
    }
}

fn mantissa() -> impl Strategy<Value = i128> {
    let two53 = 1i128 << 53;
    let two64 = 1i128 << 64;
    prop_oneof![
        -1000i128..1000,
        (two53 - 3)..(two53 + 3),
        (-two53 - 3)..(-two53 + 3),
        (two64 - 5)..two64,
        (-two64 + 1)..(-two64 + 5),
        any::<i64>().prop_map(i128::from),
    ]
}

fn dec() -> impl Strategy<Value = Dec> {
    (mantissa(), 0u32..=18).prop_map(|(mantissa, scale)| Dec { mantissa, scale })
}

fn number(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("`{text}` is JSON: {e}"))
}

// ---------- (c) a value as its own expectation ----------

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (any::<i32>(), 1u32..6).prop_map(|(m, s)| number(&format!("{m}.{}", "5".repeat(s as usize)))),
        "[a-z ]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-c]{1,2}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The expectation a case would write for `v`: objects and arrays as
/// themselves (strict by default), leaves as exact values.
fn exact(v: &Value) -> Matcher {
    match v {
        Value::Object(m) => {
            Matcher::Object { fields: m.iter().map(|(k, v)| (k.clone(), exact(v))).collect(), strict: None }
        }
        Value::Array(a) => Matcher::Array(a.iter().map(exact).collect()),
        leaf => Matcher::Eq(leaf.clone()),
    }
}

/// Every single-leaf change of `v`: each leaf in turn replaced by another value.
fn leaf_changes(v: &Value) -> Vec<Value> {
    match v {
        Value::Object(m) => m
            .iter()
            .flat_map(|(k, child)| {
                leaf_changes(child).into_iter().map(move |changed| {
                    let mut copy: Map<String, Value> = m.clone();
                    copy.insert(k.clone(), changed);
                    Value::Object(copy)
                })
            })
            .collect(),
        Value::Array(a) => (0..a.len())
            .flat_map(|i| {
                leaf_changes(&a[i]).into_iter().map(move |changed| {
                    let mut copy = a.clone();
                    copy[i] = changed;
                    Value::Array(copy)
                })
            })
            .collect(),
        Value::Null => vec![json!(0)],
        Value::Bool(b) => vec![Value::Bool(!b)],
        Value::Number(n) => vec![number(&format!("{}1", n.to_string().replace(['e', 'E'], "1e")))],
        Value::String(s) => vec![Value::String(format!("{s}x"))],
    }
}

/// `v` as JSON text with the first member of the first non-empty object
/// written twice (same value: only the text shows it), if there is one.
fn with_duplicate(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => {
            if let Some((k, first)) = m.iter().next() {
                let mut parts = vec![format!("{}:{}", json!(k), first)];
                parts.extend(m.iter().map(|(k, v)| format!("{}:{}", json!(k), v)));
                return Some(format!("{{{}}}", parts.join(",")));
            }
            None
        }
        Value::Array(a) => a.iter().enumerate().find_map(|(i, child)| {
            with_duplicate(child).map(|dup| {
                let parts: Vec<String> =
                    a.iter().enumerate().map(|(j, e)| if j == i { dup.clone() } else { e.to_string() }).collect();
                format!("[{}]", parts.join(","))
            })
        }),
        _ => None,
    }
}

/// The verdict conform gives for a JSON text: match plus duplicate check.
fn passes(m: &Matcher, text: &str) -> bool {
    let parsed: Value = serde_json::from_str(text).expect("valid JSON");
    match_json(m, Some(&parsed), true).mismatches.is_empty() && duplicate_members(text.as_bytes()).is_empty()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn unordered_equals_brute_force_over_permutations(
        items in prop::collection::vec(leaf(), 0..=7),
        elements in prop::collection::vec(proptest::sample::select(ELEMENTS), 0..=7),
    ) {
        let m = Matcher::Unordered(items.iter().map(Leaf::matcher).collect());
        let actual = Value::Array(elements.iter().map(|e| element(e)).collect());
        let verdict = match_json(&m, Some(&actual), true).mismatches.is_empty();
        prop_assert_eq!(verdict, brute_force(&items, &elements), "items {:?} elements {:?}", items, elements);
    }

    /// Issue #24, item 2: the same verdicts when the items are objects
    /// naming a member (paired by hash when the member is exact), and when
    /// the elements are the items' own values nearly in order (paired in
    /// order first, then by augmenting paths).
    #[test]
    fn unordered_objects_and_near_order_equal_brute_force_issue_24_item_2(
        items in prop::collection::vec(leaf(), 0..=7),
        elements in prop::collection::vec(proptest::sample::select(ELEMENTS), 0..=7),
        swaps in prop::collection::vec((0usize..7, 0usize..7), 0..3),
        near in any::<bool>(),
    ) {
        let mut elements = elements;
        if near {
            // Each item's first accepted element, in item order, then a few swaps.
            elements = items.iter().map(|l| *ELEMENTS.iter().find(|e| l.accepts(e)).unwrap_or(&"a")).collect();
            for (a, b) in swaps {
                if a < elements.len() && b < elements.len() {
                    elements.swap(a, b);
                }
            }
        }
        let plain = Matcher::Unordered(items.iter().map(Leaf::matcher).collect());
        let actual = Value::Array(elements.iter().map(|e| element(e)).collect());
        let want = brute_force(&items, &elements);
        prop_assert_eq!(match_json(&plain, Some(&actual), true).mismatches.is_empty(), want);
        let objects = Matcher::Unordered(
            items.iter().map(|l| Matcher::Object { fields: vec![("k".into(), l.matcher())], strict: Some(false) }).collect(),
        );
        let wrapped = Value::Array(elements.iter().enumerate().map(|(i, e)| json!({"k": element(e), "i": i})).collect());
        prop_assert_eq!(
            match_json(&objects, Some(&wrapped), true).mismatches.is_empty(),
            want,
            "items {:?} elements {:?}", items, elements
        );
    }

    #[test]
    fn number_equality_is_exact_decimal_equality(
        a in dec(),
        b in dec(),
        near in any::<bool>(),
        same in any::<bool>(),
        styles in (any::<u8>(), any::<u8>(), 0usize..3, 0usize..3),
    ) {
        // Compare a with b, with a spelled differently, or with a neighbour of a.
        let b = if same { a } else if near { Dec { mantissa: a.mantissa + 1, scale: a.scale } } else { b };
        let (ta, tb) = (a.spell(styles.0, styles.2), b.spell(styles.1, styles.3));
        let verdict = match_json(&Matcher::Eq(number(&ta)), Some(&number(&tb)), true).mismatches.is_empty();
        prop_assert_eq!(verdict, a.reference_eq(b), "{} vs {}", ta, tb);
    }

    #[test]
    fn number_comparisons_are_exact_decimal_comparisons_issue_13_item_8(
        a in dec(),
        b in dec(),
        near in 0u8..3,
        op in 0usize..4,
        styles in (any::<u8>(), any::<u8>(), 0usize..3, 0usize..3),
    ) {
        // The bound b: a, a neighbour of a (one unit of its last digit), or another number.
        let b = match near {
            0 => a,
            1 => Dec { mantissa: a.mantissa + 1, scale: a.scale },
            _ => b,
        };
        let (ta, tb) = (a.spell(styles.0, styles.2), b.spell(styles.1, styles.3));
        let (name, c) = [("$gt", Comparison::Gt), ("$gte", Comparison::Gte), ("$lt", Comparison::Lt), ("$lte", Comparison::Lte)][op];
        let m = Matcher::Compare(vec![(c, number(&tb))]);
        let verdict = match_json(&m, Some(&number(&ta)), true).mismatches.is_empty();
        let ord = a.reference_cmp(b);
        let reference = match c {
            Comparison::Gt => ord.is_gt(),
            Comparison::Gte => ord.is_ge(),
            Comparison::Lt => ord.is_lt(),
            _ => ord.is_le(),
        };
        prop_assert_eq!(verdict, reference, "{} {} {}", ta, name, tb);
    }

    #[test]
    fn a_value_is_its_own_exact_expectation(v in json_value()) {
        let m = exact(&v);
        prop_assert!(passes(&m, &v.to_string()), "{} fails against itself", v);
        for changed in leaf_changes(&v) {
            prop_assert!(!passes(&m, &changed.to_string()), "{} passes against {}", v, changed);
        }
        if let Some(dup) = with_duplicate(&v) {
            prop_assert!(!passes(&m, &dup), "{} passes against {}", v, dup);
        }
    }
}
