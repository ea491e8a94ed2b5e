//! Expiry reminders (seed-001: keys expire, and whatever uses one fails when it does). A
//! reminder holds no secret: the service, the region or API origin, a label, the expiry and,
//! for a Treasure key, the key's fingerprint, which ties it to the data models Keyturn gave
//! that key (by its own history).
//! The core decides when it fires and what it says; the background only schedules alarms.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::failure::{ErrorCode, Failure};
use crate::history::HistoryEntry;
use crate::input::display_snippet;
use crate::treasure::Region;
use crate::url::encode_query_value;

const DAY_MS: u64 = 86_400_000;
const HOUR_MS: u64 = 3_600_000;
/// How late an alarm may fire and still be read as fired on time. Browsers fire alarms a
/// little after their time (Chrome by up to about a minute), so the reminder set for 7 days
/// before the expiry finds a few seconds less than 7 days left when it fires.
pub const LATE_ALARM_MS: u64 = 10 * 60_000;
/// Days before expiry that reminders fire when the user chose none.
pub const DEFAULT_LEAD_DAYS: [u32; 2] = [7, 1];

/// The whole days before expiry at which to remind, from text such as "7, 1".
pub fn parse_lead_days(text: &str) -> Result<Vec<u32>, Failure> {
    let invalid = || {
        Failure::new(
            ErrorCode::InvalidLeadDays,
            "Enter reminder lead times as whole days between 0 and 365, separated by commas, such as 7, 1.",
        )
    };
    let mut days: Vec<u32> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|part| !part.is_empty()) {
        let day: u32 = part.parse().map_err(|_| invalid())?;
        if day > 365 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        // Kept in descending order as they come, duplicates dropped: a handful of numbers,
        // for which a general sort would add more to the wasm module than it saves.
        let place = days.iter().position(|&kept| kept <= day).unwrap_or(days.len());
        if days.get(place) != Some(&day) {
            days.insert(place, day);
        }
    }
    if days.is_empty() {
        return Err(invalid());
    }
    Ok(days)
}

/// When each reminder fires: `lead` days before `expires_at`, for the leads still ahead.
/// When every lead has passed but the key has not expired yet (a short Databrain grace
/// period, a date entered late), one reminder fires halfway to the expiry instead, if that
/// is at least a minute away.
pub fn fire_times(expires_at: u64, lead_days: &[u32], now: u64) -> Vec<(u32, u64)> {
    let mut times: Vec<(u32, u64)> = lead_days
        .iter()
        .filter_map(|&lead| expires_at.checked_sub(u64::from(lead) * DAY_MS).map(|when| (lead, when)))
        .filter(|&(_, when)| when > now)
        .collect();
    if times.is_empty() && expires_at > now + 2 * 60_000 {
        times.push((0, now + (expires_at - now) / 2));
    }
    times
}

/// A reminder the user asked for, or that a Databrain rotation set for the old key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Reminder {
    /// The id the background gave it when it kept it (its alarms are named by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// "Treasure" or "Databrain".
    pub service: String,
    /// A Treasure region id, or a Databrain API origin.
    pub place: String,
    /// What the reminder is about, shown in it.
    pub label: String,
    /// Milliseconds since the epoch when the key expires.
    pub expires_at: u64,
    /// Days before the expiry that the reminder fires, most first.
    pub lead_days: Vec<u32>,
    /// For a Treasure key: the key's fingerprint (`…` and its last four characters), which
    /// ties the reminder to the data models Keyturn gave that key. Never the key itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// A data model that, by Keyturn's history, last received a given key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Consumer {
    /// The region's id.
    pub region: &'static str,
    /// The data model's OID (empty for a workflow project).
    pub oid: String,
    /// Its name, when the history has it.
    pub name: Option<String>,
    /// The workflow project's id, for a project holding the key as its `td.apikey`.
    #[serde(rename = "projectId", skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
}

/// The fingerprint a hand-made reminder is tied by: the last four characters of the key
/// the user typed (letters and digits), or none when the field is left empty.
pub fn fingerprint_from_last_four(text: &str) -> Result<Option<String>, Failure> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() != 4 || !text.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Failure::new(
            ErrorCode::MalformedKey,
            "Enter exactly the last four characters of the key (letters and digits), or leave the field empty.",
        ));
    }
    Ok(Some(format!("…{text}")))
}

/// The data models that, by Keyturn's own history (newest first, as kept), last received a
/// key with `fingerprint` in `region`: for each data model the latest successful
/// replacement decides, so one replaced since with another key is not counted; failed
/// attempts change nothing. Changes made outside Keyturn are not in the history.
pub fn consumers(history: &[HistoryEntry], region: Region, fingerprint: &str) -> Vec<Consumer> {
    let mut decided: HashSet<String> = HashSet::new();
    let mut found = Vec::new();
    for entry in history {
        let Some(model) = &entry.data_model else { continue };
        // A data model by its OID, a workflow project by its id: each is decided once.
        let consumer = match &model.project_id {
            Some(id) => format!("wf:{id}"),
            None => model.oid.clone(),
        };
        if model.region != region.info().id || entry.outcome != "success" || !decided.insert(consumer) {
            continue;
        }
        if entry.fingerprint.eq_ignore_ascii_case(fingerprint) {
            found.push(Consumer {
                region: region.info().id,
                oid: model.oid.clone(),
                name: model.name.clone(),
                project_id: model.project_id.clone(),
            });
        }
    }
    found
}

impl Reminder {
    /// A Treasure key's reminder from the options form: the region, a label, the expiry
    /// date's first millisecond (UTC) as the date field gives it, and the lead times.
    /// `fingerprint` ties it to the data models that key was given to (see [`consumers`]).
    pub fn treasure(
        region: &str,
        label: &str,
        expires_at: u64,
        lead_days: &str,
        now: u64,
        fingerprint: Option<String>,
    ) -> Result<Reminder, Failure> {
        let region = Region::from_id(region).ok_or_else(|| {
            Failure::new(ErrorCode::UnknownRegion, "Choose the key's region: US, EU01, Korea (AP02) or Tokyo.")
        })?;
        if expires_at <= now {
            return Err(Failure::new(
                ErrorCode::InvalidReminderDate,
                "That date has passed. Enter the expiry date shown on the API Keys page.",
            ));
        }
        let label = label.trim();
        let label = match (label.is_empty(), &fingerprint) {
            (false, _) => display_snippet(label, 80),
            (true, Some(fingerprint)) => format!("Master key {fingerprint}"),
            (true, None) => "Treasure API key".to_string(),
        };
        Ok(Reminder {
            id: None,
            service: "Treasure".to_string(),
            place: region.info().id.to_string(),
            label,
            expires_at,
            lead_days: parse_lead_days(lead_days)?,
            fingerprint,
        })
    }

    /// The reminder a Databrain rotation sets for the key it rotated.
    /// `app`: the data app's name, when the user gave it (shown in the reminder).
    pub fn databrain_old_key(
        origin: &str,
        fingerprint: &str,
        expires_at: u64,
        lead_days: Option<&[u32]>,
        app: Option<&str>,
    ) -> Reminder {
        let label = match app.map(str::trim).filter(|app| !app.is_empty()) {
            Some(app) => format!("old key {fingerprint} of data app \"{}\"", display_snippet(app, 60)),
            None => format!("old data app key {fingerprint}"),
        };
        Reminder {
            id: None,
            service: "Databrain".to_string(),
            place: origin.to_string(),
            label,
            expires_at,
            lead_days: lead_days.unwrap_or(&DEFAULT_LEAD_DAYS).to_vec(),
            fingerprint: None,
        }
    }

    /// How far off the expiry is, for the notification's text (which _locales words):
    /// `("minutes" | "hours" | "tomorrow" | "days", amount)`. Hours and days allow for an
    /// alarm that fires late (see [`LATE_ALARM_MS`]), so the reminder set 7 days ahead says
    /// "in 7 days" when it fires.
    pub fn due(&self, now: u64) -> (&'static str, u64) {
        let left = self.expires_at.saturating_sub(now);
        let allowing_late = left.saturating_add(LATE_ALARM_MS);
        match allowing_late / DAY_MS {
            0 if left < HOUR_MS => ("minutes", left.div_ceil(60_000)),
            0 => ("hours", allowing_late / HOUR_MS),
            1 => ("tomorrow", 1),
            days => ("days", days),
        }
    }

    /// Where clicking the reminder leads: for a Treasure key tied to its fingerprint, the
    /// bulk page with the data models that key was given to; for another Treasure key, the
    /// region's Treasure Console (its API Keys page is under My Settings); for Databrain,
    /// Keyturn's popup on the Databrain form with the API origin chosen.
    pub fn click_target(&self) -> String {
        match (Region::from_id(&self.place), &self.id) {
            (Some(_), Some(id)) if self.service == "Treasure" && self.fingerprint.is_some() => {
                format!("bulk.html?reminder={}", encode_query_value(id))
            }
            (Some(region), _) if self.service == "Treasure" => format!("https://{}/", region.info().console_hosts[0]),
            _ => format!("popup.html?service=databrain&origin={}", encode_query_value(&self.place)),
        }
    }
}

#[cfg(test)]
mod workflow_tests {
    use super::*;
    use crate::treasure::workflow::ProjectId;

    #[test]
    fn a_keys_workflow_projects_count_as_its_consumers() {
        let key = "1234/0123456789abcdef0123456789abcdef0123cafe";
        let other = "1234/0123456789abcdef0123456789abcdef0123beef";
        let oid = crate::treasure::Oid::parse("93d34997-1b2c-4d5e-8f90-000000000001").unwrap();
        let project = |id: &str, at, outcome, key| {
            HistoryEntry::workflow_project(at, Region::Us, ProjectId::parse(id).unwrap(), Some("etl"), outcome, key)
        };
        // Newest first, as kept.
        let history = [
            project("102", 5, "success", other),      // 102 got another key since: not counted
            project("101", 4, "UNAUTHORIZED", other), // a failure changes nothing
            HistoryEntry::data_model(3, Region::Us, &oid, Some("sales"), "success", key),
            project("102", 2, "success", key),
            project("101", 1, "success", key),
        ];
        let found = consumers(&history, Region::Us, "…cafe");
        let ids: Vec<_> = found.iter().map(|c| (c.oid.as_str(), c.project_id.as_deref())).collect();
        assert_eq!(ids, [("93d34997-1b2c-4d5e-8f90-000000000001", None), ("", Some("101"))]);
        assert!(consumers(&history, Region::Eu01, "…cafe").is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::treasure::Oid;

    const NOW: u64 = 1_795_600_000_000;

    #[test]
    fn lead_days_parse_sorted_and_deduplicated() {
        assert_eq!(parse_lead_days("1, 7,7").unwrap(), [7, 1]);
        assert_eq!(parse_lead_days("365,0").unwrap(), [365, 0], "a year ahead, and the day itself");
        assert_eq!(parse_lead_days(" 30 ").unwrap(), [30]);
        assert_eq!(parse_lead_days("3, 14, 7, 1, 14, 0").unwrap(), [14, 7, 3, 1, 0]);
        for bad in ["", " , ", "-1", "1.5", "seven", "400", "+3"] {
            assert!(parse_lead_days(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fires_at_each_lead_still_ahead_or_halfway() {
        let expires = NOW + 10 * DAY_MS;
        assert_eq!(fire_times(expires, &[7, 1], NOW), [(7, NOW + 3 * DAY_MS), (1, NOW + 9 * DAY_MS)]);
        assert_eq!(fire_times(NOW + 3 * DAY_MS, &[7, 1], NOW), [(1, NOW + 2 * DAY_MS)]);
        assert_eq!(fire_times(NOW + 3_600_000, &[7, 1], NOW), [(0, NOW + 1_800_000)]);
        assert_eq!(fire_times(NOW + 60_000, &[7, 1], NOW), []);
        assert_eq!(fire_times(NOW - 1, &[7, 1], NOW), []);
    }

    #[test]
    fn a_lead_due_now_has_passed_and_halfway_must_be_over_a_minute_away() {
        assert_eq!(fire_times(NOW + 7 * DAY_MS, &[7, 1], NOW), [(1, NOW + 6 * DAY_MS)]);
        assert_eq!(fire_times(NOW + DAY_MS, &[1], NOW), [(0, NOW + DAY_MS / 2)]);
        assert_eq!(fire_times(NOW + 120_000, &[1], NOW), [], "halfway is only a minute away");
        assert_eq!(fire_times(NOW + 120_002, &[1], NOW), [(0, NOW + 60_001)]);
        assert_eq!(fire_times(NOW + 90_000, &[0], NOW), [(0, NOW + 90_000)], "a lead of 0 fires at the expiry");
    }

    #[test]
    fn treasure_reminders_are_checked() {
        let reminder = Reminder::treasure("eu01", " Master key …4567 ", NOW + DAY_MS, "7,1", NOW, None).unwrap();
        assert_eq!(
            (reminder.place.as_str(), reminder.label.as_str(), reminder.lead_days.as_slice()),
            ("eu01", "Master key …4567", &[7, 1][..])
        );
        assert_eq!(reminder.click_target(), "https://console.eu01.treasuredata.com/");
        assert_eq!(
            Reminder::treasure("ap03", "", NOW + DAY_MS, "7", NOW, None).unwrap_err().code,
            ErrorCode::UnknownRegion
        );
        assert!(Reminder::treasure("us", "", NOW - DAY_MS, "7", NOW, None).is_err());
    }

    #[test]
    fn notifications_know_how_far_off_the_expiry_is_and_where_to_go() {
        let reminder = Reminder::treasure("us", "", NOW + 7 * DAY_MS, "7,1", NOW, None).unwrap();
        assert_eq!(reminder.due(NOW), ("days", 7));
        assert_eq!(reminder.due(NOW + 6 * DAY_MS), ("tomorrow", 1));
        assert_eq!(reminder.due(NOW + 7 * DAY_MS - 7_200_000), ("hours", 2));
        let old = Reminder::databrain_old_key("https://api.usedatabrain.com", "…0000", NOW + 1_800_000, None, None);
        assert_eq!(old.label, "old data app key …0000");
        let named = Reminder::databrain_old_key("https://api.usedatabrain.com", "…0000", NOW, None, Some(" Sales "));
        assert_eq!(named.label, "old key …0000 of data app \"Sales\"");
        assert_eq!(old.lead_days, DEFAULT_LEAD_DAYS);
        let managed = Reminder::databrain_old_key("https://api.usedatabrain.com", "…0000", NOW, Some(&[14, 2]), None);
        assert_eq!(managed.lead_days, [14, 2], "the administrator's lead times, when set");
        assert_eq!(old.due(NOW), ("minutes", 30));
        assert_eq!(old.due(NOW + 1_800_000 - 1), ("minutes", 1), "any part of a minute left counts as one");
        assert_eq!(old.click_target(), "popup.html?service=databrain&origin=https%3A%2F%2Fapi.usedatabrain.com");
    }

    #[test]
    fn an_alarm_that_fires_late_still_reads_as_its_lead_time() {
        let reminder = Reminder::treasure("us", "", NOW + 7 * DAY_MS, "7,1", NOW - DAY_MS, None).unwrap();
        // The 7-day reminder, its alarm fired 40 s late; then the 1-day one, 5 minutes late.
        assert_eq!(reminder.due(NOW + 40_000), ("days", 7));
        assert_eq!(reminder.due(NOW + 6 * DAY_MS + 300_000), ("tomorrow", 1));
        assert_eq!(reminder.due(NOW + 7 * DAY_MS - 2 * HOUR_MS + 60_000), ("hours", 2));
        // An hour or more left is said in hours, less in minutes; late or not, no more is claimed than is left.
        assert_eq!(reminder.due(NOW + 7 * DAY_MS - HOUR_MS), ("hours", 1));
        assert_eq!(reminder.due(NOW + 7 * DAY_MS - HOUR_MS + 1), ("minutes", 60));
        // The allowance is that and no more.
        assert_eq!(reminder.due(NOW + DAY_MS + LATE_ALARM_MS), ("days", 6));
        assert_eq!(reminder.due(NOW + DAY_MS + LATE_ALARM_MS + 1), ("days", 5));
        assert_eq!(reminder.due(NOW + 8 * DAY_MS), ("minutes", 0), "expired");
    }

    #[test]
    fn a_reminder_tied_to_a_key_leads_to_its_data_models() {
        let mut tied = Reminder::treasure("us", "", NOW + DAY_MS, "7", NOW, Some("…4567".into())).unwrap();
        assert_eq!(tied.label, "Master key …4567");
        assert_eq!(tied.click_target(), "https://console.treasuredata.com/", "not yet kept: no id to lead by");
        tied.id = Some("r-1".into());
        assert_eq!(tied.click_target(), "bulk.html?reminder=r-1");
        let untied = Reminder { fingerprint: None, ..tied.clone() };
        assert_eq!(untied.click_target(), "https://console.treasuredata.com/", "untied: the region's console");
        // A Databrain reminder leads to the Databrain form, whatever its place reads as.
        let databrain = Reminder { service: "Databrain".into(), ..tied };
        assert_eq!(databrain.click_target(), "popup.html?service=databrain&origin=us");
        assert_eq!(fingerprint_from_last_four(" 4567 ").unwrap(), Some("…4567".to_string()));
        assert_eq!(fingerprint_from_last_four("").unwrap(), None);
        for bad in ["456", "45678", "45 7", "…456"] {
            assert_eq!(fingerprint_from_last_four(bad).unwrap_err().code, ErrorCode::MalformedKey, "{bad}");
        }
    }

    const A: &str = "4242/0123456789abcdef0123456789abcdef0123aaaa";
    const B: &str = "4243/0123456789abcdef0123456789abcdef0123bbbb";

    fn oid(n: u32) -> String {
        format!("93d34997-1b2c-4d5e-8f90-{n:012}")
    }

    /// A Treasure record as the popup and the bulk run make them.
    fn replaced(at: u64, region: &str, n: u32, outcome: &str, key: &str) -> HistoryEntry {
        let region = Region::from_id(region).unwrap();
        HistoryEntry::data_model(at, region, &Oid::parse(&oid(n)).unwrap(), Some(&format!("model_{n}")), outcome, key)
    }

    #[test]
    fn consumers_are_the_data_models_whose_latest_replacement_used_the_key() {
        // Newest first, as the history keeps them.
        let history = [
            replaced(9, "US", 1, "success", B),      // 1 now holds B: not a consumer of A
            replaced(8, "US", 2, "UNAUTHORIZED", B), // a failure changes nothing: 2 still holds A
            replaced(7, "EU01", 3, "success", A),    // another region does not count
            replaced(6, "US", 1, "success", A),
            replaced(5, "US", 2, "success", A),
            replaced(4, "US", 4, "success", A),
            HistoryEntry::new(3, "Databrain", "US", &oid(5), "success", A),
            // A record without structured fields is display text only: never read back.
            HistoryEntry::new(2, "Treasure", "US", &format!("{} (model_6)", oid(6)), "success", A),
        ];
        let found = consumers(&history, Region::Us, "…aaaa");
        assert_eq!(
            found.iter().map(|c| (c.oid.clone(), c.name.clone())).collect::<Vec<_>>(),
            [(oid(2), Some("model_2".to_string())), (oid(4), Some("model_4".to_string())),]
        );
        assert_eq!(consumers(&history, Region::Us, "…AAAA").len(), 2, "fingerprints compare in any case");
        assert_eq!(consumers(&history, Region::Eu01, "…aaaa").len(), 1);
        assert_eq!(consumers(&history, Region::Us, "…bbbb").len(), 1);
    }
}
