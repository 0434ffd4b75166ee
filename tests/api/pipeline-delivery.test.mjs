// Event pipeline, default signing mode, against a real local webhook
// receiver: wire format and signature, byte-exact bodies, fan-out, topic
// routing, filters, disabled destinations, targeted publish, duplicates,
// unmatched events, custom headers and secret rotation.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, show, uid } from './lib/server.mjs';
import { startReceiver, waitFor, sleep, hmacHex, parseV0 } from './lib/receiver.mjs';

const TOPICS = ['user.created', 'user.updated', 'order.created', 'order.paid', 'order.refunded'];
const RFC3339_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('pipeline: default-mode webhook delivery', () => {
  let srv;
  let admin;
  let rx;

  before(async () => {
    rx = await startReceiver();
    srv = await startServer({ env: { TOPICS: TOPICS.join(','), RETRY_SCHEDULE: '1,1' } });
    admin = srv.client();
  });
  after(async () => {
    await srv?.stop();
    await rx?.close();
  });

  async function tenant() {
    const T = uid('tp');
    await admin.tenants.upsert(T, {});
    return T;
  }

  async function webhook(T, path, over = {}) {
    return admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(path) }, ...over });
  }

  /** Attempts of one (event, destination) pair from the log API. */
  async function attempts(eventId, destinationId) {
    const q = `event_id=${encodeURIComponent(eventId)}${destinationId ? `&destination_id=${encodeURIComponent(destinationId)}` : ''}`;
    const r = await srv.raw('GET', `/attempts?${q}&dir=asc`);
    assert.equal(r.status, 200, show(r));
    return r.json.models;
  }

  /** Wait until the log shows a successful attempt for every destination id. */
  async function waitDelivered(eventId, destIds, timeoutMs = 10000) {
    for (const d of destIds) {
      await waitFor(async () => (await attempts(eventId, d)).some((a) => a.status === 'success'),
        { timeoutMs, what: `successful attempt of event ${eventId} to ${d}` });
    }
  }

  test('headers, signature and byte-exact body of a raw publish', async () => {
    const T = await tenant();
    const d = await webhook(T, `/${T}/hook`, {
      config: { url: `${rx.url(`/${T}/hook`)}?src=hookpost&x=1` },
      deliveryMetadata: { 'app-id': 'app-7', trace: 'from-destination' },
    });
    const id = uid('evt_raw');
    // Unusual but valid JSON: whitespace, key order, escapes, big and
    // non-canonical numbers, non-ASCII, an emoji as a surrogate pair.
    const DATA = '{ "z" : 1,"a":{"y":[1, 2.50,-0,1E3, 12345678901234567890123],\n\t"x":"\\u00e9 é 😀 \\ud83d\\ude00 \\"q\\" \\/"} ,"empty":{},"n":null,"t":true }';
    const reqBody = `{"tenant_id":"${T}","id":"${id}","topic":"order.created","metadata":{"trace":"from-event","Region":"eu"},"data":${DATA}}`;
    const t0 = Date.now();
    const p = await srv.raw('POST', '/publish', { rawBody: reqBody });
    assert.equal(p.status, 202, show(p));
    assert.equal(p.json.id, id, show(p));
    assert.equal(p.json.duplicate, false, show(p));
    assert.deepEqual(p.json.destination_ids, [d.id], show(p));

    const [rec] = await rx.waitCount(`/${T}/hook`, 1);
    assert.equal(rec.method, 'POST');
    assert.equal(rec.url, `/${T}/hook?src=hookpost&x=1`, 'the query string of config.url must be kept');
    assert.ok(rec.body.equals(Buffer.from(DATA, 'utf8')),
      `body must be the published data bytes exactly\nexpected: ${JSON.stringify(DATA)}\nreceived: ${JSON.stringify(rec.text)}`);
    const h = rec.headers;
    assert.match(h['content-type'] || '', /^application\/json/i, 'content-type');
    assert.equal(h['x-outpost-event-id'], id);
    assert.equal(h['x-outpost-topic'], 'order.created');
    assert.match(h['x-outpost-timestamp'] || '', RFC3339_SECONDS, `x-outpost-timestamp ${h['x-outpost-timestamp']}`);
    const ts = Date.parse(h['x-outpost-timestamp']);
    assert.ok(ts >= Math.floor(t0 / 1000) * 1000 - 1000 && ts <= rec.receivedAt + 1000,
      `timestamp ${h['x-outpost-timestamp']} must be the delivery time (received at ${new Date(rec.receivedAt).toISOString()})`);
    // metadata merge: system < destination delivery_metadata < event metadata
    assert.equal(h['x-outpost-trace'], 'from-event', 'event metadata wins over delivery_metadata');
    assert.equal(h['x-outpost-app-id'], 'app-7', 'delivery_metadata is sent');
    assert.equal(h['x-outpost-region'], 'eu', 'event metadata is sent');
    assert.ok(h['user-agent'], 'a User-Agent is sent');

    const sigs = parseV0(h['x-outpost-signature']);
    assert.ok(sigs, `x-outpost-signature must be "v0=<hex>": ${h['x-outpost-signature']}`);
    assert.deepEqual(sigs, [hmacHex(d.credentials.secret, rec.body)],
      'signature = hex HMAC-SHA256(key = full whsec_ secret, raw body), exactly one while not rotating');
    assert.notEqual(sigs[0], hmacHex(d.credentials.secret.replace(/^whsec_/, ''), rec.body), 'key includes the whsec_ prefix');

    // the attempt in the log agrees
    await waitDelivered(id, [d.id]);
    const [a] = await attempts(id, d.id);
    assert.equal(a.code, '200');
    assert.equal(a.attempt_number, 1);
    assert.equal(a.manual, false);
  });

  test('SDK publish: the body is exactly the JSON the SDK sent for data (key order kept)', async () => {
    const T = await tenant();
    const d = await webhook(T, `/${T}/sdk`);
    const data = { zeta: 'last-first', alpha: { nested: [3, 2, 1], b: true, a: null }, mid: 1.5, text: 'ünïcødé ✓', '': 'empty key' };
    const res = await admin.publish({ tenantId: T, topic: 'user.created', data, metadata: { source: 'sdk' } });
    assert.equal(res.duplicate, false);
    assert.deepEqual(res.destinationIds, [d.id]);
    const [rec] = await rx.waitCount(`/${T}/sdk`, 1);
    assert.equal(rec.text, JSON.stringify(data), 'byte-exact body');
    assert.equal(rec.headers['x-outpost-event-id'], res.id);
    assert.equal(rec.headers['x-outpost-source'], 'sdk');
    assert.equal(rec.headers['x-outpost-signature'], `v0=${hmacHex(d.credentials.secret, rec.body)}`);
    // the stored event keeps the payload and metadata
    const ev = await admin.events.get(res.id);
    assert.deepEqual(ev.data, data);
    assert.deepEqual(ev.metadata, { source: 'sdk' });
    assert.equal(ev.topic, 'user.created');
    assert.deepEqual(ev.matchedDestinationIds, [d.id]);
  });

  test('fan-out: one event reaches every matching destination once, each signed with its own secret', async () => {
    const T = await tenant();
    const other = await tenant();
    const ds = [];
    for (let i = 1; i <= 4; i++) ds.push(await webhook(T, `/${T}/fan/${i}`));
    await webhook(other, `/${other}/fan`); // another tenant's destination must not receive it
    const res = await admin.publish({ tenantId: T, topic: 'order.paid', data: { n: 1 } });
    assert.deepEqual([...res.destinationIds].sort(), ds.map((d) => d.id).sort(), 'destination_ids = all 4');
    await waitDelivered(res.id, ds.map((d) => d.id));
    await sleep(300);
    const secrets = new Set();
    for (let i = 1; i <= 4; i++) {
      const recs = rx.at(`/${T}/fan/${i}`);
      assert.equal(recs.length, 1, `destination ${i} must receive exactly one request, got ${recs.length}`);
      assert.equal(recs[0].headers['x-outpost-event-id'], res.id);
      assert.equal(recs[0].text, '{"n":1}');
      assert.equal(recs[0].headers['x-outpost-signature'], `v0=${hmacHex(ds[i - 1].credentials.secret, recs[0].body)}`,
        `destination ${i} must be signed with its own secret`);
      secrets.add(recs[0].headers['x-outpost-signature']);
    }
    assert.equal(secrets.size, 4, 'four different signatures');
    assert.equal(rx.at(`/${other}/fan`).length, 0, "another tenant's destination must not receive the event");
  });

  test('topic routing: only destinations subscribed to the topic receive it', async () => {
    const T = await tenant();
    const A = await webhook(T, `/${T}/A`, { topics: ['user.created'] });
    const B = await webhook(T, `/${T}/B`, { topics: ['user.created', 'order.paid'] });
    const C = await webhook(T, `/${T}/C`, { topics: ['*'] });
    const cases = [
      ['user.created', [A, B, C]],
      ['order.paid', [B, C]],
      ['user.updated', [C]],
    ];
    const published = [];
    for (const [topic, want] of cases) {
      const res = await admin.publish({ tenantId: T, topic, data: { topic } });
      assert.deepEqual([...res.destinationIds].sort(), want.map((d) => d.id).sort(), `destination_ids for ${topic}`);
      published.push([res.id, topic, want]);
    }
    for (const [id, , want] of published) await waitDelivered(id, want.map((d) => d.id));
    await sleep(300);
    const topicsAt = (p) => rx.at(`/${T}/${p}`).map((r) => r.headers['x-outpost-topic']).sort();
    assert.deepEqual(topicsAt('A'), ['user.created']);
    assert.deepEqual(topicsAt('B'), ['order.paid', 'user.created']);
    assert.deepEqual(topicsAt('C'), ['order.paid', 'user.created', 'user.updated']);
    for (const p of ['A', 'B', 'C']) {
      for (const r of rx.at(`/${T}/${p}`)) assert.equal(r.text, JSON.stringify({ topic: r.headers['x-outpost-topic'] }));
    }
  });

  test('publish validates the topic against TOPICS', async () => {
    const T = await tenant();
    await webhook(T, `/${T}/v`);
    const bad = await srv.raw('POST', '/publish', { body: { tenant_id: T, topic: 'not.configured', data: { a: 1 } } });
    assert.equal(bad.status, 422, show(bad));
    assert.ok(JSON.stringify(bad.json?.data || '').includes('topic is invalid'), show(bad));
    const none = await srv.raw('POST', '/publish', { body: { tenant_id: T, data: { a: 1 } } });
    assert.equal(none.status, 422, show(none));
    assert.ok(JSON.stringify(none.json?.data || '').includes('topic is required'), show(none));
    const notObj = await srv.raw('POST', '/publish', { body: { tenant_id: T, topic: 'user.created', data: [1, 2] } });
    assert.equal(notObj.status, 422, show(notObj));
    await sleep(200);
    assert.equal(rx.at(`/${T}/v`).length, 0, 'rejected publishes deliver nothing');
  });

  test('filters decide which destinations get an event', async () => {
    const T = await tenant();
    const F = {
      all: undefined,
      emptyFilter: {},
      amt: { data: { amount: { $gte: 100 } } },
      eu: { data: { type: 'a' }, metadata: { region: { $in: ['eu', 'us'] } } },
      vip: { $or: [{ topic: 'order.refunded' }, { data: { tags: 'vip' } }] },
      mail: { data: { user: { email: { $endsWith: '@example.com' } } } },
      nox: { data: { x: { $exist: false } } },
      notCancelled: { data: { $not: { status: 'cancelled' } } },
    };
    const dests = {};
    for (const [name, filter] of Object.entries(F)) {
      dests[name] = await webhook(T, `/${T}/f/${name}`, filter === undefined ? {} : { filter });
    }
    const events = [
      { topic: 'order.created', metadata: { region: 'eu' },
        data: { type: 'a', amount: 150, tags: ['x', 'vip'], user: { email: 'bob@example.com' }, status: 'new' },
        want: ['all', 'emptyFilter', 'amt', 'eu', 'vip', 'mail', 'nox', 'notCancelled'] },
      { topic: 'order.refunded', metadata: { region: 'apac' },
        data: { type: 'a', amount: 99.5, tags: ['x'], user: { email: 'bob@example.org' }, x: 1, status: 'cancelled' },
        want: ['all', 'emptyFilter', 'vip'] },
      { topic: 'order.created', metadata: { region: 'us' },
        data: { type: 'b', amount: '100', user: {}, status: 'cancelled' },
        want: ['all', 'emptyFilter', 'nox'] },
      { topic: 'order.created',
        data: { type: 'a', amount: 100, tags: 'vip', status: 'new' },
        want: ['all', 'emptyFilter', 'amt', 'vip', 'nox', 'notCancelled'] },
    ];
    const expectByDest = Object.fromEntries(Object.keys(F).map((k) => [k, []]));
    for (const [i, e] of events.entries()) {
      const res = await admin.publish({ tenantId: T, topic: e.topic, metadata: e.metadata, data: { ...e.data, i } });
      const got = res.destinationIds.map((id) => Object.keys(dests).find((k) => dests[k].id === id)).sort();
      assert.deepEqual(got, [...e.want].sort(), `event ${i} (${JSON.stringify(e.data)}) matched destinations`);
      for (const k of e.want) expectByDest[k].push(res.id);
      await waitDelivered(res.id, e.want.map((k) => dests[k].id));
    }
    await sleep(300);
    for (const [k, ids] of Object.entries(expectByDest)) {
      const got = rx.at(`/${T}/f/${k}`).map((r) => r.headers['x-outpost-event-id']).sort();
      assert.deepEqual(got, [...ids].sort(), `deliveries received by the "${k}" destination`);
    }
  });

  test('disabled destinations get nothing; re-enabled ones get only new events', async () => {
    const T = await tenant();
    const on = await webhook(T, `/${T}/on`);
    const off = await webhook(T, `/${T}/off`);
    await admin.destinations.disable(T, off.id);
    const r1 = await admin.publish({ tenantId: T, topic: 'user.created', data: { n: 1 } });
    assert.deepEqual(r1.destinationIds, [on.id], 'a disabled destination is not matched');
    const r2 = await admin.publish({ tenantId: T, topic: 'user.created', destinationId: off.id, data: { n: 2 } });
    assert.deepEqual(r2.destinationIds, [], 'publishing straight to a disabled destination matches nothing');
    await waitDelivered(r1.id, [on.id]);
    await admin.destinations.enable(T, off.id);
    const r3 = await admin.publish({ tenantId: T, topic: 'user.created', data: { n: 3 } });
    assert.deepEqual([...r3.destinationIds].sort(), [on.id, off.id].sort());
    await waitDelivered(r3.id, [on.id, off.id]);
    await sleep(300);
    assert.deepEqual(rx.at(`/${T}/off`).map((r) => r.headers['x-outpost-event-id']), [r3.id],
      'the re-enabled destination receives only the event published after enabling');
    assert.deepEqual(rx.at(`/${T}/on`).map((r) => r.headers['x-outpost-event-id']).sort(), [r1.id, r3.id].sort());
    const ev2 = await admin.events.get(r2.id);
    assert.deepEqual(ev2.matchedDestinationIds, [], 'the event sent to the disabled destination is stored, matching nothing');
  });

  test('destination_id: only that destination, and only if it matches', async () => {
    const T = await tenant();
    const a = await webhook(T, `/${T}/a`);
    const b = await webhook(T, `/${T}/b`, { topics: ['user.created'] });
    const r1 = await admin.publish({ tenantId: T, topic: 'user.created', destinationId: b.id, data: { to: 'b' } });
    assert.deepEqual(r1.destinationIds, [b.id]);
    const r2 = await admin.publish({ tenantId: T, topic: 'order.paid', destinationId: b.id, data: { to: 'b-wrong-topic' } });
    assert.deepEqual(r2.destinationIds, [], 'destination_id whose topics do not match -> nothing');
    const r3 = await admin.publish({ tenantId: T, topic: 'order.paid', destinationId: 'no-such-destination', data: { to: 'none' } });
    assert.deepEqual(r3.destinationIds, [], 'unknown destination_id -> 202 with nothing matched');
    await waitDelivered(r1.id, [b.id]);
    await sleep(300);
    assert.equal(rx.at(`/${T}/a`).length, 0, 'the other destination does not receive a targeted event');
    assert.deepEqual(rx.at(`/${T}/b`).map((r) => r.text), ['{"to":"b"}']);
    assert.ok(a.id);
  });

  test('duplicate event ids are accepted once and delivered once', async () => {
    const T = await tenant();
    const d = await webhook(T, `/${T}/dup`);
    const id = uid('evt_dup');
    const first = await admin.publish({ id, tenantId: T, topic: 'user.created', data: { v: 'first' } });
    assert.equal(first.id, id);
    assert.equal(first.duplicate, false);
    assert.deepEqual(first.destinationIds, [d.id]);
    const second = await admin.publish({ id, tenantId: T, topic: 'user.created', data: { v: 'second' } });
    assert.equal(second.id, id);
    assert.equal(second.duplicate, true, 'same id again -> duplicate:true');
    assert.deepEqual(second.destinationIds, [], 'a duplicate is not queued again');
    // concurrent duplicates: exactly one of them is the original
    const id2 = uid('evt_dup2');
    const many = await Promise.all(Array.from({ length: 8 }, (_, i) => srv.raw('POST', '/publish',
      { body: { id: id2, tenant_id: T, topic: 'user.created', data: { v: `c${i}` } } })));
    for (const r of many) assert.ok(r.status === 202 || r.status === 409, show(r));
    const originals = many.filter((r) => r.status === 202 && r.json.duplicate === false);
    assert.equal(originals.length, 1, `exactly one concurrent publish is the original: ${many.map(show).join('\n')}`);
    await waitDelivered(id, [d.id]);
    await waitDelivered(id2, [d.id]);
    await sleep(400);
    const got = rx.at(`/${T}/dup`);
    assert.deepEqual(got.filter((r) => r.headers['x-outpost-event-id'] === id).map((r) => r.text), ['{"v":"first"}'],
      'delivered once, with the first payload');
    const c2 = got.filter((r) => r.headers['x-outpost-event-id'] === id2);
    assert.equal(c2.length, 1, 'the concurrent duplicates are delivered once');
    assert.equal(c2[0].text, JSON.stringify(JSON.parse(originals[0].reqBody).data),
      'with the payload of the publish that was answered duplicate:false');
    const ev = await admin.events.get(id);
    assert.deepEqual(ev.data, { v: 'first' }, 'the stored event keeps the first payload');
  });

  test('events that match nothing (or an unknown tenant) are stored with matched_destination_ids []', async () => {
    const T = await tenant();
    await webhook(T, `/${T}/only-user`, { topics: ['user.created'] });
    const r1 = await admin.publish({ tenantId: T, topic: 'order.paid', data: { unmatched: true } });
    assert.deepEqual(r1.destinationIds, []);
    const ghost = uid('ghost');
    const r2 = await srv.raw('POST', '/publish', { body: { tenant_id: ghost, topic: 'order.paid', data: { ghost: true } } });
    assert.equal(r2.status, 202, show(r2));
    assert.deepEqual(r2.json.destination_ids, [], show(r2));
    const g1 = await srv.raw('GET', `/events/${r1.id}`);
    assert.equal(g1.status, 200, show(g1));
    assert.deepEqual(g1.json.matched_destination_ids, [], show(g1));
    assert.deepEqual(g1.json.data, { unmatched: true });
    const l1 = await srv.raw('GET', `/events?tenant_id=${T}`);
    assert.equal(l1.status, 200, show(l1));
    assert.deepEqual(l1.json.models.map((e) => [e.id, e.matched_destination_ids]), [[r1.id, []]], show(l1));
    const l2 = await srv.raw('GET', `/events?tenant_id=${ghost}`);
    assert.equal(l2.status, 200, show(l2));
    assert.deepEqual(l2.json.models.map((e) => [e.id, e.tenant_id, e.matched_destination_ids]), [[r2.json.id, ghost, []]], show(l2));
    await sleep(200);
    assert.equal(rx.at(`/${T}/only-user`).length, 0);
  });

  test('config.custom_headers are sent with the delivery', async () => {
    const T = await tenant();
    const d = await webhook(T, `/${T}/custom`, {
      config: { url: rx.url(`/${T}/custom`), customHeaders: JSON.stringify({ 'X-Custom-One': 'v1', x_two: 'two words' }) },
    });
    const res = await admin.publish({ tenantId: T, topic: 'user.created', data: { c: 1 } });
    const [rec] = await rx.waitCount(`/${T}/custom`, 1);
    assert.equal(rec.headers['x-custom-one'], 'v1');
    assert.equal(rec.headers.x_two, 'two words');
    assert.equal(rec.headers['x-outpost-event-id'], res.id, 'system headers are still sent');
    assert.equal(rec.headers['x-outpost-signature'], `v0=${hmacHex(d.credentials.secret, rec.body)}`);
  });

  test('config.custom_headers values with CR/LF are refused (no header injection) and nothing is stored', async () => {
    const T = await tenant();
    const bad = JSON.stringify({ 'X-A': 'v\r\nX-Injected: yes' });
    const r = await srv.raw('POST', `/tenants/${T}/destinations`, {
      body: { type: 'webhook', topics: ['*'], config: { url: rx.url(`/${T}/inj`), custom_headers: bad } },
    });
    assert.equal(r.status, 422, show(r));
    assert.ok(r.json.data.some((m) => /custom_headers\.X-A/.test(m) && /control characters/.test(m)), show(r));
    const list = await srv.raw('GET', `/tenants/${T}/destinations`);
    assert.deepEqual(list.json, [], 'nothing stored');
    const d = await webhook(T, `/${T}/inj`);
    const p = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`, { body: { config: { custom_headers: bad } } });
    assert.equal(p.status, 422, show(p));
    const g = await srv.raw('GET', `/tenants/${T}/destinations/${d.id}`);
    assert.equal(g.json.config.custom_headers, undefined, show(g));
  });

  test('secret rotation: both signatures (current first) until previous_secret_invalid_at, then one', async () => {
    const T = await tenant();
    const d = await webhook(T, `/${T}/rot`);
    const s0 = d.credentials.secret;
    const path = `/${T}/rot`;
    async function deliverOne(n) {
      const res = await admin.publish({ tenantId: T, topic: 'user.created', data: { n } });
      const recs = await rx.waitCount(path, n);
      const rec = recs[n - 1];
      assert.equal(rec.headers['x-outpost-event-id'], res.id);
      return rec;
    }
    const rotated = await admin.destinations.update(T, d.id, { type: 'webhook', credentials: { rotateSecret: true } });
    const s1 = rotated.credentials.secret;
    assert.notEqual(s1, s0, 'rotation generates a new secret');
    assert.equal(rotated.credentials.previousSecret, s0, 'the old secret becomes previous_secret');
    const inv = rotated.credentials.previousSecretInvalidAt?.getTime();
    assert.ok(inv && Math.abs(inv - (Date.now() + 24 * 3600e3)) < 120e3, `previous_secret_invalid_at defaults to now+24h: ${rotated.credentials.previousSecretInvalidAt}`);

    const rec1 = await deliverOne(1);
    assert.deepEqual(parseV0(rec1.headers['x-outpost-signature']), [hmacHex(s1, rec1.body), hmacHex(s0, rec1.body)],
      `during rotation: v0=<current>,<previous>; got ${rec1.headers['x-outpost-signature']}`);

    // rotate again, with the previous secret valid for ~2 more seconds only
    const until = new Date(Math.ceil((Date.now() + 2500) / 1000) * 1000);
    const r2 = await srv.raw('PATCH', `/tenants/${T}/destinations/${d.id}`,
      { body: { credentials: { rotate_secret: true, previous_secret_invalid_at: until.toISOString().replace('.000Z', 'Z') } } });
    assert.equal(r2.status, 200, show(r2));
    const s2 = r2.json.credentials.secret;
    assert.equal(r2.json.credentials.previous_secret, s1, show(r2));
    assert.equal(Date.parse(r2.json.credentials.previous_secret_invalid_at), until.getTime(), show(r2));

    const rec2 = await deliverOne(2);
    assert.deepEqual(parseV0(rec2.headers['x-outpost-signature']), [hmacHex(s2, rec2.body), hmacHex(s1, rec2.body)]);
    await waitFor(() => Date.now() > until.getTime() + 200, { timeoutMs: 5000, what: 'previous secret expiry' });
    const rec3 = await deliverOne(3);
    assert.deepEqual(parseV0(rec3.headers['x-outpost-signature']), [hmacHex(s2, rec3.body)],
      `after previous_secret_invalid_at only the current secret signs; got ${rec3.headers['x-outpost-signature']}`);
    const after = await srv.raw('GET', `/tenants/${T}/destinations/${d.id}`);
    assert.equal(after.json.credentials.secret, s2);
    assert.equal(after.json.credentials.previous_secret, undefined, `expired previous_secret is omitted: ${show(after)}`);
  });
});
