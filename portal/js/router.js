// History-API router. The server answers every extension-less path with
// index.html, so deep links and reloads land back here.
//
// A route handler gets (params, query) and returns a view:
//   {node, title?, update?(params, query) -> bool, destroy?()}
// When the same route matches again (another tab, other filters, an open
// drawer) and the view has an update() that does not return false, the view
// updates itself in place instead of being rebuilt.

const routes = [];
let current = null; // {route, view, params}
let mountFn = null;
let navSeq = 0;

export function route(pattern, handler) {
  const keys = [];
  const re = new RegExp(`^${pattern.replace(/\/:([a-z_]+)(\?)?/gi, (_, k, opt) => {
    keys.push(k);
    return opt ? '(?:/([^/]+))?' : '/([^/]+)';
  })}/?$`);
  routes.push({ pattern, re, keys, handler });
}

function match(pathname) {
  for (const r of routes) {
    const m = r.re.exec(pathname);
    if (!m) continue;
    const params = {};
    r.keys.forEach((k, i) => { params[k] = m[i + 1] === undefined ? undefined : decodeURIComponent(m[i + 1]); });
    return { route: r, params };
  }
  return null;
}

export function currentQuery() {
  return new URLSearchParams(window.location.search);
}

export function navigate(to, { replace = false, state = null } = {}) {
  const url = new URL(to, window.location.origin);
  const target = url.pathname + url.search + url.hash;
  const here = window.location.pathname + window.location.search + window.location.hash;
  if (target !== here) {
    if (replace) window.history.replaceState(state, '', target);
    else window.history.pushState(state, '', target);
  }
  return render();
}

/** Update the query string without a history entry per keystroke. */
export function setQuery(params, { replace = false } = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return navigate(window.location.pathname + (s ? `?${s}` : ''), { replace });
}

export async function render() {
  const seq = ++navSeq;
  const m = match(window.location.pathname);
  const query = currentQuery();
  if (current && m && current.route === m.route && current.view && current.view.update) {
    if (current.view.update(m.params, query) !== false) {
      current.params = m.params;
      return;
    }
  }
  if (current && current.view && current.view.destroy) current.view.destroy();
  current = null;
  if (!m) {
    mountFn(notFound(), 'Not found');
    return;
  }
  const view = await m.route.handler(m.params, query);
  if (seq !== navSeq) {
    if (view && view.destroy) view.destroy();
    return;
  }
  current = { route: m.route, view, params: m.params };
  mountFn(view.node, view.title);
  if (view.mounted) view.mounted();
}

let notFound = () => document.createTextNode('Not found');

export function startRouter({ mount, notFoundView }) {
  mountFn = mount;
  if (notFoundView) notFound = notFoundView;
  window.addEventListener('popstate', () => render());
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest('a[href]');
    if (!a || a.target || a.hasAttribute('download') || a.dataset.external !== undefined) return;
    const url = new URL(a.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
    e.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
  return render();
}
