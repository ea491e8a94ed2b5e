// Security, end to end in both browsers (issue 19): what an attacker's review found, each
// reproduced and shown fixed. No key in the profile directory after a revealed key and a
// browser close (a forensic grep, Firefox's compressed session store included); a full
// session storage never loses a rotated key; hosts held for Treasure or the Databrain cloud
// are never a self-hosted Databrain; CSV exports no spreadsheet can run; an endless answer
// is abandoned at the cap; a server's echo of the key is never shown or stored; the
// background answers only its own calls; the clipboard is emptied after Copy.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import lz4 from 'lz4js';
import { assert, assertNoSecretIn, openPopup, resultIn, sleep, waitFor } from './harness.mjs';
import { launchChromium, launchFirefox } from './browsers.mjs';
import { writePolicy } from './policies.mjs';
import { CONSOLE_URL, DATABRAIN, FAULTS, TREASURE, generatedOid } from './scenarios.mjs';
import { exported } from './history.cases.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const extensionDirOf = (browserName) => path.join(root, 'dist', browserName === 'chromium' ? 'chrome' : 'firefox');

/**
 * What `read` gives, or `fallback` when the file or folder is gone: a running browser writes
 * through temporary files it renames (`.org.chromium.Chromium.Local State.XXXX`), which can
 * vanish between listing and reading; their bytes are then searched under their final name.
 */
function unlessGone(read, fallback) {
  try {
    return read();
  } catch (error) {
    if (error.code === 'ENOENT') return fallback;
    throw error;
  }
}

/** Every file under `dir`. */
const filesUnder = (dir) => unlessGone(() => readdirSync(dir, { withFileTypes: true }), []).flatMap((entry) => {
  const file = path.join(dir, entry.name);
  return entry.isDirectory() ? filesUnder(file) : entry.isFile() ? [file] : [];
});

/**
 * A file's bytes as a forensic grep would search them: as they are, and for Firefox's
 * mozLz4 files (the session store: `mozLz40\0`, the decompressed size, one LZ4 block)
 * decompressed too.
 */
function searchableBytes(file) {
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 8).toString('latin1') !== 'mozLz40\0') return [bytes];
  const out = Buffer.alloc(bytes.readUInt32LE(8));
  const length = lz4.decompressBlock(bytes, out, 12, bytes.length - 12, 0);
  return [bytes, out.subarray(0, length)];
}

/** The files under `dir` holding any of `secrets` (as UTF-8 or UTF-16, any case of a UUID). */
function filesHolding(dir, secrets) {
  const needles = secrets.flatMap((secret) => [secret, secret.toUpperCase()])
    .flatMap((text) => [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le')]);
  return filesUnder(dir).filter((file) => unlessGone(() => searchableBytes(file), [])
    .some((bytes) => needles.some((needle) => bytes.includes(needle))));
}

/** A browser of its own for a case that closes it (or needs its own start-up), with the suite's extension build. */
function launchOwn(browserName, { extensionDir = extensionDirOf(browserName), prefs } = {}) {
  return browserName === 'chromium' ? launchChromium({ extensionDir }) : launchFirefox({ extensionDir, prefs });
}

/** The Databrain tab of a popup opened as a tab, as a reminder opens it. */
async function openDatabrainTab(browser) {
  const page = await openPopup(browser, '?service=databrain');
  await waitFor(page, () => !document.getElementById('panel-databrain').hidden, [], { what: 'Databrain form' });
  return page;
}

/** Rotates `key` with the default grace period and waits for the outcome. */
async function rotate(page, key) {
  await page.fill('#db-key', key);
  await page.click('#db-rotate');
  return resultIn(page, 'db-result');
}

/** The new keys shown: [{value, type, autocomplete, kept, text}]. */
const shownNewKeys = (page) => page.eval(() => (document.getElementById('new-keys').hidden ? [] : [...document.querySelectorAll('#new-key-list li')].map((li) => ({
  value: li.querySelector('input').value, type: li.querySelector('input').type, autocomplete: li.querySelector('input').getAttribute('autocomplete'),
  kept: li.dataset.kept !== 'false', text: li.textContent,
}))));

/** The session storage's quota, filled but for `room` bytes (Chrome and Firefox both count 10 MB). */
async function fillSessionStorage(page, room) {
  return page.eval(async (left) => {
    const area = chrome.storage.session;
    const quota = area.QUOTA_BYTES ?? 10 * 1024 * 1024;
    const used = await area.getBytesInUse(null);
    // An item counts as its name plus its value's JSON: the string's two quotes included.
    const size = quota - used - left - 'filler'.length - 2;
    await area.set({ filler: 'x'.repeat(size) });
    return { quota, used: await area.getBytesInUse(null) };
  }, room);
}

/**
 * Chooses 10 s on the options page, rotates, presses Copy (optionally stopping the
 * background right after, as the browser may) and watches the clipboard: the key is there,
 * then, 10 s after Copy and not before, the clipboard is empty.
 */
async function copyAndWatchTheClipboard({ browser, fake }, { stopBackground }) {
  const options = await browser.open('options.html');
  await waitFor(options, () => document.body.dataset.ready === 'true', [], { what: 'options page' });
  assert.equal(await options.eval(() => document.getElementById('clipboard-clear').value), '60', 'a minute unless chosen otherwise');
  await options.select('#clipboard-clear', '10');
  await waitFor(options, async () => (await chrome.storage.local.get('clipboardClearSeconds')).clipboardClearSeconds === 10, [], { what: 'choice saved' });
  await options.close();
  const page = await openDatabrainTab(browser);
  try {
    assert.equal((await rotate(page, DATABRAIN.activeKey)).kind, 'ok');
    const [issued] = fake.issuedKeys;
    await waitFor(page, () => document.querySelector('#new-key-list li button.copy'), [], { what: 'Copy' });
    await page.click('#new-key-list li button.copy');
    const copiedAt = Date.now();
    const status = await waitFor(page, () => document.querySelector('#new-key-list li p.hint').textContent, [], { what: 'copied' });
    assert.match(status, /empties the clipboard in 10 seconds/);
    if (stopBackground) await browser.stopBackground();
    assert.equal(await browser.readClipboard(), issued, 'Copy put the key on the clipboard');
    for (;;) {
      const text = await browser.readClipboard();
      if (text !== issued) {
        assert.equal(text, '', 'the clipboard is empty');
        assert.ok(Date.now() - copiedAt >= 9_500, `emptied after ${Date.now() - copiedAt} ms`);
        break;
      }
      if (Date.now() - copiedAt > 14_000) assert.fail('the key is still on the clipboard 14 s after Copy');
      await sleep(250);
    }
    await page.click('#new-key-list li button.saved');
  } finally {
    await page.eval(() => chrome.storage.local.remove('clipboardClearSeconds'));
    await page.close();
  }
}

const CSV_NAMES = ['x;=1+1', ' =1+1', '\u00a0=1+1', '＝1+1', '@SUM(A1)'];

export const securityCases = {
  async 'a revealed key reaches no file of the profile, during the session or after the browser closed'({ browser: suiteBrowser, fake }) {
    // Its own browser, closed in the middle of the case; Firefox writes its session store every second.
    const browser = await launchOwn(suiteBrowser.name, { prefs: { 'browser.sessionstore.interval': 1000 } });
    let closed = false;
    try {
      // The popup in a tab, as "Open in a tab" and a Databrain reminder open it.
      const page = await openDatabrainTab(browser);
      // A control: text typed in an ordinary field (no autocomplete="off"), which the browser
      // does keep for session restore, so the search below is seen to look where a key would be.
      const control = `control-${Date.now()}`;
      await page.fill('#db-rotate-app', control);
      await page.click('#db-service summary');
      await page.fill('#db-token', DATABRAIN.serviceToken);
      await page.click('button.toggle[data-toggles="db-token"]');
      await page.fill('#db-key', DATABRAIN.activeKey);
      await page.click('button.toggle[data-toggles="db-key"]');
      assert.deepEqual(await page.eval(() => ['db-key', 'db-token'].map((id) => document.getElementById(id).type)), ['text', 'text'], 'the typed secrets are shown');
      assert.equal((await rotate(page, DATABRAIN.activeKey)).kind, 'ok');
      const [issued] = fake.issuedKeys;
      await waitFor(page, () => document.querySelector('#new-key-list li input'), [], { what: 'the new key' });
      await page.click('#new-key-list li button.toggle');
      const [shown] = await shownNewKeys(page);
      assert.deepEqual([shown.value, shown.type, shown.autocomplete], [issued, 'text', 'off'], 'the new key is shown, as a field the browser keeps no copy of');
      await page.click('#tab-treasure');
      await page.fill('#td-key', TREASURE.masterKey);
      await page.click('button.toggle[data-toggles="td-key"]');
      // Chromium saves a tab's session every few seconds, Firefox every second here.
      await sleep(6_000);
      const secrets = [DATABRAIN.activeKey, DATABRAIN.serviceToken, TREASURE.masterKey.split('/')[1], issued];
      assert.deepEqual(filesHolding(browser.profile, secrets).map((file) => path.relative(browser.profile, file)), [], 'no key in the profile while it is shown');
      await page.click('#tab-databrain');
      await page.click('#new-key-list li button.saved');
      await waitFor(page, () => document.getElementById('new-keys').hidden, [], { what: 'key saved' });
      await sleep(2_000);
      await browser.close({ keepProfile: true });
      closed = true;
      // As a forensic check would: every file of the profile, Firefox's session store decompressed.
      const holding = filesHolding(browser.profile, secrets).map((file) => path.relative(browser.profile, file));
      assert.deepEqual(holding, [], 'no key (old, new, token) in any file of the profile after the browser closed');
      const sessionFiles = filesUnder(browser.profile).filter((file) => /Sessions|sessionstore/.test(file));
      assert.ok(sessionFiles.length > 0, 'the browser wrote its session store');
      assert.ok(filesHolding(browser.profile, [control]).length > 0, 'the search finds what the session store keeps of a page (the control)');
      console.log(`        (${browser.name}: searched ${filesUnder(browser.profile).length} files, ${sessionFiles.length} of the session store)`);
    } finally {
      if (!closed) await browser.close({ keepProfile: true });
      rmSync(browser.profile, { recursive: true, force: true });
    }
  },

  async 'a nearly full session storage still yields a shown, copyable key after a rotation'({ browser, fake }) {
    const page = await openDatabrainTab(browser);
    const filled = await fillSessionStorage(page, 100);
    try {
      assert.ok(filled.used > filled.quota - 200, JSON.stringify(filled));
      const result = await rotate(page, DATABRAIN.activeKey);
      // Databrain rotated the key: that is the outcome, never "something went wrong".
      assert.equal(result.kind, 'ok', result.text);
      assert.match(result.text, /Key rotated/);
      assert.match(result.text, /could not keep the new key/);
      const [issued] = fake.issuedKeys;
      const shown = await shownNewKeys(page);
      assert.deepEqual(shown.map((key) => [key.value, key.kept]), [[issued, false]], 'the key is shown though not kept');
      assert.match(shown[0].text, /Not kept: the browser's session storage is full/);
      assert.match(shown[0].text, /Copy it and save it now/);
      assert.equal(await page.eval(() => document.querySelectorAll('#new-key-list li button.copy').length), 1, 'copyable');
      // The history says it succeeded, with the new key's fingerprint.
      const record = await page.eval(async () => (await chrome.storage.local.get('history')).history[0]);
      assert.deepEqual([record.outcome, record.issued], ['success', `…${issued.slice(-4)}`]);
      // A popup opened meanwhile still finds it, in the background's memory.
      const again = await openDatabrainTab(browser);
      await waitFor(again, () => document.querySelectorAll('#new-key-list li').length === 1, [], { what: 'the unkept key in a new popup' });
      assert.deepEqual((await shownNewKeys(again)).map((key) => [key.value, key.kept]), [[issued, false]]);
      await again.click('#new-key-list li button.saved');
      await waitFor(again, () => document.getElementById('new-keys').hidden, [], { what: 'saved' });
      await again.close();
      const third = await openDatabrainTab(browser);
      await sleep(300);
      assert.deepEqual(await shownNewKeys(third), [], 'once saved, forgotten');
      await third.close();
    } finally {
      await page.eval(() => chrome.storage.session.remove('filler'));
    }
    await page.close();
  },

  async 'a Treasure host and the Databrain cloud are refused as self-hosted on the options page, and nothing is asked'({ browser, fake }) {
    const page = await browser.open('options.html');
    await waitFor(page, () => document.body.dataset.ready === 'true', [], { what: 'options page' });
    for (const origin of ['https://api.treasuredata.com', 'https://console.eu01.treasuredata.com/', 'https://API.usedatabrain.com', 'https://app.usedatabrain.com:8443']) {
      await page.fill('#origin', origin);
      await page.click('#add-origin');
      const result = await resultIn(page, 'origin-result');
      assert.equal(result.code, 'ORIGIN_OF_ANOTHER_SERVICE', `${origin}: ${result.text}`);
      assert.match(result.text, /can never be a self-hosted Databrain/);
      await page.eval(() => { document.getElementById('origin-result').hidden = true; });
    }
    assert.deepEqual((await page.eval(async () => chrome.storage.local.get('databrainOrigins'))).databrainOrigins ?? [], [], 'none was added');
    // One stored before Keyturn refused them is marked, not offered as granted though the manifest grants it.
    await page.eval(() => chrome.storage.local.set({ databrainOrigins: ['https://api.treasuredata.com'] }));
    await page.reload();
    await waitFor(page, () => document.querySelector('#origins li'), [], { what: 'stored origin listed' });
    const listed = await page.eval(() => ({ text: document.querySelector('#origins li').textContent, refused: document.querySelector('#origins li').dataset.refused }));
    assert.equal(listed.refused, 'ORIGIN_OF_ANOTHER_SERVICE');
    assert.match(listed.text, /refused/);
    const popup = await openDatabrainTab(browser);
    const offered = await popup.eval(() => [...document.getElementById('db-origin').options].map((option) => option.value));
    assert.deepEqual(offered, [DATABRAIN.origin], 'the popup offers only the cloud');
    // Even asked directly, the background sends no Databrain key to a Treasure host.
    const answer = await popup.eval((key) => chrome.runtime.sendMessage({ service: 'databrain', call: 'rotate', args: { origin: 'https://api.treasuredata.com', key, grace: 3600, confirmedImmediate: false } }), DATABRAIN.activeKey);
    assert.equal(answer.failure?.code, 'ORIGIN_OF_ANOTHER_SERVICE', JSON.stringify(answer));
    assert.deepEqual(fake.requests, [], 'nothing was sent anywhere');
    await popup.close();
    await page.click('#origins li button');
    await waitFor(page, async () => ((await chrome.storage.local.get('databrainOrigins')).databrainOrigins ?? []).length === 0, [], { what: 'removed' });
    await page.close();
  },

  async 'a Treasure host and the Databrain cloud are refused as self-hosted by policy'({ browser: suiteBrowser, fake }) {
    // Its own start-up with a policy. Chromium keys a policy by extension id, which comes from
    // the unpacked directory, so a copy of the build gets its own and the suite's is untouched.
    const copy = mkdtempSync(path.join(tmpdir(), 'keyturn-policy-'));
    cpSync(extensionDirOf(suiteBrowser.name), copy, { recursive: true });
    const removePolicy = writePolicy(suiteBrowser.name, copy, {
      databrainOrigins: ['https://api.treasuredata.com', 'https://console.treasuredata.co.jp', 'https://api.usedatabrain.com', 'https://databrain.example.com'],
    });
    let browser;
    try {
      browser = await launchOwn(suiteBrowser.name, { extensionDir: copy });
      const page = await browser.open('options.html');
      await waitFor(page, () => document.body.dataset.ready === 'true' && !document.getElementById('policy-notices').hidden, [], { what: 'policy notices' });
      const notices = await page.eval(() => [...document.querySelectorAll('#policy-notice-list li')].map((li) => li.textContent));
      assert.equal(notices.length, 3, JSON.stringify(notices));
      assert.match(notices[0], /databrainOrigins\[0\].*api\.treasuredata\.com is a Treasure Data host/);
      assert.match(notices[1], /databrainOrigins\[1\].*console\.treasuredata\.co\.jp is a Treasure Data host/);
      assert.match(notices[2], /databrainOrigins\[2\].*is the Databrain cloud/);
      const managed = await page.eval(() => [...document.querySelectorAll('#origins li[data-managed]')].map((li) => li.textContent));
      assert.equal(managed.length, 1, JSON.stringify(managed));
      assert.match(managed[0], /databrain\.example\.com/);
      await page.close();
      const popup = await openDatabrainTab(browser);
      const offered = await popup.eval(() => [...document.getElementById('db-origin').options].map((option) => option.value));
      assert.deepEqual(offered, [DATABRAIN.origin, 'https://databrain.example.com'], 'a held host is never offered');
      await popup.close();
      assert.deepEqual(fake.requests, []);
    } finally {
      await browser?.close();
      removePolicy();
      rmSync(copy, { recursive: true, force: true });
    }
  },

  async 'the history and bulk CSV of hostile data model names open as text'({ browser, fake }) {
    const oids = CSV_NAMES.map((_, i) => generatedOid(900 + i));
    fake.nameModels(Object.fromEntries(oids.map((oid, i) => [oid, CSV_NAMES[i]])));
    // One by one in the popup: the history's targets name each data model.
    const page = await openPopup(browser);
    for (const oid of oids) {
      await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', oid));
      await page.fill('#td-key', TREASURE.masterKey);
      await page.click('#td-replace');
      await waitFor(page, (o) => document.getElementById('td-result').dataset.code === 'OK'
        && document.querySelector('#td-open-console')?.href.endsWith(o), [oid], { what: `replaced ${oid}` });
    }
    await page.close();
    const history = await browser.open('history.html');
    await waitFor(history, () => document.body.dataset.ready === 'true' && document.querySelectorAll('#history-table tbody tr').length >= 5, [], { what: 'history' });
    const csv = await exported(history, 'history-csv');
    await history.close();
    // Newest first. Every field quoted; the one whose target has a formula after a separator is defused.
    const targets = csv.split('\r\n').slice(1, 6).reverse().map((row) => row.split('","')[3]);
    assert.deepEqual(targets, [`'${oids[0]} (x;=1+1)`, `${oids[1]} (=1+1)`, `${oids[2]} (=1+1)`, `${oids[3]} (＝1+1)`, `${oids[4]} (@SUM(A1))`], csv);

    // All at once on the bulk page: each name in a field of its own.
    fake.requests.length = 0;
    const bulk = await browser.open('bulk.html');
    await waitFor(bulk, () => document.body.dataset.ready === 'true', [], { what: 'bulk page' });
    await bulk.eval(() => { document.getElementById('bulk-paste').open = true; });
    await bulk.select('#bulk-region', 'us');
    await bulk.fill('#bulk-lines', oids.join('\n'));
    await waitFor(bulk, (n) => document.getElementById('bulk-count').dataset.sendable === String(n), [oids.length], { what: 'rows to send' });
    await bulk.fill('#bulk-key', TREASURE.masterKey);
    await bulk.click('#bulk-start');
    await waitFor(bulk, () => document.getElementById('bulk-run').dataset.running === 'false'
      && document.getElementById('bulk-counts').textContent.includes('Finished'), [], { timeout: 20_000, what: 'run finished' });
    await bulk.click('#bulk-export');
    const bulkCsv = await waitFor(bulk, async () => {
      const link = document.getElementById('bulk-csv-link');
      return link.href ? (await fetch(link.href)).text() : null;
    }, [], { what: 'bulk CSV' });
    await bulk.close();
    assert.equal(fake.requests.length, oids.length);
    // The exact bytes: each name as Keyturn keeps it (server_text: blanks around it trimmed),
    // quoted, and defused with a leading '.
    const rows = bulkCsv.split('\r\n').slice(1, 1 + oids.length);
    const expected = ['"\'x;=1+1"', '"\'=1+1"', '"\'=1+1"', '"\'＝1+1"', '"\'@SUM(A1)"'].map((name, i) => `"${oids[i]}","US",${name},"replaced","","data_model","",""`);
    assert.deepEqual([...rows].sort(), [...expected].sort(), bulkCsv);
  },

  async 'an endless chunked answer is abandoned within a second of the cap'({ browser, fake }) {
    const page = await openPopup(browser);
    await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', FAULTS.endless));
    await page.fill('#td-key', TREASURE.masterKey);
    await page.click('#td-replace');
    const result = await resultIn(page, 'td-result', 14_000);
    assert.equal(result.code, 'UNEXPECTED_RESPONSE', result.text);
    assert.match(result.text, /more than 2 MB/);
    const stream = await fake.endlessAnswer;
    assert.ok(stream.passedCap, 'the fake sent past the cap');
    assert.ok(stream.closed - stream.passedCap < 1_000, `the connection closed ${stream.closed - stream.passedCap} ms after the cap (${stream.sent} bytes sent)`);
    console.log(`        (${browser.name}: abandoned ${stream.closed - stream.passedCap} ms after the cap, ${(stream.sent / 1024 / 1024).toFixed(1)} MB sent)`);
    assert.equal(fake.requests.length, 1);
    await page.close();
  },

  async 'a server echoing the key never shows or stores it'({ browser, fake }) {
    const page = await openPopup(browser);
    const replace = async (oid) => {
      await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', oid));
      await page.fill('#td-key', TREASURE.masterKey);
      await page.click('#td-replace');
      return waitFor(page, (o) => {
        const box = document.getElementById('td-result');
        return !box.hidden && box.dataset.code && box.textContent.length > 0 && (box.dataset.code !== 'OK' || box.textContent.includes('sales')) && o
          && { code: box.dataset.code, text: box.textContent };
      }, [oid], { what: `answer for ${oid}` });
    };
    const refused = await replace(FAULTS.echoKeyError);
    assert.equal(refused.code, 'CLIENT_ERROR');
    assert.match(refused.text, /apikey \[key removed\] is not allowed here/);
    const named = await replace(FAULTS.echoKeyName);
    assert.equal(named.code, 'OK');
    assert.match(named.text, /sales \[key removed\]/);
    await page.click('#tab-databrain');
    const rotated = await rotate(page, DATABRAIN.echoKey);
    assert.equal(rotated.code, 'UNKNOWN_API_ERROR');
    assert.match(rotated.text, /LOCKED_\[key removed\]: Key \[key removed\] is locked/);
    const secrets = [TREASURE.masterKey, DATABRAIN.echoKey];
    assertNoSecretIn(await page.eval(() => document.body.textContent), secrets, 'the popup');
    const stored = await page.eval(async () => JSON.stringify([await chrome.storage.local.get(null), await chrome.storage.session.get(null)]));
    assertNoSecretIn(stored, secrets, 'storage.local and storage.session');
    const history = await page.eval(async () => (await chrome.storage.local.get('history')).history.slice(0, 3).map((entry) => entry.target));
    assert.equal(history[1], `${FAULTS.echoKeyName} (sales [key removed])`);
    await page.close();
  },

  async 'the background answers only its own calls, nothing inherited'({ browser, fake }) {
    const page = await openPopup(browser);
    const answers = await page.eval(async () => {
      const ask = (service, call) => chrome.runtime.sendMessage({ service, call, args: {} }).then((answer) => answer ?? null, (error) => ({ rejected: String(error) }));
      return {
        constructor: await ask('databrain', 'constructor'),
        toString: await ask('history', 'toString'),
        hasOwnProperty: await ask('reminders', 'hasOwnProperty'),
        proto: await ask('__proto__', 'constructor'),
        objectConstructor: await ask('constructor', 'constructor'),
        unknown: await ask('databrain', 'nothing'),
        own: await ask('databrain', 'dismissRecovery'),
      };
    });
    for (const [name, answer] of Object.entries(answers)) {
      if (name === 'own') assert.deepEqual(answer, { ok: true });
      else assert.ok(!(answer && 'ok' in answer), `${name}: ${JSON.stringify(answer)}`);
    }
    assert.deepEqual(fake.requests, []);
    await page.close();
  },

  'the clipboard is emptied the chosen time after Copy': (ctx) => copyAndWatchTheClipboard(ctx, { stopBackground: false }),
  'the clipboard is emptied even when the browser stops the background meanwhile': (ctx) => copyAndWatchTheClipboard(ctx, { stopBackground: true }),
};
