// Runs every browser-side test on Node's own test runner, one file at a time (the files
// share 127.0.0.1:443 and :8471): the build audit (tests/e2e/build.test.mjs), the
// wasm-bindgen tests in headless Chromium and Firefox (tests/e2e/wasm-bindgen.test.mjs), and
// every end-to-end area (tests/e2e/<area>.test.mjs, each a few lines over its
// <area>.cases.mjs; see tests/e2e/suite.mjs). The output is node's: one line per case, its
// summary last.
//
//   node tests/run-browser-tests.mjs [--browser chromium|firefox] [--only build|wasm|e2e] [--grep text] [files...]
//
// --browser and --grep become one --test-name-pattern (test names read
// `<browser>: <area>: <case>`); it is the same as calling node yourself, e.g.
//   node --test --test-reporter=spec --test-name-pattern='firefox: treasure: replaces' tests/e2e/treasure.test.mjs
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const e2e = path.join(root, 'tests', 'e2e');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, 2);
  return value;
};
const browser = option('--browser');
const only = option('--only');
const grep = option('--grep');

// Node's runner takes the files in name order.
const all = readdirSync(e2e).filter((name) => name.endsWith('.test.mjs'));
const chosen = {
  build: ['build.test.mjs'],
  wasm: ['wasm-bindgen.test.mjs'],
  e2e: all.filter((name) => !['build.test.mjs', 'wasm-bindgen.test.mjs'].includes(name)),
}[only] ?? all;
const files = args.length ? args : chosen.map((name) => path.join(e2e, name));

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pattern = browser || grep ? `${browser ? `${escape(browser)}: ` : ''}.*${grep ? escape(grep) : ''}` : null;
const node = spawn(process.execPath, [
  '--test', '--test-concurrency=1', '--test-reporter=spec',
  ...(pattern ? [`--test-name-pattern=${pattern}`] : []),
  ...files,
], { cwd: root, stdio: 'inherit' });
node.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
