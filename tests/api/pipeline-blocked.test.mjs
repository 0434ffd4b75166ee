// DESTINATIONS_WEBHOOK_BLOCK_INTERNAL_ADDRESSES: deliveries to loopback or
// private addresses are refused after connecting and before anything is sent,
// and the attempt says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, show, uid } from './lib/server.mjs';
import { startReceiver, waitFor, sleep } from './lib/receiver.mjs';

let srv;
let rx;
before(async () => {
  rx = await startReceiver();
  srv = await startServer({ env: { DESTINATIONS_WEBHOOK_BLOCK_INTERNAL_ADDRESSES: 'true' } });
});
after(async () => {
  await srv?.stop();
  await rx?.close();
});

test('a loopback receiver gets nothing and the attempt is failed with code blocked_address', async () => {
  const admin = srv.client();
  const T = uid('blk');
  await admin.tenants.upsert(T, {});
  const path = `/${T}/hook`;
  const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(path) } });
  const res = await admin.publish({ tenantId: T, topic: 'a', data: { secret: 'inside' }, eligibleForRetry: false });
  const attempt = await waitFor(async () => {
    const r = await srv.raw('GET', `/attempts?event_id=${res.id}&destination_id=${d.id}&include=response_data`);
    assert.equal(r.status, 200, show(r));
    return r.json.models[0] || null;
  }, { what: 'the attempt in the log' });
  assert.equal(attempt.status, 'failed');
  assert.equal(attempt.code, 'blocked_address');
  assert.match(attempt.response_data.error, /127\.0\.0\.1/);
  await sleep(300);
  assert.equal(rx.at(path).length, 0, 'the receiver must not see the request');
});
