// GET /destination-types and /destination-types/{type}.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sdkError, show, uid } from './lib/server.mjs';

let srv;
let admin;
before(async () => { srv = await startServer(); admin = srv.client(); });
after(async () => { await srv?.stop(); });

function assertWebhookSchema(w, where) {
  assert.equal(w.type, 'webhook', where);
  assert.equal(typeof w.label, 'string', where);
  assert.ok(w.label.length > 0, where);
  assert.equal(typeof w.description, 'string', where);
  assert.ok(Array.isArray(w.config_fields), `${where}: config_fields array`);
  assert.ok(Array.isArray(w.credential_fields), `${where}: credential_fields array`);
  const url = w.config_fields.find((f) => f.key === 'url');
  assert.ok(url, `${where}: config_fields must include url`);
  assert.equal(url.required, true, `${where}: url must be required`);
  assert.equal(url.type, 'text', `${where}: url field type`);
  assert.equal(typeof url.label, 'string', where);
  for (const f of [...w.config_fields, ...w.credential_fields]) {
    assert.equal(typeof f.key, 'string', `${where}: field key`);
    assert.ok(['text', 'checkbox', 'key_value_map', 'select'].includes(f.type), `${where}: field ${f.key} type ${f.type}`);
    assert.equal(typeof f.required, 'boolean', `${where}: field ${f.key} required`);
  }
}

test('list includes webhook with config_fields (url required) and credential_fields', async () => {
  const r = await srv.raw('GET', '/destination-types');
  assert.equal(r.status, 200, show(r));
  assert.ok(Array.isArray(r.json), show(r));
  const w = r.json.find((t) => t.type === 'webhook');
  assert.ok(w, `webhook missing: ${show(r)}`);
  assertWebhookSchema(w, 'list');
  const types = r.json.map((t) => t.type);
  assert.equal(new Set(types).size, types.length, 'types must be unique');

  const sdk = await admin.schemas.listDestinationTypes();
  assert.ok(sdk.some((t) => t.type === 'webhook'));
});

test('GET /destination-types/webhook', async () => {
  const r = await srv.raw('GET', '/destination-types/webhook');
  assert.equal(r.status, 200, show(r));
  assertWebhookSchema(r.json, 'get');
  const list = (await srv.raw('GET', '/destination-types')).json;
  assert.deepEqual(r.json, list.find((t) => t.type === 'webhook'), 'single GET must equal the list entry');
  const sdk = await admin.schemas.getDestinationType('webhook');
  assert.equal(sdk.type, 'webhook');
});

test('unknown type -> 404', async () => {
  const r = await srv.raw('GET', '/destination-types/carrier_pigeon');
  assert.equal(r.status, 404, show(r));
});

test('tenant JWT may read destination types; no auth -> 401', async () => {
  const T = uid('tenant');
  await admin.tenants.upsert(T, {});
  const tok = await srv.token(T);
  const r = await srv.raw('GET', '/destination-types', { token: tok });
  assert.equal(r.status, 200, show(r));
  const one = await srv.client(tok).schemas.getDestinationType('webhook');
  assert.equal(one.type, 'webhook');
  const anon = await srv.raw('GET', '/destination-types', { token: null });
  assert.equal(anon.status, 401, show(anon));
  await sdkError(srv.client(null).schemas.getDestinationType('webhook'), 401, 'no auth');
});
