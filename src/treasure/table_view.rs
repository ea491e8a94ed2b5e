//! The bulk page's table as the page shows it, kept in the page's core: every row (the
//! pasted lines and the loaded data models and projects, [`table_rows`](super::table::table_rows),
//! then the rows of the job on record that those lack), which rows are ticked, and which the
//! filter shows. The page keeps no copy of the rows: it asks for the counts and for the
//! rows on screen, so thousands of rows never cross to it (`./build.sh bench`).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::treasure::bulk::Row;
use crate::treasure::region::Region;
use crate::treasure::table::{empty_row, TableRow, Verdict};

/// What the page shows of the table besides its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct TableCounts {
    /// Rows the filter shows.
    pub shown: usize,
    /// Rows in all.
    pub total: usize,
    /// Ready rows ticked: what Replace sends.
    pub sendable: usize,
    /// Ready rows the filter shows.
    pub shown_ready: usize,
    /// Of those, the ticked ones.
    pub shown_ready_ticked: usize,
}

/// A row on screen: the row, and whether it is ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ShownRow {
    /// The row.
    #[serde(flatten)]
    pub row: TableRow,
    /// Whether it is ticked.
    pub ticked: bool,
}

/// A ticked ready row, as Replace hands it to the background (which plans it again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct TickedTarget {
    /// The region's id.
    pub region: &'static str,
    /// The OID, for a data model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    /// The project's id, for a workflow project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// The project's name as listed, for a workflow project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The table, its ticks and its filter.
#[derive(Debug, Default)]
pub struct TableView {
    rows: Vec<TableRow>,
    /// Keys of the ticked rows. A pasted row is ticked when first pasted; a loaded one never by itself.
    ticked: HashSet<String>,
    /// Whether each row is ticked (from `ticked`), so counting thousands of rows hashes none.
    ticks: Vec<bool>,
    /// Keys that have been pasted: a row the user unticked stays unticked while the lines are edited.
    pasted: HashSet<String>,
    /// The job's rows, as rows of the table, for those the table lacks (the page was reopened).
    run_rows: Vec<TableRow>,
    /// The filter's text, trimmed and in lower case ("" shows every row).
    query: String,
    /// The kind the filter shows ("" every kind).
    kind: String,
    /// Indexes of the rows the filter shows, in order.
    shown: Vec<usize>,
    /// The lower-case text each row is filtered by, built at the first filtering by text.
    search: Option<Vec<String>>,
    /// The rows' keys, built at the first question.
    keys: Option<HashSet<String>>,
}

impl TableView {
    /// The table's rows are `rows` (the core's table), then the job's rows that those lack,
    /// with only what the job knows; a pasted ready row is ticked the first time it is
    /// pasted; the filter (`query`, `kind`: see [`filter`](Self::filter)) applies to them.
    pub fn refresh(&mut self, mut rows: Vec<TableRow>, query: &str, kind: &str) -> TableCounts {
        if !self.run_rows.is_empty() {
            let mut keys: HashSet<&str> = rows.iter().map(|row| row.key.as_str()).collect();
            let missing: Vec<TableRow> =
                self.run_rows.iter().filter(|row| keys.insert(row.key.as_str())).cloned().collect();
            rows.extend(missing);
        }
        for row in &rows {
            if row.source == "pasted" && row.verdict == Verdict::Ready && self.pasted.insert(row.key.clone()) {
                self.ticked.insert(row.key.clone());
            }
        }
        self.ticks = rows.iter().map(|row| self.ticked.contains(&row.key)).collect();
        self.rows = rows;
        self.search = None;
        self.keys = None;
        self.filter(query, kind)
    }

    /// The job's rows on record, whose rows the table shows even when it lacks them (from
    /// the next refresh on). A row that names no region Keyturn knows is left out.
    pub fn set_run(&mut self, rows: &[Row]) {
        self.run_rows = rows.iter().filter_map(run_table_row).collect();
    }

    /// Shows the rows whose text holds `query` (name, OID or project id, created by,
    /// updated by, a pasted line; any case) and whose kind is `kind` ("": any).
    pub fn filter(&mut self, query: &str, kind: &str) -> TableCounts {
        self.query = query.trim().to_lowercase();
        self.kind = kind.to_string();
        self.apply_filter();
        self.counts()
    }

    /// Builds the text each row is filtered by, if not yet built (the page asks when idle,
    /// so the first keystroke need not).
    pub fn prepare_search(&mut self) {
        if self.search.is_none() {
            self.search = Some(self.rows.iter().map(search_text).collect());
        }
    }

    fn apply_filter(&mut self) {
        if !self.query.is_empty() {
            self.prepare_search();
        }
        let (query, kind, search) = (self.query.as_str(), self.kind.as_str(), self.search.as_deref());
        self.shown = self
            .rows
            .iter()
            .enumerate()
            .filter(|(index, row)| {
                (kind.is_empty() || row.kind == kind)
                    && (query.is_empty()
                        || search.and_then(|texts| texts.get(*index)).is_some_and(|text| text.contains(query)))
            })
            .map(|(index, _)| index)
            .collect();
    }

    /// The shown rows from `first` to before `last` (clamped to those shown).
    pub fn window(&self, first: usize, last: usize) -> Vec<ShownRow> {
        let last = last.min(self.shown.len());
        let first = first.min(last);
        self.shown[first..last]
            .iter()
            .filter_map(|&index| Some(ShownRow { row: self.rows.get(index)?.clone(), ticked: self.is_ticked(index) }))
            .collect()
    }

    /// Ticks (or unticks) the row `key`; only a ready row can be ticked, and only a row of
    /// the table (the page ticks the rows it shows).
    pub fn tick(&mut self, key: &str, on: bool) -> TableCounts {
        if let Some(index) = self.rows.iter().position(|row| row.key == key) {
            self.set_tick(index, on);
        }
        self.counts()
    }

    /// Ticks or unticks row `index`, if it is ready (unticking always).
    fn set_tick(&mut self, index: usize, on: bool) {
        let Some(row) = self.rows.get(index) else { return };
        if on && row.verdict != Verdict::Ready {
            return;
        }
        if on {
            self.ticked.insert(row.key.clone());
        } else {
            self.ticked.remove(&row.key);
        }
        if let Some(tick) = self.ticks.get_mut(index) {
            *tick = on;
        }
    }

    fn is_ticked(&self, index: usize) -> bool {
        self.ticks.get(index).copied().unwrap_or(false)
    }

    /// Ticks (or unticks) every ready row the filter shows.
    pub fn tick_shown(&mut self, on: bool) -> TableCounts {
        // Taken while each is ticked (set_tick borrows the view), then put back.
        let shown = std::mem::take(&mut self.shown);
        for &index in &shown {
            self.set_tick(index, on);
        }
        self.shown = shown;
        self.counts()
    }

    /// How many rows are shown, in all, ticked to send, and shown ready (ticked or not).
    pub fn counts(&self) -> TableCounts {
        let ready = |index: usize| self.rows.get(index).is_some_and(|row| row.verdict == Verdict::Ready);
        let sendable = |index: usize| ready(index) && self.is_ticked(index);
        TableCounts {
            shown: self.shown.len(),
            total: self.rows.len(),
            sendable: (0..self.rows.len()).filter(|&index| sendable(index)).count(),
            shown_ready: self.shown.iter().filter(|&&index| ready(index)).count(),
            shown_ready_ticked: self.shown.iter().filter(|&&index| sendable(index)).count(),
        }
    }

    /// The ticked ready rows, in the table's order: what Replace sends.
    pub fn ticked_targets(&self) -> Vec<TickedTarget> {
        self.rows
            .iter()
            .enumerate()
            .filter(|(index, row)| row.verdict == Verdict::Ready && self.is_ticked(*index))
            .filter_map(|(_, row)| {
                Some(TickedTarget {
                    region: row.region?,
                    oid: if row.project_id.is_some() { None } else { row.oid.clone() },
                    project_id: row.project_id.clone(),
                    name: row.project_id.as_ref().and(row.name.clone()),
                })
            })
            .collect()
    }

    /// Whether the table has a row `key`.
    pub fn has(&mut self, key: &str) -> bool {
        let rows = &self.rows;
        self.keys.get_or_insert_with(|| rows.iter().map(|row| row.key.clone()).collect()).contains(key)
    }
}

/// The lower-case text a row is filtered by.
fn search_text(row: &TableRow) -> String {
    [&row.name, &row.oid, &row.project_id, &row.created_by, &row.updated_by, &row.text]
        .into_iter()
        .flatten()
        .filter(|text| !text.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The rows of a run kept as JSON (the core's `BulkRun`), each read on its own: a row that
/// does not read back is left out, not the others.
pub fn run_rows_of(json: &str) -> Vec<Row> {
    /// The run's rows, each still unread.
    #[derive(Deserialize)]
    struct RunRows {
        #[serde(default)]
        rows: Vec<Box<RawValue>>,
    }
    serde_json::from_str::<RunRows>(json)
        .map(|run| run.rows.iter().filter_map(|row| serde_json::from_str(row.get()).ok()).collect())
        .unwrap_or_default()
}

/// A job's row as a row of the table: its region, OID or project id and name, ready.
fn run_table_row(row: &Row) -> Option<TableRow> {
    let region = Region::from_id(&row.region)?;
    Some(TableRow {
        key: row.key(),
        region: Some(region.info().id),
        oid: if row.project_id.is_some() { None } else { Some(row.oid.clone()) },
        project_id: row.project_id.clone(),
        name: row.name.clone(),
        ..empty_row(row.kind_name(), "loaded", Verdict::Ready)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::treasure::bulk::{BulkRun, ChosenTarget};
    use crate::treasure::listing::ListedModel;
    use crate::treasure::table::table_rows;
    use crate::treasure::workflow::{project_console_url, ProjectId, WorkflowProject};

    const A: &str = "93d34997-1b2c-4d5e-8f90-000000000001";
    const B: &str = "93d34997-1b2c-4d5e-8f90-000000000002";
    const C: &str = "93d34997-1b2c-4d5e-8f90-000000000003";

    fn pasted(lines: &str) -> Vec<TableRow> {
        table_rows(lines, Some(Region::Us), &[], &[], &Policy::default())
    }

    fn loaded(oid: &str, name: &str, created_by: &str) -> ListedModel {
        ListedModel {
            region: "us",
            oid: oid.into(),
            name: name.into(),
            created_by: Some(created_by.into()),
            updated_by: None,
            last_built: None,
        }
    }

    fn project(id: u64, name: &str) -> WorkflowProject {
        let id = ProjectId::parse(&id.to_string()).unwrap();
        WorkflowProject {
            region: "us",
            id,
            name: name.into(),
            holds_api_key: Some(true),
            console_url: project_console_url(Region::Us, id),
        }
    }

    /// A's line pasted, B loaded as "sales" (by ann), C loaded as "Marketing" (by bob), project 101 "etl".
    fn mixed() -> Vec<TableRow> {
        let models = [loaded(B, "sales", "ann@example.com"), loaded(C, "Marketing", "bob@example.com")];
        table_rows(A, Some(Region::Us), &models, &[project(101, "etl")], &Policy::default())
    }

    fn keys(rows: &[ShownRow]) -> Vec<&str> {
        rows.iter().map(|shown| shown.row.key.as_str()).collect()
    }

    #[test]
    fn a_pasted_row_is_ticked_once_and_a_loaded_one_never_by_itself() {
        let mut view = TableView::default();
        let counts = view.refresh(mixed(), "", "");
        assert_eq!((counts.total, counts.shown, counts.sendable), (4, 4, 1));
        assert!(view.window(0, 4)[0].ticked, "the pasted line is ticked");
        assert!(view.window(0, 4)[1..].iter().all(|shown| !shown.ticked), "loaded rows are not");
        view.tick(&format!("us:{A}"), false);
        // The lines edited (the same line and a new one): the unticked row stays unticked, the new one is ticked.
        let counts = view.refresh(pasted(&format!("{A}\n{B}")), "", "");
        assert_eq!(counts.sendable, 1);
        assert_eq!(view.window(0, 2).iter().map(|shown| shown.ticked).collect::<Vec<_>>(), [false, true]);
    }

    #[test]
    fn the_filter_matches_text_in_any_case_and_kind() {
        let mut view = TableView::default();
        view.refresh(mixed(), "", "");
        assert_eq!(view.filter("  MARKET ", "").shown, 1);
        assert_eq!(keys(&view.window(0, 10)), [format!("us:{C}")]);
        assert_eq!(view.filter("bob@", "").shown, 1, "created by");
        assert_eq!(view.filter("000000000002", "").shown, 1, "the OID");
        assert_eq!(view.filter("", "workflow_project").shown, 1);
        assert_eq!(keys(&view.window(0, 10)), ["wf:us:101"]);
        assert_eq!(view.filter("etl", "data_model").shown, 0, "text and kind both");
        assert_eq!(view.filter("nothing like it", "").shown, 0);
        let all = view.filter("", "");
        assert_eq!((all.shown, all.total), (4, 4));
        // A refresh applies the filter it is given.
        assert_eq!(view.refresh(mixed(), " SALES", "").shown, 1);
        assert_eq!(view.refresh(mixed(), "", "workflow_project").shown, 1);
    }

    #[test]
    fn the_window_is_clamped_to_the_shown_rows() {
        let mut view = TableView::default();
        view.refresh(mixed(), "", "");
        assert_eq!(view.window(1, 3).len(), 2);
        assert_eq!(keys(&view.window(3, 99)), ["wf:us:101"]);
        assert!(view.window(7, 99).is_empty());
        assert!(view.window(3, 1).is_empty());
    }

    #[test]
    fn only_ready_rows_are_ticked_and_tick_shown_ticks_only_the_shown_ones() {
        let mut view = TableView::default();
        let mut rows = mixed();
        rows.extend(pasted("not an oid"));
        let invalid = rows.last().map(|row| row.key.clone()).unwrap();
        view.refresh(rows, "", "");
        assert_eq!(view.tick(&invalid, true).sendable, 1, "an invalid row cannot be ticked");
        assert_eq!(view.tick("us:no-such-row", true).sendable, 1);
        view.filter("", "workflow_project");
        let counts = view.tick_shown(true);
        assert_eq!((counts.sendable, counts.shown_ready, counts.shown_ready_ticked), (2, 1, 1));
        view.filter("", "");
        let counts = view.tick_shown(true);
        assert_eq!(
            (counts.sendable, counts.shown_ready, counts.shown_ready_ticked),
            (4, 4, 4),
            "every ready row, not the invalid one"
        );
        assert_eq!(view.tick_shown(false).sendable, 0);
    }

    #[test]
    fn ticked_targets_name_a_data_model_by_oid_and_a_project_by_id_and_name() {
        let mut view = TableView::default();
        view.refresh(mixed(), "", "");
        view.tick("wf:us:101", true);
        let targets = view.ticked_targets();
        assert_eq!(
            targets,
            [
                TickedTarget { region: "us", oid: Some(A.into()), project_id: None, name: None },
                TickedTarget { region: "us", oid: None, project_id: Some("101".into()), name: Some("etl".into()) },
            ]
        );
        let json = serde_json::to_string(&targets).unwrap();
        assert_eq!(
            json,
            format!(r#"[{{"region":"us","oid":"{A}"}},{{"region":"us","projectId":"101","name":"etl"}}]"#)
        );
    }

    #[test]
    fn the_job_rows_the_table_lacks_are_shown_once() {
        let targets = [
            ChosenTarget { region: "us".into(), oid: A.into(), ..ChosenTarget::default() },
            ChosenTarget { region: "us".into(), oid: C.into(), ..ChosenTarget::default() },
            ChosenTarget {
                region: "us".into(),
                project_id: Some("101".into()),
                name: Some("etl".into()),
                ..ChosenTarget::default()
            },
        ];
        let run = BulkRun::plan_targets(&targets, &Policy::default());
        let mut view = TableView::default();
        view.set_run(&run.rows);
        let counts = view.refresh(pasted(A), "", "");
        assert_eq!(counts.total, 3, "A once (pasted), C and the project from the job");
        let shown = view.window(0, 3);
        assert_eq!(keys(&shown), [format!("us:{A}"), format!("us:{C}"), "wf:us:101".to_string()]);
        assert_eq!((shown[0].row.source, shown[1].row.source), ("pasted", "loaded"));
        assert_eq!(
            (shown[1].row.region, shown[1].row.oid.as_deref(), shown[1].row.project_id.as_deref()),
            (Some("us"), Some(C), None)
        );
        assert_eq!((shown[2].row.region, shown[2].row.oid.as_deref()), (Some("us"), None));
        assert_eq!(
            (shown[2].row.kind, shown[2].row.project_id.as_deref(), shown[2].row.name.as_deref()),
            ("workflow_project", Some("101"), Some("etl"))
        );
        assert!(!shown[1].ticked, "a job's row is not ticked by itself");
        view.tick(&format!("us:{C}"), true);
        assert_eq!(
            view.ticked_targets()[1],
            TickedTarget { region: "us", oid: Some(C.into()), project_id: None, name: None }
        );
        assert!(view.has(&format!("us:{C}")) && view.has("wf:us:101") && !view.has(&format!("us:{B}")));
        view.set_run(&[]);
        assert_eq!(view.refresh(pasted(A), "", "").total, 1);
        assert!(!view.has(&format!("us:{C}")));
    }

    #[test]
    fn a_job_row_that_does_not_read_back_leaves_the_others() {
        let run = BulkRun::plan_targets(
            &[ChosenTarget { region: "us".into(), oid: C.into(), ..ChosenTarget::default() }],
            &Policy::default(),
        );
        let good = serde_json::to_string(&run.rows[0]).unwrap();
        let rows = run_rows_of(&format!(r#"{{"rows": [{{"region": 5}}, {good}], "stopped": null}}"#));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].oid, C);
        assert!(run_rows_of("not json").is_empty() && run_rows_of("{}").is_empty());
    }

    #[test]
    fn a_row_serialises_flat_with_its_tick() {
        let mut view = TableView::default();
        view.refresh(pasted(A), "", "");
        let json = serde_json::to_value(view.window(0, 1)).unwrap();
        assert_eq!(json[0]["key"], format!("us:{A}"));
        assert_eq!(json[0]["ticked"], true);
        assert_eq!(json[0]["verdict"], "ready");
    }
}
