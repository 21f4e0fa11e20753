// Hostile input in both directions: bad caller input for every method (a ValidationError naming
// the field, nothing sent), bad server answers (a typed error, and the client keeps working),
// path parameters that try to reach other routes, environment URLs, and secrets that must never
// show up anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as api from 'scalekit-mcp';
import { clientFor, uniqueName, createMailCalendarConfig, sharedEmulator } from './helpers.mjs';

const { ValidationError, ScalekitError, InvalidResponseError } = api;
let emulator;
let mcp;
let config;

sharedEmulator(async (e) => {
  emulator = e;
  mcp = clientFor(api, emulator);
  config = await createMailCalendarConfig(mcp);
});

const long = (n) => 'a'.repeat(n);
const mappings = (n) => Array.from({ length: n }, (_, i) => ({ connectionName: i % 2 ? 'gmail' : 'slack' }));

/** [method, args, field named by the error]; each must fail before anything is sent. */
const BAD = [
  ['createConfig', [undefined], ''],
  ['createConfig', [null], ''],
  ['createConfig', ['name'], ''],
  ['createConfig', [[]], ''],
  ['createConfig', [{}], 'name'],
  ['createConfig', [{ name: '' }], 'name'],
  ['createConfig', [{ name: long(101) }], 'name'],
  ['createConfig', [{ name: 'Upper' }], 'name'],
  ['createConfig', [{ name: 'has space' }], 'name'],
  ['createConfig', [{ name: 'emoji-🙂' }], 'name'],
  ['createConfig', [{ name: 42 }], 'name'],
  ['createConfig', [{ name: null }], 'name'],
  ['createConfig', [{ name: 'ok', description: 5 }], 'description'],
  ['createConfig', [{ name: 'ok', connectionToolMappings: mappings(26) }], 'connectionToolMappings'],
  ['createConfig', [{ name: 'ok', connectionToolMappings: {} }], 'connectionToolMappings'],
  ['createConfig', [{ name: 'ok', connectionToolMappings: [null] }], 'connectionToolMappings[0]'],
  ['createConfig', [{ name: 'ok', connectionToolMappings: [{}] }], 'connectionToolMappings[0].connectionName'],
  ['createConfig', [{ name: 'ok', connectionToolMappings: [{ connectionName: '' }] }], 'connectionToolMappings[0].connectionName'],
  ['createConfig', [{ name: 'ok', connectionToolMappings: [{ connectionName: 'gmail', tools: 'all' }] }], 'connectionToolMappings[0].tools'],
  ['createConfig', [{ name: 'ok', connectionToolMappings: [{ connectionName: 'gmail', tools: [1] }] }], 'connectionToolMappings[0].tools[0]'],
  ['createConfig', [{ name: 'ok', connectionToolMappings: [{ connectionName: 'gmail', tool: [] }] }], 'connectionToolMappings[0].tool'],
  ['createConfig', [{ name: 'ok', colour: 'red' }], 'colour'],
  ['createConfig', [{ name: 'ok' }, { timeout: 5 }], 'options.timeout'],
  ['createConfig', [{ name: 'ok' }, { timeoutMs: -1 }], 'options.timeoutMs'],
  ['createConfig', [{ name: 'ok' }, { timeoutMs: NaN }], 'options.timeoutMs'],
  ['createConfig', [{ name: 'ok' }, { signal: 'stop' }], 'options.signal'],
  ['createConfig', [{ name: 'ok' }, null], 'options'],
  ['createConfig', [{ name: 'ok', description: 10n }], 'description'],
  ['getConfig', [undefined], 'configId'],
  ['getConfig', [''], 'configId'],
  ['getConfig', [{ configId: 'x' }], 'configId'],
  ['getConfig', [long(256)], 'configId'],
  ['listConfigs', ['x'], ''],
  ['listConfigs', [{ pageSize: 31 }], 'pageSize'],
  ['listConfigs', [{ pageSize: -1 }], 'pageSize'],
  ['listConfigs', [{ pageSize: 2.5 }], 'pageSize'],
  ['listConfigs', [{ pageSize: NaN }], 'pageSize'],
  ['listConfigs', [{ pageSize: '10' }], 'pageSize'],
  ['listConfigs', [{ pageToken: 5 }], 'pageToken'],
  ['listConfigs', [{ search: ['a'] }], 'search'],
  ['listConfigs', [{ filter: null, pageSize: 'x' }], 'pageSize'],
  ['listConfigs', [{ filter: 'name' }], 'filter'],
  ['listConfigs', [{ filter: { name: long(101) } }], 'filter.name'],
  ['listConfigs', [{ filter: { name: 'a b' } }], 'filter.name'],
  ['listConfigs', [{ filter: { userIdentifier: 'x' } }], 'filter.userIdentifier'],
  ['updateConfig', [{ configId: 'cfg_1' }], ''],
  ['updateConfig', [{ description: 'x' }], 'configId'],
  ['updateConfig', [{ configId: 'cfg_1', connectionToolMappings: [] }], 'connectionToolMappings'],
  ['updateConfig', [{ configId: 'cfg_1', connectionToolMappings: mappings(26) }], 'connectionToolMappings'],
  ['updateConfig', [{ configId: 'cfg_1', name: 'new-name' }], 'name'],
  ['deleteConfig', [null], 'configId'],
  ['deleteConfig', [7], 'configId'],
  ['listConnectedAccounts', [{ identifier: 'u' }], 'configId'],
  ['listConnectedAccounts', [{ configId: 'cfg_1' }], 'identifier'],
  ['listConnectedAccounts', [{ configId: 'cfg_1', identifier: long(256) }], 'identifier'],
  ['listConnectedAccounts', [{ configId: 'cfg_1', identifier: 'u', includeAuthLink: 1 }], 'includeAuthLink'],
  ['listConnectedAccounts', [{ configId: 'cfg_1', identifier: 'u', includeAuthLinks: true }], 'includeAuthLinks'],
  ['createSessionToken', [{ identifier: 'u' }], 'configId'],
  ['createSessionToken', [{ configId: 'cfg_1' }], 'identifier'],
  ['createSessionToken', [{ configId: 'cfg_1', identifier: '' }], 'identifier'],
  ['createSessionToken', [{ configId: 'cfg_1', identifier: long(256) }], 'identifier'],
  ['createSessionToken', [{ configId: 'cfg_1', identifier: 'u', expirySeconds: 59 }], 'expirySeconds'],
  ['createSessionToken', [{ configId: 'cfg_1', identifier: 'u', expirySeconds: 86_401 }], 'expirySeconds'],
  ['createSessionToken', [{ configId: 'cfg_1', identifier: 'u', expirySeconds: -60 }], 'expirySeconds'],
  ['createSessionToken', [{ configId: 'cfg_1', identifier: 'u', expirySeconds: 60.5 }], 'expirySeconds'],
  ['createSessionToken', [{ configId: 'cfg_1', identifier: 'u', expirySeconds: '3600' }], 'expirySeconds'],
  ['createSessionToken', [{ configId: 'cfg_1', identifier: 'u', expirySeconds: Infinity }], 'expirySeconds'],
  ['createSessionToken', [{ configId: 'cfg_1', identifier: 'u', accessLevel: 'ADMIN' }], 'accessLevel'],
  ['createSessionToken', [{ configId: 'cfg_1', identifier: 'u', accessLevel: 'read_only' }], 'accessLevel'],
  ['createSessionToken', [{ configId: 'cfg_1', identifier: 'u', expiry: '3600s' }], 'expiry'],
  ['createSessionToken', [{ configId: 'cfg_1', connectionName: 'gmail', identifier: 'u' }], 'connectionName'],
  ['createConnectionSessionToken', [{ identifier: 'u' }], 'connectionName'],
  ['createConnectionSessionToken', [{ connectionName: 'gmail', identifier: '' }], 'identifier'],
  ['createConnectionSessionToken', [{ connectionName: 'gmail', identifier: 'u', accessLevel: 'WRITE' }], 'accessLevel'],
  ['ensureInstance', [{ userIdentifier: 'u' }], 'configName'],
  ['ensureInstance', [{ configName: 'cfg', userIdentifier: '' }], 'userIdentifier'],
  ['ensureInstance', [{ configName: 'Bad Name', userIdentifier: 'u' }], 'configName'],
  ['ensureInstance', [{ configName: 'cfg', userIdentifier: long(256) }], 'userIdentifier'],
  ['ensureInstance', [{ configName: 'cfg', userIdentifier: 'u', name: 3 }], 'name'],
  ['ensureInstance', [{ config_name: 'cfg', userIdentifier: 'u' }], 'config_name'],
  ['getInstance', [''], 'instanceId'],
  ['getInstance', [undefined], 'instanceId'],
  ['listInstances', [{ pageSize: 100 }], 'pageSize'],
  ['listInstances', [{ filter: { configName: 5 } }], 'filter.configName'],
  ['listInstances', [{ filter: { provider: 'GMAIL' } }], 'filter.provider'],
  ['updateInstance', [{ instanceId: 'inst_1' }], ''],
  ['updateInstance', [{ name: 'x' }], 'instanceId'],
  ['updateInstance', [{ instanceId: 'inst_1', configName: 'Bad Name' }], 'configName'],
  ['deleteInstance', [''], 'instanceId'],
  ['getInstanceAuthState', [{}], 'instanceId'],
  ['getInstanceAuthState', [{ instanceId: 'inst_1', includeAuthLinks: 'true' }], 'includeAuthLinks'],
  ['getInstanceAuthState', [{ instanceId: 'inst_1', includeAuthLink: true }], 'includeAuthLink'],
  ['waitForAuth', [{}], ''],
  ['waitForAuth', [{ configId: 'cfg_1' }], 'identifier'],
  ['waitForAuth', [{ instanceId: 'inst_1' }, { onPending: 'log' }], 'options.onPending'],
  ['waitForAuth', [{ instanceId: 'inst_1' }, { interval: 5 }], 'options.interval'],
];

test('bad caller input: a ValidationError naming the field, and nothing sent', async () => {
  const failures = [];
  for (const [method, args, field] of BAD) {
    let err = null;
    try {
      await mcp[method](...args);
    } catch (e) {
      err = e;
    }
    const label = `${method}(${inspect(args, { breakLength: Infinity, depth: 3 }).slice(0, 120)})`;
    if (!(err instanceof ValidationError)) failures.push(`${label}: ${err ? `${err.name}: ${err.message}` : 'resolved'}`);
    else if (field !== '' && err.field !== field) failures.push(`${label}: field ${err.field}, expected ${field} (${err.message})`);
    else if (!err.message) failures.push(`${label}: empty message`);
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(emulator.requests(), [], 'no request of any kind was sent');
});

test('the constructor validates its options', () => {
  const ok = { envUrl: emulator.url, clientId: 'id', clientSecret: 'secret' };
  const bad = [
    [undefined, 'options'],
    [null, 'options'],
    [{ ...ok, clientId: '' }, 'clientId'],
    [{ ...ok, clientSecret: undefined }, 'clientSecret'],
    [{ ...ok, clientSecret: 5 }, 'clientSecret'],
    [{ ...ok, timeoutMs: 0 }, 'timeoutMs'],
    [{ ...ok, maxRetries: -1 }, 'maxRetries'],
    [{ ...ok, maxRetries: 1.5 }, 'maxRetries'],
    [{ ...ok, retries: 3 }, 'retries'],
  ];
  for (const [options, field] of bad) {
    assert.throws(() => new api.ScalekitMcp(options), (err) => err instanceof ValidationError && err.field === field,
      `options ${inspect(options)}`);
  }
});

test('envUrl: https, or http only on loopback', () => {
  const make = (envUrl) => new api.ScalekitMcp({ envUrl, clientId: 'id', clientSecret: 'secret' });
  for (const good of ['https://acme.scalekit.dev', 'https://acme.scalekit.com/', 'https://auth.acme.com:8443',
    'http://localhost:4010', 'http://127.0.0.1:9', 'http://[::1]:8080']) {
    assert.doesNotThrow(() => make(good), good);
  }
  assert.equal(make('https://acme.scalekit.com/').envUrl, 'https://acme.scalekit.com');
  for (const bad of ['http://acme.scalekit.com', 'http://10.0.0.1', 'http://localhost.evil.com', 'ftp://acme.com',
    'https://', 'acme.scalekit.com', 'not a url', 'javascript:alert(1)', 'https://user:pass@acme.com',
    'https://acme.com/?x=1', 'https://acme.com/#frag', '']) {
    assert.throws(() => make(bad), (err) => err instanceof ValidationError && err.field === 'envUrl', bad);
  }
});

test('path parameters cannot reach another route', async () => {
  for (const id of ['.', '..']) {
    await assert.rejects(mcp.getConfig(id), (err) => err instanceof ValidationError && err.field === 'configId', id);
  }
  assert.deepEqual(emulator.requests(), []);
  for (const id of ['../configs', 'a/b?c', '...', 'cfg_1#x', 'x%2Fy', 'ü/..']) {
    emulator.clearRequests();
    await assert.rejects(mcp.getConfig(id), api.NotFoundError, id);
    const [req] = emulator.requests().filter((r) => r.path.startsWith('/api/'));
    assert.ok(req.path.startsWith('/api/v1/mcp/configs/'), req.path);
    const segment = req.path.slice('/api/v1/mcp/configs/'.length);
    assert.ok(!segment.includes('/') && !segment.includes('?') && !segment.includes('#'), `raw path ${req.path}`);
    assert.equal(decodeURIComponent(segment), id);
  }
  // an id that is a real config's route plus a suffix does not delete the config
  emulator.clearRequests();
  await assert.rejects(mcp.deleteInstance(`../configs/${config.id}`), api.NotFoundError);
  assert.deepEqual(await mcp.getConfig(config.id), config);
});

/** Bad answers to listConfigs, each with the error class it must produce. */
const BAD_ANSWERS = [
  ['non-JSON', { status: 200, body: 'hello', contentType: 'text/plain' }, InvalidResponseError],
  ['truncated JSON', { status: 200, body: '{"configs":[{"id":"cfg_1","na', contentType: 'application/json' }, InvalidResponseError],
  ['wrong types', { status: 200, body: '{"configs":"nope","total_size":"many"}', contentType: 'application/json' }, InvalidResponseError],
  ['a JSON array', { status: 200, body: '[1,2,3]', contentType: 'application/json' }, InvalidResponseError],
  ['an HTML page with 200', { status: 200, body: '<!doctype html><title>Maintenance</title>', contentType: 'text/html' }, InvalidResponseError],
  ['an empty body with 200', { status: 200, body: '', contentType: 'application/json' }, InvalidResponseError],
  ['an HTML error page', { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>', contentType: 'text/html' }, api.InternalServerError],
  ['an error with a non-Status body', { status: 404, body: '{"weird":true}', contentType: 'application/json' }, api.NotFoundError],
  ['a body over 10 MiB', { status: 200, bodyBytes: 11 * 1024 * 1024, contentType: 'application/json' }, InvalidResponseError],
];

for (const [label, fault, Cls] of BAD_ANSWERS) {
  test(`bad server answer: ${label}`, async () => {
    const client = clientFor(api, emulator, { maxRetries: 0 });
    emulator.injectFault({ pathPrefix: '/api/v1/mcp/configs', count: 1, ...fault });
    await assert.rejects(client.listConfigs(), (err) => {
      assert.ok(err instanceof Cls, `${err.name}: ${err.message}`);
      assert.ok(!/<html|<!doctype/i.test(err.message), 'no HTML in the message');
      return true;
    });
    const page = await client.listConfigs({ pageSize: 1 });
    assert.ok(Array.isArray(page.configs), 'the same client still works');
  });
}

test('a 2xx missing the required object is a typed error on every kind of result', async () => {
  const cases = [
    ['getConfig', [config.id], `/api/v1/mcp/configs/${config.id}`, '{}'],
    ['ensureInstance', [{ configName: config.name, userIdentifier: 'u' }], '/api/v1/mcp/instances', '{"instance":null}'],
    ['createSessionToken', [{ configId: config.id, identifier: 'u' }], `/api/v1/mcp/configs/${config.id}/tokens`, '{"token":""}'],
    ['createConfig', [{ name: uniqueName() }], '/api/v1/mcp/configs', '{"config":7}'],
  ];
  for (const [method, args, pathPrefix, body] of cases) {
    emulator.injectFault({ pathPrefix, count: 1, status: 200, body, contentType: 'application/json' });
    await assert.rejects(mcp[method](...args), InvalidResponseError, method);
    emulator.clearFaults();
  }
  assert.deepEqual(await mcp.getConfig(config.id), config);
});

test('secrets never appear in errors, in the client, or in anything logged', async () => {
  const secret = `sk-${'9'.repeat(8)}-very-secret-value`;
  const seen = [];
  const logs = [];
  const original = { log: console.log, error: console.error, warn: console.warn, info: console.info, debug: console.debug };
  for (const k of Object.keys(original)) console[k] = (...a) => logs.push(a.map(String).join(' '));
  try {
    // wrong secret: the token request fails
    const wrong = clientFor(api, emulator, { clientSecret: secret, maxRetries: 0 });
    seen.push(await wrong.listConfigs().catch((e) => e));
    seen.push(JSON.stringify(wrong), inspect(wrong, { showHidden: true, depth: 10 }), String(wrong), Object.keys(wrong).join());

    const right = clientFor(api, emulator, { maxRetries: 0 });
    const user = uniqueName('secret-user');
    const instance = await right.ensureInstance({ configName: config.name, userIdentifier: user });
    emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: user, status: 'ACTIVE' });
    emulator.setAccountStatus({ connectionName: 'MY_CALENDAR', identifier: user, status: 'ACTIVE' });
    const { token } = await right.createSessionToken({ configId: config.id, identifier: user });
    const accessTokens = emulator.requests().length; // the access token itself is checked below through the log
    void accessTokens;
    for (const fault of [{ status: 400 }, { status: 401 }, { status: 403 }, { status: 404 }, { status: 409 }, { status: 429 },
      { status: 500 }, { status: 418 }, { status: 200, body: 'x' }, { destroy: true }, { delayMs: 2000 }]) {
      emulator.injectFault({ pathPrefix: '/api/', count: 2, ...fault });
      seen.push(await right.getInstance(instance.id, { timeoutMs: 300 }).catch((e) => e));
      emulator.clearFaults();
    }
    seen.push(await right.getInstance('', {}).catch((e) => e));
    const controller = new AbortController();
    controller.abort();
    seen.push(await right.getInstance(instance.id, { signal: controller.signal }).catch((e) => e));
    seen.push(JSON.stringify(right), inspect(right, { showHidden: true, depth: 10 }));

    const haystack = seen.map((e) => (e instanceof Error
      ? [e.message, e.stack, inspect(e, { showHidden: true, depth: 10 }), JSON.stringify(e), String(e.cause ?? ''),
        JSON.stringify(Object.getOwnPropertyNames(e).map((k) => e[k]))].join('\n')
      : String(e))).join('\n') + logs.join('\n');
    assert.ok(seen.filter((e) => e instanceof ScalekitError).length >= 12, 'every error was provoked');
    for (const needle of [secret, emulator.clientSecret, token, instance.url]) {
      assert.ok(!haystack.includes(needle), `found ${needle.slice(0, 12)}… in errors, client or logs`);
    }
  } finally {
    Object.assign(console, original);
  }
  assert.deepEqual(logs, [], 'the package logs nothing');
});
