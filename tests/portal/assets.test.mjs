// The portal's static assets as the binary serves them: every file under
// portal/ is embedded (same bytes), with the right content type, caching
// headers and a strict CSP; no inline script/style (the CSP would block
// it); nothing loaded from another origin (works offline).

import { createHash } from 'node:crypto';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, readAllFiles, REPO_DIR } from '../api/lib/server.mjs';

const PORTAL_DIR = path.join(REPO_DIR, 'portal');
let srv;

before(async () => { srv = await startServer({ env: { PORTAL_ORGANIZATION_NAME: 'Acme' } }); });
after(async () => { await srv?.stop(); });

const TYPES = {
  '.html': /^text\/html/, '.js': /^text\/javascript/, '.css': /^text\/css/, '.svg': /^image\/svg\+xml/,
  '.woff2': /^font\/woff2/, '.txt': /^text\/plain/,
};

test('every portal file is embedded and served with its content type, caching and CSP', async () => {
  const files = readAllFiles(PORTAL_DIR);
  assert.ok(files.length >= 10);
  for (const f of files) {
    const rel = `/${path.relative(PORTAL_DIR, f.path).split(path.sep).join('/')}`;
    const res = await fetch(`${srv.url}${rel}`);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, rel);
    assert.ok(body.equals(f.bytes), `${rel}: served bytes differ from portal/ (rebuild the binary?)`);
    const type = TYPES[path.extname(rel)];
    if (type) assert.match(res.headers.get('content-type'), type, `${rel} content type`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const csp = res.headers.get('content-security-policy') || '';
    assert.match(csp, /script-src 'self'(;|$)/, `${rel} CSP`);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    // revalidated every time, by a content hash: no browser keeps an older build's scripts
    assert.equal(res.headers.get('cache-control'), 'no-cache', rel);
    const etag = res.headers.get('etag') || '';
    assert.match(etag, /^"[0-9a-f]{20}"$/, `${rel} ETag`);
    assert.equal(etag.slice(1, -1), createHash('sha256').update(f.bytes).digest('hex').slice(0, 20), `${rel}: ETag is the content's hash`);
    const again = await fetch(`${srv.url}${rel}`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, `${rel} revalidates`);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
    assert.equal(again.headers.get('etag'), etag);
    const stale = await fetch(`${srv.url}${rel}`, { headers: { 'If-None-Match': '"0000000000000000000a"' } });
    assert.equal(stale.status, 200, `${rel}: another build's ETag gets the file`);
    assert.ok(Buffer.from(await stale.arrayBuffer()).equals(f.bytes));
  }
});

test('the SPA shell answers deep links; unknown files are 404', async () => {
  for (const p of ['/', '/destinations', '/destinations/abc/settings', '/events']) {
    const res = await fetch(`${srv.url}${p}`);
    assert.equal(res.status, 200, p);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(await res.text(), /<script type="module" src="\/app\.js"><\/script>/);
  }
  assert.equal((await fetch(`${srv.url}/nope.js`)).status, 404);
  const cfg = await fetch(`${srv.url}/portal-config.js`);
  assert.equal(cfg.status, 200);
  assert.match(cfg.headers.get('content-type'), /^text\/javascript/);
  assert.equal(cfg.headers.get('cache-control'), 'no-cache', 'deployment settings are never cached stale');
  assert.match(cfg.headers.get('content-security-policy') || '', /script-src 'self'/);
  const cfgText = await cfg.text();
  assert.match(cfgText, /^window\.PORTAL_CONFIGS = \{.*\};\n$/s);
  const c = JSON.parse(cfgText.slice('window.PORTAL_CONFIGS = '.length, -2));
  assert.equal(c.ORGANIZATION_NAME, 'Acme');
  // What the signing instructions need: every header name deliveries carry, and how they are signed.
  assert.deepEqual(
    [c.WEBHOOK_MODE, c.HEADER_PREFIX, c.SIGNATURE_HEADER, c.EVENT_ID_HEADER, c.TOPIC_HEADER, c.TIMESTAMP_HEADER, c.SIGNATURE_ALGORITHM, c.SIGNATURE_ENCODING],
    ['default', 'x-outpost-', 'x-outpost-signature', 'x-outpost-event-id', 'x-outpost-topic', 'x-outpost-timestamp', 'hmac-sha256', 'hex'],
  );
});

test('no inline scripts, styles or event handlers; no external resources', () => {
  const files = readAllFiles(PORTAL_DIR);
  const html = files.find((f) => f.path.endsWith('index.html')).bytes.toString('utf8');
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(m[1], /\bsrc="\/[^"]+"/, `inline script: ${m[0].slice(0, 80)}`);
    assert.equal(m[2].trim(), '');
  }
  assert.doesNotMatch(html, /<style\b/);
  assert.doesNotMatch(html, /\sstyle=/);
  assert.doesNotMatch(html, /\son[a-z]+=/);
  for (const f of files) {
    if (!/\.(html|css|js)$/.test(f.path)) continue;
    const text = f.bytes.toString('utf8');
    // Resource loads from other origins (links in text, like the Powered-by link or snippet comments, are fine).
    assert.doesNotMatch(text, /(src|href)=["']https?:\/\//, `${f.path} loads an external resource`);
    assert.doesNotMatch(text, /@import\s+url\(["']?https?:/, f.path);
    assert.doesNotMatch(text, /url\(["']?https?:\/\//, f.path);
    assert.doesNotMatch(text, /\.innerHTML\s*=|insertAdjacentHTML|document\.write/, `${f.path} builds HTML from strings`);
    assert.doesNotMatch(text, /setAttribute\(\s*['"]style['"]/, `${f.path} sets a style attribute (blocked by the CSP)`);
  }
});
