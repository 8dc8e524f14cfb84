//! Civil dates of the proleptic Gregorian calendar, without a date-time
//! dependency: the day number of a date and the date of a day number
//! (Howard Hinnant's algorithms), for the double's clock, the protocol's
//! timestamps and the contract's timestamp checks; and the two forms SigV4
//! writes on the wire, shared by the runner that signs and the double that
//! verifies: `x-amz-date` and lowercase hex digests.

use std::time::SystemTime;

/// Days since 1970-01-01 of a civil date (month 1 to 12).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day number (the inverse of
/// [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The weekday of a civil date, 0 for Sunday.
pub fn weekday(y: i64, m: i64, d: i64) -> usize {
    // 1970-01-01 was a Thursday.
    (days_from_civil(y, m, d) + 4).rem_euclid(7) as usize
}

/// SigV4's basic format, `20190108T215856Z`, in UTC; `None` before 1970.
pub fn amz_date(t: SystemTime) -> Option<String> {
    let secs = i64::try_from(t.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs()).ok()?;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    Some(format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", s / 3600, s % 3600 / 60, s % 60))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_are_utc_calendar_dates() {
        use std::time::Duration;
        let at = |s: u64| amz_date(SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0).as_deref(), Some("19700101T000000Z"));
        assert_eq!(at(951_782_400).as_deref(), Some("20000229T000000Z"));
        assert_eq!(at(4_102_444_799).as_deref(), Some("20991231T235959Z"));
        assert_eq!(amz_date(SystemTime::UNIX_EPOCH - Duration::from_secs(1)), None);
        assert_eq!(hex(&[0x00, 0x9f, 0xff]), "009fff");
    }

    #[test]
    fn day_numbers_round_trip_and_weekdays_are_right() {
        for z in [-800_000, -1, 0, 1, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        assert_eq!(weekday(1994, 11, 6), 0);
        assert_eq!(weekday(2024, 2, 29), 4);
    }
}
