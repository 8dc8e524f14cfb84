//! Civil-time helpers: ISO 8601 timestamps for responses and parsing of
//! SigV4's `x-amz-date`, without a date-time dependency.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::civil::{civil_from_days, days_from_civil};

/// `2019-01-08T21:58:56Z` for a point in time.
pub fn iso8601(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s % 3600 / 60, s % 60)
}

/// Parses SigV4's basic format `20190108T215856Z`.
pub fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, se) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se;
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_round_trip() {
        let t = parse_amz_date("20190108T215856Z").unwrap();
        assert_eq!(iso8601(t), "2019-01-08T21:58:56Z");
        assert_eq!(iso8601(parse_amz_date("20240229T000000Z").unwrap()), "2024-02-29T00:00:00Z");
        for t in ["19700101T000000Z", "20000229T000000Z", "20991231T235959Z", "20190108T215856Z"] {
            assert_eq!(parse_amz_date(t).and_then(crate::civil::amz_date).as_deref(), Some(t));
        }
        for bad in ["2019-01-08T21:58:56Z", "20191308T215856Z", "20190108T215856", "2019010xT215856Z", ""] {
            assert!(parse_amz_date(bad).is_none(), "{bad}");
        }
    }
}
