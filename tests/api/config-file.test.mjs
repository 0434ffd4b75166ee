// The YAML configuration file (--config FILE or CONFIG=FILE): snake_case
// keys, nested sections, YAML lists, the environment winning over the file,
// one-line errors naming the variable; and --help describing every command
// and every variable src/config.c accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBinary, startServer, randomHex, show, REPO_DIR } from './lib/server.mjs';

const lines = (s) => s.split('\n').map((l) => l.trim()).filter(Boolean);

function scratch() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookpost-yaml-'));
  return {
    dir,
    file(name, text) { const p = path.join(dir, name); writeFileSync(p, text); return p; },
    env(over = {}) {
      return { API_KEY: `admin_${randomHex(8)}`, AES_ENCRYPTION_SECRET: `aes_${randomHex(8)}`, DATA_DIR: path.join(dir, 'data'), ...over };
    },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
}

test('CONFIG=FILE: snake_case keys, nested sections and YAML lists apply; the environment wins', async () => {
  const s = scratch();
  const yamlKey = `yaml_${randomHex(8)}`;
  const envKey = `env_${randomHex(8)}`;
  const file = s.file('hookpost.yaml', [
    `api_key: ${yamlKey}`,
    'topics:',
    '  - user.created',
    '  - user.deleted',
    'topics_allow_wildcards: true',
    'max_destinations_per_tenant: 1',
    'destinations:',
    '  webhook:',
    '    mode: standard',
    'portal:',
    '  organization_name: Acme From YAML',
    '',
  ].join('\n'));
  const srv = await startServer({ env: { CONFIG: file, API_KEY: envKey } });
  try {
    const asYaml = await srv.raw('GET', '/topics', { token: yamlKey });
    assert.equal(asYaml.status, 401, `API_KEY from the environment wins over api_key in the file: ${show(asYaml)}`);
    const topics = await srv.raw('GET', '/topics', { token: envKey });
    assert.equal(topics.status, 200, show(topics));
    assert.deepEqual(topics.json, ['user.created', 'user.deleted'], 'a YAML list is the TOPICS list');

    assert.equal((await srv.raw('PUT', '/tenants/yaml_t', { token: envKey })).status, 201);
    const d1 = await srv.raw('POST', '/tenants/yaml_t/destinations', {
      token: envKey, body: { type: 'webhook', topics: ['user.*'], config: { url: 'https://example.com/a' } },
    });
    assert.equal(d1.status, 201, `topics_allow_wildcards: true from the file: ${show(d1)}`);
    assert.match(d1.json.credentials.secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/, 'destinations.webhook.mode: standard (base64 secrets)');
    assert.ok(Buffer.from(d1.json.credentials.secret.slice(6), 'base64').length >= 24, d1.json.credentials.secret);
    const d2 = await srv.raw('POST', '/tenants/yaml_t/destinations', {
      token: envKey, body: { type: 'webhook', topics: ['user.created'], config: { url: 'https://example.com/b' } },
    });
    assert.equal(d2.status, 400, `max_destinations_per_tenant: 1 from the file: ${show(d2)}`);

    const pc = await srv.raw('GET', '//portal-config.js', { token: null });
    assert.equal(pc.status, 200);
    assert.ok(pc.text.includes('Acme From YAML'), 'portal.organization_name from the nested section');
  } finally {
    await srv.stop();
    s.cleanup();
  }
});

test('--config FILE: a bad value names its variable in one line; the same variable from the environment wins', async () => {
  const s = scratch();
  try {
    const file = s.file('bad.yaml', 'max_destinations_per_tenant: lots\n');
    const r = await runBinary(['migrate', '--config', file], { env: s.env() });
    assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /MAX_DESTINATIONS_PER_TENANT/);

    const ok = await runBinary(['migrate', `--config=${file}`], { env: s.env({ MAX_DESTINATIONS_PER_TENANT: '5' }) });
    assert.equal(ok.code, 0, `the environment overrides the file's bad value: ${ok.stderr}`);
  } finally { s.cleanup(); }
});

test('--config FILE: a mapping where a setting expects one value is an error naming the variable', async () => {
  const s = scratch();
  try {
    for (const [text, name] of [['api_port:\n  value: 8080\n', 'API_PORT'], ['destinations:\n  webhook:\n    mode:\n      x: 1\n', 'DESTINATIONS_WEBHOOK_MODE']]) {
      const file = s.file('map.yaml', text);
      const r = await runBinary(['migrate', '--config', file], { env: s.env() });
      assert.equal(r.timedOut, false);
      assert.equal(r.code, 2, `${JSON.stringify(text)}: exit ${r.code} (stdout ${r.stdout.trim()}) stderr ${r.stderr}`);
      assert.equal(lines(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(name));
    }
    // unknown keys and sections are ignored, as Outpost's loader does
    const extra = s.file('extra.yaml', 'redis:\n  host: 127.0.0.1\nsomething_else: 1\n');
    const r = await runBinary(['migrate', '--config', extra], { env: s.env() });
    assert.equal(r.code, 0, r.stderr);
  } finally { s.cleanup(); }
});

test('--config without FILE, an unreadable FILE, invalid YAML: exit 2 with one line', async () => {
  const s = scratch();
  try {
    const missing = await runBinary(['serve', '--config'], { env: s.env() });
    assert.equal(missing.code, 2, missing.stderr);
    assert.equal(lines(missing.stderr).length, 1, missing.stderr);
    assert.match(missing.stderr, /--config needs a FILE/);

    const unreadable = await runBinary(['migrate', '--config', path.join(s.dir, 'nope.yaml')], { env: s.env() });
    assert.equal(unreadable.code, 2, unreadable.stderr);
    assert.equal(lines(unreadable.stderr).length, 1, unreadable.stderr);
    assert.match(unreadable.stderr, /nope\.yaml/);

    const broken = await runBinary(['migrate'], { env: s.env({ CONFIG: s.file('broken.yaml', 'a: b: c\n') }) });
    assert.equal(broken.code, 2, broken.stderr);
    assert.equal(lines(broken.stderr).length, 1, broken.stderr);
    assert.match(broken.stderr, /YAML/);
  } finally { s.cleanup(); }
});

test('--help describes every command and every variable src/config.c accepts, with its YAML key', async () => {
  const r = await runBinary(['--help'], { timeoutMs: 10000 });
  assert.equal(r.code, 0, r.stderr);
  const help = r.stdout;
  for (const cmd of ['serve', 'migrate', 'version', '--help', '--config FILE', 'CONFIG']) {
    assert.ok(help.includes(cmd), `--help does not mention ${cmd}`);
  }
  // every row of the variable table: {"ENV_NAME", "yaml.key", ...}
  const src = readFileSync(path.join(REPO_DIR, 'src', 'config.c'), 'utf8');
  const rows = [...src.matchAll(/^\s*\{"([A-Z][A-Z0-9_]+)", "([a-z0-9_.]+)", T_[A-Z]+,/gm)].map((m) => [m[1], m[2]]);
  assert.ok(rows.length >= 40, `found only ${rows.length} variables in src/config.c`);
  const missing = rows.filter(([env, yaml]) => !new RegExp(`^\\s*${env}\\s+\\S`, 'm').test(help) || !help.includes(`yaml: ${yaml}`));
  assert.deepEqual(missing, [], 'variables --help does not describe');
  // and the ones the issue names, with Outpost's defaults
  for (const [env, def] of [['API_PORT', '3333'], ['MAX_DESTINATIONS_PER_TENANT', '20'], ['LOG_LEVEL', 'info'],
    ['TOPICS_ALLOW_WILDCARDS', 'false'], ['API_MAX_BODY_BYTES', '1048576'], ['DELIVERY_TIMEOUT_SECONDS', '5'],
    ['MAX_RETRY_LIMIT', '10'], ['RETRY_INTERVAL_SECONDS', '30']]) {
    const block = help.slice(help.search(new RegExp(`^\\s*${env}\\s`, 'm')));
    assert.match(block.split('\n').slice(0, 2).join('\n'), new RegExp(`default: ${def}\\b`), `${env} default ${def}`);
  }
  for (const env of ['API_KEY', 'API_JWT_SECRET', 'AES_ENCRYPTION_SECRET', 'TOPICS', 'DEPLOYMENT_ID', 'SERVICE', 'DATA_DIR']) {
    assert.ok(rows.some(([e]) => e === env), `${env} is a configuration variable`);
  }
});
