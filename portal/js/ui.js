// Shared UI pieces: buttons, badges, time formatting, toasts, dialogs,
// copy-to-clipboard, JSON viewer, empty/error/loading states.

import { h, icon, uid, replace } from './dom.js';

// ---------- buttons ----------

/** button({label, icon, kind: primary|secondary|ghost|danger, size: sm, ...props}) */
export function button({ label, icon: ic, kind = 'secondary', size, iconOnly = false, ...props }) {
  const cls = ['btn', `btn-${kind}`, size ? `btn-${size}` : '', iconOnly ? 'btn-icon' : '', props.class || ''];
  delete props.class;
  const el = h('button', { type: 'button', class: cls, ...props },
    ic ? icon(ic) : null,
    iconOnly ? null : h('span', { class: 'btn-label' }, label));
  if (iconOnly) {
    el.setAttribute('aria-label', label);
    if (!props.title) el.title = label;
  }
  return el;
}

/** Runs fn while the button shows a spinner and is disabled. */
export async function busy(btn, fn) {
  if (btn.dataset.busy) return undefined;
  btn.dataset.busy = '1';
  const wasDisabled = btn.disabled;
  btn.disabled = true;
  btn.classList.add('is-busy');
  btn.setAttribute('aria-busy', 'true');
  const sp = h('span', { class: 'spinner spinner-sm', 'aria-hidden': 'true' });
  btn.prepend(sp);
  try {
    return await fn();
  } finally {
    sp.remove();
    btn.classList.remove('is-busy');
    btn.removeAttribute('aria-busy');
    btn.disabled = wasDisabled;
    delete btn.dataset.busy;
  }
}

// ---------- time ----------

const absFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const shortFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function fmtAbsolute(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso || '') : absFmt.format(d);
}

export function fmtShort(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso || '') : shortFmt.format(d);
}

export function fmtRelative(iso, now = Date.now()) {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '';
  const diff = Math.round((t - now) / 1000);
  const abs = Math.abs(diff);
  const future = diff > 0;
  let n;
  let unit;
  if (abs < 10) return future ? 'in a few seconds' : 'just now';
  if (abs < 60) { n = abs; unit = 's'; } else if (abs < 3600) { n = Math.floor(abs / 60); unit = 'm'; } else if (abs < 86400) {
    n = Math.floor(abs / 3600); unit = 'h';
  } else { n = Math.floor(abs / 86400); unit = 'd'; }
  return future ? `in ${n}${unit}` : `${n}${unit} ago`;
}

/** A long-form duration ("23 hours 59 minutes") until iso. */
export function fmtUntil(iso, now = Date.now()) {
  let s = Math.max(0, Math.floor((new Date(iso).getTime() - now) / 1000));
  const hrs = Math.floor(s / 3600);
  s -= hrs * 3600;
  const min = Math.floor(s / 60);
  const parts = [];
  if (hrs) parts.push(`${hrs} hour${hrs === 1 ? '' : 's'}`);
  if (min || !hrs) parts.push(`${min} minute${min === 1 ? '' : 's'}`);
  return parts.join(' ');
}

/** "85 ms", "1.24 s", "1 min 5 s"; '' when ms is not a number. */
export function fmtDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1) return '< 1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1).replace(/\.?0+$/, '')} s`;
  const m = Math.floor(ms / 60000);
  const sec = Math.round((ms % 60000) / 1000);
  return `${m} min${sec ? ` ${sec} s` : ''}`;
}

export function timeEl(iso, { relative = true } = {}) {
  return h('time', { datetime: iso, title: fmtAbsolute(iso) }, relative ? fmtRelative(iso) : fmtShort(iso));
}

// ---------- badges ----------

export function statusBadge(status) {
  const ok = status === 'success';
  return h('span', { class: ['badge', ok ? 'badge-success' : 'badge-danger'] },
    h('span', { class: 'badge-dot', 'aria-hidden': 'true' }),
    ok ? 'Succeeded' : 'Failed');
}

export function destinationStateBadge(dest) {
  const off = !!dest.disabled_at;
  return h('span', { class: ['badge', off ? 'badge-muted' : 'badge-success'], title: off ? `Disabled ${fmtAbsolute(dest.disabled_at)}` : null },
    h('span', { class: 'badge-dot', 'aria-hidden': 'true' }),
    off ? 'Disabled' : 'Active');
}

/** The attempt's code: an HTTP status or an error class like "timeout". */
export function codeChip(code, status) {
  const text = code === undefined || code === null || code === '' ? '—' : String(code);
  const n = Number(text);
  let tone = status === 'success' ? 'ok' : 'bad';
  if (!Number.isNaN(n)) tone = n < 300 ? 'ok' : n < 400 ? 'warn' : 'bad';
  const label = HTTP_REASON[n] ? `${text} ${HTTP_REASON[n]}` : text.replace(/_/g, ' ');
  return h('span', { class: ['code-chip', `code-${tone}`], title: label }, text);
}

export const HTTP_REASON = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 422: 'Unprocessable Entity',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function describeCode(code) {
  const n = Number(code);
  if (!Number.isNaN(n) && String(code) !== '') return HTTP_REASON[n] ? `${n} ${HTTP_REASON[n]}` : `HTTP ${n}`;
  const map = {
    timeout: 'Timed out', connection_refused: 'Connection refused', dns_error: 'DNS lookup failed',
    connection_reset: 'Connection reset', tls_error: 'TLS error', network_unreachable: 'Network unreachable',
    redirect_error: 'Redirect error', network_error: 'Network error', ERR: 'Error', ERROR: 'Error', OK: 'OK',
  };
  return map[code] || String(code || 'Unknown');
}

// ---------- toasts ----------

let toastRegion = null;
let liveRegion = null;

/** Live regions must exist before their content changes for screen readers
 *  to announce it: app.js creates them at start-up. */
export function initLiveRegions() {
  if (!toastRegion || !document.body.contains(toastRegion)) {
    toastRegion = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(toastRegion);
  }
  if (!liveRegion || !document.body.contains(liveRegion)) {
    liveRegion = h('div', { class: 'visually-hidden announcer', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    document.body.appendChild(liveRegion);
  }
}

export function toast(message, { kind = 'success', timeout = 5000 } = {}) {
  initLiveRegions();
  const close = button({ label: 'Dismiss', icon: 'x', kind: 'ghost', size: 'sm', iconOnly: true });
  const t = h('div', { class: ['toast', `toast-${kind}`] },
    icon(kind === 'error' ? 'alert' : kind === 'info' ? 'info' : 'check', 'toast-icon'),
    h('div', { class: 'toast-text' }, message),
    close);
  const remove = () => { t.classList.add('leaving'); setTimeout(() => t.remove(), 180); };
  close.addEventListener('click', remove);
  toastRegion.appendChild(t);
  if (timeout) setTimeout(remove, kind === 'error' ? timeout * 2 : timeout);
  return t;
}

// ---------- dialogs ----------

const FOCUSABLE = 'a[href], button:not(:disabled), input:not(:disabled):not([type="hidden"]), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/**
 * Keeps Tab and Shift+Tab inside an open modal <dialog>: a native modal
 * dialog makes the page behind it inert, but Tab past its last control
 * would still leave for the browser's own UI.
 */
export function trapFocus(dlg) {
  dlg.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab' || e.altKey || e.ctrlKey || e.metaKey || !dlg.open) return;
    const items = [...dlg.querySelectorAll(FOCUSABLE)].filter((el) => {
      if (el.closest('[hidden]')) return false;
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility === 'visible';
    });
    if (!items.length) { e.preventDefault(); return; }
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    const inside = dlg.contains(active);
    if (e.shiftKey && (!inside || active === first || active === dlg)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (!inside || active === last)) {
      e.preventDefault();
      first.focus();
    }
  });
  return dlg;
}

/** Opens a modal <dialog>; resolves true when confirmed. */
export function confirmDialog({ title, body, confirmLabel = 'Confirm', danger = false, icon: ic }) {
  return new Promise((resolve) => {
    const titleId = uid('dlg-title');
    const descId = uid('dlg-desc');
    const cancel = button({ label: 'Cancel', kind: 'secondary' });
    const ok = button({ label: confirmLabel, kind: danger ? 'danger' : 'primary', class: 'dialog-confirm' });
    const dlg = h('dialog', { class: 'modal', 'aria-labelledby': titleId, 'aria-describedby': descId },
      h('div', { class: 'modal-body' },
        ic ? h('div', { class: ['modal-icon', danger ? 'modal-icon-danger' : ''] }, icon(ic)) : null,
        h('div', { class: 'modal-text' },
          h('h2', { id: titleId, class: 'modal-title' }, title),
          h('div', { id: descId, class: 'modal-desc' }, body))),
      h('div', { class: 'modal-actions' }, cancel, ok));
    let result = false;
    cancel.addEventListener('click', () => dlg.close());
    ok.addEventListener('click', () => { result = true; dlg.close(); });
    dlg.addEventListener('close', () => { dlg.remove(); resolve(result); });
    trapFocus(dlg);
    document.body.appendChild(dlg);
    dlg.showModal();
    (danger ? cancel : ok).focus();
  });
}

// ---------- clipboard ----------

export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch { /* fall back below */ }
  const ta = h('textarea', { class: 'visually-hidden', 'aria-hidden': 'true', readonly: true });
  ta.value = text;
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { ok = false; }
  ta.remove();
  return ok;
}

export function copyButton(getText, { label = 'Copy', size = 'sm', kind = 'ghost', iconOnly = true, what = '' } = {}) {
  const btn = button({ label: what ? `${label} ${what}` : label, icon: 'copy', kind, size, iconOnly, class: 'copy-btn' });
  btn.addEventListener('click', async () => {
    const ok = await copyText(typeof getText === 'function' ? getText() : getText);
    const svg = btn.querySelector('svg');
    if (ok) {
      btn.classList.add('copied');
      const check = icon('check');
      svg.replaceWith(check);
      const lbl = btn.querySelector('.btn-label');
      const prev = lbl ? lbl.textContent : null;
      if (lbl) lbl.textContent = 'Copied';
      announce('Copied to clipboard');
      setTimeout(() => {
        check.replaceWith(icon('copy'));
        btn.classList.remove('copied');
        if (lbl) lbl.textContent = prev;
      }, 1500);
    } else {
      toast('Could not copy. Select the text and copy it manually.', { kind: 'error' });
    }
  });
  return btn;
}

/** Screen-reader announcement. */
export function announce(text) {
  initLiveRegions();
  liveRegion.textContent = '';
  setTimeout(() => { liveRegion.textContent = text; }, 30);
}

// ---------- JSON / code ----------

/** Pretty-printed, syntax-coloured JSON (or the raw text if not JSON). */
export function jsonView(value, { label = 'JSON', maxHeight = true } = {}) {
  let parsed = value;
  let isJson = true;
  if (typeof value === 'string') {
    try { parsed = JSON.parse(value); } catch { isJson = false; }
  }
  const text = isJson ? JSON.stringify(parsed, null, 2) : String(value);
  const code = h('code', null);
  if (isJson && text !== undefined) highlight(code, text);
  else code.textContent = text === '' ? '(empty)' : text;
  const pre = h('pre', { class: ['code-block', maxHeight ? 'code-scroll' : '', isJson ? 'is-json' : 'is-text'], tabindex: '0', 'aria-label': label }, code);
  return h('div', { class: 'code-wrap' }, pre, h('div', { class: 'code-actions' }, copyButton(text ?? '', { what: label.toLowerCase() })));
}

const TOKEN_RE = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
function highlight(code, text) {
  let last = 0;
  for (const m of text.matchAll(TOKEN_RE)) {
    if (m.index > last) code.appendChild(document.createTextNode(text.slice(last, m.index)));
    let cls;
    if (m[1]) cls = m[2] ? 'tok-key' : 'tok-str';
    else if (m[3]) cls = 'tok-lit';
    else cls = 'tok-num';
    code.appendChild(h('span', { class: cls }, m[1] || m[0]));
    if (m[2]) code.appendChild(document.createTextNode(m[2]));
    last = m.index + m[0].length;
  }
  if (last < text.length) code.appendChild(document.createTextNode(text.slice(last)));
}

export function codeBlock(text, { label = 'Code' } = {}) {
  const pre = h('pre', { class: 'code-block', tabindex: '0', 'aria-label': label }, h('code', null, text));
  return h('div', { class: 'code-wrap' }, pre, h('div', { class: 'code-actions' }, copyButton(text, { what: label.toLowerCase() })));
}

// ---------- markdown (the small subset destination instructions use) ----------

export function markdown(src) {
  const root = h('div', { class: 'prose' });
  const blocks = String(src || '').replace(/\r/g, '').split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    if (!lines.length) continue;
    if (lines.every((l) => /^\s*[-*]\s+/.test(l))) {
      root.appendChild(h('ul', null, lines.map((l) => inline(h('li'), l.replace(/^\s*[-*]\s+/, '')))));
    } else if (/^#{1,6}\s/.test(lines[0])) {
      root.appendChild(inline(h('h4'), lines[0].replace(/^#+\s*/, '')));
      if (lines.length > 1) root.appendChild(inline(h('p'), lines.slice(1).join(' ')));
    } else {
      root.appendChild(inline(h('p'), lines.join(' ')));
    }
  }
  return root;
}

function inline(el, text) {
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
    if (m[1]) el.appendChild(h('code', null, m[1]));
    else if (m[2]) el.appendChild(h('strong', null, m[2]));
    else if (/^https?:\/\//i.test(m[4])) el.appendChild(h('a', { href: m[4], target: '_blank', rel: 'noopener noreferrer' }, m[3]));
    else el.appendChild(document.createTextNode(m[3]));
    last = m.index + m[0].length;
  }
  if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  return el;
}

// ---------- states ----------

export function spinner(label = 'Loading') {
  return h('div', { class: 'loading', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('span', { class: 'loading-label' }, label));
}

export function skeleton(rows = 3, cls = '') {
  return h('div', { class: ['skeleton-list', cls], 'aria-busy': 'true', role: 'status', 'aria-label': 'Loading' },
    Array.from({ length: rows }, () => h('div', { class: 'skeleton-row' },
      h('span', { class: 'sk sk-circle' }), h('span', { class: 'sk sk-line sk-w60' }), h('span', { class: 'sk sk-line sk-w20' }))));
}

export function emptyState({ icon: ic = 'inbox', title, text, action }) {
  return h('div', { class: 'empty' },
    h('div', { class: 'empty-icon' }, icon(ic)),
    h('h2', { class: 'empty-title' }, title),
    text ? h('p', { class: 'empty-text' }, text) : null,
    action || null);
}

export function errorState(err, retry) {
  const msg = err && err.message ? err.message : String(err);
  return h('div', { class: 'empty empty-error', role: 'alert' },
    h('div', { class: 'empty-icon' }, icon('alert')),
    h('h2', { class: 'empty-title' }, err && err.status === 404 ? 'Not found' : 'Something went wrong'),
    h('p', { class: 'empty-text' }, msg),
    retry ? button({ label: 'Try again', icon: 'refresh', onclick: retry }) : null);
}

export function callout(kind, title, ...body) {
  const ic = { info: 'info', warning: 'alert', danger: 'alert', success: 'check' }[kind] || 'info';
  return h('div', { class: ['callout', `callout-${kind}`] },
    icon(ic, 'callout-icon'),
    h('div', { class: 'callout-body' }, title ? h('div', { class: 'callout-title' }, title) : null, body));
}

/** Replace `slot`'s content with the result of an async loader, with loading and error states. */
export async function load(slot, loader, { loading } = {}) {
  replace(slot, loading || skeleton(3));
  try {
    const node = await loader();
    replace(slot, node);
  } catch (err) {
    if (err && err.name === 'AbortError') return;
    if (err && err.status === 401) return;
    replace(slot, errorState(err, () => load(slot, loader, { loading })));
  }
}

export function readOnlyTitle(readOnly) {
  return readOnly ? 'Read-only access: you can view but not change anything' : null;
}
