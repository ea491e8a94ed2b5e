//! The rotation history: one record per attempt, kept in storage.local, holding no secret.
//! A key appears only as a fingerprint of its last four characters, which identifies it
//! among a user's keys without revealing it.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::csv;
use crate::http::Text;
use crate::input::display_snippet;
use crate::treasure::console_url::Oid;
use crate::treasure::region::Region;
use crate::treasure::workflow::ProjectId;

/// One attempt, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
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
    /// `…1234`: the last four characters of the key used (rotated, or created).
    pub fingerprint: String,
    /// The fingerprint of the key the attempt issued, when it issued one (a rotation, or a
    /// key recovered after a lost answer); empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))] // left out when empty
    pub issued: String,
    /// A Treasure data model's record: the region's id, the OID and, once Treasure confirmed
    /// it, the name. What reminders count by: `target` is display text, never read back.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub data_model: Option<DataModelRef>,
}

/// Which data model (or Treasure Workflow project) a record is about, as structured fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct DataModelRef {
    /// The region's id (`us`, `eu01`, `ap02`, `tokyo`).
    pub region: String,
    /// The OID (empty for a workflow project).
    pub oid: String,
    /// The data model's or project's name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `workflow_project` for a project's `td.apikey`; absent for a data model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The workflow project's id (digits), for a project.
    #[serde(default, rename = "projectId", skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
}

/// The `service` of Databrain records.
pub const DATABRAIN_SERVICE: &str = "Databrain";
/// The `service` of Treasure records.
pub const TREASURE_SERVICE: &str = "Treasure";

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

/// A Treasure record's name, capped, and its display target: `subject`, then the name in
/// brackets when known.
fn shown_target(subject: &str, name: Option<&str>) -> (Option<String>, String) {
    let name = name.map(|name| display_snippet(name, 200));
    let target = match &name {
        Some(name) => format!("{subject} ({name})"),
        None => subject.to_string(),
    };
    (name, target)
}

impl HistoryEntry {
    /// A record made now: `key` is reduced to its fingerprint here.
    pub fn new(at: u64, service: &str, place: &str, target: &str, outcome: &str, key: &str) -> HistoryEntry {
        HistoryEntry {
            at,
            service: display_snippet(service, 20),
            place: display_snippet(place, 120),
            target: display_snippet(target, 200),
            outcome: display_snippet(outcome, 60),
            fingerprint: fingerprint(key),
            issued: String::new(),
            data_model: None,
        }
    }

    /// A data model's record: `place` is the region's name and `target` the OID and name,
    /// for display; the region id, OID and name are kept as fields of their own.
    pub fn data_model(
        at: u64,
        region: Region,
        oid: &Oid,
        name: Option<&str>,
        outcome: &str,
        key: &str,
    ) -> HistoryEntry {
        let (name, target) = shown_target(oid.as_str(), name);
        HistoryEntry {
            data_model: Some(DataModelRef {
                region: region.info().id.to_string(),
                oid: oid.as_str().to_string(),
                name,
                kind: None,
                project_id: None,
            }),
            ..HistoryEntry::new(at, TREASURE_SERVICE, region.label(), &target, outcome, key)
        }
    }

    /// A record for one setting of a Treasure Workflow project's `td.apikey` (a bulk run's
    /// project row): like a data model's, with the project's id and kind; `key` is reduced
    /// to its fingerprint.
    pub fn workflow_project(
        at: u64,
        region: Region,
        id: ProjectId,
        name: Option<&str>,
        outcome: &str,
        key: &str,
    ) -> HistoryEntry {
        let (name, target) = shown_target(&format!("workflow project {id}"), name);
        HistoryEntry {
            data_model: Some(DataModelRef {
                region: region.info().id.to_string(),
                oid: String::new(),
                name,
                kind: Some(crate::treasure::table::KIND_WORKFLOW_PROJECT.to_string()),
                project_id: Some(id.to_string()),
            }),
            ..HistoryEntry::new(at, TREASURE_SERVICE, region.label(), &target, outcome, key)
        }
    }

    /// The record with the fingerprint of the key it issued (`""`: none).
    pub fn with_issued(self, issued_key: &str) -> HistoryEntry {
        let issued = if issued_key.is_empty() { String::new() } else { fingerprint(issued_key) };
        HistoryEntry { issued, ..self }
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
    #[serde(default)]
    issued: Text,
    #[serde(default)]
    region: Text,
    #[serde(default)]
    oid: Text,
    #[serde(default)]
    name: Text,
    #[serde(default, rename = "projectId")]
    project_id: Text,
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
                // Structured fields are read only when they still name a region and an OID
                // (or a workflow project's id).
                let region = entry.region.0.as_deref().and_then(Region::from_id);
                let name = entry.name.0.map(|name| display_snippet(&name, 200));
                let project = entry.project_id.0.as_deref().map(ProjectId::parse);
                let data_model = match (region, entry.oid.0.as_deref().map(Oid::parse), project) {
                    (Some(region), _, Some(Ok(id))) => Some(DataModelRef {
                        region: region.info().id.to_string(),
                        oid: String::new(),
                        name,
                        kind: Some(crate::treasure::table::KIND_WORKFLOW_PROJECT.to_string()),
                        project_id: Some(id.to_string()),
                    }),
                    (Some(region), Some(Ok(oid)), None) => Some(DataModelRef {
                        region: region.info().id.to_string(),
                        oid: oid.as_str().to_string(),
                        name,
                        kind: None,
                        project_id: None,
                    }),
                    _ => None,
                };
                Some(HistoryEntry {
                    at: entry.at,
                    service: text(entry.service),
                    place: text(entry.place),
                    target: text(entry.target),
                    outcome: text(entry.outcome),
                    fingerprint: text(entry.fingerprint),
                    issued: text(entry.issued),
                    data_model,
                })
            })
            .collect()
    }
}

/// What an attempt's outcome amounts to, for filtering the history: `success`, `failed`,
/// `unknown` (the request went out and its effect is not known) or `recovered` (it took
/// effect and its lost key was recovered afterwards).
pub fn outcome_kind(outcome: &str) -> &'static str {
    match outcome {
        "success" => "success",
        crate::databrain::recovery::OUTCOME_UNKNOWN => "unknown",
        crate::databrain::recovery::RECOVERED => "recovered",
        _ => "failed",
    }
}

/// The history as CSV, newest first as given: time (ISO 8601 UTC), service, place, target,
/// outcome, key fingerprint, and (appended later, so older readers keep their columns) the
/// fingerprint of the key issued.
pub fn history_csv(entries: &[HistoryEntry]) -> String {
    let mut out = String::from("time,service,place,target,outcome,key,new key\r\n");
    for entry in entries {
        let time = iso8601(entry.at);
        let fields = [
            time.as_str(),
            &entry.service,
            &entry.place,
            &entry.target,
            &entry.outcome,
            &entry.fingerprint,
            &entry.issued,
        ];
        csv::push_row(&mut out, &fields);
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, whole seconds, UTC) for milliseconds since the epoch;
/// empty for a time no calendar year of four digits holds.
pub fn iso8601(ms: u64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    i64::try_from(ms / 1000)
        .ok()
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .and_then(|at| at.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod workflow_tests {
    use super::*;

    #[test]
    fn a_project_record_keeps_its_kind_id_and_name_and_reads_back() {
        let id = ProjectId::parse("101").unwrap();
        let key = "1234/0123456789abcdef0123456789abcdef0123cafe";
        let entry = HistoryEntry::workflow_project(7, Region::Eu01, id, Some("eu_etl"), "success", key);
        assert_eq!((entry.place.as_str(), entry.target.as_str()), ("EU01", "workflow project 101 (eu_etl)"));
        assert_eq!(entry.fingerprint, "…cafe");
        let json = serde_json::to_string(&[&entry]).unwrap();
        assert!(json.contains(r#""kind":"workflow_project""#) && json.contains(r#""projectId":"101""#), "{json}");
        assert!(!json.contains("0123456789abcdef"), "never the key: {json}");
        let back = HistoryEntry::list_from_json(&json);
        assert_eq!(back, [entry]);
        // A stored project id that no longer parses keeps no structured fields.
        let tampered = json.replace(r#""projectId":"101""#, r#""projectId":"../1""#);
        assert_eq!(HistoryEntry::list_from_json(&tampered)[0].data_model, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_model_record_keeps_its_region_oid_and_name_as_fields_and_reads_them_back() {
        let oid = Oid::parse("93d34997-1b2c-4d5e-8f90-000000000001").unwrap();
        let entry =
            HistoryEntry::data_model(5, Region::Eu01, &oid, Some("sales"), "success", "1234/abcdefabcdefabcdef1234");
        assert_eq!((entry.service.as_str(), entry.place.as_str()), ("Treasure", "EU01"));
        assert_eq!(entry.target, format!("{} (sales)", oid.as_str()));
        let json = serde_json::to_string(&[&entry]).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            (value[0]["region"].as_str(), value[0]["oid"].as_str(), value[0]["name"].as_str()),
            (Some("eu01"), Some(oid.as_str()), Some("sales"))
        );
        assert_eq!(HistoryEntry::list_from_json(&json), std::slice::from_ref(&entry));
        // Fields that no longer name a region or an OID are not read as a data model.
        let tampered = json.replace("\"eu01\"", "\"mars\"");
        assert_eq!(HistoryEntry::list_from_json(&tampered)[0].data_model, None);
        let unnamed = HistoryEntry::data_model(5, Region::Us, &oid, None, "NOT_FOUND", "");
        assert_eq!((unnamed.target.as_str(), unnamed.data_model.unwrap().name), (oid.as_str(), None));
    }

    #[test]
    fn fingerprints_show_four_characters_only() {
        assert_eq!(fingerprint("4242/0123456789abcdef0123456789abcdef01234567"), "…4567");
        assert_eq!(fingerprint("TD1 4242/0123456789abcdef0123456789abcdef01234567\n"), "…4567");
        assert_eq!(fingerprint("Bearer 550e8400-e29b-41d4-a716-446655440000"), "…0000");
        assert_eq!(fingerprint("short"), "-");
        assert_eq!(fingerprint("0123456789abcdef"), "…cdef", "16 characters are enough to show 4 of");
        assert_eq!(fingerprint("0123456789abcde"), "-");
        assert_eq!(fingerprint(""), "-");
    }

    #[test]
    fn csv_has_no_key_and_iso_times() {
        let key = "4242/0123456789abcdef0123456789abcdef01234567";
        let entry = HistoryEntry::new(1_795_600_000_000, "Treasure", "US", "93d34997 (sales)", "success", key);
        let csv = history_csv(&[entry]);
        assert_eq!(csv, "time,service,place,target,outcome,key,new key\r\n\"2026-11-25T09:46:40Z\",\"Treasure\",\"US\",\"93d34997 (sales)\",\"success\",\"…4567\",\"\"\r\n");
        let rotated = HistoryEntry::new(
            0,
            "Databrain",
            "https://api.usedatabrain.com",
            "data app key (rotation)",
            "success",
            "550e8400-e29b-41d4-a716-446655440001",
        )
        .with_issued("7c9e6679-7425-40de-944b-e07fc1f90ae7");
        assert!(history_csv(&[rotated]).ends_with(",\"success\",\"…0001\",\"…0ae7\"\r\n"));
        assert!(!csv.contains("0123456789abcdef"));
    }

    #[test]
    fn reads_the_stored_history_back() {
        let entry = HistoryEntry::new(1_000, "Treasure", "US", "oid", "success", "4242/0123456789abcdef0123");
        let json = serde_json::to_string(std::slice::from_ref(&entry)).unwrap();
        assert_eq!(HistoryEntry::list_from_json(&json), std::slice::from_ref(&entry));
        let issued = entry.with_issued("7c9e6679-7425-40de-944b-e07fc1f90ae7");
        let json = serde_json::to_string(std::slice::from_ref(&issued)).unwrap();
        assert!(json.contains(r#""issued":"…0ae7""#));
        assert_eq!(HistoryEntry::list_from_json(&json), [issued]);
        assert_eq!(HistoryEntry::list_from_json(r#"[{"service":"no time"}, 3]"#), []);
        assert_eq!(HistoryEntry::list_from_json("not json"), []);
    }

    #[test]
    fn outcomes_fall_into_four_kinds() {
        assert_eq!(outcome_kind("success"), "success");
        assert_eq!(outcome_kind("OUTCOME_UNKNOWN"), "unknown");
        assert_eq!(outcome_kind("RECOVERED"), "recovered");
        for failed in ["UNAUTHORIZED", "INVALID_DATA_APP_API_KEY", "INTERRUPTED", "", "Success"] {
            assert_eq!(outcome_kind(failed), "failed", "{failed}");
        }
    }

    #[test]
    fn iso8601_matches_known_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(4_102_444_799_000), "2099-12-31T23:59:59Z");
        assert_eq!(iso8601(u64::MAX), "");
    }
}
