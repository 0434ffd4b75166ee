// Auth: admin key vs tenant JWT, token + portal endpoints, 401/403/404 matrix,
// and tenant isolation (A can never read or change B).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, sdkError, show, uid, signJwt, decodeJwt, verifyHs256, tenantClaims,
} from './lib/server.mjs';

let srv;
let admin;
const A = uid('alpha');
const B = uid('beta');
let tokA;
let tokB;
let destA;
let destB;

before(async () => {
  srv = await startServer();
  admin = srv.client();
  await admin.tenants.upsert(A, { metadata: { who: 'a' } });
  await admin.tenants.upsert(B, { metadata: { who: 'b' } });
  destA = await admin.destinations.create(A, { type: 'webhook', topics: ['*'], config: { url: 'https://a.example.com/h' } });
  destB = await admin.destinations.create(B, { type: 'webhook', topics: ['*'], config: { url: 'https://b.example.com/h' } });
  tokA = (await admin.tenants.getToken(A)).token;
  tokB = (await admin.tenants.getToken(B)).token;
});
after(async () => { await srv?.stop(); });

describe('token and portal endpoints', () => {
  test('GET /tenants/{id}/token returns an HS256 JWT: iss outpost, sub tenant, exp = iat + 86400', async () => {
    const t0 = Math.floor(Date.now() / 1000);
    const res = await admin.tenants.getToken(A);
    assert.equal(res.tenantId, A);
    assert.equal(typeof res.token, 'string');
    const raw = await srv.raw('GET', `/tenants/${A}/token`);
    assert.equal(raw.status, 200, show(raw));
    assert.equal(raw.json.tenant_id, A, show(raw));
    assert.equal(typeof raw.json.token, 'string', show(raw));
    const { header, payload } = decodeJwt(res.token);
    assert.equal(header.alg, 'HS256');
    assert.equal(payload.iss, 'outpost');
    assert.equal(payload.sub, A);
    assert.equal(typeof payload.iat, 'number');
    assert.equal(payload.exp, payload.iat + 86400, `exp ${payload.exp} != iat ${payload.iat} + 86400`);
    assert.ok(Math.abs(payload.iat - t0) <= 60, `iat not now: ${payload.iat} vs ${t0}`);
    assert.ok(verifyHs256(res.token, srv.jwtSecret), 'token must be signed with API_JWT_SECRET');
    // and it works
    const me = await srv.client(res.token).tenants.get(A);
    assert.equal(me.id, A);
  });

  test('a JWT we sign ourselves with API_JWT_SECRET is accepted (HS256)', async () => {
    const tok = signJwt(tenantClaims(A), srv.jwtSecret);
    const r = await srv.raw('GET', `/tenants/${A}`, { token: tok });
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.id, A);
  });

  test('portal: redirect_url carries ?token= (valid JWT for the tenant), theme only when asked', async () => {
    const plain = await admin.tenants.getPortalUrl(A);
    assert.equal(plain.tenantId, A);
    const u = new URL(plain.redirectUrl);
    assert.match(plain.redirectUrl, /\?token=/);
    assert.equal(u.searchParams.get('theme'), null, `no theme asked: ${plain.redirectUrl}`);
    const tok = u.searchParams.get('token');
    const { payload } = decodeJwt(tok);
    assert.equal(payload.sub, A);
    assert.equal(payload.iss, 'outpost');
    const r = await srv.raw('GET', `/tenants/${A}`, { token: tok });
    assert.equal(r.status, 200, `portal token must authenticate: ${show(r)}`);

    const dark = await admin.tenants.getPortalUrl(A, 'dark');
    assert.match(dark.redirectUrl, /\?token=/);
    assert.match(dark.redirectUrl, /theme=dark/);
    assert.equal(new URL(dark.redirectUrl).searchParams.get('theme'), 'dark');
    const light = await admin.tenants.getPortalUrl(A, 'light');
    assert.equal(new URL(light.redirectUrl).searchParams.get('theme'), 'light');

    const junk = await srv.raw('GET', `/tenants/${A}/portal?theme=purple`);
    assert.equal(junk.status, 200, show(junk));
    assert.equal(new URL(junk.json.redirect_url).searchParams.get('theme'), null, `unknown theme must be ignored: ${show(junk)}`);
  });

  test('portal redirect_url is built from the request Host', async () => {
    const r = await srv.raw('GET', `/tenants/${A}/portal`);
    assert.equal(r.status, 200, show(r));
    const u = new URL(r.json.redirect_url);
    assert.equal(u.host, `127.0.0.1:${srv.port}`, show(r));
    assert.equal(u.protocol, 'http:');
  });
});

describe('401: bad or missing credentials, empty body', () => {
  const routes = () => [
    ['GET', '/tenants'],
    ['GET', `/tenants/${A}`],
    ['PUT', `/tenants/${A}`],
    ['DELETE', `/tenants/${A}`],
    ['GET', `/tenants/${A}/destinations`],
    ['POST', `/tenants/${A}/destinations`],
    ['GET', `/tenants/${A}/destinations/${destA.id}`],
    ['PATCH', `/tenants/${A}/destinations/${destA.id}`],
    ['GET', `/tenants/${A}/token`],
    ['GET', `/tenants/${A}/portal`],
    ['GET', '/topics'],
    ['GET', '/destination-types'],
    ['GET', '/destination-types/webhook'],
  ];
  const now = Math.floor(Date.now() / 1000);
  const cases = () => [
    ['no Authorization header', { token: null }],
    ['garbage bearer token', { token: 'garbage' }],
    ['wrong API key', { token: `${srv.apiKey}x` }],
    ['API key without Bearer scheme', { auth: srv.apiKey }],
    ['Basic scheme', { auth: `Basic ${Buffer.from(`x:${srv.apiKey}`).toString('base64')}` }],
    ['JWT signed with another secret', { token: signJwt(tenantClaims(A), 'not-the-secret') }],
    ['alg none JWT', { token: signJwt(tenantClaims(A), '', { alg: 'none' }) }],
    ['alg none JWT with a signature appended', { token: `${signJwt(tenantClaims(A), '', { alg: 'none' })}c2ln` }],
    ['JWT with a critical extension nobody understands', { token: signJwt(tenantClaims(A), srv.jwtSecret, { header: { crit: ['x-unknown'], 'x-unknown': 1 } }) }],
    ['expired JWT', { token: signJwt(tenantClaims(A, { iat: now - 2 * 86400, exp: now - 86400 }), srv.jwtSecret) }],
    ['wrong issuer', { token: signJwt(tenantClaims(A, { iss: 'someone-else' }), srv.jwtSecret) }],
    ['no issuer', { token: signJwt({ sub: A, iat: now, exp: now + 3600 }, srv.jwtSecret) }],
    ['JWT without sub', { token: signJwt({ iss: 'outpost', iat: now, exp: now + 3600 }, srv.jwtSecret) }],
    ['JWT for a tenant that never existed', { token: signJwt(tenantClaims('ghost_tenant'), srv.jwtSecret) }],
    ['tampered payload', { token: (() => { const t = signJwt(tenantClaims(B), srv.jwtSecret).split('.'); t[1] = Buffer.from(JSON.stringify(tenantClaims(A))).toString('base64url'); return t.join('.'); })() }],
  ];

  test('every bad credential gets 401 with an empty body on every protected route', async () => {
    const failures = [];
    for (const [name, o] of cases()) {
      for (const [m, p] of routes()) {
        const body = (m === 'POST' || m === 'PUT' || m === 'PATCH') ? { type: 'webhook', topics: ['*'], config: { url: 'https://x.example.com' } } : undefined;
        const r = await srv.raw(m, p.replace(`/tenants/${A}`, name.includes('never existed') ? '/tenants/ghost_tenant' : `/tenants/${A}`), { ...o, body });
        if (r.status !== 401 || r.text !== '') failures.push(`${name}: ${show(r)}`);
      }
    }
    assert.deepEqual(failures, [], `expected 401 + empty body:\n${failures.join('\n')}`);
  });

  test('SDK surfaces 401 as an error with statusCode 401', async () => {
    await sdkError(srv.client('garbage').tenants.get(A), 401, 'garbage token via SDK');
    await sdkError(srv.client(null).tenants.list({}), 401, 'no token via SDK');
  });

  test("token of a deleted tenant -> 401 (stale token)", async () => {
    const T = uid('doomed');
    await admin.tenants.upsert(T, {});
    const { token } = await admin.tenants.getToken(T);
    assert.equal((await srv.raw('GET', `/tenants/${T}`, { token })).status, 200);
    await admin.tenants.delete(T);
    for (const [m, p] of [['GET', `/tenants/${T}`], ['GET', `/tenants/${T}/destinations`], ['GET', '/tenants'], ['PUT', `/tenants/${T}`], ['GET', '/topics']]) {
      const r = await srv.raw(m, p, { token });
      assert.equal(r.status, 401, show(r));
      assert.equal(r.text, '', `401 body must be empty: ${show(r)}`);
    }
  });

  test('state is unchanged after rejected writes', async () => {
    const before = (await srv.raw('GET', `/tenants/${A}/destinations`)).json;
    const t = (await srv.raw('GET', `/tenants/${A}`)).json;
    await srv.raw('POST', `/tenants/${A}/destinations`, { token: 'garbage', body: { type: 'webhook', topics: ['*'], config: { url: 'https://evil.example.com' } } });
    await srv.raw('DELETE', `/tenants/${A}/destinations/${destA.id}`, { token: signJwt(tenantClaims(A), 'wrong') });
    await srv.raw('PUT', `/tenants/${A}`, { token: null, body: { metadata: { who: 'mallory' } } });
    assert.deepEqual((await srv.raw('GET', `/tenants/${A}/destinations`)).json, before);
    assert.deepEqual((await srv.raw('GET', `/tenants/${A}`)).json, t);
  });
});

describe('403: tenant JWT on admin-only routes or on another tenant', () => {
  test('admin-only routes reject a tenant JWT with 403 and an empty body', async () => {
    for (const [m, p, body] of [
      ['GET', `/tenants/${A}/token`],
      ['GET', `/tenants/${A}/portal`],
      ['GET', `/tenants/${A}/portal?theme=dark`],
      ['PUT', `/tenants/${B}`, { metadata: { x: '1' } }],
      ['PUT', `/tenants/${uid('brandnew')}`, {}],
      ['GET', `/tenants/${B}`],
    ]) {
      const r = await srv.raw(m, p, { token: tokA, body });
      assert.equal(r.status, 403, show(r));
      assert.equal(r.text, '', `403 body must be empty: ${show(r)}`);
    }
  });

  test('SDK surfaces 403 for tenant JWT on token/portal', async () => {
    const me = srv.client(tokA);
    await sdkError(me.tenants.getToken(A), 403, 'JWT on /token');
    await sdkError(me.tenants.getPortalUrl(A), 403, 'JWT on /portal');
  });

  test("tenant A can never read or modify tenant B or B's destinations", async () => {
    const beforeB = (await srv.raw('GET', `/tenants/${B}`)).json;
    const beforeDests = (await srv.raw('GET', `/tenants/${B}/destinations`)).json;
    const attempts = [
      ['GET', `/tenants/${B}`],
      ['PUT', `/tenants/${B}`, { metadata: { owned: 'yes' } }],
      ['DELETE', `/tenants/${B}`],
      ['GET', `/tenants/${B}/destinations`],
      ['POST', `/tenants/${B}/destinations`, { type: 'webhook', topics: ['*'], config: { url: 'https://evil.example.com' } }],
      ['GET', `/tenants/${B}/destinations/${destB.id}`],
      ['PATCH', `/tenants/${B}/destinations/${destB.id}`, { config: { url: 'https://evil.example.com' } }],
      ['DELETE', `/tenants/${B}/destinations/${destB.id}`],
      ['PUT', `/tenants/${B}/destinations/${destB.id}/disable`],
      ['PUT', `/tenants/${B}/destinations/${destB.id}/enable`],
    ];
    for (const [m, p, body] of attempts) {
      const r = await srv.raw(m, p, { token: tokA, body });
      assert.equal(r.status, 403, show(r));
      assert.ok(!r.text.includes(destB.credentials.secret), `leaked B's secret: ${show(r)}`);
    }
    // B's destination addressed through A's own path: not found, never B's data.
    for (const [m, p, body] of [
      ['GET', `/tenants/${A}/destinations/${destB.id}`],
      ['PATCH', `/tenants/${A}/destinations/${destB.id}`, { config: { url: 'https://evil.example.com' } }],
      ['DELETE', `/tenants/${A}/destinations/${destB.id}`],
      ['PUT', `/tenants/${A}/destinations/${destB.id}/disable`],
    ]) {
      for (const token of [tokA, srv.apiKey]) {
        const r = await srv.raw(m, p, { token, body });
        assert.equal(r.status, 404, show(r));
        assert.ok(!r.text.includes(destB.credentials.secret), `leaked B's secret: ${show(r)}`);
      }
    }
    // A's list never contains B's destination.
    const listA = await srv.client(tokA).destinations.list(A);
    assert.deepEqual(listA.map((d) => d.id), [destA.id]);

    assert.deepEqual((await srv.raw('GET', `/tenants/${B}`)).json, beforeB, "B's tenant changed");
    assert.deepEqual((await srv.raw('GET', `/tenants/${B}/destinations`)).json, beforeDests, "B's destinations changed");
  });

  test("B's token works on B and only B", async () => {
    const me = srv.client(tokB);
    assert.equal((await me.tenants.get(B)).id, B);
    assert.equal((await me.destinations.get(B, destB.id)).id, destB.id);
    await sdkError(me.tenants.get(A), 403, "B reading A");
    await sdkError(me.destinations.list(A), 403, "B listing A's destinations");
  });
});

describe('404: admin on an unknown tenant', () => {
  test('every tenant-scoped route answers {"status":404,"message":"tenant not found"}', async () => {
    const T = uid('nobody');
    for (const [m, p, body] of [
      ['GET', `/tenants/${T}`],
      ['DELETE', `/tenants/${T}`],
      ['GET', `/tenants/${T}/token`],
      ['GET', `/tenants/${T}/portal`],
      ['GET', `/tenants/${T}/destinations`],
      ['POST', `/tenants/${T}/destinations`, { type: 'webhook', topics: ['*'], config: { url: 'https://x.example.com' } }],
      ['GET', `/tenants/${T}/destinations/des_x`],
      ['PATCH', `/tenants/${T}/destinations/des_x`, { topics: ['*'] }],
      ['DELETE', `/tenants/${T}/destinations/des_x`],
      ['PUT', `/tenants/${T}/destinations/des_x/enable`],
      ['PUT', `/tenants/${T}/destinations/des_x/disable`],
    ]) {
      const r = await srv.raw(m, p, { body });
      assert.equal(r.status, 404, show(r));
      assert.deepEqual(r.json, { status: 404, message: 'tenant not found' }, show(r));
    }
    // and nothing was created along the way
    const r = await srv.raw('GET', `/tenants?id[]=${T}`);
    assert.equal(r.json.count, 0, show(r));
  });

  test('SDK: getToken / getPortalUrl / destinations.create on an unknown tenant -> 404', async () => {
    const T = uid('nobody');
    await sdkError(admin.tenants.getToken(T), 404, 'token of unknown tenant');
    await sdkError(admin.tenants.getPortalUrl(T), 404, 'portal of unknown tenant');
    await sdkError(admin.destinations.create(T, { type: 'webhook', topics: ['*'], config: { url: 'https://x.example.com' } }), 404, 'create destination on unknown tenant');
  });
});
