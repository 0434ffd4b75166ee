// Metrics API (GET /metrics/events, /metrics/attempts) through the official
// SDK: counts and rates per time bucket and dimension over events with known
// times and attempts really made to a local receiver (one failing first,
// one manual retry). Attempt figures are also recomputed from the attempts
// log, so the aggregate and the listing must agree. Tenancy under JWTs,
// calendar buckets (weeks from Sunday, months), empty buckets, truncation
// and every kind of bad parameter.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, show, uid, sdkError } from './lib/server.mjs';
import { startReceiver, waitFor } from './lib/receiver.mjs';

const DAY = Date.UTC(2025, 2, 2); // Sunday 2025-03-02
const at = (h, m, s = 0) => new Date(DAY + ((h * 60 + m) * 60 + s) * 1000);
const iso = (d) => new Date(d).toISOString();

describe('metrics API', () => {
  let srv; let admin; let rx;
  const TA = uid('ma');
  const TB = uid('mb');
  let dOk; let dFlaky; let dB;
  let attemptsFrom; let attemptsTo;

  before(async () => {
    rx = await startReceiver();
    rx.on(`/${TA}/flaky`, { failFirst: 1, failStatus: 503 });
    srv = await startServer({ env: { RETRY_SCHEDULE: '1' } });
    admin = srv.client();
    await admin.tenants.upsert(TA, {});
    await admin.tenants.upsert(TB, {});
    dOk = await admin.destinations.create(TA, { type: 'webhook', topics: ['a', 'b'], config: { url: rx.url(`/${TA}/ok`) } });
    dFlaky = await admin.destinations.create(TA, { type: 'webhook', topics: ['b'], config: { url: rx.url(`/${TA}/flaky`) } });
    dB = await admin.destinations.create(TB, { type: 'webhook', topics: ['*'], config: { url: rx.url(`/${TB}/ok`) } });
    attemptsFrom = new Date(Date.now() - 60_000);
    const pub = (tenantId, topic, time, extra = {}) => admin.publish({ tenantId, topic, time, data: { topic }, ...extra });
    const e1 = await pub(TA, 'a', at(10, 0, 10));
    await pub(TA, 'a', at(10, 0, 50));
    await pub(TA, 'b', at(10, 2)); // dOk, and dFlaky: 503 then 200
    await pub(TA, 'c', at(10, 3, 30), { destinationId: dOk.id }); // matches nothing
    await pub(TA, 'a', new Date(DAY - 1000)); // Saturday 23:59:59, outside the day
    await pub(TB, 'a', at(10, 1));
    await waitFor(async () => (await srv.raw('GET', `/attempts?tenant_id=${TA}`)).json?.models?.length === 6,
      { timeoutMs: 15000, what: "TA's 6 automatic attempts" });
    await admin.retry({ eventId: e1.id, destinationId: dOk.id }); // manual, attempt_number 2
    await waitFor(async () => (await srv.raw('GET', `/attempts?tenant_id=${TA}`)).json?.models?.length === 7
      && (await srv.raw('GET', `/attempts?tenant_id=${TB}`)).json?.models?.length === 1,
    { timeoutMs: 15000, what: 'the manual attempt and TB\'s attempt' });
    attemptsTo = new Date(Date.now() + 60_000);
  });
  after(async () => {
    await srv?.stop();
    await rx?.close();
  });

  const dayRange = { start: at(10, 0), end: at(10, 5) };
  const counts = (r, key) => r.data.map((p) => [p.dimensions[key], p.metrics.count]);

  // ---------- events ----------

  test('events per minute and topic: every bucket of every topic, zeros included, rate per second', async () => {
    const r = await admin.metrics.getEventMetrics({
      time: dayRange, granularity: '1m', measures: ['count', 'rate'], dimensions: ['topic'], filtersTenantId: TA,
    });
    assert.equal(r.metadata.granularity, '1m');
    assert.equal(r.metadata.rowCount, 15);
    assert.equal(r.metadata.rowLimit, 100000);
    assert.equal(r.metadata.truncated, false);
    const want = { a: [2, 0, 0, 0, 0], b: [0, 0, 1, 0, 0], c: [0, 0, 0, 1, 0] };
    const got = {};
    for (const p of r.data) {
      (got[p.dimensions.topic] ||= []).push(p.metrics.count);
      assert.equal(p.metrics.rate, p.metrics.count / 60);
    }
    assert.deepEqual(got, want);
    assert.deepEqual(Object.keys(got), ['a', 'b', 'c'], 'combinations sorted');
    assert.deepEqual(r.data.slice(0, 5).map((p) => iso(p.timeBucket)), [0, 1, 2, 3, 4].map((m) => iso(at(10, m))));
  });

  test('events without granularity: one row per combination, no time_bucket; rate over the whole range', async () => {
    const r = await admin.metrics.getEventMetrics({ time: dayRange, measures: ['count', 'rate'], dimensions: ['tenant_id'] });
    assert.equal(r.metadata.granularity, undefined);
    const rows = r.data.filter((p) => [TA, TB].includes(p.dimensions.tenant_id));
    assert.deepEqual(counts({ data: rows }, 'tenant_id'), [[TA, 4], [TB, 1]].sort());
    for (const p of rows) {
      assert.equal(p.timeBucket, undefined);
      assert.equal(p.metrics.rate, p.metrics.count / 300);
    }
  });

  test('events by destination_id (the one given at publish) and filtered by topic', async () => {
    const byDest = await admin.metrics.getEventMetrics({ time: dayRange, measures: 'count', dimensions: 'destination_id', filtersTenantId: [TA] });
    assert.deepEqual(counts(byDest, 'destination_id'), [['', 3], [dOk.id, 1]]);
    const ab = await admin.metrics.getEventMetrics({ time: dayRange, measures: ['count'], filtersTenantId: TA, filtersTopic: ['a', 'b'] });
    assert.deepEqual(ab.data, [{ dimensions: {}, metrics: { count: 3 } }]);
    const none = await admin.metrics.getEventMetrics({ time: dayRange, measures: ['count'], filtersTenantId: TA, filtersTopic: 'zzz' });
    assert.deepEqual(none.data, [], 'nothing matched and no granularity: no rows');
  });

  test('weeks start on Sunday, months on the 1st; a month bucket\'s rate uses its own length', async () => {
    const weeks = await admin.metrics.getEventMetrics({
      time: { start: new Date(Date.UTC(2025, 2, 1)), end: new Date(Date.UTC(2025, 2, 20)) },
      granularity: '1w', measures: ['count'], filtersTenantId: TA,
    });
    assert.deepEqual(weeks.data.map((p) => [iso(p.timeBucket).slice(0, 10), p.metrics.count]),
      [['2025-02-23', 1], ['2025-03-02', 4], ['2025-03-09', 0], ['2025-03-16', 0]]);
    const months = await admin.metrics.getEventMetrics({
      time: { start: new Date(Date.UTC(2025, 0, 15)), end: new Date(Date.UTC(2025, 3, 1)) },
      granularity: '1M', measures: ['count', 'rate'], filtersTenantId: TA,
    });
    assert.deepEqual(months.data.map((p) => [iso(p.timeBucket).slice(0, 10), p.metrics.count]),
      [['2025-01-01', 0], ['2025-02-01', 0], ['2025-03-01', 5]]);
    assert.equal(months.data[2].metrics.rate, 5 / (31 * 86400));
    const twoDays = await admin.metrics.getEventMetrics({
      time: { start: new Date(Date.UTC(2025, 2, 1)), end: new Date(Date.UTC(2025, 2, 5)) },
      granularity: '2d', measures: ['count'], filtersTenantId: TA,
    });
    // 2-day buckets are aligned to the epoch (1970-01-01): 2025-03-01 is day 20,148
    assert.equal(Date.UTC(2025, 2, 1) / 86400_000, 20148);
    assert.deepEqual(twoDays.data.map((p) => [iso(p.timeBucket).slice(0, 10), p.metrics.count]),
      [['2025-03-01', 5], ['2025-03-03', 0]]);
  });

  test('an empty range still has its buckets, with zeros', async () => {
    const r = await admin.metrics.getEventMetrics({
      time: { start: new Date(Date.UTC(2024, 0, 1)), end: new Date(Date.UTC(2024, 0, 1, 3)) }, granularity: '1h', measures: ['count', 'rate'],
    });
    assert.deepEqual(r.data.map((p) => [iso(p.timeBucket), p.metrics]),
      [0, 1, 2].map((h) => [iso(Date.UTC(2024, 0, 1, h)), { count: 0, rate: 0 }]));
  });

  // ---------- attempts ----------

  // The same figures from the attempts log, independently of the aggregate.
  async function fromLog(tenant) {
    const models = (await srv.raw('GET', `/attempts?tenant_id=${tenant}&limit=1000`)).json.models;
    return models;
  }

  test('attempt measures agree with the attempts log', async () => {
    const log = await fromLog(TA);
    assert.equal(log.length, 7);
    const seconds = (attemptsTo - attemptsFrom) / 1000;
    const all = ['count', 'successful_count', 'failed_count', 'error_rate', 'first_attempt_count', 'retry_count',
      'manual_retry_count', 'avg_attempt_number', 'rate', 'successful_rate', 'failed_rate'];
    const r = await admin.metrics.getAttemptMetrics({ time: { start: attemptsFrom, end: attemptsTo }, measures: all, filtersTenantId: TA });
    assert.equal(r.data.length, 1, JSON.stringify(r));
    const m = r.data[0].metrics;
    const ok = log.filter((a) => a.status === 'success').length;
    const first = log.filter((a) => a.attempt_number === 1).length;
    const sum = log.reduce((s, a) => s + a.attempt_number, 0);
    assert.deepEqual(m, {
      count: 7,
      successful_count: ok,
      failed_count: 7 - ok,
      error_rate: (7 - ok) / 7,
      first_attempt_count: first,
      retry_count: 7 - first,
      manual_retry_count: log.filter((a) => a.manual).length,
      avg_attempt_number: sum / 7,
      rate: 7 / seconds,
      successful_rate: ok / seconds,
      failed_rate: (7 - ok) / seconds,
    });
    // and what the scenario made: 6 successes, the flaky destination's 503, one retry + one manual attempt
    assert.deepEqual([m.successful_count, m.failed_count, m.first_attempt_count, m.manual_retry_count], [6, 1, 5, 1]);
    assert.equal(Object.keys(m).join(), all.join(), 'measures in the order asked');
  });

  test('attempts grouped by destination and status, attempt number and manual, code', async () => {
    const time = { start: attemptsFrom, end: attemptsTo };
    const byDest = await admin.metrics.getAttemptMetrics({ time, measures: ['count'], dimensions: ['destination_id', 'status'], filtersTenantId: TA });
    const want = [[dFlaky.id, 'failed', 1], [dFlaky.id, 'success', 1], [dOk.id, 'success', 5]]
      .sort((x, y) => (x[0] + x[1] < y[0] + y[1] ? -1 : 1));
    assert.deepEqual(byDest.data.map((p) => [p.dimensions.destination_id, p.dimensions.status, p.metrics.count]), want);

    const byNumber = await admin.metrics.getAttemptMetrics({ time, measures: ['count'], dimensions: ['attempt_number', 'manual'], filtersTenantId: TA });
    assert.deepEqual(byNumber.data.map((p) => [p.dimensions.attempt_number, p.dimensions.manual, p.metrics.count]),
      [['1', 'false', 5], ['2', 'false', 1], ['2', 'true', 1]]);

    const log = await fromLog(TA);
    const byCode = await admin.metrics.getAttemptMetrics({ time, measures: ['count'], dimensions: 'code', filtersTenantId: TA });
    const codes = {};
    for (const a of log) codes[a.code] = (codes[a.code] || 0) + 1;
    assert.deepEqual(Object.fromEntries(byCode.data.map((p) => [p.dimensions.code, p.metrics.count])), codes);
    assert.equal(codes['503'], 1, JSON.stringify(codes));

    const byType = await admin.metrics.getAttemptMetrics({ time, measures: ['count'], dimensions: ['tenant_id', 'destination_type'] });
    const mine = byType.data.filter((p) => [TA, TB].includes(p.dimensions.tenant_id));
    assert.deepEqual(mine.map((p) => [p.dimensions.tenant_id, p.dimensions.destination_type, p.metrics.count]),
      [[TA, 'webhook', 7], [TB, 'webhook', 1]].sort());
  });

  test('attempt filters: status, attempt number, manual, code, topic, destination', async () => {
    const time = { start: attemptsFrom, end: attemptsTo };
    const count = async (f) => {
      const r = await admin.metrics.getAttemptMetrics({ time, measures: ['count'], filtersTenantId: TA, ...f });
      return r.data.length ? r.data[0].metrics.count : 0;
    };
    assert.equal(await count({ filtersStatus: 'failed' }), 1);
    assert.equal(await count({ filtersStatus: ['success', 'failed'] }), 7);
    assert.equal(await count({ filtersAttemptNumber: '2' }), 2);
    assert.equal(await count({ filtersAttemptNumber: ['1', '2'] }), 7);
    assert.equal(await count({ filtersManual: 'true' }), 1);
    assert.equal(await count({ filtersCode: '503' }), 1);
    assert.equal(await count({ filtersTopic: 'b' }), 3);
    assert.equal(await count({ filtersDestinationId: dFlaky.id }), 2);
    assert.equal(await count({ filtersDestinationType: 'webhook' }), 7);
    assert.equal(await count({ filtersDestinationId: dB.id }), 0, "another tenant's destination under TA's filter");
  });

  test('per-second attempt buckets add up to the total', async () => {
    const r = await admin.metrics.getAttemptMetrics({ time: { start: attemptsFrom, end: attemptsTo }, granularity: '1s', measures: ['count'], filtersTenantId: TA });
    let buckets = 0;
    for (let t = Math.floor(attemptsFrom / 1000) * 1000; t < attemptsTo; t += 1000) buckets++;
    assert.equal(r.data.length, buckets);
    assert.equal(r.data.reduce((s, p) => s + p.metrics.count, 0), 7);
  });

  // ---------- tenancy ----------

  test('a tenant JWT sees its own tenant only and may not name tenant_id', async () => {
    const tb = srv.client(await srv.token(TB));
    const ev = await tb.metrics.getEventMetrics({ time: dayRange, measures: ['count'] });
    assert.deepEqual(ev.data, [{ dimensions: {}, metrics: { count: 1 } }]);
    const att = await tb.metrics.getAttemptMetrics({ time: { start: attemptsFrom, end: attemptsTo }, measures: ['count'], dimensions: ['destination_id'] });
    assert.deepEqual(att.data.map((p) => [p.dimensions.destination_id, p.metrics.count]), [[dB.id, 1]]);
    let e = await sdkError(tb.metrics.getEventMetrics({ time: dayRange, measures: ['count'], dimensions: ['tenant_id'] }), 403, 'JWT tenant_id dimension');
    assert.equal(e.json.status, 403);
    assert.match(e.json.message, /tenant_id/);
    e = await sdkError(tb.metrics.getAttemptMetrics({ time: dayRange, measures: ['count'], filtersTenantId: TB }), 403, 'JWT tenant_id filter');
    assert.match(e.json.message, /tenant_id/);
    const other = await srv.raw('GET', `/metrics/events?time[start]=${iso(dayRange.start)}&time[end]=${iso(dayRange.end)}&measures=count&tenant_id=${TA}`,
      { token: await srv.token(TB) });
    assert.equal(other.status, 403, show(other));
  });

  test('an admin narrows with tenant_id as well as filters[tenant_id]', async () => {
    const q = `time[start]=${iso(dayRange.start)}&time[end]=${iso(dayRange.end)}&measures=count`;
    const one = await srv.raw('GET', `/metrics/events?${q}&tenant_id=${TA}`);
    assert.equal(one.status, 200, show(one));
    assert.deepEqual(one.json.data, [{ dimensions: {}, metrics: { count: 4 } }]);
    const clash = await srv.raw('GET', `/metrics/events?${q}&tenant_id=${TA}&filters[tenant_id]=${TB}`);
    assert.deepEqual(clash.json.data, [], show(clash));
  });

  test('time bounds finer than a millisecond count the millisecond they fall in as the log API does', async () => {
    const q = (start, end) => srv.raw('GET', `/metrics/events?time[start]=${start}&time[end]=${end}&measures=count&filters[tenant_id]=${TA}`);
    const e1 = iso(at(10, 0, 10)); // exactly one event at this millisecond
    const sub = (d, s) => d.replace('.000Z', `.000${s}Z`);
    let r = await q(iso(at(9, 0)), sub(e1, '1'));
    assert.deepEqual(r.json.data, [{ dimensions: {}, metrics: { count: 1 } }], show(r)); // end after the event
    r = await q(sub(e1, '1'), iso(at(11, 0)));
    assert.deepEqual(r.json.data, [{ dimensions: {}, metrics: { count: 3 } }], show(r)); // start after it
    r = await q(e1, sub(e1, '9'));
    assert.deepEqual(r.json.data, [{ dimensions: {}, metrics: { count: 1 } }], show(r)); // a sub-millisecond range holding it
  });

  test('a tenant JWT naming another tenant in tenant_id gets a JSON 403', async () => {
    const r = await srv.raw('GET', `/metrics/events?time[start]=${iso(dayRange.start)}&time[end]=${iso(dayRange.end)}&measures=count&tenant_id=${TA}`,
      { token: await srv.token(TB) });
    assert.equal(r.status, 403, show(r));
    assert.equal(r.json?.status, 403, show(r));
    assert.match(r.json.message, /tenant/);
    const own = await srv.raw('GET', `/metrics/events?time[start]=${iso(dayRange.start)}&time[end]=${iso(dayRange.end)}&measures=count&tenant_id=${TB}`,
      { token: await srv.token(TB) });
    assert.deepEqual(own.json.data, [{ dimensions: {}, metrics: { count: 1 } }], show(own));
  });

  // ---------- limits and bad input ----------

  test('more rows than the row limit: truncated, exactly row_limit rows', async () => {
    // 86,400 one-second buckets x 3 topics
    const q = `time[start]=${iso(DAY)}&time[end]=${iso(DAY + 86400_000)}&measures=count&granularity=1s&dimensions=topic&filters[tenant_id]=${TA}`;
    const r = await srv.raw('GET', `/metrics/events?${q}`);
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.metadata.truncated, true);
    assert.equal(r.json.metadata.row_count, 100000);
    assert.equal(r.json.data.length, 100000);
    assert.deepEqual(r.json.data.slice(0, 86400).reduce((s, p) => s + p.metrics.count, 0), 2, 'all of topic a first');
  });

  test('bad parameters: 400 with a JSON message naming the problem', async () => {
    const t = `time[start]=${iso(dayRange.start)}&time[end]=${iso(dayRange.end)}`;
    const cases = [
      ['/metrics/events?measures=count', /time\[start\]/],
      [`/metrics/events?time[start]=yesterday&time[end]=${iso(dayRange.end)}&measures=count`, /time\[start\]/],
      [`/metrics/events?time[start]=${iso(dayRange.end)}&time[end]=${iso(dayRange.start)}&measures=count`, /after/],
      [`/metrics/events?${t}`, /measure/],
      [`/metrics/events?${t}&measures=error_rate`, /error_rate/],
      [`/metrics/attempts?${t}&measures=bogus`, /bogus/],
      [`/metrics/events?${t}&measures=count&dimensions=status`, /status/],
      [`/metrics/events?${t}&measures=count&granularity=0h`, /granularity/],
      [`/metrics/events?${t}&measures=count&granularity=25h`, /granularity/],
      [`/metrics/events?${t}&measures=count&granularity=1y`, /granularity/],
      [`/metrics/events?${t}&measures=count&granularity=h`, /granularity/],
      [`/metrics/events?time[start]=2000-01-01T00:00:00Z&time[end]=2025-01-01T00:00:00Z&measures=count&granularity=1s`, /buckets/],
      [`/metrics/events?${t}&measures=count&filters[status]=success`, /filters\[status\]/],
      [`/metrics/attempts?${t}&measures=count&filters[colour]=red`, /colour/],
      [`/metrics/attempts?${t}&measures=count&filters[status]=ok`, /filters\[status\]/],
      [`/metrics/attempts?${t}&measures=count&filters[manual]=yes`, /filters\[manual\]/],
      [`/metrics/attempts?${t}&measures=count&filters[attempt_number]=first`, /filters\[attempt_number\]/],
      // list keys of another shape would be ignored, widening the answer
      [`/metrics/attempts?${t}&measures=count&filters[status][x]=success`, /malformed parameter filters\[status\]\[x\]/],
      [`/metrics/attempts?${t}&measures=count&filters[status]junk=success`, /malformed/],
      [`/metrics/attempts?${t}&measures=count&dimensions[x]=topic`, /malformed/],
      [`/metrics/attempts?${t}&measures[x]=count`, /malformed/],
      // bucket starts must be writable as RFC 3339 (four-digit years)
      ['/metrics/events?time[start]=0000-01-01T00:00:00Z&time[end]=0000-01-02T00:00:00Z&granularity=1w&measures=count', /0000-9999/],
      ['/metrics/events?time[start]=9999-12-31T00:00:00Z&time[end]=9999-12-31T23:59:00-23:59&measures=count', /0000-9999/],
    ];
    for (const [p, re] of cases) {
      const r = await srv.raw('GET', p);
      assert.equal(r.status, 400, show(r));
      assert.equal(r.json?.status, 400, show(r));
      assert.match(r.json.message, re, show(r));
    }
    const unauth = await srv.raw('GET', `/metrics/events?${t}&measures=count`, { token: null });
    assert.equal(unauth.status, 401, show(unauth));
  });
});
