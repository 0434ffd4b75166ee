// A real local webhook receiver for the pipeline tests, plus small polling
// and signature helpers.
//
// startReceiver() listens on a free loopback port (node:http) and records
// every request: method, path (without query), full url, lower-cased headers,
// raw header pairs, the raw body bytes, the receive time (ms, taken when the
// whole body has arrived) and a global sequence number.
//
// Behaviour is configured per path with rx.on(path, behaviour):
//   status       HTTP status of a successful answer (default 200)
//   delayMs      wait this long before answering (every request)
//   failFirst    answer the first N requests on this path with failStatus
//   failStatus   status of those failures (default 500); with failFirst unset
//                and failStatus set, every request fails
//   retryAfter   value of a Retry-After header added to failure answers
//   body         response body (string; default "ok" / "fail")
//   headers      extra response headers
//   respond      (rec, n) => partial behaviour for request n (1-based) on this
//                path; overrides the static fields for that request
// Unconfigured paths answer 200 "ok".

import http from 'node:http';
import { createHmac } from 'node:crypto';

let seqCounter = 0;

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Poll fn() until it returns a truthy value; returns that value.
 * Throws after timeoutMs with `what` and the last value/error in the message.
 */
export async function waitFor(fn, { timeoutMs = 10000, intervalMs = 25, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  let lastErr;
  for (;;) {
    try {
      last = await fn();
      lastErr = undefined;
      if (last) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastErr ? `last error: ${lastErr.message}` : `last value: ${JSON.stringify(last)?.slice(0, 500)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${detail})`);
    }
    await sleep(intervalMs);
  }
}

export async function startReceiver({ host = '127.0.0.1', record = true } = {}) {
  const behaviours = new Map(); // path -> behaviour
  const counts = new Map(); // path -> requests seen
  const requests = [];
  const listeners = new Set();

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const receivedAt = Date.now();
      const body = Buffer.concat(chunks);
      const u = new URL(req.url, `http://${host}`);
      const path = u.pathname;
      const n = (counts.get(path) || 0) + 1;
      counts.set(path, n);
      const rec = {
        seq: ++seqCounter,
        method: req.method,
        path,
        url: req.url,
        headers: { ...req.headers },
        rawHeaders: [...req.rawHeaders],
        body,
        get text() { return body.toString('utf8'); },
        receivedAt,
        n,
      };
      const b = behaviours.get(path) || {};
      const over = b.respond ? (b.respond(rec, n) || {}) : {};
      const eff = { ...b, ...over };
      const failing = over.status === undefined && (
        (eff.failFirst !== undefined && n <= eff.failFirst)
        || (eff.failFirst === undefined && eff.failStatus !== undefined));
      const status = failing ? (eff.failStatus ?? 500) : (eff.status ?? 200);
      rec.answeredStatus = status;
      if (record) requests.push(rec);
      for (const l of listeners) l(rec);
      if (eff.delayMs) await sleep(eff.delayMs);
      const headers = { 'content-type': 'text/plain', ...(eff.headers || {}) };
      if (status >= 400 && eff.retryAfter !== undefined) headers['retry-after'] = String(eff.retryAfter);
      const text = eff.body ?? (status < 400 ? 'ok' : 'fail');
      try {
        res.writeHead(status, headers);
        res.end(text);
      } catch { /* client went away */ }
    });
  });
  server.keepAliveTimeout = 30000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address();

  const rx = {
    port,
    base: `http://${host}:${port}`,
    requests,
    /** Full URL for a path (path must start with "/"). */
    url(path) { return `http://${host}:${port}${path}`; },
    on(path, behaviour) { behaviours.set(path, behaviour); counts.set(path, 0); return rx; },
    /** Recorded requests for one path, in arrival order. */
    at(path) { return requests.filter((r) => r.path === path); },
    /** Recorded requests whose event-id header equals id (either signing mode). */
    forEvent(id) {
      return requests.filter((r) => (r.headers['x-outpost-event-id'] ?? r.headers['webhook-id']) === id);
    },
    /** Calls fn(rec) for every request as it arrives; returns an unsubscribe function. */
    listen(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    /** Wait until `path` has at least n requests; returns them. */
    async waitCount(path, n, { timeoutMs = 10000 } = {}) {
      return waitFor(() => { const a = rx.at(path); return a.length >= n ? a : null; },
        { timeoutMs, what: `${n} request(s) on ${path} (have ${rx.at(path).length})` });
    },
    clear() { requests.length = 0; counts.clear(); },
    async close() {
      listeners.clear();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r()));
    },
  };
  return rx;
}

// ---------- signatures ----------

/** Default-mode signature: hex HMAC-SHA256 with the full secret string as key. */
export function hmacHex(secret, body) {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Parse "v0=a,b" into ["a","b"] (null if the header is malformed). */
export function parseV0(header) {
  if (typeof header !== 'string' || !header.startsWith('v0=')) return null;
  return header.slice(3).split(',');
}

/** Standard-webhooks headers of a recorded request (for Webhook.verify). */
export function standardHeaders(rec) {
  return {
    'webhook-id': rec.headers['webhook-id'],
    'webhook-timestamp': rec.headers['webhook-timestamp'],
    'webhook-signature': rec.headers['webhook-signature'],
  };
}
