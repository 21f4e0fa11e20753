// MCP instances: ensure (get-or-create), get, list (filters, search, pagination), update,
// delete, and the auth state with include_auth_links read from the query string.

import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { errorInfo, servedEmulator } from './helpers.mjs';

let emulator;
let client;
let mailConfig;
let chatConfig;
servedEmulator((started) => ({ emulator, client } = started));
beforeEach(async () => {
  mailConfig = await client.createConfig({ name: 'mail', connection_tool_mappings: [{ connection_name: 'gmail', tools: ['gmail_fetch_mails'] }, { connection_name: 'notion' }] });
  chatConfig = await client.createConfig({ name: 'chat', connection_tool_mappings: [{ connection_name: 'slack' }] });
});

const ensure = (body) => client.call('POST', '/api/v1/mcp/instances', { body });
const INSTANCE_URL = /^http:\/\/127\.0\.0\.1:\d+\/mcp\/v2\/instances\/[0-9a-f]{48}$/;

describe('POST /api/v1/mcp/instances', () => {
  test('creates an instance with every field', async () => {
    const res = await ensure({ name: 'digest', config_name: 'mail', user_identifier: 'john@example.com' });
    assert.equal(res.status, 200, res.text);
    const { instance } = res.json;
    assert.deepEqual(Object.keys(instance), ['id', 'name', 'user_identifier', 'config', 'last_used_at', 'updated_at', 'url']);
    assert.match(instance.id, /^inst_\d{18}$/);
    assert.equal(instance.name, 'digest');
    assert.equal(instance.user_identifier, 'john@example.com');
    assert.equal(instance.last_used_at, '0001-01-01T00:00:00Z');
    assert.match(instance.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
    assert.ok(Math.abs(Date.parse(instance.updated_at) - Date.now()) < 5000);
    assert.match(instance.url, INSTANCE_URL);
    assert.ok(instance.url.startsWith(emulator.url));
    assert.deepEqual(instance.config, mailConfig, 'the config as the config API shows it (no accounts yet)');
  });

  test('is get-or-create on (config_name, user_identifier, name)', async () => {
    const a = (await ensure({ name: 'n', config_name: 'mail', user_identifier: 'u' })).json.instance;
    const again = (await ensure({ name: 'n', configName: 'mail', userIdentifier: 'u' })).json.instance;
    assert.deepEqual(again, a);
    const otherName = (await ensure({ name: 'm', config_name: 'mail', user_identifier: 'u' })).json.instance;
    const otherUser = (await ensure({ name: 'n', config_name: 'mail', user_identifier: 'v' })).json.instance;
    const otherConfig = (await ensure({ name: 'n', config_name: 'chat', user_identifier: 'u' })).json.instance;
    const ids = new Set([a.id, otherName.id, otherUser.id, otherConfig.id]);
    assert.equal(ids.size, 4);
    const urls = new Set([a.url, otherName.url, otherUser.url, otherConfig.url]);
    assert.equal(urls.size, 4, 'each instance has its own unguessable URL');
  });

  test('an absent name defaults to <config_name>-<user_identifier>', async () => {
    const { instance } = (await ensure({ config_name: 'mail', user_identifier: 'amy' })).json;
    assert.equal(instance.name, 'mail-amy');
    assert.equal((await ensure({ config_name: 'mail', user_identifier: 'amy' })).json.instance.id, instance.id);
  });

  test('config_name and user_identifier are required; an unknown config is 404', async () => {
    const res = await ensure({ name: 'x' });
    assert.equal(res.status, 400);
    const fields = errorInfo(res.json).validation_error_info.field_violations.map((v) => `${v.field}/${v.constraint}`);
    assert.deepEqual(fields, ['config_name/required', 'user_identifier/required']);
    const unknown = await ensure({ config_name: 'nope', user_identifier: 'u' });
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.message, /nope/);
  });

  test('mappings carry the user\'s connected account when it exists', async () => {
    const account = emulator.setAccountStatus({ connectionName: 'gmail', identifier: 'u', status: 'ACTIVE' });
    const { instance } = (await ensure({ config_name: 'mail', user_identifier: 'u' })).json;
    const [gmail, notion] = instance.config.connection_tool_mappings;
    assert.equal(gmail.connected_account_id, account.connectedAccountId);
    assert.equal(gmail.connected_account_status, 'ACTIVE');
    assert.ok(!('connected_account_id' in notion) && !('connected_account_status' in notion));
  });
});

describe('GET/PATCH/DELETE /api/v1/mcp/instances/{instance_id}', () => {
  test('get returns the instance; unknown is 404', async () => {
    const { instance } = (await ensure({ config_name: 'mail', user_identifier: 'u' })).json;
    assert.deepEqual((await client.call('GET', `/api/v1/mcp/instances/${instance.id}`)).json, { instance });
    const missing = await client.call('GET', '/api/v1/mcp/instances/inst_000000000000000001');
    assert.equal(missing.status, 404);
    assert.equal(errorInfo(missing.json).error_code, 'NOT_FOUND');
  });

  test('patch renames; the URL is stable', async () => {
    const { instance } = (await ensure({ name: 'old', config_name: 'mail', user_identifier: 'u' })).json;
    const res = await client.call('PATCH', `/api/v1/mcp/instances/${instance.id}`, { body: { name: 'new' } });
    assert.equal(res.status, 200);
    assert.equal(res.json.instance.name, 'new');
    assert.equal(res.json.instance.url, instance.url);
    assert.equal(res.json.instance.config.id, mailConfig.id);
    assert.ok(Date.parse(res.json.instance.updated_at) >= Date.parse(instance.updated_at));
  });

  test('patch with config_name moves the instance to that config and its mappings', async () => {
    const { instance } = (await ensure({ config_name: 'mail', user_identifier: 'u' })).json;
    const res = await client.call('PATCH', `/api/v1/mcp/instances/${instance.id}`, { body: { configName: 'chat' } });
    assert.equal(res.status, 200);
    assert.equal(res.json.instance.config.id, chatConfig.id);
    assert.deepEqual(res.json.instance.config.connection_tool_mappings.map((m) => m.connection_name), ['slack']);
    assert.equal(res.json.instance.name, instance.name);
  });

  test('instances follow updates of their config', async () => {
    const { instance } = (await ensure({ config_name: 'mail', user_identifier: 'u' })).json;
    await client.call('PUT', `/api/v1/mcp/configs/${mailConfig.id}`, { body: { connection_tool_mappings: [{ connection_name: 'github' }] } });
    const res = await client.call('GET', `/api/v1/mcp/instances/${instance.id}`);
    assert.deepEqual(res.json.instance.config.connection_tool_mappings.map((m) => m.connection_name), ['github']);
  });

  test('patch errors: unknown config 404, unknown instance 404, unknown field 400, clash 409', async () => {
    const { instance } = (await ensure({ name: 'a', config_name: 'mail', user_identifier: 'u' })).json;
    await ensure({ name: 'b', config_name: 'mail', user_identifier: 'u' });
    assert.equal((await client.call('PATCH', `/api/v1/mcp/instances/${instance.id}`, { body: { config_name: 'nope' } })).status, 404);
    assert.equal((await client.call('PATCH', '/api/v1/mcp/instances/inst_1', { body: { name: 'x' } })).status, 404);
    const unknownField = await client.call('PATCH', `/api/v1/mcp/instances/${instance.id}`, { body: { user_identifier: 'v' } });
    assert.equal(unknownField.status, 400);
    assert.match(unknownField.json.message, /user_identifier/);
    const clash = await client.call('PATCH', `/api/v1/mcp/instances/${instance.id}`, { body: { name: 'b' } });
    assert.equal(clash.status, 409);
    assert.equal(clash.json.code, 6);
  });

  test('delete answers {}; the instance is gone', async () => {
    const { instance } = (await ensure({ config_name: 'mail', user_identifier: 'u' })).json;
    const res = await client.call('DELETE', `/api/v1/mcp/instances/${instance.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, {});
    assert.equal((await client.call('GET', `/api/v1/mcp/instances/${instance.id}`)).status, 404);
    assert.equal((await client.call('DELETE', `/api/v1/mcp/instances/${instance.id}`)).status, 404);
    // Ensuring again creates a new one with a new URL.
    const fresh = (await ensure({ config_name: 'mail', user_identifier: 'u' })).json.instance;
    assert.notEqual(fresh.id, instance.id);
    assert.notEqual(fresh.url, instance.url);
  });
});

describe('GET /api/v1/mcp/instances', () => {
  const list = (query) => client.call('GET', '/api/v1/mcp/instances', { query });

  async function seed() {
    const made = [];
    for (const user of ['ann', 'bob', 'cat', 'dan', 'eve']) {
      for (const config_name of ['mail', 'chat']) {
        made.push((await ensure({ name: `${config_name}-for-${user}`, config_name, user_identifier: `${user}@corp.com` })).json.instance);
      }
    }
    return made;
  }

  test('pages in creation order across 4 pages', async () => {
    const made = await seed();
    const pages = [];
    let token = '';
    do {
      const res = await list({ page_size: '3', ...(token && { page_token: token }) });
      assert.equal(res.json.total_size, 10);
      pages.push(res.json);
      token = res.json.next_page_token;
    } while (token);
    assert.deepEqual(pages.map((p) => p.instances.length), [3, 3, 3, 1]);
    assert.deepEqual(pages.flatMap((p) => p.instances.map((i) => i.id)), made.map((i) => i.id));
    assert.equal(pages[0].prev_page_token, '');
    assert.notEqual(pages[1].prev_page_token, '');
  });

  test('filters: config_name, user_identifier, name, id (exact)', async () => {
    const made = await seed();
    const chat = await list({ 'filter.config_name': 'chat' });
    assert.equal(chat.json.total_size, 5);
    assert.ok(chat.json.instances.every((i) => i.config.name === 'chat'));
    const bob = await list({ 'filter.user_identifier': 'bob@corp.com' });
    assert.deepEqual(bob.json.instances.map((i) => i.name), ['mail-for-bob', 'chat-for-bob']);
    assert.equal((await list({ 'filter.user_identifier': 'BOB@corp.com' })).json.total_size, 0);
    assert.equal((await list({ 'filter.name': 'mail-for-cat' })).json.instances[0].user_identifier, 'cat@corp.com');
    assert.equal((await list({ 'filter.id': made[3].id })).json.instances[0].id, made[3].id);
    const combined = await list({ 'filter.configName': 'mail', 'filter.userIdentifier': 'eve@corp.com' });
    assert.deepEqual(combined.json.instances.map((i) => i.name), ['mail-for-eve']);
  });

  test('search matches name or user identifier, case-insensitively, with paging', async () => {
    await seed();
    const byUser = await list({ search: 'DAN@' });
    assert.deepEqual(byUser.json.instances.map((i) => i.name), ['mail-for-dan', 'chat-for-dan']);
    const byName = await list({ search: 'CHAT-', page_size: '2' });
    assert.equal(byName.json.total_size, 5);
    const next = await list({ search: 'CHAT-', page_size: '2', page_token: byName.json.next_page_token });
    assert.deepEqual(next.json.instances.map((i) => i.name), ['chat-for-cat', 'chat-for-dan']);
  });

  test('page_size over 30 is 400; a token of another search is 400', async () => {
    await seed();
    const res = await list({ page_size: '31' });
    assert.equal(res.status, 400);
    assert.equal(errorInfo(res.json).validation_error_info.field_violations[0].field, 'page_size');
    const first = await list({ page_size: '2' });
    const mismatch = await list({ page_size: '2', search: 'x', page_token: first.json.next_page_token });
    assert.equal(mismatch.status, 400);
    assert.equal(errorInfo(mismatch.json).validation_error_info.field_violations[0].field, 'page_token');
  });
});

describe('POST /api/v1/mcp/instances/{instance_id}:get_auth_state', () => {
  let instance;
  beforeEach(async () => {
    instance = (await ensure({ config_name: 'mail', user_identifier: 'zoe' })).json.instance;
  });
  const authState = (query, body) =>
    client.call('POST', `/api/v1/mcp/instances/${instance.id}:get_auth_state`, { query, body });

  test('without links: every field present, "" where there is no account, nothing created', async () => {
    const res = await authState();
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.connections, [
      { connection_id: mailConfig.connection_tool_mappings[0].connection_id, connection_name: 'gmail', provider: 'GMAIL', connected_account_id: '', connected_account_status: '', authentication_link: '' },
      { connection_id: mailConfig.connection_tool_mappings[1].connection_id, connection_name: 'notion', provider: 'NOTION', connected_account_id: '', connected_account_status: '', authentication_link: '' },
    ]);
    assert.deepEqual(emulator.accounts(), []);
  });

  test('include_auth_links comes from the query string; the body is ignored', async () => {
    const ignored = await authState(undefined, { include_auth_links: true });
    assert.equal(ignored.json.connections[0].authentication_link, '');
    for (const value of ['true', '1']) {
      const res = await authState({ include_auth_links: value });
      assert.equal(res.status, 200);
      for (const c of res.json.connections) {
        assert.equal(c.connected_account_status, 'PENDING_AUTH');
        assert.match(c.connected_account_id, /^ca_/);
        assert.match(c.authentication_link, /\/_emulator\/authorize\//);
      }
    }
    const camel = await authState({ includeAuthLinks: 'true' });
    assert.notEqual(camel.json.connections[0].authentication_link, '');
    const off = await authState({ include_auth_links: 'false' });
    assert.equal(off.json.connections[0].authentication_link, '');
    assert.equal(off.json.connections[0].connected_account_status, 'PENDING_AUTH');
  });

  test('opening a link from it activates the account for the instance user', async () => {
    const res = await authState({ include_auth_links: 'true' });
    await fetch(res.json.connections[1].authentication_link);
    const after = await authState();
    assert.deepEqual(after.json.connections.map((c) => c.connected_account_status), ['PENDING_AUTH', 'ACTIVE']);
    const inst = (await client.call('GET', `/api/v1/mcp/instances/${instance.id}`)).json.instance;
    assert.equal(inst.config.connection_tool_mappings[1].connected_account_status, 'ACTIVE');
  });

  test('a bad boolean is 400; an unknown instance is 404; GET on the verb is not this route', async () => {
    const bad = await authState({ include_auth_links: 'yes' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 3);
    const unknown = await client.call('POST', '/api/v1/mcp/instances/inst_404:get_auth_state');
    assert.equal(unknown.status, 404);
    assert.equal(errorInfo(unknown.json).error_code, 'NOT_FOUND');
    const get = await client.call('GET', `/api/v1/mcp/instances/${instance.id}:get_auth_state`);
    assert.equal(get.status, 404, 'read as GET of an instance whose id ends in ":get_auth_state"');
  });
});
