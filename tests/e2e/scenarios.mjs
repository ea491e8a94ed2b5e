// The fixed data the fake APIs and the tests share: keys, data models and the OIDs that
// make the fake Treasure API misbehave in one documented way each.

export const TREASURE = {
  masterKey: '4242/0123456789abcdef0123456789abcdef01234567',
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
};

export const CONSOLE_URL = (host, oidValue) => `https://${host}/app/admin/datamodels/${oidValue}`;
