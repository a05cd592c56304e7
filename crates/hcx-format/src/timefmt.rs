//! Times and durations as hcx writes them: Unix seconds inside codes, RFC 3339 in JSON.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Latest time hcx accepts anywhere (9999-12-31T23:59:59Z), so every time formats as RFC 3339.
pub const MAX_UNIX_TIME: i64 = 253_402_300_799;

/// Formats Unix seconds as RFC 3339 in UTC, e.g. `2026-11-21T08:00:00Z`.
pub fn format_rfc3339(unix: i64) -> String {
    // The calendar comes from `time`; the fixed layout is written here because `time`'s
    // general RFC 3339 formatter was a noticeable part of each bulk verdict (a test checks
    // both agree).
    match OffsetDateTime::from_unix_timestamp(unix.clamp(0, MAX_UNIX_TIME)) {
        Ok(t) => {
            let (year, month, day) = t.to_calendar_date();
            let (h, m, sec) = t.to_hms();
            format!(
                "{year:04}-{:02}-{day:02}T{h:02}:{m:02}:{sec:02}Z",
                u8::from(month)
            )
        }
        Err(_) => unix.to_string(),
    }
}

/// Parses an RFC 3339 date-time (any offset, whole seconds) into Unix seconds.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    let t = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| format!("`{text}` is not an RFC 3339 date-time ({e})"))?;
    if t.nanosecond() != 0 {
        return Err(format!(
            "`{text}` has fractional seconds; use whole seconds"
        ));
    }
    let unix = t.unix_timestamp();
    if !(0..=MAX_UNIX_TIME).contains(&unix) {
        return Err(format!("`{text}` is outside 1970..9999"));
    }
    Ok(unix)
}

/// Parses a duration such as `90s`, `5m`, `24h` or `30d` into seconds.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let err = || format!("`{text}` is not a duration like 90s, 5m, 24h or 30d");
    let unit_at = text.len().checked_sub(1).ok_or_else(err)?;
    let (number, unit) = (text.get(..unit_at).ok_or_else(err)?, text.get(unit_at..));
    let multiplier: u64 = match unit {
        Some("s") => 1,
        Some("m") => 60,
        Some("h") => 3600,
        Some("d") => 86_400,
        _ => return Err(err()),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let n: u64 = number.parse().map_err(|_| err())?;
    n.checked_mul(multiplier)
        .filter(|s| *s <= MAX_UNIX_TIME as u64)
        .ok_or_else(|| format!("`{text}` is too long a duration"))
}

/// Formats seconds as the largest exact unit: `300` → `5m`, `86400` → `1d`.
pub fn format_duration(secs: u64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs >= size && secs.is_multiple_of(size) {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

/// Converts a `SystemTime` to Unix seconds (times before 1970 count as 0).
pub fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Converts Unix seconds to a `SystemTime`.
pub fn system_time(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).unwrap_or(0))
}

/// Serde adapter: Unix seconds in Rust, RFC 3339 text in JSON.
pub mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes Unix seconds as RFC 3339 text.
    pub fn serialize<S: Serializer>(unix: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_rfc3339(*unix))
    }

    /// Reads RFC 3339 text into Unix seconds.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

/// Serde adapter for optional times: Unix seconds in Rust, RFC 3339 text in JSON.
pub mod rfc3339_option {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes optional Unix seconds as RFC 3339 text.
    pub fn serialize<S: Serializer>(unix: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match unix {
            Some(t) => s.serialize_str(&super::format_rfc3339(*t)),
            None => s.serialize_none(),
        }
    }

    /// Reads optional RFC 3339 text into Unix seconds.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => super::parse_rfc3339(&text)
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn formatting_equals_times_rfc3339() {
        let mut t: i64 = 0;
        let mut step: i64 = 1;
        while t <= MAX_UNIX_TIME {
            let want = OffsetDateTime::from_unix_timestamp(t)
                .unwrap()
                .format(&Rfc3339)
                .unwrap();
            assert_eq!(format_rfc3339(t), want, "{t}");
            t += step;
            step = step * 3 / 2 + 7_919;
        }
        for t in [MAX_UNIX_TIME, 951_782_400, 4_107_542_400, 1_795_248_000] {
            let want = OffsetDateTime::from_unix_timestamp(t)
                .unwrap()
                .format(&Rfc3339)
                .unwrap();
            assert_eq!(format_rfc3339(t), want, "{t}");
        }
        assert_eq!(format_rfc3339(-5), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5m").unwrap(), 300);
        assert_eq!(parse_duration("24h").unwrap(), 86_400);
        assert_eq!(parse_duration("30d").unwrap(), 2_592_000);
        assert_eq!(parse_duration("90s").unwrap(), 90);
        for bad in [
            "",
            "m",
            "5",
            "5x",
            "-5m",
            "5 m",
            "99999999999999999999d",
            "1.5h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(300), "5m");
        assert_eq!(format_duration(86_400), "1d");
        assert_eq!(format_duration(61), "61s");
    }

    #[test]
    fn rfc3339_round_trip() {
        let t = parse_rfc3339("2026-11-21T16:00:00+08:00").unwrap();
        assert_eq!(format_rfc3339(t), "2026-11-21T08:00:00Z");
        assert!(parse_rfc3339("2026-11-21T08:00:00.5Z").is_err());
        assert!(parse_rfc3339("yesterday").is_err());
    }
}
