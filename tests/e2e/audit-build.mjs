// Audit of the built packages (dist/chrome, dist/firefox): the permissions are exactly the
// source manifest's (which tests/manifest_audit.rs ties to the core's allowlist), the CSP is
// strict, every script is a local file of the package, and nothing points outside it.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assert } from './harness.mjs';

const files = (dir) => readdirSync(dir, { withFileTypes: true })
  .flatMap((entry) => (entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));

export function auditBuild(root) {
  const source = JSON.parse(readFileSync(path.join(root, 'extension', 'manifest.json'), 'utf8'));
  for (const browser of ['chrome', 'firefox']) {
    const dir = path.join(root, 'dist', browser);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    for (const field of ['host_permissions', 'optional_host_permissions', 'content_security_policy']) {
      assert.deepEqual(manifest[field], source[field], `${browser}: ${field}`);
    }
    // Firefox has no offscreen documents (its background page empties the clipboard itself).
    const permissions = browser === 'chrome' ? source.permissions : source.permissions.filter((name) => name !== 'offscreen');
    assert.deepEqual(manifest.permissions, permissions, `${browser}: permissions`);
    const csp = manifest.content_security_policy.extension_pages;
    assert.equal(csp, "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'", `${browser}: CSP`);
    assert.ok(!/'unsafe-eval'|'unsafe-inline'|https?:/.test(csp), `${browser}: CSP has no unsafe source`);
    if (browser === 'chrome') {
      assert.equal(manifest.background.service_worker, 'background.js');
      assert.equal(manifest.browser_specific_settings, undefined);
    } else {
      assert.deepEqual(manifest.background.scripts, ['background.js']);
      assert.equal(manifest.browser_specific_settings.gecko.id, 'keyturn@keyturn.dev');
    }
    const version = readFileSync(path.join(root, 'Cargo.toml'), 'utf8').match(/^version = "(.+)"/m)[1];
    assert.equal(manifest.version, version, `${browser}: version from Cargo.toml`);

    // The package's files, walked once: every script a page loads or a script imports is one.
    const packaged = files(dir);
    const inPackage = (relative) => packaged.includes(path.join(dir, relative));
    for (const file of packaged) {
      const name = path.relative(dir, file);
      assert.ok(!name.endsWith('.map'), `${browser}: no source maps (${name})`);
      if (name.endsWith('.html')) {
        const html = readFileSync(file, 'utf8');
        for (const [, src] of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) {
          assert.ok(!/^[a-z]+:|^\/\//i.test(src), `${browser}: ${name} loads a remote script ${src}`);
          assert.ok(inPackage(src), `${browser}: ${name} loads a missing ${src}`);
        }
        assert.ok(!/<script\b(?![^>]*\bsrc=)[^>]*>\s*\S/.test(html), `${browser}: ${name} has an inline script`);
        // A render-blocking hint names an element of its own page (else it only waits for
        // the end of the parse, and the page it was written for is gone unnoticed).
        for (const [, id] of html.matchAll(/<link\b[^>]*\brel="expect"[^>]*\bhref="#([^"]+)"/g)) {
          assert.ok(html.includes(`id="${id}"`), `${browser}: ${name} blocks rendering until #${id}, which it lacks`);
        }
        if (name === 'popup.html') {
          // popup.js wires the page once #page-end is parsed: it must be the page's last
          // element, and its only one of that id, and popup.js must look for it.
          assert.match(html, /<div id="page-end" hidden><\/div>\s*<\/body>\s*<\/html>\s*$/, `${browser}: popup.html ends with #page-end`);
          assert.equal(html.split('id="page-end"').length, 2, `${browser}: popup.html has one #page-end`);
          assert.ok(readFileSync(path.join(dir, 'popup.js'), 'utf8').includes('getElementById("page-end")'), `${browser}: popup.js starts once #page-end is parsed`);
          // build.sh wrote the English text in (prefill-english.mjs); localize() skips it in English.
          assert.match(html, /<html lang="en" data-prefilled="en">/, `${browser}: popup.html is marked as prefilled`);
          const catalog = JSON.parse(readFileSync(path.join(dir, '_locales', 'en', 'messages.json'), 'utf8'));
          // As chrome.i18n.getMessage gives it ($$ is a $), escaped as the page holds it.
          const english = (key) => catalog[key].message.replace(/\$\$/g, '$')
            .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
          const elements = html.replace(/<!--[\s\S]*?-->|<style>[\s\S]*?<\/style>/g, '');
          const texts = [...elements.matchAll(/<([a-z][a-z0-9]*)\b[^>]*\sdata-i18n="([^"]+)"[^>]*>([^<]*)<\/\1>/g)];
          assert.equal(texts.length, elements.match(/\sdata-i18n="/g).length, `${browser}: popup.html: every data-i18n element holds text only`);
          for (const [, , key, text] of texts) assert.equal(text, english(key), `${browser}: popup.html: the English text of ${key}`);
          // Each translated attribute is on the tag that carries its mark.
          for (const [tag] of elements.matchAll(/<[a-z][a-z0-9]*\b[^>]*\sdata-i18n-[a-z-]+="[^"]+"[^>]*>/g)) {
            for (const [, attribute, key] of tag.matchAll(/\sdata-i18n-([a-z-]+)="([^"]+)"/g)) {
              assert.ok(tag.includes(` ${attribute}="${english(key)}"`), `${browser}: popup.html: the English ${attribute} of ${key} on ${tag}`);
            }
          }
        }
      }
      if (name.endsWith('.js')) {
        const js = readFileSync(file, 'utf8');
        assert.ok(!/\beval\(|new Function\(|sourceMappingURL=/.test(js), `${browser}: ${name} uses eval or a source map`);
        assert.ok(!/import\s*\(?\s*['"]https?:/.test(js), `${browser}: ${name} imports remote code`);
        // A module a script imports at run time (the popup's full core) is one of the
        // package's files, named as such: every import() has that one form.
        const runTimeImports = [...js.matchAll(/\bimport\(chrome\.runtime\.getURL\("([^"]+)"\)\)/g)].map(([, imported]) => imported);
        assert.equal(runTimeImports.length, [...js.matchAll(/\bimport\(/g)].length, `${browser}: ${name} imports a module other than a named file of its own`);
        for (const imported of runTimeImports) {
          assert.ok(inPackage(imported), `${browser}: ${name} imports a missing ${imported}`);
        }
        if (name === 'popup.js') {
          assert.deepEqual(runTimeImports, ['full-core-glue.js'], `${browser}: popup.js imports the full core's glue for its actions`);
          // The full core's glue is imported once the popup is drawn, not parsed before it.
          assert.ok(!js.includes('runBulkJob'), `${browser}: popup.js bundles the full core's glue`);
          // The popup carries its own build of the core as base64 (build.sh): a valid module
          // whose every export of the core's own the full core, keyturn_bg.wasm, has too.
          // wasm-bindgen's generated shims (closures, memory, tables) are named per build and
          // optimisation level, so they are not compared.
          const embedded = js.match(/"(AGFzbQ[A-Za-z0-9+/=]+)"/);
          assert.ok(embedded, `${browser}: popup.js embeds the core's wasm`);
          const generated = (name) => /^(__wbindgen|__wbg|wasm_bindgen_|__externref|memory$)/.test(name);
          const exportsOf = (bytes) => WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((entry) => entry.name).filter((name) => !generated(name));
          const full = new Set(exportsOf(readFileSync(path.join(dir, 'keyturn_bg.wasm'))));
          for (const exported of exportsOf(Buffer.from(embedded[1], 'base64'))) {
            assert.ok(full.has(exported), `${browser}: the popup's core exports ${exported}, the full core does not`);
          }
        }
      }
    }
  }
}

/**
 * The _locales catalogs: English and Japanese hold the same messages with the same
 * placeholders, and every message a page or script asks for exists, including one per
 * error code of the core.
 */
export async function auditLocales(root) {
  const catalog = (lang) => JSON.parse(readFileSync(path.join(root, 'extension', '_locales', lang, 'messages.json'), 'utf8'));
  const en = catalog('en');
  const ja = catalog('ja');
  assert.deepEqual(Object.keys(ja).sort(), Object.keys(en).sort(), 'en and ja hold the same messages');
  for (const [name, message] of Object.entries(en)) {
    assert.deepEqual(Object.keys(ja[name].placeholders ?? {}), Object.keys(message.placeholders ?? {}), `placeholders of ${name}`);
    assert.ok(ja[name].message.trim(), `ja ${name} is translated`);
  }
  const extension = path.join(root, 'extension');
  const wanted = new Set();
  for (const file of readdirSync(extension).filter((name) => /\.(html|js)$/.test(name))) {
    const text = readFileSync(path.join(extension, file), 'utf8');
    if (file.endsWith('.html')) for (const [, name] of text.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) wanted.add(name);
    if (file.endsWith('.js')) for (const [, name] of text.matchAll(/\bt\('([A-Za-z0-9_]+)'/g)) wanted.add(name);
  }
  // The error codes from the core itself (ErrorCode::ALL, one declaration in failure.rs),
  // through the built full core's `errorCodes` export.
  const coreDir = path.join(root, 'target', 'keyturn-full');
  const core = await import(pathToFileURL(path.join(coreDir, 'keyturn.js')).href);
  core.initSync({ module: readFileSync(path.join(coreDir, 'keyturn_bg.wasm')) });
  const codes = core.errorCodes();
  assert.ok(codes.includes('OUTCOME_UNKNOWN') && codes.length > 30, `the core's error codes: ${codes}`);
  for (const code of codes) wanted.add(`error_${code}`);
  for (const name of wanted) assert.ok(en[name], `_locales has no message ${name}`);
  // One meaning per code: no two codes share a message, in either language (a code reused
  // for a second meaning would show the first one's words).
  for (const [lang, messages] of [['en', en], ['ja', ja]]) {
    const byText = new Map();
    for (const code of codes) {
      const text = messages[`error_${code}`].message;
      assert.ok(!byText.has(text), `${lang}: error_${code} and error_${byText.get(text)} say the same thing`);
      byText.set(text, code);
    }
  }
  return wanted.size;
}
