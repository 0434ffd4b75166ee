// Helpers for the portal's browser tests: launch Debian's chromium through
// playwright-core, open the portal the way a platform would (via the
// redirect_url of GET /tenants/{id}/portal), collect console errors and CSP
// violations, and save screenshots under tests/output/screenshots/.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { TESTS_DIR, signJwt } from '../api/lib/server.mjs';

export const SHOT_DIR = path.join(TESTS_DIR, 'output', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A fresh context + page. Records console errors, page errors, CSP
 * violations and any request that leaves the server's origin (the portal
 * must work offline: no CDN).
 */
export async function openPage(browser, srv, { viewport = DESKTOP, colorScheme = 'light', allowHosts = [], permissions = [] } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, reducedMotion: 'reduce', locale: 'en-US', timezoneId: 'UTC', permissions });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.problems = [];
  page.foreign = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const text = msg.text();
      // The API's deliberate 4xx answers show up as "Failed to load resource"; the tests assert those explicitly.
      if (/Failed to load resource: the server responded with a status of (401|403|404|422|400)/.test(text)) return;
      page.problems.push(`console: ${text}`);
    }
  });
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  const origin = new URL(srv.url).host;
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.protocol === 'data:' || u.protocol === 'blob:') return;
    if (u.host !== origin && !allowHosts.includes(u.host)) page.foreign.push(req.url());
  });
  page.closeAll = () => context.close();
  return page;
}

/** Fails when the page logged errors (CSP violations included) or fetched from elsewhere. */
export function assertClean(page, what = 'page') {
  assert.deepEqual(page.problems, [], `${what}: console errors / CSP violations`);
  assert.deepEqual(page.foreign, [], `${what}: requests to other origins`);
}

/**
 * Saves tests/output/screenshots/<name>.png: the whole page (capped at
 * 2400 px tall), or with {drawer: true} the viewport grown to show the open
 * drawer's full content.
 */
export async function shot(page, name, { drawer = false, toasts = false } = {}) {
  mkdirSync(SHOT_DIR, { recursive: true });
  const file = path.join(SHOT_DIR, `${name}.png`);
  await page.evaluate(() => document.fonts && document.fonts.ready);
  if (!toasts) await page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));
  if (drawer) {
    const vp = page.viewportSize();
    const need = await page.evaluate(() => {
      const d = document.querySelector('dialog.drawer[open]');
      if (!d) return 0;
      const head = d.querySelector('.drawer-header');
      const body = d.querySelector('.drawer-body');
      return Math.ceil((head ? head.offsetHeight : 0) + (body ? body.scrollHeight : 0)) + 2;
    });
    const height = Math.min(Math.max(vp.height, need), 3000);
    await page.setViewportSize({ width: vp.width, height });
    await page.waitForTimeout(50);
    await page.screenshot({ path: file, animations: 'disabled' });
    await page.setViewportSize(vp);
    return;
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  const full = await page.evaluate(() => document.documentElement.scrollHeight);
  const width = page.viewportSize().width;
  // Responsive down to 375 px: the page itself never scrolls sideways.
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `${name}: page is ${scrollWidth}px wide in a ${width}px viewport`);
  await page.screenshot({
    path: file, fullPage: true, animations: 'disabled',
    clip: full > 2400 ? { x: 0, y: 0, width, height: 2400 } : undefined,
  });
}

export async function createTenant(srv, id) {
  const r = await srv.raw('PUT', `/tenants/${encodeURIComponent(id)}`);
  assert.ok(r.status === 200 || r.status === 201, `create tenant ${id}: ${r.status} ${r.text}`);
}

/** The portal link an operator would hand out (GET /tenants/{id}/portal). */
export async function portalLink(srv, tenantId, query = {}) {
  const q = new URLSearchParams(query).toString();
  const r = await srv.raw('GET', `/tenants/${encodeURIComponent(tenantId)}/portal${q ? `?${q}` : ''}`);
  assert.equal(r.status, 200, `portal link: ${r.text}`);
  assert.match(r.json.redirect_url, /[?&]token=/);
  return r.json.redirect_url;
}

export async function publish(srv, body) {
  const r = await srv.raw('POST', '/publish', { body });
  assert.equal(r.status, 202, `publish: ${r.text}`);
  return r.json;
}

export async function createDestination(srv, tenantId, body) {
  const r = await srv.raw('POST', `/tenants/${encodeURIComponent(tenantId)}/destinations`, { body });
  assert.equal(r.status, 201, `create destination: ${r.text}`);
  return r.json;
}

/** Attempts of a tenant (admin view), newest first. */
export async function attempts(srv, tenantId, query = '') {
  const r = await srv.raw('GET', `/attempts?tenant_id=${encodeURIComponent(tenantId)}&limit=100${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json.models;
}

/** A tenant JWT that is already expired (or expires in `inSeconds`). */
export function expiredToken(srv, tenantId, inSeconds = -60) {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ iss: 'outpost', sub: tenantId, iat: now - 3600, exp: now + inSeconds }, srv.jwtSecret);
}

/** Every form control on the page has an accessible name. Returns the unlabeled ones. */
export async function unlabeledControls(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('input, select, textarea, button')) {
      if (el.type === 'hidden' || el.closest('[hidden]') || el.getAttribute('aria-hidden') === 'true') continue;
      const name = (el.labels && el.labels.length && [...el.labels].map((l) => l.textContent).join(' ').trim())
        || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title')
        || (el.tagName === 'BUTTON' && el.textContent.trim());
      if (!name) bad.push(el.outerHTML.slice(0, 160));
    }
    return bad;
  });
}
