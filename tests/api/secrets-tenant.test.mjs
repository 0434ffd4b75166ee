// Webhook secrets and a tenant JWT (notes §6): a tenant may rotate, giving
// previous_secret_invalid_at like the admin; it may not replace or drop its
// secrets any other way, merge-patch nulls included (a secret that vanished
// would be regenerated with no grace period for the receiver).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, show, uid } from './lib/server.mjs';

let srv;
let admin;
let tok;
const T = uid('st');

before(async () => {
  srv = await startServer();
  admin = srv.client();
  await admin.tenants.upsert(T, {});
  tok = await srv.token(T);
});
after(async () => { await srv?.stop(); });

const body = { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/s' } };
const patch = (id, b, token = tok) => srv.raw('PATCH', `/tenants/${T}/destinations/${id}`, { token, body: b });
const get = async (id) => (await srv.raw('GET', `/tenants/${T}/destinations/${id}`)).json;

test('a tenant JWT may rotate with an explicit previous_secret_invalid_at', async () => {
  const d = (await srv.raw('POST', `/tenants/${T}/destinations`, { token: tok, body })).json;
  const when = new Date(Date.now() + 2 * 3600_000);
  when.setMilliseconds(0);
  const r = await patch(d.id, { credentials: { rotate_secret: true, previous_secret_invalid_at: when.toISOString() } });
  assert.equal(r.status, 200, show(r));
  assert.notEqual(r.json.credentials.secret, d.credentials.secret);
  assert.equal(r.json.credentials.previous_secret, d.credentials.secret);
  assert.equal(new Date(r.json.credentials.previous_secret_invalid_at).getTime(), when.getTime(), show(r));

  const bad = await patch(d.id, { credentials: { rotate_secret: true, previous_secret_invalid_at: 'soon' } });
  assert.equal(bad.status, 422, show(bad));
  assert.deepEqual(await get(d.id), r.json, 'a refused rotation changes nothing');
});

test('a tenant JWT cannot drop its secrets with merge-patch nulls: they are kept', async () => {
  const d = (await srv.raw('POST', `/tenants/${T}/destinations`, { token: tok, body })).json;
  const rotated = (await patch(d.id, { credentials: { rotate_secret: true } })).json;
  const keep = rotated.credentials;
  for (const b of [{ credentials: null }, { credentials: { secret: null } }, { credentials: { previous_secret: null, previous_secret_invalid_at: null } },
    { credentials: {} }, { metadata: { k: 'v' }, credentials: null }]) {
    const r = await patch(d.id, b);
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json.credentials, keep, `${JSON.stringify(b)} must leave the secrets alone: ${show(r)}`);
  }
  assert.equal((await get(d.id)).metadata.k, 'v', 'the rest of such a PATCH applies');
});
