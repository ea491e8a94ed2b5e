// Empties the clipboard a chosen time after Copy put a key on it (the options page's
// choice, storage.local `clipboardClearSeconds`), as Bitwarden's extension offers. The
// popup usually closes as soon as the user clicks where the key goes, so the background
// does it: a timer while it lives, and an alarm in case the browser stops it meanwhile
// (the alarm wakes it; whichever comes first empties the clipboard, the other finds nothing
// to do). Keyturn cannot read the clipboard (it asks for no permission to), so it empties
// it whatever it holds by then.
//
// No side effect on import: offscreen.js imports emptyClipboard in a document that has
// no chrome.alarms.

/** The storage.local item with the chosen delay, in seconds (0: never). */
export const CLEAR_SETTING = 'clipboardClearSeconds';
/** The delays offered, in seconds; 0 is never. */
export const CLEAR_CHOICES = [0, 10, 20, 30, 60, 120, 300];
/** Without a choice: a minute, enough to paste the key once (Keyturn keeps it until "I have saved it"). */
export const DEFAULT_CLEAR_SECONDS = 60;
const ALARM = 'keyturn:clear-clipboard';

/** The chosen delay in seconds (0: never), the default when none or no valid one is stored. */
export async function clearDelaySeconds() {
  const { [CLEAR_SETTING]: seconds } = /** @type {StoredItems} */ (await chrome.storage.local.get(CLEAR_SETTING));
  return CLEAR_CHOICES.includes(seconds) ? seconds : DEFAULT_CLEAR_SECONDS;
}

/**
 * Empties the clipboard from a document (Firefox's background page, or Chrome's offscreen
 * document): a copy whose data is set to empty text. Needs the clipboardWrite permission,
 * since no user gesture is involved. Resolves to whether the browser ran the copy.
 * @param {Document} doc
 */
export function emptyClipboard(doc) {
  const empty = (/** @type {ClipboardEvent} */ event) => {
    event.clipboardData.setData('text/plain', '');
    event.preventDefault();
  };
  doc.addEventListener('copy', empty);
  try {
    return doc.execCommand('copy');
  } finally {
    doc.removeEventListener('copy', empty);
  }
}

let timer = /** @type {ReturnType<typeof setTimeout> | null} */ (null);

/** Empties the clipboard now, and forgets the pending timer and alarm. */
async function clearNow() {
  clearTimeout(timer);
  timer = null;
  await chrome.alarms.clear(ALARM);
  // Firefox's background is a page; Chrome's is a service worker, which has no clipboard:
  // an offscreen document empties it as it loads (offscreen.js), then is closed.
  if (typeof document !== 'undefined') return emptyClipboard(document);
  if (await chrome.offscreen.hasDocument()) await chrome.offscreen.closeDocument();
  await chrome.offscreen.createDocument({
    url: 'offscreen.html', reasons: [chrome.offscreen.Reason.CLIPBOARD], justification: 'Empties the clipboard after a key was copied',
  });
  await chrome.offscreen.closeDocument();
  return true;
}

/** The background's calls (background.js `services.clipboard`). */
export const clipboardCalls = {
  /** Copy put a key on the clipboard: empty it after the chosen delay. Resolves to the delay in seconds (0: never). */
  async clearLater() {
    const seconds = await clearDelaySeconds();
    clearTimeout(timer);
    timer = null;
    await chrome.alarms.clear(ALARM);
    if (seconds === 0) return 0;
    await chrome.alarms.create(ALARM, { when: Date.now() + seconds * 1000 });
    timer = setTimeout(() => { clearNow().catch(() => {}); }, seconds * 1000);
    return seconds;
  },
};

/** For chrome.alarms.onAlarm: the alarm that stands in for a timer the browser stopped. */
export function onClipboardAlarm(/** @type {chrome.alarms.Alarm} */ alarm) {
  if (alarm.name === ALARM) clearNow().catch(() => {});
}
