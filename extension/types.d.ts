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
  /** storage.session: the bulk job's meta (background.js); its rows are `bulkJobRow:<index>` items. */
  bulkJob?: BulkJobMeta;
  /** storage.session: the running bulk job's Master key, for its life only (removed when it ends or stops). */
  bulkJobKey?: string;
  /** storage.session: the bulk page's last build check of each replaced row (no secret). */
  bulkBuilds?: Record<string, BuildShown>;
  /** storage.session: a key that may have been lost with its answer (background.js). */
  pendingRecovery?: { since: number; origin: string; kind: 'rotation' | 'creation' };
  /** storage.session, only when the user ticked "remember for this browser session". */
  treasureKey?: string;
  /** storage.session, only when the user ticked "remember for this browser session". */
  databrainServiceToken?: string;
  /** storage.session: the last Databrain key listing's keys (background.js), for "Rotate" and "Use this key". */
  databrainListing?: { origin: string; listing: string };
  /** storage.local: the administrator's settings as last seen (no secret), to draw the first popup from. */
  lastPolicy?: string;
  /** storage.session: new Databrain keys waiting to be saved (new-keys.js). */
  newKeys?: NewKeyEntry[];
}

/** The bulk job's meta item in its journal (background.js); never holds the key. */
interface BulkJobMeta {
  id: string;
  /** 1 for the first launch, one more per "Retry failed". */
  launch: number;
  status: 'running' | 'finished' | 'interrupted';
  total: number;
  counts: { done: number; failed: number; remaining: number };
  stopped?: string;
  stoppedCode?: string;
  invalid: import('./keyturn.js').InvalidLine[];
  duplicates: number;
  startedAt: number;
  /** The background's heartbeat: written at least every second while it sends. */
  beat: number;
  /** How many times the browser stopped the background and the job resumed. */
  interruptions: number;
  resumedAt?: number;
  finishedAt?: number;
  historyRecorded: boolean;
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
  bulk: { start: BulkJobMeta; retry: boolean; stop: boolean; wake: boolean; checkBuilds: Record<string, BuildShown> };
  history: { record: boolean; recordAll: boolean; clear: boolean; settle: boolean };
  reminders: { all: StoredItems['reminders']; add: StoredItems['reminders'][number] | null; remove: boolean; open: string | null };
  newKeys: { unkept: NewKeyEntry[]; forget: boolean };
  clipboard: { clearLater: number };
}

/** What the bulk page sends on a workflow projects load's port (background.js, messages.js). */
type ProjectsLoadAsk = { region: string; key: string } | { stop: true } | { ping: true };
/** What the background answers on it: progress as it goes, then the load's view or its failure. */
type ProjectsLoadAnswer =
  | { progress: import('./keyturn.js').ProjectsProgress }
  | { ok: import('./keyturn.js').ProjectsLoadView }
  | { failure: ShownFailure };
