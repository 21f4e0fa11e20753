// MCP configs: create, get, list (filters, search, pagination), update, delete, and every
// validation rule of McpConfig / ListMcpConfigsRequest.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errorInfo, ERROR_INFO, servedEmulator } from './helpers.mjs';

let emulator;
let client;
servedEmulator((started) => ({ emulator, client } = started));

const CONFIG_ID = /^cfg_\d{18}$/;
const SERVER_URL = /^http:\/\/127\.0\.0\.1:\d+\/mcp\/v3\/servers\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Asserts a 400 validation error naming `field` with `constraint`. */
function assertViolation(res, field, constraint) {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json.code, 3);
  const info = errorInfo(res.json);
  assert.equal(info.error_code, 'INVALID_ARGUMENT');
  const violations = info.validation_error_info.field_violations;
  const match = violations.find((v) => v.field === field && v.constraint === constraint);
  assert.ok(match, `expected ${field}/${constraint} in ${JSON.stringify(violations)}`);
  assert.match(match.description, /\S/);
  return violations;
}

describe('POST /api/v1/mcp/configs', () => {
  test('creates a config with every field populated the way the gateway writes it', async () => {
    const res = await client.call('POST', '/api/v1/mcp/configs', {
      body: {
        name: 'email-calendar-agent',
        description: 'Summarizes mail',
        connection_tool_mappings: [
          { connection_name: 'gmail', tools: ['gmail_fetch_mails'] },
          { connection_name: 'googlecalendar', tools: [] },
        ],
      },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const { config } = res.json;
    assert.deepEqual(Object.keys(config), ['id', 'name', 'description', 'connection_tool_mappings', 'mcp_server_url']);
    assert.match(config.id, CONFIG_ID);
    assert.match(config.mcp_server_url, SERVER_URL);
    assert.ok(config.mcp_server_url.startsWith(emulator.url));
    assert.deepEqual(config.connection_tool_mappings, [
      { connection_id: config.connection_tool_mappings[0].connection_id, connection_name: 'gmail', provider: 'GMAIL', tools: ['gmail_fetch_mails'] },
      { connection_id: config.connection_tool_mappings[1].connection_id, connection_name: 'googlecalendar', provider: 'GOOGLE_CALENDAR', tools: [] },
    ]);
    assert.match(config.connection_tool_mappings[0].connection_id, /^conn_\d+$/);
    // No connected-account fields outside the instance context.
    assert.ok(!('connected_account_id' in config.connection_tool_mappings[0]));
  });

  test('accepts lowerCamelCase names and ignores output-only fields', async () => {
    const res = await client.call('POST', '/api/v1/mcp/configs', {
      body: {
        id: 'cfg_ignored',
        name: 'camel',
        mcpServerUrl: 'http://ignored',
        connectionToolMappings: [{ connectionName: 'MY_GMAIL', connectionId: 'x', provider: 'y', tools: ['gmail_send_mail'] }],
      },
    });
    assert.equal(res.status, 200, res.text);
    const { config } = res.json;
    assert.notEqual(config.id, 'cfg_ignored');
    assert.notEqual(config.mcp_server_url, 'http://ignored');
    assert.equal(config.description, '');
    assert.equal(config.connection_tool_mappings[0].provider, 'GMAIL');
    assert.deepEqual(config.connection_tool_mappings[0].tools, ['gmail_send_mail']);
  });

  test('a config without mappings is allowed', async () => {
    const config = await client.createConfig({ name: 'empty' });
    assert.deepEqual(config.connection_tool_mappings, []);
    assert.equal(config.description, '');
  });

  test('a duplicate name is 409 ALREADY_EXISTS', async () => {
    await client.createConfig({ name: 'dup' });
    const res = await client.call('POST', '/api/v1/mcp/configs', { body: { name: 'dup' } });
    assert.equal(res.status, 409);
    assert.equal(res.json.code, 6);
    assert.equal(errorInfo(res.json).error_code, 'ALREADY_EXISTS');
    assert.match(res.json.message, /dup/);
  });

  describe('validation', () => {
    const create = (body) => client.call('POST', '/api/v1/mcp/configs', { body });

    test('name is required', async () => {
      const res = await create({ description: 'no name' });
      assert.equal(res.json.message, 'Validation error');
      const violations = assertViolation(res, 'name', 'required');
      assert.equal(violations.length, 1, 'a required field reports only "required"');
    });

    test('name must match ^[a-z0-9_-]+$', async () => {
      for (const name of ['Upper', 'has space', 'dot.name', 'ümlaut']) {
        assertViolation(await create({ name }), 'name', 'string.pattern');
      }
      assert.equal((await create({ name: 'ok_name-1' })).status, 200);
    });

    test('name is at most 100 characters', async () => {
      assertViolation(await create({ name: 'a'.repeat(101) }), 'name', 'string.max_len');
      assert.equal((await create({ name: 'a'.repeat(100) })).status, 200);
    });

    test('at most 25 mappings', async () => {
      const mappings = Array.from({ length: 26 }, () => ({ connection_name: 'gmail' }));
      assertViolation(await create({ name: 'many', connection_tool_mappings: mappings }), 'connection_tool_mappings', 'repeated.max_items');
    });

    test('connection_name is required in every mapping', async () => {
      const res = await create({ name: 'm', connection_tool_mappings: [{ connection_name: 'gmail' }, { tools: ['x'] }] });
      assertViolation(res, 'connection_tool_mappings[1].connection_name', 'required');
    });

    test('all violations are reported together', async () => {
      const res = await create({ name: 'BAD NAME', connection_tool_mappings: [{ tools: [] }] });
      const violations = assertViolation(res, 'name', 'string.pattern');
      assert.ok(violations.some((v) => v.field === 'connection_tool_mappings[0].connection_name'));
    });

    test('an unknown connection is 400 naming the mapping', async () => {
      const res = await create({ name: 'x', connection_tool_mappings: [{ connection_name: 'gmail' }, { connection_name: 'nope' }] });
      assertViolation(res, 'connection_tool_mappings[1].connection_name', 'connection.exists');
      assert.match(res.json.message, /nope/);
      // Nothing was created.
      assert.equal((await client.call('GET', '/api/v1/mcp/configs')).json.total_size, 0);
    });

    test('connection names are case-sensitive', async () => {
      assertViolation(await create({ name: 'x', connection_tool_mappings: [{ connection_name: 'GMAIL' }] }), 'connection_tool_mappings[0].connection_name', 'connection.exists');
    });

    test('a tool the connection does not have is 400 naming the tool', async () => {
      const res = await create({ name: 'x', connection_tool_mappings: [{ connection_name: 'slack', tools: ['slack_send_message', 'gmail_send_mail'] }] });
      assertViolation(res, 'connection_tool_mappings[0].tools[1]', 'tool.exists');
      assert.match(res.json.message, /gmail_send_mail/);
    });

    test('the same connection mapped twice is 400', async () => {
      const res = await create({ name: 'x', connection_tool_mappings: [{ connection_name: 'gmail' }, { connection_name: 'gmail' }] });
      assertViolation(res, 'connection_tool_mappings[1].connection_name', 'connection.unique');
    });
  });
});

describe('GET/PUT/DELETE /api/v1/mcp/configs/{config_id}', () => {
  test('get returns the stored config', async () => {
    const created = await client.createConfig({ name: 'one', description: 'd', connection_tool_mappings: [{ connection_name: 'notion' }] });
    const res = await client.call('GET', `/api/v1/mcp/configs/${created.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { config: created });
  });

  test('an unknown id is 404 NOT_FOUND', async () => {
    const res = await client.call('GET', '/api/v1/mcp/configs/cfg_000000000000000000');
    assert.equal(res.status, 404);
    assert.equal(res.json.code, 5);
    assert.equal(errorInfo(res.json).error_code, 'NOT_FOUND');
    assert.equal(res.json.details[0]['@type'], ERROR_INFO);
  });

  test('path segments are percent-decoded once', async () => {
    const created = await client.createConfig({ name: 'enc' });
    const encoded = created.id.replace('_', '%5F');
    assert.equal((await client.call('GET', `/api/v1/mcp/configs/${encoded}`)).json.config.id, created.id);
    const slash = await client.call('GET', '/api/v1/mcp/configs/a%2Fb');
    assert.equal(slash.status, 404);
    assert.match(slash.json.message, /a\/b/);
    assert.equal(errorInfo(slash.json).error_code, 'NOT_FOUND');
  });

  test('an empty id segment is a validation error on config_id', async () => {
    assertViolation(await client.call('GET', '/api/v1/mcp/configs/'), 'config_id', 'required');
  });

  test('put replaces description and mappings; the mcp_server_url is stable', async () => {
    const created = await client.createConfig({ name: 'upd', description: 'old', connection_tool_mappings: [{ connection_name: 'gmail' }] });
    const res = await client.call('PUT', `/api/v1/mcp/configs/${created.id}`, {
      body: { description: 'new', connection_tool_mappings: [{ connection_name: 'slack', tools: ['slack_send_message'] }] },
    });
    assert.equal(res.status, 200);
    const { config } = res.json;
    assert.equal(config.id, created.id);
    assert.equal(config.name, 'upd');
    assert.equal(config.description, 'new');
    assert.equal(config.mcp_server_url, created.mcp_server_url);
    assert.deepEqual(config.connection_tool_mappings.map((m) => [m.connection_name, m.tools]), [['slack', ['slack_send_message']]]);
    assert.deepEqual((await client.call('GET', `/api/v1/mcp/configs/${created.id}`)).json.config, config);
  });

  test('put with absent fields or an empty mapping list leaves them unchanged', async () => {
    const created = await client.createConfig({ name: 'keep', description: 'stay', connection_tool_mappings: [{ connection_name: 'github' }] });
    const a = await client.call('PUT', `/api/v1/mcp/configs/${created.id}`, { body: {} });
    assert.deepEqual(a.json.config, created);
    const b = await client.call('PUT', `/api/v1/mcp/configs/${created.id}`, { body: { description: 'changed', connection_tool_mappings: [] } });
    assert.equal(b.json.config.description, 'changed');
    assert.deepEqual(b.json.config.connection_tool_mappings, created.connection_tool_mappings);
    const c = await client.call('PUT', `/api/v1/mcp/configs/${created.id}`, { body: { connectionToolMappings: [{ connectionName: 'notion' }] } });
    assert.equal(c.json.config.description, 'changed');
    assert.equal(c.json.config.connection_tool_mappings[0].connection_name, 'notion');
  });

  test('the name is immutable: sending it is an unknown-field 400', async () => {
    const created = await client.createConfig({ name: 'fixed' });
    const res = await client.call('PUT', `/api/v1/mcp/configs/${created.id}`, { body: { name: 'renamed' } });
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 3);
    assert.match(res.json.message, /unknown field "name"/);
    assert.equal((await client.call('GET', `/api/v1/mcp/configs/${created.id}`)).json.config.name, 'fixed');
  });

  test('put validates mappings and unknown ids', async () => {
    const created = await client.createConfig({ name: 'v' });
    const many = Array.from({ length: 26 }, () => ({ connection_name: 'gmail' }));
    assertViolation(await client.call('PUT', `/api/v1/mcp/configs/${created.id}`, { body: { connection_tool_mappings: many } }), 'connection_tool_mappings', 'repeated.max_items');
    assertViolation(
      await client.call('PUT', `/api/v1/mcp/configs/${created.id}`, { body: { connection_tool_mappings: [{ connection_name: 'gmail', tools: ['nope'] }] } }),
      'connection_tool_mappings[0].tools[0]',
      'tool.exists',
    );
    assert.equal((await client.call('PUT', '/api/v1/mcp/configs/cfg_404', { body: { description: 'x' } })).status, 404);
  });

  test('delete answers {} and removes the config and its instances', async () => {
    const created = await client.createConfig({ name: 'gone', connection_tool_mappings: [{ connection_name: 'gmail' }] });
    const other = await client.createConfig({ name: 'stays' });
    const inst = await client.call('POST', '/api/v1/mcp/instances', { body: { config_name: 'gone', user_identifier: 'u1' } });
    const kept = await client.call('POST', '/api/v1/mcp/instances', { body: { config_name: 'stays', user_identifier: 'u1' } });
    const res = await client.call('DELETE', `/api/v1/mcp/configs/${created.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, {});
    assert.equal((await client.call('GET', `/api/v1/mcp/configs/${created.id}`)).status, 404);
    assert.equal((await client.call('GET', `/api/v1/mcp/instances/${inst.json.instance.id}`)).status, 404);
    assert.equal((await client.call('GET', `/api/v1/mcp/instances/${kept.json.instance.id}`)).status, 200);
    assert.equal((await client.call('GET', `/api/v1/mcp/configs/${other.id}`)).status, 200);
    assert.equal((await client.call('DELETE', `/api/v1/mcp/configs/${created.id}`)).status, 404);
  });

  test('the name of a deleted config can be reused', async () => {
    const a = await client.createConfig({ name: 'again' });
    await client.call('DELETE', `/api/v1/mcp/configs/${a.id}`);
    const b = await client.createConfig({ name: 'again' });
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.mcp_server_url, b.mcp_server_url);
  });
});

describe('GET /api/v1/mcp/configs', () => {
  const list = (query) => client.call('GET', '/api/v1/mcp/configs', { query });

  async function seed(n) {
    const made = [];
    for (let i = 0; i < n; i++) {
      made.push(
        await client.createConfig({
          name: `cfg-${String(i).padStart(2, '0')}${i % 2 ? '-mail' : '-chat'}`,
          connection_tool_mappings: [{ connection_name: i % 2 ? 'gmail' : 'slack' }],
        }),
      );
    }
    return made;
  }

  test('an empty list has every field', async () => {
    const res = await list();
    assert.deepEqual(res.json, { configs: [], next_page_token: '', prev_page_token: '', total_size: 0 });
  });

  test('default page size is 10, order is creation order', async () => {
    const made = await seed(12);
    const res = await list();
    assert.equal(res.json.configs.length, 10);
    assert.deepEqual(res.json.configs.map((c) => c.id), made.slice(0, 10).map((c) => c.id));
    assert.equal(res.json.total_size, 12);
    assert.notEqual(res.json.next_page_token, '');
    assert.equal(res.json.prev_page_token, '');
  });

  test('pages forward and back across 3+ pages', async () => {
    const made = await seed(7);
    const seen = [];
    let token = '';
    const tokens = [];
    do {
      const res = await list({ page_size: '3', ...(token && { page_token: token }) });
      assert.equal(res.status, 200);
      assert.equal(res.json.total_size, 7);
      seen.push(...res.json.configs.map((c) => c.id));
      tokens.push(res.json);
      token = res.json.next_page_token;
    } while (token);
    assert.equal(tokens.length, 3);
    assert.deepEqual(seen, made.map((c) => c.id));
    assert.equal(tokens[0].prev_page_token, '');
    assert.equal(tokens[2].next_page_token, '');
    assert.deepEqual(tokens.map((p) => p.configs.length), [3, 3, 1]);
    // prev of the last page leads back to the middle page.
    const back = await list({ page_size: '3', page_token: tokens[2].prev_page_token });
    assert.deepEqual(back.json.configs.map((c) => c.id), made.slice(3, 6).map((c) => c.id));
  });

  test('camelCase query names work too', async () => {
    await seed(4);
    const res = await list({ pageSize: '2' });
    assert.equal(res.json.configs.length, 2);
    const next = await list({ pageSize: '2', pageToken: res.json.next_page_token });
    assert.equal(next.json.configs.length, 2);
    assert.equal(next.json.next_page_token, '');
  });

  test('filter.name is a case-insensitive exact match', async () => {
    const made = await seed(3);
    const res = await list({ 'filter.name': made[1].name.toUpperCase() });
    assert.deepEqual(res.json.configs.map((c) => c.id), [made[1].id]);
    assert.equal(res.json.total_size, 1);
    assert.equal((await list({ 'filter.name': 'cfg' })).json.total_size, 0, 'not a prefix match');
  });

  test('filter.id, filter.provider and filter.mcp_server_url', async () => {
    const made = await seed(5);
    assert.deepEqual((await list({ 'filter.id': made[2].id })).json.configs.map((c) => c.name), [made[2].name]);
    const gmail = await list({ 'filter.provider': 'gmail' });
    assert.deepEqual(gmail.json.configs.map((c) => c.id), [made[1].id, made[3].id]);
    const byUrl = await list({ 'filter.mcp_server_url': made[4].mcp_server_url });
    assert.deepEqual(byUrl.json.configs.map((c) => c.id), [made[4].id]);
    const byOtherHost = await list({ 'filter.mcp_server_url': `https://env.scalekit.dev/mcp/v3/servers/${made[0].mcp_server_url.split('/').pop()}` });
    assert.deepEqual(byOtherHost.json.configs.map((c) => c.id), [made[0].id], 'matched by the UUID only');
    assert.equal((await list({ 'filter.mcp_server_url': 'https://x/mcp/v3/servers/nope' })).json.total_size, 0);
  });

  test('search is a case-insensitive substring of the name, combined with filters and paging', async () => {
    const made = await seed(9);
    const mail = made.filter((c) => c.name.endsWith('-mail'));
    const first = await list({ search: 'MAIL', page_size: '3' });
    assert.equal(first.json.total_size, mail.length);
    assert.deepEqual(first.json.configs.map((c) => c.id), mail.slice(0, 3).map((c) => c.id));
    const second = await list({ search: 'MAIL', page_size: '3', page_token: first.json.next_page_token });
    assert.deepEqual(second.json.configs.map((c) => c.id), mail.slice(3).map((c) => c.id));
    assert.equal(second.json.next_page_token, '');
    assert.equal((await list({ search: 'chat', 'filter.provider': 'GMAIL' })).json.total_size, 0);
  });

  test('a page token from another filter or garbage is 400 on page_token', async () => {
    await seed(4);
    const res = await list({ page_size: '2' });
    assertViolation(await list({ page_size: '2', search: 'x', page_token: res.json.next_page_token }), 'page_token', 'page_token.valid');
    assertViolation(await list({ page_token: 'garbage' }), 'page_token', 'page_token.valid');
  });

  test('page_size over 30 is a validation error; 30 is fine', async () => {
    assertViolation(await list({ page_size: '31' }), 'page_size', 'uint32.lte');
    assert.equal((await list({ page_size: '30' })).status, 200);
  });

  test('page_size that is not a uint32 is 400', async () => {
    for (const bad of ['-1', 'ten', '1.5']) {
      const res = await list({ page_size: bad });
      assert.equal(res.status, 400, bad);
      assert.equal(res.json.code, 3);
    }
  });

  test('filter.name rules: at most 100 characters of [a-zA-Z0-9_-]', async () => {
    assertViolation(await list({ 'filter.name': 'a'.repeat(101) }), 'filter.name', 'string.max_len');
    assertViolation(await list({ 'filter.name': 'has space' }), 'filter.name', 'string.pattern');
    assert.equal((await list({ 'filter.name': 'Mixed_Case-1' })).status, 200);
  });

  test('unknown query parameters are ignored', async () => {
    await seed(1);
    assert.equal((await list({ foo: 'bar', 'filter.nope': 'x' })).json.total_size, 1);
  });
});
