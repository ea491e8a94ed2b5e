// End-to-end cases for the bulk page: one table of pasted, collected and loaded data
// models with a verdict each; loading the account's list (never ticked by itself),
// filtering and selecting; and the run: bounded concurrency per API host, progress, early
// stop on a refused key, retry of the failed rows, CSV export, and a run that outlives the
// page that started it. The table is virtual (a screenful in the DOM), so the cases read the
// run from its state and bring rows into view with the filter.
import { assert, openWebTab, resultIn, sleep, waitFor } from './harness.mjs';
import { exportedCsv, finished, openBulk, openFreshBulk } from './bulk-page.mjs';
import { CONSOLE_URL, DATA_MODELS, FAULTS, TREASURE, generatedName, generatedOid } from './scenarios.mjs';

const US = 'api.treasuredata.com';
const EU = 'api.eu01.treasuredata.com';

/** 17 US and 8 EU data models: 21 that exist (one slow), two 404s and two 500s. */
const US_OIDS = [...Array.from({ length: 14 }, (_, i) => generatedOid(i + 1)), FAULTS.missing, FAULTS.serverError, FAULTS.slowButFine];
const EU_OIDS = [...Array.from({ length: 6 }, (_, i) => generatedOid(101 + i)), FAULTS.missing, FAULTS.serverError];
const FAILING = [[US, FAULTS.missing], [US, FAULTS.serverError], [EU, FAULTS.missing], [EU, FAULTS.serverError]];

function mixedLines() {
  return [
    ...US_OIDS.map((oid) => CONSOLE_URL('console.treasuredata.com', oid)),
    ...EU_OIDS.slice(0, 4).map((oid) => CONSOLE_URL('console.eu01.treasuredata.com', oid)),
    ...EU_OIDS.slice(4), // bare OIDs take the chosen region (EU01)
    `${CONSOLE_URL('console.treasuredata.com', US_OIDS[0])}/`, // duplicates
    CONSOLE_URL('console.eu01.treasuredata.com', EU_OIDS[5]),
    US_OIDS[0].toUpperCase().replace(/^/, 'https://console.treasuredata.com/app/admin/datamodels/'),
    'not a data model', // invalid lines
    CONSOLE_URL('console.treasuredata.com.evil.example', US_OIDS[1]),
  ].join('\n');
}


/** The bulk job's journal in storage.session: its meta and its rows, in order. */
function journal(page) {
  return page.eval(async () => {
    const items = await chrome.storage.session.get(null);
    const meta = items.bulkJob ?? null;
    const rows = Array.from({ length: meta?.total ?? 0 }, (_, index) => items[`bulkJobRow:${index}`]);
    return { meta, rows, key: items.bulkJobKey ?? null };
  });
}

/** Pastes `lines` (bare OIDs taking `region`) and waits until the table has `sendable` ticked, ready rows. */
async function paste(page, lines, { region = '', sendable }) {
  await page.eval(() => { document.getElementById('bulk-paste').open = true; });
  await page.select('#bulk-region', region);
  await page.fill('#bulk-lines', lines);
  await waitFor(page, (n) => document.getElementById('bulk-count').dataset.sendable === String(n), [sendable], { what: `${sendable} rows to send` });
}

/** Starts a run of mixedLines(), bare OIDs taking EU01, with `key`. */
async function startMixedRun(page, key) {
  await paste(page, mixedLines(), { region: 'eu01', sendable: 25 });
  await page.fill('#bulk-key', key);
  await page.click('#bulk-start');
}

/** The rows the filter shows now (those in the rendered window): {key, verdict, state, text}. */
function shownRows(page) {
  return page.eval(() => [...document.querySelectorAll('#bulk-table tbody tr:not(.spacer)')].map((tr) => ({
    key: tr.dataset.key, oid: tr.dataset.oid, verdict: tr.dataset.verdict, state: tr.dataset.state, ticked: tr.querySelector('input').checked, text: tr.cells[8].textContent,
  })));
}

async function filterBy(page, text) {
  await page.fill('#bulk-filter', text);
  return shownRows(page);
}

/** A data row as the CSV writer writes it: every field quoted. */
const csvLine = (...fields) => fields.map((field) => `"${field}"`).join(',');


function runState(page) {
  return page.eval(async () => ({
    counts: document.getElementById('bulk-counts').textContent,
    running: document.getElementById('bulk-run').dataset.running === 'true',
    rows: await (async () => {
      const items = await chrome.storage.session.get(null);
      return Array.from({ length: items.bulkJob?.total ?? 0 }, (_, index) => items[`bulkJobRow:${index}`]);
    })(),
    stopped: document.getElementById('bulk-stopped').hidden ? null : document.getElementById('bulk-stopped').textContent,
  }));
}


/** The journal's meta and rows hold no key, and the job's key is gone once it has ended. */
const sessionHasNoKey = async (page) => {
  const { meta, rows, key } = await journal(page);
  assert.ok(!JSON.stringify({ meta, rows }).includes(TREASURE.masterKey.split('/')[1]), 'the run state holds no key');
  assert.equal(key, null, 'the key of an ended job is removed from storage.session');
};

/**
 * Records every value the run section's data-job attribute takes from now on (a
 * MutationObserver in the page), so a short-lived "interrupted" cannot pass unseen.
 */
const watchJobStates = (page) => page.eval(() => {
  const run = document.getElementById('bulk-run');
  window.jobStatesSeen = [run.dataset.job];
  new MutationObserver(() => window.jobStatesSeen.push(run.dataset.job)).observe(run, { attributes: true, attributeFilter: ['data-job'] });
});

/** Starts a run of `count` generated US data models (answers slowed to `latency` ms) and waits until `before` are done. */
async function startSlowRun(page, fake, { count, latency, before, first = 300 }) {
  const oids = Array.from({ length: count }, (_, i) => generatedOid(first + i));
  await paste(page, oids.map((oid) => CONSOLE_URL('console.treasuredata.com', oid)).join('\n'), { sendable: count });
  fake.setLatency(latency);
  await page.fill('#bulk-key', TREASURE.masterKey);
  await page.click('#bulk-start');
  await waitFor(page, (n) => {
    const match = /Done (\d+)/.exec(document.getElementById('bulk-counts').textContent);
    return match && Number(match[1]) >= n;
  }, [before], { what: `${before} rows done` });
  return oids;
}

/**
 * After a run interrupted by a stopped background: every row was sent at least once and
 * at most twice, every one is replaced (none failed by the stop), and the CSV and the
 * history say the same as the fake received.
 */
async function assertResumedRunComplete(page, fake, oids) {
  const sent = new Map();
  for (const request of fake.requests.filter((r) => r.method === 'PUT')) sent.set(request.path, (sent.get(request.path) ?? 0) + 1);
  for (const oid of oids) {
    const times = sent.get(`/reporting/datamodels/${oid}`) ?? 0;
    assert.ok(times >= 1 && times <= 2, `${oid} was sent ${times} times`);
  }
  assert.equal(sent.size, oids.length, 'nothing else was sent');
  const { meta, rows } = await journal(page);
  assert.equal(meta.status, 'finished');
  assert.ok(meta.interruptions >= 1, 'the job knows it was interrupted');
  assert.deepEqual(rows.map((row) => row.state), oids.map(() => 'done'), 'no row failed because of the stop');
  assert.match(await page.eval(() => document.getElementById('bulk-counts').textContent), new RegExp(`Done ${oids.length} · Failed 0 · Remaining 0`));
  const csv = (await exportedCsv(page)).trim().split('\r\n').slice(1);
  assert.equal(csv.length, oids.length);
  assert.ok(csv.every((line) => line.includes(',"replaced",')), csv.find((line) => !line.includes(',"replaced",')));
  const history = await page.eval(async () => (await chrome.storage.local.get('history')).history ?? []);
  for (const oid of oids) {
    assert.equal(history.filter((entry) => entry.target.startsWith(oid)).map((entry) => entry.outcome).join(), 'success', `the history records ${oid} once, replaced`);
  }
  await sessionHasNoKey(page);
}

export const bulkCases = {
  async 'replaces 25 data models in two regions, at most 4 in flight per host, and survives the page closing'({ browser, fake }) {
    let page = await openFreshBulk(browser);
    await paste(page, mixedLines(), { region: 'eu01', sendable: 25 });
    // Every line has its verdict before anything is sent: 25 ready, 3 duplicates, 2 invalid.
    assert.match(await page.eval(() => document.getElementById('bulk-count').textContent), /Showing 30 of 30 rows · 25 selected to send/);
    const duplicates = (await filterBy(page, US_OIDS[0].slice(-12))).filter((row) => row.verdict === 'duplicate');
    assert.equal(duplicates.length, 2);
    assert.ok(duplicates.every((row) => !row.ticked && /Duplicate/.test(row.text)));
    const [notAnOid] = await filterBy(page, 'not a data model');
    assert.deepEqual([notAnOid.key, notAnOid.verdict], ['line:29', 'invalid']);
    assert.match(notAnOid.text, /^INVALID_OID: .*not a data model OID/);
    const [evil] = await filterBy(page, 'evil.example');
    assert.match(evil.text, /not a Treasure Console address/);
    await filterBy(page, '');
    await page.fill('#bulk-key', TREASURE.masterKey);
    assert.equal(fake.requests.length, 0, 'nothing is sent before "Replace"');
    await page.click('#bulk-start');
    const started = await waitFor(page, () => document.getElementById('bulk-result').textContent || null);
    assert.match(started, /Data models to replace: 25\./);

    // Close the page mid-run (the slow data model keeps the run going) and reopen it.
    await waitFor(page, () => document.getElementById('bulk-run').dataset.running === 'true', [], { what: 'run going' });
    await page.close();
    page = await openBulk(browser);
    const live = await runState(page);
    assert.equal(live.running, true, 'the reopened page shows the live run');
    assert.equal(live.rows.length, 25);
    assert.match(await page.eval(() => document.getElementById('bulk-count').textContent), /of 25 rows/, 'the reopened table lists the run\'s rows');
    // Pasting a data model the reopened table already lists from the run ticks it, as any paste does.
    await paste(page, CONSOLE_URL('console.treasuredata.com', US_OIDS[5]), { sendable: 1 });
    await page.fill('#bulk-lines', '');
    await finished(page);

    const state = await runState(page);
    assert.match(state.counts, /Done 21 · Failed 4 · Remaining 0/);
    assert.equal(await page.eval(() => document.getElementById('bulk-progress').value), 25);
    for (const oid of US_OIDS.slice(0, 14)) {
      const row = state.rows.find((candidate) => candidate.oid === oid);
      assert.deepEqual([row.state, row.name], ['done', generatedName(oid)]);
    }
    assert.deepEqual(state.rows.filter((row) => row.oid === FAULTS.missing).map((row) => row.code), ['NOT_FOUND', 'NOT_FOUND']);
    // The same rows show the results.
    const [shown] = await filterBy(page, US_OIDS[3]);
    assert.deepEqual([shown.state, shown.text], ['done', `Replaced: "${generatedName(US_OIDS[3])}" (elasticube)`]);
    assert.match((await filterBy(page, FAULTS.serverError))[0].text, /^SERVER_ERROR/);
    await filterBy(page, '');

    // Exactly one PUT per unique data model, with the key, and bounded concurrency.
    const sent = fake.requests.map((r) => `${r.host} ${r.path}`).sort();
    const expected = [...US_OIDS.map((oid) => `${US} /reporting/datamodels/${oid}`), ...EU_OIDS.map((oid) => `${EU} /reporting/datamodels/${oid}`)].sort();
    assert.deepEqual(sent, expected);
    for (const request of fake.requests) {
      assert.equal(request.method, 'PUT');
      assert.equal(request.headers.authorization, `TD1 ${TREASURE.masterKey}`);
      assert.deepEqual(JSON.parse(request.body), { datamodel: { apikey: TREASURE.masterKey } });
    }
    assert.ok(fake.maxInFlight[US] <= 4 && fake.maxInFlight[EU] <= 4, JSON.stringify(fake.maxInFlight));
    assert.ok(fake.maxInFlight[US] >= 2, `requests overlap: ${JSON.stringify(fake.maxInFlight)}`);
    await sessionHasNoKey(page);

    // Retry failed re-sends only the four failed rows (the reopened page needs the key again).
    fake.reset();
    await page.fill('#bulk-key', TREASURE.masterKey);
    await page.click('#bulk-retry');
    for (let waited = 0; fake.requests.length < FAILING.length && waited < 10_000; waited += 50) await sleep(50);
    await finished(page);
    await sleep(300); // nothing more may arrive
    assert.deepEqual(fake.requests.map((r) => `${r.host} ${r.path}`).sort(), FAILING.map(([host, oid]) => `${host} /reporting/datamodels/${oid}`).sort());
    assert.match((await runState(page)).counts, /Done 21 · Failed 4/);

    // The CSV summary: one line per data model, never the key.
    const csv = await exportedCsv(page);
    const lines = csv.trim().split('\r\n');
    assert.equal(lines[0], 'oid,region,name,outcome,build,kind,project id,runs');
    assert.equal(lines.length, 26);
    assert.ok(lines.includes(csvLine(US_OIDS[0], 'US', generatedName(US_OIDS[0]), 'replaced', '', 'data_model', '', '')), csv);
    assert.ok(lines.includes(csvLine(FAULTS.missing, 'EU01', '', 'NOT_FOUND', '', 'data_model', '', '')), csv);
    assert.ok(!csv.includes(TREASURE.masterKey.split('/')[1]));
    await page.close();
  },

  async 'a refused key stops the run early instead of sending the rest'({ browser, fake }) {
    const page = await openFreshBulk(browser);
    await startMixedRun(page, TREASURE.expiredKey);
    await finished(page);
    const state = await runState(page);
    assert.match(state.stopped, /Stopped: the key itself was refused/);
    assert.match(state.stopped, /401/);
    assert.ok(fake.requests.length <= 8, `at most the first answers per host were sent: ${fake.requests.length}`);
    assert.ok(state.rows.filter((row) => row.state === 'skipped').length >= 17);
    await page.close();
  },

  async 'refuses a bad key before sending anything'({ browser, fake }) {
    const page = await openFreshBulk(browser);
    await paste(page, CONSOLE_URL('console.treasuredata.com', generatedOid(1)), { sendable: 1 });
    await page.fill('#bulk-key', 'TD1 not/a key');
    await page.click('#bulk-start');
    const code = await waitFor(page, () => document.getElementById('bulk-result').dataset.code || null);
    assert.equal(code, 'KEY_HAS_WHITESPACE');
    await sleep(300);
    assert.equal(fake.requests.length, 0);
    await page.close();
  },

  async 'collects the open data-model tabs'({ browser }) {
    const page = await openBulk(browser);
    const tabs = [
      await openWebTab(page, CONSOLE_URL('console.treasuredata.com', generatedOid(1))),
      await openWebTab(page, CONSOLE_URL('console.eu01.treasuredata.com', generatedOid(2))),
      await openWebTab(page, 'https://console.treasuredata.com/app/databases'),
    ];
    await page.eval(() => { document.getElementById('bulk-paste').open = true; });
    await page.fill('#bulk-lines', '');
    await page.click('#bulk-add-tabs');
    const lines = (await waitFor(page, () => document.getElementById('bulk-lines').value || null)).split('\n').sort();
    assert.deepEqual(lines, [CONSOLE_URL('console.eu01.treasuredata.com', generatedOid(2)), CONSOLE_URL('console.treasuredata.com', generatedOid(1))]);
    await page.eval(async (ids) => chrome.tabs.remove(ids), tabs);
    await page.close();
  },

  async 'loads a region\'s data models unticked, filters, selects some and replaces only those'({ browser, fake, screenshot }) {
    const page = await openFreshBulk(browser);
    const [sales, marketing] = DATA_MODELS[US];
    await page.select('#bulk-region', 'us');
    await page.fill('#bulk-key', TREASURE.masterKey);
    await page.click('#bulk-load');
    const loaded = await resultIn(page, 'bulk-load-result');
    assert.match(loaded.text, /Data models loaded: 2 \(US\)\. None is selected/);
    // The region's workflow projects load beside them (workflow.cases.mjs); only the data models here.
    await resultIn(page, 'bulk-projects-result');
    assert.deepEqual(fake.requests.filter((r) => r.host === US).map((r) => [r.method, r.host, r.path, r.headers.authorization]), [['GET', US, '/reporting/datamodels', `TD1 ${TREASURE.masterKey}`]]);
    await page.select('#bulk-kind', 'data_model');
    const rows = await shownRows(page);
    assert.deepEqual(rows.map((row) => [row.oid, row.verdict, row.ticked]), [[sales.oid, 'ready', false], [marketing.oid, 'ready', false]]);
    assert.deepEqual(await page.eval(() => [...document.querySelectorAll('#bulk-table tbody tr:not(.spacer)')][0].cells[5].textContent), 'ann@example.com');
    assert.equal(await page.eval(() => document.getElementById('bulk-count').dataset.sendable), '0', 'loading selects nothing');
    // Filter, select all shown, clear the filter: only that one is sent.
    assert.deepEqual((await filterBy(page, 'market')).map((row) => row.oid), [marketing.oid]);
    await page.click('#bulk-select-shown');
    await filterBy(page, '');
    assert.equal(await page.eval(() => document.getElementById('bulk-count').dataset.sendable), '1');
    fake.reset();
    fake.setLatency(300); // the answer comes after the page has drawn the run's start
    await page.click('#bulk-start');
    await finished(page);
    fake.setLatency(0);
    assert.deepEqual(fake.requests.map((r) => [r.method, r.host, r.path]), [['PUT', US, `/reporting/datamodels/${marketing.oid}`]]);
    assert.deepEqual(fake.strays, []);
    // The rows on screen show the run's outcome as it comes, with nothing else done on the page.
    const drawn = await shownRows(page);
    assert.equal(drawn.find((row) => row.oid === marketing.oid)?.state, 'done');
    assert.ok(drawn.every((row) => row.oid === marketing.oid || !row.state), 'no other row has a run state');
    const [done] = await filterBy(page, 'market');
    assert.deepEqual([done.state, done.text], ['done', `Replaced: "${marketing.name}" (elasticube)`]);
    // Its row checks its build on its own.
    fake.answerBuilds((put) => ({ body: [{ status: 'done', started_at: new Date(put + 5_000).toISOString() }] }));
    // Clicked in the page: in the popup-sized test window the column lies outside the visible table.
    await page.eval(() => document.querySelector('#bulk-table tbody tr:not(.spacer) button.check-build').click());
    await waitFor(page, () => document.querySelector('#bulk-table tbody tr:not(.spacer)').cells[9].dataset.verdict === 'built_with_new_key', [], { what: 'the row\'s build verdict' });
    assert.deepEqual(fake.requests.slice(1).map((r) => [r.method, r.path]), [['GET', `/reporting/datamodels/${marketing.oid}/builds`]]);
    await screenshot?.(page, 'bulk-after-run.png', { width: 1240 });
    await page.close();
  },

  async 'loading says why a key is refused and which elements are skipped'({ browser, fake }) {
    const page = await openFreshBulk(browser);
    await page.select('#bulk-region', 'us');
    for (const [key, code] of [[TREASURE.expiredKey, 'UNAUTHORIZED'], [TREASURE.writeOnlyKey, 'FORBIDDEN']]) {
      await page.fill('#bulk-key', key);
      await page.click('#bulk-load');
      const refused = await waitFor(page, (c) => document.getElementById('bulk-load-result').dataset.code === c && document.getElementById('bulk-load-result').textContent, [code], { what: code });
      assert.match(refused, code === 'FORBIDDEN' ? /Write-only/ : /401/);
    }
    fake.listDataModels(() => [{ oid: generatedOid(1), name: 'kept' }, { name: 'no oid' }, { oid: '../../x', name: 'path' }, 'text']);
    await page.fill('#bulk-key', TREASURE.masterKey);
    await page.click('#bulk-load');
    const loaded = await waitFor(page, () => document.getElementById('bulk-load-result').dataset.code === 'OK' && document.getElementById('bulk-load-result').textContent);
    assert.match(loaded, /Data models loaded: 1/);
    assert.match(loaded, /Skipped, never sent a request: 3\..*Element 2: no oid.*Element 3: its oid is not a UUID.*Element 4: not an object/);
    assert.equal(fake.requests.filter((r) => r.method !== 'GET').length, 0, 'loading changes nothing');
    await page.close();
  },

  async 'five thousand data models load into a virtual table that filters without re-rendering it all'({ browser, fake }) {
    const page = await openFreshBulk(browser);
    fake.listDataModels(() => Array.from({ length: 5000 }, (_, i) => ({ oid: generatedOid(i), name: generatedName(generatedOid(i)), created_by: `user${i % 7}@example.com` })));
    await page.select('#bulk-region', 'us');
    await page.fill('#bulk-key', TREASURE.masterKey);
    await page.click('#bulk-load');
    // 5,000 data models and the two US workflow projects holding td.apikey.
    await waitFor(page, () => /Showing 5002 of 5002/.test(document.getElementById('bulk-count').textContent), [], { what: '5000 rows' });
    const inDom = await page.eval(() => document.querySelectorAll('#bulk-table tbody tr:not(.spacer)').length);
    assert.ok(inDom > 0 && inDom < 100, `a screenful in the DOM, not 5000: ${inDom}`);
    const shown = await filterBy(page, 'model_4999');
    assert.deepEqual(shown.map((row) => row.oid), [generatedOid(4999)]);
    await filterBy(page, 'user3@');
    assert.match(await page.eval(() => document.getElementById('bulk-count').textContent), /Showing 714 of 5002/);
    await page.click('#bulk-select-shown');
    assert.equal(await page.eval(() => document.getElementById('bulk-count').dataset.sendable), '714');
    await page.close();
  },

  async 'checks whether each replaced data model built with the new key, re-checks one still building, and exports the verdicts'({ browser, fake }) {
    const page = await openFreshBulk(browser);
    const oids = [1, 2, 3, 4, 5].map((n) => generatedOid(200 + n));
    await paste(page, oids.map((oid) => CONSOLE_URL('console.treasuredata.com', oid)).join('\n'), { sendable: 5 });
    await page.fill('#bulk-key', TREASURE.masterKey);
    await page.click('#bulk-start');
    await finished(page);
    const iso = (ms) => new Date(ms).toISOString();
    const DAY = 86_400_000;
    const answers = {
      [oids[0]]: (put) => ({ body: [{ status: 'done', started_at: iso(put + 5_000) }] }),
      [oids[1]]: (put) => ({ body: [{ status: 'failed', started_at: iso(put + 5_000) }] }),
      [oids[2]]: (put) => ({ body: [{ status: 'building', started_at: iso(put + 5_000) }] }),
      [oids[3]]: (put) => ({ body: [{ status: 'done', started_at: iso(put - DAY) }] }),
      [oids[4]]: () => ({ body: '<html>Sign in</html>', contentType: 'text/html' }),
    };
    fake.answerBuilds((put, oid) => answers[oid](put));
    const before = fake.requests.length;
    await page.click('#bulk-check-builds');
    const builds = () => page.eval(async () => Object.fromEntries(Object.entries((await chrome.storage.session.get('bulkBuilds')).bulkBuilds ?? {})
      .map(([key, check]) => [key.split(':')[1], check.verdict])));
    const first = await waitFor(page, async () => {
      const kept = (await chrome.storage.session.get('bulkBuilds')).bulkBuilds;
      return kept && Object.keys(kept).length === 5;
    }, [], { what: 'five build checks' }).then(builds);
    assert.deepEqual(first, {
      [oids[0]]: 'built_with_new_key', [oids[1]]: 'failed_since_replacement', [oids[2]]: 'building',
      [oids[3]]: 'not_built_since', [oids[4]]: 'unreadable',
    });
    const gets = fake.requests.slice(before);
    assert.deepEqual(gets.map((r) => `${r.method} ${r.host} ${r.path}`).sort(), oids.map((oid) => `GET ${US} /reporting/datamodels/${oid}/builds`).sort());
    assert.ok(gets.every((r) => r.headers.authorization === `TD1 ${TREASURE.masterKey}`));
    // The same rows show it, with the link to the console where the user builds.
    await filterBy(page, oids[0]);
    const cell = await page.eval(() => {
      const td = document.querySelector('#bulk-table tbody tr:not(.spacer)').cells[9];
      return { verdict: td.dataset.verdict, text: td.textContent, href: td.querySelector('a').href };
    });
    assert.deepEqual(cell, { verdict: 'built_with_new_key', text: 'Built with the new key · Console · Check', href: `https://console.treasuredata.com/app/admin/datamodels/${oids[0]}` });
    await filterBy(page, '');
    // The one still building is checked again after 15 seconds, and only that one.
    answers[oids[2]] = (put) => ({ body: [{ status: 'done', started_at: iso(put + 5_000) }] });
    const afterFirst = fake.requests.length;
    await waitFor(page, async (oid) => Object.entries((await chrome.storage.session.get('bulkBuilds')).bulkBuilds)
      .some(([key, check]) => key.endsWith(oid) && check.verdict === 'built_with_new_key'), [oids[2]], { timeout: 20_000, what: 'the re-check' });
    assert.deepEqual(fake.requests.slice(afterFirst).map((r) => r.path), [`/reporting/datamodels/${oids[2]}/builds`]);
    assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, 5, 'checking builds never replaces or builds');
    // The CSV gains the verdicts, in a column appended last.
    const csv = await exportedCsv(page);
    const lines = csv.trim().split('\r\n');
    assert.equal(lines[0], 'oid,region,name,outcome,build,kind,project id,runs');
    assert.ok(lines.includes(csvLine(oids[1], 'US', generatedName(oids[1]), 'replaced', 'failed_since_replacement', 'data_model', '', '')), csv);
    assert.ok(lines.includes(csvLine(oids[2], 'US', generatedName(oids[2]), 'replaced', 'built_with_new_key', 'data_model', '', '')), csv);
    await page.close();
  },

  async 'a run finishes by itself when the browser stops the background in the middle, and the open page says so'({ browser, fake }) {
    const page = await openFreshBulk(browser);
    const oids = await startSlowRun(page, fake, { count: 60, latency: 200, before: 12 });
    // The key is kept for the job's life, in storage.session only (its default access level:
    // Keyturn's own pages and background; the extension never widens it).
    assert.equal((await journal(page)).key, TREASURE.masterKey);
    await watchJobStates(page);
    await browser.stopBackground();
    await finished(page, 60_000);
    const seen = await page.eval(() => window.jobStatesSeen);
    assert.ok(seen.includes('interrupted'), `the page said it was interrupted: ${seen}`);
    assert.equal(seen.at(-1), 'resumed');
    assert.match(await page.eval(() => document.getElementById('bulk-job-status').textContent), /Resumed after the browser stopped Keyturn's background \(1 times\)/);
    await assertResumedRunComplete(page, fake, oids);
    await page.close();
  },

  async 'a run whose page was closed while the background stopped resumes, and the reopened page shows the truth'({ browser, fake }) {
    let page = await openFreshBulk(browser);
    const oids = await startSlowRun(page, fake, { count: 40, latency: 200, before: 8, first: 400 });
    await page.close();
    await browser.stopBackground();
    await sleep(500);
    page = await openBulk(browser);
    await finished(page, 60_000);
    assert.equal(await page.eval(() => document.getElementById('bulk-run').dataset.job), 'resumed');
    await assertResumedRunComplete(page, fake, oids);
    await page.close();
  },

  async 'answers slower than the page\'s stale limit are waited for: the background\'s heartbeat keeps the page from saying "interrupted"'({ browser, fake }) {
    const page = await openFreshBulk(browser);
    await watchJobStates(page);
    // Four rows, all in flight at once, each answered after 4.5 s: longer than the 3 s after
    // which a page calls the background stopped, with no row changing meanwhile, so only the
    // background's own heartbeat tells the page it is alive.
    const oids = await startSlowRun(page, fake, { count: 4, latency: 4500, before: 0, first: 700 });
    await finished(page, 30_000);
    const seen = await page.eval(() => window.jobStatesSeen);
    assert.ok(!seen.includes('interrupted'), `the page never said interrupted: ${seen}`);
    assert.equal(seen.at(-1), 'finished');
    const { meta, rows } = await journal(page);
    assert.equal(meta.interruptions ?? 0, 0, 'the job was never taken for interrupted');
    assert.deepEqual(rows.map((row) => row.state), oids.map(() => 'done'));
    assert.deepEqual(fake.requests.filter((r) => r.method === 'PUT').map((r) => r.path).sort(), oids.map((oid) => `/reporting/datamodels/${oid}`).sort(), 'each row sent once');
    await page.close();
  },

  async 'stop ends a run: rows in flight get their answer, the rest is not sent, and retry sends them'({ browser, fake }) {
    const page = await openFreshBulk(browser);
    const oids = await startSlowRun(page, fake, { count: 80, latency: 300, before: 4, first: 500 });
    await page.click('#bulk-stop');
    await finished(page);
    const { meta, rows } = await journal(page);
    assert.equal(meta.stoppedCode, 'STOPPED_BY_USER');
    assert.match(await page.eval(() => document.getElementById('bulk-stopped').textContent), /^Stopped by you/);
    const sent = new Set(fake.requests.map((r) => r.path.split('/').pop()));
    assert.ok(sent.size < oids.length, `not everything was sent: ${sent.size}`);
    for (const [index, row] of rows.entries()) {
      assert.equal(row.state, sent.has(oids[index]) ? 'done' : 'skipped', `${oids[index]} ${row.state}`);
    }
    await sessionHasNoKey(page);
    fake.reset();
    await page.fill('#bulk-key', TREASURE.masterKey);
    await page.click('#bulk-retry');
    // The retry is the job's second launch (at no latency it may finish before a frame shows it running).
    await waitFor(page, async () => {
      const { bulkJob } = await chrome.storage.session.get('bulkJob');
      return bulkJob?.launch === 2 && bulkJob.status === 'finished';
    }, [], { what: 'the retry finished' });
    await finished(page);
    const resent = fake.requests.map((r) => r.path.split('/').pop()).sort();
    const skipped = oids.filter((oid) => !sent.has(oid)).sort();
    assert.deepEqual(resent, skipped, `retry sends exactly the skipped rows: sent ${JSON.stringify(resent.map((oid) => oid.slice(-3)))}, skipped ${JSON.stringify(skipped.map((oid) => oid.slice(-3)))}`);
    assert.ok((await journal(page)).rows.every((row) => row.state === 'done'));
    await page.close();
  },

  async '"Remind me" after a run over three regions keeps one reminder per region'({ browser }) {
    const page = await openFreshBulk(browser);
    await page.eval(async () => chrome.storage.local.remove('reminders'));
    const lines = [['console.treasuredata.com', 601], ['console.eu01.treasuredata.com', 602], ['console.treasuredata.co.jp', 603]]
      .map(([host, n]) => CONSOLE_URL(host, generatedOid(n)));
    await paste(page, lines.join('\n'), { sendable: 3 });
    await page.fill('#bulk-key', TREASURE.masterKey);
    await page.click('#bulk-start');
    await finished(page);
    const expiry = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await page.eval((value) => { document.getElementById('bulk-remind-date').value = value; }, expiry);
    await page.click('#bulk-remind-button');
    await waitFor(page, () => document.getElementById('bulk-remind-result').dataset.code === 'OK', [], { what: 'reminders set' });
    const kept = await page.eval(async () => (await chrome.storage.local.get('reminders')).reminders ?? []);
    assert.deepEqual(kept.map((reminder) => reminder.place).sort(), ['eu01', 'tokyo', 'us'], JSON.stringify(kept));
    assert.equal(new Set(kept.map((reminder) => reminder.fingerprint)).size, 1, 'all three tied to the same key');
    await page.eval(async () => chrome.storage.local.remove('reminders'));
    await page.close();
  },
};
