//! The popup's actions: the requests it sends, each a whole use case. They are in the full
//! core only (feature `full`): the popup is drawn with its own small build
//! ([`super::popup`]), which it compiles as it opens, and loads the full core for these once
//! it is drawn (extension/full-core.js), so its start compiles half the bytes.

use wasm_bindgen::prelude::*;

use super::popup::target_from;
use super::{fail, now_ms, to_js, use_case, Fetch};
use crate::failure::ErrorCode;
use crate::transport;
use crate::treasure::builds::{builds_request, interpret_builds_answer};
use crate::treasure::TreasureKey;
use crate::use_cases::{key_reminders, replace_data_model_key, KeyReminderInput, ReplaceKeyInput};
use crate::REQUEST_TIMEOUT_MS;

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

/// "Remind me before this key expires" after a replacement: the whole use case
/// (`use_cases::key_reminders`) for the `regions` the key was given in and the date
/// Treasure's API Keys page shows (`expiresAt`). Returns the reminders to keep
/// (`Reminder[]`, one per region, tied to the key's fingerprint, never the key) or fails
/// with why.
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
