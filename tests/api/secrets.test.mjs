// Webhook secret rules (notes §6): who may set, rotate, and what rotation stores.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sdkError, show, uid, randomHex, sleep } from './lib/server.mjs';

const SECRET_RE = /^whsec_[0-9a-f]{64}$/;
const DAY = 86_400_000;

let srv;
let admin;
let me; // tenant JWT client
const T = uid('tenant');
let tok;

before(async () => {
  srv = await startServer();
  admin = srv.client();
  await admin.tenants.upsert(T, {});
  tok = await srv.token(T);
  me = srv.client(tok);
});
after(async () => { await srv?.stop(); });

const base = (over = {}) => ({ type: 'webhook', topics: ['*'], config: { url: 'https://example.com/s' }, ...over });
const getRaw = async (id) => (await srv.raw('GET', `/tenants/${T}/destinations/${id}`)).json;
const near = (date, target, tol, what) => assert.ok(Math.abs(new Date(date).getTime() - target) < tol,
  `${what}: ${new Date(date).toISOString()} not within ${tol} ms of ${new Date(target).toISOString()}`);

test('admin may set the secret on create; it is returned in clear', async () => {
  const secret = `whsec_${randomHex(32)}`;
  const d = await admin.destinations.create(T, base({ credentials: { secret } }));
  assert.equal(d.credentials.secret, secret);
  assert.equal((await admin.destinations.get(T, d.id)).credentials.secret, secret);
  assert.equal((await me.destinations.get(T, d.id)).credentials.secret, secret, 'tenant sees its secret in clear too');
});

test('tenant JWT creating with credentials.secret -> 422, nothing stored', async () => {
  const before = await me.destinations.list(T);
  const err = await sdkError(me.destinations.create(T, base({ credentials: { secret: `whsec_${randomHex(32)}` } })), 422, 'JWT create with secret');
  assert.equal(err.json?.status, 422, err.body);
  assert.match(err.body, /credentials\.secret/, err.body);
  const err2 = await sdkError(me.destinations.create(T, base({ credentials: { previousSecret: 'whsec_x' } })), 422, 'JWT create with previous_secret');
  void err2;
  assert.deepEqual(await me.destinations.list(T), before);
  // without credentials it works and gets a generated secret
  const d = await me.destinations.create(T, base());
  assert.match(d.credentials.secret, SECRET_RE);
});

test('rotate_secret on create -> 422', async () => {
  const r = await srv.raw('POST', `/tenants/${T}/destinations`, { body: { ...base(), credentials: { rotate_secret: true } } });
  assert.equal(r.status, 422, show(r));
});

test('PATCH credentials.rotate_secret=true: new secret, previous_secret = old, invalid_at ~ now+24h', async () => {
  const d = await admin.destinations.create(T, base());
  const old = d.credentials.secret;
  const t0 = Date.now();
  const u = await admin.destinations.update(T, d.id, { type: 'webhook', credentials: { rotateSecret: true } });
  assert.match(u.credentials.secret, SECRET_RE);
  assert.notEqual(u.credentials.secret, old, 'rotation must generate a new secret');
  assert.equal(u.credentials.previousSecret, old, 'previous_secret must be the old secret');
  near(u.credentials.previousSecretInvalidAt, t0 + DAY, 120_000, 'previous_secret_invalid_at');
  const raw = await getRaw(d.id);
  assert.equal(raw.credentials.secret, u.credentials.secret);
  assert.equal(raw.credentials.previous_secret, old);
  assert.equal(raw.credentials.rotate_secret, undefined, `rotate_secret must not be stored: ${JSON.stringify(raw.credentials)}`);

  // rotating again moves the current one into previous
  const u2 = await admin.destinations.update(T, d.id, { type: 'webhook', credentials: { rotateSecret: true } });
  assert.equal(u2.credentials.previousSecret, u.credentials.secret);
  assert.notEqual(u2.credentials.secret, u.credentials.secret);
});

test('rotate_secret accepts the string "true"; an explicit previous_secret_invalid_at is kept', async () => {
  const d = await admin.destinations.create(T, base());
  const when = new Date(Date.now() + 3 * 3600_000);
  when.setMilliseconds(0);
  const r = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, {
    body: { credentials: { rotate_secret: 'true', previous_secret_invalid_at: when.toISOString() } },
  });
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.credentials.previous_secret, d.credentials.secret, show(r));
  near(r.json.credentials.previous_secret_invalid_at, when.getTime(), 1000, 'explicit invalid_at');
});

test('tenant JWT may rotate', async () => {
  const d = await me.destinations.create(T, base());
  const u = await me.destinations.update(T, d.id, { type: 'webhook', credentials: { rotateSecret: true } });
  assert.notEqual(u.credentials.secret, d.credentials.secret);
  assert.equal(u.credentials.previousSecret, d.credentials.secret);
});

test('tenant JWT sending a different secret -> 422 "credentials.secret is forbidden"; same secret is fine', async () => {
  const d = await me.destinations.create(T, base());
  const before = await getRaw(d.id);
  const err = await sdkError(me.destinations.update(T, d.id, { type: 'webhook', credentials: { secret: `whsec_${randomHex(32)}` } }), 422, 'JWT new secret');
  assert.equal(err.json?.status, 422, err.body);
  assert.ok(err.json?.data?.includes('credentials.secret is forbidden'), err.body);
  const err2 = await sdkError(me.destinations.update(T, d.id, { type: 'webhook', credentials: { secret: d.credentials.secret, previousSecret: 'whsec_mine' } }), 422, 'JWT previous_secret');
  void err2;
  assert.deepEqual(await getRaw(d.id), before, 'rejected PATCH changed the destination');
  const same = await me.destinations.update(T, d.id, { type: 'webhook', credentials: { secret: d.credentials.secret } });
  assert.equal(same.credentials.secret, d.credentials.secret);
});

test('admin sets secret directly via PATCH', async () => {
  const d = await admin.destinations.create(T, base());
  const s = `whsec_${randomHex(32)}`;
  const u = await admin.destinations.update(T, d.id, { type: 'webhook', credentials: { secret: s } });
  assert.equal(u.credentials.secret, s);
  assert.equal((await getRaw(d.id)).credentials.secret, s);
});

test('admin previous_secret without invalid_at gets now+24h', async () => {
  const d = await admin.destinations.create(T, base());
  const s = `whsec_${randomHex(32)}`;
  const p = `whsec_${randomHex(32)}`;
  const t0 = Date.now();
  const u = await admin.destinations.update(T, d.id, { type: 'webhook', credentials: { secret: s, previousSecret: p } });
  assert.equal(u.credentials.secret, s);
  assert.equal(u.credentials.previousSecret, p);
  near(u.credentials.previousSecretInvalidAt, t0 + DAY, 120_000, 'defaulted invalid_at');
});

test('previous_secret_invalid_at without previous_secret -> 422, unchanged', async () => {
  const d = await admin.destinations.create(T, base());
  const before = await getRaw(d.id);
  const when = new Date(Date.now() + 3600_000);
  await sdkError(admin.destinations.update(T, d.id, { type: 'webhook', credentials: { secret: d.credentials.secret, previousSecretInvalidAt: when } }), 422, 'invalid_at alone (with secret)');
  await sdkError(admin.destinations.update(T, d.id, { type: 'webhook', credentials: { previousSecretInvalidAt: when } }), 422, 'invalid_at alone');
  const c = await srv.raw('POST', `/tenants/${T}/destinations`, { body: { ...base(), credentials: { secret: `whsec_${randomHex(32)}`, previous_secret_invalid_at: when.toISOString() } } });
  assert.equal(c.status, 422, `create with invalid_at only: ${show(c)}`);
  assert.deepEqual(await getRaw(d.id), before);
});

test('after previous_secret_invalid_at passes, previous_secret is omitted from responses', async () => {
  const d = await admin.destinations.create(T, base());
  const s = `whsec_${randomHex(32)}`;
  const p = `whsec_${randomHex(32)}`;
  const soon = new Date(Date.now() + 1500);
  const u = await admin.destinations.update(T, d.id, { type: 'webhook', credentials: { secret: s, previousSecret: p, previousSecretInvalidAt: soon } });
  assert.equal(u.credentials.previousSecret, p);
  await sleep(2500);
  const raw = await getRaw(d.id);
  assert.equal(raw.credentials.secret, s);
  assert.equal(raw.credentials.previous_secret, undefined, `expired previous_secret still shown: ${JSON.stringify(raw.credentials)}`);
});
