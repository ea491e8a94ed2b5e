//! The exports the popup is drawn with: in both builds of the core (see the module above).
//! Its actions (the requests it sends) are in [`super::popup_actions`], in the full core only.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{fail, to_js};
use crate::databrain::grace::PRESETS;
use crate::databrain::{is_databrain_app_url, GracePeriod, CLOUD_API_ORIGIN};
use crate::failure::{ErrorCode, Failure};
use crate::policy::Policy;
use crate::treasure::region::REGIONS;
use crate::treasure::{parse_console_url, DataModelTarget, Oid, Region};

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

pub(super) fn target_from(region: &str, oid: &str) -> Result<DataModelTarget, Failure> {
    let region = Region::from_id(region).ok_or_else(|| {
        Failure::new(ErrorCode::UnknownRegion, "Choose the data model's region: US, EU01, Korea (AP02) or Tokyo.")
    })?;
    Ok(DataModelTarget { region, oid: Oid::parse(oid)? })
}

/// The data model's page in its region's Treasure Console, where the user starts a build.
#[wasm_bindgen(js_name = dataModelConsoleUrl)]
pub fn data_model_console_url(region: &str, oid: &str) -> Result<String, JsValue> {
    target_from(region, oid).map(|target| target.console_url()).map_err(fail)
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
