//! The exports the popup calls: in both builds of the core (see the module above).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{fail, to_js, use_case, Fetch};
use crate::databrain::grace::PRESETS;
use crate::databrain::{is_databrain_app_url, GracePeriod, CLOUD_API_ORIGIN};
use crate::failure::{ErrorCode, Failure};
use crate::history::HistoryEntry;
use crate::policy::Policy;
use crate::reminders::{Reminder, DEFAULT_LEAD_DAYS};
use crate::transport;
use crate::treasure::builds::{builds_request, interpret_builds_answer};
use crate::treasure::region::REGIONS;
use crate::treasure::{parse_console_url, DataModelTarget, Oid, Region, TreasureKey};
use crate::use_cases::{replace_data_model_key, ReplaceKeyInput};
use crate::REQUEST_TIMEOUT_MS;

#[derive(Serialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
struct RegionView {
    id: &'static str,
    label: &'static str,
    api_host: &'static str,
    console_host: &'static str,
}

#[derive(Serialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
struct TargetView<'a> {
    region: &'static str,
    region_label: &'static str,
    api_host: &'static str,
    oid: &'a str,
}

impl<'a> From<&'a DataModelTarget> for TargetView<'a> {
    fn from(target: &'a DataModelTarget) -> Self {
        let info = target.region.info();
        TargetView { region: info.id, region_label: info.label, api_host: info.api_host, oid: target.oid.as_str() }
    }
}

/// The Treasure regions, for the manual region picker.
#[wasm_bindgen(js_name = treasureRegions, unchecked_return_type = "RegionView[]")]
pub fn treasure_regions() -> JsValue {
    let views: Vec<RegionView> = REGIONS
        .iter()
        .map(|info| RegionView {
            id: info.id,
            label: info.label,
            api_host: info.api_host,
            console_host: info.console_hosts[0],
        })
        .collect();
    to_js(&views)
}

/// The data model a tab shows, or `null` when the URL is not a console data model page.
#[wasm_bindgen(js_name = detectDataModelPage, unchecked_return_type = "TargetView | null")]
pub fn detect_data_model_page(url: &str) -> JsValue {
    parse_console_url(url).map(|target| to_js(&TargetView::from(&target))).unwrap_or(JsValue::NULL)
}

/// A pasted console URL, checked; fails with the reason it is not a data model page.
#[wasm_bindgen(js_name = parseDataModelUrl, unchecked_return_type = "TargetView")]
pub fn parse_data_model_url(url: &str) -> Result<JsValue, JsValue> {
    parse_console_url(url).map(|target| to_js(&TargetView::from(&target))).map_err(fail)
}

fn target_from(region: &str, oid: &str) -> Result<DataModelTarget, Failure> {
    let region = Region::from_id(region).ok_or_else(|| {
        Failure::new(ErrorCode::UnknownRegion, "Choose the data model's region: US, EU01, Korea (AP02) or Tokyo.")
    })?;
    Ok(DataModelTarget { region, oid: Oid::parse(oid)? })
}

/// "Replace key": the whole use case (`use_cases::replace_data_model_key`). `input` is
/// `{url, region, oid, key, managedJson}`; resolves to `KeyReplaced` (the data model, when,
/// its console page, the history record) or rejects with `ReplaceKeyFailed` (the failure,
/// and the record when a request went out).
#[wasm_bindgen(js_name = replaceKey, unchecked_return_type = "KeyReplaced")]
pub async fn replace_key(
    #[wasm_bindgen(
        unchecked_param_type = "{ url?: string; region?: string; oid?: string; key: string; managedJson: string }"
    )]
    input: JsValue,
) -> Result<JsValue, JsValue> {
    let now = || js_sys::Date::now() as u64;
    use_case(input, ErrorCode::InvalidUrl, async |input: ReplaceKeyInput| {
        replace_data_model_key(&Fetch, &input, now).await
    })
    .await
}

/// The data model's page in its region's Treasure Console, where the user starts a build.
#[wasm_bindgen(js_name = dataModelConsoleUrl)]
pub fn data_model_console_url(region: &str, oid: &str) -> Result<String, JsValue> {
    target_from(region, oid).map(|target| target.console_url()).map_err(fail)
}

/// Whether the data model has built with the key replaced at `replacedAt` (milliseconds):
/// reads its builds with `key` (never starts one). Resolves to `{verdict, status?,
/// startedAt?, message}`.
#[wasm_bindgen(js_name = checkDataModelBuild, unchecked_return_type = "BuildCheck")]
pub async fn check_data_model_build(
    region: String,
    oid: String,
    key: String,
    replaced_at: f64,
) -> Result<JsValue, JsValue> {
    let target = target_from(&region, &oid).map_err(fail)?;
    let key = TreasureKey::parse(&key).map_err(fail)?;
    let exchange = transport::send(&builds_request(&target, &key), REQUEST_TIMEOUT_MS).await;
    let replaced_at = replaced_at.max(0.0) as u64;
    interpret_builds_answer(&target, &key, replaced_at, exchange).map(|check| to_js(&check)).map_err(fail)
}

// ---- Databrain (its calls run in the background) -------------------------------------

#[derive(Serialize, tsify::Tsify)]
struct PresetView {
    seconds: u64,
    label: &'static str,
    recommended: bool,
}

/// The Databrain cloud's API origin, the form's default.
#[wasm_bindgen(js_name = databrainCloudOrigin)]
pub fn databrain_cloud_origin() -> String {
    CLOUD_API_ORIGIN.to_string()
}

/// The grace period presets Databrain documents, the recommended one marked.
#[wasm_bindgen(js_name = gracePresets, unchecked_return_type = "PresetView[]")]
pub fn grace_presets() -> JsValue {
    let views: Vec<PresetView> = PRESETS
        .iter()
        .map(|(seconds, label)| PresetView {
            seconds: *seconds,
            label,
            recommended: *seconds == GracePeriod::RECOMMENDED.seconds(),
        })
        .collect();
    to_js(&views)
}

/// Whether a tab shows the Databrain web app (the popup then opens on the Databrain form).
#[wasm_bindgen(js_name = isDatabrainAppPage)]
pub fn is_databrain_app_page(url: &str) -> bool {
    is_databrain_app_url(url)
}

// ---- the administrator's policy -------------------------------------------------------

/// The settings an administrator set by policy (`managedJson`: the managed storage area as
/// JSON, `{}` when none), each checked; invalid values are ignored and listed.
#[wasm_bindgen(js_name = readPolicy, unchecked_return_type = "Policy")]
pub fn read_policy(managed_json: &str) -> JsValue {
    to_js(&Policy::read(managed_json))
}

/// Refuses a data model in a region the policy (`managedJson`) does not offer.
#[wasm_bindgen(js_name = checkRegionEnabled)]
pub fn check_region_enabled(managed_json: &str, region: &str) -> Result<(), JsValue> {
    match Region::from_id(region) {
        Some(region) => Policy::read(managed_json).check_region(region).map_err(fail),
        None => Err(fail(Failure::new(ErrorCode::UnknownRegion, "Choose the data model's region."))),
    }
}

/// The reminder to set after replacing a key with `key` in `region`: due at `expiresAt`
/// (the date Treasure's API Keys page shows), tied to the key's fingerprint (never the key),
/// with the policy's (`managedJson`) lead times or the defaults.
#[wasm_bindgen(js_name = keyReminder, unchecked_return_type = "Reminder")]
pub fn key_reminder(region: &str, expires_at: f64, key: &str, managed_json: &str) -> Result<JsValue, JsValue> {
    let key = TreasureKey::parse(key).map_err(fail)?;
    let lead_days = Policy::read(managed_json).reminder_lead_days.unwrap_or_else(|| DEFAULT_LEAD_DAYS.to_vec());
    let lead_days = lead_days.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let now = js_sys::Date::now() as u64;
    Reminder::treasure(region, "", expires_at.max(0.0) as u64, &lead_days, now, Some(key.fingerprint()))
        .map(|reminder| to_js(&reminder))
        .map_err(fail)
}

// ---- history ------------------------------------------------------------------------

/// A history record for one attempt started at `startedAt` (milliseconds; now when
/// omitted); `key` (the key used) and `issuedKey` (a key the attempt issued) are reduced to
/// their fingerprints here, so only the record travels on.
#[wasm_bindgen(js_name = historyEntry, unchecked_return_type = "HistoryEntry")]
pub fn history_entry(
    service: &str,
    place: &str,
    target: &str,
    outcome: &str,
    key: &str,
    issued_key: Option<String>,
    started_at: Option<f64>,
) -> JsValue {
    let at = started_at.unwrap_or_else(js_sys::Date::now).max(0.0) as u64;
    to_js(&HistoryEntry::new(at, service, place, target, outcome, key).with_issued(issued_key.as_deref().unwrap_or("")))
}
