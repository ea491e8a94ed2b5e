// Background glue. Five jobs, each delegating every decision to the Rust core:
// 1. mark the toolbar button on tabs that show a Treasure data model;
// 2. run Databrain calls that issue keys (and the listing they use), so that a new key is
//    kept in storage.session even when the popup closes while the request is in flight;
// 3. run bulk data model key replacements, which outlive the page that started them;
// 4. keep the rotation history (storage.local, no secret: the core reduces keys to a
//    fingerprint before a record is made);
// 5. schedule expiry reminders (alarms) and show them (notifications).
import * as core from './core.js';
import { keepNewKey, unkeptKeys } from './new-keys.js';
import { clipboardCalls, onClipboardAlarm } from './clipboard.js';
import { grantedSelfHosted } from './permissions.js';
import { regionName, t } from './i18n.js';
import { managedJson, onPolicyChanged, policyOf } from './policy.js';

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

// ---- history ----------------------------------------------------------------------------
const HISTORY_LIMIT = 1000;
let historyWrites = Promise.resolve(); // one read-modify-write at a time

const history = {
  record(entry) {
    return history.recordAll([entry]);
  },
  /** Adds several records in one write, the first given becoming the newest. */
  recordAll(newest) {
    historyWrites = historyWrites.then(async () => {
      await chrome.storage.local.set({ history: [...newest, ...await storedHistory()].slice(0, HISTORY_LIMIT) });
    }).catch(() => {});
    return historyWrites.then(() => true);
  },
  clear() {
    historyWrites = historyWrites.then(() => chrome.storage.local.remove('history'));
    return historyWrites.then(() => true);
  },
  /** Marks the attempts a recovery at `origin` settled (the core decides which). */
  settle(origin, since) {
    historyWrites = historyWrites.then(async () => {
      const settled = core.settleRecovered(JSON.stringify(await storedHistory()), origin, since);
      if (settled) await chrome.storage.local.set({ history: settled });
    }).catch(() => {});
    return historyWrites.then(() => true);
  },
};

const outcomeOf = (failure) => failure?.code ?? 'INTERNAL';

async function storedHistory() {
  const { history: entries = [] } = /** @type {StoredItems} */ (await chrome.storage.local.get('history'));
  return entries;
}

// A Databrain attempt whose answer was lost (the browser re-sends a request below fetch when
// a connection drops, see databrain/recovery.rs) leaves a key the user never saw. The core
// decides when that is likely; the point to recover from waits in storage.session (no
// secret) until a key is recovered or the user dismisses it.
const PENDING_RECOVERY = 'pendingRecovery';

/**
 * Runs a Databrain call and records it in the history, success or not, as of the time it
 * started. `keyOf(value)` gives the key used (to fingerprint), `fingerprint()` stands in
 * when only the core holds it (a listed key), `issuedOf(value)` the key the call issued.
 * A failure the core finds recoverable carries `recovery: {since, origin, kind}`.
 */
/**
 * @template T
 * @param {() => Promise<T>} call
 * @param {{ origin: string, target: string, kind: 'rotation' | 'creation', keyOf?: (value?: T) => string,
 *   fingerprint?: () => string, issuedOf?: (value?: T) => string, app?: string }} how
 * @returns {Promise<T>}
 */
async function recorded(call, { origin, target, kind, keyOf = () => '', fingerprint, issuedOf = () => '', app = '' }) {
  const startedAt = Date.now();
  const earlier = await storedHistory();
  const entry = (outcome, value) => {
    const made = core.historyEntry('Databrain', origin, target, outcome, keyOf(value), issuedOf(value), startedAt);
    return fingerprint ? { ...made, fingerprint: fingerprint() } : made;
  };
  try {
    const value = await call();
    await history.record(entry('success', value));
    return value;
  } catch (failure) {
    if (!failure?.requestSent) throw failure;
    const attempt = entry(outcomeOf(failure));
    const recovery = core.recoveryFor(failure.code, JSON.stringify(attempt), JSON.stringify(earlier));
    if (recovery) {
      // The key probably exists: the record reads "outcome unknown" until a recovery settles it.
      attempt.outcome = 'OUTCOME_UNKNOWN';
      failure.recovery = { since: recovery.since, origin, kind };
      await chrome.storage.session.set({ [PENDING_RECOVERY]: failure.recovery });
      // The old key was probably rotated: remind before it expires, as after a success.
      if (failure.oldKeyExpiresAt) await reminders.add(core.databrainOldKeyReminder(origin, failure.oldKeyFingerprint, failure.oldKeyExpiresAt, await managedJson(), app));
    }
    await history.record(attempt);
    throw failure;
  }
}

/** Origins the browser has granted a self-hosted Databrain: the core only sends to these (besides the cloud API). */
const grantedOrigins = grantedSelfHosted;

/** Keeps a rotated key until saved, and reminds the user before the old one expires. */
/**
 * @param {string} origin
 * @param {import('./keyturn.js').RotatedView} rotated
 * @param {string} app the data app's name, when the user gave it
 */
async function keepRotated(origin, rotated, app) {
  // Never throws: Databrain has rotated the key, so the page gets it, kept or not (new-keys.js).
  const kept = await keepNewKey({ key: rotated.key, origin, source: 'rotation', oldKeyExpiresAt: rotated.oldKeyExpiresAt });
  try {
    await reminders.add(core.databrainOldKeyReminder(origin, rotated.oldKeyFingerprint, rotated.oldKeyExpiresAt, await managedJson(), app));
  } catch {
    // A reminder that cannot be stored must not turn a rotation that happened into a failure.
  }
  return kept;
}

/** The history's target for a rotation: which data app, when the user said. */
const rotationTarget = (what, app) => (app ? `${what} of data app "${app}" (rotation)` : `${what} (rotation)`);

const issuedKey = (value) => value?.key ?? '';

const databrain = {
  async rotate({ origin, key, grace, confirmedImmediate, app = '' }) {
    const rotated = await recorded(async () => core.rotateDatabrainKey(origin, await grantedOrigins(), key, grace, confirmedImmediate),
      { origin, target: rotationTarget('data app key', app), kind: 'rotation', keyOf: () => key, issuedOf: issuedKey, app });
    return keepRotated(origin, rotated, app);
  },
  async rotateListed({ origin, index, grace, confirmedImmediate, app = '' }) {
    const rotated = await recorded(async () => core.rotateListedDatabrainKey(origin, await grantedOrigins(), index, grace, confirmedImmediate),
      { origin, target: rotationTarget('listed data app key', app), kind: 'rotation', fingerprint: () => core.listedKeyFingerprint(index), issuedOf: issuedKey, app });
    return keepRotated(origin, rotated, app);
  },
  /** `since`: list the keys created since a lost attempt first (a recovery). */
  async list({ origin, token, app, since }) {
    return core.listDatabrainKeys(origin, await grantedOrigins(), token, app, since ?? undefined);
  },
  async create({ origin, token, app, label }) {
    const created = await recorded(async () => core.createDatabrainKey(origin, await grantedOrigins(), token, app, label),
      { origin, target: `new key "${label}" for data app "${app}"`, kind: 'creation', keyOf: issuedKey, issuedOf: issuedKey });
    return keepNewKey({ key: created.key, origin, source: 'creation', label });
  },
  /**
   * The user chose a listed key as the one a lost answer carried: it is kept like a new key
   * (storage.session until saved), recorded by fingerprint, and the attempts it settles
   * stop reading "outcome unknown".
   */
  async recover({ origin, index, since }) {
    const { key } = core.takeListedDatabrainKey(index);
    const kept = await keepNewKey({ key, origin, source: 'recovery' });
    await history.record(core.historyEntry('Databrain', origin, 'data app key recovered (service token listing)', 'success', '', key));
    await history.settle(origin, since);
    await chrome.storage.session.remove(PENDING_RECOVERY);
    return kept;
  },
  async dismissRecovery() {
    await chrome.storage.session.remove(PENDING_RECOVERY);
    return true;
  },
};

// ---- many data models ---------------------------------------------------------------
// The run lives here, not in the page: closing the page does not stop it. Its state (no
// key) is in storage.session for the page to show; the key is held only by this run.
let bulkRunActive = false;

function saveBulkRun(runJson, running) {
  return chrome.storage.session.set({ bulkRun: { ...JSON.parse(runJson), running } });
}

// Progress is saved at most every 100 ms: writing (and re-rendering) the whole run on every
// answer cost a fifth of a 100-model run's time.
const PROGRESS_INTERVAL_MS = 100;
let progressTimer = null;
let latestProgress = null;

function saveProgress(runJson) {
  latestProgress = runJson;
  progressTimer ??= setTimeout(() => {
    progressTimer = null;
    saveBulkRun(latestProgress, true);
  }, PROGRESS_INTERVAL_MS);
}

function saveFinished(runJson) {
  clearTimeout(progressTimer);
  progressTimer = null;
  return saveBulkRun(runJson, false);
}

/** One history record per data model this launch sent (the rows pending at its start), in one write. */
function recordBulkRows(planJson, finishedJson, key) {
  const sent = new Set(JSON.parse(planJson).rows.filter((row) => row.state === 'pending').map((row) => `${row.apiHost} ${row.oid}`));
  const entries = JSON.parse(finishedJson).rows
    .filter((row) => sent.has(`${row.apiHost} ${row.oid}`) && row.state !== 'skipped')
    .map((row) => core.historyEntry('Treasure', row.regionLabel, row.name ? `${row.oid} (${row.name})` : row.oid,
      row.state === 'done' ? 'success' : row.code, key))
    .reverse();
  return history.recordAll(entries);
}

function launchBulkRun(planJson, key) {
  bulkRunActive = true;
  saveBulkRun(planJson, true);
  core.runBulkReplace(planJson, key, saveProgress)
    .then((finishedJson) => {
      // Free the run before showing it finished, so "Retry failed" works as soon as it shows.
      bulkRunActive = false;
      return saveFinished(finishedJson).then(() => recordBulkRows(planJson, finishedJson, key));
    }, () => {
      bulkRunActive = false;
      return saveFinished(core.interruptedRun(planJson));
    });
}

/** A new launch needs no run going and a well-formed key (refused before anything is sent). */
function checkLaunch(key) {
  if (bulkRunActive) throw { code: 'RUN_IN_PROGRESS', message: 'A run is already going. Wait for it to finish.' };
  core.checkTreasureKey(key);
}

const bulk = {
  /** `targets`: the ticked, ready rows of the page's table, `[{region, oid}]`. */
  async start({ targets, key }) {
    checkLaunch(key);
    const planJson = core.planBulkRun(JSON.stringify(targets), await managedJson());
    if (JSON.parse(planJson).rows.length === 0) await saveBulkRun(planJson, false);
    else launchBulkRun(planJson, key);
    return JSON.parse(planJson);
  },
  async retry({ key }) {
    checkLaunch(key);
    const { bulkRun } = /** @type {StoredItems} */ (await chrome.storage.session.get('bulkRun'));
    launchBulkRun(core.retryFailedPlan(JSON.stringify(bulkRun)), key);
    return true;
  },
};

// A run recorded as going, found by a freshly started background, was cut short.
coreReady.then(async () => {
  const { bulkRun } = /** @type {StoredItems} */ (await chrome.storage.session.get('bulkRun'));
  if (bulkRun?.running && !bulkRunActive) await saveBulkRun(core.interruptedRun(JSON.stringify(bulkRun)), false);
});

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
    await chrome.storage.local.set({ reminders: [...await reminders.all(), kept] });
    return kept;
  },
  async remove({ id }) {
    await chrome.storage.local.set({ reminders: (await reminders.all()).filter((reminder) => reminder.id !== id) });
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
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes.reminders) scheduleReminders();
});
chrome.alarms.onAlarm.addListener(async (alarm) => {
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
  if (!policyOf(await managedJson()).allowRememberSecrets) {
    await chrome.storage.session.remove(['treasureKey', 'databrainServiceToken']);
  }
}
applyPolicy();
onPolicyChanged(applyPolicy);

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
