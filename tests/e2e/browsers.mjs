// Loads the built, unpacked extension into headless Chromium (playwright-core) or headless
// Firefox (geckodriver, through selenium-webdriver) and gives both the same small page
// interface, so every end-to-end case is written once and run in both browsers.
import { chromium } from 'playwright-core';
import { Builder, By, Key } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const GECKO_ID = 'keyturn@keyturn.dev';
const FIREFOX_UUID = '6b1f2c4e-8a1d-4c2b-9f3e-0d5a7b9c1e24';

// ---- Chromium ------------------------------------------------------------------------

class ChromiumPage {
  constructor(page) { this.page = page; }
  fill(selector, text) { return this.page.fill(selector, text); }
  click(selector) { return this.page.click(selector); }
  check(selector, on = true) { return this.page.setChecked(selector, on); }
  select(selector, value) { return this.page.selectOption(selector, value); }
  press(key) { return this.page.keyboard.press(key); }
  /** Runs `fn(...args)` in the page (it may be async) and returns its JSON result. */
  eval(fn, ...args) { return this.page.evaluate(([source, a]) => (0, eval)(`(${source})`)(...a), [fn.toString(), args]); }
  reload() { return this.page.reload(); }
  close() { return this.page.close(); }
  /** A full-page screenshot; `width` widens the viewport (popup-sized by default) for a page opened in a tab. */
  async screenshot(file, colorScheme = 'light', width = null) {
    const size = this.page.viewportSize();
    if (width) await this.page.setViewportSize({ width, height: size.height });
    await this.page.emulateMedia({ colorScheme });
    await this.page.screenshot({ path: file, fullPage: true });
    await this.page.emulateMedia({ colorScheme: null });
    if (width) await this.page.setViewportSize(size);
  }
}

/**
 * Runs in the background service worker: records the id, title and message of every
 * notification it creates (Chromium's `notifications.getAll()` gives ids only).
 */
function RECORD_NOTIFICATIONS() {
  if (self.keyturnNotifications) return;
  self.keyturnNotifications = [];
  const create = chrome.notifications.create.bind(chrome.notifications);
  chrome.notifications.create = (id, options, ...rest) => {
    self.keyturnNotifications.push({ id, title: options.title, message: options.message });
    return create(id, options, ...rest);
  };
}

/** `profile`: an existing profile directory, to start the browser again as a user does (default: a fresh one). */
export async function launchChromium({ extensionDir, lang, profile = mkdtempSync(path.join(tmpdir(), 'keyturn-chromium-')) }) {
  // Playwright reports every request of a service worker to this process (CDP Network events),
  // which costs the browser some milliseconds per request and shares this process's event loop
  // with the fake APIs: a bulk run's thousands of PUTs would time the driver. No test listens
  // to those events.
  process.env.PLAYWRIGHT_DISABLE_SERVICE_WORKER_NETWORK ??= '1';
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 380, height: 600 },
    ...(lang ? { locale: lang, env: { ...process.env, LANGUAGE: lang, LANG: `${lang}_JP.UTF-8` } } : {}),
    args: [
      ...(lang ? [`--lang=${lang}`] : []),
      '--no-sandbox', `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`,
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-quic', '--disable-gpu',
      // Every API and console host name goes to the local fake; the build itself is untouched.
      '--host-resolver-rules=MAP * 127.0.0.1:443, EXCLUDE localhost', '--ignore-certificate-errors',
    ],
  });
  const worker = context.serviceWorkers()[0] ?? await context.waitForEvent('serviceworker');
  const origin = worker.url().match(/^chrome-extension:\/\/[a-p]{32}/)[0];
  // Everything Keyturn's pages and background print, for the secrets audit.
  const consoleLog = [];
  const listen = (target) => target.on?.('console', (message) => consoleLog.push(message.text()));
  // Chromium tells an extension only the ids of its notifications, not their text: each
  // background is watched as it starts, so a case can read what a notification showed.
  const watch = (target) => { listen(target); target.evaluate(RECORD_NOTIFICATIONS).catch(() => {}); };
  watch(worker);
  context.on('serviceworker', watch);
  const background = () => context.serviceWorkers().find((candidate) => candidate.url().startsWith(origin));
  return {
    name: 'chromium',
    origin,
    consoleLog: () => consoleLog,
    /** A new browser of the same kind, with a fresh profile (a browser start, as a user has it). */
    relaunch: () => launchChromium({ extensionDir, lang }),
    /** This browser closed and started again on the same profile (its storage.local kept). */
    async restart() {
      await context.close();
      return launchChromium({ extensionDir, lang, profile });
    },
    /**
     * Stops the extension's service worker, as Chrome does on an update, a crash or memory
     * pressure (CDP ServiceWorker.stopAllWorkers, from a page's session).
     */
    async stopBackground() {
      const page = await context.newPage();
      try {
        const cdp = await context.newCDPSession(page);
        await cdp.send('ServiceWorker.enable');
        await cdp.send('ServiceWorker.stopAllWorkers');
      } finally {
        await page.close();
      }
    },
    /** Runs `fn(...args)` in the extension's service worker (it may be async) and returns its JSON result. */
    async evalInBackground(fn, ...args) {
      const current = background() ?? await context.waitForEvent('serviceworker');
      return current.evaluate(([source, a]) => (0, eval)(`(${source})`)(...a), [fn.toString(), args]);
    },
    /** The notifications the browser shows now: [{id, title, message}]. */
    async shownNotifications() {
      const current = background();
      if (!current) return [];
      return current.evaluate(async () => {
        const open = await chrome.notifications.getAll();
        return (self.keyturnNotifications ?? []).filter((shown) => open[shown.id]);
      });
    },
    async open(pagePath) {
      const page = await context.newPage();
      listen(page);
      await page.goto(`${origin}/${pagePath}`);
      return new ChromiumPage(page);
    },
    /** The profile directory, for a forensic look after `close({ keepProfile: true })`. */
    profile,
    /**
     * The clipboard's text, read by a web page granted clipboard access (Chromium grants
     * none to an extension's origin): one of the fake's console pages.
     */
    async readClipboard(webOrigin = 'https://console.treasuredata.com') {
      await context.grantPermissions(['clipboard-read'], { origin: webOrigin });
      const page = await context.newPage();
      await page.goto(`${webOrigin}/`);
      await page.bringToFront();
      try { return await page.evaluate(() => navigator.clipboard.readText()); } finally { await page.close(); }
    },
    async close({ keepProfile = false } = {}) { await context.close(); if (!keepProfile) rmSync(profile, { recursive: true, force: true }); },
  };
}

// ---- Firefox ---------------------------------------------------------------------------
// Driven through geckodriver by selenium-webdriver, the Selenium project's own client: it
// installs the unpacked folder as a temporary add-on, switches to the chrome context for
// what WebDriver may not do in content, and leaves geckodriver's output (where Firefox
// prints every console message, with the devtools.console.stdout.* prefs) in a file.

const KEYS = { Tab: Key.TAB, Enter: Key.ENTER, Space: Key.SPACE, ArrowLeft: Key.ARROW_LEFT, ArrowRight: Key.ARROW_RIGHT };

class FirefoxPage {
  constructor(browser, handle) { this.browser = browser; this.handle = handle; }
  async driver() {
    await this.browser.focus(this.handle);
    return this.browser.driver;
  }
  async fill(selector, text) {
    const element = (await this.driver()).findElement(By.css(selector));
    await element.clear();
    if (text) await element.sendKeys(text);
  }
  async click(selector) { await (await this.driver()).findElement(By.css(selector)).click(); }
  async check(selector, on = true) {
    if ((await this.eval((s) => document.querySelector(s).checked, selector)) !== on) await this.click(selector);
  }
  async select(selector, value) {
    await this.eval((s, v) => { const el = document.querySelector(s); el.value = v; el.dispatchEvent(new Event('change', { bubbles: true })); }, selector, value);
  }
  async press(key) {
    const value = KEYS[key] ?? key;
    await (await this.driver()).actions().keyDown(value).keyUp(value).perform();
  }
  /** Runs `fn(...args)` in the page (it may be async) and returns its JSON result. */
  async eval(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve((${fn.toString()})(...arguments[0])).then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ error: String(e && e.stack || e) }));`;
    const result = await (await this.driver()).executeAsyncScript(script, args);
    if (result.error) throw new Error(result.error);
    return result.ok;
  }
  async reload() { await (await this.driver()).navigate().refresh(); }
  async close() { await (await this.driver()).close(); this.browser.current = null; }
}

/**
 * Runs in Firefox's parent process: an alerts service that keeps what each notification
 * shows instead of handing it to the desktop (headless Firefox closes those at once), so
 * `notifications.getAll()` lists it until it is cleared, as on a desktop, and a case can read
 * its title and text.
 */
const ALERTS_STAND_IN = `
  const service = {
    shown: [],
    get wrappedJSObject() { return this; },
    QueryInterface: ChromeUtils.generateQI(['nsIAlertsService']),
    showAlert(alert, listener) {
      this.shown.push({ id: alert.name, title: alert.title, message: alert.text, open: true });
      listener?.observe(null, 'alertshow', alert.cookie);
    },
    closeAlert(name) { for (const shown of this.shown) if (shown.id === name) shown.open = false; },
  };
  const factory = {
    QueryInterface: ChromeUtils.generateQI(['nsIFactory']),
    createInstance(...args) { return service.QueryInterface(args[args.length - 1]); },
  };
  Components.manager.QueryInterface(Ci.nsIComponentRegistrar).registerFactory(
    Components.ID('{4f0e7c2a-3b1d-4e5f-9a8b-7c6d5e4f3a2b}'), 'keyturn test alerts', '@mozilla.org/alerts-service;1', factory);`;

export async function launchFirefox({ extensionDir, lang, prefs: extraPrefs = {}, geckodriver = process.env.GECKODRIVER ?? 'geckodriver' }) {
  const scratch = mkdtempSync(path.join(tmpdir(), 'keyturn-firefox-'));
  const output = path.join(scratch, 'geckodriver.log');
  const fd = openSync(output, 'w');
  const service = new firefox.ServiceBuilder(geckodriver).addArguments('--allow-system-access').setStdio(['ignore', fd, fd]);
  const options = new firefox.Options()
    .setBinary(process.env.FIREFOX ?? '/usr/bin/firefox-esr')
    .addArguments('-headless')
    .setAcceptInsecureCerts(true);
  const prefs = {
    'network.dns.forceResolve': '127.0.0.1', // every host to the local fake on 127.0.0.1:443
    'devtools.console.stdout.chrome': true, 'devtools.console.stdout.content': true,
    'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
    'extensions.originControls.grantByDefault': true,
    'browser.shell.checkDefaultBrowser': false, 'app.update.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false, 'toolkit.telemetry.enabled': false,
    'network.captive-portal-service.enabled': false, 'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false, 'extensions.getAddons.cache.enabled': false,
    'browser.region.network.url': '', 'browser.search.geoip.url': '', 'network.connectivity-service.enabled': false,
    // The UI language, from Debian's language pack (firefox-esr-l10n-<lang>), as a user would set it.
    ...(lang ? { 'intl.locale.requested': lang, 'intl.accept_languages': lang } : {}),
    ...extraPrefs,
  };
  for (const [name, value] of Object.entries(prefs)) options.setPreference(name, value);
  // A profile of our own (not geckodriver's temporary copy), so a case can search it after close.
  const profile = mkdtempSync(path.join(tmpdir(), 'keyturn-firefox-profile-'));
  options.addArguments('-profile', profile);
  let driver;
  try {
    driver = await new Builder().forBrowser('firefox').setFirefoxOptions(options).setFirefoxService(service).build();
    await driver.installAddon(path.resolve(extensionDir), true);
  } catch (error) {
    await driver?.quit().catch(() => {});
    closeSync(fd);
    rmSync(scratch, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const origin = `moz-extension://${FIREFOX_UUID}`;

  const browser = {
    name: 'firefox', origin, driver, current: null,
    consoleLog: () => readFileSync(output, 'utf8').split('\n'),
    /** A new browser of the same kind, with a fresh profile (a browser start, as a user has it). */
    relaunch: () => launchFirefox({ extensionDir, lang, geckodriver }),
    /**
     * Stops the extension's background, as Firefox does when it is idle or the add-on
     * updates (the privileged test interface: the extension object's terminateBackground()).
     * Resolves to the background's state afterwards ('stopped').
     */
    async stopBackground() {
      // A page's message or an alarm can start the background again at once (it then reads
      // 'starting' or 'running'), and a background still starting is not stopped: try again,
      // a stop that did happen meanwhile only counts as one more interruption.
      let state = '';
      for (let attempt = 0; attempt < 10; attempt++) {
        state = await this.chrome(`const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
          const extension = ExtensionParent.GlobalManager.getExtension(arguments[0]);
          return extension.terminateBackground().then(() => String(extension.backgroundState), (e) => String(e));`, GECKO_ID);
        if (state === 'stopped') return state;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`the background did not stop: ${state}`);
    },
    /** The profile directory, for a forensic look after `close({ keepProfile: true })`. */
    profile,
    /** The clipboard's text, read in the chrome context (no page permission involved). */
    readClipboard() {
      return this.chrome('return navigator.clipboard.readText();');
    },
    async focus(handle) {
      if (this.current !== handle) { await driver.switchTo().window(handle); this.current = handle; }
    },
    /** Runs `script` (text) in the chrome context, Firefox's own privileged code, and returns its result. */
    async chrome(script, ...args) {
      await driver.setContext(firefox.Context.CHROME);
      try {
        return await driver.executeScript(script, ...args);
      } finally {
        await driver.setContext(firefox.Context.CONTENT);
      }
    },
    async open(pagePath) {
      // WebDriver may not navigate to moz-extension:// itself; open the tab from chrome context.
      const before = new Set(await driver.getAllWindowHandles());
      await this.chrome(`const tab = gBrowser.addTab(arguments[0], { triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal() });
                         gBrowser.selectedTab = tab;`, `${origin}/${pagePath}`);
      let handle;
      for (let i = 0; !handle; i++) {
        handle = (await driver.getAllWindowHandles()).find((h) => !before.has(h));
        if (!handle) { if (i > 100) throw new Error('extension tab did not open'); await new Promise((r) => setTimeout(r, 50)); }
      }
      this.current = null;
      const page = new FirefoxPage(this, handle);
      for (let i = 0; ; i++) {
        const state = await page.eval(() => document.readyState).catch(() => 'loading');
        if (state === 'complete') break;
        if (i > 200) throw new Error('extension page did not load');
        await new Promise((r) => setTimeout(r, 25));
      }
      return page;
    },
    /** The notifications the browser shows now: [{id, title, message}]. */
    async shownNotifications() {
      const shown = await this.chrome(`return Cc['@mozilla.org/alerts-service;1'].getService(Ci.nsISupports).wrappedJSObject.shown;`);
      return shown.filter((notification) => notification.open).map(({ id, title, message }) => ({ id, title, message }));
    },
    async close({ keepProfile = false } = {}) {
      await driver.quit().catch(() => {});
      closeSync(fd);
      rmSync(scratch, { recursive: true, force: true });
      if (!keepProfile) rmSync(profile, { recursive: true, force: true });
    },
  };
  await browser.chrome(ALERTS_STAND_IN);
  // The session starts on about:blank; that window stays the anchor and pages open beside it.
  return browser;
}
