//! Exact equality of JSON numbers, on their decimal text.
//!
//! Numbers keep the text they had in the JSON (serde_json's
//! `arbitrary_precision`), and two numbers are equal when they denote the
//! same decimal value: `1 == 1.0 == 1e0 == 10e-1`, `-0 == 0`, but
//! `9007199254740993 != 9007199254740992` and `0.1 != 0.10000000000000001`.
//! Nothing is rounded through a double, so an implementation that does is
//! caught.

use serde_json::Number;

/// A decimal in normal form: `sign * digits * 10^exponent`, with `digits`
/// free of leading and trailing zeros (empty for zero, whose sign is dropped).
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: String,
    exponent: i128,
}

impl Decimal {
    /// Parses JSON number text (`-12.50e+3`). `None` for anything else.
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, text),
        };
        let (mantissa, exp_text) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut digits: String = format!("{int}{frac}").trim_start_matches('0').to_owned();
        let trailing = digits.len() - digits.trim_end_matches('0').len();
        digits.truncate(digits.len() - trailing);
        if digits.is_empty() {
            return Some(Decimal { negative: false, digits, exponent: 0 });
        }
        let shift = trailing as i128 - frac.len() as i128;
        // An exponent beyond i128 (over 38 digits) is not parsed: such a
        // number equals only a number with the same text.
        let exponent = match exp_text {
            None => shift,
            Some(e) => e.strip_prefix('+').unwrap_or(e).parse::<i128>().ok()?.checked_add(shift)?,
        };
        Some(Decimal { negative, digits, exponent })
    }
}

/// Whether two JSON numbers denote the same decimal value.
pub fn numbers_equal(a: &Number, b: &Number) -> bool {
    let (ta, tb) = (a.to_string(), b.to_string());
    if ta == tb {
        return true;
    }
    match (Decimal::parse(&ta), Decimal::parse(&tb)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Whether a JSON number is written as an integer (no fraction, no
/// exponent), whatever its size.
pub fn is_integer_literal(n: &Number) -> bool {
    let t = n.to_string();
    let digits = t.strip_prefix('-').unwrap_or(&t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number {
        serde_json::from_str(text).expect("a JSON number")
    }

    #[test]
    fn equal_values_in_every_spelling() {
        for (a, b) in [("1", "1.0"), ("1", "1e0"), ("1", "10e-1"), ("-0", "0"), ("0.0", "0e5"), ("120", "1.2E+2")] {
            assert!(numbers_equal(&n(a), &n(b)), "{a} == {b}");
        }
    }

    #[test]
    fn integers_past_two_to_the_53_and_64_are_exact() {
        for (a, b) in [
            ("9007199254740993", "9007199254740992"),
            ("9223372036854775806", "9223372036854775807"),
            ("18446744073709551616", "18446744073709551617"),
            ("0.1", "0.10000000000000001"),
            ("-1", "1"),
        ] {
            assert!(!numbers_equal(&n(a), &n(b)), "{a} != {b}");
        }
    }

    #[test]
    fn huge_exponents_compare_without_overflow() {
        let big = "1e999999999999999999999999999999999999999999";
        assert!(numbers_equal(&n(big), &n(big)));
        assert!(!numbers_equal(&n(big), &n("1e999999999999999999999999999999999999999998")));
        assert!(numbers_equal(
            &n("1e170141183460469231731687303715884105727"),
            &n("10e170141183460469231731687303715884105726")
        ));
    }

    #[test]
    fn integer_literals() {
        assert!(is_integer_literal(&n("-18446744073709551617")));
        assert!(!is_integer_literal(&n("1.0")));
        assert!(!is_integer_literal(&n("1e3")));
    }
}
