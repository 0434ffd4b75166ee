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
    await assertNoHorizontalScroll(page, name);
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
  await assertNoHorizontalScroll(page, name);
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

/** The page never scrolls sideways (responsive down to 375 px). */
export async function assertNoHorizontalScroll(page, what = 'page') {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${what}: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}`);
}

/**
 * Text whose contrast against what is behind it is below WCAG AA (4.5:1, or
 * 3:1 for large text). Colours are resolved through a canvas, so any CSS
 * colour syntax (color-mix, oklab...) counts; translucent backgrounds are
 * composited up to the page. Disabled controls are exempt (as in WCAG).
 * Returns [{text, fg, bg, ratio, need, where}].
 */
export async function contrastIssues(page, root = 'body') {
  return page.evaluate((rootSel) => {
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    const cache = new Map();
    function rgba(css) {
      if (cache.has(css)) return cache.get(css);
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = 'rgba(0,0,0,0)';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data;
      const out = [d[0], d[1], d[2], d[3] / 255];
      cache.set(css, out);
      return out;
    }
    const over = (top, bottom) => {
      const a = top[3] + bottom[3] * (1 - top[3]);
      if (a === 0) return [0, 0, 0, 0];
      return [0, 1, 2].map((i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat(a);
    };
    const lum = (c) => {
      const v = c.slice(0, 3).map((x) => {
        const s = x / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
    };
    function background(el) {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
        if (e.tagName === 'DIALOG' && e.open) break;
      }
      let bg = [255, 255, 255, 1];
      if (!layers.length || layers[layers.length - 1][3] < 1) {
        bg = rgba(getComputedStyle(document.documentElement).backgroundColor);
        if (bg[3] < 1) bg = over(bg, document.documentElement.dataset.theme === 'dark' ? [0, 0, 0, 1] : [255, 255, 255, 1]);
      }
      for (let i = layers.length - 1; i >= 0; i -= 1) bg = over(layers[i], bg);
      return bg;
    }
    const issues = [];
    const rootEl = document.querySelector(rootSel);
    if (!rootEl) return issues;
    const walker = document.createTreeWalker(rootEl, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim()) continue;
      const el = n.parentElement;
      if (!el || seen.has(el)) continue;
      seen.add(el);
      if (el.closest('[aria-hidden="true"], .visually-hidden, [hidden], script, style, noscript, option')) continue;
      if (el.closest(':disabled, [aria-disabled="true"], fieldset:disabled')) continue;
      const rects = el.getClientRects();
      if (!rects.length) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility !== 'visible' || cs.display === 'none') continue;
      let opacity = 1;
      for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      if (opacity === 0) continue;
      const fgRaw = rgba(cs.color);
      const bg = background(el);
      const fg = over([fgRaw[0], fgRaw[1], fgRaw[2], fgRaw[3] * opacity], bg);
      const l1 = lum(fg);
      const l2 = lum(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(cs.fontSize);
      const bold = Number(cs.fontWeight) >= 700;
      const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      if (ratio + 0.01 < need) {
        issues.push({
          text: n.textContent.trim().slice(0, 40), ratio: Math.round(ratio * 100) / 100, need,
          fg: fg.slice(0, 3).map(Math.round).join(','), bg: bg.slice(0, 3).map(Math.round).join(','),
          where: `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} in ${el.parentElement ? el.parentElement.className : ''}`,
        });
      }
    }
    return issues;
  }, root);
}

/**
 * Presses Tab up to `max` times from the top of the page and returns what
 * got focus: [{desc, visible, indicator}] (indicator: the element shows a
 * focus outline or ring), plus the interactive elements never reached.
 */
export async function tabThrough(page, { max = 80, within = null, backward = false } = {}) {
  // Start from the top of the document (or of the dialog): focus a
  // temporary anchor there, so the first Tab lands on the first control.
  await page.evaluate(([scope, back]) => {
    const root = scope ? document.querySelector(scope) : document.body;
    const start = document.createElement('span');
    start.tabIndex = -1;
    start.className = 'tab-start';
    if (back) root.append(start);
    else root.prepend(start);
    start.focus({ preventScroll: true });
    window.scrollTo(0, back ? document.scrollingElement.scrollHeight : 0);
  }, [within, backward]);
  const reached = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press(backward ? 'Shift+Tab' : 'Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      if (!el.dataset.tabSeen) el.dataset.tabSeen = String(Math.random()).slice(2);
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
      const ring = cs.boxShadow && cs.boxShadow !== 'none';
      // Not hidden under something else (the sticky top bar): the element
      // is what sits at its own centre.
      const x = Math.min(Math.max(r.left + r.width / 2, 0), window.innerWidth - 1);
      const y = Math.min(Math.max(r.top + Math.min(r.height / 2, 10), 0), window.innerHeight - 1);
      const top = document.elementFromPoint(x, y);
      // A toast may sit over the page for a few seconds by design (it
      // leaves on its own and can be dismissed); anything else may not.
      const obscured = !top || !(el.contains(top) || top.contains(el) || (el.labels && [...el.labels].some((l) => l.contains(top)))
        || !!top.closest('.toasts'));
      const desc = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} "${(el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 30)}"`;
      return {
        key: el.dataset.tabSeen, desc, visible: r.width > 0 && r.height > 0 && cs.visibility === 'visible',
        indicator: el.matches(':focus-visible') && (outline || ring), inDialog: !!el.closest('dialog[open]'), obscured,
        coveredBy: obscured && top ? `${top.tagName.toLowerCase()}.${[...top.classList].join('.')} at ${Math.round(x)},${Math.round(y)}` : '',
      };
    });
    if (!info) break;
    if (reached.length && reached[0].key === info.key) break; // wrapped around
    reached.push(info);
  }
  await page.evaluate(() => document.querySelectorAll('.tab-start').forEach((el) => el.remove()));
  const missed = await page.evaluate((scope) => {
    const root = scope ? document.querySelector(scope) : document;
    const sel = 'a[href], button:not(:disabled), input:not(:disabled):not([type="hidden"]), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';
    const out = [];
    for (const el of root.querySelectorAll(sel)) {
      if (el.dataset.tabSeen) continue;
      if (el.closest('[hidden], [inert], [aria-hidden="true"]')) continue;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      if (!r.width || !r.height || cs.visibility !== 'visible') continue;
      // Roving tabindex groups (radios, tabs): one member in the Tab order is enough.
      if ((el.getAttribute('role') === 'tab' || el.getAttribute('role') === 'radio' || el.type === 'radio') && el.tabIndex === -1) continue;
      if (el.type === 'radio' && [...document.querySelectorAll(`input[type="radio"][name="${CSS.escape(el.name)}"]`)].some((x) => x.dataset.tabSeen)) continue;
      out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30)}"`);
    }
    document.querySelectorAll('[data-tab-seen]').forEach((el) => el.removeAttribute('data-tab-seen'));
    return out;
  }, within);
  return { reached, missed };
}


/**
 * Accessibility and layout checks for the screen on show (or the open
 * dialog): no sideways scroll, every control labelled, text contrast (WCAG
 * AA) in the current theme, every control reachable with Tab with a visible
 * focus indicator, and (in a dialog) Tab never leaves it.
 */
export async function auditScreen(page, what, { dialog = false } = {}) {
  // Colours are measured as painted: a drawer still sliding in (opacity
  // 0.6 -> 1) would blend its text with the page behind. Finite animations
  // end first; endless ones (spinners, skeleton pulses) are left running.
  await page.evaluate(() => Promise.all(document.getAnimations()
    .filter((a) => a.effect?.getComputedTiming().endTime !== Infinity)
    .map((a) => a.finished.catch(() => {}))));
  await assertNoHorizontalScroll(page, what);
  assert.deepEqual(await unlabeledControls(page), [], `${what}: unlabelled controls`);
  assert.deepEqual(await contrastIssues(page, dialog ? 'dialog[open]' : 'body'), [], `${what}: text contrast below WCAG AA`);
  const { reached, missed } = await tabThrough(page, { within: dialog ? 'dialog[open]' : null });
  assert.ok(reached.length > 0, `${what}: Tab focuses nothing`);
  assert.deepEqual(missed, [], `${what}: not reachable with Tab`);
  assert.deepEqual(reached.filter((r) => !r.visible).map((r) => r.desc), [], `${what}: Tab focuses invisible elements`);
  assert.deepEqual(reached.filter((r) => !r.indicator).map((r) => r.desc), [], `${what}: no visible focus on`);
  assert.deepEqual(reached.filter((r) => r.obscured).map((r) => `${r.desc} under ${r.coveredBy}`), [], `${what}: focused but covered by something else`);
  // Going back up (Shift+Tab) scrolls the other way: nothing may end up under the sticky top bar.
  const back = await tabThrough(page, { within: dialog ? 'dialog[open]' : null, backward: true });
  assert.deepEqual(back.reached.filter((r) => r.obscured).map((r) => `${r.desc} under ${r.coveredBy}`), [], `${what}: focused (Shift+Tab) but covered by something else`);
  if (dialog) assert.deepEqual(reached.filter((r) => !r.inDialog).map((r) => r.desc), [], `${what}: Tab left the dialog`);
}
