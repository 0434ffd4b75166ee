// Data shared between views: destination types and topics (cached for the
// page's lifetime), destinations, and per-destination health computed from
// recent attempts.

import { api, tenantPath } from './api.js';
import { h } from './dom.js';

let typesPromise = null;
let topicsPromise = null;

export function destinationTypes() {
  if (!typesPromise) {
    typesPromise = api('/destination-types').then((list) => {
      const map = new Map();
      for (const t of list || []) map.set(t.type, t);
      return map;
    }).catch((err) => { typesPromise = null; throw err; });
  }
  return typesPromise;
}

export function topics() {
  if (!topicsPromise) {
    topicsPromise = api('/topics').then((t) => (Array.isArray(t) ? t : []))
      .catch((err) => { topicsPromise = null; throw err; });
  }
  return topicsPromise;
}

export function listDestinations() {
  return api(tenantPath('/destinations')).then((d) => (Array.isArray(d) ? d : []));
}

export function getDestination(id) {
  return api(tenantPath(`/destinations/${encodeURIComponent(id)}`));
}

export function typeLabel(types, type) {
  const t = types && types.get(type);
  return t ? t.label : type;
}

/** Short human label for a destination: its target (URL, queue...) or id. */
export function destinationLabel(d) {
  if (!d) return '';
  return d.target || (d.config && (d.config.url || d.config.queue_url || d.config.name)) || d.id;
}

export const HEALTH_WINDOW = 50;

/** Health from the newest-first attempts of one destination. */
export function computeHealth(attempts, more = false) {
  const total = attempts.length;
  const ok = attempts.filter((a) => a.status === 'success').length;
  let streak = 0;
  for (const a of attempts) {
    if (a.status === 'success') break;
    streak += 1;
  }
  return {
    total,
    ok,
    failed: total - ok,
    rate: total ? ok / total : null,
    consecutiveFailures: streak,
    streakOpen: streak === total && more, // every attempt we looked at failed; there may be more
    last: attempts[0] || null,
    recent: attempts.slice(0, 30).reverse(), // oldest -> newest for the sparkline
  };
}

export async function destinationHealth(id, { signal } = {}) {
  const res = await api(tenantPath(`/destinations/${encodeURIComponent(id)}/attempts`), {
    query: { limit: HEALTH_WINDOW }, signal,
  });
  const models = (res && res.models) || [];
  return computeHealth(models, !!(res && res.pagination && res.pagination.next));
}

export function pct(rate) {
  if (rate === null || rate === undefined) return '—';
  const p = rate * 100;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(1).replace(/\.0$/, '')}%`;
}

/** A row of small bars: one per recent attempt, green or red. */
export function sparkline(health, { slots = 30, size = '' } = {}) {
  const bars = [];
  const pad = Math.max(0, slots - health.recent.length);
  for (let i = 0; i < pad; i += 1) bars.push(h('span', { class: 'spark-bar spark-empty' }));
  for (const a of health.recent.slice(-slots)) {
    bars.push(h('span', { class: ['spark-bar', a.status === 'success' ? 'spark-ok' : 'spark-bad'] }));
  }
  const label = health.total
    ? `Last ${Math.min(health.total, slots)} deliveries: ${health.recent.slice(-slots).filter((a) => a.status === 'success').length} succeeded, ${health.recent.slice(-slots).filter((a) => a.status !== 'success').length} failed`
    : 'No deliveries yet';
  return h('span', { class: ['spark', size ? `spark-${size}` : ''], role: 'img', 'aria-label': label, title: label }, bars);
}

export function streakText(health) {
  const n = health.consecutiveFailures;
  return `${n}${health.streakOpen ? '+' : ''} failed in a row`;
}
