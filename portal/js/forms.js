// Form building blocks for destinations: the topic picker, fields generated
// from /destination-types schemas, the custom-headers and filter editors,
// and mapping of API validation messages ("config.url is required") back to
// the fields they are about.

import { h, icon, uid, replace } from './dom.js';
import { button } from './ui.js';
import { config } from './session.js';

// ---------- field shell ----------

/** A labelled field with hint and error slots wired up for screen readers. */
export function fieldShell({ label, hint, required, control, id, inline = false, optional = false }) {
  const hintId = hint ? `${id}-hint` : null;
  const errId = `${id}-error`;
  const err = h('p', { class: 'field-error', id: errId, hidden: true });
  const describedBy = [hintId, errId].filter(Boolean).join(' ');
  const focusable = control.matches('input,select,textarea') ? control : control.querySelector('input,select,textarea');
  if (focusable && !focusable.id) focusable.id = id;
  if (focusable) focusable.setAttribute('aria-describedby', describedBy);
  const labelEl = h('label', { class: 'field-label', for: focusable ? focusable.id : null },
    label,
    required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null,
    optional ? h('span', { class: 'optional' }, 'Optional') : null);
  const wrap = inline
    ? h('div', { class: 'field field-inline' }, h('div', { class: 'field-inline-row' }, control, labelEl), hint ? h('p', { class: 'field-hint', id: hintId }, hint) : null, err)
    : h('div', { class: 'field' }, labelEl, hint ? h('p', { class: 'field-hint', id: hintId }, hint) : null, control, err);
  return {
    node: wrap,
    focusable,
    setError(msg) {
      if (msg) {
        err.hidden = false;
        replace(err, icon('alert'), h('span', null, msg));
        wrap.classList.add('has-error');
        if (focusable) focusable.setAttribute('aria-invalid', 'true');
      } else {
        err.hidden = true;
        replace(err);
        wrap.classList.remove('has-error');
        if (focusable) focusable.removeAttribute('aria-invalid');
      }
    },
  };
}

// ---------- errors ----------

/**
 * Maps API validation messages onto registered fields.
 * fields: Map path -> {label, setError, focusable}. Returns unmatched messages.
 */
export function applyErrors(fields, messages) {
  for (const f of fields.values()) f.setError(null);
  const unmatched = [];
  const byField = new Map();
  const paths = [...fields.keys()].sort((a, b) => b.length - a.length);
  for (const msg of messages) {
    const path = paths.find((p) => msg === p || msg.startsWith(`${p} `) || msg.startsWith(`${p}.`) || msg.startsWith(`${p}[`));
    if (!path) { unmatched.push(msg); continue; }
    const f = fields.get(path);
    const rest = msg.slice(path.length).replace(/^\.\S*/, '').trim();
    const text = `${f.label} ${rest}`.trim();
    byField.set(path, byField.has(path) ? `${byField.get(path)}; ${rest}` : text);
  }
  let first = null;
  for (const [path, text] of byField) {
    const f = fields.get(path);
    f.setError(text);
    if (!first) first = f;
  }
  if (first && first.focusable) first.focusable.focus();
  return unmatched;
}

export function clearErrors(fields) {
  for (const f of fields.values()) f.setError(null);
}

// ---------- topics ----------

/**
 * Topic picker. available: configured topics (may be empty = any topic).
 * value: the destination's topics (['*'] = all).
 */
export function topicPicker({ available = [], value = ['*'], allowWildcards = !!config.TOPICS_ALLOW_WILDCARDS, hideLegend = false }) {
  const id = uid('topics');
  const all = !value || value.includes('*') || value.length === 0;
  const selected = new Set(all ? [] : value);
  const extra = all ? [] : value.filter((t) => !available.includes(t));
  const freeForm = available.length === 0;

  const modeAll = h('input', { type: 'radio', name: `${id}-mode`, value: 'all', checked: all, id: `${id}-all` });
  const modeSome = h('input', { type: 'radio', name: `${id}-mode`, value: 'some', checked: !all, id: `${id}-some` });
  const countEl = h('span', { class: 'topic-count', 'aria-live': 'polite' });
  const listWrap = h('div', { class: 'topic-select', hidden: all });
  const items = [];

  function updateCount() {
    const n = current().length;
    countEl.textContent = `${n} selected`;
  }

  function current() {
    return items.filter((i) => i.input.checked).map((i) => i.topic);
  }

  function addItem(list, topic, checked, custom = false) {
    const input = h('input', { type: 'checkbox', value: topic, checked, id: uid('topic') });
    input.addEventListener('change', updateCount);
    const item = h('li', { class: ['topic-item', custom ? 'topic-custom' : ''] },
      h('label', { class: 'check', for: input.id }, input, h('span', { class: 'mono' }, topic)));
    items.push({ topic, input, el: item });
    list.appendChild(item);
    return input;
  }

  const list = h('ul', { class: 'topic-list', role: 'list', 'aria-label': 'Topics' });
  for (const t of available) addItem(list, t, selected.has(t));
  for (const t of extra) addItem(list, t, true, true);

  let search = null;
  if (available.length > 8) {
    search = h('input', { type: 'search', class: 'input input-sm', placeholder: 'Search topics', 'aria-label': 'Search topics' });
    search.addEventListener('input', () => {
      const q = search.value.trim().toLowerCase();
      for (const i of items) i.el.hidden = q !== '' && !i.topic.toLowerCase().includes(q);
    });
  }

  const tools = h('div', { class: 'topic-tools' },
    search,
    available.length ? button({ label: 'Select all', kind: 'ghost', size: 'sm', onclick: () => { items.forEach((i) => { if (!i.el.hidden) i.input.checked = true; }); updateCount(); } }) : null,
    available.length ? button({ label: 'Clear', kind: 'ghost', size: 'sm', onclick: () => { items.forEach((i) => { i.input.checked = false; }); updateCount(); } }) : null,
    countEl);

  // Free-form entry: when no topic list is configured, or for wildcard patterns.
  let adder = null;
  if (freeForm || allowWildcards) {
    const addInput = h('input', {
      type: 'text', class: 'input input-sm mono', id: uid('topic-add'), autocomplete: 'off', spellcheck: 'false',
      placeholder: freeForm ? 'e.g. order.created' : 'e.g. user.*',
      'aria-label': freeForm ? 'Add a topic' : 'Add a topic pattern',
    });
    const add = () => {
      const t = addInput.value.trim();
      if (!t) return;
      const existing = items.find((i) => i.topic === t);
      if (existing) existing.input.checked = true;
      else addItem(list, t, true, true);
      addInput.value = '';
      updateCount();
      addInput.focus();
    };
    addInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } });
    adder = h('div', { class: 'topic-adder' },
      addInput,
      button({ label: freeForm ? 'Add topic' : 'Add pattern', icon: 'plus', size: 'sm', onclick: add }));
  }

  replace(listWrap,
    tools,
    list,
    adder,
    freeForm ? h('p', { class: 'field-hint' }, 'Type a topic name and press Enter to add it.') : null,
    !freeForm && allowWildcards ? h('p', { class: 'field-hint' }, 'Patterns may use * as a wildcard, for example user.* or *.created.') : null);

  const sync = () => { listWrap.hidden = modeAll.checked; updateCount(); };
  modeAll.addEventListener('change', sync);
  modeSome.addEventListener('change', sync);
  updateCount();

  const group = h('div', { class: 'topic-picker', role: 'radiogroup', 'aria-labelledby': `${id}-legend` },
    h('label', { class: 'choice', for: modeAll.id }, modeAll,
      h('span', { class: 'choice-text' }, h('span', { class: 'choice-title' }, 'All topics'),
        h('span', { class: 'choice-desc' }, 'Receive every event, including topics added later.'))),
    h('label', { class: 'choice', for: modeSome.id }, modeSome,
      h('span', { class: 'choice-text' }, h('span', { class: 'choice-title' }, 'Selected topics'),
        h('span', { class: 'choice-desc' }, 'Receive only the events you pick.'))),
    listWrap);

  const err = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const node = h('fieldset', { class: 'fieldset topics-fieldset', 'aria-describedby': `${id}-error` },
    h('legend', { class: hideLegend ? 'visually-hidden' : 'field-label', id: `${id}-legend` }, 'Topics'),
    group, err);

  return {
    node,
    get value() { return modeAll.checked ? ['*'] : current(); },
    field: {
      label: 'Topics',
      focusable: modeAll,
      setError(msg) {
        err.hidden = !msg;
        replace(err, msg ? [icon('alert'), h('span', null, msg)] : []);
        node.classList.toggle('has-error', !!msg);
      },
    },
  };
}

// ---------- key/value editor (custom headers and key_value_map fields) ----------

export function kvEditor({ value, keyLabel = 'Name', valueLabel = 'Value', addLabel = 'Add', keyPlaceholder = 'X-Header-Name', valuePlaceholder = 'value', id }) {
  let obj = {};
  if (typeof value === 'string' && value.trim()) {
    try { obj = JSON.parse(value) || {}; } catch { obj = {}; }
  } else if (value && typeof value === 'object') obj = value;
  const rows = h('div', { class: 'kv-rows' });
  const wrap = h('div', { class: 'kv', id }, rows);
  function addRow(k = '', v = '', focus = false) {
    const n = rows.children.length + 1;
    const kIn = h('input', { type: 'text', class: 'input mono', value: k, placeholder: keyPlaceholder, 'aria-label': `${keyLabel} ${n}`, autocomplete: 'off', spellcheck: 'false' });
    const vIn = h('input', { type: 'text', class: 'input mono', value: v, placeholder: valuePlaceholder, 'aria-label': `${valueLabel} ${n}`, autocomplete: 'off', spellcheck: 'false' });
    const row = h('div', { class: 'kv-row' }, kIn, vIn);
    const rm = button({ label: `Remove row ${n}`, icon: 'trash', kind: 'ghost', size: 'sm', iconOnly: true, onclick: () => { row.remove(); addBtn.focus(); } });
    row.appendChild(rm);
    rows.appendChild(row);
    if (focus) kIn.focus();
  }
  const addBtn = button({ label: addLabel, icon: 'plus', size: 'sm', onclick: () => addRow('', '', true) });
  wrap.appendChild(addBtn);
  for (const [k, v] of Object.entries(obj)) addRow(k, String(v));
  return {
    node: wrap,
    get value() {
      const out = {};
      for (const row of rows.children) {
        const [k, v] = row.querySelectorAll('input');
        if (k.value.trim()) out[k.value.trim()] = v.value;
      }
      return out;
    },
  };
}

// ---------- filter editor ----------

const FILTER_EXAMPLE = '{\n  "data": {\n    "amount": { "$gte": 100 }\n  }\n}';

export function filterEditor({ value }) {
  const id = uid('filter');
  const ta = h('textarea', {
    class: 'input textarea mono', id, rows: '7', spellcheck: 'false', autocomplete: 'off',
    placeholder: 'No filter: every event on the selected topics is delivered',
  });
  ta.value = value && typeof value === 'object' && Object.keys(value).length ? JSON.stringify(value, null, 2) : '';
  const shell = fieldShell({
    id,
    label: 'Event filter',
    optional: true,
    hint: 'Only deliver events whose id, topic, time, metadata or data match this JSON filter. Operators: $eq, $neq, $gt, $gte, $lt, $lte, $in, $nin, $startsWith, $endsWith, $exist, $or, $and, $not. Leave empty to receive every event on the selected topics.',
    control: h('div', { class: 'filter-editor' }, ta,
      h('div', { class: 'filter-tools' },
        button({ label: 'Insert example', icon: 'code', kind: 'ghost', size: 'sm', onclick: () => { ta.value = FILTER_EXAMPLE; ta.focus(); } }),
        button({ label: 'Clear', kind: 'ghost', size: 'sm', onclick: () => { ta.value = ''; ta.focus(); } }))),
  });
  return {
    node: shell.node,
    field: { label: 'Filter', setError: shell.setError, focusable: ta },
    /** The filter object, null when empty; throws with a message when invalid. */
    get value() {
      const text = ta.value.trim();
      if (!text) return null;
      let parsed;
      try { parsed = JSON.parse(text); } catch (e) {
        throw new Error(`is not valid JSON (${e.message.replace(/^JSON\.parse: /, '')})`);
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('must be a JSON object');
      return parsed;
    },
  };
}

// ---------- destination config fields from the type schema ----------

/** Credential fields the portal never shows as inputs (webhook secrets have their own screen). */
function hiddenCredential(type, key) {
  return type === 'webhook' && ['secret', 'previous_secret', 'previous_secret_invalid_at'].includes(key);
}

function isObfuscated(v) {
  return typeof v === 'string' && /\*{3,}$/.test(v);
}

/**
 * Generates inputs for a destination type's config_fields and
 * credential_fields. dest: existing destination when editing.
 * Returns {node, fields: Map(path -> field), collect()}.
 */
export function schemaFields(schema, dest = null) {
  const editing = !!dest;
  const fields = new Map();
  const getters = [];
  const node = h('div', { class: 'schema-fields' });

  const groups = [
    ['config', schema.config_fields || []],
    ['credentials', schema.credential_fields || []],
  ];
  for (const [group, list] of groups) {
    for (const f of list) {
      if (group === 'credentials' && hiddenCredential(schema.type, f.key)) continue;
      if (schema.type === 'webhook' && f.key === 'custom_headers' && !config.ENABLE_WEBHOOK_CUSTOM_HEADERS) continue;
      const current = dest && dest[group] ? dest[group][f.key] : undefined;
      const built = buildField(f, group, current, editing, schema);
      node.appendChild(built.node);
      fields.set(`${group}.${f.key}`, built.field);
      getters.push({ group, key: f.key, get: built.get, initial: current });
    }
  }

  return {
    node,
    fields,
    empty: getters.length === 0,
    /** {config, credentials}; unchanged sensitive values are left out, cleared values are null when editing. */
    collect() {
      const out = { config: {}, credentials: {} };
      for (const g of getters) {
        const v = g.get();
        if (v === undefined) continue; // keep as is
        if (v === '' || v === null) {
          if (editing && g.initial !== undefined && g.initial !== '') out[g.group][g.key] = null;
          continue;
        }
        out[g.group][g.key] = v;
      }
      return out;
    },
  };
}

function buildField(f, group, current, editing, schema) {
  const id = uid(`f-${f.key}`);
  const label = f.label || f.key;
  const sensitive = !!f.sensitive;
  let control;
  let get;
  let inline = false;
  let hint = f.description || '';

  if (f.type === 'checkbox') {
    const on = current !== undefined ? current === 'true' || current === 'on' : f.default === 'true' || f.default === true || f.default === 'on';
    control = h('input', { type: 'checkbox', class: 'checkbox', id, checked: on });
    get = () => (control.checked ? 'true' : 'false');
    inline = true;
  } else if (f.type === 'select') {
    const opts = (f.options || []).map((o) => (typeof o === 'object' ? o : { label: String(o), value: String(o) }));
    control = h('select', { class: 'input select', id, required: !!f.required },
      f.required ? null : h('option', { value: '' }, '—'),
      opts.map((o) => h('option', { value: o.value }, o.label)));
    control.value = current !== undefined ? current : (f.default !== undefined ? String(f.default) : (f.required && opts[0] ? opts[0].value : ''));
    get = () => control.value;
  } else if (f.type === 'key_value_map') {
    const isHeaders = schema.type === 'webhook' && f.key === 'custom_headers';
    const ed = kvEditor({
      value: current !== undefined ? current : f.default,
      id,
      keyLabel: isHeaders ? 'Header name' : 'Key',
      valueLabel: isHeaders ? 'Header value' : 'Value',
      addLabel: isHeaders ? 'Add header' : 'Add entry',
      keyPlaceholder: isHeaders ? 'X-Api-Key' : 'key',
    });
    if (isHeaders) hint = `${hint} Content-Type, Content-Length, Host, Connection and User-Agent cannot be set.`.trim();
    control = ed.node;
    get = () => {
      const v = ed.value;
      return Object.keys(v).length ? JSON.stringify(v) : '';
    };
  } else {
    const multiline = /json|certificate|private_key/i.test(f.key);
    const attrs = {
      class: ['input', multiline ? 'textarea' : '', sensitive || /url|arn|key|id$/i.test(f.key) ? 'mono' : ''],
      id,
      autocomplete: 'off',
      spellcheck: 'false',
      required: !!f.required,
      placeholder: f.key === 'url' ? 'https://example.com/webhooks' : (f.default ? String(f.default) : null),
      minlength: f.minlength || null,
      maxlength: f.maxlength || null,
    };
    if (multiline) {
      control = h('textarea', { ...attrs, rows: '5' });
    } else {
      control = h('input', { ...attrs, type: sensitive ? 'password' : (f.key === 'url' ? 'url' : 'text'), inputmode: f.key === 'url' ? 'url' : null });
    }
    if (sensitive && editing && current) {
      control.placeholder = `${current} (unchanged)`;
      hint = `${hint} Leave empty to keep the current value.`.trim();
      control.value = '';
      get = () => (control.value === '' ? undefined : control.value);
    } else {
      control.value = current !== undefined && !isObfuscated(current) ? current : (editing ? '' : (f.default !== undefined ? String(f.default) : ''));
      get = () => control.value.trim();
    }
    if (sensitive) {
      const input = control;
      const toggle = button({ label: `Show ${label}`, icon: 'eye', kind: 'ghost', size: 'sm', iconOnly: true, class: 'input-affix-btn' });
      toggle.addEventListener('click', () => {
        const show = input.type === 'password';
        input.type = show ? 'text' : 'password';
        toggle.setAttribute('aria-label', `${show ? 'Hide' : 'Show'} ${label}`);
        toggle.replaceChildren(icon(show ? 'eye-off' : 'eye'));
      });
      control = h('div', { class: 'input-affix' }, input, toggle);
    }
  }

  const shell = fieldShell({ id, label, hint, required: !!f.required && f.type !== 'checkbox', control, inline, optional: !f.required && f.type !== 'checkbox' });
  return { node: shell.node, field: { label, setError: shell.setError, focusable: shell.focusable }, get };
}

/** Puts a form-level list of messages (those no field claimed) into slot. */
/** Shows a failed save: each API message on its field, the rest (or the
 *  error itself) in the form's summary. */
export function showSaveError(fields, summary, err) {
  const msgs = err.messages;
  const unmatched = applyErrors(fields, msgs);
  if (msgs.length) formSummary(summary, unmatched.length ? 'Please fix the following' : 'Please fix the highlighted fields', unmatched);
  else formSummary(summary, err.message, []);
}

export function formSummary(slot, title, messages) {
  if (!messages.length && !title) {
    slot.hidden = true;
    replace(slot);
    return;
  }
  slot.hidden = false;
  replace(slot, h('div', { class: 'callout callout-danger', role: 'alert' },
    icon('alert', 'callout-icon'),
    h('div', { class: 'callout-body' },
      h('div', { class: 'callout-title' }, title || 'Please fix the following'),
      messages.length ? h('ul', { class: 'error-list' }, messages.map((m) => h('li', null, m))) : null)));
}
