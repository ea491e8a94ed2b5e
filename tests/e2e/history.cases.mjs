// The rotation history: every attempt that sent a request is recorded, newest first, with
// a fingerprint instead of the key, and exports as CSV and JSON.
import { assert, openPopup, resultIn, waitFor } from './harness.mjs';
import { CONSOLE_URL, DATA_MODELS, DATABRAIN, TREASURE } from './scenarios.mjs';

const MODEL = DATA_MODELS['api.treasuredata.com'][0];

export async function openHistory(browser) {
  const page = await browser.open('history.html');
  await waitFor(page, () => document.body.dataset.ready === 'true', [], { what: 'history page' });
  return page;
}

/** Clicks an export button and returns the downloaded text. */
export async function exported(page, buttonId) {
  await page.eval(() => { document.getElementById('history-download').removeAttribute('href'); });
  await page.click(`#${buttonId}`);
  return waitFor(page, async () => {
    const link = document.getElementById('history-download');
    return link.getAttribute('href') ? (await fetch(link.href)).text() : null;
  }, [], { what: `${buttonId} download` });
}

export const historyCases = {
  async 'records each attempt newest first with a fingerprint, and exports it'({ browser, screenshot }) {
    let page = await openHistory(browser);
    // Cleared through the background (the button is only shown with a history to clear).
    await page.eval(() => chrome.runtime.sendMessage({ service: 'history', call: 'clear', args: {} }));
    await waitFor(page, () => !document.getElementById('history-empty').hidden && document.getElementById('history-full').hidden);
    assert.match(await page.eval(() => document.getElementById('history-empty').textContent), /toolbar button/, 'the empty state says what to do');
    await page.close();

    page = await openPopup(browser);
    const attempt = async (key) => {
      await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', MODEL.oid));
      await page.fill('#td-key', key);
      await page.click('#td-replace');
      return resultIn(page, 'td-result');
    };
    assert.equal((await attempt(TREASURE.masterKey)).kind, 'ok');
    assert.equal((await attempt(TREASURE.expiredKey)).code, 'UNAUTHORIZED');
    assert.equal((await attempt('not a key')).code, 'KEY_HAS_WHITESPACE'); // refused up front: not an attempt
    await page.click('#tab-databrain');
    await page.fill('#db-key', DATABRAIN.activeKey);
    await page.click('#db-rotate');
    await resultIn(page, 'db-result');
    await page.click('#new-key-list li button.saved');
    await page.close();

    page = await openHistory(browser);
    const rows = await waitFor(page, () => {
      const found = [...document.querySelectorAll('#history-table tbody tr')].map((tr) => [...tr.cells].slice(1, 6).map((td) => td.textContent));
      return found.length >= 3 ? found : null;
    }, [], { what: 'three history rows' });
    assert.deepEqual(rows, [
      ['Databrain', DATABRAIN.origin, 'data app key (rotation)', 'success', `…${DATABRAIN.activeKey.slice(-4)}`],
      ['Treasure', 'US', MODEL.oid, 'UNAUTHORIZED', `…${TREASURE.expiredKey.slice(-4)}`],
      ['Treasure', 'US', `${MODEL.oid} (${MODEL.name})`, 'success', `…${TREASURE.masterKey.slice(-4)}`],
    ]);
    assert.match(await page.eval(() => document.querySelector('#history-table tbody tr td:last-child').textContent), /^…[0-9a-f]{4}$/, 'the rotation shows the new key\'s fingerprint');
    await screenshot?.(page, 'history.png', { width: 1000 });
    // Filters by service and by outcome (the core classes outcomes), with a count.
    const filtered = async (service, outcome) => {
      await page.select('#filter-service', service);
      await page.select('#filter-outcome', outcome);
      return page.eval(() => ({
        rows: [...document.querySelectorAll('#history-table tbody tr')].map((tr) => tr.cells[4].textContent),
        count: document.getElementById('history-count').textContent,
        noMatch: !document.getElementById('history-no-match').hidden,
      }));
    };
    assert.deepEqual((await filtered('', 'failed')).rows, ['UNAUTHORIZED']);
    assert.deepEqual((await filtered('Treasure', 'success')).rows, ['success']);
    const databrain = await filtered('Databrain', '');
    assert.deepEqual(databrain.rows, ['success']);
    assert.match(databrain.count, /1 of 3/);
    assert.deepEqual(await filtered('Databrain', 'unknown'), { rows: [], count: 'Showing 0 of 3 attempts.', noMatch: true });
    await filtered('', '');
    const csv = await exported(page, 'history-csv');
    const lines = csv.trim().split('\r\n');
    // The new key's fingerprint is appended as the last column, so older readers keep theirs.
    assert.equal(lines[0], 'time,service,place,target,outcome,key,new key');
    // Every field quoted (csv.rs), the header's names excepted.
    assert.match(lines[3], new RegExp(`^"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ","Treasure","US","${MODEL.oid} \\(${MODEL.name}\\)","success","…${TREASURE.masterKey.slice(-4)}",""$`));
    assert.match(lines[1], new RegExp(`,"success","…${DATABRAIN.activeKey.slice(-4)}","…[0-9a-f]{4}"$`));
    const json = JSON.parse(await exported(page, 'history-json'));
    assert.equal(json.length, 3);
    assert.deepEqual(Object.keys(json[0]).sort(), ['at', 'fingerprint', 'issued', 'outcome', 'place', 'service', 'target']);
    assert.deepEqual(Object.keys(json[2]).sort(), ['at', 'fingerprint', 'name', 'oid', 'outcome', 'place', 'region', 'service', 'target'], 'a data model record keeps its region, OID and name as fields');
    await page.close();

    // The options page, as a user finds it after a Databrain rotation (its old-key reminder).
    page = await browser.open('options.html');
    await waitFor(page, () => document.querySelectorAll('#reminders li').length > 0, [], { what: 'a reminder listed' });
    assert.equal(await page.eval(() => document.getElementById('no-reminders').hidden), true);
    assert.match(await page.eval(() => document.getElementById('no-origins').textContent), /Databrain cloud/);
    await screenshot?.(page, 'options.png', { width: 700 });
    await page.close();
  },
};
