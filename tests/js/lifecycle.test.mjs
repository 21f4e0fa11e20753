// The whole lifecycle on the built package: configs, instances, connected accounts, connection
// tokens, pagination and waitForAuth, each for success, validation and the server's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from 'scalekit-mcp';
import { clientFor, verifyJwt, uniqueName, createMailCalendarConfig, sharedEmulator } from './helpers.mjs';

const { ValidationError, NotFoundError, ConflictError, BadRequestError, AbortError, AuthTimeoutError } = api;
let emulator;
let mcp;

sharedEmulator((e) => {
  emulator = e;
  mcp = clientFor(api, emulator);
});

async function rejects(promise, Cls, check = () => {}) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof Cls, `expected ${Cls.name}, got ${err?.name}: ${err?.message}`);
    check(err);
    return true;
  });
}

function sentNothing() {
  assert.deepEqual(emulator.requests().filter((r) => r.path.startsWith('/api/')), [], 'no API request was sent');
}

test('getConfig: found, validation, not found', async () => {
  const config = await createMailCalendarConfig(mcp);
  assert.deepEqual(await mcp.getConfig(config.id), config);
  emulator.clearRequests();
  await rejects(mcp.getConfig(''), ValidationError, (e) => assert.equal(e.field, 'configId'));
  await rejects(mcp.getConfig(42), ValidationError, (e) => assert.equal(e.field, 'configId'));
  sentNothing();
  await rejects(mcp.getConfig('cfg_404'), NotFoundError);
});

test('listConfigs: filters, search, validation', async () => {
  const tag = uniqueName('list');
  const a = await mcp.createConfig({ name: `${tag}-alpha`, connectionToolMappings: [{ connectionName: 'slack' }] });
  const b = await mcp.createConfig({ name: `${tag}-beta`, connectionToolMappings: [{ connectionName: 'github' }] });
  const byName = await mcp.listConfigs({ filter: { name: `${tag}-alpha` } });
  assert.deepEqual(byName.configs.map((c) => c.id), [a.id]);
  assert.equal(byName.totalSize, 1);
  assert.equal(byName.nextPageToken, '');
  const bySearch = await mcp.listConfigs({ search: tag });
  assert.deepEqual(bySearch.configs.map((c) => c.id).sort(), [a.id, b.id].sort());
  const byId = await mcp.listConfigs({ filter: { id: b.id } });
  assert.deepEqual(byId.configs.map((c) => c.id), [b.id]);
  const byUrl = await mcp.listConfigs({ filter: { mcpServerUrl: a.mcpServerUrl } });
  assert.deepEqual(byUrl.configs.map((c) => c.id), [a.id]);
  emulator.clearRequests();
  await rejects(mcp.listConfigs({ pageSize: 31 }), ValidationError, (e) => assert.equal(e.field, 'pageSize'));
  await rejects(mcp.listConfigs({ filter: { name: 'has space' } }), ValidationError, (e) => assert.equal(e.field, 'filter.name'));
  await rejects(mcp.listConfigs({ filter: { colour: 'red' } }), ValidationError, (e) => assert.equal(e.field, 'filter.colour'));
  sentNothing();
  await rejects(mcp.listConfigs({ pageToken: 'not-a-token' }), BadRequestError);
});

test('query parameters reach the server percent-encoded, as the gateway expects', async () => {
  await mcp.listConfigs({ filter: { provider: 'GOOGLE CALENDAR&x=1' }, search: 'a b/c', pageSize: 5 });
  const [req] = emulator.requests().filter((r) => r.path === '/api/v1/mcp/configs');
  assert.deepEqual(req.query, { 'filter.provider': 'GOOGLE CALENDAR&x=1', search: 'a b/c', page_size: '5' });
});

test('configs(): lazily, page after page, with a filter', async () => {
  const tag = uniqueName('pages');
  const ids = [];
  for (let i = 0; i < 7; i += 1) {
    ids.push((await mcp.createConfig({ name: `${tag}-${i}`, connectionToolMappings: [{ connectionName: 'notion' }] })).id);
  }
  await mcp.createConfig({ name: uniqueName('other') });
  emulator.clearRequests();
  const seen = [];
  const listCalls = () => emulator.requests().filter((r) => r.path === '/api/v1/mcp/configs').length;
  const iterator = mcp.configs({ search: tag, pageSize: 3 });
  assert.equal(listCalls(), 0, 'nothing fetched before the loop asks');
  for await (const config of iterator) {
    seen.push(config.id);
    if (seen.length === 1) assert.equal(listCalls(), 1, 'first page only');
    if (seen.length === 4) assert.equal(listCalls(), 2, 'second page fetched when needed');
  }
  assert.deepEqual(seen, ids);
  assert.equal(listCalls(), 3, 'three pages of 3, 3 and 1');
  // breaking early fetches nothing more
  emulator.clearRequests();
  for await (const config of mcp.configs({ search: tag, pageSize: 3 })) {
    void config;
    break;
  }
  assert.equal(listCalls(), 1);
});

test('configs(): the signal stops the iteration', async () => {
  const controller = new AbortController();
  const tag = uniqueName('abortpages');
  for (let i = 0; i < 4; i += 1) await mcp.createConfig({ name: `${tag}-${i}` });
  const iterator = mcp.configs({ search: tag, pageSize: 2 }, { signal: controller.signal });
  await iterator.next();
  await iterator.next();
  controller.abort();
  await rejects(iterator.next(), AbortError);
});

test('updateConfig: description, mappings, validation, not found', async () => {
  const config = await createMailCalendarConfig(mcp);
  const described = await mcp.updateConfig({ configId: config.id, description: 'changed' });
  assert.equal(described.description, 'changed');
  assert.equal(described.connectionToolMappings.length, 2, 'mappings untouched');
  const remapped = await mcp.updateConfig({
    configId: config.id,
    connectionToolMappings: [{ connectionName: 'MY_GMAIL', tools: ['gmail_fetch_mails', 'gmail_send_mail'] }],
  });
  assert.deepEqual(remapped.connectionToolMappings.map((m) => m.tools), [['gmail_fetch_mails', 'gmail_send_mail']]);
  assert.equal(remapped.name, config.name);
  emulator.clearRequests();
  await rejects(mcp.updateConfig({ configId: config.id }), ValidationError);
  await rejects(mcp.updateConfig({ configId: config.id, name: 'renamed' }), ValidationError, (e) => assert.equal(e.field, 'name'));
  const tooMany = Array.from({ length: 26 }, () => ({ connectionName: 'gmail' }));
  await rejects(mcp.updateConfig({ configId: config.id, connectionToolMappings: tooMany }), ValidationError,
    (e) => assert.equal(e.field, 'connectionToolMappings'));
  sentNothing();
  await rejects(mcp.updateConfig({ configId: 'cfg_missing', description: 'x' }), NotFoundError);
  await rejects(mcp.updateConfig({ configId: config.id, connectionToolMappings: [{ connectionName: 'nope' }] }), BadRequestError);
});

test('deleteConfig: resolves undefined, deletes the instances, then 404', async () => {
  const config = await createMailCalendarConfig(mcp);
  const instance = await mcp.ensureInstance({ configName: config.name, userIdentifier: 'del-user' });
  assert.equal(await mcp.deleteConfig(config.id), undefined);
  await rejects(mcp.getConfig(config.id), NotFoundError);
  await rejects(mcp.getInstance(instance.id), NotFoundError);
  await rejects(mcp.deleteConfig(config.id), NotFoundError);
  await rejects(mcp.deleteConfig(''), ValidationError);
});

test('createConfig: conflict on a taken name', async () => {
  const name = uniqueName();
  await mcp.createConfig({ name });
  await rejects(mcp.createConfig({ name }), ConflictError);
});

test('instances: get, list with filters, iterate, update, delete', async () => {
  const config = await createMailCalendarConfig(mcp);
  const other = await createMailCalendarConfig(mcp);
  const tag = uniqueName('user');
  const created = [];
  for (let i = 0; i < 7; i += 1) {
    created.push(await mcp.ensureInstance({ configName: config.name, userIdentifier: `${tag}-${i}@example.com` }));
  }
  const named = await mcp.ensureInstance({ configName: config.name, userIdentifier: `${tag}-0@example.com`, name: 'second' });
  assert.notEqual(named.id, created[0].id, 'a different name is a different instance');

  assert.deepEqual(await mcp.getInstance(created[2].id), created[2]);
  const byUser = await mcp.listInstances({ filter: { userIdentifier: `${tag}-3@example.com` } });
  assert.deepEqual(byUser.instances.map((i) => i.id), [created[3].id]);
  const byConfig = await mcp.listInstances({ filter: { configName: config.name }, pageSize: 30 });
  assert.equal(byConfig.totalSize, 8);

  const ids = [];
  for await (const inst of mcp.instances({ filter: { configName: config.name }, search: tag, pageSize: 3 })) ids.push(inst.id);
  assert.deepEqual(ids, [...created.map((i) => i.id), named.id]);

  const renamed = await mcp.updateInstance({ instanceId: created[1].id, name: 'renamed' });
  assert.equal(renamed.name, 'renamed');
  const moved = await mcp.updateInstance({ instanceId: created[1].id, configName: other.name });
  assert.equal(moved.config.id, other.id);
  emulator.clearRequests();
  await rejects(mcp.updateInstance({ instanceId: created[1].id }), ValidationError);
  await rejects(mcp.listInstances({ pageSize: 100 }), ValidationError, (e) => assert.equal(e.field, 'pageSize'));
  await rejects(mcp.getInstance(''), ValidationError);
  sentNothing();
  await rejects(mcp.updateInstance({ instanceId: 'inst_missing', name: 'x' }), NotFoundError);
  await rejects(mcp.updateInstance({ instanceId: created[1].id, configName: 'no-such-config' }), NotFoundError);
  await rejects(mcp.ensureInstance({ configName: 'no-such-config', userIdentifier: 'u' }), NotFoundError);

  assert.equal(await mcp.deleteInstance(created[0].id), undefined);
  await rejects(mcp.getInstance(created[0].id), NotFoundError);
  await rejects(mcp.deleteInstance(created[0].id), NotFoundError);
});

test('listConnectedAccounts: without links nothing is created; with links accounts appear', async () => {
  const config = await createMailCalendarConfig(mcp);
  const user = uniqueName('acct');
  const before = await mcp.listConnectedAccounts({ configId: config.id, identifier: user });
  assert.equal(before.allActive, false);
  for (const a of before.connectedAccounts) {
    assert.equal(a.connectedAccountId, '');
    assert.equal(a.authenticationLink, '');
  }
  const withLinks = await mcp.listConnectedAccounts({ configId: config.id, identifier: user, includeAuthLink: true });
  for (const a of withLinks.connectedAccounts) {
    assert.equal(a.connectedAccountStatus, 'PENDING_AUTH');
    assert.match(a.connectedAccountId, /^ca_/);
    assert.ok(a.authenticationLink.startsWith(emulator.url));
  }
  for (const a of withLinks.connectedAccounts) await (await fetch(a.authenticationLink)).text();
  const after = await mcp.listConnectedAccounts({ configId: config.id, identifier: user });
  assert.equal(after.allActive, true);
  emulator.clearRequests();
  await rejects(mcp.listConnectedAccounts({ configId: config.id, identifier: '' }), ValidationError, (e) => assert.equal(e.field, 'identifier'));
  await rejects(mcp.listConnectedAccounts({ configId: config.id, identifier: 'x'.repeat(256) }), ValidationError);
  await rejects(mcp.listConnectedAccounts({ configId: config.id, identifier: 'u', includeAuthLink: 'yes' }), ValidationError,
    (e) => assert.equal(e.field, 'includeAuthLink'));
  sentNothing();
  await rejects(mcp.listConnectedAccounts({ configId: 'cfg_missing', identifier: 'u' }), NotFoundError);
});

test('createSessionToken: refused while a connection is not ACTIVE; READ_ONLY carried in the JWT', async () => {
  const config = await createMailCalendarConfig(mcp);
  const user = uniqueName('tok');
  await rejects(mcp.createSessionToken({ configId: config.id, identifier: user }), BadRequestError);
  emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: user, status: 'ACTIVE' });
  emulator.setAccountStatus({ connectionName: 'MY_CALENDAR', identifier: user, status: 'ACTIVE' });
  const { token } = await mcp.createSessionToken({ configId: config.id, identifier: user, accessLevel: 'READ_ONLY', expirySeconds: 60 });
  const { claims, ok } = await verifyJwt(token, emulator.url);
  assert.equal(ok, true);
  assert.equal(claims.access_level, 'READ_ONLY');
  assert.equal(claims.exp - claims.iat, 60);
  emulator.clearRequests();
  await rejects(mcp.createSessionToken({ configId: config.id, identifier: user, expirySeconds: 59 }), ValidationError,
    (e) => assert.equal(e.field, 'expirySeconds'));
  await rejects(mcp.createSessionToken({ configId: config.id, identifier: user, expirySeconds: 86401 }), ValidationError);
  await rejects(mcp.createSessionToken({ configId: config.id, identifier: user, expirySeconds: 90.5 }), ValidationError);
  await rejects(mcp.createSessionToken({ configId: config.id, identifier: user, accessLevel: 'read_only' }), ValidationError,
    (e) => assert.equal(e.field, 'accessLevel'));
  sentNothing();
  await rejects(mcp.createSessionToken({ configId: 'cfg_missing', identifier: user }), NotFoundError);
});

test('createConnectionSessionToken: a token for one connection', async () => {
  const user = uniqueName('conn');
  await rejects(mcp.createConnectionSessionToken({ connectionName: 'github', identifier: user }), BadRequestError);
  emulator.setAccountStatus({ connectionName: 'github', identifier: user, status: 'ACTIVE' });
  const { token, expiresAt } = await mcp.createConnectionSessionToken({ connectionName: 'github', identifier: user });
  const { claims, ok } = await verifyJwt(token, emulator.url);
  assert.equal(ok, true);
  assert.equal(claims.sub, user);
  assert.deepEqual([claims.aud].flat(), [`${emulator.url}/mcp/v3/connections/github`]);
  assert.ok(claims.conn_id);
  assert.equal(claims.exp, Math.floor(Date.parse(expiresAt) / 1000));
  await rejects(mcp.createConnectionSessionToken({ connectionName: '', identifier: user }), ValidationError,
    (e) => assert.equal(e.field, 'connectionName'));
  await rejects(mcp.createConnectionSessionToken({ connectionName: 'no_such', identifier: user }), NotFoundError);
});

test('waitForAuth: resolves once the user authorizes part-way through', async () => {
  const config = await createMailCalendarConfig(mcp);
  const instance = await mcp.ensureInstance({ configName: config.name, userIdentifier: uniqueName('wait') });
  const pendingStates = [];
  const done = mcp.waitForAuth({ instanceId: instance.id }, {
    pollIntervalMs: 500,
    includeAuthLinks: true,
    timeoutMs: 20_000,
    onPending: async (state) => {
      pendingStates.push(state);
      // the user authorizes one connection after the first poll, the other after the second
      const link = state.connections.find((c) => c.connectedAccountStatus !== 'ACTIVE')?.authenticationLink;
      if (link) await (await fetch(link)).text();
    },
  });
  const state = await done;
  assert.equal(state.allActive, true);
  assert.ok(state.connections.every((c) => c.connectedAccountStatus === 'ACTIVE'));
  assert.ok(pendingStates.length >= 2, `onPending saw ${pendingStates.length} states`);
  assert.ok(pendingStates.every((s) => s.allActive === false));
});

test('waitForAuth: by config and identifier', async () => {
  const config = await createMailCalendarConfig(mcp);
  const user = uniqueName('wait2');
  setTimeout(() => {
    emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: user, status: 'ACTIVE' });
    emulator.setAccountStatus({ connectionName: 'MY_CALENDAR', identifier: user, status: 'ACTIVE' });
  }, 700);
  const state = await mcp.waitForAuth({ configId: config.id, identifier: user }, { pollIntervalMs: 500, timeoutMs: 10_000 });
  assert.equal(state.allActive, true);
  assert.equal(state.connectedAccounts.length, 2);
});

test('waitForAuth: timeout, abort without another request, validation', async () => {
  const config = await createMailCalendarConfig(mcp);
  const instance = await mcp.ensureInstance({ configName: config.name, userIdentifier: uniqueName('never') });
  const started = Date.now();
  await rejects(mcp.waitForAuth({ instanceId: instance.id }, { timeoutMs: 1500, pollIntervalMs: 500 }), AuthTimeoutError, (e) => {
    assert.ok(e.state && e.state.allActive === false);
  });
  const took = Date.now() - started;
  assert.ok(took >= 1400 && took < 4000, `gave up after ${took} ms`);

  const controller = new AbortController();
  const waiting = mcp.waitForAuth({ instanceId: instance.id }, { signal: controller.signal, pollIntervalMs: 5000 });
  await new Promise((r) => setTimeout(r, 300));
  emulator.clearRequests();
  const abortedAt = Date.now();
  controller.abort();
  await rejects(waiting, AbortError);
  assert.ok(Date.now() - abortedAt < 200, 'rejects at once');
  await new Promise((r) => setTimeout(r, 100));
  sentNothing();

  await rejects(mcp.waitForAuth({ instanceId: instance.id, configId: config.id }), ValidationError);
  await rejects(mcp.waitForAuth({}), ValidationError);
  await rejects(mcp.waitForAuth({ instanceId: instance.id }, { pollIntervalMs: -1 }), ValidationError,
    (e) => assert.equal(e.field, 'options.pollIntervalMs'));
  await rejects(mcp.waitForAuth({ instanceId: 'inst_missing' }, { timeoutMs: 2000 }), NotFoundError);
});
