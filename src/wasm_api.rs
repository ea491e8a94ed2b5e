//! The functions the extension's JavaScript calls. Each returns plain objects (through
//! serde-wasm-bindgen) and fails with a `{code, message, status?}` object, never a bare
//! string. Keys cross this boundary only inwards: nothing returned here contains one.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::failure::{ErrorCode, Failure};
use crate::transport;
use crate::treasure::region::REGIONS;
use crate::treasure::{interpret_replace_answer, parse_console_url, replace_key_request, DataModelTarget, Oid, Region, TreasureKey};
use crate::REQUEST_TIMEOUT_MS;

fn to_js<T: Serialize>(value: &T) -> JsValue {
    serde_wasm_bindgen::to_value(value).unwrap_or(JsValue::NULL)
}

fn fail(failure: Failure) -> JsValue {
    to_js(&failure)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegionView {
    id: &'static str,
    label: &'static str,
    api_host: &'static str,
    console_host: &'static str,
}

#[derive(Serialize)]
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
#[wasm_bindgen(js_name = treasureRegions)]
pub fn treasure_regions() -> JsValue {
    let views: Vec<RegionView> = REGIONS
        .iter()
        .map(|info| RegionView { id: info.id, label: info.label, api_host: info.api_host, console_host: info.console_hosts[0] })
        .collect();
    to_js(&views)
}

/// The data model a tab shows, or `null` when the URL is not a console data model page.
#[wasm_bindgen(js_name = detectDataModelPage)]
pub fn detect_data_model_page(url: &str) -> JsValue {
    parse_console_url(url).map(|target| to_js(&TargetView::from(&target))).unwrap_or(JsValue::NULL)
}

/// A pasted console URL, checked; fails with the reason it is not a data model page.
#[wasm_bindgen(js_name = parseDataModelUrl)]
pub fn parse_data_model_url(url: &str) -> Result<JsValue, JsValue> {
    parse_console_url(url).map(|target| to_js(&TargetView::from(&target))).map_err(fail)
}

/// A region and OID chosen by hand, checked.
#[wasm_bindgen(js_name = dataModelTarget)]
pub fn data_model_target(region: &str, oid: &str) -> Result<JsValue, JsValue> {
    target_from(region, oid).map(|target| to_js(&TargetView::from(&target))).map_err(fail)
}

fn target_from(region: &str, oid: &str) -> Result<DataModelTarget, Failure> {
    let region = Region::from_id(region)
        .ok_or_else(|| Failure::new(ErrorCode::UnknownRegion, "Choose the data model's region: US, EU01, Korea (AP02) or Tokyo."))?;
    Ok(DataModelTarget { region, oid: Oid::parse(oid)? })
}

/// Replaces the data model's Treasure API key with `key` (seed-000). Input is validated
/// before anything is sent; resolves to `{oid, name, type}`.
#[wasm_bindgen(js_name = replaceDataModelKey)]
pub async fn replace_data_model_key(region: String, oid: String, key: String) -> Result<JsValue, JsValue> {
    let target = target_from(&region, &oid).map_err(fail)?;
    let key = TreasureKey::parse(&key).map_err(fail)?;
    let request = replace_key_request(&target, &key);
    let exchange = transport::send(&request, REQUEST_TIMEOUT_MS).await;
    interpret_replace_answer(&target, exchange).map(|summary| to_js(&summary)).map_err(fail)
}
