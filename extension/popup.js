// Popup glue: DOM wiring and chrome.* calls only. Every decision about URLs, keys,
// requests and answers is made by the Rust core (keyturn.js / keyturn_bg.wasm).
// Databrain calls that issue keys run in the background (background.js), so a new key
// is kept even if this popup closes mid-request.
// The popup's build of the core (what it is drawn with), as base64, bundled into this script
// (extension/bundle.mjs); its actions come from the full core, loaded once it is drawn.
import * as core from './core.js';
import coreWasm from './keyturn_bg.wasm';
import { fullCore } from './full-core.js';
import { acknowledgeNewKey, newKeysIn, onNewKeysChanged } from './new-keys.js';
import { askBackground } from './messages.js';
import { LAST_POLICY, askStartupReads } from './startup-reads.js';
import { $, hideResult, onClick, onSubmit, remindControl, showFailure, showResult } from './ui.js';
import { asFailure, buildText, failureText, localize, regionName, t } from './i18n.js';
import { onPolicyChanged } from './policy.js';

// Until start() has wired the forms, a submit (a click or Enter as soon as the popup shows)
// is held here and replayed once they work: nothing typed is lost. The forms are
// `method="dialog"` too, so no submit can ever reload the popup.
const heldSubmits = new Set();
const holdSubmit = (event) => {
  event.preventDefault();
  event.stopImmediatePropagation();
  heldSubmits.add(/** @type {HTMLFormElement} */ (event.target));
};
document.addEventListener('submit', holdSubmit, true);

// This script runs in the page's <head> (popup.html says why), before the page has parsed.
// Everything start-up reads is asked for at once, first; the core is compiled after (it
// holds this thread for a moment), so the popup is ready when the slowest answer is in
// rather than after all of them in turn, and the page parses while they travel.
const reads = askStartupReads();
const tabReady = reads.tab;
const sessionItems = reads.session;
const managedReady = reads.managed;
// The administrator's settings as last seen (no secret in them): the managed area answers
// in milliseconds, except on the first page after the browser starts, when Chromium's
// policy service takes about 2 s. The popup is drawn from this meanwhile (the background
// keeps it current at every start and change); every action checks the managed answer
// itself before it sends anything.
const lastPolicy = reads.lastPolicy;
// With none seen yet (the first popup after installing), wait this long for the managed answer.
const MANAGED_WAIT_MS = 10;
const databrainOriginsReady = Promise.all([reads.databrainOrigins, reads.selfHosted]);
const coreReady = core.startCore(coreWasm);

/**
 * An opt-in "remember for this browser session" for a secret field: storage.session only
 * (memory, trusted extension contexts), never storage.local or storage.sync.
 * @param {string} inputId
 * @param {string} checkboxId
 * @param {'treasureKey' | 'databrainServiceToken'} item
 */
function sessionMemory(inputId, checkboxId, item, allowed) {
  // The administrator may forbid it: then the box is not offered and nothing is kept.
  $(checkboxId).closest('label').hidden = !allowed;
  $(checkboxId).addEventListener('change', async () => {
    if (!$(checkboxId).checked) await chrome.storage.session.remove(item);
  });
  return {
    async restore() {
      if (!allowed) return;
      const { [item]: value } = await sessionItems;
      if (value) {
        $(inputId).value = value;
        $(checkboxId).checked = true;
      }
    },
    /** Called with the secret the service just accepted: only a working secret is worth keeping. */
    async keepIfAsked(accepted) {
      if (allowed && $(checkboxId).checked) await chrome.storage.session.set({ [item]: accepted });
    },
  };
}

/**
 * Asks the background to run a Databrain call; rejects with the core's failure.
 * @template {keyof BackgroundCalls['databrain']} C
 * @param {C} call
 * @param {object} args
 */
const inBackground = (call, args) => askBackground('databrain', call, args);

// ---- service tabs ---------------------------------------------------------------

const tabs = {
  /** `services`: the ones the administrator's policy shows; a hidden service's tab and panel are gone. */
  setUp(initial, services) {
    const tablist = $('tab-treasure').parentElement;
    for (const service of ['treasure', 'databrain']) {
      if (services.includes(service)) continue;
      $(`tab-${service}`).remove();
      $(`panel-${service}`).remove();
    }
    tablist.hidden = services.length < 2; // one service: no tabs to choose between
    const all = [$('tab-treasure'), $('tab-databrain')].filter(Boolean);
    for (const tab of all) tab.addEventListener('click', () => this.select(tab));
    tablist.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = all[(all.indexOf(document.activeElement) + step + all.length) % all.length];
      this.select(next);
      next.focus();
    });
    this.select($(initial) ?? all[0]);
  },
  select(chosen) {
    for (const tab of [$('tab-treasure'), $('tab-databrain')].filter(Boolean)) {
      const on = tab === chosen;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      $(tab.getAttribute('aria-controls')).hidden = !on;
    }
  },
};

// ---- Treasure Data --------------------------------------------------------------

const treasure = {
  /** @type {import('./keyturn.js').TargetView | null} the data model the tab shows, if it is one */
  detected: null,
  /** @type {ReturnType<typeof sessionMemory> | null} */
  memory: null,
  /** The administrator's settings as JSON, for the core's region check. */
  policyJson: '{}',

  /**
   * @param {chrome.tabs.Tab | null} tab
   * @param {import('./keyturn.js').Policy} policy
   * @param {string} policyJson
   */
  async setUp(tab, policy, policyJson) {
    this.policyJson = policyJson;
    const select = $('td-region');
    for (const region of core.treasureRegions().filter((offered) => policy.treasureRegions.includes(offered.id))) {
      select.append(new Option(`${regionName(region)} (${region.apiHost})`, region.id));
      const link = Object.assign(document.createElement('a'), {
        href: `https://${region.consoleHost}/`, target: '_blank', rel: 'noopener', textContent: `${regionName(region)}: ${region.consoleHost}`,
      });
      const item = document.createElement('li');
      item.dataset.region = region.id;
      item.append(link);
      $('td-console-links').append(item);
    }
    this.detected = tab?.url ? core.detectDataModelPage(tab.url) : null;
    this.showDetected(Boolean(this.detected));
    if (this.detected) {
      try {
        core.checkRegionEnabled(policyJson, this.detected.region);
      } catch (error) {
        // A data model in a region the policy does not offer: say so, offer nothing for it.
        this.showDetected(false);
        showFailure($('td-result'), error);
      }
    }

    $('td-url').addEventListener('input', () => this.readPastedUrl());
    // Editing the region or OID by hand means the pasted address no longer applies.
    for (const id of ['td-region', 'td-oid']) $(id).addEventListener('input', () => { $('td-url').value = ''; });
    $('td-choose-other').addEventListener('click', () => this.showDetected(false));
    onSubmit($('treasure-form'), $('td-replace'), () => this.replace());
    this.memory = sessionMemory('td-key', 'td-remember', 'treasureKey', policy.allowRememberSecrets);
    await this.memory.restore();
  },

  showDetected(useDetected) {
    const on = useDetected && this.detected;
    $('td-detected').hidden = !on;
    $('td-manual').hidden = Boolean(on);
    if (on) {
      $('td-detected-region').textContent = `${regionName({ id: this.detected.region, label: this.detected.regionLabel })} (${this.detected.apiHost})`;
      $('td-detected-oid').textContent = this.detected.oid;
    } else {
      this.detected = null;
    }
  },

  readPastedUrl() {
    const box = $('td-result');
    const text = $('td-url').value.trim();
    if (!text) return hideResult(box);
    try {
      const target = core.parseDataModelUrl(text);
      core.checkRegionEnabled(this.policyJson, target.region);
      $('td-region').value = target.region;
      $('td-oid').value = target.oid;
      hideResult(box);
    } catch (error) {
      showFailure(box, error);
    }
  },

  /**
   * The data model only proves the new key once it has built: a link to its console page,
   * where the user starts the build, and "Check build", which reads its builds.
   * @param {HTMLElement} box
   * @param {import('./keyturn.js').KeyReplaced} done
   * @param {string} key the key just sent, kept in this page's memory only
   */
  offerBuildCheck(box, done, key) {
    const target = { region: done.region, oid: done.model.oid };
    const { replacedAt } = done;
    const open = Object.assign(document.createElement('a'), {
      id: 'td-open-console', href: done.consoleUrl, target: '_blank', rel: 'noopener', textContent: t('openInConsole'),
    });
    const check = Object.assign(document.createElement('button'), { type: 'button', id: 'td-check-build', textContent: t('checkBuild') });
    const verdict = Object.assign(document.createElement('p'), { id: 'td-build', role: 'status' });
    onClick(check, async () => {
      verdict.dataset.verdict = 'checking';
      verdict.textContent = t('checkingBuild');
      try {
        const result = await (await fullCore()).checkDataModelBuild(target.region, target.oid, key, replacedAt);
        verdict.dataset.verdict = result.verdict;
        verdict.textContent = buildText(result);
      } catch (error) {
        const failure = asFailure(error);
        verdict.dataset.verdict = 'error';
        verdict.dataset.code = failure.code;
        verdict.textContent = failureText(failure);
      }
    });
    const actions = Object.assign(document.createElement('p'), { className: 'build-actions' });
    actions.append(open, ' ', check);
    // Tied to the key's fingerprint: when it fires, it leads to the data models given this key.
    const remind = remindControl('td-remind', async (expiresAt) => {
      const [reminder] = (await fullCore()).keyReminders([target.region], expiresAt, key, this.policyJson);
      const kept = await askBackground('reminders', 'add', reminder);
      return kept ? t('remindSet', kept.label, new Date(kept.expiresAt).toLocaleDateString()) : t('reminderNothing');
    });
    box.append(actions, verdict, remind);
  },

  /** The data model to replace: the detected one, else the pasted address (when there is one), else region + OID. */
  chosen() {
    if (this.detected) return { region: this.detected.region, oid: this.detected.oid };
    return { url: $('td-url').value, region: $('td-region').value, oid: $('td-oid').value };
  },

  /** "Replace key": one call into the core does it all; this stores the record it returns and shows the outcome. */
  async replace() {
    const box = $('td-result');
    hideResult(box);
    // The key as sent: the field stays editable while the request runs.
    const key = $('td-key').value;
    try {
      // The managed answer decides (the popup may be drawn from the last policy seen).
      const done = await (await fullCore()).replaceKey({ ...this.chosen(), key, managedJson: this.policyJson = await managedReady });
      showResult(box, 'ok', [t('tdReplaced', done.model.name, done.model.type), t('tdBuildNow')], 'OK');
      this.offerBuildCheck(box, done, key);
      askBackground('history', 'record', done.record).catch(() => {});
      await this.memory.keepIfAsked(key);
    } catch (error) {
      showFailure(box, error);
      if (error?.record) askBackground('history', 'record', error.record).catch(() => {});
    }
  },
};

// ---- Databrain ------------------------------------------------------------------

const databrain = {
  /** @type {ReturnType<typeof sessionMemory> | null} */
  memory: null,
  /** @type {StoredItems['pendingRecovery'] | null} a key that may have been lost with its answer (background.js) */
  recovery: null,

  /** @param {import('./keyturn.js').Policy} policy */
  async setUp(policy) {
    const origins = $('db-origin');
    origins.append(new Option(t('dbCloud', core.databrainCloudOrigin().replace('https://', '')), core.databrainCloudOrigin()));
    // Granted for a self-hosted Databrain: never what the manifest grants Treasure or the cloud.
    const [databrainOrigins, granted] = await databrainOriginsReady;
    for (const origin of databrainOrigins.filter((added) => !policy.databrainOrigins.includes(added))) {
      if (granted.includes(`${origin}/*`)) origins.append(new Option(t('dbSelfHosted', origin), origin));
    }
    // The administrator's origins are always listed; until the user allows access (once, on
    // the options page: browsers ask for a click), as a disabled choice that says so.
    for (const origin of policy.databrainOrigins) {
      const allowed = granted.includes(`${origin}/*`);
      const option = new Option(t(allowed ? 'dbManagedOrigin' : 'dbManagedNeedsAccess', origin), origin);
      option.disabled = !allowed;
      option.dataset.managed = 'true';
      origins.append(option);
    }

    const grace = $('db-grace');
    for (const preset of core.gracePresets()) {
      grace.append(new Option(t(`grace${preset.seconds}`) || preset.label, String(preset.seconds), preset.recommended, preset.recommended));
    }
    grace.append(new Option(t('graceCustom'), 'custom'));
    grace.addEventListener('change', () => {
      $('db-custom-wrap').hidden = grace.value !== 'custom';
      $('db-confirm-wrap').hidden = grace.value !== '0';
      $('db-confirm-immediate').checked = false;
    });

    onSubmit($('databrain-form'), $('db-rotate'), () => this.rotate());
    onClick($('db-list'), () => this.list());
    onClick($('db-create'), () => this.create());
    onClick($('db-find-new-key'), () => this.list(this.recovery));
    onClick($('db-recovery-dismiss'), async () => {
      await inBackground('dismissRecovery', {});
      this.offerRecovery(null);
    });
    this.memory = sessionMemory('db-token', 'db-token-remember', 'databrainServiceToken', policy.allowRememberSecrets);
    await this.memory.restore();
    if ($('db-token').value) $('db-service').open = true; // a remembered token means that path is in use
    this.offerRecovery((await sessionItems).pendingRecovery ?? null);
    // Opened from a Databrain reminder (?service=databrain&origin=…): that origin chosen.
    const origin = new URLSearchParams(location.search).get('origin');
    if (origin && [...origins.options].some((option) => option.value === origin && !option.disabled)) origins.value = origin;
  },

  /** Shows (or, with null, hides) the "Find my new key" offer for a recovery. */
  /** @param {StoredItems['pendingRecovery'] | null} recovery */
  offerRecovery(recovery) {
    this.recovery = recovery;
    $('db-recovery').hidden = !recovery;
    if (!recovery) return;
    $('db-recovery-text').textContent = t('dbRecoveryPending', new Date(recovery.since).toLocaleString());
    if ([...$('db-origin').options].some((option) => option.value === recovery.origin)) $('db-origin').value = recovery.origin;
    $('db-service').open = true;
  },

  /** Shows a failure; when the core found its key recoverable, says so and offers recovery. */
  failed(box, error) {
    const failure = showFailure(box, error);
    if (failure.recovery) {
      box.append(Object.assign(document.createElement('p'), {
        textContent: t(failure.recovery.kind === 'creation' ? 'dbRecoverableCreation' : 'dbRecoverableRotation'),
      }));
      box.dataset.recoverable = 'true';
      this.offerRecovery(failure.recovery);
    }
    return failure;
  },

  /** A preset's number, or the custom text as typed: the core accepts both and validates. */
  grace() {
    const choice = $('db-grace').value;
    return choice === 'custom' ? $('db-custom').value : Number(choice);
  },

  rotationArgs() {
    // The data app's name is optional: it only names the rotation in the history and the reminder.
    return { origin: $('db-origin').value, grace: this.grace(), confirmedImmediate: $('db-confirm-immediate').checked, app: $('db-rotate-app').value.trim() };
  },

  /** Shows a rotation failure, pointing to the service-token path where that helps. */
  rotationFailed(box, error) {
    const failure = this.failed(box, error);
    if (failure.code === 'IMMEDIATE_EXPIRY_NOT_CONFIRMED') $('db-confirm-wrap').hidden = false;
    if (['AUTHENTICATION_ERROR', 'INVALID_DATA_APP_API_KEY'].includes(failure.code)) $('db-service').open = true;
  },

  /**
   * @param {HTMLElement} box
   * @param {NewKeyEntry} kept
   */
  rotated(box, kept) {
    const when = kept.oldKeyExpiresAt > Date.now() + 1000
      ? t('dbOldKeepsWorking', new Date(kept.oldKeyExpiresAt).toLocaleString())
      : t('dbOldStopped');
    showResult(box, 'ok', [t('dbRotated'), when, ...notKeptWarning(kept)], 'OK');
  },

  async rotate() {
    const box = $('db-result');
    hideResult(box);
    try {
      const kept = await inBackground('rotate', { ...this.rotationArgs(), key: $('db-key').value });
      $('db-key').value = '';
      this.rotated(box, kept);
    } catch (error) {
      this.rotationFailed(box, error);
    }
  },

  /** Lists the data app's keys; with a recovery, those created since its attempt first, each offered to keep. */
  async list(recovery = null) {
    const box = $('db-service-result');
    hideResult(box);
    const table = $('db-keys');
    const token = $('db-token').value;
    try {
      const keys = await inBackground('list', { origin: $('db-origin').value, token, app: $('db-app').value, since: recovery?.since });
      await this.memory.keepIfAsked(token);
      table.tBodies[0].replaceChildren(...keys.map((listed, index) => this.keyRow(listed, index, recovery)));
      table.hidden = false;
      const message = recovery ? t('dbRecoveryListed', keys.length, keys.filter((listed) => listed.sinceAttempt).length) : t('dbListed', keys.length);
      showResult(box, 'ok', [message], 'OK');
    } catch (error) {
      table.hidden = true;
      showFailure(box, error);
    }
  },

  /** A listed key's row: its action rotates it, or in a recovery keeps it as the new key. */
  /**
   * @param {import('./keyturn.js').ListedKeyView} listed
   * @param {number} index
   * @param {StoredItems['pendingRecovery'] | null} recovery
   */
  keyRow(listed, index, recovery) {
    const row = document.createElement('tr');
    const cell = (text, tag = 'td') => Object.assign(document.createElement(tag), { textContent: text });
    const masked = document.createElement('td');
    masked.append(Object.assign(document.createElement('code'), { textContent: listed.maskedKey }));
    const created = cell(listed.createdAt ? new Date(listed.createdAt).toLocaleString() : '');
    if (listed.sinceAttempt) {
      row.classList.add('since-attempt');
      created.append(Object.assign(document.createElement('strong'), { className: 'badge', textContent: ` ${t('dbSinceAttempt')}` }));
    }
    const [text, label, call] = recovery
      ? [t('dbTakeKey'), t('dbTakeKeyLabel', listed.maskedKey), () => this.take(index, recovery)]
      : [t('dbRotateRow'), t('dbRotateRowLabel', listed.name || listed.maskedKey), () => this.rotateListed(index)];
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: text, className: recovery ? 'take' : 'rotate' });
    button.setAttribute('aria-label', label);
    button.dataset.index = String(index);
    onClick(button, call);
    const action = document.createElement('td');
    action.append(button);
    row.append(cell(listed.name || t('dbNoName')), created, masked, action);
    return row;
  },

  async rotateListed(index) {
    const box = $('db-service-result');
    hideResult(box);
    try {
      this.rotated(box, await inBackground('rotateListed', { ...this.rotationArgs(), app: $('db-app').value.trim(), index }));
    } catch (error) {
      this.rotationFailed(box, error);
    }
  },

  /** Keeps the chosen listed key as the one the lost answer carried (shown with the new keys). */
  /**
   * @param {number} index
   * @param {StoredItems['pendingRecovery']} recovery
   */
  async take(index, recovery) {
    const box = $('db-service-result');
    hideResult(box);
    try {
      const kept = await inBackground('recover', { origin: recovery.origin, index, since: recovery.since });
      $('db-keys').hidden = true;
      this.offerRecovery(null);
      showResult(box, 'ok', [t('dbRecovered'), ...notKeptWarning(kept)], 'OK');
    } catch (error) {
      showFailure(box, error);
    }
  },

  async create() {
    const box = $('db-service-result');
    hideResult(box);
    const token = $('db-token').value;
    try {
      const kept = await inBackground('create', { origin: $('db-origin').value, token, app: $('db-app').value, label: $('db-label').value });
      await this.memory.keepIfAsked(token);
      showResult(box, 'ok', [t('dbCreated'), ...notKeptWarning(kept)], 'OK');
    } catch (error) {
      this.failed(box, error);
    }
  },
};

// ---- new keys waiting to be saved ---------------------------------------------------
// Shown from storage.session, plus any key the background could not keep there (a full
// session storage; new-keys.js): such a key is shown all the same, with a plain warning.

/** @type {NewKeyEntry[]} the kept keys, as storage.session last said */
let storedKeys = [];
/** @type {NewKeyEntry[]} keys not kept, from the background's memory or the call that issued them */
let unkeptKeys = [];

/**
 * The warning lines for a key that was not kept, for the result box (none when it was kept).
 * A key not kept is also shown in the new keys panel at once.
 * @param {NewKeyEntry} entry
 */
function notKeptWarning(entry) {
  if (entry?.kept !== false) return [];
  showUnkept([entry]);
  return [t('newKeyNotKeptResult')];
}

/** @param {NewKeyEntry[]} entries */
function showUnkept(entries) {
  const known = new Set(unkeptKeys.map((entry) => entry.id));
  const added = entries.filter((entry) => !known.has(entry.id));
  if (added.length === 0) return;
  unkeptKeys = [...unkeptKeys, ...added];
  renderNewKeys();
}

/** @param {NewKeyEntry[]} [stored] the kept keys, when storage.session changed */
function renderNewKeys(stored = storedKeys) {
  storedKeys = stored;
  const storedIds = new Set(stored.map((entry) => entry.id));
  // A key the background managed to keep later shows once, as kept.
  unkeptKeys = unkeptKeys.filter((entry) => !storedIds.has(entry.id));
  const keys = [...stored, ...unkeptKeys];
  $('new-keys').hidden = keys.length === 0;
  $('new-key-list').replaceChildren(...keys.map((entry) => {
    const item = document.createElement('li');
    item.dataset.id = entry.id;
    const host = entry.origin.replace('https://', '');
    const what = {
      rotation: () => `${t('newKeyRotated', host)} ${entry.oldKeyExpiresAt > entry.issuedAt + 1000
        ? t('newKeyOldExpires', new Date(entry.oldKeyExpiresAt).toLocaleString())
        : t('dbOldStopped')}`,
      creation: () => t('newKeyCreated', entry.label, host),
      recovery: () => t('newKeyRecovered', host),
    }[entry.source]();
    const inputId = `new-key-${entry.id}`;
    const label = Object.assign(document.createElement('label'), { htmlFor: inputId, textContent: what });
    // A secret: never autofilled, never copied into the browser's session restore, even
    // when "Show" makes it a text field (Chromium writes text fields of tabs to the profile).
    const field = Object.assign(document.createElement('input'), {
      id: inputId, type: 'password', readOnly: true, value: entry.key, className: 'new-key', autocomplete: 'off', spellcheck: false,
    });
    const toggle = Object.assign(document.createElement('button'), { type: 'button', className: 'toggle', textContent: t('show') });
    toggle.dataset.toggles = inputId;
    toggle.setAttribute('aria-pressed', 'false');
    const copy = Object.assign(document.createElement('button'), { type: 'button', className: 'copy', textContent: t('copy') });
    const status = Object.assign(document.createElement('p'), { className: 'hint', role: 'status' });
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(entry.key);
      } catch {
        status.textContent = t('copyFailed');
        return;
      }
      // The background empties the clipboard after the time chosen on the options page.
      const seconds = await askBackground('clipboard', 'clearLater', {}).catch(() => 0);
      status.textContent = seconds > 0 ? t('copiedClears', seconds) : t('copied');
    });
    const saved = Object.assign(document.createElement('button'), { type: 'button', className: 'saved', textContent: t('saved') });
    saved.addEventListener('click', async () => {
      if (entry.kept !== false) return acknowledgeNewKey(entry.id);
      await askBackground('newKeys', 'forget', { id: entry.id }).catch(() => {});
      unkeptKeys = unkeptKeys.filter((unkept) => unkept.id !== entry.id);
      renderNewKeys();
    });
    const secret = Object.assign(document.createElement('div'), { className: 'secret' });
    secret.append(field, toggle, copy);
    item.append(label, secret);
    if (entry.kept === false) {
      item.dataset.kept = 'false';
      item.append(Object.assign(document.createElement('p'), { className: 'warning not-kept', role: 'alert', textContent: t('newKeyNotKept') }));
    }
    item.append(status, saved);
    return item;
  }));
}

// ---- start-up -------------------------------------------------------------------

/**
 * The settings to draw the popup from, without waiting for the managed area: the last seen
 * (or the managed answer, if it comes first); with none seen yet, the managed answer if it
 * comes within MANAGED_WAIT_MS, else no policy.
 */
async function startupPolicy() {
  const lastOrWait = lastPolicy.then((last) => last ?? new Promise((resolve) => { setTimeout(resolve, MANAGED_WAIT_MS, null); }));
  return (await Promise.race([managedReady, lastOrWait])) ?? '{}';
}

/**
 * When the managed answer arrives: keep it as the last seen, and if it differs from what
 * the popup was drawn from, draw it again, unless the user has typed (then the actions,
 * which check the managed answer, refuse what it forbids, and nothing typed is lost).
 */
async function applyManagedPolicy(drawnFrom, typedSince) {
  const managed = await managedReady;
  if (managed !== await lastPolicy) await chrome.storage.local.set({ [LAST_POLICY]: managed }).catch(() => {});
  if (managed === drawnFrom) document.body.dataset.policy = 'managed';
  else if (!typedSince()) location.reload();
  else document.body.dataset.policy = 'managed';
}

async function start() {
  localize();
  let typed = false;
  document.addEventListener('input', () => { typed = true; }, { capture: true, once: true });
  const [tab, policyJson] = await Promise.all([tabReady, startupPolicy(), coreReady]);
  const policy = core.readPolicy(policyJson);
  // Links that open one of Keyturn's pages in a tab (the popup would close anyway).
  const openPage = (linkId, page) => $(linkId).addEventListener('click', async (event) => {
    event.preventDefault();
    await chrome.tabs.create({ url: chrome.runtime.getURL(page) });
    window.close();
  });
  openPage('pop-out', `popup.html${tab?.id ? `?tab=${tab.id}` : ''}`);
  openPage('open-bulk', 'bulk.html');
  openPage('open-history', 'history.html');
  $('open-options').addEventListener('click', (event) => {
    event.preventDefault();
    chrome.runtime.openOptionsPage();
  });
  onNewKeysChanged(renderNewKeys);
  const shows = (service) => policy.services.includes(service);
  await Promise.all([
    shows('treasure') && treasure.setUp(tab, policy, policyJson),
    shows('databrain') && databrain.setUp(policy),
    sessionItems.then((items) => renderNewKeys(newKeysIn(items))),
  ]);
  // Keys the background could not keep in storage.session (still in its memory, unless it
  // stopped). Not waited for: the popup is usable without them, and they show when they come.
  askBackground('newKeys', 'unkept', {}).then(showUnkept, () => {});
  const askedFor = new URLSearchParams(location.search).get('service') === 'databrain';
  tabs.setUp(askedFor || (tab?.url && core.isDatabrainAppPage(tab.url)) ? 'tab-databrain' : 'tab-treasure', policy.services);
  onPolicyChanged(() => location.reload()); // the administrator changed a setting: apply it now
  document.removeEventListener('submit', holdSubmit, true);
  for (const form of heldSubmits) form.requestSubmit();
  document.body.dataset.ready = 'true';
  performance.mark('keyturn-ready');
  // The actions' core, fetched and compiled while the user reads the popup.
  requestIdleCallback(() => { fullCore().catch(() => {}); }, { timeout: 200 });
  applyManagedPolicy(policyJson, () => typed || heldSubmits.size > 0);
}

// Wired once the page has parsed (this script ran in its <head>): as soon as its last element
// (#page-end) is in, seen at the end of the parser's task that inserted it. DOMContentLoaded
// comes in a later parser task, which in the first popup after a browser start often waits
// behind the page's first frame (a 39 ms layout with its fonts, in a trace) and the other
// pages' navigations.
function whenParsed(run) {
  let started = false;
  const once = () => {
    if (started) return;
    started = true;
    observer.disconnect();
    run();
  };
  const observer = new MutationObserver(() => { if (document.getElementById('page-end')) once(); });
  observer.observe(document, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', once, { once: true });
}
if (document.readyState === 'loading') whenParsed(start);
else start();
