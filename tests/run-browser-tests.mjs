// Runs every browser-side test: the wasm-bindgen tests in headless Chromium and Firefox,
// then every end-to-end case against the built dist/ extension in both browsers, with the
// local HTTPS fake APIs standing in for the real hosts.
//
//   node tests/run-browser-tests.mjs [--browser chromium|firefox] [--only wasm|e2e] [--grep text]
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeApis } from './e2e/fake-apis.mjs';
import { launchChromium, launchFirefox } from './e2e/browsers.mjs';
import { treasureCases } from './e2e/treasure.cases.mjs';
import { databrainCases } from './e2e/databrain.cases.mjs';
import { bulkCases } from './e2e/bulk.cases.mjs';
import { faultCases } from './e2e/faults.cases.mjs';
import { a11yCases } from './e2e/a11y.cases.mjs';
import { exported, historyCases, openHistory } from './e2e/history.cases.mjs';
import { EVER_ISSUED } from './e2e/fake-apis.mjs';
import { reminderCases } from './e2e/reminders.cases.mjs';
import { securityCases } from './e2e/security.cases.mjs';
import { japaneseCases } from './e2e/japanese.cases.mjs';
import { DATABRAIN_ONLY_POLICY, LIMITING_POLICY, databrainOnlyPolicyCases, limitingPolicyCases } from './e2e/policy.cases.mjs';
import { writePolicy } from './e2e/policies.mjs';
import { KNOWN_SECRETS } from './e2e/scenarios.mjs';
import { assertNoSecretIn, assertNothingSecretPersisted } from './e2e/harness.mjs';
import { auditBuild, auditLocales } from './e2e/audit-build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const browsers = option('--browser') ? [option('--browser')] : ['chromium', 'firefox'];
const only = option('--only');
const grep = option('--grep');

const suites = { treasure: treasureCases, databrain: databrainCases, bulk: bulkCases, faults: faultCases, a11y: a11yCases, history: historyCases, reminders: reminderCases, security: securityCases };
const failures = [];

// Asynchronous on purpose: the fake APIs live in this process and must keep answering.
async function runWasmTests(browser) {
  const env = { ...process.env, WASM_BINDGEN_TEST_TIMEOUT: '60', KEYTURN_FAKE_HTTP: 'http://127.0.0.1:8471' };
  if (browser === 'chromium') env.CHROMEDRIVER = process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver';
  else env.GECKODRIVER = process.env.GECKODRIVER ?? `${process.env.HOME}/.cargo/bin/geckodriver`;
  console.log(`\n# wasm-bindgen tests in headless ${browser}`);
  const child = spawn('cargo', ['test', '--target', 'wasm32-unknown-unknown', '--test', 'wasm_page', '--test', 'wasm_service_worker'], { cwd: root, env, stdio: 'inherit' });
  const status = await new Promise((resolve) => child.on('exit', resolve));
  if (status !== 0) failures.push(`wasm tests in ${browser}`);
}

const extensionDirOf = (browserName) => path.join(root, 'dist', browserName === 'chromium' ? 'chrome' : 'firefox');

async function runEndToEnd(browserName, fake, { lang, only: onlySuites, label } = {}) {
  const launch = browserName === 'chromium' ? launchChromium : launchFirefox;
  const browser = await launch({ extensionDir: extensionDirOf(browserName), lang });
  // The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; ordinary runs write to
  // target/screenshots, so a test run leaves the tree clean.
  const screenshotDir = process.env.UPDATE_SCREENSHOTS
    ? path.join(root, 'tests', 'e2e', 'screenshots')
    : path.join(root, 'target', 'screenshots');
  const screenshot = browserName === 'chromium'
    ? async (page, file, { width } = {}) => {
      // Light and dark (prefers-color-scheme), for the README; `width` for pages opened in a tab.
      mkdirSync(screenshotDir, { recursive: true });
      await page.screenshot(path.join(screenshotDir, file), 'light', width);
      await page.screenshot(path.join(screenshotDir, file.replace('.png', '-dark.png')), 'dark', width);
    }
    : undefined;
  console.log(`\n# end to end in headless ${browserName}${lang ? `, UI language ${lang}` : ''}${label ? `, ${label}` : ''} (${browser.origin})`);
  try {
    for (const [suite, cases] of Object.entries(onlySuites ?? suites)) {
      for (const [name, run] of Object.entries(cases)) {
        if (grep && !`${suite}: ${name}`.includes(grep)) continue;
        fake.reset();
        const started = Date.now();
        try {
          await run({ browser, fake, screenshot });
          console.log(`  ok    ${suite}: ${name} (${Date.now() - started} ms)`);
        } catch (error) {
          console.log(`  FAIL  ${suite}: ${name}\n        ${String(error.stack ?? error).split('\n').slice(0, 6).join('\n        ')}`);
          failures.push(`${browserName}: ${suite}: ${name}`);
        }
      }
    }
    // After every flow: no key of any kind in storage.local or storage.sync, in the
    // history's exports, or in the console output captured from every page and the background.
    try {
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
      for (let i = 0; !browser.consoleLog.some((line) => line.includes('keyturn-console-probe')); i++) {
        if (i > 100) throw new Error('console output is not being captured (the probe message never arrived)');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await page.close();
      assertNoSecretIn(browser.consoleLog.join('\n'), secrets, 'console output');
      console.log(`  ok    no key in storage.local, storage.sync, the history exports or ${browser.consoleLog.length} lines of console output after the whole suite`);
    } catch (error) {
      console.log(`  FAIL  secrets audit: ${error.message}`);
      failures.push(`${browserName}: secrets audit`);
    }
  } finally {
    await browser.close();
  }
}

if (only !== 'wasm') {
  try {
    auditBuild(root);
    console.log('\n# build audit\n  ok    dist/chrome and dist/firefox: permissions, CSP, local scripts only, no source maps, version');
    console.log(`  ok    _locales: en and ja complete and alike; all ${await auditLocales(root)} messages used by pages, scripts and error codes exist`);
  } catch (error) {
    console.log(`\n# build audit\n  FAIL  ${error.message}`);
    failures.push('build audit');
  }
}

// Firefox Add-ons' own linter on the Firefox package: 0 errors and 0 warnings.
if (only !== 'wasm') {
  const lint = spawn(path.join(root, 'tests', 'e2e', 'node_modules', '.bin', 'web-ext'),
    ['lint', '--source-dir', path.join(root, 'dist', 'firefox'), '--output', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  lint.stdout.on('data', (chunk) => { out += chunk; });
  await new Promise((resolve) => lint.on('exit', resolve));
  const summary = JSON.parse(out || '{}').summary;
  if (summary?.errors === 0 && summary?.warnings === 0) console.log('  ok    web-ext lint dist/firefox: 0 errors, 0 warnings');
  else {
    console.log(`  FAIL  web-ext lint dist/firefox: ${JSON.stringify(summary ?? out.slice(0, 500))}`);
    failures.push('web-ext lint');
  }
}

const fake = await startFakeApis({ port: 443, httpPort: 8471, certDir: path.join(root, 'tests', 'e2e', '.certs') });
try {
  for (const browser of browsers) {
    if (only !== 'e2e') await runWasmTests(browser);
    if (only !== 'wasm') await runEndToEnd(browser, fake);
    // Japanese: Chromium with --lang=ja, Firefox ESR with Debian's Japanese language pack.
    if (only !== 'wasm') await runEndToEnd(browser, fake, { lang: 'ja', only: { japanese: japaneseCases } });
    // Administrator policies, through the browser's own policy files, one launch per policy.
    for (const [label, settings, cases] of [
      ['policy: limits and marks', LIMITING_POLICY, limitingPolicyCases],
      ['policy: Databrain only', DATABRAIN_ONLY_POLICY, databrainOnlyPolicyCases],
    ]) {
      if (only === 'wasm') continue;
      const removePolicy = writePolicy(browser, extensionDirOf(browser), settings);
      try {
        await runEndToEnd(browser, fake, { label, only: { policy: cases } });
      } finally {
        removePolicy();
      }
    }
  }
} finally {
  await fake.close();
}
if (failures.length) {
  console.log(`\n${failures.length} failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('\nall browser tests passed');
