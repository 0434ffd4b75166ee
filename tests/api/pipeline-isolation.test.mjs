// One tenant's slow receiver must not hold up another tenant's deliveries:
// with two delivery workers of one transfer slot each, a worker busy with a
// 4 s receiver gets no new hand-overs (and an idle worker takes any that
// were queued on it), so the other tenant's events go out at once. And a
// backlog for a slow receiver takes at most DELIVERY_MAX_PER_DESTINATION
// slots: the rest of its tasks wait for one of its own transfers to end.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uid } from './lib/server.mjs';
import { startReceiver, waitFor } from './lib/receiver.mjs';

let srv;
let rx;
const cleanups = [];
after(async () => {
  await srv?.stop();
  await rx?.close();
  for (const c of cleanups) await c();
});

test('a slow tenant does not delay another tenant\'s deliveries', { timeout: 60_000 }, async () => {
  rx = await startReceiver();
  srv = await startServer({ env: { DELIVERY_THREADS: '2', DELIVERY_MAX_CONCURRENCY: '2', DELIVERY_TIMEOUT_SECONDS: '10' } });
  const admin = srv.client();
  const slowT = uid('slow');
  const fastT = uid('fast');
  for (const T of [slowT, fastT]) await admin.tenants.upsert(T, {});
  rx.on(`/${slowT}/h`, { status: 200, delayMs: 4000 });
  rx.on(`/${fastT}/h`, { status: 200 });
  await admin.destinations.create(slowT, { type: 'webhook', topics: ['*'], config: { url: rx.url(`/${slowT}/h`) } });
  await admin.destinations.create(fastT, { type: 'webhook', topics: ['*'], config: { url: rx.url(`/${fastT}/h`) } });

  await admin.publish({ tenantId: slowT, topic: 'x', data: { slow: true } });
  await waitFor(() => rx.at(`/${slowT}/h`).length === 1, { what: 'the slow delivery under way' });
  const latencies = [];
  for (let i = 0; i < 6; i++) {
    const sent = Date.now();
    await admin.publish({ tenantId: fastT, topic: 'x', data: { i } });
    await waitFor(() => rx.at(`/${fastT}/h`).length === i + 1, { timeoutMs: 15_000, what: `fast delivery ${i}` });
    latencies.push(Date.now() - sent);
  }
  assert.ok(latencies.every((ms) => ms < 1500), `fast tenant latencies (ms): ${latencies.join(', ')}`);
});

// Hand-overs (the default) and tasks claimed from the store (hand-over off)
// wait for their destination's slots the same way.
for (const [how, handoff] of [['handed over', '16384'], ['claimed from the store', '0']]) {
  test(`a backlog for a slow receiver takes at most its share of the slots (${how})`, { timeout: 60_000 }, async () => {
    const rx2 = await startReceiver();
    const srv2 = await startServer({
      env: {
        DELIVERY_THREADS: '2', DELIVERY_MAX_CONCURRENCY: '6', DELIVERY_MAX_PER_DESTINATION: '2',
        DELIVERY_TIMEOUT_SECONDS: '10', DELIVERY_HANDOFF_TASKS: handoff,
      },
    });
    cleanups.push(() => srv2.stop(), () => rx2.close());
    const admin = srv2.client();
    const slowT = uid('backlog');
    const fastT = uid('other');
    for (const T of [slowT, fastT]) await admin.tenants.upsert(T, {});
    const slowPath = `/${slowT}/h`;
    const fastPath = `/${fastT}/h`;
    const delayMs = 1000;
    rx2.on(slowPath, { status: 200, delayMs });
    rx2.on(fastPath, { status: 200 });
    await admin.destinations.create(slowT, { type: 'webhook', topics: ['*'], config: { url: rx2.url(slowPath) } });
    await admin.destinations.create(fastT, { type: 'webhook', topics: ['*'], config: { url: rx2.url(fastPath) } });

    const backlog = [];
    for (let i = 0; i < 10; i++) backlog.push((await admin.publish({ tenantId: slowT, topic: 'x', data: { i } })).id);
    await waitFor(() => rx2.at(slowPath).length >= 2, { what: 'the backlog under way' });
    const latencies = [];
    for (let i = 0; i < 5; i++) {
      const sent = Date.now();
      await admin.publish({ tenantId: fastT, topic: 'x', data: { i } });
      await waitFor(() => rx2.at(fastPath).length === i + 1, { timeoutMs: 15_000, what: `other delivery ${i}` });
      latencies.push(Date.now() - sent);
    }
    // without the cap the backlog held all six slots for a second at a time
    assert.ok(latencies.every((ms) => ms < 800), `other tenant latencies (ms): ${latencies.join(', ')}`);

    // every backlog event arrives once, never more than two at a time
    const got = await rx2.waitCount(slowPath, backlog.length, { timeoutMs: 20_000 });
    const ids = got.map((r) => r.headers['x-outpost-event-id']);
    assert.deepEqual([...new Set(ids)].sort(), [...backlog].sort(), 'each backlog event delivered');
    assert.equal(ids.length, backlog.length, 'no backlog event delivered twice');
    const arrivals = got.map((r) => r.receivedAt).sort((a, b) => a - b);
    for (let k = 2; k < arrivals.length; k++) {
      assert.ok(arrivals[k] - arrivals[k - 2] >= delayMs - 100,
        `three deliveries to the slow receiver overlapped: ${arrivals.map((t) => t - arrivals[0]).join(', ')} ms`);
    }
    // and each was logged as its event's first and only attempt
    const attempts = await waitFor(async () => {
      const r = await srv2.raw('GET', `/attempts?tenant_id=${slowT}&limit=100`);
      return r.json?.models?.length === backlog.length ? r.json.models : null;
    }, { what: 'the backlog attempts logged' });
    for (const a of attempts) assert.equal(a.attempt_number, 1, JSON.stringify(a));
    assert.deepEqual(attempts.map((a) => a.event_id).sort(), [...backlog].sort());
  });
}

// A receiver that was fast and turns slow is capped as soon as it sits at
// the cap with no transfer ending, before its average duration shows it.
test('a receiver that turns slow is capped before its average shows it', { timeout: 60_000 }, async () => {
  const rx3 = await startReceiver();
  const srv3 = await startServer({
    env: { DELIVERY_THREADS: '2', DELIVERY_MAX_CONCURRENCY: '6', DELIVERY_MAX_PER_DESTINATION: '2', DELIVERY_TIMEOUT_SECONDS: '10' },
  });
  cleanups.push(() => srv3.stop(), () => rx3.close());
  const admin = srv3.client();
  const turnT = uid('turns');
  const otherT = uid('other');
  for (const T of [turnT, otherT]) await admin.tenants.upsert(T, {});
  const turnPath = `/${turnT}/h`;
  const otherPath = `/${otherT}/h`;
  const fastFirst = 10;
  const delayMs = 2000;
  rx3.on(turnPath, { status: 200, respond: (rec, n) => (n > fastFirst ? { delayMs } : {}) });
  rx3.on(otherPath, { status: 200 });
  await admin.destinations.create(turnT, { type: 'webhook', topics: ['*'], config: { url: rx3.url(turnPath) } });
  await admin.destinations.create(otherT, { type: 'webhook', topics: ['*'], config: { url: rx3.url(otherPath) } });

  // fast answers first: its average drops well below the slow mark
  for (let i = 0; i < fastFirst; i++) await admin.publish({ tenantId: turnT, topic: 'x', data: { i } });
  await rx3.waitCount(turnPath, fastFirst);
  await new Promise((r) => setTimeout(r, 400));

  // now it answers in 2 s, and a burst arrives
  const burst = 8;
  for (let i = 0; i < burst; i++) await admin.publish({ tenantId: turnT, topic: 'x', data: { slow: i } });
  await waitFor(() => rx3.at(turnPath).length >= fastFirst + 2, { what: 'the slow answers under way' });
  const latencies = [];
  for (let i = 0; i < 3; i++) {
    const sent = Date.now();
    await admin.publish({ tenantId: otherT, topic: 'x', data: { i } });
    await waitFor(() => rx3.at(otherPath).length === i + 1, { timeoutMs: 15_000, what: `other delivery ${i}` });
    latencies.push(Date.now() - sent);
  }
  assert.ok(latencies.every((ms) => ms < 800), `other tenant latencies (ms): ${latencies.join(', ')}`);
  const got = await rx3.waitCount(turnPath, fastFirst + burst, { timeoutMs: 30_000 });
  const arrivals = got.slice(fastFirst).map((r) => r.receivedAt).sort((a, b) => a - b);
  for (let k = 2; k < arrivals.length; k++) {
    assert.ok(arrivals[k] - arrivals[k - 2] >= delayMs - 200,
      `three slow answers overlapped: ${arrivals.map((t) => t - arrivals[0]).join(', ')} ms`);
  }
});
