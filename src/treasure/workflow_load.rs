//! Loading a region's workflow projects for the bulk page: the project list, paged by
//! [`ProjectsLoad`], and each listed project's secret names, so that only the projects
//! holding `td.apikey` become rows. This module holds no transport: [`WorkflowLoad`] hands
//! out the next request (the list's next page first, else the next listed project's secret
//! names) and takes each answer, and the caller sends (at most four in flight per workflow
//! host, `wasm_api`). The secret names of a page's projects are asked while the next page
//! loads: a thousand projects are ten pages, which one after another would add ten rounds.
//!
//! - A 401 on any answer stops the load: the key itself is refused, so asking about the
//!   other projects would only be refused again.
//! - Any other failure on one project's secrets (403: no permission on it, 404: deleted
//!   since it was listed, 5xx, a timeout) skips that project with the reason; it does not
//!   become a row, since Keyturn cannot tell whether it holds `td.apikey`.
//! - A project that holds no `td.apikey` is counted and never becomes a row: it runs with
//!   the permission of whoever pushed it, so there is no key of its own to replace, and
//!   Keyturn never sets `td.apikey` on a project that does not hold one.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::failure::{ErrorCode, Failure};
use crate::http::{ApiRequest, Exchange};
use crate::treasure::api_key::TreasureKey;
use crate::treasure::datamodel::MAX_NAME_CHARS;
use crate::treasure::listing::SkippedElement;
use crate::treasure::region::Region;
use crate::treasure::workflow::{
    project_console_url, read_secret_names, secrets_request, ProjectId, ProjectsLoad, WorkflowProject,
};

/// A project whose secrets could not be read, and why: it does not become a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct SkippedProject {
    /// The project's id (digits).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub id: ProjectId,
    /// The project's name, as listed.
    pub name: String,
    /// The failure's code.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub code: &'static str,
    /// Why, in English.
    pub message: String,
    /// The HTTP status, when the workflow host answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// How far a load has come, for the page's progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ProjectsProgress {
    /// Projects whose secrets have an answer (read or skipped).
    pub checked: usize,
    /// Projects listed so far.
    pub total: usize,
    /// Whether the list is still being paged (more projects may come).
    pub listing: bool,
}

/// Asks each listed project which secrets it holds.
#[derive(Debug, Clone)]
pub struct SecretsCheck {
    region: Region,
    projects: Vec<WorkflowProject>,
    next: usize,
    checked: usize,
    skipped: Vec<SkippedProject>,
    refused: Option<Failure>,
}

impl SecretsCheck {
    /// A check of `projects` (as listed in `region`), none asked yet.
    pub fn new(region: Region, projects: Vec<WorkflowProject>) -> SecretsCheck {
        SecretsCheck { region, projects, next: 0, checked: 0, skipped: Vec::new(), refused: None }
    }

    /// The next project to ask about, as its index and request, or `None` when every
    /// project has been handed out or the key was refused.
    pub fn next_request(&mut self, key: &TreasureKey) -> Option<(usize, ApiRequest)> {
        if self.refused.is_some() || self.next >= self.projects.len() {
            return None;
        }
        let index = self.next;
        self.next += 1;
        Some((index, secrets_request(self.region, key, self.projects[index].id)))
    }

    /// Takes the answer for the project at `index` (from [`SecretsCheck::next_request`]).
    pub fn take(&mut self, index: usize, key: &TreasureKey, exchange: Exchange) {
        let Some(project) = self.projects.get_mut(index) else { return };
        if project.holds_api_key.is_some() || self.skipped.iter().any(|s| s.id == project.id) {
            return;
        }
        self.checked += 1;
        match read_secret_names(self.region, key, project.id, exchange) {
            Ok(holds) => project.holds_api_key = Some(holds),
            Err(failure) if failure.code == ErrorCode::Unauthorized => {
                self.refused.get_or_insert(failure);
            }
            Err(failure) => self.skipped.push(SkippedProject {
                id: project.id,
                name: project.name.clone(),
                code: failure.code.as_str(),
                message: failure.message,
                status: failure.status,
            }),
        }
    }

    /// Adds projects listed since (a later page's), to be asked about after the earlier ones.
    pub fn add(&mut self, projects: Vec<WorkflowProject>) {
        self.projects.extend(projects);
    }

    /// Whether an answer refused the key (the load fails; nothing more is asked).
    pub fn is_refused(&self) -> bool {
        self.refused.is_some()
    }

    /// How many projects have an answer, of how many listed (the list has ended).
    pub fn progress(&self) -> ProjectsProgress {
        ProjectsProgress { checked: self.checked, total: self.projects.len(), listing: false }
    }

    /// The outcome: the projects holding `td.apikey`, the count of those holding none, the
    /// skipped ones; or the failure of a refused key (nothing is loaded then). `stopped`:
    /// the user stopped the load before every project had an answer.
    pub fn finish(self, stopped: bool) -> Result<ProjectsLoaded, Failure> {
        if let Some(failure) = self.refused {
            return Err(failure);
        }
        let total = self.projects.len();
        let unchecked = total - self.checked;
        let without_key: Vec<ProjectId> =
            self.projects.iter().filter(|p| p.holds_api_key == Some(false)).map(|p| p.id).collect();
        let holding: Vec<WorkflowProject> =
            self.projects.into_iter().filter(|p| p.holds_api_key == Some(true)).collect();
        Ok(ProjectsLoaded { listed: total, holding, without_key, skipped: self.skipped, unchecked, stopped })
    }
}

/// What a [`WorkflowLoad`] asks the caller to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadStep {
    /// Send the list's next page (one page at a time: each asks past the last page's ids).
    Page(ApiRequest),
    /// Send a listed project's secret names request: the project's index and the request.
    Secrets(usize, ApiRequest),
    /// Nothing to send until the page in flight answers: its projects are the next to ask.
    AwaitPage,
}

/// A region's whole load: the project list's pages one at a time, and beside them the
/// secret names of the projects listed so far (the list's next page goes first whenever no
/// page is in flight, since the rest of the load waits on it).
#[derive(Debug, Clone)]
pub struct WorkflowLoad {
    list: ProjectsLoad,
    check: SecretsCheck,
    page_in_flight: bool,
    /// A page's failure: it ends the load, which then loads nothing.
    list_failure: Option<Failure>,
}

impl WorkflowLoad {
    /// A load of `region`'s projects, nothing sent yet.
    pub fn new(region: Region) -> WorkflowLoad {
        WorkflowLoad {
            list: ProjectsLoad::new(region),
            check: SecretsCheck::new(region, Vec::new()),
            page_in_flight: false,
            list_failure: None,
        }
    }

    /// What to send next, or `None` when nothing is left to send: the list has ended and
    /// every listed project was handed out, or a page failed, or the key was refused.
    pub fn next_step(&mut self, key: &TreasureKey) -> Option<LoadStep> {
        if self.list_failure.is_some() || self.check.is_refused() {
            return None;
        }
        if !self.page_in_flight {
            if let Some(request) = self.list.next_request(key) {
                self.page_in_flight = true;
                return Some(LoadStep::Page(request));
            }
        }
        if let Some((index, request)) = self.check.next_request(key) {
            return Some(LoadStep::Secrets(index, request));
        }
        self.page_in_flight.then_some(LoadStep::AwaitPage)
    }

    /// Takes the answer to the page of the last [`LoadStep::Page`]: its projects are asked
    /// about next; a failure ends the load.
    pub fn take_page(&mut self, key: &TreasureKey, exchange: Exchange) {
        self.page_in_flight = false;
        match self.list.take(key, exchange) {
            Ok(()) => self.check.add(std::mem::take(&mut self.list.projects)),
            Err(failure) => {
                self.list_failure.get_or_insert(failure);
            }
        }
    }

    /// Takes the answer for the project at `index` (from a [`LoadStep::Secrets`]).
    pub fn take_secrets(&mut self, index: usize, key: &TreasureKey, exchange: Exchange) {
        self.check.take(index, key, exchange);
    }

    /// How far the load has come.
    pub fn progress(&self) -> ProjectsProgress {
        ProjectsProgress { listing: !self.list.is_done(), ..self.check.progress() }
    }

    /// The outcome, with the list elements that were no project Keyturn can address; or the
    /// failure of a page or of a refused key (nothing is loaded then). `stopped`: the user
    /// stopped the load before its end.
    pub fn finish(self, stopped: bool) -> Result<(ProjectsLoaded, Vec<SkippedElement>), Failure> {
        if let Some(failure) = self.list_failure {
            return Err(failure);
        }
        Ok((self.check.finish(stopped)?, self.list.skipped))
    }
}

/// A finished (or stopped) load of a region's workflow projects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectsLoaded {
    /// How many projects the list held.
    pub listed: usize,
    /// The projects holding `td.apikey`: the rows.
    pub holding: Vec<WorkflowProject>,
    /// The projects found holding no `td.apikey` (nothing to replace).
    pub without_key: Vec<ProjectId>,
    /// The projects whose secrets could not be read, and why.
    pub skipped: Vec<SkippedProject>,
    /// The projects never asked because the user stopped the load.
    pub unchecked: usize,
    /// Whether the user stopped the load.
    pub stopped: bool,
}

/// Refuses a load the administrator's policy switched off (`workflowProjects: false`).
pub fn check_enabled(policy: &crate::policy::Policy) -> Result<(), Failure> {
    if policy.workflow_projects {
        return Ok(());
    }
    Err(Failure::new(
        ErrorCode::WorkflowProjectsDisabled,
        "Your administrator switched Treasure Workflow projects off in Keyturn: no project was listed or changed.",
    ))
}

/// A project holding `td.apikey` as the background hands it over to the bulk page, whose
/// table owns the loaded rows (the background loads: its fetches answer sooner than a
/// page's). The region comes with the handover; the console address is derived again.
#[derive(Serialize, Deserialize)]
struct HandedOver {
    id: ProjectId,
    name: String,
}

/// A load as the background hands it over: whether it ran to its end, the projects found
/// holding `td.apikey`, and the ids of those found holding none.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Handover {
    complete: bool,
    holding: Vec<HandedOver>,
    without_key: Vec<ProjectId>,
}

/// A load as JSON text, which the page only relays to its core (`taken_over`).
pub fn handover_json(loaded: &ProjectsLoaded) -> String {
    let handover = Handover {
        complete: !loaded.stopped,
        holding: loaded
            .holding
            .iter()
            .map(|project| HandedOver { id: project.id, name: project.name.clone() })
            .collect(),
        without_key: loaded.without_key.clone(),
    };
    serde_json::to_string(&handover).unwrap_or_default()
}

/// A load taken over by the bulk page, to join into the region's rows ([`TakenOver::join_into`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TakenOver {
    /// Whether the load ran to its end (it was not stopped).
    pub complete: bool,
    /// The projects found holding `td.apikey`: the rows.
    pub holding: Vec<WorkflowProject>,
    /// The projects found holding none.
    pub without_key: Vec<ProjectId>,
}

/// The page's side of [`handover_json`]: the load's projects of `region`. Text that does not
/// read back, whole, gives an empty stopped load, which changes no row; a name is held to
/// the listing's cap again, so nothing longer reaches the table whatever it was handed.
pub fn taken_over(region: Region, json: &str) -> TakenOver {
    let Ok(handover) = serde_json::from_str::<Handover>(json) else { return TakenOver::default() };
    let holding = handover
        .holding
        .into_iter()
        .map(|project| WorkflowProject {
            region: region.info().id,
            id: project.id,
            name: project.name.chars().take(MAX_NAME_CHARS + 1).collect(),
            holds_api_key: Some(true),
            console_url: project_console_url(region, project.id),
        })
        .collect();
    TakenOver { complete: handover.complete, holding, without_key: handover.without_key }
}

impl TakenOver {
    /// Joins the load into the page's loaded project rows. A load that ran to its end is the
    /// region's whole list: it replaces the region's earlier rows. A stopped one changes only
    /// the projects it read (a row found holding `td.apikey` is taken anew, one found holding
    /// none leaves), so the earlier rows it never reached stay as the earlier load found them
    /// rather than vanish. Returns how many of the region's earlier rows stayed.
    pub fn join_into(self, region: Region, rows: &mut Vec<WorkflowProject>) -> usize {
        let region_id = region.info().id;
        let read_again: HashSet<ProjectId> =
            self.holding.iter().map(|p| p.id).chain(self.without_key.iter().copied()).collect();
        rows.retain(|row| row.region != region_id || (!self.complete && !read_again.contains(&row.id)));
        let kept = rows.iter().filter(|row| row.region == region_id).count();
        rows.extend(self.holding);
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{ApiResponse, TransportFailure};
    use crate::treasure::workflow::{ProjectsLoad, API_KEY_SECRET};

    const KEY: &str = "1234/0123456789abcdef0123456789abcdef01234567";

    fn key() -> TreasureKey {
        TreasureKey::parse(KEY).unwrap()
    }

    fn ok(status: u16, body: &str) -> Exchange {
        Ok(ApiResponse { status, content_type: None, body: body.into() })
    }

    fn listed(projects: &[(u64, &str)]) -> Vec<WorkflowProject> {
        let mut load = ProjectsLoad::new(Region::Us);
        let page: Vec<String> = projects.iter().map(|(id, name)| format!(r#"{{"id":{id},"name":"{name}"}}"#)).collect();
        load.take(&key(), ok(200, &format!(r#"{{"projects":[{}]}}"#, page.join(",")))).unwrap();
        load.take(&key(), ok(200, r#"{"projects":[]}"#)).unwrap();
        load.projects
    }

    /// A load's outcome as `SecretsCheck::finish` gives it: `holding` and `without_key` by id.
    fn loaded(holding: &[(u64, &str)], without_key: &[u64], stopped: bool) -> ProjectsLoaded {
        let mut holding = listed(holding);
        for project in &mut holding {
            project.holds_api_key = Some(true);
        }
        let without_key: Vec<ProjectId> =
            without_key.iter().map(|id| ProjectId::parse(&id.to_string()).unwrap()).collect();
        ProjectsLoaded {
            listed: holding.len() + without_key.len(),
            holding,
            without_key,
            skipped: Vec::new(),
            unchecked: 0,
            stopped,
        }
    }

    #[test]
    fn the_page_takes_over_exactly_the_projects_the_background_loaded() {
        let load = loaded(&[(101, "etl"), (7, "reports — daily")], &[9], false);
        let json = handover_json(&load);
        assert_eq!(
            json,
            r#"{"complete":true,"holding":[{"id":"101","name":"etl"},{"id":"7","name":"reports — daily"}],"withoutKey":["9"]}"#
        );
        let taken = taken_over(Region::Us, &json);
        assert_eq!(taken.holding, load.holding);
        assert_eq!((taken.complete, taken.without_key), (true, load.without_key));
        assert!(!taken_over(Region::Us, &handover_json(&loaded(&[], &[], true))).complete);
        assert_eq!(
            taken_over(Region::Eu01, &json).holding[1].console_url,
            "https://console.eu01.treasuredata.com/app/workflows/projects/7",
            "the address comes from the region handed over, not from the text"
        );
    }

    #[test]
    fn a_handover_that_does_not_read_back_changes_no_row_and_names_stay_capped() {
        let earlier = listed(&[(1, "a")]);
        for bad in [
            "",
            "{}",
            "null",
            "[]",
            r#"{"complete":true,"holding":[{"id":"1/../2","name":"a"}],"withoutKey":[]}"#,
            r#"{"complete":true,"holding":[{"id":1,"name":"a"}],"withoutKey":[]}"#,
            r#"{"complete":true,"holding":[{"id":"1"}],"withoutKey":[]}"#,
            r#"{"complete":true,"holding":[],"withoutKey":["x"]}"#,
            r#"{"complete":true,"holding":[]}"#,
            r#"{"complete":true,"holding":[],"withoutKey":[],"more":1}"#,
        ] {
            let taken = taken_over(Region::Us, bad);
            assert_eq!(taken, TakenOver::default(), "{bad}");
            let mut rows = earlier.clone();
            assert_eq!(taken.join_into(Region::Us, &mut rows), 1, "{bad}");
            assert_eq!(rows, earlier, "{bad}");
        }
        let long = format!(
            r#"{{"complete":true,"holding":[{{"id":"5","name":"{}"}}],"withoutKey":[]}}"#,
            "n".repeat(MAX_NAME_CHARS * 3)
        );
        assert_eq!(taken_over(Region::Us, &long).holding[0].name.chars().count(), MAX_NAME_CHARS + 1);
    }

    /// The rows as (region, id, name).
    fn rows_of(rows: &[WorkflowProject]) -> Vec<(&str, u64, &str)> {
        rows.iter().map(|row| (row.region, row.id.value(), row.name.as_str())).collect()
    }

    /// Rows of a region as an earlier load left them.
    fn earlier_rows(region: Region, projects: &[(u64, &str)]) -> Vec<WorkflowProject> {
        taken_over(region, &handover_json(&loaded(projects, &[], false))).holding
    }

    #[test]
    fn a_load_that_ran_to_its_end_replaces_its_regions_earlier_rows_only() {
        let mut rows = earlier_rows(Region::Us, &[(1, "a"), (2, "b")]);
        rows.extend(earlier_rows(Region::Eu01, &[(1, "eu")]));
        let taken = taken_over(Region::Us, &handover_json(&loaded(&[(3, "c")], &[2], false)));
        assert_eq!(taken.join_into(Region::Us, &mut rows), 0);
        assert_eq!(
            rows_of(&rows),
            [("eu01", 1, "eu"), ("us", 3, "c")],
            "project 1 is no longer listed: its row leaves"
        );
    }

    #[test]
    fn a_stopped_load_changes_only_the_projects_it_read_and_keeps_the_earlier_rows_it_never_reached() {
        let mut rows = earlier_rows(Region::Us, &[(1, "a"), (2, "b"), (3, "c")]);
        rows.extend(earlier_rows(Region::Eu01, &[(2, "eu")]));
        // Stopped after reading project 1 again (renamed) and project 2 (its td.apikey gone).
        let taken = taken_over(Region::Us, &handover_json(&loaded(&[(1, "a renamed")], &[2], true)));
        assert_eq!(taken.join_into(Region::Us, &mut rows), 1, "project 3 was never reached");
        assert_eq!(rows_of(&rows), [("us", 3, "c"), ("eu01", 2, "eu"), ("us", 1, "a renamed")]);
        // Stopped before the list answered: nothing read, every earlier row stays.
        let mut before = rows.clone();
        let nothing = taken_over(Region::Us, &handover_json(&loaded(&[], &[], true)));
        assert_eq!(nothing.join_into(Region::Us, &mut before), 2);
        assert_eq!(before, rows);
    }

    const HOLDS: &str = r#"{"secrets":[{"key":"td.apikey"}]}"#;
    const NONE: &str = r#"{"secrets":[{"key":"s3.secret"}]}"#;

    #[test]
    fn only_projects_holding_td_apikey_are_kept_and_the_others_counted() {
        let mut check = SecretsCheck::new(Region::Us, listed(&[(101, "etl"), (102, "reports"), (103, "sync")]));
        let mut asked = Vec::new();
        while let Some((index, request)) = check.next_request(&key()) {
            asked.push(request.url.clone());
            let body = if index == 1 { NONE } else { HOLDS };
            check.take(index, &key(), ok(200, body));
        }
        assert_eq!(
            asked,
            [
                "https://api-workflow.treasuredata.com/api/projects/101/secrets",
                "https://api-workflow.treasuredata.com/api/projects/102/secrets",
                "https://api-workflow.treasuredata.com/api/projects/103/secrets",
            ]
        );
        assert_eq!(check.progress(), ProjectsProgress { checked: 3, total: 3, listing: false });
        let loaded = check.finish(false).unwrap();
        assert_eq!(
            loaded.holding.iter().map(|p| (p.id.value(), p.name.as_str())).collect::<Vec<_>>(),
            [(101, "etl"), (103, "sync")]
        );
        assert!(loaded.holding.iter().all(|p| p.holds_api_key == Some(true)));
        assert_eq!((loaded.listed, loaded.without_key.len(), loaded.unchecked, loaded.stopped), (3, 1, 0, false));
        assert!(loaded.skipped.is_empty());
        assert_eq!(API_KEY_SECRET, "td.apikey");
    }

    #[test]
    fn a_forbidden_or_missing_project_is_skipped_with_its_reason() {
        let mut check = SecretsCheck::new(Region::Us, listed(&[(1, "a"), (2, "b"), (3, "c"), (4, "d")]));
        let answers = [ok(403, "{}"), ok(200, HOLDS), ok(404, ""), Err(TransportFailure::Timeout)];
        let mut answers = answers.into_iter();
        while let Some((index, _)) = check.next_request(&key()) {
            check.take(index, &key(), answers.next().unwrap());
        }
        let loaded = check.finish(false).unwrap();
        assert_eq!(loaded.holding.len(), 1);
        assert_eq!(loaded.holding[0].id.value(), 2);
        let skipped: Vec<_> = loaded.skipped.iter().map(|s| (s.id.value(), s.name.as_str(), s.code)).collect();
        assert_eq!(
            skipped,
            [(1, "a", "WORKFLOW_PROJECT_FORBIDDEN"), (3, "c", "WORKFLOW_PROJECT_NOT_FOUND"), (4, "d", "TIMEOUT")]
        );
        assert!(loaded.skipped[0].message.contains("project 1 in the US region (403), so it was skipped"));
        assert_eq!(loaded.skipped.iter().map(|s| s.status).collect::<Vec<_>>(), [Some(403), Some(404), None]);
        assert_eq!(loaded.without_key, [], "a skipped project is not counted as holding no key");
    }

    #[test]
    fn a_refused_key_stops_handing_out_projects_and_fails_the_load() {
        let mut check = SecretsCheck::new(Region::Us, listed(&[(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e")]));
        // Four in flight, as the scheduler sends them; the first answer is a 401.
        let in_flight: Vec<usize> = (0..4).map(|_| check.next_request(&key()).unwrap().0).collect();
        check.take(in_flight[0], &key(), ok(401, "{}"));
        assert!(check.next_request(&key()).is_none(), "the fifth project is never asked");
        for index in &in_flight[1..] {
            check.take(*index, &key(), ok(200, HOLDS));
        }
        let failure = check.finish(false).unwrap_err();
        assert_eq!(failure.code, ErrorCode::Unauthorized);
        assert!(failure.message.contains("refused the API key (401)"), "{}", failure.message);
    }

    #[test]
    fn a_stopped_load_keeps_what_was_read_and_counts_the_rest() {
        let mut check = SecretsCheck::new(Region::Eu01, listed(&[(1, "a"), (2, "b"), (3, "c")]));
        let (index, request) = check.next_request(&key()).unwrap();
        assert_eq!(request.url, "https://api-workflow.eu01.treasuredata.com/api/projects/1/secrets");
        check.take(index, &key(), ok(200, HOLDS));
        // The same answer twice (a resent request) counts once.
        check.take(index, &key(), ok(200, NONE));
        assert_eq!(check.progress(), ProjectsProgress { checked: 1, total: 3, listing: false });
        let loaded = check.finish(true).unwrap();
        assert_eq!((loaded.holding.len(), loaded.without_key.len(), loaded.unchecked, loaded.stopped), (1, 0, 2, true));
    }

    fn page_of(ids: &[u64]) -> Exchange {
        let page: Vec<String> = ids.iter().map(|id| format!(r#"{{"id":{id},"name":"p{id}"}}"#)).collect();
        ok(200, &format!(r#"{{"projects":[{}]}}"#, page.join(",")))
    }

    /// The URL of a step's request, `"await"` for a wait, `"none"` for the end.
    fn url_of(step: Option<LoadStep>) -> String {
        let short = |url: String| url.trim_start_matches("https://api-workflow.treasuredata.com").to_string();
        match step {
            Some(LoadStep::Page(request)) => short(request.url),
            Some(LoadStep::Secrets(_, request)) => short(request.url),
            Some(LoadStep::AwaitPage) => "await".into(),
            None => "none".into(),
        }
    }

    #[test]
    fn the_next_page_goes_first_and_its_projects_are_asked_about_while_the_page_after_loads() {
        let mut load = WorkflowLoad::new(Region::Us);
        assert_eq!(url_of(load.next_step(&key())), "/api/projects");
        // Three more slots, nothing listed yet: they wait for the page.
        for _ in 0..3 {
            assert_eq!(url_of(load.next_step(&key())), "await");
        }
        load.take_page(&key(), page_of(&[1, 2]));
        assert_eq!(load.progress(), ProjectsProgress { checked: 0, total: 2, listing: true });
        let steps: Vec<String> = (0..4).map(|_| url_of(load.next_step(&key()))).collect();
        assert_eq!(steps, ["/api/projects?last_id=2", "/api/projects/1/secrets", "/api/projects/2/secrets", "await"]);
        load.take_secrets(0, &key(), ok(200, HOLDS));
        assert_eq!(load.progress(), ProjectsProgress { checked: 1, total: 2, listing: true });
        load.take_page(&key(), page_of(&[3]));
        let steps: Vec<String> = (0..2).map(|_| url_of(load.next_step(&key()))).collect();
        assert_eq!(steps, ["/api/projects?last_id=3", "/api/projects/3/secrets"]);
        load.take_page(&key(), ok(200, r#"{"projects":[]}"#));
        assert_eq!(url_of(load.next_step(&key())), "none", "the list ended and every project was handed out");
        load.take_secrets(1, &key(), ok(200, NONE));
        load.take_secrets(2, &key(), ok(200, HOLDS));
        assert_eq!(load.progress(), ProjectsProgress { checked: 3, total: 3, listing: false });
        let (loaded, list_skipped) = load.finish(false).unwrap();
        assert_eq!(loaded.holding.iter().map(|p| p.id.value()).collect::<Vec<_>>(), [1, 3]);
        assert_eq!((loaded.listed, loaded.without_key.len(), loaded.unchecked, loaded.stopped), (3, 1, 0, false));
        assert!(list_skipped.is_empty());
    }

    #[test]
    fn a_failed_page_ends_the_load_and_loads_nothing() {
        let mut load = WorkflowLoad::new(Region::Us);
        load.next_step(&key());
        load.take_page(&key(), page_of(&[1, 2]));
        assert!(matches!(load.next_step(&key()), Some(LoadStep::Page(_))));
        let (index, _) = match load.next_step(&key()) {
            Some(LoadStep::Secrets(index, request)) => (index, request),
            other => panic!("{other:?}"),
        };
        load.take_page(&key(), ok(500, "{}"));
        assert_eq!(url_of(load.next_step(&key())), "none", "the second project is never asked");
        load.take_secrets(index, &key(), ok(200, HOLDS));
        assert!(!load.progress().listing);
        assert_eq!(load.finish(false).unwrap_err().status, Some(500));
    }

    #[test]
    fn a_refused_key_on_a_project_stops_the_paging_too() {
        let mut load = WorkflowLoad::new(Region::Us);
        load.next_step(&key());
        load.take_page(&key(), page_of(&[1, 2, 3]));
        let Some(LoadStep::Page(_)) = load.next_step(&key()) else { panic!("the next page goes first") };
        let Some(LoadStep::Secrets(index, _)) = load.next_step(&key()) else { panic!("then a project") };
        load.take_secrets(index, &key(), ok(401, "{}"));
        load.take_page(&key(), page_of(&[4]));
        assert_eq!(url_of(load.next_step(&key())), "none", "no page and no project more");
        assert_eq!(load.finish(false).unwrap_err().code, ErrorCode::Unauthorized);
    }

    #[test]
    fn a_load_stopped_while_listing_counts_the_listed_projects_not_asked_and_keeps_the_skipped_elements() {
        let mut load = WorkflowLoad::new(Region::Us);
        load.next_step(&key());
        load.take_page(&key(), ok(200, r#"{"projects":[{"id":1,"name":"a"},{"name":"no id"},{"id":2,"name":"b"}]}"#));
        load.next_step(&key());
        let Some(LoadStep::Secrets(index, _)) = load.next_step(&key()) else { panic!("a project") };
        load.take_secrets(index, &key(), ok(200, HOLDS));
        assert_eq!(load.progress(), ProjectsProgress { checked: 1, total: 2, listing: true });
        let (loaded, list_skipped) = load.finish(true).unwrap();
        assert_eq!((loaded.holding.len(), loaded.unchecked, loaded.stopped), (1, 1, true));
        assert_eq!(list_skipped.iter().map(|s| s.position).collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn the_policy_can_switch_projects_off() {
        use crate::policy::Policy;
        assert!(check_enabled(&Policy::default()).is_ok());
        let off = check_enabled(&Policy::read(r#"{"workflowProjects": false}"#)).unwrap_err();
        assert_eq!(off.code, ErrorCode::WorkflowProjectsDisabled);
        assert!(!off.request_sent);
        assert!(check_enabled(&Policy::read(r#"{"workflowProjects": true}"#)).is_ok());
    }
}
