//! Use cases: one function per user action, doing the whole sequence — read the input,
//! check the administrator's policy, send, read the answer, make the history record — and
//! returning one typed result or one typed failure. The network is a seam ([`Network`]), so
//! a whole use case runs natively in tests against a fake, and in the browser through
//! gloo-net (`transport`). Storing the record is the caller's (the background owns the
//! history), which is why it comes back with the result.

use std::future::Future;

use serde::{Deserialize, Serialize};

use crate::databrain::recovery::{recovery_for, Recovery, OUTCOME_UNKNOWN};
use crate::databrain::tokens::{KeyListing, ListedKeyView};
use crate::databrain::{
    arrange_for_recovery, create_token_request, interpret_create_answer, interpret_list_page, interpret_rotate_answer,
    list_page_request, rotate_request, ApiOrigin, DataAppKey, DataAppName, GracePeriod, KeyLabel, ServiceToken,
};
use crate::failure::{ErrorCode, Failure};
use crate::history::{HistoryEntry, DATABRAIN_SERVICE};
use crate::http::{ApiRequest, Exchange};
use crate::policy::Policy;
use crate::reminders::{Reminder, DEFAULT_LEAD_DAYS};
use crate::treasure::bulk::{BulkRun, ChosenTarget, Counts, InvalidLine, Row, RowState};
use crate::treasure::datamodel::{interpret_replace_answer, replace_key_request, DataModelSummary};
use crate::treasure::{parse_console_url, DataModelTarget, Oid, Region, TreasureKey};
use crate::REQUEST_TIMEOUT_MS;

/// Where requests go out: the browser's fetch, or a test's fake.
pub trait Network {
    /// Sends `request`; the answer, or why none came, within `timeout_ms`.
    fn send(&self, request: &ApiRequest, timeout_ms: u32) -> impl Future<Output = Exchange>;
}

/// What the popup's "Replace key" hands the core: the data model (a pasted console address,
/// or a region and OID), the key, and the managed policy as JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReplaceKeyInput {
    /// A console data model address; when empty, `region` and `oid` are used.
    pub url: String,
    /// The region's id.
    pub region: String,
    /// The OID.
    pub oid: String,
    /// The Master key, as pasted.
    pub key: String,
    /// The managed storage area as JSON (`{}`: no policy).
    pub managed_json: String,
}

/// A replaced key: the data model as Treasure confirmed it, when, where its console page
/// is, and the history record to keep.
#[derive(Debug, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct KeyReplaced {
    /// The data model Treasure answered with (the same OID).
    pub model: DataModelSummary,
    /// The region's id.
    pub region: &'static str,
    /// When the answer arrived (milliseconds): a build counts only if it started after.
    pub replaced_at: u64,
    /// The data model's page in its region's console, where the user builds it.
    pub console_url: String,
    /// The attempt's history record (no key: a fingerprint).
    pub record: HistoryEntry,
}

/// A replacement that failed: the failure, and the history record when a request went out.
#[derive(Debug, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ReplaceKeyFailed {
    /// What went wrong and what to do.
    #[serde(flatten)]
    pub failure: Failure,
    /// The attempt's record, when a request went out (refused input has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub record: Option<HistoryEntry>,
}

impl From<Failure> for ReplaceKeyFailed {
    fn from(failure: Failure) -> Self {
        ReplaceKeyFailed { failure, record: None }
    }
}

/// The data model the input names: the pasted address when there is one.
fn target_of(input: &ReplaceKeyInput) -> Result<DataModelTarget, Failure> {
    let url = input.url.trim();
    if !url.is_empty() {
        return parse_console_url(url);
    }
    let region = Region::from_id(&input.region).ok_or_else(|| {
        Failure::new(ErrorCode::UnknownRegion, "Choose the data model's region: US, EU01, Korea (AP02) or Tokyo.")
    })?;
    Ok(DataModelTarget { region, oid: Oid::parse(&input.oid)? })
}

/// Replaces a data model's Treasure API key (seed-000): everything is checked before
/// anything is sent; one PUT, to the region's API host only, never retried by Keyturn.
/// `now()` gives the time in milliseconds.
pub async fn replace_data_model_key(
    network: &impl Network,
    input: &ReplaceKeyInput,
    now: impl Fn() -> u64,
) -> Result<KeyReplaced, ReplaceKeyFailed> {
    let policy = Policy::read(&input.managed_json);
    policy.check_service("treasure")?;
    let target = target_of(input)?;
    policy.check_region(target.region)?;
    let key = TreasureKey::parse(&input.key)?;
    let exchange = network.send(&replace_key_request(&target, &key), REQUEST_TIMEOUT_MS).await;
    let at = now();
    let record = |name: Option<&str>, outcome: &str| {
        HistoryEntry::data_model(at, target.region, &target.oid, name, outcome, &input.key)
    };
    match interpret_replace_answer(&target, &key, exchange) {
        Ok(model) => Ok(KeyReplaced {
            record: record(Some(&model.name), "success"),
            region: target.region.info().id,
            replaced_at: at,
            console_url: target.console_url(),
            model,
        }),
        Err(failure) => {
            let record = failure.request_sent.then(|| record(None, failure.code.as_str()));
            Err(ReplaceKeyFailed { failure, record })
        }
    }
}

// ---- Databrain: rotating a data app key -----------------------------------------------

/// The grace period as the form gives it: a preset's number or the custom field's text.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum GraceInput {
    /// A preset's seconds.
    Seconds(f64),
    /// The custom field's text.
    Text(String),
}

impl Default for GraceInput {
    fn default() -> Self {
        GraceInput::Text(String::new())
    }
}

impl GraceInput {
    fn period(&self) -> Result<GracePeriod, Failure> {
        match self {
            GraceInput::Seconds(number) => GracePeriod::from_number(*number),
            GraceInput::Text(text) => GracePeriod::parse(text),
        }
    }
}

/// What "Rotate" hands the core: the API origin and the origins the browser granted, the
/// key to rotate (pasted, or the `index` of a listing the background kept), the grace
/// period, the data app's name when given, and the stored history and managed policy as JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RotateInput {
    /// The Databrain API origin chosen.
    pub origin: String,
    /// The extension's granted origin patterns (`permissions.getAll()`).
    pub granted: Vec<String>,
    /// The current key, pasted (unused when `listing` and `index` are given).
    pub key: String,
    /// A kept listing's keys (JSON text), with `index` the one to rotate.
    pub listing: Option<String>,
    /// Which key of `listing`.
    pub index: Option<usize>,
    /// The grace period.
    pub grace: GraceInput,
    /// The user ticked "expire immediately".
    pub confirmed_immediate: bool,
    /// The data app's name, when the user gave it (names the record and the reminder).
    pub app: String,
    /// The stored history (a JSON array), to judge whether a lost answer issued a key.
    pub history_json: String,
    /// The managed storage area as JSON.
    pub managed_json: String,
}

/// A rotated key: the new key (shown to the user and kept until saved), the old key's
/// fingerprint and expiry, the history record and the old key's reminder to keep.
#[derive(Debug, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct KeyRotated {
    /// The new key.
    pub key: String,
    /// The fingerprint of the key that was rotated.
    pub old_key_fingerprint: String,
    /// The grace period sent.
    pub grace_seconds: u64,
    /// When the old key stops working (milliseconds).
    pub old_key_expires_at: f64,
    /// The attempt's record (fingerprints only).
    pub record: HistoryEntry,
    /// The reminder before the old key stops working.
    pub reminder: Reminder,
}

/// A rotation or key creation that failed: the failure, and, when a request went out, its
/// record; when a key was probably issued all the same (a lost answer,
/// `databrain::recovery`), the point to recover from, and for a rotation the old key's reminder.
#[derive(Debug, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct KeyIssueFailed {
    /// What went wrong and what to do.
    #[serde(flatten)]
    pub failure: Failure,
    /// The attempt's record, when a request went out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub record: Option<HistoryEntry>,
    /// Set when the rotation probably happened: recover the key from then on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub recovery: Option<Recovery>,
    /// The old key's reminder, when the rotation probably happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub reminder: Option<Reminder>,
}

impl From<Failure> for KeyIssueFailed {
    fn from(failure: Failure) -> Self {
        KeyIssueFailed { failure, record: None, recovery: None, reminder: None }
    }
}

/// The key at `index` of a kept listing (JSON text of the keys).
pub fn listed_key(listing: &str, index: usize) -> Result<DataAppKey, Failure> {
    let keys: Vec<String> = serde_json::from_str(listing).unwrap_or_default();
    let raw = keys.get(index).ok_or_else(|| {
        Failure::new(ErrorCode::ListingExpired, "That key is no longer listed. List the data app's keys again.")
    })?;
    DataAppKey::parse(raw)
}

/// A rotation or key creation that failed after its request went out, recorded as
/// `attempt`: when the stored history (`history_json`) says a key was probably issued all the
/// same (a lost answer, `databrain::recovery`), the record reads "outcome unknown" until a
/// recovery settles it, and the point to recover from comes with it.
fn failed_attempt(failure: Failure, mut attempt: HistoryEntry, history_json: &str) -> KeyIssueFailed {
    let recovery = recovery_for(failure.code, &attempt, &HistoryEntry::list_from_json(history_json));
    if recovery.is_some() {
        attempt.outcome = OUTCOME_UNKNOWN.to_string();
    }
    KeyIssueFailed { failure, record: Some(attempt), recovery, reminder: None }
}

/// The history's target for a rotation: which key, and which data app when the user said.
fn rotation_target(what: &str, app: &str) -> String {
    match app.trim() {
        "" => format!("{what} (rotation)"),
        app => format!("{what} of data app \"{app}\" (rotation)"),
    }
}

/// Rotates a data app key (seed-003/004): everything is checked before the one POST, which
/// Keyturn never retries (it is not idempotent). `now()` gives the time in milliseconds.
pub async fn rotate_data_app_key(
    network: &impl Network,
    input: &RotateInput,
    now: impl Fn() -> u64,
) -> Result<KeyRotated, KeyIssueFailed> {
    let policy = Policy::read(&input.managed_json);
    policy.check_service("databrain")?;
    let origin = ApiOrigin::resolve(&input.origin, &input.granted)?;
    let (key, what) = match (&input.listing, input.index) {
        (Some(listing), Some(index)) => (listed_key(listing, index)?, "listed data app key"),
        _ => (DataAppKey::parse(&input.key)?, "data app key"),
    };
    let grace = input.grace.period()?.confirm(input.confirmed_immediate)?;
    let started = now();
    let exchange = network.send(&rotate_request(&origin, &key, grace), REQUEST_TIMEOUT_MS).await;
    let target = rotation_target(what, &input.app);
    let record =
        |outcome: &str| HistoryEntry::new(started, DATABRAIN_SERVICE, origin.as_str(), &target, outcome, key.expose());
    let old_key_expires_at = grace.expiry_from(started as f64);
    let reminder = || {
        let lead_days = policy.reminder_lead_days.as_deref();
        Reminder::databrain_old_key(
            origin.as_str(),
            &key.fingerprint(),
            old_key_expires_at as u64,
            lead_days,
            Some(&input.app),
        )
    };
    // Every failure read from an answer (or its absence) comes after the request went out.
    match interpret_rotate_answer(&origin, &key, exchange) {
        Ok(new_key) => Ok(KeyRotated {
            record: record("success").with_issued(&new_key.key),
            reminder: reminder(),
            old_key_fingerprint: key.fingerprint(),
            grace_seconds: grace.seconds(),
            old_key_expires_at,
            key: new_key.key,
        }),
        Err(failure) => {
            let attempt = record(failure.code.as_str());
            let mut failed = failed_attempt(failure, attempt, &input.history_json);
            // The old key probably stops working all the same: remind before it does.
            failed.reminder = failed.recovery.is_some().then(reminder);
            Err(failed)
        }
    }
}

// ---- Databrain: creating a key with a service token ------------------------------------

/// What "Create a new key" hands the core.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateInput {
    /// The Databrain API origin chosen.
    pub origin: String,
    /// The extension's granted origin patterns.
    pub granted: Vec<String>,
    /// The organisation's service token.
    pub token: String,
    /// The data app's exact name.
    pub app: String,
    /// The new key's label.
    pub label: String,
    /// The stored history (a JSON array), to judge whether a lost answer issued a key.
    pub history_json: String,
    /// The managed storage area as JSON.
    pub managed_json: String,
}

/// A created key and its history record.
#[derive(Debug, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct KeyCreated {
    /// The new key.
    pub key: String,
    /// The attempt's record (fingerprints only).
    pub record: HistoryEntry,
}

/// Creates a new key for a data app with a service token. Not idempotent: never retried.
pub async fn create_data_app_key(
    network: &impl Network,
    input: &CreateInput,
    now: impl Fn() -> u64,
) -> Result<KeyCreated, KeyIssueFailed> {
    Policy::read(&input.managed_json).check_service("databrain")?;
    let origin = ApiOrigin::resolve(&input.origin, &input.granted)?;
    let token = ServiceToken::parse(&input.token)?;
    let app = DataAppName::parse(&input.app)?;
    let label = KeyLabel::parse(&input.label)?;
    let started = now();
    let exchange = network.send(&create_token_request(&origin, &token, &app, &label), REQUEST_TIMEOUT_MS).await;
    let target = format!("new key \"{}\" for data app \"{}\"", input.label.trim(), input.app.trim());
    // The record's fingerprint is the created key's: the token is not a data app key.
    let record = |outcome: &str, key: &str| {
        HistoryEntry::new(started, DATABRAIN_SERVICE, origin.as_str(), &target, outcome, key).with_issued(key)
    };
    match interpret_create_answer(&origin, &token, exchange) {
        Ok(new_key) => Ok(KeyCreated { record: record("success", &new_key.key), key: new_key.key }),
        Err(failure) => {
            let attempt = record(failure.code.as_str(), "");
            Err(failed_attempt(failure, attempt, &input.history_json))
        }
    }
}

// ---- Databrain: listing a data app's keys with a service token ------------------------

/// What "List keys" hands the core: the API origin and the granted origins, the service
/// token, the data app's exact name, when recovering a lost key the attempt's time, and the
/// managed policy as JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListKeysInput {
    /// The Databrain API origin chosen.
    pub origin: String,
    /// The extension's granted origin patterns.
    pub granted: Vec<String>,
    /// The organisation's service token.
    pub token: String,
    /// The data app's exact name.
    pub app: String,
    /// To recover a key whose answer was lost: the attempt's time (milliseconds); the keys
    /// created since then come first.
    pub since: Option<f64>,
    /// The managed storage area as JSON.
    pub managed_json: String,
}

/// A data app's keys: the masked views for the page, and the keys as JSON text for the
/// background to keep in storage.session and hand back by index (never to a page).
#[derive(Debug, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct KeysListed {
    /// The keys as the page shows them (their last 4 characters), in the listing's order,
    /// or when recovering, those created since the attempt first.
    pub views: Vec<ListedKeyView>,
    /// The keys themselves, in the order of `views` (JSON text).
    pub listing: String,
}

/// Lists a data app's keys with a service token (seed-005), following every page while
/// pages are full, each answer checked; changes nothing at Databrain.
pub async fn list_data_app_keys(network: &impl Network, input: &ListKeysInput) -> Result<KeysListed, Failure> {
    Policy::read(&input.managed_json).check_service("databrain")?;
    let origin = ApiOrigin::resolve(&input.origin, &input.granted)?;
    let token = ServiceToken::parse(&input.token)?;
    let app = DataAppName::parse(&input.app)?;
    let mut listing = KeyListing::default();
    let mut page = Some(1);
    while let Some(number) = page {
        let exchange = network.send(&list_page_request(&origin, &token, &app, number), REQUEST_TIMEOUT_MS).await;
        page = listing.add_page(interpret_list_page(&origin, &token, exchange)?);
    }
    let arranged: Vec<(DataAppKey, ListedKeyView)> = match input.since {
        Some(since) => arrange_for_recovery(listing.keys, since.max(0.0) as u64)
            .into_iter()
            .map(|(listed, view)| (listed.key, view))
            .collect(),
        None => listing
            .keys
            .into_iter()
            .map(|listed| {
                let view = listed.view();
                (listed.key, view)
            })
            .collect(),
    };
    let (keys, views): (Vec<DataAppKey>, Vec<ListedKeyView>) = arranged.into_iter().unzip();
    let keys: Vec<&str> = keys.iter().map(DataAppKey::expose).collect();
    Ok(KeysListed { views, listing: serde_json::to_string(&keys).unwrap_or_default() })
}

// ---- Databrain: recovering a key whose answer was lost ---------------------------------

/// What "Use this key" hands the core after a listing made to recover a lost key: the API
/// origin and the granted origins, the kept listing (JSON text of its keys) and the index of
/// the key the user chose, and the managed policy as JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RecoverInput {
    /// The Databrain API origin the listing was made at.
    pub origin: String,
    /// The extension's granted origin patterns.
    pub granted: Vec<String>,
    /// The kept listing's keys (JSON text).
    pub listing: String,
    /// Which key of `listing` the user chose.
    pub index: usize,
    /// The managed storage area as JSON.
    pub managed_json: String,
}

/// A recovered key (kept like a new key until the user saved it) and its history record.
#[derive(Debug, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct KeyRecovered {
    /// The key the user chose as the one the lost answer carried.
    pub key: String,
    /// The recovery's record (the recovered key's fingerprint only).
    pub record: HistoryEntry,
}

/// The history's target of a recovery.
pub const RECOVERY_TARGET: &str = "data app key recovered (service token listing)";

/// Recovers a key whose answer was lost (`databrain::recovery`): the key the user chose from
/// a kept listing, and its record. Sends nothing: the listing was the request. `now` is the
/// time in milliseconds.
pub fn recover_listed_key(input: &RecoverInput, now: u64) -> Result<KeyRecovered, Failure> {
    Policy::read(&input.managed_json).check_service("databrain")?;
    let origin = ApiOrigin::resolve(&input.origin, &input.granted)?;
    let key = listed_key(&input.listing, input.index)?;
    // No key was used to issue it (a service token listed it): only the issued fingerprint.
    let record = HistoryEntry::new(now, DATABRAIN_SERVICE, origin.as_str(), RECOVERY_TARGET, "success", "")
        .with_issued(key.expose());
    Ok(KeyRecovered { key: key.expose().to_string(), record })
}

// ---- Treasure: a reminder before the key just given expires ----------------------------

/// What "Remind me before this key expires" hands the core after a replacement in the
/// popup: the regions the key was given in, the expiry date, the key and the managed policy
/// as JSON.
#[derive(Debug, Clone, Default)]
pub struct KeyReminderInput {
    /// Regions the key was given in.
    pub regions: Vec<String>,
    /// The expiry date's first millisecond, as the date field gives it (0: none entered).
    pub expires_at: f64,
    /// The key given (reduced to its fingerprint here).
    pub key: String,
    /// The managed storage area as JSON.
    pub managed_json: String,
}

fn unreadable_run() -> Failure {
    Failure::new(ErrorCode::UnexpectedResponse, "That run could not be read back. Start a new run.")
}

/// The reminders to keep before a Treasure key expires: one per region it was given in,
/// each in order once, tied to the key's fingerprint (never the key), firing the policy's
/// lead times or the defaults. None when no region received the key. `now` is the time in
/// milliseconds.
pub fn key_reminders(input: &KeyReminderInput, now: u64) -> Result<Vec<Reminder>, Failure> {
    let policy = Policy::read(&input.managed_json);
    policy.check_service("treasure")?;
    let key = TreasureKey::parse(&input.key)?;
    let lead_days = policy.reminder_lead_days.as_deref().unwrap_or(&DEFAULT_LEAD_DAYS);
    let lead_days = lead_days.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let expires_at = input.expires_at.max(0.0) as u64;
    let mut reminders: Vec<Reminder> = Vec::new();
    for region in &input.regions {
        if reminders.iter().any(|kept| kept.place.eq_ignore_ascii_case(region.trim())) {
            continue;
        }
        // An unknown region is refused by the reminder itself.
        if let Some(offered) = Region::from_id(region) {
            policy.check_region(offered)?;
        }
        reminders.push(Reminder::treasure(region, "", expires_at, &lead_days, now, Some(key.fingerprint()))?);
    }
    Ok(reminders)
}

/// What "Remind me before this key expires" hands the core after a bulk run: the run (JSON,
/// the core's `BulkRun`, as the page shows it), the expiry date, the key and the managed
/// policy as JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RunReminderInput {
    /// The run: the regions of its replaced rows are where the key was given.
    pub run: String,
    /// The expiry date's first millisecond, as the date field gives it (0: none entered).
    pub expires_at: f64,
    /// The key given (reduced to its fingerprint here).
    pub key: String,
    /// The managed storage area as JSON.
    pub managed_json: String,
}

/// The reminders to keep before the key a bulk run gave expires: as [`key_reminders`], for
/// the regions of the run's replaced rows (a use case of its own, so the popup's build
/// leaves out reading runs).
pub fn bulk_run_reminders(input: &RunReminderInput, now: u64) -> Result<Vec<Reminder>, Failure> {
    let run = BulkRun::from_json(&input.run).ok_or_else(unreadable_run)?;
    let given = KeyReminderInput {
        regions: run.replaced_regions(),
        expires_at: input.expires_at,
        key: input.key.clone(),
        managed_json: input.managed_json.clone(),
    };
    key_reminders(&given, now)
}

// ---- Treasure: many data models at once ------------------------------------------------

/// What "Replace" on the bulk page hands the core: the ticked, ready rows of the table,
/// the key and the managed policy as JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StartBulkInput {
    /// The data models chosen, `[{region, oid}]`.
    pub targets: Vec<ChosenTarget>,
    /// The Master key, as pasted (checked here; the caller sends with it).
    pub key: String,
    /// The managed storage area as JSON.
    pub managed_json: String,
}

/// What "Retry failed" hands the core: the job's rows as its journal keeps them (JSON,
/// `{rows}`), the launch that ended, the key and the managed policy as JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RetryBulkInput {
    /// The job's run (JSON, the core's `BulkRun`).
    pub run: String,
    /// The job's last launch (1 for the first).
    pub launch: u32,
    /// The Master key, as pasted.
    pub key: String,
    /// The managed storage area as JSON.
    pub managed_json: String,
}

/// A launch of a bulk job, planned: what its journal starts from. Holds no key.
#[derive(Debug, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct BulkLaunch {
    /// Which launch of the job this is: 1 for the first, one more per retry.
    pub launch: u32,
    /// Every row of the job, as it stands before anything of this launch is sent.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "BulkRow[]"))] // Row's declared name
    pub rows: Vec<Row>,
    /// The counts: `remaining` is what this launch sends (none: the job is finished).
    pub counts: Counts,
    /// The chosen rows that could not be read, with why (none on a retry).
    pub invalid: Vec<InvalidLine>,
    /// How many chosen rows repeated a data model already in the job (none on a retry).
    pub duplicates: usize,
}

impl BulkLaunch {
    fn of(run: BulkRun, launch: u32) -> BulkLaunch {
        BulkLaunch { launch, counts: run.counts(), rows: run.rows, invalid: run.invalid, duplicates: run.duplicates }
    }
}

/// Plans a bulk job's first launch: the key is checked (the caller keeps it for the job's
/// life and sends with it), each chosen data model is checked again (region, UUID, the
/// policy's regions), duplicates removed. Sends nothing.
pub fn start_bulk_run(input: &StartBulkInput) -> Result<BulkLaunch, Failure> {
    let policy = Policy::read(&input.managed_json);
    policy.check_service("treasure")?;
    TreasureKey::parse(&input.key)?;
    Ok(BulkLaunch::of(BulkRun::plan_targets(&input.targets, &policy), 1))
}

/// Plans "Retry failed", a new launch of the same job: the key is checked, failed and
/// skipped rows are pending again (the PUT is idempotent), except those in a region the
/// policy no longer offers, and workflow projects once the policy switched them off, which
/// fail with why. Sends nothing.
pub fn retry_bulk_run(input: &RetryBulkInput) -> Result<BulkLaunch, Failure> {
    let policy = Policy::read(&input.managed_json);
    policy.check_service("treasure")?;
    TreasureKey::parse(&input.key)?;
    let mut run = BulkRun::from_json(&input.run).ok_or_else(unreadable_run)?;
    run.retry_failed();
    for row in run.rows.iter_mut().filter(|row| row.state == RowState::Pending) {
        let refused = Region::from_id(&row.region).map(|region| {
            policy.check_region(region)?;
            match row.project_id {
                Some(_) => crate::treasure::workflow_load::check_enabled(&policy),
                None => Ok(()),
            }
        });
        if let Some(Err(failure)) = refused {
            row.state = RowState::Failed;
            row.code = Some(failure.code.as_str().to_string());
            row.message = Some(failure.message);
        }
    }
    Ok(BulkLaunch::of(run, input.launch.saturating_add(1)))
}

/// What the background hands the core when a bulk job's launch has ended: the job's rows as
/// its journal keeps them (JSON, `{rows}`), the launch, and the key it sent (`""` when lost).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BulkHistoryInput {
    /// The job's run (JSON, the core's `BulkRun`).
    pub run: String,
    /// The launch that ended.
    pub launch: u32,
    /// The key the launch sent (reduced to its fingerprint here).
    pub key: String,
}

/// The history records of a launch that ended: one per row it sent that got an answer
/// (replaced, or failed with its code), newest first as the history keeps them (the run's
/// last row first): a data model by its OID, a workflow project by its id. Rows that no longer
/// read as either are left out. `now` is the time
/// in milliseconds.
pub fn bulk_run_history(input: &BulkHistoryInput, now: u64) -> Result<Vec<HistoryEntry>, Failure> {
    let run = BulkRun::from_json(&input.run).ok_or_else(unreadable_run)?;
    let records = run.rows.iter().enumerate().rev().filter(|(_, row)| row.launch == input.launch);
    Ok(records
        .filter_map(|(index, row)| {
            let outcome = match row.state {
                RowState::Done => "success",
                RowState::Failed => row.code.as_deref().unwrap_or("failed"),
                RowState::Pending | RowState::Running | RowState::Skipped => return None,
            };
            let name = row.name.as_deref().filter(|name| !name.is_empty());
            if row.project_id.is_some() {
                let (region, id) = run.project_target(index)?;
                return Some(HistoryEntry::workflow_project(now, region, id, name, outcome, &input.key));
            }
            let target = run.target(index)?;
            Some(HistoryEntry::data_model(now, target.region, &target.oid, name, outcome, &input.key))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{ApiResponse, Method, TransportFailure};
    use std::cell::RefCell;

    const OID: &str = "93d34997-1b2c-4d5e-8f90-000000000001";
    const KEY: &str = "1234/0123456789abcdef0123456789abcdef01234567";

    /// Answers every request with `answer` and keeps what was sent.
    struct FakeNetwork {
        answer: Exchange,
        sent: RefCell<Vec<ApiRequest>>,
    }

    impl FakeNetwork {
        fn answering(status: u16, body: &str) -> FakeNetwork {
            let response = ApiResponse { status, content_type: Some("application/json".into()), body: body.into() };
            FakeNetwork { answer: Ok(response), sent: RefCell::new(Vec::new()) }
        }
    }

    impl Network for FakeNetwork {
        async fn send(&self, request: &ApiRequest, _timeout_ms: u32) -> Exchange {
            self.sent.borrow_mut().push(request.clone());
            self.answer.clone()
        }
    }

    /// Runs a future that never waits (the fake answers at once).
    fn run<F: Future>(future: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut context = std::task::Context::from_waker(waker);
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("the fake network never waits"),
        }
    }

    fn input(url: &str) -> ReplaceKeyInput {
        ReplaceKeyInput { url: url.into(), key: KEY.into(), managed_json: "{}".into(), ..ReplaceKeyInput::default() }
    }

    fn console(host: &str) -> String {
        format!("https://{host}/app/admin/datamodels/{OID}")
    }

    #[test]
    fn replaces_with_one_put_to_the_regions_host_and_returns_the_record() {
        let network = FakeNetwork::answering(200, &format!(r#"{{"oid":"{OID}","name":"sales","type":"elasticube"}}"#));
        let done =
            run(replace_data_model_key(&network, &input(&console("console.eu01.treasuredata.com")), || 7)).unwrap();
        let sent = network.sent.borrow();
        assert_eq!(sent.len(), 1);
        assert_eq!(
            (sent[0].method, sent[0].url.as_str()),
            (Method::Put, format!("https://api.eu01.treasuredata.com/reporting/datamodels/{OID}").as_str())
        );
        assert_eq!(sent[0].header("authorization"), Some(format!("TD1 {KEY}").as_str()));
        assert_eq!((done.model.name.as_str(), done.region, done.replaced_at), ("sales", "eu01", 7));
        assert_eq!(done.console_url, console("console.eu01.treasuredata.com"));
        let model = done.record.data_model.as_ref().unwrap();
        assert_eq!((model.region.as_str(), model.oid.as_str(), model.name.as_deref()), ("eu01", OID, Some("sales")));
        assert_eq!(
            (done.record.outcome.as_str(), done.record.fingerprint.as_str(), done.record.at),
            ("success", "…4567", 7)
        );
        assert!(!serde_json::to_string(&done).unwrap().contains(&KEY[5..]), "no key in what crosses to the page");
    }

    #[test]
    fn a_region_or_oid_chosen_by_hand_is_used_when_nothing_is_pasted() {
        let network = FakeNetwork::answering(200, &format!(r#"{{"oid":"{OID}","name":"jp","type":"t"}}"#));
        let by_hand = ReplaceKeyInput { region: "tokyo".into(), oid: OID.into(), ..input("  ") };
        run(replace_data_model_key(&network, &by_hand, || 1)).unwrap();
        assert!(network.sent.borrow()[0].url.starts_with("https://api.treasuredata.co.jp/"));
    }

    #[test]
    fn refused_input_and_policy_send_nothing_and_record_nothing() {
        let cases = [
            (
                input("https://console.treasuredata.com.evil.example/app/admin/datamodels/x"),
                ErrorCode::UnknownConsoleHost,
            ),
            (
                ReplaceKeyInput { key: "TD1 ".into(), ..input(&console("console.treasuredata.com")) },
                ErrorCode::EmptyKey,
            ),
            (ReplaceKeyInput { region: "mars".into(), ..input("") }, ErrorCode::UnknownRegion),
            (
                ReplaceKeyInput {
                    managed_json: r#"{"treasureRegions":["us"]}"#.into(),
                    ..input(&console("console.eu01.treasuredata.com"))
                },
                ErrorCode::RegionNotEnabled,
            ),
            (
                ReplaceKeyInput {
                    managed_json: r#"{"services":["databrain"]}"#.into(),
                    ..input(&console("console.treasuredata.com"))
                },
                ErrorCode::ServiceNotEnabled,
            ),
        ];
        for (given, code) in cases {
            let network = FakeNetwork::answering(200, "{}");
            let failed = run(replace_data_model_key(&network, &given, || 1)).unwrap_err();
            assert_eq!(failed.failure.code, code, "{given:?}");
            assert!(failed.record.is_none() && !failed.failure.request_sent);
            assert!(network.sent.borrow().is_empty(), "nothing is sent for {code:?}");
        }
    }

    #[test]
    fn a_failed_answer_is_recorded_with_its_code_and_no_name() {
        let network = FakeNetwork::answering(401, r#"{"error":"Unauthorized"}"#);
        let failed =
            run(replace_data_model_key(&network, &input(&console("console.treasuredata.com")), || 3)).unwrap_err();
        assert_eq!(failed.failure.code, ErrorCode::Unauthorized);
        let record = failed.record.unwrap();
        assert_eq!((record.outcome.as_str(), record.data_model.unwrap().name), ("UNAUTHORIZED", None));
        let timeout = FakeNetwork { answer: Err(TransportFailure::Timeout), sent: RefCell::new(Vec::new()) };
        let failed =
            run(replace_data_model_key(&timeout, &input(&console("console.treasuredata.com")), || 3)).unwrap_err();
        assert_eq!(
            (failed.failure.code, failed.record.map(|record| record.outcome)),
            (ErrorCode::Timeout, Some("TIMEOUT".into()))
        );
    }

    // ---- Databrain rotation ----

    const CLOUD: &str = "https://api.usedatabrain.com";
    const APP_KEY: &str = "550e8400-e29b-41d4-a716-446655440001";
    const NEW_KEY: &str = "550e8400-e29b-41d4-a716-44665544abcd";

    fn rotation(key: &str) -> RotateInput {
        RotateInput {
            origin: CLOUD.into(),
            key: key.into(),
            grace: GraceInput::Seconds(3600.0),
            app: "Sales".into(),
            history_json: "[]".into(),
            managed_json: "{}".into(),
            ..RotateInput::default()
        }
    }

    #[test]
    fn a_rotation_sends_one_post_and_returns_the_new_key_its_record_and_the_old_keys_reminder() {
        let network = FakeNetwork::answering(200, &format!(r#"{{"key":"{NEW_KEY}"}}"#));
        let done = run(rotate_data_app_key(&network, &rotation(APP_KEY), || 1_000_000)).unwrap();
        let sent = network.sent.borrow();
        assert_eq!((sent.len(), sent[0].method), (1, Method::Post));
        assert_eq!(sent[0].url, format!("{CLOUD}/api/v2/data-app/rotate-api"));
        assert_eq!(sent[0].header("authorization"), Some(format!("Bearer {APP_KEY}").as_str()));
        assert_eq!(sent[0].body.as_deref(), Some(r#"{"expireAt":3600}"#));
        assert_eq!((done.key.as_str(), done.grace_seconds, done.old_key_expires_at), (NEW_KEY, 3600, 4_600_000.0));
        assert_eq!(done.record.target, "data app key of data app \"Sales\" (rotation)");
        assert_eq!(
            (done.record.outcome.as_str(), done.record.fingerprint.as_str(), done.record.issued.as_str()),
            ("success", "…0001", "…abcd")
        );
        assert_eq!((done.reminder.place.as_str(), done.reminder.expires_at), (CLOUD, 4_600_000));
        assert!(done.reminder.label.contains("Sales"));
    }

    #[test]
    fn a_listed_key_rotates_by_index_and_a_listing_that_is_gone_says_to_list_again() {
        let listing = serde_json::to_string(&["550e8400-e29b-41d4-a716-446655440009", APP_KEY]).unwrap();
        let network = FakeNetwork::answering(200, &format!(r#"{{"key":"{NEW_KEY}"}}"#));
        let listed = RotateInput { listing: Some(listing.clone()), index: Some(1), ..rotation("") };
        let done = run(rotate_data_app_key(&network, &listed, || 1)).unwrap();
        assert_eq!(network.sent.borrow()[0].header("authorization"), Some(format!("Bearer {APP_KEY}").as_str()));
        assert!(done.record.target.starts_with("listed data app key"));
        let gone = RotateInput { listing: Some(listing), index: Some(2), ..rotation("") };
        let failed = run(rotate_data_app_key(&network, &gone, || 1)).unwrap_err();
        assert_eq!(failed.failure.code, ErrorCode::ListingExpired);
        assert_eq!(network.sent.borrow().len(), 1, "nothing more was sent");
    }

    #[test]
    fn refused_rotations_send_nothing() {
        let cases = [
            (rotation("not-a-key"), ErrorCode::MalformedKey),
            (
                RotateInput { origin: "https://databrain.example.com".into(), ..rotation(APP_KEY) },
                ErrorCode::OriginNotGranted,
            ),
            (RotateInput { grace: GraceInput::Text("-5".into()), ..rotation(APP_KEY) }, ErrorCode::InvalidGracePeriod),
            (
                RotateInput { grace: GraceInput::Seconds(0.0), ..rotation(APP_KEY) },
                ErrorCode::ImmediateExpiryNotConfirmed,
            ),
            (
                RotateInput { managed_json: r#"{"services":["treasure"]}"#.into(), ..rotation(APP_KEY) },
                ErrorCode::ServiceNotEnabled,
            ),
        ];
        for (given, code) in cases {
            let network = FakeNetwork::answering(200, "{}");
            let failed = run(rotate_data_app_key(&network, &given, || 1)).unwrap_err();
            assert_eq!(failed.failure.code, code);
            assert!(failed.record.is_none() && failed.recovery.is_none() && failed.reminder.is_none());
            assert!(network.sent.borrow().is_empty(), "nothing is sent for {code:?}");
        }
    }

    #[test]
    fn a_lost_answer_is_recorded_as_outcome_unknown_with_the_recovery_offer_and_the_old_keys_reminder() {
        let lost = FakeNetwork { answer: Err(TransportFailure::Network), sent: RefCell::new(Vec::new()) };
        let failed = run(rotate_data_app_key(&lost, &rotation(APP_KEY), || 5_000)).unwrap_err();
        assert_eq!(failed.failure.code, ErrorCode::OutcomeUnknown);
        assert_eq!(failed.record.as_ref().map(|record| record.outcome.as_str()), Some(OUTCOME_UNKNOWN));
        assert_eq!(failed.recovery.map(|recovery| recovery.since), Some(5_000));
        assert!(failed.reminder.is_some(), "the old key probably stops working: remind before it does");
        // A plain refusal of a key Keyturn never touched: recorded with its code, nothing to recover.
        let refused = FakeNetwork::answering(401, r#"{"error":{"code":"INVALID_DATA_APP_API_KEY","message":"bad"}}"#);
        let failed = run(rotate_data_app_key(&refused, &rotation(APP_KEY), || 5_000)).unwrap_err();
        assert_eq!(failed.failure.code, ErrorCode::InvalidDataAppApiKey);
        assert_eq!(failed.record.map(|record| record.outcome), Some("INVALID_DATA_APP_API_KEY".to_string()));
        assert!(failed.recovery.is_none() && failed.reminder.is_none());
    }

    #[test]
    fn a_key_creation_is_one_post_with_the_token_recorded_by_the_new_keys_fingerprint() {
        let network = FakeNetwork::answering(200, &format!(r#"{{"key":"{NEW_KEY}"}}"#));
        let input = CreateInput {
            origin: CLOUD.into(),
            token: TOKEN.into(),
            app: "Sales".into(),
            label: "prod".into(),
            history_json: "[]".into(),
            managed_json: "{}".into(),
            ..CreateInput::default()
        };
        match run(create_data_app_key(&network, &input, || 9)) {
            Ok(created) => {
                assert_eq!(network.sent.borrow().len(), 1);
                assert_eq!(network.sent.borrow()[0].method, Method::Post);
                assert_eq!(created.key, NEW_KEY);
                assert_eq!((created.record.fingerprint.as_str(), created.record.issued.as_str()), ("…abcd", "…abcd"));
                assert_eq!(created.record.target, "new key \"prod\" for data app \"Sales\"");
            }
            // A token shape this test does not know is refused before anything is sent.
            Err(failed) => {
                assert!(network.sent.borrow().is_empty());
                panic!("refused: {:?}", failed.failure);
            }
        }
        let lost = FakeNetwork { answer: Err(TransportFailure::Timeout), sent: RefCell::new(Vec::new()) };
        let failed = run(create_data_app_key(&lost, &input, || 9)).unwrap_err();
        assert_eq!(failed.record.map(|record| record.outcome), Some(OUTCOME_UNKNOWN.to_string()));
        assert_eq!(failed.recovery.map(|recovery| recovery.since), Some(9));
        assert!(failed.reminder.is_none(), "a creation rotates no old key");
    }

    // ---- recovering a listed key ----

    fn recovery_input(index: usize) -> RecoverInput {
        let listing = serde_json::to_string(&["550e8400-e29b-41d4-a716-446655440009", NEW_KEY]).unwrap();
        RecoverInput { origin: CLOUD.into(), listing, index, managed_json: "{}".into(), ..RecoverInput::default() }
    }

    #[test]
    fn a_recovered_key_comes_with_its_record_by_the_issued_fingerprint() {
        let done = recover_listed_key(&recovery_input(1), 42).unwrap();
        assert_eq!(done.key, NEW_KEY);
        let record = &done.record;
        assert_eq!((record.at, record.service.as_str(), record.place.as_str()), (42, "Databrain", CLOUD));
        assert_eq!((record.target.as_str(), record.outcome.as_str()), (RECOVERY_TARGET, "success"));
        assert_eq!((record.fingerprint.as_str(), record.issued.as_str()), ("-", "…abcd"));
        assert!(!serde_json::to_string(record).unwrap().contains(NEW_KEY), "the record holds no key");
    }

    #[test]
    fn a_recovery_is_refused_for_a_key_no_longer_listed_an_origin_not_granted_or_a_service_not_offered() {
        let cases = [
            (recovery_input(2), ErrorCode::ListingExpired),
            (RecoverInput { listing: "not json".into(), ..recovery_input(0) }, ErrorCode::ListingExpired),
            (
                RecoverInput { origin: "https://databrain.example.com".into(), ..recovery_input(1) },
                ErrorCode::OriginNotGranted,
            ),
            (
                RecoverInput { managed_json: r#"{"services":["treasure"]}"#.into(), ..recovery_input(1) },
                ErrorCode::ServiceNotEnabled,
            ),
        ];
        for (given, code) in cases {
            assert_eq!(recover_listed_key(&given, 1).unwrap_err().code, code, "{given:?}");
        }
        let granted = RecoverInput {
            origin: "https://databrain.example.com".into(),
            granted: vec!["https://databrain.example.com/*".into()],
            ..recovery_input(1)
        };
        assert_eq!(recover_listed_key(&granted, 1).unwrap().record.place, "https://databrain.example.com");
    }

    // ---- reminders after a replacement ----

    const DAY: u64 = 86_400_000;

    fn reminder_input(regions: &[&str]) -> KeyReminderInput {
        KeyReminderInput {
            regions: regions.iter().map(|region| region.to_string()).collect(),
            expires_at: (30 * DAY) as f64,
            key: KEY.into(),
            managed_json: "{}".into(),
        }
    }

    #[test]
    fn a_reminder_per_region_tied_to_the_keys_fingerprint_with_the_default_or_the_policys_lead_days() {
        let reminders = key_reminders(&reminder_input(&["eu01", "tokyo", "EU01"]), DAY).unwrap();
        let places: Vec<&str> = reminders.iter().map(|reminder| reminder.place.as_str()).collect();
        assert_eq!(places, ["eu01", "tokyo"], "each region once");
        let first = &reminders[0];
        assert_eq!(
            (first.service.as_str(), first.expires_at, first.lead_days.as_slice()),
            ("Treasure", 30 * DAY, &[7, 1][..])
        );
        assert_eq!((first.fingerprint.as_deref(), first.label.as_str()), (Some("…4567"), "Master key …4567"));
        let managed =
            KeyReminderInput { managed_json: r#"{"reminderLeadDays":[14,3]}"#.into(), ..reminder_input(&["us"]) };
        assert_eq!(key_reminders(&managed, DAY).unwrap()[0].lead_days, [14, 3]);
    }

    #[test]
    fn a_bulk_runs_reminders_are_for_the_regions_of_its_replaced_rows() {
        let row = |region: &str, oid: &str, state: &str| {
            format!(
                r#"{{"region":"{region}","regionLabel":"x","apiHost":"h","oid":"{oid}","state":"{state}","launch":1}}"#
            )
        };
        let run = format!(
            r#"{{"rows":[{},{},{},{}]}}"#,
            row("ap02", OID, "failed"),
            row("tokyo", OID, "done"),
            row("us", OID, "done"),
            row("tokyo", "93d34997-1b2c-4d5e-8f90-000000000002", "done")
        );
        let input = RunReminderInput {
            run,
            expires_at: (30 * DAY) as f64,
            key: KEY.into(),
            managed_json: r#"{"reminderLeadDays":[2]}"#.into(),
        };
        let reminders = bulk_run_reminders(&input, DAY).unwrap();
        let places: Vec<&str> = reminders.iter().map(|reminder| reminder.place.as_str()).collect();
        assert_eq!(places, ["tokyo", "us"]);
        assert_eq!(
            (reminders[1].expires_at, reminders[1].lead_days.as_slice(), reminders[1].fingerprint.as_deref()),
            (30 * DAY, &[2][..], Some("…4567"))
        );
        let none = RunReminderInput { run: r#"{"rows":[]}"#.into(), ..input.clone() };
        assert!(bulk_run_reminders(&none, DAY).unwrap().is_empty(), "no region: nothing to remind");
        let unreadable = RunReminderInput { run: "[".into(), ..input };
        assert_eq!(bulk_run_reminders(&unreadable, DAY).unwrap_err().code, ErrorCode::UnexpectedResponse);
    }

    #[test]
    fn a_reminder_is_refused_for_a_date_passed_lead_days_a_key_or_a_region_it_cannot_be_for() {
        let cases = [
            (KeyReminderInput { expires_at: 0.0, ..reminder_input(&["us"]) }, ErrorCode::InvalidReminderDate),
            (KeyReminderInput { expires_at: DAY as f64, ..reminder_input(&["us"]) }, ErrorCode::InvalidReminderDate),
            (
                KeyReminderInput {
                    managed_json: r#"{"reminderLeadDays":[]}"#.into(),
                    expires_at: -1.0,
                    ..reminder_input(&["us"])
                },
                ErrorCode::InvalidReminderDate,
            ),
            (KeyReminderInput { key: "1234/nothex".into(), ..reminder_input(&["us"]) }, ErrorCode::MalformedKey),
            (reminder_input(&["mars"]), ErrorCode::UnknownRegion),
            (
                KeyReminderInput {
                    managed_json: r#"{"treasureRegions":["us"]}"#.into(),
                    ..reminder_input(&["us", "eu01"])
                },
                ErrorCode::RegionNotEnabled,
            ),
            (
                KeyReminderInput { managed_json: r#"{"services":["databrain"]}"#.into(), ..reminder_input(&["us"]) },
                ErrorCode::ServiceNotEnabled,
            ),
        ];
        for (given, code) in cases {
            assert_eq!(key_reminders(&given, DAY).unwrap_err().code, code, "{given:?}");
        }
    }

    // ---- bulk jobs ----

    const OID2: &str = "93d34997-1b2c-4d5e-8f90-000000000002";

    fn chosen(region: &str, oid: &str) -> ChosenTarget {
        ChosenTarget { region: region.into(), oid: oid.into(), project_id: None, name: None }
    }

    fn start_input(targets: Vec<ChosenTarget>) -> StartBulkInput {
        StartBulkInput { targets, key: KEY.into(), managed_json: "{}".into() }
    }

    #[test]
    fn a_bulk_start_checks_the_key_and_plans_the_first_launch_with_its_invalid_rows_and_duplicates() {
        let plan = start_bulk_run(&start_input(vec![
            chosen("eu01", OID),
            chosen("us", OID2),
            chosen("eu01", OID),
            chosen("mars", OID),
            chosen("us", "not-a-uuid"),
        ]))
        .unwrap();
        assert_eq!(plan.launch, 1);
        let rows: Vec<(&str, &str, RowState)> =
            plan.rows.iter().map(|row| (row.region.as_str(), row.oid.as_str(), row.state)).collect();
        assert_eq!(rows, [("eu01", OID, RowState::Pending), ("us", OID2, RowState::Pending)]);
        assert_eq!(plan.counts, Counts { done: 0, failed: 0, remaining: 2 });
        assert_eq!(plan.duplicates, 1);
        let invalid: Vec<(usize, &str)> = plan.invalid.iter().map(|line| (line.line, line.code.as_str())).collect();
        assert_eq!(invalid, [(4, "INVALID_OID"), (5, "INVALID_OID")], "kept as given, refused with why");
        let regions = StartBulkInput {
            managed_json: r#"{"treasureRegions":["us"]}"#.into(),
            ..start_input(vec![chosen("eu01", OID)])
        };
        let plan = start_bulk_run(&regions).unwrap();
        assert_eq!((plan.rows.len(), plan.invalid[0].code.as_str()), (0, "REGION_NOT_ENABLED"));
    }

    #[test]
    fn a_bulk_start_or_retry_is_refused_for_a_malformed_key_or_a_service_not_offered() {
        let bad_key = StartBulkInput { key: "TD1 ".into(), ..start_input(vec![chosen("us", OID)]) };
        assert_eq!(start_bulk_run(&bad_key).unwrap_err().code, ErrorCode::EmptyKey);
        let off = StartBulkInput { managed_json: r#"{"services":["databrain"]}"#.into(), ..start_input(vec![]) };
        assert_eq!(start_bulk_run(&off).unwrap_err().code, ErrorCode::ServiceNotEnabled);
        let retry = |key: &str, managed: &str, run: &str| RetryBulkInput {
            run: run.into(),
            launch: 1,
            key: key.into(),
            managed_json: managed.into(),
        };
        assert_eq!(retry_bulk_run(&retry("1/x", "{}", r#"{"rows":[]}"#)).unwrap_err().code, ErrorCode::MalformedKey);
        let off = retry(KEY, r#"{"services":["databrain"]}"#, r#"{"rows":[]}"#);
        assert_eq!(retry_bulk_run(&off).unwrap_err().code, ErrorCode::ServiceNotEnabled);
        assert_eq!(retry_bulk_run(&retry(KEY, "{}", "{")).unwrap_err().code, ErrorCode::UnexpectedResponse);
    }

    fn journal_row(region: &str, oid: &str, state: RowState, launch: u32) -> Row {
        let info = Region::from_id(region).unwrap().info();
        let failed = state == RowState::Failed;
        Row {
            region: region.into(),
            region_label: info.label.into(),
            api_host: info.api_host.into(),
            oid: oid.into(),
            project_id: None,
            state,
            name: (state == RowState::Done).then(|| format!("model {oid}")),
            kind: None,
            code: failed.then(|| "UNAUTHORIZED".into()),
            message: failed.then(|| "refused".into()),
            replaced_at: None,
            launch,
        }
    }

    fn journal(rows: Vec<Row>) -> String {
        BulkRun { rows, stopped: Some("stopped".into()), stopped_code: None, invalid: Vec::new(), duplicates: 0 }
            .to_json()
    }

    #[test]
    fn a_retry_fails_project_rows_once_the_policy_switched_workflow_projects_off() {
        let mut project = journal_row("us", OID2, RowState::Failed, 1);
        project.oid = String::new();
        project.project_id = Some("4711".into());
        let run = journal(vec![project, journal_row("us", OID, RowState::Failed, 1)]);
        let off =
            RetryBulkInput { run, launch: 1, key: KEY.into(), managed_json: r#"{"workflowProjects":false}"#.into() };
        let plan = retry_bulk_run(&off).unwrap();
        let states: Vec<(RowState, Option<&str>)> =
            plan.rows.iter().map(|row| (row.state, row.code.as_deref())).collect();
        assert_eq!(states, [(RowState::Failed, Some("WORKFLOW_PROJECTS_DISABLED")), (RowState::Pending, None)]);
        let on = RetryBulkInput { managed_json: "{}".into(), ..off };
        assert_eq!(retry_bulk_run(&on).unwrap().counts.remaining, 2);
    }

    #[test]
    fn a_retry_is_the_next_launch_with_failed_and_skipped_rows_pending_except_where_the_policy_no_longer_offers() {
        let run = journal(vec![
            journal_row("us", OID, RowState::Done, 1),
            journal_row("us", OID2, RowState::Failed, 1),
            journal_row("eu01", OID, RowState::Skipped, 0),
            journal_row("eu01", OID2, RowState::Failed, 1),
        ]);
        let input =
            RetryBulkInput { run, launch: 2, key: KEY.into(), managed_json: r#"{"treasureRegions":["us"]}"#.into() };
        let plan = retry_bulk_run(&input).unwrap();
        assert_eq!(plan.launch, 3);
        let states: Vec<RowState> = plan.rows.iter().map(|row| row.state).collect();
        assert_eq!(states, [RowState::Done, RowState::Pending, RowState::Failed, RowState::Failed]);
        assert_eq!((plan.rows[1].code.as_deref(), plan.rows[1].message.as_deref()), (None, None));
        assert_eq!(plan.rows[2].code.as_deref(), Some("REGION_NOT_ENABLED"));
        assert_eq!(plan.counts, Counts { done: 1, failed: 2, remaining: 1 });
        let everywhere = RetryBulkInput { managed_json: "{}".into(), ..input };
        assert_eq!(retry_bulk_run(&everywhere).unwrap().counts, Counts { done: 1, failed: 0, remaining: 3 });
    }

    #[test]
    fn a_launchs_history_is_one_record_per_row_it_sent_and_answered_newest_first() {
        let mut unreadable = journal_row("us", OID2, RowState::Done, 2);
        unreadable.oid = "not-a-uuid".into();
        let mut uncoded = journal_row("tokyo", OID2, RowState::Failed, 2);
        uncoded.code = None;
        let run = journal(vec![
            journal_row("us", OID, RowState::Done, 2),
            journal_row("eu01", OID, RowState::Done, 1),
            journal_row("eu01", OID2, RowState::Failed, 2),
            journal_row("ap02", OID, RowState::Skipped, 2),
            journal_row("ap02", OID2, RowState::Pending, 2),
            unreadable,
            uncoded,
        ]);
        let records = bulk_run_history(&BulkHistoryInput { run, launch: 2, key: KEY.into() }, 77).unwrap();
        let seen: Vec<(&str, &str, Option<&str>, &str)> = records
            .iter()
            .map(|record| {
                let model = record.data_model.as_ref().unwrap();
                (model.region.as_str(), model.oid.as_str(), model.name.as_deref(), record.outcome.as_str())
            })
            .collect();
        let name = format!("model {OID}");
        assert_eq!(
            seen,
            [
                ("tokyo", OID2, None, "failed"),
                ("eu01", OID2, None, "UNAUTHORIZED"),
                ("us", OID, Some(name.as_str()), "success")
            ]
        );
        assert!(records.iter().all(|record| record.at == 77 && record.fingerprint == "…4567"));
        let lost_key = BulkHistoryInput {
            run: journal(vec![journal_row("us", OID, RowState::Done, 1)]),
            launch: 1,
            key: String::new(),
        };
        assert_eq!(bulk_run_history(&lost_key, 1).unwrap()[0].fingerprint, "-");
        let unreadable = BulkHistoryInput { run: "x".into(), ..lost_key };
        assert_eq!(bulk_run_history(&unreadable, 1).unwrap_err().code, ErrorCode::UnexpectedResponse);
    }

    #[test]
    fn a_launchs_project_rows_are_recorded_as_workflow_projects() {
        let mut project = journal_row("eu01", OID, RowState::Done, 1);
        project.oid = String::new();
        project.project_id = Some("4711".into());
        project.name = Some("nightly_etl".into());
        let mut unreadable = project.clone();
        unreadable.project_id = Some("../1".into());
        let run = journal(vec![project, unreadable, journal_row("us", OID, RowState::Done, 1)]);
        let records = bulk_run_history(&BulkHistoryInput { run, launch: 1, key: KEY.into() }, 5).unwrap();
        let seen: Vec<(Option<&str>, Option<&str>, &str)> = records
            .iter()
            .map(|record| {
                let model = record.data_model.as_ref().unwrap();
                (model.kind.as_deref(), model.project_id.as_deref(), record.target.as_str())
            })
            .collect();
        assert_eq!(seen.len(), 2, "the row whose project id no longer parses is left out");
        assert_eq!(seen[1], (Some("workflow_project"), Some("4711"), "workflow project 4711 (nightly_etl)"));
        assert_eq!(seen[0].1, None, "a data model row stays a data model");
    }

    // ---- listing a data app's keys ----

    const TOKEN: &str = "dbst_0123456789abcdef0123456789abcdef";

    fn listing_input() -> ListKeysInput {
        ListKeysInput {
            origin: CLOUD.into(),
            token: TOKEN.into(),
            app: "Sales".into(),
            managed_json: "{}".into(),
            ..ListKeysInput::default()
        }
    }

    fn listed(keys: &[(&str, &str)]) -> String {
        let entries: Vec<String> = keys
            .iter()
            .map(|(key, created)| format!(r#"{{"key":"{key}","name":"n","createdAt":"{created}"}}"#))
            .collect();
        format!(r#"{{"data":[{}]}}"#, entries.join(","))
    }

    #[test]
    fn a_listing_is_one_get_per_page_with_the_token_and_gives_masked_views_and_the_keys_apart() {
        let network = FakeNetwork::answering(
            200,
            &listed(&[(APP_KEY, "2026-01-01T00:00:00Z"), (NEW_KEY, "2026-03-01T00:00:00Z")]),
        );
        let done = run(list_data_app_keys(&network, &listing_input())).unwrap();
        let sent = network.sent.borrow();
        assert_eq!((sent.len(), sent[0].method), (1, Method::Get), "a page of fewer than 10 is the last");
        assert!(sent[0].url.starts_with(&format!("{CLOUD}/api/v2/data-app/api-tokens")), "{}", sent[0].url);
        assert!(sent[0].url.contains("pageNumber=1"), "{}", sent[0].url);
        assert_eq!(sent[0].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
        let masked: Vec<&str> = done.views.iter().map(|view| view.masked_key.as_str()).collect();
        assert_eq!(masked, ["••••0001", "••••abcd"]);
        assert_eq!(done.listing, serde_json::to_string(&[APP_KEY, NEW_KEY]).unwrap());
        assert!(!serde_json::to_string(&done.views).unwrap().contains(APP_KEY), "no key in the views");
        drop(sent);
        // Recovering: the keys created since the attempt come first.
        let since = ListKeysInput { since: Some(1_767_225_600_000.0 + 86_400_000.0), ..listing_input() };
        let done = run(list_data_app_keys(&network, &since)).unwrap();
        assert_eq!(done.listing, serde_json::to_string(&[NEW_KEY, APP_KEY]).unwrap());
        assert_eq!(done.views.iter().map(|view| view.since_attempt).collect::<Vec<_>>(), [true, false]);
    }

    #[test]
    fn a_listing_is_refused_before_sending_and_a_refused_answer_fails_with_its_code() {
        let cases = [
            (ListKeysInput { token: "nope".into(), ..listing_input() }, ErrorCode::MalformedKey),
            (ListKeysInput { app: " ".into(), ..listing_input() }, ErrorCode::InvalidDataAppName),
            (
                ListKeysInput { origin: "https://databrain.example.com".into(), ..listing_input() },
                ErrorCode::OriginNotGranted,
            ),
            (
                ListKeysInput { managed_json: r#"{"services":["treasure"]}"#.into(), ..listing_input() },
                ErrorCode::ServiceNotEnabled,
            ),
        ];
        for (given, code) in cases {
            let network = FakeNetwork::answering(200, &listed(&[]));
            assert_eq!(run(list_data_app_keys(&network, &given)).unwrap_err().code, code, "{given:?}");
            assert!(network.sent.borrow().is_empty(), "nothing is sent for {code:?}");
        }
        let refused = FakeNetwork::answering(401, r#"{"error":{"code":"AUTHENTICATION_ERROR","message":"no"}}"#);
        let failed = run(list_data_app_keys(&refused, &listing_input())).unwrap_err();
        assert_eq!((failed.code, failed.status), (ErrorCode::AuthenticationError, Some(401)));
    }
}
