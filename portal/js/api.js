// Thin client for the hookpost v1 API, authenticated with the session JWT.

const BASE = '/api/v1';

export class ApiError extends Error {
  constructor(status, message, data) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.data = data;
  }

  /** Validation messages ("config.url is required", ...) as a flat list. */
  get messages() {
    if (Array.isArray(this.data)) return this.data.map(String);
    if (this.data && typeof this.data === 'object') {
      return Object.entries(this.data).map(([k, v]) => (k === 'error' ? String(v) : `${k} ${v}`));
    }
    return [];
  }
}

const FALLBACK = {
  400: 'The request was not accepted.',
  403: 'You do not have permission to do that.',
  404: 'Not found.',
  409: 'That conflicts with another change. Try again.',
  413: 'That is too large.',
  422: 'Some values are not valid.',
  429: 'Too many requests. Wait a moment and try again.',
};

let session = null;
let onUnauthorized = () => {};

export function configureApi(s, unauthorized) {
  session = s;
  onUnauthorized = unauthorized;
}

export function tenantPath(suffix = '') {
  return `/tenants/${encodeURIComponent(session.tenantId)}${suffix}`;
}

/** Serialises {a: 1, b: ['x', 'y'], c: undefined} as a=1&b=x&b=y. */
export function queryString(query) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
    else p.append(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export async function api(path, { method = 'GET', body, query, signal } = {}) {
  if (!session) throw new ApiError(401, 'No session');
  if (session.expiresAt && session.expiresAt <= Date.now()) {
    onUnauthorized();
    throw new ApiError(401, 'Your session has expired.');
  }
  const headers = { Authorization: `Bearer ${session.token}`, Accept: 'application/json' };
  const init = { method, headers, signal, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`${BASE}${path}${queryString(query)}`, init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'Could not reach the server. Check your connection and try again.');
  }
  const text = await res.text();
  let json;
  if (text) {
    try { json = JSON.parse(text); } catch { json = undefined; }
  }
  if (res.status === 401) {
    onUnauthorized();
    throw new ApiError(401, 'Your session has expired.');
  }
  if (!res.ok) {
    const message = json && typeof json.message === 'string' && json.message
      ? json.message : (FALLBACK[res.status] || `Request failed (HTTP ${res.status}).`);
    throw new ApiError(res.status, message, json ? json.data : undefined);
  }
  return json;
}
