// One tenant's slow receiver must not hold up another tenant's deliveries:
// with two delivery workers of one transfer slot each, a worker busy with a
// 4 s receiver gets no new hand-overs (and an idle worker takes any that
// were queued on it), so the other tenant's events go out at once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uid } from './lib/server.mjs';
import { startReceiver, waitFor } from './lib/receiver.mjs';

let srv;
let rx;
after(async () => {
  await srv?.stop();
  await rx?.close();
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
