// Loads the built, unpacked extension into headless Chromium (playwright-core) or headless
// Firefox (geckodriver, plain WebDriver) and gives both the same small page interface, so
// every end-to-end case is written once and run in both browsers.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

export async function launchChromium({ extensionDir, lang }) {
  const profile = mkdtempSync(path.join(tmpdir(), 'keyturn-chromium-'));
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
  listen(worker);
  context.on('serviceworker', listen);
  return {
    name: 'chromium',
    origin,
    consoleLog,
    /** The profile directory, for a forensic look after `close({ keepProfile: true })`. */
    profile,
    async open(pagePath) {
      const page = await context.newPage();
      listen(page);
      await page.goto(`${origin}/${pagePath}`);
      return new ChromiumPage(page);
    },
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
    /** Stops the extension's service worker, as Chrome does after 30 s idle (CDP); its next event starts it again. */
    async stopBackground() {
      const page = context.pages()[0] ?? await context.newPage();
      const cdp = await context.newCDPSession(page);
      try {
        await cdp.send('ServiceWorker.enable');
        await cdp.send('ServiceWorker.stopAllWorkers');
      } finally {
        await cdp.detach();
      }
    },
    async close({ keepProfile = false } = {}) { await context.close(); if (!keepProfile) rmSync(profile, { recursive: true, force: true }); },
  };
}

// ---- Firefox ---------------------------------------------------------------------------

class WebDriver {
  constructor(base) { this.base = base; }
  async call(method, route, body) {
    const res = await fetch(`${this.base}${route}`, {
      method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`WebDriver ${method} ${route}: ${json.value?.error}: ${json.value?.message}`);
    return json.value;
  }
}

class FirefoxPage {
  constructor(browser, handle) { this.browser = browser; this.handle = handle; }
  async session(method, route, body) {
    await this.browser.focus(this.handle);
    return this.browser.wd.call(method, `/session/${this.browser.sid}${route}`, body);
  }
  async element(selector) {
    const found = await this.session('POST', '/element', { using: 'css selector', value: selector });
    return Object.values(found)[0];
  }
  async fill(selector, text) {
    const id = await this.element(selector);
    await this.session('POST', `/element/${id}/clear`, {});
    if (text) await this.session('POST', `/element/${id}/value`, { text });
  }
  async click(selector) { await this.session('POST', `/element/${await this.element(selector)}/click`, {}); }
  async check(selector, on = true) {
    if ((await this.eval((s) => document.querySelector(s).checked, selector)) !== on) await this.click(selector);
  }
  async select(selector, value) {
    await this.eval((s, v) => { const el = document.querySelector(s); el.value = v; el.dispatchEvent(new Event('change', { bubbles: true })); }, selector, value);
  }
  async press(key) {
    const codes = { Tab: '\uE004', Enter: '\uE007', Space: ' ', ArrowLeft: '\uE012', ArrowRight: '\uE014' };
    const value = codes[key] ?? key;
    await this.session('POST', '/actions', { actions: [{ type: 'key', id: 'kb', actions: [{ type: 'keyDown', value }, { type: 'keyUp', value }] }] });
  }
  async eval(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve((${fn.toString()})(...arguments[0])).then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ error: String(e && e.stack || e) }));`;
    const result = await this.session('POST', '/execute/async', { script, args: [args] });
    if (result.error) throw new Error(result.error);
    return result.ok;
  }
  async reload() { await this.session('POST', '/refresh', {}); }
  async close() { await this.session('DELETE', '/window'); this.browser.current = null; }
}

export async function launchFirefox({ extensionDir, lang, prefs = {}, geckodriver = process.env.GECKODRIVER ?? 'geckodriver' }) {
  const port = 4444 + Math.floor(Math.random() * 1000);
  const driver = spawn(geckodriver, ['--port', String(port), '--allow-system-access'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Firefox prints every console message (pages, background, workers) to its stdout with the
  // devtools.console.stdout.* prefs below, and geckodriver passes that through: collected
  // line by line for the secrets audit, as Chromium's console events are.
  const consoleLog = [];
  for (const stream of [driver.stdout, driver.stderr]) {
    let partial = '';
    stream.setEncoding('utf8').on('data', (text) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop();
      consoleLog.push(...lines);
    });
  }
  const wd = new WebDriver(`http://127.0.0.1:${port}`);
  for (let i = 0; ; i++) {
    try { await wd.call('GET', '/status'); break; } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 100)); }
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'keyturn-firefox-'));
  const { sessionId: sid } = await wd.call('POST', '/session', {
    capabilities: { alwaysMatch: {
      browserName: 'firefox', acceptInsecureCerts: true,
      'moz:firefoxOptions': {
        binary: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
        args: ['-headless', '-profile', profile],
        prefs: {
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
          ...prefs,
        },
      },
    } },
  });
  await wd.call('POST', `/session/${sid}/moz/addon/install`, { path: path.resolve(extensionDir), temporary: true });
  const origin = `moz-extension://${FIREFOX_UUID}`;

  const browser = {
    name: 'firefox', origin, wd, sid, current: null, consoleLog,
    /** The profile directory, for a forensic look after `close({ keepProfile: true })`. */
    profile,
    /** Runs `script` (a function body; `done(value)` answers) in the browser's privileged chrome context. */
    async chrome(script, ...args) {
      await wd.call('POST', `/session/${sid}/moz/context`, { context: 'chrome' });
      try {
        return await wd.call('POST', `/session/${sid}/execute/async`, { script: `const done = arguments[arguments.length - 1]; ${script}`, args });
      } finally {
        await wd.call('POST', `/session/${sid}/moz/context`, { context: 'content' });
      }
    },
    /** Stops the extension's background page, as Firefox does after it idles; its next event starts it again. */
    async stopBackground() {
      const stopped = await this.chrome(`const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
        const extension = ExtensionParent.GlobalManager.getExtension(arguments[0]);
        extension.terminateBackground().then(() => done(extension.backgroundState), (e) => done(String(e)));`, GECKO_ID);
      if (stopped !== 'stopped') throw new Error(`the background did not stop: ${stopped}`);
    },
    /** The clipboard's text, read in the chrome context (no page permission involved). */
    async readClipboard() {
      return this.chrome(`navigator.clipboard.readText().then(done, (e) => done({ error: String(e) }));`);
    },
    async focus(handle) {
      if (this.current !== handle) { await wd.call('POST', `/session/${sid}/window`, { handle }); this.current = handle; }
    },
    async open(pagePath) {
      // WebDriver may not navigate to moz-extension:// itself; open the tab from chrome context.
      const before = new Set(await wd.call('GET', `/session/${sid}/window/handles`));
      await wd.call('POST', `/session/${sid}/moz/context`, { context: 'chrome' });
      await wd.call('POST', `/session/${sid}/execute/sync`, {
        script: `const tab = gBrowser.addTab(arguments[0], { triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal() });
                 gBrowser.selectedTab = tab;`,
        args: [`${origin}/${pagePath}`],
      });
      await wd.call('POST', `/session/${sid}/moz/context`, { context: 'content' });
      let handle;
      for (let i = 0; !handle; i++) {
        handle = (await wd.call('GET', `/session/${sid}/window/handles`)).find((h) => !before.has(h));
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
    async close({ keepProfile = false } = {}) {
      await wd.call('DELETE', `/session/${sid}`).catch(() => {});
      driver.kill();
      if (!keepProfile) rmSync(profile, { recursive: true, force: true });
    },
  };
  // The session starts on about:blank; keep that window as the anchor and open pages beside it.
  return browser;
}
