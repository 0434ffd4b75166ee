// /healthz tells the truth when the store stops taking writes (and the log
// API still answers, from its own connection): another
// process holds SQLite's write lock, so publish commits and delivery-result
// commits fail after the busy timeout. healthz answers (it never waits on the
// store), says 503 "failed" and names each worker's problem; once the lock is
// gone and writes succeed again it is back to 200 "healthy". Likewise when a
// reader's old snapshot keeps the WAL from being copied back (it would grow
// without end), or when log retention cannot prune.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startServer, uid, show } from './lib/server.mjs';
import { startReceiver, waitFor } from './lib/receiver.mjs';

let srv;
let rx;
let locker;
let srv2;
let srv3;
let reader;
let locker3;
after(async () => {
  locker?.kill('SIGKILL');
  reader?.kill('SIGKILL');
  locker3?.kill('SIGKILL');
  await srv?.stop();
  await rx?.close();
  await srv2?.stop();
  await srv3?.stop();
});

// Opens the database with the sqlite3 shell and runs sql, which must end by
// selecting 'held'; resolves once it has.
function holdOpen(dbFile, sql) {
  const p = spawn('sqlite3', [dbFile], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    p.on('error', reject);
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes('held')) resolve(p);
    });
    p.stdin.write(sql);
  });
}
const holdWriteLock = (dbFile) => holdOpen(dbFile, "BEGIN IMMEDIATE;\nSELECT 'held';\n");
const holdSnapshot = (dbFile) => holdOpen(dbFile, "BEGIN;\nSELECT count(*), 'held' FROM events;\n");

function releaseWriteLock(p) {
  return new Promise((resolve) => {
    p.on('exit', resolve);
    p.stdin.end('ROLLBACK;\n.quit\n');
  });
}

const healthOf = async (server) => {
  const r = await server.raw('GET', '/healthz', { token: null });
  return { r, b: r.json };
};
const health = () => healthOf(srv);

test('healthz reports a store that refuses writes, and its recovery', { timeout: 60_000 }, async () => {
  rx = await startReceiver();
  srv = await startServer({ env: { DELIVERY_TIMEOUT_SECONDS: '10' } });
  const admin = srv.client();
  const T = uid('hz');
  await admin.tenants.upsert(T, {});
  rx.on(`/${T}/h`, { status: 200, delayMs: 1500 });
  await admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: rx.url(`/${T}/h`) } });

  let { r, b } = await health();
  assert.equal(r.status, 200, show(r));
  assert.deepEqual(Object.keys(b.workers).sort(),
    ['delivery-engine', 'http-server', 'publish-committer', 'store-checkpoint'], show(r));

  // a delivery under way when the lock is taken: its result cannot be committed
  const first = await admin.publish({ tenantId: T, id: uid('e1'), topic: 'x', data: { n: 1 } });
  await waitFor(() => rx.at(`/${T}/h`).length === 1, { what: 'the first delivery under way' });
  locker = await holdWriteLock(path.join(srv.dataDir, 'hookpost.db'));

  const blockedId = uid('e2');
  const blocked = await srv.raw('POST', '/publish', { body: { tenant_id: T, id: blockedId, topic: 'x', data: { n: 2 } } });
  assert.equal(blocked.status, 500, show(blocked));
  assert.equal(blocked.json?.status, 500, show(blocked));

  ({ r, b } = await health());
  assert.equal(r.status, 503, show(r));
  assert.equal(b.status, 'failed', show(r));
  assert.equal(b.workers['http-server'].status, 'healthy', show(r));
  // the API reads on its own connection: it answers while writes wait
  const reads = [`/events?tenant_id=${T}`, `/tenants/${T}`, `/tenants/${T}/destinations`, '/tenants?limit=5'];
  for (const url of reads) {
    const t0 = Date.now();
    const got = await srv.raw('GET', url);
    const tookMs = Date.now() - t0;
    assert.equal(got.status, 200, `${url}: ${show(got)}`);
    assert.ok(tookMs < 2000, `GET ${url} waited ${tookMs} ms behind the blocked writers`);
    if (url.startsWith('/events')) assert.ok(got.json.models.some((e) => e.id === first.id), show(got));
  }
  assert.equal(b.workers['publish-committer'].status, 'failed', show(r));
  // the reason carries the database's own words, for the operator
  assert.match(b.workers['publish-committer'].reason, /publish commit failed: store failure \(database is locked\)/, show(r));
  // the engine's store writes (the first delivery's result, claims) wait for
  // the lock too, then fail
  ({ r, b } = await waitFor(async () => {
    const h = await health();
    return h.b.workers['delivery-engine'].status === 'failed' ? h : null;
  }, { timeoutMs: 15_000, what: 'the engine to report its failed commit' }));
  assert.equal(r.status, 503, show(r));
  assert.match(b.workers['delivery-engine'].reason, /(delivery results|due deliveries) failed: store failure \(database is locked\)/, show(r));

  await releaseWriteLock(locker);
  locker = null;
  rx.on(`/${T}/h`, { status: 200 });
  // the refused publish left nothing behind
  const gone = await srv.raw('GET', `/events/${blockedId}`);
  assert.equal(gone.status, 404, show(gone));

  // writes succeed again: one publish and one delivery clear both workers
  await admin.publish({ tenantId: T, id: uid('e3'), topic: 'x', data: { n: 3 } });
  await waitFor(() => rx.at(`/${T}/h`).length >= 2, { what: 'a delivery after the lock' });
  ({ r, b } = await waitFor(async () => {
    const h = await health();
    return h.r.status === 200 ? h : null;
  }, { timeoutMs: 10_000, what: 'healthz back to healthy' }));
  assert.equal(b.status, 'healthy', show(r));
  for (const n of Object.keys(b.workers)) assert.equal(b.workers[n].status, 'healthy', show(r));
  assert.ok(first.id, 'the first publish was accepted');
});

test('healthz reports a WAL that cannot be copied back, and its recovery', { timeout: 60_000 }, async () => {
  srv2 = await startServer();
  const admin = srv2.client();
  const T = uid('wal');
  await admin.tenants.upsert(T, {});
  await admin.publish({ tenantId: T, topic: 'x', data: { n: 0 } });
  reader = await holdSnapshot(path.join(srv2.dataDir, 'hookpost.db'));
  // writes after the reader's snapshot cannot be copied back while it lasts
  for (let i = 1; i <= 5; i++) await admin.publish({ tenantId: T, topic: 'x', data: { n: i } });
  const stalled = await waitFor(async () => {
    const h = await healthOf(srv2);
    return h.r.status === 503 ? h : null;
  }, { timeoutMs: 20_000, intervalMs: 250, what: 'healthz to report the stalled checkpoint' });
  assert.equal(stalled.b.workers['store-checkpoint'].status, 'failed', show(stalled.r));
  assert.match(stalled.b.workers['store-checkpoint'].reason, /WAL has not been copied back whole for \d+ ms \(\d+ frames behind\)/,
    show(stalled.r));
  assert.equal(stalled.b.workers['publish-committer'].status, 'healthy', 'publishing itself still works');

  await releaseWriteLock(reader);
  reader = null;
  const back = await waitFor(async () => {
    const h = await healthOf(srv2);
    return h.r.status === 200 ? h : null;
  }, { timeoutMs: 5_000, what: 'healthz healthy once the reader is gone' });
  assert.equal(back.b.workers['store-checkpoint'].status, 'healthy', show(back.r));
});

test('healthz reports log retention that cannot prune, and its recovery', { timeout: 60_000 }, async () => {
  srv3 = await startServer({ env: { LOG_RETENTION_SECONDS: '5' } });
  let h = await healthOf(srv3);
  assert.equal(h.r.status, 200, show(h.r));
  assert.equal(h.b.workers['log-retention']?.status, 'healthy', show(h.r));

  locker3 = await holdWriteLock(path.join(srv3.dataDir, 'hookpost.db'));
  h = await waitFor(async () => {
    const x = await healthOf(srv3);
    return x.b.workers['log-retention'].status === 'failed' ? x : null;
  }, { timeoutMs: 20_000, intervalMs: 250, what: 'healthz to report the failed retention round' });
  assert.equal(h.r.status, 503, show(h.r));
  // its round waits behind the lock (then fails with SQLite's words)
  assert.match(h.b.workers['log-retention'].reason,
    /log retention round (has been waiting for the store for \d+ ms|failed: store failure \(database is locked\))/,
    show(h.r));

  await releaseWriteLock(locker3);
  locker3 = null;
  h = await waitFor(async () => {
    const x = await healthOf(srv3);
    return x.r.status === 200 ? x : null;
  }, { timeoutMs: 10_000, what: 'healthz healthy after a retention round works again' });
  assert.equal(h.b.workers['log-retention'].status, 'healthy', show(h.r));
});
