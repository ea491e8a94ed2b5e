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
  async 'records each attempt newest first with a fingerprint, and exports it'({ browser }) {
    let page = await openHistory(browser);
    await page.click('#history-clear');
    await waitFor(page, () => !document.getElementById('history-empty').hidden);
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
      const found = [...document.querySelectorAll('#history-table tbody tr')].map((tr) => [...tr.cells].slice(1).map((td) => td.textContent));
      return found.length >= 3 ? found : null;
    }, [], { what: 'three history rows' });
    assert.deepEqual(rows, [
      ['Databrain', DATABRAIN.origin, 'data app key (rotation)', 'success', `…${DATABRAIN.activeKey.slice(-4)}`],
      ['Treasure', 'US', MODEL.oid, 'UNAUTHORIZED', `…${TREASURE.expiredKey.slice(-4)}`],
      ['Treasure', 'US', `${MODEL.oid} (${MODEL.name})`, 'success', `…${TREASURE.masterKey.slice(-4)}`],
    ]);
    const csv = await exported(page, 'history-csv');
    const lines = csv.trim().split('\r\n');
    // The new key's fingerprint is appended as the last column, so older readers keep theirs.
    assert.equal(lines[0], 'time,service,place,target,outcome,key,new key');
    assert.match(lines[3], new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ,Treasure,US,${MODEL.oid} \\(${MODEL.name}\\),success,…${TREASURE.masterKey.slice(-4)},$`));
    assert.match(lines[1], new RegExp(`,success,…${DATABRAIN.activeKey.slice(-4)},…[0-9a-f]{4}$`));
    const json = JSON.parse(await exported(page, 'history-json'));
    assert.equal(json.length, 3);
    assert.deepEqual(Object.keys(json[0]).sort(), ['at', 'fingerprint', 'issued', 'outcome', 'place', 'service', 'target']);
    assert.deepEqual(Object.keys(json[2]).sort(), ['at', 'fingerprint', 'outcome', 'place', 'service', 'target']);
    await page.close();
  },
};
