// Protocol revisions the emulator does not serve: a newer client's `server/discover` probe under
// MCP-Protocol-Version 2026-07-28 (no session) gets the 400 a 2025-11-25 server gives an unsupported
// version, naming the served ones, so the client falls back to `initialize`, which still negotiates.

import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { servedEmulator } from './helpers.mjs';
import { BOTH, LATEST, RawMcp } from './mcp-helpers.mjs';

const SERVED = ['2025-11-25', '2025-06-18', '2025-03-26'];
const MODERN = '2026-07-28';
const USER = 'alice';

let emulator;
let client;
let config;
let instance;
servedEmulator((started) => ({ emulator, client } = started));
beforeEach(async () => {
  config = await client.createConfig({ name: 'mail-agent', connection_tool_mappings: [{ connection_name: 'gmail', tools: ['gmail_fetch_mails'] }] });
  const res = await client.call('POST', '/api/v1/mcp/instances', { body: { config_name: 'mail-agent', user_identifier: USER } });
  instance = res.json.instance;
});

const meta = (version) => ({
  _meta: {
    'io.modelcontextprotocol/protocolVersion': version,
    'io.modelcontextprotocol/clientInfo': { name: 'modern-client', version: '2.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  },
});
const discover = (id = 1) => ({ jsonrpc: '2.0', id, method: 'server/discover', params: meta(MODERN) });
const initialize = (protocolVersion, id = 2) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'modern-client', version: '2.0.0' } },
});

/** Asserts the answer to a request declaring an unserved `version`. */
function assertUnsupported(res, version) {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.contentType, 'application/json');
  assert.equal(res.json.jsonrpc, '2.0');
  assert.equal(res.json.id, null);
  assert.equal(res.json.error.code, -32000, 'a transport error, not a newer revision\'s UnsupportedProtocolVersionError (-32022)');
  assert.equal(res.json.error.data, undefined);
  assert.equal(
    res.json.error.message,
    `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SERVED.join(', ')})`,
  );
  assert.doesNotMatch(res.text, /Mcp-Session-Id/i);
  assert.equal(res.headers.get('mcp-session-id'), null);
}

describe('a request declaring an unserved protocol version', () => {
  test('server/discover under 2026-07-28 without a session: 400 naming the served versions', async () => {
    const res = await new RawMcp(instance.url).send(discover(), { session: false, version: MODERN });
    assertUnsupported(res, MODERN);
  });

  test('the same on a virtual server URL with a valid session token (no token: 401 first)', async () => {
    emulator.setAccountStatus({ connectionName: 'gmail', identifier: USER, status: 'ACTIVE' });
    const { token } = emulator.sessionToken({ configId: config.id, identifier: USER });
    assertUnsupported(await new RawMcp(config.mcp_server_url, { token }).send(discover(), { session: false, version: MODERN }), MODERN);
    const anonymous = await new RawMcp(config.mcp_server_url).send(discover(), { session: false, version: MODERN });
    assert.equal(anonymous.status, 401);
  });

  test('any unserved value, on any message but initialize, before the session checks', async () => {
    const mcp = new RawMcp(instance.url);
    for (const version of [MODERN, '2099-01-01', '2024-11-05', 'not-a-version']) {
      assertUnsupported(await mcp.request('tools/list', {}, { session: false, version }), version);
      assertUnsupported(await mcp.send({ jsonrpc: '2.0', method: 'notifications/initialized' }, { session: false, version }), version);
      assertUnsupported(await mcp.request('ping', undefined, { session: 'no-such-session', version }), version);
    }
  });

  test('a version declared only in params._meta counts as well', async () => {
    const res = await new RawMcp(instance.url).send(discover(), { session: false, version: false });
    assertUnsupported(res, MODERN);
  });

  test('DELETE with an unserved version: the same 400, with or without a session', async () => {
    const mcp = new RawMcp(instance.url);
    assertUnsupported(await mcp.close({ session: false, version: MODERN }), MODERN);
    assert.equal((await mcp.initialize()).status, 200);
    assertUnsupported(await mcp.close({ version: MODERN }), MODERN);
    assert.equal((await mcp.close()).status, 200, 'the session was not ended by the refused DELETE');
  });

  test('the answer is JSON whatever the Accept header prefers, and is logged', async () => {
    emulator.clearRequests();
    const res = await new RawMcp(instance.url).send(discover(), { session: false, version: MODERN, accept: 'text/event-stream' });
    assertUnsupported(res, MODERN);
    const [entry] = emulator.requests();
    assert.equal(entry.body.method, 'server/discover');
    assert.equal(entry.headers['mcp-protocol-version'], MODERN);
    assert.equal(entry.status, 400);
  });

  test('a served version without a session is still the session error', async () => {
    const res = await new RawMcp(instance.url).send(discover(), { session: false, version: LATEST });
    assert.equal(res.status, 400);
    assert.match(res.json.error.message, /Mcp-Session-Id header is required/);
  });
});

describe('falling back to initialize', () => {
  test('after the refused probe, initialize negotiates and the session serves the tools', async () => {
    const mcp = new RawMcp(instance.url);
    assertUnsupported(await mcp.send(discover(), { session: false, version: MODERN, accept: BOTH }), MODERN);

    // A client falling back may still carry the newer header and ask for the newer version:
    // initialize ignores the header and answers the latest revision it serves.
    const res = await mcp.send(initialize(MODERN), { session: false, version: MODERN });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.id, 2);
    assert.equal(res.json.result.protocolVersion, LATEST);
    const sessionId = res.headers.get('mcp-session-id');
    assert.ok(sessionId);

    mcp.sessionId = sessionId;
    mcp.protocolVersion = res.json.result.protocolVersion;
    assert.equal((await mcp.send({ jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
    assert.deepEqual(await mcp.toolNames(), ['gmail_fetch_mails']);

    // In the session, server/discover is just a method the revision does not have.
    const probe = await mcp.send(discover(9));
    assert.equal(probe.status, 200);
    assert.equal(probe.json.id, 9);
    assert.equal(probe.json.error.code, -32601);
  });

  test('initialize negotiates whatever MCP-Protocol-Version header it carries', async () => {
    for (const [header, asked, answered] of [
      ['2099-01-01', '2025-06-18', '2025-06-18'],
      ['banana', '2025-03-26', '2025-03-26'],
      [MODERN, '2024-11-05', LATEST],
    ]) {
      const res = await new RawMcp(instance.url).send(initialize(asked), { session: false, version: header });
      assert.equal(res.status, 200, `${header}: ${res.text}`);
      assert.equal(res.json.result.protocolVersion, answered);
      assert.ok(res.headers.get('mcp-session-id'));
    }
  });

  test('the session then refuses the newer header on its requests', async () => {
    const mcp = new RawMcp(instance.url);
    assert.equal((await mcp.initialize()).status, 200);
    assertUnsupported(await mcp.request('tools/list', {}, { version: MODERN }), MODERN);
    assert.equal((await mcp.request('tools/list', {})).status, 200);
  });
});
