//! The rotation history: one record per attempt, kept in storage.local, holding no secret.
//! A key appears only as a fingerprint of its last four characters, which identifies it
//! among a user's keys without revealing it.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::csv;
use crate::http::Text;
use crate::input::display_snippet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// Milliseconds since the epoch.
    pub at: u64,
    /// "Treasure" or "Databrain".
    pub service: String,
    /// The region, or the Databrain API origin.
    pub place: String,
    /// The data model (OID and name) or the data app key acted on.
    pub target: String,
    /// "success", an error code, or OUTCOME_UNKNOWN.
    pub outcome: String,
    /// `…1234`: the last four characters of the key used or issued.
    pub fingerprint: String,
}

/// `…` and the last four characters of a normalised key, or `-` for anything too short to
/// fingerprint without giving most of it away.
pub fn fingerprint(key: &str) -> String {
    let key = key.trim();
    let key = key.rsplit(char::is_whitespace).next().unwrap_or(key); // drop a "TD1 " or "Bearer " prefix
    if key.chars().count() < 16 {
        return "-".to_string();
    }
    let tail: String = key.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}

impl HistoryEntry {
    pub fn new(at: u64, service: &str, place: &str, target: &str, outcome: &str, key: &str) -> HistoryEntry {
        HistoryEntry {
            at,
            service: display_snippet(service, 20),
            place: display_snippet(place, 120),
            target: display_snippet(target, 200),
            outcome: display_snippet(outcome, 60),
            fingerprint: fingerprint(key),
        }
    }
}

/// A stored record as read back: written by this core, but kept in storage.local across
/// versions, so every text field is optional.
#[derive(Deserialize)]
struct StoredEntry {
    at: u64,
    #[serde(default)]
    service: Text,
    #[serde(default)]
    place: Text,
    #[serde(default)]
    target: Text,
    #[serde(default)]
    outcome: Text,
    #[serde(default)]
    fingerprint: Text,
}

impl HistoryEntry {
    /// Reads back the stored history (a JSON array of entries); records that are not
    /// entries are skipped, missing text fields read as empty.
    pub fn list_from_json(json: &str) -> Vec<HistoryEntry> {
        let Ok(items) = serde_json::from_str::<Vec<Box<RawValue>>>(json) else { return Vec::new() };
        items
            .iter()
            .filter_map(|item| {
                let entry: StoredEntry = serde_json::from_str(item.get()).ok()?;
                let text = |field: Text| field.0.unwrap_or_default();
                Some(HistoryEntry {
                    at: entry.at,
                    service: text(entry.service),
                    place: text(entry.place),
                    target: text(entry.target),
                    outcome: text(entry.outcome),
                    fingerprint: text(entry.fingerprint),
                })
            })
            .collect()
    }
}

/// The history as CSV, newest first as given: time (ISO 8601 UTC), service, place, target,
/// outcome, key fingerprint.
pub fn history_csv(entries: &[HistoryEntry]) -> String {
    let mut out = String::from("time,service,place,target,outcome,key\r\n");
    for entry in entries {
        let time = iso8601(entry.at);
        let fields = [time.as_str(), &entry.service, &entry.place, &entry.target, &entry.outcome, &entry.fingerprint];
        csv::push_row(&mut out, &fields);
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SSZ` for milliseconds since the epoch (civil-from-days, proleptic
/// Gregorian), so the export needs no date library.
pub fn iso8601(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_show_four_characters_only() {
        assert_eq!(fingerprint("4242/0123456789abcdef0123456789abcdef01234567"), "…4567");
        assert_eq!(fingerprint("TD1 4242/0123456789abcdef0123456789abcdef01234567\n"), "…4567");
        assert_eq!(fingerprint("Bearer 550e8400-e29b-41d4-a716-446655440000"), "…0000");
        assert_eq!(fingerprint("short"), "-");
        assert_eq!(fingerprint(""), "-");
    }

    #[test]
    fn csv_has_no_key_and_iso_times() {
        let key = "4242/0123456789abcdef0123456789abcdef01234567";
        let entry = HistoryEntry::new(1_795_600_000_000, "Treasure", "US", "93d34997 (sales)", "success", key);
        let csv = history_csv(&[entry]);
        assert_eq!(csv, "time,service,place,target,outcome,key\r\n2026-11-25T09:46:40Z,Treasure,US,93d34997 (sales),success,…4567\r\n");
        assert!(!csv.contains("0123456789abcdef"));
    }

    #[test]
    fn reads_the_stored_history_back() {
        let entry = HistoryEntry::new(1_000, "Treasure", "US", "oid", "success", "4242/0123456789abcdef0123");
        let json = serde_json::to_string(std::slice::from_ref(&entry)).unwrap();
        assert_eq!(HistoryEntry::list_from_json(&json), [entry]);
        assert_eq!(HistoryEntry::list_from_json(r#"[{"service":"no time"}, 3]"#), []);
        assert_eq!(HistoryEntry::list_from_json("not json"), []);
    }

    #[test]
    fn iso8601_matches_known_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(4_102_444_799_000), "2099-12-31T23:59:59Z");
    }
}
