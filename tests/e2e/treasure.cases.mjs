// End-to-end cases for the Treasure data model key replacement, run in each browser
// against the fake API. Each asserts what the fake received (or that nothing was sent)
// and what the popup shows.
import { assert, assertNothingSecretPersisted, openPopup, openWebTab, resultIn, waitFor } from './harness.mjs';
import { CONSOLE_URL, DATA_MODELS, FAULTS, KNOWN_SECRETS, TREASURE } from './scenarios.mjs';
import { SLOW_ANSWER_MS } from './fake-apis.mjs';

const US = 'api.treasuredata.com';
const US_MODEL = DATA_MODELS[US][0];

/** Fills the manual form with a pasted console URL and a key, then presses "Replace key". */
async function replaceVia(page, { url, key }) {
  await page.fill('#td-url', url);
  await page.fill('#td-key', key);
  await page.click('#td-replace');
}

function assertOnePut(fake, { host, oid, key }) {
  assert.equal(fake.requests.length, 1, 'exactly one request reached the fake');
  const [request] = fake.requests;
  assert.equal(request.method, 'PUT');
  assert.equal(request.host, host);
  assert.equal(request.path, `/reporting/datamodels/${oid}`);
  assert.equal(request.headers.authorization, `TD1 ${key}`);
  assert.equal(request.headers['content-type'], 'application/json');
  assert.equal(request.headers.cookie, undefined, 'no cookies go with the key');
  assert.equal(request.headers.referer, undefined, 'no referrer goes with the key');
  assert.deepEqual(JSON.parse(request.body), { datamodel: { apikey: key } });
}

async function expectFailure({ browser, fake }, { oid, key = TREASURE.masterKey, code, mentions = [], timeout }) {
  const page = await openPopup(browser);
  await replaceVia(page, { url: CONSOLE_URL('console.treasuredata.com', oid), key });
  const result = await resultIn(page, 'td-result', timeout);
  assert.equal(result.kind, 'error');
  assert.equal(result.code, code);
  for (const word of mentions) assert.match(result.text, word);
  assert.ok(!result.text.includes(key), 'the message never shows the key');
  assertOnePut(fake, { host: US, oid, key });
  assert.equal(await page.eval(() => document.getElementById('td-replace').disabled), false, 'the button is usable again');
  await page.close();
}

export const treasureCases = {
  async 'the first popup after a browser start: typing and a click in its first moments replace the key, nothing reloads'({ browser, fake }) {
    // A fresh browser: its first extension page is the one whose managed storage answers late.
    const fresh = await browser.relaunch();
    try {
      const page = await fresh.open('popup.html');
      // At once, before the popup says it is ready: what a quick user does.
      await page.eval(() => { window.untouched = true; });
      await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', US_MODEL.oid));
      await page.fill('#td-key', TREASURE.masterKey);
      await page.click('#td-replace');
      const result = await resultIn(page, 'td-result', 15_000);
      assert.equal(result.kind, 'ok', result.text);
      assert.equal(await page.eval(() => window.untouched === true && document.getElementById('td-key').value.length > 0), true, 'the popup never reloaded');
      assertOnePut(fake, { host: US, oid: US_MODEL.oid, key: TREASURE.masterKey });
      await page.close();
    } finally {
      await fresh.close();
    }
  },

  async 'after a replacement, links to the console and checks whether the data model built with the new key'({ browser, fake }) {
    const page = await openPopup(browser);
    const model = DATA_MODELS['api.treasuredata.com'][0];
    await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', model.oid));
    await page.fill('#td-key', TREASURE.masterKey);
    await page.click('#td-replace');
    assert.equal((await resultIn(page, 'td-result')).kind, 'ok');
    assert.equal(await page.eval(() => document.getElementById('td-open-console').href),
      `https://console.treasuredata.com/app/admin/datamodels/${model.oid}`);
    const iso = (ms) => new Date(ms).toISOString();
    const DAY = 86_400_000;
    for (const [scenario, answer, verdict] of [
      ['built after the replacement', (put) => ({ body: [{ id: 'b1', status: 'done', started_at: iso(put - DAY) }, { id: 'b2', status: 'done', started_at: iso(put + 5_000) }] }), 'built_with_new_key'],
      ['failed after it', (put) => ({ body: { builds: [{ status: 'failed', startedAt: iso(put + 5_000) }] } }), 'failed_since_replacement'],
      ['still building', (put) => ({ body: [{ status: 'building', created_at: iso(put + 5_000) }] }), 'building'],
      ['only older builds', (put) => ({ body: [{ status: 'done', started_at: iso(put - DAY) }] }), 'not_built_since'],
      ['an answer it cannot read', () => ({ body: '<html><body>Sign in</body></html>', contentType: 'text/html' }), 'unreadable'],
    ]) {
      fake.answerBuilds(answer);
      const before = fake.requests.length;
      await page.eval(() => { delete document.getElementById('td-build').dataset.verdict; });
      await page.click('#td-check-build');
      const shown = await waitFor(page, () => {
        const element = document.getElementById('td-build');
        return element.dataset.verdict && element.dataset.verdict !== 'checking' && { verdict: element.dataset.verdict, text: element.textContent };
      }, [], { what: `a build verdict (${scenario})` });
      assert.equal(shown.verdict, verdict, `${scenario}: ${shown.text}`);
      const sent = fake.requests.slice(before);
      assert.deepEqual(sent.map((r) => [r.method, r.host, r.path, r.headers.authorization, r.body]),
        [['GET', 'api.treasuredata.com', `/reporting/datamodels/${model.oid}/builds`, `TD1 ${TREASURE.masterKey}`, '']], scenario);
    }
    assert.match(await page.eval(() => document.getElementById('td-build').textContent), /could not read/);
    assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, 1, 'checking never replaces or builds anything');
    assert.deepEqual(fake.strays, []);
    await page.close();
  },

  async 'replaces the key of a data model pasted as a console URL'({ browser, fake, screenshot }) {
    const page = await openPopup(browser);
    await replaceVia(page, { url: `${CONSOLE_URL('console.treasuredata.com', US_MODEL.oid)}/?tab=info#x`, key: `  TD1 ${TREASURE.masterKey}\n` });
    const result = await resultIn(page, 'td-result');
    assert.equal(result.kind, 'ok', result.text);
    assert.match(result.text, new RegExp(`"${US_MODEL.name}" \\(elasticube\\)`));
    assert.match(result.text, /build the data model/i);
    assertOnePut(fake, { host: US, oid: US_MODEL.oid, key: TREASURE.masterKey });
    assert.equal(await page.eval(() => document.getElementById('td-key').type), 'password', 'the key is masked');
    await screenshot?.(page, 'popup.png');
    await page.close();
  },

  async 'detects region and OID from a console data model tab and marks the tab'({ browser, fake }) {
    const model = DATA_MODELS['api.eu01.treasuredata.com'][0];
    const launcher = await openPopup(browser);
    const tabId = await openWebTab(launcher, CONSOLE_URL('console.eu01.treasuredata.com', model.oid));
    const badge = await waitFor(launcher, async (id) => (await chrome.action.getBadgeText({ tabId: id })) || null, [tabId], { what: 'badge' });
    assert.equal(badge, 'DM');
    const plain = await openWebTab(launcher, 'https://console.eu01.treasuredata.com/app/databases');
    assert.equal(await launcher.eval(async (id) => chrome.action.getBadgeText({ tabId: id }), plain), '');

    const page = await openPopup(browser, `?tab=${tabId}`);
    const shown = await page.eval(() => ({
      detectedVisible: !document.getElementById('td-detected').hidden,
      manualVisible: !document.getElementById('td-manual').hidden,
      region: document.getElementById('td-detected-region').textContent,
      oid: document.getElementById('td-detected-oid').textContent,
    }));
    assert.deepEqual(shown, { detectedVisible: true, manualVisible: false, region: 'EU01 (api.eu01.treasuredata.com)', oid: model.oid });
    await page.fill('#td-key', TREASURE.masterKey);
    await page.click('#td-replace');
    const result = await resultIn(page, 'td-result');
    assert.equal(result.kind, 'ok', result.text);
    assertOnePut(fake, { host: 'api.eu01.treasuredata.com', oid: model.oid, key: TREASURE.masterKey });
    await page.close();
    await launcher.eval(async (ids) => chrome.tabs.remove(ids), [tabId, plain]);
    await launcher.close();
  },

  async 'sends to the region chosen by hand (Tokyo)'({ browser, fake }) {
    const model = DATA_MODELS['api.treasuredata.co.jp'][0];
    const page = await openPopup(browser);
    await page.select('#td-region', 'tokyo');
    await page.fill('#td-oid', model.oid);
    await page.fill('#td-key', TREASURE.masterKey);
    await page.click('#td-replace');
    assert.equal((await resultIn(page, 'td-result')).kind, 'ok');
    assertOnePut(fake, { host: 'api.treasuredata.co.jp', oid: model.oid, key: TREASURE.masterKey });
    await page.close();
  },

  'explains a revoked or expired key (401)': (ctx) =>
    expectFailure(ctx, { oid: US_MODEL.oid, key: TREASURE.expiredKey, code: 'UNAUTHORIZED', mentions: [/401/, /Master key/] }),
  'explains that a Write-only key cannot do this (403)': (ctx) =>
    expectFailure(ctx, { oid: US_MODEL.oid, key: TREASURE.writeOnlyKey, code: 'FORBIDDEN', mentions: [/Write-only/, /Master/] }),
  'explains an unknown data model in this region (404)': (ctx) =>
    expectFailure(ctx, { oid: FAULTS.missing, code: 'NOT_FOUND', mentions: [/region/, new RegExp(FAULTS.missing)] }),
  'explains a server error (500)': (ctx) => expectFailure(ctx, { oid: FAULTS.serverError, code: 'SERVER_ERROR', mentions: [/500/] }),
  'explains an HTML 502 page': (ctx) => expectFailure(ctx, { oid: FAULTS.htmlBadGateway, code: 'SERVER_ERROR', mentions: [/502/, /HTML/] }),
  'never reports success for malformed JSON': (ctx) =>
    expectFailure(ctx, { oid: FAULTS.malformedJson, code: 'UNEXPECTED_RESPONSE', mentions: [/Unexpected response/, /not a JSON object/] }),
  'never reports success when the answer names another data model': (ctx) =>
    expectFailure(ctx, { oid: FAULTS.otherOid, code: 'UNEXPECTED_RESPONSE', mentions: [/different data model/] }),
  'gives up on a server slower than the timeout': (ctx) =>
    expectFailure(ctx, { oid: FAULTS.slow, code: 'TIMEOUT', mentions: [/did not answer within 15 seconds/], timeout: SLOW_ANSWER_MS + 5_000 }),

  async 'refuses bad input with a clear message and sends nothing'({ browser, fake }) {
    const page = await openPopup(browser);
    const good = CONSOLE_URL('console.treasuredata.com', US_MODEL.oid);
    for (const [url, key, code] of [
      [good, '', 'EMPTY_KEY'],
      [good, '4242/0123 456789abcdef0123456789abcdef', 'KEY_HAS_WHITESPACE'],
      [good, '4242/0123456789abcdef0123456789abcdeé', 'KEY_HAS_INVALID_CHARACTERS'],
      [good, 'not-a-key', 'MALFORMED_KEY'],
      [good.replace('https:', 'http:'), TREASURE.masterKey, 'NOT_HTTPS'],
      [good.replace('console.treasuredata.com', 'console.treasuredata.com.evil.example'), TREASURE.masterKey, 'UNKNOWN_CONSOLE_HOST'],
      [good.replace('https://', 'https://console.treasuredata.com@evil.example/x'), TREASURE.masterKey, 'INVALID_URL'],
      [good.replace(US_MODEL.oid, '..%2F..%2Fv3%2Fuser%2Flist'), TREASURE.masterKey, 'INVALID_OID'],
    ]) {
      await page.fill('#td-url', url);
      await page.fill('#td-key', key);
      await page.click('#td-replace');
      const result = await resultIn(page, 'td-result');
      assert.equal(result.code, code, `${url} / ${code}: ${result.text}`);
      assert.equal(result.kind, 'error');
    }
    assert.equal(fake.requests.length, 0, 'no request was sent for bad input');
    await page.close();
  },

  async 'sends one request however fast the button is pressed'({ browser, fake }) {
    const page = await openPopup(browser);
    await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', US_MODEL.oid));
    await page.fill('#td-key', TREASURE.masterKey);
    await page.eval(() => { const b = document.getElementById('td-replace'); b.click(); b.click(); b.click(); });
    assert.equal((await resultIn(page, 'td-result')).kind, 'ok');
    assert.equal(fake.requests.length, 1);
    await page.close();
  },

  async 'remembers the key for the session only when asked, never on disk'({ browser, fake }) {
    let page = await openPopup(browser);
    await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', US_MODEL.oid));
    await page.fill('#td-key', TREASURE.masterKey);
    await page.check('#td-remember');
    await page.click('#td-replace');
    assert.equal((await resultIn(page, 'td-result')).kind, 'ok');
    await page.close();

    page = await openPopup(browser);
    assert.equal(await page.eval(() => document.getElementById('td-key').value), TREASURE.masterKey, 'one click for the next data model');
    assert.equal(await page.eval(() => document.getElementById('td-remember').checked), true);
    await assertNothingSecretPersisted(page, [...KNOWN_SECRETS, ...fake.issuedKeys]);
    await page.check('#td-remember', false);
    await waitFor(page, async () => Object.keys(await chrome.storage.session.get(null)).length === 0, [], { what: 'session cleared' });
    await page.close();

    page = await openPopup(browser);
    assert.equal(await page.eval(() => document.getElementById('td-key').value), '', 'forgotten once unticked');
    await page.close();
    assert.equal(fake.requests.length, 1);
  },

  async 'without opting in, the key is not kept anywhere'({ browser }) {
    const page = await openPopup(browser);
    await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', US_MODEL.oid));
    await page.fill('#td-key', TREASURE.masterKey);
    await page.click('#td-replace');
    assert.equal((await resultIn(page, 'td-result')).kind, 'ok');
    assert.deepEqual(await page.eval(async () => chrome.storage.session.get(null)), {});
    await assertNothingSecretPersisted(page, KNOWN_SECRETS);
    await page.close();
  },
};
