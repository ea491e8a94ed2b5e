// End-to-end cases for replacing the key of many data models in one run: bounded
// concurrency per API host, progress, early stop on a refused key, retry of the failed
// rows, CSV export, and a run that outlives the page that started it.
import { assert, openWebTab, sleep, waitFor } from './harness.mjs';
import { CONSOLE_URL, FAULTS, TREASURE, generatedName, generatedOid } from './scenarios.mjs';

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

const bulkPageReady = (page) => waitFor(page, () => document.body.dataset.ready === 'true', [], { what: 'bulk page ready' });

async function openBulk(browser) {
  const page = await browser.open('bulk.html');
  await bulkPageReady(page);
  return page;
}

/** A bulk page with no earlier run on record, so "finished" can only mean this case's run. */
async function openFreshBulk(browser) {
  const page = await openBulk(browser);
  await page.eval(async () => chrome.storage.session.remove('bulkRun'));
  await page.reload();
  await bulkPageReady(page);
  return page;
}

/** Starts a run of mixedLines(), bare OIDs taking EU01, with `key`. */
async function startMixedRun(page, key) {
  await page.fill('#bulk-lines', mixedLines());
  await page.select('#bulk-region', 'eu01');
  await page.fill('#bulk-key', key);
  await page.click('#bulk-start');
}

function runState(page) {
  return page.eval(() => ({
    counts: document.getElementById('bulk-counts').textContent,
    running: document.getElementById('bulk-run').dataset.running === 'true',
    rows: [...document.querySelectorAll('#bulk-rows tbody tr')].map((tr) => ({ oid: tr.dataset.oid, state: tr.dataset.state, text: tr.cells[2].textContent })),
    stopped: document.getElementById('bulk-stopped').hidden ? null : document.getElementById('bulk-stopped').textContent,
  }));
}

const finished = (page, timeout = 20_000) => waitFor(page, () => document.getElementById('bulk-run').dataset.running === 'false'
  && document.getElementById('bulk-counts').textContent.includes('Finished'), [], { timeout, what: 'run finished' });

const sessionHasNoKey = async (page) => {
  const session = JSON.stringify(await page.eval(async () => chrome.storage.session.get('bulkRun')));
  assert.ok(!session.includes(TREASURE.masterKey.split('/')[1]), 'the run state holds no key');
};

export const bulkCases = {
  async 'replaces 25 data models in two regions, at most 4 in flight per host, and survives the page closing'({ browser, fake }) {
    let page = await openFreshBulk(browser);
    await startMixedRun(page, TREASURE.masterKey);
    const started = await waitFor(page, () => document.getElementById('bulk-result').textContent || null);
    assert.match(started, /Data models to replace: 25\./);
    assert.match(started, /Duplicate lines removed: 3\./);
    const invalid = await page.eval(() => [...document.querySelectorAll('#bulk-invalid li')].map((li) => li.textContent));
    assert.equal(invalid.length, 2);
    assert.match(invalid[0], /^Line 29 .*not a data model OID/);
    assert.match(invalid[1], /^Line 30 .*not a Treasure Console address/);

    // Close the page mid-run (the slow data model keeps the run going) and reopen it.
    await waitFor(page, () => document.getElementById('bulk-run').dataset.running === 'true', [], { what: 'run going' });
    await page.close();
    page = await openBulk(browser);
    const live = await runState(page);
    assert.equal(live.running, true, 'the reopened page shows the live run');
    assert.equal(live.rows.length, 25);
    await finished(page);

    const state = await runState(page);
    assert.match(state.counts, /Done 21 · Failed 4 · Remaining 0/);
    assert.equal(await page.eval(() => document.getElementById('bulk-progress').value), 25);
    for (const oid of US_OIDS.slice(0, 14)) {
      assert.match(state.rows.find((row) => row.oid === oid).text, new RegExp(`Replaced: "${generatedName(oid)}"`));
    }
    assert.match(state.rows.find((row) => row.oid === FAULTS.missing).text, /^NOT_FOUND/);
    assert.match(state.rows.find((row) => row.oid === FAULTS.serverError).text, /^SERVER_ERROR/);

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
    await page.click('#bulk-export');
    const csv = await waitFor(page, async () => {
      const link = document.getElementById('bulk-csv-link');
      return link.href ? (await fetch(link.href)).text() : null;
    }, [], { what: 'CSV' });
    const lines = csv.trim().split('\r\n');
    assert.equal(lines[0], 'oid,region,name,outcome');
    assert.equal(lines.length, 26);
    assert.ok(lines.includes(`${US_OIDS[0]},US,${generatedName(US_OIDS[0])},replaced`));
    assert.ok(lines.includes(`${FAULTS.missing},EU01,,NOT_FOUND`));
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
    const page = await openBulk(browser);
    await page.fill('#bulk-lines', CONSOLE_URL('console.treasuredata.com', generatedOid(1)));
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
    await page.fill('#bulk-lines', '');
    await page.click('#bulk-add-tabs');
    const lines = (await waitFor(page, () => document.getElementById('bulk-lines').value || null)).split('\n').sort();
    assert.deepEqual(lines, [CONSOLE_URL('console.eu01.treasuredata.com', generatedOid(2)), CONSOLE_URL('console.treasuredata.com', generatedOid(1))]);
    await page.eval(async (ids) => chrome.tabs.remove(ids), tabs);
    await page.close();
  },
};
