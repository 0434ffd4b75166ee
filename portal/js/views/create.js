// New destination wizard: 1. type  2. topics  3. configuration.

import { h, icon, typeIcon, replace } from '../dom.js';
import { api, tenantPath } from '../api.js';
import { button, busy, markdown, toast, skeleton, errorState, callout } from '../ui.js';
import { destinationTypes, topics as loadTopics } from '../data.js';
import { topicPicker, schemaFields, filterEditor, applyErrors, formSummary, showSaveError } from '../forms.js';
import { config } from '../session.js';
import { navigate } from '../router.js';
import { pageHeader } from './destinations.js';

const STEPS = ['Destination type', 'Topics', 'Configuration'];

export function createView({ readOnly }) {
  const crumbs = h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' },
    h('a', { href: '/destinations' }, 'Destinations'), icon('chevron-right'), h('span', { 'aria-current': 'page' }, 'New destination'));
  const stepper = h('ol', { class: 'stepper' });
  const body = h('div', { class: 'wizard-body' });
  const node = h('div', { class: 'page page-narrow' },
    pageHeader({ title: 'Add a destination', subtitle: 'Choose where events go, which events to send, and how to reach your endpoint.', crumbs }),
    stepper,
    h('div', { class: 'card wizard-card' }, body));

  if (readOnly) {
    replace(stepper);
    replace(body, callout('info', 'Read-only access', 'Your access to this portal is read-only, so you cannot add destinations.'));
    return { node, title: 'Add a destination' };
  }

  const state = { step: 0, type: null, schema: null, topics: ['*'], available: [], types: null };

  function drawStepper() {
    replace(stepper, STEPS.map((label, i) => h('li', {
      class: ['step', i < state.step ? 'is-done' : '', i === state.step ? 'is-current' : ''],
      'aria-current': i === state.step ? 'step' : null,
    },
    h('span', { class: 'step-num', 'aria-hidden': 'true' }, i < state.step ? icon('check') : String(i + 1)),
    h('span', { class: 'step-label' }, h('span', { class: 'visually-hidden' }, `Step ${i + 1} of ${STEPS.length}: `), label))));
  }

  function go(step) {
    state.step = step;
    drawStepper();
    [drawType, drawTopics, drawConfig][step]();
    const heading = body.querySelector('h2');
    if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus({ preventScroll: true }); }
  }

  async function start() {
    drawStepper();
    replace(body, skeleton(3));
    try {
      const [types, available] = await Promise.all([destinationTypes(), loadTopics()]);
      state.types = types;
      state.available = available;
      if (!state.type && types.size === 1) state.type = [...types.keys()][0];
      drawStepper();
      drawType();
    } catch (err) {
      if (err.status === 401) return;
      replace(body, errorState(err, start));
    }
  }

  // ----- step 1: type -----
  function drawType() {
    const cards = [];
    const grid = h('div', { class: 'type-grid', role: 'radiogroup', 'aria-label': 'Destination type' });
    const cont = button({ label: 'Continue', icon: 'arrow-right', kind: 'primary', disabled: !state.type, class: 'btn-continue' });
    const types = [...state.types.values()];
    types.forEach((t) => {
      const selected = state.type === t.type;
      const card = h('button', {
        type: 'button', class: ['type-card', selected ? 'is-selected' : ''], role: 'radio',
        'aria-checked': selected ? 'true' : 'false', tabindex: selected || (!state.type && cards.length === 0) ? '0' : '-1',
        dataset: { type: t.type },
      },
      typeIcon(t.icon, t.label),
      h('span', { class: 'type-card-text' },
        h('span', { class: 'type-card-title' }, t.label),
        h('span', { class: 'type-card-desc' }, t.description || '')),
      h('span', { class: 'type-card-check', 'aria-hidden': 'true' }, icon('check')));
      card.addEventListener('click', () => select(t.type, card));
      card.addEventListener('dblclick', () => { select(t.type, card); go(1); });
      card.addEventListener('keydown', (e) => {
        const i = cards.indexOf(card);
        let j = null;
        if (e.key === 'ArrowRight' || e.key === 'ArrowDown') j = (i + 1) % cards.length;
        if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') j = (i - 1 + cards.length) % cards.length;
        if (j !== null) { e.preventDefault(); cards[j].focus(); select(cards[j].dataset.type, cards[j]); }
      });
      cards.push(card);
      grid.appendChild(card);
    });
    function select(type, card) {
      state.type = type;
      for (const c of cards) {
        const on = c === card;
        c.classList.toggle('is-selected', on);
        c.setAttribute('aria-checked', on ? 'true' : 'false');
        c.tabIndex = on ? 0 : -1;
      }
      cont.disabled = false;
    }
    cont.addEventListener('click', () => { if (state.type) go(1); });
    replace(body,
      h('h2', { class: 'section-title' }, 'Where should events go?'),
      h('p', { class: 'section-desc' }, 'Pick the kind of endpoint that will receive your events.'),
      grid,
      h('div', { class: 'wizard-actions' },
        h('a', { class: 'btn btn-secondary', href: '/destinations' }, h('span', { class: 'btn-label' }, 'Cancel')),
        cont));
  }

  // ----- step 2: topics -----
  function drawTopics() {
    const picker = topicPicker({ available: state.available, value: state.topics });
    const next = button({ label: 'Continue', icon: 'arrow-right', kind: 'primary', class: 'btn-continue' });
    next.addEventListener('click', () => {
      const v = picker.value;
      if (!v.length) {
        picker.field.setError('Select at least one topic, or choose All topics.');
        return;
      }
      state.topics = v;
      go(2);
    });
    replace(body,
      h('h2', { class: 'section-title' }, 'Which events should it receive?'),
      h('p', { class: 'section-desc' }, 'Events are delivered for the topics you choose. You can change this later.'),
      picker.node,
      h('div', { class: 'wizard-actions' },
        button({ label: 'Back', icon: 'arrow-left', onclick: () => { state.topics = picker.value.length ? picker.value : state.topics; go(0); } }),
        next));
  }

  // ----- step 3: config -----
  async function drawConfig() {
    replace(body, skeleton(2));
    let schema;
    try {
      schema = await api(`/destination-types/${encodeURIComponent(state.type)}`);
    } catch (err) {
      if (err.status === 401) return;
      replace(body, errorState(err, drawConfig));
      return;
    }
    const gen = schemaFields(schema, null);
    const fields = new Map(gen.fields);
    const filter = config.ENABLE_DESTINATION_FILTER ? filterEditor({ value: null }) : null;
    if (filter) fields.set('filter', filter.field);
    fields.set('topics', { label: 'Topics', setError: () => {}, focusable: null });
    const summary = h('div', { class: 'form-summary', hidden: true });
    const create = button({ label: 'Create destination', icon: 'check', kind: 'primary', type: 'submit', class: 'btn-create' });
    const form = h('form', { class: 'form', novalidate: true },
      h('h2', { class: 'section-title' }, `Configure your ${schema.label || state.type} destination`),
      schema.instructions ? h('details', { class: 'instructions' },
        h('summary', null, icon('info'), 'Setup instructions'),
        markdown(schema.instructions)) : null,
      schema.setup_link && schema.setup_link.href ? h('p', null,
        h('a', { class: 'btn btn-secondary', href: schema.setup_link.href, target: '_blank', rel: 'noopener noreferrer' },
          icon('external'), h('span', { class: 'btn-label' }, schema.setup_link.cta || 'Set up'))) : null,
      summary,
      gen.node,
      filter ? filter.node : null,
      h('div', { class: 'topic-recap' }, h('span', { class: 'muted' }, 'Topics: '),
        state.topics.includes('*') ? 'All topics' : state.topics.join(', '),
        ' ', h('button', { type: 'button', class: 'link-btn', onclick: () => go(1) }, 'Change')),
      h('div', { class: 'wizard-actions' },
        button({ label: 'Back', icon: 'arrow-left', onclick: () => go(1) }),
        create));

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(create, async () => {
        const { config: cfg, credentials } = gen.collect();
        const payload = { type: state.type, topics: state.topics, config: cfg };
        if (Object.keys(credentials).length) payload.credentials = credentials;
        if (filter) {
          try {
            const f = filter.value;
            if (f) payload.filter = f;
          } catch (err) {
            applyErrors(fields, [`filter ${err.message}`]);
            formSummary(summary, null, []);
            return;
          }
        }
        try {
          const dest = await api(tenantPath('/destinations'), { method: 'POST', body: payload });
          toast('Destination created');
          navigate(`/destinations/${encodeURIComponent(dest.id)}?created=1`);
        } catch (err) {
          if (err.status === 401) return;
          showSaveError(fields, summary, err);
          if (!summary.hidden) summary.scrollIntoView({ block: 'nearest' });
        }
      });
    });
    replace(body, form);
    const firstInput = form.querySelector('.schema-fields input, .schema-fields select, .schema-fields textarea');
    if (firstInput) firstInput.focus();
  }

  start();
  return { node, title: 'Add a destination' };
}
