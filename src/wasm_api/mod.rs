//! The functions the extension's JavaScript calls. Each returns plain objects (through
//! serde-wasm-bindgen) and fails with a `{code, message, status?}` object, never a bare
//! string. Keys cross this boundary only inwards: nothing returned here contains one.
//!
//! They come in two sets, so the popup, which a user waits for, gets a module of half the
//! size: [`popup`] holds what the popup calls, and [`background_and_pages`] what only the
//! background and the bulk, options and history pages call. build.sh compiles the core
//! twice: with the default features for those (every export), and with
//! `--no-default-features` for the popup.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::failure::Failure;

mod popup;
pub use popup::*;

#[cfg(feature = "background-and-pages")]
mod background_and_pages;
#[cfg(feature = "background-and-pages")]
pub use background_and_pages::*;

// The shapes of the plain objects the exports return (serde-wasm-bindgen: camelCase
// names, `None` left out as `undefined`), for the declarations `tsc --checkJs` checks every
// extension script against. Each mirrors the Rust type named in its comment: change both.
#[wasm_bindgen(typescript_custom_section)]
const RESULT_TYPES: &str = r#"
/** failure::Failure: what every export rejects or throws with. */
export interface Failure { code: string; message: string; status?: number; requestSent: boolean }
/** popup.rs RegionView */
export interface RegionView { id: string; label: string; apiHost: string; consoleHost: string }
/** popup.rs TargetView */
export interface TargetView { region: string; regionLabel: string; apiHost: string; oid: string }
/** treasure::DataModelSummary */
export interface DataModelSummary { oid: string; name: string; type: string }
/** popup.rs PresetView */
export interface PresetView { seconds: number; label: string; recommended: boolean }
/** history::HistoryEntry */
export interface HistoryEntry { at: number; service: string; place: string; target: string; outcome: string; fingerprint: string; issued?: string; region?: string; oid?: string; name?: string }
/** background_and_pages.rs RotatedView */
export interface RotatedView { key: string; oldKeyFingerprint: string; graceSeconds: number; oldKeyExpiresAt: number }
/** background_and_pages.rs RotationFailure: a failed rotation, with the old key's reminder data. */
export interface RotationFailure extends Failure { oldKeyFingerprint: string; oldKeyExpiresAt: number }
/** databrain::tokens::ListedKeyView */
export interface ListedKeyView { name: string; description?: string; createdAt?: string; maskedKey: string; sinceAttempt: boolean }
/** background_and_pages.rs ListingView: the masked views for the page; `listing` (the keys) for the background only. */
export interface ListingView { views: ListedKeyView[]; listing: string }
/** use_cases::KeyReplaced: a replaced key, with the history record to keep. */
export interface KeyReplaced { model: DataModelSummary; region: string; replacedAt: number; consoleUrl: string; record: HistoryEntry }
/** use_cases::ReplaceKeyFailed: a failed replacement, with its record when a request went out. */
export interface ReplaceKeyFailed extends Failure { record?: HistoryEntry }
/** databrain::NewKey */
export interface NewKey { key: string }
/** databrain::recovery::Recovery */
export interface Recovery { since: number }
/** reminders::Reminder */
export interface Reminder { id?: string; service: string; place: string; label: string; expiresAt: number; leadDays: number[]; fingerprint?: string }
/** reminders::Consumer: a data model that, by Keyturn's history, last received a reminder's key. */
export interface Consumer { region: string; oid: string; name?: string }
/** background_and_pages.rs FireTime */
export interface FireTime { lead: number; when: number }
/** background_and_pages.rs NotificationView */
export interface NotificationView { unit: 'minutes' | 'hours' | 'tomorrow' | 'days'; amount: number; target: string }
/** treasure::builds::BuildCheck */
export interface BuildCheck { verdict: 'built_with_new_key' | 'building' | 'failed_since_replacement' | 'canceled_since_replacement' | 'not_built_since' | 'unreadable'; status?: string; startedAt?: number; message: string }
/** treasure::listing::ListedModel */
export interface ListedModel { region: string; oid: string; name: string; createdBy?: string; updatedBy?: string; lastUpdated?: string; lastBuilt?: string; status?: string; createdAt?: string }
/** background_and_pages.rs LoadView: a load's outcome (the models stay in the core, for the table). */
export interface LoadView { loaded: number; skipped: { position: number; why: string }[] }
/** treasure::table::TableRow: one row of the bulk page's table, with its verdict. */
export interface TableRow { key: string; region?: string; oid?: string; name?: string; createdBy?: string; updatedBy?: string; lastBuilt?: string; source: 'pasted' | 'loaded'; verdict: 'ready' | 'invalid' | 'duplicate' | 'needs_region'; code?: string; why?: string; text?: string }
/** policy::Policy: the administrator's settings, each checked. */
export interface Policy { databrainOrigins: string[]; allowRememberSecrets: boolean; reminderLeadDays?: number[]; treasureRegions: string[]; services: ('treasure' | 'databrain')[]; managed: string[]; invalid: { key: string; message: string }[] }
/** treasure::bulk::Row */
export interface BulkRow { region: string; regionLabel: string; apiHost: string; oid: string; state: 'pending' | 'running' | 'done' | 'failed' | 'skipped'; name?: string; type?: string; code?: string; message?: string; replacedAt?: number; launch: number }
/** treasure::bulk::InvalidLine */
export interface InvalidLine { line: number; text: string; code: string; message: string }
/** treasure::bulk::RunView: the JSON text the bulk exports return, parsed. */
export interface BulkRunView { rows: BulkRow[]; stopped?: string; stoppedCode?: string; invalid: InvalidLine[]; duplicates: number; counts: { done: number; failed: number; remaining: number }; finished: boolean }
"#;

/// The browser's network for the use cases: gloo-net's fetch.
struct Fetch;

impl crate::use_cases::Network for Fetch {
    async fn send(&self, request: &crate::http::ApiRequest, timeout_ms: u32) -> crate::http::Exchange {
        crate::transport::send(request, timeout_ms).await
    }
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    // Plain objects, also for maps (a `#[serde(flatten)]` struct serializes as one).
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).unwrap_or(JsValue::NULL)
}

fn fail(failure: Failure) -> JsValue {
    to_js(&failure)
}
