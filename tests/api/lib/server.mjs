// Helpers shared by the black-box API tests: start/stop the hookpost binary,
// build SDK clients, send raw HTTP requests, and forge JWTs.
//
// Every server gets a fresh temp DATA_DIR and a fresh temp working directory
// (so no stray .env / .outpost.yaml is picked up), a free loopback port and
// random secrets. stop() sends SIGTERM and fails unless the process exits 0:
// under AddressSanitizer a leak makes the exit code non-zero, and the
// collected stderr is put into the failure message.

import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Outpost } from '@hookdeck/outpost-sdk';
import { HTTPClient } from '@hookdeck/outpost-sdk/lib/http.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const TESTS_DIR = path.resolve(here, '..', '..');
export const REPO_DIR = path.resolve(TESTS_DIR, '..');

export const BIN = process.env.HOOKPOST_BIN
  ? path.resolve(process.env.HOOKPOST_BIN)
  : path.resolve(TESTS_DIR, '..', 'build', 'hookpost');

const START_TIMEOUT_MS = Number(process.env.HOOKPOST_START_TIMEOUT_MS || 20000);
const STOP_TIMEOUT_MS = Number(process.env.HOOKPOST_STOP_TIMEOUT_MS || 15000);

// Environment variables hookpost (or Outpost) reads; scrubbed from the
// inherited environment so a developer's shell cannot change a test.
const SCRUB = /^(API_|AES_|DATA_DIR$|TOPICS|MAX_DESTINATIONS|SERVICE$|CONFIG$|LOG_|POSTGRES_|REDIS_|DESTINATIONS_|PORTAL_|ALERT_|OPERATOR_|IDGEN_|RETRY_|MAX_RETRY|DELIVERY_|PUBLISH_|DEPLOYMENT_ID$|HTTP_USER_AGENT$|GIN_MODE$|OTEL_|TELEMETRY_|DISABLE_TELEMETRY$)/;

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

export function randomHex(n = 16) {
  return randomBytes(n).toString('hex');
}

export function uid(prefix = 't') {
  return `${prefix}_${randomHex(6)}`;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Build the child environment: inherited env minus hookpost's own knobs, plus `env`.
 *  A value of `undefined` or `null` in `env` removes that variable. */
export function childEnv(env) {
  const out = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!SCRUB.test(k)) out[k] = v;
  }
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || v === null) delete out[k];
    else out[k] = String(v);
  }
  // Leaks must fail the run when the binary is an ASan build; keep
  // stderr readable and deterministic.
  if (out.ASAN_OPTIONS === undefined) out.ASAN_OPTIONS = 'detect_leaks=1:abort_on_error=0';
  return out;
}

function describeExit(code, signal) {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/**
 * Start `hookpost serve`.
 * opts.env: extra/override env vars (TOPICS, MAX_DESTINATIONS_PER_TENANT, ...).
 * opts.dataDir: reuse an existing DATA_DIR (else a fresh temp dir).
 * Returns a handle {url, baseURL, port, apiKey, jwtSecret, aesSecret, dataDir,
 * stderr, stdout, env, stop(), restart(), client(token), raw(...)}.
 */
export async function startServer(opts = {}) {
  if (!existsSync(BIN)) {
    throw new Error(`hookpost binary not found at ${BIN} (set HOOKPOST_BIN or run make)`);
  }
  const dataDir = opts.dataDir || mkdtempSync(path.join(os.tmpdir(), 'hookpost-data-'));
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'hookpost-cwd-'));
  const base = {
    API_KEY: `admin_${randomHex(16)}`,
    API_JWT_SECRET: `jwt_${randomHex(16)}`,
    AES_ENCRYPTION_SECRET: `aes_${randomHex(16)}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DISABLE_TELEMETRY: 'true',
  };
  const env = { ...base, ...(opts.env || {}) };

  const h = {
    dataDir,
    workDir,
    env,
    apiKey: env.API_KEY,
    jwtSecret: env.API_JWT_SECRET,
    aesSecret: env.AES_ENCRYPTION_SECRET,
    stdout: '',
    stderr: '',
    proc: null,
    port: 0,
    get url() { return `http://127.0.0.1:${this.port}`; },
    get baseURL() { return `${this.url}/api/v1`; },
  };

  async function launch() {
    h.port = await freePort();
    h.stdout = '';
    h.stderr = '';
    const child = spawn(BIN, ['serve'], {
      cwd: workDir,
      env: childEnv({ ...env, API_PORT: String(h.port) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    h.proc = child;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { h.stdout += d; });
    child.stderr.on('data', (d) => { h.stderr += d; });
    child.exitInfo = null;
    child.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        live.delete(child);
        child.exitInfo = { code, signal };
        resolve(child.exitInfo);
      });
      child.on('error', (err) => {
        live.delete(child);
        child.exitInfo = { code: null, signal: null, error: err };
        resolve(child.exitInfo);
      });
    });

    const deadline = Date.now() + START_TIMEOUT_MS;
    let lastErr = null;
    while (Date.now() < deadline) {
      if (child.exitInfo) {
        throw new Error(`hookpost serve exited early (${describeExit(child.exitInfo.code, child.exitInfo.signal)})`
          + `${child.exitInfo.error ? ` ${child.exitInfo.error.message}` : ''}\n--- stderr ---\n${h.stderr}`);
      }
      try {
        const res = await fetch(`${h.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
        lastErr = new Error(`healthz answered ${res.status}`);
      } catch (err) {
        lastErr = err;
      }
      await sleep(50);
    }
    child.kill('SIGKILL');
    await child.exited;
    throw new Error(`hookpost serve did not become healthy within ${START_TIMEOUT_MS} ms`
      + ` (last: ${lastErr && lastErr.message})\n--- stderr ---\n${h.stderr}`);
  }

  /** SIGTERM, wait, and require exit code 0. */
  async function terminate() {
    const child = h.proc;
    if (!child) return;
    h.proc = null;
    if (!child.exitInfo) child.kill('SIGTERM');
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS); });
    let info = await Promise.race([child.exited, timeout]);
    clearTimeout(timer);
    if (!info) {
      child.kill('SIGKILL');
      await child.exited;
      throw new Error(`hookpost did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n--- stderr ---\n${h.stderr}`);
    }
    if (info.code !== 0 || info.signal) {
      throw new Error(`hookpost exited with ${describeExit(info.code, info.signal)} after SIGTERM`
        + ` (expected 0; sanitizer reports and errors below)\n--- stderr ---\n${h.stderr}`);
    }
  }

  h.stop = async ({ keepData = false } = {}) => {
    try {
      await terminate();
    } finally {
      if (!keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      rmSync(workDir, { recursive: true, force: true });
    }
  };
  h.restart = async (extraEnv = {}) => {
    await terminate();
    Object.assign(env, extraEnv);
    await launch();
  };
  h.client = (token = h.apiKey) => makeClient(h.baseURL, token);
  h.raw = (method, p, o = {}) => raw(h, method, p, o);
  h.token = async (tenantId) => {
    const r = await raw(h, 'GET', `/tenants/${encodeURIComponent(tenantId)}/token`);
    if (r.status !== 200) throw new Error(`token for ${tenantId}: ${r.status} ${r.text}`);
    return r.json.token;
  };

  await launch();
  return h;
}

/**
 * Outpost SDK client. `client.last` holds {status, headers} of the most
 * recent response, so 200-vs-201 can be asserted through the SDK.
 */
export function makeClient(baseURL, token) {
  const httpClient = new HTTPClient();
  const box = { last: null };
  httpClient.addHook('response', (res) => { box.last = { status: res.status, headers: res.headers }; });
  const opts = { serverURL: baseURL, httpClient, retryConfig: { strategy: 'none' } };
  if (token !== null && token !== undefined) opts.apiKey = token;
  const c = new Outpost(opts);
  Object.defineProperty(c, 'last', { get: () => box.last });
  return c;
}

/**
 * Raw HTTP against the server. `p` is relative to /api/v1 unless it starts
 * with "//" (then relative to the server root, e.g. "//healthz").
 * o.token: bearer token (default admin key; null = no Authorization header).
 * o.auth: full Authorization header value (overrides token).
 * o.body: JSON-encoded; o.rawBody: sent as-is; o.headers: extra headers.
 * Resolves {status, headers, text, json} (json undefined when not JSON).
 */
export async function raw(srv, method, p, o = {}) {
  const url = p.startsWith('//') ? `${srv.url}${p.slice(1)}` : `${srv.baseURL}${p}`;
  const headers = { ...(o.headers || {}) };
  const token = 'token' in o ? o.token : srv.apiKey;
  if (o.auth !== undefined) headers.Authorization = o.auth;
  else if (token !== null && token !== undefined) headers.Authorization = `Bearer ${token}`;
  let body;
  if (o.rawBody !== undefined) {
    body = o.rawBody;
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(10000) });
  const text = await res.text();
  let json;
  try { json = text.length ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json, method, url, reqBody: body };
}

/** One-line description of a raw exchange for assertion messages. */
export function show(r) {
  const rb = r.reqBody === undefined ? '' : ` body=${String(r.reqBody).slice(0, 300)}`;
  return `${r.method} ${r.url}${rb} -> ${r.status} ${JSON.stringify(r.text.slice(0, 600))}`;
}

/**
 * Await a promise that must reject with an SDK error of HTTP status `status`.
 * Returns the error (statusCode, body, and parsed `json` of the body).
 */
export async function sdkError(promise, status, what = '') {
  let result;
  try {
    result = await promise;
  } catch (err) {
    if (typeof err?.statusCode !== 'number') {
      throw new Error(`${what}: expected HTTP ${status}, got non-HTTP error ${err?.name}: ${err?.message}`
        + `${err?.rawResponse ? ` (status ${err.rawResponse.status})` : ''}`);
    }
    let json;
    try { json = err.body ? JSON.parse(err.body) : undefined; } catch { json = undefined; }
    err.json = json;
    if (err.statusCode !== status) {
      throw new Error(`${what}: expected HTTP ${status}, got ${err.statusCode} body=${JSON.stringify(err.body)}`);
    }
    return err;
  }
  throw new Error(`${what}: expected HTTP ${status}, request succeeded: ${JSON.stringify(result)?.slice(0, 400)}`);
}

// ---------- JWT helpers (node:crypto only) ----------

export function b64url(input) {
  return Buffer.from(input).toString('base64url');
}

/** Sign a JWT; alg HS256/HS384/HS512 or "none" (empty signature). */
export function signJwt(payload, secret, { alg = 'HS256', header = {} } = {}) {
  const h = b64url(JSON.stringify({ alg, typ: 'JWT', ...header }));
  const p = b64url(JSON.stringify(payload));
  if (alg === 'none') return `${h}.${p}.`;
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  const sig = createHmac(hash, secret).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${sig}`;
}

export function decodeJwt(token) {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
    signature: s,
    signingInput: `${h}.${p}`,
  };
}

export function verifyHs256(token, secret) {
  const { signingInput, signature } = decodeJwt(token);
  return createHmac('sha256', secret).update(signingInput).digest('base64url') === signature;
}

export function tenantClaims(tenantId, over = {}) {
  const iat = Math.floor(Date.now() / 1000);
  return { iss: 'outpost', sub: tenantId, iat, exp: iat + 86400, ...over };
}

// ---------- misc ----------

/** Run the binary with args to completion (for CLI/config tests). */
export async function runBinary(args, { env = {}, timeoutMs = 15000, cwd } = {}) {
  const workDir = cwd || mkdtempSync(path.join(os.tmpdir(), 'hookpost-cwd-'));
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { cwd: workDir, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      if (!cwd) rmSync(workDir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${err.message}`, timedOut });
    });
  });
}

/** All regular files under dir (recursive) as [{path, bytes}]. */
export function readAllFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...readAllFiles(p));
    else if (st.isFile()) out.push({ path: p, bytes: readFileSync(p) });
  }
  return out;
}

/** Standard webhook-create body for the SDK. */
export function webhookBody(over = {}) {
  return {
    type: 'webhook',
    topics: ['*'],
    config: { url: 'https://example.com/hooks' },
    ...over,
  };
}

export function sortedCopy(a) {
  return [...a].sort();
}
