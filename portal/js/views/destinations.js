// Destinations list: every destination with its status and recent health.

import { h, icon, typeIcon, replace } from '../dom.js';
import { destinationStateBadge, emptyState, errorState, skeleton, fmtRelative, fmtAbsolute } from '../ui.js';
import { listDestinations, destinationTypes, destinationHealth, typeLabel, destinationLabel, sparkline, pct, streakText } from '../data.js';
import { config } from '../session.js';

export function pageHeader({ title, subtitle, actions = [], crumbs = null }) {
  return h('div', { class: 'page-header' },
    crumbs,
    h('div', { class: 'page-header-row' },
      h('div', { class: 'page-heading' },
        h('h1', { class: 'page-title' }, title),
        subtitle ? h('p', { class: 'page-subtitle' }, subtitle) : null),
      actions.length ? h('div', { class: 'page-actions' }, actions) : null));
}

export function topicChips(topics, { max = 3 } = {}) {
  const list = Array.isArray(topics) ? topics : [];
  if (!list.length || list.includes('*')) return h('span', { class: 'chips' }, h('span', { class: 'chip chip-all' }, 'All topics'));
  const shown = list.slice(0, max);
  return h('span', { class: 'chips' },
    shown.map((t) => h('span', { class: 'chip mono' }, t)),
    list.length > max ? h('span', { class: 'chip chip-more', title: list.slice(max).join(', ') }, `+${list.length - max}`) : null);
}

export function addDestinationButton(readOnly) {
  if (readOnly) return null;
  return h('a', { class: 'btn btn-primary', href: '/destinations/new' }, icon('plus'), h('span', { class: 'btn-label' }, 'Add destination'));
}

export function destinationsView({ readOnly }) {
  const controller = new AbortController();
  const slot = h('div', { class: 'dest-slot' });
  const org = config.ORGANIZATION_NAME || 'us';
  const node = h('div', { class: 'page' },
    pageHeader({
      title: 'Destinations',
      subtitle: `Destinations receive the events ${config.ORGANIZATION_NAME ? `${org} sends` : 'we send'} you. Add an endpoint, choose its topics and follow every delivery.`,
      actions: [addDestinationButton(readOnly)].filter(Boolean),
    }),
    slot);

  async function loadList() {
    replace(slot, skeleton(3, 'card'));
    try {
      const [dests, types] = await Promise.all([listDestinations(), destinationTypes()]);
      if (!dests.length) {
        replace(slot, h('div', { class: 'card' }, emptyState({
          icon: 'zap',
          title: 'No destinations yet',
          text: readOnly
            ? 'No destination has been set up for this account.'
            : 'Add a destination to start receiving events. You choose the topics and we deliver every matching event, with retries.',
          action: addDestinationButton(readOnly),
        })));
        return;
      }
      dests.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
      const list = h('ul', { class: 'dest-list', role: 'list', 'aria-label': 'Destinations' });
      for (const d of dests) list.appendChild(row(d, types, controller.signal));
      replace(slot, h('div', { class: 'card card-flush' },
        h('div', { class: 'dest-head', 'aria-hidden': 'true' },
          h('span', null, 'Destination'), h('span', null, 'Topics'), h('span', null, 'Recent deliveries'), h('span', null, 'Status'), h('span')),
        list),
      h('p', { class: 'list-foot' }, `${dests.length} destination${dests.length === 1 ? '' : 's'}`));
    } catch (err) {
      if (err.name === 'AbortError' || err.status === 401) return;
      replace(slot, h('div', { class: 'card' }, errorState(err, loadList)));
    }
  }
  loadList();

  return { node, title: 'Destinations', destroy: () => controller.abort() };
}

function row(d, types, signal) {
  const t = types.get(d.type);
  const healthCell = h('span', { class: 'dest-health' }, h('span', { class: 'sk sk-line sk-w60' }));
  const label = destinationLabel(d);
  const li = h('li', { class: ['dest-item', d.disabled_at ? 'is-disabled' : ''] },
    h('a', { class: 'dest-row', href: `/destinations/${encodeURIComponent(d.id)}`, dataset: { id: d.id } },
      h('span', { class: 'dest-main' },
        typeIcon(t && t.icon, typeLabel(types, d.type)),
        h('span', { class: 'dest-text' },
          h('span', { class: 'dest-target', title: label }, label),
          h('span', { class: 'dest-sub' }, typeLabel(types, d.type), h('span', { class: 'dot-sep', 'aria-hidden': 'true' }, '·'),
            h('span', { title: fmtAbsolute(d.created_at) }, `Added ${fmtRelative(d.created_at)}`)))),
      h('span', { class: 'dest-topics' }, h('span', { class: 'visually-hidden' }, 'Topics: '), topicChips(d.topics, { max: 2 })),
      healthCell,
      h('span', { class: 'dest-status' }, destinationStateBadge(d)),
      h('span', { class: 'dest-chevron', 'aria-hidden': 'true' }, icon('chevron-right'))));

  destinationHealth(d.id, { signal }).then((hl) => {
    if (!hl.total) {
      replace(healthCell, h('span', { class: 'muted small' }, 'No deliveries yet'));
      return;
    }
    replace(healthCell,
      sparkline(hl, { slots: 20, size: 'sm' }),
      h('span', { class: 'health-text' },
        h('span', { class: ['health-rate', hl.rate >= 0.95 ? 'tone-ok' : hl.rate >= 0.7 ? 'tone-warn' : 'tone-bad'] }, pct(hl.rate)),
        h('span', { class: 'muted small' }, ` success · last ${hl.total}`),
        hl.consecutiveFailures > 0
          ? h('span', { class: 'streak' }, icon('alert'), streakText(hl))
          : null));
  }).catch((err) => {
    if (err.name === 'AbortError') return;
    replace(healthCell, h('span', { class: 'muted small' }, 'Health unavailable'));
  });
  return li;
}
