//! Timestamps on the wire: the three formats of the AWS protocols, from an
//! input given as epoch seconds or as an ISO 8601 string.

use serde_json::Value;

use crate::civil::{civil_from_days, days_from_civil};

/// A model's `timestampFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    /// `iso8601`: `2019-01-08T21:58:56Z`.
    Iso8601,
    /// `rfc822`: `Tue, 08 Jan 2019 21:58:56 GMT` (an HTTP date).
    Rfc822,
    /// `unixTimestamp`: seconds since 1970 as a JSON number.
    UnixTimestamp,
}

impl TimestampFormat {
    /// The format a model names, if it is one of the three.
    pub fn parse(name: &str) -> Option<TimestampFormat> {
        match name {
            "iso8601" => Some(TimestampFormat::Iso8601),
            "rfc822" => Some(TimestampFormat::Rfc822),
            "unixTimestamp" => Some(TimestampFormat::UnixTimestamp),
            _ => None,
        }
    }
}

/// Reads an input timestamp: epoch seconds (a number) or ISO 8601 text
/// (`2019-01-08T21:58:56Z`, with optional fraction and `+hh:mm` offset).
/// Returns whole seconds and microseconds.
fn read(v: &Value) -> Option<(i64, u32)> {
    match v {
        Value::Number(n) => {
            let f = n.as_f64()?;
            if !f.is_finite() || f.abs() > 1e13 {
                return None;
            }
            let secs = f.floor();
            Some((secs as i64, ((f - secs) * 1e6).round().min(999_999.0) as u32))
        }
        Value::String(s) => parse_iso8601(s),
        _ => None,
    }
}

fn parse_iso8601(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b't') || b[13] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut micros = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return None;
        }
        let six: String = digits.chars().chain(std::iter::repeat('0')).take(6).collect();
        micros = six.parse().ok()?;
        rest = &frac[digits.len()..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, om) = rest[1..].split_once(':')?;
            if oh.len() != 2 || om.len() != 2 {
                return None;
            }
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60)
        }
    };
    Some((days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset, micros))
}

/// Formats an input timestamp as `format` wants it on the wire. A value
/// that is not a timestamp (a `{{template}}`, a deliberate wrong value) is
/// returned unchanged.
pub fn format_timestamp(v: &Value, format: TimestampFormat) -> Value {
    let Some((secs, micros)) = read(v) else { return v.clone() };
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    let (h, mi, se) = (t / 3600, t % 3600 / 60, t % 60);
    match format {
        TimestampFormat::UnixTimestamp => {
            if micros == 0 {
                Value::from(secs)
            } else {
                serde_json::Number::from_f64(secs as f64 + f64::from(micros) / 1e6)
                    .map_or(Value::from(secs), Value::Number)
            }
        }
        TimestampFormat::Iso8601 if micros > 0 => {
            Value::String(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}.{micros:06}Z"))
        }
        TimestampFormat::Iso8601 => Value::String(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}Z")),
        TimestampFormat::Rfc822 => {
            const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
            const MONTHS: [&str; 12] =
                ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
            let day = DAYS[secs.div_euclid(86_400).rem_euclid(7) as usize];
            let month = MONTHS[(mo - 1).clamp(0, 11) as usize];
            Value::String(format!("{day}, {d:02} {month} {y:04} {h:02}:{mi:02}:{se:02} GMT"))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn timestamps_convert_between_the_three_wire_formats() {
        let cases = [
            (json!(1546984736), TimestampFormat::Iso8601, json!("2019-01-08T21:58:56Z")),
            (json!(1546984736), TimestampFormat::Rfc822, json!("Tue, 08 Jan 2019 21:58:56 GMT")),
            (json!("2019-01-08T21:58:56Z"), TimestampFormat::UnixTimestamp, json!(1546984736)),
            (json!("2019-01-08T22:58:56+01:00"), TimestampFormat::UnixTimestamp, json!(1546984736)),
            (json!("2019-01-08T21:58:56.5Z"), TimestampFormat::UnixTimestamp, json!(1546984736.5)),
            (json!(1546984736.25), TimestampFormat::Iso8601, json!("2019-01-08T21:58:56.250000Z")),
            (json!("2000-02-29T00:00:00Z"), TimestampFormat::Rfc822, json!("Tue, 29 Feb 2000 00:00:00 GMT")),
            (json!("{{when}}"), TimestampFormat::UnixTimestamp, json!("{{when}}")),
            (json!("yesterday"), TimestampFormat::Iso8601, json!("yesterday")),
            (json!(true), TimestampFormat::Iso8601, json!(true)),
        ];
        for (input, format, want) in cases {
            assert_eq!(format_timestamp(&input, format), want, "{input} as {format:?}");
        }
    }
}
