// Background glue: marks the toolbar button on tabs that show a Treasure data model, so
// the user sees where Keyturn can act. URL parsing is the core's (detectDataModelPage).
import init, { detectDataModelPage } from './keyturn.js';

// No top-level await: Chromium refuses to start a module service worker that uses it.
const coreReady = init();

async function markTab(tabId, url) {
  await coreReady;
  const target = url ? detectDataModelPage(url) : null;
  await chrome.action.setBadgeText({ tabId, text: target ? 'DM' : '' });
  await chrome.action.setTitle({
    tabId,
    title: target ? `Keyturn: data model ${target.oid} (${target.regionLabel})` : 'Keyturn',
  });
}

chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.url || change.status === 'complete') markTab(tabId, tab.url).catch(() => {});
});
