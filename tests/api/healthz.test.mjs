// GET /healthz and /api/v1/healthz: {status:"healthy", timestamp, workers:{name:{status}}}.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, show } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

function assertHealthy(r) {
  assert.equal(r.status, 200, show(r));
  assert.match(r.headers.get('content-type') || '', /application\/json/, show(r));
  const b = r.json;
  assert.ok(b && typeof b === 'object', show(r));
  assert.equal(b.status, 'healthy', show(r));
  assert.equal(typeof b.timestamp, 'string', show(r));
  const ts = Date.parse(b.timestamp);
  assert.ok(!Number.isNaN(ts), `timestamp not RFC3339: ${b.timestamp}`);
  assert.ok(Math.abs(ts - Date.now()) < 60_000, `timestamp not current: ${b.timestamp}`);
  assert.ok(b.workers && typeof b.workers === 'object' && !Array.isArray(b.workers), show(r));
  const names = Object.keys(b.workers);
  assert.ok(names.length >= 1, `no workers reported: ${show(r)}`);
  for (const n of names) {
    assert.equal(b.workers[n]?.status, 'healthy', `worker ${n}: ${show(r)}`);
  }
}

test('GET /healthz without auth reports healthy workers', async () => {
  assertHealthy(await srv.raw('GET', '//healthz', { token: null }));
});

test('GET /api/v1/healthz without auth reports healthy workers', async () => {
  assertHealthy(await srv.raw('GET', '/healthz', { token: null }));
});

test('healthz ignores a bad Authorization header (no auth on health)', async () => {
  assertHealthy(await srv.raw('GET', '/healthz', { token: 'garbage' }));
});

test('SDK health.check parses the healthz body', async () => {
  const res = await srv.client(null).health.check();
  assert.equal(res.status, 'healthy');
  assert.ok(res.workers && typeof res.workers === 'object');
});
