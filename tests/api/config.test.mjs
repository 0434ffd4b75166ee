// CLI and configuration: bad API_PORT, empty API_KEY, version, --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBinary, startServer, freePort, randomHex, show, REPO_DIR } from './lib/server.mjs';

function baseEnv(over = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hookpost-cfg-'));
  return {
    env: {
      API_KEY: `admin_${randomHex(8)}`,
      API_JWT_SECRET: `jwt_${randomHex(8)}`,
      AES_ENCRYPTION_SECRET: `aes_${randomHex(8)}`,
      DATA_DIR: dataDir,
      ...over,
    },
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

const lines = (s) => s.split('\n').map((l) => l.trim()).filter(Boolean);

test('invalid API_PORT ("abc") exits non-zero with one stderr line naming API_PORT', async () => {
  const { env, cleanup } = baseEnv({ API_PORT: 'abc' });
  try {
    const r = await runBinary(['serve'], { env, timeoutMs: 10000 });
    assert.equal(r.timedOut, false, `serve kept running with API_PORT=abc; stderr: ${r.stderr}`);
    assert.notEqual(r.code, 0, `exit code: ${r.code}`);
    assert.equal(r.signal, null, `died by signal ${r.signal}: ${r.stderr}`);
    assert.equal(lines(r.stderr).length, 1, `expected exactly one stderr line, got:\n${r.stderr}`);
    assert.match(r.stderr, /API_PORT/);
  } finally { cleanup(); }
});

test('out-of-range API_PORT exits non-zero naming API_PORT', async () => {
  for (const port of ['70000', '-1']) {
    const { env, cleanup } = baseEnv({ API_PORT: port });
    try {
      const r = await runBinary(['serve'], { env, timeoutMs: 10000 });
      assert.equal(r.timedOut, false, `serve kept running with API_PORT=${port}`);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /API_PORT/, `API_PORT=${port}: ${r.stderr}`);
    } finally { cleanup(); }
  }
});

test('empty API_KEY: refuses to start (naming API_KEY)', async () => {
  const port = await freePort();
  for (const key of ['', undefined]) {
    const { env, cleanup } = baseEnv({ API_KEY: key, API_PORT: String(port) });
    try {
      const r = await runBinary(['serve'], { env, timeoutMs: 10000 });
      assert.equal(r.timedOut, false, `serve started without API_KEY (${JSON.stringify(key)})`);
      assert.notEqual(r.code, 0);
      assert.equal(r.signal, null, r.stderr);
      assert.match(r.stderr, /API_KEY/, r.stderr);
    } finally { cleanup(); }
  }
});

test('missing AES_ENCRYPTION_SECRET: refuses to start (naming it)', async () => {
  const port = await freePort();
  const { env, cleanup } = baseEnv({ AES_ENCRYPTION_SECRET: undefined, API_PORT: String(port) });
  try {
    const r = await runBinary(['serve'], { env, timeoutMs: 10000 });
    assert.equal(r.timedOut, false, 'serve started without AES_ENCRYPTION_SECRET');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /AES_ENCRYPTION_SECRET/, r.stderr);
  } finally { cleanup(); }
});

test('empty API_KEY with API_ALLOW_UNAUTHENTICATED=true: requests without auth work', async () => {
  const srv = await startServer({ env: { API_KEY: '', API_ALLOW_UNAUTHENTICATED: 'true' } });
  try {
    let r = await srv.raw('PUT', '/tenants/open_tenant', { token: null, body: { metadata: { a: '1' } } });
    assert.equal(r.status, 201, show(r));
    r = await srv.raw('GET', '/tenants', { token: null });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json.models.map((m) => m.id), ['open_tenant']);
    r = await srv.raw('POST', '/tenants/open_tenant/destinations', { token: null, body: { type: 'webhook', topics: ['*'], config: { url: 'https://example.com/o' } } });
    assert.equal(r.status, 201, show(r));
    r = await srv.raw('GET', '/tenants/open_tenant/token', { token: null });
    assert.equal(r.status, 200, show(r));
    const c = srv.client(null);
    assert.equal((await c.tenants.get('open_tenant')).id, 'open_tenant');
  } finally {
    await srv.stop();
  }
});

test('`hookpost version` prints the version', async () => {
  const r = await runBinary(['version'], { timeoutMs: 10000 });
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  const out = r.stdout.trim();
  assert.match(out, /\d+\.\d+\.\d+/, `no semver in: ${JSON.stringify(out)}`);
  const vf = path.join(REPO_DIR, 'VERSION');
  if (existsSync(vf)) {
    const v = readFileSync(vf, 'utf8').trim();
    if (v) assert.ok(out.includes(v), `version output ${JSON.stringify(out)} does not include VERSION ${v}`);
  }
  for (const alt of [['--version'], ['-v']]) {
    const a = await runBinary(alt, { timeoutMs: 10000 });
    if (a.code === 0) assert.match(a.stdout, /\d+\.\d+\.\d+/, `${alt}: ${a.stdout}`);
  }
});

test('`hookpost --help` lists commands and the key environment variables', async () => {
  const r = await runBinary(['--help'], { timeoutMs: 10000 });
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  const text = r.stdout + r.stderr;
  for (const word of ['serve', 'migrate', 'version', 'API_KEY', 'AES_ENCRYPTION_SECRET', 'DATA_DIR']) {
    assert.ok(text.includes(word), `--help does not mention ${word}:\n${text}`);
  }
});

test('an unknown command exits non-zero', async () => {
  const r = await runBinary(['frobnicate'], { timeoutMs: 10000 });
  assert.equal(r.timedOut, false);
  assert.notEqual(r.code, 0);
  assert.equal(r.signal, null, r.stderr);
});
