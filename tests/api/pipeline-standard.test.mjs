// Event pipeline in Standard Webhooks mode (DESTINATIONS_WEBHOOK_MODE=standard):
// every delivery is verified with the independent `standardwebhooks` package.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startServer, show, uid } from './lib/server.mjs';
import { startReceiver, waitFor, sleep, standardHeaders } from './lib/receiver.mjs';

const STD_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** Verify with the standardwebhooks package; returns null on success, else the error message. */
function verifyError(secret, rec, body = rec.body) {
  try {
    new Webhook(secret).verify(body, standardHeaders(rec));
    return null;
  } catch (err) {
    return err.message;
  }
}

/** Our own computation of one v1 entry (to check order and count of entries). */
function v1(secret, rec) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const content = Buffer.concat([
    Buffer.from(`${rec.headers['webhook-id']}.${rec.headers['webhook-timestamp']}.`), rec.body]);
  return `v1,${createHmac('sha256', key).update(content).digest('base64')}`;
}

describe('pipeline: Standard Webhooks mode', () => {
  let srv;
  let admin;
  let rx;

  before(async () => {
    rx = await startReceiver();
    srv = await startServer({ env: { DESTINATIONS_WEBHOOK_MODE: 'standard', RETRY_SCHEDULE: '1,1' } });
    admin = srv.client();
  });
  after(async () => {
    await srv?.stop();
    await rx?.close();
  });

  async function tenant() {
    const T = uid('ts');
    await admin.tenants.upsert(T, {});
    return T;
  }
  async function webhook(T, path, over = {}) {
    return admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(path) }, ...over });
  }

  test('headers and signature verify with the standardwebhooks package; body is byte-exact', async () => {
    const T = await tenant();
    const d = await webhook(T, `/${T}/std`);
    assert.match(d.credentials.secret, STD_SECRET, 'standard-mode secrets are whsec_<base64>');
    assert.equal(Buffer.from(d.credentials.secret.slice(6), 'base64').length, 32, 'secret decodes to 32 bytes');
    const id = uid('evt_std');
    const DATA = '{"b" :2, "a":[1 ,2.0,"\\u00fc ü"],"nested":{"z":null}}';
    const t0 = Math.floor(Date.now() / 1000);
    const p = await srv.raw('POST', '/publish', {
      rawBody: `{"id":"${id}","tenant_id":"${T}","topic":"user.created","metadata":{"trace":"abc"},"data":${DATA}}`,
    });
    assert.equal(p.status, 202, show(p));
    assert.deepEqual(p.json.destination_ids, [d.id], show(p));
    const [rec] = await rx.waitCount(`/${T}/std`, 1);
    assert.ok(rec.body.equals(Buffer.from(DATA)), `byte-exact body: expected ${JSON.stringify(DATA)}, got ${JSON.stringify(rec.text)}`);
    const h = rec.headers;
    assert.equal(h['webhook-id'], id, 'webhook-id = event id');
    assert.match(h['webhook-timestamp'] || '', /^\d+$/, 'webhook-timestamp = unix seconds');
    const ts = Number(h['webhook-timestamp']);
    assert.ok(ts >= t0 - 1 && ts <= Math.ceil(rec.receivedAt / 1000) + 1, `timestamp ${ts} must be the delivery time`);
    assert.match(h['webhook-signature'] || '', /^v1,[A-Za-z0-9+/]+={0,2}$/, `one v1 signature: ${h['webhook-signature']}`);
    assert.equal(verifyError(d.credentials.secret, rec), null, 'standardwebhooks must accept the delivery');
    assert.deepEqual(new Webhook(d.credentials.secret).verify(rec.body, standardHeaders(rec)), JSON.parse(DATA));
    assert.equal(h['webhook-signature'], v1(d.credentials.secret, rec));
    // negative controls: the verifier really checks
    assert.notEqual(verifyError(d.credentials.secret, rec, Buffer.from(DATA.replace('2.0', '2.1'))), null, 'tampered body must fail');
    const other = await webhook(T, `/${T}/unused`);
    assert.notEqual(verifyError(other.credentials.secret, rec), null, 'another secret must fail');
    // topic and metadata headers
    assert.equal(h['webhook-topic'], 'user.created');
    assert.equal(h['webhook-trace'], 'abc', 'event metadata with the webhook- prefix');
    assert.equal(h.trace, 'abc', 'event metadata also sent unprefixed in standard mode');
    assert.match(h['content-type'] || '', /^application\/json/i);
    assert.equal(h['x-outpost-signature'], undefined, 'no default-mode signature header in standard mode');
    assert.equal(h['x-outpost-event-id'], undefined, 'no default-mode headers in standard mode');
    await admin.destinations.delete(T, other.id);
  });

  test('an admin-supplied whsec_ secret is used for signing', async () => {
    const T = await tenant();
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const d = await webhook(T, `/${T}/given`, { credentials: { secret } });
    assert.equal(d.credentials.secret, secret);
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { test: 2432232314 } });
    const [rec] = await rx.waitCount(`/${T}/given`, 1);
    assert.equal(rec.headers['webhook-id'], res.id);
    assert.equal(verifyError(secret, rec), null);
    assert.equal(rec.headers['webhook-signature'], v1(secret, rec));
  });

  test('fan-out in standard mode: each destination verifies with its own secret only', async () => {
    const T = await tenant();
    const ds = [await webhook(T, `/${T}/f1`), await webhook(T, `/${T}/f2`), await webhook(T, `/${T}/f3`)];
    const res = await admin.publish({ tenantId: T, topic: 'x', data: { fan: true } });
    assert.deepEqual([...res.destinationIds].sort(), ds.map((d) => d.id).sort());
    for (const [i, d] of ds.entries()) {
      const [rec] = await rx.waitCount(`/${T}/f${i + 1}`, 1);
      assert.equal(rec.headers['webhook-id'], res.id);
      assert.equal(verifyError(d.credentials.secret, rec), null, `destination ${i + 1} verifies with its secret`);
      for (const [j, o] of ds.entries()) {
        if (j !== i) assert.notEqual(verifyError(o.credentials.secret, rec), null, `destination ${i + 1} must not verify with secret ${j + 1}`);
      }
    }
  });

  test('retries keep webhook-id and are each signed validly', async () => {
    const T = await tenant();
    const path = `/${T}/retry`;
    rx.on(path, { failFirst: 2, failStatus: 500 });
    const d = await webhook(T, path);
    const res = await admin.publish({ tenantId: T, topic: 'x', data: { r: 1 } });
    const recs = await rx.waitCount(path, 3, { timeoutMs: 8000 });
    for (const [i, rec] of recs.entries()) {
      assert.equal(rec.headers['webhook-id'], res.id, `attempt ${i + 1} webhook-id`);
      assert.equal(verifyError(d.credentials.secret, rec), null, `attempt ${i + 1} verifies`);
      assert.equal(rec.text, '{"r":1}');
    }
  });

  test('rotation: two space-separated v1 signatures (current first) that each verify, then one after expiry', async () => {
    const T = await tenant();
    const path = `/${T}/rot`;
    const d = await webhook(T, path);
    const s0 = d.credentials.secret;
    const until = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000);
    const r = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`,
      { body: { credentials: { rotate_secret: true, previous_secret_invalid_at: until.toISOString().replace('.000Z', 'Z') } } });
    assert.equal(r.status, 200, show(r));
    const s1 = r.json.credentials.secret;
    assert.match(s1, STD_SECRET);
    assert.notEqual(s1, s0);
    assert.equal(r.json.credentials.previous_secret, s0, show(r));

    const e1 = await admin.publish({ tenantId: T, topic: 'x', data: { k: 1 } });
    const [rec1] = await rx.waitCount(path, 1);
    assert.equal(rec1.headers['webhook-id'], e1.id);
    const parts = (rec1.headers['webhook-signature'] || '').split(' ');
    assert.deepEqual(parts, [v1(s1, rec1), v1(s0, rec1)], `current first, then previous: ${rec1.headers['webhook-signature']}`);
    assert.equal(verifyError(s1, rec1), null, 'verifies with the new secret');
    assert.equal(verifyError(s0, rec1), null, 'verifies with the previous secret during rotation');

    await waitFor(() => Date.now() > until.getTime() + 200, { timeoutMs: 6000, what: 'previous secret expiry' });
    const e2 = await admin.publish({ tenantId: T, topic: 'x', data: { k: 2 } });
    const recs = await rx.waitCount(path, 2);
    const rec2 = recs[1];
    assert.equal(rec2.headers['webhook-id'], e2.id);
    assert.equal(rec2.headers['webhook-signature'], v1(s1, rec2), 'only the current secret after expiry');
    assert.equal(verifyError(s1, rec2), null);
    assert.notEqual(verifyError(s0, rec2), null, 'the expired previous secret no longer verifies');
    await sleep(0);
  });
});
