// The tenant's journey through the portal in a real browser, against the
// built binary and a local webhook receiver:
//   open redirect_url -> create a webhook -> publish via the API -> see the
//   event and its attempt -> make the receiver fail -> see the failure ->
//   retry -> see the new, successful attempt.
// Plus managing a destination: test event, edit, filter and header editors,
// disable/enable, secret rotation, delete with confirmation, keyboard use.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, decodeJwt } from '../api/lib/server.mjs';
import { startReceiver, waitFor, hmacHex, parseV0 } from '../api/lib/receiver.mjs';
import {
  launchBrowser, openPage, assertClean, createTenant, portalLink, publish, createDestination, attempts, unlabeledControls, shot,
} from './lib.mjs';

let srv;
let rx;
let browser;

before(async () => {
  rx = await startReceiver();
  srv = await startServer({
    env: {
      TOPICS: 'user.created,user.updated,order.paid',
      MAX_RETRY_LIMIT: '0', // no automatic retries: every attempt after the first is the portal's
      PORTAL_ENABLE_DESTINATION_FILTER: 'true',
      PORTAL_ENABLE_WEBHOOK_CUSTOM_HEADERS: 'true',
      PORTAL_ORGANIZATION_NAME: 'Initech',
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  await rx?.close();
});

test('full journey: create a webhook, see deliveries, see a failure, retry it', async () => {
  const T = 'tenant_journey';
  await createTenant(srv, T);
  rx.on('/journey', { status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' } });
  const link = await portalLink(srv, T);
  const token = new URL(link).searchParams.get('token');
  const page = await openPage(browser, srv, { permissions: ['clipboard-read', 'clipboard-write'] });
  const apiCalls = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname.startsWith('/api/')) apiCalls.push({ url: req.url(), auth: req.headers().authorization });
  });
  try {
    // 1. Open the link: the token is kept for the session and leaves the address bar.
    await page.goto(link);
    await page.getByRole('heading', { name: 'No destinations yet' }).waitFor();
    assert.ok(!page.url().includes('token='), `token still in the URL: ${page.url()}`);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('hookpost.portal.token')), token);
    assert.ok(apiCalls.length > 0 && apiCalls.every((c) => c.auth === `Bearer ${token}`), 'every API call carries the session token');
    assert.match(await page.title(), /Initech/);

    // 2. Create a webhook: type -> topics -> config (with an API validation error first).
    await page.getByRole('link', { name: 'Add destination' }).first().click();
    await page.getByRole('radio', { name: /Webhook/ }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Selected topics').click();
    // The topic list comes from GET /topics.
    for (const t of ['user.created', 'user.updated', 'order.paid']) await page.getByLabel(t, { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.match(await page.locator('.field-error:not([hidden])').first().textContent(), /Select at least one topic/);
    await page.getByLabel('user.created', { exact: true }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    const url = page.getByRole('textbox', { name: 'URL', exact: true });
    await url.fill('not-a-url');
    await page.getByRole('button', { name: 'Create destination' }).click();
    const err = page.locator('.field-error:not([hidden])');
    await err.waitFor();
    assert.match(await err.textContent(), /URL failed pattern validation/); // the API's message, on the field
    assert.equal(await url.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.type), 'url', 'focus moves to the invalid field');
    await url.fill(rx.url('/journey'));
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header name 1').fill('X-Initech-Ref');
    await page.getByLabel('Header value 1').fill('tps-42');
    await page.getByRole('button', { name: 'Create destination' }).click();
    await page.getByRole('heading', { name: 'Your destination is ready' }).waitFor();
    const destId = page.url().match(/\/destinations\/([^/?#]+)/)[1];
    const created = (await srv.raw('GET', `/tenants/${T}/destinations/${destId}`)).json;
    assert.deepEqual(created.topics, ['user.created']);
    assert.equal(created.config.url, rx.url('/journey'));
    assert.deepEqual(JSON.parse(created.config.custom_headers), { 'X-Initech-Ref': 'tps-42' });

    // The signing secret shown in the portal is the one deliveries are signed with.
    await page.getByRole('link', { name: 'Signing secret' }).click();
    const secretInput = page.getByLabel('Current secret', { exact: true });
    await page.getByRole('button', { name: 'Show current secret' }).click();
    assert.equal(await secretInput.getAttribute('type'), 'text');
    const secret = await secretInput.inputValue();
    assert.equal(secret, created.credentials.secret);
    await page.getByRole('button', { name: 'Copy current secret' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret, 'copy puts the secret on the clipboard');

    // 3. Publish through the API; the receiver gets it, signed with that secret.
    const ev1 = await publish(srv, { tenant_id: T, topic: 'user.created', data: { user_id: 'usr_1', email: 'peter@initech.example', plan: { name: 'pro', seats: 3 } } });
    const [rec1] = await rx.waitCount('/journey', 1);
    assert.ok(parseV0(rec1.headers['x-outpost-signature']).includes(hmacHex(secret, rec1.body)), 'signature verifies with the portal secret');
    assert.equal(rec1.headers['x-initech-ref'], 'tps-42');

    // 4. See the event and its attempt in the history.
    await page.getByRole('link', { name: 'Event history' }).click();
    const okRow = page.locator(`.att-row[data-event-id="${ev1.id}"]`);
    await okRow.waitFor();
    assert.equal(await okRow.getAttribute('data-status'), 'success');
    assert.match(await okRow.textContent(), /Succeeded/);
    assert.match(await okRow.textContent(), /user\.created/);
    assert.match(await okRow.textContent(), /#1/);
    assert.match(await okRow.textContent(), /200/);
    const okId = await okRow.getAttribute('data-attempt-id');
    await okRow.click();
    const drawer = page.locator('dialog.drawer[open]');
    await drawer.locator('.code-block').first().waitFor();
    assert.ok(page.url().includes('attempt='), 'drawer state is in the URL');
    const drawerText = await drawer.textContent();
    assert.match(drawerText, /200 OK/);
    assert.match(drawerText, /first attempt/);
    assert.match(drawerText, new RegExp(rx.url('/journey').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    const bodyText = await drawer.locator('.code-block').first().textContent();
    assert.ok(bodyText.includes('{\n  "user_id": "usr_1",\n  "email": "peter@initech.example",\n  "plan": {\n    "name": "pro",'), `payload pretty-printed: ${bodyText}`);
    assert.match(await drawer.locator('.code-block').last().textContent(), /"ok": true/); // response body
    // The request as it was sent: method, URL and the very headers the receiver got.
    assert.equal(await drawer.locator('.request-line .method').textContent(), 'POST');
    assert.equal(await drawer.locator('.request-url').textContent(), rx.url('/journey'));
    const shownHeaders = Object.fromEntries(await drawer.locator('.headers-list .header-item').evaluateAll((items) => items.map((i) => [
      i.querySelector('dt').textContent.toLowerCase(), i.querySelector('dd').textContent])));
    for (const name of ['content-type', 'user-agent', 'x-outpost-signature', 'x-outpost-event-id', 'x-outpost-topic', 'x-outpost-timestamp', 'x-initech-ref']) {
      assert.equal(shownHeaders[name], rec1.headers[name], `request header ${name} as received`);
    }
    await drawer.getByRole('button', { name: 'Copy request headers' }).click();
    assert.ok((await page.evaluate(() => navigator.clipboard.readText())).includes(`x-outpost-signature: ${rec1.headers['x-outpost-signature']}`));
    // How long it took, as the API recorded it.
    const okAttempt = (await attempts(srv, T)).find((a) => a.id === okId);
    assert.equal(typeof okAttempt.duration_ms, 'number');
    const durationText = await drawer.locator('.attempt-duration').textContent();
    assert.equal(durationText, okAttempt.duration_ms < 1 ? '< 1 ms' : okAttempt.duration_ms < 1000 ? `${okAttempt.duration_ms} ms` : durationText);
    assert.match(await drawer.locator('.response-line').textContent(), new RegExp(`200 OK\\s*in ${durationText.replace(/[.<]/g, '\\$&')}`));
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    assert.ok(!page.url().includes('attempt='));

    // 5. The receiver starts failing; the failure shows up with its response.
    rx.on('/journey', { failStatus: 500, body: 'database is down' });
    const ev2 = await publish(srv, { tenant_id: T, topic: 'user.created', data: { user_id: 'usr_2' } });
    await rx.waitCount('/journey', 1);
    await waitFor(async () => (await attempts(srv, T)).some((a) => a.event_id === ev2.id), { what: 'failed attempt logged' });
    await page.getByRole('button', { name: 'Refresh' }).click();
    const badRow = page.locator(`.att-row[data-event-id="${ev2.id}"]`);
    await badRow.waitFor();
    assert.equal(await badRow.getAttribute('data-status'), 'failed');
    assert.match(await badRow.textContent(), /Failed/);
    assert.match(await badRow.textContent(), /500/);

    // Filters: status=failed shows only the failure; destination and topic filters apply too.
    await page.getByLabel('Status').selectOption('failed');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('.att-row')];
      return rows.length > 0 && rows.every((r) => r.dataset.status === 'failed');
    });
    assert.equal(await page.locator('.att-row').count(), 1);
    assert.match(page.url(), /status=failed/);
    await page.getByLabel('Topic').selectOption('order.paid');
    await page.getByRole('heading', { name: 'Nothing matches these filters' }).waitFor();
    await page.getByLabel('Topic').selectOption('');
    await page.locator(`.att-row[data-event-id="${ev2.id}"]`).waitFor();
    await page.getByLabel('Time').selectOption('custom');
    const tomorrow = new Date(Date.now() + 86400e3).toISOString().slice(0, 16);
    await page.getByLabel('From').fill(tomorrow);
    await page.getByRole('heading', { name: 'Nothing matches these filters' }).waitFor();
    assert.match(page.url(), /range=custom&from=/);
    await page.getByRole('link', { name: 'Clear filters' }).first().click();
    await page.locator('.att-row').nth(1).waitFor();
    await page.getByLabel('Destination').selectOption(destId);
    await page.getByLabel('Time').selectOption('1h');
    await page.locator(`.att-row[data-event-id="${ev2.id}"]`).waitFor();
    assert.equal(await page.locator('.att-row').count(), 2);

    await page.locator(`.att-row[data-event-id="${ev2.id}"]`).click();
    await drawer.locator('.btn-retry').waitFor();
    assert.match(await drawer.textContent(), /500 Internal Server Error/);
    assert.match(await drawer.locator('.response-line').textContent(), /500\s*500 Internal Server Error\s*in (< 1 ms|\d+ ms|[\d.]+ s)/);
    assert.match(await drawer.locator('.code-block').last().textContent(), /database is down/);
    assert.equal(await drawer.locator('.header-item', { has: page.locator('dt', { hasText: /^x-outpost-event-id$/ }) }).locator('dd').textContent(), ev2.id,
      'the failed request\'s headers name its event');
    assert.equal(await drawer.locator('.tl-item').count(), 1);

    // 6. Fix the receiver and retry with one click: the new attempt appears.
    rx.on('/journey', { status: 200, body: 'recovered' });
    await drawer.getByRole('button', { name: 'Retry delivery' }).click();
    await drawer.locator('.tl-item[data-status="success"]').waitFor({ timeout: 20000 });
    await page.waitForFunction(() => /Attempt #2/.test(document.querySelector('dialog.drawer .drawer-summary')?.textContent || ''));
    assert.equal(await drawer.locator('.tl-item').count(), 2);
    assert.match(await drawer.locator('.drawer-summary').textContent(), /Succeeded/);
    assert.match(await drawer.locator('.drawer-summary').textContent(), /manual retry/);
    assert.match(await drawer.locator('.code-block').last().textContent(), /recovered/);
    const list = await attempts(srv, T, `&event_id=${ev2.id}`);
    assert.equal(list.length, 2);
    assert.equal(list[0].status, 'success');
    assert.equal(list[0].manual, true);
    assert.equal(list[0].attempt_number, 2);
    // The timeline switches between the delivery's attempts.
    await drawer.locator('.tl-item[data-status="failed"] button').click();
    await page.waitForFunction(() => /Attempt #1/.test(document.querySelector('dialog.drawer .drawer-summary')?.textContent || ''));
    assert.match(await drawer.locator('.drawer-summary').textContent(), /Failed/);
    await page.keyboard.press('Escape');
    await page.locator(`.att-row[data-attempt-id="${list[0].id}"]`).waitFor();

    // Health at a glance on the destinations list: 2 of 3 recent deliveries succeeded, none failing now.
    await page.getByRole('link', { name: 'Destinations', exact: true }).click();
    const health = page.locator(`.dest-row[data-id="${destId}"] .dest-health`);
    await health.locator('.health-rate').waitFor();
    assert.match(await health.textContent(), /66\.7%\s*success · last 3/);
    assert.doesNotMatch(await health.textContent(), /in a row/);
    assert.deepEqual(await unlabeledControls(page), []);
    assertClean(page, 'journey');
  } finally {
    await page.closeAll();
  }
});

test('manage a destination: test event, edit, filter, disable, rotate, delete', async () => {
  const T = 'tenant_manage';
  await createTenant(srv, T);
  rx.on('/manage', { status: 204 });
  const dest = await createDestination(srv, T, { type: 'webhook', topics: ['user.created'], config: { url: rx.url('/manage') } });
  const page = await openPage(browser, srv);
  try {
    await page.goto(await portalLink(srv, T));
    await page.locator(`.dest-row[data-id="${dest.id}"]`).waitFor();

    // Keyboard: the row is a link; Enter opens the destination.
    await page.locator(`.dest-row[data-id="${dest.id}"]`).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Send test event' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1', 'focus moves to the new page heading');

    // Send a test event and see the result.
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('heading', { name: 'Test event delivered' }).waitFor({ timeout: 15000 });
    assert.match(await page.locator('.test-card').textContent(), /204/);
    const [rec] = await rx.waitCount('/manage', 1);
    assert.equal(JSON.parse(rec.text).type, 'hookpost.test');

    // Edit: topics and the filter (the editor is behind ENABLE_DESTINATION_FILTER).
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('user.updated', { exact: true }).check();
    const filter = page.getByLabel(/Event filter/);
    await filter.fill('{"data": {"amount": ');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.field-error:not([hidden])').filter({ hasText: 'not valid JSON' }).waitFor();
    await filter.fill('{"data": {"amount": {"$gte": 100}}}');
    await page.getByRole('textbox', { name: 'URL', exact: true }).fill('ftp://nope');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.field-error:not([hidden])').filter({ hasText: 'URL failed pattern validation' }).waitFor();
    await page.getByRole('textbox', { name: 'URL', exact: true }).fill(rx.url('/manage2'));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved').waitFor();
    let cur = (await srv.raw('GET', `/tenants/${T}/destinations/${dest.id}`)).json;
    assert.deepEqual([...cur.topics].sort(), ['user.created', 'user.updated']);
    assert.deepEqual(cur.filter, { data: { amount: { $gte: 100 } } });
    assert.equal(cur.config.url, rx.url('/manage2'));

    // Disable / enable from the header.
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.locator('.dest-title-row .badge', { hasText: 'Disabled' }).waitFor();
    assert.ok((await srv.raw('GET', `/tenants/${T}/destinations/${dest.id}`)).json.disabled_at);
    assert.equal(await page.getByRole('button', { name: 'Send test event' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await page.locator('.dest-title-row .badge', { hasText: 'Active' }).waitFor();
    assert.equal((await srv.raw('GET', `/tenants/${T}/destinations/${dest.id}`)).json.disabled_at, null);

    // Rotate the secret: both secrets and the end of the dual-signing window are shown.
    await page.getByRole('link', { name: 'Signing secret' }).click();
    const before = await page.getByLabel('Current secret', { exact: true }).inputValue();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog', { name: 'Rotate the signing secret?' }).getByRole('button', { name: 'Rotate secret' }).click();
    await page.locator('.rotation').waitFor();
    cur = (await srv.raw('GET', `/tenants/${T}/destinations/${dest.id}`)).json;
    assert.equal(await page.getByLabel('Current secret', { exact: true }).inputValue(), cur.credentials.secret);
    assert.equal(await page.getByLabel('Previous secret', { exact: true }).inputValue(), before);
    assert.equal(cur.credentials.previous_secret, before);
    const until = new Date(cur.credentials.previous_secret_invalid_at);
    const shown = await page.locator('.rotation-until').textContent();
    const fmt = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });
    assert.equal(shown, fmt.format(until), 'the end of the dual-signing window is shown');
    assert.match(await page.locator('.rotation').textContent(), /\((23 hours 5\d minutes|24 hours) from now\)/);
    // Deliveries in the window carry both signatures.
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('heading', { name: 'Test event delivered' }).waitFor({ timeout: 15000 });
    const last = rx.at('/manage2').at(-1);
    const sigs = parseV0(last.headers['x-outpost-signature']);
    assert.ok(sigs.includes(hmacHex(cur.credentials.secret, last.body)) && sigs.includes(hmacHex(before, last.body)));
    // The verification snippet.
    await page.getByRole('tab', { name: 'Python' }).click();
    assert.match(await page.locator('.code-panel').textContent(), /hmac\.new\(SECRET, body, hashlib\.sha256\)/);
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'Go' }).getAttribute('aria-selected'), 'true');
    assert.deepEqual(await unlabeledControls(page), []);

    // Delete with confirmation: cancelling keeps it.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Delete destination' }).click();
    const dlg = page.getByRole('dialog', { name: 'Delete this destination?' });
    await dlg.waitFor();
    await shot(page, 'journey-delete-confirmation');
    await dlg.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await srv.raw('GET', `/tenants/${T}/destinations/${dest.id}`)).status, 200);
    await page.getByRole('button', { name: 'Delete destination' }).click();
    await dlg.getByRole('button', { name: 'Delete destination' }).click();
    await page.getByRole('heading', { name: 'No destinations yet' }).waitFor();
    assert.equal((await srv.raw('GET', `/tenants/${T}/destinations/${dest.id}`)).status, 404);
    assertClean(page, 'manage');
  } finally {
    await page.closeAll();
  }
});

test('pagination walks older and newer pages of the history', async () => {
  const T = 'tenant_pages';
  await createTenant(srv, T);
  rx.on('/pages', { status: 200 });
  await createDestination(srv, T, { type: 'webhook', topics: ['*'], config: { url: rx.url('/pages') } });
  for (let i = 0; i < 30; i += 1) await publish(srv, { tenant_id: T, topic: 'order.paid', data: { n: i } });
  await waitFor(async () => (await attempts(srv, T)).length >= 30, { what: '30 deliveries' });
  const page = await openPage(browser, srv, { viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(await portalLink(srv, T));
    await page.getByRole('link', { name: 'Event history' }).click();
    await page.locator('.att-row').nth(24).waitFor();
    assert.equal(await page.locator('.att-row').count(), 25);
    assert.equal(await page.locator('.list-status').textContent(), 'Showing 25 deliveries; more on older pages.');
    const firstIds = await page.locator('.att-row').evaluateAll((r) => r.map((x) => x.dataset.attemptId));
    await page.getByRole('link', { name: 'Older' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.att-row').length === 5);
    const secondIds = await page.locator('.att-row').evaluateAll((r) => r.map((x) => x.dataset.attemptId));
    assert.equal(secondIds.filter((id) => firstIds.includes(id)).length, 0, 'pages do not overlap');
    assert.equal(await page.getByRole('button', { name: 'Older' }).isDisabled(), true);
    await page.getByRole('link', { name: 'Newer' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.att-row').length === 25);
    assert.deepEqual(await page.locator('.att-row').evaluateAll((r) => r.map((x) => x.dataset.attemptId)), firstIds);
    // The browser's back button returns to the previous page of results.
    await page.goBack();
    await page.waitForFunction(() => document.querySelectorAll('.att-row').length === 5);
    // Events view: one row per event.
    await page.goto(`${srv.url}/events?view=events`);
    await page.locator('.ev-row').nth(24).waitFor();
    const claims = decodeJwt(await page.evaluate(() => sessionStorage.getItem('hookpost.portal.token'))).payload;
    assert.equal(claims.sub, T);
    assertClean(page, 'pagination');
  } finally {
    await page.closeAll();
  }
});

test('topic picker: free-form topics when TOPICS is unset, patterns with TOPICS_ALLOW_WILDCARDS', async () => {
  const open = await startServer({ env: { MAX_RETRY_LIMIT: '0' } });
  const wild = await startServer({ env: { TOPICS: 'user.created,user.deleted,order.paid', TOPICS_ALLOW_WILDCARDS: 'true' } });
  try {
    for (const [s, topic, expected] of [[open, 'invoice.sent', ['invoice.sent']], [wild, 'user.*', ['user.*']]]) {
      await createTenant(s, 'tp');
      const page = await openPage(browser, s);
      try {
        await page.goto(await portalLink(s, 'tp'));
        await page.getByRole('link', { name: 'Add destination' }).first().click();
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByText('Selected topics').click();
        const add = page.getByRole('textbox', { name: /Add a topic/ });
        await add.fill(topic);
        await add.press('Enter');
        assert.equal(await page.getByLabel(topic, { exact: true }).isChecked(), true);
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByRole('textbox', { name: 'URL', exact: true }).fill(rx.url('/topics'));
        // Without the feature flags, no filter or custom-headers editor.
        assert.equal(await page.getByText('Event filter').count(), 0);
        assert.equal(await page.getByText('Custom headers').count(), 0);
        await page.getByRole('button', { name: 'Create destination' }).click();
        await page.getByRole('heading', { name: 'Your destination is ready' }).waitFor();
        const [d] = (await s.raw('GET', '/tenants/tp/destinations')).json;
        assert.deepEqual(d.topics, expected);
        assertClean(page, 'topics');
      } finally {
        await page.closeAll();
      }
    }
  } finally {
    await open.stop();
    await wild.stop();
  }
});
