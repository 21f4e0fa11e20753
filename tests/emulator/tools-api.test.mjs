// GET /api/v1/tools (scalekit.v1.tools ListTools): the catalogue's tools and accounts' custom
// tools, every filter, paging (defaults, the 1000 cap, search pages of 100, page tokens both
// ways), the descriptor's validation 400s, 401, 404, summary mode, fixtures, and the same tools as
// MCP's tools/list shows them.

import assert from 'node:assert/strict';
import { before, beforeEach, describe, test } from 'node:test';
import { startEmulator } from '../../js/emulator/index.mjs';
import { Client, errorInfo, start, servedEmulator } from './helpers.mjs';
import { opened } from './mcp-helpers.mjs';

const CONNECTIONS = ['gmail', 'googlecalendar', 'MY_GMAIL', 'MY_CALENDAR', 'slack', 'github', 'notion', 'acme_mcp'];
const GMAIL = ['gmail_fetch_mails', 'gmail_get_message_by_id', 'gmail_search', 'gmail_list_drafts', 'gmail_send_mail', 'gmail_create_draft'];
const TOOL_KEYS = ['id', 'provider', 'definition', 'metadata', 'tags', 'is_default', 'updated_at'];
const ANSWER_KEYS = ['next_page_token', 'total_size', 'prev_page_token', 'tool_names', 'tools'];

const ORDER_LOOKUP = {
  name: 'acme_lookup_order',
  title: 'Look up an order',
  description: 'Find an order of the Acme shop by its number.',
  readOnly: true,
  inputSchema: { type: 'object', properties: { order_id: { type: 'string', description: 'Order number' } }, required: ['order_id'], additionalProperties: false },
  tags: ['orders'],
  metadata: { source: 'acme' },
};
const ORDER_REFUND = {
  name: 'acme_refund_order',
  description: 'Refund an order.',
  annotations: { destructiveHint: true, idempotentHint: true },
  inputSchema: { type: 'object', properties: { order_id: { type: 'string' }, amount: { type: 'number', minimum: 0 } }, required: ['order_id'] },
};

let emulator;
let client;
servedEmulator((started) => ({ emulator, client } = started));

/** GET /api/v1/tools with query parameters (an object, or [name, value] pairs for repeated ones). */
const list = (query, o = {}) => client.call('GET', '/api/v1/tools', { query, ...o });

async function ok(query) {
  const res = await list(query);
  assert.equal(res.status, 200, res.text);
  return res.json;
}

const names = async (query) => (await ok(query)).tool_names;

/** Every tool of the catalogue, one per provider and name, in catalogue order. */
function providerTools() {
  const seen = new Set();
  const out = [];
  for (const name of CONNECTIONS) {
    const { provider, tools } = catalogueConnection(name);
    for (const tool of tools) {
      if (seen.has(`${provider}/${tool.name}`)) continue;
      seen.add(`${provider}/${tool.name}`);
      out.push({ provider, tool });
    }
  }
  return out;
}

let catalogue;
const catalogueConnection = (name) => catalogue.connections.find((c) => c.name === name);
before(async () => {
  const { readFile } = await import('node:fs/promises');
  catalogue = JSON.parse(await readFile(new URL('../../js/emulator/catalogue.json', import.meta.url), 'utf8'));
});

function assertViolations(res, expected, message = 'Validation error') {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json.code, 3);
  assert.equal(res.json.message, message);
  const info = errorInfo(res.json);
  assert.equal(info.error_code, 'INVALID_ARGUMENT');
  assert.deepEqual(info.validation_error_info.field_violations.map((v) => [v.field, v.constraint]), expected);
}

function assertNotFound(res, pattern) {
  assert.equal(res.status, 404, res.text);
  assert.equal(res.json.code, 5);
  assert.equal(errorInfo(res.json).error_code, 'NOT_FOUND');
  if (pattern) assert.match(res.json.message, pattern);
}

describe('the catalogue listing', () => {
  test('every tool once per provider, in catalogue order, as Tool messages', async () => {
    const expected = providerTools();
    const body = await ok();
    assert.deepEqual(Object.keys(body), ANSWER_KEYS);
    assert.equal(body.total_size, expected.length);
    assert.equal(body.total_size, 27, 'gmail and MY_GMAIL (and the two calendars) share their tools');
    assert.equal(body.next_page_token, '');
    assert.equal(body.prev_page_token, '');
    assert.deepEqual(body.tool_names, expected.map((t) => t.tool.name));
    assert.deepEqual(body.tools.map((t) => t.definition.name), body.tool_names);
    body.tools.forEach((tool, i) => {
      const source = expected[i];
      assert.deepEqual(Object.keys(tool), TOOL_KEYS);
      assert.match(tool.id, /^tol_\d{18}$/);
      assert.equal(tool.provider, source.provider);
      assert.deepEqual(tool.definition, {
        annotations: {
          destructive_hint: source.tool.annotations.destructiveHint,
          idempotent_hint: source.tool.annotations.idempotentHint,
          open_world_hint: source.tool.annotations.openWorldHint,
          read_only_hint: source.tool.readOnly,
          title: source.tool.title,
        },
        description: source.tool.description,
        input_schema: source.tool.inputSchema,
        name: source.tool.name,
      });
      assert.deepEqual(Object.keys(tool.definition), ['annotations', 'description', 'input_schema', 'name'], 'a Struct: keys sorted');
      assert.deepEqual(tool.metadata, source.tool.metadata);
      assert.deepEqual(tool.tags, source.tool.tags);
      assert.equal(tool.is_default, true);
      assert.equal(tool.updated_at, '2026-01-01T00:00:00Z');
    });
    assert.equal(new Set(body.tools.map((t) => t.id)).size, body.tools.length, 'ids are unique');
  });

  test('every catalogue tool has a title, all four hints, tags and an object input schema', async () => {
    for (const tool of (await ok()).tools) {
      const { annotations, input_schema: schema } = tool.definition;
      assert.ok(annotations.title.length > 0, tool.definition.name);
      for (const hint of ['read_only_hint', 'destructive_hint', 'idempotent_hint', 'open_world_hint']) {
        assert.equal(typeof annotations[hint], 'boolean', `${tool.definition.name} ${hint}`);
      }
      if (annotations.read_only_hint) assert.equal(annotations.destructive_hint, false, tool.definition.name);
      assert.equal(schema.type, 'object');
      assert.ok(tool.tags.length > 0);
    }
  });

  test('ids stay the same across listings and emulators', async () => {
    const first = (await ok()).tools.map((t) => t.id);
    const other = await start();
    try {
      await other.client.login();
      const res = await other.client.call('GET', '/api/v1/tools');
      assert.deepEqual(res.json.tools.map((t) => t.id), first);
    } finally {
      await other.emulator.close();
    }
  });

  test('the same tools as MCP tools/list: names, descriptions, schemas and annotations', async () => {
    await client.createConfig({ name: 'everything', connection_tool_mappings: CONNECTIONS.map((connection_name) => ({ connection_name })) });
    const res = await client.call('POST', '/api/v1/mcp/instances', { body: { config_name: 'everything', user_identifier: 'alice' } });
    const mcp = await opened(res.json.instance.url);
    const { tools: mcpTools } = (await mcp.request('tools/list', {})).json.result;
    const { tools } = await ok();
    assert.deepEqual(mcpTools.map((t) => t.name), tools.map((t) => t.definition.name));
    mcpTools.forEach((m, i) => {
      const d = tools[i].definition;
      assert.equal(m.description, d.description);
      assert.deepEqual(m.inputSchema, d.input_schema);
      assert.equal(m.title, d.annotations.title);
      assert.deepEqual(m.annotations, {
        title: d.annotations.title,
        readOnlyHint: d.annotations.read_only_hint,
        destructiveHint: d.annotations.destructive_hint,
        idempotentHint: d.annotations.idempotent_hint,
        openWorldHint: d.annotations.open_world_hint,
      });
    });
  });
});

describe('filters', () => {
  test('filter.provider: case-insensitive; unknown or tool-less providers list nothing', async () => {
    assert.deepEqual(await names({ 'filter.provider': 'GMAIL' }), GMAIL);
    assert.deepEqual(await names({ 'filter.provider': 'gmail' }), GMAIL);
    const calendar = await ok({ 'filter.provider': 'GOOGLE_CALENDAR' });
    assert.equal(calendar.total_size, 6);
    assert.ok(calendar.tools.every((t) => t.provider === 'GOOGLE_CALENDAR'));
    for (const provider of ['JIRA', 'MCP', 'GMAI']) {
      const body = await ok({ 'filter.provider': provider });
      assert.deepEqual([body.tools, body.tool_names, body.total_size], [[], [], 0], provider);
    }
  });

  test('filter.tool_name: repeated exact names, in catalogue order; camelCase works too', async () => {
    assert.deepEqual(
      await names([['filter.tool_name', 'slack_send_message'], ['filter.tool_name', 'gmail_search'], ['filter.tool_name', 'nope']]),
      ['gmail_search', 'slack_send_message'],
    );
    assert.deepEqual(await names({ 'filter.toolName': 'notion_search' }), ['notion_search']);
    assert.deepEqual(await names({ 'filter.tool_name': 'GMAIL_SEARCH' }), [], 'exact, case-sensitive');
    assert.deepEqual(await names({ 'filter.tool_name': 'gmail_search', 'filter.provider': 'SLACK' }), [], 'filters combine');
  });

  test('filter.query: every space- or underscore-separated token in the name, case-insensitive', async () => {
    assert.deepEqual(await names({ 'filter.query': 'gmail get' }), ['gmail_get_message_by_id']);
    assert.deepEqual(await names({ 'filter.query': 'gmail_get_message_by_id' }), ['gmail_get_message_by_id']);
    assert.deepEqual(await names({ 'filter.query': 'BY ID get' }), ['gmail_get_message_by_id', 'googlecalendar_get_event_by_id']);
    assert.deepEqual(await names({ 'filter.query': 'id_get_by' }), ['gmail_get_message_by_id', 'googlecalendar_get_event_by_id']);
    assert.deepEqual(await names({ 'filter.query': 'gmail get attachment' }), []);
    assert.deepEqual(await names({ 'filter.query': 'create', 'filter.provider': 'GITHUB' }), ['github_create_issue', 'github_create_pull_request']);
    assert.deepEqual(await names({ 'filter.query': 'cal list' }), ['googlecalendar_list_events', 'googlecalendar_list_calendars']);
  });

  test('filter.connector alone: the connection\'s tools; an unknown connection is 404', async () => {
    assert.deepEqual(await names({ 'filter.connector': 'MY_GMAIL' }), GMAIL);
    assert.deepEqual(await names({ 'filter.connector': 'acme_mcp' }), [], 'a custom MCP connector has no tools of its own');
    assertNotFound(await list({ 'filter.connector': 'My Gmail' }), /connection "My Gmail" not found/);
  });

  test('filter.organization_id / filter.user_id without an account lookup change nothing', async () => {
    assert.equal((await ok({ 'filter.organization_id': 'org_1', 'filter.user_id': 'usr_1' })).total_size, 27);
  });

  test('unknown query parameters are ignored', async () => {
    assert.equal((await ok({ foo: 'bar', 'filter.nope': 'x' })).total_size, 27);
  });
});

describe('connected accounts and their custom tools', () => {
  beforeEach(() => {
    emulator.setAccountTools({ connectionName: 'acme_mcp', identifier: 'alice', tools: [ORDER_LOOKUP, ORDER_REFUND] });
  });

  test('connector + identifier: the account\'s custom tools, listed after the connection\'s own', async () => {
    const body = await ok({ 'filter.connector': 'acme_mcp', 'filter.identifier': 'alice' });
    assert.deepEqual(body.tool_names, ['acme_lookup_order', 'acme_refund_order']);
    assert.equal(body.total_size, 2);
    const [lookup, refund] = body.tools;
    assert.deepEqual(Object.keys(lookup), TOOL_KEYS);
    assert.match(lookup.id, /^tol_\d{18}$/);
    assert.notEqual(lookup.id, refund.id);
    assert.equal(lookup.provider, 'MCP');
    assert.deepEqual(lookup.definition, {
      annotations: { destructive_hint: false, idempotent_hint: true, open_world_hint: true, read_only_hint: true, title: 'Look up an order' },
      description: ORDER_LOOKUP.description,
      input_schema: ORDER_LOOKUP.inputSchema,
      name: 'acme_lookup_order',
    });
    assert.deepEqual(lookup.tags, ['orders']);
    assert.deepEqual(lookup.metadata, { source: 'acme' });
    assert.equal(lookup.is_default, true);
    assert.deepEqual(refund.definition.annotations, {
      destructive_hint: true,
      idempotent_hint: true,
      open_world_hint: true,
      read_only_hint: false,
      title: 'Acme refund order',
    });
    assert.deepEqual([refund.tags, refund.metadata], [[], {}]);

    emulator.setAccountStatus({ connectionName: 'gmail', identifier: 'alice', status: 'EXPIRED' });
    emulator.setAccountTools({ connectionName: 'gmail', identifier: 'alice', tools: [{ name: 'gmail_label_stats', readOnly: true }] });
    assert.deepEqual(await names({ 'filter.connector': 'gmail', 'filter.identifier': 'alice' }), [...GMAIL, 'gmail_label_stats']);
    assert.equal(emulator.accounts().find((a) => a.connectionName === 'gmail').status, 'EXPIRED', 'setAccountTools keeps the status');
  });

  test('custom tools appear only when the account is named', async () => {
    assert.ok(!(await names()).includes('acme_lookup_order'));
    assert.ok(!(await names({ 'filter.provider': 'MCP' })).includes('acme_lookup_order'));
    assert.deepEqual(await names({ 'filter.connector': 'acme_mcp' }), []);
    assert.deepEqual(await names({ 'filter.tool_name': 'acme_lookup_order' }), []);
  });

  test('no account for connector + identifier: 404; one on another connection does not count', async () => {
    assertNotFound(await list({ 'filter.connector': 'acme_mcp', 'filter.identifier': 'bob' }), /no connected account matches connector "acme_mcp", identifier "bob"/);
    emulator.setAccountStatus({ connectionName: 'slack', identifier: 'bob', status: 'ACTIVE' });
    assertNotFound(await list({ 'filter.connector': 'acme_mcp', 'filter.identifier': 'bob' }));
    assertNotFound(await list({ 'filter.connector': 'nowhere', 'filter.identifier': 'alice' }), /connection "nowhere" not found/);
  });

  test('filter.connected_account_id: the account\'s connection tools and custom tools; must match the other filters', async () => {
    const [account] = emulator.accounts();
    assert.deepEqual(await names({ 'filter.connected_account_id': account.connectedAccountId }), ['acme_lookup_order', 'acme_refund_order']);
    const gmail = emulator.setAccountStatus({ connectionName: 'gmail', identifier: 'alice', status: 'ACTIVE' });
    assert.deepEqual(await names({ 'filter.connectedAccountId': gmail.connectedAccountId }), GMAIL);
    assertNotFound(await list({ 'filter.connected_account_id': 'ca_000000000000000000' }), /connected_account_id "ca_000000000000000000"/);
    assertNotFound(await list({ 'filter.connected_account_id': account.connectedAccountId, 'filter.connector': 'gmail' }));
    assertNotFound(await list({ 'filter.connected_account_id': account.connectedAccountId, 'filter.identifier': 'bob' }));
    assert.deepEqual(
      await names({ 'filter.connected_account_id': account.connectedAccountId, 'filter.connector': 'acme_mcp', 'filter.identifier': 'alice' }),
      ['acme_lookup_order', 'acme_refund_order'],
    );
  });

  test('filter.identifier alone: the tools of every account of that user; unknown user: 404', async () => {
    emulator.setAccountStatus({ connectionName: 'slack', identifier: 'alice', status: 'PENDING_AUTH' });
    const body = await ok({ 'filter.identifier': 'alice' });
    assert.deepEqual(body.tool_names, [
      'slack_list_channels', 'slack_fetch_conversation_history', 'slack_lookup_user_by_email', 'slack_send_message',
      'acme_lookup_order', 'acme_refund_order',
    ]);
    assertNotFound(await list({ 'filter.identifier': 'nobody' }), /identifier "nobody"/);
  });

  test('filter.organization_id and filter.user_id scope the lookup', async () => {
    emulator.setAccountTools({ connectionName: 'acme_mcp', identifier: 'alice', tools: [ORDER_LOOKUP], organizationId: 'org_1', userId: 'usr_1' });
    const base = { 'filter.connector': 'acme_mcp', 'filter.identifier': 'alice' };
    assert.deepEqual(await names({ ...base, 'filter.organization_id': 'org_1' }), ['acme_lookup_order']);
    assert.deepEqual(await names({ ...base, 'filter.organization_id': 'org_1', 'filter.user_id': 'usr_1' }), ['acme_lookup_order']);
    assertNotFound(await list({ ...base, 'filter.organization_id': 'org_2' }), /organization_id "org_2"/);
    assertNotFound(await list({ ...base, 'filter.user_id': 'usr_2' }), /user_id "usr_2"/);
    const unscoped = emulator.setAccountStatus({ connectionName: 'github', identifier: 'carol', status: 'ACTIVE' });
    assertNotFound(await list({ 'filter.connected_account_id': unscoped.connectedAccountId, 'filter.organization_id': 'org_1' }));
  });

  test('provider, tool_name and summary apply to custom tools; query searches the catalogue only', async () => {
    const base = { 'filter.connector': 'acme_mcp', 'filter.identifier': 'alice' };
    assert.deepEqual(await names({ ...base, 'filter.tool_name': 'acme_refund_order' }), ['acme_refund_order']);
    assert.deepEqual(await names({ ...base, 'filter.provider': 'GMAIL' }), []);
    assert.deepEqual(await names({ ...base, 'filter.query': 'acme order' }), []);
    const summary = await ok({ ...base, 'filter.summary': 'true' });
    assert.deepEqual([summary.tools, summary.tool_names], [[], ['acme_lookup_order', 'acme_refund_order']]);
    assertNotFound(await list({ 'filter.connector': 'acme_mcp', 'filter.identifier': 'bob', 'filter.query': 'acme' }));
  });

  test('updated_at is when the tools were set, in emulator time; [] removes them', async () => {
    emulator.advanceTime(48 * 3600 * 1000);
    await client.login();
    emulator.setAccountTools({ connectionName: 'acme_mcp', identifier: 'alice', tools: [ORDER_LOOKUP] });
    const [tool] = (await ok({ 'filter.connector': 'acme_mcp', 'filter.identifier': 'alice' })).tools;
    const at = Date.parse(tool.updated_at);
    assert.ok(Math.abs(at - emulator.clock().nowMs) < 5000, tool.updated_at);
    assert.ok(at > Date.now() + 47 * 3600 * 1000);
    emulator.setAccountTools({ connectionName: 'acme_mcp', identifier: 'alice', tools: [] });
    assert.deepEqual(await names({ 'filter.connector': 'acme_mcp', 'filter.identifier': 'alice' }), []);
  });

  test('reset() forgets accounts set up by tests, and their tools', async () => {
    emulator.reset();
    await client.login();
    assertNotFound(await list({ 'filter.connector': 'acme_mcp', 'filter.identifier': 'alice' }));
  });

  test('MCP serves the custom tools to that user where the connection is mapped with all its tools', async () => {
    await client.createConfig({ name: 'acme', connection_tool_mappings: [{ connection_name: 'acme_mcp' }, { connection_name: 'slack', tools: ['slack_send_message'] }] });
    const forUser = async (user) => {
      const res = await client.call('POST', '/api/v1/mcp/instances', { body: { config_name: 'acme', user_identifier: user } });
      return opened(res.json.instance.url);
    };
    const alice = await forUser('alice');
    const { tools } = (await alice.request('tools/list', {})).json.result;
    assert.deepEqual(tools.map((t) => t.name), ['acme_lookup_order', 'acme_refund_order', 'slack_send_message']);
    const listed = (await ok({ 'filter.connector': 'acme_mcp', 'filter.identifier': 'alice' })).tools;
    assert.deepEqual(tools[0].inputSchema, listed[0].definition.input_schema);
    assert.equal(tools[1].annotations.destructiveHint, listed[1].definition.annotations.destructive_hint);

    const call = await alice.call('acme_lookup_order', { order_id: 'A-1' });
    assert.equal(call.json.result.isError, false, call.text);
    assert.deepEqual(call.json.result.structuredContent.arguments, { order_id: 'A-1' });
    assert.equal(call.json.result.structuredContent.provider, 'MCP');
    assert.equal((await alice.call('acme_lookup_order', {})).json.result.isError, true, 'its input schema is enforced');

    const bob = await forUser('bob');
    assert.deepEqual(await bob.toolNames(), ['slack_send_message']);
  });
});

describe('setting up custom tools', () => {
  const control = (body) => client.call('POST', '/_emulator/account-tools', { body, token: null });

  test('POST /_emulator/account-tools creates the account (ACTIVE) with its tools', async () => {
    const res = await control({ connection_name: 'acme_mcp', identifier: 'dave', tools: [ORDER_LOOKUP], organization_id: 'org_9' });
    assert.equal(res.status, 200, res.text);
    const { account } = res.json;
    assert.deepEqual(Object.keys(account), ['connection_name', 'identifier', 'connected_account_id', 'status', 'organization_id', 'user_id', 'tools']);
    assert.deepEqual([account.connection_name, account.identifier, account.status, account.organization_id, account.user_id, account.tools], ['acme_mcp', 'dave', 'ACTIVE', 'org_9', '', ['acme_lookup_order']]);
    assert.match(account.connected_account_id, /^ca_\d{18}$/);
    assert.deepEqual(await names({ 'filter.connected_account_id': account.connected_account_id, 'filter.organization_id': 'org_9' }), ['acme_lookup_order']);
    const again = await control({ connectionName: 'acme_mcp', identifier: 'dave', tools: [], status: 'EXPIRED' });
    assert.equal(again.json.account.connected_account_id, account.connected_account_id);
    assert.deepEqual([again.json.account.status, again.json.account.tools, again.json.account.organization_id], ['EXPIRED', [], 'org_9']);
  });

  test('the handle answers the account with its scope and tool names', () => {
    const account = emulator.setAccountTools({ connectionName: 'acme_mcp', identifier: 'erin', tools: [ORDER_LOOKUP, ORDER_REFUND], userId: 'usr_7' });
    assert.deepEqual(Object.keys(account), ['connectionName', 'identifier', 'connectedAccountId', 'status', 'organizationId', 'userId', 'tools']);
    assert.deepEqual(account.tools, ['acme_lookup_order', 'acme_refund_order']);
    assert.equal(account.userId, 'usr_7');
    assert.deepEqual(emulator.accounts(), [{ connectionName: 'acme_mcp', identifier: 'erin', connectedAccountId: account.connectedAccountId, status: 'ACTIVE' }]);
  });

  test('refused: a name of the connection\'s own tools, duplicates, bad tools, unknown connection or field', async () => {
    const cases = [
      [{ connection_name: 'gmail', identifier: 'x', tools: [{ name: 'gmail_search' }] }, 400, /already a tool of connection "gmail"/],
      [{ connection_name: 'acme_mcp', identifier: 'x', tools: [ORDER_LOOKUP, ORDER_LOOKUP] }, 400, /duplicate tool/],
      [{ connection_name: 'acme_mcp', identifier: 'x', tools: [{ description: 'no name' }] }, 400, /name/],
      [{ connection_name: 'acme_mcp', identifier: 'x', tools: [{ name: 't', annotations: { readOnlyHint: 'yes' } }] }, 400, /boolean/],
      [{ connection_name: 'acme_mcp', identifier: 'x', tools: [{ name: 't', inputSchema: 'any' }] }, 400, /JSON Schema/],
      [{ connection_name: 'acme_mcp', identifier: 'x' }, 400, /expected an array/],
      [{ connection_name: 'acme_mcp', identifier: 'x', tools: [], status: 'GONE' }, 400, /status/],
      [{ connection_name: 'acme_mcp', identifier: '', tools: [] }, 400, /identifier/],
      [{ connection_name: 'acme_mcp', identifier: 'x', tools: [], colour: 'red' }, 400, /unknown field "colour"/],
      [{ connection_name: 'nope', identifier: 'x', tools: [] }, 404, /connection "nope" not found/],
    ];
    for (const [body, status, pattern] of cases) {
      const res = await control(body);
      assert.equal(res.status, status, `${JSON.stringify(body)}: ${res.text}`);
      assert.match(res.json.message, pattern);
    }
    assert.throws(() => emulator.setAccountTools({ connectionName: 'gmail', identifier: 'x', tools: [{ name: 'gmail_search' }] }), /already a tool/);
    assert.throws(() => emulator.setAccountTools({ connectionName: 'acme_mcp', tools: [] }), TypeError);
    assert.deepEqual(emulator.accounts(), [], 'nothing was created');
  });

  test('the control is neither logged nor counted', async () => {
    emulator.clearRequests();
    const before = emulator.counters();
    await control({ connection_name: 'acme_mcp', identifier: 'x', tools: [] });
    assert.deepEqual(emulator.requests(), []);
    assert.deepEqual(emulator.counters(), before);
  });
});

describe('fixtures', () => {
  const fixtures = {
    connections: [
      { name: 'jira', provider: 'JIRA', tools: [{ name: 'jira_search', readOnly: true }, { name: 'jira_create_issue' }] },
      {
        name: 'Support Desk',
        provider: 'MCP',
        tools: [],
        accounts: [
          { identifier: 'alice@example.com', organizationId: 'org_1', tools: [ORDER_LOOKUP] },
          { identifier: 'bob@example.com', status: 'EXPIRED', tools: [ORDER_REFUND] },
        ],
      },
    ],
  };

  test('accounts with custom tools exist from the start and again after a reset', async () => {
    const emu = await startEmulator({ unref: true, fixtures });
    try {
      const c = new Client(emu);
      await c.login();
      assert.deepEqual(emu.accounts().map((a) => [a.connectionName, a.identifier, a.status]), [
        ['Support Desk', 'alice@example.com', 'ACTIVE'],
        ['Support Desk', 'bob@example.com', 'EXPIRED'],
      ]);
      const get = async (query) => (await c.call('GET', '/api/v1/tools', { query })).json;
      assert.deepEqual((await get()).tool_names, ['jira_search', 'jira_create_issue']);
      const alice = { 'filter.connector': 'Support Desk', 'filter.identifier': 'alice@example.com', 'filter.organization_id': 'org_1' };
      assert.deepEqual((await get(alice)).tool_names, ['acme_lookup_order']);
      assert.deepEqual((await get({ 'filter.identifier': 'bob@example.com' })).tool_names, ['acme_refund_order']);
      const jira = (await get({ 'filter.tool_name': 'jira_create_issue' })).tools[0].definition;
      assert.deepEqual(jira.annotations, { destructive_hint: true, idempotent_hint: false, open_world_hint: true, read_only_hint: false, title: 'Jira create issue' });
      assert.deepEqual(jira.input_schema, { properties: {}, required: [], type: 'object' });

      emu.setAccountTools({ connectionName: 'Support Desk', identifier: 'alice@example.com', tools: [] });
      emu.reset();
      await c.login();
      assert.deepEqual((await get(alice)).tool_names, ['acme_lookup_order'], 'the fixture accounts are back');
    } finally {
      await emu.close();
    }
  });

  test('refused fixtures: a custom tool reusing a connection tool, duplicate accounts, one provider defining a tool twice differently', async () => {
    const bad = [
      [{ connections: [{ name: 'x', tools: [{ name: 't' }], accounts: [{ identifier: 'a', tools: [{ name: 't' }] }] }] }, /already a tool/],
      [{ connections: [{ name: 'x', accounts: [{ identifier: 'a' }, { identifier: 'a' }] }] }, /duplicate account "a"/],
      [{ connections: [{ name: 'x', accounts: [{ tools: [] }] }] }, /identifier/],
      [{ connections: [{ name: 'x', accounts: [{ identifier: 'a', status: 'GONE' }] }] }, /accounts\[0\]\.status: expected one of ACTIVE/],
      [{ connections: [{ name: 'x', tools: [{ name: 't', readOnly: true, annotations: { readOnlyHint: false } }] }] }, /disagree/],
      [
        { connections: [{ name: 'a', provider: 'P', tools: [{ name: 't', readOnly: true }] }, { name: 'b', provider: 'P', tools: [{ name: 't' }] }] },
        /tool "t" of provider P is defined differently by connections "a" and "b"/,
      ],
    ];
    for (const [fx, pattern] of bad) await assert.rejects(startEmulator({ unref: true, fixtures: fx }), pattern);
  });
});

describe('paging', () => {
  test('pages of page_size, page tokens both ways, total_size on every page', async () => {
    const all = await names();
    const first = await ok({ page_size: '10' });
    assert.deepEqual(first.tool_names, all.slice(0, 10));
    assert.equal(first.prev_page_token, '');
    assert.equal(first.total_size, 27);
    const second = await ok({ page_size: '10', page_token: first.next_page_token });
    assert.deepEqual(second.tool_names, all.slice(10, 20));
    const third = await ok({ pageSize: '10', pageToken: second.next_page_token });
    assert.deepEqual(third.tool_names, all.slice(20));
    assert.equal(third.next_page_token, '');
    assert.equal(third.total_size, 27);
    const back = await ok({ page_size: '10', page_token: third.prev_page_token });
    assert.deepEqual(back.tool_names, second.tool_names);
    const start = await ok({ page_size: '10', page_token: back.prev_page_token });
    assert.deepEqual(start.tool_names, first.tool_names);
    assert.equal(start.prev_page_token, '');
  });

  test('tokens work with the filter they were made for; summary pages too', async () => {
    const query = { 'filter.provider': 'GMAIL', page_size: '4' };
    const first = await ok({ ...query, 'filter.summary': 'true' });
    assert.deepEqual([first.tools, first.tool_names], [[], GMAIL.slice(0, 4)]);
    const second = await ok({ ...query, 'filter.summary': 'true', page_token: first.next_page_token });
    assert.deepEqual(second.tool_names, GMAIL.slice(4));
    assert.equal(second.tools.length, 0);
    const full = await ok({ ...query, page_token: first.next_page_token });
    assert.deepEqual(full.tools.map((t) => t.definition.name), GMAIL.slice(4), 'summary is not part of the filter a token is tied to');

    for (const token of [first.next_page_token, 'garbage', 'eyJwYWdlIjoyLCJsaW1pdCI6MzB9']) {
      const res = await list({ 'filter.provider': 'SLACK', page_token: token });
      assertViolations(res, [['page_token', 'page_token.valid']], 'invalid page_token');
    }
  });

  test('filter.summary=false or absent: full tools and their names', async () => {
    for (const query of [{ 'filter.summary': 'false' }, {}, { 'filter.summary': '0' }]) {
      const body = await ok({ ...query, 'filter.provider': 'NOTION' });
      assert.equal(body.tools.length, 5);
      assert.deepEqual(body.tool_names, body.tools.map((t) => t.definition.name));
    }
  });

  const bulk = (count, prefix = 'bulk_tool') => ({
    connections: [
      { name: 'bulk', tools: Array.from({ length: count }, (_, i) => ({ name: `${prefix}_${String(i).padStart(4, '0')}`, readOnly: true })) },
      { name: 'other', tools: [{ name: 'other_tool' }] },
    ],
  });

  async function withEmulator(fixtures, fn) {
    const emu = await startEmulator({ unref: true, fixtures });
    try {
      const c = new Client(emu);
      await c.login();
      await fn(async (query) => {
        const res = await c.call('GET', '/api/v1/tools', { query });
        assert.equal(res.status, 200, res.text);
        return res.json;
      });
    } finally {
      await emu.close();
    }
  }

  test('page_size 0 or absent: 300', async () => {
    await withEmulator(bulk(349), async (get) => {
      for (const query of [{}, { page_size: '0' }]) {
        const first = await get(query);
        assert.equal(first.tools.length, 300);
        assert.equal(first.total_size, 350);
        const rest = await get({ ...query, page_token: first.next_page_token });
        assert.equal(rest.tools.length, 50);
        assert.deepEqual(rest.tool_names.at(-1), 'other_tool');
        assert.equal(rest.next_page_token, '');
      }
    });
  });

  test('page_size above 1000 is reduced to 1000, not refused', async () => {
    await withEmulator(bulk(1100), async (get) => {
      for (const size of ['1000', '1001', '5000', '4294967295']) {
        const first = await get({ page_size: size, 'filter.summary': 'true' });
        assert.equal(first.tool_names.length, 1000, size);
        assert.equal(first.total_size, 1101);
        assert.notEqual(first.next_page_token, '');
        const rest = await get({ page_size: size, 'filter.summary': 'true', page_token: first.next_page_token });
        assert.equal(rest.tool_names.length, 101);
        assert.equal(rest.tool_names[0], 'bulk_tool_1000');
        assert.equal(rest.next_page_token, '');
        const back = await get({ page_size: size, 'filter.summary': 'true', page_token: rest.prev_page_token });
        assert.deepEqual(back.tool_names, first.tool_names);
      }
      assert.equal((await get({ page_size: '999' })).tools.length, 999);
    });
  });

  test('with filter.query a page holds at most 100 tools', async () => {
    await withEmulator(bulk(150), async (get) => {
      for (const size of [undefined, '0', '101', '1000']) {
        const query = { 'filter.query': 'bulk tool', ...(size === undefined ? {} : { page_size: size }) };
        const first = await get(query);
        assert.equal(first.tools.length, 100, String(size));
        assert.equal(first.total_size, 150);
        const rest = await get({ ...query, page_token: first.next_page_token });
        assert.equal(rest.tools.length, 50);
        assert.equal(rest.next_page_token, '');
      }
      assert.equal((await get({ 'filter.query': 'bulk tool', page_size: '20' })).tools.length, 20);
      assert.equal((await get({ 'filter.query': 'tool' })).total_size, 151);
    });
  });

  test('page_size that is not a uint32: the gateway\'s 400', async () => {
    for (const size of ['-1', 'ten', '4294967296', '1.5']) {
      const res = await list({ page_size: size });
      assert.equal(res.status, 400, size);
      assert.equal(res.json.code, 3);
      assert.deepEqual(res.json.details, []);
    }
  });
});

describe('validation', () => {
  const x = (n) => 'x'.repeat(n);

  test('length limits: provider 50, identifier 100, organization_id 32, user_id 32', async () => {
    assertViolations(await list({ 'filter.provider': x(51) }), [['filter.provider', 'string.max_len']]);
    assert.equal((await list({ 'filter.provider': x(50) })).status, 200);
    assertViolations(await list({ 'filter.identifier': x(101) }), [['filter.identifier', 'string.max_len']]);
    assertNotFound(await list({ 'filter.identifier': x(100) }), undefined);
    assertViolations(await list({ 'filter.organization_id': x(33) }), [['filter.organization_id', 'string.max_len']]);
    assertViolations(await list({ 'filter.user_id': x(33) }), [['filter.user_id', 'string.max_len']]);
    assert.equal((await list({ 'filter.organization_id': x(32), 'filter.user_id': x(32) })).status, 200);
  });

  test('filter.query: 3 to 100 characters ("" is too short)', async () => {
    for (const query of ['', 'ab', '  ']) {
      assertViolations(await list({ 'filter.query': query }), [['filter.query', 'string.min_len']]);
    }
    assertViolations(await list({ 'filter.query': x(101) }), [['filter.query', 'string.max_len']]);
    assert.equal((await list({ 'filter.query': 'abc' })).status, 200);
    assert.equal((await list({ 'filter.query': x(100) })).status, 200);
    const res = await list({ 'filter.query': 'ab' });
    assert.equal(errorInfo(res.json).validation_error_info.field_violations[0].description, 'value length must be at least 3 characters');
  });

  test('filter.connector: at most 400 characters of letters, digits, spaces, "-", "_" and ":"', async () => {
    assertViolations(await list({ 'filter.connector': x(401) }), [['filter.connector', 'string.max_len']]);
    for (const bad of ['a/b', 'gmail!', 'münchen', 'a.b']) {
      const res = await list({ 'filter.connector': bad });
      assertViolations(res, [['filter.connector', 'string.pattern']]);
      assert.equal(errorInfo(res.json).validation_error_info.field_violations[0].description, 'value does not match regex pattern `^[a-zA-Z0-9_: -]*$`');
    }
    assertNotFound(await list({ 'filter.connector': 'My Gmail: work-1_x' }), /not found/);
    assert.equal((await list({ 'filter.connector': '' })).status, 200, 'an empty connector is no filter');
  });

  test('filter.connected_account_id: the ca_ prefix, at most 100 characters', async () => {
    for (const bad of ['', 'xyz', 'CA_1', 'conn_1']) {
      const res = await list({ 'filter.connected_account_id': bad });
      assertViolations(res, [['filter.connected_account_id', 'string.prefix']]);
      assert.equal(errorInfo(res.json).validation_error_info.field_violations[0].description, 'value does not have prefix `ca_`');
    }
    assertViolations(await list({ 'filter.connected_account_id': `ca_${x(98)}` }), [['filter.connected_account_id', 'string.max_len']]);
    assertNotFound(await list({ 'filter.connected_account_id': `ca_${x(97)}` }));
  });

  test('every violation at once, before any lookup', async () => {
    const res = await list({
      'filter.provider': x(51),
      'filter.identifier': x(101),
      'filter.query': 'ab',
      'filter.connector': 'a/b',
      'filter.organization_id': x(33),
      'filter.user_id': x(33),
      'filter.connected_account_id': 'zzz',
    });
    assertViolations(res, [
      ['filter.provider', 'string.max_len'],
      ['filter.identifier', 'string.max_len'],
      ['filter.query', 'string.min_len'],
      ['filter.connector', 'string.pattern'],
      ['filter.organization_id', 'string.max_len'],
      ['filter.user_id', 'string.max_len'],
      ['filter.connected_account_id', 'string.prefix'],
    ]);
  });

  test('undecodable parameters: the gateway\'s 400 with no details', async () => {
    for (const query of [{ 'filter.summary': 'maybe' }, [['filter.provider', 'A'], ['filter.provider', 'B']], [['page_token', 'a'], ['page_token', 'b']]]) {
      const res = await list(query);
      assert.equal(res.status, 400, JSON.stringify(query));
      assert.deepEqual(res.json.details, []);
    }
  });
});

describe('authentication, the log, counters and faults', () => {
  test('401 without a valid access token', async () => {
    const none = await list(undefined, { token: null });
    assert.equal(none.status, 401);
    assert.deepEqual([none.json.code, none.json.message, errorInfo(none.json).error_code], [16, 'Token empty', 'UNAUTHENTICATED']);
    const forged = await list(undefined, { token: emulator.signJwt({ sub: emulator.clientId }) });
    assert.equal(forged.json.message, 'invalid token');
    emulator.expireTokens();
    const expired = await list();
    assert.deepEqual([expired.status, expired.json.message], [401, 'token expired']);
  });

  test('authentication comes before validation and lookups', async () => {
    assert.equal((await list({ 'filter.query': 'ab' }, { token: null })).status, 401);
    assert.equal((await list({ 'filter.identifier': 'nobody' }, { token: null })).status, 401);
  });

  test('only GET is served: other methods are 405 with Allow: GET', async () => {
    const res = await client.call('POST', '/api/v1/tools', { body: {} });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET');
    assert.deepEqual(res.json, { code: 12, message: 'Method Not Allowed', details: [] });
  });

  test('requests are counted as API requests and logged with their query and status', async () => {
    emulator.clearRequests();
    const before = emulator.counters().apiRequests;
    await list([['filter.tool_name', 'a'], ['filter.tool_name', 'b'], ['page_size', '5']]);
    await list({ 'filter.query': 'ab' });
    assert.equal(emulator.counters().apiRequests, before + 2);
    const log = emulator.requests();
    assert.deepEqual(log.map((r) => [r.method, r.path, r.status]), [['GET', '/api/v1/tools', 200], ['GET', '/api/v1/tools', 400]]);
    assert.deepEqual(log[0].query, { 'filter.tool_name': ['a', 'b'], page_size: '5' });
    assert.equal(log[0].headers.authorization, '<redacted>');
  });

  test('faults apply by path prefix', async () => {
    emulator.injectFault({ pathPrefix: '/api/v1/tools', status: 503, retryAfter: 2 });
    const faulted = await list();
    assert.equal(faulted.status, 503);
    assert.equal(faulted.headers.get('retry-after'), '2');
    assert.equal(faulted.json.code, 14);
    assert.equal((await list()).status, 200);
    emulator.injectFault({ pathPrefix: '/api/', method: 'GET', body: { tools: 'not a list' } });
    const body = await list();
    assert.deepEqual([body.status, body.json], [200, { tools: 'not a list' }]);
    emulator.injectFault({ pathPrefix: '/api/v1/mcp/', status: 500 });
    assert.equal((await list()).status, 200, 'a fault for another prefix does not apply');
    emulator.clearFaults();
  });
});
