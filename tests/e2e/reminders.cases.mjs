// Expiry reminders: a Treasure key's reminder from the options page schedules an alarm per
// lead time; a Databrain rotation schedules one for the old key; removing one clears them;
// a reminder set when replacing a key leads, when it fires, to the data models given that key.
import { assert, openPopup, resultIn, waitFor } from './harness.mjs';
import { CONSOLE_URL, DATABRAIN, TREASURE, generatedOid } from './scenarios.mjs';

const DAY = 86_400_000;

async function openOptions(browser) {
  const page = await browser.open('options.html');
  await waitFor(page, () => document.body.dataset.ready === 'true', [], { what: 'options ready' });
  return page;
}

/** The notification `id` once the browser shows it: {id, title, message} (see browsers.mjs). */
async function waitForNotification(browser, id, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const shown = (await browser.shownNotifications()).find((notification) => notification.id === id);
    if (shown) return shown;
    if (Date.now() > deadline) throw new Error(`the notification ${id} was not shown within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const reminderAlarms = (page) => page.eval(async () => (await chrome.alarms.getAll())
  .filter((alarm) => alarm.name.startsWith('reminder:'))
  .map((alarm) => ({ name: alarm.name, at: alarm.scheduledTime }))
  .sort((a, b) => a.at - b.at));

export const reminderCases = {
  async 'a Treasure key reminder schedules an alarm per lead time, and removing it clears them'({ browser }) {
    const page = await openOptions(browser);
    await page.eval(async () => chrome.storage.local.remove('reminders'));
    const date = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
    const expiresAt = Date.parse(`${date}T00:00:00Z`);
    await page.select('#reminder-region', 'eu01');
    await page.fill('#reminder-label', 'Master key ending 4567');
    await page.eval((value) => { document.getElementById('reminder-date').value = value; }, date);
    await page.fill('#reminder-leads', '1, 7');
    await page.click('#add-reminder');
    const added = await resultIn(page, 'reminder-result');
    assert.equal(added.kind, 'ok', added.text);
    const [stored] = await page.eval(async () => (await chrome.storage.local.get('reminders')).reminders);
    assert.deepEqual({ ...stored, id: undefined }, { service: 'Treasure', place: 'eu01', label: 'Master key ending 4567', expiresAt, leadDays: [7, 1], id: undefined });
    const alarms = await waitFor(page, async () => {
      const found = (await chrome.alarms.getAll()).filter((a) => a.name.startsWith('reminder:'));
      return found.length === 2 ? found.map((a) => ({ name: a.name, at: a.scheduledTime })).sort((a, b) => a.at - b.at) : null;
    }, [], { what: 'two alarms' });
    assert.deepEqual(alarms, [
      { name: `reminder:${stored.id}:7`, at: expiresAt - 7 * DAY },
      { name: `reminder:${stored.id}:1`, at: expiresAt - DAY },
    ]);
    assert.match(await page.eval(() => document.getElementById('reminders').textContent), /Master key ending 4567 \(eu01\)/);

    await page.click(`#reminders li[data-id="${stored.id}"] button`);
    await waitFor(page, async () => (await chrome.alarms.getAll()).every((a) => !a.name.startsWith('reminder:')), [], { what: 'alarms cleared' });
    await page.close();
  },

  async 'a due reminder fires its alarm and shows its notification'({ browser }) {
    const page = await openOptions(browser);
    await page.eval(async () => chrome.storage.local.remove('reminders'));
    // The 7-day reminder of a key that expires 7 days and 3 seconds from now: its alarm is due
    // in 3 s. Through the background directly: the options form takes whole days.
    const expiresAt = Date.now() + 7 * DAY + 3_000;
    const kept = await page.eval(async (at) => (await chrome.runtime.sendMessage({
      service: 'reminders', call: 'add',
      args: { service: 'Treasure', place: 'eu01', label: 'Master key ending 4567', expiresAt: at, leadDays: [7] },
    })).ok, expiresAt);
    const name = `reminder:${kept.id}:7`;
    assert.deepEqual(await waitFor(page, async () => {
      const alarms = (await chrome.alarms.getAll()).filter((alarm) => alarm.name.startsWith('reminder:'));
      return alarms.length ? alarms.map((alarm) => ({ name: alarm.name, at: alarm.scheduledTime })) : null;
    }, [], { what: 'the alarm' }), [{ name, at: expiresAt - 7 * DAY }]);
    // What the user sees: the notification, as the browser shows it.
    const shown = await waitForNotification(browser, name);
    assert.deepEqual(shown, {
      id: name,
      title: 'Treasure API key expires in 7 days',
      message: 'Master key ending 4567 (EU01) expires in 7 days. Create its successor on the API Keys page, then replace it in every data model with Keyturn.',
    });
    assert.deepEqual(await page.eval(async () => (await chrome.alarms.getAll()).map((alarm) => alarm.name).filter((n) => n.startsWith('reminder:'))), [],
      'the alarm fired once and is gone');
    await page.eval(async (id) => {
      await chrome.notifications.clear(id);
      await chrome.storage.local.remove('reminders');
    }, name);
    await page.close();
  },

  async 'bad reminder input is refused with a message'({ browser }) {
    const page = await openOptions(browser);
    const past = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    const future = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
    for (const [date, leads, code] of [[past, '7', 'INVALID_REMINDER_DATE'], [future, 'soon', 'INVALID_LEAD_DAYS'], ['', '7', 'INVALID_REMINDER_DATE']]) {
      await page.eval((value) => { document.getElementById('reminder-date').value = value; }, date);
      await page.fill('#reminder-leads', leads);
      await page.click('#add-reminder');
      assert.equal((await resultIn(page, 'reminder-result')).code, code, `${date} / ${leads}`);
    }
    await page.close();
  },

  async 'a Databrain rotation reminds before the old key stops working'({ browser }) {
    let page = await openPopup(browser);
    await page.eval(async () => chrome.storage.local.remove('reminders'));
    await page.click('#tab-databrain');
    await page.fill('#db-key', DATABRAIN.activeKey);
    await page.fill('#db-rotate-app', DATABRAIN.dataApp);
    await page.select('#db-grace', '86400');
    const before = Date.now();
    await page.click('#db-rotate');
    assert.equal((await resultIn(page, 'db-result')).kind, 'ok');
    const [reminder] = await waitFor(page, async () => (await chrome.storage.local.get('reminders')).reminders, [], { what: 'reminder' });
    assert.equal(reminder.service, 'Databrain');
    assert.equal(reminder.label, `old key …${DATABRAIN.activeKey.slice(-4)} of data app "${DATABRAIN.dataApp}"`);
    const [record] = await page.eval(async () => (await chrome.storage.local.get('history')).history);
    assert.equal(record.target, `data app key of data app "${DATABRAIN.dataApp}" (rotation)`, 'the history shows which data app it was');
    assert.ok(Math.abs(reminder.expiresAt - (before + DAY)) < 10_000);
    const alarms = await reminderAlarms(page);
    assert.equal(alarms.length, 1, 'both lead times have passed: one reminder halfway');
    assert.ok(Math.abs(alarms[0].at - (before + DAY / 2)) < 10_000);
    await page.click('#new-key-list li button.saved');
    // Clicking it (the background's same function) opens the popup on the Databrain form, that origin chosen.
    const opened = await page.eval(async (id) => (await chrome.runtime.sendMessage({ service: 'reminders', call: 'open', args: { id } })).ok, reminder.id);
    assert.ok(opened.endsWith(`/popup.html?service=databrain&origin=${encodeURIComponent(DATABRAIN.origin)}`), opened);
    await page.eval(async (url) => chrome.tabs.remove((await chrome.tabs.query({ url })).map((tab) => tab.id)), opened);
    await page.eval(async () => chrome.storage.local.remove('reminders'));
    await page.close();
    page = await openPopup(browser, opened.slice(opened.indexOf('?')));
    assert.deepEqual(await page.eval(() => [document.getElementById('tab-databrain').getAttribute('aria-selected'), document.getElementById('db-origin').value]),
      ['true', DATABRAIN.origin]);
    await page.close();
  },

  async 'a reminder set when replacing a key leads, when it fires, to exactly the data models given that key'({ browser, fake }) {
    let page = await openPopup(browser);
    // Only this case's replacements in the history, so "exactly those" is checkable.
    await page.eval(async () => {
      await chrome.runtime.sendMessage({ service: 'history', call: 'clear', args: {} });
      await chrome.storage.local.remove('reminders');
    });
    const replace = async (oid, key) => {
      await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', oid));
      await page.fill('#td-key', key);
      await page.click('#td-replace');
      await waitFor(page, (o) => document.getElementById('td-open-console')?.href.endsWith(o), [oid], { what: `replaced ${oid}` });
    };
    const [a1, a2, a3, b1] = [401, 402, 403, 404].map(generatedOid);
    for (const oid of [a1, a2, a3]) await replace(oid, TREASURE.masterKey);
    // From the success message: the expiry date Treasure shows, tied to the key's fingerprint.
    const date = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
    await page.eval((value) => { document.getElementById('td-remind-date').value = value; }, date);
    await page.click('#td-remind-button');
    await waitFor(page, () => document.getElementById('td-remind-result').dataset.code === 'OK', [], { what: 'reminder set' });
    await replace(b1, TREASURE.nextMasterKey);
    const [reminder] = await page.eval(async () => (await chrome.storage.local.get('reminders')).reminders);
    assert.deepEqual([reminder.service, reminder.place, reminder.fingerprint, reminder.label],
      ['Treasure', 'us', `…${TREASURE.masterKey.slice(-4)}`, `Master key …${TREASURE.masterKey.slice(-4)}`]);
    assert.ok(!JSON.stringify(reminder).includes(TREASURE.masterKey.split('/')[1]), 'no key in the reminder');
    assert.equal(reminder.expiresAt, Date.parse(`${date}T00:00:00Z`));
    await page.close();

    // The options page says how many data models it covers.
    const options = await openOptions(browser);
    assert.match(await options.eval(() => document.querySelector('#reminders li .consumers').textContent), /3 data models or workflow projects last received this key/);
    await options.close();

    // Fire it: its 1-day reminder, due in two seconds. The notification says how many data models it covers.
    page = await openPopup(browser);
    const expiresAt = await page.eval(async (id, day) => {
      const at = Date.now() + day + 2_000;
      const { reminders } = await chrome.storage.local.get('reminders');
      await chrome.storage.local.set({ reminders: reminders.map((r) => (r.id === id ? { ...r, expiresAt: at, leadDays: [1] } : r)) });
      return at;
    }, reminder.id, DAY);
    const name = `reminder:${reminder.id}:1`;
    // The alarm of the same name existed for the old expiry: wait for the one rescheduled from the change.
    assert.deepEqual(await waitFor(page, async (n, at) => {
      const alarm = await chrome.alarms.get(n);
      return alarm?.scheduledTime === at ? { name: alarm.name, at: alarm.scheduledTime } : null;
    }, [name, expiresAt - DAY], { what: 'the rescheduled alarm' }), { name, at: expiresAt - DAY });
    assert.deepEqual(await waitForNotification(browser, name), {
      id: name,
      title: 'Treasure API key expires tomorrow',
      message: `Master key …${TREASURE.masterKey.slice(-4)} (US) expires tomorrow. By Keyturn's history, 3 data models or workflow projects last received it: click to replace it in them.`,
    });
    await page.eval(async (n) => chrome.notifications.clear(n), name);
    // Follow it: what clicking the notification does (the same function in the background).
    const opened = await page.eval(async (id) => (await chrome.runtime.sendMessage({ service: 'reminders', call: 'open', args: { id } })).ok, reminder.id);
    assert.ok(opened.endsWith(`/bulk.html?reminder=${reminder.id}`), opened);
    await page.eval(async (url) => chrome.tabs.remove((await chrome.tabs.query({ url })).map((tab) => tab.id)), opened);
    await page.close();

    const bulk = await browser.open(`bulk.html?reminder=${reminder.id}`);
    await waitFor(bulk, () => document.body.dataset.ready === 'true' && document.getElementById('bulk-count').dataset.sendable === '3', [], { what: 'three rows ticked' });
    const rows = await bulk.eval(() => [...document.querySelectorAll('#bulk-table tbody tr:not(.spacer)')].map((tr) => [tr.dataset.oid, tr.querySelector('input').checked]));
    assert.deepEqual(rows, [[a3, true], [a2, true], [a1, true]]);
    assert.match(await bulk.eval(() => document.getElementById('bulk-load-result').textContent), /These 3 data models last received Master key …/);
    // Replace all three with the new key: three PUTs, nothing else.
    fake.reset();
    await bulk.fill('#bulk-key', TREASURE.nextMasterKey);
    await bulk.click('#bulk-start');
    await waitFor(bulk, () => document.getElementById('bulk-run').dataset.running === 'false' && /Done 3/.test(document.getElementById('bulk-counts').textContent), [], { what: 'run finished' });
    assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.host} ${r.path} ${r.headers.authorization}`).sort(),
      [a1, a2, a3].map((oid) => `PUT api.treasuredata.com /reporting/datamodels/${oid} TD1 ${TREASURE.nextMasterKey}`).sort());
    assert.deepEqual(fake.strays, []);
    await bulk.eval(async () => chrome.storage.local.remove('reminders'));
    await bulk.close();
  },
};
