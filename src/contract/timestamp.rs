//! Timestamps as the AWS JSON protocols carry them, checked for real.
//!
//! A member's `timestampFormat` (on the member, else on its shape) decides;
//! without one, rest-json and json bodies carry epoch seconds as a number.
//!
//! - `epoch-seconds`: a JSON number (fractions allowed).
//! - `iso8601`: an RFC 3339 date-time, `2024-02-29T12:30:00Z`, with
//!   optional fractional seconds and a `Z` or `±hh:mm` offset; every field
//!   in range, the day valid for its month and year.
//! - `rfc822`: an HTTP date (IMF-fixdate), `Thu, 29 Feb 2024 12:30:00 GMT`,
//!   whose weekday is the date's.

use serde_json::Value;

use crate::civil::weekday;

/// The name of the format, for messages.
pub fn format_name(format: Option<&str>) -> &str {
    format.unwrap_or("epoch-seconds")
}

/// Whether `v` is a timestamp in `format` (`None`: the protocol default).
pub fn is_valid(format: Option<&str>, v: &Value) -> bool {
    match format {
        Some("iso8601") => v.as_str().is_some_and(is_rfc3339),
        Some("rfc822") => v.as_str().is_some_and(is_http_date),
        _ => v.is_number(),
    }
}

/// The value of `b[range]` as decimal digits; `None` when a byte is no
/// digit or the range is outside `b`. Bytes, never `&str` slices: a
/// multi-byte character can sit anywhere in a value an endpoint sends.
fn digits(b: &[u8], range: std::ops::Range<usize>) -> Option<u32> {
    let part = b.get(range)?;
    (!part.is_empty() && part.len() <= 9 && part.iter().all(u8::is_ascii_digit))
        .then(|| part.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn valid_date(year: u32, month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

/// `hh:mm:ss` with hours 0–23, minutes 0–59, seconds 0–60 (a leap second).
fn parse_time(b: &[u8]) -> Option<(u32, u32, u32)> {
    if b.len() != 8 || b.get(2) != Some(&b':') || b.get(5) != Some(&b':') {
        return None;
    }
    let (h, m, s) = (digits(b, 0..2)?, digits(b, 3..5)?, digits(b, 6..8)?);
    (h < 24 && m < 60 && s <= 60).then_some((h, m, s))
}

/// An RFC 3339 date-time, every field in range (the day valid for its
/// month and year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// Year, 0–9999.
    pub year: u32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month.
    pub day: u32,
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute, 0–59.
    pub minute: u32,
    /// Second, 0–60.
    pub second: u32,
    /// Microseconds: the fraction's first six digits (the rest dropped).
    pub micros: u32,
    /// The offset east of UTC, in seconds (`+01:00` is 3600).
    pub offset_seconds: i64,
}

/// Parses an RFC 3339 date-time: `2024-02-29T12:30:00Z`, optional
/// fractional seconds, a `Z` or `±hh:mm` offset. `None` for anything else.
pub fn parse_rfc3339(s: &str) -> Option<DateTime> {
    let b = s.as_bytes();
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't')) {
        return None;
    }
    let (year, month, day) = (digits(b, 0..4)?, digits(b, 5..7)?, digits(b, 8..10)?);
    let (hour, minute, second) = parse_time(b.get(11..19)?)?;
    if !valid_date(year, month, day) {
        return None;
    }
    let mut rest = b.get(19..)?;
    let mut micros = 0;
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        micros = frac
            .iter()
            .take(6)
            .chain(std::iter::repeat(&b'0'))
            .take(6)
            .fold(0u32, |m, d| m * 10 + if d.is_ascii_digit() { u32::from(d - b'0') } else { 0 });
        rest = frac.get(n..)?;
    }
    let offset_seconds = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (digits(rest, 1..3)?, digits(rest, 4..6)?);
            if h >= 24 || m >= 60 {
                return None;
            }
            let secs = i64::from(h * 3600 + m * 60);
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    Some(DateTime { year, month, day, hour, minute, second, micros, offset_seconds })
}

/// An RFC 3339 date-time.
pub fn is_rfc3339(s: &str) -> bool {
    parse_rfc3339(s).is_some()
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// An HTTP date in the IMF-fixdate form: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn is_http_date(s: &str) -> bool {
    parse_http_date(s).is_some()
}

/// An HTTP date in the IMF-fixdate form, as seconds since 1970.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split(' ').collect();
    let [wd, day, mon, year, time, "GMT"] = parts.as_slice() else { return None };
    let wd = wd.strip_suffix(',').and_then(|w| WEEKDAYS.iter().position(|x| x == &w))?;
    let month = MONTHS.iter().position(|m| m == mon).map(|i| i as u32 + 1)?;
    let d = digits(day.as_bytes(), 0..2).filter(|_| day.len() == 2)?;
    let y = digits(year.as_bytes(), 0..4).filter(|_| year.len() == 4)?;
    let (h, mi, se) = parse_time(time.as_bytes())?;
    if !valid_date(y, month, d) || weekday(i64::from(y), i64::from(month), i64::from(d)) != wd {
        return None;
    }
    let days = crate::civil::days_from_civil(i64::from(y), i64::from(month), i64::from(d));
    Some(days * 86_400 + i64::from(h * 3600 + mi * 60 + se))
}

/// A timestamp in any of the AWS wire formats, as the SDKs' parsers read
/// one: epoch seconds (`1398796238`, `1398796238.123`, `1.398796238E9`),
/// RFC 3339, or an HTTP date. Seconds since 1970 and nanoseconds.
pub fn parse_any(s: &str) -> Option<(i64, u32)> {
    if let Some(t) = parse_rfc3339(s) {
        let days = crate::civil::days_from_civil(i64::from(t.year), i64::from(t.month), i64::from(t.day));
        let secs = days * 86_400 + i64::from(t.hour * 3600 + t.minute * 60 + t.second) - t.offset_seconds;
        return Some((secs, t.micros * 1000));
    }
    if let Some(secs) = parse_http_date(s) {
        return Some((secs, 0));
    }
    epoch_seconds(s)
}

/// Epoch seconds as a decimal text, exactly to the nanosecond when written
/// plainly; an exponent goes through a double.
pub fn epoch_seconds(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    let (neg, digits_part) = match b.first()? {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = digits_part.split_once('.').unwrap_or((digits_part, ""));
    let plain = !int.is_empty()
        && int.len() <= 15
        && int.bytes().all(|c| c.is_ascii_digit())
        && frac.bytes().all(|c| c.is_ascii_digit());
    if plain {
        let whole: i64 = int.parse().ok()?;
        let nanos =
            frac.bytes().take(9).chain(std::iter::repeat(b'0')).take(9).fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        return Some(match (neg, nanos) {
            (false, _) => (whole, nanos),
            (true, 0) => (-whole, 0),
            (true, n) => (-whole - 1, 1_000_000_000 - n),
        });
    }
    let f: f64 = s.parse().ok()?;
    if !f.is_finite() || f.abs() > 1e15 {
        return None;
    }
    let secs = f.floor();
    Some((secs as i64, ((f - secs) * 1e9).round().min(999_999_999.0) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn iso8601_is_parsed_for_real() {
        for ok in
            ["2024-02-29T12:30:00Z", "2019-12-16T23:48:18.123Z", "1985-04-12T23:20:50.52+01:00", "2016-12-31T23:59:60Z"]
        {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2024-not-a-date!!",
            "2023-02-29T12:30:00Z",
            "2024-13-01T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00+0100",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn text_of_any_characters_is_parsed_without_panicking() {
        // A multi-byte character where a digit belongs: once a panic on a
        // byte slice through it (`&s[11..19]`).
        for bad in [
            "2024-01-01T00:00:0éZ",
            "2024-01-01T00:00:00é",
            "2024-01-01T00:0é:00Z",
            "2024-01-01Té0:00:00Z",
            "2024-01-01T00:00:00.1é",
            "2024-01-01T00:00:00+0é:00",
            "é024-01-01T00:00:00Z",
            "2024-01-01T00:00:00+01:0é",
            "2024-01-0€T00:00:00Z",
            "",
            "2024-01-01T",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
        assert!(!is_http_date("Sun, 06 Nov 1994 08:49:3é GMT"));
        assert!(!is_http_date("Sun, 0é Nov 1994 08:49:37 GMT"));
        let t = parse_rfc3339("1985-04-12T23:20:50.5212345-01:30").expect("parses");
        assert_eq!((t.year, t.month, t.day, t.hour, t.minute, t.second), (1985, 4, 12, 23, 20, 50));
        assert_eq!((t.micros, t.offset_seconds), (521_234, -5400));
    }

    #[test]
    fn http_dates_are_parsed_with_their_weekday() {
        assert!(is_http_date("Sun, 06 Nov 1994 08:49:37 GMT"));
        assert!(is_http_date("Thu, 29 Feb 2024 12:30:00 GMT"));
        for bad in [
            "Mon, 06 Nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Thu, 29 Feb 2023 12:30:00 GMT",
            "2024-not-a-date!!",
        ] {
            assert!(!is_http_date(bad), "{bad}");
        }
    }

    #[test]
    fn the_default_is_epoch_seconds_as_a_number() {
        assert!(is_valid(None, &json!(1_700_000_000)));
        assert!(is_valid(None, &json!(1_700_000_000.5)));
        assert!(!is_valid(None, &json!("2024-not-a-date!!")));
        assert!(!is_valid(None, &json!("1700000000")));
        assert!(!is_valid(Some("iso8601"), &json!(1_700_000_000)));
    }
}
