// Background glue. Two jobs, both delegating every decision to the Rust core:
// 1. mark the toolbar button on tabs that show a Treasure data model;
// 2. run Databrain calls that issue keys (and the listing they use), so that a new key is
//    kept in storage.session even when the popup closes while the request is in flight.
import init, * as core from './keyturn.js';
import { keepNewKey } from './new-keys.js';

// No top-level await: Chromium refuses to start a module service worker that uses it.
const coreReady = init();

async function markTab(tabId, url) {
  await coreReady;
  const target = url ? core.detectDataModelPage(url) : null;
  await chrome.action.setBadgeText({ tabId, text: target ? 'DM' : '' });
  await chrome.action.setTitle({
    tabId,
    title: target ? `Keyturn: data model ${target.oid} (${target.regionLabel})` : 'Keyturn',
  });
}

chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.url || change.status === 'complete') markTab(tabId, tab.url).catch(() => {});
});

/** Origins the browser has granted: the core only sends to these (besides the cloud API). */
async function grantedOrigins() {
  return (await chrome.permissions.getAll()).origins ?? [];
}

const databrain = {
  async rotate({ origin, key, grace, confirmedImmediate }) {
    const rotated = await core.rotateDatabrainKey(origin, await grantedOrigins(), key, grace, confirmedImmediate);
    return keepNewKey({ key: rotated.key, origin, source: 'rotation', oldKeyExpiresAt: rotated.oldKeyExpiresAt });
  },
  async rotateListed({ origin, index, grace, confirmedImmediate }) {
    const rotated = await core.rotateListedDatabrainKey(origin, await grantedOrigins(), index, grace, confirmedImmediate);
    return keepNewKey({ key: rotated.key, origin, source: 'rotation', oldKeyExpiresAt: rotated.oldKeyExpiresAt });
  },
  async list({ origin, token, app }) {
    return core.listDatabrainKeys(origin, await grantedOrigins(), token, app);
  },
  async create({ origin, token, app, label }) {
    const created = await core.createDatabrainKey(origin, await grantedOrigins(), token, app, label);
    return keepNewKey({ key: created.key, origin, source: 'creation', label });
  },
};

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  const run = sender.id === chrome.runtime.id && databrain[message?.databrain];
  if (!run) return false;
  coreReady
    .then(() => run(message.args))
    .then((value) => reply({ ok: value }), (failure) => reply({ failure }));
  return true; // the reply comes asynchronously
});
