//! The bulk page's one table of rows: pasted lines (console addresses or bare OIDs, and
//! the addresses of collected tabs) and the data models loaded from the account's list,
//! merged into one row per data model, each with its verdict before anything is sent:
//! ready, invalid (why), duplicate, or needs a region. The page's core keeps them, with
//! their ticks and filter ([`table_view`](super::table_view)); the page renders those on
//! screen. What is sent is planned again from the ticked rows' region and OID
//! ([`BulkRun::plan_targets`](crate::treasure::bulk::BulkRun::plan_targets)).
//!
//! Beside the data models, the region's Treasure Workflow projects that hold `td.apikey`
//! (loaded by `workflow_load`), one row each, of kind `workflow_project`, keyed
//! `wf:<region>:<id>`. Projects that hold no `td.apikey` never become rows.

use std::collections::HashMap;

use serde::Serialize;

use crate::failure::ErrorCode;
use crate::input::{display_snippet, is_uuid};
use crate::policy::Policy;
use crate::treasure::bulk::{row_key, BulkRun};
use crate::treasure::listing::ListedModel;
use crate::treasure::region::Region;
use crate::treasure::workflow::{project_console_url, ProjectId, WorkflowProject};

/// A data model row's kind.
pub const KIND_DATA_MODEL: &str = "data_model";
/// A Treasure Workflow project row's kind.
pub const KIND_WORKFLOW_PROJECT: &str = "workflow_project";

/// A project row's key: `wf:<region>:<id>` (never a data model's `<region>:<oid>`).
pub fn project_row_key(region: &str, id: ProjectId) -> String {
    format!("wf:{region}:{id}")
}

/// A row's verdict before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub enum Verdict {
    /// A data model Keyturn can send to.
    Ready,
    /// Not a data model Keyturn can address (see the row's code and reason).
    Invalid,
    /// A data model already in an earlier row.
    Duplicate,
    /// A bare OID with no region chosen for bare OIDs.
    NeedsRegion,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
// The rows stay in the page's core (`table_view`), which hands the page those on screen; a
// field a row lacks is left out, not `null`.
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct TableRow {
    /// Identifies the row: `<region>:<oid>` for a data model, `wf:<region>:<id>` for a
    /// project, `line:<n>` for a line that is none.
    pub key: String,
    /// `workflow_project`, or left out for a data model (most rows of thousands).
    #[serde(skip_serializing_if = "is_data_model")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "'data_model' | 'workflow_project'"))]
    pub kind: &'static str,
    /// The region's id, for a data model or a project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<&'static str>,
    /// The OID, for a data model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    /// The project's id (digits), for a workflow project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// The project's page in the Treasure Console, for a workflow project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub console_url: Option<String>,
    /// The data model's or project's name, when the list gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Who created it, when the list gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Who last changed it, when the list gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// When it last built, when the list gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_built: Option<String>,
    /// `pasted` or `loaded`.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "'pasted' | 'loaded'"))]
    pub source: &'static str,
    /// The verdict before anything is sent.
    pub verdict: Verdict,
    /// Why a row is not ready: its failure's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// Why a row is not ready, in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The pasted line, for a row from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Whether a row's kind is that of a data model (not written: a row without one is one).
fn is_data_model(kind: &&'static str) -> bool {
    *kind == KIND_DATA_MODEL
}

/// A row of `kind` with only its source and verdict.
pub(crate) fn empty_row(kind: &'static str, source: &'static str, verdict: Verdict) -> TableRow {
    TableRow {
        key: String::new(),
        kind,
        region: None,
        oid: None,
        project_id: None,
        console_url: None,
        name: None,
        created_by: None,
        updated_by: None,
        last_built: None,
        source,
        verdict,
        code: None,
        why: None,
        text: None,
    }
}

/// A ready data model row, keyed `<region>:<oid>`.
fn model_row(region: Region, oid: &str, source: &'static str) -> TableRow {
    TableRow {
        key: row_key(region.info().id, oid),
        region: Some(region.info().id),
        oid: Some(oid.to_string()),
        ..empty_row(KIND_DATA_MODEL, source, Verdict::Ready)
    }
}

/// The table for pasted `lines` (bare OIDs take `bare_oid_region`), the `loaded` data
/// models and the loaded workflow `projects`: pasted rows first, in their order, then the
/// loaded models that no pasted line names (a loaded model that a pasted line names fills
/// in that row's name and details), then the projects holding `td.apikey`, unless the
/// policy switched projects off.
pub fn table_rows(
    lines: &str,
    bare_oid_region: Option<Region>,
    loaded: &[ListedModel],
    projects: &[WorkflowProject],
    policy: &Policy,
) -> Vec<TableRow> {
    let mut rows: Vec<TableRow> = Vec::new();
    // Row index by data model key: thousands of loaded models merge without a scan each.
    let mut ready: HashMap<String, usize> = HashMap::new();
    for (index, line) in lines.lines().enumerate() {
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let row = match BulkRun::read_offered_line(text, bare_oid_region, policy) {
            Ok(target) => {
                let mut row = model_row(target.region, target.oid.as_str(), "pasted");
                if ready.contains_key(&row.key) {
                    row.key = format!("line:{}", index + 1);
                    row.verdict = Verdict::Duplicate;
                    row.why = Some("This data model is already in an earlier row.".to_string());
                } else {
                    ready.insert(row.key.clone(), rows.len());
                }
                row
            }
            Err(failure) => TableRow {
                key: format!("line:{}", index + 1),
                code: Some(failure.code.as_str()),
                why: Some(failure.message),
                ..empty_row(
                    KIND_DATA_MODEL,
                    "pasted",
                    if failure.code == ErrorCode::UnknownRegion { Verdict::NeedsRegion } else { Verdict::Invalid },
                )
            },
        };
        rows.push(TableRow { text: Some(display_snippet(text, 200)), ..row });
    }
    // A loaded model was read from its list with its OID checked and every text made fit
    // (listing::interpret_list_answer); a region's list names each OID once and replaces
    // that region's earlier load, so loaded rows are only matched against the pasted ones.
    rows.reserve(loaded.len());
    for model in loaded {
        let Some(region) = Region::from_id(model.region) else { continue };
        // Checked again, without a copy: only a lower-case UUID ever becomes a ready row.
        if !is_uuid(&model.oid)
            || model.oid.bytes().any(|b| b.is_ascii_uppercase())
            || policy.check_region(region).is_err()
        {
            continue;
        }
        let loaded_row = model_row(region, &model.oid, "loaded");
        let position = match ready.get(&loaded_row.key).copied() {
            Some(pasted) => pasted,
            None => {
                rows.push(loaded_row);
                rows.len() - 1
            }
        };
        let Some(row) = rows.get_mut(position) else { continue };
        row.name = Some(model.name.clone());
        row.created_by = model.created_by.clone();
        row.updated_by = model.updated_by.clone();
        row.last_built = model.last_built.clone();
    }
    if policy.workflow_projects {
        rows.extend(project_rows(projects, policy));
    }
    rows
}

/// One ready row per loaded project that holds `td.apikey`, in a region the policy offers.
fn project_rows<'a>(projects: &'a [WorkflowProject], policy: &'a Policy) -> impl Iterator<Item = TableRow> + 'a {
    let mut seen = std::collections::HashSet::new();
    projects.iter().filter_map(move |project| {
        let region = Region::from_id(project.region)?;
        if project.holds_api_key != Some(true) || policy.check_region(region).is_err() {
            return None;
        }
        let key = project_row_key(region.info().id, project.id);
        seen.insert(key.clone()).then(|| TableRow {
            key,
            region: Some(region.info().id),
            project_id: Some(project.id.to_string()),
            console_url: Some(project_console_url(region, project.id)),
            name: Some(display_snippet(&project.name, 200)),
            ..empty_row(KIND_WORKFLOW_PROJECT, "loaded", Verdict::Ready)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "93d34997-1b2c-4d5e-8f90-000000000001";
    const B: &str = "93d34997-1b2c-4d5e-8f90-000000000002";

    fn url(host: &str, oid: &str) -> String {
        format!("https://{host}/app/admin/datamodels/{oid}")
    }

    fn loaded(region: &str, oid: &str, name: &str) -> ListedModel {
        ListedModel {
            region: Region::from_id(region).map_or("mars", |region| region.info().id),
            oid: oid.into(),
            name: name.into(),
            created_by: Some("ann".into()),
            updated_by: None,
            last_built: Some("2026-11-02".into()),
        }
    }

    fn verdicts(rows: &[TableRow]) -> Vec<(&str, Verdict)> {
        rows.iter().map(|row| (row.key.as_str(), row.verdict)).collect()
    }

    #[test]
    fn every_line_gets_a_verdict() {
        let lines = format!(
            "{}\n\n{B}\nnot an oid\n{}\n{}",
            url("console.treasuredata.com", A),
            url("console.treasuredata.com", &A.to_uppercase()),
            url("console.ap03.treasuredata.com", B)
        );
        let rows = table_rows(&lines, None, &[], &[], &Policy::default());
        assert_eq!(
            verdicts(&rows),
            [
                ("us:93d34997-1b2c-4d5e-8f90-000000000001", Verdict::Ready),
                ("line:3", Verdict::NeedsRegion),
                ("line:4", Verdict::Invalid),
                ("line:5", Verdict::Duplicate),
                ("line:6", Verdict::Invalid),
            ]
        );
        assert_eq!(rows[2].code, Some("INVALID_OID"));
        assert!(rows[2].why.as_deref().is_some_and(|why| !why.is_empty()));
        assert_eq!((rows[0].region, rows[0].oid.as_deref()), (Some("us"), Some(A)));
        assert_eq!(rows[1].text.as_deref(), Some(B));
        let with_region = table_rows(B, Some(Region::Eu01), &[], &[], &Policy::default());
        assert_eq!(verdicts(&with_region), [("eu01:93d34997-1b2c-4d5e-8f90-000000000002", Verdict::Ready)]);
    }

    #[test]
    fn loaded_models_merge_into_pasted_rows_or_follow_them() {
        let lines = url("console.eu01.treasuredata.com", A);
        let upper = B.to_uppercase();
        let models = [
            loaded("eu01", A, "sales"),
            loaded("eu01", B, "marketing"),
            loaded("eu01", "../x", "bad"),
            loaded("eu01", &upper, "not as listed"),
        ];
        let rows = table_rows(&lines, None, &models, &[], &Policy::default());
        assert_eq!(rows.len(), 2, "one row per data model; an element that is no listed data model is dropped");
        assert_eq!(
            (rows[0].source, rows[0].name.as_deref(), rows[0].created_by.as_deref()),
            ("pasted", Some("sales"), Some("ann"))
        );
        assert_eq!(
            (rows[1].source, rows[1].name.as_deref(), rows[1].verdict),
            ("loaded", Some("marketing"), Verdict::Ready)
        );
        assert_eq!((rows[1].region, rows[1].oid.as_deref()), (Some("eu01"), Some(B)));
    }

    #[test]
    fn regions_the_policy_does_not_offer_are_invalid_or_left_out() {
        let policy = Policy::read(r#"{"treasureRegions": ["eu01"]}"#);
        let rows = table_rows(&url("console.treasuredata.com", A), None, &[loaded("us", B, "m")], &[], &policy);
        assert_eq!(verdicts(&rows), [("line:1", Verdict::Invalid)]);
        assert_eq!(rows[0].code, Some("REGION_NOT_ENABLED"));
    }

    fn project(region: Region, id: u64, name: &str, holds: Option<bool>) -> WorkflowProject {
        let id = ProjectId::parse(&id.to_string()).unwrap();
        WorkflowProject {
            region: region.info().id,
            id,
            name: name.into(),
            holds_api_key: holds,
            console_url: project_console_url(region, id),
        }
    }

    #[test]
    fn projects_holding_td_apikey_follow_the_data_models_as_their_own_kind() {
        let projects = [
            project(Region::Eu01, 201, "eu_etl", Some(true)),
            project(Region::Eu01, 202, "eu_reports", Some(false)),
            project(Region::Eu01, 203, "eu_unread", None),
            project(Region::Eu01, 201, "eu_etl again", Some(true)),
        ];
        let rows = table_rows("", None, &[loaded("eu01", A, "sales")], &projects, &Policy::default());
        let kinds: Vec<_> = rows.iter().map(|row| (row.key.as_str(), row.kind, row.verdict)).collect();
        assert_eq!(
            kinds,
            [
                ("eu01:93d34997-1b2c-4d5e-8f90-000000000001", "data_model", Verdict::Ready),
                ("wf:eu01:201", "workflow_project", Verdict::Ready),
            ],
            "no row for a project without td.apikey, one not read, or one listed twice"
        );
        let row = &rows[1];
        assert_eq!(
            (row.project_id.as_deref(), row.name.as_deref(), row.oid.as_deref(), row.region),
            (Some("201"), Some("eu_etl"), None, Some("eu01"))
        );
        assert_eq!(
            row.console_url.as_deref(),
            Some("https://console.eu01.treasuredata.com/app/workflows/projects/201")
        );
        assert_eq!(rows[0].console_url, None);
        let json = serde_json::to_string(&rows[1]).unwrap();
        assert!(json.contains(r#""kind":"workflow_project""#) && json.contains(r#""projectId":"201""#), "{json}");
        // A data model's row leaves its kind out (the page reads a row without one as one).
        let json = serde_json::to_string(&rows[0]).unwrap();
        assert!(!json.contains("kind") && json.contains(r#""oid":"#), "{json}");
    }

    #[test]
    fn project_rows_follow_the_policy() {
        let projects =
            [project(Region::Us, 101, "us_etl", Some(true)), project(Region::Eu01, 201, "eu_etl", Some(true))];
        let eu_only = table_rows("", None, &[], &projects, &Policy::read(r#"{"treasureRegions": ["eu01"]}"#));
        assert_eq!(eu_only.iter().map(|row| row.key.as_str()).collect::<Vec<_>>(), ["wf:eu01:201"]);
        let off = table_rows("", None, &[], &projects, &Policy::read(r#"{"workflowProjects": false}"#));
        assert!(off.is_empty());
    }

    #[test]
    fn five_thousand_loaded_models_make_five_thousand_rows() {
        let models: Vec<ListedModel> =
            (0..5000).map(|n| loaded("us", &format!("93d34997-1b2c-4d5e-8f90-{n:012}"), &format!("m{n}"))).collect();
        let rows = table_rows("", None, &models, &[], &Policy::default());
        assert_eq!(rows.len(), 5000);
        assert!(rows.iter().all(|row| row.verdict == Verdict::Ready && row.source == "loaded"));
    }
}
