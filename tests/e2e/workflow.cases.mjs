// End-to-end cases for Treasure Workflow projects on the bulk page: Load (region + Master
// key) lists the region's projects beside its data models, reads each project's secret
// names (four at a time on the workflow host), and only the projects holding td.apikey
// become rows, of their own kind, with a filter by kind. A refused key stops the load; a
// project whose secrets cannot be read is skipped with why; Stop ends a long load; the
// administrator's policy can switch projects off, and then nothing goes to a workflow host.
import { assert, resultIn, sleep, waitFor } from './harness.mjs';
import { exportedCsv, finished, openBulk, openFreshBulk } from './bulk-page.mjs';
import { DATA_MODELS, TREASURE, WORKFLOW_HOSTS } from './scenarios.mjs';
import { launchFirefox } from './browsers.mjs';
import { extensionDirOf } from './suite.mjs';


/** Chooses `region`, types `key` and presses Load. */
async function load(page, region, key = TREASURE.masterKey) {
  await page.select('#bulk-region', region);
  await page.fill('#bulk-key', key);
  await page.click('#bulk-load');
}

/** The rows the table shows now: {key, kind, name, id, ticked, disabled, status, link}. */
function shownRows(page) {
  return page.eval(() => [...document.querySelectorAll('#bulk-table tbody tr:not(.spacer)')].map((tr) => ({
    key: tr.dataset.key,
    kind: tr.dataset.kind,
    kindText: tr.cells[1].textContent,
    name: tr.cells[2].textContent,
    id: tr.cells[3].textContent,
    status: tr.cells[8].textContent,
    link: tr.querySelector('a.project-console')?.href ?? null,
  })));
}

/** Ticks the row with `key` (the filter must show it). */
const tick = (page, key) => page.eval((k) => document.querySelector(`#bulk-table tr[data-key="${k}"] input`).click(), key);

/** Waits until the count says `n` rows are selected to send. */
const sendable = (page, n) => waitFor(page, (count) => document.getElementById('bulk-count').dataset.sendable === String(count), [n], { what: `${n} to send` });



const csvLine = (...fields) => fields.map((field) => `"${field}"`).join(',');

const workflowRequests = (fake, host) => fake.requests.filter((request) => request.host === host);

/** `count` EU01 projects holding td.apikey, ids from `firstId`, for the long loads below. */
const euProjectsHoldingKey = (count, firstId) => Array.from({ length: count }, (_, i) => ({ id: firstId + i, name: `eu_${i}`, secrets: ['td.apikey'] }));

/**
 * Starts a long EU01 load on `page` (`count` projects holding td.apikey from `firstId`, the
 * fake at 150 ms) and waits until some are checked; resolves to the progress text.
 */
async function startLongLoad(page, fake, count, firstId) {
  fake.workflowProjects('eu01', euProjectsHoldingKey(count, firstId));
  fake.setLatency(150);
  await load(page, 'eu01');
  return waitForProjectsChecked(page);
}

/** Waits until the page shows at least one of a load's projects checked; resolves to the progress text. */
const waitForProjectsChecked = (page) => waitFor(page, () => {
  const text = document.getElementById('bulk-projects-progress').textContent;
  return !document.getElementById('bulk-projects-loading').hidden && /Projects: [1-9]\d* of \d+ checked/.test(text) ? text : null;
}, [], { timeout: 20_000, what: 'progress' });

/** 12 US projects: 1-9 hold td.apikey except 4 and 8; 10 holds none; 6 answers 403 on its secrets; 12 answers 404. */
const US_PROJECTS = [
  ...Array.from({ length: 12 }, (_, i) => ({ id: 501 + i, name: `us_project_${i + 1}`, secrets: [4, 8, 10].includes(i + 1) ? ['s3.secret'] : ['td.apikey'] })),
].map((project) => (project.id === 506 ? { ...project, faults: { secrets: 403 } } : project.id === 512 ? { ...project, faults: { secrets: 404 } } : project));

export const workflowCases = {
  async 'Load lists the data models and, beside them, the workflow projects holding td.apikey, four at a time, and filters by kind'({ browser, fake }) {
    fake.workflowProjects('us', US_PROJECTS);
    fake.workflowPageSize(5); // three pages and the empty one
    fake.setLatency(80); // so the four-at-a-time limit is reached
    const page = await openBulk(browser);
    await load(page, 'us');
    const models = await resultIn(page, 'bulk-load-result');
    assert.equal(models.kind, 'ok', models.text);
    const projects = await resultIn(page, 'bulk-projects-result', 20_000);
    assert.equal(projects.kind, 'ok', projects.text);
    assert.match(projects.text, /Workflow projects holding td\.apikey: 7 of 12 \(US\)/);
    assert.match(projects.text, /Projects holding no td\.apikey: 3\. They run with the permission of whoever pushed them, so there is nothing to replace/);
    assert.match(projects.text, /Skipped \(secrets could not be read, never changed\): 2\./);
    assert.match(projects.text, /us_project_6 \(project 506\): .*no permission on workflow project 506 .*\(403\), so it was skipped/);
    assert.match(projects.text, /us_project_12 \(project 512\): There is no workflow project 512/);

    const host = WORKFLOW_HOSTS.us;
    const sent = workflowRequests(fake, host);
    assert.deepEqual(sent.filter((r) => r.path.startsWith('/api/projects?') || r.path === '/api/projects').map((r) => r.path),
      ['/api/projects', '/api/projects?last_id=505', '/api/projects?last_id=510', '/api/projects?last_id=512']);
    assert.deepEqual(sent.filter((r) => r.path.endsWith('/secrets')).map((r) => r.path).sort(),
      US_PROJECTS.map((p) => `/api/projects/${p.id}/secrets`).sort(), 'each project asked once');
    assert.ok(sent.every((r) => r.method === 'GET' && r.headers.authorization === `TD1 ${TREASURE.masterKey}`));
    // Four in flight, pages and secret names together (the listed projects are asked about
    // while the later pages load): with every answer held back 80 ms, a request occupies its
    // worker for at least that long, so the most requests that arrived within 78 ms of one
    // another is the number of workers (the fake's own count can lag the socket by a request).
    const arrivals = sent.map((r) => r.at);
    const overlap = Math.max(...arrivals.map((t) => arrivals.filter((u) => u <= t && t < u + 78).length));
    assert.equal(overlap, 4, 'four in flight on the workflow host');
    const lastPageAt = sent.filter((r) => r.path.startsWith('/api/projects?')).at(-1).at;
    assert.ok(sent.some((r) => r.path.endsWith('/secrets') && r.at < lastPageAt), 'secret names asked before the last page');
    assert.deepEqual(fake.workflowPuts, [], 'loading changes nothing');
    for (const other of [WORKFLOW_HOSTS.eu01, WORKFLOW_HOSTS.ap02, WORKFLOW_HOSTS.tokyo]) {
      assert.equal(workflowRequests(fake, other).length, 0, `nothing went to ${other}`);
    }

    await page.select('#bulk-kind', 'workflow_project');
    const shown = await shownRows(page);
    assert.deepEqual(shown.map((row) => row.key), ['wf:us:501', 'wf:us:502', 'wf:us:503', 'wf:us:505', 'wf:us:507', 'wf:us:509', 'wf:us:511']);
    assert.deepEqual(shown[0], {
      key: 'wf:us:501', kind: 'workflow_project', kindText: 'Workflow project', name: 'us_project_1', id: '501',
      status: 'Ready: holds td.apikey', link: 'https://console.treasuredata.com/app/workflows/projects/501',
    });
    await page.select('#bulk-kind', 'data_model');
    const models2 = await shownRows(page);
    assert.ok(models2.length > 0 && models2.every((row) => row.kind === 'data_model' && row.kindText === 'Data model'), JSON.stringify(models2.slice(0, 2)));
    await page.select('#bulk-kind', '');
    await page.fill('#bulk-filter', 'us_project_3');
    assert.deepEqual((await shownRows(page)).map((row) => row.key), ['wf:us:503'], 'the text filter reads project names');
    const count = await page.eval(() => document.getElementById('bulk-count').textContent);
    assert.match(count, /^Showing 1 of \d+ rows · 0 selected to send$/, count);
  },

  async 'a refused key stops the project load with its message, and nothing more is asked'({ browser, fake }) {
    fake.workflowListFault('us', 401);
    const page = await openBulk(browser);
    await load(page, 'us');
    assert.equal((await resultIn(page, 'bulk-load-result')).kind, 'ok', 'the data models loaded');
    const refused = await resultIn(page, 'bulk-projects-result');
    assert.deepEqual([refused.kind, refused.code], ['error', 'UNAUTHORIZED']);
    assert.match(refused.text, /Treasure Workflow refused the API key \(401\)/);
    assert.deepEqual(workflowRequests(fake, WORKFLOW_HOSTS.us).map((r) => r.path), ['/api/projects']);
    await page.select('#bulk-kind', 'workflow_project');
    assert.deepEqual(await shownRows(page), []);

    // A 401 on one project's secrets stops the load too: no project row at all.
    fake.reset();
    fake.workflowProjects('us', Array.from({ length: 12 }, (_, i) => ({ id: 1 + i, name: `p${i + 1}`, secrets: ['td.apikey'], ...(i === 0 ? { faults: { secrets: 401 } } : {}) })));
    await load(page, 'us');
    const stopped = await waitFor(page, () => {
      const box = document.getElementById('bulk-projects-result');
      return !box.hidden && box.dataset.code === 'UNAUTHORIZED' ? box.textContent : null;
    }, [], { what: 'a refused key' });
    assert.match(stopped, /refused the API key \(401\)/);
    assert.ok(workflowRequests(fake, WORKFLOW_HOSTS.us).filter((r) => r.path.endsWith('/secrets')).length < 12, 'the load stopped early');
    assert.deepEqual(await shownRows(page), []);
  },

  async 'Stop ends a long project load and keeps what was read'({ browser, fake }) {
    const page = await openBulk(browser);
    const progress = await startLongLoad(page, fake, 60, 1000);
    assert.match(progress, /^Projects: \d+ of 60 checked( \(more still being listed…\))?$/);
    await page.click('#bulk-projects-stop');
    const stopped = await resultIn(page, 'bulk-projects-result', 20_000);
    assert.equal(stopped.code, 'STOPPED');
    const match = /Workflow projects holding td\.apikey: (\d+) of 60 \(EU01\)/.exec(stopped.text);
    assert.ok(match && Number(match[1]) > 0 && Number(match[1]) < 60, stopped.text);
    const checked = Number(match[1]);
    assert.match(stopped.text, new RegExp(`Loading stopped: ${60 - checked} projects were not checked`));
    assert.equal(workflowRequests(fake, WORKFLOW_HOSTS.eu01).filter((r) => r.path.endsWith('/secrets')).length, checked, 'no project asked after Stop');
    await page.select('#bulk-kind', 'workflow_project');
    const count = await page.eval(() => document.getElementById('bulk-count').textContent);
    assert.match(count, new RegExp(`^Showing ${checked} of \\d+ rows`), count);
  },

  async 'a stopped load changes only the projects it read: the earlier load\'s rows it never reached stay'({ browser, fake }) {
    const page = await openFreshBulk(browser);
    fake.workflowProjects('eu01', euProjectsHoldingKey(60, 7000));
    await load(page, 'eu01');
    assert.match((await resultIn(page, 'bulk-projects-result', 20_000)).text, /Workflow projects holding td\.apikey: 60 of 60 \(EU01\)/);
    // Since then the first project lost its td.apikey; the same load again, stopped early.
    fake.workflowProjects('eu01', euProjectsHoldingKey(60, 7000).map((project) => (project.id === 7000 ? { ...project, secrets: ['s3.secret'] } : project)));
    fake.setLatency(150);
    await page.click('#bulk-load');
    await waitForProjectsChecked(page);
    await page.click('#bulk-projects-stop');
    const stopped = await resultIn(page, 'bulk-projects-result', 20_000);
    assert.equal(stopped.code, 'STOPPED');
    const checked = workflowRequests(fake, WORKFLOW_HOSTS.eu01).filter((r) => r.path.endsWith('/secrets')).length - 60;
    assert.ok(checked > 0 && checked < 60, `${checked} checked again`);
    assert.equal(workflowRequests(fake, WORKFLOW_HOSTS.eu01).filter((r) => r.path === '/api/projects/7000/secrets').length, 2, 'the first project was read again');
    assert.match(stopped.text, new RegExp(`Workflow projects holding td\\.apikey: ${checked - 1} of 60 \\(EU01\\)`));
    assert.match(stopped.text, new RegExp(`Loading stopped: ${60 - checked} projects were not checked\\. ${60 - checked} rows from this region's earlier load that this one did not check again stay in the table, as that load found them\\.`));
    await page.select('#bulk-kind', 'workflow_project');
    assert.match(await page.eval(() => document.getElementById('bulk-count').textContent), /^Showing 59 of/, 'every earlier row stays but the one found holding no td.apikey');
    assert.equal(await page.eval(() => document.querySelector('#bulk-table tr[data-key="wf:eu01:7000"]')), null, 'a project found holding no td.apikey leaves the table');
    assert.equal(fake.workflowPuts.length, 0, 'loading changes nothing');
    await page.close();
  },

  async 'the background loads the projects: stopped by the browser in the middle, the page says so and a new load works'({ browser, fake }) {
    const page = await openFreshBulk(browser);
    // 200 projects at 150 ms: about 7 s of load, so the stop comes well before its end.
    await startLongLoad(page, fake, 200, 2000);
    await browser.stopBackground();
    const cut = await resultIn(page, 'bulk-projects-result', 20_000);
    assert.deepEqual([cut.kind, cut.code], ['error', 'LOAD_INTERRUPTED']);
    assert.match(cut.text, /The browser stopped Keyturn's background while the workflow projects were loading, so the load ended unfinished\. Nothing was changed: press “Load the region's data models” again\./);
    assert.equal(await page.eval(() => document.getElementById('bulk-projects-loading').hidden), true, 'no progress left showing');
    await page.select('#bulk-kind', 'workflow_project');
    assert.match(await page.eval(() => document.getElementById('bulk-count').textContent), /^Showing 0 of/, 'an unfinished load adds no row');
    fake.setLatency(0);
    await page.click('#bulk-load');
    // The earlier result stays until this load hides it: wait for the new one's words.
    await waitFor(page, () => /Workflow projects holding td\.apikey: 200 of 200 \(EU01\)/.test(document.getElementById('bulk-projects-result').textContent), [], { timeout: 20_000, what: 'the new load' });
    assert.match(await page.eval(() => document.getElementById('bulk-count').textContent), /^Showing 200 of/);
    assert.equal(fake.workflowPuts.length, 0, 'loading changes nothing');
    await page.close();
  },

  async 'a project load whose answers come slower than the background\'s idle limit is kept alive by the page until it ends'({ browser: suiteBrowser, fake }) {
    // Firefox stops an idle event page after extensions.background.idle.timeout (30 s; 2 s
    // here, in a browser of its own): with answers 2.5 s apart nothing else reaches the
    // background, so only the page's pings keep the load going. Chromium's limit (30 s)
    // cannot be shortened: there the same slow load runs in the suite's browser.
    const browser = suiteBrowser.name === 'firefox'
      ? await launchFirefox({ extensionDir: extensionDirOf('firefox'), prefs: { 'extensions.background.idle.timeout': 2000 } })
      : suiteBrowser;
    try {
      fake.workflowProjects('eu01', euProjectsHoldingKey(8, 5000));
      fake.setLatency(2500);
      const page = await openBulk(browser);
      await load(page, 'eu01');
      const loaded = await resultIn(page, 'bulk-projects-result', 60_000);
      assert.deepEqual([loaded.kind, loaded.code], ['ok', 'OK'], loaded.text);
      assert.match(loaded.text, /Workflow projects holding td\.apikey: 8 of 8 \(EU01\)/);
      assert.equal(workflowRequests(fake, WORKFLOW_HOSTS.eu01).filter((r) => r.path.endsWith('/secrets')).length, 8);
      await page.close();
    } finally {
      if (browser !== suiteBrowser) await browser.close();
    }
  },

  async 'closing the page stops the project load it started'({ browser, fake }) {
    const page = await openBulk(browser);
    await startLongLoad(page, fake, 60, 3000);
    await page.close();
    const secretsAsked = () => workflowRequests(fake, WORKFLOW_HOSTS.eu01).filter((r) => r.path.endsWith('/secrets')).length;
    await sleep(500); // the requests already on their way arrive
    const asked = secretsAsked();
    await sleep(1500); // ten rounds of four at 150 ms, had the load gone on
    assert.equal(secretsAsked(), asked, 'nothing more is asked once the page is gone');
    assert.ok(asked < 60, `the load stopped early: ${asked} of 60 asked`);
  },
};

Object.assign(workflowCases, {
  async 'ticked data models and projects are replaced in one run: the key goes only to the ticked projects, on their workflow host'({ browser, fake, screenshot }) {
    const page = await openFreshBulk(browser);
    await load(page, 'us');
    assert.match((await resultIn(page, 'bulk-projects-result')).text, /holding td\.apikey: 2 of 3 \(US\)/);
    await page.select('#bulk-kind', 'workflow_project');
    assert.deepEqual((await shownRows(page)).map((row) => row.key), ['wf:us:101', 'wf:us:103'], 'us_reports holds no td.apikey: no row');
    await tick(page, 'wf:us:101');
    await tick(page, 'wf:us:103');
    await page.select('#bulk-kind', 'data_model');
    const [sales] = DATA_MODELS['api.treasuredata.com'];
    await tick(page, `us:${sales.oid}`);
    await page.select('#bulk-kind', '');
    await sendable(page, 3);
    fake.reset();
    await page.fill('#bulk-key', TREASURE.nextMasterKey);
    await page.click('#bulk-start');
    await finished(page);
    const puts = fake.workflowPuts.map(({ host, projectId, secret, value, contentType }) => ({ host, projectId, secret, value, contentType }))
      .sort((a, b) => a.projectId.localeCompare(b.projectId));
    const put = (projectId) => ({ host: WORKFLOW_HOSTS.us, projectId, secret: 'td.apikey', value: TREASURE.nextMasterKey, contentType: 'application/json' });
    assert.deepEqual(puts, [put('101'), put('103')], 'exactly the ticked projects, never one without td.apikey');
    const sent = fake.requests.map((r) => [r.method, r.host, r.path, r.headers.authorization]);
    const byPath = (a, b) => a[2].localeCompare(b[2]);
    assert.deepEqual(sent.sort(byPath), [
      ['PUT', WORKFLOW_HOSTS.us, '/api/projects/101/secrets/td.apikey', `TD1 ${TREASURE.nextMasterKey}`],
      ['PUT', WORKFLOW_HOSTS.us, '/api/projects/103/secrets/td.apikey', `TD1 ${TREASURE.nextMasterKey}`],
      ['PUT', 'api.treasuredata.com', `/reporting/datamodels/${sales.oid}`, `TD1 ${TREASURE.nextMasterKey}`],
    ]);
    assert.deepEqual(fake.strays, []);
    await page.select('#bulk-kind', 'workflow_project');
    const rows = await page.eval(() => [...document.querySelectorAll('#bulk-table tbody tr:not(.spacer)')].map((tr) => [tr.dataset.key, tr.dataset.state, tr.cells[8].textContent]));
    assert.deepEqual(rows, [['wf:us:101', 'done', 'td.apikey set: "us_etl"'], ['wf:us:103', 'done', 'td.apikey set: "us_sync"']]);
    const counts = await page.eval(() => document.getElementById('bulk-counts').textContent);
    assert.match(counts, /Done 3/);

    // Check runs: each replaced project's sessions since its td.apikey was set.
    const session = (at, success) => ({ id: 1, sessionTime: new Date(at).toISOString(), workflow: { name: 'daily', id: 7 },
      lastAttempt: { id: 9, done: true, success, cancelRequested: false, createdAt: new Date(at).toISOString(), finishedAt: new Date(at + 1000).toISOString(), status: success ? 'success' : 'error' } });
    const setAt = Math.max(...fake.workflowPuts.map((p) => p.at));
    fake.workflowProjects('us', [
      { id: 101, name: 'us_etl', secrets: ['td.apikey'], sessions: [session(setAt + 60_000, true), session(setAt - 86_400_000, false)] },
      { id: 103, name: 'us_sync', secrets: ['td.apikey'], sessions: [session(setAt + 60_000, false)] },
    ]);
    await page.click('#bulk-check-builds');
    const verdicts = await waitFor(page, () => {
      const cells = [...document.querySelectorAll('#bulk-table tbody tr:not(.spacer)')].map((tr) => [tr.dataset.key, tr.cells[9].dataset.verdict, tr.cells[9].textContent, tr.cells[9].title]);
      return cells.every((cell) => cell[1]) ? cells : null;
    }, [], { what: 'runs verdicts' });
    assert.deepEqual(verdicts.map((v) => v.slice(0, 3)), [
      ['wf:us:101', 'succeeded_since', 'Ran successfully since · Console · Check runs'],
      ['wf:us:103', 'failed_since', 'A run failed since · Console · Check runs'],
    ]);
    assert.match(verdicts[0][3], /proves the project runs, not that every one of its tasks used td\.apikey/);
    await page.select('#bulk-kind', '');
    await screenshot?.(page, 'bulk-workflow-after-run.png', { width: 1240 });
    assert.deepEqual(fake.requests.filter((r) => r.path.endsWith('/sessions')).map((r) => [r.method, r.host, r.path]).sort(byPath), [
      ['GET', WORKFLOW_HOSTS.us, '/api/projects/101/sessions'], ['GET', WORKFLOW_HOSTS.us, '/api/projects/103/sessions'],
    ]);
    assert.equal(fake.workflowPuts.length, 2, 'checking runs sets nothing');

    const csv = await exportedCsv(page);
    const lines = csv.trim().split('\r\n');
    assert.equal(lines[0], 'oid,region,name,outcome,build,kind,project id,runs');
    assert.ok(lines.includes(csvLine('', 'US', 'us_etl', 'replaced', '', 'workflow_project', '101', 'succeeded_since')), csv);
    assert.ok(lines.includes(csvLine('', 'US', 'us_sync', 'replaced', '', 'workflow_project', '103', 'failed_since')), csv);
    assert.ok(lines.includes(csvLine(sales.oid, 'US', sales.name, 'replaced', 'not_built_since', 'data_model', '', '')), csv);
    assert.ok(!csv.includes(TREASURE.nextMasterKey.split('/')[1]), 'never the key');

    const history = await waitFor(page, async () => {
      const { history: entries = [] } = await chrome.storage.local.get('history');
      return entries.filter((entry) => entry.projectId).length === 2 ? entries : null;
    }, [], { what: 'the history of the run' });
    const projects = history.filter((entry) => entry.projectId).map(({ kind, projectId, name, target, outcome, fingerprint, region }) => ({ kind, projectId, name, target, outcome, fingerprint, region }))
      .sort((a, b) => a.projectId.localeCompare(b.projectId));
    const last4 = TREASURE.nextMasterKey.slice(-4);
    assert.deepEqual(projects, [
      { kind: 'workflow_project', projectId: '101', name: 'us_etl', target: 'workflow project 101 (us_etl)', outcome: 'success', fingerprint: `…${last4}`, region: 'us' },
      { kind: 'workflow_project', projectId: '103', name: 'us_sync', target: 'workflow project 103 (us_sync)', outcome: 'success', fingerprint: `…${last4}`, region: 'us' },
    ]);
  },

  async 'a project refused (403) fails its row only and Retry sends it again; a refused key (401) stops the run'({ browser, fake }) {
    fake.workflowProjects('eu01', [
      { id: 201, name: 'eu_locked', secrets: ['td.apikey'], faults: { put: 403 } },
      { id: 202, name: 'eu_etl', secrets: ['td.apikey'] },
    ]);
    const page = await openFreshBulk(browser);
    await load(page, 'eu01');
    await resultIn(page, 'bulk-projects-result');
    await page.select('#bulk-kind', 'workflow_project');
    await tick(page, 'wf:eu01:201');
    await tick(page, 'wf:eu01:202');
    await sendable(page, 2);
    await page.click('#bulk-start');
    await finished(page);
    const states = () => page.eval(() => [...document.querySelectorAll('#bulk-table tbody tr:not(.spacer)')].map((tr) => [tr.dataset.key, tr.dataset.state, tr.cells[8].textContent]));
    const [locked, fine] = await states();
    assert.deepEqual([locked[0], locked[1], fine[1]], ['wf:eu01:201', 'failed', 'done']);
    assert.match(locked[2], /^WORKFLOW_PROJECT_FORBIDDEN: This key's user has no permission on workflow project 201 in the EU01 region \(403\)/);
    assert.equal(await page.eval(() => document.getElementById('bulk-stopped').hidden), true, 'one project refused does not stop the run');
    assert.deepEqual(fake.workflowPuts.map((p) => p.projectId).sort(), ['201', '202']);
    await page.click('#bulk-retry');
    for (let i = 0; fake.workflowPuts.length < 3 && i < 200; i++) await sleep(50);
    await waitFor(page, () => document.getElementById('bulk-run').dataset.running === 'false'
      && document.querySelector('#bulk-table tr[data-key="wf:eu01:201"]')?.dataset.state === 'failed', [], { what: 'retry finished' });
    assert.deepEqual(fake.workflowPuts.map((p) => p.projectId).sort(), ['201', '201', '202'], 'Retry failed sends only the failed project');

    // A 401 on a project's PUT stops the whole run.
    fake.reset();
    fake.workflowProjects('eu01', Array.from({ length: 12 }, (_, i) => ({ id: 201 + i, name: `eu_${i}`, secrets: ['td.apikey'], ...(i === 0 ? { faults: { put: 401 } } : {}) })));
    await load(page, 'eu01', TREASURE.masterKey);
    await waitFor(page, () => /12 of 12/.test(document.getElementById('bulk-projects-result').textContent), [], { what: 'projects loaded' });
    await page.select('#bulk-kind', 'workflow_project');
    await page.click('#bulk-select-shown');
    await sendable(page, 12);
    fake.setLatency(100);
    await page.click('#bulk-start');
    // The earlier run's "Finished" is still shown until this one starts: wait for its stop.
    const stopped = await waitFor(page, () => {
      const box = document.getElementById('bulk-stopped');
      return !box.hidden && box.textContent ? box.textContent : null;
    }, [], { what: 'the run stopped' });
    await finished(page);
    assert.match(stopped, /Stopped: the key itself was refused\. Treasure Workflow refused the API key \(401\)/);
    assert.ok(fake.workflowPuts.length < 12, `the run stopped early (${fake.workflowPuts.length} PUTs)`);
  },

  async 'a run of projects resumes when the browser stops the background, and every project gets the key'({ browser, fake }) {
    const projects = Array.from({ length: 40 }, (_, i) => ({ id: 601 + i, name: `tk_${i}`, secrets: ['td.apikey'] }));
    fake.workflowProjects('tokyo', projects);
    const page = await openFreshBulk(browser);
    await load(page, 'tokyo');
    await waitFor(page, () => /40 of 40/.test(document.getElementById('bulk-projects-result').textContent), [], { what: 'projects loaded' });
    await page.select('#bulk-kind', 'workflow_project');
    await page.click('#bulk-select-shown');
    await sendable(page, 40);
    fake.setLatency(200);
    await page.click('#bulk-start');
    await waitFor(page, () => {
      const match = /Done (\d+)/.exec(document.getElementById('bulk-counts').textContent);
      return match && Number(match[1]) >= 8;
    }, [], { what: '8 projects done' });
    await browser.stopBackground();
    await waitFor(page, () => document.getElementById('bulk-run').dataset.running === 'false'
      && /Done 40/.test(document.getElementById('bulk-counts').textContent), [], { timeout: 60_000, what: 'run finished after resuming' });
    assert.match(await page.eval(() => document.getElementById('bulk-job-status').textContent), /Resumed after the browser stopped Keyturn's background/);
    // Rows in flight when the worker stopped are sent again: the same td.apikey value, harmless.
    const puts = fake.workflowPuts;
    assert.deepEqual([...new Set(puts.map((p) => p.projectId))].sort(), projects.map((p) => String(p.id)).sort(), 'every project got the key');
    assert.ok(puts.every((p) => p.host === WORKFLOW_HOSTS.tokyo && p.secret === 'td.apikey' && p.value === TREASURE.masterKey));
    const times = new Map();
    for (const p of puts) times.set(p.projectId, (times.get(p.projectId) ?? 0) + 1);
    assert.ok([...times.values()].every((n) => n >= 1 && n <= 2), `each project sent once, or twice when in flight at the stop: ${JSON.stringify([...times])}`);
    assert.match(await page.eval(() => document.getElementById('bulk-counts').textContent), /Done 40 · Failed 0 · Remaining 0/);
  },
});

/** With `workflowProjects: false` by policy: Load lists data models only and nothing reaches a workflow host. */
export const workflowOffCases = {
  async 'switched off by policy: the page says so and no request goes to a workflow host'({ browser, fake }) {
    const page = await openBulk(browser);
    await load(page, 'us');
    assert.equal((await resultIn(page, 'bulk-load-result')).kind, 'ok');
    const off = await resultIn(page, 'bulk-projects-result');
    assert.equal(off.code, 'WORKFLOW_PROJECTS_DISABLED');
    assert.match(off.text, /Your administrator switched Treasure Workflow projects off: only data models are loaded and replaced/);
    const hosts = Object.values(WORKFLOW_HOSTS);
    assert.deepEqual(fake.requests.filter((r) => hosts.includes(r.host)), []);
    await page.select('#bulk-kind', 'workflow_project');
    assert.deepEqual(await shownRows(page), []);
  },
};
