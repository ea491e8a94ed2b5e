// What the popup reads as it starts: its tab, the secrets it may remember and the new keys
// (storage.session), the administrator's settings (managed) and the last seen ones with
// the self-hosted Databrain origins (storage.local), and the granted origins. Every read is
// asked for at once, as popup.js starts in the page's <head>, so the answers travel while
// the core compiles and the page parses.
import { NEW_KEYS_ITEM } from './new-keys.js';
import { grantedSelfHosted } from './permissions.js';
import { managedJson } from './policy.js';

export const LAST_POLICY = 'lastPolicy';

/** The tab the popup acts on: `?tab=<id>` when popped out into a tab, else the active tab. */
async function targetTab() {
  const pinned = Number(new URLSearchParams(location.search).get('tab'));
  if (Number.isInteger(pinned) && pinned > 0) {
    try { return await chrome.tabs.get(pinned); } catch { return null; }
  }
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab ?? null;
}

/** Asks for everything the popup's start-up reads; each answer is a promise. */
export function askStartupReads() {
  const local = /** @type {Promise<StoredItems>} */ (chrome.storage.local.get([LAST_POLICY, 'databrainOrigins']).catch(() => ({})));
  return {
    tab: targetTab(),
    /** One storage.session read serves the remembered secrets and the new keys. */
    session: /** @type {Promise<StoredItems>} */ (chrome.storage.session.get(['treasureKey', 'databrainServiceToken', 'pendingRecovery', NEW_KEYS_ITEM])),
    managed: managedJson(),
    /** The administrator's settings as last seen (JSON, no secret in them), or null. */
    lastPolicy: local.then((items) => items[LAST_POLICY] ?? null),
    databrainOrigins: local.then((items) => items.databrainOrigins ?? []),
    selfHosted: grantedSelfHosted(),
  };
}
