// The wasm-bindgen tests (tests/wasm_page.rs, tests/wasm_service_worker.rs: the JS boundary
// and real gloo-net requests) in headless Chromium and headless Firefox, against the fake's
// plain-HTTP probe on 127.0.0.1:8471. cargo's output is shown only when they fail.
import { it } from 'node:test';
import { spawn } from 'node:child_process';
import { assert } from './harness.mjs';
import { BROWSERS, ROOT, fakeApis } from './suite.mjs';

for (const browser of BROWSERS) {
  // The first run compiles the tests for wasm32: minutes on 2 cores.
  it(`${browser}: wasm-bindgen tests in a page and in a service worker`, { timeout: 1_200_000 }, async () => {
    await fakeApis();
    const env = { ...process.env, WASM_BINDGEN_TEST_TIMEOUT: '60', KEYTURN_FAKE_HTTP: 'http://127.0.0.1:8471' };
    if (browser === 'chromium') env.CHROMEDRIVER = process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver';
    else env.GECKODRIVER = process.env.GECKODRIVER ?? `${process.env.HOME}/.cargo/bin/geckodriver`;
    const child = spawn('cargo', ['test', '--target', 'wasm32-unknown-unknown', '--test', 'wasm_page', '--test', 'wasm_service_worker'],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => { output += chunk; });
    const status = await new Promise((resolve) => child.on('exit', resolve));
    const passed = [...output.matchAll(/test result: ok\. (\d+) passed/g)].map((match) => Number(match[1]));
    assert.equal(status, 0, `cargo test --target wasm32-unknown-unknown failed:\n${output.split('\n').slice(-80).join('\n')}`);
    assert.equal(passed.length, 2, `both test files ran:\n${output.split('\n').slice(-40).join('\n')}`);
    assert.ok(passed.every((count) => count > 0), 'each ran tests');
  });
}
