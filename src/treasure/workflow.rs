//! Treasure Workflow projects that hold the secret `td.apikey` (treasure-workflow-api.md).
//!
//! A project holding `td.apikey` runs every workflow with that key, so when a Master key is
//! replaced those projects need the new one too. Four calls, all on the region's workflow
//! host (the region table, never input) with `Authorization: TD1 <key>`:
//!
//! - `GET /api/projects` and then `?last_id=<id>`: the projects, ascending by id, paged until
//!   an empty page ([`ProjectsLoad`]);
//! - `GET /api/projects/<id>/secrets`: a project's secret names, never their values;
//! - `PUT /api/projects/<id>/secrets/td.apikey` with `{"value": "<key>"}`: sets the key
//!   (idempotent: setting the same value twice is harmless);
//! - `GET /api/projects/<id>/sessions`: recent runs, to tell whether the project has run
//!   since the key was set ([`read_runs_since`]).
//!
//! A project id is a [`ProjectId`], a number written in ASCII digits, so nothing an answer
//! holds can change the host or the path of a later request. No Treasure page documents
//! these answers' bodies (digdag's code does), so every answer is read defensively, every
//! text from it is capped and has the key removed, and nothing is ever called a success
//! without the shape that proves it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::failure::{ErrorCode, Failure};
use crate::http::{json_body, ApiRequest, ApiResponse, Exchange, JsonBody, Method, Text};
use crate::input::{server_text, Secret};
use crate::timestamps::timestamp_ms;
use crate::treasure::api_key::TreasureKey;
use crate::treasure::datamodel::{server_says, DataModelAnswer, MAX_NAME_CHARS};
use crate::treasure::listing::{SkippedElement, MAX_SHOWN_CHARS};
use crate::treasure::region::Region;

/// The secret a project runs its workflows with (treasure-workflow-api.md).
pub const API_KEY_SECRET: &str = "td.apikey";

/// A bound on the pages of projects followed, so a server that never answers an empty page
/// cannot keep a load going forever (500 pages of digdag's default 100 is 50,000 projects).
pub const MAX_PAGES: u32 = 500;

/// The most digits a project id may have: every 19-digit number fits a `u64`.
const MAX_ID_DIGITS: usize = 19;

// ---- project ids and requests -----------------------------------------------------------

/// A Treasure Workflow project id: a whole number, written in ASCII digits in request paths,
/// so it can never hold a `/`, `?`, `#`, `%` or `.`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectId(u64);

impl ProjectId {
    /// Reads a project id: 1 to 19 ASCII digits, nothing else (no sign, no space, no
    /// fraction). Leading zeros are dropped: `007` is project 7.
    pub fn parse(text: &str) -> Result<ProjectId, Failure> {
        let digits = !text.is_empty() && text.len() <= MAX_ID_DIGITS && text.bytes().all(|b| b.is_ascii_digit());
        match digits.then(|| text.parse::<u64>().ok()).flatten() {
            Some(id) => Ok(ProjectId(id)),
            None => Err(Failure::new(
                ErrorCode::InvalidProjectId,
                "That is not a Treasure Workflow project id, which is a number such as 123456. Load the region's \
                 projects again.",
            )),
        }
    }

    /// The id as a number.
    pub fn value(self) -> u64 {
        self.0
    }

    /// An id from an answer: a JSON string of digits, or a JSON number written as digits
    /// only (no sign, fraction or exponent). `None` for anything else.
    fn from_raw(raw: &RawValue) -> Option<ProjectId> {
        let text = raw.get();
        let digits = match text.chars().next() {
            Some('"') => serde_json::from_str::<String>(text).ok()?,
            Some('0'..='9') => text.to_string(),
            _ => return None,
        };
        ProjectId::parse(&digits).ok()
    }
}

impl std::fmt::Display for ProjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Crosses to the page as a string: ids may pass 2^53, which a JavaScript number cannot hold.
impl Serialize for ProjectId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Read back as it is written: a string of digits, checked as [`ProjectId::parse`] checks one.
impl<'de> Deserialize<'de> for ProjectId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ProjectId::parse(&text).map_err(|_| serde::de::Error::custom("not a project id"))
    }
}

fn request(method: Method, region: Region, path: &str, key: &TreasureKey, body: Option<String>) -> ApiRequest {
    let mut headers = vec![("Authorization", format!("TD1 {}", key.expose())), ("Accept", "application/json".into())];
    if body.is_some() {
        headers.push(("Content-Type", "application/json".into()));
    }
    // The host comes from the region table; the path from constants and a ProjectId.
    ApiRequest { method, url: format!("https://{}{path}", region.workflow_host()), headers, body }
}

/// One page of the region's projects: the first without `last_id`, each next one with the
/// greatest id seen so far (the API answers the projects above it, ascending by id).
pub fn projects_page_request(region: Region, key: &TreasureKey, last_id: Option<ProjectId>) -> ApiRequest {
    let path = match last_id {
        None => "/api/projects".to_string(),
        Some(id) => format!("/api/projects?last_id={id}"),
    };
    request(Method::Get, region, &path, key, None)
}

/// The names of a project's secrets (never their values).
pub fn secrets_request(region: Region, key: &TreasureKey, id: ProjectId) -> ApiRequest {
    request(Method::Get, region, &format!("/api/projects/{id}/secrets"), key, None)
}

/// The PUT's body: `{"value": "<key>"}`.
#[derive(Serialize)]
struct SecretValue<'a> {
    value: &'a str,
}

/// Sets the project's `td.apikey` to `key`, which is also the request's credential.
pub fn set_api_key_request(region: Region, id: ProjectId, key: &TreasureKey) -> ApiRequest {
    let body = json_body(&SecretValue { value: key.expose() });
    request(Method::Put, region, &format!("/api/projects/{id}/secrets/{API_KEY_SECRET}"), key, body)
}

/// A project's recent sessions (runs), newest first.
pub fn sessions_request(region: Region, key: &TreasureKey, id: ProjectId) -> ApiRequest {
    request(Method::Get, region, &format!("/api/projects/{id}/sessions"), key, None)
}

/// The project's page in its region's Treasure Console (the canonical console host, as for
/// data models). No public document gives this address: `/app/workflows/projects/<id>` is
/// the console's workflow section followed by the project id, and only those two parts
/// vary, both from closed sets (the region table and a [`ProjectId`]).
pub fn project_console_url(region: Region, id: ProjectId) -> String {
    format!("https://{}/app/workflows/projects/{id}", region.info().console_hosts[0])
}

// ---- the failures ------------------------------------------------------------------------

/// Which workflow call an answer belongs to: the advice in a refusal differs.
#[derive(Debug, Clone, Copy)]
enum Call {
    List(Region),
    Secrets(Region, ProjectId),
    SetKey(Region, ProjectId),
    Sessions(Region, ProjectId),
}

impl Call {
    fn region(self) -> Region {
        match self {
            Call::List(region) | Call::Secrets(region, _) | Call::SetKey(region, _) | Call::Sessions(region, _) => {
                region
            }
        }
    }

    fn what(self) -> String {
        match self {
            Call::List(region) => format!("the workflow project list of the {} region", region.label()),
            Call::Secrets(region, id) => format!("the secrets of workflow project {id} ({})", region.label()),
            Call::SetKey(region, id) => format!("setting td.apikey of workflow project {id} ({})", region.label()),
            Call::Sessions(region, id) => format!("the runs of workflow project {id} ({})", region.label()),
        }
    }

    fn nothing_changed(self) -> &'static str {
        match self {
            Call::SetKey(..) => "The project's key was not set.",
            _ => "Nothing was changed.",
        }
    }
}

/// The answer, or the typed failure of a request that got none.
fn answered(call: Call, exchange: Exchange) -> Result<ApiResponse, Failure> {
    exchange.map_err(|failure| Failure::from_transport(call.region().workflow_host(), failure, true))
}

/// The typed failure for a status other than the call's success, shared by every workflow
/// call; `sent` is removed from any server text shown.
fn refusal(response: &ApiResponse, call: Call, sent: &Secret) -> Failure {
    let status = response.status;
    let body = JsonBody::<DataModelAnswer>::of(response);
    let project = match call {
        Call::List(_) => None,
        Call::Secrets(_, id) | Call::SetKey(_, id) | Call::Sessions(_, id) => Some(id),
    };
    let region = call.region().label();
    match (status, project) {
        (401, _) => Failure::with_status(
            ErrorCode::Unauthorized,
            status,
            "Treasure Workflow refused the API key (401): it is wrong, revoked or expired. Copy a current Master key \
             from the API Keys page of the Treasure Console and try again.",
        ),
        (403, None) => Failure::with_status(
            ErrorCode::WorkflowForbidden,
            status,
            format!(
                "This key may not list the workflow projects of the {region} region (403). A Write-only key cannot \
                 do this: use a Master API key of a user who can see the projects."
            ),
        ),
        (403, Some(id)) => Failure::with_status(
            ErrorCode::WorkflowProjectForbidden,
            status,
            format!(
                "This key's user has no permission on workflow project {id} in the {region} region (403), so it was \
                 skipped. {} Ask the project's owner, or use the Master key of a user who can edit it.",
                call.nothing_changed()
            ),
        ),
        (404, None) => Failure::with_status(
            ErrorCode::WorkflowNotFound,
            status,
            format!(
                "The {region} region's Treasure Workflow API answered that it has no project list (404). Check that \
                 the region is the one your account lives in."
            ),
        ),
        (404, Some(id)) => Failure::with_status(
            ErrorCode::WorkflowProjectNotFound,
            status,
            format!(
                "There is no workflow project {id} in the {region} region (404): it may have been deleted since it \
                 was listed. {} Load the projects again.",
                call.nothing_changed()
            ),
        ),
        (429, _) => Failure::with_status(
            ErrorCode::ClientError,
            status,
            format!(
                "Treasure Workflow asks Keyturn to slow down (429). {} Wait a minute, then try again.",
                call.nothing_changed()
            ),
        ),
        (400..=499, _) => Failure::with_status(
            ErrorCode::ClientError,
            status,
            format!(
                "Treasure Workflow refused {} ({status}{}). {}",
                call.what(),
                server_says(&body, sent),
                call.nothing_changed()
            ),
        ),
        (500..=599, _) => Failure::with_status(
            ErrorCode::ServerError,
            status,
            match call {
                Call::SetKey(..) => format!(
                    "Treasure Workflow had a server error ({status}, {}). The project's key was probably not set; \
                     setting it again is safe, so try again in a few minutes.",
                    body.describe()
                ),
                _ => format!(
                    "Treasure Workflow had a server error ({status}, {}). Reading is safe to repeat: try again in a \
                     few minutes.",
                    body.describe()
                ),
            },
        ),
        _ => unexpected(status, call, &format!("an unexpected status ({status})")),
    }
}

fn unexpected(status: u16, call: Call, what: &str) -> Failure {
    let advice = match call {
        Call::SetKey(region, id) => format!(
            "Keyturn cannot confirm that the project got the new key: open it in the Treasure Console ({}) and check \
             its secrets, or set the key again (that is safe).",
            project_console_url(region, id)
        ),
        _ => "Nothing was changed; try again later.".to_string(),
    };
    Failure::with_status(
        ErrorCode::UnexpectedResponse,
        status,
        format!("Unexpected response: Treasure Workflow answered {} with {what}. {advice}", call.what()),
    )
}

/// A body's top-level JSON text, when it reads as JSON at all.
fn body_text(response: &ApiResponse) -> &str {
    response.body.trim_start_matches('\u{feff}').trim()
}

/// What the body was, for messages, when it is not the expected shape.
fn describe_body(response: &ApiResponse, expected: &str) -> String {
    match JsonBody::<serde::de::IgnoredAny>::of(response) {
        JsonBody::Object(_) => format!("a JSON object without {expected}"),
        other => other.describe().to_string(),
    }
}

// ---- the projects ------------------------------------------------------------------------

/// A workflow project, as the bulk page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct WorkflowProject {
    /// The region's id.
    pub region: &'static str,
    /// The project's id (digits).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub id: ProjectId,
    /// The project's name (capped, the key removed).
    pub name: String,
    /// Whether it holds `td.apikey`, once its secrets were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holds_api_key: Option<bool>,
    /// Its page in the region's Treasure Console.
    pub console_url: String,
}

/// One page of the project list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectsPage {
    /// How many elements the page held; 0 ends the list.
    pub elements: usize,
    /// The projects, in the answer's order, each once.
    pub projects: Vec<WorkflowProject>,
    /// The elements that were not projects Keyturn can address (positions on this page).
    pub skipped: Vec<SkippedElement>,
    /// Elements whose id an earlier element of the page already had.
    pub duplicates: usize,
    /// The greatest id on the page: the next page's `last_id`.
    pub last_id: Option<ProjectId>,
}

/// The list answer: `{"projects": [...]}`. A repeated member is refused (ambiguous).
#[derive(Deserialize)]
struct ProjectsAnswer {
    #[serde(default)]
    projects: Option<Vec<Box<RawValue>>>,
}

/// What Keyturn reads of a project; every field may be absent or of another type.
#[derive(Deserialize)]
struct ProjectElement {
    #[serde(default)]
    id: Option<Box<RawValue>>,
    #[serde(default)]
    name: Text,
    #[serde(default, rename = "deletedAt")]
    deleted_at: Text,
}

/// Reads one page of the project list (the answer to [`projects_page_request`] sent with
/// `key`), or a typed failure. Elements without a usable id or name, and deleted projects,
/// are skipped with why; a repeated id is counted once.
pub fn read_projects_page(region: Region, key: &TreasureKey, exchange: Exchange) -> Result<ProjectsPage, Failure> {
    let call = Call::List(region);
    let sent = key.secret();
    let response = answered(call, exchange)?;
    if response.status != 200 {
        return Err(refusal(&response, call, sent));
    }
    let text = body_text(&response);
    let elements = match text.starts_with('{').then(|| serde_json::from_str::<ProjectsAnswer>(text)) {
        Some(Ok(ProjectsAnswer { projects: Some(elements) })) => elements,
        _ => return Err(unexpected(200, call, &describe_body(&response, "a projects list"))),
    };
    let mut page = ProjectsPage {
        elements: elements.len(),
        projects: Vec::new(),
        skipped: Vec::new(),
        duplicates: 0,
        last_id: None,
    };
    let mut seen: HashSet<ProjectId> = HashSet::new();
    for (index, raw) in elements.iter().enumerate() {
        let skip = |why: &str| SkippedElement { position: index + 1, why: why.to_string() };
        let element = match raw.get().starts_with('{').then(|| serde_json::from_str::<ProjectElement>(raw.get())) {
            Some(Ok(element)) => element,
            Some(Err(_)) => {
                page.skipped.push(skip("an object Keyturn cannot read (a repeated member?)"));
                continue;
            }
            None => {
                page.skipped.push(skip("not an object"));
                continue;
            }
        };
        let id = match element.id.as_deref().map(ProjectId::from_raw) {
            Some(Some(id)) => id,
            Some(None) => {
                page.skipped.push(skip("its id is not a whole number"));
                continue;
            }
            None => {
                page.skipped.push(skip("no id"));
                continue;
            }
        };
        // Every readable id moves the paging on, even a skipped project's.
        page.last_id = page.last_id.max(Some(id));
        if element.deleted_at.as_deref().is_some_and(|at| !at.trim().is_empty()) {
            page.skipped.push(skip("deleted"));
            continue;
        }
        let Some(name) = element.name.0.filter(|name| !name.trim().is_empty()) else {
            page.skipped.push(skip("no name"));
            continue;
        };
        if !seen.insert(id) {
            page.duplicates += 1;
            continue;
        }
        page.projects.push(WorkflowProject {
            region: region.info().id,
            id,
            name: server_text(&name, MAX_NAME_CHARS, sent),
            holds_api_key: None,
            console_url: project_console_url(region, id),
        });
    }
    Ok(page)
}

/// A region's projects, loaded page by page: ask [`ProjectsLoad::next_request`], send it,
/// hand the answer to [`ProjectsLoad::take`], until there is no next request.
#[derive(Debug, Clone)]
pub struct ProjectsLoad {
    region: Region,
    /// The projects so far, each id once, in the order listed.
    pub projects: Vec<WorkflowProject>,
    /// The elements skipped so far (positions counted over every page, from 1).
    pub skipped: Vec<SkippedElement>,
    /// Elements whose id was already listed, on any page.
    pub duplicates: usize,
    seen: HashSet<ProjectId>,
    last_id: Option<ProjectId>,
    elements: usize,
    pages: u32,
    done: bool,
}

impl ProjectsLoad {
    /// A load of `region`'s projects, from the first page.
    pub fn new(region: Region) -> ProjectsLoad {
        ProjectsLoad {
            region,
            projects: Vec::new(),
            skipped: Vec::new(),
            duplicates: 0,
            seen: HashSet::new(),
            last_id: None,
            elements: 0,
            pages: 0,
            done: false,
        }
    }

    /// The next page's request, or `None` once an empty page ended the list.
    pub fn next_request(&self, key: &TreasureKey) -> Option<ApiRequest> {
        (!self.done).then(|| projects_page_request(self.region, key, self.last_id))
    }

    /// Whether the list has ended.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Adds the answer to the last [`ProjectsLoad::next_request`]. A failure ends the load
    /// (what was loaded stays); so does a page that does not move past the last id, which
    /// a server ignoring `last_id` would send forever, and the [`MAX_PAGES`]th page.
    pub fn take(&mut self, key: &TreasureKey, exchange: Exchange) -> Result<(), Failure> {
        let page = read_projects_page(self.region, key, exchange);
        let page = page.inspect_err(|_| self.done = true)?;
        self.pages += 1;
        if page.elements == 0 {
            self.done = true;
            return Ok(());
        }
        let offset = self.elements;
        self.elements += page.elements;
        self.skipped.extend(page.skipped.into_iter().map(|s| SkippedElement { position: s.position + offset, ..s }));
        self.duplicates += page.duplicates;
        for project in page.projects {
            if self.seen.insert(project.id) {
                self.projects.push(project);
            } else {
                self.duplicates += 1;
            }
        }
        let call = Call::List(self.region);
        match page.last_id {
            Some(id) if self.last_id.is_none_or(|last| id > last) => self.last_id = Some(id),
            _ => {
                self.done = true;
                return Err(unexpected(
                    200,
                    call,
                    "a page that does not move past the projects already listed, so the list cannot be followed \
                     to its end",
                ));
            }
        }
        if self.pages >= MAX_PAGES {
            self.done = true;
            return Err(unexpected(200, call, &format!("more than {MAX_PAGES} pages; Keyturn stopped there")));
        }
        Ok(())
    }
}

// ---- a project's secrets -----------------------------------------------------------------

/// The secrets answer: `{"secrets": [{"key": "td.apikey"}, ...]}`.
#[derive(Deserialize)]
struct SecretsAnswer {
    #[serde(default)]
    secrets: Option<Vec<Box<RawValue>>>,
}

#[derive(Deserialize)]
struct SecretName {
    #[serde(default)]
    key: Text,
}

/// Whether the project holds `td.apikey`, from the answer to [`secrets_request`] (sent with
/// `key`), or a typed failure (403: no permission on this project, skip it).
pub fn read_secret_names(
    region: Region,
    key: &TreasureKey,
    id: ProjectId,
    exchange: Exchange,
) -> Result<bool, Failure> {
    let call = Call::Secrets(region, id);
    let response = answered(call, exchange)?;
    if response.status != 200 {
        return Err(refusal(&response, call, key.secret()));
    }
    let text = body_text(&response);
    let Some(Ok(SecretsAnswer { secrets: Some(secrets) })) =
        text.starts_with('{').then(|| serde_json::from_str::<SecretsAnswer>(text))
    else {
        return Err(unexpected(200, call, &describe_body(&response, "a secrets list")));
    };
    Ok(secrets.iter().any(|raw| {
        raw.get().starts_with('{')
            && serde_json::from_str::<SecretName>(raw.get())
                .is_ok_and(|secret| secret.key.as_deref() == Some(API_KEY_SECRET))
    }))
}

// ---- setting the key ---------------------------------------------------------------------

/// What a successful PUT says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ApiKeySet {
    /// The project's name, when the answer gave it (capped, the key removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
}

/// Recent digdag's answer: `{"key": "td.apikey", "project": {"id": ..., "name": ...}}`.
#[derive(Deserialize)]
struct SetAnswer {
    #[serde(default)]
    key: Text,
    #[serde(default)]
    project: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct ProjectRef {
    #[serde(default)]
    id: Option<Box<RawValue>>,
    #[serde(default)]
    name: Text,
}

/// Reads the answer to [`set_api_key_request`] for project `id` (sent with `key`). Success is
/// an empty 204 (older digdag), or a 200 whose JSON object names `td.apikey` and, when it
/// names a project, project `id`. Anything else is a typed failure.
pub fn read_set_api_key_answer(
    region: Region,
    key: &TreasureKey,
    id: ProjectId,
    exchange: Exchange,
) -> Result<ApiKeySet, Failure> {
    let call = Call::SetKey(region, id);
    let sent = key.secret();
    let response = answered(call, exchange)?;
    match response.status {
        204 => return Ok(ApiKeySet { project_name: None }),
        200 => {}
        _ => return Err(refusal(&response, call, sent)),
    }
    let text = body_text(&response);
    let Some(Ok(answer)) = text.starts_with('{').then(|| serde_json::from_str::<SetAnswer>(text)) else {
        return Err(unexpected(200, call, &describe_body(&response, "the secret it set")));
    };
    if answer.key.as_deref() != Some(API_KEY_SECRET) {
        let what = match answer.key.as_deref() {
            Some(other) => format!("another secret ({})", server_text(other, 60, sent)),
            None => "a JSON object without the secret it set".to_string(),
        };
        return Err(unexpected(200, call, &what));
    }
    let project = match answer.project.as_deref().filter(|raw| raw.get() != "null") {
        None => None,
        Some(raw) => match raw.get().starts_with('{').then(|| serde_json::from_str::<ProjectRef>(raw.get())) {
            Some(Ok(project)) => Some(project),
            _ => return Err(unexpected(200, call, "a project Keyturn cannot read")),
        },
    };
    if let Some(project) = &project {
        match project.id.as_deref().map(ProjectId::from_raw) {
            None => {}
            Some(Some(answered)) if answered == id => {}
            Some(Some(other)) => return Err(unexpected(200, call, &format!("another project ({other})"))),
            Some(None) => return Err(unexpected(200, call, "a project id that is not a whole number")),
        }
    }
    Ok(ApiKeySet {
        project_name: project
            .and_then(|project| project.name.0)
            .filter(|name| !name.trim().is_empty())
            .map(|name| server_text(&name, MAX_NAME_CHARS, sent)),
    })
}

// ---- runs since the key was set ----------------------------------------------------------

/// What a project's runs say about the key set at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub enum RunsVerdict {
    /// A run that started after the key was set succeeded, and none since failed.
    SucceededSince,
    /// A run that started after the key was set failed.
    FailedSince,
    /// A run that started after the key was set is still running (none has failed).
    Running,
    /// No run started after the key was set (canceled ones aside).
    NotRunSince,
    /// The answer could not be read as runs with start times: nothing is claimed.
    Unreadable,
}

impl RunsVerdict {
    /// The verdict's name, as it crosses to the page.
    pub fn as_str(self) -> &'static str {
        match self {
            RunsVerdict::SucceededSince => "succeeded_since",
            RunsVerdict::FailedSince => "failed_since",
            RunsVerdict::Running => "running",
            RunsVerdict::NotRunSince => "not_run_since",
            RunsVerdict::Unreadable => "unreadable",
        }
    }
}

/// The verdict, the run it rests on, and a message for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct RunsCheck {
    /// What the runs say.
    pub verdict: RunsVerdict,
    /// The workflow of the run the verdict rests on (capped, the key removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// That run's status as the answer writes it (capped, the key removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// When that run's attempt was created, in milliseconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<u64>,
    /// What it means and what to do, in English.
    pub message: String,
}

/// `{"sessions": [...]}` (recent digdag) or a bare array (older digdag).
#[derive(Deserialize)]
struct SessionsAnswer {
    #[serde(default)]
    sessions: Option<Vec<Box<RawValue>>>,
}

#[derive(Deserialize)]
struct SessionElement {
    #[serde(default, rename = "lastAttempt")]
    last_attempt: Option<Box<RawValue>>,
    #[serde(default)]
    workflow: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct AttemptElement {
    #[serde(default)]
    done: Flag,
    #[serde(default)]
    success: Flag,
    #[serde(default, rename = "cancelRequested")]
    cancel_requested: Flag,
    #[serde(default, rename = "createdAt")]
    created_at: Text,
    #[serde(default)]
    status: Text,
}

#[derive(Deserialize)]
struct WorkflowRef {
    #[serde(default)]
    name: Text,
}

/// A field read as true/false when it is a JSON boolean, absent otherwise.
#[derive(Default)]
struct Flag(Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Ok(Flag(serde_json::from_str(raw.get()).ok()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunState {
    Succeeded,
    Failed,
    Canceled,
    Running,
}

struct Run {
    state: RunState,
    started_at: u64,
    workflow: Option<String>,
    status: Option<String>,
}

/// One session's last attempt, or `None` when it cannot be read as one: an object with a
/// `lastAttempt` object whose `createdAt` is an RFC 3339 time and whose `done` (and, once
/// done, `success`) are booleans. A success whose `status` says otherwise is unreadable.
fn run_from(raw: &RawValue, sent: &Secret) -> Option<Run> {
    let object = |raw: &RawValue| raw.get().starts_with('{');
    let session: SessionElement = object(raw).then(|| serde_json::from_str(raw.get()).ok()).flatten()?;
    let attempt = session.last_attempt.filter(|raw| object(raw))?;
    let attempt: AttemptElement = serde_json::from_str(attempt.get()).ok()?;
    let started_at = attempt.created_at.as_deref().and_then(timestamp_ms)?;
    let status = attempt.status.0.map(|status| status.trim().to_ascii_lowercase());
    let state = match (attempt.done.0?, attempt.success.0, attempt.cancel_requested.0) {
        (false, _, _) => RunState::Running,
        (true, Some(true), _) => {
            if status.as_deref().is_some_and(|status| status != "success") {
                return None;
            }
            RunState::Succeeded
        }
        (true, Some(false), Some(true)) => RunState::Canceled,
        (true, Some(false), _) => RunState::Failed,
        (true, None, _) => return None,
    };
    let workflow = session
        .workflow
        .filter(|raw| object(raw))
        .and_then(|raw| serde_json::from_str::<WorkflowRef>(raw.get()).ok())
        .and_then(|workflow| workflow.name.0)
        .map(|name| server_text(&name, MAX_NAME_CHARS, sent));
    let status = status.map(|status| server_text(&status, MAX_SHOWN_CHARS, sent));
    Some(Run { state, started_at, workflow, status })
}

/// What the answer to [`sessions_request`] for project `id` (sent with `key`) says about the
/// key set at `since` (milliseconds since the epoch, when Keyturn had the PUT's answer), or a
/// typed failure. Only runs whose attempt was created at or after `since` count: an earlier
/// one may have started with the old key, and no clock skew is allowed towards success. A
/// success is only claimed when every session of the answer could be read.
pub fn read_runs_since(
    region: Region,
    key: &TreasureKey,
    id: ProjectId,
    since: u64,
    exchange: Exchange,
) -> Result<RunsCheck, Failure> {
    let call = Call::Sessions(region, id);
    let sent = key.secret();
    let response = answered(call, exchange)?;
    if response.status != 200 {
        return Err(refusal(&response, call, sent));
    }
    let unreadable = |why: &str| RunsCheck {
        verdict: RunsVerdict::Unreadable,
        workflow: None,
        status: None,
        started_at: None,
        message: format!(
            "Keyturn could not read the runs ({why}), so it cannot tell whether workflow project {id} has run with \
             the new key. Open it in the Treasure Console ({}) and check its latest runs there.",
            project_console_url(region, id)
        ),
    };
    let text = body_text(&response);
    let entries: Option<Vec<Box<RawValue>>> = match text.chars().next() {
        Some('[') => serde_json::from_str(text).ok(),
        Some('{') => serde_json::from_str::<SessionsAnswer>(text).ok().and_then(|answer| answer.sessions),
        _ => None,
    };
    let Some(entries) = entries else {
        return Ok(unreadable("the answer is not a list of sessions"));
    };
    if entries.is_empty() {
        return Ok(verdict(
            RunsVerdict::NotRunSince,
            None,
            "It has no runs yet. Start one in the Treasure Console (or wait for its schedule), then check again.",
        ));
    }
    let runs: Vec<Run> = entries.iter().filter_map(|entry| run_from(entry, sent)).collect();
    if runs.is_empty() {
        return Ok(unreadable("no session with a readable last attempt and start time"));
    }
    let all_read = runs.len() == entries.len();
    let since_set: Vec<&Run> = runs.iter().filter(|run| run.started_at >= since).collect();
    let newest = |state: RunState| since_set.iter().filter(|run| run.state == state).max_by_key(|run| run.started_at);
    let first = |state: RunState| since_set.iter().filter(|run| run.state == state).min_by_key(|run| run.started_at);
    if let Some(run) = newest(RunState::Failed) {
        return Ok(verdict(
            RunsVerdict::FailedSince,
            Some(run),
            "A run that started after Keyturn set the key failed. Open the project in the Treasure Console and read \
             the attempt's log: the key may lack a permission a task needs, or the failure may have another cause.",
        ));
    }
    if let Some(run) = first(RunState::Succeeded) {
        if !all_read {
            return Ok(unreadable("some sessions could not be read, and one of them may have failed"));
        }
        return Ok(verdict(
            RunsVerdict::SucceededSince,
            Some(run),
            "A run that started after Keyturn set the key succeeded. That proves the project runs, not that every \
             one of its tasks used td.apikey.",
        ));
    }
    if let Some(run) = first(RunState::Running) {
        return Ok(verdict(
            RunsVerdict::Running,
            Some(run),
            "A run that started after Keyturn set the key is still running. Check again when it has finished.",
        ));
    }
    let canceled = newest(RunState::Canceled).copied();
    let latest = canceled.or_else(|| runs.iter().max_by_key(|run| run.started_at));
    Ok(verdict(
        RunsVerdict::NotRunSince,
        latest,
        if canceled.is_some() {
            "The only runs since Keyturn set the key were canceled. Start one in the Treasure Console (or wait for \
             its schedule), then check again."
        } else {
            "It has not run since Keyturn set the key. Start a run in the Treasure Console (or wait for its \
             schedule), then check again."
        },
    ))
}

fn verdict(verdict: RunsVerdict, run: Option<&Run>, message: &str) -> RunsCheck {
    RunsCheck {
        verdict,
        workflow: run.and_then(|run| run.workflow.clone()),
        status: run.and_then(|run| run.status.clone()),
        started_at: run.map(|run| run.started_at),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::TransportFailure;
    use serde_json::json;

    const KEY: &str = "1234/0123456789abcdef0123456789abcdef01234567";
    const SECRET_HALF: &str = "0123456789abcdef0123456789abcdef01234567";
    const SET_AT: u64 = 1_795_600_000_000; // 2026-11-25T09:46:40Z

    fn key() -> TreasureKey {
        TreasureKey::parse(KEY).unwrap()
    }

    fn id(n: u64) -> ProjectId {
        ProjectId::parse(&n.to_string()).unwrap()
    }

    fn ok(status: u16, body: &str) -> Exchange {
        Ok(ApiResponse { status, content_type: None, body: body.into() })
    }

    fn page(status: u16, body: &str) -> Result<ProjectsPage, Failure> {
        read_projects_page(Region::Eu01, &key(), ok(status, body))
    }

    fn secrets(status: u16, body: &str) -> Result<bool, Failure> {
        read_secret_names(Region::Us, &key(), id(7), ok(status, body))
    }

    fn set(status: u16, body: &str) -> Result<ApiKeySet, Failure> {
        read_set_api_key_answer(Region::Tokyo, &key(), id(7), ok(status, body))
    }

    fn runs(body: &str) -> RunsCheck {
        read_runs_since(Region::Ap02, &key(), id(7), SET_AT, ok(200, body)).unwrap()
    }

    fn session(created_at: &str, done: bool, success: bool, cancel: bool, status: &str) -> serde_json::Value {
        json!({"id": "1", "sessionTime": "2026-11-25T00:00:00+00:00", "workflow": {"name": "daily", "id": "3"},
            "lastAttempt": {"id": "9", "done": done, "success": success, "cancelRequested": cancel,
                "createdAt": created_at, "finishedAt": null, "status": status}})
    }

    // ---- ids and requests ----

    #[test]
    fn project_ids_are_digits_only() {
        assert_eq!(ProjectId::parse("123456").unwrap().value(), 123_456);
        assert_eq!(ProjectId::parse("007").unwrap().to_string(), "7");
        assert_eq!(ProjectId::parse(&"9".repeat(19)).unwrap().to_string(), "9".repeat(19));
        for bad in ["", " 1", "1 ", "-1", "+1", "1.0", "1e3", "../1", "1/2", "1?a", "1#", "%31", "１", &"9".repeat(20)]
        {
            let failure = ProjectId::parse(bad).unwrap_err();
            assert_eq!(failure.code, ErrorCode::InvalidProjectId, "{bad:?}");
            assert!(!failure.request_sent);
        }
        assert_eq!(serde_json::to_string(&id(9_007_199_254_740_993)).unwrap(), "\"9007199254740993\"");
    }

    #[test]
    fn builds_the_documented_requests_on_each_region_s_workflow_host() {
        for (region, host) in [
            (Region::Us, "api-workflow.treasuredata.com"),
            (Region::Eu01, "api-workflow.eu01.treasuredata.com"),
            (Region::Ap02, "api-workflow.ap02.treasuredata.com"),
            (Region::Tokyo, "api-workflow.treasuredata.co.jp"),
        ] {
            let first = projects_page_request(region, &key(), None);
            assert_eq!(
                (first.method, first.url.as_str()),
                (Method::Get, format!("https://{host}/api/projects").as_str())
            );
            let next = projects_page_request(region, &key(), Some(id(42)));
            assert_eq!(next.url, format!("https://{host}/api/projects?last_id=42"));
            let names = secrets_request(region, &key(), id(42));
            assert_eq!(
                (names.method, names.url.clone()),
                (Method::Get, format!("https://{host}/api/projects/42/secrets"))
            );
            let sessions = sessions_request(region, &key(), id(42));
            assert_eq!(sessions.url, format!("https://{host}/api/projects/42/sessions"));
            let put = set_api_key_request(region, id(42), &key());
            assert_eq!(
                (put.method, put.url.clone()),
                (Method::Put, format!("https://{host}/api/projects/42/secrets/td.apikey"))
            );
            assert_eq!(put.header("content-type"), Some("application/json"));
            let body: serde_json::Value = serde_json::from_str(put.body.as_deref().unwrap()).unwrap();
            assert_eq!(body, json!({"value": KEY}));
            for request in [&first, &next, &names, &sessions, &put] {
                assert_eq!(request.header("authorization"), Some(format!("TD1 {KEY}").as_str()));
                assert!(!request.url.contains(SECRET_HALF));
            }
            for request in [&first, &next, &names, &sessions] {
                assert_eq!((request.body.as_deref(), request.header("content-type")), (None, None));
            }
        }
    }

    #[test]
    fn a_project_s_console_page_is_on_its_region_s_canonical_console() {
        assert_eq!(
            project_console_url(Region::Us, id(12)),
            "https://console.treasuredata.com/app/workflows/projects/12"
        );
        assert_eq!(
            project_console_url(Region::Tokyo, id(3)),
            "https://console.treasuredata.co.jp/app/workflows/projects/3"
        );
    }

    // ---- the project list ----

    #[test]
    fn reads_projects_with_numeric_and_string_ids() {
        let body = json!({"projects": [
            {"id": 3, "name": "etl", "revision": "r1", "createdAt": "2026-01-01T00:00:00Z", "archiveType": "db"},
            {"id": "12", "name": "reports", "deletedAt": null},
        ]});
        let page = page(200, &body.to_string()).unwrap();
        assert_eq!((page.elements, page.duplicates, page.last_id), (2, 0, Some(id(12))));
        assert_eq!(page.skipped, []);
        assert_eq!(
            page.projects[0],
            WorkflowProject {
                region: "eu01",
                id: id(3),
                name: "etl".into(),
                holds_api_key: None,
                console_url: "https://console.eu01.treasuredata.com/app/workflows/projects/3".into(),
            }
        );
        assert_eq!(page.projects[1].id, id(12));
        let shown = serde_json::to_value(&page.projects[1]).unwrap();
        assert_eq!(shown["id"], "12");
        assert_eq!(shown.get("holdsApiKey"), None);
    }

    #[test]
    fn unusable_elements_are_skipped_with_why_and_duplicates_counted() {
        // Written by hand: a repeated member and numbers no JSON library writes.
        let body = r#"{"projects": [
            {"id": 1, "name": "ok"},
            {"name": "no id"},
            {"id": "../2", "name": "path"},
            {"id": -3, "name": "negative"},
            {"id": 4.5, "name": "fraction"},
            {"id": 1e3, "name": "exponent"},
            {"id": 5},
            {"id": 6, "name": "  "},
            {"id": 7, "name": "gone", "deletedAt": "2026-11-01T00:00:00Z"},
            {"id": 1, "name": "again"},
            {"id": "01", "name": "again with a zero"},
            "a string",
            {"id": 8, "id": 9, "name": "twice"},
            {"id": {"n": 10}, "name": "object"},
            {"id": 99999999999999999999, "name": "too big"}
        ]}"#;
        let page = page(200, body).unwrap();
        assert_eq!(page.projects.iter().map(|p| p.id.value()).collect::<Vec<_>>(), [1]);
        assert_eq!(page.duplicates, 2);
        let skipped: Vec<(usize, &str)> = page.skipped.iter().map(|s| (s.position, s.why.as_str())).collect();
        assert_eq!(
            skipped,
            [
                (2, "no id"),
                (3, "its id is not a whole number"),
                (4, "its id is not a whole number"),
                (5, "its id is not a whole number"),
                (6, "its id is not a whole number"),
                (7, "no name"),
                (8, "no name"),
                (9, "deleted"),
                (12, "not an object"),
                (13, "an object Keyturn cannot read (a repeated member?)"),
                (14, "its id is not a whole number"),
                (15, "its id is not a whole number"),
            ]
        );
        assert_eq!(page.last_id, Some(id(7)), "skipped projects with a readable id move the paging on");
    }

    #[test]
    fn long_and_hostile_names_are_capped_kept_as_text_and_keyless() {
        let hostile = ["../../etc/passwd", "a?b=c#d", "%2F..%2F", "名前 🚀 ünï", "<script>x</script>", "\u{202e}rtl"];
        let mut projects: Vec<_> =
            hostile.iter().enumerate().map(|(n, name)| json!({"id": n + 1, "name": name})).collect();
        projects.push(json!({"id": 100, "name": format!("{KEY} {}", "z".repeat(100_000))}));
        projects.push(json!({"id": 101, "name": KEY.to_uppercase()}));
        let page = page(200, &json!({ "projects": projects }).to_string()).unwrap();
        for (project, name) in page.projects.iter().zip(hostile) {
            assert_eq!(project.name, name.trim());
            assert!(project.console_url.ends_with(&format!("/app/workflows/projects/{}", project.id)));
        }
        let long = &page.projects[hostile.len()];
        assert!(long.name.starts_with("[key removed] zzz") && long.name.chars().count() == MAX_NAME_CHARS + 1);
        assert_eq!(page.projects[hostile.len() + 1].name, "[key removed]");
        assert!(!serde_json::to_string(&page).unwrap().contains(SECRET_HALF));
    }

    #[test]
    fn five_thousand_projects_load_over_pages_until_an_empty_one() {
        let mut load = ProjectsLoad::new(Region::Us);
        let mut asked = Vec::new();
        while let Some(request) = load.next_request(&key()) {
            asked.push(request.url.clone());
            let after: u64 = request.url.split("last_id=").nth(1).map_or(0, |id| id.parse().unwrap());
            let projects: Vec<_> = (after + 1..=5_000.min(after + 100))
                .map(|n| {
                    if n % 2 == 0 {
                        json!({"id": n, "name": format!("p{n}")})
                    } else {
                        json!({"id": n.to_string(), "name": format!("p{n}")})
                    }
                })
                .collect();
            load.take(&key(), ok(200, &json!({ "projects": projects }).to_string())).unwrap();
        }
        assert!(load.is_done());
        assert_eq!(load.projects.len(), 5_000);
        assert_eq!((load.duplicates, load.skipped.len()), (0, 0));
        assert_eq!(asked.len(), 51, "50 full pages and the empty one");
        assert_eq!(asked[0], "https://api-workflow.treasuredata.com/api/projects");
        assert_eq!(asked[1], "https://api-workflow.treasuredata.com/api/projects?last_id=100");
        assert_eq!(asked[50], "https://api-workflow.treasuredata.com/api/projects?last_id=5000");
    }

    #[test]
    fn paging_dedupes_across_pages_and_counts_positions_over_the_whole_load() {
        let mut load = ProjectsLoad::new(Region::Us);
        load.take(&key(), ok(200, r#"{"projects":[{"id":1,"name":"a"},{"id":2,"name":"b"}]}"#)).unwrap();
        load.take(&key(), ok(200, r#"{"projects":[{"id":2,"name":"b"},{"id":3},{"id":4,"name":"d"}]}"#)).unwrap();
        assert_eq!(
            load.next_request(&key()).unwrap().url,
            "https://api-workflow.treasuredata.com/api/projects?last_id=4"
        );
        load.take(&key(), ok(200, r#"{"projects":[]}"#)).unwrap();
        assert!(load.next_request(&key()).is_none());
        assert_eq!(load.projects.iter().map(|p| p.id.value()).collect::<Vec<_>>(), [1, 2, 4]);
        assert_eq!(load.duplicates, 1);
        assert_eq!(load.skipped, [SkippedElement { position: 4, why: "no name".into() }]);
    }

    #[test]
    fn a_load_is_done_only_once_an_empty_page_ends_the_list() {
        let mut load = ProjectsLoad::new(Region::Us);
        assert!(!load.is_done());
        load.take(&key(), ok(200, r#"{"projects":[{"id":1,"name":"a"}]}"#)).unwrap();
        assert!(!load.is_done(), "a page with projects leaves more to ask for");
        assert!(load.next_request(&key()).is_some());
        load.take(&key(), ok(200, r#"{"projects":[]}"#)).unwrap();
        assert!(load.is_done());
    }

    #[test]
    fn later_pages_report_skipped_positions_after_all_earlier_elements_and_add_their_duplicates() {
        let mut load = ProjectsLoad::new(Region::Us);
        // Page 1: 4 elements, one skipped, one repeated id on the page.
        let first = r#"{"projects":[{"id":1,"name":"a"},"x",{"id":1,"name":"a"},{"id":2,"name":"b"}]}"#;
        load.take(&key(), ok(200, first)).unwrap();
        assert_eq!(load.duplicates, 1);
        assert_eq!(load.skipped, [SkippedElement { position: 2, why: "not an object".into() }]);
        // Page 2: two ids repeated on the page, one repeating page 1, and a skipped 4th element,
        // which is the load's 8th.
        let second = r#"{"projects":[{"id":3,"name":"c"},{"id":3,"name":"c"},{"id":2,"name":"b"},
            {"id":5},{"id":6,"name":"f"},{"id":6,"name":"f"}]}"#;
        load.take(&key(), ok(200, second)).unwrap();
        assert!(!load.is_done());
        load.take(&key(), ok(200, r#"{"projects":[]}"#)).unwrap();
        assert_eq!(load.projects.iter().map(|p| p.id.value()).collect::<Vec<_>>(), [1, 2, 3, 6]);
        assert_eq!(load.duplicates, 4, "1 on page 1, 2 within page 2, 1 across pages");
        assert_eq!(
            load.skipped,
            [
                SkippedElement { position: 2, why: "not an object".into() },
                SkippedElement { position: 8, why: "no name".into() },
            ]
        );
    }

    #[test]
    fn a_server_that_ignores_last_id_cannot_keep_a_load_going() {
        let mut load = ProjectsLoad::new(Region::Us);
        let same = r#"{"projects":[{"id":1,"name":"a"}]}"#;
        load.take(&key(), ok(200, same)).unwrap();
        let failure = load.take(&key(), ok(200, same)).unwrap_err();
        assert_eq!(failure.code, ErrorCode::UnexpectedResponse);
        assert!(failure.message.contains("does not move past"), "{}", failure.message);
        assert!(load.is_done() && load.next_request(&key()).is_none());
        assert_eq!((load.projects.len(), load.duplicates), (1, 1), "what was loaded stays");
        // A page of elements without any readable id cannot be followed either.
        let mut load = ProjectsLoad::new(Region::Us);
        assert!(load.take(&key(), ok(200, r#"{"projects":[{"name":"x"}]}"#)).is_err());
        // And every load ends by MAX_PAGES.
        let mut load = ProjectsLoad::new(Region::Us);
        let mut pages = 0;
        while load.next_request(&key()).is_some() {
            pages += 1;
            let body = json!({"projects": [{"id": pages, "name": "p"}]}).to_string();
            if let Err(failure) = load.take(&key(), ok(200, &body)) {
                assert!(failure.message.contains("more than 500 pages"), "{}", failure.message);
            }
        }
        assert_eq!(pages, MAX_PAGES);
    }

    #[test]
    fn other_list_bodies_and_statuses_are_typed_failures() {
        for body in [
            "{}",
            r#"{"projects":null}"#,
            r#"{"projects":{}}"#,
            "[]",
            "<html>Sign in</html>",
            "",
            "{\"projects\":[",
            r#"{"projects":[],"projects":[]}"#,
        ] {
            let failure = page(200, body).unwrap_err();
            assert_eq!(failure.code, ErrorCode::UnexpectedResponse, "{body}");
            assert!(failure.message.contains("workflow project list of the EU01 region"), "{}", failure.message);
        }
        assert!(page(200, "{}").unwrap_err().message.contains("a JSON object without a projects list"));
        assert!(page(200, "<html>").unwrap_err().message.contains("HTML page"));
        let code = |status| page(status, r#"{"message":"no"}"#).unwrap_err().code;
        assert_eq!(code(401), ErrorCode::Unauthorized);
        assert_eq!(code(403), ErrorCode::WorkflowForbidden);
        assert_eq!(code(404), ErrorCode::WorkflowNotFound);
        assert_eq!(code(429), ErrorCode::ClientError);
        assert_eq!(code(400), ErrorCode::ClientError);
        assert_eq!(code(500), ErrorCode::ServerError);
        assert_eq!(code(503), ErrorCode::ServerError);
        assert_eq!(code(302), ErrorCode::UnexpectedResponse);
        assert_eq!(code(204), ErrorCode::UnexpectedResponse);
        assert!(page(429, "").unwrap_err().message.contains("slow down"));
        assert!(page(502, "<html>").unwrap_err().message.contains("Reading is safe to repeat"));
        assert!(page(400, &format!(r#"{{"message":"bad {KEY}"}}"#))
            .unwrap_err()
            .message
            .contains(": bad [key removed]"));
        for (failure, code) in [
            (TransportFailure::Timeout, ErrorCode::Timeout),
            (TransportFailure::Network, ErrorCode::NetworkError),
            (TransportFailure::TooLarge, ErrorCode::UnexpectedResponse),
            (TransportFailure::Redirected, ErrorCode::Redirected),
        ] {
            let failure = read_projects_page(Region::Eu01, &key(), Err(failure)).unwrap_err();
            assert_eq!(failure.code, code);
            assert!(failure.message.contains("api-workflow.eu01.treasuredata.com"), "{}", failure.message);
            assert!(failure.request_sent);
        }
    }

    // ---- secrets ----

    #[test]
    fn secret_names_say_whether_the_project_holds_td_apikey() {
        assert!(secrets(200, r#"{"secrets":[{"key":"s3.secret"},{"key":"td.apikey"}]}"#).unwrap());
        assert!(!secrets(200, r#"{"secrets":[{"key":"s3.secret"}]}"#).unwrap());
        assert!(!secrets(200, r#"{"secrets":[]}"#).unwrap());
        for close in [
            r#"{"key":"TD.APIKEY"}"#,
            r#"{"key":"td.apikey "}"#,
            r#"{"name":"td.apikey"}"#,
            r#""td.apikey""#,
            r#"{"key":["td.apikey"]}"#,
            r#"{"key":"td.apikey","key":"x"}"#,
        ] {
            assert!(!secrets(200, &format!(r#"{{"secrets":[{close}]}}"#)).unwrap(), "{close}");
        }
        for body in ["{}", "[]", r#"{"secrets":{"key":"td.apikey"}}"#, "<html>", "", r#"{"secrets":[],"secrets":[]}"#] {
            assert_eq!(secrets(200, body).unwrap_err().code, ErrorCode::UnexpectedResponse, "{body}");
        }
    }

    #[test]
    fn per_project_statuses_say_what_to_do() {
        let forbidden = secrets(403, "{}").unwrap_err();
        assert_eq!(forbidden.code, ErrorCode::WorkflowProjectForbidden);
        assert!(
            forbidden.message.contains("project 7 in the US region (403), so it was skipped"),
            "{}",
            forbidden.message
        );
        let missing = secrets(404, "{}").unwrap_err();
        assert_eq!(missing.code, ErrorCode::WorkflowProjectNotFound);
        assert!(missing.message.contains("no workflow project 7 in the US region"));
        assert_eq!(secrets(401, "{}").unwrap_err().code, ErrorCode::Unauthorized);
        assert_eq!(secrets(429, "").unwrap_err().code, ErrorCode::ClientError);
        assert_eq!(secrets(500, "").unwrap_err().code, ErrorCode::ServerError);
        let put_missing = set(404, "").unwrap_err();
        assert!(put_missing.message.contains("The project's key was not set."), "{}", put_missing.message);
        assert!(set(503, "<html>").unwrap_err().message.contains("setting it again is safe"));
        let timeout = read_set_api_key_answer(Region::Us, &key(), id(7), Err(TransportFailure::Timeout)).unwrap_err();
        assert_eq!(timeout.code, ErrorCode::Timeout, "setting the same secret again is harmless: idempotent");
        assert!(timeout.message.contains("api-workflow.treasuredata.com"));
    }

    // ---- setting the key ----

    #[test]
    fn the_documented_put_answers_are_the_only_successes() {
        assert_eq!(set(204, "").unwrap(), ApiKeySet { project_name: None });
        let named = set(200, r#"{"key":"td.apikey","project":{"id":"7","name":"etl"}}"#).unwrap();
        assert_eq!(named.project_name.as_deref(), Some("etl"));
        assert_eq!(set(200, r#"{"key":"td.apikey","project":{"id":7}}"#).unwrap().project_name, None);
        assert_eq!(set(200, r#"{"key":"td.apikey"}"#).unwrap().project_name, None);
        assert_eq!(set(200, r#"{"key":"td.apikey","project":null}"#).unwrap().project_name, None);
        let echoed = set(200, &format!(r#"{{"key":"td.apikey","project":{{"id":7,"name":"x {KEY}"}}}}"#)).unwrap();
        assert_eq!(echoed.project_name.as_deref(), Some("x [key removed]"));
        for body in [
            "",
            "{}",
            "[]",
            "<html>ok</html>",
            r#"{"key":"other.secret"}"#,
            r#"{"key":"TD.APIKEY"}"#,
            r#"{"key":"td.apikey","project":{"id":8,"name":"other"}}"#,
            r#"{"key":"td.apikey","project":{"id":"../7"}}"#,
            r#"{"key":"td.apikey","project":"7"}"#,
            r#"{"key":"td.apikey","key":"td.apikey"}"#,
            r#"{"key":"td.apikey","project":{"id":7,"id":8}}"#,
        ] {
            let failure = set(200, body).unwrap_err();
            assert_eq!(failure.code, ErrorCode::UnexpectedResponse, "{body}");
            assert!(
                failure.message.contains("console.treasuredata.co.jp/app/workflows/projects/7"),
                "{}",
                failure.message
            );
        }
        assert!(set(200, r#"{"key":"td.apikey","project":{"id":8}}"#)
            .unwrap_err()
            .message
            .contains("another project (8)"));
        for status in [201, 202, 301, 400, 401, 403, 409, 500] {
            assert!(set(status, r#"{"key":"td.apikey"}"#).is_err(), "{status}");
        }
    }

    // ---- runs ----

    #[test]
    fn each_run_since_the_key_was_set_has_its_verdict() {
        for (done, success, cancel, status, verdict) in [
            (true, true, false, "success", RunsVerdict::SucceededSince),
            (true, false, false, "error", RunsVerdict::FailedSince),
            (false, false, false, "running", RunsVerdict::Running),
            (false, false, true, "canceling", RunsVerdict::Running),
            (true, false, true, "killed", RunsVerdict::NotRunSince),
        ] {
            let body = json!({"sessions": [
                session("2026-11-25T10:00:00Z", done, success, cancel, status),
                session("2026-11-20T10:00:00Z", true, true, false, "success"),
            ]});
            let check = runs(&body.to_string());
            assert_eq!(check.verdict, verdict, "{status}");
            assert_eq!((check.workflow.as_deref(), check.status.as_deref()), (Some("daily"), Some(status)));
            assert_eq!(check.started_at, Some(SET_AT + 800_000));
        }
        let success = runs(&json!([session("2026-11-25T10:00:00Z", true, true, false, "success")]).to_string());
        assert_eq!(success.verdict, RunsVerdict::SucceededSince, "older digdag: a bare array");
        assert!(success.message.contains("proves the project runs, not that every one of its tasks used td.apikey"));
    }

    #[test]
    fn a_failure_since_outweighs_a_success_and_older_runs_do_not_count() {
        let body = json!([
            session("2026-11-25T12:00:00Z", true, true, false, "success"),
            session("2026-11-25T11:00:00Z", true, false, false, "error"),
            session("2026-11-25T10:00:00Z", true, true, false, "success"),
        ]);
        let check = runs(&body.to_string());
        assert_eq!((check.verdict, check.started_at), (RunsVerdict::FailedSince, Some(SET_AT + 4_400_000)));
        // Only runs before the key was set, however many succeeded; one a second early too.
        let body = json!([
            session("2026-11-25T09:46:39Z", true, true, false, "success"),
            session("2026-11-01T00:00:00Z", true, true, false, "success"),
        ]);
        assert_eq!(runs(&body.to_string()).verdict, RunsVerdict::NotRunSince);
        assert_eq!(
            runs(&json!([session("2026-11-25T09:46:40Z", true, true, false, "success")]).to_string()).verdict,
            RunsVerdict::SucceededSince,
            "at the moment itself"
        );
        assert_eq!(runs(r#"{"sessions":[]}"#).verdict, RunsVerdict::NotRunSince);
        assert_eq!(runs("[]").verdict, RunsVerdict::NotRunSince);
    }

    #[test]
    fn unreadable_answers_never_claim_success() {
        let good = session("2026-11-25T10:00:00Z", true, true, false, "success");
        let mut no_time = good.clone();
        no_time["lastAttempt"]["createdAt"] = json!(1795600800);
        let mut string_done = good.clone();
        string_done["lastAttempt"]["done"] = json!("true");
        let mut no_success = good.clone();
        no_success["lastAttempt"].as_object_mut().unwrap().remove("success");
        let mut contradicted = good.clone();
        contradicted["lastAttempt"]["status"] = json!("error");
        for body in [
            "<html>ok</html>".to_string(),
            String::new(),
            "{}".into(),
            r#"{"sessions":{}}"#.into(),
            r#"{"attempts":[]}"#.into(),
            r#"["done"]"#.into(),
            json!([{"lastAttempt": null}]).to_string(),
            json!([no_time]).to_string(),
            json!([string_done]).to_string(),
            json!([no_success]).to_string(),
            json!([contradicted]).to_string(),
            // A readable success beside a session that cannot be read (it may have failed).
            json!([good.clone(), {"lastAttempt": {"createdAt": "2026-11-25T11:00:00Z"}}]).to_string(),
            format!(r#"{{"sessions":[{good}],"sessions":[]}}"#),
        ] {
            let check = runs(&body);
            assert_eq!(check.verdict, RunsVerdict::Unreadable, "{body}");
            assert!(check.message.contains("could not read") && check.message.contains("/app/workflows/projects/7"));
        }
    }

    #[test]
    fn run_texts_are_capped_and_keyless_and_refusals_typed() {
        let mut echoed = session("2026-11-25T10:00:00Z", true, true, false, "success");
        echoed["workflow"]["name"] = json!(format!("{KEY}{}", "w".repeat(5_000)));
        let check = runs(&json!([echoed]).to_string());
        assert!(check.workflow.as_deref().unwrap().starts_with("[key removed]www"));
        assert_eq!(check.workflow.unwrap().chars().count(), MAX_NAME_CHARS + 1);
        let refused = |status| read_runs_since(Region::Ap02, &key(), id(7), SET_AT, ok(status, "{}")).unwrap_err().code;
        assert_eq!(refused(401), ErrorCode::Unauthorized);
        assert_eq!(refused(403), ErrorCode::WorkflowProjectForbidden);
        assert_eq!(refused(404), ErrorCode::WorkflowProjectNotFound);
        assert_eq!(refused(502), ErrorCode::ServerError);
        let timeout = read_runs_since(Region::Ap02, &key(), id(7), SET_AT, Err(TransportFailure::Timeout)).unwrap_err();
        assert!(timeout.message.contains("api-workflow.ap02.treasuredata.com"));
    }

    #[test]
    fn no_failure_message_contains_the_key() {
        let body = format!(r#"{{"message":"bad {KEY}","error":"{KEY}","key":"{KEY}"}}"#);
        for status in [200, 204, 400, 401, 403, 404, 409, 429, 500, 502] {
            let failures = [
                page(status, &body).err(),
                secrets(status, &body).err(),
                set(status, &body).err(),
                read_runs_since(Region::Us, &key(), id(1), SET_AT, ok(status, &body)).err(),
            ];
            for failure in failures.into_iter().flatten() {
                assert!(!failure.message.contains(SECRET_HALF), "{status}: {}", failure.message);
            }
        }
    }
}
