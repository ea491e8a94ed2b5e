//! Timestamps in the services' answers, which the documents call ISO 8601.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Milliseconds since the epoch of an RFC 3339 timestamp (the ISO 8601 profile Databrain's
/// `createdAt` and Treasure's build times take); `None` for anything else.
pub fn timestamp_ms(text: &str) -> Option<u64> {
    let time = OffsetDateTime::parse(text.trim(), &Rfc3339).ok()?;
    u64::try_from(time.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_times() {
        assert_eq!(timestamp_ms("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(timestamp_ms("2026-11-25T09:46:40.123Z"), Some(1_795_600_000_123));
        assert_eq!(timestamp_ms("2026-11-25T18:46:40+09:00"), Some(1_795_600_000_000));
        for unreadable in
            ["", "yesterday", "2026-11-25", "1795600000000", "2026-13-01T00:00:00Z", "1960-01-01T00:00:00Z"]
        {
            assert_eq!(timestamp_ms(unreadable), None, "{unreadable}");
        }
    }
}
