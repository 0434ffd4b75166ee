// Screenshots of the portal's main screens in light and dark, on a laptop
// (1280x800) and a phone (375x812), saved to tests/output/screenshots/ so a
// person can look at them. Also checks that no screen logs a console error
// or CSP violation and that nothing is fetched from another origin.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib/server.mjs';
import { startReceiver, waitFor } from '../api/lib/receiver.mjs';
import {
  launchBrowser, openPage, assertClean, shot, createTenant, portalLink, publish, createDestination, attempts,
  DESKTOP, PHONE, expiredToken, auditScreen,
} from './lib.mjs';

const TENANT = 'acme_shop_42';
let srv;
let rx;
let browser;
let dests;

before(async () => {
  rx = await startReceiver();
  rx.on('/orders', { status: 200, body: '{"received":true}', headers: { 'content-type': 'application/json' } });
  rx.on('/crm', { failStatus: 503, body: '{"error":"upstream unavailable","retry_after":30}', headers: { 'content-type': 'application/json' } });
  srv = await startServer({
    env: {
      TOPICS: 'order.created,order.paid,order.refunded,order.shipped,customer.created,customer.updated,invoice.finalized,invoice.payment_failed',
      MAX_RETRY_LIMIT: '0',
      PORTAL_ORGANIZATION_NAME: 'Acme Commerce',
      PORTAL_REFERER_URL: 'https://acme.example/settings',
      PORTAL_ENABLE_DESTINATION_FILTER: 'true',
      PORTAL_ENABLE_WEBHOOK_CUSTOM_HEADERS: 'true',
    },
  });
  browser = await launchBrowser();
  await createTenant(srv, TENANT);
  const orders = await createDestination(srv, TENANT, {
    type: 'webhook', topics: ['order.created', 'order.paid', 'order.refunded', 'order.shipped'],
    config: { url: rx.url('/orders'), custom_headers: JSON.stringify({ 'X-Api-Key': 'k_live_123' }) },
  });
  const crm = await createDestination(srv, TENANT, { type: 'webhook', topics: ['*'], config: { url: rx.url('/crm') } });
  const old = await createDestination(srv, TENANT, {
    type: 'webhook', topics: ['invoice.finalized'], config: { url: 'https://legacy.acme-partner.example/hooks/invoices' },
  });
  await srv.raw('PUT', `/tenants/${TENANT}/destinations/${old.id}/disable`);
  dests = { orders, crm, old };
  const topics = ['order.created', 'order.paid', 'customer.created', 'order.shipped', 'order.refunded', 'customer.updated'];
  let n = 0;
  for (const topic of topics) {
    for (let i = 0; i < 2; i += 1) {
      n += 1;
      await publish(srv, {
        tenant_id: TENANT, topic,
        data: { id: `${topic.split('.')[0]}_${1000 + n}`, amount: 1999 + n * 250, currency: 'usd', customer: { id: 'cus_8f2k', email: 'ada@example.com' }, items: [{ sku: 'TSHIRT-M', qty: 2 }] },
        metadata: { source: 'checkout' },
      });
    }
  }
  await waitFor(async () => (await attempts(srv, TENANT)).length >= 20, { timeoutMs: 15000, what: 'seed deliveries' });
  // One recovered delivery: a manual retry that succeeds.
  rx.on('/crm', { status: 200, body: 'ok' });
  const failed = (await attempts(srv, TENANT, '&status=failed'))[0];
  await srv.raw('POST', '/retry', { token: await srv.token(TENANT), body: { event_id: failed.event_id, destination_id: failed.destination_id } });
  await waitFor(async () => (await attempts(srv, TENANT, '&status=success')).some((a) => a.manual), { what: 'manual retry' });
  rx.on('/crm', { failStatus: 503, body: '{"error":"upstream unavailable","retry_after":30}', headers: { 'content-type': 'application/json' } });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  await rx?.close();
});

const VARIANTS = [
  { theme: 'light', vp: DESKTOP, name: 'desktop' },
  { theme: 'dark', vp: DESKTOP, name: 'desktop' },
  { theme: 'light', vp: PHONE, name: 'phone' },
  { theme: 'dark', vp: PHONE, name: 'phone' },
];

for (const v of VARIANTS) {
  test(`main screens, ${v.theme}, ${v.name} ${v.vp.width}x${v.vp.height}`, async () => {
    const page = await openPage(browser, srv, { viewport: v.vp, colorScheme: v.theme });
    const tag = `${v.theme}-${v.name}`;
    try {
      await page.goto(await portalLink(srv, TENANT, { theme: v.theme }));
      assert.equal(await page.getAttribute('html', 'data-theme'), v.theme);
      await page.locator('.dest-row').first().waitFor();
      await page.locator('.dest-health .spark').first().waitFor();
      await shot(page, `01-destinations-${tag}`);
      await auditScreen(page, `01-destinations-${tag}`);

      await page.click(`.dest-row[data-id="${dests.crm.id}"]`);
      await page.locator('.stat-value').first().waitFor();
      await page.locator('.att-row').first().waitFor();
      await shot(page, `02-destination-overview-${tag}`);
      await auditScreen(page, `02-destination-overview-${tag}`);

      await page.click('.btn-test');
      await page.locator('.test-card .test-result').waitFor({ timeout: 15000 });
      await shot(page, `03-test-event-result-${tag}`);
      await auditScreen(page, `03-test-event-result-${tag}`);

      await page.click('.tab[data-tab="settings"]');
      await page.locator('.btn-save').waitFor();
      await shot(page, `04-destination-settings-${tag}`);
      await auditScreen(page, `04-destination-settings-${tag}`);

      await page.goto(`${srv.url}/destinations/${dests.orders.id}/secret`);
      await page.locator('.secret-current input').waitFor();
      await page.click('.btn-rotate');
      await page.click('dialog.modal .dialog-confirm');
      await page.locator('.rotation').waitFor();
      await shot(page, `05-signing-secret-${tag}`);
      await auditScreen(page, `05-signing-secret-${tag}`);

      await page.goto(`${srv.url}/events`);
      await page.locator('.att-row').first().waitFor();
      await shot(page, `06-event-history-${tag}`);
      await auditScreen(page, `06-event-history-${tag}`);

      await page.click('.att-row[data-status="failed"]');
      await page.locator('.drawer .btn-retry').waitFor();
      await page.locator('.drawer .code-block').first().waitFor();
      await shot(page, `07-delivery-detail-failed-${tag}`, { drawer: true });
      await auditScreen(page, `07-delivery-detail-failed-${tag}`, { dialog: true });
      await page.keyboard.press('Escape');
      await page.locator('dialog.drawer[open]').waitFor({ state: 'detached' }).catch(() => {});

      // A successful delivery: the request as sent (method, URL, headers,
      // body) and the response (status, JSON body, duration).
      await page.locator('.att-row[data-status="success"]', { hasText: '/orders' }).first().click();
      await page.locator('.drawer .headers-list').waitFor();
      await page.locator('.drawer .response-line').waitFor();
      await shot(page, `07b-delivery-detail-success-${tag}`, { drawer: true });
      await auditScreen(page, `07b-delivery-detail-success-${tag}`, { dialog: true });
      await page.keyboard.press('Escape');
      await page.locator('dialog.drawer[open]').waitFor({ state: 'detached' }).catch(() => {});

      await page.selectOption('select[name="status"]', 'failed');
      await page.locator('.att-row').first().waitFor();
      await page.waitForFunction(() => [...document.querySelectorAll('.att-row')].every((r) => r.dataset.status === 'failed'));
      await shot(page, `08-event-history-filtered-${tag}`);
      await auditScreen(page, `08-event-history-filtered-${tag}`);

      await page.goto(`${srv.url}/events?view=events`);
      await page.locator('.ev-row').first().waitFor();
      await page.click('.ev-row');
      await page.locator('.drawer .ev-dest').first().waitFor();
      await shot(page, `09-event-detail-${tag}`, { drawer: true });
      await auditScreen(page, `09-event-detail-${tag}`, { dialog: true });

      await page.goto(`${srv.url}/destinations/new`);
      await page.locator('.type-card').first().waitFor();
      await shot(page, `10-new-destination-type-${tag}`);
      await auditScreen(page, `10-new-destination-type-${tag}`);
      await page.click('.btn-continue');
      await page.click('text=Selected topics');
      await page.check('input[value="order.created"]');
      await page.check('input[value="order.paid"]');
      await shot(page, `11-new-destination-topics-${tag}`);
      await auditScreen(page, `11-new-destination-topics-${tag}`);
      await page.click('.btn-continue');
      await page.locator('form .btn-create').waitFor();
      await page.fill('input[type="url"]', 'not a url');
      await page.click('.btn-create');
      await page.locator('.field-error:not([hidden])').first().waitFor();
      await shot(page, `12-new-destination-validation-${tag}`);
      await auditScreen(page, `12-new-destination-validation-${tag}`);
      assertClean(page, tag);
    } finally {
      await page.closeAll();
    }
  });
}

test('session expired page, light and dark', async () => {
  const bare = await startServer({ env: { PORTAL_ORGANIZATION_NAME: 'Acme Commerce' } });
  try {
    await createTenant(bare, 't1');
    for (const v of VARIANTS) {
      const page = await openPage(browser, bare, { viewport: v.vp, colorScheme: v.theme });
      try {
        await page.goto(`${bare.url}/?token=${expiredToken(bare, 't1')}`);
        await page.getByRole('heading', { name: /session expired/i }).waitFor();
        await shot(page, `13-session-expired-${v.theme}-${v.name}`);
        await auditScreen(page, `13-session-expired-${v.theme}-${v.name}`);
        assertClean(page, 'expired');
      } finally {
        await page.closeAll();
      }
    }
  } finally {
    await bare.stop();
  }
});
