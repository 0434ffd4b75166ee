// DEPLOYMENT_ID and tenant tokens: two deployments that share API_JWT_SECRET
// (and so could verify each other's signatures) never accept each other's
// tokens. A token is good only where its deployment_id claim, or the lack of
// one, matches the server's DEPLOYMENT_ID.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uid } from './lib/server.mjs';

const servers = [];
after(async () => { await Promise.all(servers.map((s) => s.stop())); });

test('a tenant token works only on the deployment that issued it', async () => {
  const secret = `jwt_shared_${uid('s')}`;
  const a = await startServer({ env: { API_JWT_SECRET: secret, DEPLOYMENT_ID: 'dep-a' } });
  servers.push(a);
  const b = await startServer({ env: { API_JWT_SECRET: secret, DEPLOYMENT_ID: 'dep-b' } });
  servers.push(b);
  const none = await startServer({ env: { API_JWT_SECRET: secret } });
  servers.push(none);
  const T = uid('dep');
  for (const s of [a, b, none]) await s.client().tenants.upsert(T, {});
  const tokens = { a: await a.token(T), b: await b.token(T), none: await none.token(T) };
  const claim = (t) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url')).deployment_id;
  assert.equal(claim(tokens.a), 'dep-a');
  assert.equal(claim(tokens.none), undefined);

  const status = async (srv, token) => (await srv.raw('GET', `/tenants/${T}`, { auth: `Bearer ${token}` })).status;
  assert.equal(await status(a, tokens.a), 200);
  assert.equal(await status(b, tokens.b), 200);
  assert.equal(await status(none, tokens.none), 200);
  assert.equal(await status(a, tokens.b), 401, 'another deployment\'s token');
  assert.equal(await status(b, tokens.a), 401);
  assert.equal(await status(a, tokens.none), 401, 'a token without deployment_id on a deployment');
  assert.equal(await status(none, tokens.a), 401, 'a deployment\'s token where none is set');
});
