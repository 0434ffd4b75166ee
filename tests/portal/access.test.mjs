// Who sees what: read-only tokens, expired and missing sessions (refresh /
// referer redirects, the 'session expired' page, expiry while the page is
// open) and tenant isolation.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, signJwt, decodeJwt } from '../api/lib/server.mjs';
import { startReceiver, waitFor } from '../api/lib/receiver.mjs';
import {
  launchBrowser, openPage, assertClean, createTenant, portalLink, publish, createDestination, attempts, expiredToken, shot,
} from './lib.mjs';

let rx;
let browser;
const servers = [];

async function server(env = {}) {
  const s = await startServer({ env: { MAX_RETRY_LIMIT: '0', ...env } });
  servers.push(s);
  return s;
}

before(async () => {
  rx = await startReceiver();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
  await rx?.close();
});

// Buttons that change nothing: everything else must be absent or disabled in a read-only session.
const NON_MUTATING = /^(Copy|Show|Hide|Switch to (light|dark) theme|Refresh|Close|Dismiss|Try again|Node\.js|Python|Go|Newer|Older|Attempt #|New activity|Skip to content)/;

/** Enabled controls on the screen that could change something. */
async function mutatingControls(page) {
  return page.evaluate((safeSrc) => {
    const safe = new RegExp(safeSrc);
    const out = [];
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility === 'visible';
    for (const el of document.querySelectorAll('button, input, select, textarea, [role="button"]')) {
      if (el.disabled || el.closest('fieldset:disabled') || !visible(el) || el.closest('[aria-hidden="true"]')) continue;
      if (el.readOnly && el.matches('input, textarea')) continue;
      if (el.closest('form[role="search"]')) continue; // history filters only change the view
      if (el.getAttribute('role') === 'tab') continue;
      const name = (el.getAttribute('aria-label') || el.textContent || el.name || el.type).trim().replace(/\s+/g, ' ');
      if (el.matches('button, [role="button"]') && safe.test(name)) continue;
      out.push(`${el.tagName.toLowerCase()} "${name.slice(0, 40)}"`);
    }
    for (const a of document.querySelectorAll('a[href]')) {
      if (!visible(a)) continue;
      const href = a.getAttribute('href');
      if (href === '/destinations/new' || /^(Edit|Add destination|Enable it)$/.test(a.textContent.trim())) out.push(`link "${a.textContent.trim()}"`);
    }
    return out;
  }, NON_MUTATING.source);
}

test('a read-only token sees everything and can change nothing', async () => {
  const srv = await server({ TOPICS: 'a.created,b.created', PORTAL_ENABLE_DESTINATION_FILTER: 'true' });
  const T = 'tenant_ro';
  await createTenant(srv, T);
  rx.on('/ro', { failStatus: 500, body: 'nope' });
  const dest = await createDestination(srv, T, { type: 'webhook', topics: ['a.created'], config: { url: rx.url('/ro') } });
  const ev = await publish(srv, { tenant_id: T, topic: 'a.created', data: { x: 1 } });
  await waitFor(async () => (await attempts(srv, T)).length === 1, { what: 'attempt' });
  const link = await portalLink(srv, T, { permissions: 'read' });
  const page = await openPage(browser, srv);
  const mutations = [];
  page.on('request', (req) => { if (req.url().includes('/api/') && req.method() !== 'GET') mutations.push(`${req.method()} ${req.url()}`); });
  try {
    await page.goto(link);
    await page.getByRole('note').filter({ hasText: 'Read-only access' }).waitFor();
    // Sees the destination and its health...
    await page.locator(`.dest-row[data-id="${dest.id}"] .health-rate`).waitFor();
    // ...but cannot add one.
    assert.equal(await page.getByRole('link', { name: 'Add destination' }).count(), 0);
    assert.deepEqual(await mutatingControls(page), [], 'destinations list');
    await page.goto(`${srv.url}/destinations/new`);
    await page.getByText('you cannot add destinations').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create destination' }).count(), 0);

    assert.deepEqual(await mutatingControls(page), [], 'new destination page');
    await page.goto(`${srv.url}/destinations/${dest.id}`);
    await page.locator('.stat-value').first().waitFor();
    await page.locator('.att-row').first().waitFor();
    assert.deepEqual(await mutatingControls(page), [], 'destination overview');
    assert.equal(await page.getByRole('button', { name: 'Send test event' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Disable', exact: true }).isDisabled(), true);

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByText('You can view this configuration but not change it').waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'URL', exact: true }).inputValue(), rx.url('/ro'));
    assert.equal(await page.getByRole('textbox', { name: 'URL', exact: true }).isDisabled(), true);
    assert.equal(await page.getByLabel('b.created', { exact: true }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Save changes' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete destination' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Disable destination' }).isDisabled(), true);
    assert.deepEqual(await mutatingControls(page), [], 'settings');

    await page.getByRole('link', { name: 'Signing secret' }).click();
    assert.equal(await page.getByLabel('Current secret', { exact: true }).inputValue(), dest.credentials.secret);
    assert.equal(await page.getByRole('button', { name: 'Rotate secret' }).isDisabled(), true);
    await page.locator('.code-panel').waitFor();
    assert.deepEqual(await mutatingControls(page), [], 'signing secret');

    await page.getByRole('link', { name: 'Event history' }).click();
    await page.locator(`.att-row[data-event-id="${ev.id}"]`).click();
    const drawer = page.locator('dialog.drawer[open]');
    await drawer.locator('.code-block').first().waitFor();
    assert.match(await drawer.textContent(), /nope/); // response details are visible
    assert.equal(await drawer.getByRole('button', { name: 'Retry delivery' }).isDisabled(), true);
    assert.deepEqual(await mutatingControls(page), [], 'delivery drawer');
    await shot(page, 'read-only-delivery-light-desktop', { drawer: true });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    assert.deepEqual(await mutatingControls(page), [], 'event history');
    await page.goto(`${srv.url}/events?view=events&event=${ev.id}`);
    const evDrawer = page.locator('dialog.drawer[open]');
    await evDrawer.locator('.ev-dest').waitFor();
    assert.equal(await evDrawer.getByRole('button', { name: 'Retry' }).isDisabled(), true);
    assert.deepEqual(await mutatingControls(page), [], 'event drawer');
    assert.deepEqual(mutations, [], 'the portal sent no write request');

    // The API refuses writes from this token too (not only the UI).
    const results = await page.evaluate(async ({ tid, did, eid }) => {
      const token = sessionStorage.getItem('hookpost.portal.token');
      const call = async (method, path, body) => {
        const r = await fetch(`/api/v1${path}`, {
          method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
        });
        return { status: r.status, body: await r.text() };
      };
      return [
        await call('PATCH', `/tenants/${tid}/destinations/${did}`, { topics: ['b.created'] }),
        await call('PUT', `/tenants/${tid}/destinations/${did}/disable`),
        await call('DELETE', `/tenants/${tid}/destinations/${did}`),
        await call('POST', '/retry', { event_id: eid, destination_id: did }),
        await call('POST', `/tenants/${tid}/destinations/${did}/test`),
        await call('POST', `/tenants/${tid}/destinations`, { type: 'webhook', topics: ['*'], config: { url: 'https://x.example' } }),
      ];
    }, { tid: T, did: dest.id, eid: ev.id });
    for (const r of results) {
      assert.equal(r.status, 403, JSON.stringify(r));
      assert.equal(JSON.parse(r.body).message, 'this token is read-only');
    }
    const after = (await srv.raw('GET', `/tenants/${T}/destinations`)).json;
    assert.equal(after.length, 1);
    assert.deepEqual(after[0].topics, ['a.created']);
    assert.equal(after[0].disabled_at, null);
    assert.equal((await attempts(srv, T)).length, 1, 'no retry happened');
    assertClean(page, 'read-only');
  } finally {
    await page.closeAll();
  }
});

test('the portal link: token for the tenant, lifetime per request within 60 s..24 h, permissions and theme', async () => {
  const srv = await server({});
  await createTenant(srv, 't_link');
  const claims = async (query) => {
    const link = new URL(await portalLink(srv, 't_link', query));
    assert.equal(link.origin, srv.url, 'the link points at this server');
    assert.equal(link.pathname, '/');
    return { link, jwt: decodeJwt(link.searchParams.get('token')).payload };
  };
  let { link, jwt } = await claims({});
  assert.equal(jwt.sub, 't_link');
  assert.equal(jwt.exp - jwt.iat, 86400, 'default lifetime 24 h');
  assert.equal(link.searchParams.get('theme'), null);
  ({ link, jwt } = await claims({ expires_in: '60', theme: 'dark', permissions: 'read' }));
  assert.equal(jwt.exp - jwt.iat, 60);
  assert.deepEqual(jwt.permissions, ['read']);
  assert.equal(link.searchParams.get('theme'), 'dark');
  ({ jwt } = await claims({ expires_in: '86400' }));
  assert.equal(jwt.exp - jwt.iat, 86400);
  for (const bad of ['59', '86401', 'soon']) {
    const r = await srv.raw('GET', `/tenants/t_link/portal?expires_in=${bad}`);
    assert.equal(r.status, 422, `expires_in=${bad}`);
    assert.match(JSON.stringify(r.json.data), /between 60 and 86400/);
  }
  // The short-lived link works in the browser, and the token leaves the address bar.
  const page = await openPage(browser, srv);
  try {
    await page.goto((await claims({ expires_in: '60' })).link.toString());
    await page.getByRole('heading', { name: 'No destinations yet' }).waitFor();
    assert.equal(new URL(page.url()).search, '');
    assertClean(page, 'short-lived link');
  } finally {
    await page.closeAll();
  }
});

test('expired token: redirect to PORTAL_REFRESH_URL when set', async () => {
  const srv = await server({ PORTAL_REFRESH_URL: rx.url('/refresh'), PORTAL_REFERER_URL: rx.url('/referer') });
  await createTenant(srv, 't1');
  const page = await openPage(browser, srv, { allowHosts: [new URL(rx.base).host] });
  try {
    const n = rx.at('/refresh').length;
    await page.goto(`${srv.url}/?token=${expiredToken(srv, 't1')}`);
    await page.waitForURL(rx.url('/refresh'));
    await rx.waitCount('/refresh', n + 1);
    // Missing token (e.g. a bookmark): same.
    await page.goto(`${srv.url}/events`);
    await page.waitForURL(rx.url('/refresh'));
  } finally {
    await page.closeAll();
  }
});

test('expired token: redirect to PORTAL_REFERER_URL when there is no refresh URL', async () => {
  const srv = await server({ PORTAL_REFERER_URL: rx.url('/referer') });
  await createTenant(srv, 't1');
  const page = await openPage(browser, srv, { allowHosts: [new URL(rx.base).host] });
  try {
    await page.goto(`${srv.url}/destinations?token=${expiredToken(srv, 't1')}`);
    await page.waitForURL(rx.url('/referer'));
  } finally {
    await page.closeAll();
  }
});

test('expired, missing or malformed token without redirect URLs: a clear session expired page', async () => {
  const srv = await server({ PORTAL_ORGANIZATION_NAME: 'Umbrella' });
  await createTenant(srv, 't1');
  const page = await openPage(browser, srv);
  try {
    for (const url of [`/?token=${expiredToken(srv, 't1')}`, '/', '/destinations/abc?token=not.a.jwt']) {
      await page.goto(`${srv.url}${url}`);
      await page.getByRole('heading', { name: 'Session expired' }).waitFor();
      assert.ok(!page.url().includes('token='), 'token removed from the URL');
      assert.match(await page.textContent('body'), /Return to Umbrella/);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('hookpost.portal.token')), null);
    }
    // A token the API rejects (wrong signature) ends the session on the first call.
    const forged = signJwt({ iss: 'outpost', sub: 't1', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 }, 'wrong-secret');
    await page.goto(`${srv.url}/?token=${forged}`);
    await page.getByRole('heading', { name: 'Session expired' }).waitFor();
    assertClean(page, 'expired');
  } finally {
    await page.closeAll();
  }
});

test('a session that expires while the portal is open leaves for the refresh URL', async () => {
  const srv = await server({ PORTAL_REFRESH_URL: rx.url('/refresh-live') });
  await createTenant(srv, 't1');
  const page = await openPage(browser, srv, { allowHosts: [new URL(rx.base).host] });
  try {
    await page.goto(`${srv.url}/?token=${expiredToken(srv, 't1', 3)}`);
    await page.getByRole('heading', { name: 'Destinations', exact: true }).waitFor();
    await page.waitForURL(rx.url('/refresh-live'), { timeout: 8000 });
  } finally {
    await page.closeAll();
  }
});

test("tenant A's token never shows tenant B's data", async () => {
  const srv = await server({ TOPICS: 'x.created' });
  rx.on('/tenant-a', { status: 200 });
  rx.on('/tenant-b', { failStatus: 500 });
  await createTenant(srv, 'tenant_a');
  await createTenant(srv, 'tenant_b');
  const a = await createDestination(srv, 'tenant_a', { type: 'webhook', topics: ['*'], config: { url: rx.url('/tenant-a') } });
  const b = await createDestination(srv, 'tenant_b', { type: 'webhook', topics: ['*'], config: { url: rx.url('/tenant-b') } });
  const evA = await publish(srv, { tenant_id: 'tenant_a', topic: 'x.created', data: { owner: 'a' } });
  const evB = await publish(srv, { tenant_id: 'tenant_b', topic: 'x.created', data: { owner: 'b-secret-payload' } });
  await waitFor(async () => (await attempts(srv, 'tenant_a')).length === 1 && (await attempts(srv, 'tenant_b')).length === 1, { what: 'attempts' });
  const attB = (await attempts(srv, 'tenant_b'))[0];

  const page = await openPage(browser, srv);
  const tenantPaths = [];
  page.on('request', (req) => {
    const m = new URL(req.url()).pathname.match(/^\/api\/v1\/tenants\/([^/]+)/);
    if (m) tenantPaths.push(decodeURIComponent(m[1]));
  });
  try {
    await page.goto(await portalLink(srv, 'tenant_a'));
    await page.locator(`.dest-row[data-id="${a.id}"]`).waitFor();
    assert.equal(await page.locator('.dest-row').count(), 1);
    let body = await page.textContent('body');
    assert.ok(!body.includes('/tenant-b') && !body.includes(b.id), 'B destination not listed');

    await page.getByRole('link', { name: 'Event history' }).click();
    await page.locator(`.att-row[data-event-id="${evA.id}"]`).waitFor();
    assert.equal(await page.locator('.att-row').count(), 1);
    await page.goto(`${srv.url}/events?view=events`);
    await page.locator(`.ev-row[data-event-id="${evA.id}"]`).waitFor();
    assert.equal(await page.locator('.ev-row').count(), 1);

    // Direct links to B's objects show nothing of B.
    await page.goto(`${srv.url}/destinations/${b.id}`);
    await page.getByRole('heading', { name: 'Destination not found' }).waitFor();
    await page.goto(`${srv.url}/events?attempt=${attB.id}`);
    await page.getByText('does not exist or belongs to another account').waitFor();
    await page.goto(`${srv.url}/events?view=events&event=${evB.id}`);
    await page.getByText('does not exist or belongs to another account').waitFor();
    await page.goto(`${srv.url}/events?destination=${b.id}`);
    await page.getByRole('heading', { name: 'Nothing matches these filters' }).waitFor();
    body = await page.textContent('body');
    assert.ok(!body.includes('b-secret-payload') && !body.includes('/tenant-b'));
    assert.ok(tenantPaths.length > 0 && tenantPaths.every((t) => t === 'tenant_a'), `tenant paths used: ${[...new Set(tenantPaths)]}`);

    // Opening B's link in the same tab switches the session completely.
    tenantPaths.length = 0;
    await page.goto(await portalLink(srv, 'tenant_b'));
    await page.locator(`.dest-row[data-id="${b.id}"]`).waitFor();
    assert.equal(await page.locator('.dest-row').count(), 1);
    assert.ok(!(await page.textContent('body')).includes('/tenant-a'));
    assert.ok(tenantPaths.every((t) => t === 'tenant_b'));
    assertClean(page, 'isolation');
  } finally {
    await page.closeAll();
  }
});
