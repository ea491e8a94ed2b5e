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

/** Chrome: an offscreen document empties the clipboard as it loads (offscreen.js), then is closed. */
async function emptyInOffscreenDocument() {
  if (await chrome.offscreen.hasDocument()) await chrome.offscreen.closeDocument();
  await chrome.offscreen.createDocument({
    url: 'offscreen.html', reasons: [chrome.offscreen.Reason.CLIPBOARD], justification: 'Empties the clipboard after a key was copied',
  });
  // Closed a moment later: closed at once, the document can take the clipboard write still
  // on its way to the browser with it (measured: the key stayed in 3 of 8 runs).
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await chrome.offscreen.closeDocument();
  return true;
}

/** Empties the clipboard now, and forgets the pending timer and alarm. */
async function emptyNow() {
  clearTimeout(timer);
  timer = null;
  await chrome.alarms.clear(ALARM);
  // Firefox's background is a page; Chrome's is a service worker, which has no clipboard.
  // KEYTURN_BROWSER is set by the build (extension/bundle.mjs): each package keeps its own branch only.
  return KEYTURN_BROWSER === 'firefox' ? emptyClipboard(document) : emptyInOffscreenDocument();
}

/** The emptying under way: the timer and the alarm may fire together, and one offscreen document at a time may exist. */
let emptying = /** @type {Promise<boolean> | null} */ (null);

function clearNow() {
  emptying ??= emptyNow().finally(() => { emptying = null; });
  return emptying;
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
    // The alarm a second later: the timer normally comes first and clears it.
    await chrome.alarms.create(ALARM, { when: Date.now() + seconds * 1000 + 1000 });
    timer = setTimeout(() => { clearNow().catch(() => {}); }, seconds * 1000);
    return seconds;
  },
};

/** For chrome.alarms.onAlarm: the alarm that stands in for a timer the browser stopped. */
export function onClipboardAlarm(/** @type {chrome.alarms.Alarm} */ alarm) {
  if (alarm.name === ALARM) clearNow().catch(() => {});
}
