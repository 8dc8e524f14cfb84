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

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
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
fn valid_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 8
        && b[2] == b':'
        && b[5] == b':'
        && digits(&t[0..2]).is_some_and(|h| h < 24)
        && digits(&t[3..5]).is_some_and(|m| m < 60)
        && digits(&t[6..8]).is_some_and(|s| s <= 60)
}

/// An RFC 3339 date-time.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (digits(&s[0..4]), digits(&s[5..7]), digits(&s[8..10])) else {
        return false;
    };
    if !valid_date(year, month, day) || !valid_time(&s[11..19]) {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        "Z" | "z" => true,
        offset => {
            let o = offset.as_bytes();
            o.len() == 6
                && matches!(o[0], b'+' | b'-')
                && o[3] == b':'
                && digits(&offset[1..3]).is_some_and(|h| h < 24)
                && digits(&offset[4..6]).is_some_and(|m| m < 60)
        }
    }
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// An HTTP date in the IMF-fixdate form: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn is_http_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split(' ').collect();
    let [wd, day, mon, year, time, "GMT"] = parts.as_slice() else { return false };
    let Some(wd) = wd.strip_suffix(',').and_then(|w| WEEKDAYS.iter().position(|x| x == &w)) else { return false };
    let Some(month) = MONTHS.iter().position(|m| m == mon).map(|i| i as u32 + 1) else { return false };
    let (Some(d), Some(y)) = (digits(day).filter(|_| day.len() == 2), digits(year).filter(|_| year.len() == 4)) else {
        return false;
    };
    valid_date(y, month, d) && valid_time(time) && weekday(i64::from(y), i64::from(month), i64::from(d)) == wd
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
