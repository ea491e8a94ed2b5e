// Bulk page glue: one table of rows (pasted lines, collected tabs, data models loaded from
// the account's list), each with the core's verdict; the user ticks rows and the
// background runs the ticked, ready ones (storage.session shows the run, so closing and
// reopening this page shows it still going, or finished, in the same rows).
// Parsing, verdicts, scheduling, stopping, retries and the CSV are the core's, and so is the
// table: the core keeps its rows, their ticks and the filter (treasure::table_view), and
// this file renders the counts and the rows on screen it asks for. The table is virtual:
// of thousands of rows, a screenful comes to this page and into the DOM.
import * as core from './core.js';
import { askBackground, loadWorkflowProjects } from './messages.js';
import { $, downloadText, hideResult, onClick, onSubmit, remindControl, showFailure, showResult } from './ui.js';
import { buildText, failureText, localize, regionName, runsText, t } from './i18n.js';
import { managedJson, onPolicyChanged } from './policy.js';

const ROW_HEIGHT = 32; // px, fixed (popup.css), so the visible window is arithmetic
const OVERSCAN = 10;
const STATE_TEXT = { pending: 'rowPending', running: 'rowRunning', skipped: 'rowSkipped' };
const VERDICT_TEXT = { ready: 'verdictReady', duplicate: 'verdictDuplicate', needs_region: 'verdictNeedsRegion' };
const RECHECK_MS = 15_000; // a build still pending or building is checked again this often,
const RECHECK_FOR_MS = 30 * 60_000; // for at most this long, while the page is open

const table = {
  /** @type {import('./keyturn.js').TableCounts} the core's table as last counted (its rows stay in the core) */
  counts: { shown: 0, total: 0, sendable: 0, shownReady: 0, shownReadyTicked: 0 },
  /** @type {Map<string, import('./keyturn.js').BulkRow>} the run's rows, by `<region>:<oid>` or `wf:<region>:<id>` */
  run: new Map(),
  /** The job's rows the core's table was last given (job.rowsVersion). */
  runVersion: -1,
  /** @type {Map<string, BuildShown>} each replaced row's last build check, by row key */
  builds: new Map(),
  /** When this page first checked builds: re-checks stop RECHECK_FOR_MS later. */
  checkingSince: 0,
  policyJson: '{}',
  /** Whether the next render must ask the core for the rows again (a run row the table lacks). */
  recomputeWanted: false,

  /** Asks the core for the rows again: after a paste, a region change, collected tabs or a load. */
  recompute() {
    // The job's rows, for those the table lacks (the page was reopened), when they changed.
    if (this.runVersion !== job.rowsVersion) {
      core.setTableRun(job.asRunJson());
      this.runVersion = job.rowsVersion;
    }
    // The loaded data models stay in the core, which merges them with the pasted lines.
    this.counts = core.refreshTable($('bulk-lines').value, $('bulk-region').value, this.policyJson, $('bulk-filter').value, $('bulk-kind').value);
    // The filter's text for thousands of rows is built when the page is next idle, not
    // within a load (nor within the first keystroke, unless it comes first).
    requestIdleCallback(() => core.prepareTableFilter());
    this.showFromTop();
  },

  /** Applies the filters (kind; name, OID or project id, created by, updated by, a pasted line): only the visible window is re-rendered. */
  filter() {
    this.counts = core.filterTable($('bulk-filter').value, $('bulk-kind').value);
    this.showFromTop();
  },

  showFromTop() {
    $('bulk-scroll').scrollTop = 0;
    this.render();
    this.count();
  },

  /** @param {import('./keyturn.js').TableCounts} counts the core's answer to a tick */
  recount(counts) {
    this.counts = counts;
    this.count();
  },

  count() {
    const { shown, total, sendable, shownReady, shownReadyTicked } = this.counts;
    $('bulk-count').textContent = t('bulkCount', shown, total, sendable);
    $('bulk-count').dataset.sendable = String(sendable);
    $('bulk-start').textContent = t('bulkStartCount', sendable);
    $('bulk-select-shown').checked = shownReady > 0 && shownReadyTicked === shownReady;
    $('bulk-empty').hidden = total > 0;
    $('bulk-table').hidden = total === 0;
  },

  /** @type {{ key: string, drawnFrom: string }[]} the rows now on screen, in order: each one's key and what it was drawn from */
  drawn: [],

  /**
   * Renders the rows in and near the visible window, between two spacer rows. Only the rows
   * whose data changed are drawn again: while a run goes, most of its changes are to rows
   * off screen, and a screenful of new rows ten times a second cost the page a layout of the
   * table each time (CPU the background's run shares).
   */
  render() {
    const scroll = $('bulk-scroll');
    const first = Math.max(0, Math.floor(scroll.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.counts.shown, Math.ceil((scroll.scrollTop + scroll.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const rows = first < last ? core.tableWindow(first, last) : [];
    const drawn = rows.map((row) => ({ key: row.key, drawnFrom: JSON.stringify([row, this.run.get(row.key), this.builds.get(row.key)]) }));
    const spacers = [first, Math.max(0, this.counts.shown - first - rows.length)].map((height) => `${height * ROW_HEIGHT}px`);
    const body = $('bulk-table').tBodies[0];
    const sameRows = body.rows.length === drawn.length + 2 && drawn.every((row, index) => row.key === this.drawn[index]?.key);
    if (sameRows) {
      [body.rows[0], body.rows[body.rows.length - 1]].forEach((spacer, index) => {
        if (spacer.style.height !== spacers[index]) spacer.style.height = spacers[index];
      });
      drawn.forEach((row, index) => {
        if (row.drawnFrom !== this.drawn[index].drawnFrom) body.rows[index + 1].replaceWith(this.rowElement(rows[index]));
      });
    } else {
      const spacer = (height) => {
        const tr = document.createElement('tr');
        tr.className = 'spacer';
        tr.style.height = height;
        return tr;
      };
      body.replaceChildren(spacer(spacers[0]), ...rows.map((row) => this.rowElement(row)), spacer(spacers[1]));
    }
    this.drawn = drawn;
  },

  /** @param {import('./keyturn.js').ShownRow} row */
  rowElement(row) {
    const tr = document.createElement('tr');
    tr.dataset.key = row.key;
    tr.dataset.verdict = row.verdict;
    const runRow = this.run.get(row.key);
    if (runRow) tr.dataset.state = runRow.state;
    if (row.oid) tr.dataset.oid = row.oid;
    const kind = row.kind ?? 'data_model';
    tr.dataset.kind = kind;
    if (row.projectId) tr.dataset.projectId = row.projectId;
    const tick = Object.assign(document.createElement('input'), { type: 'checkbox', checked: row.ticked, disabled: row.verdict !== 'ready' });
    tick.setAttribute('aria-label', t('bulkTickLabel', row.name || row.oid || row.text || ''));
    tick.dataset.key = row.key;
    const cell = (text) => Object.assign(document.createElement('td'), { textContent: text ?? '', title: text ?? '' });
    const first = document.createElement('td');
    first.append(tick);
    const region = row.region ? regionName({ id: row.region, label: row.region }) : '';
    tr.append(first, cell(t(`kind_${kind}`)), cell(row.name ?? (row.oid || row.projectId ? '' : row.text)), cell(row.oid ?? row.projectId), cell(region), cell(row.createdBy), cell(row.updatedBy), cell(row.lastBuilt), cell(this.statusText(row, runRow)), this.buildCell(row, runRow));
    return tr;
  },

  /** A replaced row's build: a link to its console page (where the user builds it), the last verdict, "Check". */
  buildCell(row, runRow) {
    const td = document.createElement('td');
    if (row.kind === 'workflow_project' || runRow?.projectId) return this.runsCell(td, row, runRow);
    if (runRow?.state !== 'done') return td;
    const check = this.builds.get(row.key);
    if (check) td.dataset.verdict = check.verdict;
    const open = Object.assign(document.createElement('a'), { href: core.dataModelConsoleUrl(row.region, row.oid), target: '_blank', rel: 'noopener', textContent: t('bulkOpenConsole') });
    const again = Object.assign(document.createElement('button'), { type: 'button', className: 'link check-build', textContent: t('bulkCheckOne') });
    again.dataset.key = row.key;
    again.setAttribute('aria-label', t('bulkCheckOneLabel', row.name || row.oid));
    const verdict = check ? (check.verdict === 'error' ? check.code : t(`buildShort_${check.verdict}`)) : '';
    td.title = check ? (check.verdict === 'error' ? failureText({ code: check.code, message: check.message, requestSent: true }) : buildText(/** @type {import('./keyturn.js').BuildCheck} */ (check))) : '';
    td.append(verdict ? `${verdict} · ` : '', open, ' · ', again);
    return td;
  },

  /**
   * A project row's console link and, once its td.apikey is set, its last runs check and
   * "Check runs" (a success proves the project ran, not that every task used td.apikey).
   */
  runsCell(td, row, runRow) {
    const region = row.region ?? runRow?.region;
    const projectId = row.projectId ?? runRow?.projectId;
    const open = Object.assign(document.createElement('a'), { href: core.projectConsoleUrl(region, projectId), target: '_blank', rel: 'noopener', className: 'project-console', textContent: t('bulkOpenConsole') });
    if (runRow?.state !== 'done') {
      td.append(open);
      return td;
    }
    const check = this.builds.get(row.key);
    if (check) td.dataset.verdict = check.verdict;
    const again = Object.assign(document.createElement('button'), { type: 'button', className: 'link check-build check-runs', textContent: t('bulkCheckRuns') });
    again.dataset.key = row.key;
    again.setAttribute('aria-label', t('bulkCheckRunsLabel', row.name || projectId));
    const verdict = check ? (check.verdict === 'error' ? check.code : t(`runsShort_${check.verdict}`)) : '';
    td.title = check ? (check.verdict === 'error' ? failureText({ code: check.code, message: check.message, requestSent: true }) : runsText(check)) : '';
    td.append(verdict ? `${verdict} · ` : '', open, ' · ', again);
    return td;
  },

  /**
   * Reads the builds of the replaced rows (`keys`; none: all of them), as the core
   * schedules it (four per API host). Rows still pending or building are checked again
   * every RECHECK_MS for at most RECHECK_FOR_MS while this page is open.
   * @param {string[]} keys
   */
  async checkBuilds(keys = []) {
    if (!job.rows.length) return;
    this.checkingSince ||= Date.now();
    // The background runs the checks and keeps each verdict in storage.session as it comes
    // (this page renders them from there), so closing the page does not lose them.
    const checked = await askBackground('bulk', 'checkBuilds', { keys, key: $('bulk-key').value });
    const building = Object.entries(checked).filter(([, check]) => check.verdict === 'building').map(([key]) => key);
    if (building.length && Date.now() - this.checkingSince < RECHECK_FOR_MS) {
      setTimeout(() => this.checkBuilds(building).catch((error) => showFailure($('bulk-result'), error)), RECHECK_MS);
    }
  },

  /** The run's result for the row when it was sent, else its verdict. */
  statusText(row, runRow) {
    if (runRow) {
      if (runRow.state === 'done') return runRow.projectId ? t('rowProjectReplaced', runRow.name ?? runRow.projectId) : t('rowReplaced', runRow.name, runRow.type);
      if (runRow.state === 'failed') return `${runRow.code}: ${failureText({ code: runRow.code, message: runRow.message, requestSent: true })}`;
      return t(STATE_TEXT[runRow.state]);
    }
    if (row.verdict === 'invalid') return `${row.code}: ${failureText({ code: row.code, message: row.why, requestSent: false })}`;
    if (row.kind === 'workflow_project' && row.verdict === 'ready') return t('verdictProjectReady');
    return t(VERDICT_TEXT[row.verdict]);
  },
};

/**
 * A run row's key in the table: the core's `<region>:<oid>` (treasure::bulk::row_key).
 * @param {import('./keyturn.js').BulkRow} row
 */
const runRowKey = (row) => (row.projectId ? `wf:${row.region}:${row.projectId}` : `${row.region}:${row.oid}`);

// The bulk job is the background's (background.js): its journal in storage.session is the
// one copy of the run. This page reads it once when it opens, then applies each change the
// journal reports, and renders; it never decides a row's state itself.
const JOB = 'bulkJob';
const JOB_ROW_PREFIX = 'bulkJobRow:';
// The background writes a heartbeat every second while it sends; none for this long means
// the browser stopped it, and this page wakes it (the job then resumes).
const STALE_AFTER_MS = 3000;

const job = {
  /** @type {BulkJobMeta | null} */
  meta: null,
  /** @type {import('./keyturn.js').BulkRow[]} the job's rows, by index */
  rows: [],
  /** Changes when the job's rows do as the table shows them (another job, a new row, a row's name), not with a row's state. */
  rowsVersion: 0,

  /** Reads the whole journal (when the page opens). */
  load(items) {
    this.meta = items[JOB] ?? null;
    this.rows = Array.from({ length: this.meta?.total ?? 0 }, (_, index) => items[`${JOB_ROW_PREFIX}${index}`]).filter(Boolean);
    table.run = new Map(this.rows.map((row) => [runRowKey(row), row]));
    this.rowsVersion += 1;
  },

  /** Applies one change of the journal; says whether a row the table does not list arrived. */
  apply(changes) {
    let newRows = false;
    if (changes[JOB]) {
      const meta = changes[JOB].newValue ?? null;
      if (meta?.id !== this.meta?.id || (meta?.total ?? 0) < this.rows.length) {
        // Another job: its rows arrive in this same change (background.js writes them in one go).
        this.rows = [];
        table.run = new Map();
        this.rowsVersion += 1;
      }
      this.meta = meta;
    }
    for (const [item, { newValue }] of Object.entries(changes)) {
      if (!item.startsWith(JOB_ROW_PREFIX) || !newValue) continue;
      const index = Number(item.slice(JOB_ROW_PREFIX.length));
      if (this.meta && index >= this.meta.total) continue;
      this.rows[index] = newValue;
      const key = runRowKey(newValue);
      // A row the table lacks shows with the job's name for it, from the next recompute: a
      // new row or a new name means the core is given the job's rows again then.
      if (table.run.get(key)?.name !== newValue.name || !table.run.has(key)) this.rowsVersion += 1;
      table.run.set(key, newValue);
      if (!newRows && !core.tableHasRow(key)) newRows = true;
    }
    return newRows;
  },

  /** The run as the core reads it back (CSV, build checks). */
  asRunJson() {
    return JSON.stringify({ rows: this.rows.filter(Boolean), stopped: this.meta?.stopped });
  },

  /** Whether the background has stopped writing its heartbeat while the job runs. */
  stale() {
    return this.meta?.status === 'running' && Date.now() - this.meta.beat > STALE_AFTER_MS;
  },
};

/** Renders the job's meta; the table's rows take their run state from `table.run`. */
function renderJob() {
  const meta = job.meta;
  if (!meta || !meta.total) return;
  $('bulk-run').hidden = false;
  const running = meta.status === 'running';
  const { done, failed, remaining } = meta.counts;
  $('bulk-progress').max = meta.total;
  $('bulk-progress').value = done + failed;
  $('bulk-counts').textContent = `${t('bulkCounts', done, failed, remaining)}${running ? '' : ` · ${t('bulkFinished')}`}`;
  $('bulk-run').dataset.running = String(running);
  // The truth about the background: interrupted (no heartbeat: it is being woken), resumed
  // after an interruption, or simply running or finished.
  const stale = job.stale();
  $('bulk-run').dataset.job = stale ? 'interrupted' : meta.interruptions ? 'resumed' : meta.status;
  const status = stale ? t('bulkJobInterrupted') : meta.interruptions ? t('bulkJobResumed', meta.interruptions) : '';
  $('bulk-job-status').hidden = !status;
  $('bulk-job-status').textContent = status;
  $('bulk-stopped').hidden = !meta.stopped;
  // In English the core's own words (they quote Treasure's refusal); otherwise the translation.
  $('bulk-stopped').textContent = meta.stopped ? failureText({ code: meta.stoppedCode ?? 'INTERRUPTED', message: meta.stopped, requestSent: true }) : '';
  $('bulk-stop').disabled = !running;
  $('bulk-retry').disabled = running || failed + remaining === 0;
  $('bulk-export').disabled = running;
  $('bulk-check-builds').disabled = running || done === 0;
  $('bulk-remind').hidden = running || done === 0;
  $('bulk-start').disabled = running;
}

// Renders at most every 250 ms however fast the journal changes (thousands of rows): the
// background writes it as often (JOURNAL_INTERVAL_MS), so one render follows each write. A
// render costs a frame (paint mostly, ~5 ms of this page's thread): at 100 ms, heartbeats
// and writes drew about six a second during a run, a millisecond of CPU per row.
const RENDER_INTERVAL_MS = 250;
let renderTimer = null;
function renderSoon(recompute) {
  if (recompute) table.recomputeWanted = true;
  renderTimer ??= setTimeout(() => {
    renderTimer = null;
    renderJob();
    if (table.recomputeWanted) {
      table.recomputeWanted = false;
      table.recompute();
    } else table.render();
  }, RENDER_INTERVAL_MS);
}

/** While a job runs, wakes a background that stopped writing its heartbeat (the job resumes there). */
function watchBackground() {
  let waking = false;
  setInterval(() => {
    if (!job.stale()) return;
    renderJob();
    if (waking) return;
    waking = true;
    askBackground('bulk', 'wake', {}).catch(() => {}).finally(() => { waking = false; });
  }, 1000);
}

/**
 * Opened from a reminder tied to a key (?reminder=<id>): the data models that, by
 * Keyturn's history, last received that key arrive in the table, ticked, waiting for the
 * new key. The region's full list can be loaded beside them.
 * @param {string | null} id
 */
async function fromReminder(id) {
  if (!id) return;
  const { reminders = [], history = [] } = /** @type {StoredItems} */ (await chrome.storage.local.get(['reminders', 'history']));
  const reminder = reminders.find((kept) => kept.id === id);
  if (!reminder?.fingerprint) return;
  const consumers = core.reminderConsumers(JSON.stringify(history), JSON.stringify(reminder));
  $('bulk-region').value = reminder.place;
  // The data models arrive as lines; the workflow projects holding the key are counted (they become rows once the region's projects are loaded).
  const models = consumers.filter((consumer) => !consumer.projectId);
  const projects = consumers.length - models.length;
  $('bulk-lines').value = models.map((consumer) => core.dataModelConsoleUrl(consumer.region, consumer.oid)).join('\n');
  $('bulk-paste').open = models.length > 0;
  showResult($('bulk-load-result'), 'ok', [t('bulkFromReminder', models.length, reminder.label), ...(projects ? [t('bulkFromReminderProjects', projects)] : [])], 'FROM_REMINDER');
}

/** @type {(() => void) | null} stops the workflow projects load under way */
let stopProjectsLoad = null;

/**
 * Loads the region's workflow projects that hold td.apikey into the table (the core, in
 * the background, pages the list and reads each project's secret names, four at a time),
 * with progress and Stop.
 * @param {string} region
 */
async function loadProjects(region) {
  const box = $('bulk-projects-result');
  hideResult(box);
  if (!core.readPolicy(table.policyJson).workflowProjects) return showResult(box, 'ok', [t('bulkProjectsOff')], 'WORKFLOW_PROJECTS_DISABLED');
  const progress = $('bulk-projects-progress');
  progress.textContent = t('bulkProjectsListing', 0);
  $('bulk-projects-loading').hidden = false;
  try {
    // The secret names of listed projects are checked while later pages are still listed.
    const load = loadWorkflowProjects(region, $('bulk-key').value, ({ checked, total, listing }) => {
      const [checkedText, totalText] = [checked.toLocaleString(), total.toLocaleString()];
      progress.textContent = !checked ? t('bulkProjectsListing', totalText)
        : t(listing ? 'bulkProjectsProgressListing' : 'bulkProjectsProgress', checkedText, totalText);
    });
    stopProjectsLoad = load.stop;
    const loaded = await load.result;
    // The rows the table took (the background's count, unless a handover did not read back),
    // and those of an earlier load a stopped one kept.
    const { taken, kept } = core.takeWorkflowProjects(region, loaded.handoverJson);
    table.recompute();
    const lines = [t('bulkProjectsLoaded', taken, loaded.listed, regionName({ id: region, label: region }))];
    if (loaded.withoutKey) lines.push(t('bulkProjectsWithoutKey', loaded.withoutKey));
    if (loaded.stopped) lines.push(kept ? t('bulkProjectsStoppedKept', loaded.unchecked, kept) : t('bulkProjectsStopped', loaded.unchecked));
    if (loaded.skipped.length) {
      lines.push(t('bulkProjectsSkipped', loaded.skipped.length), ...loaded.skipped.slice(0, 5).map((skipped) =>
        t('bulkProjectSkipped', skipped.name, skipped.id, failureText({ code: skipped.code, message: skipped.message, status: skipped.status, requestSent: true }))));
    }
    if (loaded.listSkipped.length) {
      lines.push(t('bulkLoadSkipped', loaded.listSkipped.length), ...loaded.listSkipped.slice(0, 5).map((skipped) => t('bulkSkippedElement', skipped.position, skipped.why)));
    }
    showResult(box, 'ok', lines, loaded.stopped ? 'STOPPED' : 'OK');
  } catch (error) {
    showFailure(box, error);
  } finally {
    stopProjectsLoad = null;
    $('bulk-projects-loading').hidden = true;
  }
}

async function start() {
  localize();
  await core.startCore();
  // Only the regions the administrator's policy offers (the core refuses the others too).
  const offerRegions = async () => {
    table.policyJson = await managedJson();
    const offered = core.readPolicy(table.policyJson).treasureRegions;
    $('bulk-region').replaceChildren(new Option(t('bulkRegionChoose'), ''), ...core.treasureRegions()
      .filter((region) => offered.includes(region.id)).map((region) => new Option(`${regionName(region)} (${region.apiHost})`, region.id)));
  };
  await offerRegions();
  onPolicyChanged(async () => { await offerRegions(); table.recompute(); });

  let pasteTimer = null;
  $('bulk-lines').addEventListener('input', () => {
    clearTimeout(pasteTimer);
    pasteTimer = setTimeout(() => table.recompute(), 150);
  });
  $('bulk-region').addEventListener('change', () => table.recompute());
  $('bulk-filter').addEventListener('input', () => table.filter());
  $('bulk-kind').addEventListener('change', () => table.filter());
  let scrollFrame = 0;
  $('bulk-scroll').addEventListener('scroll', () => {
    cancelAnimationFrame(scrollFrame);
    scrollFrame = requestAnimationFrame(() => table.render());
  });
  $('bulk-table').tBodies[0].addEventListener('change', (event) => {
    const tick = /** @type {HTMLInputElement} */ (event.target);
    table.recount(core.tickRow(tick.dataset.key, tick.checked));
  });
  $('bulk-select-shown').addEventListener('change', () => {
    table.counts = core.tickShown($('bulk-select-shown').checked);
    table.render();
    table.count();
  });

  onClick($('bulk-add-tabs'), async () => {
    const tabs = await chrome.tabs.query({});
    const urls = tabs.map((tab) => tab.url).filter((url) => url && core.detectDataModelPage(url));
    const text = $('bulk-lines').value.trim();
    $('bulk-lines').value = [text, ...urls].filter(Boolean).join('\n');
    $('bulk-paste').open = true;
    table.recompute();
    showResult($('bulk-load-result'), 'ok', [t('bulkTabsAdded', urls.length)], 'OK');
  });

  onClick($('bulk-load'), async () => {
    const box = $('bulk-load-result');
    hideResult(box);
    const region = $('bulk-region').value;
    try {
      // Loading again replaces that region's list; loading never ticks anything.
      const list = await core.loadDataModels(region, $('bulk-key').value, table.policyJson);
      table.recompute();
      const lines = [t('bulkLoaded', list.loaded, regionName({ id: region, label: region }))];
      if (list.skipped.length) {
        lines.push(t('bulkLoadSkipped', list.skipped.length), ...list.skipped.slice(0, 5).map((skipped) => t('bulkSkippedElement', skipped.position, skipped.why)));
      }
      showResult(box, 'ok', lines, 'OK');
    } catch (error) {
      // A refused key would be refused by the workflow host too: nothing more is sent.
      if (showFailure(box, error).code === 'UNAUTHORIZED') return;
    }
    await loadProjects(region);
  });
  onClick($('bulk-projects-stop'), async () => stopProjectsLoad?.());

  onSubmit($('bulk-form'), $('bulk-start'), async () => {
    hideResult($('bulk-result'));
    const targets = core.tickedTargets();
    if (targets.length === 0) return showResult($('bulk-result'), 'error', [t('error_NOTHING_TO_RUN')], 'NOTHING_TO_RUN');
    try {
      const run = await askBackground('bulk', 'start', { targets, key: $('bulk-key').value });
      // A new run: the build checks of an earlier one no longer apply.
      table.checkingSince = 0;
      showResult($('bulk-result'), 'ok', [t('bulkToReplace', run.total)], 'OK');
    } catch (error) {
      showFailure($('bulk-result'), error);
    }
  });

  onClick($('bulk-check-builds'), async () => {
    hideResult($('bulk-result'));
    try {
      await table.checkBuilds();
    } catch (error) {
      showFailure($('bulk-result'), error);
    }
  });
  $('bulk-table').tBodies[0].addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest('button.check-build');
    if (button instanceof HTMLButtonElement) table.checkBuilds([button.dataset.key]).catch((error) => showFailure($('bulk-result'), error));
  });

  onClick($('bulk-stop'), async () => {
    try {
      await askBackground('bulk', 'stop', {});
    } catch (error) {
      showFailure($('bulk-result'), error);
    }
  });

  onClick($('bulk-retry'), async () => {
    hideResult($('bulk-result'));
    try {
      await askBackground('bulk', 'retry', { key: $('bulk-key').value });
    } catch (error) {
      showFailure($('bulk-result'), error);
    }
  });

  onClick($('bulk-export'), async () => {
    downloadText($('bulk-csv-link'), core.bulkRunCsv(job.asRunJson(), JSON.stringify(Object.fromEntries(table.builds))), 'text/csv',
      `keyturn-run-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`);
  });

  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'session' && changes.bulkBuilds) {
      table.builds = new Map(Object.entries(changes.bulkBuilds.newValue ?? {}));
      renderSoon(false);
    }
    if (area !== 'session' || !job.meta && !changes[JOB]) return;
    if (changes[JOB] || Object.keys(changes).some((item) => item.startsWith(JOB_ROW_PREFIX))) renderSoon(job.apply(changes));
  });
  watchBackground();
  // "Remind me before this key expires", after a run: the core makes one reminder per region
  // the run gave the key in, each tied to the key's fingerprint (never the key).
  $('bulk-remind').append(remindControl('bulk-remind', async (expiresAt) => {
    const reminders = await core.runReminders({ run: job.asRunJson(), expiresAt, key: $('bulk-key').value, managedJson: table.policyJson });
    // The background adds them one at a time (one read-modify-write per storage item).
    const kept = await Promise.all(reminders.map((reminder) => askBackground('reminders', 'add', reminder)));
    return kept[0] ? t('remindSet', kept[0].label, new Date(kept[0].expiresAt).toLocaleDateString()) : t('reminderNothing');
  }));

  const items = /** @type {StoredItems & Record<string, any>} */ (await chrome.storage.session.get(null));
  table.builds = new Map(Object.entries(items.bulkBuilds ?? {}));
  const reminderId = new URLSearchParams(location.search).get('reminder');
  await fromReminder(reminderId);
  // Opened from a reminder, the table holds exactly that key's data models: an earlier run
  // is not shown (the next run started here shows as usual).
  if (!reminderId || items[JOB]?.status === 'running') job.load(items);
  table.recompute();
  renderJob();
  document.body.dataset.ready = 'true';
}

start();
