//! The exports the popup calls: in both builds of the core (see the module above).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{fail, now_ms, to_js, use_case, Fetch};
use crate::databrain::grace::PRESETS;
use crate::databrain::{is_databrain_app_url, GracePeriod, CLOUD_API_ORIGIN};
use crate::failure::{ErrorCode, Failure};
use crate::policy::Policy;
use crate::transport;
use crate::treasure::builds::{builds_request, interpret_builds_answer};
use crate::treasure::region::REGIONS;
use crate::treasure::{parse_console_url, DataModelTarget, Oid, Region, TreasureKey};
use crate::use_cases::{key_reminders, replace_data_model_key, KeyReminderInput, ReplaceKeyInput};
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
    use_case(input, ErrorCode::InvalidUrl, async |input: ReplaceKeyInput| {
        replace_data_model_key(&Fetch, &input, now_ms).await
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

/// "Remind me before this key expires" after a replacement: the whole use case
/// (`use_cases::key_reminders`) for the `regions` the key was given in and the date
/// Treasure's API Keys page shows (`expiresAt`). Returns the reminders to keep
/// (`Reminder[]`, one per region, tied to the key's fingerprint, never the key) or fails
/// with why. Plain arguments, not an object: the popup's build stays smaller without one
/// more input to read.
#[wasm_bindgen(js_name = keyReminders, unchecked_return_type = "Reminder[]")]
pub fn key_reminders_of(
    regions: Vec<String>,
    expires_at: f64,
    key: String,
    managed_json: String,
) -> Result<JsValue, JsValue> {
    let input = KeyReminderInput { regions, expires_at, key, managed_json };
    key_reminders(&input, now_ms()).map(|reminders| to_js(&reminders)).map_err(fail)
}
