//! The exports only the background and the bulk, options and history pages call: left out
//! of the popup's build of the core (see the module above).

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::{fail, now_ms, to_js, use_case, Fetch};
use crate::databrain::recovery::settle_recovered;
use crate::databrain::ApiOrigin;
use crate::failure::{ErrorCode, Failure};
use crate::history::{history_csv, HistoryEntry};
use crate::policy::Policy;
use crate::reminders::{consumers, fingerprint_from_last_four, fire_times, Reminder};
use crate::transport;
use crate::treasure::builds::{builds_request, interpret_builds_answer, BuildVerdict};
use crate::treasure::bulk::{BulkRun, RowState, MAX_IN_FLIGHT_PER_HOST};
use crate::treasure::job::{BulkJob, JobChange, UnwrittenRows, JOURNAL_INTERVAL_MS};
use crate::treasure::listing::{interpret_list_answer, list_request, ListedModel, SkippedElement};
use crate::treasure::table::table_rows;
use crate::treasure::table_view::{run_rows_of, TableView};
use crate::treasure::workflow::{
    read_runs_since, read_set_api_key_answer, sessions_request, set_api_key_request, ProjectId, RunsVerdict,
    WorkflowProject,
};
use crate::treasure::workflow_load::{
    check_enabled, handover_json, taken_over, LoadStep, SkippedProject, WorkflowLoad,
};
use crate::treasure::DataModelTarget;
use crate::treasure::{interpret_replace_answer, replace_key_request, Region, TreasureKey};
use crate::use_cases::{
    bulk_run_history, bulk_run_reminders, create_data_app_key, list_data_app_keys, recover_listed_key, retry_bulk_run,
    rotate_data_app_key, start_bulk_run, BulkHistoryInput, CreateInput, ListKeysInput, RecoverInput, RetryBulkInput,
    RotateInput, RunReminderInput, StartBulkInput,
};
use crate::REQUEST_TIMEOUT_MS;
use std::collections::{HashMap, HashSet, VecDeque};

/// Every failure code's name, for the locale audit (each needs an `error_<CODE>` message).
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    ErrorCode::ALL.iter().map(|code| code.as_str().to_string()).collect()
}

thread_local! {
    /// The data models loaded on this page, every region's: the table is built from them
    /// here, so thousands of models never cross to the page and back (`./build.sh bench`).
    static LOADED_MODELS: RefCell<Vec<ListedModel>> = const { RefCell::new(Vec::new()) };
    /// The workflow projects loaded on this page (those holding `td.apikey`), every region's.
    static LOADED_PROJECTS: RefCell<Vec<WorkflowProject>> = const { RefCell::new(Vec::new()) };
    /// The bulk page's table, its ticks and its filter.
    static TABLE: RefCell<TableView> = RefCell::new(TableView::default());
}

/// A load's outcome as the page shows it.
#[derive(Serialize, tsify::Tsify)]
struct LoadView {
    loaded: usize,
    skipped: Vec<SkippedElement>,
}

/// Loads the account's data models in `region` (`GET /reporting/datamodels` with the
/// Master `key`), each checked, into this page's table (replacing that region's earlier
/// load); loading changes nothing at Treasure. Resolves to `{loaded, skipped}`.
#[wasm_bindgen(js_name = loadDataModels, unchecked_return_type = "LoadView")]
pub async fn load_data_models(region: String, key: String, managed_json: String) -> Result<JsValue, JsValue> {
    let region = Region::from_id(&region)
        .ok_or_else(|| fail(Failure::new(ErrorCode::UnknownRegion, "Choose the region to load the data models of.")))?;
    Policy::read(&managed_json).check_region(region).map_err(fail)?;
    let key = TreasureKey::parse(&key).map_err(fail)?;
    let exchange = transport::send(&list_request(region, &key), REQUEST_TIMEOUT_MS).await;
    let list = interpret_list_answer(region, &key, exchange).map_err(fail)?;
    let view = LoadView { loaded: list.models.len(), skipped: list.skipped };
    LOADED_MODELS.with(|loaded| {
        let mut loaded = loaded.borrow_mut();
        loaded.retain(|model| model.region != region.info().id);
        loaded.extend(list.models);
    });
    Ok(to_js(&view))
}

/// A workflow projects load's outcome as the page shows it.
#[derive(Serialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
struct ProjectsLoadView {
    /// Projects listed.
    listed: usize,
    /// Projects holding `td.apikey`: the rows.
    holding: usize,
    /// Projects holding no `td.apikey`: nothing to replace.
    without_key: usize,
    /// Projects whose secrets could not be read, and why.
    skipped: Vec<SkippedProject>,
    /// List elements that were no project Keyturn can address.
    list_skipped: Vec<SkippedElement>,
    /// Projects never asked because the load was stopped.
    unchecked: usize,
    /// Whether the load was stopped.
    stopped: bool,
    /// The load for the page's `takeWorkflowProjects`: whether it ran to its end, the projects
    /// found holding `td.apikey` and the ids of those holding none (JSON text the page only
    /// relays).
    handover_json: String,
}

/// The region a workflow projects load names (the background's load and the page's side of it).
fn projects_region(id: &str) -> Result<Region, JsValue> {
    Region::from_id(id)
        .ok_or_else(|| fail(Failure::new(ErrorCode::UnknownRegion, "Choose the region to load the projects of.")))
}

/// Loads the Treasure Workflow projects of `region` that hold `td.apikey` (the background
/// does, for the bulk page: a worker's fetches answer about 3 ms sooner than a page's, four
/// in flight over a thousand projects): the project list page by page and, beside the next
/// page, the listed projects' secret names (never values), at most four requests in flight
/// on the workflow host (`WorkflowLoad`). Loading changes nothing.
/// `onProgress({checked, total, listing})` follows the load; `signal` stops it (what was read
/// stays). A refused key (401) rejects with its failure and loads nothing; a
/// project whose secrets cannot be read (403, 404, ...) is skipped with why. Refused before
/// anything is sent when the policy (`managedJson`) switched projects off.
#[wasm_bindgen(js_name = loadWorkflowProjects, unchecked_return_type = "ProjectsLoadView")]
pub async fn load_workflow_projects(
    region: String,
    key: String,
    managed_json: String,
    signal: web_sys::AbortSignal,
    #[wasm_bindgen(unchecked_param_type = "(progress: ProjectsProgress) => void")] on_progress: js_sys::Function,
) -> Result<JsValue, JsValue> {
    let region = projects_region(&region)?;
    let policy = Policy::read(&managed_json);
    policy.check_region(region).map_err(fail)?;
    check_enabled(&policy).map_err(fail)?;
    let key = TreasureKey::parse(&key).map_err(fail)?;
    let progress = move |progress: crate::treasure::workflow_load::ProjectsProgress| {
        let _ = on_progress.call1(&JsValue::NULL, &to_js(&progress));
    };
    let load = Rc::new(RefCell::new(WorkflowLoad::new(region)));
    // The page in flight's answer, for the steps that wait on it: a promise and its resolve.
    let page_answered: Rc<RefCell<Option<(js_sys::Promise, js_sys::Function)>>> = Rc::default();
    let next = {
        let (load, signal, key, page_answered) = (load.clone(), signal.clone(), key.clone(), page_answered.clone());
        Rc::new(move |_host: &str| {
            if signal.aborted() {
                return None;
            }
            let step = load.borrow_mut().next_step(&key);
            if let Some(LoadStep::Page(_)) = step {
                let mut resolve = None;
                let promise = js_sys::Promise::new(&mut |done, _| resolve = Some(done));
                *page_answered.borrow_mut() = resolve.map(|resolve| (promise, resolve));
            }
            step
        })
    };
    let progress = Rc::new(progress);
    let work = {
        let load = load.clone();
        Rc::new(move |step: LoadStep| -> Job {
            let (load, key, progress, page_answered) =
                (load.clone(), key.clone(), progress.clone(), page_answered.clone());
            Box::pin(async move {
                match step {
                    LoadStep::Page(request) => {
                        let exchange = transport::send(&request, REQUEST_TIMEOUT_MS).await;
                        load.borrow_mut().take_page(&key, exchange);
                        if let Some((_, resolve)) = page_answered.borrow_mut().take() {
                            let _ = resolve.call0(&JsValue::NULL);
                        }
                    }
                    LoadStep::Secrets(index, request) => {
                        let exchange = transport::send(&request, REQUEST_TIMEOUT_MS).await;
                        load.borrow_mut().take_secrets(index, &key, exchange);
                    }
                    LoadStep::AwaitPage => {
                        let answered = page_answered.borrow().as_ref().map(|(promise, _)| promise.clone());
                        if let Some(answered) = answered {
                            let _ = JsFuture::from(answered).await;
                        }
                    }
                }
                let now = load.borrow().progress();
                progress(now);
            })
        })
    };
    per_host(vec![region.workflow_host().to_string()], next, work).await?;
    // Every job has ended: the load is taken out whole rather than copied.
    let load = load.replace(WorkflowLoad::new(region));
    let (loaded, list_skipped) = load.finish(signal.aborted()).map_err(fail)?;
    let handover_json = handover_json(&loaded);
    let view = ProjectsLoadView {
        listed: loaded.listed,
        holding: loaded.holding.len(),
        without_key: loaded.without_key.len(),
        skipped: loaded.skipped,
        list_skipped,
        unchecked: loaded.unchecked,
        stopped: loaded.stopped,
        handover_json,
    };
    Ok(to_js(&view))
}

/// What the bulk page's table took of a load (`takeWorkflowProjects`).
#[derive(Serialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
struct ProjectsTaken {
    /// The load's projects holding `td.apikey` that became rows: the number the page shows.
    taken: usize,
    /// The region's rows from an earlier load that a stopped one did not read again, and
    /// kept as that load found them.
    kept: usize,
}

/// The bulk page's side of a load (`loadWorkflowProjects`, in the background): its projects
/// holding `td.apikey` become `region`'s rows in this page's table, from the next refresh
/// on. A load that ran to its end replaces the region's earlier rows; a stopped one changes
/// only the projects it read (`TakenOver::join_into`). Text that does not read back changes
/// no row.
#[wasm_bindgen(js_name = takeWorkflowProjects, unchecked_return_type = "ProjectsTaken")]
pub fn take_workflow_projects(region: &str, handover_json: &str) -> Result<JsValue, JsValue> {
    let region = projects_region(region)?;
    let taken = taken_over(region, handover_json);
    let count = taken.holding.len();
    let kept = LOADED_PROJECTS.with(|projects| taken.join_into(region, &mut projects.borrow_mut()));
    Ok(to_js(&ProjectsTaken { taken: count, kept }))
}

/// A workflow project's page in its region's Treasure Console, or `""` for a region or id
/// that is not one (`workflow::project_console_url`).
#[wasm_bindgen(js_name = projectConsoleUrl)]
pub fn project_console_url_of(region: &str, project_id: &str) -> String {
    match (Region::from_id(region), ProjectId::parse(project_id)) {
        (Some(region), Ok(id)) => crate::treasure::workflow::project_console_url(region, id),
        _ => String::new(),
    }
}

/// Checks a pasted Treasure key without sending it anywhere (before a bulk run starts).
#[wasm_bindgen(js_name = checkTreasureKey)]
pub fn check_treasure_key(key: &str) -> Result<(), JsValue> {
    TreasureKey::parse(key).map(drop).map_err(fail)
}

// ---- Databrain ----------------------------------------------------------------------

// A listing's keys are kept by the background in storage.session (`databrainListing`), so
// "Use this key" and "Rotate" still work after the browser stops the worker: the listing
// crosses out as JSON text that only the background holds and hands back here with an
// index; pages only ever get the masked views.

/// A self-hosted API base URL reduced to its origin, for the options page.
#[wasm_bindgen(js_name = normaliseDatabrainOrigin)]
pub fn normalise_databrain_origin(raw: &str) -> Result<String, JsValue> {
    ApiOrigin::normalise(raw).map_err(fail)
}

/// "Rotate": the whole use case (`use_cases::rotate_data_app_key`). `input` is
/// `{origin, granted, key | listing + index, grace, confirmedImmediate, app, historyJson,
/// managedJson}`; resolves to `KeyRotated` (the new key, the record and the old key's
/// reminder to keep) or rejects with `RotationFailed` (the failure, its record when a
/// request went out, and the recovery offer and reminder when the key was probably
/// rotated all the same). Never retried.
#[wasm_bindgen(js_name = rotateKey, unchecked_return_type = "KeyRotated")]
pub async fn rotate_key(
    #[wasm_bindgen(
        unchecked_param_type = "{ origin: string; granted: string[]; key?: string; listing?: string; index?: number; grace: number | string; confirmedImmediate: boolean; app?: string; historyJson: string; managedJson: string }"
    )]
    input: JsValue,
) -> Result<JsValue, JsValue> {
    use_case(input, ErrorCode::InvalidGracePeriod, async |input: RotateInput| {
        rotate_data_app_key(&Fetch, &input, now_ms).await
    })
    .await
}

/// "List keys": the whole use case (`use_cases::list_data_app_keys`: policy, origin, token,
/// data app, every page, each answer checked). `input` is `{origin, granted, token, app,
/// since?, managedJson}`, `since` (milliseconds) when recovering a key whose answer was lost
/// (the keys created since then come first). Resolves to `KeysListed`: `views`, the masked
/// keys for the page, and `listing`, the keys themselves as JSON text for the background only.
#[wasm_bindgen(js_name = listDatabrainKeys, unchecked_return_type = "KeysListed")]
pub async fn list_databrain_keys(
    #[wasm_bindgen(
        unchecked_param_type = "{ origin: string; granted: string[]; token: string; app: string; since?: number; managedJson: string }"
    )]
    input: JsValue,
) -> Result<JsValue, JsValue> {
    use_case(input, ErrorCode::InvalidDataAppName, async |input: ListKeysInput| {
        list_data_app_keys(&Fetch, &input).await
    })
    .await
}

/// "Use this key" after a listing made to recover a key whose answer was lost: the whole
/// use case (`use_cases::recover_listed_key`). `input` is `{origin, granted, listing, index,
/// managedJson}`; resolves to `KeyRecovered` (the key, to keep like a new key, and its
/// record) or rejects with the failure. Sends nothing.
#[wasm_bindgen(js_name = recoverKey, unchecked_return_type = "KeyRecovered")]
pub async fn recover_key(
    #[wasm_bindgen(
        unchecked_param_type = "{ origin: string; granted: string[]; listing: string; index: number; managedJson: string }"
    )]
    input: JsValue,
) -> Result<JsValue, JsValue> {
    use_case(input, ErrorCode::ListingExpired, async |input: RecoverInput| recover_listed_key(&input, now_ms())).await
}

/// "Create a new key": the whole use case (`use_cases::create_data_app_key`). `input` is
/// `{origin, granted, token, app, label, historyJson, managedJson}`; resolves to
/// `KeyCreated` (the key and its record) or rejects with `KeyIssueFailed`. Never retried.
#[wasm_bindgen(js_name = createKey, unchecked_return_type = "KeyCreated")]
pub async fn create_key(
    #[wasm_bindgen(
        unchecked_param_type = "{ origin: string; granted: string[]; token: string; app: string; label: string; historyJson: string; managedJson: string }"
    )]
    input: JsValue,
) -> Result<JsValue, JsValue> {
    use_case(input, ErrorCode::InvalidLabel, async |input: CreateInput| {
        create_data_app_key(&Fetch, &input, now_ms).await
    })
    .await
}

// ---- many data models ---------------------------------------------------------------
// A run crosses the boundary as JSON text (the core's `BulkRun`), which holds no key: the
// background keeps it in storage.session and hands it back for retries and the CSV.

fn run_from(json: &str) -> Result<BulkRun, JsValue> {
    BulkRun::from_json(json).ok_or_else(|| {
        fail(Failure::new(ErrorCode::UnexpectedResponse, "That run could not be read back. Start a new run."))
    })
}

/// The bulk page's table, kept here (`TableView`): the page renders the counts and the rows
/// on screen it asks for, and keeps no copy of the rows.
fn with_table<T>(f: impl FnOnce(&mut TableView) -> T) -> T {
    TABLE.with(|table| f(&mut table.borrow_mut()))
}

/// Builds the bulk page's table again: pasted `lines` (bare OIDs take `bareOidRegion`, may
/// be "") and the data models and projects loaded on this page, one row per data model with
/// its verdict (regions the policy, `managedJson`, does not offer are refused), then the
/// job's rows it lacks (`setTableRun`). A pasted ready row is ticked the first time it is
/// pasted; the filter (`query`, `kind`, as `filterTable`'s) applies. Returns the counts.
#[wasm_bindgen(js_name = refreshTable, unchecked_return_type = "TableCounts")]
pub fn refresh_table(lines: &str, bare_oid_region: &str, managed_json: &str, query: &str, kind: &str) -> JsValue {
    let policy = Policy::read(managed_json);
    let rows = LOADED_MODELS.with(|loaded| {
        LOADED_PROJECTS.with(|projects| {
            table_rows(lines, Region::from_id(bare_oid_region), &loaded.borrow(), &projects.borrow(), &policy)
        })
    });
    to_js(&with_table(|table| table.refresh(rows, query, kind)))
}

/// The job on record (JSON, the core's `BulkRun`), whose rows the table shows even where
/// it lacks them (the page was reopened), from the next refresh on. Each row is read on
/// its own: one that does not read back is left out, not the others.
#[wasm_bindgen(js_name = setTableRun)]
pub fn set_table_run(run: &str) {
    let rows = run_rows_of(run);
    with_table(|table| table.set_run(&rows));
}

/// Shows the rows whose text holds `query` (any case) and whose kind is `kind` ("": any).
#[wasm_bindgen(js_name = filterTable, unchecked_return_type = "TableCounts")]
pub fn filter_table(query: &str, kind: &str) -> JsValue {
    to_js(&with_table(|table| table.filter(query, kind)))
}

/// Builds the text the filter reads for each row, if not built yet: the page asks when it
/// is next idle after a refresh, so the first keystroke need not.
#[wasm_bindgen(js_name = prepareTableFilter)]
pub fn prepare_table_filter() {
    with_table(TableView::prepare_search);
}

/// The rows shown from `first` to before `last`, each with whether it is ticked.
#[wasm_bindgen(js_name = tableWindow, unchecked_return_type = "ShownRow[]")]
pub fn table_window(first: usize, last: usize) -> JsValue {
    to_js(&with_table(|table| table.window(first, last)))
}

/// Ticks (`on`) or unticks the row `key`; only a ready row can be ticked.
#[wasm_bindgen(js_name = tickRow, unchecked_return_type = "TableCounts")]
pub fn tick_row(key: &str, on: bool) -> JsValue {
    to_js(&with_table(|table| table.tick(key, on)))
}

/// Ticks (`on`) or unticks every ready row the filter shows.
#[wasm_bindgen(js_name = tickShown, unchecked_return_type = "TableCounts")]
pub fn tick_shown(on: bool) -> JsValue {
    to_js(&with_table(|table| table.tick_shown(on)))
}

/// The ticked ready rows, in order: what Replace hands the background.
#[wasm_bindgen(js_name = tickedTargets, unchecked_return_type = "TickedTarget[]")]
pub fn ticked_targets() -> JsValue {
    to_js(&with_table(|table| table.ticked_targets()))
}

/// Whether the table has a row `key` (`<region>:<oid>` or `wf:<region>:<id>`).
#[wasm_bindgen(js_name = tableHasRow)]
pub fn table_has_row(key: &str) -> bool {
    with_table(|table| table.has(key))
}

/// "Replace" on the bulk page: the whole planning of a job's first launch
/// (`use_cases::start_bulk_run`: the key, the policy, each chosen data model checked again,
/// duplicates removed). `input` is `{targets: [{region, oid}], key, managedJson}`; resolves
/// to `BulkLaunch` (the rows, counts, invalid rows, duplicates) or rejects with the failure.
/// Sends nothing: the background launches the job (`runBulkJob`).
#[wasm_bindgen(js_name = startBulkRun, unchecked_return_type = "BulkLaunch")]
pub async fn start_bulk_run_of(
    #[wasm_bindgen(
        unchecked_param_type = "{ targets: { region: string; oid?: string; projectId?: string; name?: string }[]; key: string; managedJson: string }"
    )]
    input: JsValue,
) -> Result<JsValue, JsValue> {
    use_case(input, ErrorCode::InvalidOid, async |input: StartBulkInput| start_bulk_run(&input)).await
}

/// "Retry failed": the whole planning of the job's next launch (`use_cases::retry_bulk_run`).
/// `input` is `{run, launch, key, managedJson}`, `run` the journal's rows as JSON (`{rows}`)
/// and `launch` the one that ended; resolves to `BulkLaunch` or rejects with the failure.
#[wasm_bindgen(js_name = retryBulkRun, unchecked_return_type = "BulkLaunch")]
pub async fn retry_bulk_run_of(
    #[wasm_bindgen(unchecked_param_type = "{ run: string; launch: number; key: string; managedJson: string }")]
    input: JsValue,
) -> Result<JsValue, JsValue> {
    use_case(input, ErrorCode::UnexpectedResponse, async |input: RetryBulkInput| retry_bulk_run(&input)).await
}

/// The history records of a bulk job's launch that ended (`use_cases::bulk_run_history`).
/// `input` is `{run, launch, key}` (`key`: `""` when lost); resolves to the records, newest
/// first (`HistoryEntry[]`), or rejects with the failure.
#[wasm_bindgen(js_name = bulkRunHistory, unchecked_return_type = "HistoryEntry[]")]
pub async fn bulk_run_history_of(
    #[wasm_bindgen(unchecked_param_type = "{ run: string; launch: number; key: string }")] input: JsValue,
) -> Result<JsValue, JsValue> {
    use_case(input, ErrorCode::UnexpectedResponse, async |input: BulkHistoryInput| bulk_run_history(&input, now_ms()))
        .await
}

/// The run as CSV: OID, region, name, outcome and, appended, each data model's build
/// verdict, the row's kind, a project's id and its runs verdict, from `builds` (JSON
/// `{"<row key>": {verdict}}`, as the page keeps them). Never the key.
#[wasm_bindgen(js_name = bulkRunCsv)]
pub fn bulk_run_csv(run: &str, builds: &str) -> Result<String, JsValue> {
    let checks: HashMap<String, Box<serde_json::value::RawValue>> = serde_json::from_str(builds).unwrap_or_default();
    let mut verdicts: HashMap<String, BuildVerdict> = HashMap::new();
    let mut runs: HashMap<String, RunsVerdict> = HashMap::new();
    // Each check on its own: a build verdict, a runs verdict, or neither (an error).
    for (key, check) in checks {
        if let Ok(BuildVerdictOnly { verdict }) = serde_json::from_str(check.get()) {
            verdicts.insert(key, verdict);
        } else if let Ok(RunsVerdictOnly { verdict }) = serde_json::from_str(check.get()) {
            runs.insert(key, verdict);
        }
    }
    Ok(run_from(run)?.csv_with_runs(&verdicts, &runs))
}

/// A kept build check, as far as the CSV needs it.
#[derive(Deserialize)]
struct BuildVerdictOnly {
    verdict: BuildVerdict,
}

/// A kept runs check, as far as the CSV needs it.
#[derive(Deserialize)]
struct RunsVerdictOnly {
    verdict: RunsVerdict,
}

/// A job of the per-host scheduler: one request and what follows from its answer.
type Job = Pin<Box<dyn Future<Output = ()>>>;
/// Hands out the next item for an API host, or `None` when it has none left.
type NextFor<T> = Rc<dyn Fn(&str) -> Option<T>>;

/// Runs `job` on what `next(host)` hands out, with at most [`MAX_IN_FLIGHT_PER_HOST`]
/// jobs in flight per API host: the one scheduler of the bulk run and the build checks.
async fn per_host<T: 'static>(hosts: Vec<String>, next: NextFor<T>, job: Rc<dyn Fn(T) -> Job>) -> Result<(), JsValue> {
    let workers = js_sys::Array::new();
    for host in hosts {
        for _ in 0..MAX_IN_FLIGHT_PER_HOST {
            let (next, job, host) = (next.clone(), job.clone(), host.clone());
            workers.push(&future_to_promise(async move {
                while let Some(item) = next(&host) {
                    job(item).await;
                }
                Ok(JsValue::UNDEFINED)
            }));
        }
    }
    JsFuture::from(js_sys::Promise::all(&workers)).await.map(drop)
}

/// What one row of a run is sent to.
enum RowTarget {
    /// A data model: `PUT /reporting/datamodels/<OID>` on its API host.
    Model(DataModelTarget),
    /// A workflow project: `PUT /api/projects/<id>/secrets/td.apikey` on its workflow host.
    Project(Region, ProjectId),
    /// A row read back from storage that no longer parses.
    Unreadable,
}

/// Sends the rows of `run` (JSON, the core's `BulkRun`) that have no answer yet with `key`,
/// as launch `launch`, at most four in flight per API host (a workflow host is a host of
/// its own, with its own four), stopping early when the key
/// itself is refused or when `signal` aborts (the user's Stop: rows in flight still get
/// their answer, the others are skipped). A row left running by a stopped worker is sent
/// again: both PUTs are idempotent (a data model's sets the same key once more; a
/// project's sets the same `td.apikey` value again, which digdag treats as harmless). `onChange(changeJson)`
/// gets the rows changed since its last call, each once as it now is, with the counts
/// (`JobChange`), at most every [`JOURNAL_INTERVAL_MS`], for the journal; resolves to the
/// last change (the rows not handed over yet) when no row is left to send.
#[wasm_bindgen(js_name = runBulkJob)]
pub async fn run_bulk_job(
    run: String,
    key: String,
    launch: u32,
    signal: web_sys::AbortSignal,
    on_change: js_sys::Function,
) -> Result<String, JsValue> {
    let key = TreasureKey::parse(&key).map_err(fail)?;
    let job = Rc::new(RefCell::new(BulkJob::resume(run_from(&run)?, launch)));
    let unwritten = Rc::new(RefCell::new(UnwrittenRows::default()));
    // The rows changed since the last write, handed over together: the first change after a
    // write schedules the next one.
    let write = {
        let (job, unwritten) = (job.clone(), unwritten.clone());
        Rc::new(move || {
            let job = job.borrow();
            let change = unwritten.borrow_mut().take(&job);
            if !change.rows.is_empty() {
                let json = serde_json::to_string(&change).unwrap_or_default();
                let _ = on_change.call1(&JsValue::NULL, &JsValue::from_str(&json));
            }
        })
    };
    let report = {
        let unwritten = unwritten.clone();
        Rc::new(move |change: JobChange<'_>| {
            if unwritten.borrow_mut().note(&change) {
                let write = write.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(JOURNAL_INTERVAL_MS).await;
                    write();
                });
            }
        })
    };
    let hosts = job.borrow().hosts().to_vec();
    let next = {
        let (job, signal) = (job.clone(), signal.clone());
        Rc::new(move |host: &str| {
            if signal.aborted() {
                return None;
            }
            let index = job.borrow_mut().next_for_host(host)?;
            let job = job.borrow();
            let target = match (job.run().target(index), job.run().project_target(index)) {
                (Some(target), _) => RowTarget::Model(target),
                (None, Some((region, id))) => RowTarget::Project(region, id),
                (None, None) => RowTarget::Unreadable,
            };
            Some((index, target))
        })
    };
    let work = {
        let (job, report) = (job.clone(), report.clone());
        Rc::new(move |(index, target): (usize, RowTarget)| -> Job {
            let (job, key, report) = (job.clone(), key.clone(), report.clone());
            Box::pin(async move {
                match target {
                    RowTarget::Unreadable => {
                        // A row read back from storage that no longer parses: fail it, never leave it running.
                        let failure =
                            Failure::new(ErrorCode::InvalidOid, "This row could not be read back. Start a new run.");
                        report(job.borrow_mut().record(index, Err(failure), now_ms()));
                    }
                    RowTarget::Model(target) => {
                        report(job.borrow().started(index));
                        let exchange = transport::send(&replace_key_request(&target, &key), REQUEST_TIMEOUT_MS).await;
                        let answer = interpret_replace_answer(&target, &key, exchange);
                        report(job.borrow_mut().record(index, answer, now_ms()));
                    }
                    RowTarget::Project(region, id) => {
                        report(job.borrow().started(index));
                        let exchange =
                            transport::send(&set_api_key_request(region, id, &key), REQUEST_TIMEOUT_MS).await;
                        let answer = read_set_api_key_answer(region, &key, id, exchange);
                        report(job.borrow_mut().record_project(index, answer, now_ms()));
                    }
                }
            })
        })
    };
    per_host(hosts, next, work).await?;
    if signal.aborted() {
        report(job.borrow_mut().stop_by_user());
    }
    // What no write has handed over yet (a write scheduled meanwhile then finds nothing).
    let job = job.borrow();
    let last = unwritten.borrow_mut().take(&job);
    Ok(serde_json::to_string(&last).unwrap_or_default())
}

/// What one replaced row's check reads.
enum CheckTarget {
    /// A data model's builds since `replaced_at`.
    Builds(DataModelTarget, u64),
    /// A workflow project's runs (sessions) since `replaced_at`.
    Runs(Region, ProjectId, u64),
}

/// Checks whether the replaced rows of `run` have built with the new key, reading each
/// data model's builds with `key` (never starting one), and whether each replaced workflow
/// project has run since its td.apikey was set (its sessions, never starting one), at most
/// four in flight per API or workflow host. `keys` (JSON, `["<region>:<oid>"]` or
/// `["wf:<region>:<id>"]`) limits the check to those rows; empty: every replaced row.
/// `onResult(rowKey, check)` is called per row with the verdict (`BuildCheck` or
/// `RunsCheck`), or with the failure (`{code, message}`); resolves when every row has been
/// checked.
#[wasm_bindgen(js_name = checkBuilds)]
pub async fn check_builds(run: String, keys: String, key: String, on_result: js_sys::Function) -> Result<(), JsValue> {
    let key = TreasureKey::parse(&key).map_err(fail)?;
    let run = run_from(&run)?;
    let only: HashSet<String> = serde_json::from_str(&keys).unwrap_or_default();
    // One queue per API host, so handing out the next row never scans the others.
    let mut queues: HashMap<&'static str, VecDeque<(String, CheckTarget)>> = HashMap::new();
    for (index, row) in run.rows.iter().enumerate() {
        let key = row.key();
        let Some(replaced_at) = row.replaced_at else { continue };
        if row.state != RowState::Done || !(only.is_empty() || only.contains(&key)) {
            continue;
        }
        if let Some(target) = run.target(index) {
            let host = target.region.api_host();
            queues.entry(host).or_default().push_back((key, CheckTarget::Builds(target, replaced_at)));
        } else if let Some((region, id)) = run.project_target(index) {
            let host = region.workflow_host();
            queues.entry(host).or_default().push_back((key, CheckTarget::Runs(region, id, replaced_at)));
        }
    }
    let hosts = queues.keys().map(|host| host.to_string()).collect();
    let queues = Rc::new(RefCell::new(queues));
    let next = Rc::new(move |host: &str| queues.borrow_mut().get_mut(host)?.pop_front());
    let on_result = Rc::new(on_result);
    let job = Rc::new(move |(row_key, target): (String, CheckTarget)| -> Job {
        let (key, on_result) = (key.clone(), on_result.clone());
        Box::pin(async move {
            let result = match target {
                CheckTarget::Builds(target, replaced_at) => {
                    let exchange = transport::send(&builds_request(&target, &key), REQUEST_TIMEOUT_MS).await;
                    interpret_builds_answer(&target, &key, replaced_at, exchange).map(|check| to_js(&check))
                }
                CheckTarget::Runs(region, id, replaced_at) => {
                    let exchange = transport::send(&sessions_request(region, &key, id), REQUEST_TIMEOUT_MS).await;
                    read_runs_since(region, &key, id, replaced_at, exchange).map(|check| to_js(&check))
                }
            }
            .unwrap_or_else(fail);
            let _ = on_result.call2(&JsValue::NULL, &JsValue::from_str(&row_key), &result);
        })
    });
    per_host(hosts, next, job).await
}

// ---- history ------------------------------------------------------------------------

/// The stored history with the attempts a recovery at `origin` since `since` settled, or
/// `null` when none changed.
#[wasm_bindgen(js_name = settleRecovered, unchecked_return_type = "HistoryEntry[] | null")]
pub fn settle_recovered_history(history_json: &str, origin: &str, since: f64) -> JsValue {
    let mut history = HistoryEntry::list_from_json(history_json);
    if settle_recovered(&mut history, origin, ms(since)) {
        to_js(&history)
    } else {
        JsValue::NULL
    }
}

/// What a history record's outcome amounts to, for the history page's filter.
#[wasm_bindgen(js_name = historyOutcomeKind, unchecked_return_type = "'success' | 'failed' | 'unknown' | 'recovered'")]
pub fn history_outcome_kind(outcome: &str) -> String {
    crate::history::outcome_kind(outcome).to_string()
}

/// The stored history (a JSON array of entries) as CSV.
#[wasm_bindgen(js_name = historyCsv)]
pub fn history_csv_of(entries_json: &str) -> String {
    history_csv(&HistoryEntry::list_from_json(entries_json))
}

// ---- expiry reminders -----------------------------------------------------------------

/// A checked Treasure key reminder from the options form (`expiresAt`: the date field's
/// milliseconds; `leadDays`: text such as "7, 1").
/// `lastFour`: the key's last four characters, to tie the reminder to the data models
/// Keyturn gave that key, or "".
#[wasm_bindgen(js_name = treasureReminder, unchecked_return_type = "Reminder")]
pub fn treasure_reminder(
    region: &str,
    label: &str,
    expires_at: f64,
    lead_days: &str,
    last_four: &str,
) -> Result<JsValue, JsValue> {
    let fingerprint = fingerprint_from_last_four(last_four).map_err(fail)?;
    Reminder::treasure(region, label, ms(expires_at), lead_days, now_ms(), fingerprint).map(|r| to_js(&r)).map_err(fail)
}

/// The data models that, by Keyturn's history (`historyJson`, as stored), last received the
/// key a stored reminder (`reminderJson`) is tied to: `[{region, oid, name?}]`, none for a
/// reminder tied to no key.
#[wasm_bindgen(js_name = reminderConsumers, unchecked_return_type = "Consumer[]")]
pub fn reminder_consumers(history_json: &str, reminder_json: &str) -> JsValue {
    let found = serde_json::from_str::<Reminder>(reminder_json)
        .ok()
        .and_then(|reminder| Some((Region::from_id(&reminder.place)?, reminder.fingerprint?)))
        .map(|(region, fingerprint)| consumers(&HistoryEntry::list_from_json(history_json), region, &fingerprint))
        .unwrap_or_default();
    to_js(&found)
}

/// "Remind me before this key expires" after a bulk run: the whole use case
/// (`use_cases::bulk_run_reminders`). `input` is `{run, expiresAt, key, managedJson}`, `run`
/// the run as the page shows it (JSON); resolves to the reminders to keep (`Reminder[]`, one
/// per region the run replaced a key in) or rejects with the failure.
#[wasm_bindgen(js_name = runReminders, unchecked_return_type = "Reminder[]")]
pub async fn run_reminders(
    #[wasm_bindgen(unchecked_param_type = "{ run: string; expiresAt: number; key: string; managedJson: string }")]
    input: JsValue,
) -> Result<JsValue, JsValue> {
    use_case(input, ErrorCode::InvalidReminderDate, async |input: RunReminderInput| {
        bulk_run_reminders(&input, now_ms())
    })
    .await
}

/// Milliseconds since the epoch from a JS number (never negative).
fn ms(value: f64) -> u64 {
    value.max(0.0) as u64
}

#[derive(Serialize, tsify::Tsify)]
struct FireTime {
    lead: u32,
    when: u64,
}

/// When a stored reminder's alarms fire: `[{lead, when}]`.
#[wasm_bindgen(js_name = reminderFireTimes, unchecked_return_type = "FireTime[]")]
pub fn reminder_fire_times(
    expires_at: f64,
    #[wasm_bindgen(unchecked_param_type = "number[]")] lead_days: JsValue,
) -> JsValue {
    let lead_days: Vec<u32> = serde_wasm_bindgen::from_value(lead_days).unwrap_or_default();
    let times: Vec<FireTime> = fire_times(ms(expires_at), &lead_days, now_ms())
        .into_iter()
        .map(|(lead, when)| FireTime { lead, when })
        .collect();
    to_js(&times)
}

#[derive(Serialize, tsify::Tsify)]
struct NotificationView {
    /// "minutes", "hours", "tomorrow" or "days": how far off the expiry is.
    #[tsify(type = "'minutes' | 'hours' | 'tomorrow' | 'days'")] // Reminder::due
    unit: &'static str,
    amount: u64,
    /// An https URL, or a Keyturn page to open.
    target: String,
}

/// What a due reminder's notification says (worded by _locales) and where clicking it leads.
#[wasm_bindgen(js_name = reminderNotification, unchecked_return_type = "NotificationView")]
pub fn reminder_notification(reminder_json: &str) -> Result<JsValue, JsValue> {
    let reminder: Reminder = serde_json::from_str(reminder_json).map_err(|_| {
        fail(Failure::new(ErrorCode::UnexpectedResponse, "That reminder could not be read back. Add it again."))
    })?;
    let (unit, amount) = reminder.due(now_ms());
    Ok(to_js(&NotificationView { unit, amount, target: reminder.click_target() }))
}
