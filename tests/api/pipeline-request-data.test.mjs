// Attempt request details (hookpost extensions to Outpost's attempt):
// include=request_data shows the request an attempt sent - method, URL and
// exactly the headers the receiver got (names as sent), signature included
// and verifiable - and every attempt carries duration_ms, the wall time of
// its transfer. Checked against a real local receiver in both signing modes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Webhook } from 'standardwebhooks';
import { startServer, show, uid } from './lib/server.mjs';
import { startReceiver, waitFor, hmacHex, parseV0 } from './lib/receiver.mjs';

// Headers libcurl adds on its own; request_data reports only what hookpost chose.
const CURL_OWN = new Set(['host', 'accept', 'content-length']);

/** The received headers hookpost chose, as [name as sent, value] pairs. */
function sentPairs(rec) {
  const out = [];
  for (let i = 0; i < rec.rawHeaders.length; i += 2) {
    if (!CURL_OWN.has(rec.rawHeaders[i].toLowerCase())) out.push([rec.rawHeaders[i], rec.rawHeaders[i + 1]]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sortedEntries(o) {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A loopback port nothing listens on. */
async function closedPort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

function setup(env) {
  const ctx = {};
  before(async () => {
    ctx.rx = await startReceiver();
    ctx.srv = await startServer({ env: { RETRY_SCHEDULE: '1,1', ...env } });
    ctx.admin = ctx.srv.client();
  });
  after(async () => {
    await ctx.srv?.stop();
    await ctx.rx?.close();
  });
  return ctx;
}

/** GET that must answer 200; returns the JSON body. */
async function getJson(srv, p, o) {
  const r = await srv.raw('GET', p, o);
  assert.equal(r.status, 200, show(r));
  return r.json;
}

/** Waits for the one finished attempt of (event, destination); returns it as listed with `query`. */
async function attemptOf(srv, eventId, destId, query = '') {
  const p = `/attempts?event_id=${encodeURIComponent(eventId)}&destination_id=${encodeURIComponent(destId)}${query}`;
  const models = await waitFor(async () => {
    const j = await getJson(srv, p);
    return j.models.length ? j.models : null;
  }, { timeoutMs: 15000, what: `an attempt of ${eventId} to ${destId}` });
  assert.equal(models.length, 1, JSON.stringify(models));
  return models[0];
}

function assertDuration(a, what) {
  assert.ok(Number.isInteger(a.duration_ms) && a.duration_ms >= 0,
    `${what}: duration_ms must be a non-negative integer: ${JSON.stringify(a)}`);
}

describe('attempt request_data and duration_ms (default signing mode)', () => {
  const ctx = setup({});

  test('request_data = the request the receiver got; signature verifies; only with include', async () => {
    const { srv, admin, rx } = ctx;
    const T = uid('trq');
    await admin.tenants.upsert(T, {});
    const url = `${rx.url(`/${T}/hook`)}?src=hookpost&x=1`;
    const custom = { 'X-Custom-One': 'v1', x_two: 'two words', 'X-Quote': 'say "hi" \\ bye' };
    const d = await admin.destinations.create(T, {
      type: 'webhook', topics: ['*'],
      config: { url, customHeaders: JSON.stringify(custom) },
      deliveryMetadata: { 'app-id': 'app-7' },
    });
    const data = { kind: 'request-data', n: 1, text: 'ünïcødé' };
    const res = await admin.publish({ tenantId: T, topic: 'user.created', data, metadata: { Region: 'eu' } });
    const [rec] = await rx.waitCount(`/${T}/hook`, 1);

    const a = await attemptOf(srv, res.id, d.id, '&include=request_data');
    assert.equal(a.status, 'success', JSON.stringify(a));
    assertDuration(a, 'success');
    const rq = a.request_data;
    assert.ok(rq && typeof rq === 'object', `request_data: ${JSON.stringify(a)}`);
    assert.deepEqual(Object.keys(rq).sort(), ['headers', 'method', 'url'], 'no body: it is the event data');
    assert.equal(rq.method, 'POST');
    assert.equal(rq.method, rec.method);
    assert.equal(rq.url, url, 'the URL as sent, query string included');
    assert.equal(new URL(rq.url).pathname + new URL(rq.url).search, rec.url);

    // exactly the headers hookpost chose, names spelled as sent, values as received
    assert.deepEqual(sortedEntries(rq.headers), sentPairs(rec),
      `request_data.headers vs what the receiver got:\n${JSON.stringify(rq.headers)}\n${JSON.stringify(rec.rawHeaders)}`);
    for (const [name, value] of Object.entries(rq.headers)) {
      assert.equal(rec.headers[name.toLowerCase()], value, `header ${name}`);
    }
    for (const name of ['X-Custom-One', 'x_two', 'X-Quote', 'Content-Type', 'User-Agent', 'x-outpost-event-id',
      'x-outpost-topic', 'x-outpost-timestamp', 'x-outpost-signature', 'x-outpost-app-id', 'x-outpost-region']) {
      assert.ok(name in rq.headers, `${name} (as spelled when sent) in ${JSON.stringify(rq.headers)}`);
    }
    assert.equal(rq.headers['X-Quote'], custom['X-Quote'], 'quotes and backslashes survive the JSON text');
    assert.equal(rq.headers['x-outpost-event-id'], res.id);
    assert.deepEqual(parseV0(rq.headers['x-outpost-signature']), [hmacHex(d.credentials.secret, rec.body)],
      'the logged signature verifies against the delivered body');
    const ev = await getJson(srv, `/events/${res.id}`);
    assert.deepEqual(ev.data, data);
    assert.equal(rq.headers['x-outpost-signature'], `v0=${hmacHex(d.credentials.secret, JSON.stringify(data))}`,
      'and against the event data as published');

    // without include: duration_ms, no request_data; include works in every spelling and route
    const plain = await attemptOf(srv, res.id, d.id);
    assert.ok(!('request_data' in plain) && !('response_data' in plain), JSON.stringify(plain));
    assert.equal(plain.duration_ms, a.duration_ms);
    const respOnly = await attemptOf(srv, res.id, d.id, '&include=response_data');
    assert.ok(!('request_data' in respOnly), 'response_data alone does not add request_data');
    assert.deepEqual(respOnly.response_data, { status: 200, body: 'ok' }, 'response_data unchanged');
    assert.deepEqual((await attemptOf(srv, res.id, d.id, '&include[]=request_data')).request_data, rq);
    const both = await attemptOf(srv, res.id, d.id, '&include=response_data,request_data');
    assert.deepEqual(both.request_data, rq);
    assert.deepEqual(both.response_data, { status: 200, body: 'ok' });

    const one = await getJson(srv, `/attempts/${a.id}`);
    assert.ok(!('request_data' in one), JSON.stringify(one));
    assert.equal(one.duration_ms, a.duration_ms);
    assert.deepEqual((await getJson(srv, `/attempts/${a.id}?include=request_data`)).request_data, rq);
    assert.deepEqual((await getJson(srv, `/attempts/${a.id}?include[]=request_data`)).request_data, rq);

    const token = await srv.token(T);
    const destList = await getJson(srv, `/tenants/${T}/destinations/${d.id}/attempts?include[]=request_data`, { token });
    assert.deepEqual(destList.models.map((m) => [m.id, m.request_data, m.duration_ms]), [[a.id, rq, a.duration_ms]]);
    const destPlain = await getJson(srv, `/tenants/${T}/destinations/${d.id}/attempts`, { token });
    assert.ok(!('request_data' in destPlain.models[0]), JSON.stringify(destPlain.models[0]));
    assert.equal(destPlain.models[0].duration_ms, a.duration_ms);
    const destOne = await getJson(srv, `/tenants/${T}/destinations/${d.id}/attempts/${a.id}?include=request_data`, { token });
    assert.deepEqual(destOne.request_data, rq);
    const destOnePlain = await getJson(srv, `/tenants/${T}/destinations/${d.id}/attempts/${a.id}`, { token });
    assert.ok(!('request_data' in destOnePlain));
    assert.equal(destOnePlain.duration_ms, a.duration_ms);
  });

  test('duration_ms reflects a slow receiver', async () => {
    const { srv, admin, rx } = ctx;
    const T = uid('tdur');
    await admin.tenants.upsert(T, {});
    rx.on(`/${T}/slow`, { delayMs: 300 });
    const slow = await admin.destinations.create(T, { type: 'webhook', topics: ['slow'], config: { url: rx.url(`/${T}/slow`) } });
    const fast = await admin.destinations.create(T, { type: 'webhook', topics: ['fast'], config: { url: rx.url(`/${T}/fast`) } });
    const rs = await admin.publish({ tenantId: T, topic: 'slow', data: { s: 1 } });
    const rf = await admin.publish({ tenantId: T, topic: 'fast', data: { f: 1 } });
    const as = await attemptOf(srv, rs.id, slow.id);
    const af = await attemptOf(srv, rf.id, fast.id);
    assert.equal(as.status, 'success', JSON.stringify(as));
    assertDuration(as, 'slow');
    assertDuration(af, 'fast');
    assert.ok(as.duration_ms >= 250, `a receiver answering after 300 ms: duration_ms ${as.duration_ms}`);
    assert.ok(as.duration_ms < 5000, `within the delivery timeout: ${as.duration_ms}`);
  });

  test('a failed connection still records the request it tried and its duration', async () => {
    const { srv, admin } = ctx;
    const T = uid('tref');
    await admin.tenants.upsert(T, {});
    const url = `http://127.0.0.1:${await closedPort()}/nobody`;
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url } });
    const res = await admin.publish({ tenantId: T, topic: 'x', eligibleForRetry: false, data: { r: 1 } });
    const a = await attemptOf(srv, res.id, d.id, '&include=request_data&include=response_data');
    assert.equal(a.status, 'failed', JSON.stringify(a));
    assert.equal(a.code, 'connection_refused', JSON.stringify(a));
    assertDuration(a, 'refused');
    assert.equal(a.request_data.method, 'POST');
    assert.equal(a.request_data.url, url);
    assert.equal(a.request_data.headers['x-outpost-event-id'], res.id);
    assert.ok(a.response_data.error, JSON.stringify(a.response_data));
  });
});

describe('attempt request_data (standard signing mode)', () => {
  const ctx = setup({ DESTINATIONS_WEBHOOK_MODE: 'standard' });

  test('the logged webhook-* headers verify with the standardwebhooks package', async () => {
    const { srv, admin, rx } = ctx;
    const T = uid('tstd');
    await admin.tenants.upsert(T, {});
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(`/${T}/std`) } });
    const res = await admin.publish({ tenantId: T, topic: 'user.created', data: { std: true }, metadata: { trace: 't1' } });
    const [rec] = await rx.waitCount(`/${T}/std`, 1);
    const a = await attemptOf(srv, res.id, d.id, '&include[]=request_data');
    assertDuration(a, 'standard');
    const h = a.request_data.headers;
    assert.deepEqual(sortedEntries(h), sentPairs(rec), JSON.stringify(h));
    assert.equal(h['webhook-id'], res.id);
    const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    assert.doesNotThrow(() => new Webhook(d.credentials.secret).verify(rec.body, lower),
      'webhook-id/timestamp/signature from request_data verify against the delivered body');
  });
});
