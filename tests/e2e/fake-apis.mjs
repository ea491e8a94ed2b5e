// A local HTTPS fake of the Treasure, Treasure Workflow and Databrain APIs, answering as their
// documents say (seed-000, treasure-api.md; treasure-workflow-api.md; seed-003/004,
// databrain-api.md), including their errors.
// Browsers reach it under the real host names (host-resolver rules in Chromium,
// network.dns.forceResolve in Firefox), so the production build is tested unchanged.
// It records every request to a known API host, and how many were in flight at once.
import https from 'node:https';
import tls from 'node:tls';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DATABRAIN, DATA_MODELS, EVIL_HOST, FAULTS, LISTED_KEYS, TREASURE, WORKFLOW_HOSTS, WORKFLOW_PROJECTS, generatedName, generatedOid } from './scenarios.mjs';
import { randomUUID } from 'node:crypto';

const TREASURE_HOSTS = Object.keys(DATA_MODELS);
const WORKFLOW_HOST_LIST = Object.values(WORKFLOW_HOSTS);
const DATABRAIN_HOST = new URL(DATABRAIN.origin).host;
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

/**
 * GET /reporting/datamodels/<OID>/builds ("Get the Status of a Build"): the statuses are
 * documented, the field names are not, so each test sets the answer (`answerBuilds`), as a
 * function of the time the fake received that data model's last PUT.
 */
function treasureBuilds(req, res, oid, host, builds) {
  const auth = req.headers.authorization ?? '';
  // Either Master key of the scenario, as the PUT accepts them: a run with the new one checks its builds with it.
  if (auth !== `TD1 ${TREASURE.masterKey}` && auth !== `TD1 ${TREASURE.nextMasterKey}`) return send(res, 401, { error: 'Unauthorized', message: 'Invalid API key' });
  const { status = 200, body = [], contentType } = builds.answer(builds.lastPutAt.get(`${host} ${oid}`) ?? null, oid);
  return send(res, status, body, contentType);
}

/**
 * GET /reporting/datamodels: the account's data models as Treasure's own code reads them, a
 * JSON array of objects (treasure-insights-api.md). `listed(host)` may replace the list.
 */
function treasureList(req, res, host, builds) {
  const auth = req.headers.authorization ?? '';
  if (auth === `TD1 ${TREASURE.writeOnlyKey}`) return send(res, 403, { error: 'Forbidden', message: 'Write-only API key' });
  if (auth !== `TD1 ${TREASURE.masterKey}`) return send(res, 401, { error: 'Unauthorized', message: 'Invalid API key' });
  const models = builds.listed?.(host) ?? DATA_MODELS[host].map((model) => ({
    ...model, created_by: 'ann@example.com', updated_by: 'bob@example.com', created_at: '2026-01-01T00:00:00Z',
    last_updated: '2026-11-01T09:00:00Z', last_built: '2026-11-02T09:00:00Z', status: 'built', relations: [],
  }));
  return send(res, 200, models);
}

function treasure(req, res, body, host, builds) {
  if (req.method === 'GET' && req.url === '/reporting/datamodels') return treasureList(req, res, host, builds);
  const buildsMatch = /^\/reporting\/datamodels\/([^/?#]+)\/builds$/.exec(req.url);
  if (req.method === 'GET' && buildsMatch) return treasureBuilds(req, res, buildsMatch[1], host, builds);
  const match = /^\/reporting\/datamodels\/([^/?#]+)$/.exec(req.url);
  if (req.method !== 'PUT' || !match) return send(res, 404, { error: 'Not Found' });
  const oid = match[1];
  const auth = req.headers.authorization ?? '';
  const key = auth.startsWith('TD1 ') ? auth.slice(4) : null;
  if (key === TREASURE.writeOnlyKey) return send(res, 403, { error: 'Forbidden', message: 'Write-only API key' });
  if (key !== TREASURE.masterKey && key !== TREASURE.nextMasterKey) return send(res, 401, { error: 'Unauthorized', message: 'Invalid API key' });
  let parsed;
  try { parsed = JSON.parse(body); } catch { return send(res, 400, { error: 'Bad Request', message: 'Malformed JSON' }); }
  if (typeof parsed?.datamodel?.apikey !== 'string') return send(res, 400, { error: 'Bad Request', message: 'datamodel.apikey is required' });

  switch (oid) {
    case FAULTS.serverError: return send(res, 500, { error: 'Internal Server Error' });
    case FAULTS.htmlBadGateway: return send(res, 502, '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>', 'text/html');
    case FAULTS.malformedJson: return send(res, 200, `{"oid":"${oid}","name":"trunc`);
    case FAULTS.otherOid: return send(res, 200, { oid: DATA_MODELS[host][0].oid, name: 'someone_else', type: 'elasticube', relations: [] });
    case FAULTS.slow: return setTimeout(() => send(res, 200, { oid, name: 'slow', type: 'elasticube', relations: [] }), SLOW_ANSWER_MS);
    case FAULTS.resetBeforeHeaders: return req.socket.destroy();
    case FAULTS.resetMidBody: return req.socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{"oid":"${oid}","na`, () => req.socket.destroy());
    case FAULTS.emptyOk: return send(res, 200, '');
    case FAULTS.hugeBody: return send(res, 200, JSON.stringify({ oid, name: 'huge', type: 'elasticube', relations: 'x'.repeat(8 * 1024 * 1024) }));
    case FAULTS.slowDrip: {
      const body = JSON.stringify({ oid, name: 'drip', type: 'elasticube', relations: [] });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent >= body.length) { clearInterval(timer); return res.destroyed || res.end(); }
        res.write(body[sent++]);
      }, 1_000);
      return res.on('close', () => clearInterval(timer));
    }
    case FAULTS.redirectAway:
      res.writeHead(307, { location: `https://${EVIL_HOST}/steal`, 'content-length': 0 });
      return res.end();
    case FAULTS.slowButFine: return setTimeout(() => send(res, 200, { oid, name: 'slow_but_fine', type: 'elasticube', relations: [] }), 2_000);
    case FAULTS.endless: builds.stream = streamAnswer(res, Infinity); return builds.stream;
    case FAULTS.echoKeyError: {
      // JSON-escaped (`\/`) and in capitals: still the key, once read.
      const echoed = JSON.stringify(key.toUpperCase()).slice(1, -1).replace('/', '\\/');
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end(`{"error":"Bad Request","message":"apikey ${echoed} is not allowed here"}`);
    }
    case FAULTS.echoKeyName: return send(res, 200, { oid, name: `sales ${key}`, type: `elasticube ${key}`, relations: [] });
  }
  const model = oid.slice(0, 25) === generatedOid(0).slice(0, 25)
    ? { oid, name: builds.names.get(oid) ?? generatedName(oid), type: 'elasticube' }
    : DATA_MODELS[host].find((m) => m.oid === oid);
  if (!model) return send(res, 404, { error: 'Not Found', message: `Datamodel ${oid} not found` });
  builds.lastPutAt.set(`${host} ${oid}`, Date.now()); // what the builds answers are relative to
  return send(res, 200, { ...model, created_at: '2026-01-01T00:00:00Z', relations: [] });
}

/**
 * A fault answered instead of the documented answer: a status with its usual body, an HTML
 * page, a truncated 200, an answer after the extension's timeout, or a dropped connection.
 */
function workflowFault(req, res, fault, ok) {
  switch (fault) {
    case undefined: case null: return false;
    case 401: send(res, 401, { message: 'Unauthorized' }); return true;
    case 403: send(res, 403, { message: 'Forbidden: no permission on this project' }); return true;
    case 404: send(res, 404, { message: 'Resource not found' }); return true;
    case 429: send(res, 429, { message: 'Too Many Requests' }); return true;
    case 500: send(res, 500, { message: 'Internal Server Error' }); return true;
    case 'html': send(res, 502, '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>', 'text/html'); return true;
    case 'html200': send(res, 200, '<html><body>Sign in</body></html>', 'text/html'); return true;
    case 'malformed': send(res, 200, '{"projects":[{"id":1,"na'); return true;
    case 'slow': setTimeout(() => ok(), SLOW_ANSWER_MS); return true;
    case 'slowButFine': setTimeout(() => ok(), 2_000); return true;
    case 'reset': req.socket.destroy(); return true;
    default: send(res, Number(fault) || 500, { message: `fault ${fault}` }); return true;
  }
}

/**
 * Treasure Workflow (treasure-workflow-api.md, digdag's ProjectResource):
 * GET /api/projects (?last_id, ?count; ascending ids), GET /api/projects/<id>/secrets (names
 * only), PUT /api/projects/<id>/secrets/<key> with {"value"} (recorded in `workflow.puts`,
 * whichever project and key it names, so cases can assert that none arrived), GET
 * /api/projects/<id>/sessions. A project may carry `fault` (every call) or
 * `faults: {secrets, put, sessions}`, `answer204` (an older digdag's empty PUT answer),
 * `bareSessions` (an older digdag's bare array) and `sessions`: a list, or
 * `(lastSetAt) => list`.
 */
function workflow(req, res, body, host, state) {
  const url = new URL(req.url, `https://${host}`);
  const auth = req.headers.authorization ?? '';
  const key = auth.startsWith('TD1 ') ? auth.slice(4) : null;
  // The scenario's projects are copied on first use: a PUT adds to a project's secrets.
  if (!state.projects.has(host)) state.projects.set(host, (WORKFLOW_PROJECTS[host] ?? []).map((p) => ({ ...p, secrets: [...(p.secrets ?? [])] })));
  const projects = state.projects.get(host);
  const refuseKey = () => {
    if (key === TREASURE.writeOnlyKey) return send(res, 403, { message: 'Write-only API key' }), true;
    if (key !== TREASURE.masterKey && key !== TREASURE.nextMasterKey) return send(res, 401, { message: 'Unauthorized' }), true;
    return false;
  };
  if (req.method === 'PUT') {
    const put = /^\/api\/projects\/([^/]+)\/secrets\/([^/]+)$/.exec(url.pathname);
    if (put) {
      let value = null;
      try { value = JSON.parse(body)?.value ?? null; } catch { /* recorded as null */ }
      state.puts.push({ host, projectId: decodeURIComponent(put[1]), secret: decodeURIComponent(put[2]), value, contentType: req.headers['content-type'] ?? null, at: Date.now() });
    }
  }
  if (refuseKey()) return;
  if (req.method === 'GET' && url.pathname === '/api/projects') {
    const answer = () => {
      const lastId = url.searchParams.has('last_id') ? Number(url.searchParams.get('last_id')) : -1;
      const count = Math.min(Number(url.searchParams.get('count') ?? state.pageSize) || state.pageSize, 1000);
      const page = [...projects].sort((a, b) => Number(a.id) - Number(b.id)).filter((p) => Number(p.id) > lastId).slice(0, count);
      send(res, 200, { projects: page.map((p) => ({ id: state.stringIds ? String(p.id) : p.id, name: p.name, revision: 'r1', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-11-01T00:00:00Z', deletedAt: null, archiveType: 'db', archiveMd5: 'x' })) });
    };
    if (workflowFault(req, res, state.listFault.get(host), answer)) return;
    return answer();
  }
  const match = /^\/api\/projects\/([^/]+)\/(secrets|sessions)(?:\/([^/]+))?$/.exec(url.pathname);
  if (!match) return send(res, 404, { message: 'Resource not found' });
  const [, rawId, what, secretKey] = match;
  const project = projects.find((p) => String(p.id) === rawId);
  const call = req.method === 'PUT' ? 'put' : what;
  const answer = () => {
    if (!project) return send(res, 404, { message: `project ${rawId} not found` });
    if (req.method === 'GET' && what === 'secrets' && !secretKey) return send(res, 200, { secrets: (project.secrets ?? []).map((k) => ({ key: k })) });
    if (req.method === 'PUT' && what === 'secrets' && secretKey) {
      let parsed;
      try { parsed = JSON.parse(body); } catch { return send(res, 400, { message: 'Malformed JSON' }); }
      if (typeof parsed?.value !== 'string') return send(res, 400, { message: 'value is required' });
      const name = decodeURIComponent(secretKey);
      project.secrets = [...new Set([...(project.secrets ?? []), name])];
      state.lastSetAt.set(`${host} ${project.id}`, Date.now());
      if (project.answer204) { res.writeHead(204); return res.end(); }
      return send(res, 200, { key: name, project: { id: String(project.id), name: project.name } });
    }
    if (req.method === 'GET' && what === 'sessions' && !secretKey) {
      const lastSetAt = state.lastSetAt.get(`${host} ${project.id}`) ?? null;
      const sessions = typeof project.sessions === 'function' ? project.sessions(lastSetAt) : (project.sessions ?? []);
      return send(res, 200, project.bareSessions ? sessions : { sessions });
    }
    return send(res, 404, { message: 'Resource not found' });
  };
  if (project && workflowFault(req, res, project.faults?.[call] ?? project.fault, answer)) return;
  return answer();
}

/** A fresh Treasure Workflow state: the scenario's projects unless a case sets its own. */
function workflowState() {
  return { projects: new Map(), listFault: new Map(), puts: [], lastSetAt: new Map(), pageSize: 100, stringIds: false };
}

/** A region id (`us`, …) or a workflow host, as the host. */
function workflowHost(region) {
  const host = WORKFLOW_HOSTS[region] ?? region;
  if (!WORKFLOW_HOST_LIST.includes(host)) throw new Error(`no workflow host for ${region}`);
  return host;
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
    // Chunked answers (no Content-Length): `bytes` of them, or endless.
    const chunked = /^\/chunked\?bytes=(\d+)$/.exec(req.url);
    if (chunked) return streamAnswer(res, Number(chunked[1]));
    if (req.url === '/endless') return streamAnswer(res, Infinity);
    if (req.url === '/bom-and-invalid-utf8') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}')]));
    }
    send(res, 404, { error: 'Not Found' });
  });
}

/**
 * Answers 200 with `total` bytes of `x` (Infinity: without end) in 64 KB chunks, as fast as
 * the reader takes them, without a Content-Length (so chunked). Resolves with when it had
 * sent more than `cap` bytes (or null) and when the connection closed.
 */
export function streamAnswer(res, total, cap = 2 * 1024 * 1024) {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  let passedCap = null;
  const pump = () => {
    while (!res.destroyed && sent < total) {
      const piece = total - sent < chunk.length ? chunk.subarray(0, total - sent) : chunk;
      sent += piece.length;
      if (passedCap === null && sent > cap) passedCap = Date.now();
      if (!res.write(piece)) return res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
  return new Promise((resolve) => res.on('close', () => resolve({ passedCap, closed: Date.now(), sent })));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const dbError = (res, status, code, message) => send(res, status, { error: { code, message } });

/** Databrain's state: which data app keys exist and which already have an expiry. */
function databrainState() {
  const keys = new Map([DATABRAIN.activeKey, DATABRAIN.slowKey, ...LISTED_KEYS.map((k) => k.key)].map((key) => [key, { expiresAt: null }]));
  // loseNextRotation: process the next rotation, then drop its connection before any byte
  // of the answer, as a connection lost at that moment would.
  return { keys, issued: [], listed: [], loseNextRotation: false };
}

/** Every key the fake Databrain ever issued in this process, for the final secrets audit. */
export const EVER_ISSUED = [];
function issue(state) {
  const key = randomUUID();
  state.keys.set(key, { expiresAt: null });
  state.issued.push(key);
  // The listing shows issued keys too, as the data app's newest, with their creation time.
  state.listed.push({ key, name: `issued ${state.issued.length}`, description: '', createdAt: new Date().toISOString() });
  EVER_ISSUED.push(key);
  return key;
}

function databrain(req, res, body, state) {
  const url = new URL(req.url, DATABRAIN.origin);
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  let json = null;
  if (body) { try { json = JSON.parse(body); } catch { return dbError(res, 400, 'INVALID_REQUEST_BODY', 'Malformed JSON'); } }

  if (req.method === 'POST' && url.pathname === '/api/v2/data-app/rotate-api') {
    if (!bearer || !UUID.test(bearer)) return dbError(res, 400, 'AUTHENTICATION_ERROR', 'API key missing or not a valid UUID');
    const expireAt = json?.expireAt;
    const seconds = typeof expireAt === 'string' && /^\d+$/.test(expireAt) ? Number(expireAt) : expireAt;
    if (!Number.isInteger(seconds) || seconds < 0) return dbError(res, 400, 'INVALID_REQUEST_BODY', 'Missing or invalid expireAt');
    switch (bearer) {
      case DATABRAIN.expiredKey: return dbError(res, 401, 'AUTHENTICATION_ERR', 'API key not found or expired');
      case DATABRAIN.serviceTokenAsKey: return dbError(res, 400, 'INVALID_DATA_APP_API_KEY', 'Service tokens cannot be rotated');
      case DATABRAIN.serverErrorKey: return dbError(res, 500, 'INTERNAL_SERVER_ERROR', 'Server error');
      case DATABRAIN.unknownCodeKey: return dbError(res, 409, 'KEY_LOCKED', 'Key is locked');
      case DATABRAIN.nonJsonKey: return send(res, 200, '<html><body>Welcome</body></html>', 'text/html');
      case DATABRAIN.noKeyKey: return send(res, 200, {});
      case DATABRAIN.nonUuidKey: return send(res, 200, { key: 'not-a-uuid' });
      // Drops after the answer has begun: both browsers resend a request on their own when a
      // connection is reset before any byte of the answer (see README), which no fetch
      // option can stop, so that variant would test the browser, not Keyturn.
      case DATABRAIN.dropKey: return req.socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 60\r\n\r\n{"key":"', () => req.socket.destroy());
      case DATABRAIN.badBodyKey: return dbError(res, 400, 'INVALID_REQUEST_BODY', 'Missing or invalid expireAt');
      case DATABRAIN.authBadRequestKey: return dbError(res, 400, 'AUTHENTICATION_ERROR', 'API key missing or not a valid UUID');
      case DATABRAIN.echoKey: return dbError(res, 409, `LOCKED_${bearer}`, `Key ${bearer.toUpperCase()} is locked`);
    }
    const known = state.keys.get(bearer);
    if (!known) return dbError(res, 401, 'AUTHENTICATION_ERROR', 'API key not found');
    if (known.expiresAt !== null) return dbError(res, 400, 'INVALID_DATA_APP_API_KEY', 'API key already has an expiry date set');
    known.expiresAt = Date.now() + seconds * 1000;
    const key = issue(state);
    if (state.loseNextRotation) {
      state.loseNextRotation = false;
      return req.socket.destroy(); // rotated, but the answer with the new key never leaves
    }
    return setTimeout(() => send(res, 200, { key }), bearer === DATABRAIN.slowKey ? 1_500 : 0);
  }

  if (url.pathname === '/api/v2/data-app/api-tokens' && (req.method === 'GET' || req.method === 'POST')) {
    if (bearer !== DATABRAIN.serviceToken) return dbError(res, 401, 'AUTHENTICATION_ERROR', 'Invalid service token');
    const app = req.method === 'GET' ? url.searchParams.get('dataAppName') : json?.dataAppName;
    if (!app || (req.method === 'POST' && typeof json?.name !== 'string')) return dbError(res, 400, 'INVALID_REQUEST_BODY', 'dataAppName and name are required');
    if (app !== DATABRAIN.dataApp) return dbError(res, 400, 'DATA_APP_NOT_FOUND', 'Data app not found');
    if (req.method === 'POST') return send(res, 200, { key: issue(state) });
    const all = [...LISTED_KEYS, ...state.listed];
    if (url.searchParams.get('isPagination') !== 'true') return send(res, 200, { data: all });
    const page = Number(url.searchParams.get('pageNumber') ?? '1');
    return send(res, 200, { data: all.slice((page - 1) * 10, page * 10) });
  }
  return dbError(res, 404, 'NOT_FOUND', 'Not found');
}

export async function startFakeApis({ port = 443, httpPort, certDir, latencyMs = 0 }) {
  const requests = [];
  let latency = latencyMs; // every API answer waits this long (a case may set it; reset() restores it)
  let databrainNow = databrainState();
  let workflowNow = workflowState();
  // The builds the fake reports: `answer(lastPutAt)` gives {status, body, contentType}.
  const noBuilds = () => ({ body: [] });
  // stream: the last endless answer's timings (streamAnswer); names: generated models' names set by a case.
  const builds = { answer: noBuilds, listed: null, lastPutAt: new Map(), stream: null, names: new Map() };
  const inFlight = new Map(); // API host -> requests being answered now
  const maxInFlight = new Map(); // API host -> the most ever answered at once

  const strays = []; // requests that reached a host outside the allowlists
  // Which connection each request came on: a browser's own re-send arrives on a new one.
  const connections = new WeakMap();
  let connectionCount = 0;
  let tlsFailureHost = null;
  const certificate = selfSignedCertificate(certDir);
  const server = https.createServer({
    ...certificate,
    // Fault injection: fail the TLS handshake for one host name.
    SNICallback: (servername, done) => (servername === tlsFailureHost
      ? done(new Error('injected TLS failure'))
      : done(null, tls.createSecureContext(certificate))),
  }, (req, res) => {
    // An answer "after N ms" leaves N ms after the request arrived, not N ms after the fake
    // has read its body and done its own work (see `answerAfter` below).
    const arrivedAt = performance.now();
    if (!connections.has(req.socket)) connections.set(req.socket, { id: ++connectionCount, served: 0 });
    const connection = connections.get(req.socket);
    connection.served += 1;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const known = TREASURE_HOSTS.includes(host) || WORKFLOW_HOST_LIST.includes(host) || host === DATABRAIN_HOST;
    if (host === EVIL_HOST || (req.headers.authorization && !known)) {
      strays.push({ host, method: req.method, path: req.url, authorization: req.headers.authorization ?? null });
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (known) {
        // connection: its id; reused: whether an earlier request had come on it.
        requests.push({ host, method: req.method, path: req.url, headers: { ...req.headers }, body, at: Date.now(), connection: connection.id, reused: connection.served > 1 });
        inFlight.set(host, (inFlight.get(host) ?? 0) + 1);
        maxInFlight.set(host, Math.max(maxInFlight.get(host) ?? 0, inFlight.get(host)));
        // Answered once its last byte is handed to the connection ('finish'), so a client's
        // next request, which can only follow that answer, is never counted beside it; 'close'
        // for an answer cut short.
        let answered = false;
        const done = () => { if (!answered) { answered = true; inFlight.set(host, inFlight.get(host) - 1); } };
        res.on('finish', done);
        res.on('close', done);
        const answer = () => (host === DATABRAIN_HOST ? databrain(req, res, body, databrainNow)
          : WORKFLOW_HOST_LIST.includes(host) ? workflow(req, res, body, host, workflowNow)
            : treasure(req, res, body, host, builds));
        const answerAfter = latency - (performance.now() - arrivedAt);
        return answerAfter > 0 ? setTimeout(answer, answerAfter) : answer();
      }
      if (host.startsWith('console') || host === 'app.usedatabrain.com') {
        return send(res, 200, '<!doctype html><title>Console (fake)</title><h1>Fake console page</h1>', 'text/html');
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
    /** The most requests one API host was answering at once, per host. */
    get maxInFlight() { return Object.fromEntries(maxInFlight); },
    /** Requests that reached a host outside the allowlists (a key sent elsewhere shows here). */
    strays,
    /** Makes the TLS handshake fail for `host` (null: none) until the next reset. */
    failTlsFor(host) { tlsFailureHost = host; },
    /** Keys the fake Databrain issued since the last reset. */
    get issuedKeys() { return databrainNow.issued; },
    /** Replaces the data model list the fake answers with `listed(host)` (null: the scenario's models). */
    listDataModels(listed) { builds.listed = listed; },
    /** Sets what the builds endpoint answers: `answer(lastPutAt, oid)` → {status?, body, contentType?}. */
    answerBuilds(answer) { builds.answer = answer; },
    /** How the last endless answer went: {passedCap, closed, sent} once its connection closed. */
    get endlessAnswer() { return builds.stream; },
    /** Names generated data models answer with, by OID (`{[oid]: name}`), until the next reset. */
    nameModels(names) { builds.names = new Map(Object.entries(names)); },
    /**
     * Replaces the workflow projects of `region` (`us`, `eu01`, `ap02`, `tokyo` or its
     * workflow host) until the next reset: `[{id, name, secrets: ['td.apikey'], fault?,
     * faults?: {secrets, put, sessions}, answer204?, bareSessions?, sessions?}]`. A fault
     * is 401, 403, 404, 429, 500, 'html', 'html200', 'malformed', 'slow', 'slowButFine' or
     * 'reset'.
     */
    workflowProjects(region, projects) { workflowNow.projects.set(workflowHost(region), projects.map((p) => ({ ...p }))); },
    /** Makes `region`'s project list answer with `fault` (see workflowProjects; null: none). */
    workflowListFault(region, fault) { workflowNow.listFault.set(workflowHost(region), fault); },
    /** The list's page size when a request names no `count` (100, digdag's default). */
    workflowPageSize(size) { workflowNow.pageSize = size; },
    /** Whether listed project ids are strings of digits (some digdag versions) instead of numbers. */
    workflowStringIds(on = true) { workflowNow.stringIds = on; },
    /** Every PUT to a workflow secret since the last reset: {host, projectId, secret, value, contentType, at}. */
    get workflowPuts() { return workflowNow.puts; },
    /** The next rotation is processed, then its connection dropped before any byte of the answer. */
    loseNextRotationAnswer() { databrainNow.loseNextRotation = true; },
    /**
     * Starts a case from a clean slate, keep-alive connections included: Chromium and
     * Firefox both resend a request on their own when a *reused* connection drops before any
     * answer (a stale-socket retry below fetch, which no fetch option turns off). Closing
     * every connection keeps that browser behaviour from being counted as Keyturn's.
     */
    /** Every API answer waits `ms` from now until the next reset. */
    setLatency(ms) { latency = ms; },
    reset() { latency = latencyMs; builds.answer = noBuilds; builds.listed = null; builds.stream = null; builds.names.clear(); builds.lastPutAt.clear(); requests.length = 0; strays.length = 0; tlsFailureHost = null; maxInFlight.clear(); databrainNow = databrainState(); workflowNow = workflowState(); server.closeAllConnections(); },
    async close() {
      for (const s of [server, probe].filter(Boolean)) { s.closeAllConnections(); await new Promise((resolve) => s.close(resolve)); }
    },
  };
}
