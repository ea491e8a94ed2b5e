// Whether a bulk run's cost per row grows along the run: one run of ROWS (8,000 unless
// told) pasted data models against the fake answering at once, so the run is bound by
// Keyturn's own work and not by a latency; the wall time and the CPU of the background's
// and the bulk page's threads per row (process-cpu.mjs), in each eighth of the PUTs the
// fake received. Flat eighths (after the first, which holds the start and the warm-up)
// mean no growth.   node tests/bench/growth-along-a-run.mjs
// LATENCY_MS=50 ROWS=5000 runs it as the bench's 5,000-row run (the fake at 50 ms): a cost
// that comes with time rather than with rows (a timer's work) shows there, not at once.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeApis } from '../e2e/fake-apis.mjs';
import { launchChromium } from '../e2e/browsers.mjs';
import { openFreshBulk } from '../e2e/bulk-page.mjs';
import { waitFor } from '../e2e/harness.mjs';
import { TREASURE, generatedOid } from '../e2e/scenarios.mjs';
import { browserCpu, SERVICE_WORKER_THREAD, PAGE_MAIN_THREAD } from './process-cpu.mjs';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fake = await startFakeApis({ port: 443, certDir: path.join(root, 'tests', 'e2e', '.certs'), latencyMs: Number(process.env.LATENCY_MS ?? 0) });
const browser = await launchChromium({ extensionDir: path.join(root, 'dist', 'chrome') });
const N = Number(process.env.ROWS ?? 8000); // a multiple of 8
const page = await openFreshBulk(browser);
await page.select('#bulk-region', 'us');
await page.eval(() => { document.getElementById('bulk-paste').open = true; });
await page.eval((text) => { const l = document.getElementById('bulk-lines'); l.value = text; l.dispatchEvent(new Event('input')); }, Array.from({ length: N }, (_, n) => generatedOid(90000 + n)).join('\n'));
await waitFor(page, (n) => document.getElementById('bulk-count').dataset.sendable === String(n), [N], { timeout: 60000 });
await page.fill('#bulk-key', TREASURE.masterKey);
const before = fake.requests.length;
const marks = [];
const step = N / 8;
const watch = setInterval(() => {
  const sent = fake.requests.length - before;
  if (marks.length < 9 && sent >= marks.length * step) marks.push({ sent, at: performance.now(), cpu: browserCpu().extensionThreads });
}, 5);
await page.eval(() => document.getElementById('bulk-start').click());
await waitFor(page, () => document.getElementById('bulk-counts').textContent.includes('Finished'), [], { timeout: 300000 });
clearInterval(watch);
for (let i = 1; i < marks.length; i++) {
  const [a, b] = [marks[i - 1], marks[i]]; const rows = b.sent - a.sent;
  console.log(`rows ${a.sent}-${b.sent}: wall ${((b.at - a.at) / rows).toFixed(3)} ms/row, sw ${((b.cpu[SERVICE_WORKER_THREAD] - a.cpu[SERVICE_WORKER_THREAD]) / rows).toFixed(3)}, page ${((b.cpu[PAGE_MAIN_THREAD] - a.cpu[PAGE_MAIN_THREAD]) / rows).toFixed(3)}`);
}
await browser.close();
await fake.close();
process.exit(0);
