// Validation and error bodies: 422 field lists, invalid JSON, body size limit,
// unknown routes and wrong methods — and stored state unchanged after each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sdkError, show, uid } from './lib/server.mjs';

const MAX_BODY = 4096;
let srv;
let admin;
const T = uid('tenant');
let existing;

before(async () => {
  srv = await startServer({ env: { API_MAX_BODY_BYTES: String(MAX_BODY) } });
  admin = srv.client();
  await admin.tenants.upsert(T, { metadata: { keep: 'me' } });
  existing = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/keep' }, metadata: { a: '1' } });
});
after(async () => { await srv?.stop(); });

async function snapshot() {
  const t = await srv.raw('GET', `/tenants/${T}`);
  const d = await srv.raw('GET', `/tenants/${T}/destinations`);
  const all = await srv.raw('GET', '/tenants?limit=100');
  return { tenant: t.json, dests: d.json, tenants: all.json.models.map((m) => m.id).sort(), count: all.json.count };
}

/** Run fn (which sends one bad request) and assert the store did not change. */
async function unchanged(fn) {
  const before = await snapshot();
  const out = await fn();
  assert.deepEqual(await snapshot(), before, 'stored state changed after a rejected request');
  return out;
}

function assertValidation(r, mustInclude = []) {
  assert.equal(r.status, 422, show(r));
  assert.match(r.headers.get('content-type') || '', /application\/json/, show(r));
  assert.equal(r.json?.status, 422, show(r));
  assert.equal(r.json?.message, 'validation error', show(r));
  assert.ok(Array.isArray(r.json?.data), `data must be an array: ${show(r)}`);
  for (const m of mustInclude) assert.ok(r.json.data.includes(m), `data must include ${JSON.stringify(m)}: ${show(r)}`);
}

const post = (body, o = {}) => srv.raw('POST', `/tenants/${T}/destinations`, { body, ...o });

test('missing config.url -> 422 {status, message:"validation error", data:["config.url is required"]}', async () => {
  await unchanged(async () => {
    const r = await post({ type: 'webhook', topics: ['*'], config: {} });
    assertValidation(r, ['config.url is required']);
    const r2 = await post({ type: 'webhook', topics: ['*'] });
    assertValidation(r2, ['config.url is required']);
  });
});

test('several failing fields are all listed', async () => {
  await unchanged(async () => {
    const r = await post({ type: 'webhook', config: {} });
    assertValidation(r, ['config.url is required']);
    assert.ok(r.json.data.length >= 2, `expected >= 2 errors: ${show(r)}`);
    assert.ok(r.json.data.some((m) => /topics/.test(m)), `topics error missing: ${show(r)}`);
  });
});

test('bad url pattern -> "config.url failed pattern validation" (SDK)', async () => {
  await unchanged(async () => {
    for (const url of ['not a url', 'ftp://example.com/x', 'http://', 'https://exa mple.com']) {
      const err = await sdkError(admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url } }), 422, `url=${url}`);
      assert.equal(err.json?.message, 'validation error', err.body);
      assert.ok(err.json?.data?.includes('config.url failed pattern validation'), `url=${url}: ${err.body}`);
      assert.deepEqual(err.data, err.json.data, 'SDK APIErrorResponse exposes data');
    }
  });
});

test('unknown destination type -> 422', async () => {
  await unchanged(async () => {
    const r = await post({ type: 'carrier_pigeon', topics: ['*'], config: { url: 'https://example.com' } });
    assert.equal(r.status, 422, show(r));
    assert.equal(r.json?.status, 422, show(r));
    const r2 = await post({ topics: ['*'], config: { url: 'https://example.com' } });
    assert.equal(r2.status, 422, `missing type: ${show(r2)}`);
  });
});

test('malformed JSON -> 422 "invalid JSON"', async () => {
  await unchanged(async () => {
    for (const rawBody of ['{"type":', '{type: webhook}', 'null x', '{"type":"webhook","topics":["*"],"config":{"url":"https://e.com"}}}', '\u0000']) {
      const r = await post(undefined, { rawBody });
      assert.equal(r.status, 422, show(r));
      assert.deepEqual({ status: r.json?.status, message: r.json?.message }, { status: 422, message: 'invalid JSON' }, show(r));
    }
    const p = await srv.raw('PATCH', `/tenants/${T}/destinations/${existing.id}`, { rawBody: '{"config":' });
    assert.equal(p.status, 422, show(p));
    assert.equal(p.json?.message, 'invalid JSON', show(p));
    const t = await srv.raw('PUT', `/tenants/${T}`, { rawBody: '{"metadata":' });
    assert.equal(t.status, 422, show(t));
    assert.equal(t.json?.message, 'invalid JSON', show(t));
  });
});

test('wrong JSON types -> 422', async () => {
  await unchanged(async () => {
    const bad = [
      { type: 'webhook', topics: 5, config: { url: 'https://example.com' } },
      { type: 'webhook', topics: ['*'], config: 'https://example.com' },
      { type: 123, topics: ['*'], config: { url: 'https://example.com' } },
      { type: 'webhook', topics: [1, 2], config: { url: 'https://example.com' } },
      { type: 'webhook', topics: ['*'], config: { url: 'https://example.com' }, metadata: ['a'] },
      { type: 'webhook', topics: ['*'], config: { url: 'https://example.com' }, metadata: { a: { b: 'c' } } },
      { type: 'webhook', topics: ['*'], config: { url: 'https://example.com' }, filter: 'x' },
      { type: 'webhook', topics: ['*'], config: { url: 'https://example.com' }, disabled_at: 'yesterday' },
    ];
    for (const body of bad) {
      const r = await post(body);
      assert.equal(r.status, 422, show(r));
      assert.equal(r.json?.status, 422, show(r));
      assert.equal(typeof r.json?.message, 'string', show(r));
    }
    for (const rawBody of ['[]', '"webhook"', '42']) {
      const r = await post(undefined, { rawBody });
      assert.equal(r.status, 422, show(r));
      assert.equal(r.json?.status, 422, show(r));
    }
    const t = await srv.raw('PUT', `/tenants/${T}`, { body: { metadata: 'nope' } });
    assert.equal(t.status, 422, show(t));
    const p = await srv.raw('PATCH', `/tenants/${T}/destinations/${existing.id}`, { body: { topics: 7 } });
    assert.equal(p.status, 422, show(p));
    const p2 = await srv.raw('PATCH', `/tenants/${T}/destinations/${existing.id}`, { body: { config: { url: 'nope' } } });
    assert.equal(p2.status, 422, show(p2));
    assert.ok(p2.json?.data?.includes('config.url failed pattern validation'), show(p2));
    const p3 = await srv.raw('PATCH', `/tenants/${T}/destinations/${existing.id}`, { body: { config: { url: null } } });
    assert.equal(p3.status, 422, `deleting a required config key: ${show(p3)}`);
  });
});

test(`body over API_MAX_BODY_BYTES (${MAX_BODY}) -> 413 JSON`, async () => {
  await unchanged(async () => {
    const big = 'x'.repeat(MAX_BODY * 2);
    const r = await post({ type: 'webhook', topics: ['*'], config: { url: 'https://example.com/big' }, metadata: { big } });
    assert.equal(r.status, 413, show(r));
    assert.equal(r.json?.status, 413, show(r));
    assert.equal(typeof r.json?.message, 'string', show(r));
    const t = await srv.raw('PUT', `/tenants/${T}`, { body: { metadata: { big } } });
    assert.equal(t.status, 413, show(t));
    const n = await srv.raw('PUT', `/tenants/${uid('newbig')}`, { body: { metadata: { big } } });
    assert.equal(n.status, 413, show(n));
    const huge = await post(undefined, { rawBody: Buffer.alloc(64 * 1024, 0x7b) });
    assert.equal(huge.status, 413, `64 KiB body: ${huge.status} ${huge.text.slice(0, 200)}`);
  });
  // a body just under the limit still works
  const ok = await srv.raw('PUT', `/tenants/${uid('small')}`, { body: { metadata: { v: 'y'.repeat(MAX_BODY - 200) } } });
  assert.equal(ok.status, 201, show(ok));
});

test('unknown routes -> 404 JSON', async () => {
  await unchanged(async () => {
    for (const p of ['/nope', `/tenants/${T}/destinations/${existing.id}/nope`, '/tenants/a/b/c/d/e']) {
      const r = await srv.raw('GET', p);
      assert.equal(r.status, 404, show(r));
      assert.equal(r.json?.status, 404, `404 must be JSON: ${show(r)}`);
      assert.equal(typeof r.json?.message, 'string', show(r));
    }
    const r = await srv.raw('GET', '//api/nope');
    assert.equal(r.status, 404, show(r));
    assert.equal(r.json?.status, 404, `/api/* must be a JSON 404: ${show(r)}`);
  });
});

test('wrong method on a known route -> 405 JSON', async () => {
  await unchanged(async () => {
    for (const [m, p] of [
      ['DELETE', '/topics'],
      ['POST', `/tenants/${T}`],
      ['PATCH', '/tenants'],
      ['POST', '/destination-types'],
      ['PUT', `/tenants/${T}/destinations`],
      ['POST', `/tenants/${T}/destinations/${existing.id}`],
      ['GET', `/tenants/${T}/destinations/${existing.id}/enable`],
      ['DELETE', `/tenants/${T}/token`],
    ]) {
      const r = await srv.raw(m, p, { body: m === 'GET' ? undefined : {} });
      assert.equal(r.status, 405, show(r));
      assert.equal(r.json?.status, 405, `405 must be JSON: ${show(r)}`);
    }
  });
});

test('tenant PUT validation errors leave the tenant unchanged', async () => {
  await unchanged(async () => {
    const r = await srv.raw('PUT', `/tenants/${T}`, { body: { metadata: { a: ['x'] } } });
    assert.equal(r.status, 422, show(r));
  });
});
