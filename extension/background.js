// Background glue. Six jobs, each delegating every decision to the Rust core:
// 1. mark the toolbar button on tabs that show a Treasure data model;
// 2. run Databrain calls that issue keys (and the listing they use), so that a new key is
//    kept in storage.session even when the popup closes while the request is in flight;
// 3. run bulk data model key replacements, which outlive the page that started them;
// 4. keep the rotation history (storage.local, no secret: the core reduces keys to a
//    fingerprint before a record is made);
// 5. schedule expiry reminders (alarms) and show them (notifications);
// 6. load a region's workflow projects for the bulk page, whose table keeps the rows.
import * as core from './core.js';
import { keepNewKey, unkeptKeys } from './new-keys.js';
import { clipboardCalls, onClipboardAlarm } from './clipboard.js';
import { grantedSelfHosted } from './permissions.js';
import { asFailure, regionName, t } from './i18n.js';
import { managedJson, onPolicyChanged } from './policy.js';
import { WORKFLOW_PROJECTS_PORT } from './messages.js';

// No top-level await: Chromium refuses to start a module service worker that uses it.
const coreReady = core.startCore();

async function markTab(tabId, url) {
  await coreReady;
  const target = url ? core.detectDataModelPage(url) : null;
  await chrome.action.setBadgeText({ tabId, text: target ? 'DM' : '' });
  await chrome.action.setTitle({
    tabId,
    title: target ? t('badgeTitle', target.oid, regionName({ id: target.region, label: target.regionLabel })) : t('extName'),
  });
}

chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.url || change.status === 'complete') markTab(tabId, tab.url).catch(() => {});
});

// ---- stored items several callers change ----------------------------------------------------
// Every read-modify-write of a storage.local item (the history, the reminders) goes through
// `update`, one at a time per item, so two changes made at once (a run over three regions
// adding three reminders) never overwrite each other.
const updates = new Map();

/**
 * Replaces `item` with what `change(current)` returns (`undefined`: leave it), after every
 * earlier update of the same item. Resolves to the new value.
 * @template T
 * @param {keyof StoredItems} item
 * @param {(current: T | undefined) => T | undefined | Promise<T | undefined>} change
 * @returns {Promise<T | undefined>}
 */
function update(item, change) {
  const done = (updates.get(item) ?? Promise.resolve()).then(async () => {
    const { [item]: current } = /** @type {Record<string, T>} */ (await chrome.storage.local.get(item));
    const next = await change(current);
    if (next !== undefined) await chrome.storage.local.set({ [item]: next });
    return next;
  });
  updates.set(item, done.catch(() => {}));
  return done;
}

// ---- history ----------------------------------------------------------------------------
const HISTORY_LIMIT = 1000;

const history = {
  record(entry) {
    return history.recordAll([entry]);
  },
  /** Adds several records in one write, the first given becoming the newest. */
  async recordAll(newest) {
    await update('history', (entries = []) => [...newest, ...entries].slice(0, HISTORY_LIMIT)).catch(() => {});
    return true;
  },
  async clear() {
    await update('history', () => []);
    return true;
  },
  /** Marks the attempts a recovery at `origin` settled (the core decides which). */
  async settle(origin, since) {
    await update('history', (entries = []) => core.settleRecovered(JSON.stringify(entries), origin, since) ?? undefined).catch(() => {});
    return true;
  },
};


async function storedHistory() {
  const { history: entries = [] } = /** @type {StoredItems} */ (await chrome.storage.local.get('history'));
  return entries;
}

// A Databrain attempt whose answer was lost (the browser re-sends a request below fetch when
// a connection drops, see databrain/recovery.rs) leaves a key the user never saw. The core
// decides when that is likely; the point to recover from waits in storage.session (no
// secret) until a key is recovered or the user dismisses it.
const PENDING_RECOVERY = 'pendingRecovery';

/** Origins the browser has granted a self-hosted Databrain: the core only sends to these (besides the cloud API). */
const grantedOrigins = grantedSelfHosted;

// The last listing's keys (secrets: storage.session, trusted contexts only), so acting on a
// listed key works however often the browser stops this worker; replaced by the next listing.
const LISTING = 'databrainListing';

/** The kept listing's keys at `origin` as the core reads them back; none: "[]" (the core says to list again). */
async function keptListing(origin) {
  const { [LISTING]: kept } = /** @type {StoredItems} */ (await chrome.storage.session.get(LISTING));
  return kept?.origin === origin ? kept.listing : '[]';
}

/**
 * Keeps what a failed rotation or creation left to keep: its record, when a request went
 * out; the offer to recover a key a lost answer probably carried (storage.session, no
 * secret; the popup reads `recovery` from the failure); the old key's reminder.
 */
async function keepAttempt(failed, origin, kind) {
  if (failed?.record) await history.record(failed.record);
  if (failed?.recovery) {
    failed.recovery = { since: failed.recovery.since, origin, kind };
    await chrome.storage.session.set({ [PENDING_RECOVERY]: failed.recovery });
  }
  if (failed?.reminder) await reminders.add(failed.reminder).catch(() => {});
}

/**
 * A rotation: one call into the core does it all (policy, origin, key, grace period, the
 * POST, the answer, the history record, whether a lost answer probably issued a key); this
 * keeps what it returns: the record, the new key (storage.session, until saved) and the old
 * key's reminder, or, after a failure, the record and the recovery offer.
 */
async function rotation(args) {
  const input = { ...args, granted: await grantedOrigins(), historyJson: JSON.stringify(await storedHistory()), managedJson: await managedJson() };
  let rotated;
  try {
    rotated = await core.rotateKey(input);
  } catch (failed) {
    await keepAttempt(failed, args.origin, 'rotation');
    throw failed;
  }
  await history.record(rotated.record);
  const kept = await keepNewKey({ key: rotated.key, origin: args.origin, source: 'rotation', oldKeyExpiresAt: rotated.oldKeyExpiresAt });
  // A reminder that cannot be stored must not turn a rotation that happened into a failure.
  await reminders.add(rotated.reminder).catch(() => {});
  return kept;
}

const databrain = {
  /** Rotates a pasted key (`key`), or the key at `index` of the last listing at `origin`. */
  async rotate({ origin, key, grace, confirmedImmediate, app = '' }) {
    return rotation({ origin, key, grace, confirmedImmediate, app });
  },
  async rotateListed({ origin, index, grace, confirmedImmediate, app = '' }) {
    return rotation({ origin, listing: await keptListing(origin), index, grace, confirmedImmediate, app });
  },
  /** `since`: list the keys created since a lost attempt first (a recovery). */
  async list({ origin, token, app, since }) {
    const input = { origin, granted: await grantedOrigins(), token, app, since: since ?? undefined, managedJson: await managedJson() };
    const { views, listing } = await core.listDatabrainKeys(input);
    await chrome.storage.session.set({ [LISTING]: { origin, listing } });
    return views;
  },
  async create({ origin, token, app, label }) {
    const input = { origin, granted: await grantedOrigins(), token, app, label, historyJson: JSON.stringify(await storedHistory()), managedJson: await managedJson() };
    let created;
    try {
      created = await core.createKey(input);
    } catch (failed) {
      await keepAttempt(failed, origin, 'creation');
      throw failed;
    }
    await history.record(created.record);
    return keepNewKey({ key: created.key, origin, source: 'creation', label });
  },
  /**
   * The user chose a listed key as the one a lost answer carried: it is kept like a new key
   * (storage.session until saved), recorded by fingerprint, and the attempts it settles
   * stop reading "outcome unknown".
   */
  async recover({ origin, index, since }) {
    const input = { origin, granted: await grantedOrigins(), listing: await keptListing(origin), index, managedJson: await managedJson() };
    const { key, record } = await core.recoverKey(input);
    const kept = await keepNewKey({ key, origin, source: 'recovery' });
    await history.record(record);
    await history.settle(origin, since);
    await chrome.storage.session.remove(PENDING_RECOVERY);
    return kept;
  },
  async dismissRecovery() {
    await chrome.storage.session.remove(PENDING_RECOVERY);
    return true;
  },
};

// ---- many data models: the bulk job ------------------------------------------------------
// A run is a job owned here, never by a page: closing the page does not stop it, and it
// outlives this worker too. Its journal is in storage.session: the job's meta item
// (status, counts, heartbeat), one item per row written when that row changes, and the key,
// kept for the job's life only (storage.session's default access level: Keyturn's own
// pages and this worker, never a web page). When the browser stops this worker in the
// middle (update, crash, memory, idle), the next start finds the job running and resumes
// it from the journal; a row that was in flight is sent again, which is harmless (the PUT
// sets the same key on the same data model once more). Pages render the journal.
const JOB = 'bulkJob';
const JOB_KEY = 'bulkJobKey';
const JOB_ROW_PREFIX = 'bulkJobRow:';
const jobRowItem = (index) => `${JOB_ROW_PREFIX}${index}`;
// While a job runs, an alarm wakes a stopped worker even when no page is open (Chrome's
// shortest period is 30 s); a page that sees no heartbeat for 3 s wakes it at once.
const JOB_WATCHDOG = 'bulk-job-watchdog';
const HEARTBEAT_MS = 1000;
// The core hands over the rows a job changed at most every 250 ms (treasure::job::
// JOURNAL_INTERVAL_MS), each once with its latest state, and each batch is written at once:
// the cost of a write is that of the rows changed since the last one, whatever the run's
// size. Each write also costs the browser and every open page an onChanged event; written
// every 100 ms, they took about a millisecond of CPU per row at four rows answered every
// 50 ms. The build checks' verdicts are kept as often.
const JOURNAL_INTERVAL_MS = 250;

/**
 * The job's journal as storage.session keeps it: the meta (none: no job yet), its rows in
 * the run's order, the key while the job runs, the build checks, and the names of every row
 * item kept (an earlier job's too).
 */
async function readJournal() {
  const items = /** @type {StoredItems & Record<string, any>} */ (await chrome.storage.session.get(null));
  const meta = items[JOB];
  const rows = /** @type {import('./keyturn.js').BulkRow[]} */ (meta ? Array.from({ length: meta.total }, (_, index) => items[jobRowItem(index)]).filter(Boolean) : []);
  const rowItems = Object.keys(items).filter((item) => item.startsWith(JOB_ROW_PREFIX));
  return { meta, rows, key: items[JOB_KEY], builds: items.bulkBuilds ?? {}, hasBuilds: 'bulkBuilds' in items, rowItems };
}

/** The job this worker is sending: its meta (the journal's) and how to stop it. */
let activeJob = null;

const journal = {
  /** @type {Record<string, import('./keyturn.js').BulkRow>} rows changed since the last write */
  rows: {},
  writes: Promise.resolve(),
  /** When the last write was asked for (its heartbeat). */
  writtenAt: 0,
  /**
   * Takes in a change of the core's (the rows it changed since its last, the counts).
   * @param {import('./keyturn.js').JobChange} change
   * @param {BulkJobMeta} meta the job's
   */
  apply(change, meta) {
    for (const [index, row] of change.rows) this.rows[jobRowItem(index)] = row;
    meta.counts = change.counts;
    if (change.stopped) Object.assign(meta, { stopped: change.stopped, stoppedCode: change.stoppedCode });
  },
  /** @param {string} changeJson the core's JobChange, written at once (the core spaces them) */
  change(changeJson) {
    this.apply(JSON.parse(changeJson), activeJob.meta);
    return this.write();
  },
  /** Writes the changed rows and the meta (with a fresh heartbeat), in order. */
  write() {
    const rows = this.rows;
    this.rows = {};
    this.writtenAt = Date.now();
    const meta = { ...activeJob.meta, beat: this.writtenAt };
    this.writes = this.writes.then(() => chrome.storage.session.set({ ...rows, [JOB]: meta })).catch(() => {});
    return this.writes;
  },
};

/** Sends the job's rows that have no answer yet (all of them, or what a stopped worker left). */
function launchJob(meta, rows, key) {
  const controller = new AbortController();
  activeJob = { meta, controller };
  // A write of the core's changes carries a fresh heartbeat too: a beat of its own only when
  // none went for half a period (every write costs each open page an event and a render).
  const heartbeat = setInterval(() => { if (Date.now() - journal.writtenAt >= HEARTBEAT_MS / 2) journal.write(); }, HEARTBEAT_MS);
  chrome.alarms.create(JOB_WATCHDOG, { periodInMinutes: 0.5 });
  const ended = (last) => {
    clearInterval(heartbeat);
    if (last) journal.apply(last, meta);
    meta.status = 'finished';
    meta.finishedAt = Date.now();
    return journal.write().then(async () => {
      activeJob = null; // free before it shows finished, so "Retry failed" works at once
      await chrome.storage.session.remove(JOB_KEY);
      await chrome.alarms.clear(JOB_WATCHDOG);
      await recordJobHistory(key);
    });
  };
  core.runBulkJob(JSON.stringify({ rows }), key, meta.launch, controller.signal, (change) => journal.change(change))
    .then((lastJson) => ended(/** @type {import('./keyturn.js').JobChange} */ (JSON.parse(lastJson))), (failure) => {
      Object.assign(meta, { stopped: failure?.message ?? String(failure), stoppedCode: failure?.code ?? 'INTERNAL' });
      return ended(null);
    });
}

/**
 * One history record per row this launch sent, in one write, once: a worker stopped between
 * the job's end and this write records it when it starts again.
 */
async function recordJobHistory(key) {
  const { meta, rows } = await readJournal();
  if (!meta || meta.status !== 'finished' || meta.historyRecorded) return;
  await history.recordAll(await core.bulkRunHistory({ run: JSON.stringify({ rows }), launch: meta.launch, key: key ?? '' }));
  await chrome.storage.session.set({ [JOB]: { ...meta, historyRecorded: true } });
}

// At every start of this worker: a job the journal says is running was cut short by the
// browser stopping the worker; it resumes here. Without its key (never the case while the
// browser runs: storage.session keeps it), it waits for the user's Retry.
const jobResumed = coreReady.then(async () => {
  const { meta, rows, key } = await readJournal();
  if (!meta || activeJob) return;
  if (meta.status === 'finished') {
    await chrome.alarms.clear(JOB_WATCHDOG);
    if (!meta.historyRecorded) await recordJobHistory(key);
    return;
  }
  if (meta.status !== 'running' || !key) {
    if (meta.status === 'running') {
      await chrome.storage.session.set({ [JOB]: { ...meta, status: 'interrupted', stopped: t('bulkJobKeyLost') } });
    }
    return;
  }
  launchJob({ ...meta, interruptions: (meta.interruptions ?? 0) + 1, resumedAt: Date.now() }, rows, key);
}).catch(() => {});

/** A new launch needs no job going (the core checks the key, before anything is sent). */
async function checkNoJobGoing() {
  await jobResumed;
  if (activeJob) throw { code: 'RUN_IN_PROGRESS', message: 'A run is already going. Wait for it to finish, or stop it.', requestSent: false };
}

/**
 * Writes a whole job (its meta, every row, the key) in one go, replacing any earlier job's
 * rows; `dropBuilds`: the earlier job's build checks go too, in the same removal.
 */
async function writeJob(meta, rows, key, { dropBuilds = false } = {}) {
  const journal = await readJournal();
  const stale = journal.rowItems.filter((item) => Number(item.slice(JOB_ROW_PREFIX.length)) >= rows.length);
  if (dropBuilds && journal.hasBuilds) stale.push('bulkBuilds');
  if (stale.length) await chrome.storage.session.remove(stale);
  const items = Object.fromEntries(rows.map((row, index) => [jobRowItem(index), row]));
  await chrome.storage.session.set({ ...items, [JOB]: meta, ...(key && meta.status === 'running' ? { [JOB_KEY]: key } : {}) });
}

const bulk = {
  /** `targets`: the ticked, ready rows of the page's table (`core.tickedTargets()`: `{region, oid}` or `{region, projectId, name}`). Resolves to the job's meta. */
  async start({ targets, key }) {
    const managed = managedJson(); // asked for while the journal is checked
    await checkNoJobGoing();
    // One call plans the launch (the key, the policy, each data model checked again); this keeps and launches it.
    const plan = await core.startBulkRun({ targets, key, managedJson: await managed });
    const sends = plan.counts.remaining > 0;
    /** @type {BulkJobMeta} */
    const meta = {
      id: crypto.randomUUID(), launch: plan.launch, status: sends ? 'running' : 'finished', total: plan.rows.length,
      counts: plan.counts, invalid: plan.invalid, duplicates: plan.duplicates, startedAt: Date.now(), beat: Date.now(),
      interruptions: 0, historyRecorded: !sends,
    };
    // A new job: the build checks of an earlier one no longer apply.
    await writeJob(meta, plan.rows, key, { dropBuilds: true });
    if (sends) launchJob(meta, plan.rows, key);
    return meta;
  },
  /** Sends again the rows that did not succeed (failed, skipped, or never sent), as a new launch of the same job. */
  async retry({ key }) {
    await checkNoJobGoing();
    const { meta: earlier, rows } = await readJournal();
    if (!earlier) throw { code: 'NOTHING_TO_RUN', message: 'There is no run to retry. Tick data models and press Replace.', requestSent: false };
    const plan = await core.retryBulkRun({ run: JSON.stringify({ rows }), launch: earlier.launch, key, managedJson: await managedJson() });
    /** @type {BulkJobMeta} */
    const meta = { ...earlier, launch: plan.launch, status: 'running', stopped: undefined, counts: plan.counts, beat: Date.now(), interruptions: 0, resumedAt: undefined, finishedAt: undefined, historyRecorded: false };
    await writeJob(meta, plan.rows, key);
    launchJob(meta, plan.rows, key);
    return true;
  },
  /** The user's Stop: rows in flight get their answer, the others are not sent. */
  async stop() {
    await jobResumed;
    activeJob?.controller.abort();
    return Boolean(activeJob);
  },
  /**
   * Reads whether the job's replaced rows (`keys`; none: all) have built with the new key
   * (the core schedules it, four per API host, never starting a build). Each verdict is
   * kept in storage.session (`bulkBuilds`) as it comes, for every page to render; resolves
   * to the verdicts of this check.
   */
  async checkBuilds({ keys = [], key }) {
    core.checkTreasureKey(key);
    const { meta, rows, builds } = await readJournal();
    if (!meta) return {};
    const checked = {};
    let kept = builds;
    let timer = null;
    const write = () => {
      clearTimeout(timer);
      timer = null;
      return chrome.storage.session.set({ bulkBuilds: kept });
    };
    await core.checkBuilds(JSON.stringify({ rows }), JSON.stringify(keys), key, (rowKey, result) => {
      checked[rowKey] = 'verdict' in result ? result : { verdict: 'error', code: result.code, message: result.message };
      kept = { ...kept, [rowKey]: checked[rowKey] };
      timer ??= setTimeout(write, JOURNAL_INTERVAL_MS);
    });
    await write();
    return checked;
  },
  /** Sent by a page that sees no heartbeat: starting this worker resumed the job; says whether one runs. */
  async wake() {
    await jobResumed;
    return Boolean(activeJob);
  },
};

// ---- expiry reminders ------------------------------------------------------------------
// Reminders (no secret) live in storage.local; their alarms are re-created from it at every
// start, so they survive browser restarts in both browsers.
const reminders = {
  async all() {
    const { reminders: stored = [] } = /** @type {StoredItems} */ (await chrome.storage.local.get('reminders'));
    return stored;
  },
  async add(reminder) {
    if (core.reminderFireTimes(reminder.expiresAt, reminder.leadDays).length === 0) return null; // nothing left to remind
    const kept = { ...reminder, id: crypto.randomUUID() };
    await update('reminders', (stored = []) => [...stored, kept]);
    return kept;
  },
  async remove({ id }) {
    await update('reminders', (stored = []) => stored.filter((reminder) => reminder.id !== id));
    return true;
  },
  /**
   * What clicking a reminder does (and "Replace now" on the options page): opens where the
   * core says it leads, for a tied Treasure key the bulk page with its data models.
   * Resolves to the address opened.
   */
  async open({ id }) {
    const reminder = (await reminders.all()).find((kept) => kept.id === id);
    if (!reminder) return null;
    await coreReady;
    const { target } = core.reminderNotification(JSON.stringify(reminder));
    const url = target.startsWith('https://') ? target : chrome.runtime.getURL(target);
    await chrome.tabs.create({ url });
    return url;
  },
};

async function scheduleReminders() {
  await coreReady;
  for (const alarm of await chrome.alarms.getAll()) {
    if (alarm.name.startsWith('reminder:')) await chrome.alarms.clear(alarm.name);
  }
  for (const reminder of await reminders.all()) {
    for (const { lead, when } of core.reminderFireTimes(reminder.expiresAt, reminder.leadDays)) {
      await chrome.alarms.create(`reminder:${reminder.id}:${lead}`, { when });
    }
  }
}

const reminderOf = async (name) => (await reminders.all()).find((reminder) => name.startsWith(`reminder:${reminder.id}:`));

chrome.runtime.onStartup.addListener(() => { scheduleReminders(); });
chrome.runtime.onInstalled.addListener(() => { scheduleReminders(); });
// storage.local's own event: this worker is not woken for the journal's writes to storage.session.
chrome.storage.local.onChanged.addListener((changes) => {
  if (changes.reminders) scheduleReminders();
});
chrome.alarms.onAlarm.addListener(async (alarm) => {
  // The watchdog's only work is to have started this worker, which resumes a cut-short job.
  if (alarm.name === JOB_WATCHDOG) return jobResumed;
  const reminder = await reminderOf(alarm.name);
  if (!reminder) return;
  await coreReady;
  const due = core.reminderNotification(JSON.stringify(reminder));
  const when = t(`when${due.unit[0].toUpperCase()}${due.unit.slice(1)}`, due.amount);
  const region = regionName({ id: reminder.place, label: reminder.place });
  // A key tied to its data models says how many, by Keyturn's own history.
  const consumers = reminder.fingerprint ? core.reminderConsumers(JSON.stringify(await storedHistory()), JSON.stringify(reminder)).length : 0;
  const [title, message] = reminder.service !== 'Treasure'
    ? [t('notifyDatabrainTitle', when), t('notifyDatabrainText', reminder.label, reminder.place, when)]
    : [t('notifyTreasureTitle', when), reminder.fingerprint
      ? t('notifyTreasureTextTied', reminder.label, region, when, consumers)
      : t('notifyTreasureText', reminder.label, region, when)];
  await chrome.notifications.create(alarm.name, { type: 'basic', iconUrl: chrome.runtime.getURL('icons/icon-128.png'), title, message });
});
chrome.notifications.onClicked.addListener(async (id) => {
  const reminder = await reminderOf(id);
  chrome.notifications.clear(id);
  if (reminder) await reminders.open({ id: reminder.id });
});

// ---- the administrator's policy ---------------------------------------------------------
// When the policy forbids remembering secrets, none stays in storage.session (a new key
// awaiting acknowledgement is not a remembered secret and stays). Applied at start and on
// every change of the managed area, without a restart.
async function applyPolicy() {
  await coreReady;
  const managed = await managedJson();
  // The settings as last seen (no secret in them), so a popup can be drawn at once (popup.js).
  const { lastPolicy } = /** @type {StoredItems} */ (await chrome.storage.local.get('lastPolicy'));
  if (lastPolicy !== managed) await chrome.storage.local.set({ lastPolicy: managed });
  if (!core.readPolicy(managed).allowRememberSecrets) {
    await chrome.storage.session.remove(['treasureKey', 'databrainServiceToken']);
  }
}
applyPolicy();
onPolicyChanged(applyPolicy);

// ---- loading a region's workflow projects, for the bulk page -------------------------
// The background loads, the page's table keeps the rows: a worker's fetches answer a few
// ms sooner than a page's, which counts four at a time over a thousand projects. One port
// per load (messages.js): the page sends {region, key}, then {ping} every second and maybe
// {stop}; the background sends {progress} at most every PROGRESS_INTERVAL_MS, then {ok:
// ProjectsLoadView} or {failure}. A page that goes away (its port disconnects) stops the load.
const PROGRESS_INTERVAL_MS = 100;
const BULK_PAGE = chrome.runtime.getURL('bulk.html');

chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== WORKFLOW_PROJECTS_PORT) return;
  // Only Keyturn's bulk page loads (no content script or web page can connect here).
  if (port.sender?.id !== chrome.runtime.id || !port.sender.url?.startsWith(BULK_PAGE)) return port.disconnect();
  const controller = new AbortController();
  let connected = true;
  port.onDisconnect.addListener(() => { connected = false; controller.abort(); });
  /** @param {ProjectsLoadAnswer} answer */
  const post = (answer) => {
    try { if (connected) port.postMessage(answer); } catch { connected = false; }
  };
  let started = false;
  port.onMessage.addListener(async (/** @type {ProjectsLoadAsk} */ ask) => {
    if ('stop' in ask) return controller.abort();
    if (!('region' in ask) || started) return; // a ping: its arrival is all it is for
    started = true;
    let lastProgress = 0;
    try {
      await coreReady;
      const loaded = await core.loadWorkflowProjects(String(ask.region), String(ask.key), await managedJson(), controller.signal, (progress) => {
        if (Date.now() - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = Date.now();
        post({ progress });
      });
      post({ ok: loaded });
    } catch (failure) {
      post({ failure: asFailure(failure) });
    }
  });
});

// ---- messages from Keyturn's own pages ----------------------------------------------
// {service: 'databrain' | 'bulk' | …, call, args} -> {ok: value} or {failure: {code, message}}.
const services = { databrain, bulk, history, reminders, newKeys: unkeptKeys, clipboard: clipboardCalls };
chrome.alarms.onAlarm.addListener(onClipboardAlarm); // emptying the clipboard after Copy (clipboard.js)

/** `object[name]` only when it is the object's own property, never one inherited from Object.prototype (`constructor`, `__proto__`, …). */
const own = (object, name) => (object && typeof name === 'string' && Object.hasOwn(object, name) ? object[name] : undefined);

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  const run = sender.id === chrome.runtime.id && own(own(services, message?.service), message?.call);
  if (typeof run !== 'function') return false;
  coreReady
    .then(() => run(message.args))
    .then((value) => reply({ ok: value }), (failure) => reply({ failure }));
  return true; // the reply comes asynchronously
});
