// The signing-secret page follows the server's signing setup, all of it
// from /portal-config.js: DESTINATIONS_WEBHOOK_MODE, the header prefix and
// per-header names, the signature algorithm, encoding and templates. In
// standard mode it explains Standard Webhooks and shows standardwebhooks
// snippets; in default mode it names the configured headers. The Node.js
// examples are not only read but run, as a tenant would run them (copied
// from the page, with the copied secret), against real deliveries: they
// accept them and refuse forgeries. The Python examples are parsed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startServer, freePort, TESTS_DIR } from '../api/lib/server.mjs';
import { startReceiver, standardHeaders, parseV0, hmacHex, waitFor } from '../api/lib/receiver.mjs';
import {
  launchBrowser, openPage, assertClean, createTenant, createDestination, portalLink, publish, shot, attempts, auditScreen,
} from './lib.mjs';

const T = 'signing_t';
const SNIPPET_DIR = path.join(TESTS_DIR, 'output', 'snippets');
const PYTHON = spawnSync('python3', ['--version']).status === 0 ? 'python3' : null;
let browser;
let rx;
const servers = [];
const children = [];

before(async () => {
  rx = await startReceiver();
  browser = await launchBrowser();
});

after(async () => {
  for (const c of children) c.kill();
  await browser?.close();
  for (const s of servers) await s.stop();
  await rx?.close();
});

async function server(env) {
  const s = await startServer({ env: { TOPICS: 'order.paid', MAX_RETRY_LIMIT: '0', PORTAL_ORGANIZATION_NAME: 'Acme', ...env } });
  servers.push(s);
  await createTenant(s, T);
  return s;
}

/** Opens the secret page of `dest` in a new portal session. */
async function openSecret(srv, dest, opts = { permissions: ['clipboard-read', 'clipboard-write'] }) {
  const page = await openPage(browser, srv, opts);
  await page.goto(await portalLink(srv, T));
  await page.locator('.topbar').waitFor();
  await page.goto(`${srv.url}/destinations/${dest.id}/secret`);
  await page.locator('.secret-current input').waitFor();
  return page;
}

const text = (page, selector) => page.locator(selector).first().textContent();

/** The example of one language tab, as its copy button puts it on the clipboard. */
async function copiedSnippet(page, label) {
  await page.getByRole('tab', { name: label, exact: true }).click();
  await page.getByRole('button', { name: `Copy ${label.toLowerCase()} example` }).click();
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Runs a Node.js example as its own server (port 3000 swapped for a free one). */
async function runNodeSnippet(code, secret, name) {
  assert.match(code, /app\.listen\(3000\);/);
  mkdirSync(SNIPPET_DIR, { recursive: true });
  const port = await freePort();
  const file = path.join(SNIPPET_DIR, `${name}.mjs`);
  writeFileSync(file, code.replace('app.listen(3000);', `app.listen(${port}, '127.0.0.1', () => console.log('listening'));`));
  const child = spawn(process.execPath, [file], { env: { ...process.env, WEBHOOK_SECRET: secret }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  await waitFor(() => out.includes('listening') || child.exitCode !== null, { what: `${name} to listen` });
  assert.ok(out.includes('listening'), `${name} failed to start:\n${out}`);
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    output: () => out,
    post: async (headers, body) => (await fetch(`http://127.0.0.1:${port}/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })).status,
  };
}

/** The Python example is valid Python (flask is not installed here, so it is parsed, not run). */
function assertPythonParses(code) {
  if (!PYTHON) return;
  const r = spawnSync(PYTHON, ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: code });
  assert.equal(r.status, 0, `python example does not parse: ${r.stderr}`);
}

/** Points `dest` (whose secret the page showed) at the running example, publishes, and returns the attempt. */
async function deliverTo(srv, dest, snippet, topic = 'order.paid') {
  const r = await srv.raw('PATCH', `/tenants/${T}/destinations/${dest.id}`, { body: { config: { url: snippet.url } } });
  assert.equal(r.status, 200, r.text);
  const ev = await publish(srv, { tenant_id: T, topic, data: { id: `ord_${Date.now()}`, note: 'ünïcode ✓' } });
  const a = await waitFor(async () => (await attempts(srv, T)).find((x) => x.event_id === ev.id && x.destination_id === dest.id), { what: 'attempt at the example server' });
  return { attempt: a, event: ev };
}

test('standard mode: Standard Webhooks instructions and snippets; a delivery verifies with the copied secret', async () => {
  const srv = await server({ DESTINATIONS_WEBHOOK_MODE: 'standard' });
  rx.on('/std', { status: 200 });
  const dest = await createDestination(srv, T, { type: 'webhook', topics: ['*'], config: { url: rx.url('/std') } });
  const page = await openSecret(srv, dest, { permissions: ['clipboard-read', 'clipboard-write'] });
  try {
    const cfg = await page.evaluate(() => window.PORTAL_CONFIGS);
    assert.equal(cfg.WEBHOOK_MODE, 'standard');
    assert.equal(cfg.SIGNATURE_HEADER, 'webhook-signature');

    const intro = await text(page, '.secret-desc');
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'Standard Webhooks']) assert.ok(intro.includes(name), `intro names ${name}: ${intro}`);
    const verify = await text(page, '.verify-card');
    assert.match(verify, /Any Standard Webhooks library/);
    assert.match(verify, /<webhook-id>\.<webhook-timestamp>\.<raw body>/);
    assert.match(verify, /base64-decoded part of the secret after whsec_/);
    assert.match(verify, /more than 5 minutes/);
    assert.ok(!(await page.locator('main').textContent()).includes('x-outpost-'), 'no default-mode header names');

    // The snippets: standardwebhooks for Node.js and Python, and node:crypto.
    assert.deepEqual(await page.getByRole('tab').allTextContents(), ['Node.js', 'Python', 'Node.js (no library)']);
    const node = await text(page, '.code-panel');
    assert.match(node, /import \{ Webhook \} from 'standardwebhooks';/);
    assert.match(node, /new Webhook\(process\.env\.WEBHOOK_SECRET\)/);
    assert.match(node, /wh\.verify\(req\.body, req\.headers\)/);
    await shot(page, 'signing-standard-light-desktop');
    await page.getByRole('tab', { name: 'Python' }).click();
    const py = await text(page, '.code-panel');
    assert.match(py, /from standardwebhooks\.webhooks import Webhook/);
    assert.match(py, /wh\.verify\(request\.get_data\(\), request\.headers\)/);
    await page.getByRole('tab', { name: 'Node.js (no library)' }).click();
    const plain = await text(page, '.code-panel');
    assert.match(plain, /from 'node:crypto'/);
    assert.match(plain, /req\.get\('webhook-signature'\)/);
    assert.ok(!plain.includes('standardwebhooks'));

    // The secret as a tenant would copy it.
    await page.getByRole('button', { name: 'Copy current secret' }).click();
    const secret = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/);
    assert.equal(secret, dest.credentials.secret);

    // Following the instructions verifies a real delivery.
    const data = { id: 'ord_1', amount: 4200, note: 'ünïcode ✓' };
    const ev = await publish(srv, { tenant_id: T, topic: 'order.paid', data });
    const [rec] = await rx.waitCount('/std', 1);
    assert.equal(rec.headers['webhook-id'], ev.id);
    assert.deepEqual(new Webhook(secret).verify(rec.body, standardHeaders(rec)), data);
    assert.throws(() => new Webhook(secret).verify(Buffer.concat([rec.body, Buffer.from(' ')]), standardHeaders(rec)), /No matching signature/);

    // The examples as copied from the page accept a real delivery and refuse a forgery.
    for (const label of ['Node.js', 'Node.js (no library)']) {
      const ex = await runNodeSnippet(await copiedSnippet(page, label), secret, `standard-${label.replace(/\W+/g, '-')}`);
      const { attempt, event } = await deliverTo(srv, dest, ex);
      assert.equal(attempt.status, 'success', `${label}: ${attempt.code}\n${ex.output()}`);
      assert.equal(attempt.code, '200');
      await waitFor(() => ex.output().includes(event.id), { what: `${label} to log the event id` });
      const ts = String(Math.floor(Date.now() / 1000));
      assert.equal(await ex.post({ 'webhook-id': 'msg_1', 'webhook-timestamp': ts, 'webhook-signature': 'v1,AAAA' }, '{"a":1}'), 401, label);
    }
    assertPythonParses(await copiedSnippet(page, 'Python'));
    assertClean(page, 'standard secret page');
  } finally {
    await page.closeAll();
  }
});

test('default mode: the page names the configured signature header', async () => {
  const srv = await server({ DESTINATIONS_WEBHOOK_SIGNATURE_HEADER_NAME: 'x-acme-signature' });
  rx.on('/def', { status: 200 });
  const dest = await createDestination(srv, T, { type: 'webhook', topics: ['*'], config: { url: rx.url('/def') } });
  const page = await openSecret(srv, dest);
  try {
    assert.equal(await page.evaluate(() => window.PORTAL_CONFIGS.SIGNATURE_HEADER), 'x-acme-signature');
    assert.match(await text(page, '.secret-desc'), /signed in its x-acme-signature header/);
    assert.match(await text(page, '.verify-card'), /in the x-acme-signature header/);
    assert.match(await text(page, '.code-panel'), /req\.get\('x-acme-signature'\)/);
    assert.ok(!(await page.locator('main').textContent()).includes('x-outpost-signature'));

    // And that is the header deliveries carry.
    await publish(srv, { tenant_id: T, topic: 'order.paid', data: { id: 'ord_2' } });
    const [rec] = await rx.waitCount('/def', 1);
    assert.ok(parseV0(rec.headers['x-acme-signature']).includes(hmacHex(dest.credentials.secret, rec.body)));
    assertClean(page, 'default secret page');
  } finally {
    await page.closeAll();
  }
});

test('default mode with a custom header prefix: every header name in the text and the examples is the configured one', async () => {
  const srv = await server({ DESTINATIONS_WEBHOOK_HEADER_PREFIX: 'x-acme-' });
  rx.on('/prefix', { status: 200 });
  const dest = await createDestination(srv, T, { type: 'webhook', topics: ['*'], config: { url: rx.url('/prefix') } });
  const page = await openSecret(srv, dest);
  try {
    const cfg = await page.evaluate(() => window.PORTAL_CONFIGS);
    assert.deepEqual(
      [cfg.HEADER_PREFIX, cfg.SIGNATURE_HEADER, cfg.EVENT_ID_HEADER, cfg.TOPIC_HEADER, cfg.TIMESTAMP_HEADER, cfg.SIGNATURE_ALGORITHM, cfg.SIGNATURE_ENCODING],
      ['x-acme-', 'x-acme-signature', 'x-acme-event-id', 'x-acme-topic', 'x-acme-timestamp', 'hmac-sha256', 'hex'],
    );
    // Those are the names deliveries carry.
    await publish(srv, { tenant_id: T, topic: 'order.paid', data: { id: 'ord_3' } });
    const [rec] = await rx.waitCount('/prefix', 1);
    for (const h of ['x-acme-signature', 'x-acme-event-id', 'x-acme-topic', 'x-acme-timestamp']) assert.ok(rec.headers[h], `delivery carries ${h}`);
    assert.ok(!Object.keys(rec.headers).some((h) => h.startsWith('x-outpost-')));

    assert.match(await text(page, '.secret-desc'), /signed in its x-acme-signature header: an HMAC-SHA256 of the raw body/);
    const verify = await text(page, '.verify-card');
    assert.match(verify, /hex-encode it and compare it with each value after v0= in the x-acme-signature header/);
    assert.match(verify, /the event ID in x-acme-event-id, its topic in x-acme-topic and the time it was sent in x-acme-timestamp/);
    const examples = {};
    for (const label of ['Node.js', 'Python', 'Go']) {
      examples[label] = await copiedSnippet(page, label);
      for (const h of ['x-acme-signature', 'x-acme-topic', 'x-acme-event-id']) assert.ok(examples[label].includes(h), `${label} example reads ${h}`);
    }
    for (const label of ['Node.js', 'Python', 'Go']) assert.ok(!examples[label].includes('x-outpost-'), `${label} example names no x-outpost- header`);
    assert.ok(!(await page.locator('main').textContent()).includes('x-outpost-'), 'no x-outpost- header named on the page');
    assertPythonParses(examples.Python);
    await shot(page, 'signing-custom-prefix-light-desktop');
    await auditScreen(page, 'signing-custom-prefix');

    // Run as copied: accepts the delivery (and logs its topic and event id), refuses forgeries.
    const secret = dest.credentials.secret;
    const ex = await runNodeSnippet(examples['Node.js'], secret, 'default-prefix');
    const { attempt, event } = await deliverTo(srv, dest, ex);
    assert.equal(attempt.status, 'success', `${attempt.code}\n${ex.output()}`);
    await waitFor(() => ex.output().includes(`order.paid ${event.id}`), { what: 'the example to log topic and event id' });
    const body = '{"id":"forged"}';
    assert.equal(await ex.post({ 'x-acme-signature': `v0=${'0'.repeat(64)}` }, body), 401);
    assert.equal(await ex.post({ 'x-outpost-signature': `v0=${hmacHex(secret, Buffer.from(body))}` }, body), 401, 'the default header name is not what it checks');
    assert.equal(await ex.post({ 'x-acme-signature': `v0=${hmacHex(secret, Buffer.from(body))}` }, body), 200);
    assertClean(page, 'custom prefix');
  } finally {
    await page.closeAll();
  }
});

test('default mode with hmac-sha1, base64 and no topic header: the text and the examples follow', async () => {
  const srv = await server({
    DESTINATIONS_WEBHOOK_SIGNATURE_ALGORITHM: 'hmac-sha1',
    DESTINATIONS_WEBHOOK_SIGNATURE_ENCODING: 'base64',
    DESTINATIONS_WEBHOOK_TOPIC_HEADER_NAME: '',
    DESTINATIONS_WEBHOOK_EVENT_ID_HEADER_NAME: 'X-Acme-Delivery',
  });
  rx.on('/sha1', { status: 200 });
  const dest = await createDestination(srv, T, { type: 'webhook', topics: ['*'], config: { url: rx.url('/sha1') } });
  const page = await openSecret(srv, dest);
  try {
    const cfg = await page.evaluate(() => window.PORTAL_CONFIGS);
    assert.equal(cfg.TOPIC_HEADER, null);
    assert.equal(cfg.EVENT_ID_HEADER, 'x-acme-delivery');
    await publish(srv, { tenant_id: T, topic: 'order.paid', data: { id: 'ord_4' } });
    const [rec] = await rx.waitCount('/sha1', 1);
    assert.equal(rec.headers['x-outpost-topic'], undefined);
    assert.ok(rec.headers['x-acme-delivery']);
    const sig = createHmac('sha1', dest.credentials.secret).update(rec.body).digest('base64');
    assert.equal(rec.headers['x-outpost-signature'], `v0=${sig}`);

    assert.match(await text(page, '.secret-desc'), /an HMAC-SHA1 of the raw body/);
    const verify = await text(page, '.verify-card');
    assert.match(verify, /Compute the HMAC-SHA1 of the raw request body/);
    assert.match(verify, /base64-encode it/);
    assert.match(verify, /the event ID in x-acme-delivery and the time it was sent in x-outpost-timestamp\./);
    assert.doesNotMatch(verify, /topic in/);
    const node = await copiedSnippet(page, 'Node.js');
    assert.match(node, /createHmac\('sha1', secret\)/);
    assert.match(node, /Buffer\.from\(sig\.trim\(\), 'base64'\)/);
    assert.doesNotMatch(node, /topic/);
    const py = await copiedSnippet(page, 'Python');
    assert.match(py, /base64\.b64encode\(hmac\.new\(SECRET, body, hashlib\.sha1\)\.digest\(\)\)\.decode\(\)/);
    assertPythonParses(py);
    const go = await copiedSnippet(page, 'Go');
    assert.match(go, /"crypto\/sha1"/);
    assert.match(go, /hmac\.New\(sha1\.New/);
    assert.match(go, /base64\.StdEncoding\.EncodeToString/);

    const ex = await runNodeSnippet(node, dest.credentials.secret, 'default-sha1-base64');
    const { attempt, event } = await deliverTo(srv, dest, ex);
    assert.equal(attempt.status, 'success', `${attempt.code}\n${ex.output()}`);
    await waitFor(() => ex.output().includes(event.id), { what: 'the example to log the event id' });
    assert.equal(await ex.post({ 'x-outpost-signature': `v0=${hmacHex(dest.credentials.secret, Buffer.from('{}'))}` }, '{}'), 401, 'hex SHA-256 is refused');
    assertClean(page, 'sha1 base64');
  } finally {
    await page.closeAll();
  }
});

test('standard mode with a custom prefix: the examples hand the prefixed headers to the library', async () => {
  const srv = await server({ DESTINATIONS_WEBHOOK_MODE: 'standard', DESTINATIONS_WEBHOOK_HEADER_PREFIX: 'acme-' });
  const dest = await createDestination(srv, T, { type: 'webhook', topics: ['*'], config: { url: rx.url('/std-prefix') } });
  const page = await openSecret(srv, dest);
  try {
    const intro = await text(page, '.secret-desc');
    for (const name of ['acme-id', 'acme-timestamp', 'acme-signature']) assert.ok(intro.includes(name), `intro names ${name}`);
    assert.ok(!intro.includes('webhook-'), 'the intro names the headers actually sent');
    assert.match(await text(page, '.verify-card'), /<acme-id>\.<acme-timestamp>\.<raw body>/);
    for (const label of ['Node.js', 'Node.js (no library)']) {
      const code = await copiedSnippet(page, label);
      assert.ok(code.includes("req.get('acme-signature')"), label);
      const ex = await runNodeSnippet(code, dest.credentials.secret, `standard-prefix-${label.replace(/\W+/g, '-')}`);
      const { attempt, event } = await deliverTo(srv, dest, ex);
      assert.equal(attempt.status, 'success', `${label}: ${attempt.code}\n${ex.output()}`);
      await waitFor(() => ex.output().includes(event.id), { what: `${label} to log the event id` });
    }
    assertPythonParses(await copiedSnippet(page, 'Python'));
    assertClean(page, 'standard custom prefix');
  } finally {
    await page.closeAll();
  }
});

test('custom signature templates: the page shows what is signed and how the header is built', async () => {
  const srv = await server({
    DESTINATIONS_WEBHOOK_SIGNATURE_CONTENT_TEMPLATE: '{{.Timestamp.Unix}}.{{.Body}}',
    DESTINATIONS_WEBHOOK_SIGNATURE_HEADER_TEMPLATE: 't={{.Timestamp.Unix}},v1={{.Signatures | join ","}}',
  });
  const dest = await createDestination(srv, T, { type: 'webhook', topics: ['*'], config: { url: rx.url('/tmpl') } });
  const page = await openSecret(srv, dest);
  try {
    const verify = await text(page, '.verify-card');
    assert.match(verify, /Custom signature format/);
    assert.ok(verify.includes('{{.Timestamp.Unix}}.{{.Body}}'));
    assert.ok(verify.includes('t={{.Timestamp.Unix}},v1={{.Signatures | join ","}}'));
    const node = await copiedSnippet(page, 'Node.js');
    assert.match(node, /^\/\/ This server uses a custom signature format\. It signs:\n\/\/ {3}\{\{\.Timestamp\.Unix\}\}\.\{\{\.Body\}\}/);
    assert.match(await copiedSnippet(page, 'Python'), /^# This server uses a custom signature format/);
    await auditScreen(page, 'custom templates');
    assertClean(page, 'custom templates');
  } finally {
    await page.closeAll();
  }
});
