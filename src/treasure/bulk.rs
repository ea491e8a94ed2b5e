//! Replacing the key of many data models in one run (when a key expires, every data model
//! holding it breaks at once, seed-001). This module is the run's plain-data state: which
//! lines were understood, which rows are pending, running, done or failed, when the run
//! stops early, and its CSV summary. The wasm side only drives requests through it.

use serde::{Deserialize, Serialize};

use crate::csv;
use crate::failure::{ErrorCode, Failure};
use crate::input::display_snippet;
use crate::policy::Policy;
use crate::treasure::builds::BuildVerdict;
use crate::treasure::console_url::{parse_console_url, DataModelTarget, Oid};
use crate::treasure::region::Region;
use crate::treasure::workflow::{ProjectId, RunsVerdict};
use crate::treasure::workflow_load::check_enabled;
use crate::url::split_scheme;
use std::collections::{HashMap, HashSet};

/// At most this many requests in flight per API host.
pub const MAX_IN_FLIGHT_PER_HOST: usize = 4;

/// Where a row of the run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub enum RowState {
    /// Waiting to be sent.
    Pending,
    /// Sent, no answer yet.
    Running,
    /// Replaced: Treasure confirmed the data model.
    Done,
    /// Sent and failed (see the row's code and message).
    Failed,
    /// Not sent because the run stopped (the key itself was refused).
    Skipped,
}

/// One data model, or one Treasure Workflow project, of the run. Holds no key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(rename = "BulkRow"))]
pub struct Row {
    /// The region's id.
    pub region: String,
    /// The region's English name.
    pub region_label: String,
    /// The API host the row goes to (the run's concurrency is per host): a project's is
    /// its region's workflow host, with its own limit.
    pub api_host: String,
    /// The data model's OID (empty for a project).
    pub oid: String,
    /// The Treasure Workflow project's id (digits), for a project row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Where the row stands.
    pub state: RowState,
    /// The data model's name, once Treasure confirmed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The data model's type, once Treasure confirmed it.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The failure's code, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The failure's message, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When Treasure confirmed the replacement (milliseconds): a build counts as one with
    /// the new key only if it started after this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_at: Option<u64>,
    /// The launch of the run (the first, or a retry) that last sent this row; 0: never sent.
    #[serde(default)]
    pub launch: u32,
}

/// The run's whole state: what the popup shows and storage.session keeps (never the key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct BulkRun {
    /// The data models of the run.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "BulkRow[]"))] // tsify's rename does not follow references
    pub rows: Vec<Row>,
    /// Why the run stopped early, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// The code of why it stopped: `BULK_STOPPED` (the key was refused) or `STOPPED_BY_USER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_code: Option<String>,
    /// Lines that could not be read.
    #[serde(default)]
    pub invalid: Vec<InvalidLine>,
    /// How many lines repeated a data model already in the run.
    #[serde(default)]
    pub duplicates: usize,
}

/// How the bulk page's table, its build checks and the CSV name a data model's row:
/// `<region id>:<oid>`.
pub fn row_key(region: &str, oid: &str) -> String {
    format!("{region}:{oid}")
}

/// A data model or a workflow project chosen in the bulk page's table.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChosenTarget {
    /// The region's id.
    pub region: String,
    /// The OID, for a data model.
    #[serde(default)]
    pub oid: String,
    /// The project's id, for a workflow project.
    #[serde(default, rename = "projectId")]
    pub project_id: Option<String>,
    /// The project's name as listed, for a workflow project.
    #[serde(default)]
    pub name: Option<String>,
}

impl Row {
    /// How the page, the build checks and the CSV name the row: `<region>:<oid>` for a data
    /// model, `wf:<region>:<id>` for a project (table::project_row_key).
    pub fn key(&self) -> String {
        match &self.project_id {
            Some(id) => format!("wf:{}:{id}", self.region),
            None => row_key(&self.region, &self.oid),
        }
    }

    /// `data_model` or `workflow_project`.
    pub fn kind_name(&self) -> &'static str {
        if self.project_id.is_some() {
            crate::treasure::table::KIND_WORKFLOW_PROJECT
        } else {
            crate::treasure::table::KIND_DATA_MODEL
        }
    }
}

/// A line that could not be read, with its reason (the code as text, so the run round-trips).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct InvalidLine {
    /// The line's number, from 1.
    pub line: usize,
    /// The line as pasted (shortened for display).
    pub text: String,
    /// Why it could not be read: an error code's name.
    pub code: String,
    /// Why, in words.
    pub message: String,
}

/// How many rows are done, failed, and still to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Counts {
    /// Replaced.
    pub done: usize,
    /// Failed, or not sent because the run stopped.
    pub failed: usize,
    /// Pending or running.
    pub remaining: usize,
}

fn code_text(code: ErrorCode) -> String {
    code.as_str().to_string()
}

/// The run as the page sees it: its own fields plus the derived `counts` and `finished`,
/// which reading back ignores.
#[derive(Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(rename = "BulkRunView"))]
struct RunView<'a> {
    #[serde(flatten)]
    run: &'a BulkRun,
    counts: Counts,
    finished: bool,
}

// The run crosses to the page and into storage.session as JSON text, and comes back for
// retries and the CSV.
impl BulkRun {
    /// The run as JSON text for the page and storage.session.
    pub fn to_json(&self) -> String {
        let view = RunView { run: self, counts: self.counts(), finished: self.is_finished() };
        serde_json::to_string(&view).unwrap_or_default()
    }

    /// Reads back what [`BulkRun::to_json`] wrote; `None` for anything else.
    pub fn from_json(json: &str) -> Option<BulkRun> {
        serde_json::from_str(json).ok()
    }
}

impl BulkRun {
    /// Reads pasted lines: console data model URLs or bare OIDs (which take
    /// `bare_oid_region`), one per line, blank lines ignored, duplicates removed; a data
    /// model in a region `policy` does not offer is listed as invalid.
    pub fn plan(text: &str, bare_oid_region: Option<Region>, policy: &Policy) -> BulkRun {
        let mut run =
            BulkRun { rows: Vec::new(), stopped: None, stopped_code: None, invalid: Vec::new(), duplicates: 0 };
        // A set: a run planned from thousands of ticked rows must not scan for each.
        let mut seen: HashSet<(Region, String)> = HashSet::new();
        for (index, line) in text.lines().enumerate() {
            let line_text = line.trim();
            if line_text.is_empty() {
                continue;
            }
            match Self::read_offered_line(line_text, bare_oid_region, policy) {
                Ok(target) if seen.contains(&(target.region, target.oid.as_str().to_string())) => run.duplicates += 1,
                Ok(target) => {
                    let info = target.region.info();
                    run.rows.push(Row {
                        region: info.id.to_string(),
                        region_label: info.label.to_string(),
                        api_host: info.api_host.to_string(),
                        oid: target.oid.as_str().to_string(),
                        project_id: None,
                        state: RowState::Pending,
                        name: None,
                        kind: None,
                        code: None,
                        message: None,
                        replaced_at: None,
                        launch: 0,
                    });
                    seen.insert((target.region, target.oid.as_str().to_string()));
                }
                Err(failure) => run.invalid.push(InvalidLine {
                    line: index + 1,
                    text: display_snippet(line_text, 120),
                    code: code_text(failure.code),
                    message: failure.message,
                }),
            }
        }
        run
    }

    /// A run of the data models and workflow projects chosen in the bulk page's table, by
    /// region id and OID or project id. They come from the page, so each is checked again
    /// (region, UUID or project id, policy); duplicates are removed. The projects follow
    /// the data models; each goes to its region's workflow host.
    pub fn plan_targets(targets: &[ChosenTarget], policy: &Policy) -> BulkRun {
        let (projects, models): (Vec<&ChosenTarget>, Vec<&ChosenTarget>) =
            targets.iter().partition(|target| target.project_id.is_some());
        let lines: Vec<String> = models
            .iter()
            .map(|target| match (Region::from_id(&target.region), Oid::parse(&target.oid)) {
                (Some(region), Ok(oid)) => DataModelTarget { region, oid }.console_url(),
                // Kept as given, so the plan lists it as invalid, with why.
                _ => format!("{} {}", target.region, target.oid),
            })
            .collect();
        let mut run = BulkRun::plan(&lines.join("\n"), None, policy);
        let mut seen: HashSet<(Region, ProjectId)> = HashSet::new();
        for (index, target) in projects.into_iter().enumerate() {
            let id = target.project_id.as_deref().unwrap_or_default();
            match Self::read_project(&target.region, id, policy) {
                Ok(project) if !seen.insert(project) => run.duplicates += 1,
                Ok((region, id)) => {
                    let info = region.info();
                    run.rows.push(Row {
                        region: info.id.to_string(),
                        region_label: info.label.to_string(),
                        api_host: region.workflow_host().to_string(),
                        oid: String::new(),
                        project_id: Some(id.to_string()),
                        state: RowState::Pending,
                        name: target.name.as_deref().map(|name| display_snippet(name, 200)),
                        kind: None,
                        code: None,
                        message: None,
                        replaced_at: None,
                        launch: 0,
                    });
                }
                Err(failure) => run.invalid.push(InvalidLine {
                    line: lines.len() + index + 1,
                    text: display_snippet(&format!("{} workflow project {id}", target.region), 120),
                    code: code_text(failure.code),
                    message: failure.message,
                }),
            }
        }
        run
    }

    /// A chosen project's region and id, refused when the policy does not offer the region
    /// or switched projects off.
    fn read_project(region: &str, id: &str, policy: &Policy) -> Result<(Region, ProjectId), Failure> {
        let region = Region::from_id(region)
            .ok_or_else(|| Failure::new(ErrorCode::UnknownRegion, "Choose the project's region and load it again."))?;
        policy.check_region(region)?;
        check_enabled(policy)?;
        Ok((region, ProjectId::parse(id)?))
    }

    /// A project row's region and id, rebuilt from its checked parts (`None` for a data
    /// model's row, or one read back that no longer parses).
    pub fn project_target(&self, index: usize) -> Option<(Region, ProjectId)> {
        let row = self.rows.get(index)?;
        Some((Region::from_id(&row.region)?, ProjectId::parse(row.project_id.as_deref()?).ok()?))
    }

    /// One pasted line's data model, refused when `policy` does not offer its region.
    pub(crate) fn read_offered_line(
        line: &str,
        bare_oid_region: Option<Region>,
        policy: &Policy,
    ) -> Result<DataModelTarget, Failure> {
        let target = Self::read_line(line, bare_oid_region)?;
        policy.check_region(target.region)?;
        Ok(target)
    }

    /// One pasted line's data model: a console address, or a bare OID in `bare_oid_region`.
    fn read_line(line: &str, bare_oid_region: Option<Region>) -> Result<DataModelTarget, Failure> {
        if split_scheme(line).is_some() {
            return parse_console_url(line);
        }
        let oid = Oid::parse(line)?;
        let region = bare_oid_region.ok_or_else(|| {
            Failure::new(
                ErrorCode::UnknownRegion,
                "A bare OID needs a region: choose the region for bare OIDs, or paste the console address.",
            )
        })?;
        Ok(DataModelTarget { region, oid })
    }

    /// The target of a row, rebuilt from its checked parts.
    pub fn target(&self, index: usize) -> Option<DataModelTarget> {
        let row = self.rows.get(index).filter(|row| row.project_id.is_none())?;
        Some(DataModelTarget { region: Region::from_id(&row.region)?, oid: Oid::parse(&row.oid).ok()? })
    }

    /// The API hosts this run sends to, each once.
    pub fn hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = Vec::new();
        for row in &self.rows {
            if !hosts.contains(&row.api_host) {
                hosts.push(row.api_host.clone());
            }
        }
        hosts
    }

    /// Prepares "Retry failed": failed and skipped rows become pending again (the PUT is
    /// idempotent); successful rows are left alone.
    pub fn retry_failed(&mut self) {
        self.stopped = None;
        self.stopped_code = None;
        for row in &mut self.rows {
            if matches!(row.state, RowState::Failed | RowState::Skipped) {
                row.state = RowState::Pending;
                row.code = None;
                row.message = None;
            }
        }
    }

    /// The regions of the rows replaced, each once, in the run's order: where a reminder
    /// for the key given belongs.
    pub fn replaced_regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = Vec::new();
        for row in self.rows.iter().filter(|row| row.state == RowState::Done) {
            if !regions.contains(&row.region) {
                regions.push(row.region.clone());
            }
        }
        regions
    }

    /// The run's counts.
    pub fn counts(&self) -> Counts {
        let count = |wanted: &[RowState]| self.rows.iter().filter(|row| wanted.contains(&row.state)).count();
        Counts {
            done: count(&[RowState::Done]),
            failed: count(&[RowState::Failed, RowState::Skipped]),
            remaining: count(&[RowState::Pending, RowState::Running]),
        }
    }

    /// Whether no row is pending or running.
    pub fn is_finished(&self) -> bool {
        self.counts().remaining == 0
    }

    /// The run as CSV: OID, region, name, outcome, and (later columns, appended) the build
    /// verdict of each row that `builds` has one for, by row key, the row's kind and a
    /// project's id. Never the key.
    pub fn csv(&self, builds: &HashMap<String, BuildVerdict>) -> String {
        self.csv_with_runs(builds, &HashMap::new())
    }

    /// [`BulkRun::csv`] with a last column: each project's runs verdict from `runs`, by row key.
    pub fn csv_with_runs(&self, builds: &HashMap<String, BuildVerdict>, runs: &HashMap<String, RunsVerdict>) -> String {
        let mut out = String::from("oid,region,name,outcome,build,kind,project id,runs\r\n");
        for row in &self.rows {
            let outcome = match row.state {
                RowState::Done => "replaced".to_string(),
                RowState::Skipped => "not sent (run stopped)".to_string(),
                RowState::Pending | RowState::Running => "not finished".to_string(),
                RowState::Failed => row.code.clone().unwrap_or_else(|| "failed".to_string()),
            };
            let build = builds.get(&row.key()).map(|verdict| verdict.as_str()).unwrap_or("");
            let fields = [
                row.oid.as_str(),
                row.region_label.as_str(),
                row.name.as_deref().unwrap_or(""),
                outcome.as_str(),
                build,
                row.kind_name(),
                row.project_id.as_deref().unwrap_or(""),
                runs.get(&row.key()).map(|verdict| verdict.as_str()).unwrap_or(""),
            ];
            csv::push_row(&mut out, &fields);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::treasure::datamodel::DataModelSummary;
    use crate::treasure::job::BulkJob;

    const A: &str = "93d34997-1b2c-4d5e-8f90-000000000001";
    const B: &str = "93d34997-1b2c-4d5e-8f90-000000000002";

    fn ok(name: &str) -> Result<DataModelSummary, Failure> {
        Ok(DataModelSummary { oid: A.into(), name: name.into(), kind: "elasticube".into() })
    }

    #[test]
    fn a_run_of_chosen_targets_checks_each_again() {
        let chosen =
            |region: &str, oid: &str| ChosenTarget { region: region.into(), oid: oid.into(), ..Default::default() };
        let targets = [chosen("eu01", A), chosen("EU01", &A.to_uppercase()), chosen("mars", A), chosen("us", "../x")];
        let run = BulkRun::plan_targets(&targets, &Policy::default());
        assert_eq!(
            run.rows.iter().map(|row| (row.region.as_str(), row.oid.as_str())).collect::<Vec<_>>(),
            [("eu01", A)]
        );
        assert_eq!((run.duplicates, run.invalid.len()), (1, 2));
    }

    #[test]
    fn lines_in_regions_the_policy_does_not_offer_are_invalid() {
        let policy = Policy::read(r#"{"treasureRegions": ["eu01"]}"#);
        let eu = "https://console.eu01.treasuredata.com/app/admin/datamodels/93d34997-1b2c-4d5e-8f90-000000000001";
        let us = "https://console.treasuredata.com/app/admin/datamodels/93d34997-1b2c-4d5e-8f90-000000000002";
        let run = BulkRun::plan(&format!("{us}\n{eu}"), None, &policy);
        assert_eq!(run.rows.iter().map(|row| row.region.as_str()).collect::<Vec<_>>(), ["eu01"]);
        assert_eq!(run.invalid.len(), 1);
        assert_eq!(run.invalid[0].code, "REGION_NOT_ENABLED");
    }

    #[test]
    fn plans_urls_and_bare_oids_removing_duplicates_and_listing_bad_lines() {
        let text = format!(
            "https://console.treasuredata.com/app/admin/datamodels/{A}\n\n  {B}  \n{A}\nhttps://console.eu01.treasuredata.com/app/admin/datamodels/{A}/\nhttps://console.treasuredata.com/app/admin/datamodels/{A}?x\nnot an oid\nhttp://console.treasuredata.com/app/admin/datamodels/{B}\n"
        );
        let run = BulkRun::plan(&text, Some(Region::Us), &Policy::default());
        let rows: Vec<(&str, &str)> = run.rows.iter().map(|r| (r.region.as_str(), r.oid.as_str())).collect();
        assert_eq!(rows, [("us", A), ("us", B), ("eu01", A)]);
        assert_eq!(run.duplicates, 2);
        let invalid: Vec<(usize, &str)> = run.invalid.iter().map(|i| (i.line, i.code.as_str())).collect();
        assert_eq!(invalid, [(7, "INVALID_OID"), (8, "NOT_HTTPS")]);
        assert_eq!(run.hosts(), ["api.treasuredata.com", "api.eu01.treasuredata.com"]);
    }

    #[test]
    fn a_rows_target_is_rebuilt_from_its_checked_parts() {
        let run = BulkRun::plan(&format!("{A}\n{B}"), Some(Region::Eu01), &Policy::default());
        let target = run.target(1).unwrap();
        assert_eq!((target.region, target.oid.as_str()), (Region::Eu01, B));
        assert!(run.target(2).is_none(), "no row, no target");
        let mut tampered = run.clone();
        tampered.rows[0].oid = "../x".into();
        assert!(tampered.target(0).is_none(), "a row read back that no longer parses has no target");
    }

    fn project(region: &str, id: &str, name: &str) -> ChosenTarget {
        ChosenTarget {
            region: region.into(),
            project_id: Some(id.into()),
            name: Some(name.into()),
            ..Default::default()
        }
    }

    #[test]
    fn chosen_projects_follow_the_data_models_each_on_its_workflow_host() {
        let targets = [
            project("us", "101", "us_etl"),
            ChosenTarget { region: "eu01".into(), oid: A.into(), ..Default::default() },
            project("eu01", "201", "eu_etl"),
            project("us", "0101", "again"),
            project("us", "../7", "bad"),
            project("mars", "9", "far"),
        ];
        let run = BulkRun::plan_targets(&targets, &Policy::default());
        let rows: Vec<_> = run
            .rows
            .iter()
            .map(|row| (row.key(), row.api_host.as_str(), row.kind_name(), row.name.as_deref()))
            .collect();
        assert_eq!(
            rows,
            [
                (format!("eu01:{A}"), "api.eu01.treasuredata.com", "data_model", None),
                ("wf:us:101".to_string(), "api-workflow.treasuredata.com", "workflow_project", Some("us_etl")),
                ("wf:eu01:201".to_string(), "api-workflow.eu01.treasuredata.com", "workflow_project", Some("eu_etl")),
            ]
        );
        assert_eq!(run.duplicates, 1, "project 0101 is project 101");
        let invalid: Vec<_> = run.invalid.iter().map(|line| (line.line, line.code.as_str())).collect();
        assert_eq!(invalid, [(5, "INVALID_PROJECT_ID"), (6, "UNKNOWN_REGION")], "numbered after the data models");
        let (region, id) = run.project_target(1).unwrap();
        assert_eq!((region, id.value()), (Region::Us, 101));
        assert!(run.target(1).is_none() && run.project_target(0).is_none(), "each kind has its own target");
        assert_eq!(
            run.hosts(),
            ["api.eu01.treasuredata.com", "api-workflow.treasuredata.com", "api-workflow.eu01.treasuredata.com"]
        );
        let runs = HashMap::from([("wf:us:101".to_string(), RunsVerdict::SucceededSince)]);
        let csv = run.csv_with_runs(&HashMap::new(), &runs);
        assert!(
            csv.contains(
                "\"\",\"US\",\"us_etl\",\"not finished\",\"\",\"workflow_project\",\"101\",\"succeeded_since\"\r\n"
            ),
            "{csv}"
        );
        assert!(csv.contains("\"eu_etl\",\"not finished\",\"\",\"workflow_project\",\"201\",\"\"\r\n"), "{csv}");
        let json = run.to_json();
        assert_eq!(BulkRun::from_json(&json).unwrap(), run, "a project row round-trips");
    }

    #[test]
    fn projects_are_refused_when_the_policy_switches_them_off_or_leaves_out_their_region() {
        let off = BulkRun::plan_targets(&[project("us", "101", "x")], &Policy::read(r#"{"workflowProjects": false}"#));
        assert!(off.rows.is_empty());
        assert_eq!(off.invalid[0].code, "WORKFLOW_PROJECTS_DISABLED");
        let eu = BulkRun::plan_targets(&[project("us", "101", "x")], &Policy::read(r#"{"treasureRegions": ["eu01"]}"#));
        assert_eq!(eu.invalid[0].code, "REGION_NOT_ENABLED");
    }

    #[test]
    fn bare_oids_need_a_region() {
        let run = BulkRun::plan(A, None, &Policy::default());
        assert!(run.rows.is_empty());
        assert_eq!(run.invalid[0].code, "UNKNOWN_REGION");
    }

    #[test]
    fn retry_takes_only_what_did_not_succeed() {
        let mut job = BulkJob::resume(BulkRun::plan(&format!("{A}\n{B}"), Some(Region::Us), &Policy::default()), 1);
        job.next_for_host("api.treasuredata.com");
        job.next_for_host("api.treasuredata.com");
        job.record(0, ok("sales"), 1_000);
        job.record(1, Err(Failure::with_status(ErrorCode::ServerError, 500, "later")), 1_000);
        let mut run = job.run().clone();
        run.retry_failed();
        assert_eq!(run.rows[0].state, RowState::Done);
        assert_eq!((run.rows[1].state, run.rows[1].code.as_deref()), (RowState::Pending, None));
        let mut retry = BulkJob::resume(run, 2);
        assert_eq!(retry.next_for_host("api.treasuredata.com"), Some(1));
        assert_eq!(retry.next_for_host("api.treasuredata.com"), None);
        assert_eq!(
            (retry.run().rows[0].launch, retry.run().rows[1].launch),
            (1, 2),
            "each row names the launch that sent it"
        );
    }

    #[test]
    fn round_trips_as_json_without_keys_and_exports_csv() {
        let mut job = BulkJob::resume(BulkRun::plan(&format!("{A}\n{B}"), Some(Region::Eu01), &Policy::default()), 1);
        job.next_for_host("api.eu01.treasuredata.com");
        job.record(0, Ok(DataModelSummary { oid: A.into(), name: "=cmd, \"x\"".into(), kind: "t".into() }), 1_000);
        let run = job.run().clone();
        let json = run.to_json();
        assert_eq!(BulkRun::from_json(&json).unwrap(), run);
        let page: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(page["counts"], serde_json::json!({"done": 1, "failed": 0, "remaining": 1}));
        assert_eq!((page["finished"].as_bool(), page["rows"][0]["type"].as_str()), (Some(false), Some("t")));
        assert_eq!(page["rows"][1].get("name"), None, "an absent optional field is left out");
        assert_eq!(BulkRun::from_json(r#"{"rows":[{"oid":1}]}"#), None);
        assert_eq!(BulkRun::from_json("not json"), None);
        assert_eq!(page["rows"][0]["replacedAt"].as_u64(), Some(1_000), "when Treasure confirmed it, for build checks");
        let builds = HashMap::from([(format!("eu01:{A}"), BuildVerdict::BuiltWithNewKey)]);
        assert_eq!(
            run.csv(&builds),
            format!(
                "oid,region,name,outcome,build,kind,project id,runs\r\n\"{A}\",\"EU01\",\"'=cmd, \"\"x\"\"\",\"replaced\",\"built_with_new_key\",\"data_model\",\"\",\"\"\r\n\"{B}\",\"EU01\",\"\",\"not finished\",\"\",\"data_model\",\"\",\"\"\r\n"
            )
        );
    }
}
