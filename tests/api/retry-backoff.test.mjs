// Automatic retries without RETRY_SCHEDULE: RETRY_INTERVAL_SECONDS x 2^i
// between attempts (notes §7), MAX_RETRY_LIMIT retries after the first
// attempt, nothing after the budget. (pipeline-retry.test.mjs covers
// RETRY_SCHEDULE, Retry-After, manual retries.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uid, sleep } from './lib/server.mjs';
import { startReceiver, waitFor } from './lib/receiver.mjs';

let srv;
let admin;
let rx;

before(async () => {
  rx = await startReceiver();
  srv = await startServer({ env: { RETRY_INTERVAL_SECONDS: '1', MAX_RETRY_LIMIT: '2' } });
  admin = srv.client();
});
after(async () => {
  await srv?.stop();
  await rx?.close();
});

test('exponential backoff: 1 s, then 2 s; MAX_RETRY_LIMIT=2 means 3 attempts in all', async () => {
  const T = uid('bo');
  await admin.tenants.upsert(T, {});
  rx.on(`/${T}/h`, { failStatus: 500 });
  const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(`/${T}/h`) } });
  const res = await admin.publish({ tenantId: T, topic: 'a', data: { n: 1 } });
  const recs = await rx.waitCount(`/${T}/h`, 3, { timeoutMs: 10000 });
  const gap1 = recs[1].receivedAt - recs[0].receivedAt;
  const gap2 = recs[2].receivedAt - recs[1].receivedAt;
  assert.ok(gap1 >= 900 && gap1 < 1900, `first retry after RETRY_INTERVAL_SECONDS (1 s): ${gap1} ms`);
  assert.ok(gap2 >= 1900 && gap2 < 3200, `second retry after 2 x 1 s: ${gap2} ms`);
  await sleep(4500); // a third retry would come 4 s after the second
  assert.equal(rx.at(`/${T}/h`).length, 3, 'the budget is spent');
  const list = await waitFor(async () => {
    const r = await srv.raw('GET', `/attempts?event_id=${res.id}&destination_id=${d.id}&dir=asc`);
    return r.json.models.length === 3 ? r.json.models : null;
  }, { what: 'three attempts in the log' });
  assert.deepEqual(list.map((a) => [a.attempt_number, a.status, a.code, a.manual]),
    [[1, 'failed', '500', false], [2, 'failed', '500', false], [3, 'failed', '500', false]], JSON.stringify(list));
});
