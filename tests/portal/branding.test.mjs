// Branding variables: PORTAL_ORGANIZATION_NAME, PORTAL_BRAND_COLOR /
// PORTAL_ACCENT_COLOR, PORTAL_LOGO, PORTAL_LOGO_DARK, PORTAL_FAVICON_URL,
// PORTAL_FORCE_THEME, ?theme=, PORTAL_DISABLE_OUTPOST_BRANDING and
// PORTAL_REFERER_URL, as a tenant sees them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib/server.mjs';
import {
  launchBrowser, openPage, assertClean, createTenant, createDestination, portalLink, shot, auditScreen, contrastIssues, DESKTOP, PHONE,
} from './lib.mjs';

const svg = (fill, text) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(
  `<svg xmlns="http://www.w3.org/2000/svg" width="132" height="28" viewBox="0 0 132 28"><rect width="28" height="28" rx="7" fill="#e11d48"/><path d="M8 14h12M14 8v12" stroke="#fff" stroke-width="3" stroke-linecap="round"/><text x="36" y="20" font-family="sans-serif" font-size="17" font-weight="700" fill="${fill}">${text}</text></svg>`)}`;
const LOGO = svg('#18181b', 'Globex');
const LOGO_DARK = svg('#fafafa', 'Globex');
const FAVICON = `data:image/svg+xml;charset=utf-8,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#e11d48"/></svg>')}`;

let browser;
const servers = [];
before(async () => { browser = await launchBrowser(); });
after(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
});

async function server(env) {
  const s = await startServer({ env });
  servers.push(s);
  await createTenant(s, 'brand_t');
  return s;
}

const bg = (page, selector) => page.$eval(selector, (el) => getComputedStyle(el).backgroundColor);
const fg = (page, selector) => page.$eval(selector, (el) => getComputedStyle(el).color);

test('organization name, brand colour, logos, favicon, back link, no Powered-by footer', async () => {
  const srv = await server({
    PORTAL_ORGANIZATION_NAME: 'Globex',
    PORTAL_BRAND_COLOR: '#e11d48',
    PORTAL_LOGO: LOGO,
    PORTAL_LOGO_DARK: LOGO_DARK,
    PORTAL_FAVICON_URL: FAVICON,
    PORTAL_REFERER_URL: 'https://globex.example/account/integrations',
    PORTAL_DISABLE_OUTPOST_BRANDING: 'true',
  });
  const page = await openPage(browser, srv, { colorScheme: 'light' });
  try {
    await page.goto(await portalLink(srv, 'brand_t'));
    await page.getByRole('heading', { name: 'No destinations yet' }).waitFor();
    assert.match(await page.title(), /^Destinations · Globex Webhooks$/);
    assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
    assert.equal(await page.getAttribute('.topbar .brand-logo', 'src'), LOGO);
    assert.equal(await page.getAttribute('.topbar .brand-logo', 'alt'), 'Globex');
    assert.equal(await page.$eval('.topbar .brand-logo', (img) => img.complete && img.naturalWidth > 0), true, 'logo loads');
    assert.equal(await page.getAttribute('link[rel="icon"]', 'href'), FAVICON);
    // Brand colour on primary actions, with readable text on top.
    const primary = '.page-actions .btn-primary';
    assert.equal(await bg(page, primary), 'rgb(225, 29, 72)');
    assert.equal(await fg(page, primary), 'rgb(255, 255, 255)');
    assert.equal(await page.$eval('.nav-link[aria-current="page"]', (el) => getComputedStyle(el).borderBottomColor), 'rgb(225, 29, 72)');
    // Back link to the platform.
    const back = page.getByRole('link', { name: 'Back to Globex' });
    assert.equal(await back.getAttribute('href'), 'https://globex.example/account/integrations');
    // No "Powered by" footer.
    assert.equal(await page.getByText('Powered by').count(), 0);
    await shot(page, 'branding-globex-light-desktop');
    await auditScreen(page, 'branding globex light');

    // The theme toggle switches to dark and to the dark logo.
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    assert.equal(await page.getAttribute('.topbar .brand-logo', 'src'), LOGO_DARK);
    await page.getByRole('button', { name: 'Switch to light theme' }).waitFor();
    assert.deepEqual(await contrastIssues(page), [], 'brand colour legible in dark');
    assertClean(page, 'branding');
  } finally {
    await page.closeAll();
  }

  // ?theme=dark on the portal link; the OS preference applies without it.
  for (const [query, scheme, expected] of [[{ theme: 'dark' }, 'light', 'dark'], [{}, 'dark', 'dark'], [{ theme: 'light' }, 'dark', 'light']]) {
    const p = await openPage(browser, srv, { colorScheme: scheme, viewport: expected === 'dark' ? PHONE : DESKTOP });
    try {
      await p.goto(await portalLink(srv, 'brand_t', query));
      await p.getByRole('heading', { name: 'No destinations yet' }).waitFor();
      assert.equal(await p.getAttribute('html', 'data-theme'), expected, `link ${JSON.stringify(query)} with OS ${scheme}`);
      assert.ok(!p.url().includes('theme='), 'theme removed from the URL');
      assert.equal(await p.getAttribute('.topbar .brand-logo', 'src'), expected === 'dark' ? LOGO_DARK : LOGO);
      // The choice lasts for the session (reload, other pages).
      await p.goto(`${srv.url}/events`);
      await p.getByRole('heading', { name: 'Event history' }).waitFor();
      assert.equal(await p.getAttribute('html', 'data-theme'), expected);
      if (query.theme === 'dark') {
        await p.goto(`${srv.url}/destinations`);
        await p.getByRole('heading', { name: 'No destinations yet' }).waitFor();
        await shot(p, 'branding-globex-dark-phone');
      }
    } finally {
      await p.closeAll();
    }
  }
});

test('PORTAL_FORCE_THEME wins over ?theme=, accent colour alias, light brand colour gets dark text, Powered-by footer shown', async () => {
  const srv = await server({ PORTAL_FORCE_THEME: 'dark', PORTAL_ACCENT_COLOR: '#facc15', PORTAL_ORGANIZATION_NAME: 'Hooli' });
  const page = await openPage(browser, srv, { colorScheme: 'light' });
  try {
    await page.goto(await portalLink(srv, 'brand_t', { theme: 'light' }));
    await page.getByRole('heading', { name: 'No destinations yet' }).waitFor();
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    assert.equal(await page.getByRole('button', { name: /Switch to/ }).count(), 0, 'no theme toggle when the theme is forced');
    assert.equal(await bg(page, '.page-actions .btn-primary'), 'rgb(250, 204, 21)');
    assert.equal(await fg(page, '.page-actions .btn-primary'), 'rgb(17, 17, 20)');
    // No logo: a monogram with the organization's initial and its name.
    assert.equal(await page.textContent('.topbar .brand-monogram'), 'H');
    assert.equal(await page.textContent('.topbar .brand-name'), 'Hooli');
    assert.equal(await page.getByText('Powered by').count(), 1);
    // No referer URL: no back link.
    assert.equal(await page.locator('.back-link').count(), 0);
    await shot(page, 'branding-hooli-forced-dark-desktop');
    await auditScreen(page, 'branding hooli forced dark');
    assertClean(page, 'forced theme');
  } finally {
    await page.closeAll();
  }
});

test('any brand colour stays legible: pale and dark brand colours in both themes', async () => {
  for (const color of ['#facc15', '#a5f3fc', '#1e1b4b', 'rebeccapurple']) {
    const srv = await server({ PORTAL_BRAND_COLOR: color, PORTAL_ORGANIZATION_NAME: 'Initrode' });
    await createDestination(srv, 'brand_t', { type: 'webhook', topics: ['*'], config: { url: 'https://hooks.initrode.example/in' } });
    for (const theme of ['light', 'dark']) {
      const page = await openPage(browser, srv, { colorScheme: theme });
      try {
        await page.goto(await portalLink(srv, 'brand_t', { theme }));
        await page.locator('.dest-row').waitFor();
        await page.locator('.dest-health .muted').waitFor();
        assert.deepEqual(await contrastIssues(page), [], `${color} ${theme}: destinations`);
        await page.click('.dest-row');
        await page.locator('.tab[aria-current="page"]').waitFor();
        await page.getByRole('heading', { name: 'No deliveries yet' }).waitFor();
        assert.deepEqual(await contrastIssues(page), [], `${color} ${theme}: destination`);
        await page.goto(`${srv.url}/destinations/new`);
        await page.locator('.type-card.is-selected').waitFor();
        assert.deepEqual(await contrastIssues(page), [], `${color} ${theme}: wizard`);
        assertClean(page, `${color} ${theme}`);
      } finally {
        await page.closeAll();
      }
    }
  }
});
