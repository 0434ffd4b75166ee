// Webhook destinations: create/list/get/patch/delete, enable/disable,
// limits, and the tenant's destinations_count / topics after each change.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sdkError, show, uid } from './lib/server.mjs';

const SECRET_RE = /^whsec_[0-9a-f]{64}$/;

describe('webhook destination lifecycle', () => {
  let srv;
  let admin;
  const T = uid('tenant');
  before(async () => {
    srv = await startServer();
    admin = srv.client();
    await admin.tenants.upsert(T, {});
  });
  after(async () => { await srv?.stop(); });

  test('create with a generated id and a whsec_ secret', async () => {
    const t0 = Date.now();
    const d = await admin.destinations.create(T, {
      type: 'webhook',
      topics: ['user.created', 'order.paid'],
      config: { url: 'https://example.com/hooks/1' },
      metadata: { team: 'core' },
      deliveryMetadata: { 'app-id': 'x1' },
    });
    assert.equal(admin.last.status, 201);
    assert.equal(typeof d.id, 'string');
    assert.ok(d.id.length > 0);
    assert.equal(d.type, 'webhook');
    assert.deepEqual([...d.topics].sort(), ['order.paid', 'user.created']);
    assert.equal(d.config.url, 'https://example.com/hooks/1');
    assert.match(d.credentials.secret, SECRET_RE);
    assert.equal(d.credentials.previousSecret, undefined, 'no previous_secret on create');
    assert.equal(d.disabledAt, null);
    assert.deepEqual(d.metadata, { team: 'core' });
    assert.deepEqual(d.deliveryMetadata, { 'app-id': 'x1' });
    assert.ok(Math.abs(d.createdAt.getTime() - t0) < 60_000);
    assert.equal(d.updatedAt.getTime(), d.createdAt.getTime(), 'updated_at = created_at on create');
    assert.equal(d.target, 'https://example.com/hooks/1', 'webhook target is its URL');

    const r = await srv.raw('GET', `/tenants/${T}/destinations/${d.id}`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.tenant_id, T, `tenant_id in body: ${show(r)}`);
    assert.ok('disabled_at' in r.json && r.json.disabled_at === null, `disabled_at must be present and null: ${show(r)}`);
    assert.equal(r.json.credentials.secret, d.credentials.secret);

    const got = await admin.destinations.get(T, d.id);
    assert.deepEqual(got, d, 'GET must return what create returned');

    const again = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/hooks/1b' } });
    assert.notEqual(again.id, d.id, 'generated ids must be unique');
    assert.notEqual(again.credentials.secret, d.credentials.secret, 'generated secrets must be unique');
    await admin.destinations.delete(T, d.id);
    await admin.destinations.delete(T, again.id);
  });

  test('create with an explicit id; duplicate id -> 400', async () => {
    const id = uid('des_explicit');
    const d = await admin.destinations.create(T, { id, type: 'webhook', topics: ['*'], config: { url: 'https://example.com/e' } });
    assert.equal(d.id, id);
    const before = (await srv.raw('GET', `/tenants/${T}/destinations/${id}`)).json;
    const err = await sdkError(admin.destinations.create(T, { id, type: 'webhook', topics: ['*'], config: { url: 'https://example.com/other' } }), 400, 'duplicate id');
    assert.equal(err.json?.status, 400, err.body);
    assert.match(err.json?.message || '', /already exists/, err.body);
    assert.deepEqual((await srv.raw('GET', `/tenants/${T}/destinations/${id}`)).json, before, 'duplicate create must not change the original');
    await admin.destinations.delete(T, id);
  });

  test('same destination id may be used by two different tenants', async () => {
    const T2 = uid('tenant');
    await admin.tenants.upsert(T2, {});
    const id = uid('des_shared');
    await admin.destinations.create(T, { id, type: 'webhook', topics: ['*'], config: { url: 'https://example.com/t1' } });
    const d2 = await admin.destinations.create(T2, { id, type: 'webhook', topics: ['*'], config: { url: 'https://example.com/t2' } });
    assert.equal(d2.id, id);
    assert.equal((await admin.destinations.get(T, id)).config.url, 'https://example.com/t1');
    assert.equal((await admin.destinations.get(T2, id)).config.url, 'https://example.com/t2');
    await admin.destinations.delete(T, id);
  });

  test('list is a bare array; type[] and topics[] filters', async () => {
    const T3 = uid('tenant');
    await admin.tenants.upsert(T3, {});
    const a = await admin.destinations.create(T3, { type: 'webhook', topics: ['a'], config: { url: 'https://example.com/a' } });
    const ab = await admin.destinations.create(T3, { type: 'webhook', topics: ['a', 'b'], config: { url: 'https://example.com/ab' } });
    const b = await admin.destinations.create(T3, { type: 'webhook', topics: ['b'], config: { url: 'https://example.com/b' } });
    const star = await admin.destinations.create(T3, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/star' } });

    const r = await srv.raw('GET', `/tenants/${T3}/destinations`);
    assert.equal(r.status, 200, show(r));
    assert.ok(Array.isArray(r.json), `list must be a bare array: ${show(r)}`);
    assert.deepEqual(r.json.map((d) => d.id).sort(), [a.id, ab.id, b.id, star.id].sort());

    const all = await admin.destinations.list(T3);
    assert.equal(all.length, 4);
    assert.deepEqual(await admin.destinations.list(T3, 'webhook').then((l) => l.length), 4);
    assert.deepEqual(await admin.destinations.list(T3, 'aws_sqs'), []);
    const ids = (l) => l.map((d) => d.id).sort();
    assert.deepEqual(ids(await admin.destinations.list(T3, undefined, 'a')), [a.id, ab.id, star.id].sort(), 'topics=a');
    // Several topics: a destination is listed only if it supports every one of
    // them ("*" supports all) — Outpost's tenant-store filter semantics.
    const name = { [a.id]: 'a', [ab.id]: 'a+b', [b.id]: 'b', [star.id]: '*' };
    for (const q of ['topics[]=a&topics[]=b', 'topics[0]=a&topics[1]=b', 'topics=a&topics=b']) {
      const rr = await srv.raw('GET', `/tenants/${T3}/destinations?${q}`);
      assert.equal(rr.status, 200, show(rr));
      assert.deepEqual(rr.json.map((d) => name[d.id]).sort(), ['*', 'a+b'], `${q}: ${show(rr)}`);
    }
    assert.deepEqual(ids(await admin.destinations.list(T3, undefined, ['a', 'b'])), [ab.id, star.id].sort(), 'SDK topics=[a,b] (must cover all)');
    for (const q of ['type[]=webhook', 'type[0]=webhook', 'type=webhook', 'type[]=aws_sqs&type[]=webhook']) {
      const rr = await srv.raw('GET', `/tenants/${T3}/destinations?${q}`);
      assert.equal(rr.status, 200, show(rr));
      assert.equal(rr.json.length, 4, show(rr));
    }
    const rr = await srv.raw('GET', `/tenants/${T3}/destinations?type[]=aws_sqs&topics[]=a`);
    assert.deepEqual(rr.json, [], show(rr));
    // empty tenant -> []
    const T4 = uid('tenant');
    await admin.tenants.upsert(T4, {});
    const empty = await srv.raw('GET', `/tenants/${T4}/destinations`);
    assert.equal(empty.status, 200, show(empty));
    assert.deepEqual(empty.json, [], show(empty));
  });

  test('PATCH is a merge-patch: config key update, metadata key:null deletes, filter replace/clear, topics replace', async () => {
    const d = await admin.destinations.create(T, {
      type: 'webhook',
      topics: ['user.created'],
      config: { url: 'https://example.com/p1', customHeaders: '{"x-a":"1"}' },
      metadata: { a: '1', b: '2' },
      deliveryMetadata: { k: 'v' },
      filter: { data: { amount: { $gte: 100 } } },
    });
    const secret = d.credentials.secret;

    let u = await admin.destinations.update(T, d.id, { type: 'webhook', config: { url: 'https://example.com/p2' } });
    assert.equal(admin.last.status, 200);
    assert.equal(u.config.url, 'https://example.com/p2');
    assert.equal(u.config.customHeaders, '{"x-a":"1"}', 'untouched config keys must survive');
    assert.equal(u.credentials.secret, secret, 'secret must survive a config patch');
    assert.deepEqual(u.metadata, { a: '1', b: '2' });
    assert.deepEqual(u.filter, { data: { amount: { $gte: 100 } } });
    assert.ok(u.updatedAt.getTime() >= d.updatedAt.getTime());
    assert.equal(u.createdAt.getTime(), d.createdAt.getTime());

    u = await admin.destinations.update(T, d.id, { type: 'webhook', metadata: { b: null, c: '3' } });
    assert.deepEqual(u.metadata, { a: '1', c: '3' }, 'metadata key:null deletes, others merge');

    u = await admin.destinations.update(T, d.id, { type: 'webhook', filter: { data: { kind: 'x' } } });
    assert.deepEqual(u.filter, { data: { kind: 'x' } }, 'filter is replaced, not merged');

    u = await admin.destinations.update(T, d.id, { type: 'webhook', filter: null });
    assert.ok(u.filter == null || Object.keys(u.filter).length === 0, `filter null must clear: ${JSON.stringify(u.filter)}`);

    u = await admin.destinations.update(T, d.id, { type: 'webhook', topics: ['order.paid', 'user.deleted'] });
    assert.deepEqual([...u.topics].sort(), ['order.paid', 'user.deleted'], 'topics replaced');

    // raw merge-patch details the SDK cannot express
    let r = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, { body: { config: { custom_headers: null } } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.config.custom_headers, undefined, `config key:null deletes: ${show(r)}`);
    assert.equal(r.json.config.url, 'https://example.com/p2', show(r));
    r = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, { body: { metadata: null } });
    assert.equal(r.status, 200, show(r));
    assert.ok(r.json.metadata == null || Object.keys(r.json.metadata).length === 0, `metadata:null clears: ${show(r)}`);
    r = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, { body: { delivery_metadata: {} } });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json.delivery_metadata, { k: 'v' }, `{} is no change: ${show(r)}`);
    r = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, { body: {} });
    assert.equal(r.status, 200, `empty patch: ${show(r)}`);
    r = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, { body: { topics: '*' } });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json.topics, ['*'], `bare "*" normalises to ["*"]: ${show(r)}`);

    // persisted
    const got = await srv.raw('GET', `/tenants/${T}/destinations/${d.id}`);
    assert.deepEqual(got.json, r.json, 'GET after PATCH must equal the PATCH response');
    await admin.destinations.delete(T, d.id);
  });

  test('PATCH changing type -> 422 and nothing changes', async () => {
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/tc' } });
    const before = (await srv.raw('GET', `/tenants/${T}/destinations/${d.id}`)).json;
    const err = await sdkError(admin.destinations.update(T, d.id, { type: 'aws_sqs', topics: ['x'] }), 422, 'type change');
    assert.equal(err.json?.status, 422, err.body);
    assert.match(err.body, /type/, err.body);
    const r = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, { body: { type: 'rabbitmq', config: { url: 'https://example.com/changed' } } });
    assert.equal(r.status, 422, show(r));
    assert.deepEqual((await srv.raw('GET', `/tenants/${T}/destinations/${d.id}`)).json, before);
    // same type is fine
    const ok = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, { body: { type: 'webhook' } });
    assert.equal(ok.status, 200, show(ok));
    await admin.destinations.delete(T, d.id);
  });

  test('DELETE answers 200 {success:true}, then 404 everywhere', async () => {
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/del' } });
    const res = await admin.destinations.delete(T, d.id);
    assert.equal(admin.last.status, 200);
    assert.deepEqual(res, { success: true });
    await sdkError(admin.destinations.get(T, d.id), 404, 'GET deleted');
    await sdkError(admin.destinations.delete(T, d.id), 404, 'DELETE deleted');
    await sdkError(admin.destinations.update(T, d.id, { type: 'webhook', topics: ['*'] }), 404, 'PATCH deleted');
    await sdkError(admin.destinations.enable(T, d.id), 404, 'enable deleted');
    await sdkError(admin.destinations.disable(T, d.id), 404, 'disable deleted');
    assert.ok(!(await admin.destinations.list(T)).some((x) => x.id === d.id));
    await sdkError(admin.destinations.get(T, 'never_existed'), 404, 'GET unknown');
  });

  test('a deleted destination id can be created again', async () => {
    const id = uid('des_reuse');
    await admin.destinations.create(T, { id, type: 'webhook', topics: ['*'], config: { url: 'https://example.com/r1' } });
    await admin.destinations.delete(T, id);
    const d = await admin.destinations.create(T, { id, type: 'webhook', topics: ['*'], config: { url: 'https://example.com/r2' } });
    assert.equal(d.config.url, 'https://example.com/r2');
    await admin.destinations.delete(T, id);
  });

  test('disable sets disabled_at (idempotent), enable clears it', async () => {
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/en' } });
    const t0 = Date.now();
    const off = await admin.destinations.disable(T, d.id);
    assert.equal(admin.last.status, 200);
    assert.ok(off.disabledAt instanceof Date, 'disabled_at must be set');
    assert.ok(Math.abs(off.disabledAt.getTime() - t0) < 60_000, `disabled_at not now: ${off.disabledAt.toISOString()}`);
    const off2 = await admin.destinations.disable(T, d.id);
    assert.equal(off2.disabledAt.getTime(), off.disabledAt.getTime(), 'disable is a no-op when already disabled');
    assert.equal((await admin.destinations.get(T, d.id)).disabledAt.getTime(), off.disabledAt.getTime());

    const on = await admin.destinations.enable(T, d.id);
    assert.equal(on.disabledAt, null);
    const on2 = await admin.destinations.enable(T, d.id);
    assert.equal(on2.disabledAt, null);
    assert.equal((await admin.destinations.get(T, d.id)).disabledAt, null);
    assert.equal(on.credentials.secret, d.credentials.secret);

    // via PATCH
    const past = new Date(Date.now() - 60_000);
    let r = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, { body: { disabled_at: past.toISOString() } });
    assert.equal(r.status, 200, show(r));
    assert.ok(r.json.disabled_at, show(r));
    assert.ok(Math.abs(Date.parse(r.json.disabled_at) - past.getTime()) < 1000, show(r));
    r = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, { body: { disabled_at: null } });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.disabled_at, null, show(r));
    r = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, { body: { disabled_at: new Date(Date.now() + 3_600_000).toISOString() } });
    assert.equal(r.status, 422, `future disabled_at: ${show(r)}`);

    // tenant JWT may enable/disable its own destinations
    const tok = await srv.token(T);
    const me = srv.client(tok);
    assert.ok((await me.destinations.disable(T, d.id)).disabledAt instanceof Date);
    assert.equal((await me.destinations.enable(T, d.id)).disabledAt, null);
    await admin.destinations.delete(T, d.id);
  });

  test('create with disabled_at in the past stores it; in the future -> 422', async () => {
    const past = new Date(Date.now() - 120_000);
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/dis' }, disabledAt: past });
    assert.ok(d.disabledAt instanceof Date);
    assert.ok(Math.abs(d.disabledAt.getTime() - past.getTime()) < 1000, `${d.disabledAt.toISOString()} vs ${past.toISOString()}`);
    assert.ok((await admin.destinations.get(T, d.id)).disabledAt instanceof Date);
    await sdkError(admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/fut' }, disabledAt: new Date(Date.now() + 3_600_000) }), 422, 'future disabled_at');
    await admin.destinations.delete(T, d.id);
  });

  test('tenant JWT can create, list, patch and delete its own destinations', async () => {
    const tok = await srv.token(T);
    const me = srv.client(tok);
    const d = await me.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/jwt' } });
    assert.match(d.credentials.secret, SECRET_RE);
    assert.ok((await me.destinations.list(T)).some((x) => x.id === d.id));
    const u = await me.destinations.update(T, d.id, { type: 'webhook', config: { url: 'https://example.com/jwt2' } });
    assert.equal(u.config.url, 'https://example.com/jwt2');
    assert.deepEqual(await me.destinations.delete(T, d.id), { success: true });
  });

  test('tenant JWT sending created_at/updated_at on create -> 403', async () => {
    const tok = await srv.token(T);
    const r = await srv.raw('POST', `/tenants/${T}/destinations`, {
      token: tok,
      body: { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/ts' }, created_at: '2024-01-01T00:00:00Z' },
    });
    assert.equal(r.status, 403, show(r));
    const admin2 = await srv.raw('POST', `/tenants/${T}/destinations`, {
      body: { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/ts' }, created_at: '2024-01-01T00:00:00Z' },
    });
    assert.equal(admin2.status, 201, show(admin2));
    assert.equal(Date.parse(admin2.json.created_at), Date.parse('2024-01-01T00:00:00Z'), show(admin2));
    assert.equal(Date.parse(admin2.json.updated_at), Date.parse('2024-01-01T00:00:00Z'), `updated_at defaults to created_at: ${show(admin2)}`);
    await admin.destinations.delete(T, admin2.json.id);
  });
});

describe('tenant destinations_count and topics', () => {
  let srv;
  let admin;
  const T = uid('tenant');
  before(async () => {
    srv = await startServer();
    admin = srv.client();
    await admin.tenants.upsert(T, {});
  });
  after(async () => { await srv?.stop(); });

  async function expectTenant(count, topics, step) {
    const t = await admin.tenants.get(T);
    assert.equal(t.destinationsCount, count, `${step}: destinations_count`);
    assert.deepEqual(t.topics, topics, `${step}: topics (sorted union)`);
    const listed = (await admin.tenants.list({ id: [T] })).models[0];
    assert.equal(listed.destinationsCount, count, `${step}: destinations_count in list`);
    assert.deepEqual(listed.topics, topics, `${step}: topics in list`);
  }

  test('count and sorted topic union track every change', async () => {
    await expectTenant(0, [], 'empty');
    const d1 = await admin.destinations.create(T, { type: 'webhook', topics: ['user.created'], config: { url: 'https://example.com/1' } });
    await expectTenant(1, ['user.created'], 'after create d1');
    const d2 = await admin.destinations.create(T, { type: 'webhook', topics: ['user.created', 'order.paid'], config: { url: 'https://example.com/2' } });
    await expectTenant(2, ['order.paid', 'user.created'], 'after create d2');
    await admin.destinations.update(T, d1.id, { type: 'webhook', topics: ['user.deleted'] });
    await expectTenant(2, ['order.paid', 'user.created', 'user.deleted'], 'after patch d1 topics');
    await admin.destinations.disable(T, d2.id);
    await expectTenant(2, ['order.paid', 'user.created', 'user.deleted'], 'disabled destinations still count');
    const d3 = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/3' } });
    await expectTenant(3, ['*'], 'a "*" destination makes topics ["*"]');
    await admin.destinations.delete(T, d3.id);
    await expectTenant(2, ['order.paid', 'user.created', 'user.deleted'], 'after delete d3');
    await admin.destinations.delete(T, d2.id);
    await expectTenant(1, ['user.deleted'], 'after delete d2');
    await admin.destinations.delete(T, d1.id);
    await expectTenant(0, [], 'after delete all');
  });
});

describe('MAX_DESTINATIONS_PER_TENANT', () => {
  let srv;
  let admin;
  const T = uid('tenant');
  before(async () => {
    srv = await startServer({ env: { MAX_DESTINATIONS_PER_TENANT: '3' } });
    admin = srv.client();
    await admin.tenants.upsert(T, {});
  });
  after(async () => { await srv?.stop(); });

  test('the limit is enforced with 400 and frees up after a delete', async () => {
    const made = [];
    for (let i = 0; i < 3; i++) {
      made.push(await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: `https://example.com/${i}` } }));
    }
    const err = await sdkError(admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/4' } }), 400, '4th destination');
    assert.equal(err.json?.status, 400, err.body);
    assert.match(err.json?.message || '', /max/i, err.body);
    assert.equal((await admin.destinations.list(T)).length, 3);
    assert.equal((await admin.tenants.get(T)).destinationsCount, 3);
    await admin.destinations.delete(T, made[0].id);
    const again = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/5' } });
    assert.ok(again.id);
    // the limit is per tenant
    const T2 = uid('tenant');
    await admin.tenants.upsert(T2, {});
    await admin.destinations.create(T2, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/other' } });
  });
});
