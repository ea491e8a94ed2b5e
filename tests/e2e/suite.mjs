// Runs an area's end-to-end cases on Node's own test runner (node:test), in headless
// Chromium and headless Firefox, against the built dist/ extension and the local HTTPS fake
// of both APIs. An area's test file is three lines:
//
//   import { endToEnd } from './suite.mjs';
//   import { treasureCases } from './treasure.cases.mjs';
//   endToEnd('treasure', treasureCases);
//
// Each browser is one suite of the file: the browser (and the fake, and a policy file when
// the suite has a policy) is started before the first of its cases that runs and stopped
// after the last, so a name pattern that selects one case starts only that case's browser.
// Every case gets a fresh fake (`fake.reset()`) and a time limit. The suite's last test is
// the secrets audit: no key in storage.local, storage.sync, the history's exports or any
// console output of the extension's pages and background.
//
// Test names start with the browser: `chromium: treasure: <case>`, so
//   node --test-name-pattern='firefox: treasure: replaces' tests/e2e/treasure.test.mjs
// runs one case in one browser.
import { after, beforeEach, describe, it } from 'node:test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVER_ISSUED, startFakeApis } from './fake-apis.mjs';
import { launchChromium, launchFirefox } from './browsers.mjs';
import { assertNoSecretIn, assertNothingSecretPersisted } from './harness.mjs';
import { exported, openHistory } from './history.cases.mjs';
import { writePolicy } from './policies.mjs';
import { KNOWN_SECRETS } from './scenarios.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The browsers every case runs in. */
export const BROWSERS = ['chromium', 'firefox'];
/** A case's time limit: the slowest (5,000 rows, a 17 s answer past the timeout) take about 40 s. */
export const CASE_TIMEOUT_MS = 180_000;
/** Starting a browser (Firefox with geckodriver) takes a few seconds; this is the limit. */
const START_TIMEOUT_MS = 120_000;

let fake;
/** The fake APIs (HTTPS on 127.0.0.1:443, the wasm tests' plain-HTTP probe on :8471), started once per file when first needed. */
export function fakeApis() {
  fake ??= startFakeApis({ port: 443, httpPort: 8471, certDir: path.join(ROOT, 'tests', 'e2e', '.certs') });
  return fake;
}
after(async () => { if (fake) await (await fake).close(); });

export const extensionDirOf = (browserName) => path.join(ROOT, 'dist', browserName === 'chromium' ? 'chrome' : 'firefox');

/** Light and dark screenshots for the README (Chromium only), refreshed with UPDATE_SCREENSHOTS=1. */
function screenshotsFor(browserName) {
  if (browserName !== 'chromium') return undefined;
  // Ordinary runs write to target/screenshots, so a test run leaves the tree clean.
  const dir = process.env.UPDATE_SCREENSHOTS ? path.join(ROOT, 'tests', 'e2e', 'screenshots') : path.join(ROOT, 'target', 'screenshots');
  return async (page, file, { width } = {}) => {
    mkdirSync(dir, { recursive: true });
    await page.screenshot(path.join(dir, file), 'light', width);
    await page.screenshot(path.join(dir, file.replace('.png', '-dark.png')), 'dark', width);
  };
}

/** No key of any kind in storage.local or storage.sync, in the history's exports, or in the console output captured from every page and the background. */
async function secretsAudit(browser) {
  const secrets = [...KNOWN_SECRETS, ...EVER_ISSUED];
  const page = await openHistory(browser);
  await assertNothingSecretPersisted(page, secrets);
  // The exports are offered only when there is a history (a run with no attempt has none).
  if (await page.eval(() => !document.getElementById('history-full').hidden)) {
    assertNoSecretIn(await exported(page, 'history-csv'), secrets, 'the history CSV');
    assertNoSecretIn(await exported(page, 'history-json'), secrets, 'the history JSON');
  }
  // A probe first, so an empty capture cannot pass the audit unnoticed.
  await page.eval(() => console.log('keyturn-console-probe'));
  for (let i = 0; !browser.consoleLog().some((line) => line.includes('keyturn-console-probe')); i++) {
    if (i > 100) throw new Error('console output is not being captured (the probe message never arrived)');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await page.close();
  assertNoSecretIn(browser.consoleLog().join('\n'), secrets, 'console output');
}

/**
 * Declares `cases` (named async functions taking {browser, fake, screenshot}) as one suite
 * per browser. `lang` starts the browsers in that UI language; `policy` ({label, settings})
 * writes the administrator's policy file before the browser starts and removes it after.
 */
export function endToEnd(area, cases, { lang, policy } = {}) {
  const name = policy ? `${area}: ${policy.label}` : area;
  for (const browserName of BROWSERS) {
    const title = [browserName, lang && `UI language ${lang}`, policy && `policy: ${policy.label}`].filter(Boolean).join(', ');
    describe(title, () => {
      let started = null; // { browser, fake, screenshot } once the first case asks for it
      let removePolicy = () => {};
      beforeEach(async () => {
        if (!started) {
          const apis = await fakeApis();
          if (policy) removePolicy = writePolicy(browserName, extensionDirOf(browserName), policy.settings);
          const launch = browserName === 'chromium' ? launchChromium : launchFirefox;
          const browser = await launch({ extensionDir: extensionDirOf(browserName), lang });
          started = { browser, fake: apis, screenshot: screenshotsFor(browserName) };
        }
        started.fake.reset();
      }, { timeout: START_TIMEOUT_MS });
      after(async () => {
        try {
          await started?.browser.close();
        } finally {
          removePolicy();
        }
      });
      for (const [caseName, run] of Object.entries(cases)) {
        it(`${browserName}: ${name}: ${caseName}`, { timeout: CASE_TIMEOUT_MS }, () => run(started));
      }
      it(`${browserName}: ${name}: no key in storage.local, storage.sync, the history exports or the console output after these cases`,
        { timeout: CASE_TIMEOUT_MS }, () => secretsAudit(started.browser));
    });
  }
}
