// TOPICS validation for destinations (+ wildcards), and GET /topics.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sdkError, show, uid } from './lib/server.mjs';

const TOPICS = ['user.created', 'user.deleted', 'order.paid'];

describe('with TOPICS set, wildcards off', () => {
  let srv;
  let admin;
  const T = uid('tenant');
  before(async () => {
    srv = await startServer({ env: { TOPICS: TOPICS.join(',') } });
    admin = srv.client();
    await admin.tenants.upsert(T, {});
  });
  after(async () => { await srv?.stop(); });

  const create = (topics) => admin.destinations.create(T, { type: 'webhook', topics, config: { url: 'https://example.com/h' } });
  const snapshot = async () => (await srv.raw('GET', `/tenants/${T}/destinations`)).json;

  test('GET /topics returns the configured list (admin and tenant JWT)', async () => {
    const list = await admin.topics.list();
    assert.deepEqual([...list].sort(), [...TOPICS].sort());
    const tok = await srv.token(T);
    const mine = await srv.client(tok).topics.list();
    assert.deepEqual([...mine].sort(), [...TOPICS].sort());
  });

  test('a subset of configured topics is accepted; duplicates are dropped', async () => {
    const d = await create(['user.created', 'order.paid']);
    assert.deepEqual([...d.topics].sort(), ['order.paid', 'user.created']);
    const dup = await create(['user.created', 'user.created']);
    assert.deepEqual(dup.topics, ['user.created']);
    await admin.destinations.delete(T, d.id);
    await admin.destinations.delete(T, dup.id);
  });

  test('an unknown topic -> 422 with data naming the problem, nothing stored', async () => {
    const before = await snapshot();
    const err = await sdkError(create(['user.created', 'user.updated']), 422, 'unknown topic');
    assert.equal(err.json?.status, 422, err.body);
    assert.equal(err.json?.message, 'validation error', err.body);
    assert.ok(Array.isArray(err.json?.data) && err.json.data.length > 0, `data must list the problem: ${err.body}`);
    assert.match(JSON.stringify(err.json.data), /topic/, err.body);
    assert.deepEqual(await snapshot(), before);
  });

  test('["*"] and the bare string "*" are accepted', async () => {
    const a = await create(['*']);
    assert.deepEqual(a.topics, ['*']);
    const b = await create('*');
    assert.deepEqual(b.topics, ['*']);
    await admin.destinations.delete(T, a.id);
    await admin.destinations.delete(T, b.id);
  });

  test('"*" mixed with other topics -> 422; empty topics -> 422; wildcard pattern without TOPICS_ALLOW_WILDCARDS -> 422', async () => {
    const before = await snapshot();
    await sdkError(create(['*', 'user.created']), 422, '* mixed');
    await sdkError(create([]), 422, 'empty topics');
    await sdkError(create(['user.*']), 422, 'wildcard disabled');
    const r = await srv.raw('POST', `/tenants/${T}/destinations`, { body: { type: 'webhook', config: { url: 'https://example.com/h' } } });
    assert.equal(r.status, 422, `missing topics: ${show(r)}`);
    assert.deepEqual(await snapshot(), before);
  });

  test('PATCH with an invalid topic -> 422 and the destination is unchanged', async () => {
    const d = await create(['user.created']);
    const before = (await srv.raw('GET', `/tenants/${T}/destinations/${d.id}`)).json;
    await sdkError(admin.destinations.update(T, d.id, { type: 'webhook', topics: ['nope'] }), 422, 'patch invalid topic');
    await sdkError(admin.destinations.update(T, d.id, { type: 'webhook', topics: [] }), 422, 'patch empty topics');
    await sdkError(admin.destinations.update(T, d.id, { type: 'webhook', topics: ['*', 'order.paid'] }), 422, 'patch * mixed');
    assert.deepEqual((await srv.raw('GET', `/tenants/${T}/destinations/${d.id}`)).json, before);
    const ok = await admin.destinations.update(T, d.id, { type: 'webhook', topics: ['order.paid'] });
    assert.deepEqual(ok.topics, ['order.paid']);
    await admin.destinations.delete(T, d.id);
  });
});

describe('with TOPICS_ALLOW_WILDCARDS=true', () => {
  let srv;
  let admin;
  const T = uid('tenant');
  before(async () => {
    srv = await startServer({ env: { TOPICS: TOPICS.join(','), TOPICS_ALLOW_WILDCARDS: 'true' } });
    admin = srv.client();
    await admin.tenants.upsert(T, {});
  });
  after(async () => { await srv?.stop(); });
  const create = (topics) => admin.destinations.create(T, { type: 'webhook', topics, config: { url: 'https://example.com/h' } });

  test('"user.*" is accepted', async () => {
    const d = await create(['user.*']);
    assert.deepEqual(d.topics, ['user.*']);
    const t = await admin.tenants.get(T);
    assert.deepEqual(t.topics, ['user.*']);
    await admin.destinations.delete(T, d.id);
  });

  test('normalisation drops entries covered by a sibling wildcard', async () => {
    const d = await create(['user.created', 'user.*', 'order.paid', 'user.deleted']);
    assert.deepEqual([...d.topics].sort(), ['order.paid', 'user.*']);
    const got = await admin.destinations.get(T, d.id);
    assert.deepEqual([...got.topics].sort(), ['order.paid', 'user.*']);
    await admin.destinations.delete(T, d.id);
  });

  test('"*.paid" accepted; a pattern matching no configured topic -> 422; "*" still allowed', async () => {
    const a = await create(['*.paid']);
    assert.deepEqual(a.topics, ['*.paid']);
    await sdkError(create(['invoice.*']), 422, 'pattern matching nothing');
    const s = await create(['*']);
    assert.deepEqual(s.topics, ['*']);
    await admin.destinations.delete(T, a.id);
    await admin.destinations.delete(T, s.id);
  });
});

describe('without TOPICS', () => {
  let srv;
  before(async () => { srv = await startServer({ env: { TOPICS: undefined } }); });
  after(async () => { await srv?.stop(); });

  test('any topic is accepted for destinations', async () => {
    const admin = srv.client();
    const T = uid('tenant');
    await admin.tenants.upsert(T, {});
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['anything.goes', 'x'], config: { url: 'https://example.com/h' } });
    assert.deepEqual([...d.topics].sort(), ['anything.goes', 'x']);
  });

  test('GET /topics answers 200 with an empty list or null', async () => {
    const r = await srv.raw('GET', '/topics');
    assert.equal(r.status, 200, show(r));
    assert.ok(r.json === null || (Array.isArray(r.json) && r.json.length === 0), show(r));
  });
});
