// Keyturn's performance benchmark (a script, not a test): `./build.sh bench`.
// Measures the release build in headless Chromium, each figure against a baseline taken
// in the same run, as medians over repeated trials, and writes tests/bench/results.json.
//   - popup time to usable (core initialised, form wired) vs a blank page of the same extension,
//     with two steps between them measured too: the popup's page alone (its HTML and
//     stylesheet, a blank script) and that page plus the core's start-up (no start-up
//     reads, no wiring)
//   - click-to-result of a key replacement vs a bare fetch() of the same endpoint, same page
//   - bulk runs of 100 and of 5,000 data models with the fake answering after 50 ms, vs the
//     ideal ceil(n / 4) x 50 ms for four requests in flight, the time per row beyond it, and
//     the CPU each row cost the background's thread, the page and every process (steal left out)
//   - the first popup after a browser start (the browser started again on its profile, each
//     trial) vs a blank extension page opened at the same moment; and after installing
//   - loading 5,000 data models into the bulk page's table (fake at 50 ms), from the click to
//     the rendered table, vs a bare fetch() + JSON.parse of the same answer from the same page
//   - one keystroke in the table's filter with those 5,000 rows, to the next frame
//   - Treasure Workflow: loading 1,000 projects' secret names, and a mixed run of 2,500 data
//     models and 2,500 projects, each against its ideal at 50 ms and four in flight per host
//   - service-worker cold start including wasm instantiation: a message answered by the core,
//     with the worker stopped first (CDP) vs already running
//   - wasm size, raw and gzipped, of both builds of the core: the popup's and the full one
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { bundle } from '../../extension/bundle.mjs';
import { startFakeApis } from '../e2e/fake-apis.mjs';
import { launchChromium } from '../e2e/browsers.mjs';
import { openPopup, waitFor } from '../e2e/harness.mjs';
import { openBulk, openFreshBulk } from '../e2e/bulk-page.mjs';
import { PAGE_MAIN_THREAD, SERVICE_WORKER_THREAD, browserCpu, cpuTally } from './process-cpu.mjs';
import { CONSOLE_URL, DATA_MODELS, TREASURE, generatedOid } from '../e2e/scenarios.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TRIALS = Number(process.env.BENCH_TRIALS ?? 40);
const LATENCY_MS = 25; // the fake API's answer delay, so requests cost something like a network
const median = (values) => { const s = [...values].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// How busy the machine was while each phase ran, and how much of its CPU time the
// hypervisor took for other guests ("steal" in /proc/stat): on a shared VM that is what
// most often moves a ratio between runs, the baselines' included, so each run reports it.
const cpuTimes = () => {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.reduce((sum, value) => sum + value, 0), idle: fields[3] + fields[4], steal: fields[7] ?? 0 };
  } catch {
    return null; // not Linux: no figures
  }
};
const machineLoad = {};
/** Starts timing the machine's load for phase `name`; the function it returns ends it. */
function loadDuring(name) {
  const from = cpuTimes();
  return () => {
    const to = cpuTimes();
    if (!from || !to) return;
    const total = to.total - from.total || 1;
    const steal = to.steal - from.steal;
    machineLoad[name] = {
      busyPercent: +((100 * (total - (to.idle - from.idle) - steal)) / total).toFixed(1),
      stealPercent: +((100 * steal) / total).toFixed(1),
    };
  };
}

// A copy of the build with the baseline and step pages added; the shipped build is untouched.
const extensionDir = mkdtempSync(path.join(tmpdir(), 'keyturn-bench-'));
cpSync(path.join(root, 'dist', 'chrome'), extensionDir, { recursive: true });
const markReady = "performance.mark('keyturn-ready'); document.body.dataset.ready = 'true';";
writeFileSync(path.join(extensionDir, 'blank.html'), '<!doctype html><title>blank</title><script type="module" src="blank.js"></script>');
writeFileSync(path.join(extensionDir, 'blank.js'), markReady);
// The step pages: the popup's page with a blank script last (its HTML and stylesheet), and
// with the core's start-up alone where popup.js runs, in <head>, ready once the page has
// parsed too (the start-up reads are part of the wiring step).
const popupHtml = readFileSync(path.join(extensionDir, 'popup.html'), 'utf8');
if (!popupHtml.includes('<script src="popup.js"></script>\n</head>')) throw new Error('popup.html: popup.js is no longer the last script of <head>');
writeFileSync(path.join(extensionDir, 'popup-page-only.html'), popupHtml.replace(/\s*<script src="popup.js"><\/script>/, '').replace('</body>', '<script src="blank.js"></script></body>'));
// The core's start-up alone, bundled as build.sh bundles the popup (with its build of the core).
const coreSources = mkdtempSync(path.join(tmpdir(), 'keyturn-bench-core-'));
writeFileSync(path.join(coreSources, 'core-start.js'), `import { startCore } from ${JSON.stringify(path.join(root, 'extension', 'core.js'))};
import coreWasm from './keyturn_bg.wasm';
const parsed = new Promise((resolve) => { document.addEventListener('DOMContentLoaded', resolve, { once: true }); });
Promise.all([startCore(coreWasm), parsed]).then(() => { ${markReady} });`);
await bundle({
  entryPoints: [path.join(coreSources, 'core-start.js')], core: path.join(root, 'target', 'keyturn-popup'), outdir: extensionDir, classic: true,
});
writeFileSync(path.join(extensionDir, 'popup-core-only.html'), popupHtml.replace('src="popup.js"', 'src="core-start.js"'));

const fake = await startFakeApis({ port: 443, certDir: path.join(root, 'tests', 'e2e', '.certs'), latencyMs: LATENCY_MS });
const browser = await launchChromium({ extensionDir });

async function timeToReady(page) {
  return page.eval(() => performance.getEntriesByName('keyturn-ready')[0].startTime);
}

async function openTime(pagePath) {
  const page = await browser.open(pagePath);
  await waitFor(page, () => document.body?.dataset.ready === 'true');
  const time = await timeToReady(page);
  await page.close();
  return time;
}

// The administrator's settings as last seen: the background keeps them in storage.local once
// the managed area first answers (Chromium's policy service takes seconds after a start, and
// longer while pages open one after another), and a popup is drawn from them at once. The
// trials time the popup as a user meets it, once that has happened; without it, each popup
// would first wait popup.js's MANAGED_WAIT_MS for the managed answer (the first popup after
// installing, measured apart below).
async function policySeen(target) {
  const started = Date.now();
  while (Date.now() - started < 30_000) {
    if (await target.evalInBackground(async () => Boolean((await chrome.storage.local.get('lastPolicy')).lastPolicy))) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}
const policySeenBeforeTrials = await policySeen(browser);

// The pages alternate, so a slow moment of the machine falls on all alike; the first round
// only warms the browser up and is not counted.
const rounds = { blank: [], pageOnly: [], coreOnly: [], popup: [] };
const pages = { blank: 'blank.html', pageOnly: 'popup-page-only.html', coreOnly: 'popup-core-only.html', popup: 'popup.html' };
const popupTrialsEnded = loadDuring('popupTrials');
for (let i = 0; i <= TRIALS; i++) {
  for (const [name, pagePath] of Object.entries(pages)) {
    const time = await openTime(pagePath);
    if (i > 0) rounds[name].push(time);
  }
}
popupTrialsEnded();
const { blank, popup } = rounds;

// The first popup after a browser start (when Chromium's managed storage answers seconds
// late) against a blank extension page opened at the same moment, each timed from its own
// navigation to usable. Each trial starts a browser on a fresh profile, lets it see the
// policy once, and starts it again on that profile, as a user's browser starts; the first
// popup after installing (a fresh profile, nothing seen yet) is timed too.
// 60 browser starts: each start's two times vary widely (in 40 starts of one build, 84 to
// 375 ms for the popup and 63 to 228 for the blank page, as the starting browser answers
// late or soon, and as the two pages, which share one renderer thread, go first or second).
// The medians of 30 starts moved from 1.23 to 1.59 between the runs of one set (1 % steal).
// Resampled from those 40 starts (1.31), a run of 30 starts is above 1.5 in 7 % of runs
// (90 % of them within 1.20 to 1.52), a run of 60 in 2 % (1.22 to 1.45). Those starts were
// a scratch harness's: the first bench set of 60 still measured 1.59 in one run, its popup
// slower than the harness's (213 to 243 ms against 203) beside blank pages of the same speed.
const FIRST_TRIALS = Number(process.env.BENCH_FIRST_TRIALS ?? 60);
const firstPopup = [];
const firstBlank = [];
const installPopup = [];
const installBlank = [];
async function firstPopupOf(started, popups, blanks) {
  const [popupPage, blankPage] = await Promise.all([started.open('popup.html'), started.open('blank.html')]);
  for (const opened of [popupPage, blankPage]) await waitFor(opened, () => document.body?.dataset.ready === 'true', [], { timeout: 15_000 });
  popups.push(await timeToReady(popupPage));
  blanks.push(await timeToReady(blankPage));
}
let firstTrialsWithPolicySeen = 0;
const firstPopupsEnded = loadDuring('firstPopupAfterBrowserStart');
for (let i = 0; i < FIRST_TRIALS; i++) {
  const installed = await launchChromium({ extensionDir });
  await firstPopupOf(installed, installPopup, installBlank);
  if (await policySeen(installed)) firstTrialsWithPolicySeen += 1;
  const restarted = await installed.restart();
  await firstPopupOf(restarted, firstPopup, firstBlank);
  await restarted.close();
}
firstPopupsEnded();
const step = (from, to) => +(median(rounds[to]) - median(rounds[from])).toFixed(1);

// Click-to-result vs bare fetch, alternating in one page so both see the same conditions.
const model = DATA_MODELS['api.treasuredata.com'][0];
const page = await openPopup(browser);
await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', model.oid));
await page.fill('#td-key', TREASURE.masterKey);
const clicksEnded = loadDuring('clickToResult');
const replaceTimes = [];
const fetchTimes = [];
for (let i = 0; i < TRIALS; i++) {
  replaceTimes.push(await page.eval(() => new Promise((resolve) => {
    const box = document.getElementById('td-result');
    box.hidden = true;
    const started = performance.now();
    new MutationObserver((_, observer) => {
      if (!box.hidden && box.dataset.code) { observer.disconnect(); resolve(performance.now() - started); }
    }).observe(box, { attributes: true, childList: true });
    document.getElementById('td-replace').click();
  })));
  fetchTimes.push(await page.eval(async (oid, key) => {
    const started = performance.now();
    const response = await fetch(`https://api.treasuredata.com/reporting/datamodels/${oid}`, {
      method: 'PUT', headers: { Authorization: `TD1 ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ datamodel: { apikey: key } }), credentials: 'omit', cache: 'no-store', redirect: 'manual',
    });
    JSON.parse(await response.text());
    return performance.now() - started;
  }, model.oid, TREASURE.masterKey));
}
const lastResult = await page.eval(() => document.getElementById('td-result').dataset.code);
clicksEnded();

// Service worker: the same core-answered message (a Databrain call refused for its empty
// token, so no network) to a running worker and to one stopped just before.
const cdp = await page.page.context().newCDPSession(page.page);
await cdp.send('ServiceWorker.enable');
const askCore = () => page.eval(async () => {
  const started = performance.now();
  const answer = await chrome.runtime.sendMessage({ service: 'databrain', call: 'list', args: { origin: 'https://api.usedatabrain.com', token: '', app: '' } });
  if (answer?.failure?.code !== 'EMPTY_KEY') throw new Error(`unexpected answer: ${JSON.stringify(answer)}`);
  return performance.now() - started;
});
const warmWorker = [];
const coldWorker = [];
for (let i = 0; i < 10; i++) {
  warmWorker.push(await askCore());
  await cdp.send('ServiceWorker.stopAllWorkers');
  await new Promise((resolve) => setTimeout(resolve, 200));
  coldWorker.push(await askCore());
}
await page.close();
await browser.close();
await fake.close();

// Bulk runs at 50 ms of latency, four in flight: 100 data models (median of a few runs) and
// 5,000 (one run), each against the ideal ceil(n / 4) x 50 ms. The run's end is the
// background's journal saying it finished. The time per row beyond the ideal is the
// background's own cost per row (scheduling, journal writes, the page's rendering): it
// must not grow with the run.
const BULK_LATENCY_MS = 50;
// What Keyturn's transport sets on every request (src/transport.rs), for the bare fetch()
// baselines of the bulk and workflow runs: passed into each, so they cannot drift apart.
const KEYTURN_FETCH_OPTIONS = { credentials: 'omit', cache: 'no-store', redirect: 'manual', referrerPolicy: 'no-referrer' };
const slowFake = await startFakeApis({ port: 443, certDir: path.join(root, 'tests', 'e2e', '.certs'), latencyMs: BULK_LATENCY_MS });
const bulkBrowser = await launchChromium({ extensionDir });
/**
 * Pastes `count` generated OIDs from `first` and waits until `sendable` rows are ticked.
 * Set in the page: typing thousands of lines through the driver would time the driver.
 */
async function pasteOids(bulkPage, count, first, sendable, timeout) {
  await bulkPage.eval(() => { document.getElementById('bulk-paste').open = true; });
  await bulkPage.eval((text) => {
    const lines = document.getElementById('bulk-lines');
    lines.value = text;
    lines.dispatchEvent(new Event('input'));
  }, Array.from({ length: count }, (_, n) => generatedOid(first + n)).join('\n'));
  await waitFor(bulkPage, (n) => document.getElementById('bulk-count').dataset.sendable === String(n), [sendable], { timeout });
}
/** Presses Replace and times the run to the background's journal saying it finished. */
const timedRun = (bulkPage) => bulkPage.eval(() => new Promise((resolve) => {
  const started = performance.now();
  chrome.storage.onChanged.addListener((changes) => {
    const job = changes.bulkJob?.newValue;
    if (job && job.status === 'finished' && job.counts.remaining === 0) resolve(performance.now() - started);
  });
  document.getElementById('bulk-start').click();
}));
/**
 * One timed bulk run. `segments`: the CPU per row of the background's thread and the page's,
 * read again at each fifth of the PUTs the fake received, pushed there: within one run, so
 * the machine is the same for each, and the run's start (in the first fifth) left apart.
 */
async function bulkRun(models, first, cpu, segments) {
  const bulkPage = await openBulk(bulkBrowser);
  await bulkPage.select('#bulk-region', 'us');
  await pasteOids(bulkPage, models, first, models, 30_000);
  await bulkPage.fill('#bulk-key', TREASURE.masterKey);
  const sentBefore = slowFake.requests.length;
  const fifth = Math.floor(models / 5);
  const marks = [];
  // The fake runs in this process: its count costs nothing to read; /proc is read at a mark only.
  const watch = segments && setInterval(() => {
    const sent = slowFake.requests.length - sentBefore;
    if (marks.length < 5 && sent >= (marks.length + 1) * fifth) marks.push({ sent, threads: browserCpu().extensionThreads });
  }, 20);
  const wall = await cpu.time(() => timedRun(bulkPage));
  clearInterval(watch);
  for (let i = 1; i < marks.length; i++) {
    const [from, to] = [marks[i - 1], marks[i]];
    const perRow = (thread) => +((to.threads[thread] - from.threads[thread]) / (to.sent - from.sent)).toFixed(3);
    segments.push({ rows: `${from.sent}-${to.sent}`, background: perRow(SERVICE_WORKER_THREAD), bulkPage: perRow(PAGE_MAIN_THREAD) });
  }
  await bulkPage.close();
  return wall;
}
// The same PUTs with nothing of Keyturn's: four fetch() loops in the same service worker,
// against the same fake. The browser's own cost per request (~8 ms on this kind of machine,
// beyond the fake's 50 ms) is in it, so it is what "the ideal for the concurrency" measures
// to here; the nominal ideal above leaves that cost out.
async function bareFetchPool(models, first) {
  return bulkBrowser.evalInBackground(async (oids, key, options) => {
    const started = performance.now();
    let next = 0;
    const loop = async () => {
      while (next < oids.length) {
        const oid = oids[next++];
        const answer = await fetch(`https://api.treasuredata.com/reporting/datamodels/${oid}`, {
          method: 'PUT', headers: { Authorization: `TD1 ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ datamodel: { apikey: key } }), ...options,
        });
        JSON.parse(await answer.text());
      }
    };
    await Promise.all([loop(), loop(), loop(), loop()]);
    return performance.now() - started;
  }, Array.from({ length: models }, (_, n) => generatedOid(first + n)), TREASURE.masterKey, KEYTURN_FETCH_OPTIONS);
}
const bulkSizes = {};
for (const [models, runs, first] of [[100, 5, 1000], [5000, 1, 10_000]]) {
  const ideal = Math.ceil(models / 4) * BULK_LATENCY_MS;
  const sentBefore = slowFake.requests.length;
  const walls = [];
  const pools = [];
  const ended = loadDuring(`bulkRun${models}`);
  const keyturnCpu = cpuTally();
  const segments = [];
  const poolCpu = cpuTally();
  for (let i = 0; i < runs; i++) {
    pools.push(await poolCpu.time(() => bareFetchPool(models, first + models)));
    walls.push(await bulkRun(models, first, keyturnCpu, models === 5000 ? segments : null));
  }
  ended();
  const wall = median(walls);
  const pool = median(pools);
  bulkSizes[models] = {
    dataModels: models, runs, wallMs: +wall.toFixed(0), idealMs: ideal, ratio: +(wall / ideal).toFixed(3), goal: '<= 1.2',
    bareFetchPoolMs: +pool.toFixed(0), bareFetchPoolRatio: +(pool / ideal).toFixed(3),
    ratioToBareFetchPool: +(wall / pool).toFixed(3),
    overheadPerRowMs: +((wall - ideal) / models).toFixed(3),
    // Keyturn's own cost per row: beyond the bare fetch loops, not beyond the nominal ideal.
    keyturnPerRowMs: +((wall - pool) / models).toFixed(3),
    // The CPU each row cost, steal left out (process-cpu.mjs): the browser's processes by
    // kind, the extension process's threads by name (the background's is the service
    // worker's), and this process (the fake APIs, the driver); Keyturn's against the bare loops.
    cpuMsPerRow: { keyturn: keyturnCpu.per(models * runs), bareFetchPool: poolCpu.per(models * runs) },
    // 5,000 rows: CPU per row of the background's and the page's threads in each later fifth of the run.
    ...(segments.length ? { cpuMsPerRowByFifth: segments } : {}),
    requestsSent: slowFake.requests.length - sentBefore,
  };
}

// 5,000 data models: from "Load" to the rendered table, against a bare fetch() + JSON.parse
// of the same answer from the same page, alternating; then keystrokes in the filter.
const LIST_MODELS = 5000;
slowFake.listDataModels(() => Array.from({ length: LIST_MODELS }, (_, n) => ({
  oid: generatedOid(n), name: `model_${n}`, created_by: `user${n % 7}@example.com`, updated_by: 'bob@example.com',
  last_built: '2026-11-02T09:00:00Z', status: 'built', created_at: '2026-01-01T00:00:00Z',
})));
/** A bulk page without the runs' earlier job (so its table holds only what a case loads), US and the Master key chosen. */
async function freshBulkPage() {
  const bulkPage = await openFreshBulk(bulkBrowser);
  await bulkPage.select('#bulk-region', 'us');
  await bulkPage.fill('#bulk-key', TREASURE.masterKey);
  return bulkPage;
}
const listPage = await freshBulkPage();
const listEnded = loadDuring('dataModelList');
const loadTimes = [];
const fetchParseTimes = [];
const LIST_TRIALS = 15; // a load takes ~0.1 s: fifteen alternating trials keep the median steady
for (let i = 0; i < LIST_TRIALS; i++) {
  fetchParseTimes.push(await listPage.eval(async (key) => {
    const started = performance.now();
    const answer = await fetch('https://api.treasuredata.com/reporting/datamodels', { headers: { authorization: `TD1 ${key}` }, credentials: 'omit' });
    JSON.parse(await answer.text());
    return performance.now() - started;
  }, TREASURE.masterKey));
  // Load also lists the region's workflow projects after the data models: the button is
  // busy until both are done, so each trial waits for it.
  await waitFor(listPage, () => !document.getElementById('bulk-load').disabled, [], { timeout: 30_000 });
  loadTimes.push(await listPage.eval(async () => {
    const box = document.getElementById('bulk-load-result');
    box.hidden = true;
    const started = performance.now();
    // Seen the moment the result shows (the table is rendered in the same task), then the
    // frame that paints them: polling each frame instead would add up to a frame of its own.
    const shown = new Promise((resolve) => {
      new MutationObserver((_, observer) => { if (!box.hidden) { observer.disconnect(); resolve(); } }).observe(box, { attributes: true });
    });
    document.getElementById('bulk-load').click();
    await shown;
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))); // the table painted
    return performance.now() - started;
  }));
}
const rowsShown = await listPage.eval(() => document.getElementById('bulk-count').textContent);
// A stall is the page's thread held 50 ms or more (a long animation frame: script and
// rendering together): watched while the keystrokes below are typed.
await listPage.eval(() => {
  if (!PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) throw new Error('this browser reports no long animation frames');
  self.keyturnBenchStalls = [];
  self.keyturnBenchStallObserver = new PerformanceObserver((list) => { for (const frame of list.getEntries()) self.keyturnBenchStalls.push(frame.duration); });
  self.keyturnBenchStallObserver.observe({ type: 'long-animation-frame' });
});
const keystrokes = [];
for (const text of ['m', 'mo', 'model_4', 'model_49', 'user3', 'u', '']) {
  keystrokes.push(await listPage.eval(async (value) => {
    const filter = document.getElementById('bulk-filter');
    const started = performance.now();
    filter.value = value;
    filter.dispatchEvent(new Event('input'));
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))); // the next frame
    return performance.now() - started;
  }, text));
}
// A long frame is reported after it ends: two frames more, so the last keystroke's is in.
const keystrokeStalls = await listPage.eval(async () => {
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 50))));
  self.keyturnBenchStallObserver.disconnect();
  return self.keyturnBenchStalls;
});
listEnded();
await listPage.close();

// Treasure Workflow projects, fake at 50 ms: Load with 1,000 projects holding td.apikey
// (the data model list, then the project pages of 100 until an empty one, then each
// project's secret names four at a time), against ceil(1000 / 4) x 50 ms plus the pages;
// then one run of 2,500 pasted data models and 2,500 loaded projects, whose two hosts run
// side by side, against ceil(2500 / 4) x 50 ms.
const projectsOf = (n, from) => Array.from({ length: n }, (_, i) => ({ id: from + i, name: `project_${from + i}`, secrets: ['td.apikey'] }));
slowFake.listDataModels(null);
const loadProjects = (bulkPage) => bulkPage.eval(async () => {
  const box = document.getElementById('bulk-projects-result');
  box.hidden = true;
  const started = performance.now();
  document.getElementById('bulk-load').click();
  await new Promise((resolve) => { const check = () => (!box.hidden ? resolve() : setTimeout(check, 10)); check(); });
  return { ms: performance.now() - started, text: box.textContent };
});
// The same requests with nothing of Keyturn's: the data model list from the page, as Keyturn
// asks for it; then, from the background, where Keyturn loads the projects, the project pages
// in turn and the secret names four at a time.
const bareProjectLoad = async (bulkPage) => (await bulkPage.eval(async (key, options) => {
  const started = performance.now();
  JSON.parse(await (await fetch('https://api.treasuredata.com/reporting/datamodels', {
    headers: { Authorization: `TD1 ${key}`, Accept: 'application/json' }, ...options,
  })).text());
  return performance.now() - started;
}, TREASURE.masterKey, KEYTURN_FETCH_OPTIONS)) + await bulkBrowser.evalInBackground(async (key, options) => {
  const started = performance.now();
  const get = async (host, path) => JSON.parse(await (await fetch(`https://${host}${path}`, {
    headers: { Authorization: `TD1 ${key}`, Accept: 'application/json' }, ...options,
  })).text());
  const workflowHost = 'api-workflow.treasuredata.com';
  const ids = [];
  for (let last = null; ;) {
    const { projects } = await get(workflowHost, last === null ? '/api/projects' : `/api/projects?last_id=${last}`);
    if (projects.length === 0) break;
    for (const project of projects) ids.push(project.id);
    last = projects[projects.length - 1].id;
  }
  let next = 0;
  const loop = async () => { while (next < ids.length) await get(workflowHost, `/api/projects/${ids[next++]}/secrets`); };
  await Promise.all([loop(), loop(), loop(), loop()]);
  return performance.now() - started;
}, TREASURE.masterKey, KEYTURN_FETCH_OPTIONS);
const PROJECTS_LOADED = 1000;
slowFake.workflowProjects('us', projectsOf(PROJECTS_LOADED, 1));
const projectPage = await freshBulkPage();
const projectLoadEnded = loadDuring('workflowProjectLoad');
const bareProjectLoadMs = await bareProjectLoad(projectPage);
const projectLoad = await loadProjects(projectPage);
projectLoadEnded();
await projectPage.close();
const projectPages = Math.ceil(PROJECTS_LOADED / 100) + 1; // the fake's page of 100, and the empty page that ends the list
const projectLoadIdeal = (1 + projectPages + Math.ceil(PROJECTS_LOADED / 4)) * BULK_LATENCY_MS;

const MIXED = 2500;
slowFake.workflowProjects('us', projectsOf(MIXED, 100_001));
const mixedPage = await freshBulkPage();
await loadProjects(mixedPage);
await mixedPage.select('#bulk-kind', 'workflow_project');
await mixedPage.eval(() => document.getElementById('bulk-select-shown').click());
await mixedPage.select('#bulk-kind', '');
await pasteOids(mixedPage, MIXED, 200_000, 2 * MIXED, 60_000);
// The same PUTs with nothing of Keyturn's: eight fetch() loops in the same service worker,
// four per host, over other data models and the same projects (setting td.apikey again).
const mixedEnded = loadDuring('workflowMixedRun'); // the bare loops and Keyturn's run
const bareMixedMs = await bulkBrowser.evalInBackground(async (oids, ids, key, options) => {
  const started = performance.now();
  // The headers Keyturn sends: a workflow request also accepts JSON (src/treasure/workflow.rs).
  const put = async (url, body, accept) => JSON.parse(await (await fetch(url, {
    method: 'PUT', headers: { Authorization: `TD1 ${key}`, 'Content-Type': 'application/json', ...(accept ? { Accept: 'application/json' } : {}) },
    body: JSON.stringify(body), ...options,
  })).text());
  let nextModel = 0;
  let nextProject = 0;
  const models = async () => { while (nextModel < oids.length) await put(`https://api.treasuredata.com/reporting/datamodels/${oids[nextModel++]}`, { datamodel: { apikey: key } }); };
  const projects = async () => { while (nextProject < ids.length) await put(`https://api-workflow.treasuredata.com/api/projects/${ids[nextProject++]}/secrets/td.apikey`, { value: key }, true); };
  await Promise.all([models(), models(), models(), models(), projects(), projects(), projects(), projects()]);
  return performance.now() - started;
}, Array.from({ length: MIXED }, (_, n) => generatedOid(300_000 + n)), Array.from({ length: MIXED }, (_, n) => 100_001 + n), TREASURE.masterKey, KEYTURN_FETCH_OPTIONS);
const mixedSentBefore = slowFake.requests.length;
const mixedWall = await timedRun(mixedPage);
// What the page shows once it has drawn the finished job (it draws at most every 100 ms).
await waitFor(mixedPage, () => document.getElementById('bulk-run').dataset.running === 'false', [], { timeout: 10_000 });
mixedEnded();
const mixedCounts = await mixedPage.eval(() => document.getElementById('bulk-counts').textContent);
await mixedPage.close();
const mixedIdeal = Math.ceil(MIXED / 4) * BULK_LATENCY_MS;
const workflow = {
  fakeLatencyMs: BULK_LATENCY_MS,
  projectLoad: {
    projects: PROJECTS_LOADED, wallMs: +projectLoad.ms.toFixed(0), idealMs: projectLoadIdeal, ratio: +(projectLoad.ms / projectLoadIdeal).toFixed(3),
    goal: '<= 1.2', result: projectLoad.text.slice(0, 120),
    bareFetchMs: +bareProjectLoadMs.toFixed(0), bareFetchRatio: +(bareProjectLoadMs / projectLoadIdeal).toFixed(3),
    ratioToBareFetch: +(projectLoad.ms / bareProjectLoadMs).toFixed(3),
  },
  mixedRun: {
    dataModels: MIXED, projects: MIXED, wallMs: +mixedWall.toFixed(0), idealMs: mixedIdeal, ratio: +(mixedWall / mixedIdeal).toFixed(3),
    goal: '<= 1.2', counts: mixedCounts, requestsSent: slowFake.requests.length - mixedSentBefore,
    bareFetchMs: +bareMixedMs.toFixed(0), bareFetchRatio: +(bareMixedMs / mixedIdeal).toFixed(3),
    ratioToBareFetch: +(mixedWall / bareMixedMs).toFixed(3),
  },
};
await bulkBrowser.close();
await slowFake.close();
for (const dir of [extensionDir, coreSources]) rmSync(dir, { recursive: true, force: true });

// The popup's build of the core (embedded in popup.js) and the full one (keyturn_bg.wasm,
// for the background and the other pages).
const wasmSize = (name) => {
  const wasm = readFileSync(path.join(root, 'target', `keyturn-${name}`, 'keyturn_bg.wasm'));
  return { raw: wasm.length, gzipped: gzipSync(wasm, { level: 9 }).length };
};
const results = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${process.platform}`,
  browser: 'headless Chromium (Debian)',
  trials: TRIALS,
  popupTimeToUsableMs: {
    popup: median(popup), blankExtensionPage: median(blank), ratio: +(median(popup) / median(blank)).toFixed(2), goal: '<= 1.5',
    policySeenBeforeTrials,
    // Where the difference goes: the popup's HTML and stylesheet, the core's start-up
    // (its script with the wasm embedded, compile, instantiation), then the start-up reads,
    // localising and wiring the forms.
    steps: { pageMarkup: step('blank', 'pageOnly'), coreStartUp: step('pageOnly', 'coreOnly'), wiring: step('coreOnly', 'popup') },
  },
  firstPopupAfterBrowserStartMs: {
    popup: +median(firstPopup).toFixed(1), blankExtensionPage: +median(firstBlank).toFixed(1),
    ratio: +(median(firstPopup) / median(firstBlank)).toFixed(2), goal: '<= 1.5', trials: FIRST_TRIALS,
    trialsWithPolicySeen: firstTrialsWithPolicySeen,
    // The first popup after installing: no settings seen yet, so it waits for the managed answer up to MANAGED_WAIT_MS.
    afterInstall: {
      popup: +median(installPopup).toFixed(1), blankExtensionPage: +median(installBlank).toFixed(1),
      ratio: +(median(installPopup) / median(installBlank)).toFixed(2),
    },
  },
  clickToResultMs: {
    replaceKey: +median(replaceTimes).toFixed(1), bareFetch: +median(fetchTimes).toFixed(1),
    ratio: +(median(replaceTimes) / median(fetchTimes)).toFixed(2), goal: '<= 1.1', fakeLatencyMs: LATENCY_MS, lastResult,
  },
  serviceWorkerMs: { coldStartWithWasm: +median(coldWorker).toFixed(1), alreadyRunning: +median(warmWorker).toFixed(1) },
  bulkRun: {
    fakeLatencyMs: BULK_LATENCY_MS, inFlightPerHost: 4, hundred: bulkSizes[100], fiveThousand: bulkSizes[5000],
    // The background's cost per row (beyond the ideal) at 5,000 rows over that at 100: ~1 or less.
    perRowGrowth: +(bulkSizes[5000].overheadPerRowMs / Math.max(bulkSizes[100].overheadPerRowMs, 0.001)).toFixed(2),
    // Keyturn's own cost per row at 5,000 minus that at 100, in ms (0 or less: no growth).
    keyturnPerRowGrowthMs: +(bulkSizes[5000].keyturnPerRowMs - bulkSizes[100].keyturnPerRowMs).toFixed(3),
    // The background's time per row as CPU its thread ran (steal left out), at both sizes:
    // it must not grow with the run. Then the page's main thread, and every process.
    cpuPerRowMs: Object.fromEntries(Object.entries({
      background: (cpu) => cpu.extensionThreads[SERVICE_WORKER_THREAD],
      bulkPage: (cpu) => cpu.extensionThreads[PAGE_MAIN_THREAD],
      allProcesses: (cpu) => cpu.all,
    }).map(([name, of]) => {
      const [hundred, fiveThousand] = [100, 5000].map((models) => of(bulkSizes[models].cpuMsPerRow.keyturn));
      const [bareHundred, bareFiveThousand] = [100, 5000].map((models) => of(bulkSizes[models].cpuMsPerRow.bareFetchPool));
      return [name, { hundred, fiveThousand, growthMs: +(fiveThousand - hundred).toFixed(3), bareFetchPool: { hundred: bareHundred, fiveThousand: bareFiveThousand } }];
    })),
    // Within the 5,000-row run: the background's CPU per row in its last fifth minus that in
    // its second (the first holds the run's start), in ms: about 0 or less is no growth.
    backgroundCpuGrowthWithinRunMs: (() => {
      const fifths = bulkSizes[5000].cpuMsPerRowByFifth ?? [];
      return fifths.length > 1 ? +(fifths.at(-1).background - fifths[0].background).toFixed(3) : null;
    })(),
  },
  dataModelList: {
    dataModels: LIST_MODELS, fakeLatencyMs: BULK_LATENCY_MS, table: rowsShown,
    loadToRenderedTable: +median(loadTimes).toFixed(1), bareFetchAndParse: +median(fetchParseTimes).toFixed(1),
    ratio: +(median(loadTimes) / median(fetchParseTimes)).toFixed(2), goal: '<= 1.5',
    // To the next frame (a frame's wait included), and the frames of 50 ms or more meanwhile.
    filterKeystrokeMs: {
      median: +median(keystrokes).toFixed(1), max: +Math.max(...keystrokes).toFixed(1), goal: '< 50', each: keystrokes.map((ms) => +ms.toFixed(1)),
      stalls: keystrokeStalls.map((ms) => +ms.toFixed(1)), stallsGoal: 'none (no frame of 50 ms or more)',
    },
  },
  workflow,
  // Percent of the machine's CPU time (all cores) during each phase: used here, and taken
  // by the hypervisor for other guests (steal).
  machineLoad,
  wasmBytes: { popupCore: wasmSize('popup'), fullCore: wasmSize('full') },
};
writeFileSync(process.env.BENCH_OUT ?? path.join(root, 'tests', 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
