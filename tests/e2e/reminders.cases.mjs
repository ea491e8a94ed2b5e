// Expiry reminders: a Treasure key's reminder from the options page schedules an alarm per
// lead time; a Databrain rotation schedules one for the old key; removing one clears them.
import { assert, openPopup, resultIn, waitFor } from './harness.mjs';
import { DATABRAIN } from './scenarios.mjs';

const DAY = 86_400_000;

async function openOptions(browser) {
  const page = await browser.open('options.html');
  await waitFor(page, () => document.body.dataset.ready === 'true', [], { what: 'options ready' });
  return page;
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

  async 'a due reminder fires and shows its notification'({ browser }) {
    const page = await openOptions(browser);
    await page.eval(async () => chrome.storage.local.remove('reminders'));
    // Through the background directly: the options form takes whole days, this one is due in 2 s.
    const kept = await page.eval(async () => (await chrome.runtime.sendMessage({
      service: 'reminders', call: 'add',
      args: { service: 'Treasure', place: 'eu01', label: 'Master key ending 4567', expiresAt: Date.now() + 2_000, leadDays: [0] },
    })).ok);
    if (browser.name === 'chromium') {
      const shown = await waitFor(page, async (id) => (await chrome.notifications.getAll())[`reminder:${id}:0`] ?? null, [kept.id],
        { timeout: 20_000, what: 'the reminder notification' });
      assert.ok(shown);
    } else {
      // Headless Firefox closes system notifications at once, so getAll() never lists them:
      // here the alarm firing (and leaving the list) is what can be observed.
      await waitFor(page, async (id) => (await chrome.alarms.getAll()).every((alarm) => !alarm.name.startsWith(`reminder:${id}`)),
        [kept.id], { timeout: 20_000, what: 'the reminder alarm to fire' });
    }
    await page.eval(async (id) => {
      await chrome.notifications.clear(`reminder:${id}:0`);
      await chrome.storage.local.remove('reminders');
    }, kept.id);
    await page.close();
  },

  async 'bad reminder input is refused with a message'({ browser }) {
    const page = await openOptions(browser);
    const past = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    const future = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
    for (const [date, leads, code] of [[past, '7', 'INVALID_GRACE_PERIOD'], [future, 'soon', 'INVALID_GRACE_PERIOD'], ['', '7', 'INVALID_GRACE_PERIOD']]) {
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
    await page.select('#db-grace', '86400');
    const before = Date.now();
    await page.click('#db-rotate');
    assert.equal((await resultIn(page, 'db-result')).kind, 'ok');
    const [reminder] = await waitFor(page, async () => (await chrome.storage.local.get('reminders')).reminders, [], { what: 'reminder' });
    assert.equal(reminder.service, 'Databrain');
    assert.equal(reminder.label, `old data app key …${DATABRAIN.activeKey.slice(-4)}`);
    assert.ok(Math.abs(reminder.expiresAt - (before + DAY)) < 10_000);
    const alarms = await reminderAlarms(page);
    assert.equal(alarms.length, 1, 'both lead times have passed: one reminder halfway');
    assert.ok(Math.abs(alarms[0].at - (before + DAY / 2)) < 10_000);
    await page.click('#new-key-list li button.saved');
    await page.eval(async () => chrome.storage.local.remove('reminders'));
    await page.close();
  },
};
