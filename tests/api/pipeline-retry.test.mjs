// Automatic retries (schedule, numbering, Retry-After, timeouts, network
// errors, eligible_for_retry, disabled/deleted destinations) and manual
// retries through POST /retry, checked against what a real receiver got and
// what the log API reports.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, show, uid, freePort, sdkError } from './lib/server.mjs';
import { startReceiver, waitFor, sleep } from './lib/receiver.mjs';

/** Log-API attempts of (event, destination), oldest first. */
async function attemptsOf(srv, eventId, destinationId, extra = '') {
  const r = await srv.raw('GET', `/attempts?event_id=${encodeURIComponent(eventId)}&destination_id=${encodeURIComponent(destinationId)}&dir=asc${extra}`);
  assert.equal(r.status, 200, show(r));
  return r.json.models;
}

function summary(list) {
  return list.map((a) => `#${a.attempt_number} ${a.status} ${a.code}${a.manual ? ' manual' : ''}`).join(', ');
}

describe('pipeline: automatic retries (RETRY_SCHEDULE=1,1)', { concurrency: true }, () => {
  let srv;
  let admin;
  let rx;

  before(async () => {
    rx = await startReceiver();
    srv = await startServer({ env: { RETRY_SCHEDULE: '1,1', DELIVERY_TIMEOUT_SECONDS: '1' } });
    admin = srv.client();
  });
  after(async () => {
    await srv?.stop();
    await rx?.close();
  });

  async function setup(behaviour, destOver = {}) {
    const T = uid('tr');
    await admin.tenants.upsert(T, {});
    const path = `/${T}/hook`;
    if (behaviour) rx.on(path, behaviour);
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(path) }, ...destOver });
    return { T, path, d };
  }

  test('an always-failing destination gets exactly 3 attempts, numbered 1..3, one schedule step apart', async () => {
    const { T, path, d } = await setup({ failStatus: 500, body: 'nope' });
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { always: 'fails' } });
    const recs = await rx.waitCount(path, 3, { timeoutMs: 8000 });
    for (let i = 1; i < 3; i++) {
      const gap = recs[i].receivedAt - recs[i - 1].receivedAt;
      assert.ok(gap >= 900 && gap <= 3500, `gap before attempt ${i + 1} = ${gap} ms, schedule says 1 s`);
    }
    for (const r of recs) {
      assert.equal(r.headers['x-outpost-event-id'], res.id);
      assert.equal(r.text, '{"always":"fails"}', 'retries send the same body');
    }
    const list = await waitFor(async () => { const a = await attemptsOf(srv, res.id, d.id); return a.length >= 3 ? a : null; },
      { what: 'three attempts in the log' });
    // no fourth delivery: wait well past when it would be due
    await sleep(2500);
    assert.equal(rx.at(path).length, 3, 'exactly 3 requests reached the receiver');
    const final = await attemptsOf(srv, res.id, d.id, '&include[]=response_data');
    assert.equal(final.length, 3, `exactly 3 attempts: ${summary(final)}`);
    assert.deepEqual(final.map((a) => a.attempt_number).sort(), [1, 2, 3]);
    for (const a of final) {
      assert.equal(a.status, 'failed');
      assert.equal(a.code, '500');
      assert.equal(a.manual, false);
      assert.equal(a.destination_type, 'webhook');
      assert.equal(a.event_id, res.id);
      assert.deepEqual(a.response_data, { status: 500, body: 'nope' });
    }
    assert.equal(new Set(final.map((a) => a.id)).size, 3, 'distinct attempt ids');
    assert.ok(list.length >= 3);
  });

  test('fail twice then succeed: attempts failed, failed, success and nothing after', async () => {
    const { T, path, d } = await setup({ failFirst: 2, failStatus: 502, status: 201, body: 'created' });
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { n: 2 } });
    await rx.waitCount(path, 3, { timeoutMs: 8000 });
    const list = await waitFor(async () => {
      const a = await attemptsOf(srv, res.id, d.id, '&include[]=response_data');
      return a.some((x) => x.status === 'success') ? a : null;
    }, { what: 'a successful attempt' });
    await sleep(1800);
    assert.equal(rx.at(path).length, 3, 'no delivery after the success');
    const final = await attemptsOf(srv, res.id, d.id, '&include[]=response_data');
    assert.deepEqual(final.map((a) => [a.attempt_number, a.status, a.code]).sort((x, y) => x[0] - y[0]),
      [[1, 'failed', '502'], [2, 'failed', '502'], [3, 'success', '201']], summary(final));
    assert.deepEqual(final.find((a) => a.status === 'success').response_data, { status: 201, body: 'created' });
    assert.ok(list.length);
  });

  test('eligible_for_retry:false -> one attempt only', async () => {
    const { T, path, d } = await setup({ failStatus: 500 });
    const res = await admin.publish({ tenantId: T, topic: 'a', eligibleForRetry: false, data: { once: true } });
    await rx.waitCount(path, 1);
    await waitFor(async () => (await attemptsOf(srv, res.id, d.id)).length >= 1, { what: 'first attempt in the log' });
    await sleep(2500);
    assert.equal(rx.at(path).length, 1, 'not retried');
    const list = await attemptsOf(srv, res.id, d.id);
    assert.equal(list.length, 1, summary(list));
    const ev = await srv.raw('GET', `/events/${res.id}`);
    assert.equal(ev.json.eligible_for_retry, false, show(ev));
  });

  for (const status of [503, 429]) {
    test(`Retry-After on ${status} lengthens the delay`, async () => {
      const { T, path, d } = await setup({ failFirst: 1, failStatus: status, retryAfter: 3 });
      const res = await admin.publish({ tenantId: T, topic: 'a', data: { status } });
      const recs = await rx.waitCount(path, 2, { timeoutMs: 9000 });
      const gap = recs[1].receivedAt - recs[0].receivedAt;
      assert.ok(gap >= 2800, `Retry-After: 3 must delay the retry to >= 3 s (schedule says 1 s); gap was ${gap} ms`);
      assert.ok(gap <= 6000, `retry should come soon after Retry-After elapses; gap was ${gap} ms`);
      const list = await waitFor(async () => { const a = await attemptsOf(srv, res.id, d.id); return a.length >= 2 ? a : null; },
        { what: 'two attempts' });
      assert.deepEqual(list.map((a) => [a.attempt_number, a.status, a.code]), [[1, 'failed', String(status)], [2, 'success', '200']]);
    });
  }

  test('a timeout is a failed attempt (code timeout) and is retried', async () => {
    const { T, path, d } = await setup({ delayMs: 1800 });
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { slow: true } });
    await rx.waitCount(path, 2, { timeoutMs: 8000 });
    const list = await waitFor(async () => { const a = await attemptsOf(srv, res.id, d.id); return a.length >= 2 ? a : null; },
      { timeoutMs: 8000, what: 'two attempts' });
    assert.deepEqual(list.slice(0, 2).map((a) => [a.attempt_number, a.status, a.code]), [[1, 'failed', 'timeout'], [2, 'failed', 'timeout']],
      summary(list));
  });

  test('connection refused is a failed attempt (code connection_refused), retried to the limit', async () => {
    const T = uid('tr');
    await admin.tenants.upsert(T, {});
    const port = await freePort();
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: `http://127.0.0.1:${port}/nobody` } });
    const res = await admin.publish({ tenantId: T, topic: 'a', data: {} });
    const list = await waitFor(async () => { const a = await attemptsOf(srv, res.id, d.id); return a.length >= 3 ? a : null; },
      { timeoutMs: 8000, what: 'three attempts' });
    await sleep(1500);
    const final = await attemptsOf(srv, res.id, d.id);
    assert.deepEqual(final.map((a) => [a.attempt_number, a.status, a.code]),
      [[1, 'failed', 'connection_refused'], [2, 'failed', 'connection_refused'], [3, 'failed', 'connection_refused']], summary(final));
    assert.ok(list.length);
  });

  test('disabling a destination stops its pending retries', async () => {
    const { T, path, d } = await setup({ failStatus: 500 });
    await admin.publish({ tenantId: T, topic: 'a', data: { d: 1 } });
    await rx.waitCount(path, 1);
    await admin.destinations.disable(T, d.id);
    await sleep(2800);
    assert.equal(rx.at(path).length, 1, 'no retry reaches a disabled destination');
  });

  test('deleting a destination stops its pending retries', async () => {
    const { T, path, d } = await setup({ failStatus: 500 });
    await admin.publish({ tenantId: T, topic: 'a', data: { d: 2 } });
    await rx.waitCount(path, 1);
    await admin.destinations.delete(T, d.id);
    await sleep(2800);
    assert.equal(rx.at(path).length, 1, 'no retry reaches a deleted destination');
  });
});

describe('pipeline: manual retry (POST /retry)', { concurrency: true }, () => {
  let srv;
  let admin;
  let rx;

  before(async () => {
    rx = await startReceiver();
    srv = await startServer({ env: { RETRY_SCHEDULE: '1,1', TOPICS: 'a,b' } });
    admin = srv.client();
  });
  after(async () => {
    await srv?.stop();
    await rx?.close();
  });

  async function setup(behaviour, destOver = {}) {
    const T = uid('tm');
    await admin.tenants.upsert(T, {});
    const path = `/${T}/hook`;
    if (behaviour) rx.on(path, behaviour);
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(path) }, ...destOver });
    return { T, path, d };
  }

  test('after retries are exhausted, a manual retry delivers again as attempt 4 (manual) and nothing follows', async () => {
    const { T, path, d } = await setup({ failStatus: 500 });
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { m: 1 } });
    await waitFor(async () => (await attemptsOf(srv, res.id, d.id)).length >= 3, { timeoutMs: 8000, what: '3 automatic attempts' });
    await sleep(1300);
    assert.equal((await attemptsOf(srv, res.id, d.id)).length, 3);
    rx.on(path, { status: 200 });
    const ok = await admin.retry({ eventId: res.id, destinationId: d.id });
    assert.equal(admin.last.status, 202);
    assert.deepEqual(ok, { success: true });
    const recs = await rx.waitCount(path, 4);
    assert.equal(recs[3].headers['x-outpost-event-id'], res.id);
    assert.equal(recs[3].text, '{"m":1}', 'manual retry sends the same body');
    const list = await waitFor(async () => { const a = await attemptsOf(srv, res.id, d.id); return a.length >= 4 ? a : null; },
      { what: 'the manual attempt in the log' });
    const m = list.find((a) => a.attempt_number === 4);
    assert.ok(m, `attempt_number 4 expected: ${summary(list)}`);
    assert.equal(m.manual, true);
    assert.equal(m.status, 'success');
    assert.equal(m.code, '200');
    assert.equal(list.filter((a) => a.manual).length, 1, summary(list));
    await sleep(1300);
    assert.equal(rx.at(path).length, 4, 'nothing after the manual success');
  });

  test('manual failure after exhaustion is recorded and not retried automatically', async () => {
    const { T, path, d } = await setup({ failStatus: 500 });
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { m: 2 } });
    await waitFor(async () => (await attemptsOf(srv, res.id, d.id)).length >= 3, { timeoutMs: 8000, what: '3 automatic attempts' });
    const r = await srv.raw('POST', '/retry', { body: { event_id: res.id, destination_id: d.id } });
    assert.equal(r.status, 202, show(r));
    assert.deepEqual(r.json, { success: true }, show(r));
    await rx.waitCount(path, 4);
    await sleep(2500);
    const list = await attemptsOf(srv, res.id, d.id);
    assert.deepEqual(list.map((a) => [a.attempt_number, a.status, a.manual]),
      [[1, 'failed', false], [2, 'failed', false], [3, 'failed', false], [4, 'failed', true]], summary(list));
    assert.equal(rx.at(path).length, 4);
  });

  test('retrying a successful delivery delivers it again; sequential manual retries are numbered 2, 3', async () => {
    const { T, path, d } = await setup();
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { again: true } });
    await rx.waitCount(path, 1);
    await waitFor(async () => (await attemptsOf(srv, res.id, d.id)).length >= 1, { what: 'first attempt' });
    for (const n of [2, 3]) {
      const r = await srv.raw('POST', '/retry', { body: { event_id: res.id, destination_id: d.id } });
      assert.equal(r.status, 202, show(r));
      await rx.waitCount(path, n);
      await waitFor(async () => (await attemptsOf(srv, res.id, d.id)).length >= n, { what: `attempt ${n}` });
    }
    const list = await attemptsOf(srv, res.id, d.id);
    assert.deepEqual(list.map((a) => [a.attempt_number, a.status, a.manual]),
      [[1, 'success', false], [2, 'success', true], [3, 'success', true]], summary(list));
    for (const r of rx.at(path)) assert.equal(r.text, '{"again":true}');
  });

  test('two concurrent manual retries both run, as distinct attempts with distinct attempt numbers', async () => {
    const { T, path, d } = await setup();
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { twice: true } });
    await rx.waitCount(path, 1);
    await waitFor(async () => (await attemptsOf(srv, res.id, d.id)).length >= 1, { what: 'first attempt' });
    const rs = await Promise.all([1, 2].map(() => srv.raw('POST', '/retry', { body: { event_id: res.id, destination_id: d.id } })));
    for (const r of rs) assert.equal(r.status, 202, show(r));
    await rx.waitCount(path, 3);
    const list = await waitFor(async () => { const a = await attemptsOf(srv, res.id, d.id); return a.length >= 3 ? a : null; },
      { what: 'three attempts' });
    assert.equal(new Set(list.map((a) => a.id)).size, 3, 'three distinct attempt ids');
    assert.deepEqual(list.map((a) => a.manual).sort(), [false, true, true], summary(list));
    assert.deepEqual(list.map((a) => a.attempt_number).sort(), [1, 2, 3],
      `attempt_number must be unique per (event, destination): ${summary(list)}`);
  });

  test('no earlier attempt needed: an event stored before its destination existed can be retried to it', async () => {
    const T = uid('tm');
    await admin.tenants.upsert(T, {});
    const res = await admin.publish({ tenantId: T, topic: 'b', data: { late: 1 } });
    assert.deepEqual(res.destinationIds, []);
    const path = `/${T}/late`;
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['b'], config: { url: rx.url(path) } });
    const r = await srv.raw('POST', '/retry', { body: { event_id: res.id, destination_id: d.id } });
    assert.equal(r.status, 202, show(r));
    const [rec] = await rx.waitCount(path, 1);
    assert.equal(rec.headers['x-outpost-event-id'], res.id);
    assert.equal(rec.text, '{"late":1}');
    const list = await waitFor(async () => { const a = await attemptsOf(srv, res.id, d.id); return a.length ? a : null; }, { what: 'attempt' });
    assert.deepEqual(list.map((a) => [a.attempt_number, a.status, a.manual]), [[1, 'success', true]]);
  });

  test('errors: 404 unknown event/destination, 400 disabled, 400 not matching, 422 missing fields', async () => {
    const { T, path, d } = await setup();
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { e: 1 } });
    await rx.waitCount(path, 1);

    const noEvent = await srv.raw('POST', '/retry', { body: { event_id: 'no-such-event', destination_id: d.id } });
    assert.equal(noEvent.status, 404, show(noEvent));
    const noDest = await srv.raw('POST', '/retry', { body: { event_id: res.id, destination_id: 'no-such-destination' } });
    assert.equal(noDest.status, 404, show(noDest));
    await sdkError(admin.retry({ eventId: 'nope', destinationId: d.id }), 404, 'SDK retry of an unknown event');

    const missing = await srv.raw('POST', '/retry', { body: { event_id: res.id } });
    assert.equal(missing.status, 422, show(missing));
    const missing2 = await srv.raw('POST', '/retry', { body: { destination_id: d.id } });
    assert.equal(missing2.status, 422, show(missing2));

    const narrow = await admin.destinations.create(T, { type: 'webhook', topics: ['b'], config: { url: rx.url(`/${T}/narrow`) } });
    const mismatch = await srv.raw('POST', '/retry', { body: { event_id: res.id, destination_id: narrow.id } });
    assert.equal(mismatch.status, 400, `topic 'a' event to a 'b'-only destination: ${show(mismatch)}`);
    assert.match(mismatch.json?.message || '', /does not match/, show(mismatch));

    await admin.destinations.disable(T, d.id);
    const disabled = await srv.raw('POST', '/retry', { body: { event_id: res.id, destination_id: d.id } });
    assert.equal(disabled.status, 400, show(disabled));
    assert.deepEqual(disabled.json, { status: 400, message: 'Destination is disabled', data: { error: 'destination_disabled' } }, show(disabled));
    await sleep(1200);
    assert.equal(rx.at(path).length, 1, 'rejected retries deliver nothing');
    assert.equal(rx.at(`/${T}/narrow`).length, 0);
  });

  test('tenant JWT: may retry its own events, not another tenant\'s', async () => {
    const a = await setup();
    const b = await setup();
    const ea = await admin.publish({ tenantId: a.T, topic: 'a', data: { who: 'a' } });
    const eb = await admin.publish({ tenantId: b.T, topic: 'a', data: { who: 'b' } });
    await rx.waitCount(a.path, 1);
    await rx.waitCount(b.path, 1);
    const tokA = await srv.token(a.T);
    const own = await srv.raw('POST', '/retry', { token: tokA, body: { event_id: ea.id, destination_id: a.d.id } });
    assert.equal(own.status, 202, show(own));
    await rx.waitCount(a.path, 2);
    const foreign = await srv.raw('POST', '/retry', { token: tokA, body: { event_id: eb.id, destination_id: b.d.id } });
    assert.equal(foreign.status, 404, `JWT of ${a.T} retrying ${b.T}'s event: ${show(foreign)}`);
    const mixed = await srv.raw('POST', '/retry', { token: tokA, body: { event_id: eb.id, destination_id: a.d.id } });
    assert.equal(mixed.status, 404, `another tenant's event to own destination: ${show(mixed)}`);
    await sleep(500);
    assert.equal(rx.at(b.path).length, 1, "the other tenant's destination got no extra delivery");
    assert.equal(rx.at(a.path).length, 2);
    const noAuth = await srv.raw('POST', '/retry', { token: null, body: { event_id: ea.id, destination_id: a.d.id } });
    assert.equal(noAuth.status, 401, show(noAuth));
  });
});

describe('pipeline: manual retries and the automatic schedule (RETRY_SCHEDULE=3,3)', { concurrency: true }, () => {
  let srv;
  let admin;
  let rx;

  before(async () => {
    rx = await startReceiver();
    srv = await startServer({ env: { RETRY_SCHEDULE: '3,3' } });
    admin = srv.client();
  });
  after(async () => {
    await srv?.stop();
    await rx?.close();
  });

  async function setup(behaviour) {
    const T = uid('tx');
    await admin.tenants.upsert(T, {});
    const path = `/${T}/hook`;
    rx.on(path, behaviour);
    const d = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(path) } });
    return { T, path, d };
  }

  test('a successful manual retry cancels the pending automatic retry', async () => {
    const { T, path, d } = await setup({ failStatus: 500 });
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { cancel: true } });
    const [first] = await rx.waitCount(path, 1);
    await waitFor(async () => (await attemptsOf(srv, res.id, d.id)).length >= 1, { what: 'first attempt' });
    rx.on(path, { status: 200 });
    const r = await srv.raw('POST', '/retry', { body: { event_id: res.id, destination_id: d.id } });
    assert.equal(r.status, 202, show(r));
    await rx.waitCount(path, 2);
    // the automatic retry was due 3 s after the first attempt; wait past it
    await waitFor(() => Date.now() > first.receivedAt + 4500, { timeoutMs: 6000, what: 'time to pass' });
    const list = await attemptsOf(srv, res.id, d.id);
    assert.deepEqual(list.map((a) => [a.attempt_number, a.status, a.manual]), [[1, 'failed', false], [2, 'success', true]], summary(list));
    assert.equal(rx.at(path).length, 2, 'the pending automatic retry must not run after a manual success');
  });

  test('an automatic retry still in flight when a manual retry succeeds schedules no further retry', async () => {
    // 1: fails at once; 2 (automatic, 3 s later): fails after 2 s; 3 (manual, sent meanwhile): succeeds
    const { T, path, d } = await setup({ respond: (rec, n) => (n === 1 ? { failStatus: 500 } : n === 2 ? { failStatus: 500, delayMs: 2000 } : { status: 200 }) });
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { overlap: true } });
    await rx.waitCount(path, 2, { timeoutMs: 6000 });
    const r = await srv.raw('POST', '/retry', { body: { event_id: res.id, destination_id: d.id } });
    assert.equal(r.status, 202, show(r));
    await rx.waitCount(path, 3);
    const list = await waitFor(async () => { const a = await attemptsOf(srv, res.id, d.id); return a.length >= 3 ? a : null; },
      { timeoutMs: 5000, what: 'the automatic attempt that overlapped the manual one' });
    // a retry after the automatic failure would be due 3 s after it: wait past that
    const autoDone = Date.parse(list.find((a) => a.attempt_number === 2).time);
    await waitFor(() => Date.now() > autoDone + 4500, { timeoutMs: 7000, what: 'time to pass' });
    const final = await attemptsOf(srv, res.id, d.id);
    assert.deepEqual(final.map((a) => [a.attempt_number, a.status, a.manual]).sort((x, y) => x[0] - y[0]),
      [[1, 'failed', false], [2, 'failed', false], [3, 'success', true]], summary(final));
    assert.equal(rx.at(path).length, 3, 'the delivery succeeded (manually): no automatic retry after it');
  });

  test('a failed manual retry consumes the retry budget (1 auto + 1 manual + 1 auto = 3)', async () => {
    const { T, path, d } = await setup({ failStatus: 500 });
    const res = await admin.publish({ tenantId: T, topic: 'a', data: { budget: true } });
    await rx.waitCount(path, 1);
    await waitFor(async () => (await attemptsOf(srv, res.id, d.id)).length >= 1, { what: 'first attempt' });
    const r = await srv.raw('POST', '/retry', { body: { event_id: res.id, destination_id: d.id } });
    assert.equal(r.status, 202, show(r));
    const recs = await rx.waitCount(path, 3, { timeoutMs: 9000 });
    const gap = recs[2].receivedAt - recs[1].receivedAt;
    assert.ok(gap >= 2700, `the automatic retry after the manual failure follows the schedule (3 s); gap ${gap} ms`);
    await sleep(4000);
    const list = await attemptsOf(srv, res.id, d.id);
    assert.deepEqual(list.map((a) => [a.attempt_number, a.status, a.manual]),
      [[1, 'failed', false], [2, 'failed', true], [3, 'failed', false]], summary(list));
    assert.equal(rx.at(path).length, 3, 'budget of 2 retries is spent: no 4th delivery');
  });
});
