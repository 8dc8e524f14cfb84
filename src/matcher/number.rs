//! Exact equality of JSON numbers, on their decimal text.
//!
//! Numbers keep the text they had in the JSON (serde_json's
//! `arbitrary_precision`), and two numbers are equal when they denote the
//! same decimal value: `1 == 1.0 == 1e0 == 10e-1`, `-0 == 0`, but
//! `9007199254740993 != 9007199254740992` and `0.1 != 0.10000000000000001`.
//! Nothing is rounded through a double, so an implementation that does is
//! caught. Comparisons (`$gt`, `$lt`, ...) use the same decimal form,
//! so they are exact too.

use std::cmp::Ordering;

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

impl Decimal {
    /// The power of ten of the most significant digit (`120` gives 2,
    /// `0.05` gives -2); `None` for zero or when it does not fit.
    fn magnitude(&self) -> Option<i128> {
        if self.digits.is_empty() {
            return None;
        }
        let len = i128::try_from(self.digits.len()).ok()?;
        self.exponent.checked_add(len - 1)
    }

    /// Orders two decimals by value, exactly.
    fn cmp_value(&self, other: &Decimal) -> Option<Ordering> {
        let sign = |d: &Decimal| match (d.digits.is_empty(), d.negative) {
            (true, _) => 0i8,
            (false, true) => -1,
            (false, false) => 1,
        };
        let (sa, sb) = (sign(self), sign(other));
        if sa != sb || sa == 0 {
            return Some(sa.cmp(&sb));
        }
        // Same sign, both non-zero: compare magnitudes, then digits. With
        // no leading or trailing zeros, digit strings of the same magnitude
        // compare as text (a prefix is the smaller: its rest is zeros).
        let by_abs =
            self.magnitude()?.cmp(&other.magnitude()?).then_with(|| self.digits.as_str().cmp(other.digits.as_str()));
        Some(if sa < 0 { by_abs.reverse() } else { by_abs })
    }
}

/// Orders two JSON numbers by their exact decimal value. `None` when one
/// has an exponent too large to place (beyond 38 digits).
pub fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    let (ta, tb) = (a.to_string(), b.to_string());
    if ta == tb {
        return Some(Ordering::Equal);
    }
    Decimal::parse(&ta)?.cmp_value(&Decimal::parse(&tb)?)
}

/// A number's exact decimal value as (negative, digits, exponent), equal
/// for numbers that [`numbers_equal`] calls equal; `None` when the exponent
/// does not fit (such a number equals only a number with the same text).
pub fn canonical_number(n: &Number) -> Option<(bool, String, i128)> {
    Decimal::parse(&n.to_string()).map(|d| (d.negative, d.digits, d.exponent))
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
    fn comparisons_are_exact() {
        use Ordering::*;
        for (a, b, want) in [
            ("1", "2", Less),
            ("2", "1", Greater),
            ("1", "1.0", Equal),
            ("-0", "0", Equal),
            ("-1", "0", Less),
            ("0", "-0.0001", Greater),
            ("-2", "-1", Less),
            ("9007199254740993", "9007199254740992", Greater),
            ("0.1", "0.10000000000000001", Less),
            ("1e2", "99.999999999999999999", Greater),
            ("12", "1.2e1", Equal),
            ("101", "11e1", Less),
            ("-101", "-11e1", Greater),
            ("18446744073709551617", "18446744073709551616", Greater),
            ("1e-400", "0", Greater),
        ] {
            assert_eq!(compare_numbers(&n(a), &n(b)), Some(want), "{a} vs {b}");
        }
        let huge = n("1e999999999999999999999999999999999999999999");
        assert_eq!(compare_numbers(&huge, &n("1")), None);
        assert_eq!(compare_numbers(&huge, &huge), Some(Equal));
    }

    #[test]
    fn integer_literals() {
        assert!(is_integer_literal(&n("-18446744073709551617")));
        assert!(!is_integer_literal(&n("1.0")));
        assert!(!is_integer_literal(&n("1e3")));
    }
}
