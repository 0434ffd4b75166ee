// Log retention (LOG_RETENTION_SECONDS / LOG_RETENTION_DAYS): events and
// attempts older than the retention leave the log, except an event a
// delivery task still needs; newer ones stay, and the log keeps working.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, show, uid } from './lib/server.mjs';
import { startReceiver, waitFor, sleep } from './lib/receiver.mjs';

let srv;
let rx;
after(async () => {
  await srv?.stop();
  await rx?.close();
});

test('old events and attempts are pruned; events with pending deliveries and newer ones stay', { timeout: 60_000 }, async () => {
  rx = await startReceiver();
  // a 3 s retention; the failing destination's next retry is an hour away, so its task stays pending
  srv = await startServer({ env: { LOG_RETENTION_SECONDS: '3', RETRY_SCHEDULE: '3600' } });
  const admin = srv.client();
  const T = uid('ret');
  await admin.tenants.upsert(T, {});
  rx.on(`/${T}/ok`, { status: 200 });
  rx.on(`/${T}/fail`, { status: 500 });
  const ok = await admin.destinations.create(T, { type: 'webhook', topics: ['ok'], config: { url: rx.url(`/${T}/ok`) } });
  const fail = await admin.destinations.create(T, { type: 'webhook', topics: ['fail'], config: { url: rx.url(`/${T}/fail`) } });

  const delivered = await admin.publish({ tenantId: T, topic: 'ok', data: { n: 1 } });
  const pending = await admin.publish({ tenantId: T, topic: 'fail', data: { n: 2 } });
  const unmatched = await admin.publish({ tenantId: T, topic: 'nobody', data: { n: 3 } });
  const attemptsOf = async (ev) => (await srv.raw('GET', `/attempts?event_id=${ev.id}`)).json.models;
  await waitFor(async () => (await attemptsOf(delivered)).length === 1 && (await attemptsOf(pending)).length === 1,
    { what: 'first attempts logged' });
  const status = async (ev) => (await srv.raw('GET', `/events/${ev.id}`)).status;
  assert.equal(await status(delivered), 200);

  // pruned once a mark older than the retention covers them (marks every second)
  await waitFor(async () => (await status(delivered)) === 404 && (await status(unmatched)) === 404,
    { timeoutMs: 20_000, intervalMs: 200, what: 'old events pruned' });
  assert.deepEqual(await attemptsOf(delivered), [], 'its attempts went too');
  const pendingNow = await srv.raw('GET', `/events/${pending.id}`);
  assert.equal(pendingNow.status, 200, `an event with a pending retry stays: ${show(pendingNow)}`);
  const byDest = await srv.raw('GET', `/events?destination_id=${ok.id}`);
  assert.deepEqual(byDest.json.models, [], 'the destination link went with the event');

  // the log keeps working: a new event is stored, delivered, listed
  const fresh = await admin.publish({ tenantId: T, topic: 'ok', data: { n: 4 } });
  await waitFor(async () => (await attemptsOf(fresh)).length === 1, { what: 'new event delivered' });
  const listed = await srv.raw('GET', `/events?tenant_id=${T}`);
  assert.deepEqual(listed.json.models.map((e) => e.id), [fresh.id, pending.id], show(listed));
  const freshByDest = await srv.raw('GET', `/events?destination_id=${ok.id}`);
  assert.deepEqual(freshByDest.json.models.map((e) => e.id), [fresh.id]);
  await sleep(1500); // another prune pass: nothing newer than the retention goes
  assert.equal(await status(fresh), 200);
  assert.ok(fail.id);
});
