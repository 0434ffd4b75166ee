// Crash test: publish 3000 events (50 in flight) to one destination whose
// receiver answers slowly, SIGKILL the server once ~1/3 were acknowledged,
// restart it on the same DATA_DIR, finish publishing (unanswered publishes
// are re-sent with the same id), and require that every event that got a 202
// reached the receiver at least once, byte-exact and correctly signed, and
// is in the log.
//
// DELIVERY_MAX_CONCURRENCY=8 with a 20 ms receiver caps delivery at ~400/s,
// far below the publish rate, so at the moment of the kill there is a
// backlog of acknowledged-but-undelivered events and deliveries in flight.
// DELIVERY_HANDOFF_TASKS=200 makes both task paths live at the kill: the
// first tasks are handed to delivery in memory (written already leased), the
// rest overflow into the store and are claimed from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, uid } from './lib/server.mjs';
import { startReceiver, waitFor, hmacHex } from './lib/receiver.mjs';

const N = 3000;
const IN_FLIGHT = 50;
const KILL_AFTER_ACKS = 1000;
const DELIVERY_DEADLINE_MS = 90_000;

test('kill -9 during a publish burst loses no acknowledged event', { timeout: 150_000 }, async (t) => {
  const rx = await startReceiver();
  const T = uid('crash');
  const path = `/${T}/sink`;
  rx.on(path, { delayMs: 20 });
  const received = new Map(); // event id -> count
  const badRequests = [];

  let first = await startServer({
    env: { DELIVERY_MAX_CONCURRENCY: '8', RETRY_SCHEDULE: '1,1', DELIVERY_HANDOFF_TASKS: '200' },
  });
  let current = first;
  let second = null;
  const dataDir = first.dataDir;
  try {
    const admin = first.client();
    await admin.tenants.upsert(T, {});
    const dest = await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(path) } });
    const secret = dest.credentials.secret;

    const bodyOf = (i) => `{"seq":${i},"pad":"${'x'.repeat(i % 17)}","nested":{"b":true,"a":[${i},${i * 2}]}}`;
    const idOf = (i) => `${T}-evt-${i}`;
    rx.listen((rec) => {
      if (rec.path !== path) return;
      const id = rec.headers['x-outpost-event-id'];
      received.set(id, (received.get(id) || 0) + 1);
      const m = /^.*-evt-(\d+)$/.exec(id || '');
      if (!m) { badRequests.push(`unknown event id ${id}`); return; }
      if (rec.text !== bodyOf(Number(m[1]))) badRequests.push(`${id}: body ${JSON.stringify(rec.text)}`);
      if (rec.headers['x-outpost-signature'] !== `v0=${hmacHex(secret, rec.body)}`) badRequests.push(`${id}: bad signature`);
    });

    const acked = new Set();
    const duplicates = new Set();
    const unexpected = [];
    let killed = false;
    let restarted = null; // promise resolved once the second server is up
    let stats = null;
    let resent = 0; // publishes cut by the kill and sent again after the restart

    function kill() {
      killed = true;
      const victim = current;
      stats = { ackedAtKill: acked.size, receivedAtKill: received.size };
      victim.proc.kill('SIGKILL');
      restarted = (async () => {
        const info = await victim.proc.exited;
        assert.equal(info.signal, 'SIGKILL', `server must die of SIGKILL, got ${JSON.stringify(info)}`);
        victim.proc = null; // already dead: stop() below only cleans up its work dir
        await victim.stop({ keepData: true });
        second = await startServer({ dataDir, env: { ...victim.env } });
        current = second;
      })();
    }

    const queue = Array.from({ length: N }, (_, i) => i);
    async function worker() {
      while (queue.length) {
        const i = queue.shift();
        const payload = `{"id":"${idOf(i)}","tenant_id":"${T}","topic":"crash.test","data":${bodyOf(i)}}`;
        for (let tries = 0; ; tries++) {
          if (killed) await restarted;
          const target = current;
          try {
            const res = await fetch(`${target.baseURL}/publish`, {
              method: 'POST',
              headers: { Authorization: `Bearer ${target.apiKey}`, 'Content-Type': 'application/json' },
              body: payload,
              signal: AbortSignal.timeout(15000),
            });
            const text = await res.text();
            if (res.status !== 202) {
              unexpected.push(`publish ${idOf(i)} -> ${res.status} ${text.slice(0, 200)}`);
              break;
            }
            const json = JSON.parse(text);
            if (json.id !== idOf(i)) unexpected.push(`publish ${idOf(i)} answered id ${json.id}`);
            if (json.duplicate) duplicates.add(json.id);
            else if (JSON.stringify(json.destination_ids) !== JSON.stringify([dest.id])) {
              unexpected.push(`publish ${idOf(i)} destination_ids ${text}`);
            }
            acked.add(json.id);
            if (!killed && acked.size >= KILL_AFTER_ACKS) kill();
            break;
          } catch (err) {
            // a request cut by the kill is re-sent (same id) once the server is back
            if (!killed || target !== first || tries > 5) {
              unexpected.push(`publish ${idOf(i)} failed: ${err.message} ${err.cause?.code || ''}`);
              break;
            }
            if (tries === 0) resent++;
          }
        }
      }
    }
    const t0 = Date.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    if (restarted) await restarted;
    const publishMs = Date.now() - t0;

    assert.ok(killed, 'the server was killed mid-way');
    assert.deepEqual(unexpected, [], 'every publish is eventually answered 202');
    assert.equal(acked.size, N, 'all events acknowledged (before the kill, or re-sent after the restart)');
    t.diagnostic(`published ${N} in ${publishMs} ms; at kill: ${stats.ackedAtKill} acked, ${stats.receivedAtKill} received`
      + ` (backlog ${stats.ackedAtKill - stats.receivedAtKill}); ${resent} publishes cut by the kill were re-sent,`
      + ` ${duplicates.size} of them answered duplicate:true`);
    assert.ok(stats.ackedAtKill - stats.receivedAtKill > 0, 'test premise: acknowledged-but-undelivered events at the kill');

    const missing = () => [...acked].filter((id) => !received.has(id));
    const deliverStart = Date.now();
    try {
      await waitFor(() => missing().length === 0, { timeoutMs: DELIVERY_DEADLINE_MS, intervalMs: 200, what: 'every acknowledged event at the receiver' });
    } catch (err) {
      const m = missing();
      assert.fail(`${m.length} of ${acked.size} acknowledged events never reached the receiver within ${DELIVERY_DEADLINE_MS} ms;`
        + ` first missing: ${m.slice(0, 10).join(', ')}; duplicates-answered among missing: ${m.filter((id) => duplicates.has(id)).length}`);
    }
    const redelivered = [...received.values()].filter((c) => c > 1).length;
    t.diagnostic(`all delivered ${Date.now() - deliverStart} ms after publishing ended; ${redelivered} events received more than once`);
    assert.deepEqual(badRequests.slice(0, 10), [], 'every received request is byte-exact and correctly signed');
    assert.deepEqual([...received.keys()].filter((id) => !acked.has(id)), [], 'nothing unknown was delivered');

    // the log has every event, each with a successful attempt
    const seenEvents = new Set();
    let next = null;
    do {
      const r = await second.raw('GET', `/events?tenant_id=${T}&limit=1000${next ? `&next=${encodeURIComponent(next)}` : ''}`);
      assert.equal(r.status, 200, r.text);
      for (const e of r.json.models) seenEvents.add(e.id);
      next = r.json.pagination.next;
    } while (next);
    assert.equal(seenEvents.size, N, 'every acknowledged event is in GET /events');
    const okEvents = new Set();
    await waitFor(async () => {
      okEvents.clear();
      let nx = null;
      do {
        const r = await second.raw('GET', `/attempts?tenant_id=${T}&status=success&limit=1000${nx ? `&next=${encodeURIComponent(nx)}` : ''}`);
        if (r.status !== 200) throw new Error(r.text);
        for (const a of r.json.models) okEvents.add(a.event_id);
        nx = r.json.pagination.next;
      } while (nx);
      return okEvents.size === N;
    }, { timeoutMs: 15000, intervalMs: 500, what: `a successful attempt for all ${N} events (have ${okEvents.size})` });
  } finally {
    if (current === first && first.proc) await first.stop({ keepData: true }).catch(() => {});
    if (second) await second.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await rx.close();
  }
});
