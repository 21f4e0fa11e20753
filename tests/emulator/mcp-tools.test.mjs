// What the MCP URLs serve, with raw fetch: the tools each URL lists (whitelists, READ_ONLY
// tokens, config updates), session-token checks on virtual server and connection URLs, and
// tools/call (echo while ACTIVE, tool errors otherwise, unknown tools, argument validation).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { checkSchema } from '../../js/emulator/jsonschema.mjs';
import { start } from './helpers.mjs';
import { LATEST, RawMcp, opened } from './mcp-helpers.mjs';

const catalogue = JSON.parse(readFileSync(new URL('../../js/emulator/catalogue.json', import.meta.url), 'utf8'));
const catalogueTool = (connection, name) =>
  catalogue.connections.find((c) => c.name === connection).tools.find((t) => t.name === name);
const allTools = (connection) => catalogue.connections.find((c) => c.name === connection).tools.map((t) => t.name);
const readOnlyTools = (connection) =>
  catalogue.connections.find((c) => c.name === connection).tools.filter((t) => t.readOnly).map((t) => t.name);

let emulator;
let client;
let config;
let instance;
before(async () => {
  ({ emulator, client } = await start());
});
after(() => emulator.close());
beforeEach(async () => {
  emulator.reset();
  await client.login();
  config = await client.createConfig({
    name: 'email-calendar-assistant',
    connection_tool_mappings: [
      { connection_name: 'MY_GMAIL', tools: ['gmail_fetch_mails', 'gmail_send_mail'] },
      { connection_name: 'MY_CALENDAR', tools: ['googlecalendar_create_event', 'googlecalendar_list_events'] },
    ],
  });
  instance = await ensureInstance('email-calendar-assistant', 'john-doe');
});

const WHITELIST = ['gmail_fetch_mails', 'gmail_send_mail', 'googlecalendar_create_event', 'googlecalendar_list_events'];

async function ensureInstance(configName, user) {
  const res = await client.call('POST', '/api/v1/mcp/instances', { body: { config_name: configName, user_identifier: user } });
  assert.equal(res.status, 200, res.text);
  return res.json.instance;
}

function activate(identifier, ...connections) {
  for (const connectionName of connections) emulator.setAccountStatus({ connectionName, identifier, status: 'ACTIVE' });
}

async function configToken(identifier, body = {}, id = config.id) {
  const res = await client.call('POST', `/api/v1/mcp/configs/${id}/tokens`, { body: { identifier, ...body } });
  assert.equal(res.status, 200, res.text);
  return res.json.token;
}


describe('instance URLs', () => {
  test('are pre-authenticated and list exactly the whitelisted tools, as the catalogue describes them', async () => {
    const mcp = await opened(instance.url);
    const res = await mcp.request('tools/list', {});
    assert.equal(res.status, 200);
    const { tools } = res.json.result;
    assert.deepEqual(tools.map((t) => t.name), WHITELIST);
    for (const tool of tools) {
      const source = catalogueTool(tool.name.startsWith('gmail') ? 'MY_GMAIL' : 'MY_CALENDAR', tool.name);
      assert.equal(tool.description, source.description);
      assert.deepEqual(tool.inputSchema, source.inputSchema);
      assert.equal(tool.inputSchema.type, 'object');
      assert.equal(tool.title, source.title);
      assert.deepEqual(tool.annotations, {
        title: source.title,
        readOnlyHint: source.readOnly,
        destructiveHint: source.annotations.destructiveHint,
        idempotentHint: source.annotations.idempotentHint,
        openWorldHint: source.annotations.openWorldHint,
      });
    }
    assert.equal(res.json.result.nextCursor, undefined);
  });

  test('a top-level title from 2025-06-18 on; 2025-03-26 sessions have it in the annotations only', async () => {
    const old = await opened(instance.url, {}, { protocolVersion: '2025-03-26' });
    const [tool] = (await old.request('tools/list', {})).json.result.tools;
    assert.equal(tool.title, undefined);
    assert.equal(tool.annotations.title, 'Fetch emails');
    const newer = await opened(instance.url, {}, { protocolVersion: '2025-06-18' });
    assert.equal((await newer.request('tools/list', {})).json.result.tools[0].title, 'Fetch emails');
  });

  test('tools/list without params works too; an unknown cursor is -32602', async () => {
    const mcp = await opened(instance.url);
    assert.equal((await mcp.request('tools/list')).json.result.tools.length, 4);
    const res = await mcp.request('tools/list', { cursor: 'abc' });
    assert.equal(res.json.error.code, -32602);
  });

  test('a mapping with no tools exposes every tool of its connection', async () => {
    await client.createConfig({ name: 'all-slack', connection_tool_mappings: [{ connection_name: 'slack' }, { connection_name: 'github', tools: ['github_create_issue'] }] });
    const inst = await ensureInstance('all-slack', 'john-doe');
    const mcp = await opened(inst.url);
    assert.deepEqual(await mcp.toolNames(), [...allTools('slack'), 'github_create_issue']);
  });

  test('two connections offering the same tool name: the first mapping serves it', async () => {
    await client.createConfig({
      name: 'two-gmails',
      connection_tool_mappings: [{ connection_name: 'gmail', tools: ['gmail_search'] }, { connection_name: 'MY_GMAIL' }],
    });
    const inst = await ensureInstance('two-gmails', 'john-doe');
    activate('john-doe', 'gmail');
    const mcp = await opened(inst.url);
    const names = await mcp.toolNames();
    assert.equal(new Set(names).size, names.length);
    assert.deepEqual(names, ['gmail_search', ...allTools('MY_GMAIL').filter((n) => n !== 'gmail_search')]);
    const res = await mcp.call('gmail_search', { query: 'x' });
    assert.equal(res.json.result.structuredContent.connection, 'gmail');
  });

  test('updating the config changes what tools/list returns, on open sessions too', async () => {
    const mcp = await opened(instance.url);
    assert.deepEqual(await mcp.toolNames(), WHITELIST);
    const put = await client.call('PUT', `/api/v1/mcp/configs/${config.id}`, {
      body: { connection_tool_mappings: [{ connection_name: 'MY_GMAIL', tools: ['gmail_search'] }] },
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(await mcp.toolNames(), ['gmail_search']);
    assert.equal((await mcp.call('gmail_send_mail', { to: 'a@b.c', subject: 's', body: 'b' })).json.error.code, -32602);
  });

  test('moving the instance to another config serves that config\'s tools', async () => {
    await client.createConfig({ name: 'notion-only', connection_tool_mappings: [{ connection_name: 'notion', tools: ['notion_search'] }] });
    const mcp = await opened(instance.url);
    const res = await client.call('PATCH', `/api/v1/mcp/instances/${instance.id}`, { body: { config_name: 'notion-only' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(await mcp.toolNames(), ['notion_search']);
  });

  test('an Authorization header is not needed and not looked at', async () => {
    const mcp = await opened(instance.url, { token: 'garbage' });
    assert.deepEqual(await mcp.toolNames(), WHITELIST);
  });
});

describe('virtual server URLs: session tokens', () => {
  beforeEach(() => activate('john-doe', 'MY_GMAIL', 'MY_CALENDAR'));

  test('a token from the API lists the same tools as the instance URL', async () => {
    const token = await configToken('john-doe');
    const mcp = await opened(config.mcp_server_url, { token });
    assert.deepEqual(await mcp.toolNames(), WHITELIST);
  });

  test('no token: 401 with WWW-Authenticate: Bearer (no error code)', async () => {
    const res = await new RawMcp(config.mcp_server_url).initialize();
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="scalekit-emulator"');
    assert.equal(res.json.error.code, -32000);
    assert.match(res.json.error.message, /Bearer/);
    assert.match(res.headers.get('access-control-expose-headers'), /www-authenticate/);
  });

  test('refused tokens: 401 with error="invalid_token" and a reason', async () => {
    const other = await client.createConfig({ name: 'other', connection_tool_mappings: [{ connection_name: 'MY_GMAIL' }] });
    const { emulator: stranger } = await start();
    let strangerToken;
    try {
      strangerToken = stranger.sessionToken({ configId: (await startConfig(stranger)).id, identifier: 'john-doe' });
    } finally {
      await stranger.close();
    }
    const access = await client.login();
    const cases = [
      ['expired', emulator.sessionToken({ configId: config.id, identifier: 'john-doe', expiresIn: -10 }).token, /expired/],
      ['another config', await configToken('john-doe', {}, other.id), /another MCP server/],
      ['another environment', strangerToken.token, /not valid/],
      ['an access token', access, /not an MCP session token/],
      ['garbage', 'abc.def.ghi', /not valid/],
      ['not a JWT', 'hello', /not valid/],
      ['tampered', tamper(await configToken('john-doe')), /not valid/],
      ['wrong token_type', emulator.signJwt({ sub: 'john-doe', aud: config.mcp_server_url, exp: now() + 60, token_type: 'access' }), /not an MCP session token/],
      ['no sub', emulator.signJwt({ aud: config.mcp_server_url, exp: now() + 60, token_type: 'mcp_session' }), /no user/],
      ['odd access level', emulator.signJwt({ sub: 'u', aud: config.mcp_server_url, exp: now() + 60, token_type: 'mcp_session', access_level: 'ADMIN' }), /access level/],
      ['connection token', emulator.sessionToken({ connectionName: 'MY_GMAIL', identifier: 'john-doe' }).token, /another MCP server/],
    ];
    for (const [label, token, reason] of cases) {
      const res = await new RawMcp(config.mcp_server_url, { token }).initialize();
      assert.equal(res.status, 401, label);
      const header = res.headers.get('www-authenticate');
      assert.match(header, /^Bearer realm="scalekit-emulator", error="invalid_token", error_description="[^"]+"$/, label);
      assert.match(res.json.error.message, reason, label);
    }
  });

  test('a non-Bearer Authorization counts as no token', async () => {
    const res = await new RawMcp(config.mcp_server_url).initialize({ headers: { authorization: 'Basic dTpw' } });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="scalekit-emulator"');
  });

  test('every request is checked: a session outlives nothing its token does not', async () => {
    const token = emulator.sessionToken({ configId: config.id, identifier: 'john-doe', expiresIn: 2 }).token;
    const mcp = await opened(config.mcp_server_url, { token });
    assert.equal((await mcp.request('ping')).status, 200);
    const noToken = await mcp.request('ping', undefined, { token: null });
    assert.equal(noToken.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const res = await mcp.request('ping');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate'), /invalid_token/);
    const fresh = await configToken('john-doe');
    assert.equal((await mcp.request('ping', undefined, { token: fresh })).status, 200, 'a fresh token for the same user keeps the session');
  });

  test('a session belongs to the user it was opened for', async () => {
    activate('jane', 'MY_GMAIL', 'MY_CALENDAR');
    const mcp = await opened(config.mcp_server_url, { token: await configToken('john-doe') });
    const res = await mcp.request('ping', undefined, { token: await configToken('jane') });
    assert.equal(res.status, 404);
  });

  test('GET and DELETE are authenticated too', async () => {
    const token = await configToken('john-doe');
    const mcp = await opened(config.mcp_server_url, { token });
    assert.equal((await mcp.send(undefined, { method: 'GET', token: null })).status, 401);
    assert.equal((await mcp.send(undefined, { method: 'GET' })).status, 405);
    assert.equal((await mcp.close({ token: null })).status, 401);
    assert.equal((await mcp.close()).status, 200);
  });

  test('a READ_ONLY token lists only the read-only tools and is refused the others', async () => {
    const token = await configToken('john-doe', { access_level: 'READ_ONLY' });
    const mcp = await opened(config.mcp_server_url, { token });
    const res = await mcp.request('tools/list', {});
    assert.deepEqual(res.json.result.tools.map((t) => t.name), ['gmail_fetch_mails', 'googlecalendar_list_events']);
    assert.ok(res.json.result.tools.every((t) => t.annotations.readOnlyHint === true));

    const write = await mcp.call('gmail_send_mail', { to: 'a@example.com', subject: 'hi', body: 'x' });
    assert.equal(write.status, 200);
    assert.equal(write.json.error.code, -32602);
    assert.match(write.json.error.message, /READ_ONLY/);
    assert.match(write.json.error.message, /gmail_send_mail/);

    const read = await mcp.call('gmail_fetch_mails', {});
    assert.equal(read.json.result.isError, false);
  });

  test('the tool list follows the config, for every token', async () => {
    const mcp = await opened(config.mcp_server_url, { token: await configToken('john-doe') });
    await client.call('PUT', `/api/v1/mcp/configs/${config.id}`, {
      body: { connection_tool_mappings: [{ connection_name: 'MY_CALENDAR' }] },
    });
    assert.deepEqual(await mcp.toolNames(), allTools('MY_CALENDAR'));
  });
});

describe('connection URLs', () => {
  const connectionUrl = () => `${emulator.url}/mcp/v3/connections/slack`;

  test('a connection token lists every tool of the connection', async () => {
    activate('john-doe', 'slack');
    const res = await client.call('POST', '/api/v1/mcp/connections/slack/tokens', { body: { identifier: 'john-doe' } });
    assert.equal(res.status, 200, res.text);
    const mcp = await opened(connectionUrl(), { token: res.json.token });
    assert.deepEqual(await mcp.toolNames(), allTools('slack'));
    const call = await mcp.call('slack_send_message', { channel: '#general', text: 'hello' });
    assert.equal(call.json.result.isError, false, JSON.stringify(call.json));
    assert.equal(call.json.result.structuredContent.connection, 'slack');
  });

  test('READ_ONLY connection tokens see the read-only tools', async () => {
    const token = emulator.sessionToken({ connectionName: 'slack', identifier: 'john-doe', accessLevel: 'READ_ONLY' }).token;
    const mcp = await opened(connectionUrl(), { token });
    assert.deepEqual(await mcp.toolNames(), readOnlyTools('slack'));
  });

  test('tokens for other URLs, and no token, are refused', async () => {
    activate('john-doe', 'MY_GMAIL', 'MY_CALENDAR');
    for (const token of [
      await configToken('john-doe'),
      emulator.sessionToken({ connectionName: 'github', identifier: 'john-doe' }).token,
      undefined,
    ]) {
      const res = await new RawMcp(connectionUrl(), { token }).initialize();
      assert.equal(res.status, 401);
    }
  });

  test('a connection with no key has no MCP URL', async () => {
    const { emulator: e } = await start({ fixtures: { connections: [{ name: 'jira', key: '' }, { name: 'linear' }] } });
    try {
      const res = await new RawMcp(`${e.url}/mcp/v3/connections/jira`).initialize();
      assert.equal(res.status, 404);
      const ok = await new RawMcp(`${e.url}/mcp/v3/connections/linear`, {
        token: e.sessionToken({ connectionName: 'linear', identifier: 'u' }).token,
      }).initialize();
      assert.equal(ok.status, 200);
    } finally {
      await e.close();
    }
  });
});

describe('tools/call', () => {
  test('while the account is ACTIVE: the call echoed back as structuredContent and text', async () => {
    activate('john-doe', 'MY_GMAIL', 'MY_CALENDAR');
    const mcp = await opened(instance.url);
    const args = { summary: 'Standup', start_datetime: '2030-01-01T09:00:00Z', end_datetime: '2030-01-01T09:15:00Z', attendees_emails: ['a@example.com'] };
    const res = await mcp.call('googlecalendar_create_event', args);
    assert.equal(res.status, 200);
    const { result } = res.json;
    const account = emulator.accounts().find((a) => a.connectionName === 'MY_CALENDAR' && a.identifier === 'john-doe');
    const expected = {
      tool: 'googlecalendar_create_event',
      connection: 'MY_CALENDAR',
      provider: 'GOOGLE_CALENDAR',
      user: 'john-doe',
      connectedAccountId: account.connectedAccountId,
      arguments: args,
    };
    assert.deepEqual(result.structuredContent, expected);
    assert.equal(result.isError, false);
    assert.equal(result.content.length, 1);
    assert.equal(result.content[0].type, 'text');
    assert.deepEqual(JSON.parse(result.content[0].text), expected);
    // Deterministic: the same call, the same answer.
    assert.deepEqual((await mcp.call('googlecalendar_create_event', args)).json.result, result);
  });

  test('no arguments at all is an empty object', async () => {
    activate('john-doe', 'MY_GMAIL');
    const mcp = await opened(instance.url);
    const res = await mcp.call('gmail_fetch_mails');
    assert.deepEqual(res.json.result.structuredContent.arguments, {});
  });

  test('the user is the token subject on the virtual server URL', async () => {
    activate('jane', 'MY_GMAIL', 'MY_CALENDAR');
    const mcp = await opened(config.mcp_server_url, { token: await configToken('jane') });
    const res = await mcp.call('gmail_fetch_mails', { query: 'is:unread' });
    assert.equal(res.json.result.structuredContent.user, 'jane');
  });

  test('an account that is not ACTIVE: a tool error saying the connection needs authorizing', async () => {
    activate('john-doe', 'MY_GMAIL', 'MY_CALENDAR');
    const mcp = await opened(instance.url);
    assert.equal((await mcp.call('gmail_fetch_mails', {})).json.result.isError, false);
    for (const status of ['EXPIRED', 'DISCONNECTED', 'PENDING_AUTH', 'PENDING_VERIFICATION']) {
      emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: 'john-doe', status });
      const res = await mcp.call('gmail_fetch_mails', {});
      assert.equal(res.status, 200);
      assert.equal(res.json.error, undefined);
      const { result } = res.json;
      assert.equal(result.isError, true, status);
      assert.equal(result.structuredContent, undefined);
      assert.match(result.content[0].text, /MY_GMAIL/);
      assert.match(result.content[0].text, /authoriz/);
      assert.match(result.content[0].text, new RegExp(status));
    }
    // The other connection is unaffected.
    assert.equal((await mcp.call('googlecalendar_list_events', {})).json.result.isError, false);
    emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: 'john-doe', status: 'ACTIVE' });
    assert.equal((await mcp.call('gmail_fetch_mails', {})).json.result.isError, false);
  });

  test('no account yet: the same tool error', async () => {
    const mcp = await opened(instance.url);
    const { result } = (await mcp.call('gmail_fetch_mails', {})).json;
    assert.equal(result.isError, true);
    assert.match(result.content[0].text, /MY_GMAIL.*needs authorizing/);
  });

  test('an unknown tool is -32602 "Unknown tool"', async () => {
    const mcp = await opened(instance.url);
    for (const name of ['nope', 'gmail_search', 'slack_send_message']) {
      const res = await mcp.call(name, {});
      assert.equal(res.json.error.code, -32602);
      assert.equal(res.json.error.message, `Unknown tool: ${name}`);
    }
  });

  test('malformed tools/call params are -32602', async () => {
    const mcp = await opened(instance.url);
    for (const params of [{}, { name: 5 }, { name: 'gmail_fetch_mails', arguments: [] }, { name: 'gmail_fetch_mails', arguments: 'x' }]) {
      const res = await mcp.request('tools/call', params);
      assert.equal(res.json.error.code, -32602, JSON.stringify(params));
    }
    assert.equal((await mcp.request('tools/call')).json.error.code, -32602);
  });

  const invalid = [
    ['gmail_send_mail', { subject: 's', body: 'b' }, /missing required argument "to"/],
    ['gmail_fetch_mails', { max_results: 'ten' }, /"max_results" must be an integer/],
    ['gmail_fetch_mails', { max_results: 1.5 }, /"max_results" must be an integer/],
    ['gmail_fetch_mails', { max_results: 0 }, /"max_results" must be at least 1/],
    ['gmail_fetch_mails', { include_spam_trash: 'yes' }, /"include_spam_trash" must be a boolean/],
    ['gmail_fetch_mails', { label_ids: ['a', 3] }, /"label_ids\[1\]" must be a string/],
    ['gmail_fetch_mails', { unknown: 1 }, /unknown argument "unknown"/],
  ];

  test('invalid arguments (MCP 2025-11-25): a tool error naming the problem, the tool not run', async () => {
    activate('john-doe', 'MY_GMAIL', 'MY_CALENDAR');
    const mcp = await opened(instance.url);
    assert.equal(mcp.protocolVersion, LATEST);
    for (const [tool, args, problem] of invalid) {
      const res = await mcp.call(tool, args);
      assert.equal(res.json.error, undefined, JSON.stringify(args));
      assert.equal(res.json.result.isError, true);
      assert.match(res.json.result.content[0].text, new RegExp(`Invalid arguments for tool ${tool}`));
      assert.match(res.json.result.content[0].text, problem);
    }
  });

  test('invalid arguments (MCP 2025-06-18 and 2025-03-26): JSON-RPC -32602 naming the problem', async () => {
    activate('john-doe', 'MY_GMAIL', 'MY_CALENDAR');
    for (const protocolVersion of ['2025-06-18', '2025-03-26']) {
      const mcp = await opened(instance.url, {}, { protocolVersion });
      assert.equal(mcp.protocolVersion, protocolVersion);
      for (const [tool, args, problem] of invalid) {
        const res = await mcp.call(tool, args);
        assert.equal(res.json.error.code, -32602, JSON.stringify(args));
        assert.match(res.json.error.message, problem);
      }
    }
  });

  test('valid arguments pass the schema check', async () => {
    activate('john-doe', 'MY_GMAIL');
    const mcp = await opened(instance.url);
    const res = await mcp.call('gmail_fetch_mails', { query: 'from:a', label_ids: ['INBOX'], max_results: 500, include_spam_trash: false });
    assert.equal(res.json.result.isError, false);
  });
});

describe('checkSchema', () => {
  test('types, enum, const, bounds, nesting', () => {
    const schema = {
      type: 'object',
      properties: {
        s: { type: 'string', minLength: 2, maxLength: 3 },
        n: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        u: { type: ['string', 'null'] },
        e: { enum: ['a', 'b'] },
        c: { const: 7 },
        o: { type: 'object', required: ['x'], properties: { x: { type: 'boolean' } }, additionalProperties: false },
        a: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'integer' } },
        m: { type: 'object', additionalProperties: { type: 'string' } },
      },
    };
    const cases = [
      [{}, null],
      [{ s: 'ab', n: 0.5, u: null, e: 'a', c: 7, o: { x: true }, a: [1], m: { k: 'v' } }, null],
      [{ s: 'a' }, /"s" must be at least 2 characters long/],
      [{ s: 'abcd' }, /"s" must be at most 3/],
      [{ n: 0 }, /"n" must be greater than 0/],
      [{ n: 1 }, /"n" must be less than 1/],
      [{ n: NaN }, /"n" must be a number/],
      [{ u: 3 }, /"u" must be a string or a null/],
      [{ e: 'c' }, /"e" must be one of "a", "b"/],
      [{ c: 8 }, /"c" must be 7/],
      [{ o: {} }, /"o" is missing "x"/],
      [{ o: { x: 1 } }, /"o.x" must be a boolean/],
      [{ o: { x: true, y: 1 } }, /"o" has an unknown property "y"/],
      [{ a: [] }, /"a" must have at least 1 items/],
      [{ a: [1, 2, 3] }, /"a" must have at most 2 items/],
      [{ m: { k: 1 } }, /"m.k" must be a string/],
    ];
    for (const [value, expected] of cases) {
      const problem = checkSchema(schema, value);
      if (expected === null) assert.equal(problem, null, JSON.stringify(value));
      else assert.match(problem ?? '', expected, JSON.stringify(value));
    }
    assert.match(checkSchema({ type: 'object' }, []), /the arguments must be an object/);
    assert.equal(checkSchema(true, 1), null);
    assert.match(checkSchema(false, 1), /not allowed/);
  });
});

const now = () => Math.floor(Date.now() / 1000);

function tamper(token) {
  const [h, p, s] = token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  claims.sub = 'mallory';
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
}

async function startConfig(e) {
  const c = new (await import('./helpers.mjs')).Client(e);
  await c.login();
  return c.createConfig({ name: 'x', connection_tool_mappings: [{ connection_name: 'MY_GMAIL' }] });
}
