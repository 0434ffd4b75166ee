// The portal session: the tenant JWT that boot.js took from ?token= and put
// in sessionStorage. The payload is decoded (not verified - the API does
// that) to learn the tenant id, the expiry and whether the token is
// read-only.

export const config = window.PORTAL_CONFIGS || {};
const boot = window.HookpostBoot;
const LOOP_KEY = 'hookpost.portal.redirects';

export function decodeJwt(token) {
  try {
    const part = token.split('.')[1];
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/**
 * {state: 'ok', token, tenantId, expiresAt (ms|null), readOnly}
 * or {state: 'missing' | 'invalid' | 'expired'}.
 */
export function readSession() {
  const token = boot.getToken();
  if (!token) return { state: 'missing' };
  const claims = decodeJwt(token);
  if (!claims || typeof claims.sub !== 'string' || !claims.sub) return { state: 'invalid' };
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  if (expiresAt !== null && expiresAt <= Date.now()) return { state: 'expired' };
  const perms = Array.isArray(claims.permissions) ? claims.permissions : null;
  const readOnly = !!perms && !perms.includes('write') && !perms.includes('admin');
  return { state: 'ok', token, tenantId: claims.sub, expiresAt, readOnly };
}

/**
 * The session is over (missing, expired, or refused by the API). Sends the
 * user to PORTAL_REFRESH_URL, else PORTAL_REFERER_URL; returns false when
 * neither is set (or when we keep bouncing back with a dead token), so the
 * caller shows the 'session expired' page.
 */
export function leaveSession() {
  boot.clearToken();
  const target = config.REFRESH_URL || config.REFERER_URL;
  if (!target) return false;
  // Loop guard: a refresh endpoint that hands back an already-expired token
  // would otherwise bounce the browser forever.
  let recent = [];
  try { recent = JSON.parse(sessionStorage.getItem(LOOP_KEY) || '[]'); } catch { recent = []; }
  const now = Date.now();
  recent = recent.filter((t) => now - t < 30000);
  if (recent.length >= 3) return false;
  recent.push(now);
  try { sessionStorage.setItem(LOOP_KEY, JSON.stringify(recent)); } catch { /* ignore */ }
  window.location.replace(target);
  return true;
}
