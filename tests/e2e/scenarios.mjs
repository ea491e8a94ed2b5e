// The fixed data the fake APIs and the tests share: keys, data models and the OIDs that
// make the fake Treasure API misbehave in one documented way each.

export const TREASURE = {
  masterKey: '4242/0123456789abcdef0123456789abcdef01234567',
  nextMasterKey: '4245/89abcdef0123456789abcdef0123456789abcdef', // the Master key that replaces an expiring one
  writeOnlyKey: '4243/fedcba9876543210fedcba9876543210fedcba98',
  expiredKey: '4244/00000000000000000000000000000000deadbeef',
};

const oid = (tail) => `93d34997-1b2c-4d5e-8f90-${tail}`;

/** Data models the fake knows, by region API host. */
export const DATA_MODELS = {
  'api.treasuredata.com': [
    { oid: oid('000000000001'), name: 'us_sales', type: 'elasticube' },
    { oid: oid('000000000002'), name: 'us_marketing', type: 'elasticube' },
  ],
  'api.eu01.treasuredata.com': [{ oid: oid('0000000e0001'), name: 'eu_sales', type: 'elasticube' }],
  'api.ap02.treasuredata.com': [{ oid: oid('0000000a0001'), name: 'kr_sales', type: 'elasticube' }],
  'api.treasuredata.co.jp': [{ oid: oid('0000000c0001'), name: 'jp_sales', type: 'elasticube' }],
};

/** OIDs that trigger one behaviour each, in any region. */
export const FAULTS = {
  serverError: oid('00000000f500'), // 500 with a JSON error body
  htmlBadGateway: oid('00000000f502'), // 502 with an HTML page, as a load balancer sends
  malformedJson: oid('00000000fbad'), // 200 with truncated JSON
  otherOid: oid('00000000f0d1'), // 200 naming a different data model
  slow: oid('00000000f5e0'), // answers only after the extension's timeout
  missing: oid('00000000f404'), // a data model that does not exist
  slowButFine: oid('00000000f5e1'), // answers 200 after 2 s (well inside the timeout)
  // Fault injection: the transport's failure modes.
  resetBeforeHeaders: oid('0000000fa001'), // the connection is reset before any answer
  resetMidBody: oid('0000000fa002'), // headers and half a body, then the connection drops
  emptyOk: oid('0000000fa003'), // 200 with an empty body
  hugeBody: oid('0000000fa004'), // 200 with an 8 MB body
  slowDrip: oid('0000000fa005'), // a valid answer dripped a byte a second, past the timeout
  redirectAway: oid('0000000fa006'), // 307 to another host, which must not get the key
  // Hostile answers (tests/e2e/security.cases.mjs).
  endless: oid('0000000fa007'), // 200, chunked, without end
  echoKeyError: oid('0000000fa008'), // 400 whose message repeats the key it was sent (JSON-escaped, upper case)
  echoKeyName: oid('0000000fa009'), // 200 whose name and type repeat the key it was sent
};

/** The Treasure Workflow API host of each region (the core's region table). */
export const WORKFLOW_HOSTS = {
  us: 'api-workflow.treasuredata.com',
  eu01: 'api-workflow.eu01.treasuredata.com',
  ap02: 'api-workflow.ap02.treasuredata.com',
  tokyo: 'api-workflow.treasuredata.co.jp',
};

/**
 * The workflow projects the fake knows by default, per region host: `secrets` are the
 * names a project holds (never values). A case replaces them with `fake.workflowProjects`.
 */
export const WORKFLOW_PROJECTS = {
  [WORKFLOW_HOSTS.us]: [
    { id: 101, name: 'us_etl', secrets: ['td.apikey'] },
    { id: 102, name: 'us_reports', secrets: [] },
    { id: 103, name: 'us_sync', secrets: ['td.apikey', 's3.secret_access_key'] },
  ],
  [WORKFLOW_HOSTS.eu01]: [{ id: 201, name: 'eu_etl', secrets: ['td.apikey'] }],
  [WORKFLOW_HOSTS.ap02]: [{ id: 301, name: 'kr_etl', secrets: ['td.apikey'] }],
  [WORKFLOW_HOSTS.tokyo]: [{ id: 401, name: 'jp_etl', secrets: ['td.apikey'] }],
};

/** A host outside every allowlist; the fake records anything that reaches it. */
export const EVIL_HOST = 'evil.example';

/** Any number of data models that exist in every region, for bulk runs: `generatedOid(7)`. */
export const generatedOid = (n) => oid(`1${String(n).padStart(11, '0')}`);
export const generatedName = (oidValue) => `model_${Number(oidValue.slice(-11))}`;

export const CONSOLE_URL = (host, oidValue) => `https://${host}/app/admin/datamodels/${oidValue}`;

const uuid = (tail) => `550e8400-e29b-41d4-a716-${tail}`;

/** Databrain data app keys, each answered in one documented way by the fake. */
export const DATABRAIN = {
  origin: 'https://api.usedatabrain.com',
  activeKey: uuid('000000000001'), // rotates; afterwards it has an expiry, so a second rotation is refused
  expiredKey: uuid('000000000401'), // 401 AUTHENTICATION_ERR (the documented alternative spelling)
  serviceTokenAsKey: uuid('0000000005e7'), // 400 INVALID_DATA_APP_API_KEY (a service token has no data app)
  serverErrorKey: uuid('000000000500'), // 500 INTERNAL_SERVER_ERROR
  unknownCodeKey: uuid('000000000409'), // 409 with a code no document names
  nonJsonKey: uuid('0000000000b1'), // 200 with an HTML page
  noKeyKey: uuid('0000000000b2'), // 200 {}
  nonUuidKey: uuid('0000000000b3'), // 200 {"key": "not-a-uuid"}
  dropKey: uuid('0000000000d0'), // the connection drops after the request arrived, mid-answer
  badBodyKey: uuid('000000000400'), // 400 INVALID_REQUEST_BODY (the server disagrees with expireAt)
  authBadRequestKey: uuid('0000000004a0'), // 400 AUTHENTICATION_ERROR
  slowKey: uuid('0000000005a0'), // rotates, but answers only after 1.5 s
  echoKey: uuid('0000000000e0'), // 409 whose error code and message repeat the key it was sent
  serviceToken: 'st_keyturn_fake_0123456789abcdef',
  dataApp: 'Sales Dashboard',
  listedKeyCount: 23, // three pages of 10, 10 and 3
};

/** The keys the fake lists for DATABRAIN.dataApp; each is a working data app key. */
export const LISTED_KEYS = Array.from({ length: DATABRAIN.listedKeyCount }, (_, i) => ({
  key: `d0000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
  name: `embed key ${i + 1}`,
  description: i === 0 ? 'production' : '',
  createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
}));

/** Every secret the suite uses; none may ever reach persistent storage, an export or the console. */
export const KNOWN_SECRETS = [
  ...Object.values(TREASURE),
  ...Object.entries(DATABRAIN).filter(([name]) => name.endsWith('Key') || name === 'serviceToken').map(([, value]) => value),
  ...LISTED_KEYS.map((listed) => listed.key),
];
