// Declarations for what the build adds to the extension scripts (extension/bundle.mjs).

/** The popup's build of the core, bundled into popup.js as base64 (esbuild's base64 loader). */
declare module '*.wasm' {
  const base64: string;
  export default base64;
}

/** The browser a package is built for (extension/bundle.mjs), so each leaves out the other's APIs. */
declare const KEYTURN_BROWSER: 'chrome' | 'firefox';

/** What Keyturn keeps in storage.local and storage.session (no key in storage.local). */
interface StoredItems {
  /** storage.local: the rotation history, newest first. */
  history?: import('./keyturn.js').HistoryEntry[];
  /** storage.local: the expiry reminders, each with the id its alarms are named by. */
  reminders?: (import('./keyturn.js').Reminder & { id: string })[];
  /** storage.local: the self-hosted Databrain origins the user added. */
  databrainOrigins?: string[];
  /** storage.local: seconds after Copy that the clipboard is emptied, 0 never (clipboard.js). */
  clipboardClearSeconds?: number;
  /** storage.session: the bulk run (no key), and whether the background is running it. */
  bulkRun?: import('./keyturn.js').BulkRunView & { running: boolean };
  /** storage.session: the bulk page's last build check of each replaced row (no secret). */
  bulkBuilds?: Record<string, BuildShown>;
  /** storage.session: a key that may have been lost with its answer (background.js). */
  pendingRecovery?: { since: number; origin: string; kind: 'rotation' | 'creation' };
  /** storage.session, only when the user ticked "remember for this browser session". */
  treasureKey?: string;
  /** storage.session, only when the user ticked "remember for this browser session". */
  databrainServiceToken?: string;
  /** storage.session: new Databrain keys waiting to be saved (new-keys.js). */
  newKeys?: NewKeyEntry[];
}

/** A build check as the bulk page keeps it: the core's verdict, or the failure of the check. */
type BuildShown = import('./keyturn.js').BuildCheck | { verdict: 'error'; code: string; message: string };

/** A new Databrain key waiting for "I have saved it" (new-keys.js). */
interface NewKeyEntry {
  id: string;
  key: string;
  origin: string;
  source: 'rotation' | 'creation' | 'recovery';
  issuedAt: number;
  oldKeyExpiresAt?: number;
  label?: string;
  /** false: storage.session refused it; held in the background's memory only (new-keys.js). */
  kept?: false;
}

/** A failure as the pages show it: the core's, plus what the background adds to a Databrain one. */
type ShownFailure = import('./keyturn.js').Failure & { recovery?: StoredItems['pendingRecovery'] };

/** What each call into the background resolves to (background.js `services`; messages.js). */
interface BackgroundCalls {
  databrain: {
    rotate: NewKeyEntry;
    rotateListed: NewKeyEntry;
    list: import('./keyturn.js').ListedKeyView[];
    create: NewKeyEntry;
    recover: NewKeyEntry;
    dismissRecovery: boolean;
  };
  bulk: { start: import('./keyturn.js').BulkRunView; retry: boolean };
  history: { record: boolean; recordAll: boolean; clear: boolean; settle: boolean };
  reminders: { all: StoredItems['reminders']; add: StoredItems['reminders'][number] | null; remove: boolean; open: string | null };
  newKeys: { unkept: NewKeyEntry[]; forget: boolean };
  clipboard: { clearLater: number };
}
