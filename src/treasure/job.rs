//! A bulk run while it is being sent: the scheduler over a [`BulkRun`]'s rows.
//!
//! The background keeps the run as a journal in storage.session (the rows once, then each
//! row again only when it changes), so a run outlives the page and the worker. When the
//! browser stops the worker in the middle, the next start resumes from that journal:
//! [`BulkJob::resume`] sends the rows that had no answer yet, including those that were in
//! flight. Sending such a row twice is harmless: the PUT sets the same key on the same data
//! model again. Every step costs the same at row 10 as at row 5,000: rows are handed out
//! from a queue per API host and the counts are kept as rows change, never recounted.

use std::collections::{BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use crate::failure::{ErrorCode, Failure};
use crate::treasure::bulk::{BulkRun, Counts, Row, RowState};
use crate::treasure::datamodel::DataModelSummary;
use crate::treasure::workflow::ApiKeySet;

/// What changed in one step of a job: the rows as they now are, by index, and the counts.
/// This is what the background writes to the journal, so it stays small: only the rows
/// that changed.
#[derive(Debug, Serialize, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct JobChange<'a> {
    /// The changed rows, `[index, row]`.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "[number, BulkRow][]"))] // Row's declared name
    pub rows: Vec<(usize, &'a Row)>,
    /// The counts after the change.
    pub counts: Counts,
    /// Why the run stopped early, once it has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<&'a str>,
    /// The code of why it stopped (`BULK_STOPPED`: the key was refused; `STOPPED_BY_USER`).
    #[serde(rename = "stoppedCode", skip_serializing_if = "Option::is_none")]
    pub stopped_code: Option<&'a str>,
}

/// How often, at most, the rows a job changed are handed to the journal: each row once, with
/// its state at that moment, whatever the run's size. Before, every row's start and answer
/// crossed to the background's JS on its own, which cost the worker about 0.2 ms of CPU per
/// row. A worker stopped between two writes sends the rows answered since the last one
/// again, which is harmless (see above).
pub const JOURNAL_INTERVAL_MS: u32 = 250;

/// The rows a job changed since the journal was last given them, each once.
#[derive(Debug, Default)]
pub struct UnwrittenRows {
    indices: BTreeSet<usize>,
}

impl UnwrittenRows {
    /// Notes the rows of `change`. Says whether they are the first since the last
    /// [`UnwrittenRows::take`], so that the caller schedules the next write once.
    pub fn note(&mut self, change: &JobChange<'_>) -> bool {
        let first = self.indices.is_empty();
        self.indices.extend(change.rows.iter().map(|(index, _)| *index));
        first && !self.indices.is_empty()
    }

    /// The change to write: the rows noted since the last take, in the run's order, as `job`
    /// has them now, with its counts and why it stopped.
    pub fn take<'a>(&mut self, job: &'a BulkJob) -> JobChange<'a> {
        job.change(std::mem::take(&mut self.indices).into_iter().collect())
    }
}

/// A run being sent. Holds no key: the caller sends each row it hands out.
#[derive(Debug)]
pub struct BulkJob {
    run: BulkRun,
    /// Which launch of the run this is (a retry is a new launch); each row sent records it,
    /// so the history of a launch lists exactly the rows it sent.
    launch: u32,
    /// Pending rows by API host, in the run's order.
    queues: HashMap<String, VecDeque<usize>>,
    /// The hosts in first-seen order (the order workers start in).
    hosts: Vec<String>,
    counts: Counts,
}

impl BulkJob {
    /// Starts, or resumes, `run` as launch `launch`: every row without an answer yet is
    /// queued, a row left running by a stopped worker too (it is sent again).
    pub fn resume(mut run: BulkRun, launch: u32) -> BulkJob {
        let mut queues: HashMap<String, VecDeque<usize>> = HashMap::new();
        let mut hosts = Vec::new();
        let mut counts = Counts { done: 0, failed: 0, remaining: 0 };
        let stopped = run.stopped.is_some();
        for (index, row) in run.rows.iter_mut().enumerate() {
            if row.state == RowState::Running {
                row.state = RowState::Pending;
            }
            match row.state {
                RowState::Pending if stopped => {
                    row.state = RowState::Skipped;
                    counts.failed += 1;
                }
                RowState::Pending => {
                    counts.remaining += 1;
                    let queue = queues.entry(row.api_host.clone()).or_insert_with(|| {
                        hosts.push(row.api_host.clone());
                        VecDeque::new()
                    });
                    queue.push_back(index);
                }
                RowState::Done => counts.done += 1,
                RowState::Failed | RowState::Skipped => counts.failed += 1,
                RowState::Running => {}
            }
        }
        BulkJob { run, launch, queues, hosts, counts }
    }

    /// The API hosts with rows to send, each once.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// Takes the next pending row for `host` and marks it running in this launch; `None`
    /// when the host has none left or the run has stopped.
    pub fn next_for_host(&mut self, host: &str) -> Option<usize> {
        if self.run.stopped.is_some() {
            return None;
        }
        let index = self.queues.get_mut(host)?.pop_front()?;
        let row = &mut self.run.rows[index];
        row.state = RowState::Running;
        row.launch = self.launch;
        Some(index)
    }

    /// The change of a row that was just handed out (its state is now `running`).
    pub fn started(&self, index: usize) -> JobChange<'_> {
        self.change(vec![index])
    }

    /// Records a row's answer, received at `now` (milliseconds since the epoch). A 401 or
    /// 403 says the key itself is bad: the run stops and the rows not yet sent are skipped.
    /// Returns what changed.
    pub fn record(&mut self, index: usize, result: Result<DataModelSummary, Failure>, now: u64) -> JobChange<'_> {
        self.record_outcome(index, result.map(|summary| (Some(summary.name), Some(summary.kind))), now)
    }

    /// Records a project row's answer to its `td.apikey` PUT, as [`BulkJob::record`] does: a
    /// 401 stops the run; a 403 or 404 on this one project fails only its row. The name
    /// the answer gives replaces the listed one.
    pub fn record_project(&mut self, index: usize, result: Result<ApiKeySet, Failure>, now: u64) -> JobChange<'_> {
        self.record_outcome(index, result.map(|set| (set.project_name, None)), now)
    }

    fn record_outcome(
        &mut self,
        index: usize,
        result: Result<(Option<String>, Option<String>), Failure>,
        now: u64,
    ) -> JobChange<'_> {
        let Some(row) = self.run.rows.get_mut(index) else { return self.change(Vec::new()) };
        if row.state != RowState::Running {
            // Only a row this job handed out can be answered; anything else is ignored.
            return self.change(Vec::new());
        }
        self.counts.remaining -= 1;
        let mut changed = vec![index];
        match result {
            Ok((name, kind)) => {
                self.counts.done += 1;
                row.state = RowState::Done;
                row.replaced_at = Some(now);
                if name.is_some() {
                    row.name = name;
                }
                row.kind = kind;
                row.code = None;
                row.message = None;
            }
            Err(failure) => {
                self.counts.failed += 1;
                row.state = RowState::Failed;
                row.code = Some(failure.code.as_str().to_string());
                row.message = Some(failure.message.clone());
                if matches!(failure.code, ErrorCode::Unauthorized | ErrorCode::Forbidden) {
                    changed.extend(self.stop(
                        ErrorCode::BulkStopped,
                        format!("Stopped: the key itself was refused. {}", failure.message),
                    ));
                }
            }
        }
        self.change(changed)
    }

    /// Stops the run: the rows not yet sent are skipped (rows in flight still get their
    /// answer). Returns what changed; nothing when it had stopped already.
    pub fn stop_by_user(&mut self) -> JobChange<'_> {
        let changed = self.stop(
            ErrorCode::StoppedByUser,
            "Stopped by you: the rows not yet sent were not sent. Use Retry failed to send them.".into(),
        );
        self.change(changed)
    }

    fn stop(&mut self, code: ErrorCode, why: String) -> Vec<usize> {
        if self.run.stopped.is_some() {
            return Vec::new();
        }
        self.run.stopped = Some(why);
        self.run.stopped_code = Some(code.as_str().to_string());
        let mut skipped = Vec::new();
        for queue in self.queues.values_mut() {
            for index in queue.drain(..) {
                self.run.rows[index].state = RowState::Skipped;
                skipped.push(index);
            }
        }
        self.counts.remaining -= skipped.len();
        self.counts.failed += skipped.len();
        skipped.sort_unstable();
        skipped
    }

    fn change(&self, indices: Vec<usize>) -> JobChange<'_> {
        JobChange {
            rows: indices.into_iter().filter_map(|index| Some((index, self.run.rows.get(index)?))).collect(),
            counts: self.counts,
            stopped: self.run.stopped.as_deref(),
            stopped_code: self.run.stopped_code.as_deref(),
        }
    }

    /// The counts as they stand.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Whether no row is pending or running.
    pub fn is_finished(&self) -> bool {
        self.counts.remaining == 0
    }

    /// The run as it stands.
    pub fn run(&self) -> &BulkRun {
        &self.run
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::treasure::region::Region;

    fn oid(n: usize) -> String {
        format!("93d34997-1b2c-4d5e-8f90-{n:012}")
    }

    fn run_of(n: usize, region: Region) -> BulkRun {
        let lines: Vec<String> = (0..n).map(oid).collect();
        BulkRun::plan(&lines.join("\n"), Some(region), &Policy::default())
    }

    fn ok(n: usize) -> Result<DataModelSummary, Failure> {
        Ok(DataModelSummary { oid: oid(n), name: format!("model {n}"), kind: "elasticube".into() })
    }

    const US: &str = "api.treasuredata.com";
    const US_WORKFLOW: &str = "api-workflow.treasuredata.com";

    /// A run of one US data model and `n` US workflow projects (ids 101, 102, ...).
    fn run_with_projects(n: usize) -> BulkRun {
        use crate::treasure::bulk::ChosenTarget;
        let mut targets = vec![ChosenTarget { region: "us".into(), oid: oid(0), ..Default::default() }];
        targets.extend((0..n).map(|i| ChosenTarget {
            region: "us".into(),
            project_id: Some((101 + i).to_string()),
            name: Some(format!("p{i}")),
            ..Default::default()
        }));
        BulkRun::plan_targets(&targets, &Policy::default())
    }

    #[test]
    fn projects_are_queued_on_their_workflow_host_and_record_their_answer() {
        let mut job = BulkJob::resume(run_with_projects(3), 1);
        assert_eq!(job.hosts(), [US, US_WORKFLOW], "the workflow host has its own queue");
        assert_eq!(job.next_for_host(US), Some(0));
        assert_eq!(job.next_for_host(US), None);
        assert_eq!((job.next_for_host(US_WORKFLOW), job.next_for_host(US_WORKFLOW)), (Some(1), Some(2)));
        job.record_project(1, Ok(ApiKeySet { project_name: Some("renamed".into()) }), 40);
        job.record_project(2, Ok(ApiKeySet { project_name: None }), 41);
        let rows = &job.run().rows;
        assert_eq!(
            (rows[1].state, rows[1].name.as_deref(), rows[1].replaced_at),
            (RowState::Done, Some("renamed"), Some(40))
        );
        assert_eq!((rows[2].name.as_deref(), rows[2].kind.as_deref()), (Some("p1"), None), "the listed name stays");
        // A 403 on one project fails that row only: the run goes on.
        assert_eq!(job.next_for_host(US_WORKFLOW), Some(3));
        let forbidden = Failure::with_status(ErrorCode::WorkflowProjectForbidden, 403, "no permission");
        let change = job.record_project(3, Err(forbidden), 42);
        assert_eq!(change.stopped, None);
        assert_eq!(job.run().rows[3].code.as_deref(), Some("WORKFLOW_PROJECT_FORBIDDEN"));
        assert_eq!(job.counts(), Counts { done: 2, failed: 1, remaining: 1 });
    }

    #[test]
    fn a_refused_key_on_a_project_stops_the_whole_run() {
        let mut job = BulkJob::resume(run_with_projects(3), 1);
        assert_eq!(job.next_for_host(US_WORKFLOW), Some(1));
        let change = job.record_project(1, Err(Failure::with_status(ErrorCode::Unauthorized, 401, "bad key")), 5);
        assert_eq!(change.stopped_code, Some("BULK_STOPPED"));
        assert_eq!(job.next_for_host(US), None, "the data models are not sent either");
        assert_eq!(job.next_for_host(US_WORKFLOW), None);
        let states: Vec<RowState> = job.run().rows.iter().map(|row| row.state).collect();
        assert_eq!(states, [RowState::Skipped, RowState::Failed, RowState::Skipped, RowState::Skipped]);
        // Retry sends the project again (setting td.apikey twice is harmless).
        let mut run = job.run().clone();
        run.retry_failed();
        let mut retry = BulkJob::resume(run, 2);
        assert_eq!(retry.next_for_host(US_WORKFLOW), Some(1));
    }

    #[test]
    fn hands_out_each_row_once_per_host_and_keeps_the_counts() {
        let mut run = run_of(3, Region::Us);
        run.rows.extend(run_of(1, Region::Eu01).rows);
        let mut job = BulkJob::resume(run, 1);
        assert_eq!(job.hosts(), [US, "api.eu01.treasuredata.com"]);
        assert_eq!(job.counts(), Counts { done: 0, failed: 0, remaining: 4 });
        assert_eq!(job.next_for_host("api.eu01.treasuredata.com"), Some(3));
        assert_eq!(job.next_for_host("api.eu01.treasuredata.com"), None);
        assert_eq!(job.next_for_host("nowhere"), None);
        assert_eq!((job.next_for_host(US), job.next_for_host(US), job.next_for_host(US)), (Some(0), Some(1), Some(2)));
        assert_eq!(job.next_for_host(US), None);
        let started = job.started(1);
        assert_eq!(started.rows, [(1, &job.run().rows[1])]);
        assert_eq!((job.run().rows[1].state, job.run().rows[1].launch), (RowState::Running, 1));
        let change = job.record(0, ok(0), 5);
        assert_eq!(change.counts, Counts { done: 1, failed: 0, remaining: 3 });
        assert_eq!(change.rows.len(), 1);
        assert_eq!(change.rows[0].1.name.as_deref(), Some("model 0"));
        assert_eq!(change.rows[0].1.replaced_at, Some(5));
        job.record(1, Err(Failure::with_status(ErrorCode::NotFound, 404, "gone")), 6);
        assert_eq!(job.record(1, ok(1), 7).rows, [], "a row answered twice is counted once");
        job.record(2, ok(2), 8);
        assert!(!job.is_finished());
        job.record(3, ok(3), 9);
        assert_eq!(job.counts(), Counts { done: 3, failed: 1, remaining: 0 });
        assert!(job.is_finished());
        assert_eq!(job.counts(), job.run().counts(), "the kept counts agree with a recount");
    }

    #[test]
    fn a_resumed_run_sends_again_what_had_no_answer_and_nothing_else() {
        let mut job = BulkJob::resume(run_of(4, Region::Us), 1);
        for _ in 0..3 {
            job.next_for_host(US);
        }
        job.record(0, ok(0), 1);
        job.record(1, Err(Failure::with_status(ErrorCode::ServerError, 500, "later")), 1);
        // The worker stops here: row 2 was in flight, row 3 never started.
        let stored = BulkRun::from_json(&job.run().to_json()).unwrap();
        let mut resumed = BulkJob::resume(stored, 1);
        assert_eq!(resumed.counts(), Counts { done: 1, failed: 1, remaining: 2 });
        assert_eq!(
            (resumed.next_for_host(US), resumed.next_for_host(US), resumed.next_for_host(US)),
            (Some(2), Some(3), None)
        );
        assert!(
            resumed.run().rows.iter().all(|row| row.code.as_deref() != Some("INTERRUPTED")),
            "no row failed by the stop"
        );
    }

    #[test]
    fn a_refused_key_stops_the_run_and_skips_what_was_not_sent() {
        for code in [ErrorCode::Unauthorized, ErrorCode::Forbidden] {
            let mut job = BulkJob::resume(run_of(5, Region::Us), 1);
            job.next_for_host(US);
            job.next_for_host(US);
            let change = job.record(0, Err(Failure::with_status(code, 401, "bad key")), 1);
            assert!(change.stopped.unwrap().contains("bad key"));
            assert_eq!(change.stopped_code, Some("BULK_STOPPED"));
            assert_eq!(change.rows.iter().map(|(index, _)| *index).collect::<Vec<_>>(), [0, 2, 3, 4]);
            assert_eq!(change.counts, Counts { done: 0, failed: 4, remaining: 1 });
            assert_eq!(job.next_for_host(US), None);
            job.record(1, ok(1), 2);
            assert!(job.is_finished());
            assert_eq!(job.counts(), job.run().counts());
            // A second refusal does not stop it again.
            assert_eq!(job.stop_by_user().rows, []);
        }
    }

    #[test]
    fn stop_leaves_the_rows_in_flight_running_and_skips_the_rest() {
        let mut job = BulkJob::resume(run_of(6, Region::Us), 1);
        job.next_for_host(US);
        job.next_for_host(US);
        let change = job.stop_by_user();
        assert_eq!(change.counts, Counts { done: 0, failed: 4, remaining: 2 });
        assert_eq!(job.counts(), job.run().counts());
    }

    #[test]
    fn unwritten_rows_are_handed_over_once_each_as_they_now_are() {
        let mut job = BulkJob::resume(run_of(4, Region::Us), 1);
        let mut unwritten = UnwrittenRows::default();
        let first = job.next_for_host(US).unwrap();
        assert!(unwritten.note(&job.started(first)), "the first change schedules a write");
        let second = job.next_for_host(US).unwrap();
        assert!(!unwritten.note(&job.started(second)), "one write is scheduled, not one per change");
        assert!(!unwritten.note(&job.record(first, ok(0), 7)));
        assert!(!unwritten.note(&job.record(first, ok(0), 8)), "an answer ignored changes nothing");
        let written = unwritten.take(&job);
        assert_eq!(written.rows.iter().map(|(index, _)| *index).collect::<Vec<_>>(), [0, 1], "each row once, in order");
        assert_eq!(
            (written.rows[0].1.state, written.rows[0].1.replaced_at),
            (RowState::Done, Some(7)),
            "its state at the take"
        );
        assert_eq!(written.rows[1].1.state, RowState::Running);
        assert_eq!(written.counts, Counts { done: 1, failed: 0, remaining: 3 });
        assert!(unwritten.take(&job).rows.is_empty(), "nothing twice");
        let stop = job.stop_by_user();
        assert!(unwritten.note(&stop), "after a take, the next change schedules again");
        let written = unwritten.take(&job);
        assert_eq!(written.rows.iter().map(|(index, _)| *index).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(written.stopped_code, Some("STOPPED_BY_USER"));
        assert!(!unwritten.note(&job.stop_by_user()), "a change of no row schedules nothing");
    }

    #[test]
    fn a_stopped_run_resumes_stopped() {
        let mut job = BulkJob::resume(run_of(3, Region::Us), 1);
        job.next_for_host(US);
        let change = job.stop_by_user();
        assert_eq!(change.rows.len(), 2);
        assert!(change.stopped.unwrap().starts_with("Stopped by you"));
        assert_eq!(change.stopped_code, Some("STOPPED_BY_USER"));
        let mut resumed = BulkJob::resume(BulkRun::from_json(&job.run().to_json()).unwrap(), 1);
        assert_eq!(resumed.next_for_host(US), None);
        assert_eq!(resumed.counts(), Counts { done: 0, failed: 3, remaining: 0 });
    }
}
