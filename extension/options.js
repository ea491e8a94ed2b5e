// Options glue: self-hosted Databrain origins. The core normalises what is typed; the
// browser's permission grant (optional_host_permissions) decides where keys may go.
// The list itself holds origins only, no secret, so it lives in storage.local. What the
// administrator set by policy is shown as such, and cannot be removed here.
import { normaliseDatabrainOrigin, readPolicy, reminderConsumers, startCore, treasureRegions, treasureReminder } from './core.js';
import { managedJson, onPolicyChanged } from './policy.js';
import { askBackground } from './messages.js';
import { grantedSelfHosted } from './permissions.js';
import { CLEAR_CHOICES, CLEAR_SETTING, clearDelaySeconds } from './clipboard.js';
import { $, onSubmit, showFailure, showResult } from './ui.js';
import { localize, regionName, t } from './i18n.js';
const ITEM = 'databrainOrigins';

async function stored() {
  const { [ITEM]: origins = [] } = /** @type {StoredItems} */ (await chrome.storage.local.get(ITEM));
  return origins;
}

const say = (kind, text, code = '') => showResult($('origin-result'), kind, [text], code);

/** The administrator's settings, as the core read them (refreshed when they change). */
let policy = /** @type {import('./keyturn.js').Policy | null} */ (null);

/** One notice per managed value the core ignored ("this managed setting is invalid: …"). */
function renderPolicyNotices() {
  $('policy-notices').hidden = policy.invalid.length === 0;
  $('policy-notice-list').replaceChildren(...policy.invalid.map((invalid) =>
    Object.assign(document.createElement('li'), { textContent: t('policyInvalid', invalid.key, invalid.message) })));
}

/** A managed origin: marked, not removable; until the user allows access, a button to do so. */
function managedOriginItem(origin, allowed) {
  const item = document.createElement('li');
  item.dataset.managed = 'true';
  item.append(Object.assign(document.createElement('span'), { textContent: `${origin} ` }),
    Object.assign(document.createElement('strong'), { className: 'managed', textContent: t('setByAdministrator') }));
  if (!allowed) {
    const allow = Object.assign(document.createElement('button'), { type: 'button', textContent: t('allowAccess') });
    allow.setAttribute('aria-label', t('allowAccessLabel', origin));
    // permissions.request must run in the click's user gesture: nothing is awaited before it.
    allow.addEventListener('click', async () => {
      const granted = await chrome.permissions.request({ origins: [`${origin}/*`] }).catch(() => false);
      if (granted) say('ok', t('originAdded', origin), 'OK');
      else say('error', t('originRefused', origin), 'NOT_GRANTED');
      render();
    });
    item.append(' ', allow);
  }
  return item;
}

/** Why the core refuses a stored origin (one added before it refused hosts of other services), or null. */
function refusalOf(origin) {
  try {
    normaliseDatabrainOrigin(origin);
    return null;
  } catch (failure) {
    return failure;
  }
}

async function render() {
  const managed = policy.databrainOrigins;
  const origins = (await stored()).filter((origin) => !managed.includes(origin));
  const granted = await grantedSelfHosted();
  $('no-origins').hidden = origins.length + managed.length > 0;
  $('origins').replaceChildren(...managed.map((origin) => managedOriginItem(origin, granted.includes(`${origin}/*`))), ...origins.map((origin) => {
    const item = document.createElement('li');
    const allowed = granted.includes(`${origin}/*`);
    const refused = refusalOf(origin);
    const state = refused ? t('originRefusedStored') : allowed ? '' : t('originNotGranted');
    item.append(Object.assign(document.createElement('span'), { textContent: `${origin} ${state} ` }));
    if (refused) item.dataset.refused = refused.code;
    const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: t('remove') });
    remove.setAttribute('aria-label', t('removeLabel', origin));
    remove.addEventListener('click', async () => {
      // Only what was granted for it is revoked: a host the manifest grants cannot be (nor should be).
      if (allowed) await chrome.permissions.remove({ origins: [`${origin}/*`] });
      await chrome.storage.local.set({ [ITEM]: (await stored()).filter((o) => o !== origin) });
      say('ok', t('originRemoved', origin));
      render();
    });
    item.append(remove);
    return item;
  }));
}

$('origin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  let origin;
  try {
    origin = normaliseDatabrainOrigin($('origin').value);
  } catch (failure) {
    return showFailure($('origin-result'), failure);
  }
  // permissions.request must run in the click's user gesture: ask before any other await.
  const granted = await chrome.permissions.request({ origins: [`${origin}/*`] }).catch(() => false);
  if (!granted) return say('error', t('originRefused', origin), 'NOT_GRANTED');
  const origins = await stored();
  if (!origins.includes(origin)) await chrome.storage.local.set({ [ITEM]: [...origins, origin] });
  $('origin').value = '';
  say('ok', t('originAdded', origin), 'OK');
  render();
});

// ---- emptying the clipboard after Copy (done by the background, clipboard.js) ---------

async function renderClipboardChoice() {
  const select = $('clipboard-clear');
  select.replaceChildren(...CLEAR_CHOICES.map((seconds) => new Option(seconds === 0 ? t('clipboardNever')
    : seconds < 60 ? t('clipboardAfterSeconds', seconds) : t('clipboardAfterMinutes', seconds / 60), String(seconds))));
  select.value = String(await clearDelaySeconds());
}

$('clipboard-clear').addEventListener('change', async () => {
  await chrome.storage.local.set({ [CLEAR_SETTING]: Number($('clipboard-clear').value) });
  showResult($('clipboard-result'), 'ok', [t('clipboardSaved')], 'OK');
});

// ---- expiry reminders (kept and scheduled by the background) ----------------------------

async function renderReminders() {
  const { reminders = [], history = [] } = /** @type {StoredItems} */ (await chrome.storage.local.get(['reminders', 'history']));
  $('no-reminders').hidden = reminders.length > 0;
  const historyJson = JSON.stringify(history); // once, for every tied reminder's count
  $('reminders').replaceChildren(...reminders.map((reminder) => {
    const item = document.createElement('li');
    item.dataset.id = reminder.id;
    const text = `${t('reminderItem', reminder.service, reminder.label, reminder.place, new Date(reminder.expiresAt).toLocaleString(), reminder.leadDays.join(', '))} `;
    const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: t('remove') });
    remove.setAttribute('aria-label', t('reminderRemoveLabel', reminder.label));
    remove.addEventListener('click', () => askBackground('reminders', 'remove', { id: reminder.id }));
    item.append(Object.assign(document.createElement('span'), { textContent: text }), remove);
    if (reminder.fingerprint) {
      // Tied to a key: how many data models Keyturn gave it, and one click to replace it in them.
      const count = reminderConsumers(historyJson, JSON.stringify(reminder)).length;
      const replace = Object.assign(document.createElement('button'), { type: 'button', className: 'replace-now', textContent: t('replaceNow') });
      replace.setAttribute('aria-label', t('replaceNowLabel', reminder.label));
      replace.addEventListener('click', () => askBackground('reminders', 'open', { id: reminder.id }));
      item.append(' ', replace, Object.assign(document.createElement('p'), { className: 'hint consumers', textContent: t('reminderConsumers', count) }));
    }
    return item;
  }));
}

onSubmit($('reminder-form'), $('add-reminder'), async () => {
  const box = $('reminder-result');
  try {
    const reminder = treasureReminder($('reminder-region').value, $('reminder-label').value, $('reminder-date').valueAsNumber || 0,
      $('reminder-leads').value, $('reminder-last-four').value);
    const kept = await askBackground('reminders', 'add', reminder);
    if (!kept) return showResult(box, 'error', [t('reminderNothing')], 'NOTHING_TO_REMIND');
    showResult(box, 'ok', [t('reminderAdded', reminder.label)], 'OK');
  } catch (error) {
    showFailure(box, error);
  }
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && (changes.reminders || changes.history)) renderReminders();
});

/** Applies the administrator's settings: notices, offered regions, default lead times, origins. */
async function applyPolicy() {
  policy = readPolicy(await managedJson());
  renderPolicyNotices();
  $('reminder-region').replaceChildren(...treasureRegions().filter((region) => policy.treasureRegions.includes(region.id))
    .map((region) => new Option(`${regionName(region)} (${region.consoleHost})`, region.id)));
  if (policy.reminderLeadDays) $('reminder-leads').value = policy.reminderLeadDays.join(', ');
  await render();
}

localize();
startCore().then(async () => {
  await applyPolicy();
  onPolicyChanged(applyPolicy);
  await renderClipboardChoice();
  renderReminders();
  document.body.dataset.ready = 'true';
});
