import path from 'node:path';
import http2 from 'node:http2';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
const certDir = '/work/main/tests/e2e/.certs';
const mode = process.argv[2];
const latency = Number(process.argv[3] ?? 0);
const handler = (req, res) => { let b = ''; req.on('data', c => b += c); req.on('end', () => setTimeout(() => { const t = JSON.stringify({ oid: 'x', name: 'n' }); res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(t) }); res.end(t); }, latency)); };
const opts = { key: readFileSync(path.join(certDir, 'key.pem')), cert: readFileSync(path.join(certDir, 'cert.pem')), allowHTTP1: true };
const server = mode === 'h2' ? http2.createSecureServer(opts, handler) : (await import('node:https')).createServer(opts, handler);
await new Promise(r => server.listen(443, '127.0.0.1', r));
const extensionDir = '/work/main/dist/chrome';
const context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'kt-')), { executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-extensions-except=' + extensionDir, '--load-extension=' + extensionDir, '--disable-background-networking', '--disable-quic', '--disable-gpu', '--host-resolver-rules=MAP * 127.0.0.1:443, EXCLUDE localhost', '--ignore-certificate-errors'] });
const worker = context.serviceWorkers()[0] ?? await context.waitForEvent('serviceworker');
const pool = async ([n, conc]) => { const t0 = performance.now(); let next = 0; const w = async () => { while (next < n) { next++; const r = await fetch('https://api.treasuredata.com/reporting/datamodels/' + next, { method: 'PUT', headers: { Authorization: 'TD1 1/abc', 'Content-Type': 'application/json' }, body: '{"datamodel":{"apikey":"1/abc"}}', credentials: 'omit', cache: 'no-store' }); JSON.parse(await r.text()); } }; await Promise.all(Array.from({ length: conc }, w)); return performance.now() - t0; };
for (let k = 0; k < 3; k++) {
  const seq = await worker.evaluate(pool, [100, 1]);
  const par = await worker.evaluate(pool, [200, 4]);
  console.log(mode, 'latency', latency, 'seq per req', (seq / 100).toFixed(2), 'pool4 200 ratio', (par / (50 * 50 + (latency ? 0 : 0))).toFixed(3), 'ms', par.toFixed(0));
}
await context.close(); server.close();
process.exit(0);
