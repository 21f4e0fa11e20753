// The product's promise, end to end: an MCP client (the official SDK) connecting to the URLs the
// package hands out sees exactly the tools the user may call. Instance URLs, virtual server URLs
// with session tokens from createSessionToken (FULL and READ_ONLY), connection URLs, refused
// tokens, tool calls while the account is ACTIVE and after it expires, config changes, deletes.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { ScalekitMcp } from 'scalekit-mcp';
import { startEmulator, uniqueName } from './helpers.mjs';

const catalogue = JSON.parse(readFileSync(new URL('../../js/emulator/catalogue.json', import.meta.url), 'utf8'));
const catalogueTools = (connection) => catalogue.connections.find((c) => c.name === connection).tools;
const catalogueTool = (name) => catalogue.connections.flatMap((c) => c.tools).find((t) => t.name === name);

const WHITELIST = ['gmail_fetch_mails', 'gmail_send_mail', 'googlecalendar_list_events', 'googlecalendar_create_event'];
const READ_ONLY = ['gmail_fetch_mails', 'googlecalendar_list_events'];
const USER = 'john-doe';

/** The content types of the answers to the SDK's POSTs with a body, in order. */
const answerTypes = [];
const recordingFetch = async (url, init) => {
  const res = await fetch(url, init);
  if (init?.method === 'POST' && res.status === 200) answerTypes.push(res.headers.get('content-type'));
  return res;
};

/** Connects an SDK client to an MCP URL, with a session token when given. */
async function connect(url, token) {
  const client = new Client({ name: 'scalekit-mcp-tests', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : undefined,
    fetch: recordingFetch,
  });
  await client.connect(transport);
  return { client, transport };
}

async function withClient(url, token, fn) {
  const { client, transport } = await connect(url, token);
  try {
    return await fn(client, transport);
  } finally {
    await client.close();
  }
}

const names = async (client) => (await client.listTools()).tools.map((t) => t.name);

/** connect() fails with the HTTP status the server answered. */
async function refused(url, token, status) {
  await assert.rejects(connect(url, token), (err) => {
    assert.ok(err instanceof StreamableHTTPError, `${err?.name}: ${err?.message}`);
    assert.equal(err.code, status);
    return true;
  });
}

/** Plays a user through every pending authentication link until the instance is ready. */
async function authorizeAll(emulator, mcp, instanceId) {
  const state = await mcp.getInstanceAuthState({ instanceId, includeAuthLinks: true });
  for (const c of state.connections) {
    if (c.connectedAccountStatus !== 'ACTIVE') emulator.authorize(c.authenticationLink);
  }
  return mcp.waitForAuth({ instanceId }, { timeoutMs: 5000, pollIntervalMs: 500 });
}

/** A config with the whitelist, an instance for USER, every connection authorized. */
async function seed(emulator, mcp) {
  const config = await mcp.createConfig({
    name: uniqueName('mcp'),
    connectionToolMappings: [
      { connectionName: 'MY_GMAIL', tools: ['gmail_fetch_mails', 'gmail_send_mail'] },
      { connectionName: 'MY_CALENDAR', tools: ['googlecalendar_list_events', 'googlecalendar_create_event'] },
    ],
  });
  const instance = await mcp.ensureInstance({ configName: config.name, userIdentifier: USER });
  await authorizeAll(emulator, mcp, instance.id);
  return { config, instance };
}

for (const mcpResponse of ['json', 'sse']) {
  describe(`MCP with the SDK client (emulator answering ${mcpResponse === 'json' ? 'JSON' : 'SSE'})`, () => {
    let emulator;
    let mcp;
    let config;
    let instance;

    before(async () => {
      emulator = await startEmulator({ port: 0, mcpResponse });
      mcp = new ScalekitMcp({ envUrl: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret });
      ({ config, instance } = await seed(emulator, mcp));
    });
    after(() => emulator?.close());

    test('the instance URL lists exactly the whitelisted tools, described as in the catalogue', async () => {
      answerTypes.length = 0;
      await withClient(instance.url, null, async (client, transport) => {
        assert.equal(transport.protocolVersion, '2025-11-25');
        assert.ok(transport.sessionId);
        assert.deepEqual(client.getServerCapabilities(), { tools: { listChanged: false } });
        const { tools } = await client.listTools();
        assert.deepEqual(tools.map((t) => t.name), WHITELIST);
        for (const tool of tools) {
          const source = catalogueTool(tool.name);
          assert.equal(tool.description, source.description);
          assert.deepEqual(tool.inputSchema, source.inputSchema);
          assert.equal(tool.annotations.readOnlyHint, source.readOnly);
        }
      });
      const requests = emulator.requests().filter((r) => r.path === new URL(instance.url).pathname);
      // The SDK also tries a GET for a server stream, concurrently: 405, there is none.
      const posts = requests.filter((r) => r.method === 'POST');
      assert.deepEqual(posts.map((r) => [r.body?.method, r.status]), [
        ['initialize', 200],
        ['notifications/initialized', 202],
        ['tools/list', 200],
      ]);
      assert.ok(requests.filter((r) => r.method === 'GET').every((r) => r.status === 405));
      const expected = mcpResponse === 'json' ? 'application/json' : 'text/event-stream';
      assert.deepEqual(answerTypes, [expected, expected], 'initialize and tools/list answered as the emulator prefers');
    });

    test('the virtual server URL with a session token from createSessionToken lists the same tools', async () => {
      const { token } = await mcp.createSessionToken({ configId: config.id, identifier: USER, expirySeconds: 600 });
      await withClient(config.mcpServerUrl, token, async (client) => {
        assert.deepEqual(await names(client), WHITELIST);
      });
    });

    test('a READ_ONLY token lists only the read-only tools and is refused a write tool', async () => {
      const { token } = await mcp.createSessionToken({ configId: config.id, identifier: USER, accessLevel: 'READ_ONLY' });
      await withClient(config.mcpServerUrl, token, async (client) => {
        const { tools } = await client.listTools();
        assert.deepEqual(tools.map((t) => t.name), READ_ONLY);
        assert.ok(tools.every((t) => t.annotations.readOnlyHint === true));
        await assert.rejects(
          client.callTool({ name: 'gmail_send_mail', arguments: { to: 'a@example.com', subject: 'hi', body: 'x' } }),
          (err) => err instanceof McpError && err.code === -32602 && /READ_ONLY/.test(err.message),
        );
        const read = await client.callTool({ name: 'gmail_fetch_mails', arguments: { query: 'is:unread' } });
        assert.equal(read.isError, false);
      });
    });

    test('an expired token, a token for another config, a garbled token and no token are refused (401)', async () => {
      const other = await mcp.createConfig({ name: uniqueName('other'), connectionToolMappings: [{ connectionName: 'MY_GMAIL' }] });
      const expired = emulator.sessionToken({ configId: config.id, identifier: USER, expiresIn: -1 }).token;
      const foreign = (await mcp.createSessionToken({ configId: other.id, identifier: USER })).token;
      const good = (await mcp.createSessionToken({ configId: config.id, identifier: USER })).token;
      await refused(config.mcpServerUrl, expired, 401);
      await refused(config.mcpServerUrl, foreign, 401);
      await refused(config.mcpServerUrl, `${good.slice(0, -4)}AAAA`, 401);
      await refused(config.mcpServerUrl, null, 401);
      await mcp.deleteConfig(other.id);
    });

    test('tools/call succeeds while the account is ACTIVE and fails clearly once it is EXPIRED', async () => {
      await withClient(instance.url, null, async (client) => {
        const args = { summary: 'Reminder', start_datetime: '2030-01-01T09:00:00Z', end_datetime: '2030-01-01T09:15:00Z' };
        const ok = await client.callTool({ name: 'googlecalendar_create_event', arguments: args });
        assert.equal(ok.isError, false);
        assert.deepEqual(ok.structuredContent.arguments, args);
        assert.equal(ok.structuredContent.tool, 'googlecalendar_create_event');
        assert.equal(ok.structuredContent.connection, 'MY_CALENDAR');
        assert.equal(ok.structuredContent.user, USER);
        assert.deepEqual(JSON.parse(ok.content[0].text), ok.structuredContent);

        emulator.setAccountStatus({ connectionName: 'MY_CALENDAR', identifier: USER, status: 'EXPIRED' });
        const failed = await client.callTool({ name: 'googlecalendar_create_event', arguments: args });
        assert.equal(failed.isError, true);
        assert.match(failed.content[0].text, /MY_CALENDAR/);
        assert.match(failed.content[0].text, /needs authorizing/);
        assert.match(failed.content[0].text, /EXPIRED/);

        // The app sees the same thing through the package, re-authorizes, and the call works again.
        const state = await mcp.getInstanceAuthState({ instanceId: instance.id });
        assert.equal(state.allActive, false);
        await authorizeAll(emulator, mcp, instance.id);
        const again = await client.callTool({ name: 'googlecalendar_create_event', arguments: args });
        assert.equal(again.isError, false);
      });
    });

    test('the virtual server URL calls tools as the token\'s user', async () => {
      emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: 'jane', status: 'ACTIVE' });
      emulator.setAccountStatus({ connectionName: 'MY_CALENDAR', identifier: 'jane', status: 'ACTIVE' });
      const { token } = await mcp.createSessionToken({ configId: config.id, identifier: 'jane' });
      await withClient(config.mcpServerUrl, token, async (client) => {
        const result = await client.callTool({ name: 'gmail_fetch_mails', arguments: {} });
        assert.equal(result.structuredContent.user, 'jane');
        emulator.setAccountStatus({ connectionName: 'MY_GMAIL', identifier: 'jane', status: 'EXPIRED' });
        const failed = await client.callTool({ name: 'gmail_fetch_mails', arguments: {} });
        assert.equal(failed.isError, true);
        assert.match(failed.content[0].text, /MY_GMAIL/);
      });
    });

    test('unknown tools are an MCP error; invalid arguments a tool error naming the problem', async () => {
      await withClient(instance.url, null, async (client) => {
        await assert.rejects(
          client.callTool({ name: 'slack_send_message', arguments: {} }),
          (err) => err instanceof McpError && err.code === -32602 && /Unknown tool: slack_send_message/.test(err.message),
        );
        const bad = await client.callTool({ name: 'gmail_send_mail', arguments: { subject: 'x', body: 'y' } });
        assert.equal(bad.isError, true);
        assert.match(bad.content[0].text, /missing required argument "to"/);
      });
    });

    test('a connection URL with createConnectionSessionToken lists every tool of the connection', async () => {
      const { token } = await mcp.createConnectionSessionToken({ connectionName: 'MY_GMAIL', identifier: USER });
      await withClient(`${emulator.url}/mcp/v3/connections/MY_GMAIL`, token, async (client) => {
        assert.deepEqual(await names(client), catalogueTools('MY_GMAIL').map((t) => t.name));
      });
      await refused(`${emulator.url}/mcp/v3/connections/MY_CALENDAR`, token, 401);
    });

    test('updating the config changes the tools; deleting the instance or config ends the URLs', async () => {
      const { config: c, instance: i } = await seed(emulator, mcp);
      const { token } = await mcp.createSessionToken({ configId: c.id, identifier: USER });
      const { client, transport } = await connect(i.url);
      try {
        assert.deepEqual(await names(client), WHITELIST);
        await mcp.updateConfig({ configId: c.id, connectionToolMappings: [{ connectionName: 'MY_CALENDAR', tools: ['googlecalendar_list_events'] }] });
        assert.deepEqual(await names(client), ['googlecalendar_list_events']);
        await withClient(c.mcpServerUrl, token, async (server) => {
          assert.deepEqual(await names(server), ['googlecalendar_list_events']);
        });

        await mcp.deleteInstance(i.id);
        await assert.rejects(client.listTools(), (err) => err instanceof StreamableHTTPError && err.code === 404);
        await refused(i.url, null, 404);
        await withClient(c.mcpServerUrl, token, async (server) => {
          assert.deepEqual(await names(server), ['googlecalendar_list_events']);
        });

        await mcp.deleteConfig(c.id);
        await refused(c.mcpServerUrl, token, 404);
      } finally {
        await transport.close();
      }
    });

    test('terminating the session ends it; the instance records its last use', async () => {
      const { client, transport } = await connect(instance.url);
      await client.ping();
      const sessionId = transport.sessionId;
      await transport.terminateSession();
      assert.equal(transport.sessionId, undefined);
      await client.close();
      const after = await fetch(instance.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      assert.equal(after.status, 404);
      const fresh = await mcp.getInstance(instance.id);
      assert.equal(typeof fresh.lastUsedAt, 'string');
      assert.ok(Date.now() - Date.parse(fresh.lastUsedAt) < 60_000);
    });
  });
}
