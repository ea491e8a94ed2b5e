// A local HTTPS fake of the Treasure and Databrain APIs, answering as their documents say
// (seed-000, treasure-api.md; seed-003/004, databrain-api.md), including their errors.
// Browsers reach it under the real host names (host-resolver rules in Chromium,
// network.dns.forceResolve in Firefox), so the production build is tested unchanged.
// It records every request to a known API host, and how many were in flight at once.
import https from 'node:https';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DATA_MODELS, FAULTS, TREASURE } from './scenarios.mjs';

const TREASURE_HOSTS = Object.keys(DATA_MODELS);
export const SLOW_ANSWER_MS = 17_000; // longer than the core's 15 s REQUEST_TIMEOUT_MS

function selfSignedCertificate(dir) {
  mkdirSync(dir, { recursive: true });
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  if (!existsSync(cert)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=keyturn-fake',
      '-addext', 'subjectAltName=DNS:*.treasuredata.com,DNS:*.eu01.treasuredata.com,DNS:*.ap02.treasuredata.com,DNS:*.treasuredata.co.jp,DNS:*.usedatabrain.com',
      '-keyout', key, '-out', cert], { stdio: 'ignore' });
  }
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

function send(res, status, body, contentType = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function treasure(req, res, body, host) {
  const match = /^\/reporting\/datamodels\/([^/?#]+)$/.exec(req.url);
  if (req.method !== 'PUT' || !match) return send(res, 404, { error: 'Not Found' });
  const oid = match[1];
  const auth = req.headers.authorization ?? '';
  const key = auth.startsWith('TD1 ') ? auth.slice(4) : null;
  if (key === TREASURE.writeOnlyKey) return send(res, 403, { error: 'Forbidden', message: 'Write-only API key' });
  if (key !== TREASURE.masterKey) return send(res, 401, { error: 'Unauthorized', message: 'Invalid API key' });
  let parsed;
  try { parsed = JSON.parse(body); } catch { return send(res, 400, { error: 'Bad Request', message: 'Malformed JSON' }); }
  if (typeof parsed?.datamodel?.apikey !== 'string') return send(res, 400, { error: 'Bad Request', message: 'datamodel.apikey is required' });

  switch (oid) {
    case FAULTS.serverError: return send(res, 500, { error: 'Internal Server Error' });
    case FAULTS.htmlBadGateway: return send(res, 502, '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>', 'text/html');
    case FAULTS.malformedJson: return send(res, 200, `{"oid":"${oid}","name":"trunc`);
    case FAULTS.otherOid: return send(res, 200, { oid: DATA_MODELS[host][0].oid, name: 'someone_else', type: 'elasticube', relations: [] });
    case FAULTS.slow: return setTimeout(() => send(res, 200, { oid, name: 'slow', type: 'elasticube', relations: [] }), SLOW_ANSWER_MS);
  }
  const model = DATA_MODELS[host].find((m) => m.oid === oid);
  if (!model) return send(res, 404, { error: 'Not Found', message: `Datamodel ${oid} not found` });
  return send(res, 200, { ...model, created_at: '2026-01-01T00:00:00Z', relations: [] });
}

// A plain-HTTP twin with CORS for the wasm-bindgen tests, which run on a test-runner page
// and exercise the core's transport (gloo-net) against real sockets.
function transportProbe(req, res) {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-allow-methods', 'GET, POST, PUT');
  res.setHeader('access-control-allow-headers', 'authorization, content-type');
  if (req.method === 'OPTIONS') return send(res, 204, '');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const echo = { method: req.method, path: req.url, authorization: req.headers.authorization ?? null, contentType: req.headers['content-type'] ?? null, cookie: req.headers.cookie ?? null, body };
    if (req.url === '/echo') return send(res, 200, echo);
    if (req.url === '/html502') return send(res, 502, '<html><body>Bad Gateway</body></html>', 'text/html');
    if (req.url === '/slow') return setTimeout(() => send(res, 200, echo), 3_000);
    if (req.url === '/redirect') { res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }); return res.end(); }
    if (req.url === '/reset') return req.socket.destroy();
    send(res, 404, { error: 'Not Found' });
  });
}

export async function startFakeApis({ port = 443, httpPort, certDir }) {
  const requests = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const server = https.createServer(selfSignedCertificate(certDir), (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (TREASURE_HOSTS.includes(host)) {
        requests.push({ host, method: req.method, path: req.url, headers: { ...req.headers }, body, at: Date.now() });
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        res.on('close', () => { inFlight -= 1; });
        return treasure(req, res, body, host);
      }
      if (host.startsWith('console')) {
        return send(res, 200, '<!doctype html><title>Treasure Console (fake)</title><h1>Data model</h1>', 'text/html');
      }
      // Browser background traffic also lands here: answer it and forget it.
      send(res, 404, 'not found', 'text/plain');
    });
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const probe = httpPort ? http.createServer(transportProbe) : null;
  if (probe) await new Promise((resolve, reject) => probe.once('error', reject).listen(httpPort, '127.0.0.1', resolve));

  return {
    requests,
    get maxInFlight() { return maxInFlight; },
    reset() { requests.length = 0; maxInFlight = 0; },
    async close() {
      for (const s of [server, probe].filter(Boolean)) { s.closeAllConnections(); await new Promise((resolve) => s.close(resolve)); }
    },
  };
}
