// What a tenant sees while data loads, when the API fails or is out of
// reach, and when there is nothing yet; health at a glance per destination;
// dialogs (focus kept inside, Escape closes, focus goes back); and async
// results announced through live regions.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib/server.mjs';
import { startReceiver, waitFor } from '../api/lib/receiver.mjs';
import {
  launchBrowser, openPage, assertClean, createTenant, portalLink, publish, createDestination, attempts, auditScreen, tabThrough,
  PHONE, shot,
} from './lib.mjs';

let srv;
let rx;
let browser;

before(async () => {
  rx = await startReceiver();
  srv = await startServer({ env: { TOPICS: 'order.paid,order.created', MAX_RETRY_LIMIT: '0' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  await rx?.close();
});

/** Page problems other than the HTTP errors a test provokes on purpose. */
const unexpected = (page) => page.problems.filter((p) => !/status of 50[03]|net::ERR_FAILED|ERR_CONNECTION_REFUSED/.test(p));

test('loading, error and retry states on every screen that fetches', async () => {
  const T = 'tenant_states';
  await createTenant(srv, T);
  rx.on('/states', { status: 200 });
  const dest = await createDestination(srv, T, { type: 'webhook', topics: ['*'], config: { url: rx.url('/states') } });
  await publish(srv, { tenant_id: T, topic: 'order.paid', data: { n: 1 } });
  await waitFor(async () => (await attempts(srv, T)).length === 1, { what: 'attempt' });
  const page = await openPage(browser, srv);
  try {
    // Loading: the destinations request is held back; a busy skeleton shows meanwhile.
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route(/\/api\/v1\/tenants\/[^/]+\/destinations$/, async (route) => { await held; await route.continue(); });
    await page.goto(await portalLink(srv, T));
    const busy = page.locator('main [role="status"][aria-busy="true"]');
    await busy.first().waitFor();
    assert.equal(await busy.first().getAttribute('aria-label'), 'Loading');
    release();
    await page.locator(`.dest-row[data-id="${dest.id}"]`).waitFor();
    assert.equal(await busy.count(), 0, 'no skeleton left once loaded');
    await page.unroute(/\/api\/v1\/tenants\/[^/]+\/destinations$/);

    // Server error: the API's message, an alert, and Try again that works.
    let fail = true;
    await page.route(/\/api\/v1\/tenants\/[^/]+\/destinations$/, (route) => (fail
      ? route.fulfill({ status: 500, contentType: 'application/json', body: '{"status":500,"message":"database unavailable"}' })
      : route.continue()));
    await page.reload();
    const alert = page.getByRole('alert').filter({ hasText: 'Something went wrong' });
    await alert.waitFor();
    assert.match(await alert.textContent(), /database unavailable/);
    await shot(page, 'state-error-light-desktop');
    fail = false;
    await alert.getByRole('button', { name: 'Try again' }).click();
    await page.locator(`.dest-row[data-id="${dest.id}"]`).waitFor();
    await page.unroute(/\/api\/v1\/tenants\/[^/]+\/destinations$/);

    // Network failure on the history: a clear message, the live summary says so, Try again recovers.
    let down = true;
    await page.route(/\/api\/v1\/attempts\?/, (route) => (down ? route.abort('connectionrefused') : route.continue()));
    await page.getByRole('link', { name: 'Event history' }).click();
    const netAlert = page.getByRole('alert').filter({ hasText: 'Could not reach the server' });
    await netAlert.waitFor();
    assert.match(await page.locator('.list-status').textContent(), /Could not load the history: Could not reach the server/);
    down = false;
    await netAlert.getByRole('button', { name: 'Try again' }).click();
    await page.locator('.att-row').first().waitFor();
    assert.equal(await page.locator('.list-status').textContent(), 'Showing 1 delivery.');
    await page.unroute(/\/api\/v1\/attempts\?/);

    // A destination page whose load fails.
    let destDown = true;
    const one = new RegExp(`/api/v1/tenants/[^/]+/destinations/${dest.id}$`);
    await page.route(one, (route) => (destDown ? route.fulfill({ status: 503, contentType: 'application/json', body: '{"status":503,"message":"try later"}' }) : route.continue()));
    await page.goto(`${srv.url}/destinations/${dest.id}`);
    const destAlert = page.getByRole('alert').filter({ hasText: 'try later' });
    await destAlert.waitFor();
    destDown = false;
    await destAlert.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { level: 1, name: rx.url('/states') }).waitFor();
    assert.deepEqual(unexpected(page), []);
    assert.deepEqual(page.foreign, []);
  } finally {
    await page.closeAll();
  }
});

test('empty states: no destinations, no deliveries, no events, nothing matching', async () => {
  const T = 'tenant_empty';
  await createTenant(srv, T);
  const page = await openPage(browser, srv, { viewport: PHONE, colorScheme: 'dark' });
  try {
    await page.goto(await portalLink(srv, T));
    const empty = page.locator('.empty');
    await page.getByRole('heading', { name: 'No destinations yet' }).waitFor();
    assert.equal(await empty.getByRole('link', { name: 'Add destination' }).count(), 1, 'the empty list offers the next step');
    await auditScreen(page, 'empty destinations');
    await page.getByRole('link', { name: 'Event history' }).click();
    await page.getByRole('heading', { name: 'No deliveries yet' }).waitFor();
    assert.equal(await page.locator('.list-status').textContent(), 'No deliveries yet.');
    await shot(page, 'state-empty-history-dark-phone');
    await auditScreen(page, 'empty history');
    await page.getByRole('link', { name: 'Events', exact: true }).click();
    await page.getByRole('heading', { name: 'No events yet' }).waitFor();
    await page.getByLabel('Time').selectOption('1h');
    await page.getByRole('heading', { name: 'Nothing matches these filters' }).waitFor();
    await page.locator('.empty').getByRole('link', { name: 'Clear filters' }).click();
    await page.getByRole('heading', { name: 'No events yet' }).waitFor();
    assert.ok(!page.url().includes('range='));

    const dest = await createDestination(srv, T, { type: 'webhook', topics: ['*'], config: { url: rx.url('/empty') } });
    await page.goto(`${srv.url}/destinations/${dest.id}`);
    await page.getByRole('heading', { name: 'No deliveries yet' }).waitFor();
    assert.equal(await page.locator('.stat-value').first().textContent(), '—', 'no success rate without deliveries');
    await auditScreen(page, 'empty destination');
    assertClean(page, 'empty');
  } finally {
    await page.closeAll();
  }
});

test('health at a glance: recent success rate and consecutive failures per destination', async () => {
  const T = 'tenant_health';
  await createTenant(srv, T);
  rx.on('/healthy', { status: 200 });
  rx.on('/flaky', { status: 200 });
  const healthy = await createDestination(srv, T, { type: 'webhook', topics: ['order.created'], config: { url: rx.url('/healthy') } });
  const flaky = await createDestination(srv, T, { type: 'webhook', topics: ['order.paid'], config: { url: rx.url('/flaky') } });
  const deliver = async (topic, n) => {
    const before = (await attempts(srv, T)).length;
    for (let i = 0; i < n; i += 1) await publish(srv, { tenant_id: T, topic, data: { i } });
    await waitFor(async () => (await attempts(srv, T)).length === before + n, { what: `${n} more attempts` });
  };
  await deliver('order.created', 2);
  await deliver('order.paid', 1); // flaky: 1 success...
  rx.on('/flaky', { failStatus: 502 });
  await deliver('order.paid', 3); // ...then 3 failures in a row
  const page = await openPage(browser, srv);
  try {
    await page.goto(await portalLink(srv, T));
    const flakyHealth = page.locator(`.dest-row[data-id="${flaky.id}"] .dest-health`);
    await flakyHealth.locator('.health-rate').waitFor();
    assert.match(await flakyHealth.textContent(), /25%\s*success · last 4/);
    assert.match(await flakyHealth.locator('.streak').textContent(), /^3 failed in a row$/);
    assert.equal(await flakyHealth.locator('.spark').getAttribute('aria-label'), 'Last 4 deliveries: 1 succeeded, 3 failed');
    assert.deepEqual(await flakyHealth.locator('.spark-bar:not(.spark-empty)').evaluateAll((b) => b.map((x) => (x.classList.contains('spark-ok') ? 'ok' : 'bad'))),
      ['ok', 'bad', 'bad', 'bad'], 'oldest to newest');
    const healthyHealth = page.locator(`.dest-row[data-id="${healthy.id}"] .dest-health`);
    assert.match(await healthyHealth.textContent(), /100%\s*success · last 2/);
    assert.equal(await healthyHealth.locator('.streak').count(), 0);

    await page.locator(`.dest-row[data-id="${flaky.id}"]`).click();
    await page.locator('.stat-value').first().waitFor();
    await page.waitForFunction(() => document.querySelector('.stat-value')?.textContent !== '');
    const stats = await page.locator('.stat').evaluateAll((cards) => cards.map((c) => c.innerText.replace(/\s+/g, ' ').trim()));
    assert.match(stats[0], /Success rate 25% 1 of last 4 deliveries/i);
    assert.match(stats[1], /Consecutive failures 3 since the last success/i);
    assert.match(stats[2], /Last delivery .*Failed 502/i);
    assert.match(await page.locator('.stats-slot .callout-danger').textContent(), /3 failed in a row/);

    // the last 24 hours from the Metrics API: one bar per hour, this destination's attempts only
    await page.locator('.activity').waitFor();
    assert.match(await page.locator('.activity-foot').textContent(), /^4 deliveries · 3 failed \(75%\), per hour$/);
    const cols = await page.locator('.activity-col').evaluateAll((c) => c.map((x) => [Number(x.dataset.ok), Number(x.dataset.failed)]));
    assert.equal(cols.length, 24);
    assert.deepEqual(cols.reduce((s, [ok, failed]) => [s[0] + ok, s[1] + failed], [0, 0]), [1, 3]);
    assert.equal(await page.locator('.activity').getAttribute('aria-label'), 'Last 24 hours: 4 deliveries, 3 failed');
    assert.equal(await page.locator('.activity-failed').count(), cols.filter(([, f]) => f).length, 'failures drawn where they happened');
    assertClean(page, 'health');
  } finally {
    await page.closeAll();
  }
});

test('dialogs keep focus inside, close on Escape and give focus back; async results are announced', async () => {
  const T = 'tenant_dialogs';
  await createTenant(srv, T);
  rx.on('/dlg', { failStatus: 500, body: 'no' });
  const dest = await createDestination(srv, T, { type: 'webhook', topics: ['*'], config: { url: rx.url('/dlg') } });
  await publish(srv, { tenant_id: T, topic: 'order.paid', data: { n: 1 } });
  await waitFor(async () => (await attempts(srv, T)).length === 1, { what: 'attempt' });
  const page = await openPage(browser, srv);
  try {
    await page.goto(await portalLink(srv, T));
    await page.locator('.dest-row').waitFor();
    // Live regions exist from the start (a region created with its message is often not read).
    assert.equal(await page.locator('.toasts[role="status"][aria-live="polite"]').count(), 1);
    assert.equal(await page.locator('.announcer[aria-live="polite"]').count(), 1);

    // Confirmation dialog: Tab and Shift+Tab cycle inside it; Escape cancels; focus returns to the button.
    await page.goto(`${srv.url}/destinations/${dest.id}/settings`);
    const del = page.getByRole('button', { name: 'Delete destination' });
    await del.click();
    const dlg = page.getByRole('dialog', { name: 'Delete this destination?' });
    await dlg.waitFor();
    const inDialog = () => page.evaluate(() => !!document.activeElement?.closest('dialog[open]'));
    for (let i = 0; i < 5; i += 1) {
      await page.keyboard.press('Tab');
      assert.ok(await inDialog(), `Tab ${i + 1} stays in the dialog`);
    }
    for (let i = 0; i < 5; i += 1) {
      await page.keyboard.press('Shift+Tab');
      assert.ok(await inDialog(), `Shift+Tab ${i + 1} stays in the dialog`);
    }
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Delete destination', 'focus back on the opener');
    assert.equal((await srv.raw('GET', `/tenants/${T}/destinations/${dest.id}`)).status, 200, 'Escape deleted nothing');

    // Send a test event: the result is in a live region and announced.
    await page.getByRole('button', { name: 'Send test event' }).click();
    const result = page.locator('.test-card .test-result');
    await result.waitFor({ timeout: 15000 });
    assert.equal(await result.evaluate((el) => el.closest('[aria-live]')?.getAttribute('aria-live')), 'polite');
    await page.waitForFunction(() => document.querySelector('.announcer')?.textContent === 'Test event failed');

    // The delivery drawer: focus starts on Close, Tab stays inside, Escape closes and focus returns to the row.
    await page.getByRole('link', { name: 'Event history' }).click();
    const row = page.locator('.att-row').last();
    await row.waitFor();
    await row.focus();
    const rowId = await row.getAttribute('data-attempt-id');
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog', { name: 'Delivery attempt' });
    await drawer.locator('.btn-retry').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Close');
    const { reached } = await tabThrough(page, { within: 'dialog[open]' });
    assert.ok(reached.length >= 5 && reached.every((r) => r.inDialog), 'Tab cycles within the drawer');
    // Retry from the drawer: the outcome is announced.
    rx.on('/dlg', { status: 200 });
    await drawer.getByRole('button', { name: 'Retry delivery' }).click();
    await page.waitForFunction(() => document.querySelector('.announcer')?.textContent === 'Retry succeeded', null, { timeout: 20000 });
    assert.match(await page.locator('.toasts').textContent(), /Retry succeeded \(200 OK\)/);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    await page.waitForFunction((id) => document.activeElement?.dataset.attemptId === id || document.activeElement?.classList.contains('att-row'), rowId);
    assertClean(page, 'dialogs');
  } finally {
    await page.closeAll();
  }
});

test('attempt detail from a server without request_data or duration_ms shows what exists', async () => {
  const T = 'tenant_older_api';
  await createTenant(srv, T);
  rx.on('/older', { status: 201, body: '{"accepted":1}', headers: { 'content-type': 'application/json' } });
  await createDestination(srv, T, { type: 'webhook', topics: ['*'], config: { url: rx.url('/older') } });
  await publish(srv, { tenant_id: T, topic: 'order.paid', data: { total: 12 } });
  await waitFor(async () => (await attempts(srv, T)).length === 1, { what: 'attempt' });
  const page = await openPage(browser, srv, { viewport: PHONE });
  const asked = [];
  try {
    // Answer as an older server would: no request_data, no duration_ms.
    await page.route(/\/api\/v1\/attempts(\/|\?)/, async (route) => {
      asked.push(route.request().url());
      const res = await route.fetch();
      const json = await res.json();
      for (const a of json.models || [json]) { delete a.request_data; delete a.duration_ms; }
      await route.fulfill({ response: res, json });
    });
    await page.goto(await portalLink(srv, T));
    await page.getByRole('link', { name: 'Event history' }).click();
    await page.locator('.att-row').click();
    const drawer = page.locator('dialog.drawer[open]');
    await drawer.locator('.code-block').last().waitFor();
    assert.ok(asked.some((u) => /include=request_data/.test(u) && /include=response_data/.test(u)), 'the detail asks for request and response data');
    assert.equal(await drawer.locator('.request-line .method').textContent(), 'POST');
    assert.equal(await drawer.locator('.request-url').textContent(), rx.url('/older'));
    assert.equal(await drawer.locator('.headers-list').count(), 0);
    assert.match(await drawer.textContent(), /Sent as Content-Type: application\/json/);
    assert.match(await drawer.locator('.code-block').first().textContent(), /"total": 12/);
    assert.match(await drawer.locator('.response-line').textContent(), /201 Created$/);
    assert.match(await drawer.locator('.code-block').last().textContent(), /"accepted": 1/);
    assert.equal(await drawer.locator('.attempt-duration').count(), 0);
    assert.doesNotMatch(await drawer.textContent(), /undefined|NaN|null|\[object/);
    await auditScreen(page, 'older API detail', { dialog: true });
    assertClean(page, 'older API');
  } finally {
    await page.closeAll();
  }
});
