// Accessibility: axe-core reports no violations on each state of the popup (empty, error,
// success, Databrain form with a new key), on the bulk page and on the options page.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { assert, openPopup, resultIn, waitFor } from './harness.mjs';
import { CONSOLE_URL, DATA_MODELS, DATABRAIN, TREASURE } from './scenarios.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function violations(page) {
  return page.eval(async (source) => {
    if (!window.axe) (0, eval)(source);
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }, axeSource);
}

async function expectAccessible(page, state) {
  assert.deepEqual(await violations(page), [], `axe violations in ${state}`);
}

/** Presses Tab until `id` has the focus (at most 20 times); fails if it never does. */
async function tabTo(page, id) {
  for (let i = 0; i < 20; i++) {
    if (await page.eval(() => document.activeElement?.id)) {
      if ((await page.eval(() => document.activeElement.id)) === id) return;
    }
    await page.press('Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}

export const a11yCases = {
  async 'the popup works by keyboard alone'({ browser, fake }) {
    const page = await openPopup(browser);
    await tabTo(page, 'tab-treasure');
    await page.press('ArrowRight');
    assert.equal(await page.eval(() => [document.activeElement.id, document.getElementById('panel-databrain').hidden].join()), 'tab-databrain,false');
    await page.press('ArrowLeft');
    await tabTo(page, 'td-url');
    await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', DATA_MODELS['api.treasuredata.com'][0].oid));
    await tabTo(page, 'td-key');
    await page.fill('#td-key', TREASURE.masterKey);
    await page.press('Enter'); // submits the form from the key field
    assert.equal((await resultIn(page, 'td-result')).kind, 'ok');
    assert.equal(fake.requests.length, 1);
    await page.close();
  },

  async 'the popup has no axe violations when empty, on error and on success'({ browser }) {
    const page = await openPopup(browser);
    await expectAccessible(page, 'the empty popup');
    await page.fill('#td-url', 'http://console.treasuredata.com/');
    await page.click('#td-replace');
    await resultIn(page, 'td-result');
    await expectAccessible(page, 'the error state');
    await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', DATA_MODELS['api.treasuredata.com'][0].oid));
    await page.fill('#td-key', TREASURE.masterKey);
    await page.click('#td-replace');
    await waitFor(page, () => document.getElementById('td-result').dataset.code === 'OK');
    await expectAccessible(page, 'the success state');
    await page.close();
  },

  async 'the Databrain form and a waiting new key have no axe violations'({ browser }) {
    const page = await openPopup(browser);
    await page.click('#tab-databrain');
    await page.click('#db-service summary');
    await expectAccessible(page, 'the Databrain form');
    await page.fill('#db-key', DATABRAIN.activeKey);
    await page.click('#db-rotate');
    await waitFor(page, () => !document.getElementById('new-keys').hidden);
    await expectAccessible(page, 'the new key panel');
    await page.click('#new-key-list li button.saved');
    await page.close();
  },

  async 'the bulk page and the options page have no axe violations'({ browser }) {
    const bulk = await browser.open('bulk.html');
    await waitFor(bulk, () => document.body.dataset.ready === 'true');
    await expectAccessible(bulk, 'the bulk page');
    await bulk.close();
    const options = await browser.open('options.html');
    await waitFor(options, () => document.readyState === 'complete');
    await options.fill('#origin', 'http://databrain.example.com/path');
    await options.click('#add-origin');
    await waitFor(options, () => document.getElementById('origin-result').dataset.code === 'INVALID_ORIGIN');
    await expectAccessible(options, 'the options page');
    await options.close();
  },
};
