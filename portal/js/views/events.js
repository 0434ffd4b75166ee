// Event history: deliveries (attempts) or events, with filters, cursor
// pagination and a detail drawer (?attempt=<id> or ?event=<id>).

import { h, icon, replace, uid } from '../dom.js';
import { api } from '../api.js';
import { button, emptyState, errorState, skeleton, timeEl, busy, trapFocus } from '../ui.js';
import { listDestinations, topics as loadTopics, destinationLabel } from '../data.js';
import { attemptsList, renderAttemptDetail, renderEventDetail, shortId } from '../attempts.js';
import { navigate, currentQuery } from '../router.js';
import { pageHeader } from './destinations.js';

const PAGE_SIZE = 25;
const LIST_KEYS = ['view', 'status', 'destination', 'topic', 'range', 'from', 'to', 'next', 'prev'];
const RANGES = [
  ['', 'Any time'], ['1h', 'Last hour'], ['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days'], ['custom', 'Custom range…'],
];
const RANGE_MS = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };

function listKey(q) {
  return LIST_KEYS.map((k) => `${k}=${q.get(k) || ''}`).join('&');
}

function urlWith(over, base = currentQuery()) {
  const q = new URLSearchParams(base);
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined || v === null || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  return `/events${s ? `?${s}` : ''}`;
}

function localInputToIso(v) {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function eventsView({ readOnly }, query) {
  const state = {
    destinations: [], destById: new Map(), topics: [], listKey: null, drawerKey: null,
    poll: null, latestTopId: null, opener: null,
  };
  const filterSlot = h('div', { class: 'filters-slot' });
  const listSlot = h('div', { class: 'list-slot', 'aria-busy': 'false' });
  // The list itself is not a live region (it would be read out whole); this
  // one-line summary is.
  const listStatus = h('p', { class: 'visually-hidden list-status', role: 'status', 'aria-live': 'polite' });
  const newPill = h('div', { class: 'new-pill-slot' });
  const refreshBtn = button({ label: 'Refresh', icon: 'refresh', class: 'btn-refresh' });
  refreshBtn.addEventListener('click', () => busy(refreshBtn, () => loadList(true)));
  const segDeliveries = h('a', { class: 'seg', href: '/events', dataset: { view: 'deliveries' } }, icon('send'), 'Deliveries');
  const segEvents = h('a', { class: 'seg', href: '/events?view=events', dataset: { view: 'events' } }, icon('inbox'), 'Events');
  const node = h('div', { class: 'page' },
    pageHeader({
      title: 'Event history',
      subtitle: 'Every event sent to your destinations and each attempt to deliver it. Open one to see the request, the response and retry it.',
      actions: [refreshBtn],
    }),
    h('div', { class: 'toolbar' }, h('nav', { class: 'segmented', 'aria-label': 'Show' }, segDeliveries, segEvents), newPill),
    filterSlot,
    listStatus,
    listSlot);

  // ----- drawer -----
  const drawerTitle = h('h2', { class: 'drawer-title', id: uid('drawer-title') }, 'Delivery');
  const drawerBody = h('div', { class: 'drawer-body' });
  const closeBtn = button({ label: 'Close', icon: 'x', kind: 'ghost', iconOnly: true, class: 'drawer-close' });
  const drawer = h('dialog', { class: 'drawer', 'aria-labelledby': drawerTitle.id },
    h('div', { class: 'drawer-panel' },
      h('div', { class: 'drawer-header' }, drawerTitle, closeBtn),
      drawerBody));
  trapFocus(drawer);
  closeBtn.addEventListener('click', () => closeDrawer());
  drawer.addEventListener('cancel', (e) => { e.preventDefault(); closeDrawer(); });
  drawer.addEventListener('click', (e) => { if (e.target === drawer) closeDrawer(); });

  function closeDrawer() {
    if (window.history.state && window.history.state.drawer) window.history.back();
    else navigate(urlWith({ attempt: null, event: null }), { replace: true });
  }

  function openHref(href, opener) {
    state.opener = opener ? opener.dataset.attemptId || opener.dataset.eventId : null;
    const drawerOpen = currentQuery().get('attempt') || currentQuery().get('event');
    navigate(href, { replace: !!drawerOpen, state: { drawer: true } });
  }

  async function syncDrawer(q) {
    const attemptId = q.get('attempt');
    const eventId = q.get('event');
    const key = attemptId ? `a:${attemptId}` : eventId ? `e:${eventId}` : null;
    if (key === state.drawerKey) return;
    state.drawerKey = key;
    if (!key) {
      if (drawer.open) drawer.close();
      const back = state.opener && listSlot.querySelector(`[data-attempt-id="${CSS.escape(state.opener)}"], [data-event-id="${CSS.escape(state.opener)}"]`);
      if (back) back.focus();
      return;
    }
    if (!drawer.isConnected) document.body.appendChild(drawer);
    if (!drawer.open) drawer.showModal();
    closeBtn.focus();
    const ctx = {
      readOnly,
      destById: state.destById,
      onSelect: (id) => navigate(urlWith({ attempt: id, event: null }), { replace: true, state: window.history.state }),
      onRetried: (fresh) => {
        loadList(true);
        navigate(urlWith({ attempt: fresh.id, event: null }), { replace: true, state: window.history.state });
      },
      attemptHref: (a) => urlWith({ attempt: a.id, event: null }),
    };
    if (attemptId) {
      drawerTitle.textContent = 'Delivery attempt';
      await renderAttemptDetail(drawerBody, attemptId, ctx);
    } else {
      drawerTitle.textContent = 'Event';
      ctx.onRetried = () => { loadList(true); state.drawerKey = null; syncDrawer(currentQuery()); };
      await renderEventDetail(drawerBody, eventId, ctx);
    }
  }

  // ----- filters -----
  function drawFilters(q) {
    const view = q.get('view') === 'events' ? 'events' : 'deliveries';
    const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter history' });
    const mk = (label, control) => {
      const id = uid('flt');
      control.id = id;
      return h('div', { class: 'filter' }, h('label', { class: 'filter-label', for: id }, label), control);
    };
    const status = h('select', { class: 'input select input-sm', name: 'status' },
      h('option', { value: '' }, 'All statuses'), h('option', { value: 'success' }, 'Succeeded'), h('option', { value: 'failed' }, 'Failed'));
    status.value = view === 'events' ? '' : (q.get('status') || '');
    const dest = h('select', { class: 'input select input-sm', name: 'destination' },
      h('option', { value: '' }, 'All destinations'),
      state.destinations.map((d) => h('option', { value: d.id }, destinationLabel(d))));
    dest.value = q.get('destination') || '';
    if (q.get('destination') && !state.destById.has(q.get('destination'))) {
      dest.appendChild(h('option', { value: q.get('destination') }, shortId(q.get('destination'))));
      dest.value = q.get('destination');
    }
    let topic;
    if (state.topics.length) {
      topic = h('select', { class: 'input select input-sm', name: 'topic' },
        h('option', { value: '' }, 'All topics'), state.topics.map((t) => h('option', { value: t }, t)));
      topic.value = q.get('topic') || '';
    } else {
      topic = h('input', { type: 'text', class: 'input input-sm mono', name: 'topic', placeholder: 'Any topic', value: q.get('topic') || '' });
    }
    const range = h('select', { class: 'input select input-sm', name: 'range' }, RANGES.map(([v, l]) => h('option', { value: v }, l)));
    range.value = q.get('range') || '';
    const from = h('input', { type: 'datetime-local', class: 'input input-sm', name: 'from', value: q.get('from') || '' });
    const to = h('input', { type: 'datetime-local', class: 'input input-sm', name: 'to', value: q.get('to') || '' });
    const custom = h('div', { class: 'filter-custom', hidden: range.value !== 'custom' }, mk('From', from), mk('To', to));

    const apply = () => {
      navigate(urlWith({
        status: status.value, destination: dest.value, topic: topic.value.trim(), range: range.value,
        from: range.value === 'custom' ? from.value : null, to: range.value === 'custom' ? to.value : null,
        next: null, prev: null, attempt: null, event: null,
      }), { replace: true });
    };
    for (const c of [status, dest, range, from, to]) c.addEventListener('change', () => {
      custom.hidden = range.value !== 'custom';
      apply();
    });
    topic.addEventListener('change', apply);
    form.addEventListener('submit', (e) => { e.preventDefault(); apply(); });

    const active = ['status', 'destination', 'topic', 'range'].some((k) => q.get(k));
    form.append(
      h('div', { class: 'filters-row' },
        view === 'events' ? null : mk('Status', status), mk('Destination', dest), mk('Topic', topic), mk('Time', range),
        active ? h('a', { class: 'btn btn-ghost btn-sm clear-filters', href: urlWith({ status: null, destination: null, topic: null, range: null, from: null, to: null, next: null, prev: null }) }, icon('x'), h('span', { class: 'btn-label' }, 'Clear filters')) : null),
      custom);
    replace(filterSlot, h('div', { class: 'card filters-card' }, form));
    segDeliveries.setAttribute('aria-current', view === 'deliveries' ? 'page' : 'false');
    segEvents.setAttribute('aria-current', view === 'events' ? 'page' : 'false');
    segDeliveries.href = urlWith({ view: null, next: null, prev: null, attempt: null, event: null, status: q.get('status') }, q);
    segEvents.href = urlWith({ view: 'events', next: null, prev: null, attempt: null, event: null }, q);
  }

  function apiQuery(q, { limit = PAGE_SIZE } = {}) {
    const view = q.get('view') === 'events' ? 'events' : 'deliveries';
    const query = { limit };
    if (q.get('destination')) query.destination_id = q.get('destination');
    if (q.get('topic')) query.topic = q.get('topic');
    if (view === 'deliveries') {
      if (q.get('status')) query.status = q.get('status');
      query.include = 'event';
    }
    const range = q.get('range');
    if (RANGE_MS[range]) query['time[gte]'] = new Date(Date.now() - RANGE_MS[range]).toISOString();
    if (range === 'custom') {
      query['time[gte]'] = localInputToIso(q.get('from'));
      query['time[lte]'] = localInputToIso(q.get('to'));
    }
    if (q.get('next')) query.next = q.get('next');
    else if (q.get('prev')) query.prev = q.get('prev');
    return { view, query };
  }

  // ----- list -----
  let listSeq = 0;
  async function loadList(silent = false) {
    const seq = ++listSeq;
    const q = currentQuery();
    const { view, query } = apiQuery(q);
    if (!silent) replace(listSlot, skeleton(6, 'card'));
    listSlot.setAttribute('aria-busy', 'true');
    replace(newPill);
    try {
      const res = await api(view === 'events' ? '/events' : '/attempts', { query });
      if (seq !== listSeq) return;
      const models = (res && res.models) || [];
      const pg = (res && res.pagination) || {};
      state.latestTopId = !q.get('next') && !q.get('prev') && models[0] ? models[0].id : null;
      const filtered = ['status', 'destination', 'topic', 'range'].some((k) => q.get(k));
      const [one, many] = view === 'events' ? ['event', 'events'] : ['delivery', 'deliveries'];
      listStatus.textContent = models.length
        ? `Showing ${models.length} ${models.length === 1 ? one : many}${pg.next ? '; more on older pages' : ''}.`
        : (filtered ? 'Nothing matches these filters.' : `No ${many} yet.`);
      if (!models.length) {
        replace(listSlot, h('div', { class: 'card' }, emptyState({
          icon: filtered ? 'filter' : 'inbox',
          title: filtered ? 'Nothing matches these filters' : (view === 'events' ? 'No events yet' : 'No deliveries yet'),
          text: filtered
            ? 'Try a wider time range or clear the filters.'
            : 'When events are sent to your destinations they show up here, with every delivery attempt.',
          action: filtered ? h('a', { class: 'btn btn-secondary', href: urlWith({ status: null, destination: null, topic: null, range: null, from: null, to: null, next: null, prev: null }) }, h('span', { class: 'btn-label' }, 'Clear filters')) : null,
        })));
      } else {
        const content = view === 'events' ? eventsList(models) : attemptsList(models, {
          destById: state.destById,
          hrefFor: (a) => urlWith({ attempt: a.id, event: null }, q),
          onOpen: (a, el) => openHref(urlWith({ attempt: a.id, event: null }, q), el),
        });
        replace(listSlot, h('div', { class: 'card card-flush' }, content), pager(q, pg, models.length));
      }
    } catch (err) {
      if (seq !== listSeq || err.status === 401) return;
      listStatus.textContent = `Could not load the history: ${err.message}`;
      replace(listSlot, h('div', { class: 'card' }, errorState(err, () => loadList())));
    } finally {
      if (seq === listSeq) listSlot.setAttribute('aria-busy', 'false');
    }
  }

  function eventsList(models) {
    const q = currentQuery();
    const list = h('ul', { class: 'ev-list', role: 'list', 'aria-label': 'Events' });
    for (const ev of models) {
      const href = urlWith({ event: ev.id, attempt: null }, q);
      const n = (ev.matched_destination_ids || []).length;
      const a = h('a', { class: 'ev-row', href, dataset: { eventId: ev.id } },
        h('span', { class: 'ev-topic mono' }, ev.topic || '—'),
        h('span', { class: 'ev-id mono', title: ev.id }, shortId(ev.id)),
        h('span', { class: 'ev-dests' }, icon('send'), `${n} destination${n === 1 ? '' : 's'}`),
        h('span', { class: 'ev-time' }, timeEl(ev.time)));
      a.addEventListener('click', (e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        openHref(href, a);
      });
      list.appendChild(h('li', null, a));
    }
    return h('div', { class: 'ev-table' },
      h('div', { class: 'ev-head', 'aria-hidden': 'true' }, h('span', null, 'Topic'), h('span', null, 'Event ID'), h('span', null, 'Matched'), h('span', null, 'Time')),
      list);
  }

  function pager(q, pg, count) {
    const newer = pg.prev ? h('a', { class: 'btn btn-secondary btn-sm', href: urlWith({ prev: pg.prev, next: null, attempt: null, event: null }, q), rel: 'prev' }, icon('chevron-left'), h('span', { class: 'btn-label' }, 'Newer'))
      : h('button', { type: 'button', class: 'btn btn-secondary btn-sm', disabled: true }, icon('chevron-left'), h('span', { class: 'btn-label' }, 'Newer'));
    const older = pg.next ? h('a', { class: 'btn btn-secondary btn-sm', href: urlWith({ next: pg.next, prev: null, attempt: null, event: null }, q), rel: 'next' }, h('span', { class: 'btn-label' }, 'Older'), icon('chevron-right'))
      : h('button', { type: 'button', class: 'btn btn-secondary btn-sm', disabled: true }, h('span', { class: 'btn-label' }, 'Older'), icon('chevron-right'));
    return h('nav', { class: 'pager', 'aria-label': 'Pagination' },
      h('span', { class: 'muted small' }, `Showing ${count} ${count === 1 ? 'item' : 'items'}${q.get('next') || q.get('prev') ? '' : ', newest first'}`),
      h('span', { class: 'pager-buttons' }, newer, older));
  }

  // Watch for new items on the first page and offer to show them.
  function startPolling() {
    stopPolling();
    state.poll = setInterval(async () => {
      const q = currentQuery();
      if (document.hidden || q.get('next') || q.get('prev') || !state.latestTopId || newPill.firstChild) return;
      try {
        const { view, query } = apiQuery(q, { limit: 1 });
        const res = await api(view === 'events' ? '/events' : '/attempts', { query });
        const top = res && res.models && res.models[0];
        if (top && top.id !== state.latestTopId && !newPill.firstChild) {
          replace(newPill, button({ label: 'New activity — show', icon: 'refresh', kind: 'primary', size: 'sm', class: 'new-pill', onclick: () => loadList() }));
        }
      } catch { /* ignore; the next tick tries again */ }
    }, 5000);
  }
  function stopPolling() {
    if (state.poll) clearInterval(state.poll);
    state.poll = null;
  }

  function update(_params, q) {
    const lk = listKey(q);
    if (lk !== state.listKey) {
      state.listKey = lk;
      drawFilters(q);
      loadList();
    }
    syncDrawer(q);
    return true;
  }

  async function init() {
    replace(listSlot, skeleton(6, 'card'));
    try {
      const [dests, tps] = await Promise.all([listDestinations(), loadTopics()]);
      state.destinations = dests;
      state.destById = new Map(dests.map((d) => [d.id, d]));
      state.topics = tps;
    } catch (err) {
      if (err.status === 401) return;
    }
    state.listKey = null; // draw the filters again, now with the destinations and topics
    update(null, currentQuery());
    startPolling();
  }
  init();

  return {
    node,
    title: 'Event history',
    update,
    destroy() {
      stopPolling();
      if (drawer.open) drawer.close();
      drawer.remove();
    },
  };
}
