// One destination: overview (health, test event, recent deliveries),
// settings (topics, configuration, filter, headers, disable, delete) and
// the webhook signing secret (view, copy, rotate, verification snippet).

import { h, icon, typeIcon, replace, uid } from '../dom.js';
import { api, tenantPath } from '../api.js';
import {
  button, busy, toast, confirmDialog, copyButton, callout, destinationStateBadge, errorState, skeleton, emptyState,
  fmtAbsolute, fmtRelative, fmtUntil, fmtDuration, timeEl, statusBadge, codeChip, describeCode, jsonView, codeBlock, readOnlyTitle, announce,
} from '../ui.js';
import {
  destinationTypes, topics as loadTopics, getDestination, destinationHealth, destinationActivity, activityChart, typeLabel, destinationLabel, sparkline, pct, streakText,
} from '../data.js';
import { topicPicker, schemaFields, filterEditor, applyErrors, clearErrors, formSummary, showSaveError } from '../forms.js';
import { attemptsList, poll, shortId } from '../attempts.js';
import { config } from '../session.js';
import { navigate, currentQuery } from '../router.js';
import { topicChips } from './destinations.js';
import { snippets, signing, algorithmLabel } from '../snippets.js';

const TABS = [
  { key: 'overview', label: 'Overview', icon: 'activity' },
  { key: 'settings', label: 'Settings', icon: 'settings' },
  { key: 'secret', label: 'Signing secret', icon: 'key', webhookOnly: true },
];

export function destinationView({ readOnly }, params) {
  const id = params.id;
  const base = `/destinations/${encodeURIComponent(id)}`;
  const controller = new AbortController();
  const state = { dest: null, types: null, schema: null, tab: params.tab || 'overview', justCreated: currentQuery().get('created') === '1' };
  const crumbs = h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' },
    h('a', { href: '/destinations' }, 'Destinations'), icon('chevron-right'), h('span', { 'aria-current': 'page', class: 'crumb-current' }, '…'));
  const headerSlot = h('div', { class: 'dest-header-slot' });
  const testSlot = h('div', { class: 'test-slot', 'aria-live': 'polite' });
  const tabsNav = h('nav', { class: 'tabs', 'aria-label': 'Destination sections' });
  const content = h('div', { class: 'tab-content' });
  const node = h('div', { class: 'page' }, crumbs, headerSlot, testSlot, tabsNav, content);

  if (state.justCreated) {
    // Drop ?created=1 so a reload doesn't show the welcome again.
    window.history.replaceState(window.history.state, '', window.location.pathname);
  }

  async function init() {
    replace(headerSlot, h('div', { class: 'page-header' }, h('h1', { class: 'page-title' }, h('span', { class: 'sk sk-line sk-w40' }))));
    replace(content, skeleton(3, 'card'));
    try {
      const [dest, types] = await Promise.all([getDestination(id), destinationTypes()]);
      state.dest = dest;
      state.types = types;
      state.schema = types.get(dest.type) || null;
    } catch (err) {
      if (err.status === 401) return;
      replace(headerSlot);
      replace(tabsNav);
      if (err.status === 404 || err.status === 403) {
        crumbs.lastChild.textContent = 'Not found';
        replace(content, h('div', { class: 'card' }, emptyState({
          icon: 'search', title: 'Destination not found',
          text: 'This destination does not exist, was deleted, or belongs to another account.',
          action: h('a', { class: 'btn btn-primary', href: '/destinations' }, h('span', { class: 'btn-label' }, 'Back to destinations')),
        })));
        return;
      }
      replace(content, h('div', { class: 'card' }, errorState(err, init)));
      return;
    }
    const hadFocus = document.activeElement === document.body || headerSlot.contains(document.activeElement);
    drawHeader();
    drawTabs();
    drawTab();
    // The heading was a placeholder while loading: give focus to the real one.
    if (hadFocus && document.activeElement === document.body) {
      const h1 = headerSlot.querySelector('h1');
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: true });
    }
  }

  function isWebhook() {
    return state.dest && state.dest.type === 'webhook';
  }

  // ----- header -----
  function drawHeader() {
    const d = state.dest;
    const label = destinationLabel(d);
    crumbs.lastChild.textContent = label;
    document.title = document.title.replace(/^[^·]*·/, `${label} ·`);
    const testBtn = button({
      label: 'Send test event', icon: 'send', class: 'btn-test',
      disabled: readOnly || !!d.disabled_at,
      title: readOnly ? readOnlyTitle(true) : d.disabled_at ? 'Enable the destination to send a test event' : 'Send a sample event to this destination',
    });
    testBtn.addEventListener('click', () => busy(testBtn, sendTest));
    const toggle = button({
      label: d.disabled_at ? 'Enable' : 'Disable',
      icon: d.disabled_at ? 'play' : 'pause',
      kind: d.disabled_at ? 'primary' : 'secondary',
      class: 'btn-toggle',
      disabled: readOnly,
      title: readOnlyTitle(readOnly),
    });
    toggle.addEventListener('click', () => busy(toggle, () => setEnabled(!!d.disabled_at)));
    const t = state.types.get(d.type);
    replace(headerSlot, h('div', { class: 'dest-header' },
      typeIcon(t && t.icon, typeLabel(state.types, d.type)),
      h('div', { class: 'dest-header-text' },
        h('div', { class: 'dest-title-row' },
          h('h1', { class: 'page-title dest-title break' }, label),
          destinationStateBadge(d)),
        h('p', { class: 'dest-meta' },
          h('span', null, typeLabel(state.types, d.type)),
          h('span', { class: 'dot-sep', 'aria-hidden': 'true' }, '·'),
          h('span', { title: fmtAbsolute(d.created_at) }, `Added ${fmtRelative(d.created_at)}`),
          h('span', { class: 'dot-sep', 'aria-hidden': 'true' }, '·'),
          h('span', { class: 'id-copy' }, h('span', { class: 'mono small', title: d.id }, shortId(d.id)), copyButton(d.id, { what: 'destination ID' })),
          d.target_url ? h('a', { href: d.target_url, target: '_blank', rel: 'noopener noreferrer', class: 'small' }, icon('external'), ' Open') : null)),
      h('div', { class: 'dest-header-actions' }, testBtn, toggle)));
  }

  async function setEnabled(enable) {
    try {
      const updated = await api(tenantPath(`/destinations/${encodeURIComponent(id)}/${enable ? 'enable' : 'disable'}`), { method: 'PUT' });
      state.dest = updated;
      toast(enable ? 'Destination enabled' : 'Destination disabled — events are not delivered until you enable it again', { kind: enable ? 'success' : 'info' });
      drawHeader();
      drawTab();
    } catch (err) {
      if (err.status !== 401) toast(err.message, { kind: 'error' });
    }
  }

  // ----- test event -----
  async function sendTest() {
    const panel = h('div', { class: 'card test-card' });
    replace(testSlot, panel);
    const head = (title, ...rest) => h('div', { class: 'test-head' }, h('h2', { class: 'test-title' }, title), ...rest);
    replace(panel, head('Sending test event…', h('span', { class: 'spinner spinner-sm', 'aria-hidden': 'true' })));
    let res;
    try {
      res = await api(tenantPath(`/destinations/${encodeURIComponent(id)}/test`), { method: 'POST' });
    } catch (err) {
      if (err.status === 401) return;
      replace(panel, head('Test event not sent'), callout('danger', null, err.message));
      return;
    }
    replace(panel, head('Test event sent — waiting for the delivery…', h('span', { class: 'spinner spinner-sm', 'aria-hidden': 'true' })),
      h('p', { class: 'muted small' }, 'Event ', h('span', { class: 'mono' }, res.id)));
    const attempt = await poll(async () => {
      const r = await api('/attempts', { query: { event_id: res.id, destination_id: id, include: ['response_data'], limit: 1 } });
      return r && r.models && r.models[0];
    }, { timeoutMs: 20000, signal: controller.signal });
    if (controller.signal.aborted) return;
    const close = button({ label: 'Dismiss test result', icon: 'x', kind: 'ghost', size: 'sm', iconOnly: true, onclick: () => replace(testSlot) });
    if (!attempt) {
      replace(panel, head('Test event queued', close),
        h('p', { class: 'muted' }, 'The delivery has not completed yet. Check the event history in a moment.'),
        h('a', { href: `/events?destination=${encodeURIComponent(id)}` }, 'Open event history'));
      return;
    }
    const ok = attempt.status === 'success';
    const resp = attempt.response_data;
    announce(ok ? 'Test event delivered' : 'Test event failed');
    replace(panel,
      head(ok ? 'Test event delivered' : 'Test event failed', close),
      h('div', { class: 'test-result' },
        statusBadge(attempt.status), codeChip(attempt.code, attempt.status),
        h('span', { class: 'muted' }, describeCode(attempt.code)),
        fmtDuration(attempt.duration_ms) ? h('span', { class: 'muted test-duration' }, `in ${fmtDuration(attempt.duration_ms)}`) : null,
        h('span', { class: 'muted' }, timeEl(attempt.time)),
        h('a', { href: `/events?destination=${encodeURIComponent(id)}&attempt=${encodeURIComponent(attempt.id)}`, class: 'test-link' }, 'View details', icon('arrow-right'))),
      !ok ? h('p', { class: 'muted small' }, 'Your endpoint must answer with a 2xx status. Check the response below, fix your endpoint and send another test.') : null,
      resp && resp.error ? callout('danger', 'No response', resp.error) : null,
      resp && 'body' in resp ? h('details', { class: 'test-response', open: !ok }, h('summary', null, 'Response body'), jsonView(resp.body ?? '', { label: 'Response body' })) : null);
    if (state.tab === 'overview') drawTab();
  }

  // ----- tabs -----
  function drawTabs() {
    replace(tabsNav, TABS.filter((t) => !t.webhookOnly || isWebhook()).map((t) => h('a', {
      class: 'tab', href: t.key === 'overview' ? base : `${base}/${t.key}`,
      'aria-current': state.tab === t.key ? 'page' : null, dataset: { tab: t.key },
    }, icon(t.icon), t.label)));
  }

  function drawTab() {
    const tab = TABS.find((t) => t.key === state.tab && (!t.webhookOnly || isWebhook())) ? state.tab : 'overview';
    if (tab === 'settings') drawSettings();
    else if (tab === 'secret') drawSecret();
    else drawOverview();
  }

  // ----- overview -----
  async function drawOverview() {
    const d = state.dest;
    const statsSlot = h('div', { class: 'stats-slot' }, h('div', { class: 'stats' }, [1, 2, 3, 4].map(() => h('div', { class: 'stat card' }, h('span', { class: 'sk sk-line sk-w40' }), h('span', { class: 'sk sk-line sk-w60' })))));
    const recentSlot = h('div', { class: 'recent-slot' }, skeleton(3));
    const activitySlot = h('div', { class: 'activity-slot' }, skeleton(1));
    const activityFoot = h('p', { class: 'section-desc activity-foot' });
    const welcome = state.justCreated ? welcomeCard() : null;
    state.justCreated = false;
    replace(content,
      welcome,
      d.disabled_at ? callout('warning', 'This destination is disabled',
        `Events are not delivered to it since ${fmtAbsolute(d.disabled_at)}. `,
        readOnly ? null : h('button', { type: 'button', class: 'link-btn', onclick: (e) => busy(e.currentTarget, () => setEnabled(true)) }, 'Enable it')) : null,
      statsSlot,
      h('section', { class: 'card section-card activity-card', 'aria-labelledby': 'activity-title' },
        h('div', { class: 'section-head' },
          h('div', null,
            h('h2', { class: 'section-title', id: 'activity-title' }, 'Last 24 hours'),
            activityFoot)),
        activitySlot),
      h('section', { class: 'card section-card' },
        h('div', { class: 'section-head' },
          h('h2', { class: 'section-title' }, 'Recent deliveries'),
          h('a', { href: `/events?destination=${encodeURIComponent(id)}`, class: 'section-link' }, 'View all', icon('arrow-right'))),
        recentSlot),
      h('section', { class: 'card section-card' },
        h('div', { class: 'section-head' },
          h('h2', { class: 'section-title' }, 'Topics'),
          readOnly ? null : h('a', { href: `${base}/settings`, class: 'section-link' }, 'Edit', icon('pencil'))),
        topicChips(d.topics, { max: 50 }),
        d.filter && Object.keys(d.filter).length ? h('div', { class: 'sub-block' }, h('h3', { class: 'sub-title' }, 'Event filter'), jsonView(d.filter, { label: 'Filter' })) : null));

    try {
      const [health, recent, activity] = await Promise.all([
        destinationHealth(id, { signal: controller.signal }),
        api('/attempts', { query: { destination_id: id, include: 'event', limit: 8 }, signal: controller.signal }),
        destinationActivity(id, { signal: controller.signal }),
      ]);
      replace(statsSlot, stats(health));
      drawActivity(activity, activitySlot, activityFoot);
      const models = (recent && recent.models) || [];
      replace(recentSlot, models.length
        ? attemptsList(models, {
          showDestination: false, label: 'Recent deliveries',
          hrefFor: (a) => `/events?destination=${encodeURIComponent(id)}&attempt=${encodeURIComponent(a.id)}`,
        })
        : emptyState({
          icon: 'send', title: 'No deliveries yet',
          text: d.disabled_at ? 'Enable this destination to start receiving events.' : 'Events on its topics will show up here. Send a test event to check your endpoint now.',
        }));
    } catch (err) {
      if (err.name === 'AbortError' || err.status === 401) return;
      replace(statsSlot, errorState(err, drawOverview));
      replace(recentSlot);
      replace(activitySlot);
    }
  }

  function drawActivity(activity, slot, foot) {
    const total = activity.ok + activity.failed;
    foot.textContent = total
      ? `${total} ${total === 1 ? 'delivery' : 'deliveries'} · ${activity.failed} failed (${pct(activity.failed / total)}), per hour`
      : 'No deliveries in the last 24 hours';
    replace(slot, activityChart(activity));
  }

  function stats(hl) {
    const last = hl.last;
    const rateTone = hl.rate === null ? '' : hl.rate >= 0.95 ? 'tone-ok' : hl.rate >= 0.7 ? 'tone-warn' : 'tone-bad';
    const cards = [
      h('div', { class: 'stat card' },
        h('span', { class: 'stat-label' }, 'Success rate'),
        h('span', { class: ['stat-value', rateTone] }, pct(hl.rate)),
        h('span', { class: 'stat-foot' }, hl.total ? `${hl.ok} of last ${hl.total} deliveries` : 'No deliveries yet')),
      h('div', { class: 'stat card' },
        h('span', { class: 'stat-label' }, 'Consecutive failures'),
        h('span', { class: ['stat-value', hl.consecutiveFailures ? 'tone-bad' : 'tone-ok'] }, `${hl.consecutiveFailures}${hl.streakOpen ? '+' : ''}`),
        h('span', { class: 'stat-foot' }, hl.consecutiveFailures ? 'since the last success' : hl.total ? 'Latest delivery succeeded' : '—')),
      h('div', { class: 'stat card' },
        h('span', { class: 'stat-label' }, 'Last delivery'),
        h('span', { class: 'stat-value stat-value-sm' }, last ? timeEl(last.time) : '—'),
        h('span', { class: 'stat-foot' }, last ? h('span', { class: 'stat-inline' }, statusBadge(last.status), codeChip(last.code, last.status)) : 'Nothing sent yet')),
      h('div', { class: 'stat card stat-spark' },
        h('span', { class: 'stat-label' }, `Last ${Math.min(hl.total, 30) || 30} deliveries`),
        sparkline(hl, { slots: 30 }),
        h('span', { class: 'stat-foot' }, 'oldest → newest')),
    ];
    const warn = hl.consecutiveFailures >= 3
      ? callout('danger', `${streakText(hl)}`, 'Check that your endpoint is reachable and answers with a 2xx status within the timeout. Open a failed delivery to see the response, then retry it.')
      : null;
    return h('div', null, warn, h('div', { class: 'stats' }, cards));
  }

  function welcomeCard() {
    const d = state.dest;
    return h('div', { class: 'card welcome' },
      h('div', { class: 'welcome-icon' }, icon('check')),
      h('div', { class: 'welcome-text' },
        h('h2', { class: 'section-title' }, 'Your destination is ready'),
        h('p', { class: 'muted' }, isWebhook()
          ? 'Copy the signing secret to verify requests on your server, then send a test event to check that everything works.'
          : 'Send a test event to check that everything works.'),
        isWebhook() && d.credentials && d.credentials.secret
          ? h('div', { class: 'secret-inline' }, h('span', { class: 'mono secret-masked' }, mask(d.credentials.secret)), copyButton(d.credentials.secret, { label: 'Copy', what: 'signing secret', iconOnly: false, kind: 'secondary' }))
          : null));
  }

  // ----- settings -----
  async function drawSettings() {
    replace(content, skeleton(3, 'card'));
    let available;
    let schema = state.schema;
    try {
      available = await loadTopics();
      if (!schema) schema = await api(`/destination-types/${encodeURIComponent(state.dest.type)}`);
    } catch (err) {
      if (err.status === 401) return;
      replace(content, h('div', { class: 'card' }, errorState(err, drawSettings)));
      return;
    }
    const d = state.dest;
    const picker = topicPicker({ available, value: d.topics, hideLegend: true });
    const gen = schemaFields(schema, d);
    const filter = config.ENABLE_DESTINATION_FILTER ? filterEditor({ value: d.filter }) : null;
    const fields = new Map(gen.fields);
    fields.set('topics', picker.field);
    if (filter) fields.set('filter', filter.field);
    const summary = h('div', { class: 'form-summary', hidden: true });
    const save = button({ label: 'Save changes', icon: 'check', kind: 'primary', type: 'submit', class: 'btn-save', disabled: readOnly, title: readOnlyTitle(readOnly) });
    const fieldset = h('fieldset', { class: 'fieldset-plain', disabled: readOnly },
      h('div', { class: 'card section-card' },
        h('h2', { class: 'section-title' }, 'Topics'),
        h('p', { class: 'section-desc' }, 'Choose which events this destination receives.'),
        picker.node),
      h('div', { class: 'card section-card' },
        h('h2', { class: 'section-title' }, 'Configuration'),
        gen.empty ? h('p', { class: 'muted' }, 'This destination type has nothing to configure.') : gen.node),
      filter ? h('div', { class: 'card section-card' },
        h('h2', { class: 'section-title' }, 'Filter'),
        filter.node) : null);
    const form = h('form', { class: 'form settings-form', novalidate: true },
      readOnly ? callout('info', 'Read-only access', 'You can view this configuration but not change it.') : null,
      summary,
      fieldset,
      readOnly ? null : h('div', { class: 'form-actions' },
        h('span', { class: 'muted small form-status', 'aria-live': 'polite' }),
        save));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (readOnly) return;
      busy(save, async () => {
        clearErrors(fields);
        formSummary(summary, null, []);
        const topicsVal = picker.value;
        if (!topicsVal.length) {
          picker.field.setError('Select at least one topic, or choose All topics.');
          return;
        }
        const { config: cfg, credentials } = gen.collect();
        const patch = { topics: topicsVal, config: cfg };
        if (Object.keys(credentials).length) patch.credentials = credentials;
        if (filter) {
          try {
            patch.filter = filter.value;
          } catch (err) {
            applyErrors(fields, [`filter ${err.message}`]);
            return;
          }
        }
        try {
          state.dest = await api(tenantPath(`/destinations/${encodeURIComponent(id)}`), { method: 'PATCH', body: patch });
          toast('Changes saved');
          drawHeader();
          drawSettings();
        } catch (err) {
          if (err.status === 401) return;
          showSaveError(fields, summary, err);
        }
      });
    });

    const danger = h('section', { class: 'card section-card danger-zone', 'aria-labelledby': 'danger-title' },
      h('h2', { class: 'section-title', id: 'danger-title' }, 'Danger zone'),
      h('div', { class: 'danger-row' },
        h('div', null,
          h('h3', { class: 'danger-title' }, d.disabled_at ? 'Enable destination' : 'Disable destination'),
          h('p', { class: 'muted small' }, d.disabled_at
            ? 'Start delivering events to this destination again.'
            : 'Stop delivering events for now. Events published while it is disabled are not delivered later.')),
        button({
          label: d.disabled_at ? 'Enable destination' : 'Disable destination', icon: d.disabled_at ? 'play' : 'pause',
          disabled: readOnly, title: readOnlyTitle(readOnly), class: 'btn-danger-toggle',
          onclick: (e) => busy(e.currentTarget, () => setEnabled(!!d.disabled_at)),
        })),
      h('div', { class: 'danger-row' },
        h('div', null,
          h('h3', { class: 'danger-title' }, 'Delete destination'),
          h('p', { class: 'muted small' }, 'Remove this destination for good. Delivery history stays in the event history.')),
        button({
          label: 'Delete destination', icon: 'trash', kind: 'danger', disabled: readOnly, title: readOnlyTitle(readOnly), class: 'btn-delete',
          onclick: (e) => remove(e.currentTarget),
        })));
    replace(content, form, danger);
  }

  async function remove(btn) {
    const ok = await confirmDialog({
      title: 'Delete this destination?',
      body: h('div', null,
        h('p', null, 'Events will stop being delivered to ', h('strong', { class: 'break' }, destinationLabel(state.dest)), ' immediately.'),
        h('p', null, 'This cannot be undone.')),
      confirmLabel: 'Delete destination',
      danger: true,
      icon: 'trash',
    });
    if (!ok) { btn.focus(); return; }
    await busy(btn, async () => {
      try {
        await api(tenantPath(`/destinations/${encodeURIComponent(id)}`), { method: 'DELETE' });
        toast('Destination deleted');
        navigate('/destinations');
      } catch (err) {
        if (err.status !== 401) toast(err.message, { kind: 'error' });
      }
    });
  }

  // ----- secret -----
  function drawSecret() {
    const d = state.dest;
    const cr = d.credentials || {};
    const now = Date.now();
    const prevValid = cr.previous_secret && cr.previous_secret_invalid_at && new Date(cr.previous_secret_invalid_at).getTime() > now;
    const rotate = button({ label: 'Rotate secret', icon: 'refresh', disabled: readOnly, title: readOnlyTitle(readOnly), class: 'btn-rotate' });
    rotate.addEventListener('click', async () => {
      const ok = await confirmDialog({
        title: 'Rotate the signing secret?',
        body: h('div', null,
          h('p', null, 'A new secret is created now. For the next 24 hours every request is signed with both the new and the current secret, so you can switch your server over without missing a webhook.'),
          h('p', null, 'After that, only the new secret is used.')),
        confirmLabel: 'Rotate secret',
        icon: 'key',
      });
      if (!ok) { rotate.focus(); return; }
      await busy(rotate, async () => {
        try {
          state.dest = await api(tenantPath(`/destinations/${encodeURIComponent(id)}`), { method: 'PATCH', body: { credentials: { rotate_secret: true } } });
          toast('Secret rotated. The previous secret keeps working for 24 hours.');
          drawSecret();
          const first = content.querySelector('.secret-field input');
          if (first) first.focus();
        } catch (err) {
          if (err.status !== 401) toast(err.message, { kind: 'error' });
        }
      });
    });

    const org = config.ORGANIZATION_NAME || 'us';
    const sign = signing(config);
    replace(content,
      h('section', { class: 'card section-card' },
        h('div', { class: 'section-head' },
          h('div', null,
            h('h2', { class: 'section-title' }, 'Signing secret'),
            h('p', { class: 'section-desc secret-desc' }, secretText(sign, org))),
          rotate),
        secretField('Current secret', cr.secret || '', 'current'),
        prevValid ? h('div', { class: 'rotation' },
          callout('info', 'Rotation in progress',
            'Until ', h('strong', { class: 'rotation-until' }, fmtAbsolute(cr.previous_secret_invalid_at)),
            ` (${fmtUntil(cr.previous_secret_invalid_at)} from now), each request is signed with both the new and the previous secret. `
            + 'Update your server to the new secret before then.'),
          secretField('Previous secret', cr.previous_secret, 'previous',
            h('span', { class: 'muted small' }, `Still signed until ${fmtAbsolute(cr.previous_secret_invalid_at)}`))) : null),
      sign.signature ? h('section', { class: 'card section-card verify-card' },
        h('h2', { class: 'section-title' }, 'Verify signatures'),
        verifyText(sign),
        snippetTabs()) : null);
  }

  // What the secret signs, for the server's signing mode (WEBHOOK_MODE / SIGNATURE_HEADER).
  function secretText(s, org) {
    if (!s.signature) {
      return 'Requests to this destination are not signed, so this secret is not needed to receive them.';
    }
    if (s.mode === 'standard') {
      return [
        'Requests follow ', h('a', { href: 'https://www.standardwebhooks.com/', target: '_blank', rel: 'noopener noreferrer' }, 'Standard Webhooks'),
        ': each carries ', code(s.id), ', ', code(s.timestamp), ' and ', code(s.signature),
        ' headers, signed with an HMAC-SHA256 keyed with this secret. ',
        `Check them to be sure a request really comes from ${org}.`,
      ];
    }
    return [
      'Every request is signed in its ', code(s.signature),
      ` header: an ${algorithmLabel(s)} of the ${s.customFormat ? 'signed content' : 'raw body'}, keyed with this secret. Check it to be sure a request really comes from ${org}.`,
    ];
  }

  function verifyText(s) {
    if (s.mode === 'standard') {
      return h('div', { class: 'verify-desc' },
        h('p', { class: 'section-desc' },
          'Any Standard Webhooks library can verify these requests given the secret exactly as shown above; the examples below use the ',
          code('standardwebhooks'), ' package for Node.js and Python.'),
        h('p', { class: 'section-desc' },
          'To check by hand: compute the HMAC-SHA256 of ', code(`<${s.id}>.<${s.timestamp}>.<raw body>`, 'code-long'),
          ' (the raw request body, before any JSON parsing), keyed with the base64-decoded part of the secret after ', code('whsec_'),
          ', base64-encode it and compare it with each ', code('v1,<signature>'), ' entry in ', code(s.signature),
          '. During a rotation the header holds two space-separated signatures, the current one first — accept the request if either matches. ',
          'Reject requests whose ', code(s.timestamp), ' (Unix seconds) is more than 5 minutes away from your clock.'));
    }
    const others = [s.eventId && ['the event ID', s.eventId], s.topic && ['its topic', s.topic], s.timestamp && ['the time it was sent', s.timestamp]].filter(Boolean);
    const sentWith = others.length ? h('p', { class: 'section-desc verify-headers' },
      'Each request also carries ',
      others.map(([what, name], i) => [i === 0 ? '' : i === others.length - 1 ? ' and ' : ', ', what, ' in ', code(name)]),
      '.') : null;
    const enc = s.encoding === 'base64' ? 'base64-encode' : 'hex-encode';
    if (s.customFormat) {
      return h('div', { class: 'verify-desc' },
        callout('warning', 'Custom signature format',
          h('p', null, 'This server signs ', code(s.contentTemplate, 'code-long'), ' and sends the ', code(s.signature), ' header as ',
            code(s.headerTemplate, 'code-long'), ` (Go template syntax). Build the same content, compute its ${algorithmLabel(s)} keyed with the whole secret string, ${enc} it and compare it with the signatures in the header. The examples below show the default format; adapt them.`)),
        sentWith);
    }
    return h('div', { class: 'verify-desc' },
      h('p', { class: 'section-desc' },
        `Compute the ${algorithmLabel(s)} of the raw request body (before any JSON parsing), keyed with the whole secret string exactly as shown (its `,
        code('whsec_'), ` prefix included), ${enc} it and compare it with each value after `, code('v0='), ' in the ', code(s.signature),
        ' header. During a rotation the header holds two comma-separated signatures, the current one first — accept the request if either matches.'),
      sentWith);
  }

  function secretField(label, value, kind, extra = null) {
    const inputId = uid(`secret-${kind}`);
    const input = h('input', { id: inputId, class: 'input mono', type: 'password', readonly: true, value, autocomplete: 'off', spellcheck: 'false' });
    const reveal = button({ label: `Show ${label.toLowerCase()}`, icon: 'eye', kind: 'ghost', size: 'sm', iconOnly: true, class: 'btn-reveal' });
    reveal.addEventListener('click', () => {
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      reveal.setAttribute('aria-label', `${show ? 'Hide' : 'Show'} ${label.toLowerCase()}`);
      reveal.title = reveal.getAttribute('aria-label');
      reveal.replaceChildren(icon(show ? 'eye-off' : 'eye'));
    });
    return h('div', { class: ['field', 'secret-field', `secret-${kind}`] },
      h('label', { class: 'field-label', for: inputId }, label),
      h('div', { class: 'input-affix' }, input, reveal, copyButton(() => value, { what: label.toLowerCase() })),
      extra);
  }

  function snippetTabs() {
    const list = snippets(config);
    const tabs = h('div', { class: 'code-tabs', role: 'tablist', 'aria-label': 'Language' });
    const panel = h('div', { class: 'code-panel', role: 'tabpanel' });
    const buttons = list.map((s, i) => {
      const b = h('button', { type: 'button', role: 'tab', class: 'code-tab', id: uid('tab'), 'aria-selected': i === 0 ? 'true' : 'false', tabindex: i === 0 ? '0' : '-1' }, s.label);
      b.addEventListener('click', () => select(i));
      b.addEventListener('keydown', (e) => {
        let j = null;
        if (e.key === 'ArrowRight') j = (i + 1) % list.length;
        if (e.key === 'ArrowLeft') j = (i - 1 + list.length) % list.length;
        if (j !== null) { e.preventDefault(); select(j); buttons[j].focus(); }
      });
      tabs.appendChild(b);
      return b;
    });
    function select(i) {
      buttons.forEach((b, j) => { b.setAttribute('aria-selected', i === j ? 'true' : 'false'); b.tabIndex = i === j ? 0 : -1; });
      panel.setAttribute('aria-labelledby', buttons[i].id);
      replace(panel, codeBlock(list[i].code, { label: `${list[i].label} example` }));
    }
    select(0);
    return h('div', { class: 'snippets' }, tabs, panel);
  }

  init();

  return {
    node,
    title: 'Destination',
    update(p) {
      if (p.id !== id || !state.dest) return false;
      state.tab = p.tab || 'overview';
      drawTabs();
      drawTab();
      return true;
    },
    destroy: () => controller.abort(),
  };
}

function code(text, cls = null) {
  return h('code', { class: cls }, text);
}

function mask(secret) {
  const s = String(secret || '');
  return s.length > 12 ? `${s.slice(0, 10)}${'•'.repeat(12)}${s.slice(-4)}` : '•'.repeat(s.length);
}
