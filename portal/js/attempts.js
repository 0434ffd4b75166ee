// Rendering of delivery attempts (lists and the attempt/event detail
// drawer) shared by the event history and the destination pages.

import { h, icon, replace } from './dom.js';
import { api } from './api.js';
import {
  statusBadge, codeChip, timeEl, fmtAbsolute, fmtDuration, describeCode, jsonView, copyButton, button, busy, toast, announce,
  callout, skeleton, errorState, readOnlyTitle,
} from './ui.js';
import { destinationLabel } from './data.js';

export function shortId(id) {
  const s = String(id || '');
  return s.length > 14 ? `${s.slice(0, 8)}…${s.slice(-4)}` : s;
}

export function attemptTopic(a) {
  return a.topic || (a.event && a.event.topic) || '';
}

function destName(a, destById) {
  const d = destById && destById.get(a.destination_id);
  if (d) return destinationLabel(d);
  if (a.destination) return destinationLabel(a.destination);
  return a.destination_id;
}

/**
 * List of attempts. opts: destById (Map), showDestination, hrefFor(a),
 * onOpen(a, event) for in-page opening, selectedId.
 */
export function attemptsList(attempts, { destById, showDestination = true, hrefFor, onOpen, label = 'Deliveries' } = {}) {
  const head = h('div', { class: ['att-head', showDestination ? '' : 'no-dest'], 'aria-hidden': 'true' },
    h('span', null, 'Status'), h('span', null, 'Topic / event'), showDestination ? h('span', null, 'Destination') : null,
    h('span', null, 'Attempt'), h('span', null, 'Code'), h('span', null, 'Time'));
  const list = h('ul', { class: 'att-list', role: 'list', 'aria-label': label });
  for (const a of attempts) {
    const href = hrefFor(a);
    const link = h('a', { class: ['att-row', showDestination ? '' : 'no-dest'], href, dataset: { attemptId: a.id, eventId: a.event_id, status: a.status } },
      h('span', { class: 'att-status' }, statusBadge(a.status)),
      h('span', { class: 'att-topic' },
        h('span', { class: 'mono att-topic-name' }, attemptTopic(a) || '—'),
        h('span', { class: 'att-event mono', title: a.event_id }, shortId(a.event_id))),
      showDestination ? h('span', { class: 'att-dest', title: destName(a, destById) }, h('span', { class: 'visually-hidden' }, 'Destination: '), destName(a, destById)) : null,
      h('span', { class: 'att-num' }, h('span', { class: 'visually-hidden' }, 'Attempt '), `#${a.attempt_number}`,
        a.manual ? h('span', { class: 'tag', title: 'Retried manually' }, 'manual') : null),
      h('span', { class: 'att-code' }, h('span', { class: 'visually-hidden' }, 'Code '), codeChip(a.code, a.status)),
      h('span', { class: 'att-time' }, timeEl(a.time)));
    if (onOpen) {
      link.addEventListener('click', (e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        onOpen(a, link);
      });
    }
    list.appendChild(h('li', null, link));
  }
  return h('div', { class: 'att-table' }, head, list);
}

// ---------- detail ----------

function dl(rows) {
  return h('dl', { class: 'kv-list' }, rows.filter(Boolean).map(([k, v]) => h('div', { class: 'kv-item' }, h('dt', null, k), h('dd', null, v))));
}

function section(title, ...content) {
  return h('section', { class: 'drawer-section' }, h('h3', { class: 'drawer-section-title' }, title), content);
}

function destLink(id, destById, fallback) {
  const d = destById && destById.get(id);
  const label = d ? destinationLabel(d) : (fallback ? destinationLabel(fallback) : id);
  if (!d && !fallback) return h('span', { class: 'mono' }, `${label} (deleted)`);
  return h('a', { href: `/destinations/${encodeURIComponent(id)}`, class: 'break' }, label);
}

/** Polls until fn() returns truthy or the time runs out. */
export async function poll(fn, { timeoutMs = 20000, intervalMs = 600, signal } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal && signal.aborted) return null;
    const v = await fn();
    if (v) return v;
    if (Date.now() >= deadline) return null;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** All attempts of one event (optionally for one destination), newest first. */
export async function attemptsFor(eventId, destinationId, include = ['event', 'response_data']) {
  const res = await api('/attempts', {
    query: { event_id: eventId, destination_id: destinationId, include, limit: 100 },
  });
  return (res && res.models) || [];
}

/**
 * Retries a delivery and waits for the new attempt.
 * Resolves the new attempt (or null when it did not show up in time).
 */
export async function retryDelivery(eventId, destinationId, knownCount) {
  await api('/retry', { method: 'POST', body: { event_id: eventId, destination_id: destinationId } });
  return poll(async () => {
    const list = await attemptsFor(eventId, destinationId, ['response_data']);
    return list.length > knownCount ? list[0] : null;
  });
}

/**
 * Renders the attempt detail into `slot`.
 * ctx: {readOnly, destById, onSelect(attemptId), onRetried(newAttempt)}
 */
export async function renderAttemptDetail(slot, attemptId, ctx) {
  replace(slot, skeleton(4));
  let attempt;
  let siblings;
  try {
    attempt = await api(`/attempts/${encodeURIComponent(attemptId)}`, { query: { include: ['event', 'event.data', 'response_data', 'request_data', 'destination'] } });
    siblings = await attemptsFor(attempt.event_id, attempt.destination_id, []);
  } catch (err) {
    if (err.status === 401) return null;
    replace(slot, errorState(err.status === 404 || err.status === 403
      ? Object.assign(new Error('This delivery does not exist or belongs to another account.'), { status: 404 }) : err));
    return null;
  }
  const ev = attempt.event || {};
  const dest = (ctx.destById && ctx.destById.get(attempt.destination_id)) || attempt.destination || null;
  const latest = siblings[0] || attempt;
  const destDisabled = dest && dest.disabled_at;
  const destGone = !dest;

  const retryBtn = button({
    label: latest.status === 'failed' ? 'Retry delivery' : 'Send again',
    icon: 'retry',
    kind: latest.status === 'failed' ? 'primary' : 'secondary',
    class: 'btn-retry',
    disabled: ctx.readOnly || destDisabled || destGone,
    title: ctx.readOnly ? readOnlyTitle(true) : destDisabled ? 'Enable the destination to retry' : destGone ? 'The destination was deleted' : null,
  });
  const retryNote = h('div', { class: 'retry-note', 'aria-live': 'polite' });
  retryBtn.addEventListener('click', () => busy(retryBtn, async () => {
    replace(retryNote, h('span', { class: 'muted' }, 'Retrying…'));
    try {
      const fresh = await retryDelivery(attempt.event_id, attempt.destination_id, siblings.length);
      if (!fresh) {
        replace(retryNote, callout('info', 'Retry queued', 'The new attempt has not finished yet. It will appear here shortly.'));
        return;
      }
      const ok = fresh.status === 'success';
      toast(ok ? `Retry succeeded (${describeCode(fresh.code)})` : `Retry failed (${describeCode(fresh.code)})`, { kind: ok ? 'success' : 'error' });
      announce(ok ? 'Retry succeeded' : 'Retry failed');
      if (ctx.onRetried) ctx.onRetried(fresh);
    } catch (err) {
      if (err.status === 401) return;
      replace(retryNote, callout('danger', 'Could not retry', err.message));
    }
  }));

  const resp = attempt.response_data;
  const req = requestData(attempt.request_data);
  const duration = fmtDuration(attempt.duration_ms);
  const metadata = ev.metadata && Object.keys(ev.metadata).length ? ev.metadata : null;
  const target = req && req.url ? req.url : (dest ? (dest.target || destinationLabel(dest)) : attempt.destination_id);
  const isWebhook = (attempt.destination_type || (dest && dest.type)) === 'webhook';
  const method = req && req.method ? req.method : (isWebhook ? 'POST' : 'SEND');

  replace(slot,
    h('div', { class: 'drawer-summary' },
      statusBadge(attempt.status),
      codeChip(attempt.code, attempt.status),
      h('span', { class: 'muted' }, `Attempt #${attempt.attempt_number}${attempt.manual ? ' · manual retry' : ''}`),
      h('span', { class: 'muted' }, timeEl(attempt.time)),
      duration ? h('span', { class: 'muted duration', title: 'Time to the response' }, icon('clock'), duration) : null),
    h('div', { class: 'drawer-actions' }, retryBtn, retryNote),
    section('Overview', dl([
      ['Result', h('span', { class: attempt.status === 'success' ? 'tone-ok' : 'tone-bad' }, describeCode(attempt.code))],
      ['Time', h('span', null, fmtAbsolute(attempt.time))],
      duration ? ['Duration', h('span', { class: 'attempt-duration' }, duration)] : null,
      ['Attempt', `#${attempt.attempt_number} — ${attempt.manual ? 'manual retry' : attempt.attempt_number > 1 ? 'automatic retry' : 'first attempt'}`],
      ['Destination', destLink(attempt.destination_id, ctx.destById, attempt.destination)],
      ['Topic', h('span', { class: 'mono' }, attemptTopic(attempt) || '—')],
      ['Event ID', h('span', { class: 'id-copy' }, h('span', { class: 'mono break' }, attempt.event_id), copyButton(attempt.event_id, { what: 'event ID' }))],
      ['Attempt ID', h('span', { class: 'id-copy' }, h('span', { class: 'mono break' }, attempt.id), copyButton(attempt.id, { what: 'attempt ID' }))],
    ])),
    section(`All attempts (${siblings.length})`, timeline(siblings, attempt.id, ctx)),
    section('Request',
      h('div', { class: 'req-line request-line' }, h('span', { class: 'method' }, method), h('span', { class: 'mono break request-url' }, target)),
      req && req.headers
        ? h('div', { class: 'sub-block' }, h('h4', { class: 'sub-title' }, 'Headers'), headersList(req.headers, 'Request headers'))
        : (isWebhook ? h('p', { class: 'muted small' }, 'Sent as Content-Type: application/json with the event ID, topic, timestamp and signature headers.') : null),
      h('div', { class: 'sub-block' }, h('h4', { class: 'sub-title' }, 'Body'),
        ev.data !== undefined ? jsonView(ev.data, { label: 'Request body' }) : h('p', { class: 'muted' }, 'The payload is not available.')),
      metadata ? h('div', { class: 'sub-block' }, h('h4', { class: 'sub-title' }, 'Event metadata'), jsonView(metadata, { label: 'Metadata' })) : null),
    section('Response',
      h('div', { class: 'req-line response-line' }, h('span', { class: 'method' }, 'STATUS'), codeChip(attempt.code, attempt.status),
        h('span', { class: 'muted' }, describeCode(attempt.code)),
        duration ? h('span', { class: 'muted resp-duration' }, `in ${duration}`) : null),
      responseView(resp)));
  return attempt;
}

/** request_data as the API gives it ({method, url, headers}), or null. */
function requestData(rd) {
  if (!rd || typeof rd !== 'object' || Array.isArray(rd)) return null;
  const headers = rd.headers && typeof rd.headers === 'object' && !Array.isArray(rd.headers) && Object.keys(rd.headers).length ? rd.headers : null;
  const out = {
    method: typeof rd.method === 'string' && rd.method ? rd.method.toUpperCase() : null,
    url: typeof rd.url === 'string' && rd.url ? rd.url : null,
    headers,
  };
  return out.method || out.url || out.headers ? out : null;
}

/** Header names and values, in the order sent, with one copy button for all of them. */
function headersList(headers, label) {
  const entries = Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v === null || v === undefined ? '' : String(v)]);
  const text = entries.map(([k, v]) => `${k}: ${v}`).join('\n');
  return h('div', { class: 'code-wrap headers-wrap' },
    h('dl', { class: 'headers-list', 'aria-label': label },
      entries.map(([k, v]) => h('div', { class: 'header-item' }, h('dt', { class: 'mono header-name' }, k), h('dd', { class: 'mono header-value' }, v)))),
    h('div', { class: 'code-actions' }, copyButton(text, { what: label.toLowerCase() })));
}

/** The response: status is shown above; here the error or the body (pretty-printed when JSON). */
function responseView(resp) {
  if (resp && typeof resp === 'object' && ('body' in resp || 'error' in resp || 'status' in resp)) {
    const body = resp.body === null || resp.body === undefined ? '' : resp.body;
    return h('div', { class: 'resp-block' },
      resp.error ? callout('danger', 'No response', String(resp.error)) : null,
      'body' in resp ? h('div', { class: 'sub-block' }, h('h4', { class: 'sub-title' }, 'Body'), jsonView(body, { label: 'Response body' })) : null);
  }
  if (resp !== undefined && resp !== null) return jsonView(resp, { label: 'Response data' });
  return h('p', { class: 'muted' }, 'No response was recorded.');
}

function timeline(list, currentId, ctx) {
  if (!list.length) return h('p', { class: 'muted' }, 'No attempts yet.');
  return h('ol', { class: 'timeline' }, list.map((a) => {
    const here = a.id === currentId;
    const inner = [
      h('span', { class: ['tl-dot', a.status === 'success' ? 'tl-ok' : 'tl-bad'], 'aria-hidden': 'true' }),
      h('span', { class: 'tl-main' },
        h('span', { class: 'tl-title' }, `Attempt #${a.attempt_number}`, a.manual ? h('span', { class: 'tag' }, 'manual') : null),
        h('span', { class: 'tl-meta' }, statusBadge(a.status), codeChip(a.code, a.status),
          fmtDuration(a.duration_ms) ? h('span', { class: 'tl-duration' }, fmtDuration(a.duration_ms)) : null, timeEl(a.time))),
    ];
    return h('li', { class: ['tl-item', here ? 'is-current' : ''], dataset: { attemptId: a.id, status: a.status } },
      here
        ? h('div', { class: 'tl-row', 'aria-current': 'true' }, inner, h('span', { class: 'visually-hidden' }, ' (shown)'))
        : h('button', { type: 'button', class: 'tl-row', onclick: () => ctx.onSelect && ctx.onSelect(a.id) }, inner));
  }));
}

/** Event detail: payload and its deliveries per destination. */
export async function renderEventDetail(slot, eventId, ctx) {
  replace(slot, skeleton(4));
  let ev;
  let attempts;
  try {
    ev = await api(`/events/${encodeURIComponent(eventId)}`);
    attempts = await attemptsFor(eventId, undefined, []);
  } catch (err) {
    if (err.status === 401) return null;
    replace(slot, errorState(err.status === 404 || err.status === 403
      ? Object.assign(new Error('This event does not exist or belongs to another account.'), { status: 404 }) : err));
    return null;
  }
  const byDest = new Map();
  for (const a of attempts) {
    if (!byDest.has(a.destination_id)) byDest.set(a.destination_id, []);
    byDest.get(a.destination_id).push(a);
  }
  for (const id of ev.matched_destination_ids || []) if (!byDest.has(id)) byDest.set(id, []);

  const rows = [...byDest.entries()].map(([destId, list]) => {
    const last = list[0];
    const dest = ctx.destById && ctx.destById.get(destId);
    const retry = button({
      label: 'Retry', icon: 'retry', size: 'sm', kind: last && last.status === 'failed' ? 'primary' : 'secondary',
      disabled: ctx.readOnly || !dest || !!(dest && dest.disabled_at),
      title: ctx.readOnly ? readOnlyTitle(true) : !dest ? 'The destination was deleted' : dest.disabled_at ? 'Enable the destination to retry' : null,
    });
    retry.addEventListener('click', () => busy(retry, async () => {
      try {
        const fresh = await retryDelivery(eventId, destId, list.length);
        if (fresh) {
          toast(fresh.status === 'success' ? 'Retry succeeded' : `Retry failed (${describeCode(fresh.code)})`, { kind: fresh.status === 'success' ? 'success' : 'error' });
          if (ctx.onRetried) ctx.onRetried(fresh);
        } else toast('Retry queued', { kind: 'info' });
      } catch (err) {
        if (err.status !== 401) toast(err.message, { kind: 'error' });
      }
    }));
    return h('li', { class: 'ev-dest' },
      h('div', { class: 'ev-dest-main' },
        destLink(destId, ctx.destById, null),
        last
          ? h('span', { class: 'ev-dest-meta' }, statusBadge(last.status), codeChip(last.code, last.status),
            h('span', { class: 'muted small' }, `${list.length} attempt${list.length === 1 ? '' : 's'}`), timeEl(last.time))
          : h('span', { class: 'badge badge-muted' }, 'Pending')),
      h('div', { class: 'ev-dest-actions' },
        last ? h('a', { class: 'btn btn-ghost btn-sm', href: ctx.attemptHref(last) }, h('span', { class: 'btn-label' }, 'Details')) : null,
        last ? retry : null));
  });

  const metadata = ev.metadata && Object.keys(ev.metadata).length ? ev.metadata : null;
  replace(slot,
    h('div', { class: 'drawer-summary' },
      h('span', { class: 'chip mono' }, ev.topic || 'no topic'),
      h('span', { class: 'muted' }, timeEl(ev.time))),
    section('Overview', dl([
      ['Event ID', h('span', { class: 'id-copy' }, h('span', { class: 'mono break' }, ev.id), copyButton(ev.id, { what: 'event ID' }))],
      ['Topic', h('span', { class: 'mono' }, ev.topic || '—')],
      ['Time', fmtAbsolute(ev.time)],
      ['Automatic retries', ev.eligible_for_retry ? 'Yes' : 'No'],
    ])),
    section(`Deliveries (${byDest.size})`, rows.length ? h('ul', { class: 'ev-dest-list', role: 'list' }, rows) : h('p', { class: 'muted' }, 'This event did not match any destination.')),
    section('Payload', jsonView(ev.data, { label: 'Payload' })),
    metadata ? section('Metadata', jsonView(metadata, { label: 'Metadata' })) : null);
  return ev;
}
