// Background glue. Three jobs, each delegating every decision to the Rust core:
// 1. mark the toolbar button on tabs that show a Treasure data model;
// 2. run Databrain calls that issue keys (and the listing they use), so that a new key is
//    kept in storage.session even when the popup closes while the request is in flight;
// 3. run bulk data model key replacements, which outlive the page that started them.
import init, * as core from './keyturn.js';
import { keepNewKey } from './new-keys.js';

// No top-level await: Chromium refuses to start a module service worker that uses it.
const coreReady = init();

async function markTab(tabId, url) {
  await coreReady;
  const target = url ? core.detectDataModelPage(url) : null;
  await chrome.action.setBadgeText({ tabId, text: target ? 'DM' : '' });
  await chrome.action.setTitle({
    tabId,
    title: target ? `Keyturn: data model ${target.oid} (${target.regionLabel})` : 'Keyturn',
  });
}

chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.url || change.status === 'complete') markTab(tabId, tab.url).catch(() => {});
});

/** Origins the browser has granted: the core only sends to these (besides the cloud API). */
async function grantedOrigins() {
  return (await chrome.permissions.getAll()).origins ?? [];
}

const databrain = {
  async rotate({ origin, key, grace, confirmedImmediate }) {
    const rotated = await core.rotateDatabrainKey(origin, await grantedOrigins(), key, grace, confirmedImmediate);
    return keepNewKey({ key: rotated.key, origin, source: 'rotation', oldKeyExpiresAt: rotated.oldKeyExpiresAt });
  },
  async rotateListed({ origin, index, grace, confirmedImmediate }) {
    const rotated = await core.rotateListedDatabrainKey(origin, await grantedOrigins(), index, grace, confirmedImmediate);
    return keepNewKey({ key: rotated.key, origin, source: 'rotation', oldKeyExpiresAt: rotated.oldKeyExpiresAt });
  },
  async list({ origin, token, app }) {
    return core.listDatabrainKeys(origin, await grantedOrigins(), token, app);
  },
  async create({ origin, token, app, label }) {
    const created = await core.createDatabrainKey(origin, await grantedOrigins(), token, app, label);
    return keepNewKey({ key: created.key, origin, source: 'creation', label });
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

function launchBulkRun(planJson, key) {
  bulkRunActive = true;
  saveBulkRun(planJson, true);
  core.runBulkReplace(planJson, key, saveProgress)
    .then(saveFinished)
    .catch(() => saveFinished(core.interruptedRun(planJson)))
    .finally(() => { bulkRunActive = false; });
}

const bulk = {
  async start({ lines, region, key }) {
    if (bulkRunActive) throw { code: 'RUN_IN_PROGRESS', message: 'A run is already going. Wait for it to finish.' };
    core.checkTreasureKey(key);
    const planJson = core.planBulkRun(lines, region);
    if (JSON.parse(planJson).rows.length === 0) await saveBulkRun(planJson, false);
    else launchBulkRun(planJson, key);
    return JSON.parse(planJson);
  },
  async retry({ key }) {
    if (bulkRunActive) throw { code: 'RUN_IN_PROGRESS', message: 'A run is already going. Wait for it to finish.' };
    core.checkTreasureKey(key);
    const { bulkRun } = await chrome.storage.session.get('bulkRun');
    launchBulkRun(core.retryFailedPlan(JSON.stringify(bulkRun)), key);
    return true;
  },
};

// A run recorded as going, found by a freshly started background, was cut short.
coreReady.then(async () => {
  const { bulkRun } = await chrome.storage.session.get('bulkRun');
  if (bulkRun?.running && !bulkRunActive) await saveBulkRun(core.interruptedRun(JSON.stringify(bulkRun)), false);
});

// ---- messages from Keyturn's own pages ----------------------------------------------
// {service: 'databrain' | 'bulk', call, args} -> {ok: value} or {failure: {code, message}}.
const services = { databrain, bulk };

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  const run = sender.id === chrome.runtime.id && services[message?.service]?.[message?.call];
  if (!run) return false;
  coreReady
    .then(() => run(message.args))
    .then((value) => reply({ ok: value }), (failure) => reply({ failure }));
  return true; // the reply comes asynchronously
});
