//! Settings an administrator sets by policy: the browsers' managed storage
//! (`chrome.storage.managed`), filled by Chrome's `3rdparty` extension policy (schema:
//! `extension/managed_schema.json`) or by Firefox's `policies.json` (`3rdparty` →
//! `Extensions` → Keyturn's id).
//!
//! Read like every other input: each setting on its own, so an invalid value is ignored
//! with a notice for the options page and never stops Keyturn from working; unknown keys
//! are ignored (a newer policy template may carry settings this version does not know).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::databrain::ApiOrigin;
use crate::failure::{ErrorCode, Failure};
use crate::reminders::parse_lead_days;
use crate::treasure::region::{Region, REGIONS};

/// The services the popup can show, by the ids `services` takes.
pub const SERVICES: [&str; 2] = ["treasure", "databrain"];

/// What the policy sets, with every setting in force (a default where none or no valid
/// value is managed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Policy {
    /// Self-hosted Databrain API origins the administrator offers, normalised.
    pub databrain_origins: Vec<String>,
    /// Whether the "remember for this browser session" boxes are offered (default true).
    pub allow_remember_secrets: bool,
    /// The default lead times of expiry reminders, most first, when managed.
    pub reminder_lead_days: Option<Vec<u32>>,
    /// The Treasure regions to offer, by id (all four unless managed).
    pub treasure_regions: Vec<&'static str>,
    /// The services the popup shows, by id (both unless managed).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "('treasure' | 'databrain')[]"))] // SERVICES
    pub services: Vec<&'static str>,
    /// Whether the bulk page lists and changes Treasure Workflow projects (default true).
    pub workflow_projects: bool,
    /// The settings set by the administrator with a valid value (shown as such).
    pub managed: Vec<&'static str>,
    /// The managed values that were ignored, and why.
    pub invalid: Vec<InvalidSetting>,
}

/// A managed value that was ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct InvalidSetting {
    /// The setting, with the index of the entry for a list (`databrainOrigins[1]`).
    pub key: String,
    /// What is wrong with it and what it should be, in English.
    pub message: String,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            databrain_origins: Vec::new(),
            allow_remember_secrets: true,
            reminder_lead_days: None,
            treasure_regions: REGIONS.iter().map(|info| info.id).collect(),
            services: SERVICES.to_vec(),
            workflow_projects: true,
            managed: Vec::new(),
            invalid: Vec::new(),
        }
    }
}

impl Policy {
    /// The policy in `managed_json`, the managed storage area as JSON text (`{}` when no
    /// policy is set).
    pub fn read(managed_json: &str) -> Policy {
        let mut policy = Policy::default();
        let settings: Map<String, Value> = match serde_json::from_str(managed_json) {
            Ok(settings) => settings,
            Err(_) => {
                policy.notice("(all)", "The managed settings are not a JSON object; every setting keeps its default.");
                return policy;
            }
        };
        if let Some(value) = settings.get("databrainOrigins") {
            policy.read_origins(value);
        }
        if let Some(value) = settings.get("allowRememberSecrets") {
            match value.as_bool() {
                Some(allow) => policy.set("allowRememberSecrets", |p| p.allow_remember_secrets = allow),
                None => policy.notice("allowRememberSecrets", "Must be true or false; it stays true."),
            }
        }
        if let Some(value) = settings.get("workflowProjects") {
            match value.as_bool() {
                Some(on) => policy.set("workflowProjects", |p| p.workflow_projects = on),
                None => policy.notice("workflowProjects", "Must be true or false; it stays true."),
            }
        }
        if let Some(value) = settings.get("reminderLeadDays") {
            match lead_days(value) {
                Some(days) => policy.set("reminderLeadDays", |p| p.reminder_lead_days = Some(days)),
                None => policy.notice(
                    "reminderLeadDays",
                    "Must be a list of whole days between 0 and 365, such as [7, 1]; the defaults stay.",
                ),
            }
        }
        if let Some(value) = settings.get("treasureRegions") {
            let known = REGIONS.iter().map(|info| info.id).collect::<Vec<_>>().join(", ");
            let regions = policy
                .read_subset("treasureRegions", value, &known, |id| Region::from_id(id).map(|region| region.info().id));
            if let Some(regions) = regions {
                policy.set("treasureRegions", |p| p.treasure_regions = regions);
            }
        }
        if let Some(value) = settings.get("services") {
            let services = policy.read_subset("services", value, "treasure, databrain", |id| {
                SERVICES.iter().copied().find(|service| service.eq_ignore_ascii_case(id.trim()))
            });
            if let Some(services) = services {
                policy.set("services", |p| p.services = services);
            }
        }
        policy
    }

    fn set(&mut self, key: &'static str, apply: impl FnOnce(&mut Policy)) {
        apply(self);
        self.managed.push(key);
    }

    fn notice(&mut self, key: &str, message: &str) {
        self.invalid.push(InvalidSetting { key: key.to_string(), message: message.to_string() });
    }

    /// Each entry is checked as the options page checks what a user types (so the Databrain
    /// cloud and the hosts Keyturn holds for Treasure are refused too); an invalid entry is
    /// ignored on its own, the others stay offered.
    fn read_origins(&mut self, value: &Value) {
        let Some(entries) = value.as_array() else {
            return self.notice(
                "databrainOrigins",
                "Must be a list of https origins, such as [\"https://databrain.example.com\"].",
            );
        };
        let mut origins = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let key = format!("databrainOrigins[{index}]");
            match entry.as_str().map(ApiOrigin::normalise) {
                Some(Ok(origin)) if origins.contains(&origin) => {}
                Some(Ok(origin)) => origins.push(origin),
                Some(Err(failure)) => self.notice(&key, &failure.message),
                None => self.notice(&key, "Must be text: an https origin such as https://databrain.example.com."),
            }
        }
        if !origins.is_empty() {
            self.set("databrainOrigins", |p| p.databrain_origins = origins);
        }
    }

    /// A list of ids from a closed set. Unknown entries are ignored with a notice; a
    /// setting left with none is ignored whole, since it would switch everything off.
    fn read_subset(
        &mut self,
        key: &'static str,
        value: &Value,
        known: &str,
        id_of: impl Fn(&str) -> Option<&'static str>,
    ) -> Option<Vec<&'static str>> {
        let Some(entries) = value.as_array() else {
            self.notice(key, &format!("Must be a list of: {known}. It is ignored."));
            return None;
        };
        let mut ids: Vec<&'static str> = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            match entry.as_str().and_then(&id_of) {
                Some(id) if ids.contains(&id) => {}
                Some(id) => ids.push(id),
                None => self.notice(&format!("{key}[{index}]"), &format!("Unknown; the known values are: {known}.")),
            }
        }
        if ids.is_empty() {
            self.notice(key, &format!("Names none of: {known}. It is ignored, so all of them stay offered."));
            return None;
        }
        Some(ids)
    }

    /// Refuses a service (`treasure` or `databrain`) the policy does not show.
    pub fn check_service(&self, service: &str) -> Result<(), Failure> {
        if self.services.contains(&service) {
            return Ok(());
        }
        Err(Failure::new(
            ErrorCode::ServiceNotEnabled,
            "Your administrator turned this service off in Keyturn. Nothing was sent.",
        ))
    }

    /// Refuses a data model in a region the policy does not offer.
    pub fn check_region(&self, region: Region) -> Result<(), Failure> {
        if self.treasure_regions.contains(&region.info().id) {
            return Ok(());
        }
        Err(Failure::new(
            ErrorCode::RegionNotEnabled,
            format!(
                "The {} region is not enabled here: your administrator limited Keyturn to other Treasure regions. \
                 Nothing was sent.",
                region.label()
            ),
        ))
    }
}

/// Whole days between 0 and 365, at least one, as the options form takes them.
fn lead_days(value: &Value) -> Option<Vec<u32>> {
    let days =
        value.as_array()?.iter().map(|day| day.as_u64().map(|day| day.to_string())).collect::<Option<Vec<_>>>()?;
    parse_lead_days(&days.join(",")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(policy: &Policy) -> Vec<&str> {
        policy.invalid.iter().map(|invalid| invalid.key.as_str()).collect()
    }

    #[test]
    fn no_policy_leaves_every_default() {
        assert_eq!(Policy::read("{}"), Policy::default());
        let policy = Policy::read("{}");
        assert!(policy.allow_remember_secrets);
        assert_eq!(policy.treasure_regions, ["us", "eu01", "ap02", "tokyo"]);
        assert_eq!(policy.services, ["treasure", "databrain"]);
        assert!(policy.workflow_projects);
    }

    #[test]
    fn workflow_projects_can_be_switched_off_and_an_invalid_value_keeps_them_on() {
        let off = Policy::read(r#"{"workflowProjects": false}"#);
        assert!(!off.workflow_projects);
        assert_eq!(off.managed, ["workflowProjects"]);
        let on = Policy::read(r#"{"workflowProjects": true}"#);
        assert!(on.workflow_projects);
        for value in ["\"false\"", "0", "null", "[]"] {
            let policy = Policy::read(&format!(r#"{{"workflowProjects": {value}}}"#));
            assert!(policy.workflow_projects, "{value}");
            assert_eq!(keys(&policy), ["workflowProjects"], "{value}");
            assert!(policy.managed.is_empty());
        }
    }

    #[test]
    fn every_setting_is_read_when_valid() {
        let policy = Policy::read(
            r#"{"databrainOrigins": ["https://databrain.example.com/", "https://databrain.example.com"],
                "allowRememberSecrets": false, "reminderLeadDays": [1, 14, 7],
                "treasureRegions": ["EU01", "tokyo"], "services": ["databrain"], "someFutureSetting": 1}"#,
        );
        assert_eq!(policy.databrain_origins, ["https://databrain.example.com"], "normalised, each once");
        assert!(!policy.allow_remember_secrets);
        assert_eq!(policy.reminder_lead_days, Some(vec![14, 7, 1]));
        assert_eq!(policy.treasure_regions, ["eu01", "tokyo"]);
        assert_eq!(policy.services, ["databrain"]);
        assert_eq!(
            policy.managed,
            ["databrainOrigins", "allowRememberSecrets", "reminderLeadDays", "treasureRegions", "services"]
        );
        assert!(policy.invalid.is_empty(), "unknown keys are ignored: {:?}", policy.invalid);
    }

    #[test]
    fn invalid_origins_are_ignored_one_by_one() {
        let policy = Policy::read(
            r#"{"databrainOrigins": ["http://databrain.example.com", 7, "https://db.example.org/api", "https://ok.example.net"]}"#,
        );
        assert_eq!(policy.databrain_origins, ["https://ok.example.net"]);
        assert_eq!(keys(&policy), ["databrainOrigins[0]", "databrainOrigins[1]", "databrainOrigins[2]"]);
        assert!(policy.invalid[2].message.contains("without a path"), "{}", policy.invalid[2].message);
        // The Databrain cloud and the hosts Keyturn holds for Treasure are never self-hosted.
        let held = Policy::read(
            r#"{"databrainOrigins": ["https://api.treasuredata.com", "https://console.eu01.treasuredata.com/",
                "https://api.usedatabrain.com", "https://ok.example.net"]}"#,
        );
        assert_eq!(held.databrain_origins, ["https://ok.example.net"]);
        assert_eq!(keys(&held), ["databrainOrigins[0]", "databrainOrigins[1]", "databrainOrigins[2]"]);
        assert!(held.invalid[0].message.contains("Treasure Data host"), "{}", held.invalid[0].message);
        assert!(held.invalid[2].message.contains("Databrain cloud"), "{}", held.invalid[2].message);
        let not_a_list = Policy::read(r#"{"databrainOrigins": "https://ok.example.net"}"#);
        assert_eq!((not_a_list.databrain_origins.len(), keys(&not_a_list)), (0, vec!["databrainOrigins"]));
    }

    #[test]
    fn invalid_values_keep_the_defaults_and_say_so() {
        let policy = Policy::read(
            r#"{"allowRememberSecrets": "no", "reminderLeadDays": "soon", "treasureRegions": ["ap03"], "services": []}"#,
        );
        assert_eq!(
            keys(&policy),
            ["allowRememberSecrets", "reminderLeadDays", "treasureRegions[0]", "treasureRegions", "services"]
        );
        assert!(policy.allow_remember_secrets);
        assert_eq!(policy.reminder_lead_days, None);
        assert_eq!(policy.treasure_regions.len(), 4, "a setting that names no known region would switch Treasure off");
        assert_eq!(policy.services.len(), 2);
        assert!(policy.managed.is_empty());
        for days in ["[400]", "[-1]", "[1.5]", "[]", "[\"7\"]"] {
            let policy = Policy::read(&format!(r#"{{"reminderLeadDays": {days}}}"#));
            assert_eq!(keys(&policy), ["reminderLeadDays"], "{days}");
        }
    }

    #[test]
    fn unknown_entries_of_a_list_are_ignored_and_the_rest_kept() {
        let policy = Policy::read(r#"{"treasureRegions": ["us", "ap03", "us"], "services": ["treasure", "looker"]}"#);
        assert_eq!(policy.treasure_regions, ["us"]);
        assert_eq!(policy.services, ["treasure"]);
        assert_eq!(keys(&policy), ["treasureRegions[1]", "services[1]"]);
    }

    #[test]
    fn an_unreadable_policy_changes_nothing() {
        for text in ["", "[]", "not json", "null"] {
            let policy = Policy::read(text);
            assert_eq!(keys(&policy), ["(all)"], "{text}");
            assert_eq!(Policy { invalid: Vec::new(), ..policy }, Policy::default());
        }
    }

    #[test]
    fn regions_outside_the_policy_are_refused() {
        let policy = Policy::read(r#"{"treasureRegions": ["eu01"]}"#);
        assert!(policy.check_region(Region::Eu01).is_ok());
        let refused = policy.check_region(Region::Us).unwrap_err();
        assert_eq!(refused.code, ErrorCode::RegionNotEnabled);
        let databrain_only = Policy::read(r#"{"services": ["databrain"]}"#);
        assert_eq!(
            databrain_only.check_service("treasure").map_err(|failure| failure.code),
            Err(ErrorCode::ServiceNotEnabled)
        );
        assert_eq!(databrain_only.check_service("databrain"), Ok(()));
        assert!(Policy::default().check_service("treasure").is_ok());
        assert!(refused.message.contains("US region is not enabled") && !refused.request_sent);
    }
}
