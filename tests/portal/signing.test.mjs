// The signing-secret page follows the server's signing mode
// (DESTINATIONS_WEBHOOK_MODE, via PORTAL_CONFIGS.WEBHOOK_MODE and
// SIGNATURE_HEADER): in standard mode it explains Standard Webhooks and shows
// standardwebhooks snippets, and a delivery verifies with that package and the
// secret copied from the page; in default mode it names the configured
// signature header.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { startServer } from '../api/lib/server.mjs';
import { startReceiver, standardHeaders, parseV0, hmacHex } from '../api/lib/receiver.mjs';
import { launchBrowser, openPage, assertClean, createTenant, createDestination, portalLink, publish, shot } from './lib.mjs';

const T = 'signing_t';
let browser;
let rx;
const servers = [];

before(async () => {
  rx = await startReceiver();
  browser = await launchBrowser();
});

after(async () => {
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
async function openSecret(srv, dest, opts = {}) {
  const page = await openPage(browser, srv, opts);
  await page.goto(await portalLink(srv, T));
  await page.locator('.topbar').waitFor();
  await page.goto(`${srv.url}/destinations/${dest.id}/secret`);
  await page.locator('.secret-current input').waitFor();
  return page;
}

const text = (page, selector) => page.locator(selector).first().textContent();

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
