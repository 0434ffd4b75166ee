// Persistence across restarts on the same DATA_DIR, and encryption at rest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, show, uid, randomHex, readAllFiles } from './lib/server.mjs';

let srv;
// The port changes on every restart, so always build a fresh client.
const admin = {
  get tenants() { return srv.client().tenants; },
  get destinations() { return srv.client().destinations; },
};
const T1 = uid('persist');
const T2 = uid('persist');
const knownSecret = `whsec_${randomHex(32)}`;
const state = {};

before(async () => {
  srv = await startServer({ env: { AES_ENCRYPTION_SECRET: `aes-marker-${randomHex(12)}` } });
});
after(async () => { await srv?.stop(); });

async function dump() {
  const out = {};
  const list = await srv.raw('GET', '/tenants?limit=100&dir=asc');
  assert.equal(list.status, 200, show(list));
  out.tenants = list.json.models;
  out.count = list.json.count;
  for (const t of [T1, T2]) {
    out[t] = {
      tenant: (await srv.raw('GET', `/tenants/${t}`)).json,
      dests: (await srv.raw('GET', `/tenants/${t}/destinations`)).json,
    };
  }
  return out;
}

test('tenants and destinations survive a restart unchanged (same secrets)', async () => {
  await admin.tenants.upsert(T1, { metadata: { plan: 'pro' } });
  await admin.tenants.upsert(T2, {});
  const d1 = await admin.destinations.create(T1, {
    id: 'des_known', type: 'webhook', topics: ['user.created', 'order.paid'],
    config: { url: 'https://example.com/persist', customHeaders: '{"x-k":"v"}' },
    credentials: { secret: knownSecret },
    metadata: { m: '1' }, deliveryMetadata: { dm: '2' }, filter: { data: { amount: { $gte: 5 } } },
  });
  const d2 = await admin.destinations.create(T1, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/gen' } });
  const d3 = await admin.destinations.create(T2, { type: 'webhook', topics: ['x'], config: { url: 'https://example.com/off' } });
  await admin.destinations.disable(T2, d3.id);
  const gone = await admin.destinations.create(T2, { type: 'webhook', topics: ['y'], config: { url: 'https://example.com/gone' } });
  await admin.destinations.delete(T2, gone.id);
  await admin.destinations.update(T1, d2.id, { type: 'webhook', credentials: { rotateSecret: true } });
  const deletedTenant = uid('deleted');
  await admin.tenants.upsert(deletedTenant, {});
  await admin.tenants.delete(deletedTenant);
  const tok = (await admin.tenants.getToken(T1)).token;
  state.d1 = d1;

  const before = await dump();
  assert.equal(before[T1].dests.length, 2);
  await srv.restart();
  const afterDump = await dump();
  assert.deepEqual(afterDump, before, 'state after restart differs');
  assert.equal(afterDump[T1].dests.find((d) => d.id === 'des_known').credentials.secret, knownSecret);
  assert.ok(!afterDump.tenants.some((t) => t.id === deletedTenant), 'deleted tenant came back');
  assert.equal((await srv.raw('GET', `/tenants/${deletedTenant}`)).status, 404);
  assert.equal((await srv.raw('GET', `/tenants/${T2}/destinations/${gone.id}`)).status, 404, 'deleted destination came back');

  // a token issued before the restart still works (same API_JWT_SECRET)
  const r = await srv.raw('GET', `/tenants/${T1}/destinations/des_known`, { token: tok });
  assert.equal(r.status, 200, show(r));
  assert.equal(r.json.credentials.secret, knownSecret);

  // the store is writable after restart
  const d4 = await srv.client().destinations.create(T2, { type: 'webhook', topics: ['z'], config: { url: 'https://example.com/new' } });
  assert.ok(d4.id);
  await srv.restart();
  assert.ok((await srv.client().destinations.list(T2)).some((d) => d.id === d4.id));
});

function findIn(files, needle) {
  const hits = [];
  for (const f of files) {
    for (const enc of ['utf8', 'utf16le']) {
      if (f.bytes.indexOf(Buffer.from(needle, enc)) !== -1) hits.push(`${f.path} (${enc})`);
    }
  }
  return hits;
}

test('encryption at rest: neither the webhook secret nor AES_ENCRYPTION_SECRET appears in DATA_DIR', async () => {
  // Make sure the secret is in the store (test 1 may have been skipped).
  const T = uid('enc');
  await admin.tenants.upsert(T, {});
  const secret = `whsec_${randomHex(32)}`;
  const prev = `whsec_${randomHex(32)}`;
  const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: `https://enc.example.com/${T}` }, credentials: { secret } });
  await admin.destinations.update(T, d.id, { type: 'webhook', credentials: { secret, previousSecret: prev } });

  const check = (when) => {
    const files = readAllFiles(srv.dataDir);
    assert.ok(files.length > 0, `${when}: DATA_DIR ${srv.dataDir} is empty`);
    assert.ok(files.some((f) => f.bytes.length > 0), `${when}: every file in DATA_DIR is empty`);
    // Guard against a vacuous pass: the tenant id is stored in clear somewhere.
    assert.ok(findIn(files, T).length > 0, `${when}: tenant id ${T} not found in any DATA_DIR file — are these the store files? ${files.map((f) => f.path).join(', ')}`);
    const needles = {
      'webhook secret': secret,
      'webhook secret (hex part)': secret.slice('whsec_'.length),
      'previous secret': prev,
      'known secret from test 1': knownSecret,
      AES_ENCRYPTION_SECRET: srv.aesSecret,
    };
    const leaks = [];
    for (const [name, n] of Object.entries(needles)) {
      for (const hit of findIn(files, n)) leaks.push(`${name} in ${hit}`);
    }
    assert.deepEqual(leaks, [], `${when}: plaintext found at rest:\n${leaks.join('\n')}\nfiles: ${files.map((f) => `${f.path} (${f.bytes.length} B)`).join(', ')}`);
  };
  check('while running');
  await srv.restart();
  check('after a clean restart');
  // and the secrets still decrypt
  const got = await srv.client().destinations.get(T, d.id);
  assert.equal(got.credentials.secret, secret);
  assert.equal(got.credentials.previousSecret, prev);
});

test('restarting with a different AES_ENCRYPTION_SECRET does not return garbage secrets', async () => {
  // Either the server refuses to start, or it fails requests for undecryptable
  // credentials; it must never hand out wrong plaintext.
  const T = uid('aes');
  await admin.tenants.upsert(T, {});
  const secret = `whsec_${randomHex(32)}`;
  const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/aes' }, credentials: { secret } });
  let started = true;
  try {
    await srv.restart({ AES_ENCRYPTION_SECRET: `other-${randomHex(8)}` });
  } catch {
    started = false;
  }
  if (started) {
    const r = await srv.raw('GET', `/tenants/${T}/destinations/${d.id}`);
    if (r.status === 200) assert.equal(r.json.credentials.secret, secret, `wrong key returned a different secret: ${show(r)}`);
  }
  await srv.restart({ AES_ENCRYPTION_SECRET: srv.aesSecret });
  const back = await srv.client().destinations.get(T, d.id);
  assert.equal(back.credentials.secret, secret);
});
