// Fault injection: each way a connection or an answer can go wrong, in both browsers.
// Every case asserts no crash (the popup stays usable), no false success, the key sent to
// its own host only (nothing reached any other host), and a clear message.
import { assert, openPopup, resultIn } from './harness.mjs';
import { CONSOLE_URL, FAULTS, TREASURE, generatedOid } from './scenarios.mjs';
import { SLOW_ANSWER_MS } from './fake-apis.mjs';

const US = 'api.treasuredata.com';

async function replaceAndExpect({ browser, fake }, { oid, code, mentions, maxRequests = 1, timeout, region }) {
  const page = await openPopup(browser);
  if (region) {
    await page.select('#td-region', region);
    await page.fill('#td-oid', oid);
  } else {
    await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', oid));
  }
  await page.fill('#td-key', TREASURE.masterKey);
  await page.click('#td-replace');
  const result = await resultIn(page, 'td-result', timeout);
  assert.equal(result.kind, 'error', `no false success: ${result.text}`);
  assert.equal(result.code, code, result.text);
  for (const words of mentions) assert.match(result.text, words);
  assert.ok(fake.requests.length <= maxRequests, `${fake.requests.length} requests`);
  for (const request of fake.requests) {
    assert.equal(request.host, region ? `api.${region}.treasuredata.com` : US);
    assert.equal(request.path, `/reporting/datamodels/${oid}`);
  }
  assert.deepEqual(fake.strays, [], 'nothing reached another host');
  assert.equal(await page.eval(() => document.getElementById('td-replace').disabled), false, 'the popup is still usable');
  await page.close();
}

export const faultCases = {
  // The browser itself may resend an idempotent PUT once when the connection resets before
  // any answer (see README); Keyturn never does.
  'connection reset before headers': (ctx) =>
    replaceAndExpect(ctx, { oid: FAULTS.resetBeforeHeaders, code: 'NETWORK_ERROR', mentions: [/Could not reach api.treasuredata.com/], maxRequests: 2 }),
  'connection reset in the middle of the body': (ctx) =>
    replaceAndExpect(ctx, { oid: FAULTS.resetMidBody, code: 'NETWORK_ERROR', mentions: [/try again/] }),
  'a 200 with an empty body': (ctx) =>
    replaceAndExpect(ctx, { oid: FAULTS.emptyOk, code: 'UNEXPECTED_RESPONSE', mentions: [/an empty body/, /build it to check/] }),
  'a very large body': (ctx) =>
    replaceAndExpect(ctx, { oid: FAULTS.hugeBody, code: 'UNEXPECTED_RESPONSE', mentions: [/more than 2 MB/] }),
  'a slow drip that crosses the timeout': (ctx) =>
    replaceAndExpect(ctx, { oid: FAULTS.slowDrip, code: 'TIMEOUT', mentions: [/within 15 seconds/], timeout: SLOW_ANSWER_MS + 5_000 }),
  'a redirect to another host is not followed with the key': (ctx) =>
    replaceAndExpect(ctx, { oid: FAULTS.redirectAway, code: 'REDIRECTED', mentions: [/does not follow redirects/, /not sent anywhere else/] }),
  async 'a TLS handshake failure'(ctx) {
    ctx.fake.failTlsFor('api.ap02.treasuredata.com');
    await replaceAndExpect(ctx, { oid: generatedOid(5), region: 'ap02', code: 'NETWORK_ERROR', mentions: [/Could not reach api.ap02.treasuredata.com/], maxRequests: 0 });
  },
};
