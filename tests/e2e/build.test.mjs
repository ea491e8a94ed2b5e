// The built packages (dist/chrome, dist/firefox), checked without a browser: the audit of
// permissions, CSP and scripts (./audit-build.mjs), the _locales catalogs, and Firefox Add-ons'
// own linter.
import { it } from 'node:test';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { assert } from './harness.mjs';
import { auditBuild, auditLocales } from './audit-build.mjs';
import { ROOT } from './suite.mjs';

it('build: dist/chrome and dist/firefox: permissions, CSP, local scripts only, no source maps, version', () => auditBuild(ROOT));

it('build: _locales: en and ja complete and alike; every message used by pages, scripts and error codes exists', async () => {
  assert.ok(await auditLocales(ROOT) > 100);
});

it('build: web-ext lint dist/firefox: 0 errors, 0 warnings', { timeout: 120_000 }, async () => {
  const lint = spawn(path.join(ROOT, 'tests', 'e2e', 'node_modules', '.bin', 'web-ext'),
    ['lint', '--source-dir', path.join(ROOT, 'dist', 'firefox'), '--output', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  lint.stdout.on('data', (chunk) => { out += chunk; });
  await new Promise((resolve) => lint.on('exit', resolve));
  const summary = JSON.parse(out || '{}').summary;
  assert.deepEqual({ errors: summary?.errors, warnings: summary?.warnings }, { errors: 0, warnings: 0 }, out.slice(0, 2000));
});
