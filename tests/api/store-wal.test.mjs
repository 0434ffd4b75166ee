// The embedded store's write-ahead log is copied back into the database file
// while the server runs (background checkpoints), so it cannot grow without
// end under steady publishing: the database file itself must grow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, show, uid } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const size = (name) => { try { return statSync(join(srv.dataDir, name)).size; } catch { return 0; } };

test('checkpoints move published events from the WAL into the database file', async () => {
  const tenant = uid('wal');
  assert.equal((await srv.raw('PUT', `/tenants/${tenant}`)).status, 201);
  const dbBefore = size('hookpost.db');
  const payload = { blob: 'x'.repeat(2000) };
  for (let i = 0; i < 40; i++) {
    const batch = [];
    for (let j = 0; j < 10; j++) batch.push(srv.raw('POST', '/publish', { body: { tenant_id: tenant, topic: 't', data: payload } }));
    for (const r of await Promise.all(batch)) assert.equal(r.status, 202, show(r));
  }
  // 400 events x 2 kB: the data must reach hookpost.db within a few checkpoint periods
  const deadline = Date.now() + 5000;
  while (size('hookpost.db') - dbBefore < 400 * 2000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(size('hookpost.db') - dbBefore >= 400 * 2000,
    `hookpost.db grew by ${size('hookpost.db') - dbBefore} bytes, WAL is ${size('hookpost.db-wal')} bytes`);
});

test('under steady publishing the WAL is restarted, not grown without end', { timeout: 120_000 }, async () => {
  const tenant = uid('walr');
  assert.equal((await srv.raw('PUT', `/tenants/${tenant}`)).status, 201);
  // ~40 MiB of events, well past the 16 MiB at which a checkpoint completes under the store lock
  const payload = { blob: 'y'.repeat(8000) };
  let largest = 0;
  const deadline = Date.now() + 90_000;
  for (let i = 0; i < 500 && Date.now() < deadline; i++) {
    const batch = [];
    for (let j = 0; j < 10; j++) batch.push(srv.raw('POST', '/publish', { body: { tenant_id: tenant, topic: 't', data: payload } }));
    for (const r of await Promise.all(batch)) assert.equal(r.status, 202, show(r));
    largest = Math.max(largest, size('hookpost.db-wal'));
  }
  assert.ok(size('hookpost.db') > 30 * 1024 * 1024, `the events reached the database file (${size('hookpost.db')} bytes)`);
  assert.ok(largest < 36 * 1024 * 1024, `the WAL peaked at ${largest} bytes: it must start over, not hold every event`);
  const health = await srv.raw('GET', '/healthz', { token: null });
  assert.equal(health.status, 200, show(health));
});
