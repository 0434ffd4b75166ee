// Tenants: upsert (201/200, metadata replace), get, delete (cascades, stale JWT),
// list with cursor pagination both ways, id filter, limit/dir/cursor errors, count.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sdkError, show, uid } from './lib/server.mjs';

describe('tenant CRUD', () => {
  let srv;
  let admin;
  before(async () => { srv = await startServer(); admin = srv.client(); });
  after(async () => { await srv?.stop(); });

  test('PUT creates (201) then updates (200) with metadata replaced, not merged', async () => {
    const id = uid('tenant');
    const t0 = Date.now();
    const created = await admin.tenants.upsert(id, { metadata: { plan: 'pro', region: 'eu' } });
    assert.equal(admin.last.status, 201, 'first PUT must answer 201');
    assert.equal(created.id, id);
    assert.deepEqual(created.metadata, { plan: 'pro', region: 'eu' });
    assert.equal(created.destinationsCount, 0);
    assert.deepEqual(created.topics, []);
    assert.ok(created.createdAt instanceof Date && created.updatedAt instanceof Date);
    assert.ok(Math.abs(created.createdAt.getTime() - t0) < 60_000, `created_at not now: ${created.createdAt.toISOString()}`);

    const updated = await admin.tenants.upsert(id, { metadata: { tier: 'gold' } });
    assert.equal(admin.last.status, 200, 'second PUT must answer 200');
    assert.deepEqual(updated.metadata, { tier: 'gold' }, 'metadata must be replaced, not merged');
    assert.equal(updated.createdAt.getTime(), created.createdAt.getTime(), 'created_at must not change on update');
    assert.ok(updated.updatedAt.getTime() >= created.updatedAt.getTime(), 'updated_at must not go backwards');

    const got = await admin.tenants.get(id);
    assert.equal(got.id, id);
    assert.deepEqual(got.metadata, { tier: 'gold' });
    assert.equal(got.createdAt.getTime(), created.createdAt.getTime());
  });

  test('metadata keys and values with quotes, backslashes, control characters and unicode round-trip', async () => {
    const id = uid('tenant');
    const odd = { 'q"uote': 'a"b', 'back\\slash': 'c\\d', 'nl\nkey': 'tab\there\r\n\u0001', 'ünï': '日本 🎉', '': 'empty key' };
    await admin.tenants.upsert(id, { metadata: odd });
    assert.deepEqual((await admin.tenants.get(id)).metadata, odd);
  });

  test('PUT without a body creates a tenant', async () => {
    const id = uid('tenant');
    const r = await srv.raw('PUT', `/tenants/${id}`);
    assert.equal(r.status, 201, show(r));
    assert.equal(r.json.id, id, show(r));
    assert.equal(r.json.destinations_count, 0, show(r));
    assert.deepEqual(r.json.topics, [], show(r));
    assert.equal(typeof r.json.created_at, 'string', show(r));
    assert.equal(typeof r.json.updated_at, 'string', show(r));
  });

  test('PUT coerces non-string metadata scalars to strings', async () => {
    const id = uid('tenant');
    const r = await srv.raw('PUT', `/tenants/${id}`, { body: { metadata: { n: 5, b: true, s: 'x' } } });
    assert.equal(r.status, 201, show(r));
    assert.deepEqual(r.json.metadata, { n: '5', b: 'true', s: 'x' }, show(r));
  });

  test('GET unknown tenant -> 404 {"status":404,"message":"tenant not found"}', async () => {
    const err = await sdkError(admin.tenants.get(uid('missing')), 404, 'GET unknown tenant');
    assert.deepEqual(err.json, { status: 404, message: 'tenant not found' });
  });

  test('DELETE removes the tenant and its destinations; its JWT becomes 401; re-PUT re-creates', async () => {
    const id = uid('tenant');
    await admin.tenants.upsert(id, { metadata: { a: '1' } });
    const d = await admin.destinations.create(id, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/x' } });
    const { token } = await admin.tenants.getToken(id);
    // token works before deletion
    const asTenant = srv.client(token);
    assert.equal((await asTenant.tenants.get(id)).id, id);

    const del = await admin.tenants.delete(id);
    assert.equal(admin.last.status, 200);
    assert.equal(del.success, true);

    const e1 = await sdkError(admin.tenants.get(id), 404, 'GET deleted tenant');
    assert.deepEqual(e1.json, { status: 404, message: 'tenant not found' });
    const e2 = await sdkError(admin.destinations.get(id, d.id), 404, 'GET destination of deleted tenant');
    const r = await srv.raw('GET', `/tenants/${id}/destinations`);
    assert.equal(r.status, 404, show(r));
    assert.deepEqual(r.json, { status: 404, message: 'tenant not found' }, show(r));
    void e2;

    const stale = await srv.raw('GET', `/tenants/${id}`, { token });
    assert.equal(stale.status, 401, show(stale));
    assert.equal(stale.text, '', `401 body must be empty: ${show(stale)}`);

    const del2 = await srv.raw('DELETE', `/tenants/${id}`);
    assert.equal(del2.status, 404, `second DELETE: ${show(del2)}`);

    // Re-creating a deleted tenant: 201, fresh (no destinations).
    const again = await admin.tenants.upsert(id, {});
    assert.equal(admin.last.status, 201, 're-PUT of a deleted tenant must answer 201');
    assert.equal(again.destinationsCount, 0);
    assert.deepEqual(again.topics, []);
    assert.deepEqual(await admin.destinations.list(id), []);
  });

  test('tenant JWT may PUT its own (existing) tenant', async () => {
    const id = uid('tenant');
    await admin.tenants.upsert(id, { metadata: { a: '1' } });
    const { token } = await admin.tenants.getToken(id);
    const me = srv.client(token);
    const t = await me.tenants.upsert(id, { metadata: { b: '2' } });
    assert.equal(me.last.status, 200);
    assert.deepEqual(t.metadata, { b: '2' });
    const del = await me.tenants.delete(id);
    assert.equal(del.success, true, 'tenant JWT may delete its own tenant');
  });
});

describe('tenant listing', () => {
  let srv;
  let admin;
  const ids = [];
  const N = 33;
  const LIMIT = 7;

  before(async () => {
    srv = await startServer();
    admin = srv.client();
    // A burst: many tenants created concurrently, so created_at ties (same ms) are likely.
    for (let i = 0; i < N; i++) ids.push(`burst_${String(i).padStart(2, '0')}_${Math.random().toString(36).slice(2, 6)}`);
    await Promise.all(ids.map((id) => admin.tenants.upsert(id, { metadata: { i: id } })));
  });
  after(async () => { await srv?.stop(); });

  async function walk(dir) {
    const pages = [];
    let res = await admin.tenants.list({ limit: LIMIT, dir });
    pages.push(res);
    assert.equal(res.pagination.prev ?? null, null, `${dir}: prev of the first page must be null`);
    while (res.pagination.next) {
      assert.ok(pages.length <= N, 'pagination does not terminate');
      res = await admin.tenants.list({ limit: LIMIT, dir, next: res.pagination.next });
      pages.push(res);
      assert.ok(res.pagination.prev, `${dir}: page ${pages.length} must have a prev cursor`);
    }
    return pages;
  }

  for (const dir of ['desc', 'asc']) {
    test(`walks all pages forward then back (${dir}) with no duplicates and no skips`, async () => {
      const pages = await walk(dir);
      const forward = pages.flatMap((p) => p.models.map((m) => m.id));
      assert.equal(new Set(forward).size, forward.length, `duplicates in forward walk: ${forward}`);
      assert.deepEqual([...forward].sort(), [...ids].sort(), 'forward walk must return every tenant exactly once');
      assert.equal(pages.length, Math.ceil(N / LIMIT), 'page count');
      for (const p of pages.slice(0, -1)) assert.equal(p.models.length, LIMIT);
      for (const p of pages) {
        assert.equal(p.count, N, 'count must be the total number of tenants');
        assert.equal(p.pagination.limit, LIMIT);
        assert.equal(p.pagination.dir, dir);
        assert.equal(p.pagination.orderBy, 'created_at');
      }
      assert.equal(pages.at(-1).pagination.next ?? null, null, 'next of the last page must be null');
      // Order by created_at in the requested direction.
      const times = pages.flatMap((p) => p.models.map((m) => m.createdAt.getTime()));
      for (let i = 1; i < times.length; i++) {
        if (dir === 'desc') assert.ok(times[i] <= times[i - 1], `not descending at ${i}`);
        else assert.ok(times[i] >= times[i - 1], `not ascending at ${i}`);
      }

      // Now walk back from the last page with prev cursors: same pages, reversed.
      let cur = pages.at(-1);
      const back = [cur.models.map((m) => m.id)];
      while (cur.pagination.prev) {
        assert.ok(back.length <= N, 'backward pagination does not terminate');
        cur = await admin.tenants.list({ limit: LIMIT, dir, prev: cur.pagination.prev });
        back.push(cur.models.map((m) => m.id));
      }
      assert.equal(cur.pagination.prev ?? null, null, 'prev of the first page (reached backwards) must be null');
      assert.deepEqual(back.reverse(), pages.map((p) => p.models.map((m) => m.id)),
        'walking back with prev must reproduce the forward pages exactly');
    });
  }

  test('default list: limit 20, dir desc, count = total', async () => {
    const r = await srv.raw('GET', '/tenants');
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.models.length, 20, show(r));
    assert.equal(r.json.count, N);
    assert.equal(r.json.pagination.limit, 20);
    assert.equal(r.json.pagination.dir, 'desc');
    assert.equal(r.json.pagination.order_by, 'created_at');
    assert.equal(r.json.pagination.prev, null, 'prev must be present and null on the first page');
    assert.equal(typeof r.json.pagination.next, 'string');
  });

  test('id[] filter returns only those tenants (all three array syntaxes and the SDK)', async () => {
    const pick = [ids[3], ids[17], ids[30]];
    const sdk = await admin.tenants.list({ id: pick, limit: 100 });
    assert.deepEqual(sdk.models.map((m) => m.id).sort(), [...pick].sort());
    assert.equal(sdk.count, 3);
    for (const q of [
      pick.map((x) => `id[]=${x}`).join('&'),
      pick.map((x, i) => `id[${i}]=${x}`).join('&'),
      pick.map((x) => `id=${x}`).join('&'),
    ]) {
      const r = await srv.raw('GET', `/tenants?${q}`);
      assert.equal(r.status, 200, show(r));
      assert.deepEqual(r.json.models.map((m) => m.id).sort(), [...pick].sort(), show(r));
    }
    const one = await admin.tenants.list({ id: ids[5] });
    assert.deepEqual(one.models.map((m) => m.id), [ids[5]]);
    const none = await admin.tenants.list({ id: ['no_such_tenant'] });
    assert.deepEqual(none.models, []);
    assert.equal(none.count, 0);
  });

  test('limit out of range or not an integer -> 400', async () => {
    for (const limit of [0, 101, -1]) {
      const err = await sdkError(admin.tenants.list({ limit }), 400, `limit=${limit}`);
      assert.equal(err.json?.status, 400, `limit=${limit}: ${err.body}`);
    }
    for (const q of ['limit=abc', 'limit=1.5']) {
      const r = await srv.raw('GET', `/tenants?${q}`);
      assert.equal(r.status, 400, show(r));
      assert.equal(r.json?.status, 400, show(r));
    }
    for (const limit of [1, 100]) {
      const ok = await admin.tenants.list({ limit });
      assert.equal(ok.models.length, Math.min(limit, N));
    }
  });

  test('invalid dir -> 422 with query.dir in data', async () => {
    const r = await srv.raw('GET', '/tenants?dir=sideways');
    assert.equal(r.status, 422, show(r));
    assert.equal(r.json?.status, 422, show(r));
    assert.ok(r.json?.data && typeof r.json.data === 'object' && 'query.dir' in r.json.data, show(r));
  });

  test('both next and prev -> 400; garbage cursor -> 400', async () => {
    const first = await admin.tenants.list({ limit: 5 });
    const second = await admin.tenants.list({ limit: 5, next: first.pagination.next });
    const err = await sdkError(admin.tenants.list({ limit: 5, next: first.pagination.next, prev: second.pagination.prev }), 400, 'next+prev');
    assert.equal(err.json?.status, 400, err.body);
    assert.match(err.json?.message || '', /next/);
    assert.match(err.json?.message || '', /prev/);
    const bad = await srv.raw('GET', '/tenants?next=%%%not-a-cursor');
    assert.equal(bad.status, 400, show(bad));
  });

  test('tenant JWT on GET /tenants sees only itself', async () => {
    const { token } = await admin.tenants.getToken(ids[9]);
    const me = srv.client(token);
    const res = await me.tenants.list({});
    assert.deepEqual(res.models.map((m) => m.id), [ids[9]]);
    assert.equal(res.count, 1);
    const r = await srv.raw('GET', `/tenants?limit=100&id[]=${ids[10]}&id[]=${ids[9]}`, { token });
    assert.equal(r.status === 200 || r.status === 403, true, show(r));
    if (r.status === 200) {
      assert.ok(r.json.models.every((m) => m.id === ids[9]), `tenant JWT saw another tenant: ${show(r)}`);
    }
  });

  test('deleted tenants disappear from the list and from count', async () => {
    const victim = ids[0];
    await admin.tenants.delete(victim);
    const all = await admin.tenants.list({ limit: 100 });
    assert.ok(!all.models.some((m) => m.id === victim));
    assert.equal(all.count, N - 1);
    assert.equal(all.models.length, N - 1);
    await admin.tenants.upsert(victim, { metadata: { i: victim } });
  });
});
