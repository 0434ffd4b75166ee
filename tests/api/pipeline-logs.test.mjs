// Log API over events really delivered to a local receiver: every filter of
// /events and /attempts (and the destination-scoped attempts routes),
// include[], cursor pagination in both directions, and tenant isolation
// under tenant JWTs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, show, uid } from './lib/server.mjs';
import { startReceiver, waitFor } from './lib/receiver.mjs';

const BASE = Date.UTC(2025, 0, 15, 12, 0, 0); // all explicit event times are on 2025-01-15
const at = (min) => new Date(BASE + min * 60_000);
const iso = (d) => new Date(d).toISOString();

describe('pipeline: log API (events, attempts, pagination, isolation)', () => {
  let srv;
  let admin;
  let rx;
  const TA = uid('tla');
  const TB = uid('tlb');
  let dOk; let dFail; let dB;
  const E = []; // TA, topics even/odd, times at(0..9)
  const F = []; // TA, topic t.fail, not eligible for retry, times at(20..22) -> dOk + dFail
  const G = []; // TB, times at(30..32)
  let U; // TA, matches nothing, at(40)
  let allA; // TA events, newest first
  let attA; // TA attempts (admin list, default order)

  before(async () => {
    rx = await startReceiver();
    rx.on(`/${TA}/fail`, { failStatus: 500, body: 'boom' });
    srv = await startServer({ env: { RETRY_SCHEDULE: '1,1' } });
    admin = srv.client();
    await admin.tenants.upsert(TA, {});
    await admin.tenants.upsert(TB, {});
    dOk = await admin.destinations.create(TA, { type: 'webhook', topics: ['even.topic', 'odd.topic', 't.fail'], config: { url: rx.url(`/${TA}/ok`) } });
    dFail = await admin.destinations.create(TA, { type: 'webhook', topics: ['t.fail'], config: { url: rx.url(`/${TA}/fail`) } });
    dB = await admin.destinations.create(TB, { type: 'webhook', topics: ['*'], config: { url: rx.url(`/${TB}/ok`) } });
    // publish in an order different from the event times
    for (const i of [3, 0, 9, 1, 8, 2, 7, 4, 6, 5]) {
      const topic = i % 2 ? 'odd.topic' : 'even.topic';
      const r = await admin.publish({ tenantId: TA, topic, time: at(i), metadata: { i: String(i) }, data: { kind: 'E', i } });
      E[i] = { id: r.id, topic, time: at(i), i };
    }
    for (let j = 0; j < 3; j++) {
      const r = await admin.publish({ tenantId: TA, topic: 't.fail', time: at(20 + j), eligibleForRetry: false, data: { kind: 'F', j } });
      F[j] = { id: r.id, topic: 't.fail', time: at(20 + j) };
    }
    for (let k = 0; k < 3; k++) {
      const r = await admin.publish({ tenantId: TB, topic: 'even.topic', time: at(30 + k), data: { kind: 'G', k } });
      G[k] = { id: r.id, topic: 'even.topic', time: at(30 + k) };
    }
    const u = await admin.publish({ tenantId: TA, topic: 'other.topic', time: at(40), data: { kind: 'U' } });
    assert.deepEqual(u.destinationIds, []);
    U = { id: u.id, topic: 'other.topic', time: at(40) };
    allA = [U, ...[...F].reverse(), ...[...E].reverse()].map((e) => e.id);

    // wait until every delivery is in the log: TA 13 successes + 3 failures, TB 3
    await waitFor(async () => {
      const a = await srv.raw('GET', `/attempts?tenant_id=${TA}`);
      const b = await srv.raw('GET', `/attempts?tenant_id=${TB}`);
      return a.json?.models?.length === 16 && b.json?.models?.length === 3;
    }, { timeoutMs: 15000, what: 'all 19 attempts in the log' });
    attA = (await srv.raw('GET', `/attempts?tenant_id=${TA}`)).json.models;
  });
  after(async () => {
    await srv?.stop();
    await rx?.close();
  });

  const ids = (r) => r.json.models.map((m) => m.id);
  async function get(p, o) {
    const r = await srv.raw('GET', p, o);
    assert.equal(r.status, 200, show(r));
    return r;
  }

  // ---------- events ----------

  test('GET /events: shape, default order (time desc) and dir=asc', async () => {
    const r = await get(`/events?tenant_id=${TA}`);
    assert.deepEqual(ids(r), allA, 'newest event time first');
    assert.deepEqual(r.json.pagination, { order_by: 'time', dir: 'desc', limit: 100, next: null, prev: null });
    const e3 = r.json.models.find((m) => m.id === E[3].id);
    assert.deepEqual(e3, {
      id: E[3].id, tenant_id: TA, matched_destination_ids: [dOk.id], topic: 'odd.topic', time: iso(E[3].time),
      eligible_for_retry: true, metadata: { i: '3' }, data: { kind: 'E', i: 3 },
    });
    const f0 = r.json.models.find((m) => m.id === F[0].id);
    assert.deepEqual([...f0.matched_destination_ids].sort(), [dOk.id, dFail.id].sort());
    assert.equal(f0.eligible_for_retry, false);
    assert.deepEqual(r.json.models.find((m) => m.id === U.id).matched_destination_ids, []);
    const asc = await admin.events.list({ tenantId: TA, dir: 'asc' });
    assert.deepEqual(asc.models.map((m) => m.id), [...allA].reverse());
    assert.equal(asc.pagination.dir, 'asc');
  });

  test('GET /events: id[] in every array syntax', async () => {
    const want = [E[3].id, E[1].id];
    assert.deepEqual(ids(await get(`/events?id[]=${E[1].id}&id[]=${E[3].id}`)), want);
    assert.deepEqual(ids(await get(`/events?id=${E[1].id}&id=${E[3].id}`)), want);
    assert.deepEqual(ids(await get(`/events?id[1]=${E[1].id}&id[0]=${E[3].id}`)), want);
    assert.deepEqual(ids(await get(`/events?id=${G[0].id}`)), [G[0].id], 'admin sees any tenant by id');
    const sdk = await admin.events.list({ id: [E[1].id, E[3].id, 'unknown-id'] });
    assert.deepEqual(sdk.models.map((m) => m.id), want);
  });

  test('GET /events: tenant_id[], destination_id[], topic[]', async () => {
    const both = await get(`/events?tenant_id[]=${TA}&tenant_id[]=${TB}`);
    assert.deepEqual(ids(both), [U.id, G[2].id, G[1].id, G[0].id, ...allA.slice(1)]);
    assert.deepEqual(ids(await get(`/events?tenant_id=${TB}`)), [G[2].id, G[1].id, G[0].id]);

    assert.deepEqual(ids(await get(`/events?destination_id=${dFail.id}`)), [F[2].id, F[1].id, F[0].id]);
    assert.deepEqual(ids(await get(`/events?destination_id[]=${dFail.id}&destination_id[]=${dB.id}`)),
      [G[2].id, G[1].id, G[0].id, F[2].id, F[1].id, F[0].id]);
    assert.deepEqual(ids(await get(`/events?destination_id=${dOk.id}`)), allA.filter((id) => id !== U.id));

    const odd = await admin.events.list({ tenantId: TA, topic: 'odd.topic' });
    assert.deepEqual(odd.models.map((m) => m.id), [9, 7, 5, 3, 1].map((i) => E[i].id));
    const two = await get(`/events?tenant_id=${TA}&topic[]=odd.topic&topic[]=t.fail`);
    assert.deepEqual(ids(two), [F[2].id, F[1].id, F[0].id, ...[9, 7, 5, 3, 1].map((i) => E[i].id)]);
    const combined = await get(`/events?tenant_id[]=${TA}&tenant_id[]=${TB}&topic=even.topic&destination_id=${dOk.id}`);
    assert.deepEqual(ids(combined), [8, 6, 4, 2, 0].map((i) => E[i].id), 'filters combine with AND');
  });

  test('GET /events: time[gte|lte|gt|lt], RFC3339 and YYYY-MM-DD', async () => {
    const q = (s) => get(`/events?tenant_id=${TA}&topic[]=even.topic&topic[]=odd.topic&${s}`);
    const t3 = iso(E[3].time); const t6 = iso(E[6].time);
    assert.deepEqual(ids(await q(`time[gte]=${t3}&time[lte]=${t6}`)), [6, 5, 4, 3].map((i) => E[i].id), 'gte/lte inclusive');
    assert.deepEqual(ids(await q(`time[gt]=${t3}&time[lt]=${t6}`)), [5, 4].map((i) => E[i].id), 'gt/lt exclusive');
    assert.deepEqual(ids(await q(`time[gte]=${t6.replace('.000Z', 'Z')}`)), [9, 8, 7, 6].map((i) => E[i].id), 'RFC3339 without fraction');
    assert.deepEqual(ids(await q(`time[lt]=${encodeURIComponent('2025-01-15T12:02:00+00:00')}`)), [1, 0].map((i) => E[i].id), 'RFC3339 with offset');
    assert.deepEqual(ids(await q('time[gte]=2025-01-15')).length, 10, 'YYYY-MM-DD');
    // finer than the stored millisecond: t6 + 0.5 ms lies between E[6] and the next millisecond
    const t6half = t6.replace(/\.(\d{3})Z$/, '.$1500Z');
    assert.deepEqual(ids(await q(`time[lt]=${t6half}`))[0], E[6].id, 'lt a sub-millisecond time keeps the millisecond below it');
    assert.equal(ids(await q(`time[gte]=${t6half}`)).includes(E[6].id), false, 'gte a sub-millisecond time excludes it');
    assert.deepEqual(ids(await q(`time[lte]=${t6half}`))[0], E[6].id);
    assert.equal(ids(await q(`time[gt]=${t6half}`)).includes(E[6].id), false);
    assert.deepEqual(ids(await q(`time[lt]=${t6.replace(/Z$/, '000Z')}`))[0], E[5].id, 'trailing zeros are the same instant');
    assert.deepEqual(ids(await q('time[lt]=2025-01-15')), []);
    assert.deepEqual(ids(await q('time[gte]=2025-01-16')), []);
    const sdk = await admin.events.list({ tenantId: TA, time: { gte: E[8].time } });
    assert.deepEqual(sdk.models.map((m) => m.id), [U.id, F[2].id, F[1].id, F[0].id, E[9].id, E[8].id]);
  });

  test('GET /events: bad queries', async () => {
    const dir = await srv.raw('GET', '/events?dir=sideways');
    assert.equal(dir.status, 422, show(dir));
    const both = await srv.raw('GET', '/events?next=abc&prev=def');
    assert.equal(both.status, 400, show(both));
    const anyOp = await srv.raw('GET', '/events?time[any]=2025-01-01');
    assert.equal(anyOp.status, 400, show(anyOp));
    const badTime = await srv.raw('GET', '/events?time[gte]=yesterday');
    assert.equal(badTime.status, 422, show(badTime));
    const badCursor = await srv.raw('GET', '/events?next=%21%21not-a-cursor');
    assert.equal(badCursor.status, 400, show(badCursor));
    const orderBy = await srv.raw('GET', '/events?order_by=topic');
    assert.equal(orderBy.status, 422, show(orderBy));
    const aDir = await srv.raw('GET', '/attempts?dir=up');
    assert.equal(aDir.status, 422, show(aDir));
    const aBoth = await srv.raw('GET', '/attempts?next=abc&prev=def');
    assert.equal(aBoth.status, 400, show(aBoth));
    const aTime = await srv.raw('GET', '/attempts?time[gte]=not-a-time');
    assert.equal(aTime.status, 422, show(aTime));
    const big = await get(`/events?tenant_id=${TA}&limit=5000`);
    assert.equal(big.json.pagination.limit, 1000, 'limit over 1000 is capped');
    const junk = await get(`/events?tenant_id=${TA}&limit=abc`);
    assert.equal(junk.json.pagination.limit, 100, 'junk limit -> default');
  });

  test('GET /events/{id}', async () => {
    const list = await get(`/events?id=${E[4].id}`);
    const one = await get(`/events/${E[4].id}`);
    assert.deepEqual(one.json, list.json.models[0], 'the same body as in the list');
    const sdk = await admin.events.get(E[4].id);
    assert.equal(sdk.id, E[4].id);
    assert.deepEqual(sdk.data, { kind: 'E', i: 4 });
    assert.equal((await srv.raw('GET', `/events/${E[4].id}?tenant_id=${TA}`)).status, 200);
    const wrongTenant = await srv.raw('GET', `/events/${E[4].id}?tenant_id=${TB}`);
    assert.equal(wrongTenant.status, 404, show(wrongTenant));
    const missing = await srv.raw('GET', '/events/no-such-event');
    assert.equal(missing.status, 404, show(missing));
  });

  // ---------- pagination ----------

  /** Walk a list with `limit` forward (next) to the end, then backward (prev) to the start. */
  async function walk(basePath, limit, dir) {
    const sep = basePath.includes('?') ? '&' : '?';
    const pages = [];
    let r = await get(`${basePath}${sep}limit=${limit}&dir=${dir}`);
    assert.equal(r.json.pagination.prev, null, `first page has no prev: ${show(r)}`);
    pages.push(r.json);
    let guard = 0;
    while (r.json.pagination.next) {
      assert.ok(++guard < 50, 'pagination does not terminate');
      r = await get(`${basePath}${sep}limit=${limit}&dir=${dir}&next=${encodeURIComponent(r.json.pagination.next)}`);
      assert.notEqual(r.json.pagination.prev, null, `a later page has a prev cursor: ${show(r)}`);
      pages.push(r.json);
    }
    const back = [r.json];
    guard = 0;
    while (r.json.pagination.prev) {
      assert.ok(++guard < 50, 'backward pagination does not terminate');
      r = await get(`${basePath}${sep}limit=${limit}&dir=${dir}&prev=${encodeURIComponent(r.json.pagination.prev)}`);
      back.unshift(r.json);
    }
    for (const p of pages) {
      assert.equal(p.pagination.limit, limit);
      assert.equal(p.pagination.dir, dir);
      assert.equal(p.pagination.order_by, 'time');
    }
    return { pages, back };
  }

  for (const dir of ['desc', 'asc']) {
    test(`events pagination both ways, dir=${dir}`, async () => {
      const { pages, back } = await walk(`/events?tenant_id=${TA}`, 4, dir);
      const want = dir === 'desc' ? allA : [...allA].reverse();
      assert.deepEqual(pages.map((p) => p.models.length), [4, 4, 4, 2]);
      assert.deepEqual(pages.flatMap((p) => p.models.map((m) => m.id)), want, 'forward pages cover the list once, in order');
      assert.equal(pages.at(-1).pagination.next, null, 'last page has no next');
      assert.deepEqual(back.map((p) => p.models.map((m) => m.id)), pages.map((p) => p.models.map((m) => m.id)),
        'walking back with prev returns the same pages');
      assert.equal(back[0].pagination.prev, null, 'back at the first page: no prev');
      // the SDK follows the same cursors
      const p1 = await admin.events.list({ tenantId: TA, limit: 4, dir });
      const p2 = await admin.events.list({ tenantId: TA, limit: 4, dir, next: p1.pagination.next });
      assert.deepEqual(p2.models.map((m) => m.id), want.slice(4, 8));
      const p1b = await admin.events.list({ tenantId: TA, limit: 4, dir, prev: p2.pagination.prev });
      assert.deepEqual(p1b.models.map((m) => m.id), want.slice(0, 4));
    });
  }

  test('events pagination with a filter keeps the filter across pages', async () => {
    const { pages, back } = await walk(`/events?tenant_id=${TA}&topic=even.topic`, 2, 'desc');
    assert.deepEqual(pages.flatMap((p) => p.models.map((m) => m.id)), [8, 6, 4, 2, 0].map((i) => E[i].id));
    assert.equal(back.length, pages.length);
  });

  test('events pagination with identical times: ties are broken stably, both ways', async () => {
    const TC = uid('tlc');
    const same = at(50);
    const tied = [];
    for (let i = 0; i < 7; i++) tied.push((await admin.publish({ tenantId: TC, topic: 'tie', time: same, data: { i } })).id);
    for (const dir of ['desc', 'asc']) {
      const full = ids(await get(`/events?tenant_id=${TC}&dir=${dir}`));
      assert.deepEqual([...full].sort(), [...tied].sort());
      const { pages, back } = await walk(`/events?tenant_id=${TC}`, 3, dir);
      assert.deepEqual(pages.map((p) => p.models.length), [3, 3, 1], dir);
      assert.deepEqual(pages.flatMap((p) => p.models.map((m) => m.id)), full, `${dir}: pages = the unpaginated list, no skips or repeats`);
      assert.deepEqual(back.map((p) => p.models.map((m) => m.id)), pages.map((p) => p.models.map((m) => m.id)), `${dir}: backward`);
    }
  });

  // ---------- attempts ----------

  test('GET /attempts: filters by tenant, event, destination, type, status, topic', async () => {
    assert.equal(attA.length, 16);
    for (const a of attA) {
      assert.equal(a.tenant_id, TA);
      assert.equal(a.destination_type, 'webhook');
      assert.equal(a.attempt_number, 1);
      assert.equal(a.manual, false);
      assert.ok(!('event' in a) && !('response_data' in a) && !('destination' in a), `no includes by default: ${JSON.stringify(a)}`);
    }
    const times = attA.map((a) => Date.parse(a.time));
    assert.deepEqual(times, [...times].sort((x, y) => y - x), 'default order: time desc');

    const failed = await get(`/attempts?tenant_id=${TA}&status=failed`);
    assert.deepEqual(failed.json.models.map((a) => [a.destination_id, a.code]).sort(), [[dFail.id, '500'], [dFail.id, '500'], [dFail.id, '500']]);
    assert.deepEqual(failed.json.models.map((a) => a.event_id).sort(), F.map((f) => f.id).sort());
    const ok = await get(`/attempts?tenant_id=${TA}&status=success`);
    assert.equal(ok.json.models.length, 13);
    assert.ok(ok.json.models.every((a) => a.destination_id === dOk.id && a.code === '200'));

    const byEvent = await admin.attempts.list({ eventId: [F[0].id, F[1].id] });
    assert.deepEqual(byEvent.models.map((a) => `${a.eventId}/${a.destinationId}`).sort(),
      [F[0].id, F[1].id].flatMap((e) => [`${e}/${dOk.id}`, `${e}/${dFail.id}`]).sort());
    assert.equal((await get(`/attempts?destination_id=${dFail.id}`)).json.models.length, 3);
    assert.equal((await get(`/attempts?destination_id[]=${dFail.id}&destination_id[]=${dB.id}`)).json.models.length, 6);
    assert.equal((await get(`/attempts?tenant_id=${TA}&destination_type=webhook`)).json.models.length, 16);
    assert.equal((await get(`/attempts?tenant_id=${TA}&destination_type[]=aws_sqs&destination_type[]=rabbitmq`)).json.models.length, 0);
    const fail = await get(`/attempts?tenant_id=${TA}&topic=t.fail`);
    assert.equal(fail.json.models.length, 6);
    assert.ok(fail.json.models.every((a) => F.some((f) => f.id === a.event_id)));
    assert.equal((await get(`/attempts?topic[]=t.fail&topic[]=even.topic`)).json.models.length, 6 + 5 + 3);
    const both = await get(`/attempts?tenant_id[]=${TA}&tenant_id[]=${TB}`);
    assert.equal(both.json.models.length, 19);
    const sdkFailed = await admin.attempts.list({ tenantId: TA, status: 'failed', destinationId: dFail.id, topic: 't.fail' });
    assert.equal(sdkFailed.models.length, 3);
  });

  test('GET /attempts: time[...] filters use the attempt time', async () => {
    const sorted = [...attA].sort((x, y) => Date.parse(x.time) - Date.parse(y.time));
    const mid = sorted[8].time;
    const m = Date.parse(mid);
    const expect = (pred) => attA.filter((a) => pred(Date.parse(a.time))).map((a) => a.id).sort();
    const q = async (s) => (await get(`/attempts?tenant_id=${TA}&${s}`)).json.models.map((a) => a.id).sort();
    assert.deepEqual(await q(`time[gte]=${mid}`), expect((t) => t >= m), `time[gte]=${mid}`);
    assert.deepEqual(await q(`time[gt]=${mid}`), expect((t) => t > m), `time[gt]=${mid}`);
    assert.deepEqual(await q(`time[lt]=${mid}`), expect((t) => t < m), `time[lt]=${mid}`);
    assert.deepEqual(await q(`time[lte]=${mid}`), expect((t) => t <= m), `time[lte]=${mid} must include attempts shown with that exact time`);
    assert.deepEqual(await q('time[lt]=2025-01-16'), [], 'attempt time is the delivery time, not the event time');
  });

  test('GET /attempts: include[] = event, event.data, response_data, destination', async () => {
    const base = `/attempts?tenant_id=${TA}&event_id=${F[1].id}&destination_id=${dFail.id}`;
    const ev = (await get(`${base}&include=event`)).json.models[0];
    const { destination_id: _ignored, ...summaryRest } = ev.event;
    assert.deepEqual(summaryRest, {
      id: F[1].id, tenant_id: TA, topic: 't.fail', time: iso(F[1].time), eligible_for_retry: false, metadata: {},
    }, `include=event: summary without data: ${JSON.stringify(ev.event)}`);
    assert.ok(!('response_data' in ev) && !('destination' in ev));
    const evd = (await get(`${base}&include[]=event.data`)).json.models[0];
    assert.deepEqual(evd.event.data, { kind: 'F', j: 1 }, 'include=event.data adds data');
    assert.equal(evd.event.id, F[1].id);
    const rd = (await get(`${base}&include[]=response_data`)).json.models[0];
    assert.deepEqual(rd.response_data, { status: 500, body: 'boom' });
    assert.ok(!('event' in rd));
    const all = (await get(`${base}&include[]=event.data&include[]=response_data&include[]=destination`)).json.models[0];
    assert.equal(all.destination.id, dFail.id);
    assert.equal(all.destination.type, 'webhook');
    assert.equal(all.destination.config.url, rx.url(`/${TA}/fail`));
    assert.deepEqual(all.response_data, { status: 500, body: 'boom' });
    assert.deepEqual(all.event.data, { kind: 'F', j: 1 });
    const sdk = await admin.attempts.list({ eventId: F[1].id, destinationId: dFail.id, include: ['event.data', 'response_data'] });
    assert.deepEqual(sdk.models[0].event?.data, { kind: 'F', j: 1 });
    assert.deepEqual(sdk.models[0].responseData, { status: 500, body: 'boom' });
  });

  test('include=event: the summary names the destination of the attempt (spec EventSummary.destination_id)', async () => {
    const r = await get(`/attempts?event_id=${F[2].id}&include=event`);
    assert.equal(r.json.models.length, 2);
    for (const a of r.json.models) {
      assert.equal(a.event?.destination_id, a.destination_id, `event.destination_id of attempt ${a.id}: ${JSON.stringify(a.event)}`);
    }
  });

  test('GET /attempts/{id}', async () => {
    const a = attA.find((x) => x.destination_id === dFail.id);
    const one = await get(`/attempts/${a.id}`);
    assert.deepEqual(one.json, a);
    const inc = await get(`/attempts/${a.id}?include[]=response_data&include[]=event`);
    assert.deepEqual(inc.json.response_data, { status: 500, body: 'boom' });
    assert.equal(inc.json.event.id, a.event_id);
    const sdk = await admin.attempts.get(a.id, TA, ['response_data']);
    assert.equal(sdk.id, a.id);
    assert.deepEqual(sdk.responseData, { status: 500, body: 'boom' });
    assert.equal((await srv.raw('GET', `/attempts/${a.id}?tenant_id=${TB}`)).status, 404);
    assert.equal((await srv.raw('GET', '/attempts/no-such-attempt')).status, 404);
  });

  test('destination-scoped attempts: list, filters, get, wrong destination/tenant', async () => {
    const l = await get(`/tenants/${TA}/destinations/${dFail.id}/attempts`);
    assert.deepEqual(l.json.models.map((a) => a.id).sort(), attA.filter((a) => a.destination_id === dFail.id).map((a) => a.id).sort());
    assert.ok(l.json.pagination, 'paginated');
    const sdk = await admin.destinations.listAttempts({ tenantId: TA, destinationId: dOk.id, eventId: [E[0].id, E[1].id, F[0].id] });
    assert.deepEqual(sdk.models.map((a) => a.eventId).sort(), [E[0].id, E[1].id, F[0].id].sort());
    assert.equal((await get(`/tenants/${TA}/destinations/${dOk.id}/attempts?status=failed`)).json.models.length, 0);
    assert.equal((await get(`/tenants/${TA}/destinations/${dOk.id}/attempts?topic=odd.topic`)).json.models.length, 5);
    assert.equal((await get(`/tenants/${TA}/destinations/${dOk.id}/attempts?time[lt]=2025-01-16`)).json.models.length, 0);
    const withEvent = await get(`/tenants/${TA}/destinations/${dOk.id}/attempts?event_id=${E[2].id}&include=event.data`);
    assert.deepEqual(withEvent.json.models[0].event.data, { kind: 'E', i: 2 });
    const { pages, back } = await walk(`/tenants/${TA}/destinations/${dOk.id}/attempts`, 5, 'asc');
    assert.deepEqual(pages.map((p) => p.models.length), [5, 5, 3]);
    assert.equal(new Set(pages.flatMap((p) => p.models.map((m) => m.id))).size, 13);
    assert.deepEqual(back.map((p) => p.models.map((m) => m.id)), pages.map((p) => p.models.map((m) => m.id)));

    const failA = attA.find((x) => x.destination_id === dFail.id);
    const okA = attA.find((x) => x.destination_id === dOk.id);
    const one = await get(`/tenants/${TA}/destinations/${dFail.id}/attempts/${failA.id}?include[]=response_data`);
    assert.equal(one.json.id, failA.id);
    assert.deepEqual(one.json.response_data, { status: 500, body: 'boom' });
    const sdkOne = await admin.destinations.getAttempt(TA, dOk.id, okA.id);
    assert.equal(sdkOne.id, okA.id);
    const wrongDest = await srv.raw('GET', `/tenants/${TA}/destinations/${dFail.id}/attempts/${okA.id}`);
    assert.equal(wrongDest.status, 404, `attempt of another destination: ${show(wrongDest)}`);
    const wrongTenant = await srv.raw('GET', `/tenants/${TA}/destinations/${dB.id}/attempts`);
    assert.equal(wrongTenant.status, 404, `destination of another tenant: ${show(wrongTenant)}`);
  });

  for (const dir of ['desc', 'asc']) {
    test(`attempts pagination both ways, dir=${dir}`, async () => {
      const full = (await get(`/attempts?tenant_id=${TA}&dir=${dir}`)).json.models.map((a) => a.id);
      const { pages, back } = await walk(`/attempts?tenant_id=${TA}`, 5, dir);
      assert.deepEqual(pages.map((p) => p.models.length), [5, 5, 5, 1]);
      assert.deepEqual(pages.flatMap((p) => p.models.map((m) => m.id)), full, 'pages = the unpaginated list');
      assert.deepEqual(back.map((p) => p.models.map((m) => m.id)), pages.map((p) => p.models.map((m) => m.id)));
      const times = pages.flatMap((p) => p.models.map((m) => Date.parse(m.time)));
      const sorted = [...times].sort((x, y) => (dir === 'asc' ? x - y : y - x));
      assert.deepEqual(times, sorted, `ordered by time ${dir}`);
    });
  }

  // ---------- tenant isolation ----------

  test('tenant JWT sees only its own events and attempts', async () => {
    const tok = await srv.token(TA);
    const jwt = srv.client(tok);
    const ev = await jwt.events.list({});
    assert.deepEqual(ev.models.map((m) => m.id), allA, 'only TA events');
    const own = await get(`/events?tenant_id=${TA}`, { token: tok });
    assert.deepEqual(ids(own), allA);
    const byId = await get(`/events?id[]=${G[0].id}&id[]=${E[0].id}`, { token: tok });
    assert.deepEqual(ids(byId), [E[0].id], "another tenant's event id is filtered out");
    const byDest = await get(`/events?destination_id=${dB.id}`, { token: tok });
    assert.deepEqual(ids(byDest), [], "another tenant's destination yields nothing");
    const foreign = await srv.raw('GET', `/events?tenant_id=${TB}`, { token: tok });
    assert.equal(foreign.status, 403, show(foreign));
    const mixed = await srv.raw('GET', `/events?tenant_id[]=${TA}&tenant_id[]=${TB}`, { token: tok });
    assert.equal(mixed.status, 403, show(mixed));
    assert.equal((await srv.raw('GET', `/events/${E[0].id}`, { token: tok })).status, 200);
    const otherEvent = await srv.raw('GET', `/events/${G[0].id}`, { token: tok });
    assert.equal(otherEvent.status, 404, show(otherEvent));

    const at1 = await jwt.attempts.list({});
    assert.equal(at1.models.length, 16);
    assert.ok(at1.models.every((a) => a.tenantId === TA));
    const atForeign = await srv.raw('GET', `/attempts?tenant_id=${TB}`, { token: tok });
    assert.equal(atForeign.status, 403, show(atForeign));
    const atByEvent = await get(`/attempts?event_id=${G[0].id}`, { token: tok });
    assert.deepEqual(atByEvent.json.models, []);
    const bAttempt = (await get(`/attempts?tenant_id=${TB}`)).json.models[0];
    const atOther = await srv.raw('GET', `/attempts/${bAttempt.id}`, { token: tok });
    assert.equal(atOther.status, 404, show(atOther));
    const aAttempt = attA[0];
    assert.equal((await srv.raw('GET', `/attempts/${aAttempt.id}`, { token: tok })).status, 200);
    const dst = await srv.raw('GET', `/tenants/${TB}/destinations/${dB.id}/attempts`, { token: tok });
    assert.equal(dst.status, 403, show(dst));
    const dstOne = await srv.raw('GET', `/tenants/${TB}/destinations/${dB.id}/attempts/${bAttempt.id}`, { token: tok });
    assert.equal(dstOne.status, 403, show(dstOne));
    assert.equal((await get(`/tenants/${TA}/destinations/${dFail.id}/attempts`, { token: tok })).json.models.length, 3);

    const pub = await srv.raw('POST', '/publish', { token: tok, body: { tenant_id: TA, topic: 'even.topic', data: {} } });
    assert.equal(pub.status, 403, `publish is admin-only: ${show(pub)}`);

    // and the other way round
    const tokB = await srv.token(TB);
    const evB = await get('/events', { token: tokB });
    assert.deepEqual(ids(evB), [G[2].id, G[1].id, G[0].id]);
    const atB = await get('/attempts?include[]=event.data', { token: tokB });
    assert.equal(atB.json.models.length, 3);
    assert.ok(atB.json.models.every((a) => a.tenant_id === TB && a.event.data.kind === 'G'));
  });
});

describe('pipeline: the log API shows data exactly as published', () => {
  let srv;
  let rx;
  before(async () => {
    rx = await startReceiver();
    srv = await startServer();
  });
  after(async () => {
    await srv?.stop();
    await rx?.close();
  });

  test('numbers keep their spelling (0.1, 1.50, 1e2, 64-bit+ integers), strings their escapes, in events and attempts', async () => {
    const T = uid('tlv');
    await srv.client().tenants.upsert(T, {});
    const d = await srv.client().destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(`/${T}/h`) } });
    // as a publisher might send it: spacing, number spellings JSON.stringify would change, escapes
    const data = '{ "a": 0.1, "b": 1.50, "c": 1e2, "big": 12345678901234567890, "neg": -0.0,\n'
      + '  "s": "caf\\u00e9 \\"q\\" \\u0000", "arr": [1, 2.0, {"x": null}], "placeholder-like": "\\u001fhookpost-verbatim-00-0" }';
    const id = uid('ev');
    const body = `{"tenant_id":"${T}","id":"${id}","topic":"t","data":${data}}`;
    const pub = await srv.raw('POST', '/publish', { rawBody: body });
    assert.equal(pub.status, 202, show(pub));
    const [rec] = await rx.waitCount(`/${T}/h`, 1);
    assert.equal(rec.text, data, 'delivered byte-exact');

    const one = await srv.raw('GET', `/events/${id}`);
    assert.equal(one.status, 200, show(one));
    assert.ok(one.text.includes(`"data":${data}`), `GET /events/{id} shows the published text: ${one.text}`);
    assert.equal(one.json.data.s, 'café "q" \u0000');
    assert.equal(one.json.data['placeholder-like'], '\u001fhookpost-verbatim-00-0', 'a look-alike string stays a string');
    const list = await srv.raw('GET', `/events?tenant_id=${T}`);
    assert.ok(list.text.includes(`"data":${data}`), `GET /events shows the published text: ${list.text}`);
    assert.equal(list.json.models.length, 1);

    const att = await waitFor(async () => {
      const r = await srv.raw('GET', `/attempts?tenant_id=${T}&include=event.data`);
      return r.json?.models?.length === 1 ? r : null;
    }, { what: 'the attempt' });
    assert.ok(att.text.includes(`"data":${data}`), `attempts include=event.data shows the published text: ${att.text}`);
    // and the official SDK reads it as JSON
    const ev = await srv.client().events.get(id);
    assert.equal(ev.data.a, 0.1);
    assert.deepEqual(ev.data.arr, [1, 2, { x: null }]);
    assert.equal(d.id.length > 0, true);
  });
});
