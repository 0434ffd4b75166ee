// POST /publish rules that Outpost's handler applies and the pipeline tests
// do not cover: the broadcast topic "*" (accepted even when TOPICS is set,
// and matching every enabled destination, at publish and at /retry), and
// JSON null for eligible_for_retry meaning "not given" (default true).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, show, uid } from './lib/server.mjs';
import { startReceiver, waitFor } from './lib/receiver.mjs';

let srv;
let admin;
let rx;

before(async () => {
  rx = await startReceiver();
  srv = await startServer({ env: { TOPICS: 'user.created,order.paid', TOPICS_ALLOW_WILDCARDS: 'true', MAX_RETRY_LIMIT: '0' } });
  admin = srv.client();
});
after(async () => {
  await srv?.stop();
  await rx?.close();
});

async function tenantWithDestinations() {
  const T = uid('pr');
  await admin.tenants.upsert(T, {});
  const make = (topics, path, over = {}) => admin.destinations.create(T, {
    type: 'webhook', topics, config: { url: rx.url(`/${T}/${path}`) }, ...over,
  });
  const user = await make(['user.created'], 'user');
  const order = await make(['order.*'], 'order');
  const all = await make('*', 'all');
  const filtered = await make(['user.created'], 'filtered', { filter: { data: { keep: true } } });
  const off = await make(['user.created'], 'off');
  await admin.destinations.disable(T, off.id);
  return { T, user, order, all, filtered, off };
}

test('topic "*" is accepted with TOPICS set and goes to every enabled destination whose filter matches', async () => {
  const { T, user, order, all, filtered, off } = await tenantWithDestinations();
  const res = await admin.publish({ tenantId: T, topic: '*', data: { keep: true } });
  assert.deepEqual([...res.destinationIds].sort(), [user.id, order.id, all.id, filtered.id].sort(),
    `"*" reaches every enabled destination (filters still apply; ${off.id} is disabled)`);
  for (const p of ['user', 'order', 'all', 'filtered']) {
    const [rec] = await rx.waitCount(`/${T}/${p}`, 1);
    assert.equal(rec.headers['x-outpost-event-id'], res.id);
    assert.equal(rec.headers['x-outpost-topic'], '*');
  }
  assert.equal(rx.at(`/${T}/off`).length, 0, 'nothing for the disabled destination');

  const r2 = await srv.raw('POST', '/publish', { body: { tenant_id: T, topic: '*', data: { keep: false } } });
  assert.equal(r2.status, 202, show(r2));
  assert.deepEqual([...r2.json.destination_ids].sort(), [user.id, order.id, all.id].sort(), 'the filter still decides');
  const ev = await srv.raw('GET', `/events/${r2.json.id}`);
  assert.equal(ev.json.topic, '*', show(ev));

  // other topics are still checked against TOPICS
  for (const topic of ['user.*', 'nope', '**']) {
    const bad = await srv.raw('POST', '/publish', { body: { tenant_id: T, topic, data: {} } });
    assert.equal(bad.status, 422, show(bad));
    assert.deepEqual(bad.json, { status: 422, message: 'validation error', data: ['topic is invalid'] }, show(bad));
  }
});

test('a "*" event may be retried to a destination of any topic; listing with topics=* still shows only "*" destinations', async () => {
  const { T, user, all, off } = await tenantWithDestinations();
  const res = await admin.publish({ tenantId: T, topic: '*', destinationId: user.id, data: { n: 1 } });
  assert.deepEqual(res.destinationIds, [user.id], 'destination_id routing with the broadcast topic');
  await rx.waitCount(`/${T}/user`, 1);
  assert.deepEqual(await admin.retry({ eventId: res.id, destinationId: user.id }), { success: true });
  await rx.waitCount(`/${T}/user`, 2);
  const disabled = await srv.raw('POST', '/retry', { body: { event_id: res.id, destination_id: off.id } });
  assert.equal(disabled.status, 400, show(disabled));

  const listed = await srv.raw('GET', `/tenants/${T}/destinations?topics=*`);
  assert.equal(listed.status, 200, show(listed));
  assert.deepEqual(listed.json.map((d) => d.id), [all.id], `list filter "*" means subscribed to everything: ${show(listed)}`);
});

test('eligible_for_retry: null is "not given" (default true), other non-booleans are refused', async () => {
  const T = uid('pn');
  await admin.tenants.upsert(T, {});
  const r = await srv.raw('POST', '/publish', { body: { tenant_id: T, topic: 'order.paid', data: { a: 1 }, eligible_for_retry: null } });
  assert.equal(r.status, 202, show(r));
  const ev = await waitFor(async () => { const g = await srv.raw('GET', `/events/${r.json.id}`); return g.status === 200 && g.json; },
    { what: 'the event in the log' });
  assert.equal(ev.eligible_for_retry, true, JSON.stringify(ev));

  const f = await srv.raw('POST', '/publish', { body: { tenant_id: T, topic: 'order.paid', data: { a: 1 }, eligible_for_retry: false } });
  assert.equal(f.status, 202, show(f));
  assert.equal((await srv.raw('GET', `/events/${f.json.id}`)).json.eligible_for_retry, false);

  for (const v of ['true', 1, {}, []]) {
    const bad = await srv.raw('POST', '/publish', { body: { tenant_id: T, topic: 'order.paid', data: {}, eligible_for_retry: v } });
    assert.equal(bad.status, 422, show(bad));
    assert.deepEqual(bad.json.data, ['eligible_for_retry must be a boolean'], show(bad));
  }
  const listed = await srv.raw('GET', `/events?tenant_id=${T}`);
  assert.equal(listed.json.models.length, 2, `refused publishes store nothing: ${show(listed)}`);
});

test('"\\u0000" inside data is accepted and delivered byte-exact; NUL in the fields kept as strings is a 422', async () => {
  const { T, user } = await tenantWithDestinations();
  const raw = `{"tenant_id":"${T}","topic":"user.created","data":{"blob":"a\\u0000b","keep":false}}`;
  const r = await srv.raw('POST', '/publish', { rawBody: raw });
  assert.equal(r.status, 202, show(r));
  const [rec] = await rx.waitCount(`/${T}/user`, 1);
  assert.equal(rec.text, '{"blob":"a\\u0000b","keep":false}', 'the data bytes as published');
  const ev = await srv.raw('GET', `/events/${r.json.id}`);
  assert.equal(ev.status, 200, show(ev));
  assert.deepEqual(ev.json.data, { blob: 'a\u0000b', keep: false });
  assert.ok(user.id);

  const before = (await srv.raw('GET', `/events?tenant_id=${T}`)).json.models.length;
  for (const [field, body, message] of [
    ['id', `{"tenant_id":"${T}","id":"x\\u0000y","topic":"user.created","data":{}}`, /^id must not contain NUL/],
    ['topic', `{"tenant_id":"${T}","topic":"user.created\\u0000","data":{}}`, /^topic must not contain NUL/],
    ['tenant_id', `{"tenant_id":"${T}\\u0000z","topic":"user.created","data":{}}`, /^tenant_id must not contain NUL/],
    ['metadata', `{"tenant_id":"${T}","topic":"user.created","metadata":{"k":"v\\u0000"},"data":{}}`, /^metadata\.k must be a string without NUL/],
  ]) {
    const bad = await srv.raw('POST', '/publish', { rawBody: body });
    assert.equal(bad.status, 422, `${field}: ${show(bad)}`);
    assert.ok(bad.json.data.some((m) => message.test(m)), `${field}: ${show(bad)}`);
  }
  assert.equal((await srv.raw('GET', `/events?tenant_id=${T}`)).json.models.length, before, 'nothing stored');
});
