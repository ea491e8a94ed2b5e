// Popup glue: DOM wiring and chrome.* calls only. Every decision about URLs, keys,
// requests and answers is made by the Rust core (keyturn.js / keyturn_bg.wasm).
import init, * as core from './keyturn.js';

const coreReady = init();
const $ = (id) => document.getElementById(id);
const SESSION_TREASURE_KEY = 'treasureKey';

// ---- shared helpers -------------------------------------------------------------

/** Shows a result box: kind is 'ok' or 'error'; lines are plain strings (never HTML). */
function showResult(box, kind, lines, code) {
  box.replaceChildren(...lines.map((line) => Object.assign(document.createElement('p'), { textContent: line })));
  box.className = `result ${kind}`;
  box.dataset.code = code ?? '';
  box.hidden = false;
}

function hideResult(box) {
  box.hidden = true;
  box.replaceChildren();
  box.dataset.code = '';
}

/** Runs an async action with its button disabled, so a request is never sent twice by a double click. */
async function whileDisabled(button, action) {
  if (button.disabled) return;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await action();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** Failures from the core are {code, message}; anything else is a bug worth saying plainly. */
function asFailure(error) {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) return error;
  return { code: 'INTERNAL', message: 'Something went wrong inside Keyturn. Nothing was sent twice; please try again.' };
}

function wireSecretToggles() {
  for (const button of document.querySelectorAll('button.toggle[data-toggles]')) {
    button.addEventListener('click', () => {
      const input = $(button.dataset.toggles);
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      button.textContent = show ? 'Hide' : 'Show';
      button.setAttribute('aria-pressed', String(show));
    });
  }
}

/** The tab the popup acts on: `?tab=<id>` when popped out into a tab, else the active tab. */
async function targetTab() {
  const pinned = Number(new URLSearchParams(location.search).get('tab'));
  if (Number.isInteger(pinned) && pinned > 0) {
    try { return await chrome.tabs.get(pinned); } catch { return null; }
  }
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab ?? null;
}

// ---- Treasure Data --------------------------------------------------------------

const treasure = {
  detected: null, // {region, regionLabel, oid} when the tab is a data model page

  async setUp(tab) {
    const select = $('td-region');
    for (const region of core.treasureRegions()) {
      select.append(new Option(`${region.label} (${region.apiHost})`, region.id));
    }
    this.detected = tab?.url ? core.detectDataModelPage(tab.url) : null;
    this.showDetected(Boolean(this.detected));

    $('td-url').addEventListener('input', () => this.readPastedUrl());
    // Editing the region or OID by hand means the pasted address no longer applies.
    for (const id of ['td-region', 'td-oid']) $(id).addEventListener('input', () => { $('td-url').value = ''; });
    $('td-choose-other').addEventListener('click', () => this.showDetected(false));
    $('td-remember').addEventListener('change', () => this.rememberChanged());
    $('treasure-form').addEventListener('submit', (event) => {
      event.preventDefault();
      whileDisabled($('td-replace'), () => this.replace());
    });

    const { [SESSION_TREASURE_KEY]: remembered } = await chrome.storage.session.get(SESSION_TREASURE_KEY);
    if (remembered) {
      $('td-key').value = remembered;
      $('td-remember').checked = true;
    }
  },

  showDetected(useDetected) {
    const on = useDetected && this.detected;
    $('td-detected').hidden = !on;
    $('td-manual').hidden = Boolean(on);
    if (on) {
      $('td-detected-region').textContent = `${this.detected.regionLabel} (${this.detected.apiHost})`;
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
      $('td-region').value = target.region;
      $('td-oid').value = target.oid;
      hideResult(box);
    } catch (error) {
      const failure = asFailure(error);
      showResult(box, 'error', [failure.message], failure.code);
    }
  },

  /** The detected data model, else the pasted address (when there is one), else region + OID. Throws a failure. */
  chosenTarget() {
    if (this.detected) return this.detected;
    const url = $('td-url').value.trim();
    return url ? core.parseDataModelUrl(url) : core.dataModelTarget($('td-region').value, $('td-oid').value);
  },

  async rememberChanged() {
    if (!$('td-remember').checked) await chrome.storage.session.remove(SESSION_TREASURE_KEY);
  },

  async replace() {
    const box = $('td-result');
    hideResult(box);
    const key = $('td-key').value;
    try {
      const { region, oid } = this.chosenTarget();
      const model = await core.replaceDataModelKey(region, oid, key);
      // Only a key Treasure just accepted is worth remembering.
      if ($('td-remember').checked) await chrome.storage.session.set({ [SESSION_TREASURE_KEY]: key });
      showResult(box, 'ok', [
        `Key replaced for data model "${model.name}" (${model.type}).`,
        'Now build the data model in the Treasure Console to confirm it works with the new key.',
      ], 'OK');
    } catch (error) {
      const failure = asFailure(error);
      showResult(box, 'error', [failure.message], failure.code);
    }
  },
};

// ---- start-up -------------------------------------------------------------------

async function start() {
  wireSecretToggles();
  const [tab] = await Promise.all([targetTab(), coreReady]);
  $('pop-out').addEventListener('click', async (event) => {
    event.preventDefault();
    const query = tab?.id ? `?tab=${tab.id}` : '';
    await chrome.tabs.create({ url: chrome.runtime.getURL(`popup.html${query}`) });
    window.close();
  });
  await treasure.setUp(tab);
  document.body.dataset.ready = 'true';
  performance.mark('keyturn-ready');
}

start();
