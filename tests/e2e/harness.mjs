// Small helpers shared by the end-to-end cases.
import assert from 'node:assert/strict';

export { assert };

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `fn` in the page until it returns a truthy value. */
export async function waitFor(page, fn, args = [], { timeout = 10_000, what = fn.toString() } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await page.eval(fn, ...args).catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Opens the popup page (optionally `?tab=<id>`) and waits until the core is initialised and
 * the administrator's managed settings have answered (the first page after a browser start
 * is drawn from the last settings seen until then, and drawn again if they differ).
 */
export async function openPopup(browser, query = '') {
  const page = await browser.open(`popup.html${query}`);
  await waitFor(page, () => document.body.dataset.ready === 'true' && document.body.dataset.policy === 'managed', [], { what: 'popup ready' });
  return page;
}

/** Waits for the result box in `boxId` and returns {kind, code, text}. */
export function resultIn(page, boxId, timeout = 10_000) {
  return waitFor(page, (id) => {
    const box = document.getElementById(id);
    if (!box || box.hidden) return null;
    return { kind: box.classList.contains('ok') ? 'ok' : 'error', code: box.dataset.code, text: box.textContent };
  }, [boxId], { timeout, what: `a result in #${boxId}` });
}

/** Everything in storage.local and storage.sync, as seen from an extension page. */
export function persistentStorage(page) {
  return page.eval(async () => ({ local: await chrome.storage.local.get(null), sync: await chrome.storage.sync.get(null) }));
}

/** Fails if any of `secrets` (or a long hex run, the shape of a Treasure secret) is in `text`. */
export function assertNoSecretIn(text, secrets, where) {
  for (const secret of secrets) {
    const bare = secret.includes('/') ? secret.split('/')[1] : secret;
    assert.ok(!text.toLowerCase().includes(bare.toLowerCase()), `a key is in ${where}`);
  }
  assert.ok(!/[0-9a-f]{20}/i.test(text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '')), `a key-like hex run is in ${where}`);
}

/** Persistent storage holds no key: storage.sync is empty, storage.local at most settings and history. */
export async function assertNothingSecretPersisted(page, secrets) {
  const stored = await persistentStorage(page);
  assert.deepEqual(stored.sync, {});
  assert.ok(Object.keys(stored.local).every((name) => ['history', 'databrainOrigins', 'reminders', 'lastPolicy', 'clipboardClearSeconds'].includes(name)), Object.keys(stored.local).join());
  assertNoSecretIn(JSON.stringify(stored), secrets, 'persistent storage');
}

/** Opens a normal web tab from an extension page and returns its tab id once loaded. */
export async function openWebTab(page, url) {
  const id = await page.eval(async (u) => (await chrome.tabs.create({ url: u, active: false })).id, url);
  await waitFor(page, async (tabId) => (await chrome.tabs.get(tabId)).status === 'complete', [id], { what: `tab ${url}` });
  return id;
}
