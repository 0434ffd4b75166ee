// Webhook requests on the wire where Outpost's behaviour is precise and the
// pipeline tests did not pin it: custom headers never duplicate the headers
// hookpost sets (Outpost sets custom headers first and then overwrites),
// redirects as Go's client follows them (10 requests at most, 301/302 turn
// into GET, 307/308 resend the body, a final 3xx below 400 is a success),
// the stored response body cap, attempt codes of transport failures, and
// Retry-After honoured only on 429/503; and nothing of one delivery
// (credentials, cookies, a redirect's GET) carries over to the next.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, show, uid } from './lib/server.mjs';
import { startReceiver, waitFor, hmacHex } from './lib/receiver.mjs';

const CAP = 100;

describe('webhook wire details', () => {
  let srv;
  let admin;
  let rx;

  before(async () => {
    rx = await startReceiver();
    srv = await startServer({
      env: { RETRY_SCHEDULE: '1', DELIVERY_TIMEOUT_SECONDS: '2', DESTINATIONS_WEBHOOK_MAX_RESPONSE_BODY_BYTES: String(CAP) },
    });
    admin = srv.client();
  });
  after(async () => {
    await srv?.stop();
    await rx?.close();
  });

  async function tenant() {
    const T = uid('ww');
    await admin.tenants.upsert(T, {});
    return T;
  }

  async function attemptsOf(eventId) {
    const r = await srv.raw('GET', `/attempts?event_id=${encodeURIComponent(eventId)}&include=response_data&dir=asc`);
    assert.equal(r.status, 200, show(r));
    return r.json.models;
  }

  async function firstAttempt(eventId) {
    return waitFor(async () => (await attemptsOf(eventId))[0], { what: `an attempt of ${eventId}` });
  }

  /** Values of one header as received, in order (raw header pairs, any case). */
  function headerValues(rec, name) {
    const out = [];
    for (let i = 0; i < rec.rawHeaders.length; i += 2) {
      if (rec.rawHeaders[i].toLowerCase() === name) out.push(rec.rawHeaders[i + 1]);
    }
    return out;
  }

  test('a custom header named like a hookpost header is not sent a second time', async () => {
    const T = await tenant();
    const custom = {
      'X-Outpost-Signature': 'v0=forged',
      'x-outpost-event-id': 'forged-id',
      'X-OUTPOST-TOPIC': 'forged-topic',
      'X-Outpost-Region': 'forged-region',
      'X-Extra': 'kept',
    };
    const d = await admin.destinations.create(T, {
      type: 'webhook', topics: ['*'], config: { url: rx.url(`/${T}/h`), customHeaders: JSON.stringify(custom) },
    });
    const res = await admin.publish({ tenantId: T, topic: 'user.created', data: { a: 1 }, metadata: { region: 'eu' } });
    const [rec] = await rx.waitCount(`/${T}/h`, 1);
    assert.deepEqual(headerValues(rec, 'x-outpost-signature'), [`v0=${hmacHex(d.credentials.secret, rec.body)}`],
      `one signature header, hookpost's: ${JSON.stringify(rec.rawHeaders)}`);
    assert.deepEqual(headerValues(rec, 'x-outpost-event-id'), [res.id]);
    assert.deepEqual(headerValues(rec, 'x-outpost-topic'), ['user.created']);
    assert.deepEqual(headerValues(rec, 'x-outpost-region'), ['eu'], 'event metadata wins over a custom header too');
    assert.deepEqual(headerValues(rec, 'x-extra'), ['kept'], 'other custom headers are sent');
    assert.deepEqual(headerValues(rec, 'content-type'), ['application/json']);

    const a = await firstAttempt(res.id);
    assert.equal(a.status, 'success', JSON.stringify(a));
    const withReq = await srv.raw('GET', `/attempts/${a.id}?include=request_data`);
    if (withReq.json?.request_data) {
      const h = withReq.json.request_data.headers;
      const sig = Object.entries(h).filter(([k]) => k.toLowerCase() === 'x-outpost-signature').map(([, v]) => v);
      assert.deepEqual(sig, [headerValues(rec, 'x-outpost-signature')[0]], `request_data shows what was sent: ${JSON.stringify(h)}`);
    }
  });

  test('redirects: 10 requests at most, then a failed attempt with code redirect_error', async () => {
    const T = await tenant();
    const base = `/${T}/hop`;
    // hop n redirects to hop n+1; the last hop of a chain answers 200
    rx.on(`${base}9`, { status: 200, body: 'arrived' });
    for (let i = 0; i < 9; i++) rx.on(`${base}${i}`, { status: 307, headers: { location: `${base}${i + 1}` } });
    const ok = await admin.destinations.create(T, { type: 'webhook', topics: ['ok'], config: { url: rx.url(`${base}0`) } });
    const loopPath = `/${T}/loop`;
    rx.on(loopPath, { status: 302, headers: { location: loopPath } });
    const loop = await admin.destinations.create(T, { type: 'webhook', topics: ['loop'], config: { url: rx.url(loopPath) } });

    const r1 = await admin.publish({ tenantId: T, topic: 'ok', data: { hops: 9 }, eligibleForRetry: false });
    const a1 = await firstAttempt(r1.id);
    assert.equal(a1.destinationId ?? a1.destination_id, ok.id);
    assert.equal(a1.status, 'success', `9 redirects are followed: ${JSON.stringify(a1)}`);
    assert.deepEqual(a1.response_data, { status: 200, body: 'arrived' });
    const chain = rx.requests.filter((q) => q.path.startsWith(base));
    assert.equal(chain.length, 10, 'the original request and 9 redirected ones');
    for (const q of chain) {
      assert.equal(q.method, 'POST', '307 keeps the method');
      assert.equal(q.text, '{"hops":9}', '307 resends the body');
    }

    const r2 = await admin.publish({ tenantId: T, topic: 'loop', data: { loop: true }, eligibleForRetry: false });
    const a2 = await firstAttempt(r2.id);
    assert.equal(a2.destination_id, loop.id);
    assert.equal(a2.status, 'failed', JSON.stringify(a2));
    assert.equal(a2.code, 'redirect_error', JSON.stringify(a2));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rx.at(loopPath).length, 10, 'Go stops after 10 requests; so does hookpost');
  });

  test('a 302 is followed with GET (no body); a final 3xx without Location is a success', async () => {
    const T = await tenant();
    rx.on(`/${T}/moved`, { status: 302, headers: { location: `/${T}/target` } });
    rx.on(`/${T}/target`, { status: 200, body: 'got it' });
    rx.on(`/${T}/not-modified`, { status: 304 });
    await admin.destinations.create(T, { type: 'webhook', topics: ['a'], config: { url: rx.url(`/${T}/moved`) } });
    await admin.destinations.create(T, { type: 'webhook', topics: ['b'], config: { url: rx.url(`/${T}/not-modified`) } });
    const r1 = await admin.publish({ tenantId: T, topic: 'a', data: { x: 1 } });
    const a1 = await firstAttempt(r1.id);
    assert.equal(a1.status, 'success', JSON.stringify(a1));
    assert.deepEqual(a1.response_data, { status: 200, body: 'got it' });
    const [first] = rx.at(`/${T}/moved`);
    const [second] = rx.at(`/${T}/target`);
    assert.equal(first.method, 'POST');
    assert.equal(second.method, 'GET');
    assert.equal(second.body.length, 0);

    const r2 = await admin.publish({ tenantId: T, topic: 'b', data: { x: 2 } });
    const a2 = await firstAttempt(r2.id);
    assert.equal(a2.status, 'success', `status < 400 is a success: ${JSON.stringify(a2)}`);
    assert.equal(a2.code, '304');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await attemptsOf(r2.id)).length, 1, 'and is not retried');
  });

  test('a delivery leaves nothing behind for the next one on the same transfer handle', async () => {
    // the engine reuses curl handles between deliveries without resetting
    // them: credentials in one destination's URL, a cookie its receiver
    // set, or a 302 that turned the request into a GET must not carry over
    const A = await tenant();
    const B = await tenant();
    rx.on(`/${A}/creds`, { headers: { 'set-cookie': 'session=from-a' } });
    rx.on(`/${A}/moved`, { status: 302, headers: { location: `/${A}/target`, 'set-cookie': 'moved=1' } });
    rx.on(`/${A}/target`, {});
    rx.on(`/${B}/plain`, {});
    const credsUrl = rx.url(`/${A}/creds`).replace('http://', 'http://alice:s3cret@');
    await admin.destinations.create(A, { type: 'webhook', topics: ['creds'], config: { url: credsUrl } });
    await admin.destinations.create(A, { type: 'webhook', topics: ['moved'], config: { url: rx.url(`/${A}/moved`) } });
    await admin.destinations.create(B, { type: 'webhook', topics: ['plain'], config: { url: rx.url(`/${B}/plain`) } });
    const rounds = 6;
    for (let i = 0; i < rounds; i++) {
      for (const [tenantId, topic] of [[A, 'creds'], [A, 'moved'], [B, 'plain']]) {
        const r = await admin.publish({ tenantId, topic, data: { i, topic }, eligibleForRetry: false });
        await firstAttempt(r.id); // one at a time, so the next delivery is likely to get this handle back
      }
    }
    const creds = rx.at(`/${A}/creds`);
    assert.equal(creds.length, rounds);
    assert.equal(headerValues(creds[0], 'authorization')[0], `Basic ${Buffer.from('alice:s3cret').toString('base64')}`,
      'credentials in the URL are sent to their own receiver');
    const plain = rx.at(`/${B}/plain`);
    assert.equal(plain.length, rounds);
    for (const q of plain) {
      assert.equal(q.method, 'POST', 'not the GET a 302 led to before');
      assert.deepEqual(JSON.parse(q.text).topic, 'plain');
      assert.deepEqual(headerValues(q, 'authorization'), [], 'no credentials of another destination');
      assert.deepEqual(headerValues(q, 'cookie'), [], 'no cookie another receiver set');
    }
    assert.deepEqual(rx.at(`/${A}/target`).map((q) => headerValues(q, 'cookie')), Array(rounds).fill([]));
  });

  test(`response bodies are stored up to DESTINATIONS_WEBHOOK_MAX_RESPONSE_BODY_BYTES (${CAP})`, async () => {
    const T = await tenant();
    rx.on(`/${T}/exact`, { body: 'y'.repeat(CAP) });
    rx.on(`/${T}/over`, { failStatus: 500, body: 'z'.repeat(CAP + 1) });
    await admin.destinations.create(T, { type: 'webhook', topics: ['exact'], config: { url: rx.url(`/${T}/exact`) } });
    await admin.destinations.create(T, { type: 'webhook', topics: ['over'], config: { url: rx.url(`/${T}/over`) } });
    const r1 = await admin.publish({ tenantId: T, topic: 'exact', data: {} });
    const r2 = await admin.publish({ tenantId: T, topic: 'over', data: {}, eligibleForRetry: false });
    assert.deepEqual((await firstAttempt(r1.id)).response_data, { status: 200, body: 'y'.repeat(CAP) });
    const a2 = await firstAttempt(r2.id);
    assert.equal(a2.code, '500');
    assert.deepEqual(a2.response_data, { status: 500, body: `Response body exceeded ${CAP} bytes and was not stored` });
  });

  test('transport failures are failed attempts with error-class codes', async () => {
    const T = await tenant();
    rx.on(`/${T}/slow`, { delayMs: 3000 });
    const cases = {
      dns_error: 'http://hookpost-audit.invalid/x',
      connection_refused: 'http://127.0.0.1:1/x',
      tls_error: `https://127.0.0.1:${rx.port}/${T}/plain`,
      timeout: rx.url(`/${T}/slow`),
    };
    const ids = {};
    for (const [code, url] of Object.entries(cases)) {
      await admin.destinations.create(T, { type: 'webhook', topics: [code], config: { url } });
      ids[code] = (await admin.publish({ tenantId: T, topic: code, data: {}, eligibleForRetry: false })).id;
    }
    for (const [code, id] of Object.entries(ids)) {
      const a = await waitFor(async () => (await attemptsOf(id))[0], { what: `attempt for ${code}`, timeoutMs: 15000 });
      assert.equal(a.status, 'failed', JSON.stringify(a));
      assert.equal(a.code, code, JSON.stringify(a));
    }
  });

  test('Retry-After is honoured on 429 and 503 only', async () => {
    const T = await tenant();
    rx.on(`/${T}/500`, { failFirst: 1, failStatus: 500, retryAfter: 4 });
    rx.on(`/${T}/503`, { failFirst: 1, failStatus: 503, retryAfter: 3 });
    await admin.destinations.create(T, { type: 'webhook', topics: ['e500'], config: { url: rx.url(`/${T}/500`) } });
    await admin.destinations.create(T, { type: 'webhook', topics: ['e503'], config: { url: rx.url(`/${T}/503`) } });
    await admin.publish({ tenantId: T, topic: 'e500', data: {} });
    await admin.publish({ tenantId: T, topic: 'e503', data: {} });
    const [a, b] = await rx.waitCount(`/${T}/500`, 2, { timeoutMs: 8000 });
    const gap500 = b.receivedAt - a.receivedAt;
    assert.ok(gap500 >= 800 && gap500 < 3000, `a 500's Retry-After: 4 is ignored (schedule: 1 s); gap ${gap500} ms`);
    const [c, d] = await rx.waitCount(`/${T}/503`, 2, { timeoutMs: 8000 });
    const gap503 = d.receivedAt - c.receivedAt;
    assert.ok(gap503 >= 2800, `a 503's Retry-After: 3 is honoured; gap ${gap503} ms`);
  });
});
