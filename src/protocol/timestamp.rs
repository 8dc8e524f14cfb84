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

/// ISO 8601 text as the contract reads it (one parser: every field in
/// range, the day valid for its month, never a panic on any text).
fn parse_iso8601(s: &str) -> Option<(i64, u32)> {
    let t = crate::contract::timestamp::parse_rfc3339(s)?;
    let days = days_from_civil(i64::from(t.year), i64::from(t.month), i64::from(t.day));
    let secs = days * 86_400 + i64::from(t.hour * 3600 + t.minute * 60 + t.second) - t.offset_seconds;
    Some((secs, t.micros))
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
            // Not a date (the contract's parser, shared): passed on as written.
            (json!("2023-02-31T00:00:00Z"), TimestampFormat::UnixTimestamp, json!("2023-02-31T00:00:00Z")),
            (json!("2024-01-01T00:00:0éZ"), TimestampFormat::UnixTimestamp, json!("2024-01-01T00:00:0éZ")),
            (json!(true), TimestampFormat::Iso8601, json!(true)),
        ];
        for (input, format, want) in cases {
            assert_eq!(format_timestamp(&input, format), want, "{input} as {format:?}");
        }
    }
}
