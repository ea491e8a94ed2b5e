//! Expiry reminders (seed-001: keys expire, and whatever uses one fails when it does). A
//! reminder holds no secret: the service, the region or API origin, a label and the expiry.
//! The core decides when it fires and what it says; the background only schedules alarms.

use serde::Serialize;

use crate::failure::{ErrorCode, Failure};
use crate::input::display_snippet;
use crate::treasure::Region;

const DAY_MS: u64 = 86_400_000;
/// Days before expiry that reminders fire when the user chose none.
pub const DEFAULT_LEAD_DAYS: [u32; 2] = [7, 1];

/// The whole days before expiry at which to remind, from text such as "7, 1".
pub fn parse_lead_days(text: &str) -> Result<Vec<u32>, Failure> {
    let invalid = || {
        Failure::new(
            ErrorCode::InvalidGracePeriod,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
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
}

impl Reminder {
    /// A Treasure key's reminder from the options form: the region, a label, the expiry
    /// date's first millisecond (UTC) as the date field gives it, and the lead times.
    pub fn treasure(
        region: &str,
        label: &str,
        expires_at: u64,
        lead_days: &str,
        now: u64,
    ) -> Result<Reminder, Failure> {
        let region = Region::from_id(region).ok_or_else(|| {
            Failure::new(ErrorCode::UnknownRegion, "Choose the key's region: US, EU01, Korea (AP02) or Tokyo.")
        })?;
        if expires_at <= now {
            return Err(Failure::new(
                ErrorCode::InvalidGracePeriod,
                "That date has passed. Enter the expiry date shown on the API Keys page.",
            ));
        }
        let label = label.trim();
        Ok(Reminder {
            service: "Treasure".to_string(),
            place: region.info().id.to_string(),
            label: if label.is_empty() { "Treasure API key".to_string() } else { display_snippet(label, 80) },
            expires_at,
            lead_days: parse_lead_days(lead_days)?,
        })
    }

    /// The reminder a Databrain rotation sets for the key it rotated.
    pub fn databrain_old_key(origin: &str, fingerprint: &str, expires_at: u64, lead_days: Option<&[u32]>) -> Reminder {
        Reminder {
            service: "Databrain".to_string(),
            place: origin.to_string(),
            label: format!("old data app key {fingerprint}"),
            expires_at,
            lead_days: lead_days.unwrap_or(&DEFAULT_LEAD_DAYS).to_vec(),
        }
    }

    /// How far off the expiry is, for the notification's text (which _locales words):
    /// `("minutes" | "hours" | "tomorrow" | "days", amount)`.
    pub fn due(&self, now: u64) -> (&'static str, u64) {
        let left = self.expires_at.saturating_sub(now);
        match left / DAY_MS {
            0 if left < 3_600_000 => ("minutes", left.div_ceil(60_000)),
            0 => ("hours", left / 3_600_000),
            1 => ("tomorrow", 1),
            days => ("days", days),
        }
    }

    /// Where clicking the notification leads: the region's Treasure Console (its API Keys
    /// page is under My Settings), or Keyturn's popup page for Databrain.
    pub fn click_target(&self) -> String {
        match Region::from_id(&self.place) {
            Some(region) if self.service == "Treasure" => format!("https://{}/", region.info().console_hosts[0]),
            _ => "popup.html".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_795_600_000_000;

    #[test]
    fn lead_days_parse_sorted_and_deduplicated() {
        assert_eq!(parse_lead_days("1, 7,7").unwrap(), [7, 1]);
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
    fn treasure_reminders_are_checked() {
        let reminder = Reminder::treasure("eu01", " Master key …4567 ", NOW + DAY_MS, "7,1", NOW).unwrap();
        assert_eq!(
            (reminder.place.as_str(), reminder.label.as_str(), reminder.lead_days.as_slice()),
            ("eu01", "Master key …4567", &[7, 1][..])
        );
        assert_eq!(reminder.click_target(), "https://console.eu01.treasuredata.com/");
        assert_eq!(Reminder::treasure("ap03", "", NOW + DAY_MS, "7", NOW).unwrap_err().code, ErrorCode::UnknownRegion);
        assert!(Reminder::treasure("us", "", NOW - DAY_MS, "7", NOW).is_err());
    }

    #[test]
    fn notifications_know_how_far_off_the_expiry_is_and_where_to_go() {
        let reminder = Reminder::treasure("us", "", NOW + 7 * DAY_MS, "7,1", NOW).unwrap();
        assert_eq!(reminder.due(NOW), ("days", 7));
        assert_eq!(reminder.due(NOW + 6 * DAY_MS), ("tomorrow", 1));
        assert_eq!(reminder.due(NOW + 7 * DAY_MS - 7_200_000), ("hours", 2));
        let old = Reminder::databrain_old_key("https://api.usedatabrain.com", "…0000", NOW + 1_800_000, None);
        assert_eq!(old.lead_days, DEFAULT_LEAD_DAYS);
        let managed = Reminder::databrain_old_key("https://api.usedatabrain.com", "…0000", NOW, Some(&[14, 2]));
        assert_eq!(managed.lead_days, [14, 2], "the administrator's lead times, when set");
        assert_eq!(old.due(NOW), ("minutes", 30));
        assert_eq!(old.click_target(), "popup.html");
    }
}
