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

const cleanups = [];
after(async () => {
  for (const c of cleanups) await c();
});

// A server with two tenants, "slow" and "other", each with one webhook
// destination to its own path on a fresh receiver; slowBehaviour is the
// slow path's receiver behaviour.
async function twoTenants(env, slowBehaviour) {
  const rx = await startReceiver();
  const srv = await startServer({ env: { DELIVERY_THREADS: '2', DELIVERY_TIMEOUT_SECONDS: '10', ...env } });
  cleanups.push(() => srv.stop(), () => rx.close());
  const admin = srv.client();
  const slowT = uid('slow');
  const otherT = uid('other');
  const slowPath = `/${slowT}/h`;
  const otherPath = `/${otherT}/h`;
  rx.on(slowPath, { status: 200, ...slowBehaviour });
  rx.on(otherPath, { status: 200 });
  for (const [T, p] of [[slowT, slowPath], [otherT, otherPath]]) {
    await admin.tenants.upsert(T, {});
    await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(p) } });
  }
  return { rx, srv, admin, slowT, otherT, slowPath, otherPath };
}

// Publishes n events for the other tenant one at a time and asserts each
// reached its receiver within limitMs.
async function assertOtherTenantUnhindered(t, n, limitMs) {
  const latencies = [];
  for (let i = 0; i < n; i++) {
    const sent = Date.now();
    await t.admin.publish({ tenantId: t.otherT, topic: 'x', data: { i } });
    await waitFor(() => t.rx.at(t.otherPath).length === i + 1, { timeoutMs: 15_000, what: `other delivery ${i}` });
    latencies.push(Date.now() - sent);
  }
  assert.ok(latencies.every((ms) => ms < limitMs), `other tenant latencies (ms): ${latencies.join(', ')}`);
}

// Asserts no three of these requests were at the receiver at once (each is
// answered after delayMs).
function assertAtMostTwoAtOnce(requests, delayMs) {
  const arrivals = requests.map((r) => r.receivedAt).sort((a, b) => a - b);
  for (let k = 2; k < arrivals.length; k++) {
    assert.ok(arrivals[k] - arrivals[k - 2] >= delayMs - 200,
      `three deliveries to the slow receiver overlapped: ${arrivals.map((ms) => ms - arrivals[0]).join(', ')} ms`);
  }
}

test('a slow tenant does not delay another tenant\'s deliveries', { timeout: 60_000 }, async () => {
  const t = await twoTenants({ DELIVERY_MAX_CONCURRENCY: '2' }, { delayMs: 4000 });
  await t.admin.publish({ tenantId: t.slowT, topic: 'x', data: { slow: true } });
  await waitFor(() => t.rx.at(t.slowPath).length === 1, { what: 'the slow delivery under way' });
  await assertOtherTenantUnhindered(t, 6, 1500);
});

// Hand-overs (the default) and tasks claimed from the store (hand-over off)
// wait for their destination's slots the same way.
for (const [how, handoff] of [['handed over', '16384'], ['claimed from the store', '0']]) {
  test(`a backlog for a slow receiver takes at most its share of the slots (${how})`, { timeout: 60_000 }, async () => {
    const delayMs = 1000;
    const t = await twoTenants(
      { DELIVERY_MAX_CONCURRENCY: '6', DELIVERY_MAX_PER_DESTINATION: '2', DELIVERY_HANDOFF_TASKS: handoff },
      { delayMs },
    );
    const backlog = [];
    for (let i = 0; i < 10; i++) backlog.push((await t.admin.publish({ tenantId: t.slowT, topic: 'x', data: { i } })).id);
    await waitFor(() => t.rx.at(t.slowPath).length >= 2, { what: 'the backlog under way' });
    // without the cap the backlog held all six slots for a second at a time
    await assertOtherTenantUnhindered(t, 5, 800);

    // every backlog event arrives once, never more than two at a time
    const got = await t.rx.waitCount(t.slowPath, backlog.length, { timeoutMs: 20_000 });
    const ids = got.map((r) => r.headers['x-outpost-event-id']);
    assert.deepEqual([...new Set(ids)].sort(), [...backlog].sort(), 'each backlog event delivered');
    assert.equal(ids.length, backlog.length, 'no backlog event delivered twice');
    assertAtMostTwoAtOnce(got, delayMs);
    // and each was logged as its event's first and only attempt
    const attempts = await waitFor(async () => {
      const r = await t.srv.raw('GET', `/attempts?tenant_id=${t.slowT}&limit=100`);
      return r.json?.models?.length === backlog.length ? r.json.models : null;
    }, { what: 'the backlog attempts logged' });
    for (const a of attempts) assert.equal(a.attempt_number, 1, JSON.stringify(a));
    assert.deepEqual(attempts.map((a) => a.event_id).sort(), [...backlog].sort());
  });
}

// A receiver that was fast and turns slow is capped as soon as it sits at
// the cap with no transfer ending, before its average duration shows it.
test('a receiver that turns slow is capped before its average shows it', { timeout: 60_000 }, async () => {
  const fastFirst = 10;
  const delayMs = 2000;
  const t = await twoTenants(
    { DELIVERY_MAX_CONCURRENCY: '6', DELIVERY_MAX_PER_DESTINATION: '2' },
    { respond: (rec, n) => (n > fastFirst ? { delayMs } : {}) },
  );
  // fast answers first: its average drops well below the slow mark
  for (let i = 0; i < fastFirst; i++) await t.admin.publish({ tenantId: t.slowT, topic: 'x', data: { i } });
  await t.rx.waitCount(t.slowPath, fastFirst);
  await new Promise((r) => setTimeout(r, 400));

  // now it answers in 2 s, and a burst arrives
  const burst = 8;
  for (let i = 0; i < burst; i++) await t.admin.publish({ tenantId: t.slowT, topic: 'x', data: { slow: i } });
  await waitFor(() => t.rx.at(t.slowPath).length >= fastFirst + 2, { what: 'the slow answers under way' });
  await assertOtherTenantUnhindered(t, 3, 800);
  const got = await t.rx.waitCount(t.slowPath, fastFirst + burst, { timeoutMs: 30_000 });
  assertAtMostTwoAtOnce(got.slice(fastFirst), delayMs);
});
