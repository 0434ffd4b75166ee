// hookpost tenant portal: entry point. Builds the layout (header, nav,
// footer), checks the session and starts the router.

import { h, icon, replace } from './js/dom.js';
import { config, readSession, leaveSession } from './js/session.js';
import { configureApi } from './js/api.js';
import { route, startRouter, navigate } from './js/router.js';
import { button, emptyState, initLiveRegions } from './js/ui.js';
import { destinationsView } from './js/views/destinations.js';
import { createView } from './js/views/create.js';
import { destinationView } from './js/views/destination.js';
import { eventsView } from './js/views/events.js';

const boot = window.HookpostBoot;
const ORG = (config.ORGANIZATION_NAME || '').trim();
const PRODUCT = 'Webhooks';
const appEl = document.getElementById('app');

let ended = false;

function sessionOver() {
  if (ended) return;
  ended = true;
  if (!leaveSession()) renderExpired();
}

function renderExpired(state = 'expired') {
  document.title = `Session expired · ${ORG || PRODUCT}`;
  const back = config.REFERER_URL
    ? h('a', { class: 'btn btn-primary', href: config.REFERER_URL, 'data-external': '' }, icon('arrow-left'), h('span', { class: 'btn-label' }, ORG ? `Back to ${ORG}` : 'Go back'))
    : null;
  replace(appEl, h('main', { id: 'main', class: 'expired', tabindex: '-1' },
    h('div', { class: 'expired-card' },
      h('div', { class: 'expired-brand' }, brandMark(), !config.LOGO && ORG ? h('span', null, ORG) : null),
      h('div', { class: 'expired-icon' }, icon('lock')),
      h('h1', { class: 'expired-title' }, 'Session expired'),
      h('p', { class: 'expired-text' },
        state === 'missing'
          ? 'This page needs a sign-in link. Your session expired or the link is incomplete.'
          : 'For your security, access to this portal is time-limited and your session expired.'),
      h('p', { class: 'expired-text' }, `Return to ${ORG || 'the application'} and open the webhooks page again to continue.`),
      back),
    footer()));
  document.getElementById('main').focus();
}

// ---------- branding ----------

function brandMark() {
  const light = config.LOGO;
  const dark = config.LOGO_DARK || config.LOGO;
  if (light || dark) {
    const img = h('img', { class: 'brand-logo', alt: ORG || 'Logo', src: boot.theme() === 'dark' ? dark : light });
    boot.onTheme((t) => { img.src = t === 'dark' ? dark : light; });
    return img;
  }
  return h('span', { class: 'brand-monogram', 'aria-hidden': 'true' }, (ORG || PRODUCT).charAt(0).toUpperCase());
}

function footer() {
  if (config.DISABLE_OUTPOST_BRANDING) return null;
  return h('footer', { class: 'footer' },
    h('span', { class: 'powered' }, 'Powered by ',
      h('a', { href: 'https://github.com/hookdeck/outpost', target: '_blank', rel: 'noopener noreferrer' }, 'hookpost'),
      config.VERSION ? h('span', { class: 'version' }, ` v${config.VERSION}`) : null));
}

function themeToggle() {
  if (boot.themeForced) return null;
  const btn = button({ label: 'Switch theme', icon: 'moon', kind: 'ghost', iconOnly: true, class: 'theme-toggle' });
  const sync = (t) => {
    const next = t === 'dark' ? 'light' : 'dark';
    btn.setAttribute('aria-label', `Switch to ${next} theme`);
    btn.title = `Switch to ${next} theme`;
    btn.replaceChildren(icon(t === 'dark' ? 'sun' : 'moon'));
  };
  sync(boot.theme());
  boot.onTheme(sync);
  btn.addEventListener('click', () => boot.setTheme(boot.theme() === 'dark' ? 'light' : 'dark'));
  return btn;
}

// ---------- layout ----------

function layout(session) {
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const navLinks = [
    { href: '/destinations', label: 'Destinations', icon: 'zap', match: /^\/destinations/ },
    { href: '/events', label: 'Event history', icon: 'activity', match: /^\/events/ },
  ].map((l) => {
    const a = h('a', { href: l.href, class: 'nav-link' }, icon(l.icon), h('span', null, l.label));
    a.matcher = l.match;
    return a;
  });
  const nav = h('nav', { class: 'mainnav', 'aria-label': 'Main' }, navLinks);
  const back = config.REFERER_URL
    ? h('a', { class: 'back-link', href: config.REFERER_URL, 'data-external': '' }, icon('arrow-left'),
      h('span', { class: 'back-text' }, ORG ? `Back to ${ORG}` : 'Back'))
    : null;
  const header = h('header', { class: 'topbar' },
    h('div', { class: 'container topbar-inner' },
      h('a', { class: 'brand', href: '/destinations', 'aria-label': `${ORG ? `${ORG} ` : ''}${PRODUCT} home` },
        brandMark(),
        !config.LOGO && ORG ? h('span', { class: 'brand-name' }, ORG) : null,
        h('span', { class: 'brand-product' }, PRODUCT)),
      nav,
      h('div', { class: 'topbar-actions' }, themeToggle(), back)));
  const banner = session.readOnly
    ? h('div', { class: 'ro-banner', role: 'note' },
      h('div', { class: 'container ro-inner' }, icon('lock'),
        h('span', null, h('strong', null, 'Read-only access. '), 'You can view destinations and deliveries, but not change them.')))
    : null;
  replace(appEl, header, banner, h('div', { class: 'container' }, main), h('div', { class: 'container' }, footer()));

  function mount(node, title) {
    replace(main, node);
    document.title = `${title ? `${title} · ` : ''}${ORG ? `${ORG} ` : ''}${PRODUCT}`;
    for (const a of navLinks) {
      if (a.matcher.test(window.location.pathname)) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    // Move focus to the new page's heading for keyboard and screen-reader users.
    const h1 = main.querySelector('h1');
    if (h1 && mount.count++ > 0) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }
  mount.count = 0;
  return mount;
}

function notFoundView() {
  return h('div', { class: 'page' },
    emptyState({
      icon: 'search', title: 'Page not found', text: 'That page does not exist.',
      action: h('a', { class: 'btn btn-primary', href: '/destinations' }, h('span', { class: 'btn-label' }, 'Go to destinations')),
    }));
}

// ---------- start ----------

function start() {
  const session = readSession();
  if (session.state !== 'ok') {
    ended = true;
    if (!leaveSession()) renderExpired(session.state);
    return;
  }
  configureApi(session, sessionOver);
  if (session.expiresAt) {
    const ms = session.expiresAt - Date.now();
    if (ms < 2 ** 31 - 1) setTimeout(sessionOver, Math.max(0, ms));
  }
  window.hookpost = { tenantId: session.tenantId, readOnly: session.readOnly };
  document.documentElement.classList.toggle('is-read-only', session.readOnly);
  const mount = layout(session);
  initLiveRegions();
  const ctx = { session, readOnly: session.readOnly };

  route('/', () => {
    navigate('/destinations', { replace: true });
    return { node: document.createTextNode('') };
  });
  route('/destinations', () => destinationsView(ctx));
  route('/destinations/new', () => createView(ctx));
  route('/destinations/:id/:tab?', (p, q) => destinationView(ctx, p, q));
  route('/events', (p, q) => eventsView(ctx, q));
  startRouter({ mount, notFoundView });
}

start();
