// Settings an administrator sets by policy, read from the browsers' real policy mechanisms
// (tests/e2e/policies.mjs writes them before the browser starts). Two policies, each with
// its own browser launch: one that limits and marks (with invalid values the core must
// ignore and show), and one that hides a service.
import { assert, openPopup, openWebTab, resultIn, waitFor } from './harness.mjs';
import { CONSOLE_URL, DATA_MODELS, DATABRAIN, TREASURE } from './scenarios.mjs';

const MANAGED_ORIGIN = 'https://databrain.example.com';
const EU_MODEL = DATA_MODELS['api.eu01.treasuredata.com'][0];
const US_MODEL = DATA_MODELS['api.treasuredata.com'][0];

/**
 * Limits and marks. Two values are invalid for the core but valid for Chrome's schema check
 * (which drops values of the wrong type before the extension sees them): an http origin and
 * a lead time beyond a year.
 */
export const LIMITING_POLICY = {
  databrainOrigins: [MANAGED_ORIGIN, 'http://insecure.example.com'],
  allowRememberSecrets: false,
  treasureRegions: ['eu01', 'tokyo'],
  reminderLeadDays: [400],
  services: ['treasure', 'databrain'],
};

/** Shows Databrain only. */
export const DATABRAIN_ONLY_POLICY = { services: ['databrain'] };

async function openOptions(browser) {
  const page = await browser.open('options.html');
  await waitFor(page, () => document.body.dataset.ready === 'true', [], { what: 'options page' });
  return page;
}

export const limitingPolicyCases = {
  async 'managed origins are offered and marked; an invalid value is shown, and the rest works'({ browser, fake }) {
    const options = await openOptions(browser);
    const managed = await options.eval(() => [...document.querySelectorAll('#origins li[data-managed]')].map((li) => ({
      text: li.textContent, buttons: [...li.querySelectorAll('button')].map((button) => button.textContent),
    })));
    assert.equal(managed.length, 1, JSON.stringify(managed));
    assert.match(managed[0].text, /https:\/\/databrain\.example\.com set by your administrator/);
    assert.deepEqual(managed[0].buttons, ['Allow access'], 'not removable; access still to be allowed by the user');
    const notices = await options.eval(() => !document.getElementById('policy-notices').hidden
      && [...document.querySelectorAll('#policy-notice-list li')].map((li) => li.textContent));
    assert.equal(notices.length, 2, JSON.stringify(notices));
    assert.match(notices[0], /^This managed setting is invalid: databrainOrigins\[1\]\. /);
    assert.match(notices[1], /^This managed setting is invalid: reminderLeadDays\. /);
    assert.equal(await options.eval(() => document.getElementById('reminder-leads').value), '7, 1', 'the invalid lead times are ignored');
    assert.deepEqual(await options.eval(() => [...document.getElementById('reminder-region').options].map((o) => o.value)), ['eu01', 'tokyo']);
    await options.close();

    const popup = await openPopup(browser);
    await popup.click('#tab-databrain');
    const offered = await popup.eval((origin) => {
      const option = [...document.getElementById('db-origin').options].find((o) => o.value === origin);
      return option && { disabled: option.disabled, managed: option.dataset.managed, text: option.textContent };
    }, MANAGED_ORIGIN);
    assert.deepEqual({ ...offered, text: undefined }, { disabled: true, managed: 'true', text: undefined });
    assert.match(offered.text, /set by your administrator; allow access on the options page first/);
    // Everything else works: a key replacement in an offered region.
    await popup.click('#tab-treasure');
    await popup.fill('#td-url', CONSOLE_URL('console.eu01.treasuredata.com', EU_MODEL.oid));
    await popup.fill('#td-key', TREASURE.masterKey);
    await popup.click('#td-replace');
    const done = await resultIn(popup, 'td-result');
    assert.equal(done.kind, 'ok', done.text);
    assert.deepEqual(fake.requests.map((r) => [r.method, r.host]), [['PUT', 'api.eu01.treasuredata.com']]);
    await popup.close();
  },

  async 'remember boxes are hidden and no secret is kept in the session'({ browser, fake }) {
    const page = await openPopup(browser);
    assert.deepEqual(await page.eval(() => ['td-remember', 'db-token-remember'].map((id) => document.getElementById(id).closest('label').hidden)), [true, true]);
    await page.fill('#td-url', CONSOLE_URL('console.eu01.treasuredata.com', EU_MODEL.oid));
    await page.fill('#td-key', TREASURE.masterKey);
    await page.click('#td-replace');
    assert.equal((await resultIn(page, 'td-result')).kind, 'ok');
    assert.equal(fake.requests.length, 1);
    const session = await page.eval(async () => Object.keys(await chrome.storage.session.get(null)));
    assert.ok(!session.includes('treasureKey') && !session.includes('databrainServiceToken'), session.join());
    await page.close();
  },

  async 'only the offered regions are offered, and a console tab of another region is refused'({ browser, fake }) {
    let page = await openPopup(browser);
    assert.deepEqual(await page.eval(() => [...document.getElementById('td-region').options].map((o) => o.value)), ['eu01', 'tokyo']);
    const tabId = await openWebTab(page, CONSOLE_URL('console.treasuredata.com', US_MODEL.oid));
    await page.close();
    page = await openPopup(browser, `?tab=${tabId}`);
    const refused = await resultIn(page, 'td-result');
    assert.equal(refused.code, 'REGION_NOT_ENABLED', refused.text);
    assert.match(refused.text, /US region is not enabled here/);
    assert.equal(await page.eval(() => document.getElementById('td-detected').hidden), true);
    // Pasted, too: refused before anything is sent.
    await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', US_MODEL.oid));
    await page.fill('#td-key', TREASURE.masterKey);
    await page.click('#td-replace');
    assert.equal((await resultIn(page, 'td-result')).code, 'REGION_NOT_ENABLED');
    assert.equal(fake.requests.length, 0, 'nothing sent for a region the policy does not offer');
    await page.eval((id) => chrome.tabs.remove(id), tabId);
    await page.close();
    const bulk = await browser.open('bulk.html');
    await waitFor(bulk, () => document.getElementById('bulk-region').options.length > 1, [], { what: 'bulk regions' });
    assert.deepEqual(await bulk.eval(() => [...document.getElementById('bulk-region').options].map((o) => o.value)), ['', 'eu01', 'tokyo']);
    await bulk.close();
  },
};

export const databrainOnlyPolicyCases = {
  async 'a service the policy hides is not shown, and the other works'({ browser, fake }) {
    const page = await openPopup(browser);
    const shown = await page.eval(() => ({
      treasureTab: Boolean(document.getElementById('tab-treasure')),
      treasurePanel: Boolean(document.getElementById('panel-treasure')),
      tablist: !document.querySelector('[role=tablist]').hidden,
      databrain: !document.getElementById('panel-databrain').hidden,
    }));
    assert.deepEqual(shown, { treasureTab: false, treasurePanel: false, tablist: false, databrain: true });
    await page.fill('#db-key', DATABRAIN.activeKey);
    await page.click('#db-rotate');
    assert.equal((await resultIn(page, 'db-result')).kind, 'ok');
    assert.equal(fake.requests.length, 1);
    await page.click('#new-key-list li button.saved');
    await page.close();
  },
};
