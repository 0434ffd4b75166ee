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

export const ACTIVITY_HOURS = 24;

/**
 * Deliveries to one destination per hour over the last 24 hours, from the
 * Metrics API: {buckets: [{start: Date, ok, failed}] oldest first, ok, failed}.
 * The range starts on an hour so every bar is a whole hour but the last.
 */
export async function destinationActivity(id, { signal, now = Date.now() } = {}) {
  const hour = 3600_000;
  const start = new Date(Math.floor(now / hour) * hour - (ACTIVITY_HOURS - 1) * hour);
  const res = await api('/metrics/attempts', {
    query: {
      'time[start]': start.toISOString(),
      'time[end]': new Date(now + 1).toISOString(),
      granularity: '1h',
      measures: ['successful_count', 'failed_count'],
      'filters[destination_id]': id,
    },
    signal,
  });
  const buckets = ((res && res.data) || []).map((p) => ({
    start: new Date(p.time_bucket),
    ok: (p.metrics && p.metrics.successful_count) || 0,
    failed: (p.metrics && p.metrics.failed_count) || 0,
  }));
  return {
    buckets,
    ok: buckets.reduce((s, b) => s + b.ok, 0),
    failed: buckets.reduce((s, b) => s + b.failed, 0),
  };
}

/** Hourly bars (succeeded below, failed on top), scaled to the busiest hour. */
export function activityChart(activity) {
  const max = Math.max(1, ...activity.buckets.map((b) => b.ok + b.failed));
  const hourText = (d) => d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const bars = activity.buckets.map((b) => {
    const total = b.ok + b.failed;
    const label = `${hourText(b.start)}: ${total ? `${b.ok} succeeded, ${b.failed} failed` : 'no deliveries'}`;
    return h('span', { class: 'activity-col', title: label, dataset: { ok: String(b.ok), failed: String(b.failed) } },
      h('span', { class: ['activity-bar', total ? '' : 'activity-none'], style: { height: `${total ? Math.max(6, (total / max) * 100) : 4}%` } },
        b.failed ? h('span', { class: 'activity-failed', style: { height: `${(b.failed / total) * 100}%` } }) : null));
  });
  const total = activity.ok + activity.failed;
  const summary = total
    ? `Last 24 hours: ${total} ${total === 1 ? 'delivery' : 'deliveries'}, ${activity.failed} failed`
    : 'Last 24 hours: no deliveries';
  return h('div', null,
    h('div', { class: 'activity', role: 'img', 'aria-label': summary }, bars),
    h('div', { class: 'activity-axis', 'aria-hidden': 'true' }, h('span', null, '24 h ago'), h('span', null, 'now')));
}
